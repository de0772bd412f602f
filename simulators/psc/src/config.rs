//! Lifetimes and limits of the simulated realm. The defaults are the values the PSC
//! integration guide gives (`../shared/specs/insi-psc.md` §2.3); every one follows the
//! bench clock, so a scenario reaches an expiry by advancing time, not by waiting.

use std::time::Duration;

/// How long things live, and how much a request may carry.
#[derive(Debug, Clone)]
pub struct PscConfig {
    /// Access token lifetime (PSC: 2 min).
    pub access_token: Duration,
    /// Refresh token lifetime (PSC: 30 min), never beyond the SSO session.
    pub refresh_token: Duration,
    /// SSO session maximum (PSC: 4 h).
    pub sso_max: Duration,
    /// SSO session idle limit (PSC: 30 min without a login or a refresh).
    pub sso_idle: Duration,
    /// Authorization code lifetime (Keycloak: 60 s).
    pub code: Duration,
    /// CIBA request lifetime (`expires_in` of the acknowledgement; EDC mocks: 120 s).
    pub ciba_expiry: Duration,
    /// Minimum CIBA polling interval (`interval`; EDC mocks: 1 s). Polling faster
    /// answers `slow_down` and adds 5 s, as CIBA §11 says.
    pub ciba_interval: Duration,
    /// Largest request body (form posts).
    pub max_body: usize,
    /// Largest single parameter value (a `state` or `nonce` of a megabyte is an attack,
    /// not a client).
    pub max_parameter: usize,
    /// Time allowed for a request body to arrive.
    pub read_timeout: Duration,
    /// RSA modulus size of the realm keys (Keycloak's default: 2048).
    pub rsa_bits: usize,
}

impl Default for PscConfig {
    fn default() -> Self {
        Self {
            access_token: Duration::from_secs(120),
            refresh_token: Duration::from_secs(1800),
            sso_max: Duration::from_secs(4 * 3600),
            sso_idle: Duration::from_secs(30 * 60),
            code: Duration::from_secs(60),
            ciba_expiry: Duration::from_secs(120),
            ciba_interval: Duration::from_secs(1),
            max_body: 64 * 1024,
            max_parameter: 4096,
            read_timeout: Duration::from_secs(10),
            rsa_bits: 2048,
        }
    }
}
