//! JWS compact serialisation (RFC 7515) of the realm's tokens: `header.payload.signature`
//! in base64url, RS256 with the key ring's active key.
//!
//! The reading side is strict and says exactly what is wrong, because what is wrong is
//! a finding: `alg: none`, an algorithm the realm does not sign with, an unknown `kid`,
//! an encrypted (5-part) token, a signature that does not verify.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Value, json};
use thiserror::Error;

use crate::keys::{KeyRing, SigningKey};

/// Largest token read (a PSC access token is about 1.5 KB).
pub const MAX_TOKEN: usize = 16 * 1024;

/// Signs `claims` with `key`; `typ` is the header's type (`JWT`).
pub fn sign(key: &SigningKey, typ: &str, claims: &Value) -> String {
    let header = json!({ "alg": "RS256", "typ": typ, "kid": key.kid() });
    let mut token = String::with_capacity(1024);
    URL_SAFE_NO_PAD.encode_string(header.to_string(), &mut token);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(claims.to_string(), &mut token);
    let signature = key.sign(token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    token
}

/// The protected header fields the realm reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Header {
    /// Signature algorithm.
    pub alg: String,
    /// Key id.
    #[serde(default)]
    pub kid: Option<String>,
    /// Type (`JWT`).
    #[serde(default)]
    pub typ: Option<String>,
}

/// Why a token was not accepted as one the realm signed.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum JwsError {
    /// Not three base64url parts of JSON.
    #[error("not a signed JWT: {0}")]
    Malformed(String),
    /// Five parts: an encrypted token (JWE), which the realm does not issue.
    #[error("an encrypted JWT (JWE): the realm issues signed tokens only")]
    Encrypted,
    /// `alg: none`: an unsigned token presented as a signed one.
    #[error("alg \"none\": an unsigned token")]
    AlgNone,
    /// An algorithm other than RS256.
    #[error("alg {0:?}: the realm signs with RS256")]
    UnsupportedAlgorithm(String),
    /// No key with this `kid` is published.
    #[error("kid {0:?} is not in the realm's JWKS")]
    UnknownKey(Option<String>),
    /// The signature does not verify with the key its `kid` names.
    #[error("the signature does not verify with key {0}")]
    BadSignature(String),
}

/// Reads `token`, checks its RS256 signature against `keys` and returns its header and
/// claims. Claims (issuer, expiry) are the caller's to check.
pub fn verify(token: &str, keys: &KeyRing) -> Result<(Header, Value), JwsError> {
    if token.len() > MAX_TOKEN {
        return Err(JwsError::Malformed(format!(
            "{} bytes, more than the {MAX_TOKEN} a token may have",
            token.len()
        )));
    }
    let parts: Vec<&str> = token.split('.').collect();
    match parts.len() {
        3 => {}
        5 => return Err(JwsError::Encrypted),
        n => {
            return Err(JwsError::Malformed(format!(
                "{n} dot-separated parts, a JWS has 3"
            )));
        }
    }
    let header: Header = decode_json(parts[0], "header")?;
    match header.alg.as_str() {
        "RS256" => {}
        a if a.eq_ignore_ascii_case("none") => return Err(JwsError::AlgNone),
        other => return Err(JwsError::UnsupportedAlgorithm(other.to_string())),
    }
    let key = header
        .kid
        .as_deref()
        .and_then(|kid| keys.find(kid))
        .ok_or_else(|| JwsError::UnknownKey(header.kid.clone()))?;
    let signature = URL_SAFE_NO_PAD
        .decode(parts[2])
        .map_err(|e| JwsError::Malformed(format!("signature: {e}")))?;
    let signed = &token[..parts[0].len() + 1 + parts[1].len()];
    if !key.verify(signed.as_bytes(), &signature) {
        return Err(JwsError::BadSignature(key.kid().to_string()));
    }
    let claims: Value = decode_json(parts[1], "payload")?;
    if !claims.is_object() {
        return Err(JwsError::Malformed(
            "the payload is not a JSON object".into(),
        ));
    }
    Ok((header, claims))
}

/// Reads the claims of a token without checking anything: for journal summaries of
/// tokens that failed verification.
pub fn peek_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    decode_json(payload, "payload").ok()
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str, what: &str) -> Result<T, JwsError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|e| JwsError::Malformed(format!("{what}: {e}")))?;
    serde_json::from_slice(&bytes).map_err(|e| JwsError::Malformed(format!("{what}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::test_key;

    fn ring() -> KeyRing {
        KeyRing::new(test_key())
    }

    fn forge(header: Value, claims: Value, signature: &str) -> String {
        format!(
            "{}.{}.{signature}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    #[test]
    fn a_signed_token_verifies_and_its_claims_come_back() {
        let keys = ring();
        let token = sign(keys.active(), "JWT", &json!({ "sub": "x", "n": 1 }));
        let (header, claims) = verify(&token, &keys).unwrap();
        assert_eq!(header.alg, "RS256");
        assert_eq!(header.kid.as_deref(), Some(keys.active().kid()));
        assert_eq!(claims, json!({ "sub": "x", "n": 1 }));
    }

    #[test]
    fn each_defect_is_named() {
        let keys = ring();
        let kid = keys.active().kid().to_string();
        let good = sign(keys.active(), "JWT", &json!({ "sub": "x" }));
        let (h, p, s) = {
            let mut it = good.split('.');
            (it.next().unwrap(), it.next().unwrap(), it.next().unwrap())
        };
        let other_payload = URL_SAFE_NO_PAD.encode(json!({ "sub": "y" }).to_string());
        let cases: Vec<(String, JwsError)> = vec![
            (
                "abc".into(),
                JwsError::Malformed("1 dot-separated parts, a JWS has 3".into()),
            ),
            ("a.b.c.d.e".into(), JwsError::Encrypted),
            (
                forge(json!({ "alg": "none" }), json!({ "sub": "x" }), ""),
                JwsError::AlgNone,
            ),
            (
                forge(json!({ "alg": "HS256", "kid": kid }), json!({}), "AA"),
                JwsError::UnsupportedAlgorithm("HS256".into()),
            ),
            (
                forge(json!({ "alg": "RS256", "kid": "other" }), json!({}), s),
                JwsError::UnknownKey(Some("other".into())),
            ),
            (
                forge(json!({ "alg": "RS256" }), json!({}), s),
                JwsError::UnknownKey(None),
            ),
            (
                format!("{h}.{other_payload}.{s}"),
                JwsError::BadSignature(kid.clone()),
            ),
        ];
        for (token, expected) in cases {
            assert_eq!(verify(&token, &keys).unwrap_err(), expected, "{token}");
        }
        assert!(matches!(
            verify(&format!("{h}.{p}.!!"), &keys),
            Err(JwsError::Malformed(_))
        ));
        assert!(matches!(
            verify(&"a".repeat(MAX_TOKEN + 1), &keys),
            Err(JwsError::Malformed(_))
        ));
    }

    #[test]
    fn after_rotation_old_tokens_verify_until_the_key_is_retired() {
        let keys = ring();
        let old = sign(keys.active(), "JWT", &json!({}));
        let mut kept = keys.clone();
        kept.rotate(crate::testing::other_key(), false);
        assert!(verify(&old, &kept).is_ok());
        assert_eq!(kept.jwks()["keys"].as_array().unwrap().len(), 2);
        let mut retired = keys.clone();
        retired.rotate(crate::testing::other_key(), true);
        assert_eq!(retired.jwks()["keys"].as_array().unwrap().len(), 1);
        assert!(matches!(
            verify(&old, &retired),
            Err(JwsError::UnknownKey(_))
        ));
    }
}
