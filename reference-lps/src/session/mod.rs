//! One scenario session: the LPS's state (identities, INSi call log, PSC session, its
//! clock) and the actions of the driver protocol, each done as the user would.

use serde::Deserialize;
use serde_json::{Value, json};

mod accounts;
mod directory;
mod dmp;
mod evidence;
mod history;
mod hl7;
mod identities;
mod mss;
mod mss_filing;
mod mss_traces;
mod mss_versions;
mod pfi;
mod preload;
mod records;
mod reminders;
mod reports;
mod stays;

pub use dmp::PendingList;
pub use identities::{Settings, User};

use crate::config::{Configure, Structure};
use crate::defects::Defects;
use crate::identity::store::{self, birthplace_for_query};
use crate::identity::{Attribute, Patients, Refusal, Traits};
use crate::insi::answer::Answer;
use crate::insi::{self, InsiClient, QueryTraits, VitaleCard};
use crate::protocol::Reply;
use crate::psc::{PscClient, Registration};
use crate::tls;

/// One INSi call as the LPS traces it (rules 37 and 48).
#[derive(Debug, Clone, serde::Serialize)]
pub struct InsiLogEntry {
    /// When (session clock, RFC 3339).
    pub time: String,
    /// `recuperation_traits`, `recuperation_vitale` or `verification`.
    pub mode: &'static str,
    /// Local patient id.
    pub patient: String,
    /// `CodeCR` (00/01/02), or `fault`.
    pub code: Option<String>,
    /// Verification verdict (OK/KO).
    pub verdict: Option<&'static str>,
    /// The user who called (the PSC-authenticated professional, when there is one).
    pub user: Option<String>,
    /// What INSi returned on a 00 (rule 39): the INS, its history, the traits.
    pub returned: Option<Value>,
    /// How the call was authenticated: `psc` (the user's Pro Santé Connect token beside
    /// the structure's certificate) or `certificat` (the certificate alone).
    pub auth: &'static str,
}

/// A configured session.
pub struct Session {
    /// The defects turned on.
    defects: Defects,
    /// The INSi client.
    insi: InsiClient,
    /// The PSC client.
    psc: PscClient,
    /// Identities.
    patients: Patients,
    /// INSi calls.
    log: Vec<InsiLogEntry>,
    /// Seconds added to the system clock (`clock.advance`).
    clock_offset: i64,
    /// The DMP client, when the bench plays a DMP.
    dmp: Option<std::sync::Arc<crate::dmp::DmpClient>>,
    /// The structure the software is installed in.
    structure: Structure,
    /// The patients' DMP choices, the documents fed, what each user has seen.
    book: dmp::DmpBook,
    /// The MSSanté client, when the bench plays an operator.
    mss: Option<crate::mss::MssClient>,
    /// The mail read and sent, the refusals, the IMAP sessions kept open.
    mail: mss::MailBook,
    /// The functional traces of the MSSanté mailboxes (MSS/CONF.17, CONF.18, UX.37).
    mss_traces: Vec<mss_traces::MssTrace>,
    /// The documents filed from mail, and how (MSS/UX.07, UX.16, UX.40).
    filing: mss_filing::Filing,
    /// The documents sent by MSSanté, each version (MSS/va1.02, va1.30).
    sent_documents: Vec<mss_versions::SentDocument>,
    /// The local user at the keyboard and their rights (rule 4).
    user: User,
    /// The site's settings (rules 3, 19, 30, 32).
    settings: Settings,
    /// Who accessed or changed each identity, when (rules 4 and 16), by local id.
    audit: std::collections::BTreeMap<String, Vec<Value>>,
    /// The partners an identity's INS was sent to (rule 31), by local id.
    shares: std::collections::BTreeMap<String, Vec<Value>>,
    /// The HL7 v2 messages sent to the domain's other systems (rule 27's propagation).
    outbox: Vec<Value>,
    /// The PFI's MLLP address (`endpoints.hl7.mllp`), when the bench plays one.
    pfi_address: Option<String>,
    /// What went to the PFI and its acknowledgements.
    pfi_book: pfi::PfiBook,
    /// Local accounts, their link to PSC and the one open (PSC.02).
    accounts: accounts::Accounts,
    /// The Annuaire Santé, when the bench plays one.
    annuaire: Option<crate::annuaire::AnnuaireClient>,
    /// The professionals integrated from it, and when (ANN/va1.01 to va1.04).
    directory: directory::Directory,
}

