//! The XDS.b transactions as an LPS writes them: ITI-41 ([`Feed`]), ITI-18
//! ([`FindDocuments`]), ITI-43 ([`Retrieve`]) and ITI-57 ([`UpdateMetadata`],
//! [`ChangeStatus`]), with the French metadata of the spec notes §1.5.

use bytes::Bytes;
use segur_core::pki::Credential;
use segur_core::world::Ins;
use segur_core::xml::{escape, escape_attribute};
use segur_core::xmldsig::dsg::sign_manifest;
use segur_documents::cda;
use segur_documents::ebrim::{LCM, QUERY, RIM, association, status, uuid};
use segur_documents::sha1_hex;
use time::OffsetDateTime;

use super::{Caller, DmpRequest, RequestError};
use crate::patients::hl7_time as dtm;
use crate::xds::query::{FIND_DOCUMENTS, GET_DOCUMENTS};
use crate::xds::validate::SIGNATURE_FORMAT;
use crate::xds::{XDSB, XOP};

/// ITI-41's action.
pub const PROVIDE_ACTION: &str = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b";
/// ITI-18's action.
pub const QUERY_ACTION: &str = "urn:ihe:iti:2007:RegistryStoredQuery";
/// ITI-43's action.
pub const RETRIEVE_ACTION: &str = "urn:ihe:iti:2007:RetrieveDocumentSet";
/// ITI-57's action.
pub const UPDATE_ACTION: &str = "urn:ihe:iti:2010:UpdateDocumentSet";

/// TRE_A07 visibility codes (scheme `1.2.250.1.213.1.1.4.13`).
pub const VISIBILITY_SCHEME: &str = "1.2.250.1.213.1.1.4.13";
/// HL7 confidentiality (`N`).
pub const HL7_CONFIDENTIALITY: &str = "2.16.840.1.113883.5.25";

/// A coded value: code, coding scheme, display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    /// The code (`nodeRepresentation`).
    pub code: String,
    /// Its `codingScheme`.
    pub scheme: String,
    /// Its display name.
    pub label: String,
}

impl Code {
    /// A coded value.
    pub fn new(code: &str, scheme: &str, label: &str) -> Self {
        Self {
            code: code.into(),
            scheme: scheme.into(),
            label: label.into(),
        }
    }
}

/// One document of a feed and its entry's metadata.
#[derive(Debug, Clone)]
pub struct FeedDocument {
    /// The bytes sent as the MTOM part.
    pub bytes: Bytes,
    /// `mimeType` (`text/xml` for a CDA, `application/xslt+xml` for a self-presentable one).
    pub mime_type: String,
    /// `XDSDocumentEntry.uniqueId` (the CDA's `id`).
    pub unique_id: String,
    /// The title (`Name`).
    pub title: String,
    /// classCode (JDV_J57).
    pub class_code: Code,
    /// typeCode (LOINC or TRE_A05).
    pub type_code: Code,
    /// formatCode (JDV_J60); `None` until known (derived for level 1).
    pub format_code: Option<String>,
    /// practiceSettingCode.
    pub practice_setting: Code,
    /// TRE_A07 visibility codes added to `N`.
    pub visibility: Vec<String>,
    /// The `hash` slot; `None` writes the SHA-1 of `bytes`.
    pub hash: Option<String>,
    /// The `size` slot; `None` writes the length of `bytes`.
    pub size: Option<usize>,
}

impl FeedDocument {
    /// A CDA document: its uniqueId, typeCode and title come from its header, its
    /// formatCode from its level and volet (`cda::format_code`; set it with
    /// [`Self::format_code`] for a volet whose formatCode the bench does not know).
    pub fn cda(bytes: impl Into<Bytes>) -> Result<Self, RequestError> {
        let bytes = bytes.into();
        let facts = cda::read_facts(&bytes, None)
            .ok_or(RequestError::Missing("a readable CDA document"))?;
        let format_code = cda::format_code(&facts).map(str::to_string);
        let id = facts
            .id
            .ok_or(RequestError::Missing("the CDA's ClinicalDocument/id"))?;
        let unique_id = match id.extension {
            Some(ext) => format!("{}^{ext}", id.root),
            None => id.root,
        };
        let type_code = facts
            .code
            .map(|c| {
                Code::new(
                    &c.code,
                    c.system.as_deref().unwrap_or("2.16.840.1.113883.6.1"),
                    c.display.as_deref().unwrap_or(""),
                )
            })
            .ok_or(RequestError::Missing("the CDA's ClinicalDocument/code"))?;

        // A self-presentable document (the producer's stylesheet holding the CDA) is
        // declared as such (HL7DMP mapping: `application/xslt+xml`).
        let mime_type = if cda::is_self_presentable(&bytes, None) {
            cda::SELF_PRESENTABLE_MIME
        } else {
            "text/xml"
        };
        Ok(Self {
            bytes,
            mime_type: mime_type.into(),
            unique_id,
            title: facts.title.unwrap_or_else(|| type_code.label.clone()),
            class_code: Code::new("10", "1.2.250.1.213.1.1.4.1", "Compte rendu"),
            type_code,
            format_code,
            practice_setting: Code::new("AMBULATOIRE", "1.2.250.1.213.1.1.4.9", "Ambulatoire"),
            visibility: Vec::new(),
            hash: None,
            size: None,
        })
    }

