//! The mails the LPS writes: a message (with a document: the IHE_XDM archive, the PDF
//! beside it and the `X-MSS-*` headers of the MSSanté reference), and the disposition
//! notification (MDN, RFC 8098) it returns for a message received.

use mail_builder::MessageBuilder;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::MimePart;

use super::MssFailure;
use super::xdm::ATTACHMENT;

/// The subject prefix of a mail carrying IHE_XDM (IHE ITI-32 e-mail option).
pub const XDM_SUBJECT_PREFIX: &str = "XDM/1.0/DDM+";

/// A health document attached to a message.
pub struct Attached {
    /// The IHE_XDM archive.
    pub xdm: Vec<u8>,
    /// The readable PDF, attached beside the archive.
    pub pdf: Vec<u8>,
    /// The CDA's `code/@code` (`X-MSS-CODECDA`).
    pub code: String,
    /// Whether the CDA carries a qualified INS (`X-MSS-INS: O`).
    pub qualified_ins: bool,
}

/// A message to send.
pub struct Outgoing<'a> {
    /// The sending mailbox.
    pub from: &'a str,
    /// Who the mailbox is, beside its address (`Intitulé_BAL`, ECO.2.2.7): the person's
    /// names for a personal mailbox, the functional entity otherwise.
    pub from_label: &'a str,
    /// Where answers go (`Reply-To`): for the application mailbox, an organisational or
    /// personal one (ECO.2.2.5).
    pub reply_to: Option<&'a str>,
    /// Closes the text: what the application mailbox says of its automatic mails and
    /// where to reach the sender (ECO.2.2.5).
    pub notice: Option<&'a str>,
    /// The body as HTML only (a defect of the reference LPS: the référentiel wants
    /// text/plain, or text/plain beside text/html).
    pub html_only: bool,
    /// The recipients.
    pub to: &'a [String],
    /// The subject the user typed (the XDM prefix is added for a document).
    pub subject: &'a str,
    /// The text.
    pub text: &'a str,
    /// `Message-ID`, without angle brackets.
    pub message_id: &'a str,
    /// For a reply: the parent's `Message-ID` and its `References` chain.
    pub replying_to: Option<(&'a str, &'a [String])>,
    /// Ask for a disposition notification (`Disposition-Notification-To` = `from`).
    pub receipt: bool,
    /// The professional forbids the patient's reply (`X-MSS-MES: FIN`).
    pub no_reply: bool,
    /// The product reference from Convergence (`X-MSS-NIL`).
    pub nil: &'a str,
    /// The document, if any.
    pub document: Option<&'a Attached>,
    /// Unix time of `Date`.
    pub date: i64,
}

impl Outgoing<'_> {
    /// The subject as sent.
    pub fn subject(&self) -> String {
        match self.document {
            Some(_) => format!("{XDM_SUBJECT_PREFIX}{}", self.subject),
            None => self.subject.to_string(),
        }
    }

    /// The RFC 5322 message.
    pub fn compose(&self) -> Result<Vec<u8>, MssFailure> {
        let text = match self.notice {
            Some(notice) if self.text.is_empty() => notice.to_string(),
            Some(notice) => format!("{}\r\n\r\n-- \r\n{notice}", self.text.trim_end()),
            None => self.text.to_string(),
        };
        let mut builder = MessageBuilder::new()
            .from(labelled(self.from_label, self.from))
            .to(self.to.iter().map(String::as_str).collect::<Vec<_>>())
            .subject(self.subject())
            .message_id(self.message_id)
            .date(self.date)
            .header("X-MSS-NIL", Raw::new(self.nil));
        builder = if self.html_only {
            builder.html_body(format!("<p>{}</p>", text.replace("\r\n", "<br>")))
        } else {
            builder.text_body(text)
        };
        if let Some(reply_to) = self.reply_to {
            builder = builder.reply_to(reply_to);
        }
        if let Some((parent, references)) = self.replying_to {
            let mut chain: Vec<String> = references.to_vec();
            if !chain.iter().any(|r| r == parent) {
                chain.push(parent.to_string());
            }
            builder = builder.in_reply_to(parent).references(chain);
        }
        if self.receipt {
            builder = builder.header(
                "Disposition-Notification-To",
                Raw::new(format!("<{}>", self.from)),
            );
        }
        if self.no_reply {
            builder = builder.header("X-MSS-MES", Raw::new("FIN"));
        }
        if let Some(d) = self.document {
            let flag = if d.qualified_ins { "O" } else { "N" };
            builder = builder
                .header("X-MSS-CODECDA", Raw::new(d.code.clone()))
                .header("X-MSS-INS", Raw::new(flag))
                .attachment("application/zip", ATTACHMENT, d.xdm.clone())
                .attachment("application/pdf", "DOCUMENT.PDF", d.pdf.clone());
        }
        builder
            .write_to_vec()
            .map_err(|e| MssFailure(format!("message illisible : {e}")))
    }
}

