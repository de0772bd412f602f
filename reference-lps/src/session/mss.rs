//! The MSSanté actions: sending a document to a patient or a correspondent, reading the
//! mailbox, integrating the documents received, and the receipts both ways.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Deserialize;
use serde_json::{Value, json};

use super::dmp::{fail, hex_sha1};
use super::mss_versions::SentDocument;
use super::{Session, params, refused};
use crate::cda::{self, Kind};
use crate::dmp::xds;
use crate::identity::Status;
use crate::identity::store::Patient;
use crate::mss::imap::ImapSession;
use crate::mss::message::{Attached, Disposition, Notification, Outgoing};
use crate::mss::received::{self, Receipt, Received, XdmDocument};
use crate::mss::smtp::{self, Envelope};
use crate::mss::xdm::Archive;
use crate::mss::{Login, MssClient, MssFailure, new_message_id};
use crate::protocol::Reply;

/// The patients' Mon espace santé domain.
const PATIENT_DOMAIN: &str = "patient.mssante.fr";

/// What the software keeps about its mail.
#[derive(Default)]
pub struct MailBook {
    /// Patients who refused documents in their Mon espace santé mailbox (MSS/va1.20).
    refusals: BTreeSet<String>,
    /// Patients who refused their reports going to professionals by MSSanté
    /// (MSS/va1.22).
    pub(super) professional_refusals: BTreeSet<String>,
    /// The messages read, by mailbox then UID.
    inbox: HashMap<String, BTreeMap<u32, Received>>,
    /// The receipts read, about the messages sent.
    receipts: Vec<Receipt>,
    /// The messages sent: `Message-ID` → the mailbox that sent it.
    pub(super) sent: HashMap<String, String>,
    /// The IMAP sessions kept open, by mailbox.
    imap: HashMap<String, ImapSession>,
    /// Documents integrated from mail: `(local patient, uniqueId, title)`.
    integrated: Vec<(String, String, String)>,
}

#[derive(Deserialize)]
struct DocumentSpec {
    kind: Kind,
    title: String,
    #[serde(default)]
    visibility: Vec<String>,
    /// The title of a document sent before to the same patient: this one is its new
    /// version, which cancels and replaces it (MSS/va1.02, va1.13).
    #[serde(default)]
    replaces: Option<String>,
}

#[derive(Deserialize)]
struct Send {
    #[serde(default)]
    patient: Option<String>,
    #[serde(default)]
    document: Option<DocumentSpec>,
    #[serde(default)]
    to: Vec<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    receipt: bool,
    #[serde(default)]
    no_reply: bool,
    #[serde(default)]
    in_reply_to: Option<u32>,
    #[serde(default)]
    mailbox: Option<String>,
}

/// A mail the software writes from one of its mailboxes.
pub(super) struct Letter<'a> {
    /// The sending mailbox.
    pub(super) mailbox: &'a str,
    /// The recipients.
    pub(super) to: &'a [String],
    /// The subject (the XDM prefix is added for a document).
    pub(super) subject: &'a str,
    /// The text.
    pub(super) text: &'a str,
    /// The document, if any.
    pub(super) document: Option<&'a Attached>,
    /// For a reply: the parent's `Message-ID` and `References`.
    pub(super) replying_to: Option<(&'a str, &'a [String])>,
    /// Ask for a disposition notification.
    pub(super) receipt: bool,
    /// `X-MSS-MES: FIN`.
    pub(super) no_reply: bool,
}

/// What the operator took.
pub(super) struct Posted {
    /// `Message-ID`.
    pub(super) message_id: String,
    /// The subject as sent.
    pub(super) subject: String,
    /// The operator's answer.
    pub(super) accepted: smtp::Accepted,
}

/// Who a mail says it is from, besides its mailbox.
pub(super) struct Sender {
    /// `Intitulé_BAL` (ECO.2.2.7).
    pub(super) label: String,
    /// `Reply-To`, for the application mailbox (ECO.2.2.5, MSS/va1.18).
    pub(super) reply_to: Option<String>,
    /// The notice closing an automatic mail's text (ECO.2.2.5).
    pub(super) notice: Option<String>,
}

#[derive(Deserialize)]
struct Refusal {
    patient: String,
    /// `patient` (the default: documents in their own Mon espace santé mailbox) or
    /// `professionals` (their reports to professionals).
    #[serde(default)]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct Poll {
    #[serde(default)]
    mailbox: Option<String>,
}

