//! Load generator for the DMP simulator: ITI-41 feeds of a 100 KiB CDA over keep-alive
//! mutual-TLS connections, then ITI-18 FindDocuments on the DMP they filled.
//!
//! ```text
//! cargo run --release -p segur-dmp --example dmp_load -- [CONNECTIONS] [DOCUMENTS] [SECONDS] [DAYS]
//! ```
//!
//! Defaults: 8 connections, 10,000 documents, 10 seconds of searches over the last 30
//! days. The simulator runs
//! in the same process (as under `segur-bench serve`), journal on a temporary folder,
//! with every check on: VIHF signature and chain, MTOM, metadata, hash and size, the CDA
//! checks, and every exchange journaled with its bodies.
//!
//! 1. **Feeds.** The document is the ANS VSM example padded with an XML comment to
//!    100 KiB, with a `ClinicalDocument/id` of its own per feed. Every request (one VIHF
//!    for the run, a signed submission set per feed, the MTOM package) is written before
//!    the clock starts, and the time that took is reported apart. Document *n* is dated
//!    *n* days before today: the DMP spans 27 years, one document a day.
//! 2. **Searches.** FindDocuments of the approved documents created in the last DAYS
//!    days, as "new documents since the last visit" asks: the registry scans the
//!    patient's 20,000 entries (documents and their signatures) and returns those of the
//!    window, about 2 × DAYS for their author, whose signatures are visible to them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use segur_core::bench::Bench;
use segur_core::clock::Clock;
use segur_core::journal::Journal;
use segur_core::pki::Pki;
use segur_core::testing::https as client;
use segur_core::testing::load::Latencies;
use segur_core::world::World;
use segur_dmp::DmpSimulator;
use segur_dmp::request::{Caller, DmpRequest, Feed, FeedDocument, FindDocuments, VihfBuilder};

/// The patient (open DMP, Dr Legrand authorised) and the professional.
const PATIENT: &str = "d-almeida-joao";
const PROFESSIONAL: &str = "dr-legrand";
/// The document's size.
const DOCUMENT_SIZE: usize = 100 * 1024;
/// The VSM example's `ClinicalDocument/id`.
const VSM_ID: &str = "<id root=\"1.2.250.1.213.1.1.1.13.2022.1.1\"/>";