    /// The formatCode (JDV_J60), e.g. `urn:asip:ci-sis:vsm:2012` for a VSM.
    pub fn format_code(mut self, code: impl Into<String>) -> Self {
        self.format_code = Some(code.into());
        self
    }

    /// The classCode (JDV_J57), e.g. `11` Synthèse.
    pub fn class_code(mut self, code: &str, label: &str) -> Self {
        self.class_code = Code::new(code, "1.2.250.1.213.1.1.4.1", label);
        self
    }

    /// Another uniqueId than the CDA's.
    pub fn unique_id(mut self, id: impl Into<String>) -> Self {
        self.unique_id = id.into();
        self
    }

    /// Hidden from other professionals (`MASQUE_PS`).
    pub fn masked_to_professionals(mut self) -> Self {
        self.visibility.push("MASQUE_PS".into());
        self
    }

    /// Not visible to the patient (`INVISIBLE_PATIENT`).
    pub fn invisible_to_patient(mut self) -> Self {
        self.visibility.push("INVISIBLE_PATIENT".into());
        self
    }

    /// Not visible to the legal representatives (`INVISIBLE_REP_LEGAUX`).
    pub fn invisible_to_legal_representatives(mut self) -> Self {
        self.visibility.push("INVISIBLE_REP_LEGAUX".into());
        self
    }

    /// A `hash` slot that is not the document's (the DMP answers `XDSNonIdenticalHash`).
    pub fn with_wrong_hash(mut self) -> Self {
        self.hash = Some("0000000000000000000000000000000000000000".into());
        self
    }
}

/// An ITI-41 feed (TD2.1): a submission set, its documents and, as the DMP requires, the
/// signature of the submission set (IHE DSG) in a second entry with its `signs`
/// association. The signature document is the IHE DSG / XAdES form the kit sends: a
/// `ds:Signature` over an `IHEManifest` holding each document's uniqueId and SHA-256, and
/// the XAdES signed properties (signing time, the certificate's digest), made with the
/// credential given.
#[derive(Debug, Clone)]
pub struct Feed {
    /// Author of the documents and of the submission set.
    author: Caller,
    /// The patient.
    patient: Ins,
    /// The documents.
    documents: Vec<FeedDocument>,
    /// The entryUUID the first document replaces (RPLC).
    replaces: Option<String>,
    /// The PKCS#8 key and DER certificate that sign the submission set; `None` with
    /// `signed` leaves the feed unbuildable.
    signer: Option<(Vec<u8>, Vec<u8>)>,
    /// Whether the signature entry is sent.
    signed: bool,
    /// Bytes the manifest covers instead of the first document's (an LPS that signed a
    /// draft and sent the final version).
    signed_draft: Option<Bytes>,
    /// The patientId written in the submission set (default: the patient's).
    set_patient: Option<String>,
    /// `submissionTime`, `creationTime`.
    now: OffsetDateTime,
}

impl Feed {
    /// A feed of documents about `patient` written by `author`.
    pub fn new(author: Caller, patient: Ins) -> Self {
        Self {
            author,
            patient,
            documents: Vec::new(),
            replaces: None,
            signer: None,
            signed: true,
            signed_draft: None,
            set_patient: None,
            now: OffsetDateTime::now_utc(),
        }
    }

    /// Adds a document.
    pub fn document(mut self, document: FeedDocument) -> Self {
        self.documents.push(document);
        self
    }

