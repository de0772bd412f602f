//! `segur-bench demo`: every shipped scenario against the built-in reference LPS (served
//! over HTTP on an ephemeral port in this process), from the features embedded at build
//! time, copied into the run folder so the run shows what it ran.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use segur_reference_lps::{Defects, Lps, serve};
use segur_scenarios::driver::http::HttpDriver;

use super::run::{execute, exit_code, print_summary, run_dir, runtime};
use crate::cli::DemoArgs;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/features.rs"));
}

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let defects = Defects::parse(&args.defects).map_err(anyhow::Error::msg)?;
    runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move {
            let _ = axum::serve(listener, serve::app(Lps::new(defects))).await;
        });
        // The run keeps the feature set it ran, and runs it from there.
        let dir = run_dir(&args.select);
        let features = dir.join("features");
        for (path, text) in embedded::FEATURES {
            let target = features.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&target, text)
                .with_context(|| format!("writing {}", target.display()))?;
        }
        let driver = Arc::new(HttpDriver::new(&url)?);
        let report = execute(&args.select, &dir, vec![features], driver, None).await?;
        print_summary(&report);
        Ok(exit_code(&report, args.select.fail_on_skip))
    })
}
