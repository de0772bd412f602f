//! Access-token validation as a library: what UserInfo and introspection apply, and
//! what other simulators use to accept PSC bearer tokens (the MSSanté operator's
//! XOAUTH2 and OAUTHBEARER). A started PSC simulator offers its [`TokenValidator`] on
//! the bench (`bench.extension::<TokenValidator>()`).

use segur_core::finding::Rule;
use serde_json::Value;
use thiserror::Error;
use time::OffsetDateTime;

use crate::jws::{self, JwsError};
use crate::realm::{Realm, SessionEnd};
use crate::rules;

/// A valid access token.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// Its claims.
    pub claims: Value,
    /// The professional's national id (`preferred_username`).
    pub national_id: String,
    /// The client it was issued to (`azp`).
    pub client_id: String,
    /// The SSO session (`sid`).
    pub sid: String,
    /// Expiry.
    pub expires_at: OffsetDateTime,
}

/// Why a token was refused.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token the realm signed.
    #[error("{0}")]
    Signature(#[from] JwsError),
    /// Signed by the realm but not an access token (an id_token, a UserInfo JWT).
    #[error("not an access token (typ {0:?})")]
    NotAccessToken(String),
    /// Another issuer.
    #[error("issued by {0:?}, not by this realm")]
    WrongIssuer(String),
    /// Past its `exp`.
    #[error("the token expired at {0}")]
    Expired(String),
    /// Revoked.
    #[error("the token was revoked: {0}")]
    Revoked(&'static str),
    /// Its SSO session ended.
    #[error("{}", .0.describe())]
    SessionEnded(SessionEnd),
}

impl TokenError {
    /// The rule a use of such a token breaks.
    pub fn rule(&self) -> &'static Rule {
        match self {
            Self::Expired(_) => &rules::TOKEN_EXPIRED,
            Self::Revoked(_) | Self::SessionEnded(_) => &rules::TOKEN_REVOKED,
            Self::Signature(_) | Self::NotAccessToken(_) | Self::WrongIssuer(_) => {
                &rules::TOKEN_INVALID
            }
        }
    }
}

/// Validates the realm's access tokens against its keys, memory and the bench clock.
#[derive(Clone)]
pub struct TokenValidator {
    /// The realm that issued them.
    realm: Realm,
}

impl TokenValidator {
    /// A validator for `realm`'s tokens.
    pub fn new(realm: Realm) -> Self {
        Self { realm }
    }

    /// The issuer whose tokens it accepts.
    pub fn issuer(&self) -> &str {
        &self.realm.issuer
    }

    /// Checks signature, type, issuer, expiry (bench time), revocation and session.
    pub fn validate(&self, token: &str) -> Result<AccessToken, TokenError> {
        let (_, claims) = jws::verify(token, &self.realm.key_ring())?;
        let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or("");
        if text("typ") != "Bearer" {
            return Err(TokenError::NotAccessToken(text("typ").to_string()));
        }
        if text("iss") != &*self.realm.issuer {
            return Err(TokenError::WrongIssuer(text("iss").to_string()));
        }
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        let expires_at =
            OffsetDateTime::from_unix_timestamp(exp).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let now = self.realm.now();
        if now >= expires_at {
            return Err(TokenError::Expired(
                expires_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
            ));
        }
        let sid = text("sid").to_string();
        {
            let state = self.realm.store.lock();
            if let Some(why) = state.access.get(text("jti")).and_then(|t| t.revoked) {
                return Err(TokenError::Revoked(why));
            }
            match state.sessions.get(&sid) {
                Some(session) => {
                    if let Some(end) = self.realm.session_end(session, now) {
                        return Err(TokenError::SessionEnded(end));
                    }
                }
                None => return Err(TokenError::SessionEnded(SessionEnd::Unknown)),
            }
        }
        Ok(AccessToken {
            national_id: text("preferred_username").to_string(),
            client_id: text("azp").to_string(),
            sid,
            expires_at,
            claims,
        })
    }
}
