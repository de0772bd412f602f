//! Checking a dossier: the zip is read whole into memory under limits (nothing is
//! extracted), every file against `SHA256SUMS`, the signature against the signer's
//! certificate, the signer against the test PKI (or a pinned fingerprint), the journal's
//! chain and every body it points to, and the manifest's journal head. Each difference is
//! named: the file changed, added or removed, and why.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use sha2::{Digest, Sha256};

use super::DossierError;
use super::collect::{checked_journal, pack_name};
use super::seal::{SIGNATURE, SIGNER, SUMS, signature_holds};

/// The largest dossier read, and the largest file in it.
const MAX_ZIP: u64 = 2 << 30;
const MAX_ENTRY: u64 = 1 << 30;
/// The most files a dossier may hold.
const MAX_ENTRIES: usize = 200_000;

/// Who the signer must be.
pub enum Trust<'a> {
    /// Issued by this test PKI (its root and intermediate, its CRL).
    Pki(&'a segur_core::pki::Pki),
    /// This certificate, by the SHA-256 of its DER.
    Fingerprint(String),
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Files in the dossier.
    pub files: usize,
    /// Journal records checked.
    pub records: usize,
    /// The signer's subject and certificate fingerprint.
    pub signer: Option<String>,
    /// Every problem, one line each, naming the file.
    pub problems: Vec<String>,
    /// The conditions the run was played under that a reader must know, as the manifest
    /// states them: a custom world, rules disabled (nothing when on the bench's own terms).
    pub conditions: Vec<String>,
}

impl Verdict {
    /// Whether the dossier is intact.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads every file of the zip at `path`.
pub fn read_zip(path: &Path) -> Result<BTreeMap<String, Vec<u8>>, DossierError> {
    let fail = |reason: String| DossierError::Zip {
        file: path.display().to_string(),
        reason,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| fail(e.to_string()))?
        .len();
    if len > MAX_ZIP {
        return Err(fail(format!("over {MAX_ZIP} bytes")));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| fail(e.to_string()))?;
    if archive.len() > MAX_ENTRIES {
        return Err(fail(format!(
            "{} entries (limit {MAX_ENTRIES})",
            archive.len()
        )));
    }
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| fail(e.to_string()))?;
        let name = entry
            .name()
            .map_err(|e| fail(format!("entry {i}: unreadable name: {e}")))?
            .to_string();
        if entry.enclosed_name().is_none() || name.starts_with('/') || name.contains('\\') {
            return Err(fail(format!(
                "entry {name:?} points outside the dossier's folder"
            )));
        }
        if entry.is_dir() {
            continue;
        }
        let mut content = Vec::new();
        (&mut entry)
            .take(MAX_ENTRY + 1)
            .read_to_end(&mut content)
            .map_err(|e| fail(format!("{name}: {e}")))?;
        if content.len() as u64 > MAX_ENTRY {
            return Err(fail(format!("{name}: over {MAX_ENTRY} bytes")));
        }
        if files.insert(name.clone(), content).is_some() {
            return Err(fail(format!("{name} is in the zip twice")));
        }
    }
    Ok(files)
}

