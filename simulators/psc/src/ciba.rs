//! CIBA (OpenID Connect Client-Initiated Backchannel Authentication, poll mode):
//! `POST {issuer}/protocol/openid-connect/ext/ciba/auth` with PSC's parameters
//! (`login_hint` = national id, two-digit `binding_message`, `channel=CARD|MOBILE`,
//! `acr_values=eidas1`), then the token endpoint polled with the CIBA grant.
//!
//! The professional's answer comes from the control API (approve or deny a pending
//! request) or from a per-professional policy that answers after N polls.

use axum::body::Body;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use segur_core::tls::TlsPeer;
use serde_json::json;

use crate::clients::{self, BackChannel};
use crate::error::OAuthError;
use crate::exchange::Call;
use crate::realm::Realm;
use crate::reply::Reply;
use crate::store::{CibaDecision, CibaRequest, CibaState, random_id};
use crate::{claims, rules};

/// `POST .../ext/ciba/auth`.
pub async fn backchannel(
    State(realm): State<Realm>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let mut call = Call::new("ciba");
    let outcome = answer(&realm, &peer, &headers, query.as_deref(), body, &mut call).await;
    call.conclude(&realm, &peer, outcome)
}

async fn answer(
    realm: &Realm,
    peer: &TlsPeer,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Body,
    call: &mut Call,
) -> Result<Reply, OAuthError> {
    let noted = [
        "login_hint",
        "binding_message",
        "channel",
        "scope",
        "acr_values",
    ];
    let (client, params) =
        match clients::back_channel(realm, peer, headers, query, body, call, &noted).await? {
            BackChannel::Authenticated { client, params } => (client, params),
            BackChannel::Injected(reply) => return Ok(reply),
        };
    let refuse = |call: &mut Call, error: OAuthError| {
        call.find(rules::CIBA_REQUEST.finding(error.description.clone()));
        Err(error)
    };
    if !client.ciba {
        return refuse(
            call,
            OAuthError::unauthorized_client(format!(
                "client {:?} is not allowed CIBA",
                client.client_id
            )),
        );
    }
    let scope = params.get("scope").unwrap_or("");
    if !scope.split(' ').any(|s| s == "openid") {
        return refuse(
            call,
            OAuthError::invalid_scope(format!("scope {scope:?} lacks \"openid\"")),
        );
    }
    if !scope.split(' ').any(|s| s == "scope_all") {
        call.find(rules::SCOPE.finding(format!("scope {scope:?} lacks \"scope_all\"")));
    }
    let acr = params.get("acr_values").unwrap_or("");
    if !acr.split(' ').any(|a| a == "eidas1") {
        call.find(rules::ACR_VALUES.finding(format!("acr_values {acr:?}: PSC expects \"eidas1\"")));
    }
    let Some(hint) = params.get("login_hint") else {
        return refuse(
            call,
            OAuthError::invalid_request("login_hint (the professional's national id) is missing"),
        );
    };
    let professional = claims::find(&realm.bench.world(), hint).cloned();
    let Some(professional) = professional else {
        return refuse(
            call,
            OAuthError::unknown_user_id(format!("no professional with national id {hint:?}")),
        );
    };
    let channel = match params.get("channel") {
        Some(c @ ("CARD" | "MOBILE")) => c.to_string(),
        Some(other) => {
            return refuse(
                call,
                OAuthError::invalid_request(format!("channel {other:?}: CARD or MOBILE")),
            );
        }
        None => {
            call.find(
                rules::CIBA_REQUEST
                    .finding("no channel: PSC clients say CARD or MOBILE; MOBILE assumed"),
            );
            "MOBILE".to_string()
        }
    };
    let binding = params.get("binding_message").map(str::to_string);
    match &binding {
        Some(b) if b.len() == 2 && b.bytes().all(|c| c.is_ascii_digit()) => {}
        Some(b) if b.chars().count() > 20 => {
            let error = OAuthError::other(
                StatusCode::BAD_REQUEST,
                "invalid_binding_message",
                format!("binding_message {b:?} is too long to show on a card reader or phone"),
            );
            return refuse(call, error);
        }
        Some(b) => call.find(rules::CIBA_REQUEST.finding(format!(
            "binding_message {b:?}: PSC shows a two-digit number (00-99)"
        ))),
        None => {
            call.find(rules::CIBA_REQUEST.finding(
                "no binding_message: the professional cannot tell this request from another",
            ))
        }
    }
    let now = realm.now();
    let request = CibaRequest {
        auth_req_id: random_id(),
        client_id: client.client_id.clone(),
        professional: professional.id.clone(),
        binding_message: binding,
        channel,
        scope: scope.to_string(),
        created: now,
        expires_at: now + realm.config.ciba_expiry,
        interval: realm.config.ciba_interval.as_secs().max(1),
        last_poll: None,
        polls: 0,
        state: CibaState::Pending,
    };
    let ack = json!({
        "auth_req_id": request.auth_req_id,
        "expires_in": realm.config.ciba_expiry.as_secs(),
        "interval": request.interval,
    });
    call.answer("auth_req_id", request.auth_req_id.clone());
    call.answer("professional", professional.national_id.clone());
    realm
        .store
        .lock()
        .ciba
        .insert(request.auth_req_id.clone(), request);
    Ok(Reply::json(StatusCode::OK, &ack))
}

/// Answers a pending request as the professional would. False if there is no such
/// pending request.
pub fn decide(realm: &Realm, auth_req_id: &str, decision: CibaDecision) -> bool {
    let mut store = realm.store.lock();
    match store.ciba.get_mut(auth_req_id) {
        Some(r) if r.state == CibaState::Pending => {
            r.state = match decision {
                CibaDecision::Approve => CibaState::Approved,
                CibaDecision::Deny => CibaState::Denied,
            };
            true
        }
        _ => false,
    }
}