#[derive(Deserialize)]
struct OneMessage {
    uid: u32,
    #[serde(default)]
    mailbox: Option<String>,
}

#[derive(Deserialize)]
struct Receipts {
    message_id: String,
}

pub(super) fn failure(e: MssFailure) -> Reply {
    fail(e.0)
}

/// What an outcome says, for a trace: the operator's answer, or why it failed.
pub(super) fn said<T>(
    outcome: &Result<T, Reply>,
    answer: impl Fn(&T) -> String,
) -> Result<String, String> {
    match outcome {
        Ok(t) => Ok(answer(t)),
        Err(e) => Err(e.message.clone().unwrap_or_else(|| "échec".into())),
    }
}

impl Session {
    pub(super) fn mss_client(&self) -> Result<&MssClient, Reply> {
        self.mss.as_ref().ok_or_else(|| {
            Reply::unsupported("aucun opérateur MSSanté configuré (endpoints.mssante)")
        })
    }

    /// The mailbox the user works in: the one named, or the structure's application one.
    pub(super) fn mailbox(&self, named: Option<String>) -> Result<String, Reply> {
        // The defect knows one mailbox only: the structure's.
        named
            .filter(|_| !self.defects.on("single-mailbox"))
            .or_else(|| self.mss.as_ref().and_then(|m| m.application.clone()))
            .map(|m| m.to_ascii_lowercase())
            .ok_or_else(|| fail("aucune boîte aux lettres MSSanté configurée pour la structure"))
    }

    /// How `mailbox` authenticates, and until when (a token's expiry, LPS clock).
    async fn login(&mut self, mailbox: &str) -> Result<(Login, Option<i64>), Reply> {
        let application = self.mss_client()?.application.as_deref();
        if application.is_some_and(|a| a.eq_ignore_ascii_case(mailbox)) {
            if self.defects.on("app-login-external") {
                return Ok((Login::External, None));
            }
            return Ok((
                Login::Certificate {
                    mailbox: mailbox.to_string(),
                },
                None,
            ));
        }
        let now = self.now().unix_timestamp();
        let token = self
            .psc
            .bearer(&self.defects, now)
            .await
            .map_err(|e| fail(e.0))?
            .ok_or_else(|| {
                fail(format!(
                    "{mailbox} est une boîte personnelle ou organisationnelle : connexion Pro Santé Connect requise"
                ))
            })?;
        Ok((
            Login::Bearer {
                user: mailbox.to_string(),
                token: token.0,
            },
            Some(token.1),
        ))
    }

    /// The label, `Reply-To` and closing notice of a mail from `mailbox`: the functional
    /// entity for the structure's mailboxes, the professional's names for a personal one;
    /// the application mailbox sends answers to the address the site set, or to the
    /// structure's first organisational mailbox.
    pub(super) fn sender(&self, mailbox: &str) -> Sender {
        let entity = if self.structure.name.is_empty() {
            self.structure.id.clone()
        } else {
            self.structure.name.clone()
        };
        let is = |a: &str| a.eq_ignore_ascii_case(mailbox);
        let application = self
            .mss
            .as_ref()
            .and_then(|m| m.application.as_deref())
            .is_some_and(is);
        let label = if self.defects.on("mail-from-without-label") {
            String::new()
        } else if application || self.structure.mssante_organisational.iter().any(|a| is(a)) {
            entity.clone()
        } else {
            match self.professional() {
                Ok(p) => format!(
                    "{} {} - {entity}",
                    p.given_name,
                    p.family_name.to_uppercase()
                ),
                Err(_) => entity.clone(),
            }
        };
        if !application {
            return Sender {
                label,
                reply_to: None,
                notice: None,
            };
        }
        let set = if self.defects.on("reply-to-setting-ignored") {
            None
        } else {
            self.settings.mss_reply_to.clone()
        };
        let reply_to = set.or_else(|| self.structure.mssante_organisational.first().cloned());
        let notice = match (&reply_to, self.defects.on("app-mail-without-notice")) {
            (Some(address), false) => Some(format!(
                "Ce message a été généré automatiquement par le logiciel {} de {entity}. Pour joindre l'émetteur : {address}",
                crate::NAME
            )),
            _ => None,
        };
        Sender {
            label,
            reply_to: reply_to.filter(|_| !self.defects.on("app-mail-without-reply-to")),
            notice,
        }
    }

