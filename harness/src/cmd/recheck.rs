//! `segur-bench recheck`.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::cli::RecheckArgs;
use crate::dossier::collect;
use crate::recheck;

/// Re-checks a run folder or a dossier and prints the differences.
pub fn run(args: RecheckArgs) -> anyhow::Result<ExitCode> {
    let run = if args.input.is_dir() {
        collect::read_run(&args.input)?
    } else {
        collect::run_from_files(&crate::dossier::verify::read_zip(&args.input)?)?
    };
    let world = super::load_world(&args.world)?;
    let mut out = String::new();
    let recorded = run.summary["provenance"]["world_sha256"].as_str();
    let today = serde_json::to_value(&world)
        .ok()
        .map(|w| segur_scenarios::run::world_sha256(&w));
    if recorded.is_some() && recorded != today.as_deref() {
        let _ = writeln!(
            out,
            "attention : le monde n'est pas celui du run (empreinte {} enregistrée, {} aujourd'hui) ; --world le désigne",
            recorded.unwrap_or("?"),
            today.as_deref().unwrap_or("?")
        );
    }
    if let Some(rules) = run.summary["provenance"]["disabled_rules"].as_array()
        && !rules.is_empty()
    {
        let _ = writeln!(
            out,
            "le run a été enregistré sans les règles : {}",
            serde_json::Value::from(rules.clone())
        );
    }
    let pki = segur_core::pki::Pki::load(&args.pki_dir).ok();
    if pki.is_none() {
        let _ = writeln!(
            out,
            "pas de PKI de test dans {} : les VIHF du DMP ne sont pas revérifiés (--pki-dir)",
            args.pki_dir.display()
        );
    }
    let scratch = tempfile::tempdir()?;
    let context = recheck::Context::new(world, pki, &scratch.path().join("journal"))?;
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(recheck::recheck(&run, &context));
    let _ = writeln!(
        out,
        "{} échanges revérifiés ; non revérifiables : {}",
        outcome.rechecked,
        outcome
            .not_rechecked
            .iter()
            .map(|(k, n)| format!("{k} ×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if outcome.differences.is_empty() {
        out.push_str(
            "aucune différence : les verdicts enregistrés tiennent avec les règles d'aujourd'hui\n",
        );
        super::print_out(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    for d in &outcome.differences {
        let _ = writeln!(
            out,
            "{} ({}) — {}",
            d.record,
            d.exchange,
            d.scenario.as_deref().unwrap_or("hors scénario")
        );
        for f in &d.appeared {
            let _ = writeln!(
                out,
                "  + {} [{}] {}",
                f.rule,
                f.requirements.join(", "),
                f.message
            );
        }
        for v in &d.vanished {
            let _ = writeln!(out, "  - {v}");
        }
    }
    for (label, changes) in [
        ("scénario", &outcome.scenarios),
        ("exigence", &outcome.requirements),
    ] {
        for c in changes {
            let _ = writeln!(out, "{label} {} : {} → {}", c.subject, c.recorded, c.now);
        }
    }
    super::print_out(&out)?;
    Ok(ExitCode::FAILURE)
}
