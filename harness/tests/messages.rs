//! The run's Cucumber Messages (`messages.ndjson`): one envelope per line, every
//! reference between them resolved, a pickle and a test case per scenario, each step's
//! result, and the scenario's raw exchanges attached.

use std::collections::{BTreeMap, BTreeSet};

mod support;

use serde_json::Value;

#[test]
fn the_run_is_written_as_consistent_cucumber_messages_with_its_exchanges() {
    let tmp = tempfile::tempdir().expect("tmp");
    let run = support::demo(
        tmp.path(),
        "runs",
        &["--tags", "@MSS/va1.01 or @INS/va1.52 or @PSC.08"],
    );
    let text = std::fs::read_to_string(run.join("messages.ndjson")).expect("messages.ndjson");
    let mut by_kind: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let envelope: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", n + 1));
        let object = envelope.as_object().expect("an envelope is an object");
        assert_eq!(object.len(), 1, "line {}: one message per envelope", n + 1);
        let (kind, message) = object.iter().next().expect("one");
        by_kind
            .entry(kind.clone())
            .or_default()
            .push(message.clone());
    }
    let all = |kind: &str| by_kind.get(kind).cloned().unwrap_or_default();
    for kind in [
        "meta",
        "source",
        "gherkinDocument",
        "pickle",
        "testRunStarted",
        "testCase",
        "testCaseStarted",
        "testStepFinished",
        "attachment",
        "testCaseFinished",
        "testRunFinished",
    ] {
        assert!(!all(kind).is_empty(), "no {kind} message");
    }
    // URIs are relative (here, to the run folder the demo ran its features from).
    for source in all("source") {
        let uri = source["uri"].as_str().expect("uri");
        assert!(uri.starts_with("features/"), "{uri}");
        assert!(run.join(uri).is_file(), "{uri}");
    }
    let summary: Value =
        serde_json::from_slice(&std::fs::read(run.join("summary.json")).expect("summary"))
            .expect("JSON");
    // Each scenario's own start time (they run side by side): test cases start there.
    for scenario in summary["runs"].as_array().expect("runs") {
        assert!(
            time::OffsetDateTime::parse(
                scenario["started_at"].as_str().expect("started_at"),
                &time::format_description::well_known::Rfc3339
            )
            .is_ok(),
            "{scenario}"
        );
    }
    assert_eq!(
        all("pickle").len() as u64,
        summary["scenarios"]["total"].as_u64().expect("total")
    );

    // Every id one message names is defined by another.
    let mut ast = BTreeSet::new();
    for doc in all("gherkinDocument") {
        for child in doc["feature"]["children"].as_array().expect("children") {
            for node in [&child["scenario"], &child["background"]] {
                if let Some(id) = node["id"].as_str() {
                    ast.insert(id.to_string());
                }
                for step in node["steps"].as_array().into_iter().flatten() {
                    ast.insert(step["id"].as_str().expect("step id").to_string());
                }
            }
        }
    }
    let mut pickle_steps = BTreeSet::new();
    let pickles: BTreeSet<String> = all("pickle")
        .iter()
        .map(|p| {
            for id in p["astNodeIds"].as_array().expect("ids") {
                assert!(
                    ast.contains(id.as_str().expect("id")),
                    "pickle names unknown node {id}"
                );
            }
            for s in p["steps"].as_array().expect("steps") {
                pickle_steps.insert(s["id"].as_str().expect("id").to_string());
                for id in s["astNodeIds"].as_array().expect("ids") {
                    assert!(
                        ast.contains(id.as_str().expect("id")),
                        "pickle step names unknown node {id}"
                    );
                }
            }
            p["id"].as_str().expect("id").to_string()
        })
        .collect();
    let mut test_steps = BTreeSet::new();
    let cases: BTreeSet<String> = all("testCase")
        .iter()
        .map(|c| {
            assert!(pickles.contains(c["pickleId"].as_str().expect("pickleId")));
            for s in c["testSteps"].as_array().expect("steps") {
                assert!(pickle_steps.contains(s["pickleStepId"].as_str().expect("pickleStepId")));
                test_steps.insert(s["id"].as_str().expect("id").to_string());
            }
            c["id"].as_str().expect("id").to_string()
        })
        .collect();
    let started: BTreeSet<String> = all("testCaseStarted")
        .iter()
        .map(|s| {
            assert!(cases.contains(s["testCaseId"].as_str().expect("testCaseId")));
            s["id"].as_str().expect("id").to_string()
        })
        .collect();
    for f in all("testStepFinished") {
        assert!(started.contains(f["testCaseStartedId"].as_str().expect("started")));
        assert!(test_steps.contains(f["testStepId"].as_str().expect("step")));
        assert_eq!(f["testStepResult"]["status"], "PASSED");
    }
    let attachments = all("attachment");
    for a in &attachments {
        assert!(started.contains(a["testCaseStartedId"].as_str().expect("started")));
    }
    let media: BTreeSet<&str> = attachments
        .iter()
        .filter_map(|a| a["mediaType"].as_str())
        .collect();
    assert!(
        media.iter().any(|m| m.contains("xml")),
        "no SOAP exchange attached: {media:?}"
    );
    assert!(
        media.contains("message/rfc822"),
        "no mail attached: {media:?}"
    );
    assert_eq!(all("testRunFinished")[0]["success"], true);
}
