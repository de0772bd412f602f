//! `messages.ndjson`: the run as Cucumber Messages (one JSON envelope per line), so the
//! standard Cucumber HTML formatter and other tools read it — the sources, their Gherkin
//! documents, a pickle and a test case per scenario, each step's result, and the raw
//! exchanges of each scenario as attachments.
//!
//! Built after the run from `cucumber.json` (steps, lines, results, durations), the feature
//! files it names, `summary.json`'s scenarios (their exchanges) and the run's journal.
//! Step times are the run's start plus the durations, in order: the run records durations,
//! not each step's clock time.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use segur_core::journal::{BodyRef, Record, verify};
use serde_json::{Value, json};

use super::RunReport;

/// The file name in the run folder.
pub const FILE: &str = "messages.ndjson";
/// The most bytes of one exchange body attached (the journal keeps them all).
const MAX_ATTACHMENT: usize = 256 * 1024;

/// Cucumber Messages' timestamp and duration.
fn time(nanos: i128) -> Value {
    json!({ "seconds": (nanos.div_euclid(1_000_000_000)) as i64, "nanos": nanos.rem_euclid(1_000_000_000) as i64 })
}

fn duration(nanos: u64) -> Value {
    json!({ "seconds": nanos / 1_000_000_000, "nanos": nanos % 1_000_000_000 })
}

/// The run's journal records and a reader of their bodies, when the journal is local.
struct Exchanges {
    records: HashMap<String, Record>,
    blobs: PathBuf,
}

impl Exchanges {
    fn load(run_dir: &Path) -> Option<Self> {
        let journal = std::fs::File::open(run_dir.join("journal").join("journal.jsonl")).ok()?;
        let mut records = HashMap::new();
        verify::walk(std::io::BufReader::new(journal), |r| {
            records.insert(r.id.clone(), r);
        })
        .ok()?;
        Some(Self {
            records,
            blobs: run_dir.join("journal").join("blobs"),
        })
    }

    fn body(&self, body: &BodyRef) -> Option<Vec<u8>> {
        segur_core::journal::blobs::read_blob(&self.blobs, body, MAX_ATTACHMENT as u64).ok()
    }
}

fn attachment(bytes: &[u8], body: &BodyRef, file_name: String, started: &str, step: &str) -> Value {
    let media_type = body
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    let (body, encoding) = match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), "IDENTITY"),
        Err(_) => (
            base64::engine::general_purpose::STANDARD.encode(bytes),
            "BASE64",
        ),
    };
    json!({ "attachment": {
        "body": body,
        "contentEncoding": encoding,
        "mediaType": media_type,
        "fileName": file_name,
        "testCaseStartedId": started,
        "testStepId": step,
    }})
}

