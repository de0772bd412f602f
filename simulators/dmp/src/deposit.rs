//! A document the bench puts in a patient's DMP as another professional fed it (a
//! laboratory's biology report, a hospital's discharge letter): what a consultation
//! scenario finds there without the software under test having sent it. Its metadata are
//! the ones the bench's own ITI-41 builder writes for that CDA, read back and stored as a
//! feed is. The deposit is a control action: the journal never shows it as an exchange of
//! the software, so no step can earn a verdict on it.

use bytes::Bytes;
use segur_core::world::ins::Ins;
use segur_core::xml::{Limits, parse};
use segur_documents::cda::{self, Level};
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

/// The formatCode of a CDA: level 1 gets the XDS-SD one from the builder; a structured
/// document the VSM's or its volet's.
fn format_code(facts: &cda::CdaFacts) -> Option<&'static str> {
    match facts.level {
        Level::NonStructured => None,
        _ if facts.has_template(cda::TEMPLATE_VSM) => Some("urn:asip:ci-sis:vsm:2012"),
        _ => cda::volets::of(facts).and_then(|v| v.format_code),
    }
}

/// Stores `document` (a CDA) in `patient`'s DMP as fed by `author` at `now`, with the
/// visibility codes given (`MASQUE_PS`, `INVISIBLE_PATIENT`, `INVISIBLE_REP_LEGAUX`).
pub fn deposit(
    store: &DmpStore,
    patient: &Ins,
    author: Caller,
    document: Bytes,
    visibility: &[String],
    now: OffsetDateTime,
) -> Result<Deposited, String> {
    let facts = cda::read_facts(&document, None)
        .ok_or("the document is not a readable CDA ClinicalDocument")?;
    let mut entry_document = FeedDocument::cda(document.clone()).map_err(|e| e.to_string())?;
    if let Some(format) = format_code(&facts) {
        entry_document = entry_document.format_code(format);
    } else if facts.level != Level::NonStructured {
        return Err(format!(
            "no formatCode known for a structured document with templateIds {:?}",
            facts.templates
        ));
    }
    for code in visibility {
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
        .and_then(hl7_time)
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
    let author = entry
        .classified(uuid::AUTHOR)
        .flat_map(|a| a.slots.iter())
        .find(|s| s.name == "authorPerson")
        .and_then(|s| s.values.first())
        .map(|p| p.split('^').next().unwrap_or_default().to_string())
        .filter(|p| !p.is_empty());
    state.insert(StoredDocument {
        lid: entry_uuid.clone(),
        entry_uuid,
        version: 1,
        unique_id,
        patient: patient.number(),
        patient_cx: patient.cx(),
        status: status::APPROVED.to_string(),
        confidentiality: entry
            .classified(uuid::CONFIDENTIALITY)
            .map(|c| c.code.clone())
            .collect(),
        author,
        submitter,
        hash: sha1_hex(&document),
        size: document.len(),
        mime_type: "text/xml".into(),
        content: document,
        submitted_at: now,
        submission_set: String::new(),
        rendered: String::new(),
        entry,
    });
    Ok(deposited)
}

/// An HL7 `TS` (`YYYYMMDDHHMMSS`, optionally `±ZZZZ`) as a date-time.
fn hl7_time(value: &str) -> Option<OffsetDateTime> {
    let digits = value.get(..14)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |range: std::ops::Range<usize>| digits[range].parse::<u32>().ok();
    let date = time::Date::from_calendar_date(
        n(0..4)? as i32,
        time::Month::try_from(n(4..6)? as u8).ok()?,
        n(6..8)? as u8,
    )
    .ok()?;
    let clock = time::Time::from_hms(n(8..10)? as u8, n(10..12)? as u8, n(12..14)? as u8).ok()?;
    let offset = match value.get(14..) {
        Some(z) if z.len() == 5 => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let hours: i8 = z.get(1..3)?.parse().ok()?;
            let minutes: i8 = z.get(3..5)?.parse().ok()?;
            time::UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?
        }
        _ => time::UtcOffset::UTC,
    };
    Some(time::PrimitiveDateTime::new(date, clock).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hl7_times_read_with_their_offset() {
        let t = super::hl7_time("20240104160527+0100").unwrap();
        assert_eq!(t.unix_timestamp(), 1_704_380_727);
        assert!(super::hl7_time("2024").is_none());
        assert!(super::hl7_time("20241304160527").is_none());
    }
}
