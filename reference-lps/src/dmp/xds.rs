//! XDS.b as the DMP takes it: ITI-41 (TD2.1, feed, with the signed submission set and
//! RPLC), ITI-18 (TD3.1, FindDocuments with criteria), ITI-43 (TD3.2, several documents at
//! once) and ITI-57 (TD3.3, visibility and deletion).

use crate::xml::{Node, attr, text};

use super::professional::Professional;

/// ITI-41.
pub const PROVIDE_ACTION: &str = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b";
/// ITI-18.
pub const QUERY_ACTION: &str = "urn:ihe:iti:2007:RegistryStoredQuery";
/// ITI-43.
pub const RETRIEVE_ACTION: &str = "urn:ihe:iti:2007:RetrieveDocumentSet";
/// ITI-57.
pub const UPDATE_ACTION: &str = "urn:ihe:iti:2010:UpdateDocumentSet";

const RIM: &str = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0";
const LCM: &str = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0";
const QUERY: &str = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0";
const XDSB: &str = "urn:ihe:iti:xds-b:2007";
const XOP: &str = "http://www.w3.org/2004/08/xop/include";

/// The IHE XDS metadata UUIDs.
pub mod scheme {
    /// Submission set node.
    pub const SUBMISSION_SET: &str = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd";
    /// Submission set author.
    pub const SET_AUTHOR: &str = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d";
    /// Submission set contentTypeCode.
    pub const SET_CONTENT_TYPE: &str = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500";
    /// Submission set patientId.
    pub const SET_PATIENT_ID: &str = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446";
    /// Submission set sourceId.
    pub const SET_SOURCE_ID: &str = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832";
    /// Submission set uniqueId.
    pub const SET_UNIQUE_ID: &str = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8";
    /// Document entry object type.
    pub const DOCUMENT_ENTRY: &str = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1";
    /// Entry author.
    pub const AUTHOR: &str = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d";
    /// classCode.
    pub const CLASS_CODE: &str = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a";
    /// confidentialityCode.
    pub const CONFIDENTIALITY: &str = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f";
    /// formatCode.
    pub const FORMAT_CODE: &str = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d";
    /// healthcareFacilityTypeCode.
    pub const FACILITY_TYPE: &str = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1";
    /// practiceSettingCode.
    pub const PRACTICE_SETTING: &str = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead";
    /// typeCode.
    pub const TYPE_CODE: &str = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983";
    /// Entry patientId.
    pub const PATIENT_ID: &str = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427";
    /// Entry uniqueId.
    pub const UNIQUE_ID: &str = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab";
    /// FindDocuments.
    pub const FIND_DOCUMENTS: &str = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d";
    /// GetDocuments.
    pub const GET_DOCUMENTS: &str = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4";
    /// GetRelatedDocuments.
    pub const GET_RELATED: &str = "urn:uuid:d90e5407-b356-4d91-a89f-873917b4b0e6";
    /// The replacement association.
    pub const RPLC: &str = "urn:ihe:iti:2007:AssociationType:RPLC";
}

/// Availability statuses.
pub mod status {
    /// Current.
    pub const APPROVED: &str = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved";
    /// Logically deleted (DMP).
    pub const DELETED: &str = "urn:asip:ci-sis:2010:StatusType:Deleted";
    /// Replaced by a newer version.
    pub const DEPRECATED: &str = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated";
}

/// A code and its system (and label).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Code {
    /// Code.
    pub code: String,
    /// Coding scheme.
    pub system: String,
    /// Display name.
    pub label: String,
}

impl Code {
    /// A code.
    pub fn new(code: &str, system: &str, label: &str) -> Self {
        Self {
            code: code.into(),
            system: system.into(),
            label: label.into(),
        }
    }
}

/// The classCode of a submission set's signature (IHE DSG).
pub const SIGNATURE_CLASS: &str = "urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1";