fn params<T: for<'de> Deserialize<'de>>(value: &Value) -> Result<T, Reply> {
    serde_json::from_value(value.clone())
        .map_err(|e| Reply::error(format!("paramètres invalides: {e}"), Value::Null))
}

fn refused(r: Refusal) -> Reply {
    Reply::error(r.0, Value::Null)
}

#[derive(Deserialize)]
struct PatientRef {
    patient: String,
}

#[derive(Deserialize)]
struct Create {
    traits: Traits,
}

#[derive(Deserialize)]
struct SearchLocal {
    #[serde(default)]
    birth_date: Option<String>,
    #[serde(default)]
    name: Option<String>,
    /// The INS typed: 15 characters, key checked (rule 17).
    #[serde(default)]
    ins: Option<String>,
}

#[derive(Deserialize)]
struct Vitale {
    #[serde(default)]
    beneficiary_nir: Option<String>,
    #[serde(default)]
    od_nir: Option<String>,
    #[serde(default)]
    birth_name: Option<String>,
    birth_date: String,
    #[serde(default = "first_rank")]
    rank: String,
}

/// The traits INSi is asked about, with `first_names` in one `Prenom` element.
fn query_traits<'a>(traits: &'a Traits, first_names: &'a str) -> QueryTraits<'a> {
    QueryTraits {
        birth_name: &traits.birth_name,
        first_names,
        sex: &traits.sex,
        birth_date: &traits.birth_date,
        birthplace: birthplace_for_query(traits),
    }
}

fn first_rank() -> String {
    "1".into()
}

#[derive(Deserialize)]
struct FetchByVitale {
    patient: String,
    vitale: Vitale,
}

#[derive(Deserialize)]
struct Document {
    patient: String,
    document: String,
}

#[derive(Deserialize)]
struct Mark {
    patient: String,
    attribute: Attribute,
}

