//! The DMP actions of a session, done as a user of the software does them: the
//! patient's choices recorded locally (consent to consultation, opposition to feeding),
//! rights checked with TD0.2 before any consultation and the authorisation set with TD0.3
//! only for consultation, documents produced as CDA and fed with their signed submission
//! set, the list filtered and flagged with what is new since the user's last visit.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Session, params, refused};
use crate::cda::{self, Kind};
use crate::dmp::professional::Professional;
use crate::dmp::xds::{self, Code, Criteria, Entry, FeedDocument, Found};
use crate::dmp::{VihfOptions, patients};
use crate::identity::Status;
use crate::identity::store::Patient;
use crate::protocol::Reply;

/// What the LPS keeps about the DMP, per patient.
#[derive(Default)]
pub struct DmpBook {
    /// Consultation consent recorded (true) or opposition (false); absent: not asked.
    pub(super) consultation: HashMap<String, bool>,
    /// Patients who opposed the feeding of their DMP.
    pub(super) feeding_opposed: BTreeSet<String>,
    /// Documents this LPS fed, by uniqueId, with their CDA `setId` and version.
    pub(super) fed: HashMap<String, Fed>,
    /// Entries each (user, patient) has been shown (UX.15).
    seen: HashMap<(String, String), BTreeSet<String>>,
    /// The last list shown per patient: what `dmp.retrieve` picks from.
    pub(super) listed: HashMap<String, Vec<Found>>,
    /// Documents integrated into the record: (patient, uniqueId) → bytes, as the DMP gave
    /// them (a self-presentable one with its producer's stylesheet, INT.15).
    pub(super) integrated: HashMap<(String, String), Vec<u8>>,
    /// Each patient's record: the documents produced here and those integrated.
    pub(super) records: HashMap<String, Vec<super::records::RecordEntry>>,
    /// Each patient's stays (DMP/HISTO.08, .09).
    pub(super) stays: HashMap<String, Vec<super::stays::Stay>>,
    /// Documents written in the record and not sent (older than the feeding of the DMP):
    /// what a bulk feed sends (HISTO.06).
    pub(super) held: Vec<super::history::Held>,
    /// Documents preloaded from the DMP for the patients in care (UX.34).
    pub(super) preloaded: HashMap<(String, String), super::preload::Preloaded>,
    /// Documents this LPS wrote, as sent: (patient, uniqueId) → bytes.
    pub(super) produced: HashMap<(String, String), Vec<u8>>,
    /// New versions found in the DMP of documents the record holds: new uniqueId → the
    /// uniqueId it replaces (the user integrates it beside the previous one).
    pub(super) newer_versions: HashMap<String, String>,
}

/// The document types signalled as new when a record opens, by level (DMP/UX.17).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewTypes {
    /// For the whole structure.
    #[serde(default)]
    pub structure: Option<Vec<String>>,
    /// For the users of a service, by service.
    #[serde(default)]
    pub services: BTreeMap<String, Vec<String>>,
    /// For the professionals of a specialty, by specialty code (`SM26`...).
    #[serde(default)]
    pub specialties: BTreeMap<String, Vec<String>>,
}

impl NewTypes {
    /// Adds what `other` sets.
    pub fn merge(&mut self, other: NewTypes) {
        if other.structure.is_some() {
            self.structure = other.structure;
        }
        self.services.extend(other.services);
        self.specialties.extend(other.specialties);
    }

    /// The types for a user of `service` with `specialty`: the most specific level set
    /// (service, then specialty, then structure); `None`: every type.
    pub fn applying(&self, service: Option<&str>, specialty: Option<&str>) -> Option<&[String]> {
        service
            .and_then(|s| self.services.get(s))
            .or_else(|| specialty.and_then(|s| self.specialties.get(s)))
            .or(self.structure.as_ref())
            .map(Vec::as_slice)
    }
}

/// A document this LPS fed.
#[derive(Clone)]
pub(super) struct Fed {
    /// Its current metadata.
    pub(super) entry: Entry,
    /// The volet.
    pub(super) kind: Kind,
    /// CDA `setId@extension`.
    pub(super) set_id: String,
    /// CDA `versionNumber`.
    pub(super) version: u32,
    /// The recipients and the prescriber a report names: a new version names them again.
    pub(super) parties: (Vec<cda::Party>, Option<cda::Party>),
}

#[derive(Deserialize)]
struct PatientRef {
    patient: String,
}