/// TRE_A07 visibility codes beside `N`.
pub const VISIBILITY_SYSTEM: &str = "1.2.250.1.213.1.1.4.13";

/// One document as the LPS feeds it: its metadata are kept so a later ITI-57 update
/// re-sends them whole.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry {
    /// `entryUUID` (chosen by the LPS: `urn:uuid:…`).
    pub entry_uuid: String,
    /// Logical id (the first version's entryUUID).
    pub lid: String,
    /// Metadata version (1, then +1 per ITI-57 update).
    pub version: u32,
    /// `uniqueId` (the CDA's `id@root`).
    pub unique_id: String,
    /// Patient id (CX).
    pub patient: String,
    /// Title.
    pub title: String,
    /// `mimeType`.
    pub mime_type: String,
    /// `creationTime` (the document's own date; HISTO.03: the business date).
    pub creation_time: String,
    /// `serviceStartTime`, the act's date.
    pub service_start: String,
    /// classCode (JDV_J57).
    pub class_code: Code,
    /// typeCode (LOINC).
    pub type_code: Code,
    /// formatCode (JDV_J60).
    pub format_code: Code,
    /// practiceSettingCode.
    pub practice_setting: Code,
    /// TRE_A07 codes beside `N`.
    pub visibility: Vec<String>,
    /// The author as a person (absent when they left: HISTO.04, the institution signs).
    pub author_person: Option<String>,
    /// authorSpecialty.
    pub author_specialty: String,
    /// authorInstitution.
    pub author_institution: String,
    /// healthcareFacilityTypeCode (`SAxx`).
    pub sector: String,
    /// SHA-1, hex.
    pub hash: String,
    /// Bytes.
    pub size: usize,
}

/// The DMP's `YYYYMMDDHHMMSS` (UTC).
pub fn dtm(t: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year][month][day][hour][minute][second]");
    t.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

fn slot(name: &str, values: &[&str]) -> String {
    let values: String = values
        .iter()
        .map(|v| format!("<rim:Value>{}</rim:Value>", text(v)))
        .collect();
    format!(
        "<rim:Slot name=\"{}\"><rim:ValueList>{values}</rim:ValueList></rim:Slot>",
        attr(name)
    )
}

fn name(value: &str) -> String {
    format!(
        "<rim:Name><rim:LocalizedString value=\"{}\"/></rim:Name>",
        attr(value)
    )
}

fn classification(id: &str, scheme: &str, object: &str, code: &Code) -> String {
    format!(
        "<rim:Classification id=\"{id}\" classificationScheme=\"{scheme}\" classifiedObject=\"{object}\" nodeRepresentation=\"{}\">{}{}</rim:Classification>",
        attr(&code.code),
        slot("codingScheme", &[&code.system]),
        name(&code.label)
    )
}

fn external_id(id: &str, scheme: &str, object: &str, value: &str, label: &str) -> String {
    format!(
        "<rim:ExternalIdentifier id=\"{id}\" identificationScheme=\"{scheme}\" registryObject=\"{object}\" value=\"{}\">{}</rim:ExternalIdentifier>",
        attr(value),
        name(label)
    )
}

fn author(
    id: &str,
    scheme: &str,
    object: &str,
    person: Option<&str>,
    specialty: &str,
    institution: &str,
) -> String {
    let person = person
        .map(|p| slot("authorPerson", &[p]))
        .unwrap_or_default();
    format!(
        "<rim:Classification id=\"{id}\" classificationScheme=\"{scheme}\" classifiedObject=\"{object}\" nodeRepresentation=\"\">{person}{}{}</rim:Classification>",
        slot("authorSpecialty", &[specialty]),
        slot("authorInstitution", &[institution])
    )
}

