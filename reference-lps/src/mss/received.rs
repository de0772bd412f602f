//! A mail read from the mailbox, as the software files it: a plain message, a message
//! carrying IHE_XDM (its patient named by `METADATA.XML`'s `patientId`, its CDA checked
//! against the `hash` and `size` slots), or a receipt (MDN, RFC 8098; DSN, RFC 3464)
//! about a message sent.

use std::io::Read;

use mail_parser::{Message, MessageParser, MimeHeaders};
use serde::Serialize;

use super::message::XDM_SUBJECT_PREFIX;
use super::xdm::ATTACHMENT;
use crate::dmp::xds::scheme;
use crate::xml::{self, Node};

/// The most files an archive may hold, and the most bytes one file may unpack to.
const MAX_FILES: usize = 64;
const MAX_FILE: u64 = 20 * 1024 * 1024;

/// A receipt about a message sent.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    /// `mdn` or `dsn`.
    pub kind: &'static str,
    /// The `Message-ID` of the message it is about.
    pub original_id: String,
    /// Who it comes from (the final recipient).
    pub from: String,
    /// MDN `Disposition`, or DSN `Action` and `Status`.
    pub disposition: String,
    /// The integration error `code^label` an MDN reports, if any.
    pub error: Option<String>,
}

/// One document of an IHE_XDM archive.
#[derive(Debug, Clone, Serialize)]
pub struct XdmDocument {
    /// `uniqueId`.
    pub unique_id: String,
    /// Title.
    pub title: String,
    /// typeCode (LOINC).
    pub type_code: String,
    /// Whether the file matches the `hash` and `size` slots.
    pub intact: bool,
    /// What the CDA's header says (title, date, patient, authors, version, acts).
    pub header: Option<super::cda_header::CdaHeader>,
    /// The CDA.
    #[serde(skip)]
    pub cda: Vec<u8>,
}

/// What an IHE_XDM archive says.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Xdm {
    /// `patientId` of the documents (CX).
    pub patient_id: Option<String>,
    /// The INS it names (`matricule+key`), when its root is an INS OID.
    pub ins: Option<String>,
    /// The documents.
    pub documents: Vec<XdmDocument>,
    /// Why the archive could not be read, if it could not.
    pub unreadable: Option<String>,
}

/// A mail as read.
#[derive(Debug, Clone, Serialize)]
pub struct Received {
    /// UID in INBOX.
    pub uid: u32,
    /// `Message-ID`.
    pub message_id: Option<String>,
    /// `From`.
    pub from: Option<String>,
    /// `Subject`, without the `XDM/1.0/DDM+` prefix (MSS/UX.28).
    pub subject: String,
    /// `References` chain.
    pub references: Vec<String>,
    /// Where the sender wants a disposition notification.
    pub notify: Option<String>,
    /// The receipt it is, if it is one.
    pub receipt: Option<Receipt>,
    /// The IHE_XDM archive it carries, if any.
    pub xdm: Option<Xdm>,
}

/// The INS OIDs (NIR, NIA, and their test roots).
const INS_ROOTS: &[&str] = &[
    "1.2.250.1.213.1.4.8",
    "1.2.250.1.213.1.4.9",
    "1.2.250.1.213.1.4.10",
    "1.2.250.1.213.1.4.11",
];

