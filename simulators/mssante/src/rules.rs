//! The conformity rules the MSSanté operator applies to sessions and submitted messages,
//! with the REM requirements each serves (spec notes §2.3–2.4, REM §2.4). The IHE_XDM and
//! CDA rules come from `segur_documents` with their own requirements.

use segur_core::finding::{Rule, Severity};

/// `X-MSS-NIL` (the product reference from Convergence) absent from a mail.
pub const NIL_MISSING: Rule = Rule {
    name: "MSS-X-MSS-NIL",
    requirements: &["MSS/CONF.16"],
    severity: Severity::Error,
};

/// `X-MSS-CODECDA` absent, present without a CDA, or not the CDA codes.
pub const CODECDA: Rule = Rule {
    name: "MSS-X-MSS-CODECDA",
    requirements: &["MSS/CONF.15"],
    severity: Severity::Error,
};

/// `X-MSS-INS` absent with a CDA, or not `O` exactly when the CDA has a qualified INS.
pub const INS_FLAG: Rule = Rule {
    name: "MSS-X-MSS-INS",
    requirements: &["MSS/CONF.14"],
    severity: Severity::Error,
};

/// `X-MSS-MES: FIN` on a mail to no patient, or a value other than `FIN`.
pub const MES_FIN: Rule = Rule {
    name: "MSS-X-MSS-MES",
    requirements: &["MSS/CONF.21"],
    severity: Severity::Error,
};

/// A document the metadata makes invisible to the patient, sent to the patient (or the
/// other forbidden visibility / recipient combinations of the PFI rules).
pub const VISIBILITY: Rule = Rule {
    name: "MSS-VISIBILITY-RECIPIENT",
    requirements: &["MSS/va1.01", "DMP/va1.17"],
    severity: Severity::Error,
};

/// A mail to a patient address whose document has no qualified INS, or whose address is
/// not the document's INS.
pub const PATIENT_ADDRESS: Rule = Rule {
    name: "MSS-PATIENT-ADDRESS",
    requirements: &["MSS/va1.19"],
    severity: Severity::Error,
};

/// A mail carrying IHE_XDM whose subject does not start with `XDM/1.0/DDM+`.
pub const SUBJECT_PREFIX: Rule = Rule {
    name: "MSS-SUBJECT-PREFIX",
    requirements: &["MSS/CONF.25"],
    severity: Severity::Warning,
};

/// An IHE_XDM attachment without the readable PDF beside it.
pub const PDF_BESIDE_XDM: Rule = Rule {
    name: "MSS-PDF-BESIDE-XDM",
    requirements: &["MSS/CONF.24", "MSS/va1.01"],
    severity: Severity::Warning,
};

/// The PDF joined beside the archive is not the one its level-1 CDA carries (ECO.2.1.5 of
/// the MSSanté client référentiel: "le PDF/A-1 doit être identique au PDF encapsulé dans
/// le CDA R2 N1"). Operators do not check it; the DOC/va1.01 scenarios do.
pub const PDF_SAME_AS_CDA: Rule = Rule {
    name: "MSS-PDF-SAME-AS-CDA",
    requirements: &["DOC/va1.01", "MSS/CONF.23"],
    severity: Severity::Warning,
};

/// More than one patient in one mail (several XDM patients, or several patient addresses).
pub const ONE_PATIENT: Rule = Rule {
    name: "MSS-ONE-PATIENT",
    requirements: &["MSS/CONF.23"],
    severity: Severity::Error,
};

/// A new mail without `Message-ID`.
pub const MESSAGE_ID: Rule = Rule {
    name: "MSS-MESSAGE-ID",
    requirements: &["MSS/va1.12"],
    severity: Severity::Error,
};

/// A reply (`In-Reply-To` or a `Re:` subject) without both `In-Reply-To` and `References`.
pub const REPLY_THREADING: Rule = Rule {
    name: "MSS-REPLY-THREADING",
    requirements: &["MSS/va1.08"],
    severity: Severity::Error,
};

/// The message's MIME structure could not be read, or an attachment could not be decoded.
pub const MIME_MALFORMED: Rule = Rule {
    name: "MSS-MIME-MALFORMED",
    requirements: &[],
    severity: Severity::Error,
};

/// A recipient outside the MSSanté trust space (`550 5.7.1`).
pub const OUTSIDE_TRUST_SPACE: Rule = Rule {
    name: "MSS-OUTSIDE-TRUST-SPACE",
    requirements: &[],
    severity: Severity::Error,
};

