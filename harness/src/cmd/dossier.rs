//! `segur-bench dossier` and `segur-bench verify`.

use std::process::ExitCode;
use std::time::Instant;

use crate::cli::{DossierArgs, VerifyArgs};
use crate::dossier::{self, seal::Signer, verify::Trust};

/// Builds and seals a dossier.
pub fn build(args: DossierArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let signer = match (&args.key, &args.cert) {
        (Some(key), Some(cert)) => Signer::load(key, cert)?,
        _ => Signer::from_pki(&args.pki_dir)?,
    };
    let files = dossier::build(&args.run_dir, &args.output, &signer)?;
    super::print_out(&format!(
        "dossier {} : {files} fichiers, scellé et signé ({:.2} s)\n",
        args.output.display(),
        started.elapsed().as_secs_f64()
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Checks a dossier; exit code 1 when anything changed.
pub fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let pki;
    let trust = match args.signer_sha256 {
        Some(fingerprint) => Trust::Fingerprint(fingerprint),
        None => {
            pki = segur_core::pki::Pki::load(&args.pki_dir).map_err(|e| {
                anyhow::anyhow!(
                    "{}: {e} (name the trusted signer with --signer-sha256, or the PKI with --pki-dir)",
                    args.pki_dir.display()
                )
            })?;
            Trust::Pki(&pki)
        }
    };
    let verdict = dossier::verify::verify(&args.dossier, &trust)?;
    let signer = verdict.signer.as_deref().unwrap_or("(inconnu)");
    let conditions: String = verdict
        .conditions
        .iter()
        .map(|c| format!("  attention, {c}\n"))
        .collect();
    if verdict.is_ok() {
        super::print_out(&format!(
            "{} : intact — {} fichiers, {} échanges au journal, signé par {signer} ({:.2} s)\n{conditions}",
            args.dossier.display(),
            verdict.files,
            verdict.records,
            started.elapsed().as_secs_f64()
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!(
        "{} : {} problème(s) — signé par {signer}\n{conditions}",
        args.dossier.display(),
        verdict.problems.len()
    );
    for p in &verdict.problems {
        text.push_str(&format!("  {p}\n"));
    }
    super::print_out(&text)?;
    Ok(ExitCode::FAILURE)
}