/// A DMP search (TD3.1) ready to send: what `dmp.list` asks once consent and rights are
/// checked. It holds what the call needs and no borrow of the session, so the search can
/// run in the background while the user goes on working (UX.10).
pub struct PendingList {
    /// The DMP client.
    client: std::sync::Arc<crate::dmp::DmpClient>,
    /// The signed VIHF.
    vihf: String,
    /// The FindDocuments body.
    body: String,
    /// The local patient id.
    patient: String,
    /// The user's national id: what is new is new to this user.
    user: String,
    /// The authorisation found or set.
    authorisation: Option<String>,
    /// How many criteria the search had.
    criteria: usize,
}

impl PendingList {
    /// Sends the search.
    pub async fn send(&self) -> Result<crate::dmp::soap::Answer, Reply> {
        self.client
            .call("registry", xds::QUERY_ACTION, &self.vihf, &self.body, &[])
            .await
            .map_err(|e| fail(e.0))
    }
}

#[derive(Deserialize)]
struct Choice {
    patient: String,
    subject: String,
}

#[derive(Deserialize)]
struct List {
    patient: String,
    #[serde(default = "yes")]
    authorise: bool,
    #[serde(default)]
    criteria: Criteria,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct Feed {
    patient: String,
    kind: Kind,
    title: String,
    #[serde(default)]
    visibility: Vec<String>,
    /// A historical document's business date (`YYYY-MM-DD`).
    #[serde(default)]
    date: Option<String>,
    /// The author left (HISTO.04): the structure signs as legal entity.
    #[serde(default)]
    author_left: bool,
    /// Written in the record, not sent (a document older than the feeding of the DMP,
    /// for a later bulk feed, HISTO.06).
    #[serde(default)]
    hold: bool,
    /// Sent with the LPS's stylesheet (self-presentable, CDA/INT.16).
    #[serde(default)]
    self_presentable: bool,
    /// A section the volet does not plan, added by the author (CDA/INT.16).
    #[serde(default)]
    added_section: Option<AddedSection>,
    /// Its recipients: through a PFI, the document also goes to those with an MSSanté
    /// address (`PRT` RCT, `DESTMSSANTEPS`, MSS/va1.24).
    #[serde(default)]
    recipients: Vec<cda::Party>,
}

#[derive(Deserialize)]
struct AddedSection {
    title: String,
    text: String,
}

#[derive(Deserialize)]
struct DocumentRef {
    patient: String,
    document: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    visibility: Vec<String>,
}

#[derive(Deserialize)]
struct Retrieve {
    patient: String,
    documents: Vec<String>,
}

#[derive(Deserialize)]
struct Produce {
    patient: String,
    kind: Kind,
    title: String,
}

pub(super) fn fail(message: impl Into<String>) -> Reply {
    Reply::error(message, Value::Null)
}

fn cx(patient: &Patient) -> Option<String> {
    patient.ins.as_ref().map(|i| i.cx())
}

impl Session {
    /// The logged-in professional, as the VIHF names them.
    pub(super) fn professional(&self) -> Result<Professional, Reply> {
        let user = self.psc.user().ok_or_else(|| {
            fail("aucun professionnel connecté : connexion Pro Santé Connect requise pour le DMP")
        })?;
        let mut professional = Professional::from_userinfo(user, &self.structure)
            .ok_or_else(|| fail("les informations du professionnel (UserInfo) sont incomplètes"))?;
        if self.defects.on("vihf-generic-user") {
            professional.national_id = format!("{}/LGC", self.structure.national_id);
        }
        Ok(professional)
    }

    /// The patient, who must have a qualified INS for any DMP exchange.
    pub(super) fn dmp_patient(&self, id: &str) -> Result<(Patient, String), Reply> {
        let patient = self.patients.get(id).map_err(refused)?.clone();
        let qualified =
            patient.status == Status::Qualifiee || self.defects.on("dmp-unqualified-ins");
        match cx(&patient) {
            Some(cx) if qualified => Ok((patient, cx)),
            _ => Err(fail(format!(
                "l'identité {id} n'est pas qualifiée : aucun échange avec le DMP sans INS qualifiée"
            ))),
        }
    }

    fn vihf_options(&self) -> VihfOptions {
        VihfOptions {
            without_specialty: self.defects.on("vihf-without-specialty"),
            authentication_key: self.defects.on("vihf-signed-with-auth-key"),
            issued: Some(self.now()),
        }
    }

