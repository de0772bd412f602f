//! Minting the token response: an RS256 access token and id_token, an opaque refresh
//! token, and their records in the realm's memory. Signing happens outside the store's
//! lock, so concurrent exchanges sign in parallel.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use segur_core::world::{OidcClient, Professional};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::claims;
use crate::realm::Realm;
use crate::store::{Issued, Session, random_id};

/// What a grant yields tokens for.
pub struct Grant<'a> {
    /// The client.
    pub client: &'a OidcClient,
    /// The professional.
    pub professional: &'a Professional,
    /// Their SSO session.
    pub session: &'a Session,
    /// Granted scope.
    pub scope: &'a str,
    /// The authorization request's nonce.
    pub nonce: Option<&'a str>,
    /// The grant family (code or CIBA request) for replay revocation.
    pub family: &'a str,
}

/// `token` with a signature the realm's key made over other bytes: the header still
/// names a key of the JWKS, the signature does not verify.
pub fn with_foreign_signature(realm: &Realm, token: &str) -> String {
    let signed = token.rsplit_once('.').map_or(token, |(signed, _)| signed);
    let other = realm.signing_key().sign(format!("{signed}.").as_bytes());
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(other))
}

/// Issues the tokens of `grant` at `now` and returns the token response.
pub fn issue(realm: &Realm, grant: &Grant<'_>, now: OffsetDateTime) -> Value {
    let config = &realm.config;
    let access_exp = now + config.access_token;
    // The refresh token never outlives the SSO session.
    let refresh_exp = (now + config.refresh_token).min(realm.session_deadline(grant.session));
    let jti = uuid::Uuid::new_v4().to_string();
    let identity = claims::identity(grant.professional);
    let common = json!({
        "iat": now.unix_timestamp(),
        "auth_time": grant.session.auth_time.unix_timestamp(),
        "iss": &*realm.issuer,
        "sub": identity["sub"],
        "azp": grant.client.client_id,
        "session_state": grant.session.sid,
        "sid": grant.session.sid,
        "acr": "eidas1",
        "SubjectNameID": grant.professional.national_id,
        "preferred_username": identity["preferred_username"],
    });
    let mut access = common.clone();
    merge(
        &mut access,
        json!({
            "exp": access_exp.unix_timestamp(),
            "jti": jti,
            "aud": grant.client.client_id,
            "typ": "Bearer",
            "scope": grant.scope,
            "nonce": grant.nonce,
        }),
    );
    let access_token = realm.sign(&access);
    let at_hash = {
        let digest = ring::digest::digest(&ring::digest::SHA256, access_token.as_bytes());
        URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16])
    };
    let mut id = common;
    merge(&mut id, identity);
    merge(
        &mut id,
        json!({
            "exp": access_exp.unix_timestamp(),
            "jti": uuid::Uuid::new_v4().to_string(),
            "aud": grant.client.client_id,
            "typ": "ID",
            "nonce": grant.nonce,
            "at_hash": at_hash,
            "idp": "PSC",
        }),
    );
    let id_token = realm.sign(&id);
    let refresh_token = random_id();
    {
        let mut state = realm.store.lock();
        let revoked = state
            .revoked_families
            .contains(grant.family)
            .then_some("issued from a replayed grant");
        let record = |expires_at| Issued {
            client_id: grant.client.client_id.clone(),
            sid: grant.session.sid.clone(),
            scope: grant.scope.to_string(),
            nonce: grant.nonce.map(str::to_string),
            expires_at,
            revoked,
            family: grant.family.to_string(),
        };
        state.access.insert(jti, record(access_exp));
        state
            .refresh
            .insert(refresh_token.clone(), record(refresh_exp));
        state.prune(now);
    }
    json!({
        "access_token": access_token,
        "expires_in": config.access_token.as_secs(),
        "refresh_expires_in": (refresh_exp - now).whole_seconds().max(0),
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "id_token": id_token,
        "not-before-policy": 0,
        "session_state": grant.session.sid,
        "scope": grant.scope,
    })
}

/// Adds `extra`'s members to `target`, dropping nulls (an absent nonce is absent).
fn merge(target: &mut Value, extra: Value) {
    if let (Some(target), Value::Object(extra)) = (target.as_object_mut(), extra) {
        for (k, v) in extra {
            if !v.is_null() {
                target.insert(k, v);
            }
        }
    }
}