/// A recipient the operator does not know, or a patient mailbox that cannot receive
/// (not activated, or refused): the message bounces.
pub const UNDELIVERABLE: Rule = Rule {
    name: "MSS-UNDELIVERABLE",
    requirements: &["MSS/va1.20"],
    severity: Severity::Warning,
};

/// A sender address that is not the authenticated mailbox.
pub const SENDER_MISMATCH: Rule = Rule {
    name: "MSS-SENDER-MISMATCH",
    requirements: &[],
    severity: Severity::Error,
};

/// Authentication refused: unknown mailbox, a method the mailbox type does not allow,
/// a token or certificate that does not name the mailbox.
pub const AUTH_REFUSED: Rule = Rule {
    name: "MSS-AUTH-REFUSED",
    requirements: &["MSS/CONF.07", "MSS/CONF.08"],
    severity: Severity::Error,
};

/// A Pro Santé Connect token used after its expiry (at login, or later in the session).
pub const TOKEN_EXPIRED: Rule = Rule {
    name: "MSS-TOKEN-EXPIRED",
    requirements: &["MSS/CONF.10", "MSS/CONF.11"],
    severity: Severity::Error,
};

/// The test password: accepted by the bench, never by a real operator for PER/ORG mailboxes.
pub const TEST_PASSWORD: Rule = Rule {
    name: "MSS-TEST-PASSWORD",
    requirements: &[],
    severity: Severity::Info,
};

/// The client completed a handshake with a certificate the operator presented on purpose
/// because a client must refuse it (expired, or from outside the IGC Santé).
pub const CERTIFICATE_ACCEPTED: Rule = Rule {
    name: "MSS-CERTIFICATE-ACCEPTED",
    requirements: &["MSS/CONF.06"],
    severity: Severity::Error,
};

/// The client refused the certificate presented on purpose: what it must do.
pub const CERTIFICATE_REFUSED: Rule = Rule {
    name: "MSS-CERTIFICATE-REFUSED",
    requirements: &["MSS/CONF.06"],
    severity: Severity::Info,
};

/// Credentials or mail over a channel not yet protected by TLS.
pub const CLEARTEXT: Rule = Rule {
    name: "MSS-CLEARTEXT",
    requirements: &["MSS/CONF.01", "MSS/CONF.03", "MSS/CONF.05"],
    severity: Severity::Error,
};

/// A protocol error: unknown command, bad syntax, wrong state, bare LF, line too long,
/// pipelining abuse, a malformed AUTHENTICATE payload.
pub const PROTOCOL: Rule = Rule {
    name: "MSS-PROTOCOL",
    requirements: &[],
    severity: Severity::Error,
};

/// A message over the size limit.
pub const TOO_LARGE: Rule = Rule {
    name: "MSS-MESSAGE-TOO-LARGE",
    requirements: &[],
    severity: Severity::Error,
};

/// A sender without its label: `Intitulé_BAL <address>`, the person's names for a
/// personal mailbox (ECO.2.2.7).
pub const FROM_LABEL: Rule = Rule {
    name: "MSS-FROM-LABEL",
    requirements: &["MSS/va1.16"],
    severity: Severity::Error,
};

/// A body neither text/plain nor multipart/alternative of text/plain and text/html
/// saying the same (ECO.2.2.4).
pub const BODY_FORMAT: Rule = Rule {
    name: "MSS-BODY-FORMAT",
    requirements: &["MSS/va1.11"],
    severity: Severity::Error,
};

/// A mail from an applicative mailbox without a `Reply-To` to a personal or
/// organisational mailbox (ECO.2.2.5; the address the structure set, MSS/va1.18).
pub const APP_REPLY_TO: Rule = Rule {
    name: "MSS-APP-REPLY-TO",
    requirements: &["MSS/va1.09", "MSS/va1.18"],
    severity: Severity::Error,
};

/// A mail from an applicative mailbox whose text does not end saying it was generated
/// automatically and where to reach the sender (ECO.2.2.5).
pub const APP_FOOTER: Rule = Rule {
    name: "MSS-APP-FOOTER",
    requirements: &["MSS/va1.09"],
    severity: Severity::Error,
};

/// An APP mailbox opened with SASL EXTERNAL rather than the API LPS's PLAIN with the
/// mailbox address as login under the certificate (MSS/CONF.12). Accepted: the
/// certificate authenticates either way.
pub const APP_LOGIN: Rule = Rule {
    name: "MSS-APP-LOGIN",
    requirements: &["MSS/CONF.12"],
    severity: Severity::Warning,
};
