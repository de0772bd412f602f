//! Reading a run folder and laying out the dossier's files.
//!
//! The run folder is checked while it is read: the journal's hash chain must hold to its
//! last line, and every body a record points to must be in its pack with the SHA-256 the
//! record gives. A run that does not hold gives no dossier.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use segur_core::journal::{BodyRef, Record, verify};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{DossierError, Files, evidence, html};
use crate::rem;

/// The most bytes a run folder's files may hold together.
const MAX_RUN_BYTES: u64 = 1 << 30;

/// A run folder, read and checked.
pub struct Run {
    /// `summary.json`.
    pub summary: Value,
    /// The journal's lines, as written.
    pub journal: Vec<u8>,
    /// The journal's records, in order.
    pub records: Vec<Record>,
    /// The journal's last hash.
    pub head: String,
    /// The blob packs, by number.
    pub packs: BTreeMap<u32, Vec<u8>>,
    /// The other reports and the features run (`junit.xml`, `features/…`), by relative path.
    pub reports: Files,
}

impl Run {
    fn new(summary: Value, journal: Vec<u8>, checked: Checked<Vec<u8>>, reports: Files) -> Self {
        Self {
            summary,
            journal,
            records: checked.records,
            head: checked.head,
            packs: checked.packs,
            reports,
        }
    }

    /// A body's bytes (checked when the run was read).
    pub fn body(&self, body: &BodyRef) -> &[u8] {
        self.packs
            .get(&body.pack)
            .and_then(|p| p.get(body.offset as usize..(body.offset + body.size) as usize))
            .unwrap_or_default()
    }

    /// The records by id.
    pub fn by_id(&self) -> HashMap<&str, &Record> {
        self.records.iter().map(|r| (r.id.as_str(), r)).collect()
    }
}

fn read(path: &Path, budget: &mut u64) -> Result<Vec<u8>, DossierError> {
    let len = std::fs::metadata(path)
        .map_err(|e| DossierError::file(path.display(), e))?
        .len();
    if len > *budget {
        return Err(DossierError::file(
            path.display(),
            format!("the run folder is over {MAX_RUN_BYTES} bytes"),
        ));
    }
    *budget -= len;
    std::fs::read(path).map_err(|e| DossierError::file(path.display(), e))
}

/// Pack file name, as the journal writes it.
pub fn pack_name(number: u32) -> String {
    format!("pack-{number:06}.blob")
}

/// Reads and checks `dir`.
pub fn read_run(dir: &Path) -> Result<Run, DossierError> {
    let mut budget = MAX_RUN_BYTES;
    let summary_path = dir.join("summary.json");
    let summary: Value = serde_json::from_slice(&read(&summary_path, &mut budget)?)
        .map_err(|e| DossierError::file(summary_path.display(), e))?;
    let journal_path = dir.join("journal").join("journal.jsonl");
    let journal = read(&journal_path, &mut budget)?;
    let blobs = dir.join("journal").join("blobs");
    let checked = checked_journal(&journal, &journal_path.display().to_string(), |n| {
        let path = blobs.join(pack_name(n));
        Ok((path.display().to_string(), read(&path, &mut budget)?))
    })?;
    let mut reports = Vec::new();
    for name in ["junit.xml", "cucumber.json", "messages.ndjson"] {
        let path = dir.join(name);
        if path.exists() {
            reports.push((name.to_string(), read(&path, &mut budget)?));
        }
    }
    let features = dir.join("features");
    if features.is_dir() {
        let mut stack = vec![features];
        while let Some(folder) = stack.pop() {
            let entries =
                std::fs::read_dir(&folder).map_err(|e| DossierError::file(folder.display(), e))?;
            for entry in entries {
                let path = entry
                    .map_err(|e| DossierError::file(folder.display(), e))?
                    .path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(relative) = path.strip_prefix(dir) {
                    let name = relative.to_string_lossy().replace('\\', "/");
                    reports.push((name, read(&path, &mut budget)?));
                }
            }
        }
    }
    reports.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Run::new(summary, journal, checked, reports))
}

