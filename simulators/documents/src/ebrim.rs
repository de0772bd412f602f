//! ebRIM 3.0 metadata as IHE XDS.b carries it: a `RegistryObjectList` of one submission
//! set (`RegistryPackage`), document entries (`ExtrinsicObject`) and associations. Read
//! into plain values; what a service requires of them is that service's business.

use segur_core::xml::Element;

/// The ebRIM 3.0 namespace.
pub const RIM: &str = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0";
/// The ebRS 3.0 `rs` namespace (`RegistryResponse`, `RegistryErrorList`).
pub const RS: &str = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0";
/// The ebRS 3.0 `lcm` namespace (`SubmitObjectsRequest`).
pub const LCM: &str = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0";
/// The ebRS 3.0 `query` namespace (`AdhocQueryRequest`, `AdhocQueryResponse`).
pub const QUERY: &str = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0";

/// Classification, identification and object-type UUIDs of IHE ITI TF-3 (spec notes §1.5).
pub mod uuid {
    /// The classification node that makes a `RegistryPackage` a submission set.
    pub const SUBMISSION_SET: &str = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd";
    /// SubmissionSet.author.
    pub const SET_AUTHOR: &str = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d";
    /// SubmissionSet.contentTypeCode.
    pub const SET_CONTENT_TYPE: &str = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500";
    /// SubmissionSet.patientId.
    pub const SET_PATIENT_ID: &str = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446";
    /// SubmissionSet.sourceId.
    pub const SET_SOURCE_ID: &str = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832";
    /// SubmissionSet.uniqueId.
    pub const SET_UNIQUE_ID: &str = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8";
    /// The objectType of a stable DocumentEntry.
    pub const DOCUMENT_ENTRY: &str = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1";
    /// DocumentEntry.author.
    pub const AUTHOR: &str = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d";
    /// DocumentEntry.classCode.
    pub const CLASS_CODE: &str = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a";
    /// DocumentEntry.confidentialityCode.
    pub const CONFIDENTIALITY: &str = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f";
    /// DocumentEntry.eventCodeList.
    pub const EVENT_CODE: &str = "urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4";
    /// DocumentEntry.formatCode.
    pub const FORMAT_CODE: &str = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d";
    /// DocumentEntry.healthcareFacilityTypeCode.
    pub const FACILITY_TYPE: &str = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1";
    /// DocumentEntry.patientId.
    pub const PATIENT_ID: &str = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427";
    /// DocumentEntry.practiceSettingCode.
    pub const PRACTICE_SETTING: &str = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead";
    /// DocumentEntry.typeCode.
    pub const TYPE_CODE: &str = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983";
    /// DocumentEntry.uniqueId.
    pub const UNIQUE_ID: &str = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab";
}

/// Association types.
pub mod association {
    /// A set has a member (document entry, or another association).
    pub const HAS_MEMBER: &str = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember";
    /// The source entry replaces the target entry.
    pub const RPLC: &str = "urn:ihe:iti:2007:AssociationType:RPLC";
    /// The source (a signature document) signs the target (the submission set).
    pub const SIGNS: &str = "urn:ihe:iti:2007:AssociationType:signs";
    /// ITI-57: the target's availability status changes.
    pub const UPDATE_AVAILABILITY: &str =
        "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus";
}

/// Availability statuses (standard ebRIM, and the CI-SIS ones).
pub mod status {
    /// Current.
    pub const APPROVED: &str = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved";
    /// Replaced by a newer version.
    pub const DEPRECATED: &str = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated";
    /// Archived by its author (CI-SIS).
    pub const ARCHIVED: &str = "urn:asip:ci-sis:2010:StatusType:Archived";
    /// Logically deleted (CI-SIS).
    pub const DELETED: &str = "urn:asip:ci-sis:2010:StatusType:Deleted";
}

