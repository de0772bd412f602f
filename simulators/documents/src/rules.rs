//! The document rules, each with the REM requirements it serves.
//!
//! CDA header rules come from the CI-SIS "structuration minimale" schematron (spec notes
//! dmp-mss.md §3.1), the VSM ones from §3.2, the XDM ones from §2.3 and §4.2.

use segur_core::finding::{Rule, Severity};

const CDA_DOCUMENT: &[&str] = &["DOC.01", "DOC/va1.12", "DOC/va1.14"];

/// The document is not readable XML, or its root is not an HL7 `ClinicalDocument`.
pub const CDA_UNREADABLE: Rule = Rule {
    name: "CDA-UNREADABLE",
    requirements: CDA_DOCUMENT,
    severity: Severity::Error,
};

/// `realmCode code="FR"` missing, repeated or another realm.
pub const CDA_REALM: Rule = Rule {
    name: "CDA-REALM-CODE",
    requirements: CDA_DOCUMENT,
    severity: Severity::Error,
};

/// `typeId` is not `2.16.840.1.113883.1.3` / `POCD_HD000040`.
pub const CDA_TYPE_ID: Rule = Rule {
    name: "CDA-TYPE-ID",
    requirements: CDA_DOCUMENT,
    severity: Severity::Error,
};

/// The HL7 France and CI-SIS templateIds, or a volet templateId, are missing.
pub const CDA_TEMPLATES: Rule = Rule {
    name: "CDA-TEMPLATE-IDS",
    requirements: CDA_DOCUMENT,
    severity: Severity::Error,
};

/// A header element required exactly once is missing, repeated or null-flavoured.
pub const CDA_HEADER_ELEMENT: Rule = Rule {
    name: "CDA-HEADER-ELEMENT",
    requirements: CDA_DOCUMENT,
    severity: Severity::Error,
};

/// No `author/assignedAuthor`.
pub const CDA_AUTHOR: Rule = Rule {
    name: "CDA-AUTHOR",
    requirements: CDA_DOCUMENT,
    severity: Severity::Error,
};

/// `legalAuthenticator` missing, repeated, or without `signatureCode code="S"`.
pub const CDA_LEGAL_AUTHENTICATOR: Rule = Rule {
    name: "CDA-LEGAL-AUTHENTICATOR",
    requirements: CDA_DOCUMENT,
    severity: Severity::Error,
};

/// `documentationOf/serviceEvent` missing, or the first one without an `effectiveTime`
/// or a `performer`.
pub const CDA_SERVICE_EVENT: Rule = Rule {
    name: "CDA-SERVICE-EVENT",
    requirements: CDA_DOCUMENT,
    severity: Severity::Error,
};

/// More than one `relatedDocument typeCode="RPLC"`.
pub const CDA_RELATED_DOCUMENT: Rule = Rule {
    name: "CDA-RELATED-DOCUMENT",
    requirements: CDA_DOCUMENT,
    severity: Severity::Error,
};

/// The patient is identified by an INS but an INS trait is missing.
pub const CDA_INS_TRAITS: Rule = Rule {
    name: "CDA-INS-TRAITS",
    requirements: &["DOC/va1.04"],
    severity: Severity::Error,
};

/// A level-1 (non-structured) document without exactly its three templateIds.
pub const CDA_LEVEL1_TEMPLATES: Rule = Rule {
    name: "CDA-N1-TEMPLATE-IDS",
    requirements: &["DOC.01", "DOC/va1.12"],
    severity: Severity::Error,
};

/// A level-1 document whose `nonXMLBody/text` is not a base64 PDF.
pub const CDA_LEVEL1_BODY: Rule = Rule {
    name: "CDA-N1-BODY",
    requirements: &["DOC.01"],
    severity: Severity::Warning,
};

/// A VSM (templateId `1.2.250.1.213.1.1.1.13`) that misses one of its own rules.
pub const CDA_VSM: Rule = Rule {
    name: "CDA-VSM",
    requirements: &["DOC/va1.14"],
    severity: Severity::Error,
};

/// A structured document that declares a volet of the table (`cda::volets`) with another
/// document code, or a body that is not structured.
pub const CDA_VOLET: Rule = Rule {
    name: "CDA-VOLET",
    requirements: &["DOC/va1.30", "DOC/va1.16", "DOC.01"],
    severity: Severity::Error,
};

/// A section the volet requires is missing, or carries fewer entries than it must.
pub const CDA_VOLET_SECTION: Rule = Rule {
    name: "CDA-VOLET-SECTION",
    requirements: &["DOC/va1.30", "DOC/va1.16", "DOC.01"],
    severity: Severity::Error,
};