#[derive(Deserialize)]
struct Ciba {
    national_id: String,
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

impl Session {
    /// Opens a session from `configure`'s parameters.
    pub fn configure(raw: &Value, defects: Defects) -> Result<Self, Reply> {
        let config: Configure = params(raw)?;
        let setup =
            |e: tls::TlsSetupError| Reply::error(format!("configuration TLS: {e}"), Value::Null);
        let insi_tls = tls::client_config(
            &config.trust.ca_bundle,
            Some((&config.credentials.insi.chain, &config.credentials.insi.key)),
        )
        .map_err(setup)?;
        let psc_tls = tls::client_config(&config.trust.ca_bundle, None).map_err(setup)?;
        let http = |c| {
            tls::http_client(c).map_err(|e| Reply::error(format!("client HTTP: {e}"), Value::Null))
        };
        let caller = insi::Caller {
            emitter: config.structure.national_id.clone(),
            idam: (!defects.on("no-idam")).then(|| config.software_ids.idam.clone()),
            version: env!("CARGO_PKG_VERSION").into(),
            instance: uuid::Uuid::new_v4().to_string(),
        };
        let dmp = match (
            &config.endpoints.dmp,
            &config.credentials.structure_auth,
            &config.credentials.structure_sign,
        ) {
            (Some(endpoints), Some(auth), Some(sign)) => {
                let dmp_tls =
                    tls::client_config(&config.trust.ca_bundle, Some((&auth.chain, &auth.key)))
                        .map_err(setup)?;
                let load = |c: &crate::config::CredentialFiles| {
                    crate::dmp::signer::Signer::load(&c.key, &c.chain)
                        .map_err(|e| Reply::error(e.to_string(), Value::Null))
                };
                Some(std::sync::Arc::new(crate::dmp::DmpClient::new(
                    endpoints.base.clone(),
                    http(dmp_tls)?,
                    crate::dmp::Signers {
                        signature: load(sign)?,
                        authentication: Some(load(auth)?),
                    },
                    crate::dmp::vihf::Software {
                        name: crate::NAME.into(),
                        version: env!("CARGO_PKG_VERSION").into(),
                        homologation: config.software_ids.dmp_homologation.clone(),
                    },
                )))
            }
            _ => None,
        };
        let mss = match &config.endpoints.mssante {
            Some(endpoints) => {
                // The application mailbox opens with the structure's authentication
                // certificate; without one, only token-authenticated mailboxes work.
                // A defect may keep the client to one TLS version.
                let versions: &[&'static rustls::SupportedProtocolVersion] =
                    if defects.on("mss-tls13-only") {
                        &[&rustls::version::TLS13]
                    } else if defects.on("mss-tls12-only") {
                        &[&rustls::version::TLS12]
                    } else {
                        &[&rustls::version::TLS13, &rustls::version::TLS12]
                    };
                let identity = config
                    .credentials
                    .structure_auth
                    .as_ref()
                    .map(|auth| (auth.chain.as_path(), auth.key.as_path()));
                let mut application_tls =
                    tls::client_config_with_versions(&config.trust.ca_bundle, identity, versions)
                        .map_err(setup)?;
                let mut user_tls =
                    tls::client_config_with_versions(&config.trust.ca_bundle, None, versions)
                        .map_err(setup)?;
                if defects.on("mss-trusts-any-certificate") {
                    application_tls = tls::trusting_any_certificate(&application_tls);
                    user_tls = tls::trusting_any_certificate(&user_tls);
                }
                Some(crate::mss::MssClient {
                    smtp: endpoints.smtp.clone(),
                    imap: endpoints.imap.clone(),
                    application_tls,
                    user_tls,
                    application: config.structure.mssante_application.clone(),
                    nil: config.software_ids.mssante_nil.clone(),
                })
            }
            None => None,
        };
        let annuaire = match (&config.endpoints.annuaire, &config.annuaire) {
            (Some(endpoints), Some(access)) => Some(crate::annuaire::AnnuaireClient {
                fhir: endpoints.fhir.clone(),
                extraction: endpoints.extraction.clone(),
                key: (!defects.on("directory-search-without-key")).then(|| access.api_key.clone()),
                http: http(psc_tls.clone())?,
            }),
            _ => None,
        };
        Ok(Self {
            mss,
            mail: mss::MailBook::default(),
            mss_traces: Vec::new(),
            filing: mss_filing::Filing::default(),
            sent_documents: Vec::new(),
            dmp,
            structure: config.structure.clone(),
            book: dmp::DmpBook::default(),
            insi: InsiClient::new(config.endpoints.insi.mtls.clone(), http(insi_tls)?, caller),
            psc: PscClient::new(
                config.endpoints.psc.issuer.clone(),
                http(psc_tls)?,
                Registration {
                    client_id: config.psc_client.client_id,
                    client_secret: config.psc_client.client_secret,
                    redirect_uri: config.psc_client.redirect_uri,
                },
            ),
            defects,
            patients: Patients::default(),
            log: Vec::new(),
            clock_offset: 0,
            user: User::default(),
            settings: Settings::default(),
            audit: Default::default(),
            shares: Default::default(),
            outbox: Vec::new(),
            pfi_address: config.endpoints.hl7.as_ref().map(|h| h.mllp.clone()),
            pfi_book: pfi::PfiBook::default(),
            accounts: accounts::Accounts::default(),
            annuaire,
            directory: directory::Directory::default(),
        })
    }

    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc() + time::Duration::seconds(self.clock_offset)
    }

    fn now_text(&self) -> String {
        self.now()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    }

    /// The first part of a `dmp.list` that goes on in the background (DMP/UX.10): the
    /// search to send, once consent and rights are checked.
    pub async fn begin_list(&mut self, p: &Value) -> Result<PendingList, Reply> {
        self.dmp_list_begin(p).await
    }

    /// The search's answer shown (the reply `dmp.list` would have given).
    pub fn end_list(
        &mut self,
        pending: PendingList,
        answer: Result<crate::dmp::soap::Answer, Reply>,
    ) -> Reply {
        self.dmp_list_end(pending, answer)
            .unwrap_or_else(|reply| reply)
    }

