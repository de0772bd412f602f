//! CDA R2 documents as the CI-SIS requires them: [`check`] reads the header into
//! [`CdaFacts`] and runs every rule on it.
//!
//! - [`header`]: the "structuration minimale" rules (spec notes §3.1);
//! - [`ins`]: the INS traits rule;
//! - [`level`]: level 1 (non-structured body, its three templateIds, the PDF);
//! - [`vsm`]: the Volet de Synthèse Médicale (§3.2);
//! - [`presentation`]: what a rendering must show, self-presentable documents;
//! - [`volets`]: the body of the other structured volets (CR-BIO, CR-IMG, LDL, vaccination
//!   note, prescription, IPS-FR), as one table.
//!
//! A document may be *self-presentable* (CI-SIS "auto-présentable"): its root is then the
//! producer's XSLT stylesheet, which holds the `ClinicalDocument` (XDS mimeType
//! `application/xslt+xml`); [`clinical_document`] finds the document inside, so every
//! check and reader here applies to both forms.

pub mod header;
pub mod ins;
pub mod level;
pub mod presentation;
pub mod timestamp;
pub mod volets;
pub mod vsm;

use segur_core::finding::Finding;
use segur_core::world::ins::{OID_DEMO, OID_NIA, OID_NIR, OID_TEST};
use segur_core::xml::{Element, Limits, parse};

use crate::rules;
use crate::text;

/// The HL7 v3 namespace CDA lives in.
pub const HL7: &str = "urn:hl7-org:v3";
/// The HL7 France templateId every French CDA carries.
pub const TEMPLATE_HL7_FRANCE: &str = "2.16.840.1.113883.2.8.2.1";
/// The CI-SIS templateId every CI-SIS CDA carries.
pub const TEMPLATE_CI_SIS: &str = "1.2.250.1.213.1.1.1.1";
/// The XSLT namespace: the root of a self-presentable document.
pub const XSL: &str = "http://www.w3.org/1999/XSL/Transform";
/// The XDS mimeType of a self-presentable CDA (a CDA without its stylesheet: `text/xml`).
pub const SELF_PRESENTABLE_MIME: &str = "application/xslt+xml";

/// The IHE XDS-SD templateId of a level-1 (scanned or PDF) document.
pub const TEMPLATE_XDS_SD: &str = "1.3.6.1.4.1.19376.1.2.20";
/// The VSM templateId.
pub const TEMPLATE_VSM: &str = "1.2.250.1.213.1.1.1.13";

/// An `II` identifier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstanceId {
    /// `@root`.
    pub root: String,
    /// `@extension`, if any.
    pub extension: Option<String>,
}

impl InstanceId {
    fn of(element: &Element) -> Self {
        Self {
            root: element.attr("root").unwrap_or_default().to_string(),
            extension: element.attr("extension").map(str::to_string),
        }
    }

    /// Whether the root is one of the INS OIDs (NIR, NIA, test, demo).
    pub fn is_ins(&self) -> bool {
        [OID_NIR, OID_NIA, OID_TEST, OID_DEMO].contains(&self.root.as_str())
    }
}

/// A coded value (`code`, `codeSystem`, `displayName`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coded {
    /// `@code`.
    pub code: String,
    /// `@codeSystem`.
    pub system: Option<String>,
    /// `@displayName`.
    pub display: Option<String>,
}

/// Whether the body is structured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `nonXMLBody`: level 1.
    NonStructured,
    /// `structuredBody`: level 3 (or 2).
    Structured,
    /// Neither.
    Unknown,
}

/// What the header says, for the callers' own cross-checks (the DMP compares the
/// document's id and patient with the metadata; MSSanté compares `X-MSS-CODECDA`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdaFacts {
    /// `ClinicalDocument/id`: its root is the XDS `uniqueId`.
    pub id: Option<InstanceId>,
    /// `setId`: shared by the versions of a document.
    pub set_id: Option<InstanceId>,
    /// `versionNumber/@value`.
    pub version: Option<String>,
    /// The document's type (`code`).
    pub code: Option<Coded>,
    /// `title`.
    pub title: Option<String>,
    /// `effectiveTime/@value` (`YYYYMMDDHHMMSS+ZZZZ`): when the document was made.
    pub effective_time: Option<String>,
    /// `confidentialityCode/@code`.
    pub confidentiality: Option<String>,
    /// Every document-level `templateId/@root`.
    pub templates: Vec<String>,
    /// Level of the body.
    pub level: Level,
    /// `nonXMLBody/text/@mediaType`.
    pub media_type: Option<String>,
    /// `recordTarget/patientRole/id`s.
    pub patient_ids: Vec<InstanceId>,
    /// The patient's INS, if an id has an INS root.
    pub ins: Option<InstanceId>,
    /// `author/assignedAuthor/id/@extension`s (national ids of the authors).
    pub authors: Vec<String>,
    /// `relatedDocument[@typeCode=RPLC]/parentDocument/id`, if the document replaces one.
    pub replaces: Option<InstanceId>,
    /// `informationRecipient/intendedRecipient`: whom the document is sent to (the REMs'
    /// "destinataires" a report names, DOC/va1.06, .15, .26).
    pub recipients: Vec<Party>,
    /// `participant[@typeCode=REF]/associatedEntity`: the prescriber who asked for the
    /// examination (the "demandeur" whose MSSanté address a report carries, DOC/va1.17,
    /// .28).
    pub referrer: Option<Party>,
}

