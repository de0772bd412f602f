//! The reference LPS: a small but correct "logiciel de professionnel de santé" that
//! speaks the segur-bench driver protocol (`harness/DRIVER.md`), written from the
//! national specifications as a reader would want a sample integration to be:
//!
//! - [`identity`]: the identities, their RNIV statuses and the INS rules;
//! - [`insi`]: the INSi client (SOAP 1.2 over mutual TLS, `INSI-AUTO`);
//! - [`psc`]: the Pro Santé Connect client (code flow + PKCE, CIBA, refresh, logout);
//! - [`dmp`]: the DMP client (VIHF signed with the structure's signature certificate,
//!   TD0.2, TD0.3, ITI-41/18/43/57 with MTOM); [`cda`]: the CDA documents it produces;
//! - [`mss`]: the MSSanté client (IHE_XDM, `X-MSS-*` headers, SMTP and IMAP with
//!   STARTTLS, receipts);
//! - [`session`]: one scenario's state and the driver actions; [`jobs`]: what runs in
//!   the background while the user goes on (a DMP search);
//! - [`serve`]: the protocol over HTTP (`POST /v1/actions`) and over stdio;
//! - [`defects`]: the catalogued mistakes `--defect` turns on.
//!
//! It depends on no simulator crate: the bench and the reference cannot share a mistake.

pub mod annuaire;
pub mod cda;
pub mod config;
pub mod defects;
pub mod dmp;
pub mod identity;
pub mod insi;
pub mod jobs;
pub mod mss;
pub mod protocol;
pub mod psc;
pub mod serve;
pub mod session;
pub mod tls;
pub mod xml;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

pub use defects::Defects;
use protocol::{Reply, Request};
use session::Session;

/// The software's name, sent back by `configure`.
pub const NAME: &str = "segur-bench reference LPS";

/// The LPS: its sessions (one per scenario) and its defects.
#[derive(Clone, Default)]
pub struct Lps {
    /// Open sessions by id; each behind its own lock so sessions run in parallel.
    sessions: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<Session>>>>>,
    /// The defects every session gets.
    defects: Defects,
    /// Work left running in the background (`"background": true`), by job id.
    jobs: jobs::Jobs,
}

impl Lps {
    /// An LPS with these defects.
    pub fn new(defects: Defects) -> Self {
        Self {
            sessions: Arc::default(),
            defects,
            jobs: jobs::Jobs::default(),
        }
    }

    /// Answers one request.
    pub async fn handle(&self, request: Request) -> Reply {
        let id = request.id.clone();
        let mut reply = self.dispatch(request).await;
        reply.id = id;
        reply
    }

    async fn dispatch(&self, request: Request) -> Reply {
        let Some(session_id) = request.session.clone() else {
            return Reply::error(
                "requête sans session: le champ \"session\" est requis",
                Value::Null,
            );
        };
        match request.action.as_str() {
            "configure" => match Session::configure(&request.params, self.defects.clone()) {
                Ok(session) => {
                    self.sessions
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(session_id, Arc::new(tokio::sync::Mutex::new(session)));
                    Reply::ok(json!({
                        "software": { "name": NAME, "version": env!("CARGO_PKG_VERSION") },
                        "defects": self.defects.names().collect::<Vec<_>>(),
                    }))
                }
                Err(reply) => reply,
            },
            "session.end" => {
                self.sessions
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&session_id);
                self.jobs.forget_session(&session_id);
                Reply::ok(Value::Null)
            }
            action => {
                let session = self
                    .sessions
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&session_id)
                    .cloned();
                let Some(session) = session else {
                    return Reply::error(
                        format!("session {session_id:?} inconnue: envoyer configure d'abord"),
                        Value::Null,
                    );
                };
                if action == "dmp.list" && request.params["background"] == true {
                    return self
                        .list_in_background(&session_id, &session, &request.params)
                        .await;
                }
                if action == "job.wait" {
                    return self.wait(&session_id, &request.params).await;
                }
                let mut session = session.lock().await;
                session.act(action, &request.params).await
            }
        }
    }

    /// `dmp.list` with `"background": true`: the checks and the rights (TD0.2, TD0.3)
    /// under the session's lock, then the search (TD3.1) sent without it; answers the
    /// job's id at once.
    async fn list_in_background(
        &self,
        session_id: &str,
        session: &tokio::sync::Mutex<Session>,
        params: &Value,
    ) -> Reply {
        let mut locked = session.lock().await;
        let pending = match locked.begin_list(params).await {
            Ok(p) => p,
            Err(reply) => return reply,
        };
        let job = if self.defects.on("dmp-blocks-ui") {
            // The search runs in the foreground: the user waits for the DMP.
            let answer = pending.send().await;
            jobs::Job::Done {
                session: session_id.to_string(),
                reply: locked.end_list(pending, answer),
            }
        } else {
            drop(locked);
            return Reply::ok(json!({ "job": self.jobs.start(session_id, pending) }));
        };
        Reply::ok(json!({ "job": self.jobs.keep(job) }))
    }

    /// `job.wait`: the result of a job, once it is done.
    async fn wait(&self, session_id: &str, params: &Value) -> Reply {
        let id = params["job"].as_str().unwrap_or_default();
        match self.jobs.take(id) {
            None => Reply::error(
                format!("tâche {id:?} inconnue ou déjà attendue"),
                Value::Null,
            ),
            Some(jobs::Job::Done { reply, .. }) => reply,
            Some(jobs::Job::Running { session, task }) => {
                if session != session_id {
                    return Reply::error(
                        format!("la tâche {id} est d'une autre session"),
                        Value::Null,
                    );
                }
                let (pending, answer) = match task.await {
                    Ok(done) => done,
                    Err(e) => {
                        return Reply::error(format!("tâche {id} interrompue : {e}"), Value::Null);
                    }
                };
                let session = self
                    .sessions
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(session_id)
                    .cloned();
                match session {
                    Some(s) => s.lock().await.end_list(pending, answer),
                    None => Reply::error(format!("session {session_id:?} terminée"), Value::Null),
                }
            }
        }
    }
}