    /// Performs one action.
    pub async fn act(&mut self, action: &str, p: &Value) -> Reply {
        let outcome = match action {
            "identity.create" => self.create(p),
            "identity.search_local" => self.search_local(p),
            "identity.show" => self.show(p),
            "identity.fetch_ins_by_traits" => self.fetch_by_traits(p).await,
            "identity.fetch_ins_by_vitale" => self.fetch_by_vitale(p).await,
            "identity.accept_ins" => self.accept(p),
            "identity.validate_document" => self.validate_document(p),
            "identity.mark" => self.mark(p),
            "identity.verify_ins" => self.verify(p).await,
            "identity.insi_log" => Ok(self.insi_log()),
            "psc.login" => self.psc_login().await,
            "psc.login_ciba" => self.psc_login_ciba(p).await,
            "psc.show_session" => self.psc_show().await,
            "psc.logout" => self.psc_logout().await,
            "dmp.check_access" => self.dmp_check(p).await,
            "dmp.set_authorisation" => self.dmp_authorise(p).await,
            "dmp.record_consent" => self.dmp_record(p, true),
            "dmp.record_opposition" => self.dmp_record(p, false),
            "dmp.list" => self.dmp_list(p).await,
            "dmp.retrieve" => self.dmp_retrieve(p).await,
            "dmp.feed" => self.dmp_feed(p).await,
            "dmp.feed_history" => self.feed_history(p).await,
            "vsm.reminders" => self.vsm_reminders(),
            "stay.record" => self.stay_record(p),
            "indicator.history_feed" => self.history_indicator(p),
            "dmp.preload" => self.preload(p).await,
            "dmp.replace" => self.dmp_replace(p).await,
            "dmp.set_visibility" => self.dmp_visibility(p).await,
            "dmp.delete" => self.dmp_delete(p).await,
            "dmp.display" => self.dmp_display(p).await,
            "documents.list" => self.documents_list(p),
            "document.show" => self.document_show(p),
            "document.produce" => self.produce(p),
            "report.validate" => self.report_validate(p).await,
            "report.complete" => self.report_complete(p).await,
            "mss.send" => self.mss_send(p).await,
            "mss.record_refusal" => self.mss_record_refusal(p),
            "mss.poll" => self.mss_poll(p).await,
            "mss.integrate" => self.mss_integrate(p).await,
            "mss.send_receipt" => self.mss_send_receipt(p).await,
            "mss.show_receipts" => self.mss_show_receipts(p).await,
            "mss.traces" => self.mss_show_traces(p),
            "mss.worklist" => self.mss_worklist(p),
            "mss.notify_deletion" => self.mss_notify_deletion(p).await,
            "mss.auto_integrated" => self.mss_auto_integrated(p),
            "mss.integration_stats" => self.mss_integration_stats(p),
            "identity.update" => self.update(p),
            "identity.display" => self.display(p),
            "identity.print" => self.print(p),
            "identity.audit" => self.audit_of(p),
            "identity.validate" => self.validate(p),
            "identity.receive" => self.receive(p).await,
            "identity.shares" => self.shares_of(p),
            "identity.verify_all" => self.verify_all().await,
            "settings.set" => self.set(p),
            "user.switch" => self.switch(p),
            "hl7.receive" => self.hl7_receive(p).await,
            "hl7.produce" => self.hl7_produce(p),
            "hl7.outbox" => Ok(Reply::ok(json!({ "messages": self.outbox }))),
            "evidence.provide" => Ok(evidence::provide(p)),
            "account.create" => self.account_create(p),
            "account.login_password" => self.account_login(p),
            "account.link_psc" => self.account_link(),
            "account.show" => Ok(self.account_show()),
            "clock.advance" => self.advance(p).await,
            "directory.search" => self.directory_search(p).await,
            "directory.import" => self.directory_import().await,
            "directory.lookup" => self.directory_lookup(p),
            other => Err(Reply::unsupported(format!(
                "le LPS de référence ne propose pas l'action {other:?}"
            ))),
        };
        outcome.unwrap_or_else(|reply| reply)
    }

