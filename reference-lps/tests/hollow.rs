//! Every verdict is earned: drivers that answer without ever calling a simulator pass
//! **no** scenario. Two such drivers play the cheat:
//!
//! - [`AllOk`]: `ok` with an empty result to every action;
//! - [`Parrot`]: `ok` with the most plausible answer it can build from its own memory of
//!   the session (the identities it was asked to create, the professional it was told
//!   to log in, the documents it was asked to feed), never touching the network.
//!
//! A scenario added later that either of them passes fails this test: give it a step on
//! what the simulators received.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use segur_scenarios::driver::{Context, Driver, DriverError, Reply, Request, Status};
use segur_scenarios::run::{RunReport, Verdict};
use serde_json::{Value, json};

/// `ok`, empty result, to everything.
struct AllOk;

impl Driver for AllOk {
    fn send<'a>(
        &'a self,
        request: &'a Request,
        _context: &'a Context,
    ) -> BoxFuture<'a, Result<Reply, DriverError>> {
        let reply = Reply {
            id: json!(request.id),
            status: Status::Ok,
            result: json!({}),
            message: None,
        };
        async move { Ok(reply) }.boxed()
    }

    fn describe(&self) -> String {
        "all-ok".into()
    }
}

/// What the parrot remembers of one identity.
#[derive(Default, Clone)]
struct Identity {
    traits: Value,
    status: String,
    history: Vec<Value>,
    fetched: bool,
    ins: Value,
    attributes: Vec<String>,
}

/// What the parrot remembers of one session.
#[derive(Default)]
struct Memory {
    identities: HashMap<String, Identity>,
    user: Option<String>,
    insi_log: Vec<Value>,
    documents: Vec<Value>,
    sent: Vec<Value>,
}

/// `ok` to everything, with answers made up from what it was told.
#[derive(Default)]
struct Parrot {
    sessions: Mutex<HashMap<String, Memory>>,
}

