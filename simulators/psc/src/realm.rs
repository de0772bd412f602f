//! The realm every endpoint serves: the bench, the keys, the memory and the URLs.

use std::sync::{Arc, RwLock};

use segur_core::bench::Bench;
use serde_json::Value;
use time::OffsetDateTime;

use crate::config::PscConfig;
use crate::jws;
use crate::keys::{KeyRing, SigningKey};
use crate::store::{Session, Store};

/// The realm's path under the issuer host.
pub const REALM_PATH: &str = "/auth/realms/esante-wallet";

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct Realm {
    /// World, clock, journal, faults, PKI.
    pub bench: Bench,
    /// Lifetimes and limits.
    pub config: Arc<PscConfig>,
    /// Signing keys (rotated through the control API).
    pub keys: Arc<RwLock<KeyRing>>,
    /// Sessions, codes, tokens, CIBA requests.
    pub store: Arc<Store>,
    /// `https://host:port/auth/realms/esante-wallet`.
    pub issuer: Arc<str>,
    /// `https://host:port` of the wallet (authorization) host.
    pub wallet: Arc<str>,
}

/// Why an SSO session is no longer usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// Logged out.
    LoggedOut,
    /// Past its maximum length (4 h).
    Max,
    /// Idle too long (30 min).
    Idle,
    /// Not known (never existed, or forgotten).
    Unknown,
}

impl SessionEnd {
    /// Keycloak's words for it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::LoggedOut => "Session not active: the user logged out",
            Self::Max => "Session not active: the SSO session reached its maximum length",
            Self::Idle => "Session not active: the SSO session was idle too long",
            Self::Unknown => "Session not found",
        }
    }
}

impl Realm {
    /// Bench time.
    pub fn now(&self) -> OffsetDateTime {
        self.bench.clock().now()
    }

    /// The key new tokens are signed with.
    pub fn signing_key(&self) -> Arc<SigningKey> {
        self.keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .active()
            .clone()
    }

    /// A copy of the key ring, for verification.
    pub fn key_ring(&self) -> KeyRing {
        self.keys.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Signs `claims` as a JWT with the active key.
    pub fn sign(&self, claims: &Value) -> String {
        jws::sign(&self.signing_key(), "JWT", claims)
    }

    /// Whether `session` is still usable at `now`.
    pub fn session_end(&self, session: &Session, now: OffsetDateTime) -> Option<SessionEnd> {
        if session.logged_out {
            Some(SessionEnd::LoggedOut)
        } else if now - session.auth_time >= self.config.sso_max {
            Some(SessionEnd::Max)
        } else if now - session.last_active >= self.config.sso_idle {
            Some(SessionEnd::Idle)
        } else {
            None
        }
    }

    /// When `session` ends at the latest if nothing happens (max or idle).
    pub fn session_deadline(&self, session: &Session) -> OffsetDateTime {
        (session.auth_time + self.config.sso_max).min(session.last_active + self.config.sso_idle)
    }

    /// `{issuer}/protocol/openid-connect/<path>`.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}/protocol/openid-connect/{path}", self.issuer)
    }

    /// The authorization endpoint, on the wallet host.
    pub fn authorization_endpoint(&self) -> String {
        format!("{}/auth", self.wallet)
    }
}