    fn create(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Create { traits } = params(p)?;
        let mut traits = traits;
        if self.defects.on("creation-without-birthplace") && traits.birthplace.is_empty() {
            traits.birthplace = crate::identity::UNKNOWN_BIRTHPLACE.into();
        }
        let patient = self.patients.create(traits).map_err(refused)?;
        let reply = json!({ "patient": patient.patient, "status": patient.status });
        let id = patient.patient.clone();
        self.note(&id, "creation", None);
        Ok(Reply::ok(reply))
    }

    fn search_local(&self, p: &Value) -> Result<Reply, Reply> {
        let q: SearchLocal = params(p)?;
        self.user.may("ins")?;
        let found = match &q.ins {
            Some(typed) => {
                identities::check_typed_ins(typed, self.defects.on("ins-search-without-key"))?;
                self.patients.by_ins(typed)
            }
            None => self.patients.search(
                q.birth_date.as_deref(),
                q.name.as_deref(),
                !self.defects.on("search-ignores-used-name"),
                self.defects.on("search-keeps-diacritics"),
            ),
        };
        let found: Vec<Value> = found
            .into_iter()
            .map(|p| json!({ "patient": p.patient, "traits": p.traits, "status": p.status }))
            .collect();
        Ok(Reply::ok(json!({ "patients": found })))
    }

    fn show(&mut self, p: &Value) -> Result<Reply, Reply> {
        let PatientRef { patient } = params(p)?;
        if !self.defects.on("identity-without-rights") {
            self.user.may("ins")?;
        }
        let patient = self.patients.get(&patient).map_err(refused)?;
        let mut shown = serde_json::to_value(patient).unwrap_or(Value::Null);
        if let Some(ins) = &patient.ins {
            shown["ins"]["nature"] = json!(ins.nature());
        }
        shown["fields"] = identities::record(patient, &self.defects);
        let id = patient.patient.clone();
        if !self.defects.on("accesses-untraced") {
            self.note(&id, "consultation", None);
        }
        Ok(Reply::ok(shown))
    }

    fn trace(
        &mut self,
        mode: &'static str,
        patient: &str,
        code: Option<String>,
        verdict: Option<&'static str>,
    ) {
        let with_codes = !self.defects.on("insi-log-without-codes");
        let user = (!self.defects.on("insi-log-without-user")).then(|| self.user_name());
        self.log.push(InsiLogEntry {
            time: self.now_text(),
            mode,
            patient: patient.to_string(),
            code: code.filter(|_| with_codes),
            verdict: verdict.filter(|_| with_codes),
            user,
            returned: None,
            auth: if self.insi.psc() { "psc" } else { "certificat" },
        });
    }

    /// Before an INSi call: the PSC token of the professional logged in, if any, rides
    /// with it (INS/PSC.01, PSC.10).
    async fn insi_as_user(&mut self) {
        let now = self.now().unix_timestamp();
        let token = if self.defects.on("insi-without-psc") {
            None
        } else {
            self.psc
                .bearer(&self.defects, now)
                .await
                .ok()
                .flatten()
                .map(|(t, _)| t)
        };
        self.insi.set_bearer(token);
    }

    /// Keeps in the last log entry what INSi returned (rule 39).
    fn trace_answer(&mut self, answer: &Answer) {
        if self.defects.on("insi-log-drops-answer") {
            return;
        }
        if let (Some(entry), Some(individual)) = (self.log.last_mut(), &answer.individual) {
            entry.returned = Some(json!({
                "ins": individual.active,
                "history": individual.history.iter().map(|h| &h.ins).collect::<Vec<_>>(),
                "traits": {
                    "birth_name": individual.traits.birth_name,
                    "first_names": individual.traits.first_names.split_whitespace().collect::<Vec<_>>(),
                    "sex": individual.traits.sex,
                    "birth_date": individual.traits.birth_date,
                    "birthplace": individual.traits.birthplace,
                },
            }));
        }
    }

