//! The checks a submitted message goes through (spec notes §2.3 and §4.2): the `X-MSS-*`
//! headers, the IHE_XDM archive and its CDA, the recipient / visibility matrix, the
//! subject prefix, threading headers, one patient per mail, and the sender's label, body
//! and applicative-mailbox notice ([`super::sender`]). Sans I/O: bytes and
//! recipients in, findings and facts out.

use mail_parser::{Message, MessageParser, MimeHeaders};
use segur_core::finding::{Finding, Severity};
use segur_core::world::World;
use segur_documents::xdm::{self, XdmLimits, XdmReport};

use crate::directory::MailboxKind;
use crate::rules;

/// The subject prefix of a mail carrying IHE_XDM (IHE ITI-32 e-mail option).
pub const SUBJECT_PREFIX: &str = "XDM/1.0/DDM";

/// What the checks learnt about a message.
#[derive(Debug, Clone, Default)]
pub struct Inspection {
    /// Every rule broken.
    pub findings: Vec<Finding>,
    /// `Message-ID`, without angle brackets.
    pub message_id: Option<String>,
    /// `Subject`.
    pub subject: Option<String>,
    /// `Disposition-Notification-To`: where an MDN goes, if one was asked for.
    pub notification_to: Option<String>,
    /// The IHE_XDM archives' reports.
    pub xdm: Vec<XdmReport>,
    /// The CDA `code`s found in the archives.
    pub cda_codes: Vec<String>,
    /// Whether every CDA carries a qualified INS (an INS with the traits).
    pub qualified_ins: bool,
    /// The patients' INS numbers the archives name.
    pub patients: Vec<String>,
}

/// The name of the archive attachment.
pub const XDM_NAME: &str = "IHE_XDM.ZIP";

/// Checks `raw`, sent to `recipients` (the accepted ones, with their mailbox kinds);
/// `world` says who the sender and its `Reply-To` are.
pub fn inspect(raw: &[u8], recipients: &[(String, MailboxKind)], world: &World) -> Inspection {
    let mut out = Inspection::default();
    let Some(message) = MessageParser::default().parse(raw) else {
        out.findings
            .push(rules::MIME_MALFORMED.finding("the message has no readable header (RFC 5322)"));
        return out;
    };
    out.message_id = message.message_id().map(str::to_string);
    out.subject = message.subject().map(str::to_string);
    out.notification_to =
        header_text(&message, "Disposition-Notification-To").map(|v| strip_angles(&v));
    check_nil(&message, &mut out);
    check_threading(&message, &mut out);
    check_attachments(&message, &mut out);
    check_cda_headers(&message, &mut out);
    check_recipients(&message, recipients, &mut out);
    out.findings.extend(super::sender::check(&message, world));
    out
}

/// A header's raw value, unfolded and trimmed.
pub fn header_text(message: &Message<'_>, name: &str) -> Option<String> {
    message
        .header_raw(name)
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|v| !v.is_empty())
}