    /// The VIHF's `resource-id`: the patient's, or (defect) another patient's (the
    /// ANS examples' patient, as a cache left from an earlier record would give).
    fn resource_id(&self, cx: &str) -> String {
        if self.defects.on("vihf-other-patient") {
            return "279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH".into();
        }
        cx.to_string()
    }

    fn dmp_client(&self) -> Result<&std::sync::Arc<crate::dmp::DmpClient>, Reply> {
        self.dmp.as_ref().ok_or_else(|| {
            Reply::unsupported(
                "aucun DMP configuré (endpoints.dmp, credentials.structure_auth/structure_sign)",
            )
        })
    }

    pub(super) async fn dmp_call(
        &self,
        who: &Professional,
        cx: Option<&str>,
        (service, action): (&str, &str),
        body: &str,
        attachments: &[(String, String, Vec<u8>)],
    ) -> Result<crate::dmp::soap::Answer, Reply> {
        let client = self.dmp_client()?;
        let resource = cx.map(|c| self.resource_id(c));
        let vihf = client
            .vihf(who, resource.as_deref(), self.vihf_options())
            .map_err(|e| fail(e.0))?;
        client
            .call(service, action, &vihf, body, attachments)
            .await
            .map_err(|e| fail(e.0))
    }

    /// TD0.2.
    async fn existence(
        &self,
        who: &Professional,
        patient: &Patient,
        cx: &str,
    ) -> Result<patients::Existence, Reply> {
        let ins = patient.ins.as_ref().expect("a CX implies an INS");
        let body = patients::existence_request(&ins.number(), &ins.oid, crate::NAME);
        let answer = self
            .dmp_call(
                who,
                Some(cx),
                ("patients", patients::TD02_ACTION),
                &body,
                &[],
            )
            .await?;
        Ok(patients::read_existence(&answer.body))
    }

    /// `dmp.check_access`: TD0.2, shown as the DMP icons would (UX.11/12).
    pub(super) async fn dmp_check(&mut self, p: &Value) -> Result<Reply, Reply> {
        let PatientRef { patient: id } = params(p)?;
        let who = self.professional()?;
        let (patient, cx) = self.dmp_patient(&id)?;
        let existence = self.existence(&who, &patient, &cx).await?;
        let updates = if existence.state == "open" {
            self.dmp_updates(&id).await?
        } else {
            Vec::new()
        };
        Ok(Reply::ok(json!({
            "dmp": existence.state,
            "authorisation": existence.authorisation,
            "treating_doctor": existence.treating_doctor,
            "message": existence.message,
            "updates": updates,
        })))
    }

    /// `dmp.set_authorisation`: TD0.3 `AJOUT`.
    pub(super) async fn dmp_authorise(&mut self, p: &Value) -> Result<Reply, Reply> {
        let PatientRef { patient: id } = params(p)?;
        let who = self.professional()?;
        let (_, cx) = self.dmp_patient(&id)?;
        let (status, context) = self.set_authorisation(&who, &cx).await?;
        Ok(Reply::ok(json!({ "status": status, "context": context })))
    }

    async fn set_authorisation(
        &self,
        who: &Professional,
        cx: &str,
    ) -> Result<(String, String), Reply> {
        let answer = self
            .dmp_call(
                who,
                Some(cx),
                ("habilitations", patients::TD03_ACTION),
                &patients::authorisation_request("AJOUT"),
                &[],
            )
            .await?;
        let (status, context) = patients::read_authorisation(&answer.body);
        if status != "DMPOk" {
            return Err(fail(format!(
                "autorisation refusée par le DMP : {status} ({context})"
            )));
        }
        Ok((status, context))
    }

    /// `dmp.record_consent` / `dmp.record_opposition`: the patient's choices, kept by the
    /// LPS (the DMP does not hold them).
    pub(super) fn dmp_record(&mut self, p: &Value, consent: bool) -> Result<Reply, Reply> {
        let Choice { patient, subject } = params(p)?;
        self.patients.get(&patient).map_err(refused)?;
        match (subject.as_str(), consent) {
            ("consultation", given) => {
                // The defect keeps the first choice recorded: a later change is lost.
                let frozen = self.defects.on("consultation-choice-frozen")
                    && self.book.consultation.contains_key(&patient);
                if !frozen {
                    self.book.consultation.insert(patient.clone(), given);
                }
            }
            ("feeding", false) => {
                self.book.feeding_opposed.insert(patient.clone());
            }
            ("feeding", true) => {
                self.book.feeding_opposed.remove(&patient);
            }
            (other, _) => {
                return Err(fail(format!(
                    "choix inconnu : {other} (consultation, feeding)"
                )));
            }
        }
        Ok(Reply::ok(json!({
            "patient": patient,
            "consultation": self.book.consultation.get(&patient),
            "feeding_opposed": self.book.feeding_opposed.contains(&patient),
        })))
    }

