//! The patient's record as the user sees its documents: those the software produced
//! (with whether each reached the DMP, `DMP/HISTO.01`) and those integrated from the DMP
//! (their origin shown, `CDA/INT.08`), sortable by type code or creation date
//! (`CDA/INT.04`); a DMP document already integrated is recognised by its id and shown
//! from the record (`CDA/DD.04`).

use serde::Deserialize;
use serde_json::{Value, json};

use super::dmp::fail;
use super::{Session, params, refused};
use crate::dmp::xds::{self, Found};
use crate::protocol::Reply;

/// One document of a record.
#[derive(Debug, Clone)]
pub struct RecordEntry {
    /// uniqueId (`root^extension`, or the root alone).
    pub unique_id: String,
    /// Title.
    pub title: String,
    /// typeCode (LOINC).
    pub type_code: String,
    /// Creation date, `YYYYMMDDHHMMSS`.
    pub created: String,
    /// `local` (produced here) or `DMP` (integrated from the DMP).
    pub origin: &'static str,
    /// Whether the DMP accepted it (a local document only).
    pub dmp_fed: bool,
}

#[derive(Deserialize)]
struct List {
    patient: String,
    /// `type` or `date`; the record's own order otherwise.
    #[serde(default)]
    sort: Option<String>,
}

#[derive(Deserialize)]
struct Display {
    patient: String,
    document: String,
}

impl Session {
    /// Notes a document the software produced in `patient`'s record.
    pub(super) fn record_local(
        &mut self,
        patient: &str,
        unique_id: &str,
        title: &str,
        type_code: &str,
        created: time::OffsetDateTime,
        fed: bool,
    ) {
        let fed = fed || self.defects.on("record-always-fed");
        let entry = RecordEntry {
            unique_id: unique_id.to_string(),
            title: title.to_string(),
            type_code: type_code.to_string(),
            created: xds::dtm(created),
            origin: "local",
            dmp_fed: fed,
        };
        self.book
            .records
            .entry(patient.to_string())
            .or_default()
            .push(entry);
    }

    /// A new version takes the place of the one it replaces in `patient`'s record.
    pub(super) fn replace_in_record(&mut self, patient: &str, old: &str, new: &str, title: &str) {
        if let Some(entry) = self
            .book
            .records
            .get_mut(patient)
            .and_then(|r| r.iter_mut().find(|e| e.unique_id == old))
        {
            entry.unique_id = new.to_string();
            entry.title = title.to_string();
        }
    }

    /// Notes a document integrated from the DMP, unless the record already holds it.
    pub(super) fn record_integrated(&mut self, patient: &str, found: &Found) {
        let origin = if self.defects.on("origin-not-shown") {
            "local"
        } else {
            "DMP"
        };
        let record = self.book.records.entry(patient.to_string()).or_default();
        if record.iter().any(|e| e.unique_id == found.unique_id) {
            return;
        }
        record.push(RecordEntry {
            unique_id: found.unique_id.clone(),
            title: found.title.clone(),
            type_code: found.type_code.clone(),
            created: found.creation_time.clone(),
            origin,
            dmp_fed: false,
        });
    }

    /// `documents.list`: the record's documents, sorted as asked.
    pub(super) fn documents_list(&mut self, p: &Value) -> Result<Reply, Reply> {
        let List { patient, sort } = params(p)?;
        self.patients.get(&patient).map_err(refused)?;
        let mut entries = self.book.records.get(&patient).cloned().unwrap_or_default();
        let sorting = !self.defects.on("documents-sort-ignored");
        match sort.as_deref() {
            Some("type") if sorting => entries.sort_by(|a, b| {
                (a.type_code.as_str(), a.created.as_str())
                    .cmp(&(b.type_code.as_str(), b.created.as_str()))
            }),
            Some("date") if sorting => entries.sort_by(|a, b| a.created.cmp(&b.created)),
            Some("type" | "date") | None => {}
            Some(other) => return Err(fail(format!("tri inconnu : {other} (type, date)"))),
        }
        let documents: Vec<Value> = entries
            .iter()
            .map(|e| {
                json!({
                    "unique_id": e.unique_id,
                    "title": e.title,
                    "type_code": e.type_code,
                    "created": e.created,
                    "origin": e.origin,
                    "dmp_fed": e.dmp_fed,
                })
            })
            .collect();
        Ok(Reply::ok(
            json!({ "patient": patient, "documents": documents }),
        ))
    }

    /// `dmp.display`: a document of the last DMP list. One the record already holds
    /// (same id) is shown from the record, the user told; another is fetched (ITI-43).
    pub(super) async fn dmp_display(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Display { patient, document } = params(p)?;
        let listed = self.book.listed.get(&patient).cloned().unwrap_or_default();
        let found = listed
            .iter()
            .find(|f| f.unique_id == document || f.title == document)
            .cloned()
            .ok_or_else(|| {
                fail(format!(
                    "document {document} absent de la dernière liste affichée"
                ))
            })?;
        let held = self
            .book
            .records
            .get(&patient)
            .is_some_and(|r| r.iter().any(|e| e.unique_id == found.unique_id));
        if held && !self.defects.on("dmp-duplicate-not-detected") {
            return Ok(Reply::ok(json!({
                "unique_id": found.unique_id,
                "already_integrated": true,
                "shown": "record",
                "message": "Ce document est déjà intégré au dossier du patient : affichage du document du dossier.",
            })));
        }
        let fetched = self
            .fetch_documents(&patient, std::slice::from_ref(&found))
            .await?;
        let size = fetched.first().map_or(0, |(_, b)| b.len());
        Ok(Reply::ok(json!({
            "unique_id": found.unique_id,
            "already_integrated": false,
            "shown": "DMP",
            "size": size,
        })))
    }
}