/// The `ExtrinsicObject` of an entry; `uri` names its file in an IHE_XDM subset.
fn extrinsic(e: &Entry, uri: Option<&str>) -> String {
    let id = &e.entry_uuid;
    let mut out = format!(
        "<rim:ExtrinsicObject id=\"{id}\" lid=\"{}\" mimeType=\"{}\" objectType=\"{}\">",
        attr(&e.lid),
        attr(&e.mime_type),
        scheme::DOCUMENT_ENTRY
    );
    out.push_str(&slot("creationTime", &[&e.creation_time]));
    out.push_str(&slot("hash", &[&e.hash]));
    out.push_str(&slot("languageCode", &["fr-FR"]));
    out.push_str(&slot("serviceStartTime", &[&e.service_start]));
    out.push_str(&slot("size", &[&e.size.to_string()]));
    out.push_str(&slot("sourcePatientId", &[&e.patient]));
    if let Some(uri) = uri {
        out.push_str(&slot("URI", &[uri]));
    }
    out.push_str(&name(&e.title));
    out.push_str(&author(
        &format!("{id}-author"),
        scheme::AUTHOR,
        id,
        e.author_person.as_deref(),
        &e.author_specialty,
        &e.author_institution,
    ));
    for (n, (s, code)) in [
        (scheme::CLASS_CODE, &e.class_code),
        (scheme::TYPE_CODE, &e.type_code),
        (scheme::FORMAT_CODE, &e.format_code),
        (scheme::PRACTICE_SETTING, &e.practice_setting),
    ]
    .into_iter()
    .enumerate()
    {
        out.push_str(&classification(&format!("{id}-c{n}"), s, id, code));
    }
    out.push_str(&classification(
        &format!("{id}-sector"),
        scheme::FACILITY_TYPE,
        id,
        &Code::new(&e.sector, "1.2.250.1.71.4.2.4", &e.sector),
    ));
    out.push_str(&classification(
        &format!("{id}-conf"),
        scheme::CONFIDENTIALITY,
        id,
        &Code::new("N", "2.16.840.1.113883.5.25", "Normal"),
    ));
    for (n, v) in e.visibility.iter().enumerate() {
        out.push_str(&classification(
            &format!("{id}-vis{n}"),
            scheme::CONFIDENTIALITY,
            id,
            &Code::new(v, VISIBILITY_SYSTEM, v),
        ));
    }
    out.push_str(&external_id(
        &format!("{id}-pid"),
        scheme::PATIENT_ID,
        id,
        &e.patient,
        "XDSDocumentEntry.patientId",
    ));
    out.push_str(&external_id(
        &format!("{id}-uid"),
        scheme::UNIQUE_ID,
        id,
        &e.unique_id,
        "XDSDocumentEntry.uniqueId",
    ));
    out.push_str("</rim:ExtrinsicObject>");
    out
}

/// The submission set: time, author, content type, ids.
fn submission_set(by: &Professional, patient: &str, now: &str) -> String {
    let set_id = format!(
        "1.2.250.1.999.1.1.{}",
        uuid::Uuid::new_v4().as_u128() % 1_000_000_000_000
    );
    format!(
        "<rim:RegistryPackage id=\"SubmissionSet01\">{}{}{}{}<rim:Classification id=\"clSet\" classificationNode=\"{}\" classifiedObject=\"SubmissionSet01\"/>{}{}{}</rim:RegistryPackage>",
        slot("submissionTime", &[now]),
        name("Lot de soumission"),
        author(
            "clSetAuthor",
            scheme::SET_AUTHOR,
            "SubmissionSet01",
            Some(&by.author_person()),
            &by.author_specialty(),
            &by.author_institution()
        ),
        classification(
            "clSetType",
            scheme::SET_CONTENT_TYPE,
            "SubmissionSet01",
            &Code::new("04", "1.2.250.1.213.2.2", "Hospitalisation de jour"),
        ),
        scheme::SUBMISSION_SET,
        external_id(
            "eiSetPid",
            scheme::SET_PATIENT_ID,
            "SubmissionSet01",
            patient,
            "XDSSubmissionSet.patientId"
        ),
        external_id(
            "eiSetSrc",
            scheme::SET_SOURCE_ID,
            "SubmissionSet01",
            "1.2.250.1.999.1.1",
            "XDSSubmissionSet.sourceId"
        ),
        external_id(
            "eiSetUid",
            scheme::SET_UNIQUE_ID,
            "SubmissionSet01",
            &set_id,
            "XDSSubmissionSet.uniqueId"
        ),
    )
}