    /// `dmp.list`: consent, TD0.2, TD0.3 when needed and confirmed, TD3.1 (UX.08, UX.14,
    /// UX.15, UX.27, UX.50, CONF.06).
    pub(super) async fn dmp_list(&mut self, p: &Value) -> Result<Reply, Reply> {
        let call = self.dmp_list_begin(p).await?;
        let answer = call.send().await;
        self.dmp_list_end(call, answer)
    }

    /// The first part of `dmp.list`: consent, TD0.2, TD0.3; the search (TD3.1) it leads
    /// to, ready to send without the session (a consultation in the background, UX.10).
    pub(super) async fn dmp_list_begin(&mut self, p: &Value) -> Result<PendingList, Reply> {
        let List {
            patient: id,
            authorise,
            criteria,
        } = params(p)?;
        let who = self.professional()?;
        let (patient, cx) = self.dmp_patient(&id)?;
        if !self.defects.on("consult-without-consent") {
            match self.book.consultation.get(&id) {
                Some(true) => {}
                Some(false) => {
                    return Err(fail("le patient s'est opposé à la consultation de son DMP"));
                }
                None => {
                    return Err(fail(
                        "le consentement du patient à la consultation de son DMP n'est pas recueilli",
                    ));
                }
            }
        }
        let mut authorisation = None;
        if !self.defects.on("consult-without-rights-check") {
            let existence = self.existence(&who, &patient, &cx).await?;
            match existence.state {
                "open" => {}
                "closed" => {
                    return Err(fail(format!(
                        "le DMP du patient est fermé{}",
                        existence
                            .message
                            .map(|m| format!(" : {m}"))
                            .unwrap_or_default()
                    )));
                }
                _ => return Err(fail("le patient n'a pas de DMP")),
            }
            match existence.authorisation.as_deref() {
                Some("VALIDE") => authorisation = Some("VALIDE".to_string()),
                Some("INTERDITE") => return Err(fail("le patient a bloqué votre accès à son DMP")),
                _ if authorise => {
                    self.set_authorisation(&who, &cx).await?;
                    authorisation = Some("AJOUTEE".to_string());
                }
                _ => {
                    return Err(fail(
                        "vous n'êtes pas autorisé à consulter ce DMP : autorisation d'accès non confirmée",
                    ));
                }
            }
        }
        let client = self.dmp_client()?.clone();
        let vihf = client
            .vihf(&who, Some(&self.resource_id(&cx)), self.vihf_options())
            .map_err(|e| fail(e.0))?;
        Ok(PendingList {
            client,
            vihf,
            body: xds::find_documents(&cx, &criteria),
            patient: id,
            user: who.national_id.clone(),
            authorisation,
            criteria: criteria.count(),
        })
    }

    /// The last part of `dmp.list`: the search's answer shown, what is new flagged.
    pub(super) fn dmp_list_end(
        &mut self,
        call: PendingList,
        answer: Result<crate::dmp::soap::Answer, Reply>,
    ) -> Result<Reply, Reply> {
        let answer = answer?;
        let id = call.patient;
        xds::read_status(&answer.body)
            .map_err(|e| fail(format!("le DMP a refusé la recherche : {e}")))?;
        // The submission sets' signatures are not documents to show.
        let found: Vec<Found> = xds::read_found(&answer.body)
            .into_iter()
            .filter(|f| f.class_code != xds::SIGNATURE_CLASS)
            .collect();
        let key = (call.user, id.clone());
        let seen = self.book.seen.get(&key).cloned().unwrap_or_default();
        let specialty = self
            .professional()
            .ok()
            .and_then(|p| p.second_role.map(|(code, _)| code));
        let signalled = if self.defects.on("new-types-structure-only") {
            self.settings.new_types.structure.as_deref()
        } else {
            self.settings
                .new_types
                .applying(self.settings.service.as_deref(), specialty.as_deref())
        };
        let documents: Vec<Value> = found
            .iter()
            .map(|f| {
                let mut shown = serde_json::to_value(f).unwrap_or(Value::Null);
                let of_a_signalled_type = signalled.is_none_or(|t| t.contains(&f.type_code));
                shown["new"] = json!(!seen.contains(&f.entry_uuid) && of_a_signalled_type);
                shown
            })
            .collect();
        self.book
            .seen
            .entry(key)
            .or_default()
            .extend(found.iter().map(|f| f.entry_uuid.clone()));
        self.book.listed.insert(id, found);
        Ok(Reply::ok(json!({
            "authorisation": call.authorisation,
            "documents": documents,
            "criteria": call.criteria,
        })))
    }

