//! `grant_type=authorization_code`: single use (a replay revokes what the first
//! exchange issued), 60 s lifetime, exact `redirect_uri`, PKCE verifier.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use segur_core::world::OidcClient;
use serde_json::Value;

use super::refuse;
use crate::error::OAuthError;
use crate::exchange::{Call, Params};
use crate::realm::Realm;
use crate::tokens::{self, Grant};
use crate::{claims, rules};

/// Exchanges a code.
pub fn exchange(
    realm: &Realm,
    client: &OidcClient,
    params: &Params,
    call: &mut Call,
) -> Result<Value, OAuthError> {
    let code_value = params.required("code", call)?;
    let now = realm.now();
    let (code, session) = {
        let mut store = realm.store.lock();
        let Some(code) = store.codes.get_mut(code_value) else {
            drop(store);
            return Err(refuse(call, "unknown authorization code".into()));
        };
        if code.used {
            let revoked = store.revoke_family(code_value, "the code that issued it was replayed");
            drop(store);
            let why = format!(
                "the authorization code was already used: {revoked} tokens issued from it are revoked"
            );
            call.find(rules::CODE_REUSED.finding(why.clone()));
            return Err(OAuthError::invalid_grant(why));
        }
        code.used = true;
        let code = code.clone();
        // Exchanging the code is activity of the SSO session, as a refresh is.
        let session = store.sessions.get_mut(&code.sid).map(|s| {
            if realm.session_end(s, now).is_none() {
                s.last_active = now;
            }
            s.clone()
        });
        (code, session)
    };
    if now - code.issued_at >= realm.config.code {
        return Err(refuse(
            call,
            format!(
                "the authorization code expired ({} s lifetime)",
                realm.config.code.as_secs()
            ),
        ));
    }
    if code.client_id != client.client_id {
        return Err(refuse(
            call,
            format!(
                "the code was issued to another client ({:?})",
                code.client_id
            ),
        ));
    }
    if params.get("redirect_uri") != Some(code.redirect_uri.as_str()) {
        return Err(refuse(
            call,
            format!(
                "redirect_uri {:?} differs from the authorization request's {:?}",
                params.get("redirect_uri"),
                code.redirect_uri
            ),
        ));
    }
    if let Some((method, challenge)) = &code.challenge {
        let Some(verifier) = params.get("code_verifier") else {
            return Err(refuse(
                call,
                "code_verifier is missing (the request had a PKCE challenge)".into(),
            ));
        };
        let computed = match method.as_str() {
            "S256" => URL_SAFE_NO_PAD.encode(ring::digest::digest(
                &ring::digest::SHA256,
                verifier.as_bytes(),
            )),
            _ => verifier.to_string(),
        };
        if &computed != challenge {
            return Err(refuse(
                call,
                "code_verifier does not match the code_challenge".into(),
            ));
        }
    }
    let Some(session) = session else {
        return Err(refuse(call, "the SSO session of this code is gone".into()));
    };
    if let Some(end) = realm.session_end(&session, now) {
        return Err(refuse(call, end.describe().into()));
    }
    let professional = claims::find(&realm.bench.world(), &session.professional).cloned();
    let Some(professional) = professional else {
        return Err(refuse(
            call,
            "the professional of this session left the world".into(),
        ));
    };
    call.answer("professional", professional.national_id.clone());
    let tampering = crate::tampering::take(realm, crate::tampering::ID_TOKEN);
    if let Some(t) = tampering {
        call.answer("tampered", t.code());
    }
    let foreign_nonce = crate::store::random_id();
    let nonce = match tampering {
        Some(crate::tampering::Tampering::WrongNonce) => Some(foreign_nonce.as_str()),
        _ => code.nonce.as_deref(),
    };
    let mut response = tokens::issue(
        realm,
        &Grant {
            client,
            professional: &professional,
            session: &session,
            scope: &code.scope,
            nonce,
            family: code_value,
        },
        now,
    );
    if tampering == Some(crate::tampering::Tampering::BadSignature)
        && let Some(id_token) = response["id_token"].as_str()
    {
        response["id_token"] = Value::from(tokens::with_foreign_signature(realm, id_token));
    }
    Ok(response)
}