/// A run from a dossier's files (`summary.json`, the journal and its packs), checked as
/// [`read_run`] checks a folder.
pub fn run_from_files(files: &BTreeMap<String, Vec<u8>>) -> Result<Run, DossierError> {
    let get = |name: &str| {
        files
            .get(name)
            .ok_or_else(|| DossierError::file(name, "not in the dossier"))
    };
    let summary = serde_json::from_slice(get("summary.json")?)
        .map_err(|e| DossierError::file("summary.json", e))?;
    let journal = get("journal/journal.jsonl")?.clone();
    let checked = checked_journal(&journal, "journal/journal.jsonl", |n| {
        let name = format!("journal/blobs/{}", pack_name(n));
        Ok((name.clone(), get(&name)?.clone()))
    })?;
    Ok(Run::new(summary, journal, checked, Vec::new()))
}

/// A journal whose chain holds, each body found in its pack with its SHA-256.
pub struct Checked<P> {
    /// The records, in order.
    pub records: Vec<Record>,
    /// The last hash.
    pub head: String,
    /// The packs the records point to, by number (owned, or borrowed from a dossier).
    pub packs: BTreeMap<u32, P>,
}

/// Checks `journal` (named `file` in errors); `pack` gives a pack's name and bytes the
/// first time a record points to it.
pub fn checked_journal<P: AsRef<[u8]>>(
    journal: &[u8],
    file: &str,
    mut pack: impl FnMut(u32) -> Result<(String, P), DossierError>,
) -> Result<Checked<P>, DossierError> {
    let (records, head) = check_chain(journal, file)?;
    let mut packs: BTreeMap<u32, (String, P)> = BTreeMap::new();
    for record in &records {
        for body in record.request.iter().chain(&record.response) {
            if let std::collections::btree_map::Entry::Vacant(slot) = packs.entry(body.pack) {
                let loaded = pack(body.pack).map_err(|e| DossierError::Journal {
                    file: pack_name(body.pack),
                    reason: format!("record {} points to it: {e}", record.id),
                })?;
                slot.insert(loaded);
            }
            let (name, bytes) = &packs[&body.pack];
            check_body(bytes.as_ref(), body, &record.id, name)?;
        }
    }
    Ok(Checked {
        records,
        head,
        packs: packs.into_iter().map(|(n, (_, b))| (n, b)).collect(),
    })
}

/// The records of a journal whose chain holds to its last line.
pub fn check_chain(journal: &[u8], file: &str) -> Result<(Vec<Record>, String), DossierError> {
    let mut records = Vec::new();
    let report = verify::walk(journal, |r| records.push(r)).map_err(|e| DossierError::Journal {
        file: file.to_string(),
        reason: e.to_string(),
    })?;
    if let Some(problem) = report.problem {
        return Err(DossierError::Journal {
            file: file.to_string(),
            reason: format!("the hash chain breaks: {problem}"),
        });
    }
    Ok((records, report.head))
}

/// A body's bytes are in their pack with the SHA-256 the record gives.
pub fn check_body(
    pack: &[u8],
    body: &BodyRef,
    record: &str,
    file: &str,
) -> Result<(), DossierError> {
    let end = body.offset.checked_add(body.size);
    let bytes = end.and_then(|end| pack.get(body.offset as usize..end as usize));
    let Some(bytes) = bytes else {
        return Err(DossierError::Journal {
            file: file.to_string(),
            reason: format!(
                "record {record}: its body ({} bytes at {}) is past the end of the pack ({} bytes)",
                body.size,
                body.offset,
                pack.len()
            ),
        });
    };
    let found = hex::encode(Sha256::digest(bytes));
    if found != body.sha256 {
        return Err(DossierError::Journal {
            file: file.to_string(),
            reason: format!(
                "record {record}: its body's SHA-256 is {found}, the record says {}",
                body.sha256
            ),
        });
    }
    Ok(())
}

