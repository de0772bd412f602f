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
//! - [`session`]: one scenario's state and the driver actions;
//! - [`serve`]: the protocol over HTTP (`POST /v1/actions`) and over stdio;
//! - [`defects`]: the catalogued mistakes `--defect` turns on.
//!
//! It depends on no simulator crate: the bench and the reference cannot share a mistake.

pub mod cda;
pub mod config;
pub mod defects;
pub mod dmp;
pub mod identity;
pub mod insi;
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
}

impl Lps {
    /// An LPS with these defects.
    pub fn new(defects: Defects) -> Self {
        Self {
            sessions: Arc::default(),
            defects,
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
                let mut session = session.lock().await;
                session.act(action, &request.params).await
            }
        }
    }
}
