//! The conformity rules the PSC simulator applies, with the REM requirements each
//! serves (`PSC.01`: implement Pro Santé Connect; `PSC.08`: `acr_values=eidas1`).
//!
//! A finding is journaled whenever a relying party deviates from what PSC expects,
//! whether the realm refuses the request (as Keycloak would) or lets it through.

use segur_core::finding::{Rule, Severity};

/// A request the realm cannot read: wrong content type, repeated or oversized
/// parameters, a body too large or too slow.
pub const REQUEST_MALFORMED: Rule = Rule {
    name: "PSC-REQUEST-MALFORMED",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// A `client_id` the realm does not know.
pub const CLIENT_UNKNOWN: Rule = Rule {
    name: "PSC-CLIENT-UNKNOWN",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// Client authentication failed: bad secret, a method the client is not registered
/// for, several methods at once, a certificate of another structure.
pub const CLIENT_AUTH: Rule = Rule {
    name: "PSC-CLIENT-AUTH",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// A client secret in a URL query string, where proxies and logs keep it.
pub const SECRET_IN_QUERY: Rule = Rule {
    name: "PSC-SECRET-IN-QUERY",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// `redirect_uri` missing or not exactly one the client registered.
pub const REDIRECT_URI: Rule = Rule {
    name: "PSC-REDIRECT-URI",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// `scope` without `openid` or `scope_all`, or `response_type` other than `code`.
pub const SCOPE: Rule = Rule {
    name: "PSC-SCOPE",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// `acr_values` missing or without `eidas1`.
pub const ACR_VALUES: Rule = Rule {
    name: "PSC-ACR-VALUES",
    requirements: &["PSC.08"],
    severity: Severity::Error,
};

/// `state` missing (no CSRF protection) or reused by the client.
pub const STATE: Rule = Rule {
    name: "PSC-STATE",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// `nonce` missing (no replay protection of the id_token) or reused by the client.
pub const NONCE: Rule = Rule {
    name: "PSC-NONCE",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// No PKCE (or the `plain` method) on the authorization request.
pub const PKCE: Rule = Rule {
    name: "PSC-PKCE",
    requirements: &["PSC.01"],
    severity: Severity::Warning,
};

/// An authorization code presented twice: the tokens issued from it are revoked.
pub const CODE_REUSED: Rule = Rule {
    name: "PSC-CODE-REUSED",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// A grant the token endpoint refused: unknown, expired or another client's code or
/// refresh token, a wrong `redirect_uri` or PKCE verifier, a used refresh token.
pub const GRANT_INVALID: Rule = Rule {
    name: "PSC-GRANT-INVALID",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// An expired access token used at UserInfo (the client should have refreshed).
pub const TOKEN_EXPIRED: Rule = Rule {
    name: "PSC-TOKEN-EXPIRED",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// A revoked access token used (after logout or a code replay).
pub const TOKEN_REVOKED: Rule = Rule {
    name: "PSC-TOKEN-REVOKED",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// A token the realm did not sign: `alg: none`, another algorithm, an unknown key, a
/// signature that does not verify, or not a JWT at all.
pub const TOKEN_INVALID: Rule = Rule {
    name: "PSC-TOKEN-INVALID",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// A refresh attempted after the SSO session ended (4 h, or 30 min idle): the client
/// must send the user back to authenticate.
pub const REFRESH_AFTER_SSO: Rule = Rule {
    name: "PSC-REFRESH-AFTER-SSO",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// A CIBA request PSC would not accept as sent: no `login_hint`, an unknown
/// professional, a `channel` other than `CARD`/`MOBILE`, a binding message that is not
/// two digits, a client not allowed CIBA.
pub const CIBA_REQUEST: Rule = Rule {
    name: "PSC-CIBA-REQUEST",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// CIBA polling faster than the `interval` (`slow_down`), or after expiry.
pub const CIBA_POLLING: Rule = Rule {
    name: "PSC-CIBA-POLLING",
    requirements: &["PSC.01"],
    severity: Severity::Warning,
};

/// An introspection by a client that is neither the token's nor a resource server: it
/// learns nothing (`active: false`), as a token is no business of another application.
pub const INTROSPECTION_CLIENT: Rule = Rule {
    name: "PSC-INTROSPECTION-CLIENT",
    requirements: &["PSC.01"],
    severity: Severity::Error,
};

/// A logout the realm cannot tie to a session, or a `post_logout_redirect_uri` the
/// client did not register.
pub const LOGOUT: Rule = Rule {
    name: "PSC-LOGOUT",
    requirements: &["PSC.01"],
    severity: Severity::Warning,
};