/// A biology report without a result, with a chapter that has no data-processing entry,
/// or with a result not coded in LOINC.
pub const CDA_BIO_RESULT: Rule = Rule {
    name: "CDA-BIO-RESULT",
    requirements: &["DOC/va1.30"],
    severity: Severity::Error,
};

const XDM: &[&str] = &["MSS/va1.01", "MSS/CONF.23", "MSS/CONF.24"];

/// The archive is not a readable ZIP, or is over the size limits.
pub const XDM_UNREADABLE: Rule = Rule {
    name: "XDM-UNREADABLE",
    requirements: XDM,
    severity: Severity::Error,
};

/// The tree is not `INDEX.HTM`, `README.TXT`, `IHE_XDM/SUBSETnn/...`, or an entry path
/// escapes the archive.
pub const XDM_TREE: Rule = Rule {
    name: "XDM-TREE",
    requirements: XDM,
    severity: Severity::Error,
};

/// A file or folder name that is not an upper-case ISO 9660 8.3 name.
pub const XDM_NAMES: Rule = Rule {
    name: "XDM-NAMES-8.3",
    requirements: XDM,
    severity: Severity::Error,
};

/// `METADATA.XML` missing, unreadable, or not pointing at the subset's documents.
pub const XDM_METADATA: Rule = Rule {
    name: "XDM-METADATA",
    requirements: XDM,
    severity: Severity::Error,
};

/// A document's `hash` or `size` slot differs from the file.
pub const XDM_HASH: Rule = Rule {
    name: "XDM-HASH-SIZE",
    requirements: XDM,
    severity: Severity::Error,
};

/// The metadata's patient is not the CDA's (one patient per mail, identified in
/// `METADATA.XML`).
pub const XDM_PATIENT: Rule = Rule {
    name: "XDM-PATIENT",
    requirements: &["MSS/CONF.23", "MSS/CONF.24"],
    severity: Severity::Error,
};

/// The PDF/A-1 rules (ISO 19005-1, level B; [`crate::pdfa`]): the format of the PDF a
/// level-1 CDA carries and of the one a mail joins beside its IHE_XDM. No national
/// service refuses a plain PDF: the DMP and the MSSanté operator lower these to warnings,
/// and the DOC/va1.01 scenarios judge them.
const PDFA: &[&str] = &["DOC/va1.01", "DOC/va1.10", "MSS/CONF.23"];

/// Not a PDF, a version above 1.4, or no binary comment after the header (6.1.2).
pub const PDFA_HEADER: Rule = Rule {
    name: "PDFA-HEADER",
    requirements: PDFA,
    severity: Severity::Error,
};

/// No file identifier in the trailer, or encryption (6.1.3).
pub const PDFA_TRAILER: Rule = Rule {
    name: "PDFA-TRAILER",
    requirements: PDFA,
    severity: Severity::Error,
};

/// LZW, JavaScript, launch or multimedia actions, embedded files (6.1.10, 6.6, 6.9).
pub const PDFA_FORBIDDEN: Rule = Rule {
    name: "PDFA-FORBIDDEN",
    requirements: PDFA,
    severity: Severity::Error,
};

/// A device colour space without a `GTS_PDFA1` output intent (6.2.3).
pub const PDFA_DEVICE_COLOUR: Rule = Rule {
    name: "PDFA-DEVICE-COLOUR",
    requirements: PDFA,
    severity: Severity::Error,
};

/// A font whose program is not in the file (6.3.4).
pub const PDFA_FONT_EMBEDDED: Rule = Rule {
    name: "PDFA-FONT-EMBEDDED",
    requirements: PDFA,
    severity: Severity::Error,
};

/// Soft masks, transparency groups, constant alpha, blend modes (6.4).
pub const PDFA_TRANSPARENCY: Rule = Rule {
    name: "PDFA-TRANSPARENCY",
    requirements: PDFA,
    severity: Severity::Error,
};

/// No unfiltered XMP stream identifying PDF/A-1 (`pdfaid:part` 1, conformance A or B;
/// 6.7.2, 6.7.11).
pub const PDFA_METADATA: Rule = Rule {
    name: "PDFA-METADATA",
    requirements: PDFA,
    severity: Severity::Error,
};

/// A document-information entry without its equal in the XMP (6.7.3).
pub const PDFA_INFO_XMP: Rule = Rule {
    name: "PDFA-INFO-XMP",
    requirements: PDFA,
    severity: Severity::Error,
};