fn strip_angles(value: &str) -> String {
    value
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

fn check_nil(message: &Message<'_>, out: &mut Inspection) {
    if header_text(message, "X-MSS-NIL").is_none() {
        out.findings.push(
            rules::NIL_MISSING
                .finding("no X-MSS-NIL header: every mail carries the product reference obtained on Convergence")
                .at("header X-MSS-NIL"),
        );
    }
}

fn check_threading(message: &Message<'_>, out: &mut Inspection) {
    let in_reply_to = header_text(message, "In-Reply-To");
    let references = header_text(message, "References");
    let re_subject = out
        .subject
        .as_deref()
        .is_some_and(|s| s.trim_start().to_ascii_lowercase().starts_with("re:"));
    if out.message_id.is_none() {
        out.findings.push(
            rules::MESSAGE_ID
                .finding("no Message-ID header")
                .at("header Message-ID"),
        );
    }
    if (in_reply_to.is_some() || references.is_some() || re_subject)
        && (in_reply_to.is_none() || references.is_none())
    {
        let missing: Vec<&str> = [("In-Reply-To", &in_reply_to), ("References", &references)]
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        out.findings.push(
            rules::REPLY_THREADING
                .finding(format!(
                    "a reply carries both In-Reply-To and References; missing: {}",
                    missing.join(", ")
                ))
                .at(format!("header {}", missing.join(", "))),
        );
    }
}

fn check_attachments(message: &Message<'_>, out: &mut Inspection) {
    let mut pdfs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut archives = Vec::new();
    for part in message.attachments() {
        let name = part.attachment_name().unwrap_or_default();
        let is_type = |t: &str, s: &str| part.is_content_type(t, s);
        if is_type("application", "pdf") || name.to_ascii_lowercase().ends_with(".pdf") {
            pdfs.push((name.to_string(), part.contents().to_vec()));
        }
        if name.eq_ignore_ascii_case(XDM_NAME) {
            if name != XDM_NAME {
                out.findings.push(
                    segur_documents::rules::XDM_NAMES
                        .finding(format!(
                            "the attachment is named {name:?}, not {XDM_NAME:?}"
                        ))
                        .at("attachment"),
                );
            }
            if part.is_encoding_problem {
                out.findings.push(
                    rules::MIME_MALFORMED
                        .finding(format!(
                            "{name}: its transfer encoding could not be decoded"
                        ))
                        .at(format!("attachment {name}")),
                );
            }
            archives.push(part.contents().to_vec());
        }
    }
    // PDF/A-1 (DOC/va1.01): no operator refuses a plain PDF, so the deviation is noted,
    // not held against the message; the DOC/va1.01 scenarios judge it.
    for (name, bytes) in &pdfs {
        let report = segur_documents::pdfa::check(bytes);
        out.findings.extend(report.findings.into_iter().map(|f| {
            let at = format!("attachment {name}: {}", f.location.as_deref().unwrap_or(""));
            f.with_severity(Severity::Warning).at(at)
        }));
    }
    if !archives.is_empty() && pdfs.is_empty() {
        out.findings.push(
            rules::PDF_BESIDE_XDM
                .finding("IHE_XDM.ZIP is attached without the readable PDF beside it")
                .at("attachments"),
        );
    }
    let mut all_qualified = true;
    for zip in archives {
        let report = xdm::check(&zip, &XdmLimits::default());
        out.findings.extend(report.findings.iter().cloned());
        // ECO.2.1.5: the PDF joined beside a level-1 CDA is the very PDF the CDA carries.
        for document in &report.documents {
            let Some(carried) = &document.pdf else {
                continue;
            };
            if !pdfs.is_empty() && !pdfs.iter().any(|(_, b)| b == carried) {
                out.findings.push(
                    rules::PDF_SAME_AS_CDA
                        .finding(format!(
                            "no PDF joined to the message is the one {} carries ({} bytes); joined: {}",
                            document.path,
                            carried.len(),
                            pdfs.iter()
                                .map(|(n, b)| format!("{n} ({} bytes)", b.len()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                        .at(format!("attachments, {}", document.path)),
                );
            }
        }
        for document in &report.documents {
            let Some(cda) = &document.cda else { continue };
            let Some(facts) = &cda.facts else { continue };
            if let Some(code) = &facts.code {
                out.cda_codes.push(code.code.clone());
            }
            let traits_missing = cda
                .findings
                .iter()
                .any(|f| f.rule == segur_documents::rules::CDA_INS_TRAITS.name);
            match &facts.ins {
                Some(ins) if !traits_missing => {
                    if let Some(number) = &ins.extension {
                        out.patients.push(number.clone());
                    }
                }
                _ => all_qualified = false,
            }
        }
        out.xdm.push(report);
    }
    out.patients.sort();
    out.patients.dedup();
    out.qualified_ins = all_qualified && !out.cda_codes.is_empty();
    if !out.xdm.is_empty()
        && !out
            .subject
            .as_deref()
            .is_some_and(|s| s.starts_with(SUBJECT_PREFIX))
    {
        out.findings.push(
            rules::SUBJECT_PREFIX
                .finding(format!(
                    "a mail carrying IHE_XDM has a subject starting with {SUBJECT_PREFIX}+; got {:?}",
                    out.subject.as_deref().unwrap_or("")
                ))
                .at("header Subject"),
        );
    }
}

fn check_cda_headers(message: &Message<'_>, out: &mut Inspection) {
    let has_cda = !out.cda_codes.is_empty();
    let codecda = header_text(message, "X-MSS-CODECDA");
    match (&codecda, has_cda) {
        (None, true) => out.findings.push(
            rules::CODECDA
                .finding(format!(
                    "the mail carries a CDA ({}) but no X-MSS-CODECDA header",
                    out.cda_codes.join(",")
                ))
                .at("header X-MSS-CODECDA"),
        ),
        (Some(value), false) => out.findings.push(
            rules::CODECDA
                .finding(format!("X-MSS-CODECDA: {value} on a mail carrying no CDA"))
                .at("header X-MSS-CODECDA"),
        ),
        (Some(value), true) => {
            let mut said: Vec<String> = value.split(',').map(|c| c.trim().to_string()).collect();
            let mut found = out.cda_codes.clone();
            said.sort();
            said.dedup();
            found.sort();
            found.dedup();
            if said != found {
                out.findings.push(
                    rules::CODECDA
                        .finding(format!(
                            "X-MSS-CODECDA says {value}, the CDA codes are {}",
                            found.join(",")
                        ))
                        .at("header X-MSS-CODECDA"),
                );
            }
        }
        (None, false) => {}
    }
    let ins = header_text(message, "X-MSS-INS");
    let expected = if out.qualified_ins { "O" } else { "N" };
    match (&ins, has_cda) {
        (None, true) => out.findings.push(
            rules::INS_FLAG
                .finding(format!(
                    "the mail carries a CDA but no X-MSS-INS header (expected {expected})"
                ))
                .at("header X-MSS-INS"),
        ),
        (Some(value), false) => out.findings.push(
            rules::INS_FLAG
                .finding(format!("X-MSS-INS: {value} on a mail carrying no CDA"))
                .at("header X-MSS-INS"),
        ),
        (Some(value), true) if value != expected => out.findings.push(
            rules::INS_FLAG
                .finding(format!(
                    "X-MSS-INS: {value}, but the CDA {} a qualified INS (expected {expected})",
                    if out.qualified_ins {
                        "carries"
                    } else {
                        "does not carry"
                    }
                ))
                .at("header X-MSS-INS"),
        ),
        _ => {}
    }
}

fn check_recipients(
    message: &Message<'_>,
    recipients: &[(String, MailboxKind)],
    out: &mut Inspection,
) {
    let patients: Vec<&str> = recipients
        .iter()
        .filter_map(|(_, k)| match k {
            MailboxKind::Patient { ins, .. } => Some(ins.as_str()),
            _ => None,
        })
        .collect();
    let professionals = recipients.len() - patients.len();
    if let Some(value) = header_text(message, "X-MSS-MES") {
        if value != "FIN" {
            out.findings.push(
                rules::MES_FIN
                    .finding(format!("X-MSS-MES: {value}; the only value is FIN"))
                    .at("header X-MSS-MES"),
            );
        } else if patients.is_empty() {
            out.findings.push(
                rules::MES_FIN
                    .finding("X-MSS-MES: FIN on a mail to no patient mailbox")
                    .at("header X-MSS-MES"),
            );
        }
    }
    let mut distinct = patients.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() > 1 || out.patients.len() > 1 {
        out.findings.push(rules::ONE_PATIENT.finding(format!(
            "one mail concerns one patient; this one names {} patient mailboxes and {} patients in its documents",
            distinct.len(),
            out.patients.len()
        )));
    }
    if patients.is_empty() || out.xdm.is_empty() {
        return;
    }
    for patient in &distinct {
        if !out.qualified_ins {
            out.findings.push(rules::PATIENT_ADDRESS.finding(format!(
                "{patient}@patient.mssante.fr: a patient is written to only from a qualified INS, and the CDA has none"
            )));
        } else if !out.patients.iter().any(|p| p == patient) {
            out.findings.push(rules::PATIENT_ADDRESS.finding(format!(
                "{patient}@patient.mssante.fr is not the INS of the document's patient ({})",
                out.patients.join(", ")
            )));
        }
    }
    for report in &out.xdm {
        for document in &report.documents {
            let has = |code: &str| document.confidentiality.iter().any(|c| c == code);
            if has("INVISIBLE_PATIENT") {
                out.findings.push(
                    rules::VISIBILITY
                        .finding(format!(
                            "{} is invisible to the patient (INVISIBLE_PATIENT) and was sent to the patient",
                            document.path
                        ))
                        .at(document.path.clone()),
                );
            } else if professionals > 0 && (has("MASQUE_PS") || has("INVISIBLE_REP_LEGAUX")) {
                out.findings.push(
                    rules::VISIBILITY
                        .finding(format!(
                            "{} is sent to the patient and to professionals: it must be neither MASQUE_PS nor INVISIBLE_REP_LEGAUX ({})",
                            document.path,
                            document.confidentiality.join(",")
                        ))
                        .at(document.path.clone()),
                );
            }
        }
    }
}
