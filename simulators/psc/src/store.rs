//! The realm's memory: SSO sessions, authorization codes, issued tokens, CIBA requests,
//! and what the control API arranged (who authenticates next, CIBA policies).
//!
//! One mutex over plain maps: every operation is a few lookups, far shorter than the
//! RSA signature that follows it. Expired entries are pruned when a map has doubled
//! since the last pruning, so a long load test does not grow without bound.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// How long an expired token is remembered, so using it is reported as "expired"
/// rather than "unknown".
const REMEMBER_EXPIRED: time::Duration = time::Duration::minutes(30);

/// An SSO session at the wallet: one professional authenticated once.
#[derive(Debug, Clone)]
pub struct Session {
    /// Session id (`sid`, `session_state`).
    pub sid: String,
    /// The world's professional id.
    pub professional: String,
    /// When they authenticated (`auth_time`).
    pub auth_time: OffsetDateTime,
    /// Last login or refresh, for the idle limit.
    pub last_active: OffsetDateTime,
    /// Set at logout.
    pub logged_out: bool,
}

/// An authorization code and what it was issued for.
#[derive(Debug, Clone)]
pub struct Code {
    /// The client it was issued to.
    pub client_id: String,
    /// The redirect URI of the request, which the exchange must repeat.
    pub redirect_uri: String,
    /// Granted scope.
    pub scope: String,
    /// The request's nonce, copied into the id_token.
    pub nonce: Option<String>,
    /// PKCE S256 challenge (or plain verifier), when the request had one.
    pub challenge: Option<(String, String)>,
    /// The SSO session.
    pub sid: String,
    /// When it was issued.
    pub issued_at: OffsetDateTime,
    /// Set at the first exchange: a second one is a replay.
    pub used: bool,
}

/// An issued access token (by `jti`) or refresh token.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The client it was issued to.
    pub client_id: String,
    /// The SSO session.
    pub sid: String,
    /// Granted scope.
    pub scope: String,
    /// The nonce of the original request (KC repeats it in refreshed id_tokens).
    pub nonce: Option<String>,
    /// Expiry.
    pub expires_at: OffsetDateTime,
    /// Revoked (code replay, logout, refresh token rotated).
    pub revoked: Option<&'static str>,
    /// The grant it descends from (the code, or the CIBA request): a replay of that
    /// grant revokes every token of the family.
    pub family: String,
}

/// A CIBA request's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum CibaState {
    /// Waiting for the professional.
    Pending,
    /// Approved: the next poll gets tokens.
    Approved,
    /// Refused.
    Denied,
    /// Tokens were delivered.
    Delivered,
}

/// A backchannel authentication request.
#[derive(Debug, Clone, Serialize)]
pub struct CibaRequest {
    /// `auth_req_id`.
    pub auth_req_id: String,
    /// The client that asked.
    pub client_id: String,
    /// The world's professional id (`login_hint` resolved).
    pub professional: String,
    /// `binding_message` shown on the card reader or phone.
    pub binding_message: Option<String>,
    /// `CARD` or `MOBILE`.
    pub channel: String,
    /// Requested scope.
    pub scope: String,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// When it expires.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Current minimum polling interval, seconds.
    pub interval: u64,
    /// Last poll.
    #[serde(skip)]
    pub last_poll: Option<OffsetDateTime>,
    /// Polls so far.
    pub polls: u32,
    /// Where it stands.
    #[serde(flatten)]
    pub state: CibaState,
}

/// What the control API arranged for a client's next authentication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Directive {
    /// This professional (world id or national id) authenticates with e-CPS.
    Authenticate {
        /// The professional.
        professional: String,
    },
    /// The authentication fails with this OAuth error (`access_denied` by default).
    Refuse {
        /// Error code sent back to the client.
        #[serde(default = "access_denied")]
        error: String,
        /// Its description.
        #[serde(default)]
        description: Option<String>,
    },
}

fn access_denied() -> String {
    "access_denied".into()
}

/// How CIBA requests for one professional are answered without the control API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CibaPolicy {
    /// Approve or deny.
    pub decision: CibaDecision,
    /// After this many polls (0: at the first).
    #[serde(default)]
    pub after_polls: u32,
}

/// A professional's answer on their card reader or phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CibaDecision {
    /// Authenticated.
    Approve,
    /// Refused.
    Deny,
}

