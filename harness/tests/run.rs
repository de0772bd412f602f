//! `segur-bench demo` and `segur-bench run` as a user runs them: the binary, its exit
//! code, and the run folder's reports read back with independent parsers.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn bench() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_segur-bench"));
    command.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    command
}

/// The only run folder under `runs`.
fn only_run(runs: &Path) -> PathBuf {
    let dirs: Vec<PathBuf> = std::fs::read_dir(runs)
        .expect("runs dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs.into_iter().next().expect("one run")
}

#[test]
fn demo_passes_and_its_reports_count_the_scenarios_that_ran() {
    let tmp = tempfile::tempdir().expect("tmp");
    let runs = tmp.path().join("runs");
    let output = bench()
        .args(["demo", "--runs-dir"])
        .arg(&runs)
        .arg("--pki-dir")
        .arg(tmp.path().join("pki"))
        .output()
        .expect("segur-bench demo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let run = only_run(&runs);

    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("summary.json")).expect("summary"))
            .expect("summary JSON");
    let total = summary["scenarios"]["total"].as_u64().expect("total") as usize;
    assert!(total >= 25, "{total}");
    assert_eq!(summary["scenarios"]["passed"], total);
    assert_eq!(summary["requirements"]["INS/va1.52"]["verdict"], "passed");
    assert!(
        summary["requirements"]["PSC.01"]["scenarios"][0]["exchanges"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
        "the exchanges behind a verdict are listed"
    );

    // junit.xml: well-formed, one <testcase> per scenario.
    let junit = std::fs::read_to_string(run.join("junit.xml")).expect("junit");
    let mut reader = quick_xml::Reader::from_str(&junit);
    let mut cases = 0;
    loop {
        match reader.read_event().expect("well-formed junit.xml") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.name().as_ref() == "testcase" =>
            {
                cases += 1
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(cases, total);

    // cucumber.json: one element of type "scenario" per scenario, every step passed.
    let cucumber: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("cucumber.json")).expect("cucumber.json"))
            .expect("JSON");
    let scenarios: Vec<&serde_json::Value> = cucumber
        .as_array()
        .expect("features")
        .iter()
        .flat_map(|f| f["elements"].as_array().into_iter().flatten())
        .filter(|e| e["type"] == "scenario")
        .collect();
    assert_eq!(scenarios.len(), total);
    assert!(scenarios.iter().all(|s| {
        s["steps"]
            .as_array()
            .is_some_and(|steps| steps.iter().all(|st| st["result"]["status"] == "passed"))
    }));
    assert!(run.join("journal/journal.jsonl").is_file());
    assert!(run.join("features/ins/statuts.feature").is_file());
    assert!(stdout.contains("réussis"), "{stdout}");
}

#[test]
fn demo_with_a_defect_fails_and_names_the_scenario() {
    let tmp = tempfile::tempdir().expect("tmp");
    let output = bench()
        .args(["demo", "--defect", "accept-00-date", "--runs-dir"])
        .arg(tmp.path().join("runs"))
        .arg("--pki-dir")
        .arg(tmp.path().join("pki"))
        .output()
        .expect("segur-bench demo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stdout.contains("ÉCHEC  Refus d'une date de naissance en 00"),
        "{stdout}"
    );
    assert!(stdout.contains("INS/va1.28     failed"), "{stdout}");
}

#[test]
fn the_manual_driver_records_attestations_but_the_operators_word_alone_passes_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let runs = tmp.path().join("runs");
    let screenshot = tmp.path().join("ecran.png");
    std::fs::write(&screenshot, b"\x89PNG not really").expect("screenshot");
    let mut child = bench()
        .args([
            "run",
            "--manual",
            "features/ins",
            "--name",
            "Pièce d'identité sans INSi",
            "--runs-dir",
        ])
        .arg(&runs)
        .arg("--pki-dir")
        .arg(tmp.path().join("pki"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("segur-bench run --manual");
    // configure (name, version, evidence), create (id, status, evidence), the document
    // (status, evidence), show (status, INS, attributes, evidence: the screenshot); then
    // the INSi search (outcome, code, evidence), its validation (status, evidence) and
    // show again: the operator claims an INS that no software fetched from INSi.
    let answers = format!(
        "Logiciel de test\n2.1\n\nP1\nprovisoire\n\nvalidee\n\nvalidee\n\n\n{}\n\
         found\n00\n\nqualifiee\n\nqualifiee\n2751263220101\n\n\n",
        screenshot.display()
    );
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(answers.as_bytes())
        .expect("answers");
    let output = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("▶ Créez une identité : nom de naissance ADRUN"),
        "{stdout}"
    );
    assert!(stdout.contains("1 scénarios : 0 réussis"), "{stdout}");
    assert!(
        stdout.contains("qu'aucune réponse INSi du scénario n'a donné"),
        "{stdout}"
    );

    let run = only_run(&runs);
    let journal = std::fs::read_to_string(run.join("journal/journal.jsonl")).expect("journal");
    let attestations: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("record"))
        .filter(|r| r["service"] == "operator" && r["operation"] == "attestation")
        .collect();
    assert_eq!(attestations.len(), 7, "{journal}");
    assert!(
        attestations
            .iter()
            .all(|a| a["time"].is_string() && a["scenario"].is_string())
    );
    let with_evidence = attestations
        .iter()
        .find(|a| !a["request"]["summary"]["evidence"].is_null())
        .expect("the screenshot is attested");
    assert_eq!(
        with_evidence["request"]["summary"]["evidence"]["size"],
        b"\x89PNG not really".len()
    );

    // The dossier carries the attested screenshot itself, under the requirement.
    let zip = tmp.path().join("dossier.zip");
    let dossier = |out: &Path| {
        bench()
            .arg("dossier")
            .arg(&run)
            .arg("-o")
            .arg(out)
            .arg("--pki-dir")
            .arg(tmp.path().join("pki"))
            .output()
            .expect("segur-bench dossier")
    };
    assert!(dossier(&zip).status.success());
    let names = zip_names(&zip);
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("evidence/INS/") && n.ends_with("-ecran.png")),
        "{names:?}"
    );
    // Gone since: a note says so instead.
    std::fs::remove_file(&screenshot).expect("remove");
    let later = tmp.path().join("later.zip");
    assert!(dossier(&later).status.success());
    assert!(
        zip_names(&later).iter().any(|n| n.ends_with("-media.txt"))
            && !zip_names(&later).iter().any(|n| n.ends_with("-ecran.png"))
    );
}