fn has_member(id: &str, target: &str, previous: Option<u32>) -> String {
    let previous = previous
        .map(|v| slot("PreviousVersion", &[&v.to_string()]))
        .unwrap_or_default();
    format!(
        "<rim:Association id=\"{id}\" associationType=\"urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember\" sourceObject=\"SubmissionSet01\" targetObject=\"{}\">{}{previous}</rim:Association>",
        attr(target),
        slot("SubmissionSetStatus", &["Original"])
    )
}

/// One document of a feed: its entry and bytes.
pub struct FeedDocument {
    /// Metadata.
    pub entry: Entry,
    /// The CDA.
    pub bytes: Vec<u8>,
    /// The entry it replaces (RPLC), if any.
    pub replaces: Option<String>,
}

/// The ITI-41 body and its MTOM attachments: the documents, then the submission set's
/// signature (`signature`: the IHE DSG document, and its own entry).
pub fn provide(
    by: &Professional,
    patient: &str,
    now: &str,
    documents: &[FeedDocument],
    signature: Option<(Entry, Vec<u8>)>,
) -> (String, Vec<(String, String, Vec<u8>)>) {
    let mut objects = submission_set(by, patient, now);
    let mut associations = String::new();
    let mut includes = String::new();
    let mut attachments = Vec::new();
    let all = documents
        .iter()
        .map(|d| (&d.entry, &d.bytes, d.replaces.as_deref()))
        .chain(signature.as_ref().map(|(e, b)| (e, b, None)));
    for (n, (entry, bytes, replaces)) in all.enumerate() {
        objects.push_str(&extrinsic(entry, None));
        associations.push_str(&has_member(&format!("as{n:02}"), &entry.entry_uuid, None));
        if let Some(old) = replaces {
            associations.push_str(&format!(
                "<rim:Association id=\"rplc{n:02}\" associationType=\"urn:ihe:iti:2007:AssociationType:RPLC\" sourceObject=\"{}\" targetObject=\"{}\"/>",
                attr(&entry.entry_uuid),
                attr(old)
            ));
        }
        let cid = format!("doc{n:02}@lps");
        includes.push_str(&format!(
            "<xdsb:Document id=\"{}\"><xop:Include href=\"cid:{cid}\"/></xdsb:Document>",
            attr(&entry.entry_uuid)
        ));
        attachments.push((
            cid,
            format!("{}; charset=UTF-8", entry.mime_type),
            bytes.clone(),
        ));
    }
    if let Some((signature, _)) = &signature {
        associations.push_str(&format!(
            "<rim:Association id=\"signs01\" associationType=\"urn:ihe:iti:2007:AssociationType:signs\" sourceObject=\"{}\" targetObject=\"SubmissionSet01\"/>",
            attr(&signature.entry_uuid)
        ));
    }
    let body = format!(
        "<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb=\"{XDSB}\" xmlns:lcm=\"{LCM}\" xmlns:rim=\"{RIM}\" xmlns:xop=\"{XOP}\"><lcm:SubmitObjectsRequest><rim:RegistryObjectList>{objects}{associations}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>{includes}</xdsb:ProvideAndRegisterDocumentSetRequest>"
    );
    (body, attachments)
}

