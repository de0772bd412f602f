//! TD2.1 = ITI-41 Provide and Register Document Set-b: every `Document` resolved (an MTOM
//! `cid:`; inline base64 is refused, as IHE requires MTOM/XOP), the metadata checked, patient ids compared (submission set,
//! entries, VIHF), hash and size, uniqueness, the signed submission set, RPLC, and the CDA
//! checks of each document; then the documents are registered.

use std::collections::HashMap;

use bytes::Bytes;
use segur_core::xml::Element;
use segur_documents::ebrim::{RegistryObject, RegistryObjects, association, status, uuid};
use segur_documents::{cda, sha1_hex};

use super::response::{RegistryError, registry_response};
use super::{XDSB, XOP, access, patient_key, signed_set, validate};
use crate::config::CdaPolicy;
use crate::exchange::{Answer, Ctx};
use crate::rules;
use crate::store::StoredDocument;

/// Answers an ITI-41 request.
pub fn answer(ctx: &mut Ctx<'_>, payload: &Element) -> Answer {
    let errors = provide(ctx, payload);
    ctx.note_outcome(&errors);
    Answer::xml(registry_response(&errors))
}

fn provide(ctx: &mut Ctx<'_>, payload: &Element) -> Vec<RegistryError> {
    let mut errors = Vec::new();
    let objects = RegistryObjects::read(payload);
    validate::check(&objects, &mut errors, &mut ctx.findings);
    let documents = match documents(ctx, payload, &objects) {
        Ok(d) => d,
        Err(e) => {
            errors.extend(e);
            return errors;
        }
    };
    let Some(set) = objects.submission_set() else {
        return errors;
    };
    let set_patient = set
        .external_id(uuid::SET_PATIENT_ID)
        .unwrap_or_default()
        .to_string();
    let key = patient_key(&set_patient);
    let vihf_patient = ctx
        .vihf
        .patient
        .as_ref()
        .map(|p| (p.number(), p.oid.clone()));
    if vihf_patient.as_ref() != Some(&key) {
        let why = format!(
            "the submission set's patientId {set_patient} is not the VIHF's resource-id {:?}",
            ctx.vihf.resource_id
        );
        ctx.findings.push(
            rules::PATIENT_MISMATCH
                .finding(why.clone())
                .at("RegistryPackage/ExternalIdentifier[patientId]"),
        );
        errors.push(RegistryError::new("XDSPatientIdDoesNotMatch", why));
    }
    for entry in &objects.entries {
        let patient = entry.external_id(uuid::PATIENT_ID).unwrap_or_default();
        if patient_key(patient) != key {
            let why = format!(
                "the entry {} has patientId {patient}, the submission set {set_patient}",
                entry.id
            );
            ctx.findings.push(
                rules::PATIENT_MISMATCH
                    .finding(why.clone())
                    .at(format!("ExtrinsicObject[@id='{}']", entry.id)),
            );
            errors.push(RegistryError::new("XDSPatientIdDoesNotMatch", why).at(entry.id.clone()));
        }
    }
    {
        let state = ctx.store.read();
        let record = state.patients.get(&key.0);
        if let Err(e) = access::open(record, &key.0) {
            ctx.findings.push(
                rules::DMP_STATE
                    .finding(e.context.clone())
                    .at("RegistryPackage/ExternalIdentifier[patientId]"),
            );
            errors.push(e);
        }
        if record.is_some_and(|r| r.opposes_feeding) {
            ctx.findings.push(rules::FEEDING_OPPOSITION.finding(format!("the patient {} opposed the feeding of the DMP, and a document was sent (the LPS records and applies the opposition)", key.0)));
        }
        for entry in &objects.entries {
            if let Some(unique) = entry.external_id(uuid::UNIQUE_ID)
                && state.by_unique_id.contains_key(unique)
            {
                let why = format!("uniqueId {unique} is already registered");
                ctx.findings.push(
                    rules::DUPLICATE
                        .finding(why.clone())
                        .at(format!("ExtrinsicObject[@id='{}']", entry.id)),
                );
                errors.push(
                    RegistryError::new("XDSDuplicateUniqueIdInRegistry", why)
                        .at(unique.to_string()),
                );
            }
        }
    }
    signed_set::check(ctx, &objects, &documents, &mut errors);
    let replaced = check_replacements(ctx, &objects, &key.0, &mut errors);
    for entry in &objects.entries {
        let Some(document) = documents.get(&entry.id) else {
            continue;
        };
        check_hash(ctx, entry, document, &mut errors);
        // A CDA, or a self-presentable one (its producer's stylesheet holding it).
        let xml = matches!(
            entry.mime_type.as_deref(),
            Some("text/xml") | Some(cda::SELF_PRESENTABLE_MIME)
        );
        if !validate::is_signature(entry) && xml {
            check_cda(ctx, entry, document, &key, &mut errors);
        }
    }
    if !errors.is_empty() {
        return errors;
    }
    register(ctx, &objects, &documents, &set_patient, &key.0, &replaced);
    errors
}