    /// The first document replaces the entry `entry_uuid` (RPLC).
    pub fn replacing(mut self, entry_uuid: impl Into<String>) -> Self {
        self.replaces = Some(entry_uuid.into());
        self
    }

    /// Signs the submission set with `credential` (a structure's `-sign` credential).
    pub fn signed_with(mut self, credential: &Credential) -> Self {
        self.signer = credential.chain.first().map(|certificate| {
            (
                credential.key.secret_der().to_vec(),
                certificate.as_ref().to_vec(),
            )
        });
        self
    }

    /// Sends no signature entry (the DMP refuses the feed).
    pub fn without_signature(mut self) -> Self {
        self.signed = false;
        self
    }

    /// Signs `draft` in place of the first document: the manifest no longer covers what is
    /// sent (the DMP refuses the feed).
    pub fn signing_a_draft(mut self, draft: impl Into<Bytes>) -> Self {
        self.signed_draft = Some(draft.into());
        self
    }

    /// Writes another patientId in the submission set than the entries'.
    pub fn submission_set_patient(mut self, cx: impl Into<String>) -> Self {
        self.set_patient = Some(cx.into());
        self
    }

    /// The time written in `submissionTime` and the signature's `creationTime`.
    pub fn at(mut self, now: OffsetDateTime) -> Self {
        self.now = now;
        self
    }

    /// The request, with `vihf` in its header, documents as MTOM parts.
    pub fn build(&self, vihf: &str) -> Result<DmpRequest, RequestError> {
        let (body, attachments) = self.provide_body()?;
        Ok(DmpRequest::mtom(
            "repository",
            PROVIDE_ACTION,
            vihf,
            &body,
            &attachments,
        ))
    }

    /// The `ProvideAndRegisterDocumentSetRequest` alone (its `RegistryObjectList` and
    /// `xop:Include`s), without envelope or MIME parts: what the bench reads when it
    /// deposits a document as another professional would (`crate::deposit`).
    pub fn registry_objects(&self) -> Result<String, RequestError> {
        self.provide_body().map(|(body, _)| body)
    }