    /// `mss.record_refusal`: the patient refuses documents in their Mon espace santé
    /// mailbox.
    pub(super) fn mss_record_refusal(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Refusal { patient, scope } = params(p)?;
        self.patients.get(&patient).map_err(refused)?;
        match scope.as_deref() {
            None | Some("patient") => {
                self.mail.refusals.insert(patient.clone());
            }
            Some("professionals") => {
                self.mail.professional_refusals.insert(patient.clone());
            }
            Some(other) => {
                return Err(fail(format!(
                    "refus « {other} » inconnu : patient ou professionals"
                )));
            }
        }
        Ok(Reply::ok(
            json!({ "patient": patient, "scope": scope.unwrap_or_else(|| "patient".into()), "messaging_refused": true }),
        ))
    }

    /// The patient's Mon espace santé address: only from a qualified INS (MSS/va1.19),
    /// never after a refusal (MSS/va1.20).
    fn patient_address(&self, patient: &Patient) -> Result<String, Reply> {
        if self.mail.refusals.contains(&patient.patient) && !self.defects.on("mss-ignores-refusal")
        {
            return Err(fail(format!(
                "le patient {} a refusé l'envoi de documents dans sa messagerie Mon espace santé : rien n'est envoyé",
                patient.patient
            )));
        }
        match &patient.ins {
            Some(ins) if patient.status == Status::Qualifiee => {
                Ok(format!("{}@{PATIENT_DOMAIN}", ins.number()))
            }
            _ => Err(fail(format!(
                "l'identité {} n'est pas qualifiée : pas d'adresse de messagerie patient sans INS qualifiée",
                patient.patient
            ))),
        }
    }

    /// The document's IHE_XDM archive, its PDF and the header values.
    fn attach(
        &self,
        patient: &Patient,
        spec: &DocumentSpec,
    ) -> Result<(Attached, SentDocument), Reply> {
        let who = self.professional()?;
        let mut document = self.document(spec.kind, &spec.title, patient, &who);
        if let Some(previous) = &spec.replaces {
            self.next_version(&mut document, &patient.patient, previous)?;
        }
        self.attach_built(patient, &who, document, spec.visibility.clone())
    }

    /// The IHE_XDM archive, PDF and header values of `document`, already written.
    pub(super) fn attach_built(
        &self,
        patient: &Patient,
        who: &crate::dmp::professional::Professional,
        mut document: cda::Document<'_>,
        visibility: Vec<String>,
    ) -> Result<(Attached, SentDocument), Reply> {
        let cda = cda::build(&document);
        let qualified = patient.status == Status::Qualifiee && patient.ins.is_some();
        let patient_id = match (&patient.ins, qualified) {
            (Some(ins), true) => ins.cx(),
            _ => format!("{}^^^&{}&ISO^PI", patient.patient, cda::IPP_ROOT),
        };
        let mut entry = self.entry(&document, &patient_id, &cda, visibility, false);
        // The XDM's own hash: the SHA-1 of the file in the archive (upper case, as the
        // ANS examples write it).
        entry.hash = hex_sha1(&cda).to_ascii_uppercase();
        let software = format!("{} {}", crate::NAME, env!("CARGO_PKG_VERSION"));
        let now = xds::dtm(self.now());
        let xdm = Archive {
            by: who,
            patient: &patient_id,
            entry: &entry,
            cda: &cda,
            now: &now,
            software: &software,
            lower_case: self.defects.on("xdm-lowercase-names"),
        }
        .build()
        .map_err(failure)?;
        if self.defects.on("mail-pdf-regenerated") {
            // The PDF joined is drawn again, the next day, rather than the CDA's own.
            document.date += time::Duration::days(1);
        }
        let sent = SentDocument::of(&document);
        let pdf = cda::readable(&document);
        let attached = Attached {
            xdm,
            pdf,
            code: document.kind.type_code().0.to_string(),
            qualified_ins: qualified || self.defects.on("mss-ins-flag-always-o"),
        };
        Ok((attached, sent))
    }