    /// `dmp.retrieve`: ITI-43 for the chosen documents at once, each checked against its
    /// hash and integrated (UX.31).
    pub(super) async fn dmp_retrieve(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Retrieve {
            patient: id,
            documents,
        } = params(p)?;
        let listed = self.book.listed.get(&id).cloned().unwrap_or_default();
        let mut chosen = Vec::new();
        for d in &documents {
            let found = listed
                .iter()
                .find(|f| &f.unique_id == d || &f.entry_uuid == d || &f.title == d)
                .ok_or_else(|| {
                    fail(format!("document {d} absent de la dernière liste affichée"))
                })?;
            chosen.push(found.clone());
        }
        let mut integrated = Vec::new();
        for (unique, bytes) in self.fetch_documents(&id, &chosen).await? {
            integrated.push(json!({ "unique_id": unique, "size": bytes.len(), "hash_ok": true }));
            if let Some(found) = chosen.iter().find(|f| f.unique_id == unique) {
                self.record_integrated(&id, found);
            }
            self.book.integrated.insert((id.clone(), unique), bytes);
        }
        Ok(Reply::ok(json!({ "integrated": integrated })))
    }

    /// ITI-43 for `chosen` at once: each document's bytes, checked against the hash its
    /// metadata gave (a document whose hash differs is refused, not integrated).
    pub(super) async fn fetch_documents(
        &self,
        patient: &str,
        chosen: &[Found],
    ) -> Result<Vec<(String, Vec<u8>)>, Reply> {
        let who = self.professional()?;
        let (_, cx) = self.dmp_patient(patient)?;
        let requests: Vec<(String, String)> = chosen
            .iter()
            .map(|f| (f.repository.clone(), f.unique_id.clone()))
            .collect();
        let answer = self
            .dmp_call(
                &who,
                Some(&cx),
                ("repository", xds::RETRIEVE_ACTION),
                &xds::retrieve(&requests),
                &[],
            )
            .await?;
        if let Some(status) = answer.body.find("RegistryResponse") {
            xds::read_status(status)
                .map_err(|e| fail(format!("le DMP a refusé la consultation : {e}")))?;
        }
        let mut out = Vec::new();
        for (unique, reference) in xds::read_retrieved(&answer.body) {
            let bytes = match answer.attachments.get(&reference) {
                Some(b) => b.clone(),
                None => base64::engine::general_purpose::STANDARD
                    .decode(reference.as_bytes())
                    .map_err(|_| fail(format!("document {unique} absent de la réponse")))?,
            };
            let expected = chosen
                .iter()
                .find(|f| f.unique_id == unique)
                .map(|f| f.hash.clone());
            let hash = hex_sha1(&bytes);
            if !expected.is_some_and(|h| h.eq_ignore_ascii_case(&hash)) {
                return Err(fail(format!(
                    "document {unique} : empreinte différente des métadonnées, non intégré"
                )));
            }
            out.push((unique, bytes));
        }
        Ok(out)
    }

    /// `document.produce`: the CDA the LPS would send, for the bench to check.
    pub(super) fn produce(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Produce {
            patient: id,
            kind,
            title,
        } = params(p)?;
        let who = self.professional()?;
        let patient = self.patients.get(&id).map_err(refused)?.clone();
        let document = self.document(kind, &title, &patient, &who);
        Ok(Reply::ok(json!({
            "unique_id": document.unique_id(),
            "cda": base64::engine::general_purpose::STANDARD.encode(cda::build(&document)),
            "status": patient.status,
        })))
    }