    /// The request body and its MTOM attachments (cid, content type, bytes).
    #[allow(clippy::type_complexity)]
    fn provide_body(&self) -> Result<(String, Vec<(String, String, Bytes)>), RequestError> {
        if self.documents.is_empty() {
            return Err(RequestError::Missing("at least one document"));
        }
        let now = dtm(self.now);
        let stamp = self.now.unix_timestamp_nanos();
        let cx = self.patient.cx();
        let set_cx = self.set_patient.clone().unwrap_or_else(|| cx.clone());
        let mut objects = String::new();
        let mut body_documents = String::new();
        let mut attachments = Vec::new();
        let mut associations = String::new();
        let mut entries = Vec::new();
        for (i, document) in self.documents.iter().enumerate() {
            let id = format!("Document{:02}", i + 1);
            let format = document
                .format_code
                .clone()
                .ok_or(RequestError::Missing("the formatCode of a structured CDA"))?;
            let mut confidentiality = vec![Code::new("N", HL7_CONFIDENTIALITY, "Normal")];
            confidentiality.extend(
                document
                    .visibility
                    .iter()
                    .map(|v| Code::new(v, VISIBILITY_SCHEME, v)),
            );
            objects.push_str(
                &self.entry(
                    &id,
                    &EntryMetadata {
                        mime_type: &document.mime_type,
                        title: &document.title,
                        language: "fr-FR",
                        creation_time: &now,
                        hash: document
                            .hash
                            .clone()
                            .unwrap_or_else(|| sha1_hex(&document.bytes)),
                        size: document.size.unwrap_or(document.bytes.len()),
                        class_code: &document.class_code,
                        type_code: &document.type_code,
                        format_code: &Code::new(&format, "1.3.6.1.4.1.19376.1.2.3", &format),
                        practice_setting: &document.practice_setting,
                        confidentiality: &confidentiality,
                        unique_id: &document.unique_id,
                    },
                ),
            );
            associations.push_str(&has_member(&format!("as{:02}", i + 1), &id, None));
            let cid = format!("{id}@segur-bench");
            body_documents.push_str(&include(&id, &cid));
            attachments.push((
                cid,
                "text/xml; charset=UTF-8".to_string(),
                document.bytes.clone(),
            ));
            let signed = match (&self.signed_draft, i) {
                (Some(draft), 0) => draft.clone(),
                _ => document.bytes.clone(),
            };
            entries.push((document.unique_id.clone(), signed));
        }
        if let Some(target) = &self.replaces {
            associations.push_str(&format!(
                "<rim:Association id=\"rplc01\" associationType=\"{}\" sourceObject=\"Document01\" targetObject=\"{}\"/>",
                association::RPLC,
                escape_attribute(target)
            ));
        }
        if self.signed {
            let signer = self.signer.as_ref().ok_or(RequestError::Missing(
                "the credential that signs the submission set (Feed::signed_with)",
            ))?;
            let signature_id = format!("1.2.250.1.999.1.1.{stamp}.99");
            let signature = Bytes::from(manifest_signature(
                &entries,
                &signature_id,
                self.now,
                signer,
            )?);
            objects.push_str(&self.entry(
                "Signature01",
                &EntryMetadata {
                    mime_type: "text/xml",
                    title: "Signature du lot de soumission",
                    language: "art",
                    creation_time: &now,
                    hash: sha1_hex(&signature),
                    size: signature.len(),
                    class_code: &Code::new(
                        "urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1",
                        "URN",
                        "Digital Signature",
                    ),
                    type_code: &Code::new("E1762", "ASTM", "Full Document"),
                    format_code: &Code::new(
                        SIGNATURE_FORMAT,
                        "http://www.w3.org/2000/09/xmldsig#",
                        "Default Signature Style",
                    ),
                    practice_setting: &self.documents[0].practice_setting,
                    confidentiality: &[
                        Code::new("N", HL7_CONFIDENTIALITY, "Normal"),
                        Code::new("MASQUE_PS", VISIBILITY_SCHEME, "MASQUE_PS"),
                        Code::new("INVISIBLE_PATIENT", VISIBILITY_SCHEME, "INVISIBLE_PATIENT"),
                    ],
                    unique_id: &signature_id,
                },
            ));
            associations.push_str(&has_member("asSig", "Signature01", None));
            associations.push_str(&format!(
                "<rim:Association id=\"signs01\" associationType=\"{}\" sourceObject=\"Signature01\" targetObject=\"SubmissionSet01\"/>",
                association::SIGNS
            ));
            let cid = "Signature01@segur-bench".to_string();
            body_documents.push_str(&include("Signature01", &cid));
            attachments.push((cid, "text/xml; charset=UTF-8".into(), signature));
        }
        let set = format!(
            concat!(
                "<rim:RegistryPackage id=\"SubmissionSet01\">",
                "{submission_time}",
                "<rim:Name><rim:LocalizedString value=\"Lot de soumission\"/></rim:Name>",
                "{author}",
                "{content_type}",
                "<rim:Classification id=\"clSet\" classificationNode=\"{node}\" classifiedObject=\"SubmissionSet01\"/>",
                "{identifiers}",
                "</rim:RegistryPackage>"
            ),
            submission_time = slot("submissionTime", &[&now]),
            author = author_classification(
                &self.author,
                "clSetAuthor",
                uuid::SET_AUTHOR,
                "SubmissionSet01"
            ),
            content_type = classification(
                "clSetType",
                uuid::SET_CONTENT_TYPE,
                "SubmissionSet01",
                &Code::new("07", "1.2.250.1.213.2.2", "Consultation externe"),
            ),
            node = uuid::SUBMISSION_SET,
            identifiers = set_identifiers(&set_cx, stamp),
        );
        let body = format!(
            "<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb=\"{XDSB}\" xmlns:lcm=\"{LCM}\" xmlns:rim=\"{RIM}\" xmlns:xop=\"{XOP}\"><lcm:SubmitObjectsRequest><rim:RegistryObjectList>{set}{objects}{associations}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>{body_documents}</xdsb:ProvideAndRegisterDocumentSetRequest>"
        );
        Ok((body, attachments))
    }