fn zip_names(zip: &Path) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::fs::File::open(zip).expect("zip")).expect("zip");
    archive
        .file_names()
        .map(|n| n.expect("entry name").into_owned())
        .collect()
}

#[test]
fn run_list_names_each_example_of_an_outline_and_needs_no_driver() {
    let output = bench()
        .args(["run", "--list", "features/ins", "--tags", "@INS/va1.20"])
        .output()
        .expect("segur-bench run --list");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("Pas d'appel INSi pour une identité douteuse")
            && stdout.contains("Pas d'appel INSi pour une identité fictive"),
        "{stdout}"
    );
    assert!(stdout.contains("2 scénario(s) sélectionné(s)"), "{stdout}");
    assert!(stdout.contains("features/ins/statuts.feature:"), "{stdout}");

    let output = bench().arg("run").output().expect("segur-bench run");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("--driver URL, --driver-cmd CMD or --manual")
    );
}

#[test]
fn a_skipped_scenario_fails_the_run_only_with_fail_on_skip() {
    let tmp = tempfile::tempdir().expect("tmp");
    // A software that has none of the functions: every scenario is skipped.
    let driver =
        r#"while read line; do echo '{"status":"unsupported","message":"pas encore"}'; done"#;
    let run = |extra: &[&str]| {
        bench()
            .args(["run", "features/ins", "--name", "une identité trouvée (00)"])
            .args(["--driver-cmd", driver])
            .args(extra)
            .arg("--runs-dir")
            .arg(tmp.path().join("runs"))
            .arg("--pki-dir")
            .arg(tmp.path().join("pki"))
            .output()
            .expect("segur-bench run")
    };
    let lenient = run(&[]);
    let stdout = String::from_utf8_lossy(&lenient.stdout);
    assert!(lenient.status.success(), "{stdout}");
    assert!(stdout.contains("1 non joués"), "{stdout}");
    let strict = run(&["--fail-on-skip"]);
    assert!(
        !strict.status.success(),
        "{}",
        String::from_utf8_lossy(&strict.stdout)
    );
}