/// A document of the request.
pub(crate) struct Received {
    /// Its bytes, transfer encoding undone.
    pub(crate) bytes: Bytes,
    /// The `charset` of its MIME part, if any (the kit sends `Cp1252`).
    charset: Option<String>,
    /// Its SHA-1, hex: compared with the `hash` slot, then stored.
    sha1: String,
}

/// Every `Document` of the body, by the id of its entry.
fn documents(
    ctx: &mut Ctx<'_>,
    payload: &Element,
    objects: &RegistryObjects,
) -> Result<HashMap<String, Received>, Vec<RegistryError>> {
    let mut out = HashMap::new();
    let mut errors = Vec::new();
    for document in payload.children_named(XDSB, "Document") {
        let id = document.attr("id").unwrap_or_default().to_string();
        let (bytes, charset) = match document.child(XOP, "Include") {
            Some(include) => {
                let href = include.attr("href").unwrap_or_default();
                match ctx.incoming.resolve(href) {
                    Some(part) => (part.bytes.clone(), part.charset()),
                    None => {
                        let why = format!(
                            "the Document {id} points at {href}, which no MIME part carries"
                        );
                        ctx.findings.push(
                            rules::MTOM
                                .finding(why.clone())
                                .at(format!("Document[@id='{id}']/Include")),
                        );
                        errors.push(RegistryError::new("XDSRepositoryError", why).at(id.clone()));
                        continue;
                    }
                }
            }
            None => {
                // IHE ITI TF-2b 3.41.4.1.3: ITI-41 travels as MTOM/XOP, each Document an
                // xop:Include of its MIME part; inline base64 is refused as the DMP does.
                let why = format!(
                    "the Document {id} is inline, not an xop:Include: ITI-41 is sent as an MTOM/XOP package"
                );
                ctx.findings.push(
                    rules::MTOM
                        .finding(why.clone())
                        .at(format!("Document[@id='{id}']")),
                );
                errors.push(RegistryError::new("XDSRepositoryError", why).at(id.clone()));
                continue;
            }
        };
        if bytes.len() > ctx.config.max_document {
            let why = format!(
                "the Document {id} has {} bytes, more than the {} accepted",
                bytes.len(),
                ctx.config.max_document
            );
            ctx.findings.push(
                rules::SOAP_MALFORMED
                    .finding(why.clone())
                    .at(format!("Document[@id='{id}']")),
            );
            errors.push(RegistryError::new("XDSRepositoryOutOfResources", why).at(id.clone()));
            continue;
        }
        let entry = objects.entry(&id).or_else(|| {
            objects
                .entries
                .iter()
                .find(|e| e.id.eq_ignore_ascii_case(&id))
        });
        match entry {
            Some(e) => {
                if e.id != id {
                    ctx.findings.push(rules::METADATA.finding(format!("the Document id {id:?} matches the entry {:?} only without regard to case (XML ids are case-sensitive)", e.id)).at(format!("Document[@id='{id}']")).with_severity(segur_core::finding::Severity::Warning));
                }
                let sha1 = sha1_hex(&bytes);
                out.insert(
                    e.id.clone(),
                    Received {
                        bytes,
                        charset,
                        sha1,
                    },
                );
            }
            None => {
                let why = format!("the Document {id} has no ExtrinsicObject describing it");
                ctx.findings.push(
                    rules::METADATA
                        .finding(why.clone())
                        .at(format!("Document[@id='{id}']")),
                );
                errors.push(RegistryError::new("XDSMissingDocumentMetadata", why).at(id.clone()));
            }
        }
    }
    for entry in &objects.entries {
        if !out.contains_key(&entry.id)
            && !errors
                .iter()
                .any(|e| e.location.as_deref() == Some(entry.id.as_str()))
        {
            let why = format!("the entry {} has no Document", entry.id);
            ctx.findings.push(
                rules::METADATA
                    .finding(why.clone())
                    .at(format!("ExtrinsicObject[@id='{}']", entry.id)),
            );
            errors.push(RegistryError::new("XDSMissingDocument", why).at(entry.id.clone()));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The entries RPLC replaces: (new entry id, index of the replaced version).
fn check_replacements(
    ctx: &mut Ctx<'_>,
    objects: &RegistryObjects,
    patient: &str,
    errors: &mut Vec<RegistryError>,
) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let state = ctx.store.read();
    for a in objects
        .associations
        .iter()
        .filter(|a| a.kind == association::RPLC)
    {
        match state.by_entry_uuid(&a.target) {
            Some(i) if state.documents[i].patient != patient => {
                let why = format!("RPLC targets {}, a document of another patient", a.target);
                ctx.findings.push(
                    rules::REPLACEMENT
                        .finding(why.clone())
                        .at("Association[@associationType='RPLC']"),
                );
                errors.push(RegistryError::new("XDSPatientIdDoesNotMatch", why));
            }
            Some(i) if state.documents[i].status != status::APPROVED => {
                let why = format!(
                    "RPLC targets {}, whose status is {} (only the current version can be replaced)",
                    a.target, state.documents[i].status
                );
                ctx.findings.push(
                    rules::REPLACEMENT
                        .finding(why.clone())
                        .at("Association[@associationType='RPLC']"),
                );
                errors.push(RegistryError::new(
                    "XDSRegistryDeprecatedDocumentError",
                    why,
                ));
            }
            Some(i) => out.push((a.source.clone(), i)),
            None => {
                let why = format!(
                    "RPLC targets {}, which the registry does not hold",
                    a.target
                );
                ctx.findings.push(
                    rules::REPLACEMENT
                        .finding(why.clone())
                        .at("Association[@associationType='RPLC']"),
                );
                errors.push(RegistryError::new("XDSRegistryMetadataError", why));
            }
        }
    }
    out
}

fn check_hash(
    ctx: &mut Ctx<'_>,
    entry: &RegistryObject,
    document: &Received,
    errors: &mut Vec<RegistryError>,
) {
    let at = format!("ExtrinsicObject[@id='{}']", entry.id);
    let (bytes, actual) = (&document.bytes, &document.sha1);
    if let Some(hash) = entry.slot_value("hash")
        && !hash.eq_ignore_ascii_case(actual)
    {
        let why = format!(
            "the hash slot of {} says {hash}, the document's SHA-1 is {actual}",
            entry.id
        );
        ctx.findings
            .push(rules::HASH.finding(why.clone()).at(at.clone()));
        errors.push(RegistryError::new("XDSNonIdenticalHash", why).at(entry.id.clone()));
    }
    if let Some(size) = entry.slot_value("size")
        && size.parse::<usize>().ok() != Some(bytes.len())
    {
        let why = format!(
            "the size slot of {} says {size}, the document has {} bytes",
            entry.id,
            bytes.len()
        );
        ctx.findings.push(rules::HASH.finding(why.clone()).at(at));
        errors.push(RegistryError::new("XDSRepositoryMetadataError", why).at(entry.id.clone()));
    }
}

/// The confidentiality codes an entry is classified with.
pub fn confidentiality(entry: &RegistryObject) -> Vec<String> {
    entry
        .classified(uuid::CONFIDENTIALITY)
        .map(|c| c.code.clone())
        .collect()
}

/// The national id in an entry's `authorPerson` (its first XCN component), if a person.
pub fn author_person(entry: &RegistryObject) -> Option<String> {
    entry
        .classified(uuid::AUTHOR)
        .flat_map(|a| a.slots.iter())
        .find(|s| s.name == "authorPerson")
        .and_then(|s| s.values.first())
        .map(|p| p.split('^').next().unwrap_or_default().to_string())
        .filter(|p| !p.is_empty())
}

/// The metadata says what the document is: its typeCode is the CDA's `code`, and its
/// formatCode the one of its level and volet (spec notes dmp-mss.md §1.5, JDV_J60).
fn coherent_codes(ctx: &mut Ctx<'_>, entry: &RegistryObject, facts: &cda::CdaFacts, at: &str) {
    if let (Some(type_code), Some(code)) = (entry.classified(uuid::TYPE_CODE).next(), &facts.code)
        && type_code.code != code.code
    {
        ctx.findings.push(
            rules::METADATA
                .finding(format!(
                    "the typeCode {} of {} is not the CDA's code {}",
                    type_code.code, entry.id, code.code
                ))
                .at(at.to_string()),
        );
    }
    if let (Some(expected), Some(format)) = (
        cda::format_code(facts),
        entry.classified(uuid::FORMAT_CODE).next(),
    ) && format.code != expected
    {
        ctx.findings.push(
            rules::METADATA
                .finding(format!(
                    "the formatCode {} of {} is not the one of its level and volet ({expected})",
                    format.code, entry.id
                ))
                .at(at.to_string()),
        );
    }
}

fn check_cda(
    ctx: &mut Ctx<'_>,
    entry: &RegistryObject,
    document: &Received,
    key: &(String, String),
    errors: &mut Vec<RegistryError>,
) {
    let report = cda::check(&document.bytes, document.charset.as_deref());
    let at = format!("Document[@id='{}']", entry.id);
    for mut f in report.findings.iter().cloned() {
        f.location = Some(format!("{at}#{}", f.location.unwrap_or_default()));
        ctx.findings.push(f);
    }
    if let Some(facts) = &report.facts {
        if let (Some(id), Some(unique)) = (&facts.id, entry.external_id(uuid::UNIQUE_ID)) {
            let expected = match &id.extension {
                Some(ext) => format!("{}^{ext}", id.root),
                None => id.root.clone(),
            };
            if unique != expected && unique != id.root {
                ctx.findings.push(
                    rules::METADATA
                        .finding(format!(
                            "uniqueId {unique} is not the CDA's id ({expected})"
                        ))
                        .at(at.clone()),
                );
            }
        }
        coherent_codes(ctx, entry, facts, &at);
        // A self-presentable document (the producer's stylesheet holding the CDA) is
        // `application/xslt+xml`, a plain CDA `text/xml` (HL7DMP mapping of mimeType).
        let self_presentable =
            cda::is_self_presentable(&document.bytes, document.charset.as_deref());
        let declared = entry.mime_type.as_deref().unwrap_or_default();
        let expected = if self_presentable {
            cda::SELF_PRESENTABLE_MIME
        } else {
            "text/xml"
        };
        if declared != expected {
            ctx.findings.push(
                rules::METADATA
                    .finding(format!(
                        "the mimeType {declared:?} of {} is not {expected:?}: the document is {}",
                        entry.id,
                        if self_presentable {
                            "self-presentable (its producer's stylesheet holds the CDA)"
                        } else {
                            "a CDA without its stylesheet"
                        }
                    ))
                    .at(at.clone()),
            );
        }
        if let Some(ins) = &facts.ins
            && (ins.extension.as_deref() != Some(key.0.as_str()) || ins.root != key.1)
        {
            ctx.findings.push(
                rules::PATIENT_MISMATCH
                    .finding(format!(
                        "the CDA's INS {:?} ({}) is not the metadata's patient {}",
                        ins.extension, ins.root, key.0
                    ))
                    .at(at.clone()),
            );
        }
    }
    if !report.passes() {
        let broken: Vec<&str> = report.rules();
        ctx.findings.push(
            rules::CDA
                .finding(format!(
                    "the document {} fails the CDA checks: {}",
                    entry.id,
                    broken.join(", ")
                ))
                .at(at),
        );
        if ctx.config.cda == CdaPolicy::Refuse {
            errors.push(
                RegistryError::new(
                    "XDSRepositoryMetadataError",
                    format!(
                        "le document {} n'est pas conforme au CI-SIS : {}",
                        entry.id,
                        broken.join(", ")
                    ),
                )
                .at(entry.id.clone()),
            );
        }
    }
}

fn register(
    ctx: &mut Ctx<'_>,
    objects: &RegistryObjects,
    documents: &HashMap<String, Received>,
    set_patient: &str,
    patient: &str,
    replaced: &[(String, usize)],
) {
    let now = ctx.bench.clock().now();
    let submission_set = objects
        .submission_set()
        .and_then(|s| s.external_id(uuid::SET_UNIQUE_ID))
        .unwrap_or_default()
        .to_string();
    let mut state = ctx.store.write();
    let mut registered = Vec::new();
    for entry in &objects.entries {
        let Some(Received {
            bytes: content,
            sha1,
            ..
        }) = documents.get(&entry.id)
        else {
            continue;
        };
        let entry_uuid =
            if entry.id.starts_with("urn:uuid:") && !state.by_entry.contains_key(&entry.id) {
                entry.id.clone()
            } else {
                format!("urn:uuid:{}", uuid_v4())
            };
        let confidentiality = confidentiality(entry);
        let author = author_person(entry);
        let document = StoredDocument {
            lid: entry
                .lid
                .clone()
                .filter(|l| l.starts_with("urn:uuid:"))
                .unwrap_or_else(|| entry_uuid.clone()),
            entry_uuid: entry_uuid.clone(),
            version: 1,
            unique_id: entry
                .external_id(uuid::UNIQUE_ID)
                .unwrap_or_default()
                .to_string(),
            patient: patient.to_string(),
            patient_cx: set_patient.to_string(),
            status: status::APPROVED.to_string(),
            confidentiality,
            author,
            submitter: ctx.vihf.national_id.clone(),
            entry: entry.clone(),
            hash: sha1.clone(),
            size: content.len(),
            mime_type: entry.mime_type.clone().unwrap_or_else(|| "text/xml".into()),
            content: content.clone(),
            submitted_at: now,
            submission_set: submission_set.clone(),
            replaces: replaced
                .iter()
                .find(|(source, _)| *source == entry.id)
                .map(|(_, index)| state.documents[*index].entry_uuid.clone()),
            rendered: String::new(),
        };
        state.insert(document);
        registered.push(serde_json::json!({"id": entry.id, "entryUUID": entry_uuid}));
    }
    for (_, index) in replaced {
        state.documents[*index].status = status::DEPRECATED.to_string();
        state.touch(*index);
    }
    if let Some(record) = state.patients.get_mut(patient) {
        record.last_add = Some(now);
    }
    drop(state);
    ctx.note("registered", registered);
    if !replaced.is_empty() {
        ctx.note("replaced", replaced.len());
    }
}

/// A random UUID, as the registry assigns to entries submitted with symbolic ids.
pub fn uuid_v4() -> String {
    ::uuid::Uuid::new_v4().to_string()
}