    /// `mss.send`.
    pub(super) async fn mss_send(&mut self, p: &Value) -> Result<Reply, Reply> {
        let send: Send = params(p)?;
        self.mss_client()?;
        let mailbox = self.mailbox(send.mailbox.clone())?;
        let patient = match &send.patient {
            Some(id) => Some(self.patients.get(id).map_err(refused)?.clone()),
            None => None,
        };
        let parent = match send.in_reply_to {
            Some(uid) => Some(self.received(&mailbox, uid)?.clone()),
            None => None,
        };
        let mut to = Vec::new();
        let mut to_patient = false;
        for recipient in &send.to {
            if recipient == "patient" {
                let patient = patient.as_ref().ok_or_else(|| {
                    fail("« patient » comme destinataire demande le patient concerné")
                })?;
                let mut address = self.patient_address(patient)?;
                if send.document.is_none() && self.defects.on("patient-message-without-key") {
                    // The INS matricule without its key: no such Mon espace santé mailbox.
                    address = format!("{}{}", &address[..13], &address[15..]);
                }
                to.push(address);
                to_patient = true;
            } else {
                to.push(recipient.to_ascii_lowercase());
            }
        }
        if to.is_empty()
            && let Some(from) = parent.as_ref().and_then(|m| m.from.clone())
        {
            to.push(from);
        }
        if to.is_empty() {
            return Err(fail("aucun destinataire"));
        }
        if self.defects.on("correspondents-capped") {
            to.truncate(5);
        }
        if send.document.is_some()
            && to.len() > usize::from(to_patient)
            && let Some(p) = &patient
            && self.mail.professional_refusals.contains(&p.patient)
            && !self.defects.on("pro-refusal-ignored")
        {
            return Err(fail(format!(
                "le patient {} a refusé l'envoi de ses comptes rendus aux professionnels par messagerie : rien n'est envoyé",
                p.patient
            )));
        }
        let attached = match (&send.document, &patient) {
            (Some(spec), Some(patient)) => {
                self.check_visibility(spec, to_patient, to.len() > usize::from(to_patient))?;
                Some(self.attach(patient, spec)?)
            }
            (Some(_), None) => {
                return Err(fail("un document concerne un patient : « patient » manque"));
            }
            (None, _) => None,
        };
        let subject = match (&send.subject, &send.document, &parent) {
            (Some(s), _, _) => s.clone(),
            (None, Some(d), _) => d.title.clone(),
            (None, None, Some(parent)) => format!("Re: {}", parent.subject),
            (None, None, None) => String::new(),
        };
        // A new version says, in the mail as in the document, what it cancels and replaces.
        let text = match attached
            .as_ref()
            .and_then(|(_, s)| s.replacement.as_deref())
        {
            Some(mention) => format!("{mention}.\r\n\r\n{}", send.text),
            None => send.text.clone(),
        };
        let posted = self
            .post(Letter {
                mailbox: &mailbox,
                to: &to,
                subject: &subject,
                text: &text,
                document: attached.as_ref().map(|(a, _)| a),
                replying_to: parent.as_ref().and_then(|m| {
                    m.message_id
                        .as_deref()
                        .map(|id| (id, m.references.as_slice()))
                }),
                receipt: send.receipt,
                no_reply: send.no_reply && to_patient,
            })
            .await?;
        if let (Some((_, sent)), Some(patient)) = (&attached, &patient) {
            self.note_sent_document(&patient.patient, sent.clone(), &to);
        }
        // Rule 31: the partners a qualified INS went to.
        if let (Some(patient), Some(_)) = (&patient, &attached)
            && patient.status == crate::identity::Status::Qualifiee
        {
            self.note_share(&patient.patient, &to, "mssante");
        }
        Ok(Reply::ok(json!({
            "message_id": posted.message_id,
            "from": mailbox,
            "to": to,
            "subject": posted.subject,
            "tls": posted.accepted.tls,
        })))
    }