/// The dossier's files but the seal: manifest, reports, journal, evidence, report.html.
pub fn lay_out(run: &Run) -> Files {
    let evidence_ids = rem::evidence_ids();
    let by_id = run.by_id();
    let mut files: Files = Vec::new();
    let mut manifest_requirements = serde_json::Map::new();
    let requirements = run.summary["requirements"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut evidence_files: Files = Vec::new();
    for (id, requirement) in &requirements {
        let exchanges: Vec<&Record> = requirement["scenarios"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["exchanges"].as_array().into_iter().flatten())
            .filter_map(|e| e.as_str().and_then(|e| by_id.get(e).copied()))
            .collect();
        let evidence_id = evidence_ids.get(id).and_then(|ids| ids.first()).cloned();
        let written = evidence::files(run, id, evidence_id.as_deref(), &exchanges);
        let attestations: Vec<&str> = exchanges
            .iter()
            .filter(|r| r.operation == "attestation")
            .map(|r| r.id.as_str())
            .collect();
        manifest_requirements.insert(
            id.clone(),
            json!({
                "verdict": requirement["verdict"],
                "evidence_ids": evidence_ids.get(id).cloned().unwrap_or_default(),
                "scenarios": requirement["scenarios"].as_array().into_iter().flatten().map(|s| json!({
                    "name": s["name"],
                    "verdict": s["verdict"],
                    "reason": s["reason"],
                    "exchanges": s["exchanges"],
                })).collect::<Vec<_>>(),
                "attestations": attestations,
                "evidence": written.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            }),
        );
        evidence_files.extend(written);
    }
    let provenance = &run.summary["provenance"];
    let manifest = json!({
        "format": 1,
        "bench": { "name": "segur-bench", "version": provenance["bench_version"] },
        "features_sha256": provenance["features_sha256"],
        "world_sha256": provenance["world_sha256"],
        "world_source": provenance["world_source"],
        "disabled_rules": provenance["disabled_rules"],
        "software": run.summary["software"],
        "started_at": provenance["started_at"],
        "ended_at": provenance["ended_at"],
        "scenarios": run.summary["scenarios"],
        "journal": { "records": run.records.len(), "head": run.head },
        "requirements": manifest_requirements,
    });
    files.push((
        "manifest.json".into(),
        serde_json::to_vec_pretty(&manifest).unwrap_or_default(),
    ));
    files.push((
        "summary.json".into(),
        serde_json::to_vec_pretty(&run.summary).unwrap_or_default(),
    ));
    files.extend(run.reports.iter().cloned());
    files.push(("journal/journal.jsonl".into(), run.journal.clone()));
    for (number, bytes) in &run.packs {
        files.push((
            format!("journal/blobs/{}", pack_name(*number)),
            bytes.clone(),
        ));
    }
    files.extend(evidence_files);
    files.extend(checklists(run));
    files.push((
        "report.html".into(),
        html::report(run, &manifest).into_bytes(),
    ));
    files
}

/// The checklist of each couloir the run's scenarios are tagged with, covered by the run.
fn checklists(run: &Run) -> Files {
    let couloirs: std::collections::BTreeSet<String> = run.summary["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["couloirs"].as_array().into_iter().flatten())
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    let rows = rem::rows();
    let tagged = crate::checklist::scenarios_of_run(&run.summary);
    let mut out = Vec::new();
    for couloir in couloirs {
        let scope = crate::checklist::Scope {
            couloir: couloir.clone(),
            ..Default::default()
        };
        let lines = crate::checklist::build(&rows, &scope, &tagged, Some(&run.summary));
        if lines.is_empty() {
            continue;
        }
        out.push((
            format!("checklist/checklist-{couloir}.csv"),
            crate::checklist::csv(&lines).into_bytes(),
        ));
        out.push((
            format!("checklist/checklist-{couloir}.html"),
            crate::checklist::html(&lines, &scope).into_bytes(),
        ));
    }
    out
}
