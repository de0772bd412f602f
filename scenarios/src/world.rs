//! The cucumber World: one per scenario. It holds the scenario's simulators (or a handle
//! on shared ones), its driver session and what the steps learnt along the way. Steps
//! only orchestrate: driver actions, control-API calls, journal queries, rule findings.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::bench::ScenarioBench;
use crate::control::ControlClient;
use crate::driver::{Context, Reply, Request, Status};
use crate::run::RunContext;

/// Why a step failed, in words for the report. `Unsupported` skips the scenario.
#[derive(Debug, thiserror::Error)]
pub enum StepFailure {
    /// The software has no such function.
    #[error("NON PRIS EN CHARGE: {0}")]
    Unsupported(String),
    /// What was expected is not what was seen.
    #[error("{0}")]
    Failed(String),
}

/// Fails the step with `message` when `failed` holds.
pub fn fail_if(failed: bool, message: impl FnOnce() -> String) -> Result<(), StepFailure> {
    if failed {
        Err(StepFailure::Failed(message()))
    } else {
        Ok(())
    }
}

/// Shorthand for a failing step.
pub fn fail<T>(message: impl Into<String>) -> Result<T, StepFailure> {
    Err(StepFailure::Failed(message.into()))
}

impl From<crate::control::ControlError> for StepFailure {
    fn from(e: crate::control::ControlError) -> Self {
        Self::Failed(e.to_string())
    }
}

impl From<crate::driver::DriverError> for StepFailure {
    fn from(e: crate::driver::DriverError) -> Self {
        Self::Failed(e.to_string())
    }
}

/// One driver exchange, kept for the run's summary.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ActionRecord {
    /// The action.
    pub action: String,
    /// The reply's status.
    pub status: Status,
    /// The reply's message.
    pub message: Option<String>,
}

/// The result of an `ok` reply; any other status fails the step with what the user read.
pub(crate) fn require_ok(action: &str, reply: Reply) -> Result<Value, StepFailure> {
    match reply.status {
        Status::Ok => Ok(reply.result),
        _ => fail(format!(
            "{action} a échoué: {}",
            reply.message.unwrap_or_else(|| "(sans message)".into())
        )),
    }
}

/// The state of one scenario.
#[derive(Debug, Default, cucumber::World)]
pub struct SegurWorld {
    /// The run (driver, mode, outcomes); set by the `before` hook.
    pub run: Option<Arc<RunContext>>,
    /// The scenario's journal tag (name and line: unique in a run).
    pub tag: String,
    /// REM requirement ids from the scenario's tags.
    pub requirements: Vec<String>,
    /// Every tag of the scenario, its rule and its feature (without `@`): `INS`, `PSC`...
    /// name the services it judges.
    pub tags: Vec<String>,
    /// Journal ids of the exchanges a step found and judged. A scenario whose steps judged
    /// none has not earned a pass: the bench saw nothing of what it claims to check.
    pub witnessed: Vec<String>,
    /// The driver actions whose structured result a step judged against what the bench
    /// itself set up (the identities it had created, the world's data, the settings it
    /// gave). They earn a pass only to a scenario tagged `@preuve-logiciel`: what the
    /// software reports it shows, checked, not what a simulator received.
    pub judged: Vec<String>,
    /// The scenario's own simulators (per-scenario mode).
    pub bench: Option<ScenarioBench>,
    /// Control API of the scenario's simulators.
    pub control: Option<ControlClient>,
    /// Its control API URL (for the manual driver).
    pub control_url: Option<String>,
    /// Driver session id.
    pub session: String,
    /// Identity aliases used in the feature → the software's local ids.
    pub identities: HashMap<String, String>,
    /// Identity aliases → the traits the bench gave the software when it created them:
    /// the facts a software-reported result is judged against.
    pub given_traits: HashMap<String, Value>,
    /// The software's answer to the last identity flow the bench handed it (an identity,
    /// with or without a document, from another domain), read by the steps after it.
    pub received: Option<Value>,
    /// The last paper the software printed (`identity.print`) and the alias it is for.
    pub printed: Option<(String, Value)>,
    /// The evidence files the vendor handed in, as recorded (name, size, SHA-256, text).
    pub evidence: Vec<Value>,
    /// The world professional last logged in with Pro Santé Connect.
    pub logged_in: Option<String>,
    /// Identity aliases → the world patient whose traits they were created with.
    pub world_patients: HashMap<String, String>,
    /// Document titles used in the feature → the uniqueId the software gave them.
    pub documents: HashMap<String, String>,
    /// `MSH-10` of the last HL7 v2 message the bench handed the software as its PFI, which
    /// the software's `ACK` must cite.
    pub pfi_message: Option<String>,
    /// What the software answered the last Annuaire Santé search (`directory.search`).
    pub directory_found: Option<Value>,
    /// The uniqueIds of the documents the bench itself put in a DMP (as another
    /// professional fed them): the facts an origin shown by the software is judged on.
    pub deposited: Vec<String>,
    /// The changes the bench made in a DMP to documents the software had integrated (a
    /// new version fed by another professional, a deletion), in order.
    pub dmp_changes: Vec<crate::steps::updates::DmpChange>,
    /// The job of a consultation the software runs in the background (`dmp.list` with
    /// `background`), until the user waits for it.
    pub background_job: Option<String>,
    /// When the user started that consultation.
    pub background_started: Option<time::OffsetDateTime>,
    /// When the software answered an action while that consultation was running: the
    /// DMP's record of the search must span it (UX.10).
    pub answered_meanwhile: Option<time::OffsetDateTime>,
    /// The section the user added to a structured document (title, narrative), CDA/INT.16.
    pub added_section: Option<(String, String)>,
    /// The document the user last read from the record, and how many times the DMP had
    /// served it then: reading from the record asks the DMP nothing.
    pub read_document: Option<(String, usize)>,
    /// How many DMP records the scenario had when the software started preloading (UX.34).
    pub preload_mark: Option<usize>,
    /// The patient information notice the bench set (GDPR), DOC/va1.03 and va1.05.
    pub patient_notice: Option<String>,
    /// The retention the bench set (years before archiving, before destruction).
    pub retention: Option<(u64, u64)>,
    /// The bulk feed of historical documents asked in this scenario (HISTO.06).
    pub bulk_feed: Option<crate::steps::history::BulkFeed>,
    /// Mail subjects used in the feature → the `Message-ID` of the mail (sent by the
    /// software, or dropped into its mailbox by the bench).
    pub mails: HashMap<String, String>,
    /// The mail the last "l'opérateur a reçu" step found, as submitted.
    pub mail: Option<Vec<u8>>,
    /// The last reply.
    pub last: Option<Reply>,
    /// When the scenario started, for its duration.
    pub started: Option<std::time::Instant>,
    /// When it started by the system clock, for the reports' timestamps.
    pub started_at: Option<time::OffsetDateTime>,
    /// Every action sent, for the summary.
    pub actions: Vec<ActionRecord>,
    /// Why the scenario was skipped, when the software lacks a function.
    pub unsupported: Option<String>,
}

