//! The conformity rules the INSi simulator applies, with the REM requirements each serves.
//!
//! A finding is journaled whenever a call deviates from the CNAM contract, whether the
//! real service refuses the call (the simulator refuses it the same way) or tolerates it.

use segur_core::finding::{Rule, Severity};

/// The request is not a usable SOAP 1.2 message (content type, XML, envelope, size).
pub const SOAP_MALFORMED: Rule = Rule {
    name: "INSI-SOAP-MALFORMED",
    requirements: &[],
    severity: Severity::Error,
};

/// The SOAP action is missing or names no INSi operation.
pub const ACTION_UNKNOWN: Rule = Rule {
    name: "INSI-ACTION-UNKNOWN",
    requirements: &[],
    severity: Severity::Error,
};

/// The `action` of the content type and `wsa:Action` disagree, or one is missing.
pub const ACTION_INCONSISTENT: Rule = Rule {
    name: "INSI-ACTION-INCONSISTENT",
    requirements: &[],
    severity: Severity::Warning,
};

/// The client certificate's CN is neither `INSI-AUTO` nor `INSI-MANU` (DESIR_560).
pub const CERTIFICATE_CN: Rule = Rule {
    name: "INSI-CERTIFICATE-CN",
    requirements: &["INS/va1.14"],
    severity: Severity::Error,
};

/// The `Authorization: Bearer` of a PSC-mode call is not a valid Pro Santé Connect
/// access token (DESIR_560).
pub const PSC_TOKEN: Rule = Rule {
    name: "INSI-PSC-TOKEN",
    requirements: &["INS/PSC.01", "PSC.10"],
    severity: Severity::Error,
};

/// `ContexteLPS` missing, incomplete or with an IDAM the service does not know.
pub const CTXLPS: Rule = Rule {
    name: "INSI-CTXLPS",
    requirements: &[],
    severity: Severity::Error,
};

/// Header deviations the service tolerates (a context `Version` other than the schema's,
/// IDAM `R` not 4, a missing software name, version or instance).
pub const CONTEXT_TOLERATED: Rule = Rule {
    name: "INSI-CONTEXT-TOLERATED",
    requirements: &[],
    severity: Severity::Warning,
};

/// `ContexteBAM` missing or without its required parts (`Id`, `Temps`, `COUVERTURE`).
pub const CTXBAM: Rule = Rule {
    name: "INSI-CTXBAM",
    requirements: &[],
    severity: Severity::Error,
};

/// `wsa:MessageID` missing: faults cannot be correlated with the call.
pub const MESSAGE_ID: Rule = Rule {
    name: "INSI-MESSAGEID-MISSING",
    requirements: &[],
    severity: Severity::Warning,
};

/// The CPx assertion is missing or does not say who calls.
pub const CPX_ASSERTION: Rule = Rule {
    name: "INSI-CPX-ASSERTION",
    requirements: &["INS/va1.49"],
    severity: Severity::Error,
};

/// The CPx assertion is outside its validity window at bench time.
pub const CPX_VALIDITY: Rule = Rule {
    name: "INSI-CPX-VALIDITY",
    requirements: &[],
    severity: Severity::Error,
};

/// The CPx assertion's signature does not verify, or its certificate is not a card of the
/// test PKI valid at bench time.
pub const CPX_SIGNATURE: Rule = Rule {
    name: "INSI-CPX-SIGNATURE",
    requirements: &[],
    severity: Severity::Error,
};

/// A trait sent in a form INSi does not hold (lower case, accents, bad date or sex).
pub const TRAITS_FORMAT: Rule = Rule {
    name: "INSI-TRAITS-FORMAT",
    requirements: &["INS/va1.56"],
    severity: Severity::Warning,
};

/// A header block marked `mustUnderstand` that INSi does not process: SOAP 1.2
/// `MustUnderstand` fault.
pub const MUST_UNDERSTAND: Rule = Rule {
    name: "INSI-MUST-UNDERSTAND",
    requirements: &[],
    severity: Severity::Error,
};

/// A search without the traits INSi needs (birth name, sex, birth date) or an empty body.
pub const TRAITS_MISSING: Rule = Rule {
    name: "INSI-TRAITS-MISSING",
    requirements: &[],
    severity: Severity::Error,
};

/// A verification whose supplied INS is not the one INSi holds for those traits.
pub const VERIFICATION_KO: Rule = Rule {
    name: "INSI-VERIFICATION-KO",
    requirements: &["INS/va1.06"],
    severity: Severity::Info,
};
