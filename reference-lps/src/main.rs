//! `reference-lps`: the reference LPS behind the driver protocol.

use std::net::SocketAddr;

use clap::{Parser, Subcommand};
use segur_reference_lps::{Lps, defects, serve};

/// A small but correct LPS that speaks the segur-bench driver protocol v1, with
/// catalogued defects to prove the scenarios catch real mistakes.
#[derive(Parser)]
#[command(
    name = "reference-lps",
    version,
    after_help = "\
Examples:
  reference-lps http --listen 127.0.0.1:8700     then: segur-bench run --driver http://127.0.0.1:8700
  segur-bench run --driver-cmd \"reference-lps stdio --defect no-nonce\"
  reference-lps defects                          the catalogue (DEFECTS.md)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the protocol over HTTP (`POST /v1/actions`).
    Http {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8700")]
        listen: SocketAddr,
        /// Turn on a catalogued defect (repeatable; see `reference-lps defects`).
        #[arg(long = "defect", value_name = "NAME")]
        defects: Vec<String>,
    },
    /// Serve the protocol on stdin/stdout, one JSON object per line.
    Stdio {
        /// Turn on a catalogued defect (repeatable).
        #[arg(long = "defect", value_name = "NAME")]
        defects: Vec<String>,
    },
    /// Print the catalogue of defects as Markdown.
    Defects,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("reference-lps: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let outcome: anyhow::Result<()> = runtime.block_on(async {
        match cli.command {
            Command::Defects => {
                print!("{}", defects::markdown());
                Ok(())
            }
            Command::Http { listen, defects } => {
                let lps = Lps::new(defects::Defects::parse(&defects).map_err(anyhow::Error::msg)?);
                let listener = tokio::net::TcpListener::bind(listen).await?;
                eprintln!(
                    "reference-lps: driver protocol on http://{}/v1/actions",
                    listener.local_addr()?
                );
                axum::serve(listener, serve::app(lps)).await?;
                Ok(())
            }
            Command::Stdio { defects } => {
                let lps = Lps::new(defects::Defects::parse(&defects).map_err(anyhow::Error::msg)?);
                serve::stdio(lps).await?;
                Ok(())
            }
        }
    });
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reference-lps: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