/// Writes `messages.ndjson` for `report`.
pub fn write(report: &RunReport) -> std::io::Result<()> {
    let dir = &report.run_dir;
    let Ok(bytes) = std::fs::read(dir.join("cucumber.json")) else {
        return Ok(());
    };
    let Ok(features) = serde_json::from_slice::<Vec<Value>>(&bytes) else {
        return Ok(());
    };
    let exchanges = Exchanges::load(dir);
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join(FILE))?);
    let mut line = |v: Value| -> std::io::Result<()> {
        serde_json::to_writer(&mut out, &v)?;
        out.write_all(b"\n")
    };
    line(json!({ "meta": {
        "protocolVersion": "27.0.0",
        "implementation": { "name": "segur-bench", "version": report.provenance.bench_version },
        "runtime": { "name": "rust" },
        "os": { "name": std::env::consts::OS },
        "cpu": { "name": std::env::consts::ARCH },
    }}))?;
    let start = time::OffsetDateTime::parse(
        &report.provenance.started_at,
        &time::format_description::well_known::Rfc3339,
    )
    .map(|t| t.unix_timestamp_nanos())
    .unwrap_or(0);
    let mut clock = start;
    let mut test_cases = Vec::new();
    for (f, feature) in features.iter().enumerate() {
        // cucumber.json writes an absolute path without its leading slash.
        let written = feature["uri"].as_str().unwrap_or_default();
        let file = [PathBuf::from(written), Path::new("/").join(written)]
            .into_iter()
            .find(|p| p.is_file())
            .unwrap_or_else(|| PathBuf::from(written));
        // Relative, as Cucumber tools write it: from the working folder, else from the run
        // folder (the demo's features live there), else as written.
        let here = std::env::current_dir().unwrap_or_default();
        let uri = [here.as_path(), dir.as_path()]
            .iter()
            .find_map(|base| file.strip_prefix(base).ok())
            .unwrap_or(&file)
            .to_string_lossy()
            .into_owned();
        let uri = uri.as_str();
        if let Ok(source) = std::fs::read_to_string(&file) {
            line(
                json!({ "source": { "uri": uri, "data": source, "mediaType": "text/x.cucumber.gherkin+plain" }}),
            )?;
        }
        let path = std::fs::canonicalize(&file).unwrap_or(file);
        // Its scenarios (each with the background's steps first); background elements of
        // their own repeat those steps.
        let elements: Vec<Value> = feature["elements"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["type"] == "scenario")
            .cloned()
            .collect();
        let tag_list = |tags: &Value, node: &str| -> Vec<Value> {
            tags.as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| {
                    Some((
                        t["name"].as_str().or(t.as_str())?,
                        t["line"].as_u64().unwrap_or(1),
                    ))
                })
                .map(|(t, l)| {
                    json!({
                        "name": format!("@{}", t.trim_start_matches('@')),
                        "location": { "line": l },
                        "id": format!("{node}-tag-{t}"),
                    })
                })
                .collect()
        };
        let mut children = Vec::new();
        let mut background_done = false;
        for e in &elements {
            let scenario_line = e["line"].as_u64().unwrap_or(0);
            let steps = e["steps"].as_array().cloned().unwrap_or_default();
            let (before, own): (Vec<&Value>, Vec<&Value>) = steps
                .iter()
                .partition(|s| s["line"].as_u64().unwrap_or(0) < scenario_line);
            let step_node = |s: &Value| {
                let l = s["line"].as_u64().unwrap_or(0);
                json!({ "id": format!("{f}-step-{l}"), "location": { "line": l }, "keyword": s["keyword"], "text": s["name"] })
            };
            if !background_done && !before.is_empty() {
                background_done = true;
                let first = before[0]["line"].as_u64().unwrap_or(1).saturating_sub(1);
                children.push(json!({ "background": {
                    "id": format!("{f}-background"), "location": { "line": first }, "keyword": "Contexte",
                    "name": "", "description": "", "steps": before.iter().map(|s| step_node(s)).collect::<Vec<_>>(),
                }}));
            }
            let node = format!("{f}-scenario-{scenario_line}");
            children.push(json!({ "scenario": {
                "id": node, "location": { "line": scenario_line }, "tags": tag_list(&e["tags"], &node),
                "keyword": e["keyword"], "name": e["name"], "description": "", "examples": [],
                "steps": own.iter().map(|s| step_node(s)).collect::<Vec<_>>(),
            }}));
        }
        line(
            json!({ "gherkinDocument": { "uri": uri, "comments": [], "feature": {
                "location": { "line": 1 }, "tags": tag_list(&feature["tags"], &format!("{f}-feature")), "language": "fr",
                "keyword": feature["keyword"], "name": feature["name"], "description": "", "children": children,
            }}}),
        )?;
        for e in &elements {
            let scenario_line = e["line"].as_u64().unwrap_or(0);
            let node = format!("{f}-scenario-{scenario_line}");
            let pickle = format!("pickle-{f}-{scenario_line}");
            let steps = e["steps"].as_array().cloned().unwrap_or_default();
            let tags: Vec<Value> = feature["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(e["tags"].as_array().into_iter().flatten())
                .filter_map(|t| t["name"].as_str().or(t.as_str()))
                .map(|t| json!({ "name": format!("@{}", t.trim_start_matches('@')), "astNodeId": node }))
                .collect();
            line(json!({ "pickle": {
                "id": pickle, "uri": uri, "name": e["name"], "language": "fr", "astNodeIds": [node], "tags": tags,
                "steps": steps.iter().map(|s| {
                    let l = s["line"].as_u64().unwrap_or(0);
                    json!({ "id": format!("{pickle}-{l}"), "text": s["name"], "astNodeIds": [format!("{f}-step-{l}")] })
                }).collect::<Vec<_>>(),
            }}))?;
            let outcome = report.scenarios.iter().find(|s| {
                s.line as u64 == scenario_line
                    && s.file.as_ref().is_some_and(|p| {
                        std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()) == path
                    })
            });
            test_cases.push((pickle, steps, outcome));
        }
    }
    line(json!({ "testRunStarted": { "timestamp": time(start) }}))?;
    let mut success = true;
    for (pickle, steps, outcome) in &test_cases {
        // Each test case starts when its scenario did (scenarios run side by side).
        if let Some(at) = outcome.and_then(|o| {
            time::OffsetDateTime::parse(
                &o.started_at,
                &time::format_description::well_known::Rfc3339,
            )
            .ok()
        }) {
            clock = at.unix_timestamp_nanos();
        }
        let case = format!("tc-{pickle}");
        let started = format!("tcs-{pickle}");
        line(
            json!({ "testCase": { "id": case, "pickleId": pickle, "testSteps": steps.iter().map(|s| {
            let l = s["line"].as_u64().unwrap_or(0);
            json!({ "id": format!("{case}-{l}"), "pickleStepId": format!("{pickle}-{l}") })
        }).collect::<Vec<_>>() }}),
        )?;
        line(
            json!({ "testCaseStarted": { "id": started, "testCaseId": case, "attempt": 0, "timestamp": time(clock) }}),
        )?;
        let mut last_step = String::new();
        for s in steps {
            let l = s["line"].as_u64().unwrap_or(0);
            let step = format!("{case}-{l}");
            line(
                json!({ "testStepStarted": { "testCaseStartedId": started, "testStepId": step, "timestamp": time(clock) }}),
            )?;
            let nanos = s["result"]["duration"].as_u64().unwrap_or(0);
            clock += i128::from(nanos);
            let status = s["result"]["status"]
                .as_str()
                .unwrap_or("unknown")
                .to_ascii_uppercase();
            if status == "FAILED" {
                success = false;
            }
            let mut result = json!({ "status": status, "duration": duration(nanos) });
            if let Some(m) = s["result"]["error_message"].as_str() {
                result["message"] = json!(m);
            }
            line(
                json!({ "testStepFinished": { "testCaseStartedId": started, "testStepId": step, "testStepResult": result, "timestamp": time(clock) }}),
            )?;
            last_step = step;
        }
        if let (Some(outcome), Some(ex)) = (outcome, &exchanges) {
            for id in &outcome.exchanges {
                let Some(r) = ex.records.get(id) else {
                    continue;
                };
                for (part, body) in [("request", &r.request), ("response", &r.response)] {
                    let Some(body) = body else { continue };
                    let Some(bytes) = ex.body(body) else { continue };
                    let name = format!(
                        "{:05}-{}-{}-{part}",
                        r.seq,
                        r.service,
                        r.operation.replace(' ', "_")
                    );
                    line(attachment(&bytes, body, name, &started, &last_step))?;
                }
            }
        }
        line(
            json!({ "testCaseFinished": { "testCaseStartedId": started, "timestamp": time(clock), "willBeRetried": false }}),
        )?;
    }
    line(json!({ "testRunFinished": { "success": success, "timestamp": time(clock) }}))?;
    out.flush()
}
