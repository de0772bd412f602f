//! `segur-bench pki init|show`.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Context;
use segur_core::pki::{P12_PASSWORD, Pki, Provenance};
use time::OffsetDateTime;

use super::load_world;
use crate::cli::PkiCommand;

pub fn run(command: PkiCommand) -> anyhow::Result<ExitCode> {
    match command {
        PkiCommand::Init {
            world,
            dir,
            force,
            keys,
        } => {
            let world = load_world(&world)?;
            let now = OffsetDateTime::now_utc();
            let keys = keys.into();
            let (pki, how) = if force {
                (
                    Pki::create_with(&dir, &world, now, keys)?,
                    Provenance::Issued,
                )
            } else {
                Pki::ensure_with(&dir, &world, now, keys)?
            };
            let verb = match how {
                Provenance::Issued => "issued",
                Provenance::Reused => "reused (still valid and matching the world)",
            };
            println!(
                "test PKI {verb} in {}: {} credentials ({} keys for the software's)",
                pki.dir().display(),
                pki.index().credentials.len(),
                pki.index().key_algorithm
            );
            println!(
                "trust anchors: {}",
                pki.path_of(&pki.index().ca.bundle).display()
            );
            println!(".p12 password: {P12_PASSWORD}");
            Ok(ExitCode::SUCCESS)
        }
        PkiCommand::Show { dir, json } => {
            let pki = Pki::load(&dir).with_context(|| {
                format!("no PKI in {} (run `segur-bench pki init`)", dir.display())
            })?;
            let index = pki.index();
            if json {
                super::print_out(&(serde_json::to_string_pretty(index)? + "\n"))?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut out = String::new();
            writeln!(
                out,
                "test PKI in {} (issued {}), .p12 password: {}",
                dir.display(),
                index.issued_at,
                index.p12_password
            )?;
            writeln!(
                out,
                "trust anchors: {}   CRL: {}",
                index.ca.bundle, index.ca.crl
            )?;
            writeln!(out)?;
            writeln!(
                out,
                "{:<34} {:<26} {:<10} {:<6} SUBJECT",
                "NAME", "PURPOSE", "NOT AFTER", "TLS"
            )?;
            for c in &index.credentials {
                let purpose = serde_json::to_value(c.purpose)?
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let tls = if c.tls_must_refuse { "refuse" } else { "ok" };
                writeln!(
                    out,
                    "{:<34} {:<26} {:<10} {:<6} {}",
                    c.name,
                    purpose,
                    c.not_after.date(),
                    tls,
                    c.subject
                )?;
            }
            writeln!(out)?;
            writeln!(
                out,
                "files: <folder>/<name>.crt.pem, .key.pem (PKCS#8), .chain.pem, .p12 — see index.json"
            )?;
            super::print_out(&out)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