    fn entry(&self, id: &str, m: &EntryMetadata<'_>) -> String {
        let cx = self.patient.cx();
        let mut out = format!(
            "<rim:ExtrinsicObject id=\"{id}\" mimeType=\"{}\" objectType=\"{}\">",
            escape_attribute(m.mime_type),
            uuid::DOCUMENT_ENTRY
        );
        out.push_str(&slot("creationTime", &[m.creation_time]));
        out.push_str(&slot("hash", &[&m.hash]));
        out.push_str(&slot("languageCode", &[m.language]));
        out.push_str(&slot("legalAuthenticator", &[&self.author.author_person()]));
        out.push_str(&slot("size", &[&m.size.to_string()]));
        out.push_str(&slot("sourcePatientId", &[&cx]));
        out.push_str(&format!(
            "<rim:Name><rim:LocalizedString value=\"{}\"/></rim:Name>",
            escape_attribute(m.title)
        ));
        out.push_str(&author_classification(
            &self.author,
            &format!("{id}-author"),
            uuid::AUTHOR,
            id,
        ));
        for (n, (scheme, code)) in [
            (uuid::CLASS_CODE, m.class_code),
            (uuid::TYPE_CODE, m.type_code),
            (uuid::FORMAT_CODE, m.format_code),
            (uuid::PRACTICE_SETTING, m.practice_setting),
        ]
        .into_iter()
        .enumerate()
        {
            out.push_str(&classification(&format!("{id}-c{n}"), scheme, id, code));
        }
        out.push_str(&classification(
            &format!("{id}-sector"),
            uuid::FACILITY_TYPE,
            id,
            &Code::new(
                &self.author.sector,
                "1.2.250.1.71.4.2.4",
                &self.author.sector,
            ),
        ));
        for (n, code) in m.confidentiality.iter().enumerate() {
            out.push_str(&classification(
                &format!("{id}-conf{n}"),
                uuid::CONFIDENTIALITY,
                id,
                code,
            ));
        }
        out.push_str(&external_id(
            &format!("{id}-patient"),
            uuid::PATIENT_ID,
            id,
            &cx,
            "XDSDocumentEntry.patientId",
        ));
        out.push_str(&external_id(
            &format!("{id}-unique"),
            uuid::UNIQUE_ID,
            id,
            m.unique_id,
            "XDSDocumentEntry.uniqueId",
        ));
        out.push_str("</rim:ExtrinsicObject>");
        out
    }
}

/// What differs between the entries of a feed.
struct EntryMetadata<'a> {
    mime_type: &'a str,
    title: &'a str,
    language: &'a str,
    creation_time: &'a str,
    hash: String,
    size: usize,
    class_code: &'a Code,
    type_code: &'a Code,
    format_code: &'a Code,
    practice_setting: &'a Code,
    confidentiality: &'a [Code],
    unique_id: &'a str,
}

/// The submission set's signature (IHE DSG): a manifest of the documents, by uniqueId.
fn manifest_signature(
    entries: &[(String, Bytes)],
    signature_id: &str,
    now: OffsetDateTime,
    (key, certificate): &(Vec<u8>, Vec<u8>),
) -> Result<String, RequestError> {
    let uris: Vec<String> = entries
        .iter()
        .map(|(unique, _)| format!("urn:oid:{unique}"))
        .collect();
    let documents: Vec<(&str, &[u8])> = uris
        .iter()
        .zip(entries)
        .map(|(uri, (_, bytes))| (uri.as_str(), bytes.as_ref()))
        .collect();
    let signing_time = super::xs_date_time(now);
    sign_manifest(&documents, signature_id, &signing_time, key, certificate)
        .map_err(|e| RequestError::Sign(e.to_string()))
}

/// The submission set's patientId, sourceId and uniqueId (made unique by `stamp`).
fn set_identifiers(cx: &str, stamp: i128) -> String {
    [
        (uuid::SET_PATIENT_ID, cx.to_string(), "patientId"),
        (
            uuid::SET_SOURCE_ID,
            "1.2.250.1.999.1.1".to_string(),
            "sourceId",
        ),
        (
            uuid::SET_UNIQUE_ID,
            format!("1.2.250.1.999.1.1.{stamp}"),
            "uniqueId",
        ),
    ]
    .iter()
    .map(|(scheme, value, what)| {
        external_id(
            &format!("eiSet-{what}"),
            scheme,
            "SubmissionSet01",
            value,
            &format!("XDSSubmissionSet.{what}"),
        )
    })
    .collect()
}

/// The `author` classification of `object`: person, specialty, institution.
fn author_classification(author: &Caller, id: &str, scheme: &str, object: &str) -> String {
    format!(
        "<rim:Classification id=\"{id}\" classificationScheme=\"{scheme}\" classifiedObject=\"{object}\" nodeRepresentation=\"\">{}{}{}</rim:Classification>",
        slot("authorPerson", &[&author.author_person()]),
        slot("authorSpecialty", &[&author.author_specialty()]),
        slot("authorInstitution", &[&author.author_institution()]),
    )
}