/// A coded classification (`nodeRepresentation` + `codingScheme` slot + display name).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Classification {
    /// `id`.
    pub id: String,
    /// `classificationScheme` (the metadata attribute's UUID), for external classifications.
    pub scheme: Option<String>,
    /// `classificationNode`, for internal ones (the submission-set marker).
    pub node: Option<String>,
    /// `classifiedObject`.
    pub classified: String,
    /// `nodeRepresentation`: the code.
    pub code: String,
    /// The `codingScheme` slot's first value.
    pub coding_scheme: Option<String>,
    /// `Name/LocalizedString/@value`.
    pub display: Option<String>,
    /// Every slot (the author's `authorPerson`, `authorSpecialty`...).
    pub slots: Vec<Slot>,
}

/// A named list of values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slot {
    /// `name`.
    pub name: String,
    /// `ValueList/Value` texts, in order.
    pub values: Vec<String>,
}

/// An `ExternalIdentifier`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalId {
    /// `identificationScheme`.
    pub scheme: String,
    /// `value`.
    pub value: String,
}

/// A `RegistryPackage` or an `ExtrinsicObject`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryObject {
    /// `id` (a symbolic id in a submission, an `urn:uuid:` once registered).
    pub id: String,
    /// `lid`, the logical id shared by every version (ITI-57).
    pub lid: Option<String>,
    /// `status`.
    pub status: Option<String>,
    /// `objectType`.
    pub object_type: Option<String>,
    /// `mimeType` (document entries).
    pub mime_type: Option<String>,
    /// `VersionInfo/@versionName`.
    pub version: Option<String>,
    /// `Name/LocalizedString/@value`.
    pub name: Option<String>,
    /// `Description/LocalizedString/@value` (the document's comments).
    pub description: Option<String>,
    /// Slots.
    pub slots: Vec<Slot>,
    /// Classifications nested in the object.
    pub classifications: Vec<Classification>,
    /// External identifiers.
    pub external_ids: Vec<ExternalId>,
}

impl RegistryObject {
    /// The values of slot `name`.
    pub fn slot(&self, name: &str) -> Option<&[String]> {
        slot_of(&self.slots, name)
    }

    /// The first value of slot `name`.
    pub fn slot_value(&self, name: &str) -> Option<&str> {
        self.slot(name).and_then(|v| v.first()).map(String::as_str)
    }

    /// The classifications of scheme `scheme`.
    pub fn classified(&self, scheme: &str) -> impl Iterator<Item = &Classification> {
        self.classifications
            .iter()
            .filter(move |c| c.scheme.as_deref() == Some(scheme))
    }

    /// The value of the external identifier of scheme `scheme`.
    pub fn external_id(&self, scheme: &str) -> Option<&str> {
        self.external_ids
            .iter()
            .find(|e| e.scheme == scheme)
            .map(|e| e.value.as_str())
    }
}

/// An `Association`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Association {
    /// `id`.
    pub id: String,
    /// `associationType`.
    pub kind: String,
    /// `sourceObject`.
    pub source: String,
    /// `targetObject`.
    pub target: String,
    /// Slots (`SubmissionSetStatus`, `PreviousVersion`, `OriginalStatus`, `NewStatus`...).
    pub slots: Vec<Slot>,
}

impl Association {
    /// The first value of slot `name`.
    pub fn slot_value(&self, name: &str) -> Option<&str> {
        slot_of(&self.slots, name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }
}

/// The content of a `RegistryObjectList`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryObjects {
    /// `RegistryPackage`s (the submission set).
    pub packages: Vec<RegistryObject>,
    /// `ExtrinsicObject`s (document entries).
    pub entries: Vec<RegistryObject>,
    /// `Association`s.
    pub associations: Vec<Association>,
    /// `Classification`s at list level (how some writers mark the submission set).
    pub classifications: Vec<Classification>,
}

