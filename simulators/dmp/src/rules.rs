//! The conformity rules the DMP simulator applies, with the REM requirements each serves.
//! A finding is journaled whenever a call deviates from the DMP contract, whether the DMP
//! refuses the call (the simulator refuses it the same way) or tolerates it.

use segur_core::finding::{Rule, Severity};

/// The request is not a usable SOAP message (content type, MIME, XML, size).
pub const SOAP_MALFORMED: Rule = Rule {
    name: "DMP-SOAP-MALFORMED",
    requirements: &[],
    severity: Severity::Error,
};

/// A SOAP 1.1 envelope: the DMP's WSDLs bind SOAP 1.2 (the kit's TD2.1 sample is 1.1).
pub const SOAP_11: Rule = Rule {
    name: "DMP-SOAP-1.1",
    requirements: &[],
    severity: Severity::Warning,
};

/// WS-Addressing headers missing or inconsistent (`MessageID`, `Action`).
pub const ADDRESSING: Rule = Rule {
    name: "DMP-WS-ADDRESSING",
    requirements: &[],
    severity: Severity::Warning,
};

/// The action names no operation of the service called.
pub const ACTION_UNKNOWN: Rule = Rule {
    name: "DMP-ACTION-UNKNOWN",
    requirements: &[],
    severity: Severity::Error,
};

/// The MTOM/XOP package is broken (boundary, root part, unresolved `cid:`).
pub const MTOM: Rule = Rule {
    name: "DMP-MTOM",
    requirements: &["DMP/va1.16"],
    severity: Severity::Error,
};

/// No VIHF, or a VIHF without the structure SAML 2.0 requires.
pub const VIHF_MISSING: Rule = Rule {
    name: "DMP-VIHF-MISSING",
    requirements: &["DMP/AIRS.06"],
    severity: Severity::Error,
};

/// A VIHF attribute missing or in the wrong format.
pub const VIHF_ATTRIBUTE: Rule = Rule {
    name: "DMP-VIHF-ATTRIBUTE",
    requirements: &["DMP/AIRS.06"],
    severity: Severity::Error,
};

/// The NameID is not a national PS id (or not the real user's: a generic account).
pub const VIHF_NAME_ID: Rule = Rule {
    name: "DMP-VIHF-NAMEID",
    requirements: &["DMP/AIRS.06"],
    severity: Severity::Error,
};

/// The VIHF's `resource-id` is not the patient of the body.
pub const VIHF_PATIENT: Rule = Rule {
    name: "DMP-VIHF-PATIENT",
    requirements: &[],
    severity: Severity::Error,
};

/// The VIHF is outside its validity window at bench time.
pub const VIHF_VALIDITY: Rule = Rule {
    name: "DMP-VIHF-VALIDITY",
    requirements: &[],
    severity: Severity::Error,
};

/// The VIHF is unsigned, or its signature does not verify.
pub const VIHF_SIGNATURE: Rule = Rule {
    name: "DMP-VIHF-SIGNATURE",
    requirements: &[],
    severity: Severity::Error,
};

/// The VIHF was signed with a certificate that is not a signature certificate
/// (`DMPInvalidCertificate`), or not one of the test PKI.
pub const VIHF_CERTIFICATE: Rule = Rule {
    name: "DMP-VIHF-CERTIFICATE",
    requirements: &[],
    severity: Severity::Error,
};

/// The VIHF's parties disagree: `Issuer` is not the signer's DN, the signer or the mTLS
/// certificate belongs to another structure than `Identifiant_Structure`, or a card signed
/// for someone else than its holder.
pub const VIHF_COHERENCE: Rule = Rule {
    name: "DMP-VIHF-COHERENCE",
    requirements: &["DMP/AIRS.06"],
    severity: Severity::Error,
};

/// Tolerated VIHF variants worth knowing (`Authentification_mode` spelling, VIHF_Version).
pub const VIHF_TOLERATED: Rule = Rule {
    name: "DMP-VIHF-TOLERATED",
    requirements: &[],
    severity: Severity::Info,
};

/// The HL7v3 message misses an element the transaction needs.
pub const HL7V3: Rule = Rule {
    name: "DMP-HL7V3",
    requirements: &[],
    severity: Severity::Error,
};

/// A consultation without the professional's authorisation, or by a blocked professional.
pub const ACCESS_REFUSED: Rule = Rule {
    name: "DMP-ACCESS-REFUSED",
    requirements: &["DMP/UX.08", "DMP/CONF.05", "DMP/UX.50"],
    severity: Severity::Error,
};

/// A call about a patient without an open DMP (absent or closed).
pub const DMP_STATE: Rule = Rule {
    name: "DMP-PATIENT-STATE",
    requirements: &["DMP/UX.11"],
    severity: Severity::Error,
};

/// ITI-41 metadata missing a required slot, classification or identifier, or a code out
/// of its value set.
pub const METADATA: Rule = Rule {
    name: "DMP-XDS-METADATA",
    requirements: &["DMP/va1.16"],
    severity: Severity::Error,
};

/// The patient differs between the submission set, an entry and the VIHF.
pub const PATIENT_MISMATCH: Rule = Rule {
    name: "DMP-XDS-PATIENT-MISMATCH",
    requirements: &[],
    severity: Severity::Error,
};

/// `hash` or `size` differs from the document.
pub const HASH: Rule = Rule {
    name: "DMP-XDS-HASH-SIZE",
    requirements: &[],
    severity: Severity::Error,
};

/// A `uniqueId` already registered with other content.
pub const DUPLICATE: Rule = Rule {
    name: "DMP-XDS-DUPLICATE-UNIQUEID",
    requirements: &[],
    severity: Severity::Error,
};

/// The signed submission set (XAdES entry and its `signs` association) is missing.
pub const SIGNED_SUBMISSION: Rule = Rule {
    name: "DMP-XDS-SIGNED-SUBMISSION",
    requirements: &[],
    severity: Severity::Error,
};

/// A replacement (RPLC) or an update of a document that is not current.
pub const REPLACEMENT: Rule = Rule {
    name: "DMP-XDS-REPLACEMENT",
    requirements: &["DMP/va1.16"],
    severity: Severity::Error,
};

/// A stored query the registry does not know, or without a required parameter.
pub const QUERY: Rule = Rule {
    name: "DMP-XDS-QUERY",
    requirements: &["DMP/UX.27"],
    severity: Severity::Error,
};

/// A document asked for that does not exist (or is not visible).
pub const RETRIEVE: Rule = Rule {
    name: "DMP-XDS-RETRIEVE",
    requirements: &[],
    severity: Severity::Error,
};

/// An ITI-57 update refused (version, status, author-only deletion).
pub const UPDATE: Rule = Rule {
    name: "DMP-XDS-UPDATE",
    requirements: &["DMP/va1.16", "DMP/va1.17"],
    severity: Severity::Error,
};

/// A document that fails the CDA checks (their own findings follow, by rule).
pub const CDA: Rule = Rule {
    name: "DMP-CDA",
    requirements: &["DOC.01"],
    severity: Severity::Error,
};

/// A document fed for a patient who opposed the feeding of the DMP (the opposition is
/// recorded and applied by the LPS; the DMP accepts the feed).
pub const FEEDING_OPPOSITION: Rule = Rule {
    name: "DMP-FEEDING-OPPOSITION",
    requirements: &["DMP/CONF.09"],
    severity: Severity::Error,
};