fn slot(name: &str, values: &[&str]) -> String {
    let values: String = values
        .iter()
        .map(|v| format!("<rim:Value>{}</rim:Value>", escape(v)))
        .collect();
    format!("<rim:Slot name=\"{name}\"><rim:ValueList>{values}</rim:ValueList></rim:Slot>")
}

fn classification(id: &str, scheme: &str, object: &str, code: &Code) -> String {
    format!(
        "<rim:Classification id=\"{id}\" classificationScheme=\"{scheme}\" classifiedObject=\"{object}\" nodeRepresentation=\"{}\">{}<rim:Name><rim:LocalizedString value=\"{}\"/></rim:Name></rim:Classification>",
        escape_attribute(&code.code),
        slot("codingScheme", &[&code.scheme]),
        escape_attribute(&code.label)
    )
}

fn external_id(id: &str, scheme: &str, object: &str, value: &str, name: &str) -> String {
    format!(
        "<rim:ExternalIdentifier id=\"{id}\" identificationScheme=\"{scheme}\" registryObject=\"{object}\" value=\"{}\"><rim:Name><rim:LocalizedString value=\"{name}\"/></rim:Name></rim:ExternalIdentifier>",
        escape_attribute(value)
    )
}

fn has_member(id: &str, target: &str, previous_version: Option<u32>) -> String {
    let previous = previous_version
        .map(|v| slot("PreviousVersion", &[&v.to_string()]))
        .unwrap_or_default();
    format!(
        "<rim:Association id=\"{id}\" associationType=\"{}\" sourceObject=\"SubmissionSet01\" targetObject=\"{target}\">{}{previous}</rim:Association>",
        association::HAS_MEMBER,
        slot("SubmissionSetStatus", &["Original"])
    )
}

fn include(id: &str, cid: &str) -> String {
    format!("<xdsb:Document id=\"{id}\"><xop:Include href=\"cid:{cid}\"/></xdsb:Document>")
}

/// ITI-18 FindDocuments (or GetDocuments) on the registry.
#[derive(Debug, Clone)]
pub struct FindDocuments {
    /// `id` of the AdhocQuery.
    query: &'static str,
    /// The slots, name → values already quoted.
    slots: Vec<(String, String)>,
    /// `LeafClass` or `ObjectRef`.
    return_type: &'static str,
}

impl FindDocuments {
    /// The approved documents of `patient`.
    pub fn of(patient: &Ins) -> Self {
        Self {
            query: FIND_DOCUMENTS,
            slots: vec![
                (
                    "$XDSDocumentEntryPatientId".into(),
                    format!("'{}'", patient.cx()),
                ),
                (
                    "$XDSDocumentEntryStatus".into(),
                    format!("('{}')", status::APPROVED),
                ),
            ],
            return_type: "LeafClass",
        }
    }

    /// GetDocuments: the entries `entry_uuids`.
    pub fn get(entry_uuids: &[&str]) -> Self {
        let list: Vec<String> = entry_uuids.iter().map(|u| format!("'{u}'")).collect();
        Self {
            query: GET_DOCUMENTS,
            slots: vec![(
                "$XDSDocumentEntryEntryUUID".into(),
                format!("({})", list.join(",")),
            )],
            return_type: "LeafClass",
        }
    }

    /// GetRelatedDocuments: the entry `entry_uuid` and the versions linked to it by RPLC
    /// (the ones that replaced it, the one it replaced), with the associations.
    pub fn related(entry_uuid: &str) -> Self {
        Self {
            query: crate::xds::query::GET_RELATED,
            slots: vec![
                (
                    "$XDSDocumentEntryEntryUUID".into(),
                    format!("'{entry_uuid}'"),
                ),
                (
                    "$AssociationTypes".into(),
                    format!("('{}')", association::RPLC),
                ),
            ],
            return_type: "LeafClass",
        }
    }

    /// Replaces the status filter by `statuses`.
    pub fn statuses(mut self, statuses: &[&str]) -> Self {
        self.slots.retain(|(n, _)| n != "$XDSDocumentEntryStatus");
        let list: Vec<String> = statuses.iter().map(|s| format!("'{s}'")).collect();
        self.slots.push((
            "$XDSDocumentEntryStatus".into(),
            format!("({})", list.join(",")),
        ));
        self
    }

