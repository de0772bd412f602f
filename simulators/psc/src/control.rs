//! What a test or a driver arranges at the realm, in process ([`PscControl`]) and over
//! the control API under `/api/v1/psc/`:
//!
//! | route | effect |
//! |---|---|
//! | `POST /next-authentication` `{"client_id", "outcome": "authenticate", "professional"}` | the next authorization of that client completes as that professional, without a browser |
//! | `POST /next-authentication` `{"client_id", "outcome": "refuse", "error"?, "description"?}` | the next one fails (`access_denied` by default) |
//! | `DELETE /next-authentication` | forgets what was queued |
//! | `GET /ciba` | the CIBA requests and their state |
//! | `POST /ciba/{auth_req_id}/approve` or `/deny` | the professional answers |
//! | `PUT /ciba/policies/{professional}` `{"decision": "approve", "after_polls": 2}` | their requests are answered at the third poll |
//! | `DELETE /ciba/policies/{professional}` | back to waiting for the control API |
//! | `POST /keys/rotate` `{"retire": false}` | a new signing key; the old ones stay published unless `retire` |
//! | `GET /sessions` | the SSO sessions |

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::claims;
use crate::keys::{KeyError, SigningKey};
use crate::realm::Realm;
use crate::store::{CibaDecision, CibaPolicy, CibaRequest, Directive};
use crate::{ciba, clients};

/// Arranges what happens at the realm.
#[derive(Clone)]
pub struct PscControl {
    /// The realm.
    realm: Realm,
}