/// Reads a fetched message; `None` when it has no readable header.
pub fn read(uid: u32, raw: &[u8]) -> Option<Received> {
    let message = MessageParser::default().parse(raw)?;
    let subject = message.subject().unwrap_or_default();
    let mut references: Vec<String> = message
        .references()
        .as_text_list()
        .map(|l| l.iter().map(|r| r.to_string()).collect())
        .unwrap_or_default();
    if references.is_empty()
        && let Some(r) = message.references().as_text()
    {
        references.push(r.to_string());
    }
    let notify = message
        .header_raw("Disposition-Notification-To")
        .map(|v| {
            v.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
        .filter(|v| !v.is_empty());
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(str::to_string);
    let xdm = message
        .attachments()
        .find(|p| {
            p.attachment_name()
                .is_some_and(|n| n.eq_ignore_ascii_case(ATTACHMENT))
        })
        .map(|p| read_xdm(p.contents()));
    Some(Received {
        uid,
        message_id: message.message_id().map(str::to_string),
        receipt: receipt(&message, from.as_deref()),
        from,
        subject: subject
            .strip_prefix(XDM_SUBJECT_PREFIX)
            .unwrap_or(subject)
            .to_string(),
        references,
        notify,
        xdm,
    })
}

/// The fields of a `message/disposition-notification` or `message/delivery-status` part.
fn report_fields(message: &Message<'_>, subtype: &str) -> Option<Vec<(String, String)>> {
    let part = message
        .parts
        .iter()
        .find(|p| p.is_content_type("message", subtype))?;
    let text = String::from_utf8_lossy(part.contents()).into_owned();
    Some(
        text.lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect(),
    )
}

fn receipt(message: &Message<'_>, from: Option<&str>) -> Option<Receipt> {
    let field = |fields: &[(String, String)], name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let bare = |v: String| v.trim_start_matches('<').trim_end_matches('>').to_string();
    if let Some(fields) = report_fields(message, "disposition-notification") {
        let disposition = field(&fields, "disposition").unwrap_or_default();
        let error = disposition
            .split_once("Error:")
            .map(|(_, e)| e.trim().to_string());
        let original = field(&fields, "original-message-id")
            .or_else(|| message.in_reply_to().as_text().map(str::to_string))?;
        return Some(Receipt {
            kind: "mdn",
            original_id: bare(original),
            from: field(&fields, "final-recipient")
                .map(|r| r.rsplit(';').next().unwrap_or_default().trim().to_string())
                .or_else(|| from.map(str::to_string))
                .unwrap_or_default(),
            disposition,
            error,
        });
    }
    if let Some(fields) = report_fields(message, "delivery-status") {
        // The original's Message-ID sits in the returned headers (third part).
        let original = message
            .parts
            .iter()
            .filter(|p| {
                p.is_content_type("message", "rfc822")
                    || p.is_content_type("text", "rfc822-headers")
            })
            .find_map(|p| {
                MessageParser::default()
                    .parse_headers(p.contents())
                    .and_then(|m| m.message_id().map(str::to_string))
            })?;
        return Some(Receipt {
            kind: "dsn",
            original_id: original,
            from: field(&fields, "final-recipient")
                .map(|r| r.rsplit(';').next().unwrap_or_default().trim().to_string())
                .unwrap_or_default(),
            disposition: format!(
                "{} {}",
                field(&fields, "action").unwrap_or_default(),
                field(&fields, "status").unwrap_or_default()
            ),
            error: field(&fields, "diagnostic-code"),
        });
    }
    None
}

/// Reads an IHE_XDM archive: every subset's `METADATA.XML` and the files it names.
pub fn read_xdm(zip: &[u8]) -> Xdm {
    match unpack(zip) {
        Ok(files) => describe(&files),
        Err(why) => Xdm {
            unreadable: Some(why),
            ..Xdm::default()
        },
    }
}

fn unpack(zip: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip))
        .map_err(|e| format!("archive IHE_XDM illisible : {e}"))?;
    if archive.len() > MAX_FILES {
        return Err(format!(
            "archive IHE_XDM de {} fichiers (limite {MAX_FILES})",
            archive.len()
        ));
    }
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let file = archive
            .by_index(i)
            .map_err(|e| format!("archive IHE_XDM illisible : {e}"))?;
        if file.is_dir() {
            continue;
        }
        let name = file
            .name()
            .map_err(|e| format!("nom de fichier illisible dans l'archive : {e}"))?
            .to_string();
        let mut bytes = Vec::new();
        file.take(MAX_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name} : {e}"))?;
        if bytes.len() as u64 > MAX_FILE {
            return Err(format!("{name} dépasse {MAX_FILE} octets"));
        }
        files.push((name, bytes));
    }
    Ok(files)
}