/// A pending authorization waiting for someone at the login page.
#[derive(Debug, Clone)]
pub struct PendingLogin {
    /// The client.
    pub client_id: String,
    /// The exact redirect URI.
    pub redirect_uri: String,
    /// State to send back.
    pub state: Option<String>,
    /// Nonce for the id_token.
    pub nonce: Option<String>,
    /// Granted scope.
    pub scope: String,
    /// PKCE challenge.
    pub challenge: Option<(String, String)>,
    /// When the page was shown (a login page expires like Keycloak's, after 30 min).
    pub created: OffsetDateTime,
}

/// A set that forgets everything past a size, for best-effort reuse detection.
#[derive(Debug, Default)]
struct Seen {
    values: HashSet<String>,
}

impl Seen {
    const CAPACITY: usize = 100_000;

    /// Records `value`; true if it was already there.
    fn repeat(&mut self, value: &str) -> bool {
        if self.values.contains(value) {
            return true;
        }
        if self.values.len() >= Self::CAPACITY {
            self.values.clear();
        }
        self.values.insert(value.to_string());
        false
    }
}

/// Everything, behind one lock.
#[derive(Debug, Default)]
pub struct State {
    /// SSO sessions by sid.
    pub sessions: HashMap<String, Session>,
    /// Authorization codes.
    pub codes: HashMap<String, Code>,
    /// Access tokens by `jti`.
    pub access: HashMap<String, Issued>,
    /// Refresh tokens by value.
    pub refresh: HashMap<String, Issued>,
    /// CIBA requests by `auth_req_id`.
    pub ciba: HashMap<String, CibaRequest>,
    /// Logins waiting at the login page, by transaction id.
    pub pending: HashMap<String, PendingLogin>,
    /// Per client: what happens at its next authentications, in order.
    pub directives: HashMap<String, VecDeque<Directive>>,
    /// Per professional id: how their CIBA requests are answered.
    pub ciba_policies: HashMap<String, CibaPolicy>,
    /// Grants replayed: tokens issued from them later are born revoked.
    pub revoked_families: HashSet<String>,
    /// `state` values seen, per client.
    states: HashMap<String, Seen>,
    /// `nonce` values seen, per client.
    nonces: HashMap<String, Seen>,
    /// Size that triggers the next pruning.
    prune_at: usize,
}

impl State {
    /// Records a client's `state`; true if it used it before.
    pub fn state_repeated(&mut self, client_id: &str, state: &str) -> bool {
        self.states
            .entry(client_id.to_string())
            .or_default()
            .repeat(state)
    }

    /// Records a client's `nonce`; true if it used it before.
    pub fn nonce_repeated(&mut self, client_id: &str, nonce: &str) -> bool {
        self.nonces
            .entry(client_id.to_string())
            .or_default()
            .repeat(nonce)
    }

    /// Revokes every token of `family` (a code replayed) and returns how many.
    pub fn revoke_family(&mut self, family: &str, why: &'static str) -> usize {
        self.revoked_families.insert(family.to_string());
        let mut n = 0;
        for issued in self.access.values_mut().chain(self.refresh.values_mut()) {
            if issued.family == family && issued.revoked.is_none() {
                issued.revoked = Some(why);
                n += 1;
            }
        }
        n
    }

    /// Ends a session and revokes its tokens.
    pub fn end_session(&mut self, sid: &str) -> bool {
        let Some(session) = self.sessions.get_mut(sid) else {
            return false;
        };
        session.logged_out = true;
        for issued in self.access.values_mut().chain(self.refresh.values_mut()) {
            if issued.sid == sid && issued.revoked.is_none() {
                issued.revoked = Some("the session was logged out");
            }
        }
        true
    }

    /// Drops what expired long ago, once the maps have doubled since the last time.
    pub fn prune(&mut self, now: OffsetDateTime) {
        let size = self.access.len() + self.refresh.len() + self.codes.len();
        if size < self.prune_at.max(10_000) {
            return;
        }
        let horizon = now - REMEMBER_EXPIRED;
        self.access.retain(|_, t| t.expires_at > horizon);
        self.refresh.retain(|_, t| t.expires_at > horizon);
        self.codes.retain(|_, c| c.issued_at > horizon);
        self.pending.retain(|_, p| p.created > horizon);
        self.prune_at = 2 * (self.access.len() + self.refresh.len() + self.codes.len());
    }
}

/// The realm's memory.
#[derive(Debug, Default)]
pub struct Store {
    /// All of it.
    state: Mutex<State>,
}

impl Store {
    /// Locks the state (a poisoned lock is taken over: the maps stay consistent
    /// between statements).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A random identifier: 32 bytes from the system RNG, base64url (codes, tokens, ids).
pub fn random_id() -> String {
    use base64::Engine;
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system RNG");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