impl RegistryObjects {
    /// Reads the first `RegistryObjectList` at or under `element`; an empty value if none.
    pub fn read(element: &Element) -> Self {
        let list = if element.is(RIM, "RegistryObjectList") {
            Some(element)
        } else {
            element
                .descendants()
                .into_iter()
                .find(|e| e.is(RIM, "RegistryObjectList"))
        };
        let mut out = Self::default();
        let Some(list) = list else {
            return out;
        };
        for child in list.elements() {
            if child.namespace.as_deref() != Some(RIM) {
                continue;
            }
            match child.name.as_str() {
                "RegistryPackage" => out.packages.push(object(child)),
                "ExtrinsicObject" => out.entries.push(object(child)),
                "Association" => out.associations.push(Association {
                    id: attr(child, "id"),
                    kind: attr(child, "associationType"),
                    source: attr(child, "sourceObject"),
                    target: attr(child, "targetObject"),
                    slots: slots(child),
                }),
                "Classification" => out.classifications.push(classification(child)),
                _ => {}
            }
        }
        out
    }

    /// The submission set: the package classified as one (inside or at list level), or
    /// the only package.
    pub fn submission_set(&self) -> Option<&RegistryObject> {
        let marked = |p: &&RegistryObject| {
            p.classifications
                .iter()
                .chain(self.classifications.iter().filter(|c| c.classified == p.id))
                .any(|c| c.node.as_deref() == Some(uuid::SUBMISSION_SET))
        };
        self.packages
            .iter()
            .find(marked)
            .or_else(|| (self.packages.len() == 1).then(|| &self.packages[0]))
    }

    /// The entry with id `id`.
    pub fn entry(&self, id: &str) -> Option<&RegistryObject> {
        self.entries.iter().find(|e| e.id == id)
    }
}

fn attr(element: &Element, name: &str) -> String {
    element.attr(name).unwrap_or_default().to_string()
}

fn slot_of<'a>(slots: &'a [Slot], name: &str) -> Option<&'a [String]> {
    slots
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.values.as_slice())
}

fn slots(element: &Element) -> Vec<Slot> {
    element
        .children_named(RIM, "Slot")
        .map(|s| Slot {
            name: attr(s, "name"),
            values: s
                .children_named(RIM, "ValueList")
                .flat_map(|l| l.children_named(RIM, "Value"))
                .map(|v| v.text().trim().to_string())
                .collect(),
        })
        .collect()
}

fn localized(element: &Element, name: &str) -> Option<String> {
    element
        .child(RIM, name)
        .and_then(|n| n.child(RIM, "LocalizedString"))
        .and_then(|l| l.attr("value"))
        .map(str::to_string)
}

fn classification(element: &Element) -> Classification {
    let slots = slots(element);
    Classification {
        id: attr(element, "id"),
        scheme: element.attr("classificationScheme").map(str::to_string),
        node: element.attr("classificationNode").map(str::to_string),
        classified: attr(element, "classifiedObject"),
        code: attr(element, "nodeRepresentation"),
        coding_scheme: slot_of(&slots, "codingScheme")
            .and_then(|v| v.first())
            .cloned(),
        display: localized(element, "Name"),
        slots,
    }
}

fn object(element: &Element) -> RegistryObject {
    RegistryObject {
        id: attr(element, "id"),
        lid: element.attr("lid").map(str::to_string),
        status: element.attr("status").map(str::to_string),
        object_type: element.attr("objectType").map(str::to_string),
        mime_type: element.attr("mimeType").map(str::to_string),
        version: element
            .child(RIM, "VersionInfo")
            .and_then(|v| v.attr("versionName"))
            .map(str::to_string),
        name: localized(element, "Name"),
        description: localized(element, "Description"),
        slots: slots(element),
        classifications: element
            .children_named(RIM, "Classification")
            .map(classification)
            .collect(),
        external_ids: element
            .children_named(RIM, "ExternalIdentifier")
            .map(|e| ExternalId {
                scheme: attr(e, "identificationScheme"),
                value: attr(e, "value"),
            })
            .collect(),
    }
}
