//! IHE_XDM archives as MSSanté carries them (spec notes §2.3, ANS examples): `INDEX.HTM`,
//! `README.TXT` and `IHE_XDM/SUBSETnn/` holding `METADATA.XML` and the documents it
//! describes, every name an upper-case ISO 9660 8.3 name.
//!
//! [`check`] reads the archive under [`XdmLimits`], checks the tree ([`names`]), the
//! metadata against the files (hash and size), and runs the CDA checks on each CDA.

pub mod names;

use std::io::Read;

use segur_core::finding::Finding;
use segur_core::xml::parse;

use crate::cda::{self, CdaReport};
use crate::ebrim::{RegistryObjects, uuid};
use crate::{rules, sha1_hex};

/// Bounds on what an archive may make the checker read.
#[derive(Debug, Clone, Copy)]
pub struct XdmLimits {
    /// Most entries.
    pub max_entries: usize,
    /// Largest uncompressed entry, in bytes.
    pub max_entry: u64,
    /// Largest uncompressed total, in bytes.
    pub max_total: u64,
}

impl Default for XdmLimits {
    fn default() -> Self {
        Self {
            max_entries: 256,
            max_entry: 20 * 1024 * 1024,
            max_total: 50 * 1024 * 1024,
        }
    }
}

/// One document of a subset, with what the metadata says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XdmDocument {
    /// Path in the archive (`IHE_XDM/SUBSET01/DOC0001.XML`).
    pub path: String,
    /// Size in bytes.
    pub size: usize,
    /// SHA-1, lower-case hex.
    pub sha1: String,
    /// The metadata entry's `patientId`, if the entry was found.
    pub patient_id: Option<String>,
    /// The entry's `confidentialityCode`s: `N`, and the DMP's visibility codes
    /// (`MASQUE_PS`, `INVISIBLE_PATIENT`, `INVISIBLE_REP_LEGAUX`) that decide who may
    /// receive the document.
    pub confidentiality: Vec<String>,
    /// The CDA checks, for `text/xml` documents.
    pub cda: Option<CdaReport>,
    /// The PDF a level-1 CDA carries (its `nonXMLBody`, decoded): what the PDF joined
    /// beside the archive must be (ECO.2.1.5 of the MSSanté client référentiel).
    pub pdf: Option<Vec<u8>>,
}

/// What the checker found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XdmReport {
    /// Every file path in the archive, folders excluded.
    pub files: Vec<String>,
    /// The documents the metadata describes.
    pub documents: Vec<XdmDocument>,
    /// The submission set's `patientId`, per subset.
    pub patient_ids: Vec<String>,
    /// Every rule broken (CDA findings included, located at their document).
    pub findings: Vec<Finding>,
}

impl XdmReport {
    /// The names of the rules broken.
    pub fn rules(&self) -> Vec<&str> {
        self.findings.iter().map(|f| f.rule.as_str()).collect()
    }
}

/// Checks the archive `zip`.
pub fn check(zip: &[u8], limits: &XdmLimits) -> XdmReport {
    let mut report = XdmReport::default();
    let files = match read_archive(zip, limits) {
        Ok(files) => files,
        Err(why) => {
            report.findings.push(rules::XDM_UNREADABLE.finding(why));
            return report;
        }
    };
    report.files = files.iter().map(|(p, _)| p.clone()).collect();
    names::check_tree(&report.files, &mut report.findings);
    let mut subsets: Vec<String> = report
        .files
        .iter()
        .filter_map(|p| names::subset_of(p).map(str::to_string))
        .collect();
    subsets.sort_unstable();
    subsets.dedup();
    for subset in subsets {
        check_subset(&subset, &files, &mut report);
    }
    report
}