impl Parrot {
    fn answer(&self, request: &Request) -> Value {
        let mut sessions = self.sessions.lock().unwrap();
        let memory = sessions.entry(request.session.clone()).or_default();
        let p = &request.params;
        let patient = p["patient"].as_str().unwrap_or_default().to_string();
        let status_change = |identity: &mut Identity, status: &str| {
            identity.status = status.to_string();
            identity
                .history
                .push(json!({ "status": status, "reason": "parrot" }));
        };
        match request.action.as_str() {
            "configure" => json!({ "software": { "name": "parrot", "version": "0" } }),
            "identity.create" => {
                let id = format!("P{:04}", memory.identities.len() + 1);
                let mut identity = Identity {
                    traits: p["traits"].clone(),
                    ..Identity::default()
                };
                status_change(&mut identity, "provisoire");
                memory.identities.insert(id.clone(), identity);
                json!({ "patient": id, "status": "provisoire" })
            }
            "identity.fetch_ins_by_traits" | "identity.fetch_ins_by_vitale" => {
                if let Some(identity) = memory.identities.get_mut(&patient) {
                    identity.fetched = true;
                }
                let mode = if request.action.ends_with("vitale") {
                    "recuperation_vitale"
                } else {
                    "recuperation_traits"
                };
                memory
                    .insi_log
                    .push(json!({ "mode": mode, "patient": patient, "code": "00" }));
                json!({ "outcome": "found", "code": "00" })
            }
            "identity.accept_ins" => {
                let identity = memory.identities.entry(patient.clone()).or_default();
                status_change(identity, "recuperee");
                identity.ins = json!({ "matricule": "2751263220101", "key": "43", "oid": "1.2.250.1.213.1.4.8", "nature": "NIR" });
                json!({ "status": "recuperee", "traits": identity.traits, "ins": identity.ins })
            }
            "identity.validate_document" => {
                let identity = memory.identities.entry(patient.clone()).or_default();
                let status = if identity.fetched {
                    "qualifiee"
                } else {
                    "validee"
                };
                status_change(identity, status);
                json!({ "status": status })
            }
            "identity.mark" => {
                let identity = memory.identities.entry(patient.clone()).or_default();
                identity
                    .attributes
                    .push(p["attribute"].as_str().unwrap_or_default().to_string());
                status_change(identity, "provisoire");
                json!({ "status": "provisoire" })
            }
            // The cheat the issue names: a KO verdict, the INS dropped, the status
            // degraded, with no verification call.
            "identity.verify_ins" => {
                let identity = memory.identities.entry(patient.clone()).or_default();
                identity.ins = Value::Null;
                status_change(identity, "validee");
                memory.insi_log.push(
                    json!({ "mode": "verification", "patient": patient, "code": "00", "verdict": "KO" }),
                );
                json!({ "verdict": "KO", "status": "validee" })
            }
            "identity.show" => {
                let identity = memory.identities.get(&patient).cloned().unwrap_or_default();
                json!({
                    "patient": patient,
                    "traits": identity.traits,
                    "ins": identity.ins,
                    "ins_history": [],
                    "status": identity.status,
                    "attributes": identity.attributes,
                    "status_history": identity.history,
                })
            }
            "identity.search_local" => json!({ "patients": [] }),
            "identity.insi_log" => json!({ "calls": memory.insi_log }),
            "psc.login_ciba" => {
                memory.user = p["national_id"].as_str().map(str::to_string);
                session(memory)
            }
            "psc.login" => {
                memory.user = Some(memory.user.clone().unwrap_or_default());
                session(memory)
            }
            "psc.show_session" => session(memory),
            "psc.logout" => {
                memory.user = None;
                json!({ "logged_in": false })
            }
            "dmp.check_access" => {
                json!({ "dmp": "open", "authorisation": "VALIDE", "treating_doctor": false })
            }
            "dmp.feed" | "dmp.replace" => {
                let document = json!({
                    "unique_id": format!("1.2.250.1.999.{}", memory.documents.len() + 1),
                    "entry_uuid": format!("urn:uuid:{}", uuid::Uuid::new_v4()),
                    "title": p["title"],
                    "creation_time": p["date"],
                    "new": true,
                });
                memory.documents.push(document.clone());
                document
            }
            "dmp.list" => json!({ "documents": memory.documents, "authorisation": "VALIDE" }),
            "dmp.retrieve" => {
                let integrated: Vec<Value> = p["documents"]
                    .as_array()
                    .map(|d| {
                        d.iter()
                            .map(|id| json!({ "unique_id": id, "size": 1, "hash_ok": true }))
                            .collect()
                    })
                    .unwrap_or_default();
                json!({ "integrated": integrated })
            }
            "mss.send" => {
                let sent = json!({
                    "message_id": format!("<{}@parrot>", uuid::Uuid::new_v4()),
                    "to": p["to"],
                    "subject": p["subject"],
                });
                memory.sent.push(sent.clone());
                sent
            }
            "mss.poll" => json!({ "messages": [] }),
            _ => json!({}),
        }
    }
}

fn session(memory: &Memory) -> Value {
    match &memory.user {
        Some(id) => json!({
            "logged_in": true,
            "user": { "national_id": id, "family_name": "PARROT", "given_name": "POLLY" },
        }),
        None => json!({ "logged_in": false }),
    }
}

impl Driver for Parrot {
    fn send<'a>(
        &'a self,
        request: &'a Request,
        _context: &'a Context,
    ) -> BoxFuture<'a, Result<Reply, DriverError>> {
        let reply = Reply {
            id: json!(request.id),
            status: Status::Ok,
            result: self.answer(request),
            message: None,
        };
        async move { Ok(reply) }.boxed()
    }

    fn describe(&self) -> String {
        "parrot".into()
    }
}

fn passed(report: &RunReport) -> Vec<String> {
    report
        .scenarios
        .iter()
        .filter(|s| s.verdict == Verdict::Passed)
        .map(|s| format!("{} (l.{})", s.name, s.line))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_driver_that_answers_ok_to_everything_passes_nothing() {
    segur_core::tls::install_crypto_provider();
    let (report, _dir) = support::run_suite(Arc::new(AllOk), None).await;
    assert!(report.scenarios.len() >= 25);
    let passed = passed(&report);
    assert!(
        passed.is_empty(),
        "{} scenario(s) passed with a driver that never calls a simulator:\n  {}",
        passed.len(),
        passed.join("\n  ")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_driver_that_answers_from_its_own_memory_passes_nothing() {
    segur_core::tls::install_crypto_provider();
    let (report, _dir) = support::run_suite(Arc::new(Parrot::default()), None).await;
    assert!(report.scenarios.len() >= 25);
    let passed = passed(&report);
    assert!(
        passed.is_empty(),
        "{} scenario(s) passed with a driver that answers from memory and never calls a simulator:\n  {}",
        passed.len(),
        passed.join("\n  ")
    );
}