/// Why an arrangement was refused.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// No such client, professional or request.
    #[error("{0}")]
    NotFound(String),
    /// A new key could not be made.
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl PscControl {
    /// Control over `realm`.
    pub fn new(realm: Realm) -> Self {
        Self { realm }
    }

    /// Queues what happens at `client_id`'s next authorization.
    pub fn next_authentication(
        &self,
        client_id: &str,
        directive: Directive,
    ) -> Result<usize, ControlError> {
        {
            let world = self.realm.bench.world();
            if clients::find(&world, client_id).is_none() {
                return Err(ControlError::NotFound(format!("no client {client_id:?}")));
            }
            if let Directive::Authenticate { professional } = &directive
                && claims::find(&world, professional).is_none()
            {
                return Err(ControlError::NotFound(format!(
                    "no professional {professional:?}"
                )));
            }
        }
        let mut store = self.realm.store.lock();
        let queue = store.directives.entry(client_id.to_string()).or_default();
        queue.push_back(directive);
        Ok(queue.len())
    }

    /// Forgets every queued directive.
    pub fn clear_directives(&self) {
        self.realm.store.lock().directives.clear();
    }

    /// The CIBA requests, oldest first.
    pub fn ciba_requests(&self) -> Vec<CibaRequest> {
        let mut list: Vec<CibaRequest> = self.realm.store.lock().ciba.values().cloned().collect();
        list.sort_by_key(|r| r.created);
        list
    }

    /// The professional answers a pending CIBA request.
    pub fn answer_ciba(
        &self,
        auth_req_id: &str,
        decision: CibaDecision,
    ) -> Result<(), ControlError> {
        if ciba::decide(&self.realm, auth_req_id, decision) {
            Ok(())
        } else {
            Err(ControlError::NotFound(format!(
                "no pending CIBA request {auth_req_id:?}"
            )))
        }
    }

    /// Sets how `professional`'s CIBA requests are answered (`None`: by the control API).
    pub fn ciba_policy(
        &self,
        professional: &str,
        policy: Option<CibaPolicy>,
    ) -> Result<(), ControlError> {
        let id = claims::find(&self.realm.bench.world(), professional)
            .map(|p| p.id.clone())
            .ok_or_else(|| ControlError::NotFound(format!("no professional {professional:?}")))?;
        let mut store = self.realm.store.lock();
        match policy {
            Some(p) => store.ciba_policies.insert(id, p),
            None => store.ciba_policies.remove(&id),
        };
        Ok(())
    }

    /// Signs from now on with `key`; returns its `kid`.
    pub fn rotate_with(&self, key: Arc<SigningKey>, retire: bool) -> String {
        let kid = key.kid().to_string();
        self.realm
            .keys
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .rotate(key, retire);
        kid
    }

    /// Generates a new key and signs with it from now on; returns its `kid`.
    pub async fn rotate(&self, retire: bool) -> Result<String, ControlError> {
        let bits = self.realm.config.rsa_bits;
        let key = tokio::task::spawn_blocking(move || SigningKey::generate(bits))
            .await
            .map_err(|e| KeyError::Generate(e.to_string()))??;
        Ok(self.rotate_with(Arc::new(key), retire))
    }

    /// The SSO sessions.
    pub fn sessions(&self) -> Vec<Value> {
        let now = self.realm.now();
        self.realm
            .store
            .lock()
            .sessions
            .values()
            .map(|s| {
                json!({
                    "sid": s.sid,
                    "professional": s.professional,
                    "auth_time": s.auth_time.unix_timestamp(),
                    "ended": self.realm.session_end(s, now).map(|e| e.describe()),
                })
            })
            .collect()
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::Key(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        (
            status,
            Json(json!({ "error": code, "message": self.to_string() })),
        )
            .into_response()
    }
}

/// The routes mounted under `/api/v1/psc/`.
pub fn routes(control: PscControl) -> Router {
    Router::new()
        .route("/next-authentication", post(queue).delete(clear))
        .route("/ciba", get(list_ciba))
        .route("/ciba/{id}/{decision}", post(answer))
        .route(
            "/ciba/policies/{professional}",
            put(set_policy).delete(drop_policy),
        )
        .route("/keys/rotate", post(rotate))
        .route("/sessions", get(sessions))
        .with_state(control)
}

#[derive(Deserialize)]
struct Queue {
    client_id: String,
    #[serde(flatten)]
    directive: Directive,
}

async fn queue(
    State(c): State<PscControl>,
    Json(q): Json<Queue>,
) -> Result<Json<Value>, ControlError> {
    let queued = c.next_authentication(&q.client_id, q.directive)?;
    Ok(Json(json!({ "client_id": q.client_id, "queued": queued })))
}

async fn clear(State(c): State<PscControl>) -> StatusCode {
    c.clear_directives();
    StatusCode::NO_CONTENT
}

async fn list_ciba(State(c): State<PscControl>) -> Json<Value> {
    Json(json!({ "requests": c.ciba_requests() }))
}

async fn answer(
    State(c): State<PscControl>,
    Path((id, decision)): Path<(String, String)>,
) -> Result<Json<Value>, Response> {
    let decision = match decision.as_str() {
        "approve" => CibaDecision::Approve,
        "deny" => CibaDecision::Deny,
        other => {
            return Err(
                ControlError::NotFound(format!("{other:?}: approve or deny")).into_response(),
            );
        }
    };
    c.answer_ciba(&id, decision)
        .map_err(IntoResponse::into_response)?;
    Ok(Json(json!({ "auth_req_id": id, "decision": decision })))
}

async fn set_policy(
    State(c): State<PscControl>,
    Path(professional): Path<String>,
    Json(policy): Json<CibaPolicy>,
) -> Result<Json<Value>, ControlError> {
    c.ciba_policy(&professional, Some(policy))?;
    Ok(Json(
        json!({ "professional": professional, "policy": policy }),
    ))
}

async fn drop_policy(
    State(c): State<PscControl>,
    Path(professional): Path<String>,
) -> Result<StatusCode, ControlError> {
    c.ciba_policy(&professional, None)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
struct Rotate {
    #[serde(default)]
    retire: bool,
}

async fn rotate(
    State(c): State<PscControl>,
    body: Option<Json<Rotate>>,
) -> Result<Json<Value>, ControlError> {
    let retire = body.map(|Json(r)| r.retire).unwrap_or_default();
    let kid = c.rotate(retire).await?;
    Ok(Json(json!({ "kid": kid, "retired_previous": retire })))
}

async fn sessions(State(c): State<PscControl>) -> Json<Value> {
    Json(json!({ "sessions": c.sessions() }))
}