    /// Writes `letter` as the mailbox it goes from says it (label, `Reply-To`, notice),
    /// submits it, traces the exchange and notes the message sent.
    pub(super) async fn post(&mut self, letter: Letter<'_>) -> Result<Posted, Reply> {
        let message_id = new_message_id();
        let sender = self.sender(letter.mailbox);
        let nil = self.mss_client()?.nil.clone();
        let outgoing = Outgoing {
            from: letter.mailbox,
            from_label: &sender.label,
            reply_to: sender.reply_to.as_deref(),
            notice: sender.notice.as_deref(),
            html_only: self.defects.on("mail-html-only"),
            to: letter.to,
            subject: letter.subject,
            text: letter.text,
            message_id: &message_id,
            replying_to: letter.replying_to,
            receipt: letter.receipt,
            no_reply: letter.no_reply,
            nil: &nil,
            document: letter.document,
            date: self.now().unix_timestamp(),
        };
        let raw = outgoing.compose().map_err(failure)?;
        let subject = outgoing.subject();
        let submitted = self.submit(letter.mailbox, letter.to, &raw).await;
        self.trace_mss(
            "envoi",
            letter.mailbox,
            format!(
                "MAIL FROM:<{}> RCPT TO:<{}> DATA « {subject} »",
                letter.mailbox,
                letter.to.join(">, <")
            ),
            said(&submitted, |a| a.reply.clone()),
            Some(&message_id),
        );
        let accepted = submitted?;
        self.mail
            .sent
            .insert(message_id.clone(), letter.mailbox.to_string());
        Ok(Posted {
            message_id,
            subject,
            accepted,
        })
    }

    /// The PFI rules on who may receive a document of a given visibility.
    fn check_visibility(
        &self,
        spec: &DocumentSpec,
        to_patient: bool,
        to_professionals: bool,
    ) -> Result<(), Reply> {
        let has = |code: &str| spec.visibility.iter().any(|v| v == code);
        if !to_patient || self.defects.on("mss-invisible-to-patient") {
            return Ok(());
        }
        if has("INVISIBLE_PATIENT") {
            return Err(fail(
                "ce document est invisible au patient : il ne peut être envoyé qu'à des professionnels",
            ));
        }
        if to_professionals && (has("MASQUE_PS") || has("INVISIBLE_REP_LEGAUX")) {
            return Err(fail(
                "un document envoyé au patient et à des professionnels ne peut être ni masqué aux professionnels ni invisible aux représentants légaux",
            ));
        }
        Ok(())
    }

    pub(super) async fn submit(
        &mut self,
        mailbox: &str,
        to: &[String],
        raw: &[u8],
    ) -> Result<smtp::Accepted, Reply> {
        let (login, _) = self.login(mailbox).await?;
        let client = self.mss_client()?;
        smtp::submit(
            &client.smtp,
            client.tls(&login),
            &login,
            &Envelope { from: mailbox, to },
            raw,
        )
        .await
        .map_err(failure)
    }

    fn received(&self, mailbox: &str, uid: u32) -> Result<&Received, Reply> {
        self.mail
            .inbox
            .get(mailbox)
            .and_then(|m| m.get(&uid))
            .ok_or_else(|| {
                fail(format!(
                    "aucun message {uid} lu dans {mailbox} : relever la boîte d'abord"
                ))
            })
    }

    /// Fetches what is new in `mailbox`, over the session kept open; a session opened with
    /// a token that has since expired is closed and opened again with a fresh one.
    async fn fetch(&mut self, mailbox: &str) -> Result<Vec<u32>, Reply> {
        let fetched = self.fetch_new(mailbox).await;
        self.trace_mss(
            "consultation",
            mailbox,
            "IMAP SELECT INBOX, UID FETCH des messages nouveaux".into(),
            said(&fetched, |new| {
                format!("OK : {} message(s) nouveau(x)", new.len())
            }),
            None,
        );
        let new = fetched?;
        if !self.defects.on("mss-received-history-missing") {
            for uid in &new {
                let Some(m) = self.mail.inbox.get(mailbox).and_then(|b| b.get(uid)) else {
                    continue;
                };
                let (request, id) = (
                    format!(
                        "UID {uid} « {} » de {}",
                        m.subject,
                        m.from.as_deref().unwrap_or("?")
                    ),
                    m.message_id.clone(),
                );
                let documents = m.xdm.as_ref().map_or(0, |x| x.documents.len());
                self.trace_mss(
                    "réception",
                    mailbox,
                    request,
                    Ok(format!("reçu, {documents} document(s) IHE_XDM")),
                    id.as_deref(),
                );
            }
        }
        self.auto_file(mailbox, &new).await;
        Ok(new)
    }

