//! `segur-bench`: a conformity test bench for French health software (Ségur referencing).

mod checklist;
mod cli;
mod cmd;
mod dossier;
mod recheck;
mod rem;
mod services;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    segur_core::tls::install_crypto_provider();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("segur-bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