/// An IHE_XDM subset's `METADATA.XML`: the submission set and each document's entry
/// with the `URI` of its file (IHE ITI-32).
pub fn xdm_metadata(
    by: &Professional,
    patient: &str,
    now: &str,
    documents: &[(&Entry, &str)],
) -> String {
    let mut objects = submission_set(by, patient, now);
    let mut associations = String::new();
    for (n, (entry, uri)) in documents.iter().enumerate() {
        objects.push_str(&extrinsic(entry, Some(uri)));
        associations.push_str(&has_member(&format!("as{n:02}"), &entry.entry_uuid, None));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<lcm:SubmitObjectsRequest xmlns:lcm=\"{LCM}\" xmlns:rim=\"{RIM}\"><rim:RegistryObjectList>{objects}{associations}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>\n"
    )
}

/// Search criteria (TD3.1, UX.27).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct Criteria {
    /// classCode (JDV_J57 code).
    #[serde(default)]
    pub class_code: Option<String>,
    /// typeCode (LOINC).
    #[serde(default)]
    pub type_code: Option<String>,
    /// creationTime from (`YYYYMMDD`).
    #[serde(default)]
    pub created_from: Option<String>,
    /// creationTime to (`YYYYMMDD`).
    #[serde(default)]
    pub created_to: Option<String>,
    /// Author's national id.
    #[serde(default)]
    pub author: Option<String>,
}

impl Criteria {
    /// How many criteria are set.
    pub fn count(&self) -> usize {
        [
            &self.class_code,
            &self.type_code,
            &self.created_from,
            &self.created_to,
            &self.author,
        ]
        .iter()
        .filter(|c| c.is_some())
        .count()
    }
}

fn query_slot(name: &str, value: &str) -> String {
    format!(
        "<rim:Slot name=\"{name}\"><rim:ValueList><rim:Value>{}</rim:Value></rim:ValueList></rim:Slot>",
        text(value)
    )
}

/// The ITI-18 FindDocuments body (approved entries of `patient`, with `criteria`).
pub fn find_documents(patient: &str, criteria: &Criteria) -> String {
    let mut slots = query_slot("$XDSDocumentEntryPatientId", &format!("'{patient}'"));
    slots.push_str(&query_slot(
        "$XDSDocumentEntryStatus",
        &format!("('{}')", status::APPROVED),
    ));
    if let Some(c) = &criteria.class_code {
        slots.push_str(&query_slot(
            "$XDSDocumentEntryClassCode",
            &format!("('{c}^^1.2.250.1.213.1.1.4.1')"),
        ));
    }
    if let Some(t) = &criteria.type_code {
        slots.push_str(&query_slot(
            "$XDSDocumentEntryTypeCode",
            &format!("('{t}^^2.16.840.1.113883.6.1')"),
        ));
    }
    if let Some(from) = &criteria.created_from {
        slots.push_str(&query_slot("$XDSDocumentEntryCreationTimeFrom", from));
    }
    if let Some(to) = &criteria.created_to {
        slots.push_str(&query_slot("$XDSDocumentEntryCreationTimeTo", to));
    }
    if let Some(a) = &criteria.author {
        slots.push_str(&query_slot(
            "$XDSDocumentEntryAuthorPerson",
            &format!("('{a}%')"),
        ));
    }
    format!(
        "<query:AdhocQueryRequest xmlns:query=\"{QUERY}\" xmlns:rim=\"{RIM}\"><query:ResponseOption returnComposedObjects=\"true\" returnType=\"LeafClass\"/><rim:AdhocQuery id=\"{}\">{slots}</rim:AdhocQuery></query:AdhocQueryRequest>",
        scheme::FIND_DOCUMENTS
    )
}

fn stored_query(id: &str, slots: &str) -> String {
    format!(
        "<query:AdhocQueryRequest xmlns:query=\"{QUERY}\" xmlns:rim=\"{RIM}\"><query:ResponseOption returnComposedObjects=\"true\" returnType=\"LeafClass\"/><rim:AdhocQuery id=\"{id}\">{slots}</rim:AdhocQuery></query:AdhocQueryRequest>"
    )
}