/// Checks the dossier at `path`.
pub fn verify(path: &Path, trust: &Trust<'_>) -> Result<Verdict, DossierError> {
    let files = read_zip(path)?;
    let mut verdict = Verdict {
        files: files.len(),
        ..Verdict::default()
    };
    verdict.conditions = files
        .get("manifest.json")
        .and_then(|m| serde_json::from_slice::<serde_json::Value>(m).ok())
        .map(|m| super::run_conditions(&m))
        .unwrap_or_default();
    let problems = &mut verdict.problems;
    let Some(sums) = files.get(SUMS) else {
        problems.push(format!("{SUMS}: removed (the list of every file's hash)"));
        return Ok(verdict);
    };
    let mut listed = BTreeMap::new();
    for (n, line) in String::from_utf8_lossy(sums).lines().enumerate() {
        match line.split_once("  ") {
            Some((hash, file)) if hash.len() == 64 => {
                listed.insert(file.to_string(), hash.to_string());
            }
            _ => problems.push(format!("{SUMS}: line {} is not `<sha256>  <file>`", n + 1)),
        }
    }
    for (file, hash) in &listed {
        match files.get(file) {
            None => problems.push(format!("{file}: removed")),
            Some(bytes) if hex::encode(Sha256::digest(bytes)) != *hash => problems.push(format!(
                "{file}: changed (its SHA-256 is not the one in {SUMS})"
            )),
            Some(_) => {}
        }
    }
    for file in files.keys() {
        if !listed.contains_key(file) && ![SUMS, SIGNATURE, SIGNER].contains(&file.as_str()) {
            problems.push(format!("{file}: added (not in {SUMS})"));
        }
    }
    check_signature(&files, sums, trust, &mut verdict);
    check_journal(&files, &mut verdict);
    Ok(verdict)
}

fn check_signature(
    files: &BTreeMap<String, Vec<u8>>,
    sums: &[u8],
    trust: &Trust<'_>,
    verdict: &mut Verdict,
) {
    let problems = &mut verdict.problems;
    let (Some(signature), Some(chain)) = (files.get(SIGNATURE), files.get(SIGNER)) else {
        problems.push(format!(
            "{SIGNATURE} or {SIGNER}: removed (the dossier is not signed)"
        ));
        return;
    };
    let Some(leaf) = CertificateDer::pem_slice_iter(chain)
        .next()
        .and_then(Result::ok)
    else {
        problems.push(format!("{SIGNER}: no certificate"));
        return;
    };
    let fingerprint = hex::encode(Sha256::digest(leaf.as_ref()));
    let subject = segur_core::pki::subject_of(leaf.as_ref()).unwrap_or_default();
    verdict.signer = Some(format!("{subject} (SHA-256 {fingerprint})"));
    if !signature_holds(sums, signature, leaf.as_ref()) {
        problems.push(format!(
            "{SIGNATURE}: the signature does not hold for the key of {SIGNER} ({subject}): {SUMS} or the signature was changed"
        ));
    }
    match trust {
        Trust::Fingerprint(expected) if !expected.eq_ignore_ascii_case(&fingerprint) => {
            problems.push(format!(
                "{SIGNER}: signed by {subject} (SHA-256 {fingerprint}), not by the expected certificate {expected}"
            ));
        }
        Trust::Pki(pki) => {
            if let Err(e) = segur_core::tls::verify_signing_certificate(
                pki,
                leaf.as_ref(),
                &segur_core::clock::Clock::new(),
            ) {
                problems.push(format!(
                    "{SIGNER}: {subject} is not a valid certificate of the trusted PKI: {e}"
                ));
            }
        }
        Trust::Fingerprint(_) => {}
    }
}

fn check_journal(files: &BTreeMap<String, Vec<u8>>, verdict: &mut Verdict) {
    let file = "journal/journal.jsonl";
    let Some(journal) = files.get(file) else {
        verdict.problems.push(format!("{file}: removed"));
        return;
    };
    let checked = checked_journal(journal, file, |n| {
        let name = format!("journal/blobs/{}", pack_name(n));
        let pack = files
            .get(&name)
            .ok_or_else(|| DossierError::file(&name, "missing"))?;
        Ok((name, pack.as_slice()))
    });
    let head = match checked {
        Ok(c) => {
            verdict.records = c.records.len();
            c.head
        }
        Err(e) => {
            verdict.problems.push(e.to_string());
            return;
        }
    };
    let manifest_head = files
        .get("manifest.json")
        .and_then(|m| serde_json::from_slice::<serde_json::Value>(m).ok())
        .and_then(|m| m["journal"]["head"].as_str().map(str::to_string));
    if manifest_head.as_deref() != Some(head.as_str()) {
        verdict.problems.push(format!(
            "manifest.json: its journal head {manifest_head:?} is not the journal's last hash {head}"
        ));
    }
}