impl SegurWorld {
    /// The control client.
    pub fn control(&self) -> Result<&ControlClient, StepFailure> {
        self.control
            .as_ref()
            .ok_or_else(|| StepFailure::Failed("no simulators for this scenario".into()))
    }

    pub(crate) fn run(&self) -> Result<&Arc<RunContext>, StepFailure> {
        self.run
            .as_ref()
            .ok_or_else(|| StepFailure::Failed("the scenario was not prepared".into()))
    }

    /// Sends `action` and returns the reply, whatever its status; `unsupported` ends
    /// the scenario as skipped.
    pub async fn act(&mut self, action: &str, params: Value) -> Result<Reply, StepFailure> {
        let run = self.run()?.clone();
        let request = Request::new(&self.session, action, params);
        let context = Context {
            control_url: self.control_url.clone(),
            scenario: self.tag.clone(),
        };
        let reply = run.driver.send(&request, &context).await?;
        self.actions.push(ActionRecord {
            action: action.to_string(),
            status: reply.status,
            message: reply.message.clone(),
        });
        if reply.status == Status::Unsupported {
            let why = format!(
                "{action}: {}",
                reply
                    .message
                    .clone()
                    .unwrap_or_else(|| "non pris en charge".into())
            );
            self.unsupported = Some(why.clone());
            return Err(StepFailure::Unsupported(why));
        }
        self.last = Some(reply.clone());
        Ok(reply)
    }

    /// Sends `action` and insists on `ok`.
    pub async fn act_ok(&mut self, action: &str, params: Value) -> Result<Value, StepFailure> {
        let reply = self.act(action, params).await?;
        require_ok(action, reply)
    }

    /// Sends `action` about the identity `alias` (its local id goes in `patient`, beside
    /// `extra`'s fields).
    pub async fn act_on(
        &mut self,
        alias: &str,
        action: &str,
        extra: Value,
    ) -> Result<Reply, StepFailure> {
        let mut params = json!({ "patient": self.identity(alias)? });
        if let (Some(params), Value::Object(extra)) = (params.as_object_mut(), extra) {
            params.extend(extra);
        }
        self.act(action, params).await
    }

    /// As [`SegurWorld::act_on`], insisting on `ok`.
    pub async fn act_ok_on(
        &mut self,
        alias: &str,
        action: &str,
        extra: Value,
    ) -> Result<Value, StepFailure> {
        let reply = self.act_on(alias, action, extra).await?;
        require_ok(action, reply)
    }