    async fn fetch_new(&mut self, mailbox: &str) -> Result<Vec<u32>, Reply> {
        let now = self.now().unix_timestamp();
        let expired = self
            .mail
            .imap
            .get(mailbox)
            .is_some_and(|s| s.valid_until.is_some_and(|t| now >= t - 5));
        if expired
            && !self.defects.on("mss-keeps-expired-session")
            && let Some(session) = self.mail.imap.remove(mailbox)
        {
            session.logout().await;
        }
        let known: Vec<u32> = self
            .mail
            .inbox
            .get(mailbox)
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default();
        let fetched = match self.mail.imap.get_mut(mailbox) {
            Some(session) => match session.fetch_new(&known).await {
                Ok(f) => Some(f),
                Err(_) => {
                    // The operator closed the session (a token revoked, a restart): open
                    // a new one once.
                    self.mail.imap.remove(mailbox);
                    None
                }
            },
            None => None,
        };
        let fetched = match fetched {
            Some(f) => f,
            None => {
                let (login, valid_until) = self.login(mailbox).await?;
                let client = self.mss_client()?;
                let mut session = ImapSession::open(
                    &client.imap,
                    client.tls(&login),
                    &login,
                    mailbox,
                    valid_until,
                )
                .await
                .map_err(failure)?;
                let fetched = session.fetch_new(&known).await.map_err(failure)?;
                self.mail.imap.insert(mailbox.to_string(), session);
                fetched
            }
        };
        let mut new = Vec::new();
        for f in fetched {
            let Some(message) = received::read(f.uid, &f.raw) else {
                continue;
            };
            if let Some(receipt) = &message.receipt {
                self.mail.receipts.push(receipt.clone());
            }
            new.push(f.uid);
            self.mail
                .inbox
                .entry(mailbox.to_string())
                .or_default()
                .insert(f.uid, message);
        }
        Ok(new)
    }

    /// The local identity whose INS the archive names.
    fn identified(&self, message: &Received) -> Option<&Patient> {
        let ins = message.xdm.as_ref()?.ins.as_deref()?;
        self.patients
            .all()
            .find(|p| p.ins.as_ref().is_some_and(|i| i.number() == ins))
    }

    fn shown(&self, message: &Received, new: bool) -> Value {
        let xdm = message.xdm.as_ref();
        let subject = if xdm.is_some() && self.defects.on("xdm-prefix-shown") {
            format!(
                "{}{}",
                crate::mss::message::XDM_SUBJECT_PREFIX,
                message.subject
            )
        } else {
            message.subject.clone()
        };
        json!({
            "uid": message.uid,
            "message_id": message.message_id,
            "from": message.from,
            "sender": self.sender_shown(message.from.as_deref().unwrap_or_default()),
            "subject": subject,
            "new": new,
            "xdm": xdm.is_some(),
            "patient": xdm.map(|x| json!({
                "ins": x.ins,
                "patient": self.identified(message).map(|p| p.patient.clone()),
            })),
            "documents": xdm.map(|x| &x.documents),
            "integrated": xdm.is_some_and(|x| !x.documents.is_empty() && x.documents.iter().all(|d| {
                self.mail.integrated.iter().any(|(_, id, _)| *id == d.unique_id)
            })),
            "receipt_requested": message.notify.is_some(),
            "receipt": message.receipt,
        })
    }

    /// Who a message comes from, as the list shows it (MSS/UX.25, UX.31): a patient
    /// writing from Mon espace santé by their birth name, first given name and INS
    /// matricule (from the identity the address's INS names), not by the address alone.
    fn sender_shown(&self, from: &str) -> Value {
        let Some(ins) = from
            .to_ascii_lowercase()
            .strip_suffix(&format!("@{PATIENT_DOMAIN}"))
            .map(str::to_string)
        else {
            return json!({ "kind": "professional", "address": from });
        };
        if self.defects.on("patient-mail-shown-as-address") {
            return json!({ "kind": "professional", "address": from });
        }
        let known = self.patients.all().find(|p| {
            p.ins
                .as_ref()
                .is_some_and(|i| i.number().eq_ignore_ascii_case(&ins))
        });
        json!({
            "kind": "patient",
            "address": from,
            "ins": ins,
            "birth_name": known.map(|p| &p.traits.birth_name),
            "first_name": known.and_then(|p| p.traits.first_names.first()),
            "patient": known.map(|p| &p.patient),
        })
    }