/// `label <address>`, or the bare address when there is no label.
fn labelled<'x>(label: &'x str, address: &'x str) -> mail_builder::headers::address::Address<'x> {
    if label.is_empty() {
        address.into()
    } else {
        (label, address).into()
    }
}

/// A disposition notification about a message received.
pub struct Notification<'a> {
    /// The mailbox that received the original (`From`, `Final-Recipient`).
    pub from: &'a str,
    /// Where the original asked it to go (`Disposition-Notification-To`).
    pub to: &'a str,
    /// The original's `Message-ID`.
    pub original_id: &'a str,
    /// The original's subject.
    pub original_subject: &'a str,
    /// `displayed` by the user, or `processed` by the software (with an integration error
    /// `code^label` when it failed).
    pub disposition: Disposition<'a>,
    /// This notification's `Message-ID`.
    pub message_id: &'a str,
    /// `X-MSS-NIL`.
    pub nil: &'a str,
    /// Unix time.
    pub date: i64,
}

/// What happened to the original.
#[derive(Debug, Clone, Copy)]
pub enum Disposition<'a> {
    /// The user opened it and chose to send the receipt.
    Displayed,
    /// The software integrated it.
    Processed,
    /// The software could not integrate it: HL7MSS error code and label.
    Failed(u16, &'a str),
}

impl Notification<'_> {
    /// The `Disposition` field (RFC 8098 §3.2.6).
    pub fn disposition(&self) -> String {
        match self.disposition {
            Disposition::Displayed => "manual-action/MDN-sent-manually; displayed".into(),
            Disposition::Processed => "automatic-action/MDN-sent-automatically; processed".into(),
            Disposition::Failed(code, label) => {
                format!("automatic-action/MDN-sent-automatically; processed/Error: {code}^{label}")
            }
        }
    }

    /// The `multipart/report` message.
    pub fn compose(&self) -> Result<Vec<u8>, MssFailure> {
        let subject = match self.disposition {
            Disposition::Failed(code, _) => {
                format!(
                    "[KO Intégration système !][{code}] {}",
                    self.original_subject
                )
            }
            _ => self.original_subject.to_string(),
        };
        let human = format!(
            "Accusé de réception du message « {} » par {} : {}.\r\n",
            self.original_subject,
            self.from,
            self.disposition()
        );
        let report = format!(
            "Reporting-UA: lps.segur-bench.test; {}\r\nOriginal-Recipient: rfc822;{from}\r\nFinal-Recipient: rfc822;{from}\r\nOriginal-Message-ID: <{}>\r\nDisposition: {}\r\n",
            crate::NAME,
            self.original_id,
            self.disposition(),
            from = self.from,
        );
        MessageBuilder::new()
            .from(self.from)
            .to(self.to)
            .subject(subject)
            .message_id(self.message_id)
            .date(self.date)
            .in_reply_to(self.original_id)
            .references(self.original_id)
            .header("X-MSS-NIL", Raw::new(self.nil))
            .body(MimePart::new(
                ContentType::new("multipart/report")
                    .attribute("report-type", "disposition-notification"),
                vec![
                    MimePart::new("text/plain", human),
                    MimePart::new("message/disposition-notification", report)
                        .transfer_encoding("7bit"),
                ],
            ))
            .write_to_vec()
            .map_err(|e| MssFailure(format!("accusé de réception illisible : {e}")))
    }
}