type Error = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let connections: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(8);
    let documents: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(10_000);
    let seconds: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(10);
    let days: i64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(30);

    let dir = tempfile::tempdir()?;
    let world = World::embedded()?;
    let clock = Clock::new();
    let pki = Pki::create(&dir.path().join("pki"), &world, clock.now())?;
    let journal = Journal::open(&dir.path().join("journal"), clock.clone())?;
    let bench = Bench::new(world.clone(), clock.clone(), journal.clone(), pki.clone());
    let dmp = DmpSimulator::builder(bench).start().await?;
    let tls = client::tls_config(&pki, Some("structure-cabinet-lilas-auth"));

    let caller = Caller::professional(&world, PROFESSIONAL)?;
    let patient = world
        .patient(PATIENT)
        .and_then(|p| p.ins.clone())
        .ok_or("the world has no such patient")?;
    let signer = pki.credential("structure-cabinet-lilas-sign")?;
    let vihf = VihfBuilder::new(caller.clone(), clock.now())
        .patient(&patient)
        .signed_with(&signer)?;

    // 1. Feeds, written before the clock starts.
    let written = Instant::now();
    let template = padded_vsm()?;
    let document = FeedDocument::cda(template.clone())?.format_code("urn:asip:ci-sis:vsm:2012");
    let today = clock.now();
    let mut feeds: Vec<Vec<DmpRequest>> = vec![Vec::new(); connections];
    for n in 0..documents {
        let own_id =
            format!("<id root=\"1.2.250.1.213.1.1.1.13.2022.1.1\" extension=\"L{n:09}\"/>");
        let mut doc = document.clone();
        doc.bytes = Bytes::from(template.replacen(VSM_ID, &own_id, 1));
        doc.unique_id = format!("1.2.250.1.213.1.1.1.13.2022.1.1^L{n:09}");
        let request = Feed::new(caller.clone(), patient.clone())
            .document(doc)
            .signed_with(&signer)
            .at(today - time::Duration::days(n as i64))
            .build(&vihf)?;
        feeds[n % connections].push(request);
    }
    let mebibytes = feeds.iter().flatten().map(|r| r.body.len()).sum::<usize>() >> 20;
    println!(
        "wrote {documents} ITI-41 requests ({mebibytes} MiB, documents of {DOCUMENT_SIZE} bytes) in {:.1} s",
        written.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let mut latencies = send_all(&dmp.url("repository"), &tls, feeds, None).await?;
    let elapsed = started.elapsed().as_secs_f64();
    let count = latencies.len();
    println!(
        "ITI-41: {count} feeds in {elapsed:.1} s over {connections} mTLS keep-alive connections: {:.0} feeds/s ({:.0} MiB/s of documents)",
        count as f64 / elapsed,
        (count * DOCUMENT_SIZE) as f64 / elapsed / f64::from(1 << 20)
    );
    println!("{}", latencies.summary());
    let held = dmp.store().read().documents.len();
    println!("the DMP holds {held} documents (each feed adds the CDA and its signature)");

    // 2. Searches of the last `days` days, for `seconds`.
    let since = format!(
        "{}000000",
        &segur_dmp::patients::hl7_time(today - time::Duration::days(days))[..8]
    );
    let search = FindDocuments::of(&patient)
        .created_from(&since)
        .build(&vihf);
    let registry = dmp.url("registry");
    let probe = client::Connection::open(&registry, tls.clone())
        .await?
        .send(
            "POST",
            &search.path(),
            &search.content_type,
            search.body.to_vec(),
        )
        .await?;
    println!(
        "one search returns {} entries ({} bytes)",
        probe.body.matches("ExtrinsicObject id=").count(),
        probe.body.len()
    );
    let started = Instant::now();
    let batches = vec![vec![search]; connections];
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut latencies = send_all(&registry, &tls, batches, Some(deadline)).await?;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "ITI-18: {} searches in {elapsed:.1} s over {connections} connections on a DMP of {held} documents: {:.0} searches/s",
        latencies.len(),
        latencies.len() as f64 / elapsed
    );
    println!("{}", latencies.summary());
    journal.sync()?;
    println!("journal: {} records", journal.head().0);
    dmp.shutdown().await;
    Ok(())
}

/// Sends each batch on a connection of its own, in order, each answer checked for
/// success: once, or round and round until `deadline`. Returns the latencies.
async fn send_all(
    url: &str,
    tls: &Arc<rustls::ClientConfig>,
    batches: Vec<Vec<DmpRequest>>,
    deadline: Option<Instant>,
) -> Result<Latencies, Error> {
    let mut workers = Vec::new();
    for batch in batches {
        let mut connection = client::Connection::open(url, tls.clone()).await?;
        workers.push(tokio::spawn(async move {
            let mut latencies = Latencies::new();
            let rounds = match deadline {
                Some(_) => usize::MAX,
                None => 1,
            };
            let requests = batch
                .iter()
                .cycle()
                .take(batch.len().saturating_mul(rounds));
            for request in requests {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let sent = Instant::now();
                let answer = connection
                    .send(
                        "POST",
                        &request.path(),
                        &request.content_type,
                        request.body.to_vec(),
                    )
                    .await
                    .expect("an answer");
                assert!(
                    answer.body.contains("ResponseStatusType:Success"),
                    "{}",
                    answer.body
                );
                latencies.record(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Latencies::new();
    for w in workers {
        latencies.merge(w.await?);
    }
    Ok(latencies)
}

/// The ANS VSM example, padded to [`DOCUMENT_SIZE`] bytes with a comment before its end.
fn padded_vsm() -> Result<String, Error> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/cda/VSM_1.4_2022.01.xml"
    );
    let text = std::fs::read_to_string(path)?;
    let end = text
        .rfind("</ClinicalDocument>")
        .ok_or("the VSM has no end tag")?;
    let padding = DOCUMENT_SIZE.saturating_sub(text.len() + "<!--  -->".len());
    Ok(format!(
        "{}<!-- {} -->{}",
        &text[..end],
        "x".repeat(padding),
        &text[end..]
    ))
}