/// The ITI-18 GetDocuments body: the entries of `unique_ids`, whatever their status (a
/// document integrated earlier may since have been replaced or deleted).
pub fn get_documents(unique_ids: &[&str]) -> String {
    let list: Vec<String> = unique_ids.iter().map(|u| format!("'{u}'")).collect();
    stored_query(
        scheme::GET_DOCUMENTS,
        &query_slot(
            "$XDSDocumentEntryUniqueId",
            &format!("({})", list.join(",")),
        ),
    )
}

/// The ITI-18 GetRelatedDocuments body: `entry_uuid` and the versions linked to it by RPLC.
pub fn related_documents(entry_uuid: &str) -> String {
    let mut slots = query_slot("$XDSDocumentEntryEntryUUID", &format!("'{entry_uuid}'"));
    slots.push_str(&query_slot(
        "$AssociationTypes",
        &format!("('{}')", scheme::RPLC),
    ));
    stored_query(scheme::GET_RELATED, &slots)
}

/// The RPLC associations of an ITI-18 answer: (new version's entryUUID, replaced one's).
pub fn read_replacements(body: &Node) -> Vec<(String, String)> {
    let mut associations = Vec::new();
    body.find_all("Association", &mut associations);
    associations
        .into_iter()
        .filter(|a| a.attr("associationType") == Some(scheme::RPLC))
        .filter_map(|a| {
            Some((
                a.attr("sourceObject")?.to_string(),
                a.attr("targetObject")?.to_string(),
            ))
        })
        .collect()
}

/// An entry found by ITI-18.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Found {
    /// entryUUID.
    pub entry_uuid: String,
    /// uniqueId.
    pub unique_id: String,
    /// repositoryUniqueId.
    pub repository: String,
    /// Title.
    pub title: String,
    /// classCode.
    pub class_code: String,
    /// typeCode.
    pub type_code: String,
    /// creationTime.
    pub creation_time: String,
    /// Author's national id (from authorPerson).
    pub author: Option<String>,
    /// Confidentiality codes.
    pub confidentiality: Vec<String>,
    /// SHA-1 (hex), to check what ITI-43 gives back.
    pub hash: String,
    /// availabilityStatus.
    pub status: String,
}

fn slot_value(object: &Node, slot: &str) -> Option<String> {
    object
        .children_named("Slot")
        .find(|s| s.attr("name") == Some(slot))
        .and_then(|s| s.text_of("Value"))
}

