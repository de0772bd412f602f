//! `grant_type=refresh_token`: rotation (a refresh token serves once), 30 min lifetime,
//! and the SSO session's limits (after 4 h, or 30 min idle, the user must log in again).

use segur_core::world::OidcClient;
use serde_json::Value;

use super::refuse;
use crate::error::OAuthError;
use crate::exchange::{Call, Params};
use crate::realm::Realm;
use crate::tokens::{self, Grant};
use crate::{claims, rules};

/// Exchanges a refresh token.
pub fn exchange(
    realm: &Realm,
    client: &OidcClient,
    params: &Params,
    call: &mut Call,
) -> Result<Value, OAuthError> {
    let value = params.required("refresh_token", call)?;
    let now = realm.now();
    let (issued, session) = {
        let mut store = realm.store.lock();
        let Some(issued) = store.refresh.get(value).cloned() else {
            drop(store);
            return Err(refuse(call, "unknown refresh token".into()));
        };
        if issued.client_id != client.client_id {
            drop(store);
            return Err(refuse(
                call,
                format!("the refresh token belongs to client {:?}", issued.client_id),
            ));
        }
        if let Some(why) = issued.revoked {
            drop(store);
            return Err(refuse(
                call,
                format!("the refresh token is no longer valid: {why}"),
            ));
        }
        let session = store.sessions.get(&issued.sid).cloned();
        let end = session.as_ref().and_then(|s| realm.session_end(s, now));
        if let Some(end) = end {
            drop(store);
            let why = format!("refresh after the SSO session ended: {}", end.describe());
            call.find(rules::REFRESH_AFTER_SSO.finding(why.clone()));
            return Err(OAuthError::invalid_grant(why));
        }
        if now >= issued.expires_at {
            drop(store);
            return Err(refuse(
                call,
                "the refresh token expired (Token is not active)".into(),
            ));
        }
        if let Some(t) = store.refresh.get_mut(value) {
            t.revoked = Some("rotated: a refresh token serves once");
        }
        if let Some(s) = store.sessions.get_mut(&issued.sid) {
            s.last_active = now;
        }
        let session = store.sessions.get(&issued.sid).cloned();
        (issued, session)
    };
    let Some(session) = session else {
        return Err(refuse(
            call,
            "the SSO session of this refresh token is gone".into(),
        ));
    };
    let professional = claims::find(&realm.bench.world(), &session.professional).cloned();
    let Some(professional) = professional else {
        return Err(refuse(
            call,
            "the professional of this session left the world".into(),
        ));
    };
    // A scope narrower than the original may be asked (RFC 6749 §6).
    let scope = match params.get("scope") {
        Some(asked) => {
            let granted: Vec<&str> = issued.scope.split(' ').collect();
            if let Some(extra) = asked.split(' ').find(|s| !granted.contains(s)) {
                return Err(OAuthError::invalid_scope(format!(
                    "scope {extra:?} was not granted"
                )));
            }
            asked.to_string()
        }
        None => issued.scope.clone(),
    };
    call.answer("professional", professional.national_id.clone());
    Ok(tokens::issue(
        realm,
        &Grant {
            client,
            professional: &professional,
            session: &session,
            scope: &scope,
            nonce: issued.nonce.as_deref(),
            family: &issued.family,
        },
        now,
    ))
}
