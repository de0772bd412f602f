//! Running the feature suite against the reference LPS: the simulators in process (one
//! bench per scenario), the LPS behind one of the drivers.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use segur_core::clock::Clock;
use segur_core::journal::Journal;
use segur_core::pki::Pki;
use segur_core::world::World;
use segur_scenarios::bench::BenchTemplate;
use segur_scenarios::driver::SharedDriver;
use segur_scenarios::driver::http::HttpDriver;
use segur_scenarios::driver::stdio::StdioDriver;
use segur_scenarios::run::{self, RunConfig, RunReport, Setup, Simulators};

/// One PKI for the test binary (issuing costs time).
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        Pki::create(
            &dir,
            &World::embedded().expect("world"),
            time::OffsetDateTime::now_utc(),
        )
        .expect("PKI")
    })
}

/// The repository's `features/`.
pub fn features() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../features")
}

/// The reference LPS with `defects`, served over HTTP on an ephemeral port.
pub async fn http_lps(defects: &[&str]) -> SharedDriver {
    let lps = segur_reference_lps::Lps::new(
        segur_reference_lps::Defects::parse(defects).expect("defects"),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, segur_reference_lps::serve::app(lps)).await;
    });
    Arc::new(HttpDriver::new(&url).expect("driver"))
}

/// The reference LPS binary behind the stdio driver.
pub fn stdio_lps(defects: &[&str]) -> SharedDriver {
    let mut command = env!("CARGO_BIN_EXE_reference-lps").to_string();
    command.push_str(" stdio");
    for d in defects {
        command.push_str(&format!(" --defect {d}"));
    }
    Arc::new(StdioDriver::spawn(&command).expect("spawn"))
}

/// Runs the scenarios under `paths` (all features when empty) through `driver`.
pub async fn run_suite(driver: SharedDriver, tags: Option<&str>) -> (RunReport, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("run dir");
    let world = World::embedded().expect("world");
    let journal = Journal::open(&dir.path().join("journal"), Clock::new()).expect("journal");
    let template = BenchTemplate::new(world.clone(), pki().clone(), journal)
        .await
        .expect("template");
    let config = RunConfig {
        paths: vec![features()],
        couloir: None,
        tags: tags.map(str::to_string),
        name: None,
        driver,
        simulators: Simulators::PerScenario(Box::new(template)),
        setup: Setup::from_world(&world, "cabinet-lilas", "segur-bench-reference-lps")
            .expect("setup"),
        disabled_rules: Vec::new(),
        world_source: "embedded".into(),
        concurrency: 8,
        run_dir: dir.path().to_path_buf(),
        progress: Box::new(|_| {}),
    };
    let report = run::run(config).await.expect("run");
    (report, dir)
}

/// The failed scenarios' names, each with its reason, for assertion messages.
pub fn failures(report: &RunReport) -> Vec<String> {
    report
        .scenarios
        .iter()
        .filter(|s| s.verdict != run::Verdict::Passed)
        .map(|s| {
            format!(
                "{:?} {} (l.{}): {}",
                s.verdict,
                s.name,
                s.line,
                s.reason.clone().unwrap_or_default()
            )
        })
        .collect()
}
