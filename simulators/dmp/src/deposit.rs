//! A document the bench puts in a patient's DMP as another professional fed it (a
//! laboratory's biology report, a hospital's discharge letter): what a consultation
//! scenario finds there without the software under test having sent it. Its metadata are
//! the ones the bench's own ITI-41 builder writes for that CDA, read back and stored as a
//! feed is. The deposit is a control action: the journal never shows it as an exchange of
//! the software, so no step can earn a verdict on it.

use bytes::Bytes;
use segur_core::world::ins::Ins;
use segur_core::xml::{Limits, parse};
use segur_documents::cda;
use segur_documents::ebrim::{RegistryObjects, status, uuid};
use segur_documents::sha1_hex;
use time::OffsetDateTime;

use crate::request::{Caller, Feed, FeedDocument};
use crate::store::{DmpStore, StoredDocument};

/// What was deposited.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Deposited {
    /// The version's entryUUID.
    pub entry_uuid: String,
    /// The document's uniqueId (its CDA `id`).
    pub unique_id: String,
    /// The title the metadata give.
    pub title: String,
    /// The typeCode.
    pub type_code: String,
}

/// What a deposit holds besides the CDA.
#[derive(Debug, Clone, Default)]
pub struct DepositOptions {
    /// TRE_A07 visibility codes (`MASQUE_PS`, `INVISIBLE_PATIENT`, `INVISIBLE_REP_LEGAUX`).
    pub visibility: Vec<String>,
    /// The uniqueId of the patient's current document this one replaces (RPLC): that
    /// version becomes Deprecated, as when its author fed a corrected report.
    pub replaces: Option<String>,
}

/// Stores `document` (a CDA) in `patient`'s DMP as fed by `author` at `now`, with the
/// visibility and replacement `options` give.
pub fn deposit(
    store: &DmpStore,
    patient: &Ins,
    author: Caller,
    document: Bytes,
    options: &DepositOptions,
    now: OffsetDateTime,
) -> Result<Deposited, String> {
    let facts = cda::read_facts(&document, None)
        .ok_or("the document is not a readable CDA ClinicalDocument")?;
    let mut entry_document = FeedDocument::cda(document.clone()).map_err(|e| e.to_string())?;
    if cda::format_code(&facts).is_none() {
        return Err(format!(
            "no formatCode known for a structured document with templateIds {:?}",
            facts.templates
        ));
    }
    for code in &options.visibility {
        entry_document = match code.as_str() {
            "MASQUE_PS" => entry_document.masked_to_professionals(),
            "INVISIBLE_PATIENT" => entry_document.invisible_to_patient(),
            "INVISIBLE_REP_LEGAUX" => entry_document.invisible_to_legal_representatives(),
            other => return Err(format!("unknown visibility {other:?} (TRE_A07)")),
        };
    }
    let submitter = author.national_id.clone();
    // The metadata's creationTime is the document's own date, not the deposit's.
    let made = facts
        .effective_time
        .as_deref()
        .and_then(cda::timestamp::instant)
        .unwrap_or(now);
    let body = Feed::new(author, patient.clone())
        .document(entry_document)
        .without_signature()
        .at(made)
        .registry_objects()
        .map_err(|e| e.to_string())?;
    let root = parse(
        &body,
        &Limits {
            max_depth: 64,
            max_nodes: 100_000,
        },
    )
    .map_err(|e| format!("the metadata written for the deposit do not read back: {e}"))?;
    let objects = RegistryObjects::read(&root);
    let entry = objects
        .entries
        .first()
        .cloned()
        .ok_or("the metadata written for the deposit hold no entry")?;
    let unique_id = entry
        .external_id(uuid::UNIQUE_ID)
        .unwrap_or_default()
        .to_string();
    let mut state = store.write();
    if state.by_unique_id.contains_key(&unique_id) {
        return Err(format!(
            "the DMP already holds a document with uniqueId {unique_id}"
        ));
    }
    let replaced = match &options.replaces {
        None => None,
        Some(old) => {
            let i = *state.by_unique_id.get(old).ok_or_else(|| {
                format!("the DMP holds no document with uniqueId {old} to replace")
            })?;
            let current = &state.documents[i];
            if current.patient != patient.number() {
                return Err(format!("{old} is a document of another patient"));
            }
            if current.status != status::APPROVED {
                return Err(format!(
                    "{old} is {}: only the current version can be replaced",
                    current.status
                ));
            }
            Some(i)
        }
    };
    let replaces = replaced.map(|i| state.documents[i].entry_uuid.clone());
    let entry_uuid = format!("urn:uuid:{}", ::uuid::Uuid::new_v4());
    let deposited = Deposited {
        entry_uuid: entry_uuid.clone(),
        unique_id: unique_id.clone(),
        title: entry.name.clone().unwrap_or_default(),
        type_code: entry
            .classified(uuid::TYPE_CODE)
            .next()
            .map(|c| c.code.clone())
            .unwrap_or_default(),
    };
    let author = crate::xds::provide::author_person(&entry);
    state.insert(StoredDocument {
        lid: entry_uuid.clone(),
        entry_uuid,
        version: 1,
        unique_id,
        patient: patient.number(),
        patient_cx: patient.cx(),
        status: status::APPROVED.to_string(),
        confidentiality: crate::xds::provide::confidentiality(&entry),
        author,
        submitter,
        hash: sha1_hex(&document),
        size: document.len(),
        mime_type: entry.mime_type.clone().unwrap_or_else(|| "text/xml".into()),
        content: document,
        submitted_at: now,
        submission_set: String::new(),
        replaces,
        rendered: String::new(),
        entry,
    });
    if let Some(i) = replaced {
        state.documents[i].status = status::DEPRECATED.to_string();
        state.touch(i);
    }
    Ok(deposited)
}

/// Deletes the current version of `unique_id` (availabilityStatus Deleted), as its
/// author did from another software: what a record that integrated it learns at its next
/// consultation. Returns the entryUUID deleted.
pub fn delete(store: &DmpStore, unique_id: &str) -> Result<String, String> {
    let mut state = store.write();
    let i = *state
        .by_unique_id
        .get(unique_id)
        .ok_or_else(|| format!("the DMP holds no document with uniqueId {unique_id}"))?;
    if state.documents[i].status != status::APPROVED {
        return Err(format!(
            "{unique_id} is {}: only a current version can be deleted",
            state.documents[i].status
        ));
    }
    state.documents[i].status = status::DELETED.to_string();
    state.touch(i);
    Ok(state.documents[i].entry_uuid.clone())
}