/// Reads an ITI-18 answer's entries.
pub fn read_found(body: &Node) -> Vec<Found> {
    let mut objects = Vec::new();
    body.find_all("ExtrinsicObject", &mut objects);
    objects
        .into_iter()
        .map(|o| {
            let classified = |s: &str| -> Vec<&Node> {
                o.children_named("Classification")
                    .filter(|c| c.attr("classificationScheme") == Some(s))
                    .collect()
            };
            let code = |s: &str| {
                classified(s)
                    .first()
                    .and_then(|c| c.attr("nodeRepresentation"))
                    .unwrap_or_default()
                    .to_string()
            };
            let author = classified(scheme::AUTHOR)
                .first()
                .and_then(|c| slot_value(c, "authorPerson"))
                .and_then(|p| p.split('^').next().map(str::to_string));
            Found {
                entry_uuid: o.attr("id").unwrap_or_default().to_string(),
                unique_id: o
                    .children_named("ExternalIdentifier")
                    .find(|e| e.attr("identificationScheme") == Some(scheme::UNIQUE_ID))
                    .and_then(|e| e.attr("value"))
                    .unwrap_or_default()
                    .to_string(),
                repository: slot_value(o, "repositoryUniqueId").unwrap_or_default(),
                title: o
                    .child("Name")
                    .and_then(|n| n.child("LocalizedString"))
                    .and_then(|l| l.attr("value"))
                    .unwrap_or_default()
                    .to_string(),
                class_code: code(scheme::CLASS_CODE),
                type_code: code(scheme::TYPE_CODE),
                creation_time: slot_value(o, "creationTime").unwrap_or_default(),
                author,
                confidentiality: classified(scheme::CONFIDENTIALITY)
                    .iter()
                    .filter_map(|c| c.attr("nodeRepresentation"))
                    .map(str::to_string)
                    .collect(),
                hash: slot_value(o, "hash").unwrap_or_default(),
                status: o.attr("status").unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// The ITI-43 body for several documents: (repositoryUniqueId, uniqueId).
pub fn retrieve(documents: &[(String, String)]) -> String {
    let requests: String = documents
        .iter()
        .map(|(repository, unique)| {
            format!(
                "<xdsb:DocumentRequest><xdsb:RepositoryUniqueId>{}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>{}</xdsb:DocumentUniqueId></xdsb:DocumentRequest>",
                text(repository),
                text(unique)
            )
        })
        .collect();
    format!(
        "<xdsb:RetrieveDocumentSetRequest xmlns:xdsb=\"{XDSB}\">{requests}</xdsb:RetrieveDocumentSetRequest>"
    )
}

/// Reads an ITI-43 answer: (uniqueId, the Content-ID or inline base64 of the bytes).
pub fn read_retrieved(body: &Node) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut responses = Vec::new();
    body.find_all("DocumentResponse", &mut responses);
    for r in responses {
        let unique = r.text_of("DocumentUniqueId").unwrap_or_default();
        let reference = r
            .child("Document")
            .map(|d| match d.child("Include").and_then(|i| i.attr("href")) {
                Some(href) => href.trim_start_matches("cid:").to_string(),
                None => d.text.trim().to_string(),
            })
            .unwrap_or_default();
        out.push((unique, reference));
    }
    out
}

/// An ITI-57 body: a new version of `entry` (full metadata, same `lid`, the previous
/// version named on its HasMember association).
pub fn update_metadata(by: &Professional, now: &str, entry: &Entry, previous: u32) -> String {
    let content = format!(
        "{}{}",
        extrinsic(entry, None),
        has_member("asUpdate", &entry.entry_uuid, Some(previous))
    );
    update_request(by, &entry.patient, now, &content)
}

/// An ITI-57 body: the availability status of `entry_uuid` from `original` to `new`.
pub fn change_status(
    by: &Professional,
    patient: &str,
    now: &str,
    entry_uuid: &str,
    original: &str,
    new: &str,
) -> String {
    let content = format!(
        "<rim:Association id=\"status01\" associationType=\"urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus\" sourceObject=\"SubmissionSet01\" targetObject=\"{}\">{}{}</rim:Association>",
        attr(entry_uuid),
        slot("OriginalStatus", &[original]),
        slot("NewStatus", &[new]),
    );
    update_request(by, patient, now, &content)
}

fn update_request(by: &Professional, patient: &str, now: &str, content: &str) -> String {
    format!(
        "<lcm:SubmitObjectsRequest xmlns:lcm=\"{LCM}\" xmlns:rim=\"{RIM}\"><rim:RegistryObjectList>{}{content}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>",
        submission_set(by, patient, now)
    )
}

/// A registry answer: `Ok(())` on success, the errors (code: context) otherwise.
pub fn read_status(body: &Node) -> Result<(), String> {
    let status = body.attr("status").unwrap_or_default();
    if status.ends_with(":Success") || status.ends_with(":PartialSuccess") {
        return Ok(());
    }
    let mut errors = Vec::new();
    body.find_all("RegistryError", &mut errors);
    let text = errors
        .iter()
        .map(|e| {
            format!(
                "{} : {}",
                e.attr("errorCode").unwrap_or("?"),
                e.attr("codeContext").unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(" ; ");
    Err(if text.is_empty() {
        format!("statut {status}")
    } else {
        text
    })
}