    /// Records an answer: a 00 becomes a proposal once its traits pass rules 11 and 12.
    fn conclude(&mut self, patient: &str, answer: Answer) -> Result<Reply, Reply> {
        let outcome = match answer.code.as_str() {
            "00" => "found",
            "01" => "not_found",
            "02" => "several",
            _ => "unexpected",
        };
        let Some(individual) = answer.individual else {
            return Ok(Reply::ok(
                json!({ "outcome": outcome, "code": answer.code, "label": answer.label }),
            ));
        };
        store::importable(
            &individual,
            !self.defects.on("ins-key-unchecked"),
            self.defects.on("accept-00-date"),
            self.defects.on("accept-empty-trait"),
        )
        .map_err(|r| Reply::error(r.0, json!({ "outcome": "refused", "code": answer.code })))?;
        let proposal = serde_json::to_value(&individual).unwrap_or(Value::Null);
        self.patients
            .propose(
                patient,
                individual,
                self.defects.on("fields-before-validation"),
            )
            .map_err(refused)?;
        Ok(Reply::ok(
            json!({ "outcome": outcome, "code": answer.code, "label": answer.label, "proposal": proposal }),
        ))
    }

    async fn fetch_by_traits(&mut self, p: &Value) -> Result<Reply, Reply> {
        let PatientRef { patient: id } = params(p)?;
        if !self.defects.on("insi-without-rights") {
            self.user.may("insi")?;
        }
        let patient = self.patients.get(&id).map_err(refused)?.clone();
        if !self.defects.on("insi-for-doubtful") {
            patient.may_call_insi().map_err(refused)?;
        }
        self.insi_as_user().await;
        // Rule of the INS guide: every first name first; on 01, each one in turn.
        let mut attempts = vec![patient.traits.first_names.join(" ")];
        if patient.traits.first_names.len() > 1 {
            let singles = patient.traits.first_names.iter().cloned();
            if self.defects.on("first-first-name-only") {
                attempts.extend(singles.take(1));
            } else {
                attempts.extend(singles);
            }
        }
        let mut traits = patient.traits.clone();
        if self.defects.on("insi-name-punctuation-dropped") {
            traits.birth_name = traits.birth_name.replace(['-', '\''], " ");
        }
        let mut last = None;
        for first_names in attempts {
            let query = query_traits(&traits, &first_names);
            let now = self.now_text();
            let answer = match self
                .insi
                .call(insi::request::search_by_traits(&query), &now)
                .await
            {
                Ok(a) => a,
                Err(e) => {
                    self.trace("recuperation_traits", &id, Some("fault".into()), None);
                    return Err(Reply::error(e.to_string(), json!({ "outcome": "failed" })));
                }
            };
            self.trace("recuperation_traits", &id, Some(answer.code.clone()), None);
            self.trace_answer(&answer);
            let retry = answer.code == "01";
            last = Some(answer);
            if !retry {
                break;
            }
        }
        let answer = last.expect("at least one attempt");
        self.conclude(&id, answer)
    }

    async fn fetch_by_vitale(&mut self, p: &Value) -> Result<Reply, Reply> {
        let FetchByVitale {
            patient: id,
            vitale,
        } = params(p)?;
        if !self.defects.on("insi-without-rights") {
            self.user.may("insi")?;
        }
        let patient = self.patients.get(&id).map_err(refused)?.clone();
        if !self.defects.on("insi-for-doubtful") {
            patient.may_call_insi().map_err(refused)?;
        }
        self.insi_as_user().await;
        let card = VitaleCard {
            beneficiary_nir: vitale.beneficiary_nir.as_deref(),
            od_nir: vitale.od_nir.as_deref(),
            birth_name: vitale.birth_name.as_deref(),
            birth_date: &vitale.birth_date,
            rank: &vitale.rank,
        };
        let now = self.now_text();
        match self
            .insi
            .call(insi::request::search_by_vitale(&card), &now)
            .await
        {
            Ok(answer) => {
                self.trace("recuperation_vitale", &id, Some(answer.code.clone()), None);
                self.trace_answer(&answer);
                self.conclude(&id, answer)
            }
            Err(e) => {
                self.trace("recuperation_vitale", &id, Some("fault".into()), None);
                Err(Reply::error(e.to_string(), json!({ "outcome": "failed" })))
            }
        }
    }

