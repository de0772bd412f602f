//! `POST {issuer}/protocol/openid-connect/token`: client authentication, then one
//! module per grant type.

mod ciba;
mod code;
mod refresh;

use axum::body::Body;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use segur_core::tls::TlsPeer;
use serde_json::Value;

use crate::clients::{self, BackChannel};
use crate::error::OAuthError;
use crate::exchange::Call;
use crate::realm::Realm;
use crate::reply::Reply;
use crate::rules;

/// The CIBA grant type.
pub const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";

/// `POST .../token`.
pub async fn token(
    State(realm): State<Realm>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let mut call = Call::new("token");
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
    let (client, params) =
        match clients::back_channel(realm, peer, headers, query, body, call, &["grant_type"])
            .await?
        {
            BackChannel::Authenticated { client, params } => (client, params),
            BackChannel::Injected(reply) => return Ok(reply),
        };
    let response = match params.get("grant_type").unwrap_or("") {
        "authorization_code" => code::exchange(realm, &client, &params, call)?,
        "refresh_token" => refresh::exchange(realm, &client, &params, call)?,
        CIBA_GRANT => ciba::poll(realm, &client, &params, call)?,
        "" => return Err(call.malformed("grant_type is missing".into())),
        other => {
            return Err(OAuthError::unsupported_grant_type(format!(
                "grant_type {other:?}: the realm serves authorization_code, refresh_token and {CIBA_GRANT}"
            )));
        }
    };
    summarise(&response, call);
    Ok(Reply::json(StatusCode::OK, &response))
}

/// What the journal keeps of a token response: lifetimes and the session, the tokens
/// themselves are in the body.
fn summarise(response: &Value, call: &mut Call) {
    for key in ["expires_in", "refresh_expires_in", "session_state", "scope"] {
        if let Some(v) = response.get(key) {
            call.answer(key, v.clone());
        }
    }
}

/// An `invalid_grant` with its finding.
fn refuse(call: &mut Call, why: String) -> OAuthError {
    call.find(rules::GRANT_INVALID.finding(why.clone()));
    OAuthError::invalid_grant(why)
}
