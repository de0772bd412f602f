//! Load generator for the PSC simulator: discovery requests, then authorization code
//! exchanges at the token endpoint (client authentication, code checks, an RS256
//! access token and id_token signed, both journaled), over keep-alive TLS connections.
//!
//! ```text
//! cargo run --release -p segur-psc --example psc_load -- [CONNECTIONS] [SECONDS]
//! ```
//!
//! Defaults: 8 connections, 5 seconds per phase. The simulator runs in this process (as
//! under `segur-bench serve`) with its journal on a temporary folder. The codes the
//! token phase exchanges are obtained before it starts (authorization requests completed
//! through the control API), so the timed phase is the token endpoint alone.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use segur_core::bench::Bench;
use segur_core::clock::Clock;
use segur_core::journal::Journal;
use segur_core::pki::Pki;
use segur_core::testing::https::{Connection, tls_config};
use segur_core::testing::load::Latencies;
use segur_core::world::World;
use segur_psc::{Directive, PscSimulator};
use std::sync::Mutex;

const CLIENT: &str = "segur-bench-reference-lps";
const SECRET: &str = "reference-lps-secret";
const REDIRECT: &str = "http://127.0.0.1:8700/callback";

fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/".into(), |i| rest[i..].to_string())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let connections: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(8);
    let seconds: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5);

    let dir = tempfile::tempdir()?;
    let world = World::embedded()?;
    let clock = Clock::new();
    let pki = Pki::create(&dir.path().join("pki"), &world, clock.now())?;
    let journal = Journal::open(&dir.path().join("journal"), clock.clone())?;
    let bench = Bench::new(world, clock, journal.clone(), pki.clone());
    let psc = PscSimulator::builder(bench).start().await?;
    let tls = tls_config(&pki, None);

    // Phase 1: discovery.
    let discovery = path_of(&psc.discovery_url());
    let (count, elapsed, mut latencies) =
        run(connections, seconds, psc.issuer(), &tls, move |_| {
            hyper::Request::builder()
                .uri(discovery.clone())
                .body(Full::new(Bytes::new()))
                .expect("request")
        })
        .await?;
    println!(
        "discovery: {count} requests in {elapsed:.1} s over {connections} connections: {:.0}/s",
        count as f64 / elapsed
    );
    println!("  {}", latencies.summary());

    // Codes for phase 2, made beforehand: one SSO login, then authorization requests
    // answered from the session cookie.
    let wanted = 4_000 * seconds as usize;
    psc.control().next_authentication(
        CLIENT,
        Directive::Authenticate {
            professional: "dr-legrand".into(),
        },
    )?;
    let authorize = |state: usize, cookie: Option<&str>| {
        let query = serde_urlencoded::to_string([
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid scope_all"),
            ("acr_values", "eidas1"),
            ("state", &format!("s{state}")),
            ("nonce", &format!("n{state}")),
        ])
        .expect("query");
        let mut r = hyper::Request::builder().uri(format!("/auth?{query}"));
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        r.body(Full::new(Bytes::new())).expect("request")
    };
    let mut wallet = Connection::open(psc.wallet(), tls.clone()).await?;
    let first = wallet.request(authorize(0, None)).await?;
    let cookie = first
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();
    let code_of = |location: &str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(
            location.split_once('?').map_or("", |q| q.1),
        )
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "code").map(|(_, v)| v))
    };
    let prepared = Instant::now();
    let mut codes = Vec::with_capacity(wanted);
    codes.extend(code_of(first.header("location")));
    while codes.len() < wanted {
        let answer = wallet
            .request(authorize(codes.len(), Some(&cookie)))
            .await?;
        codes.push(code_of(answer.header("location")).ok_or("no code in the redirect")?);
    }
    println!(
        "prepared {} codes in {:.1} s (authorization requests answered from the SSO session)",
        codes.len(),
        prepared.elapsed().as_secs_f64()
    );

    // Phase 2: code exchanges.
    let codes = Arc::new(Mutex::new(codes));
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT}:{SECRET}"))
    );
    let pool = codes.clone();
    let token_path = path_of(&format!("{}/protocol/openid-connect/token", psc.issuer()));
    let (count, elapsed, mut latencies) =
        run(connections, seconds, psc.issuer(), &tls, move |_| {
            let code = pool
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop()
                .unwrap_or_default();
            let body = serde_urlencoded::to_string([
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ])
            .expect("form");
            hyper::Request::builder()
                .method("POST")
                .uri(token_path.clone())
                .header("content-type", "application/x-www-form-urlencoded")
                .header("authorization", basic.clone())
                .body(Full::new(Bytes::from(body)))
                .expect("request")
        })
        .await?;
    println!(
        "token (authorization_code, RS256 access token + id_token): {count} exchanges in {elapsed:.1} s: {:.0}/s",
        count as f64 / elapsed
    );
    println!("  {}", latencies.summary());
    journal.sync()?;
    println!("journal: {} records", journal.head().0);
    psc.shutdown().await;
    Ok(())
}

/// Sends the requests `make` builds on `connections` connections for `seconds`; every
/// answer must be 200. Returns the count, the elapsed seconds and the latencies.
async fn run(
    connections: usize,
    seconds: u64,
    url: &str,
    tls: &Arc<rustls::ClientConfig>,
    make: impl Fn(usize) -> hyper::Request<Full<Bytes>> + Send + Sync + Clone + 'static,
) -> Result<(usize, f64, Latencies), Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let mut connection = Connection::open(url, tls.clone()).await?;
        let make = make.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Latencies::new();
            let mut i = 0;
            while Instant::now() < deadline {
                let request = make(i);
                i += 1;
                let sent = Instant::now();
                let answer = connection.request(request).await.expect("an answer");
                if answer.status != 200 {
                    // The code pool ran dry (or a real failure, which the body says).
                    eprintln!("stopping a worker on {}: {}", answer.status, answer.body);
                    break;
                }
                latencies.record(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Latencies::new();
    for w in workers {
        latencies.merge(w.await?);
    }
    Ok((latencies.len(), started.elapsed().as_secs_f64(), latencies))
}