    /// Adds a code filter: `parameter` (`$XDSDocumentEntryClassCode`...) with `code^^scheme`.
    pub fn code(mut self, parameter: &str, code: &str, scheme: &str) -> Self {
        self.slots
            .push((parameter.into(), format!("('{code}^^{scheme}')")));
        self
    }

    /// Adds `$XDSDocumentEntryCreationTimeFrom` (HL7 DTM).
    pub fn created_from(mut self, dtm: &str) -> Self {
        self.slots
            .push(("$XDSDocumentEntryCreationTimeFrom".into(), dtm.into()));
        self
    }

    /// Asks for ObjectRefs instead of full entries.
    pub fn object_refs(mut self) -> Self {
        self.return_type = "ObjectRef";
        self
    }

    /// The request with `vihf`.
    pub fn build(&self, vihf: &str) -> DmpRequest {
        let slots: String = self
            .slots
            .iter()
            .map(|(name, value)| slot(name, &[value]))
            .collect();
        let body = format!(
            "<query:AdhocQueryRequest xmlns:query=\"{QUERY}\" xmlns:rim=\"{RIM}\"><query:ResponseOption returnComposedObjects=\"true\" returnType=\"{}\"/><rim:AdhocQuery id=\"{}\">{slots}</rim:AdhocQuery></query:AdhocQueryRequest>",
            self.return_type, self.query
        );
        DmpRequest::plain("registry", QUERY_ACTION, vihf, &body)
    }
}

/// ITI-43: documents by repository and uniqueId.
#[derive(Debug, Clone)]
pub struct Retrieve {
    /// (repositoryUniqueId, documentUniqueId) pairs.
    documents: Vec<(String, String)>,
}

impl Retrieve {
    /// The document `unique_id` of `repository`.
    pub fn document(repository: &str, unique_id: &str) -> Self {
        Self {
            documents: vec![(repository.into(), unique_id.into())],
        }
    }

    /// One more document.
    pub fn and(mut self, repository: &str, unique_id: &str) -> Self {
        self.documents.push((repository.into(), unique_id.into()));
        self
    }

    /// The request with `vihf`.
    pub fn build(&self, vihf: &str) -> DmpRequest {
        let requests: String = self
            .documents
            .iter()
            .map(|(repository, unique)| {
                format!(
                    "<xdsb:DocumentRequest><xdsb:RepositoryUniqueId>{}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>{}</xdsb:DocumentUniqueId></xdsb:DocumentRequest>",
                    escape(repository),
                    escape(unique)
                )
            })
            .collect();
        let body = format!(
            "<xdsb:RetrieveDocumentSetRequest xmlns:xdsb=\"{XDSB}\">{requests}</xdsb:RetrieveDocumentSetRequest>"
        );
        DmpRequest::plain("repository", RETRIEVE_ACTION, vihf, &body)
    }
}

/// ITI-57 metadata update (TD3.3a/b): a new version of an entry with other visibility
/// codes, linked to the current version by `PreviousVersion`.
#[derive(Debug, Clone)]
pub struct UpdateMetadata {
    /// Who updates.
    author: Caller,
    /// The patient.
    patient: Ins,
    /// The entry's logical id.
    lid: String,
    /// The version being replaced.
    previous_version: u32,
    /// The entry's uniqueId (unchanged).
    unique_id: String,
    /// The TRE_A07 codes of the new version.
    visibility: Vec<String>,
}

impl UpdateMetadata {
    /// A new version of the entry `lid` (current version `previous_version`, uniqueId
    /// `unique_id`) with no visibility restriction.
    pub fn new(
        author: Caller,
        patient: Ins,
        lid: &str,
        previous_version: u32,
        unique_id: &str,
    ) -> Self {
        Self {
            author,
            patient,
            lid: lid.into(),
            previous_version,
            unique_id: unique_id.into(),
            visibility: Vec::new(),
        }
    }

    /// Adds a TRE_A07 code (`MASQUE_PS`, `INVISIBLE_PATIENT`, `INVISIBLE_REP_LEGAUX`).
    pub fn visibility(mut self, code: &str) -> Self {
        self.visibility.push(code.into());
        self
    }

