//! `segur-bench recheck`: a run recheck with today's rules reports nothing when nothing
//! changed, and names the findings and verdicts a rule disabled at recording time changes,
//! from the run folder and from its dossier.

mod support;

use support::{bench, demo, text};

#[test]
fn an_unchanged_run_has_no_difference_and_a_disabled_rule_shows() {
    let tmp = tempfile::tempdir().expect("tmp");
    let plain = demo(
        tmp.path(),
        "plain",
        &["--tags", "@MSS/va1.01 or @MSS/CONF.21"],
    );
    let out = bench()
        .arg("recheck")
        .arg(&plain)
        .output()
        .expect("recheck");
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
    for input in [blind.as_path(), zip.as_path()] {
        let out = bench().arg("recheck").arg(input).output().expect("recheck");
        let said = text(&out);
        assert!(!out.status.success(), "{said}");
        assert!(said.contains("+ XDM-NAMES-8.3"), "{said}");
        assert!(
            said.contains("exigence MSS/va1.01 : passed → failed"),
            "{said}"
        );
        assert!(said.contains("XDM-TREE"), "{said}");
    }
}
