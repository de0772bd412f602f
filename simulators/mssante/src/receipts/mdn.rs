//! Message Disposition Notifications as the MSSanté integration guide profiles them
//! (spec notes §2.4): `multipart/report; report-type=disposition-notification` with a
//! human part, the `message/disposition-notification` part (`Final-Recipient`,
//! `Original-Recipient`, `Original-Message-ID`, `Disposition`), the original's headers,
//! and the original IHE_XDM.ZIP and PDF re-attached.

use mail_builder::MessageBuilder;
use mail_builder::headers::content_type::ContentType;
use mail_builder::mime::MimePart;
use mail_parser::{MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};

/// An integration error code of the receiving software (applicationErrorCondition).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationError {
    /// 900 to 906.
    pub code: u16,
    /// Its label; the table's when not given.
    pub label: String,
}

impl IntegrationError {
    /// The error `code` with the table's label, or `None` outside 900–906.
    pub fn from_code(code: u16) -> Option<Self> {
        let label = match code {
            900 => "Version du document incorrecte",
            901 => "Auteur non habilité à remplacer ou supprimer le document",
            902 => "Identifiant patient inconnu",
            903 => "INS absent du document",
            904 => "INS ne correspondant pas à l'INS connu",
            905 => "Traits d'identité INS incomplets",
            906 => "Autre erreur",
            _ => return None,
        };
        Some(Self {
            code,
            label: label.to_string(),
        })
    }

    /// The `Disposition` field's value.
    pub fn disposition(&self) -> String {
        format!(
            "automatic-action/MDN-sent-automatically; processed/Error: {}^{}",
            self.code, self.label
        )
    }
}

/// What the MDN says.
#[derive(Debug, Clone)]
pub struct Mdn<'a> {
    /// The mailbox that processed the message (`From`, `Final-Recipient`).
    pub recipient: &'a str,
    /// Where the MDN goes (the original's `Disposition-Notification-To`).
    pub notify: &'a str,
    /// The original message, as received.
    pub original: &'a [u8],
    /// `None`: processed; `Some`: processed with this integration error.
    pub error: Option<IntegrationError>,
    /// The operator's host name (Reporting-UA, Message-ID).
    pub hostname: &'a str,
    /// Its `Date`, in seconds since the epoch (the bench clock).
    pub date: i64,
}

/// The success disposition.
pub const PROCESSED: &str = "automatic-action/MDN-sent-automatically; processed";

impl Mdn<'_> {
    /// The MDN message's bytes.
    pub fn build(&self) -> Vec<u8> {
        let parsed = MessageParser::default().parse(self.original);
        let original_id = parsed
            .as_ref()
            .and_then(|m| m.message_id())
            .unwrap_or_default()
            .to_string();
        let subject = parsed
            .as_ref()
            .and_then(|m| m.subject())
            .unwrap_or_default()
            .to_string();
        let disposition = match &self.error {
            None => PROCESSED.to_string(),
            Some(e) => e.disposition(),
        };
        let subject = match &self.error {
            None => subject,
            Some(e) => format!("[KO Intégration système !][{}] {subject}", e.code),
        };
        let human = match &self.error {
            None => format!(
                "Le message {original_id} a été traité par {}.\r\n",
                self.recipient
            ),
            Some(e) => format!(
                "Le message {original_id} n'a pas pu être intégré par {} : erreur {} ({}).\r\n",
                self.recipient, e.code, e.label
            ),
        };
        let report = format!(
            "Reporting-UA: {host}; segur-bench\r\nOriginal-Recipient: rfc822;{rcpt}\r\nFinal-Recipient: rfc822;{rcpt}\r\nOriginal-Message-ID: <{original_id}>\r\nDisposition: {disposition}\r\n",
            host = self.hostname,
            rcpt = self.recipient,
        );
        let headers_end = find_headers_end(self.original);
        let mut parts = vec![
            MimePart::new("text/plain", human),
            // The report's fields are read by software: written as they are (8bit), never
            // quoted-printable.
            MimePart::new("message/disposition-notification", report).transfer_encoding("8bit"),
            MimePart::new(
                "text/rfc822-headers",
                String::from_utf8_lossy(&self.original[..headers_end]).into_owned(),
            ),
        ];
        if let Some(message) = &parsed {
            for part in message.attachments() {
                let name = part.attachment_name().unwrap_or("attachment").to_string();
                let content_type = part
                    .content_type()
                    .map(|c| match c.subtype() {
                        Some(s) => format!("{}/{s}", c.ctype()),
                        None => c.ctype().to_string(),
                    })
                    .unwrap_or_else(|| "application/octet-stream".into());
                parts.push(MimePart::new(content_type, part.contents().to_vec()).attachment(name));
            }
        }
        MessageBuilder::new()
            .from(self.recipient)
            .to(self.notify)
            .subject(subject)
            .message_id(super::new_message_id(self.hostname))
            .in_reply_to(original_id.clone())
            .references(original_id)
            .date(self.date)
            .header(
                "X-MSS-NIL",
                mail_builder::headers::raw::Raw::new("segur-bench"),
            )
            .body(MimePart::new(
                ContentType::new("multipart/report")
                    .attribute("report-type", "disposition-notification"),
                parts,
            ))
            .write_to_vec()
            .unwrap_or_default()
    }
}

/// Where the header section ends (the blank line included), or the whole message.
pub fn find_headers_end(raw: &[u8]) -> usize {
    raw.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 2))
        .unwrap_or(raw.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &[u8] = b"From: lgc@cabinet-lilas.mssante.fr\r\nTo: jean.legrand@medecin.mssante.fr\r\nSubject: XDM/1.0/DDM+CR\r\nMessage-ID: <m1@lgc>\r\nDisposition-Notification-To: lgc@cabinet-lilas.mssante.fr\r\n\r\nbody\r\n";

    fn build(error: Option<IntegrationError>) -> Vec<u8> {
        Mdn {
            recipient: "jean.legrand@medecin.mssante.fr",
            notify: "lgc@cabinet-lilas.mssante.fr",
            original: ORIGINAL,
            error,
            hostname: "mssante.segur-bench.test",
            date: 1_700_000_000,
        }
        .build()
    }

    #[test]
    fn a_processed_mdn_is_a_disposition_report() {
        let raw = build(None);
        let mdn = MessageParser::default().parse(&raw).unwrap();
        let root = mdn.root_part().content_type().unwrap();
        assert_eq!(
            (root.ctype(), root.subtype()),
            ("multipart", Some("report"))
        );
        assert_eq!(
            root.attribute("report-type"),
            Some("disposition-notification")
        );
        let text = String::from_utf8_lossy(&raw);
        assert!(
            text.contains("Disposition: automatic-action/MDN-sent-automatically; processed\r\n"),
            "{text}"
        );
        assert!(text.contains("Original-Message-ID: <m1@lgc>"));
        assert!(text.contains("Final-Recipient: rfc822;jean.legrand@medecin.mssante.fr"));
        assert_eq!(mdn.subject(), Some("XDM/1.0/DDM+CR"));
        assert_eq!(mdn.in_reply_to().as_text(), Some("m1@lgc"));
    }

    #[test]
    fn an_error_mdn_carries_the_code_in_disposition_and_subject() {
        let raw = build(IntegrationError::from_code(902));
        let text = String::from_utf8_lossy(&raw);
        assert!(
            text.contains("processed/Error: 902^Identifiant patient inconnu"),
            "{text}"
        );
        let mdn = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(
            mdn.subject(),
            Some("[KO Intégration système !][902] XDM/1.0/DDM+CR")
        );
        assert!(IntegrationError::from_code(907).is_none());
    }
}