    /// The request with `vihf`.
    pub fn build(&self, vihf: &str) -> DmpRequest {
        let cx = self.patient.cx();
        let now = dtm(OffsetDateTime::now_utc());
        let mut confidentiality = vec![Code::new("N", HL7_CONFIDENTIALITY, "Normal")];
        confidentiality.extend(
            self.visibility
                .iter()
                .map(|v| Code::new(v, VISIBILITY_SCHEME, v)),
        );
        let classifications: String = confidentiality
            .iter()
            .enumerate()
            .map(|(n, c)| classification(&format!("conf{n}"), uuid::CONFIDENTIALITY, "Update01", c))
            .collect();
        let entry = format!(
            "<rim:ExtrinsicObject id=\"Update01\" lid=\"{}\" objectType=\"{}\" mimeType=\"text/xml\">{classifications}{}{}</rim:ExtrinsicObject>",
            escape_attribute(&self.lid),
            uuid::DOCUMENT_ENTRY,
            external_id(
                "upPatient",
                uuid::PATIENT_ID,
                "Update01",
                &cx,
                "XDSDocumentEntry.patientId"
            ),
            external_id(
                "upUnique",
                uuid::UNIQUE_ID,
                "Update01",
                &self.unique_id,
                "XDSDocumentEntry.uniqueId"
            ),
        );
        let body = update_request(
            &self.author,
            &cx,
            &now,
            &format!(
                "{entry}{}",
                has_member("asUpdate", "Update01", Some(self.previous_version))
            ),
        );
        DmpRequest::plain("registry", UPDATE_ACTION, vihf, &body)
    }
}

/// ITI-57 availability status change (TD3.3c/d): archive, unarchive, logical deletion.
#[derive(Debug, Clone)]
pub struct ChangeStatus {
    /// Who asks.
    author: Caller,
    /// The patient.
    patient: Ins,
    /// The entry.
    entry_uuid: String,
    /// Its current status.
    original: String,
    /// The new one.
    new: String,
}

impl ChangeStatus {
    /// Logical deletion of the approved entry `entry_uuid` (the author only).
    pub fn delete(author: Caller, patient: Ins, entry_uuid: &str) -> Self {
        Self::new(
            author,
            patient,
            entry_uuid,
            status::APPROVED,
            status::DELETED,
        )
    }

    /// Archiving of the approved entry `entry_uuid`.
    pub fn archive(author: Caller, patient: Ins, entry_uuid: &str) -> Self {
        Self::new(
            author,
            patient,
            entry_uuid,
            status::APPROVED,
            status::ARCHIVED,
        )
    }

    /// Any change from `original` to `new`.
    pub fn new(author: Caller, patient: Ins, entry_uuid: &str, original: &str, new: &str) -> Self {
        Self {
            author,
            patient,
            entry_uuid: entry_uuid.into(),
            original: original.into(),
            new: new.into(),
        }
    }

    /// The request with `vihf`.
    pub fn build(&self, vihf: &str) -> DmpRequest {
        let cx = self.patient.cx();
        let now = dtm(OffsetDateTime::now_utc());
        let change = format!(
            "<rim:Association id=\"status01\" associationType=\"{}\" sourceObject=\"SubmissionSet01\" targetObject=\"{}\">{}{}</rim:Association>",
            association::UPDATE_AVAILABILITY,
            escape_attribute(&self.entry_uuid),
            slot("OriginalStatus", &[&self.original]),
            slot("NewStatus", &[&self.new]),
        );
        let body = update_request(&self.author, &cx, &now, &change);
        DmpRequest::plain("registry", UPDATE_ACTION, vihf, &body)
    }
}

/// An ITI-57 `SubmitObjectsRequest`: a submission set for `cx` by `author`, then `content`.
fn update_request(author: &Caller, cx: &str, now: &str, content: &str) -> String {
    let stamp = OffsetDateTime::now_utc().unix_timestamp_nanos();
    format!(
        concat!(
            "<lcm:SubmitObjectsRequest xmlns:lcm=\"{lcm}\" xmlns:rim=\"{rim}\"><rim:RegistryObjectList>",
            "<rim:RegistryPackage id=\"SubmissionSet01\">{time}{author}",
            "<rim:Classification id=\"clSet\" classificationNode=\"{node}\" classifiedObject=\"SubmissionSet01\"/>",
            "{identifiers}</rim:RegistryPackage>{content}",
            "</rim:RegistryObjectList></lcm:SubmitObjectsRequest>"
        ),
        lcm = LCM,
        rim = RIM,
        time = slot("submissionTime", &[now]),
        author = author_classification(author, "clSetAuthor", uuid::SET_AUTHOR, "SubmissionSet01"),
        node = uuid::SUBMISSION_SET,
        identifiers = set_identifiers(cx, stamp),
        content = content,
    )
}