fn check_subset(subset: &str, files: &[(String, Vec<u8>)], report: &mut XdmReport) {
    let metadata_path = format!("{subset}/METADATA.XML");
    let Some((_, metadata)) = files.iter().find(|(p, _)| *p == metadata_path) else {
        report.findings.push(
            rules::XDM_METADATA
                .finding(format!("{subset} has no METADATA.XML"))
                .at(metadata_path),
        );
        return;
    };
    let root = match crate::text::decode(metadata, None)
        .map_err(|e| e.to_string())
        .and_then(|(text, _)| parse(&text, &cda::limits()).map_err(|e| e.to_string()))
    {
        Ok(root) => root,
        Err(why) => {
            report.findings.push(
                rules::XDM_METADATA
                    .finding(format!("METADATA.XML is not readable XML: {why}"))
                    .at(metadata_path),
            );
            return;
        }
    };
    let objects = RegistryObjects::read(&root);
    if let Some(set) = objects.submission_set()
        && let Some(patient) = set.external_id(uuid::SET_PATIENT_ID)
    {
        report.patient_ids.push(patient.to_string());
    }
    if objects.entries.is_empty() {
        report.findings.push(
            rules::XDM_METADATA
                .finding("METADATA.XML describes no document (no ExtrinsicObject)")
                .at(metadata_path.clone()),
        );
    }
    for entry in &objects.entries {
        let Some(uri) = entry.slot_value("URI") else {
            report.findings.push(
                rules::XDM_METADATA
                    .finding(format!(
                        "the entry {} has no URI slot naming its file",
                        entry.id
                    ))
                    .at(metadata_path.clone()),
            );
            continue;
        };
        let path = format!("{subset}/{uri}");
        let Some((_, bytes)) = files.iter().find(|(p, _)| *p == path) else {
            report.findings.push(
                rules::XDM_METADATA
                    .finding(format!(
                        "the entry {} names {uri}, which is not in {subset}",
                        entry.id
                    ))
                    .at(metadata_path.clone()),
            );
            continue;
        };
        let sha1 = sha1_hex(bytes);
        match entry.slot_value("hash") {
            Some(h) if h.eq_ignore_ascii_case(&sha1) => {}
            Some(h) => report.findings.push(
                rules::XDM_HASH
                    .finding(format!(
                        "{uri}: the hash slot says {h}, the file's SHA-1 is {sha1}"
                    ))
                    .at(path.clone()),
            ),
            None => report.findings.push(
                rules::XDM_HASH
                    .finding(format!("the entry of {uri} has no hash slot"))
                    .at(metadata_path.clone()),
            ),
        }
        match entry.slot_value("size").map(|s| s.parse::<usize>()) {
            Some(Ok(s)) if s == bytes.len() => {}
            Some(_) => report.findings.push(
                rules::XDM_HASH
                    .finding(format!(
                        "{uri}: the size slot says {:?}, the file has {} bytes",
                        entry.slot_value("size").unwrap_or(""),
                        bytes.len()
                    ))
                    .at(path.clone()),
            ),
            None => report.findings.push(
                rules::XDM_HASH
                    .finding(format!("the entry of {uri} has no size slot"))
                    .at(metadata_path.clone()),
            ),
        }
        let patient_id = entry.external_id(uuid::PATIENT_ID).map(str::to_string);
        let cda = (entry.mime_type.as_deref() == Some("text/xml")).then(|| {
            let mut cda = cda::check(bytes, None);
            for f in &mut cda.findings {
                let inner = f.location.take().unwrap_or_default();
                f.location = Some(format!("{path}#{inner}"));
            }
            cda
        });
        if let (Some(patient), Some(ins)) = (
            &patient_id,
            cda.as_ref()
                .and_then(|c| c.facts.as_ref())
                .and_then(|f| f.ins.as_ref()),
        ) {
            let number = patient.split('^').next().unwrap_or_default();
            if ins.extension.as_deref() != Some(number) || !patient.contains(&ins.root) {
                report.findings.push(
                    rules::XDM_PATIENT
                        .finding(format!(
                            "the metadata's patientId {patient} is not the CDA's INS {} ({})",
                            ins.extension.as_deref().unwrap_or(""),
                            ins.root
                        ))
                        .at(path.clone()),
                );
            }
        }
        if let Some(cda) = &cda {
            report.findings.extend(cda.findings.iter().cloned());
        }
        report.documents.push(XdmDocument {
            path,
            size: bytes.len(),
            sha1,
            patient_id,
            confidentiality: entry
                .classified(uuid::CONFIDENTIALITY)
                .map(|c| c.code.clone())
                .collect(),
            pdf: cda
                .is_some()
                .then(|| crate::cda::presentation::body_bytes(bytes, None))
                .flatten()
                .filter(|b| b.starts_with(b"%PDF-")),
            cda,
        });
    }
}

/// Reads every file entry under the limits. Folder entries are skipped; a path that
/// escapes the archive (absolute, `..`) is refused outright.
fn read_archive(zip: &[u8], limits: &XdmLimits) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip))
        .map_err(|e| format!("not a readable ZIP archive: {e}"))?;
    if archive.len() > limits.max_entries {
        return Err(format!(
            "{} entries, more than the {} accepted",
            archive.len(),
            limits.max_entries
        ));
    }
    let mut total = 0u64;
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| format!("entry #{i} is not readable: {e}"))?;
        let name = entry
            .name()
            .map_err(|e| format!("entry #{i} has an unreadable name: {e}"))?
            .to_string();
        if entry.enclosed_name().is_none() {
            return Err(format!("the entry path {name:?} escapes the archive"));
        }
        if entry.is_dir() {
            continue;
        }
        if entry.size() > limits.max_entry {
            return Err(format!(
                "{name} unpacks to {} bytes, more than the {} accepted",
                entry.size(),
                limits.max_entry
            ));
        }
        let mut bytes = Vec::new();
        (&mut entry)
            .take(limits.max_entry + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name} is not readable: {e}"))?;
        if bytes.len() as u64 > limits.max_entry {
            return Err(format!(
                "{name} unpacks to more than {} bytes",
                limits.max_entry
            ));
        }
        total += bytes.len() as u64;
        if total > limits.max_total {
            return Err(format!(
                "the archive unpacks to more than {} bytes",
                limits.max_total
            ));
        }
        out.push((name, bytes));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