    /// `mss.poll`: the mailbox as the user sees it.
    pub(super) async fn mss_poll(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Poll { mailbox } = params(p)?;
        let mailbox = self.mailbox(mailbox)?;
        let new = self.fetch(&mailbox).await?;
        let messages: Vec<Value> = self
            .mail
            .inbox
            .get(&mailbox)
            .map(|m| {
                m.values()
                    .map(|r| self.shown(r, new.contains(&r.uid)))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Reply::ok(
            json!({ "mailbox": mailbox, "messages": messages }),
        ))
    }

    /// `mss.integrate`: the documents of a received IHE_XDM archive go into the record
    /// of the patient its `patientId` names; the sender gets the MDN it asked for.
    pub(super) async fn mss_integrate(&mut self, p: &Value) -> Result<Reply, Reply> {
        let OneMessage { uid, mailbox } = params(p)?;
        let mailbox = self.mailbox(mailbox)?;
        let message = self.received(&mailbox, uid)?.clone();
        let Some(xdm) = &message.xdm else {
            return Err(fail("ce message ne porte pas d'archive IHE_XDM"));
        };
        // A PFI hands the documents to the DPI they are for (CDA/HL7.03).
        if self.settings.mss_to_hl7
            && xdm.unreadable.is_none()
            && !self.defects.on("pfi-mail-not-forwarded")
        {
            let xdm = xdm.clone();
            return self.forward_to_dpi(&mailbox, &message, &xdm).await;
        }
        let outcome = match (&xdm.unreadable, self.identified(&message)) {
            (Some(why), _) => Err((906, format!("archive illisible : {why}"))),
            (None, None) => Err((
                902,
                format!(
                    "patient inconnu ({}) : message mis en attente de rapprochement",
                    xdm.patient_id.as_deref().unwrap_or("aucun patientId")
                ),
            )),
            (None, Some(_)) if xdm.documents.iter().any(|d| !d.intact) => Err((
                906,
                "un document ne correspond pas à son empreinte (hash, size)".to_string(),
            )),
            (None, Some(patient)) => Ok(patient.patient.clone()),
        };
        if !self.defects.on("mss-received-history-missing") {
            let said = match &outcome {
                Ok(patient) => Ok(format!("intégré au dossier {patient}")),
                Err((code, label)) => Err(format!("non intégré ({code}) : {label}")),
            };
            self.trace_mss(
                "intégration",
                &mailbox,
                format!("intégration des documents du message UID {uid}"),
                said,
                message.message_id.as_deref(),
            );
        }
        let disposition = match &outcome {
            Ok(_) => Disposition::Processed,
            Err((code, label)) => Disposition::Failed(*code, label),
        };
        let receipt_sent = match &message.notify {
            Some(to) => {
                self.notify(&mailbox, &message, to, disposition).await?;
                true
            }
            None => false,
        };
        let patient = outcome.map_err(|(code, label)| {
            Reply::error(
                format!("intégration impossible ({code}) : {label}"),
                json!({ "code": code, "receipt_sent": receipt_sent }),
            )
        })?;
        let xdm = xdm.clone();
        let documents = self.file_documents(&patient, &xdm, false);
        Ok(Reply::ok(json!({
            "patient": patient,
            "documents": documents,
            "receipt_sent": receipt_sent,
        })))
    }

    /// Notes a document integrated from mail.
    pub(super) fn mail_integrated(&mut self, patient: &str, unique_id: &str, title: &str) {
        self.mail.integrated.push((
            patient.to_string(),
            unique_id.to_string(),
            title.to_string(),
        ));
    }

    /// The documents received and not yet filed, with the message they came in: what the
    /// worklist shows (MSS/UX.09, va1.25).
    pub(super) fn waiting_documents(&self) -> Vec<(&Received, &XdmDocument)> {
        let mut out = Vec::new();
        for message in self.mail.inbox.values().flat_map(|m| m.values()) {
            let Some(xdm) = &message.xdm else { continue };
            for d in &xdm.documents {
                if !self
                    .mail
                    .integrated
                    .iter()
                    .any(|(_, id, _)| *id == d.unique_id)
                {
                    out.push((message, d));
                }
            }
        }
        out
    }

    /// `mss.worklist`: the documents received by mail and not filed, each with the
    /// metadata of its CDA header and why it waits.
    pub(super) fn mss_worklist(&self, _p: &Value) -> Result<Reply, Reply> {
        let bare = self.defects.on("worklist-without-metadata");
        let items: Vec<Value> = self
            .waiting_documents()
            .into_iter()
            .map(|(message, d)| {
                let reason = match self.identified(message) {
                    None => "patient inconnu : à rapprocher",
                    Some(_) if !d.intact => "document altéré (hash, size)",
                    Some(_) => "à intégrer",
                };
                let header = d.header.as_ref().filter(|_| !bare);
                json!({
                    "uid": message.uid,
                    "message_id": message.message_id,
                    "from": message.from,
                    "subject": message.subject,
                    "unique_id": d.unique_id,
                    "title": d.title,
                    "type_code": d.type_code,
                    "created": header.map(|h| &h.created),
                    "version": header.map(|h| &h.version),
                    "patient": header.map(|h| &h.patient),
                    "authors": header.map(|h| &h.authors),
                    "acts": header.map(|h| &h.acts),
                    "reason": reason,
                })
            })
            .collect();
        Ok(Reply::ok(json!({ "documents": items })))
    }

    /// Files on its own what the new messages of `mailbox` bring for a patient their
    /// CDA identifies strictly (MSS/UX.07), when the site allows it.
    async fn auto_file(&mut self, mailbox: &str, new: &[u32]) {
        if !self.settings.mss_auto_integration || self.defects.on("mss-auto-integration-ignored") {
            return;
        }
        for uid in new {
            let Ok(message) = self.received(mailbox, *uid).cloned() else {
                continue;
            };
            let Some(xdm) = message.xdm.as_ref().filter(|x| x.unreadable.is_none()) else {
                continue;
            };
            let Some(patient) = self.strict_identity(xdm) else {
                continue;
            };
            self.file_documents(&patient, xdm, true);
            self.trace_mss(
                "intégration",
                mailbox,
                format!("intégration automatique des documents du message UID {uid}"),
                Ok(format!("intégré au dossier {patient}")),
                message.message_id.as_deref(),
            );
            if let Some(to) = &message.notify {
                // The receipt is a courtesy to the sender: its failure is traced, the
                // document stays filed.
                let _ = self
                    .notify(mailbox, &message, to, Disposition::Processed)
                    .await;
            }
        }
    }

    /// `mss.send_receipt`: the user sends the read receipt a message asked for.
    pub(super) async fn mss_send_receipt(&mut self, p: &Value) -> Result<Reply, Reply> {
        let OneMessage { uid, mailbox } = params(p)?;
        let mailbox = self.mailbox(mailbox)?;
        let message = self.received(&mailbox, uid)?.clone();
        let to = message
            .notify
            .clone()
            .ok_or_else(|| fail("ce message ne demande pas d'accusé de réception"))?;
        let id = self
            .notify(&mailbox, &message, &to, Disposition::Displayed)
            .await?;
        Ok(Reply::ok(json!({ "message_id": id, "to": to })))
    }

    pub(super) async fn notify(
        &mut self,
        mailbox: &str,
        message: &Received,
        to: &str,
        disposition: Disposition<'_>,
    ) -> Result<String, Reply> {
        let original_id = message
            .message_id
            .as_deref()
            .ok_or_else(|| fail("le message reçu n'a pas de Message-ID : accusé impossible"))?;
        let message_id = new_message_id();
        let raw = Notification {
            from: mailbox,
            to,
            original_id,
            original_subject: &message.subject,
            disposition,
            message_id: &message_id,
            nil: &self.mss_client()?.nil,
            date: self.now().unix_timestamp(),
        }
        .compose()
        .map_err(failure)?;
        let submitted = self.submit(mailbox, &[to.to_string()], &raw).await;
        self.trace_mss(
            "accusé",
            mailbox,
            format!("MAIL FROM:<{mailbox}> RCPT TO:<{to}> DATA accusé du message <{original_id}>"),
            said(&submitted, |a| a.reply.clone()),
            Some(original_id),
        );
        submitted?;
        Ok(message_id)
    }

    /// `mss.show_receipts`: the receipts received for a message sent.
    pub(super) async fn mss_show_receipts(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Receipts { message_id } = params(p)?;
        let id = message_id.trim_matches(['<', '>']).to_string();
        let mailbox = self
            .mail
            .sent
            .get(&id)
            .cloned()
            .ok_or_else(|| fail(format!("aucun message envoyé avec l'identifiant {id}")))?;
        self.fetch(&mailbox).await?;
        let receipts: Vec<&Receipt> = self
            .mail
            .receipts
            .iter()
            .filter(|r| r.original_id == id)
            .collect();
        Ok(Reply::ok(json!({ "message_id": id, "receipts": receipts })))
    }
}
