//! `segur-bench world check|default`.

use std::process::ExitCode;

use segur_core::world::{DEFAULT_WORLD_TOML, DmpState};

use super::load_world;
use crate::cli::WorldCommand;

pub fn run(command: WorldCommand) -> anyhow::Result<ExitCode> {
    match command {
        WorldCommand::Default => {
            print!("{DEFAULT_WORLD_TOML}");
            Ok(ExitCode::SUCCESS)
        }
        WorldCommand::Check { world } => {
            let w = match load_world(&world) {
                Ok(w) => w,
                Err(e) => {
                    eprintln!("{e:#}");
                    return Ok(ExitCode::FAILURE);
                }
            };
            let with_dmp = w
                .patients
                .iter()
                .filter(|p| p.dmp.state == DmpState::Open)
                .count();
            println!(
                "world OK: {} patients ({} with an open DMP), {} professionals, {} structures, {} OIDC clients",
                w.patients.len(),
                with_dmp,
                w.professionals.len(),
                w.structures.len(),
                w.oidc_clients.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