/// A person the header names beside the author.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    /// `id@extension` (a national id for a professional).
    pub id: Option<String>,
    /// `telecom@value`s (`tel:…`, `mailto:…`).
    pub telecoms: Vec<String>,
    /// The family name, if given.
    pub family: Option<String>,
}

impl Party {
    fn of(entity: &Element, person: &str) -> Self {
        Self {
            id: entity
                .child(HL7, "id")
                .and_then(|i| i.attr("extension"))
                .map(str::to_string),
            telecoms: children(entity, "telecom")
                .into_iter()
                .filter_map(|t| t.attr("value").map(str::to_string))
                .collect(),
            family: path(entity, &[person, "name", "family"]).map(|f| f.text().trim().to_string()),
        }
    }

    /// Its MSSanté address, if a `mailto:` telecom gives one.
    pub fn mailbox(&self) -> Option<&str> {
        self.telecoms.iter().find_map(|t| t.strip_prefix("mailto:"))
    }
}

impl CdaFacts {
    /// Whether the document carries templateId `root`.
    pub fn has_template(&self, root: &str) -> bool {
        self.templates.iter().any(|t| t == root)
    }
}

/// The facts (if the document could be read) and the findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdaReport {
    /// `None` when the document is not a readable `ClinicalDocument`.
    pub facts: Option<CdaFacts>,
    /// One per rule broken.
    pub findings: Vec<Finding>,
}

impl CdaReport {
    /// Whether no rule of severity error was broken.
    pub fn passes(&self) -> bool {
        self.facts.is_some()
            && !self
                .findings
                .iter()
                .any(|f| f.severity == segur_core::finding::Severity::Error)
    }

    /// The names of the rules broken, for assertions and summaries.
    pub fn rules(&self) -> Vec<&str> {
        self.findings.iter().map(|f| f.rule.as_str()).collect()
    }
}

/// Limits for CDA documents: a structured document is deep and large, but bounded.
pub fn limits() -> Limits {
    Limits {
        max_depth: 128,
        max_nodes: 2_000_000,
    }
}

/// The `ClinicalDocument` of a parsed document: the root itself, or the one a
/// self-presentable document's stylesheet holds.
pub fn clinical_document(root: &Element) -> Option<&Element> {
    if root.is(HL7, "ClinicalDocument") {
        return Some(root);
    }
    if root.is(XSL, "stylesheet") || root.is(XSL, "transform") {
        return root
            .descendants()
            .into_iter()
            .find(|e| e.is(HL7, "ClinicalDocument"));
    }
    None
}

/// Whether the bytes are a self-presentable CDA: the producer's stylesheet holding the
/// `ClinicalDocument`.
pub fn is_self_presentable(bytes: &[u8], charset: Option<&str>) -> bool {
    let Ok((text, _)) = text::decode(bytes, charset) else {
        return false;
    };
    parse(&text, &limits()).is_ok_and(|root| {
        (root.is(XSL, "stylesheet") || root.is(XSL, "transform"))
            && clinical_document(&root).is_some()
    })
}

/// Checks a document given as bytes; `charset` is the MIME part's, if any.
pub fn check(bytes: &[u8], charset: Option<&str>) -> CdaReport {
    let unreadable = |why: String| CdaReport {
        facts: None,
        findings: vec![rules::CDA_UNREADABLE.finding(why)],
    };
    let text = match text::decode(bytes, charset) {
        Ok((text, _)) => text,
        Err(e) => return unreadable(e.to_string()),
    };
    match parse(&text, &limits()) {
        Ok(root) => check_document(clinical_document(&root).unwrap_or(&root)),
        Err(e) => unreadable(format!("the document is not readable XML: {e}")),
    }
}

/// What the header of a document says, without running the rules: for a writer that
/// needs its id, code and title (the DMP request builder). `None` if the bytes are not a
/// readable `ClinicalDocument`.
pub fn read_facts(bytes: &[u8], charset: Option<&str>) -> Option<CdaFacts> {
    let (text, _) = text::decode(bytes, charset).ok()?;
    let root = parse(&text, &limits()).ok()?;
    clinical_document(&root).map(facts)
}

/// The outline of a document's body (volet, sections, biology results), as the volet
/// rules read it. `None` if the bytes are not a readable `ClinicalDocument`.
pub fn outline_of(bytes: &[u8], charset: Option<&str>) -> Option<volets::Outline> {
    let (text, _) = text::decode(bytes, charset).ok()?;
    let root = parse(&text, &limits()).ok()?;
    clinical_document(&root).map(|document| volets::outline(document, &facts(document)))
}

