//! `POST {issuer}/protocol/openid-connect/token/introspect` (RFC 7662), authenticated
//! like the token endpoint: `active` with the fields of the spec notes (§2.5) for a
//! live access or refresh token (`SubjectNameID` only for access tokens), `{"active":
//! false}` for anything else, with a finding saying why. Only the client the token was
//! issued to, or a resource server of the world, learns about a token.

use axum::body::Body;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use segur_core::tls::TlsPeer;
use serde_json::{Value, json};

use crate::clients::{self, BackChannel};
use crate::error::OAuthError;
use crate::exchange::Call;
use crate::realm::Realm;
use crate::reply::Reply;
use crate::validation::TokenValidator;
use crate::{claims, jws, rules};

/// `POST .../token/introspect`.
pub async fn introspect(
    State(realm): State<Realm>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let mut call = Call::new("introspect");
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
        match clients::back_channel(realm, peer, headers, query, body, call, &[]).await? {
            BackChannel::Authenticated { client, params } => (client, params),
            BackChannel::Injected(reply) => return Ok(reply),
        };
    let token = params.required("token", call)?;
    let mut body = if token.contains('.') {
        access(realm, token, call)
    } else {
        refresh(realm, token, call)
    };
    let owner = body["client_id"].as_str().unwrap_or_default();
    if body["active"] == Value::Bool(true) && owner != client.client_id && !client.resource_server {
        call.find(rules::INTROSPECTION_CLIENT.finding(format!(
            "{} introspected a token issued to {owner}: only the token's client or a resource server may (answered active: false)",
            client.client_id
        )));
        body = inactive();
    }
    call.answer("active", body["active"].clone());
    Ok(Reply::json(StatusCode::OK, &body))
}

fn inactive() -> Value {
    json!({ "active": false })
}

fn access(realm: &Realm, token: &str, call: &mut Call) -> Value {
    match TokenValidator::new(realm.clone()).validate(token) {
        Ok(t) => {
            let mut body = t.claims;
            if let Some(object) = body.as_object_mut() {
                object.insert("active".into(), Value::Bool(true));
                object.insert("client_id".into(), object["azp"].clone());
                object.insert("username".into(), object["preferred_username"].clone());
                object.insert("token_type".into(), Value::from("Bearer"));
                object.insert("email_verified".into(), Value::Bool(false));
            }
            body
        }
        Err(e) => {
            if let Some(claims) = jws::peek_claims(token) {
                call.note("token_claims", claims);
            }
            call.find(
                e.rule()
                    .finding(format!("introspection of a refused token: {e}")),
            );
            inactive()
        }
    }
}

fn refresh(realm: &Realm, token: &str, call: &mut Call) -> Value {
    let now = realm.now();
    let (issued, session) = {
        let store = realm.store.lock();
        let Some(issued) = store.refresh.get(token).cloned() else {
            call.find(rules::TOKEN_INVALID.finding("introspection of an unknown token"));
            return inactive();
        };
        let session = store.sessions.get(&issued.sid).cloned();
        (issued, session)
    };
    let ended = session.as_ref().and_then(|s| realm.session_end(s, now));
    if issued.revoked.is_some() || now >= issued.expires_at || ended.is_some() || session.is_none()
    {
        return inactive();
    }
    let Some(session) = session else {
        return inactive();
    };
    let world = realm.bench.world();
    let Some(professional) = claims::find(&world, &session.professional) else {
        return inactive();
    };
    let identity = claims::identity(professional);
    json!({
        "active": true,
        "exp": issued.expires_at.unix_timestamp(),
        "iat": now.unix_timestamp(),
        "auth_time": session.auth_time.unix_timestamp(),
        "iss": &*realm.issuer,
        "sub": identity["sub"],
        "typ": "Refresh",
        "azp": issued.client_id,
        "client_id": issued.client_id,
        "nonce": issued.nonce,
        "session_state": session.sid,
        "sid": session.sid,
        "preferred_username": identity["preferred_username"],
        "username": identity["preferred_username"],
        "email_verified": false,
        "acr": "eidas1",
        "scope": issued.scope,
    })
}
