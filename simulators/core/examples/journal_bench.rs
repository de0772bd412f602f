//! Journal append throughput, with 1 KB bodies.
//!
//! ```text
//! cargo run --release -p segur-core --example journal_bench -- [RECORDS] [WRITERS]
//! ```
//!
//! Each record carries a distinct 1 KiB request and a distinct 1 KiB response (so the
//! blob deduplication never helps), a summary and one finding, like a real exchange.
//! Every append writes its blobs and its line to the OS before returning (no fsync per
//! record); one fsync at the end is timed separately. Defaults: 200,000 records, run once
//! with 1 writer and once with 8 concurrent writers.

use std::time::Instant;

use segur_core::clock::Clock;
use segur_core::finding::{Rule, Severity};
use segur_core::journal::{Exchange, Journal, Payload, verify_file};

const RULE: Rule = Rule {
    name: "BENCH-RULE",
    requirements: &["INS/va1.52"],
    severity: Severity::Warning,
};

fn body(tag: u8, n: u64) -> Vec<u8> {
    let mut bytes = vec![tag; 1024];
    bytes[..8].copy_from_slice(&n.to_le_bytes());
    bytes
}

fn run(records: u64, writers: u64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = Journal::open(dir.path(), Clock::new()).expect("open journal");
    let each = records / writers;
    let start = Instant::now();
    std::thread::scope(|s| {
        for w in 0..writers {
            let journal = journal.clone();
            s.spawn(move || {
                for i in 0..each {
                    let n = w * each + i;
                    let exchange = Exchange::new("insi", "rechercherInsAvecTraitsIdentite")
                        .request(
                            Payload::new(body(b'q', n))
                                .content_type("application/soap+xml")
                                .summary(serde_json::json!({"traits": {"birth_name": "ADRTROIS"}})),
                        )
                        .response(Payload::new(body(b'r', n)).content_type("application/soap+xml"))
                        .finding(RULE.finding("bench finding"));
                    journal.append(exchange).expect("append");
                }
            });
        }
    });
    let appended = start.elapsed();
    let sync_start = Instant::now();
    journal.sync().expect("sync");
    let synced = sync_start.elapsed();
    let total = each * writers;
    let rate = total as f64 / appended.as_secs_f64();
    let report = verify_file(journal.path()).expect("verify");
    assert!(report.is_ok() && report.records == total, "{report:?}");
    println!(
        "{writers} writer(s): {total} records in {:.2} s = {rate:.0} records/s ({:.1} MiB/s of bodies); final fsync {:.1} ms; chain verified",
        appended.as_secs_f64(),
        rate * 2048.0 / 1_048_576.0,
        synced.as_secs_f64() * 1000.0,
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let records: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    match args.next().and_then(|a| a.parse().ok()) {
        Some(writers) => run(records, writers),
        None => {
            run(records, 1);
            run(records, 8);
        }
    }
}
