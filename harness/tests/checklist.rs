//! `segur-bench checklist`: its counts are the REM table's for the couloir, read here
//! independently, and coverage follows the features' tags.

use std::collections::BTreeSet;

mod support;

use support::bench;

/// The lines of `checklist-<couloir>.csv` in `dir`.
fn read_csv(dir: &std::path::Path, couloir: &str) -> Vec<csv::StringRecord> {
    let mut reader =
        csv::Reader::from_path(dir.join(format!("checklist-{couloir}.csv"))).expect("CSV");
    reader.records().map(|r| r.expect("line")).collect()
}

/// The coverage column of requirement `id` ("" when it is not listed).
fn coverage_of(lines: &[csv::StringRecord], id: &str) -> String {
    lines
        .iter()
        .find(|l| &l[0] == id)
        .map(|l| l[6].to_string())
        .unwrap_or_default()
}

/// The distinct in-force requirement ids of `couloir` (and `vague`) in the REM table.
fn expected(couloir: &str, vague: Option<u8>) -> BTreeSet<String> {
    let table = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/rem/requirements-ids.csv"
    );
    let mut reader = csv::Reader::from_path(table).expect("REM table");
    let headers = reader.headers().expect("headers").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (sheet, rem, id, status) = (
        col("source_sheet"),
        col("rem"),
        col("requirement_ref"),
        col("arbitrage"),
    );
    reader
        .records()
        .map(|r| r.expect("row"))
        .filter(|r| r[rem] == *couloir && r[status] != *"Obsolète")
        .filter(|r| vague.is_none_or(|v| (v == 2) == r[sheet].contains("va2")))
        .map(|r| r[id].to_string())
        .collect()
}

#[test]
fn the_checklist_counts_the_couloirs_requirements_and_their_coverage() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (couloir, vague) in [("LGC", Some(2)), ("DPI", None)] {
        let mut command = bench();
        command
            .args(["checklist", "--couloir", couloir, "-o"])
            .arg(tmp.path());
        if let Some(v) = vague {
            command.args(["--vague", &v.to_string()]);
        }
        let output = command.output().expect("segur-bench checklist");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let lines = read_csv(tmp.path(), couloir);
        let ids: BTreeSet<String> = lines.iter().map(|l| l[0].to_string()).collect();
        let want = expected(couloir, vague);
        if vague.is_some() {
            assert_eq!(
                lines.len(),
                want.len(),
                "one line per requirement of {couloir}"
            );
        }
        assert_eq!(ids, want, "{couloir}");
        let coverage = |id: &str| coverage_of(&lines, id);
        if couloir == "LGC" {
            assert_eq!(coverage("MSS/CONF.14"), "exchange");
            assert_eq!(coverage("DMP/UX.50"), "exchange");
            assert_eq!(coverage("APCV.01"), "outside");
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains(&format!("{} exigences applicables", lines.len())),
            "{stdout}"
        );
        let html = std::fs::read_to_string(tmp.path().join(format!("checklist-{couloir}.html")))
            .expect("HTML");
        let mut reader = quick_xml::Reader::from_str(&html);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("checklist HTML not well-formed: {e}"),
            }
        }
    }
    let unknown = bench()
        .args(["checklist", "--couloir", "XYZ", "-o"])
        .arg(tmp.path())
        .output()
        .expect("run");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("known: "));
}

/// The four kinds of coverage follow the scenarios' proof tags, the strongest wins, and
/// the console and the HTML count them per section.
#[test]
fn coverage_kinds_follow_the_proof_tags_and_are_counted_per_section() {
    let tmp = tempfile::tempdir().expect("tmp");
    let features = tmp.path().join("features");
    std::fs::create_dir_all(&features).unwrap();
    std::fs::write(
        features.join("preuves.feature"),
        "# language: fr
Fonctionnalité: Preuves

  @INS/va1.52 @preuve-logiciel
  Scénario: Ce que le logiciel affiche
    Étant donné un monde

  @INS/va1.52 @INS/va1.08
  Scénario: Ce que l'INSi a reçu
    Étant donné un monde

  @INS/va1.15 @preuve-logiciel
  Scénario: Seulement rapporté
    Étant donné un monde

  @INS/va1.20 @preuve-attestée
  Scénario: Vu par l'opérateur
    Étant donné un monde
",
    )
    .unwrap();
    let output = bench()
        .args(["checklist", "--couloir", "LGC", "--features"])
        .arg(&features)
        .arg("-o")
        .arg(tmp.path())
        .output()
        .expect("segur-bench checklist");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    let lines = read_csv(tmp.path(), "LGC");
    let coverage = |id: &str| coverage_of(&lines, id);
    assert_eq!(
        coverage("INS/va1.52"),
        "exchange",
        "the strongest proof wins"
    );
    assert_eq!(coverage("INS/va1.08"), "exchange");
    assert_eq!(coverage("INS/va1.15"), "software");
    assert_eq!(coverage("INS/va1.20"), "attested");
    assert_eq!(
        coverage("MSS/CONF.14"),
        "outside",
        "no scenario in these features"
    );
    let ins = lines.iter().filter(|l| &l[2] == "INS").count();
    let row = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("INS "))
        .unwrap_or_else(|| panic!("an INS row: {stdout}"));
    let numbers: Vec<usize> = row
        .split_whitespace()
        .skip(1)
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(numbers, vec![2, 1, 1, ins - 4], "{row}");
    let html = std::fs::read_to_string(tmp.path().join("checklist-LGC.html")).expect("HTML");
    assert!(html.contains("rapporté par le logiciel") && html.contains("attesté"));
}

/// A scenario proves a requirement for the couloirs it is tagged with, and for another
/// couloir only when both REMs derive that requirement from the same socle requirement:
/// `DMP/CONF.09` of the DPI (no socle: the PFI transmission) is not the LGC's.
#[test]
fn a_scenario_speaks_for_its_couloirs_and_those_sharing_the_socle() {
    let tmp = tempfile::tempdir().expect("tmp");
    let features = tmp.path().join("features");
    std::fs::create_dir_all(&features).unwrap();
    std::fs::write(
        features.join("couloirs.feature"),
        "# language: fr
Fonctionnalité: Couloirs

  @DMP/CONF.09 @DMP/UX.14 @LGC
  Scénario: Écrit pour le LGC
    Étant donné un monde

  @DMP/va1.09 @RIS
  Scénario: Propre au RIS
    Étant donné un monde
",
    )
    .unwrap();
    let coverage = |couloir: &str, id: &str| {
        let out = tmp.path().join(couloir);
        let status = bench()
            .args(["checklist", "--couloir", couloir, "--features"])
            .arg(&features)
            .arg("-o")
            .arg(&out)
            .output()
            .expect("segur-bench checklist");
        assert!(status.status.success());
        coverage_of(&read_csv(&out, couloir), id)
    };
    assert_eq!(coverage("LGC", "DMP/CONF.09"), "exchange");
    assert_eq!(
        coverage("DPI", "DMP/CONF.09"),
        "outside",
        "the DPI's CONF.09 has no socle: the LGC scenario does not prove it"
    );
    assert_eq!(
        coverage("DPI", "DMP/UX.14"),
        "exchange",
        "same socle SC.DMP/UX.14"
    );
    assert_eq!(coverage("RIS", "DMP/va1.09"), "exchange");
}
