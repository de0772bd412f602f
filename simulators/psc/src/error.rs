//! The one error type of the realm's endpoints: an OAuth 2.0 / OpenID Connect error
//! response (RFC 6749 §5.2, RFC 6750 §3, CIBA §11, RFC 7662), JSON with `error` and
//! `error_description`, `Cache-Control: no-store`, and `WWW-Authenticate` where the
//! RFCs ask for it.

use axum::http::StatusCode;
use serde_json::json;

use crate::reply::Reply;

/// An OAuth error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// HTTP status (400, 401, 403...).
    pub status: StatusCode,
    /// The registered error code (`invalid_grant`...).
    pub error: String,
    /// What exactly was wrong, for the developer reading the answer.
    pub description: String,
    /// `WWW-Authenticate` value, for 401 answers.
    pub challenge: Option<String>,
}

impl OAuthError {
    fn new(status: StatusCode, error: &str, description: impl Into<String>) -> Self {
        Self {
            status,
            error: error.to_string(),
            description: description.into(),
            challenge: None,
        }
    }

    /// `invalid_request` (400): a parameter missing, repeated, malformed or too large.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// `invalid_client` (401): unknown client or failed authentication. With HTTP Basic
    /// the answer carries `WWW-Authenticate: Basic`.
    pub fn invalid_client(description: impl Into<String>, basic: bool) -> Self {
        let mut e = Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description);
        if basic {
            e.challenge = Some(r#"Basic realm="esante-wallet""#.into());
        }
        e
    }

    /// `invalid_grant` (400): code, refresh token or CIBA request unknown, used, expired
    /// or not this client's.
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    /// `unauthorized_client` (400): the client may not use this grant.
    pub fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unauthorized_client", description)
    }

    /// `unsupported_grant_type` (400).
    pub fn unsupported_grant_type(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            description,
        )
    }

    /// `invalid_scope` (400).
    pub fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_scope", description)
    }

    /// CIBA `authorization_pending` (400): the user has not answered yet.
    pub fn authorization_pending() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "authorization_pending",
            "The authorization request is still pending",
        )
    }

    /// CIBA `slow_down` (400): polled faster than the interval.
    pub fn slow_down(interval: u64) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "slow_down",
            format!("polling too fast: wait at least {interval} s between requests"),
        )
    }

    /// CIBA `expired_token` (400): the request expired before the user answered.
    pub fn expired_token() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "expired_token",
            "The authentication request has expired",
        )
    }

    /// `access_denied` (400 at the token endpoint; a redirect at authorize).
    pub fn access_denied(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "access_denied", description)
    }

    /// CIBA `unknown_user_id` (400): `login_hint` names nobody.
    pub fn unknown_user_id(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unknown_user_id", description)
    }

    /// Bearer `invalid_token` (401, RFC 6750 §3.1) with its challenge.
    pub fn invalid_token(description: impl Into<String>) -> Self {
        let description = description.into();
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            description.clone(),
        );
        e.challenge = Some(format!(
            r#"Bearer realm="esante-wallet", error="invalid_token", error_description="{}""#,
            description.replace('"', "'")
        ));
        e
    }

    /// A 401 for a request without any token (RFC 6750 §3: no error code).
    pub fn token_missing() -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_request",
            "no bearer token: send it in the Authorization header",
        );
        e.challenge = Some(r#"Bearer realm="esante-wallet""#.into());
        e
    }

    /// An injected or unexpected error with any code and status.
    pub fn other(status: StatusCode, error: &str, description: impl Into<String>) -> Self {
        Self::new(status, error, description)
    }

    /// The answer.
    pub fn reply(&self) -> Reply {
        let mut reply = Reply::json(
            self.status,
            &json!({ "error": self.error, "error_description": self.description }),
        );
        if let Some(challenge) = &self.challenge {
            reply = reply.header("www-authenticate", challenge);
        }
        reply
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.description)
    }
}