    fn accept(&mut self, p: &Value) -> Result<Reply, Reply> {
        let PatientRef { patient } = params(p)?;
        let qualify = self.defects.on("qualify-without-document");
        let joined = self.defects.on("first-names-joined");
        let overwrite = self.defects.on("first-name-overwritten");
        let (patient, incoherent) = self
            .patients
            .accept(&patient, qualify, joined, overwrite)
            .map_err(refused)?;
        let alerts: Vec<&str> = if incoherent {
            vec!["premier_prenom"]
        } else {
            vec![]
        };
        Ok(Reply::ok(
            json!({ "patient": patient.patient, "status": patient.status, "traits": patient.traits, "ins": patient.ins, "alerts": alerts }),
        ))
    }

    fn validate_document(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Document { patient, document } = params(p)?;
        let any_document = self.defects.on("low-trust-document");
        let high_trust = self
            .settings
            .high_trust(self.defects.on("fixed-justificatifs"));
        let auto = self.settings.auto_validation || self.defects.on("auto-validation-forced");
        let patient = self
            .patients
            .validate_document(&patient, &document, &high_trust, auto, any_document)
            .map_err(refused)?;
        Ok(Reply::ok(
            json!({ "patient": patient.patient, "status": patient.status }),
        ))
    }

    fn mark(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Mark { patient, attribute } = params(p)?;
        let keep = self.defects.on("doubtful-keeps-status");
        let patient = self
            .patients
            .mark(&patient, attribute, keep)
            .map_err(refused)?;
        Ok(Reply::ok(
            json!({ "patient": patient.patient, "status": patient.status }),
        ))
    }

    async fn verify(&mut self, p: &Value) -> Result<Reply, Reply> {
        let PatientRef { patient: id } = params(p)?;
        self.user.may("insi")?;
        let patient = self.patients.get(&id).map_err(refused)?.clone();
        patient.may_call_insi().map_err(refused)?;
        let Some(ins) = patient.ins.clone() else {
            return Err(Reply::error("aucun INS à vérifier", Value::Null));
        };
        let verdict = self.verify_ins(&id, &ins, &patient.traits).await?;
        if verdict == "KO" {
            let keep = self.defects.on("keep-ins-after-ko");
            let patient = self
                .patients
                .verification_failed(&id, keep)
                .map_err(refused)?;
            return Ok(Reply::ok(
                json!({ "verdict": "KO", "status": patient.status, "worklist": patient.worklist }),
            ));
        }
        let patient = self.patients.get(&id).map_err(refused)?;
        Ok(Reply::ok(
            json!({ "verdict": "OK", "status": patient.status }),
        ))
    }

    fn insi_log(&self) -> Reply {
        Reply::ok(json!({ "calls": self.log }))
    }

    async fn psc_login(&mut self) -> Result<Reply, Reply> {
        let now = self.now().unix_timestamp();
        self.psc
            .login(&self.defects, now)
            .await
            .map_err(|e| Reply::error(e.0, json!({ "logged_in": false })))?;
        let shown = self.psc_show().await?;
        if let Some(id) = self.psc_national_id() {
            self.accounts.open_linked(&id);
        }
        Ok(shown)
    }

    async fn psc_login_ciba(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Ciba { national_id } = params(p)?;
        let offset = self.clock_offset;
        let clock = move || time::OffsetDateTime::now_utc().unix_timestamp() + offset;
        self.psc
            .login_ciba(&national_id, &self.defects, clock)
            .await
            .map_err(|e| Reply::error(e.0, json!({ "logged_in": false })))?;
        self.psc_show().await
    }

    async fn psc_show(&mut self) -> Result<Reply, Reply> {
        let now = self.now().unix_timestamp();
        let shown = self
            .psc
            .show(&self.defects, now)
            .await
            .map_err(|e| Reply::error(e.0, Value::Null))?;
        Ok(Reply::ok(shown))
    }

    async fn psc_logout(&mut self) -> Result<Reply, Reply> {
        self.psc
            .logout()
            .await
            .map_err(|e| Reply::error(e.0, Value::Null))?;
        self.accounts.close();
        Ok(Reply::ok(json!({ "logged_in": self.psc.logged_in() })))
    }

    async fn advance(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Advance { seconds } = params(p)?;
        self.clock_offset += seconds;
        // What runs on the software's own schedule once time has passed.
        self.directory_refresh_if_due().await;
        Ok(Reply::ok(json!({ "now": self.now_text() })))
    }
}
