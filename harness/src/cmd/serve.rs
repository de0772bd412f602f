//! `segur-bench serve`: the control API and every registered simulator, until Ctrl-C or
//! SIGTERM.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, anyhow};
use segur_core::bench::{Bench, ServiceContext};
use segur_core::clock::Clock;
use segur_core::control;
use segur_core::journal::Journal;
use segur_core::pki::{Pki, Provenance};
use serde_json::json;
use tokio::net::TcpListener;

use super::load_world;
use crate::cli::ServeArgs;
use crate::services;

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(args))
}

/// A URL for an address clients can reach: an unspecified bind address is shown as loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
    } else {
        addr
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let world = load_world(&args.world)?;
    let clock = Clock::new();
    let (pki, provenance) =
        Pki::ensure_with(&args.pki_dir, &world, clock.now(), args.pki_keys.into())
            .context("preparing the test PKI")?;
    if provenance == Provenance::Issued {
        tracing::info!(dir = %args.pki_dir.display(), "issued a new test PKI: import ca/bundle.pem into the software under test");
    }
    let journal = Journal::open(&args.journal_dir, clock.clone()).context("opening the journal")?;
    let bench = Bench::new(world, clock, journal.clone(), pki);
    if !args.bind.is_loopback() {
        tracing::warn!(bind = %args.bind, "listening beyond loopback: the simulators accept test credentials from anyone who can reach them");
    }

    let control_listener = TcpListener::bind(SocketAddr::new(args.bind, args.port_base))
        .await
        .with_context(|| {
            format!(
                "binding the control API on {}:{}",
                args.bind, args.port_base
            )
        })?;
    let control_url = format!("http://{}", reachable(control_listener.local_addr()?));
    let control_task = tokio::spawn(
        axum::serve(control_listener, control::app(bench.clone()))
            .with_graceful_shutdown(bench.stopped())
            .into_future(),
    );

    let mut running = Vec::new();
    for service in services::registered(&args) {
        let port = match args.port_base {
            0 => 0,
            base => base.checked_add(service.port_offset()).ok_or_else(|| {
                anyhow!(
                    "port base {base} + offset of {} exceeds 65535",
                    service.name()
                )
            })?,
        };
        let ctx = ServiceContext {
            bench: bench.clone(),
            bind: args.bind,
            port,
        };
        let started_service = service
            .start(ctx)
            .await
            .map_err(|e| anyhow!("starting the {} simulator: {e}", service.name()))?;
        bench.register_service(service.name(), started_service.endpoints.clone());
        running.push(started_service);
    }

    let services = bench.services();
    print_table(&control_url, bench.pki(), &services);
    if let Some(path) = &args.endpoints_file {
        let doc =
            json!({ "control": control_url, "pki_dir": bench.pki().dir(), "services": services });
        write_atomically(path, &serde_json::to_vec_pretty(&doc)?)
            .with_context(|| format!("writing the endpoints file {}", path.display()))?;
    }
    println!(
        "ready in {} ms — Ctrl-C to stop",
        started.elapsed().as_millis()
    );

    shutdown_signal().await;
    tracing::info!("stopping");
    bench.begin_shutdown();
    for service in running {
        (service.shutdown)().await;
    }
    bench.release();
    control_task
        .await
        .context("control API task")?
        .context("control API")?;
    journal.sync().context("syncing the journal")?;
    let (records, head) = journal.head();
    println!(
        "stopped; journal {} holds {records} records, head {head}",
        journal.path().display()
    );
    Ok(ExitCode::SUCCESS)
}

fn print_table(
    control_url: &str,
    pki: &Pki,
    services: &BTreeMap<String, BTreeMap<String, String>>,
) {
    println!("{:<10} {:<12} URL", "SERVICE", "ENDPOINT");
    println!("{:<10} {:<12} {control_url}/api/v1", "control", "api");
    for (service, endpoints) in services {
        for (name, url) in endpoints {
            println!("{service:<10} {name:<12} {url}");
        }
    }
    if services.is_empty() {
        println!("(no simulator registered yet: only the control API runs)");
    }
    let index = pki.index();
    println!();
    println!(
        "trust anchors   {}",
        pki.path_of(&index.ca.bundle).display()
    );
    println!("CRL             {}", pki.path_of(&index.ca.crl).display());
    println!(
        "credentials     {} (`segur-bench pki show`; .p12 password {})",
        pki.dir().display(),
        index.p12_password
    );
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
