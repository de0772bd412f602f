//! `segur-bench recheck`: a run recheck with today's rules reports nothing when nothing
//! changed, and names the findings and verdicts a rule disabled at recording time changes,
//! from the run folder and from its dossier.

mod support;

use support::{bench, demo, text};

#[test]
fn an_unchanged_run_has_no_difference_and_a_disabled_rule_shows() {
    let tmp = tempfile::tempdir().expect("tmp");
    let recheck = |input: &std::path::Path| {
        bench()
            .arg("recheck")
            .arg(input)
            .arg("--pki-dir")
            .arg(tmp.path().join("pki"))
            .output()
            .expect("recheck")
    };
    let plain = demo(
        tmp.path(),
        "plain",
        &["--tags", "@MSS/va1.01 or @MSS/CONF.21 or @DMP/AIRS.06"],
    );
    let out = recheck(&plain);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("aucune différence"), "{}", text(&out));

    // Lower-case XDM names, recorded by a bench without the three XDM rules they break:
    // the scenario passed then; today's rules fail it.
    let blind = demo(
        tmp.path(),
        "blind",
        &[
            "--name",
            "invisible au patient ne part",
            "--defect",
            "xdm-lowercase-names",
            "--disable-rule",
            "XDM-TREE",
            "--disable-rule",
            "XDM-NAMES-8.3",
            "--disable-rule",
            "XDM-METADATA",
        ],
    );
    // Both runs played the same scenarios and world, wherever their folders are.
    let provenance = |run: &std::path::Path| -> serde_json::Value {
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(run.join("summary.json")).expect("summary"))
                .expect("JSON");
        summary["provenance"].clone()
    };
    let (a, b) = (provenance(&plain), provenance(&blind));
    assert_eq!(a["features_sha256"], b["features_sha256"]);
    assert_eq!(a["world_sha256"], b["world_sha256"]);
    assert_eq!(
        b["disabled_rules"],
        serde_json::json!(["XDM-TREE", "XDM-NAMES-8.3", "XDM-METADATA"])
    );
    let zip = tmp.path().join("blind.zip");
    let built = bench()
        .arg("dossier")
        .arg(&blind)
        .arg("-o")
        .arg(&zip)
        .arg("--pki-dir")
        .arg(tmp.path().join("pki"))
        .output()
        .expect("dossier");
    assert!(built.status.success(), "{}", text(&built));
    // The disabled rules are stated where a reader looks: the run's journal (before any
    // scenario), the manifest, the report and verify's output.
    let journal = std::fs::read_to_string(blind.join("journal/journal.jsonl")).unwrap();
    let first = journal.lines().next().unwrap_or_default();
    assert!(
        first.contains("run-start") && first.contains("XDM-TREE"),
        "the run's first record states its conditions: {first}"
    );
    let verified = bench()
        .arg("verify")
        .arg(&zip)
        .arg("--pki-dir")
        .arg(tmp.path().join("pki"))
        .output()
        .expect("verify");
    let said = text(&verified);
    assert!(verified.status.success(), "{said}");
    assert!(
        said.contains("règles désactivées : XDM-TREE, XDM-NAMES-8.3, XDM-METADATA"),
        "{said}"
    );
    let archive = std::fs::File::open(&zip).unwrap();
    let mut archive = zip::ZipArchive::new(archive).unwrap();
    let mut manifest = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("manifest.json").unwrap(),
        &mut manifest,
    )
    .unwrap();
    assert!(manifest.contains("\"disabled_rules\""), "{manifest}");
    let mut report = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("report.html").unwrap(), &mut report)
        .unwrap();
    assert!(report.contains("Règles désactivées"), "the report says so");
    for input in [blind.as_path(), zip.as_path()] {
        let out = recheck(input);
        let said = text(&out);
        assert!(!out.status.success(), "{said}");
        assert!(said.contains("+ XDM-NAMES-8.3"), "{said}");
        assert!(
            said.contains("exigence MSS/va1.01 : passed → failed"),
            "{said}"
        );
        assert!(said.contains("XDM-TREE"), "{said}");
    }

    // A generic NameID in the VIHF, recorded without the rule that names it: today's VIHF
    // checks, with the run's PKI and at the record's time, find it.
    let (generic, _) = support::demo_any(
        tmp.path(),
        "generic",
        &[
            "--name",
            "identifiant national de l'utilisateur",
            "--defect",
            "vihf-generic-user",
            "--disable-rule",
            "DMP-VIHF-NAMEID",
        ],
    );
    let out = recheck(&generic);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("+ DMP-VIHF-NAMEID"), "{}", text(&out));
}
