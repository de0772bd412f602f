//! Load generator for the INSi simulator: traits lookups over keep-alive mutual-TLS
//! connections, with throughput and latency percentiles.
//!
//! ```text
//! cargo run --release -p segur-insi --example insi_load -- [CONNECTIONS] [SECONDS]
//! ```
//!
//! Defaults: 8 connections for 10 seconds. The simulator runs in the same process (as it
//! does under `segur-bench serve`), with its journal on a temporary folder: every lookup
//! is parsed, checked, matched, answered and journaled (request and response bodies).

use segur_core::testing::https as client;
use segur_core::testing::load::Latencies;

use std::time::{Duration, Instant};

use segur_core::bench::Bench;
use segur_core::clock::Clock;
use segur_core::journal::Journal;
use segur_core::pki::Pki;
use segur_core::world::World;
use segur_insi::InsiSimulator;
use segur_insi::query::TraitsQuery;
use segur_insi::request::InsiRequest;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let connections: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(8);
    let seconds: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10);

    let dir = tempfile::tempdir()?;
    let world = World::embedded()?;
    let clock = Clock::new();
    let pki = Pki::create(&dir.path().join("pki"), &world, clock.now())?;
    let journal = Journal::open(&dir.path().join("journal"), clock.clone())?;
    let bench = Bench::new(world.clone(), clock, journal.clone(), pki.clone());
    let insi = InsiSimulator::builder(bench).start().await?;

    // Every known patient, by their traits: a mix of layouts, histories and code 00.
    let requests: Vec<(String, String)> = world
        .patients
        .iter()
        .filter(|p| p.ins.is_some() && p.insi.known)
        .map(|p| {
            let r = InsiRequest::search_by_traits(&TraitsQuery {
                birth_name: Some(p.traits.birth_name.clone()),
                first_names: vec![p.traits.first_names[0].clone()],
                sex: Some(p.traits.sex.clone()),
                birth_date: Some(p.traits.birth_date.to_string()),
                birthplace: Some(p.traits.birthplace.clone()),
            });
            (r.content_type(), r.to_xml())
        })
        .collect();

    let config = client::tls_config(&pki, Some("insi-auto-cabinet-lilas"));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..connections {
        let mut connection = client::Connection::open(insi.mtls_url(), config.clone()).await?;
        let requests = requests.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Latencies::new();
            let mut i = worker;
            while Instant::now() < deadline {
                let (content_type, xml) = &requests[i % requests.len()];
                i += 1;
                let sent = Instant::now();
                let answer = connection
                    .send("POST", "/lps", content_type, xml.clone())
                    .await
                    .expect("an answer");
                assert_eq!(answer.status, 200, "{}", answer.body);
                assert!(answer.content_type.starts_with("application/soap+xml"));
                latencies.record(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Latencies::new();
    for w in workers {
        latencies.merge(w.await?);
    }
    let elapsed = started.elapsed().as_secs_f64();
    journal.sync()?;
    let (records, _) = journal.head();
    println!(
        "{} lookups in {elapsed:.1} s over {connections} mTLS keep-alive connections: {:.0} lookups/s",
        latencies.len(),
        latencies.len() as f64 / elapsed
    );
    println!("{}", latencies.summary());
    println!("journal: {records} records");
    insi.shutdown().await;
    Ok(())
}
