//! Writing a stored document's metadata back as an ebRIM `ExtrinsicObject`, the way the
//! registry returns it to ITI-18 (ids resolved to `urn:uuid:`, status, lid, version,
//! `hash`, `size`, `repositoryUniqueId`).

use segur_core::xml::{escape, escape_attribute};
use segur_documents::ebrim::{Classification, Slot, uuid};

use crate::store::StoredDocument;

/// The registry's own slots, written from the stored values rather than the submission.
const OWN_SLOTS: &[&str] = &["hash", "size", "repositoryUniqueId"];

/// The `ExtrinsicObject` of `document`, held by the repository `repository`.
pub fn entry(document: &StoredDocument, repository: &str) -> String {
    let e = &document.entry;
    let id = &document.entry_uuid;
    let mut out = String::with_capacity(4096);
    out.push_str(&format!(
        "<rim:ExtrinsicObject id=\"{}\" lid=\"{}\" status=\"{}\" mimeType=\"{}\" objectType=\"{}\">",
        escape_attribute(id),
        escape_attribute(&document.lid),
        escape_attribute(&document.status),
        escape_attribute(&document.mime_type),
        uuid::DOCUMENT_ENTRY
    ));
    for slot in e
        .slots
        .iter()
        .filter(|s| !OWN_SLOTS.contains(&s.name.as_str()))
    {
        push_slot(&mut out, slot);
    }
    for (name, value) in [
        ("hash", document.hash.clone()),
        ("size", document.size.to_string()),
        ("repositoryUniqueId", repository.to_string()),
    ] {
        push_slot(
            &mut out,
            &Slot {
                name: name.into(),
                values: vec![value],
            },
        );
    }
    if let Some(name) = &e.name {
        out.push_str(&format!(
            "<rim:Name><rim:LocalizedString value=\"{}\"/></rim:Name>",
            escape_attribute(name)
        ));
    }
    if let Some(description) = &e.description {
        out.push_str(&format!(
            "<rim:Description><rim:LocalizedString value=\"{}\"/></rim:Description>",
            escape_attribute(description)
        ));
    }
    out.push_str(&format!(
        "<rim:VersionInfo versionName=\"{}\"/>",
        document.version
    ));
    let mut n = 0;
    for c in e
        .classifications
        .iter()
        .filter(|c| c.scheme.as_deref() != Some(uuid::CONFIDENTIALITY))
    {
        n += 1;
        push_classification(&mut out, c, id, n);
    }
    for code in &document.confidentiality {
        n += 1;
        let scheme = if code == "N" {
            "2.16.840.1.113883.5.25"
        } else {
            "1.2.250.1.213.1.1.4.13"
        };
        push_classification(
            &mut out,
            &Classification {
                scheme: Some(uuid::CONFIDENTIALITY.into()),
                code: code.clone(),
                coding_scheme: Some(scheme.into()),
                ..Classification::default()
            },
            id,
            n,
        );
    }
    for (i, x) in e.external_ids.iter().enumerate() {
        let value = if x.scheme == uuid::PATIENT_ID {
            &document.patient_cx
        } else {
            &x.value
        };
        out.push_str(&format!(
            "<rim:ExternalIdentifier id=\"{id}-ei{i}\" registryObject=\"{}\" identificationScheme=\"{}\" value=\"{}\"/>",
            escape_attribute(id),
            escape_attribute(&x.scheme),
            escape_attribute(value)
        ));
    }
    out.push_str("</rim:ExtrinsicObject>");
    out
}

fn push_slot(out: &mut String, slot: &Slot) {
    out.push_str(&format!(
        "<rim:Slot name=\"{}\"><rim:ValueList>",
        escape_attribute(&slot.name)
    ));
    for v in &slot.values {
        out.push_str(&format!("<rim:Value>{}</rim:Value>", escape(v)));
    }
    out.push_str("</rim:ValueList></rim:Slot>");
}

fn push_classification(out: &mut String, c: &Classification, object: &str, n: usize) {
    out.push_str(&format!(
        "<rim:Classification id=\"{object}-c{n}\" classifiedObject=\"{}\" classificationScheme=\"{}\" nodeRepresentation=\"{}\">",
        escape_attribute(object),
        escape_attribute(c.scheme.as_deref().unwrap_or("")),
        escape_attribute(&c.code)
    ));
    for slot in &c.slots {
        push_slot(out, slot);
    }
    if !c.slots.iter().any(|s| s.name == "codingScheme")
        && let Some(scheme) = &c.coding_scheme
    {
        push_slot(
            out,
            &Slot {
                name: "codingScheme".into(),
                values: vec![scheme.clone()],
            },
        );
    }
    if let Some(display) = &c.display {
        out.push_str(&format!(
            "<rim:Name><rim:LocalizedString value=\"{}\"/></rim:Name>",
            escape_attribute(display)
        ));
    }
    out.push_str("</rim:Classification>");
}
