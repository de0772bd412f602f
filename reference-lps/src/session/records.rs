//! The patient's record as the user sees its documents: those the software produced
//! (with whether each reached the DMP, `DMP/HISTO.01`) and those integrated from the DMP
//! (their origin shown, `CDA/INT.08`), sortable by type code or creation date
//! (`CDA/INT.04`); a DMP document already integrated is recognised by its id and shown
//! from the record (`CDA/DD.04`); when the record opens, the DMP documents it holds are
//! looked up again and a new version or a deletion is reported (`CDA/DD.05`).

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
        // The defect lets a new version take the place of the one it replaces, which the
        // user wanted to keep.
        if self.defects.on("dmp-update-drops-previous")
            && let Some(previous) = self.book.newer_versions.get(&found.unique_id)
        {
            record.retain(|e| &e.unique_id != previous);
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
        let (archive, destroy) = self.settings.retention;
        let documents: Vec<Value> = entries
            .iter()
            .map(|e| {
                // The site's retention applies to every document of the record (UX.44);
                // the defect leaves those integrated from the DMP without one.
                let retention = (e.origin == "local"
                    || !self.defects.on("dmp-documents-not-retained"))
                .then(|| json!({ "archive_after_years": archive, "destroy_after_years": destroy }));
                json!({
                    "unique_id": e.unique_id,
                    "title": e.title,
                    "type_code": e.type_code,
                    "created": e.created,
                    "origin": e.origin,
                    "dmp_fed": e.dmp_fed,
                    "retention": retention,
                })
            })
            .collect();
        Ok(Reply::ok(
            json!({ "patient": patient, "documents": documents }),
        ))
    }

    /// What changed in the DMP since the record integrated its documents (CDA/DD.05): one
    /// GetDocuments for them all (whatever their status), then GetRelatedDocuments for each
    /// one replaced, whose current version joins the list the user integrates from. Only
    /// when the patient consented to the consultation of the DMP.
    pub(super) async fn dmp_updates(&mut self, patient: &str) -> Result<Vec<Value>, Reply> {
        let integrated: Vec<String> = self
            .book
            .records
            .get(patient)
            .into_iter()
            .flatten()
            .filter(|e| e.origin == "DMP")
            .map(|e| e.unique_id.clone())
            .collect();
        if integrated.is_empty()
            || self.book.consultation.get(patient) != Some(&true)
            || self.defects.on("dmp-updates-not-checked")
        {
            return Ok(Vec::new());
        }
        let ids: Vec<&str> = integrated.iter().map(String::as_str).collect();
        let found = self
            .registry_query(patient, &xds::get_documents(&ids))
            .await?
            .0;
        let mut updates = Vec::new();
        for f in found.iter().filter(|f| integrated.contains(&f.unique_id)) {
            if f.status == xds::status::DELETED {
                updates.push(json!({ "unique_id": f.unique_id, "change": "deleted" }));
            } else if f.status == xds::status::DEPRECATED {
                let (versions, links) = self
                    .registry_query(patient, &xds::related_documents(&f.entry_uuid))
                    .await?;
                // Follow the chain to the current version.
                let mut current = f.entry_uuid.clone();
                while let Some((newer, _)) = links.iter().find(|(_, old)| *old == current) {
                    current = newer.clone();
                }
                let Some(latest) = versions.iter().find(|v| v.entry_uuid == current) else {
                    continue;
                };
                updates.push(json!({
                    "unique_id": f.unique_id,
                    "change": "new_version",
                    "new_unique_id": latest.unique_id,
                    "title": latest.title,
                }));
                self.book
                    .newer_versions
                    .insert(latest.unique_id.clone(), f.unique_id.clone());
                let listed = self.book.listed.entry(patient.to_string()).or_default();
                if !listed.iter().any(|l| l.unique_id == latest.unique_id) {
                    listed.push(latest.clone());
                }
            }
        }
        Ok(updates)
    }

    /// An ITI-18 query for `patient`: the entries found and the RPLC associations.
    async fn registry_query(
        &self,
        patient: &str,
        body: &str,
    ) -> Result<(Vec<Found>, Vec<(String, String)>), Reply> {
        let who = self.professional()?;
        let (_, cx) = self.dmp_patient(patient)?;
        let answer = self
            .dmp_call(&who, Some(&cx), ("registry", xds::QUERY_ACTION), body, &[])
            .await?;
        xds::read_status(&answer.body)
            .map_err(|e| fail(format!("le DMP a refusé la recherche : {e}")))?;
        Ok((
            xds::read_found(&answer.body),
            xds::read_replacements(&answer.body),
        ))
    }

    /// `document.show`: a document of the record as the user reads it, from the record
    /// (no DMP call): the header, the body or every section's narrative, with the
    /// producer's stylesheet it was stored with, or the LPS's own.
    pub(super) fn document_show(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Display { patient, document } = params(p)?;
        let unique_id = self
            .book
            .records
            .get(&patient)
            .into_iter()
            .flatten()
            .find(|e| e.unique_id == document || e.title == document)
            .map(|e| e.unique_id.clone())
            .ok_or_else(|| fail(format!("document {document} absent du dossier")))?;
        let key = (patient.clone(), unique_id.clone());
        let bytes = self
            .book
            .integrated
            .get(&key)
            .or_else(|| self.book.produced.get(&key))
            .ok_or_else(|| fail(format!("document {document} : contenu non conservé")))?;
        let mut shown = crate::cda::view::view(
            bytes,
            !self.defects.on("producer-stylesheet-ignored"),
            !self.defects.on("nested-sections-hidden"),
        )
        .map_err(fail)?;
        shown["unique_id"] = json!(unique_id);
        Ok(Reply::ok(shown))
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
        // Preloaded for the patients in care (UX.34), and still within its time.
        if let Some(size) = self.preloaded(&patient, &found.unique_id) {
            return Ok(Reply::ok(json!({
                "unique_id": found.unique_id,
                "already_integrated": false,
                "shown": "preload",
                "size": size,
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
