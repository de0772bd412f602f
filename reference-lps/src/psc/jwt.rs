//! Checking the ID token PSC returns: RS256 signature against the realm's JWKS, issuer,
//! audience, expiry and the nonce the LPS sent.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// What the ID token says, once checked.
#[derive(Debug, Clone)]
pub struct IdToken {
    /// The raw token (sent back as `id_token_hint` at logout).
    pub raw: String,
    /// Its claims.
    pub claims: Value,
}

fn part(segment: &str) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|e| format!("jeton mal encodé: {e}"))
}

/// Checks `raw` against `jwks`, `issuer`, `client_id`, `nonce` (when one was sent) at
/// `now` (Unix seconds).
pub fn check(
    raw: &str,
    jwks: &Value,
    issuer: &str,
    client_id: &str,
    nonce: Option<&str>,
    verify_signature: bool,
    now: i64,
) -> Result<IdToken, String> {
    let segments: Vec<&str> = raw.split('.').collect();
    let [header, payload, signature] = segments.as_slice() else {
        return Err("l'ID token n'est pas un JWS compact".into());
    };
    let header: Value = serde_json::from_slice(&part(header)?).map_err(|e| e.to_string())?;
    if header["alg"] != "RS256" {
        return Err(format!(
            "algorithme {} refusé (RS256 attendu)",
            header["alg"]
        ));
    }
    let kid = header["kid"].as_str().unwrap_or_default();
    let key = jwks["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["kid"] == kid))
        .ok_or_else(|| format!("clé {kid:?} absente du JWKS"))?;
    let component = |name: &str| -> Result<Vec<u8>, String> {
        part(
            key[name]
                .as_str()
                .ok_or_else(|| format!("JWK sans {name}"))?,
        )
    };
    let public = ring::signature::RsaPublicKeyComponents {
        n: component("n")?,
        e: component("e")?,
    };
    let verified = public.verify(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        format!("{}.{}", segments[0], segments[1]).as_bytes(),
        &part(signature)?,
    );
    if verify_signature {
        verified.map_err(|_| "signature de l'ID token invalide".to_string())?;
    }
    let claims: Value = serde_json::from_slice(&part(payload)?).map_err(|e| e.to_string())?;
    if claims["iss"] != issuer {
        return Err(format!("émetteur {} inattendu", claims["iss"]));
    }
    let audience_ok = match &claims["aud"] {
        Value::String(a) => a == client_id,
        Value::Array(list) => list.iter().any(|a| a == client_id),
        _ => false,
    };
    if !audience_ok {
        return Err(format!("audience {} inattendue", claims["aud"]));
    }
    if claims["exp"].as_i64().is_none_or(|exp| exp + 60 < now) {
        return Err("ID token expiré".into());
    }
    if let Some(nonce) = nonce
        && claims["nonce"] != nonce
    {
        return Err("nonce de l'ID token différent de celui envoyé".into());
    }
    Ok(IdToken {
        raw: raw.to_string(),
        claims,
    })
}