/// The XDS formatCode a document's metadata must give (JDV_J60, spec notes §1.5): level 1
/// by its media type, the VSM's, or its volet's; `None` for a volet whose formatCode the
/// spec facts do not give.
pub fn format_code(facts: &CdaFacts) -> Option<&'static str> {
    match facts.level {
        Level::NonStructured if facts.media_type.as_deref() == Some("text/plain") => {
            Some("urn:ihe:iti:xds-sd:text:2008")
        }
        Level::NonStructured => Some("urn:ihe:iti:xds-sd:pdf:2008"),
        _ if facts.has_template(TEMPLATE_VSM) => Some("urn:asip:ci-sis:vsm:2012"),
        _ => volets::of(facts).and_then(|v| v.format_code),
    }
}

/// Checks a parsed document.
pub fn check_document(root: &Element) -> CdaReport {
    if !root.is(HL7, "ClinicalDocument") {
        return CdaReport {
            facts: None,
            findings: vec![rules::CDA_UNREADABLE.finding(format!(
                "the root element is {}, not {{{HL7}}}ClinicalDocument",
                root.expanded_name()
            ))],
        };
    }
    let facts = facts(root);
    let mut findings = Vec::new();
    header::check(root, &mut findings);
    ins::check(root, &facts, &mut findings);
    level::check(root, &facts, &mut findings);
    vsm::check(root, &facts, &mut findings);
    volets::check(root, &facts, &mut findings);
    CdaReport {
        facts: Some(facts),
        findings,
    }
}

/// The child elements `{HL7}name`.
pub(crate) fn children<'a>(element: &'a Element, name: &'a str) -> Vec<&'a Element> {
    element.children_named(HL7, name).collect()
}

/// Follows a path of HL7 child names (first match at each step).
pub(crate) fn path<'a>(element: &'a Element, steps: &[&str]) -> Option<&'a Element> {
    steps
        .iter()
        .try_fold(element, |current, step| current.child(HL7, step))
}

fn facts(root: &Element) -> CdaFacts {
    let id_of = |name: &str| root.child(HL7, name).map(InstanceId::of);
    let patient_ids: Vec<InstanceId> = path(root, &["recordTarget", "patientRole"])
        .map(|role| {
            children(role, "id")
                .into_iter()
                .map(InstanceId::of)
                .collect()
        })
        .unwrap_or_default();
    let level = match root.child(HL7, "component") {
        Some(c) if c.child(HL7, "nonXMLBody").is_some() => Level::NonStructured,
        Some(c) if c.child(HL7, "structuredBody").is_some() => Level::Structured,
        _ => Level::Unknown,
    };
    CdaFacts {
        id: id_of("id"),
        set_id: id_of("setId"),
        version: root
            .child(HL7, "versionNumber")
            .and_then(|v| v.attr("value"))
            .map(str::to_string),
        code: root.child(HL7, "code").map(|c| Coded {
            code: c.attr("code").unwrap_or_default().to_string(),
            system: c.attr("codeSystem").map(str::to_string),
            display: c.attr("displayName").map(str::to_string),
        }),
        title: root.child_text(HL7, "title").map(|t| t.trim().to_string()),
        effective_time: root
            .child(HL7, "effectiveTime")
            .and_then(|t| t.attr("value"))
            .map(str::to_string),
        confidentiality: root
            .child(HL7, "confidentialityCode")
            .and_then(|c| c.attr("code"))
            .map(str::to_string),
        templates: children(root, "templateId")
            .into_iter()
            .filter_map(|t| t.attr("root").map(str::to_string))
            .collect(),
        level,
        media_type: path(root, &["component", "nonXMLBody", "text"])
            .and_then(|t| t.attr("mediaType"))
            .map(str::to_string),
        ins: patient_ids.iter().find(|i| i.is_ins()).cloned(),
        patient_ids,
        authors: children(root, "author")
            .into_iter()
            .filter_map(|a| path(a, &["assignedAuthor", "id"]))
            .filter_map(|i| i.attr("extension").map(str::to_string))
            .collect(),
        replaces: children(root, "relatedDocument")
            .into_iter()
            .find(|r| r.attr("typeCode") == Some("RPLC"))
            .and_then(|r| path(r, &["parentDocument", "id"]))
            .map(InstanceId::of),
        recipients: children(root, "informationRecipient")
            .into_iter()
            .filter_map(|r| r.child(HL7, "intendedRecipient"))
            .map(|r| Party::of(r, "informationRecipient"))
            .collect(),
        referrer: children(root, "participant")
            .into_iter()
            .find(|p| p.attr("typeCode") == Some("REF"))
            .and_then(|p| p.child(HL7, "associatedEntity"))
            .map(|e| Party::of(e, "associatedPerson")),
    }
}

#[cfg(test)]
mod tests;
