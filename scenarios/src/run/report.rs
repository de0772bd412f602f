//! The run folder's reports: `summary.json` (a verdict per REM requirement id with the
//! scenarios and exchanges behind it), `junit.xml` (one test case per scenario, skipped
//! ones marked so), and `cucumber.json` corrected so that a scenario the software could
//! not play reads as skipped, never failed nor passed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{RunReport, Verdict};

/// A requirement's verdict: failed if any of its scenarios failed, passed if all that
/// ran passed, not evaluated if none ran.
fn requirement_verdict(verdicts: &[Verdict]) -> &'static str {
    if verdicts.contains(&Verdict::Failed) {
        "failed"
    } else if verdicts.contains(&Verdict::Passed) && !verdicts.contains(&Verdict::Skipped) {
        "passed"
    } else if verdicts.contains(&Verdict::Passed) {
        "partial"
    } else {
        "not_evaluated"
    }
}

/// The `summary.json` document.
pub fn summary(report: &RunReport) -> Value {
    let mut by_requirement: BTreeMap<&str, Vec<&super::ScenarioOutcome>> = BTreeMap::new();
    for s in &report.scenarios {
        for r in &s.requirements {
            by_requirement.entry(r).or_default().push(s);
        }
    }
    let requirements: BTreeMap<&str, Value> = by_requirement
        .into_iter()
        .map(|(id, scenarios)| {
            let verdicts: Vec<Verdict> = scenarios.iter().map(|s| s.verdict).collect();
            (
                id,
                json!({
                    "verdict": requirement_verdict(&verdicts),
                    "scenarios": scenarios.iter().map(|s| json!({
                        "name": s.name,
                        "verdict": s.verdict,
                        "reason": s.reason,
                        "exchanges": s.exchanges,
                    })).collect::<Vec<_>>(),
                }),
            )
        })
        .collect();
    json!({
        "software": report.software,
        "provenance": report.provenance,
        "seconds": report.seconds,
        "scenarios": {
            "total": report.scenarios.len(),
            "passed": report.count(Verdict::Passed),
            "failed": report.count(Verdict::Failed),
            "skipped": report.count(Verdict::Skipped),
        },
        "requirements": requirements,
        "runs": report.scenarios,
    })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The `junit.xml` document: one suite per feature, one case per scenario.
pub fn junit(report: &RunReport) -> String {
    let mut features: BTreeMap<&str, Vec<&super::ScenarioOutcome>> = BTreeMap::new();
    for s in &report.scenarios {
        features.entry(&s.feature).or_default().push(s);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"segur-bench\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        report.scenarios.len(),
        report.count(Verdict::Failed),
        report.count(Verdict::Skipped),
        report.seconds
    );
    for (feature, scenarios) in features {
        let failed = scenarios
            .iter()
            .filter(|s| s.verdict == Verdict::Failed)
            .count();
        let skipped = scenarios
            .iter()
            .filter(|s| s.verdict == Verdict::Skipped)
            .count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" skipped=\"{skipped}\">",
            escape(feature),
            scenarios.len()
        );
        for s in scenarios {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\">",
                escape(feature),
                escape(&format!("{} [{}]", s.name, s.requirements.join(" "))),
                s.seconds
            );
            let reason = escape(s.reason.as_deref().unwrap_or(""));
            match s.verdict {
                Verdict::Passed => {}
                Verdict::Failed => {
                    let _ = write!(
                        out,
                        "<failure message=\"{}\">{reason}</failure>",
                        escape(reason.lines().next().unwrap_or(""))
                    );
                }
                Verdict::Skipped => {
                    let _ = write!(out, "<skipped message=\"{reason}\"/>");
                }
            }
            out.push_str("</testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Brings Cucumber JSON in line with the run's verdicts: the failed step of each skipped
/// scenario reads `skipped`; the last step of a scenario whose steps all passed without
/// judging an exchange ([`super::UNEARNED`]) reads `failed` with that reason, since the
/// verdict is decided when it ends.
pub fn correct_cucumber_json(doc: &mut Value, report: &RunReport) {
    let verdict = |name: &str, line: usize| {
        report
            .scenarios
            .iter()
            .find(|s| s.name == name && s.line == line)
            .map(|s| {
                (
                    s.verdict,
                    s.reason
                        .as_deref()
                        .is_some_and(|r| r.starts_with(super::UNEARNED)),
                )
            })
    };
    let Some(features) = doc.as_array_mut() else {
        return;
    };
    for feature in features {
        let Some(elements) = feature["elements"].as_array_mut() else {
            continue;
        };
        for element in elements {
            let name = element["name"].as_str().unwrap_or_default().to_string();
            let line = element["line"].as_u64().unwrap_or(0) as usize;
            let Some(steps) = element["steps"].as_array_mut() else {
                continue;
            };
            match verdict(&name, line) {
                Some((Verdict::Skipped, _)) => {
                    for step in steps {
                        if step["result"]["status"] == "failed" {
                            step["result"]["status"] = json!("skipped");
                        }
                    }
                }
                Some((Verdict::Failed, true)) => {
                    if let Some(step) = steps.last_mut() {
                        step["result"]["status"] = json!("failed");
                        step["result"]["error_message"] = json!(super::UNEARNED);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Writes `summary.json`, `junit.xml` and corrects `cucumber.json`.
pub fn write(report: &RunReport) -> std::io::Result<()> {
    let dir = &report.run_dir;
    std::fs::write(
        dir.join("summary.json"),
        serde_json::to_vec_pretty(&summary(report))?,
    )?;
    std::fs::write(dir.join("junit.xml"), junit(report))?;
    let path = dir.join("cucumber.json");
    if let Ok(bytes) = std::fs::read(&path)
        && let Ok(mut doc) = serde_json::from_slice::<Value>(&bytes)
    {
        correct_cucumber_json(&mut doc, report);
        std::fs::write(&path, serde_json::to_vec_pretty(&doc)?)?;
    }
    Ok(())
}