    /// Notes that a step found and judged these exchanges (see [`SegurWorld::witnessed`]).
    pub fn witness<'r>(
        &mut self,
        records: impl IntoIterator<Item = &'r segur_core::journal::Record>,
    ) {
        for r in records {
            if !self.witnessed.contains(&r.id) {
                self.witnessed.push(r.id.clone());
            }
        }
    }

    /// Notes that a step judged the result of `action` against the bench's own facts
    /// (see [`SegurWorld::judged`]).
    pub fn judge(&mut self, action: &str) {
        if !self.judged.iter().any(|a| a == action) {
            self.judged.push(action.to_string());
        }
    }

    /// How the scenario proves its requirements, from its tags.
    pub fn proof(&self) -> crate::run::Proof {
        crate::run::Proof::of_tags(self.tags.iter().map(String::as_str))
    }

    /// Whether the scenario's steps saw what it claims: an exchange a simulator received
    /// (any scenario), or, for a `@preuve-logiciel` one, a software report judged against
    /// the bench's facts. An attested scenario earns its pass with the attestation the
    /// bench journals (an exchange of the `bench` service), like any other exchange.
    pub fn earned(&self) -> bool {
        !self.witnessed.is_empty()
            || (self.proof() == crate::run::Proof::Software && !self.judged.is_empty())
    }

    /// The local id behind an alias.
    pub fn identity(&self, alias: &str) -> Result<String, StepFailure> {
        self.identities.get(alias).cloned().ok_or_else(|| {
            StepFailure::Failed(format!("aucune identité {alias:?} créée dans ce scénario"))
        })
    }

    /// The world patient an alias was created from.
    pub fn world_patient(&self, alias: &str) -> Result<String, StepFailure> {
        self.world_patients
            .get(alias)
            .cloned()
            .ok_or_else(|| StepFailure::Failed(format!("aucun patient {alias:?} dans ce scénario")))
    }

    /// The last reply, which a `Alors` step reads.
    pub fn last(&self) -> Result<&Reply, StepFailure> {
        self.last
            .as_ref()
            .ok_or_else(|| StepFailure::Failed("aucune action n'a encore été demandée".into()))
    }

    /// The `configure` parameters for this scenario's simulators.
    pub async fn configure_params(&self) -> Result<Value, StepFailure> {
        let run = self.run()?;
        let control = self.control()?;
        let health = control.health().await?;
        let pki = control.pki().await?;
        // The control API gives an absolute folder; kept absolute whatever it says, so the
        // paths work from the software's own working directory.
        let dir = std::path::absolute(pki["dir"].as_str().unwrap_or_default())
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        let index = &pki["index"];
        let path = |file: &Value| format!("{dir}/{}", file.as_str().unwrap_or_default());
        let structure = &run.setup.structure;
        let mut credentials = serde_json::Map::new();
        for (key, name) in [
            ("insi", format!("insi-auto-{structure}")),
            ("structure_auth", format!("structure-{structure}-auth")),
            ("structure_sign", format!("structure-{structure}-sign")),
        ] {
            let entry = index["credentials"]
                .as_array()
                .and_then(|list| list.iter().find(|c| c["name"] == name.as_str()));
            let value = match entry {
                Some(e) => {
                    let pem = control.pki_pem(&name).await?;
                    json!({
                        "cert": path(&e["files"]["cert"]),
                        "key": path(&e["files"]["key"]),
                        "chain": path(&e["files"]["chain"]),
                        "p12": path(&e["files"]["p12"]),
                        "cert_pem": pem["cert"],
                        "key_pem": pem["key"],
                        "chain_pem": pem["chain"],
                    })
                }
                None => Value::Null,
            };
            credentials.insert(key.to_string(), value);
        }
        let ca = control.pki_pem("ca").await?;
        let structure_national_id = run.setup.structure_national_id.clone();
        let services = &health["services"];
        Ok(json!({
            "bench": { "name": "segur-bench", "version": env!("CARGO_PKG_VERSION"), "protocol": crate::driver::PROTOCOL_VERSION },
            "endpoints": services,
            "trust": {
                "ca_bundle": path(&index["ca"]["bundle"]),
                "crl": path(&index["ca"]["crl"]),
                "p12_password": index["p12_password"],
                "ca_bundle_pem": ca["bundle"],
                "crl_pem": ca["crl"],
            },
            "credentials": credentials,
            "structure": {
                "id": structure,
                "national_id": structure_national_id,
                "name": run.setup.structure_name,
                "activity_sector": run.setup.activity_sector,
                "mssante_application": run.setup.mssante_application,
                "mssante_organisational": run.setup.mssante_organisational,
            },
            "software_ids": {
                "idam": run.setup.idam,
                "dmp_homologation": run.setup.dmp_homologation,
                "mssante_nil": run.setup.mssante_nil,
            },
            "annuaire": { "api_key": segur_annuaire::API_KEY },
            "psc_client": {
                "client_id": run.setup.psc_client_id,
                "client_secret": run.setup.psc_client_secret,
                "redirect_uri": run.setup.psc_redirect_uri,
            },
        }))
    }
}