fn describe(files: &[(String, Vec<u8>)]) -> Xdm {
    let mut out = Xdm::default();
    let metadata: Vec<&(String, Vec<u8>)> = files
        .iter()
        .filter(|(n, _)| n.to_ascii_uppercase().ends_with("/METADATA.XML"))
        .collect();
    if metadata.is_empty() {
        out.unreadable = Some("pas de METADATA.XML dans l'archive".into());
        return out;
    }
    for (path, bytes) in metadata {
        let folder = &path[..path.len() - "METADATA.XML".len()];
        let tree = match xml::parse(&String::from_utf8_lossy(bytes)) {
            Ok(t) => t,
            Err(e) => {
                out.unreadable = Some(format!("{path} : {e}"));
                return out;
            }
        };
        let mut entries = Vec::new();
        tree.find_all("ExtrinsicObject", &mut entries);
        for entry in entries {
            let patient = external_id(entry, scheme::PATIENT_ID);
            if out.patient_id.is_none() {
                out.ins = patient.as_deref().and_then(ins_of);
                out.patient_id = patient;
            }
            let Some(uri) = slot(entry, "URI") else {
                continue;
            };
            let Some((_, cda)) = files.iter().find(|(n, _)| *n == format!("{folder}{uri}")) else {
                continue;
            };
            let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cda);
            let intact = slot(entry, "hash")
                .is_some_and(|h| h.eq_ignore_ascii_case(&hex::encode(sha1)))
                && slot(entry, "size").is_some_and(|s| s == cda.len().to_string());
            out.documents.push(XdmDocument {
                unique_id: external_id(entry, scheme::UNIQUE_ID).unwrap_or_default(),
                title: entry
                    .child("Name")
                    .and_then(|n| n.child("LocalizedString"))
                    .and_then(|l| l.attr("value"))
                    .unwrap_or_default()
                    .to_string(),
                type_code: classification(entry, scheme::TYPE_CODE).unwrap_or_default(),
                intact,
                header: super::cda_header::read(cda),
                cda: cda.clone(),
            });
        }
    }
    out
}

fn slot(entry: &Node, name: &str) -> Option<String> {
    entry
        .children_named("Slot")
        .find(|s| s.attr("name") == Some(name))
        .and_then(|s| s.text_of("Value"))
}

fn external_id(entry: &Node, scheme: &str) -> Option<String> {
    entry
        .children_named("ExternalIdentifier")
        .find(|e| e.attr("identificationScheme") == Some(scheme))
        .and_then(|e| e.attr("value"))
        .map(str::to_string)
}

fn classification(entry: &Node, scheme: &str) -> Option<String> {
    entry
        .children_named("Classification")
        .find(|c| c.attr("classificationScheme") == Some(scheme))
        .and_then(|c| c.attr("nodeRepresentation"))
        .map(str::to_string)
}

/// `number^^^&root&ISO^NH` → `number`, when `root` is an INS OID.
fn ins_of(cx: &str) -> Option<String> {
    let (number, rest) = cx.split_once('^')?;
    let root = rest.split('&').nth(1)?;
    INS_ROOTS
        .contains(&root)
        .then(|| number.to_string())
        .filter(|n| n.len() == 15 && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ANS example archive (ansforge/interop-exemples-xdm): its patient and document
    /// are read, and its file's hash matches.
    #[test]
    fn the_ans_example_archive_is_read() {
        let zip = include_bytes!("../../../fixtures/xdm/DOC_NON_STRUCTURE_CDA-R2-N1/IHE_XDM.ZIP");
        let xdm = read_xdm(zip);
        assert_eq!(xdm.unreadable, None);
        assert_eq!(xdm.ins.as_deref(), Some("279035121518989"));
        assert_eq!(xdm.documents.len(), 1);
        assert!(xdm.documents[0].intact, "{:?}", xdm.documents[0]);
        assert!(!xdm.documents[0].title.is_empty());
    }

    #[test]
    fn only_ins_roots_name_an_ins() {
        assert_eq!(
            ins_of("279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH").as_deref(),
            Some("279035121518989")
        );
        assert_eq!(ins_of("1234567890121^^^&1.2.3.4.567.8.9.10&ISO^PI"), None);
        assert_eq!(ins_of("garbage"), None);
    }

    #[test]
    fn a_broken_archive_is_reported_not_a_panic() {
        assert!(read_xdm(b"PK\x03\x04 not really").unreadable.is_some());
        assert!(read_xdm(b"").unreadable.is_some());
    }
}
