//! `segur-bench run`: the features against the software under test, through a driver;
//! one run folder per run; a non-zero exit when a scenario fails.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use segur_core::clock::Clock;
use segur_core::journal::Journal;
use segur_core::pki::Pki;
use segur_scenarios::bench::BenchTemplate;
use segur_scenarios::driver::SharedDriver;
use segur_scenarios::driver::http::HttpDriver;
use segur_scenarios::driver::manual::ManualDriver;
use segur_scenarios::driver::stdio::StdioDriver;
use segur_scenarios::run::{
    self, RunConfig, RunReport, ScenarioOutcome, Setup, Simulators, Verdict,
};

use super::load_world;
use crate::cli::{RunArgs, SelectArgs};

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("features")]
    } else {
        args.paths.clone()
    };
    if args.list {
        return list(&args.select, &paths);
    }
    runtime()?.block_on(async {
        let driver: SharedDriver = if let Some(url) = &args.driver.driver {
            Arc::new(HttpDriver::new(url)?)
        } else if let Some(cmd) = &args.driver.driver_cmd {
            Arc::new(StdioDriver::spawn(cmd)?)
        } else if args.driver.manual {
            Arc::new(ManualDriver::default())
        } else {
            anyhow::bail!(
                "say how to reach the software: --driver URL, --driver-cmd CMD or --manual \
                 (or --list to see what would run)"
            )
        };
        let dir = run_dir(&args.select);
        let report = execute(&args.select, &dir, paths, driver, args.control_url.clone()).await?;
        print_summary(&report);
        Ok(exit_code(&report, args.select.fail_on_skip))
    })
}

/// `run --list`: the scenarios the selection plays, without playing them.
fn list(select: &SelectArgs, paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let canonical = paths
        .iter()
        .map(|p| {
            p.canonicalize()
                .with_context(|| format!("{}: no such feature file or folder", p.display()))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let selection = run::Selection::new(
        canonical,
        select.couloir.clone(),
        select.tags.as_deref(),
        select.name.clone(),
    )?;
    let listed = run::list(&selection)?;
    let here = std::env::current_dir().unwrap_or_default();
    for s in &listed {
        let file = s.file.strip_prefix(&here).unwrap_or(&s.file);
        println!(
            "{}:{}  {}  @{}",
            file.display(),
            s.line,
            s.name,
            s.tags.join(" @")
        );
    }
    println!("{} scénario(s) sélectionné(s)", listed.len());
    Ok(ExitCode::SUCCESS)
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// A new run folder under `runs_dir`: `<UTC time>-<short id>`.
pub fn run_dir(select: &SelectArgs) -> PathBuf {
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]"
        ))
        .unwrap_or_default();
    let id = &uuid::Uuid::new_v4().simple().to_string()[..6];
    select.runs_dir.join(format!("{stamp}-{id}"))
}

/// Runs `paths` through `driver` with simulators started here (one bench per scenario)
/// or shared ones at `control_url`.
pub async fn execute(
    select: &SelectArgs,
    dir: &std::path::Path,
    paths: Vec<PathBuf>,
    driver: SharedDriver,
    control_url: Option<String>,
) -> anyhow::Result<RunReport> {
    for path in &paths {
        if !path.exists() {
            anyhow::bail!("{}: no such feature file or folder", path.display());
        }
    }
    let world = load_world(&select.world)?;
    let setup = Setup::from_world(&world, &select.structure, &select.psc_client)?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    // The run's own journal, synced to disk once the run is over (a shared `serve` syncs
    // its own when it stops).
    let mut own_journal = None;
    let simulators = match control_url {
        Some(_) if !select.disable_rules.is_empty() => {
            anyhow::bail!(
                "--disable-rule needs the run's own simulators: it cannot change a running `serve`"
            )
        }
        Some(url) => Simulators::Shared(url),
        None => {
            let (pki, _) = Pki::ensure_with(
                &select.pki_dir,
                &world,
                time::OffsetDateTime::now_utc(),
                select.pki_keys.into(),
            )
            .context("preparing the test PKI")?;
            let journal = Journal::open(&dir.join("journal"), Clock::new())
                .context("opening the run's journal")?;
            journal.disable_rules(select.disable_rules.iter().cloned());
            own_journal = Some(journal.clone());
            Simulators::PerScenario(Box::new(BenchTemplate::new(world, pki, journal).await?))
        }
    };
    eprintln!("segur-bench: {} → {}", driver.describe(), dir.display());
    let progress = progress();
    let config = RunConfig {
        paths,
        couloir: select.couloir.clone(),
        tags: select.tags.clone(),
        name: select.name.clone(),
        driver,
        simulators,
        setup,
        disabled_rules: select.disable_rules.clone(),
        world_source: select
            .world
            .world
            .as_ref()
            .map_or_else(|| "embedded".to_string(), |p| p.display().to_string()),
        concurrency: select.parallel,
        run_dir: dir.to_path_buf(),
        progress,
    };
    let report = run::run(config).await?;
    if let Some(journal) = own_journal {
        journal
            .sync()
            .context("syncing the run's journal to disk")?;
    }
    Ok(report)
}

/// A spinner with the count on a terminal; one line per scenario otherwise.
fn progress() -> Box<dyn Fn(&ScenarioOutcome) + Send + Sync> {
    let mark = |o: &ScenarioOutcome| match o.verdict {
        Verdict::Passed => "✔",
        Verdict::Failed => "✘",
        Verdict::Skipped => "–",
    };
    if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Box::new(move |o| {
            bar.inc(1);
            if o.verdict != Verdict::Passed {
                bar.println(format!(
                    "{} {} [{}]",
                    mark(o),
                    o.name,
                    o.requirements.join(" ")
                ));
            }
            bar.set_message(format!("{} {}", mark(o), o.name));
        })
    } else {
        Box::new(move |o| {
            eprintln!(
                "{} {} [{}] {:.2} s",
                mark(o),
                o.name,
                o.requirements.join(" "),
                o.seconds
            );
        })
    }
}

/// The failures with their reasons, the requirements' verdicts, the totals.
pub fn print_summary(report: &RunReport) {
    let summary = run::report::summary(report);
    println!();
    for s in report
        .scenarios
        .iter()
        .filter(|s| s.verdict != Verdict::Passed)
    {
        let label = if s.verdict == Verdict::Failed {
            "ÉCHEC"
        } else {
            "NON JOUÉ"
        };
        println!(
            "{label}  {} ({}:{})",
            s.name,
            s.file
                .as_ref()
                .map(|f| f.display().to_string())
                .unwrap_or_default(),
            s.line
        );
        for line in s.reason.as_deref().unwrap_or("").lines().take(8) {
            println!("        {line}");
        }
    }
    println!("\n{:<14} verdict", "exigence");
    if let Some(requirements) = summary["requirements"].as_object() {
        for (id, r) in requirements {
            println!("{id:<14} {}", r["verdict"].as_str().unwrap_or("?"));
        }
    }
    println!(
        "\n{} scénarios : {} réussis, {} en échec, {} non joués — {:.1} s — {}",
        report.scenarios.len(),
        report.count(Verdict::Passed),
        report.count(Verdict::Failed),
        report.count(Verdict::Skipped),
        report.seconds,
        report.run_dir.display()
    );
}

/// Non-zero when a scenario failed, or when nothing ran (or, with `fail_on_skip`, when a
/// scenario was skipped).
pub fn exit_code(report: &RunReport, fail_on_skip: bool) -> ExitCode {
    if report.count(Verdict::Failed) > 0
        || report.scenarios.is_empty()
        || (fail_on_skip && report.count(Verdict::Skipped) > 0)
    {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