    /// A new document (version 1, dated now, a fresh id) by `who` about `patient`.
    pub(super) fn document<'a>(
        &self,
        kind: Kind,
        title: &'a str,
        patient: &'a Patient,
        who: &'a Professional,
    ) -> cda::Document<'a> {
        let id = cda::new_id();
        cda::Document {
            kind,
            title,
            patient,
            author: who,
            date: time::OffsetDateTime::now_utc(),
            set_id: id.clone(),
            id,
            version: 1,
            replaces: None,
            ins_regardless: self.defects.on("cda-ins-unqualified"),
            treating_doctor: Some(who),
            recipients: Vec::new(),
            referrer: None,
            partial: false,
            local_result_codes: self.defects.on("cr-bio-local-codes"),
            added_section: None,
            self_presentable: false,
            stylesheet_volet_sections_only: self.defects.on("stylesheet-drops-added-sections"),
            footer: if self.defects.on("gdpr-notice-missing") {
                Vec::new()
            } else {
                self.settings.gdpr_notice.iter().cloned().collect()
            },
            mentions: Vec::new(),
            accredited: Vec::new(),
            printed_units: self.defects.on("units-not-ucum"),
            plain_pdf: self.defects.on("pdf-not-pdfa"),
            pdf_without_ins: self.defects.on("pdf-without-ins"),
        }
    }

    /// `dmp.feed`: a new document (TD2.1), unless the patient opposed the feeding.
    pub(super) async fn dmp_feed(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Feed {
            patient: id,
            kind,
            title,
            visibility,
            date,
            author_left,
            hold,
            self_presentable,
            added_section,
            recipients,
        } = params(p)?;
        if hold {
            let date = match date {
                Some(d) => parse_date(&d).ok_or_else(|| fail(format!("date invalide : {d}")))?,
                None => time::OffsetDateTime::now_utc(),
            };
            self.patients.get(&id).map_err(refused)?;
            return self.hold(&id, kind, &title, date);
        }
        if self.book.feeding_opposed.contains(&id) && !self.defects.on("feed-despite-opposition") {
            return Err(fail(
                "le patient s'est opposé à l'alimentation de son DMP : document non envoyé",
            ));
        }
        let who = self.professional()?;
        let (patient, cx) = self.dmp_patient(&id)?;
        if self.pfi().is_some() {
            let date = match date {
                Some(d) => parse_date(&d).ok_or_else(|| fail(format!("date invalide : {d}")))?,
                None => time::OffsetDateTime::now_utc(),
            };
            let document = cda::Document {
                date,
                recipients: if self.defects.on("pfi-mail-recipients-dropped") {
                    Vec::new()
                } else {
                    recipients.clone()
                },
                ..self.document(kind, &title, &patient, &who)
            };
            let bytes = cda::build(&document);
            let unique_id = document.unique_id();
            self.book
                .produced
                .insert((id.clone(), unique_id.clone()), bytes.clone());
            let pfi = self
                .transmit(super::pfi::Outgoing {
                    document: &document,
                    bytes: &bytes,
                    visibility: &visibility,
                })
                .await?;
            return Ok(Reply::ok(
                json!({ "unique_id": unique_id, "title": title, "pfi": pfi }),
            ));
        }
        if self.defects.on("authorise-before-feed") {
            self.set_authorisation(&who, &cx).await?;
        }
        let date = match date {
            Some(d) => parse_date(&d).ok_or_else(|| fail(format!("date invalide : {d}")))?,
            None => time::OffsetDateTime::now_utc(),
        };
        let document = cda::Document {
            date,
            self_presentable,
            added_section: added_section.map(|a| (a.title, a.text)),
            ..self.document(kind, &title, &patient, &who)
        };
        let bytes = cda::build(&document);
        let unique_id = document.unique_id();
        self.book
            .produced
            .insert((id.clone(), unique_id.clone()), bytes.clone());
        let fed = Fed {
            entry: self.entry(&document, &cx, &bytes, visibility, author_left),
            kind,
            set_id: document.set_id.clone(),
            version: 1,
            parties: Default::default(),
        };
        self.send_feed(&who, &cx, &fed, bytes, None).await?;
        let shown =
            json!({ "unique_id": unique_id, "entry_uuid": fed.entry.entry_uuid, "title": title });
        self.record_local(&id, &unique_id, &title, kind.type_code().0, date, true);
        self.book.fed.insert(unique_id, fed);
        Ok(Reply::ok(shown))
    }

    /// The XDS metadata of `document` (its bytes hashed) for the patient `cx`.
    pub(super) fn entry(
        &self,
        document: &cda::Document<'_>,
        cx: &str,
        bytes: &[u8],
        visibility: Vec<String>,
        author_left: bool,
    ) -> Entry {
        let (kind, who) = (document.kind, document.author);
        let entry_uuid = format!("urn:uuid:{}", uuid::Uuid::new_v4());
        let (class, class_label) = kind.class_code();
        let (type_code, type_system, type_label) = kind.type_code();
        let mut hash = hex_sha1(bytes);
        if self.defects.on("xds-wrong-hash") {
            hash = hex_sha1(b"another document");
        }
        Entry {
            lid: entry_uuid.clone(),
            entry_uuid,
            version: 1,
            unique_id: document.unique_id(),
            patient: cx.to_string(),
            title: document.title.to_string(),
            mime_type: if document.self_presentable
                && !self.defects.on("self-presentable-declared-as-cda")
            {
                "application/xslt+xml"
            } else {
                "text/xml"
            }
            .into(),
            creation_time: xds::dtm(document.date),
            service_start: xds::dtm(document.date),
            class_code: Code::new(class, "1.2.250.1.213.1.1.4.1", class_label),
            type_code: Code::new(type_code, type_system, type_label),
            format_code: Code::new(
                kind.format_code(),
                "1.3.6.1.4.1.19376.1.2.3",
                kind.format_code(),
            ),
            practice_setting: Code::new("AMBULATOIRE", "1.2.250.1.213.1.1.4.9", "Ambulatoire"),
            visibility,
            author_person: (!author_left).then(|| who.author_person()),
            author_specialty: who.author_specialty(),
            author_institution: who.author_institution(),
            sector: who.sector.clone(),
            hash,
            size: bytes.len(),
        }
    }

    /// ITI-41 with the submission set's signature.
    pub(super) async fn send_feed(
        &self,
        who: &Professional,
        cx: &str,
        fed: &Fed,
        bytes: Vec<u8>,
        replaces: Option<String>,
    ) -> Result<(), Reply> {
        let client = self.dmp_client()?;
        // The defect signs the draft: the document as it was before its last edit.
        let signed = if self.defects.on("submission-signed-before-edit") {
            let mut draft = bytes.clone();
            draft.extend_from_slice(b"<!-- brouillon -->");
            draft
        } else {
            bytes.clone()
        };
        let signature = client
            .sign_documents(&[(fed.entry.unique_id.clone(), signed)])
            .map_err(|e| fail(e.0))?
            .into_bytes();
        let now = time::OffsetDateTime::now_utc();
        let signature_uuid = format!("urn:uuid:{}", uuid::Uuid::new_v4());
        let signature_entry = Entry {
            lid: signature_uuid.clone(),
            entry_uuid: signature_uuid,
            version: 1,
            unique_id: cda::unique_id(&cda::new_id()),
            patient: cx.to_string(),
            title: "Signature du lot de soumission".into(),
            mime_type: "text/xml".into(),
            creation_time: xds::dtm(now),
            service_start: xds::dtm(now),
            class_code: Code::new(xds::SIGNATURE_CLASS, "URN", "Digital Signature"),
            type_code: Code::new("E1762", "ASTM", "Full Document"),
            format_code: Code::new(
                crate::dmp::signer::DSIG,
                "http://www.w3.org/2000/09/xmldsig#",
                "Default Signature Style",
            ),
            practice_setting: fed.entry.practice_setting.clone(),
            visibility: vec!["MASQUE_PS".into(), "INVISIBLE_PATIENT".into()],
            author_person: Some(who.author_person()),
            author_specialty: who.author_specialty(),
            author_institution: who.author_institution(),
            sector: who.sector.clone(),
            hash: hex_sha1(&signature),
            size: signature.len(),
        };
        let document = FeedDocument {
            entry: fed.entry.clone(),
            bytes,
            replaces,
        };
        let (body, attachments) = xds::provide(
            who,
            cx,
            &xds::dtm(now),
            &[document],
            Some((signature_entry, signature)),
        );
        let answer = self
            .dmp_call(
                who,
                Some(cx),
                ("repository", xds::PROVIDE_ACTION),
                &body,
                &attachments,
            )
            .await?;
        xds::read_status(&answer.body)
            .map_err(|e| fail(format!("le DMP a refusé le document : {e}")))
    }

    pub(super) fn fed(&self, unique_id: &str) -> Result<Fed, Reply> {
        self.book
            .fed
            .get(unique_id)
            .cloned()
            .ok_or_else(|| fail(format!("document {unique_id} inconnu : seuls les documents envoyés par ce logiciel se modifient ici")))
    }

    /// `dmp.replace`: a new version of a document this LPS fed (RPLC).
    pub(super) async fn dmp_replace(&mut self, p: &Value) -> Result<Reply, Reply> {
        let DocumentRef {
            patient: id,
            document,
            title,
            ..
        } = params(p)?;
        let who = self.professional()?;
        let (patient, cx) = self.dmp_patient(&id)?;
        let old = self.fed(&document)?;
        let title = title.unwrap_or_else(|| old.entry.title.clone());
        let version = cda::Document {
            set_id: old.set_id.clone(),
            version: old.version + 1,
            replaces: Some(document.clone()),
            recipients: old.parties.0.clone(),
            referrer: old.parties.1.clone(),
            ..self.document(old.kind, &title, &patient, &who)
        };
        let bytes = cda::build(&version);
        let unique_id = version.unique_id();
        let fed = Fed {
            entry: self.entry(&version, &cx, &bytes, old.entry.visibility.clone(), false),
            kind: old.kind,
            set_id: old.set_id.clone(),
            version: version.version,
            parties: old.parties.clone(),
        };
        self.send_feed(&who, &cx, &fed, bytes, Some(old.entry.entry_uuid.clone()))
            .await?;
        let shown = json!({ "unique_id": unique_id, "entry_uuid": fed.entry.entry_uuid, "replaces": document });
        self.book.fed.remove(&document);
        self.replace_in_record(&id, &document, &unique_id, &title);
        self.book.fed.insert(unique_id, fed);
        Ok(Reply::ok(shown))
    }

    /// `dmp.set_visibility`: masking to professionals, invisibility to the patient or the
    /// legal representatives (ITI-57, a new metadata version).
    pub(super) async fn dmp_visibility(&mut self, p: &Value) -> Result<Reply, Reply> {
        let DocumentRef {
            patient: id,
            document,
            visibility,
            ..
        } = params(p)?;
        let who = self.professional()?;
        let (_, cx) = self.dmp_patient(&id)?;
        let mut fed = self.fed(&document)?;
        let previous = fed.entry.version;
        fed.entry.visibility = visibility;
        fed.entry.version += 1;
        fed.entry.entry_uuid = format!("urn:uuid:{}", uuid::Uuid::new_v4());
        let body = xds::update_metadata(
            &who,
            &xds::dtm(time::OffsetDateTime::now_utc()),
            &fed.entry,
            previous,
        );
        self.registry_update(&who, &cx, &body, "modification")
            .await?;
        let shown = json!({ "unique_id": document, "visibility": fed.entry.visibility, "version": fed.entry.version });
        self.book.fed.insert(document, fed);
        Ok(Reply::ok(shown))
    }

    /// An ITI-57 request, its registry answer checked (`what` names the change).
    async fn registry_update(
        &self,
        who: &Professional,
        cx: &str,
        body: &str,
        what: &str,
    ) -> Result<(), Reply> {
        let answer = self
            .dmp_call(who, Some(cx), ("registry", xds::UPDATE_ACTION), body, &[])
            .await?;
        xds::read_status(&answer.body).map_err(|e| fail(format!("le DMP a refusé la {what} : {e}")))
    }

    /// `dmp.delete`: logical deletion (ITI-57 status change), no authorisation needed.
    pub(super) async fn dmp_delete(&mut self, p: &Value) -> Result<Reply, Reply> {
        let DocumentRef {
            patient: id,
            document,
            ..
        } = params(p)?;
        let who = self.professional()?;
        let (_, cx) = self.dmp_patient(&id)?;
        let fed = self.fed(&document)?;
        let body = xds::change_status(
            &who,
            &cx,
            &xds::dtm(time::OffsetDateTime::now_utc()),
            &fed.entry.entry_uuid,
            xds::status::APPROVED,
            xds::status::DELETED,
        );
        self.registry_update(&who, &cx, &body, "suppression")
            .await?;
        self.book.fed.remove(&document);
        Ok(Reply::ok(json!({ "unique_id": document, "deleted": true })))
    }
}

pub(super) fn hex_sha1(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        bytes,
    ))
}

/// `YYYY-MM-DD` of an instant, as dates are typed.
pub(super) fn day(t: time::OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

fn parse_date(d: &str) -> Option<time::OffsetDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(d, &format).ok()?;
    Some(date.with_hms(12, 0, 0).ok()?.assume_utc())
}
