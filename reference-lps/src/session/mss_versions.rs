//! The life of a document sent by MSSanté after it left: its new version, which cancels
//! and replaces it with a mention saying so (MSS/va1.02, va1.13, va1.35); the notice of
//! its deletion to each of its recipients (MSS/va1.30, va1.37); and the report a RIS or
//! SGL sends on its own to its recipients once validated (MSS/va1.21, va1.29, va1.32).

use serde::Deserialize;
use serde_json::{Value, json};

use super::dmp::fail;
use super::mss::Letter;
use super::{Session, params, refused};
use crate::cda;
use crate::identity::store::Patient;
use crate::protocol::Reply;

/// What the software keeps of a document it sent.
#[derive(Debug, Clone)]
pub struct SentDocument {
    /// The local patient.
    pub patient: String,
    /// Its title.
    pub title: String,
    /// `id` (the document's own).
    pub unique_id: String,
    /// `setId`: every version of the document shares it.
    pub set_id: String,
    /// `versionNumber`.
    pub version: u32,
    /// When it was written.
    pub date: time::OffsetDateTime,
    /// The mention it carries when it replaces an earlier version.
    pub replacement: Option<String>,
    /// The addresses it went to.
    pub recipients: Vec<String>,
}

impl SentDocument {
    /// What to keep of `document`.
    pub fn of(document: &cda::Document<'_>) -> Self {
        Self {
            patient: document.patient.patient.clone(),
            title: document.title.to_string(),
            unique_id: document.unique_id(),
            set_id: document.set_id.clone(),
            version: document.version,
            date: document.date,
            replacement: document
                .mentions
                .iter()
                .find(|m| m.starts_with(REPLACES))
                .cloned(),
            recipients: Vec::new(),
        }
    }
}

/// How the mention of a new version begins.
const REPLACES: &str = "Annule et remplace";

#[derive(Deserialize)]
struct Deletion {
    patient: String,
    title: String,
}

impl Session {
    /// Notes `sent`, gone to `to`.
    pub(super) fn note_sent_document(
        &mut self,
        patient: &str,
        mut sent: SentDocument,
        to: &[String],
    ) {
        sent.patient = patient.to_string();
        sent.recipients = to.to_vec();
        self.sent_documents.push(sent);
    }

    /// The latest version sent of the document titled `title` for `patient`.
    fn sent_document(&self, patient: &str, title: &str) -> Result<&SentDocument, Reply> {
        self.sent_documents
            .iter()
            .rev()
            .find(|d| d.patient == patient && d.title == title)
            .ok_or_else(|| {
                fail(format!(
                    "aucun document « {title} » envoyé par messagerie pour {patient}"
                ))
            })
    }

    /// Makes `document` the next version of the one titled `previous` sent before: the
    /// same `setId`, the next `versionNumber`, `relatedDocument` RPLC, and the mention
    /// "Annule et remplace…" in the document itself.
    pub(super) fn next_version(
        &self,
        document: &mut cda::Document<'_>,
        patient: &str,
        previous: &str,
    ) -> Result<(), Reply> {
        let old = self.sent_document(patient, previous)?;
        document.set_id = old.set_id.clone();
        document.version = old.version + 1;
        document.replaces = Some(old.unique_id.clone());
        if !self.defects.on("replacement-without-mention") {
            document.mentions.push(format!(
                "{REPLACES} le document « {} » (version {}) du {}",
                old.title,
                old.version,
                old.date.date()
            ));
        }
        Ok(())
    }

    /// `mss.notify_deletion`: the document titled `title` is deleted; each of its
    /// recipients gets the pre-set notice, one mail each.
    pub(super) async fn mss_notify_deletion(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Deletion { patient, title } = params(p)?;
        self.patients.get(&patient).map_err(refused)?;
        let sent = self.sent_document(&patient, &title)?.clone();
        if self.defects.on("deletion-not-notified") {
            return Ok(Reply::ok(json!({ "title": title, "notified": [] })));
        }
        let mailbox = self.mailbox(None)?;
        let mut notified = Vec::new();
        for to in &sent.recipients {
            let subject = format!("Suppression du document : {}", sent.title);
            let text = format!(
                "Le document « {} » (version {} du {}, identifiant {}) qui vous a été adressé a été supprimé par son auteur. Merci de ne plus en tenir compte.",
                sent.title,
                sent.version,
                sent.date.date(),
                sent.unique_id
            );
            let id = self.mail_text(&mailbox, to, &subject, &text).await?;
            notified.push(json!({ "to": to, "message_id": id }));
        }
        Ok(Reply::ok(json!({ "title": title, "notified": notified })))
    }

    /// Sends a plain message from `mailbox` to `to`, traced.
    async fn mail_text(
        &mut self,
        mailbox: &str,
        to: &str,
        subject: &str,
        text: &str,
    ) -> Result<String, Reply> {
        let recipients = vec![to.to_string()];
        let posted = self
            .post(Letter {
                mailbox,
                to: &recipients,
                subject,
                text,
                document: None,
                replying_to: None,
                receipt: false,
                no_reply: false,
            })
            .await?;
        Ok(posted.message_id)
    }

    /// Sends a validated report on its own, from the application mailbox, to those of its
    /// recipients who have an MSSanté address, when the site set it so
    /// (`mss_report_auto_send`); `previous`, the version it replaces. The message id.
    pub(super) async fn mail_report(
        &mut self,
        patient: &Patient,
        document: cda::Document<'_>,
    ) -> Result<Option<String>, Reply> {
        if !self.settings.mss_report_auto_send || self.defects.on("validated-report-not-sent") {
            return Ok(None);
        }
        let to: Vec<String> = document
            .recipients
            .iter()
            .filter_map(|r| r.mssante.clone())
            .collect();
        let refused = self.mail.professional_refusals.contains(&patient.patient)
            && !self.defects.on("pro-refusal-ignored");
        if to.is_empty() || self.mss.is_none() || refused {
            return Ok(None);
        }
        let mailbox = self.mailbox(None)?;
        let who = document.author;
        let title = document.title.to_string();
        let (attached, sent) = self.attach_built(patient, who, document, Vec::new())?;
        let mut text =
            String::from("Compte rendu validé, transmis automatiquement à ses destinataires.");
        if let Some(mention) = &sent.replacement {
            text = format!("{mention}.\r\n\r\n{text}");
        }
        let posted = self
            .post(Letter {
                mailbox: &mailbox,
                to: &to,
                subject: &title,
                text: &text,
                document: Some(&attached),
                replying_to: None,
                receipt: false,
                no_reply: false,
            })
            .await?;
        self.note_sent_document(&patient.patient, sent, &to);
        Ok(Some(posted.message_id))
    }
}
