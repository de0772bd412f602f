//! Who the client is: the world's registered clients, and client authentication at the
//! token, introspection and CIBA endpoints (`client_secret_basic`, `client_secret_post`,
//! `tls_client_auth` with the structure's certificate, RFC 8705 §2.1).

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use segur_core::tls::TlsPeer;
use segur_core::world::{ClientAuthMethod, OidcClient, World};

use crate::error::OAuthError;
use axum::body::Body;

use crate::exchange::{Call, Params, query_names};
use crate::realm::Realm;
use crate::reply::Reply;
use crate::rules;

/// The registered client with this id.
pub fn find<'w>(world: &'w World, client_id: &str) -> Option<&'w OidcClient> {
    world.oidc_clients.iter().find(|c| c.client_id == client_id)
}

/// A back-channel request (token, introspection, CIBA) once read.
pub enum BackChannel {
    /// Its client authenticated, its parameters.
    Authenticated {
        /// The client.
        client: OidcClient,
        /// The form.
        params: Params,
    },
    /// An armed fault answers instead.
    Injected(Reply),
}

/// Reads a back-channel request: the form (its `noted` parameters into the journal
/// summary), the armed fault if any, then client authentication.
pub async fn back_channel(
    realm: &Realm,
    peer: &TlsPeer,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Body,
    call: &mut Call,
    noted: &[&str],
) -> Result<BackChannel, OAuthError> {
    let params = call.read_form(realm, headers, body).await?;
    call.note_params(&params, noted);
    if let Some(reply) = call.injected(realm).await {
        return Ok(BackChannel::Injected(reply));
    }
    let client = authenticate(realm, headers, &params, query, peer, call)?;
    Ok(BackChannel::Authenticated { client, params })
}

/// Credentials as presented.
struct Presented {
    /// Method used.
    method: ClientAuthMethod,
    /// Client id claimed.
    client_id: String,
    /// Secret, for the secret methods.
    secret: Option<String>,
}

/// Authenticates the client of a back-channel request. Every refusal is an
/// `invalid_client` (401) or `invalid_request` with a finding on `call`.
pub fn authenticate(
    realm: &Realm,
    headers: &HeaderMap,
    params: &Params,
    query: Option<&str>,
    peer: &TlsPeer,
    call: &mut Call,
) -> Result<OidcClient, OAuthError> {
    if query_names(query, "client_secret") {
        let why = "client_secret in the URL query string: proxies and logs keep URLs; send it in the Authorization header or the form body";
        call.find(rules::SECRET_IN_QUERY.finding(why));
        return Err(OAuthError::invalid_request(why));
    }
    let presented = presented(headers, params, peer, call)?;
    call.note("client_id", presented.client_id.clone());
    call.note("client_auth", presented.method.as_str());
    let basic = presented.method == ClientAuthMethod::ClientSecretBasic;
    let world = realm.bench.world();
    let Some(client) = find(&world, &presented.client_id) else {
        let why = format!("unknown client {:?}", presented.client_id);
        call.find(rules::CLIENT_UNKNOWN.finding(why.clone()));
        return Err(OAuthError::invalid_client(why, basic));
    };
    let refuse = |call: &mut Call, why: String| {
        call.find(rules::CLIENT_AUTH.finding(why.clone()));
        Err(OAuthError::invalid_client(why, basic))
    };
    if !client.effective_auth_methods().contains(&presented.method) {
        return refuse(
            call,
            format!(
                "client {:?} is not registered for {} (it may use: {})",
                client.client_id,
                presented.method.as_str(),
                client
                    .effective_auth_methods()
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    match presented.method {
        ClientAuthMethod::ClientSecretBasic | ClientAuthMethod::ClientSecretPost => {
            let expected = client.secret.as_deref().unwrap_or_default();
            let given = presented.secret.as_deref().unwrap_or_default();
            if !constant_time_eq(expected.as_bytes(), given.as_bytes()) {
                return refuse(call, "invalid client secret".into());
            }
        }
        ClientAuthMethod::TlsClientAuth => {
            let structure = client.structure.as_deref().and_then(|s| world.structure(s));
            let expected = structure.map(|s| s.national_id.as_str());
            if peer.unit() != expected || expected.is_none() {
                return refuse(
                    call,
                    format!(
                        "the TLS client certificate (OU {:?}) is not the structure certificate of {:?} (OU {:?})",
                        peer.unit(),
                        client.client_id,
                        expected
                    ),
                );
            }
        }
    }
    Ok(client.clone())
}

/// Which credentials the request carries: exactly one method (RFC 6749 §2.3).
fn presented(
    headers: &HeaderMap,
    params: &Params,
    peer: &TlsPeer,
    call: &mut Call,
) -> Result<Presented, OAuthError> {
    let basic = match headers.get(header::AUTHORIZATION) {
        Some(value) => {
            let text = value.to_str().unwrap_or("");
            match text.split_once(' ') {
                Some((scheme, rest)) if scheme.eq_ignore_ascii_case("basic") => {
                    Some(decode_basic(rest.trim()).ok_or_else(|| {
                        call.find(rules::CLIENT_AUTH.finding(
                            "the Basic credentials are not base64 of urlencoded id:secret",
                        ));
                        OAuthError::invalid_client("malformed Basic credentials", true)
                    })?)
                }
                _ => None,
            }
        }
        None => None,
    };
    let form_secret = params.get("client_secret");
    let form_id = params.get("client_id");
    match (basic, form_secret) {
        (Some(_), Some(_)) => {
            let why = "credentials in both the Authorization header and the body: use one method";
            call.find(rules::CLIENT_AUTH.finding(why));
            Err(OAuthError::invalid_request(why))
        }
        (Some((id, secret)), None) => {
            if form_id.is_some_and(|f| f != id) {
                let why = "client_id in the body differs from the one in the Authorization header";
                call.find(rules::CLIENT_AUTH.finding(why));
                return Err(OAuthError::invalid_request(why));
            }
            Ok(Presented {
                method: ClientAuthMethod::ClientSecretBasic,
                client_id: id,
                secret: Some(secret),
            })
        }
        (None, Some(secret)) => match form_id {
            Some(id) => Ok(Presented {
                method: ClientAuthMethod::ClientSecretPost,
                client_id: id.to_string(),
                secret: Some(secret.to_string()),
            }),
            None => {
                let why = "client_secret without client_id";
                call.find(rules::CLIENT_AUTH.finding(why));
                Err(OAuthError::invalid_request(why))
            }
        },
        (None, None) => match (form_id, &peer.cert) {
            (Some(id), Some(_)) => Ok(Presented {
                method: ClientAuthMethod::TlsClientAuth,
                client_id: id.to_string(),
                secret: None,
            }),
            (id, _) => {
                let why = "no client authentication: use HTTP Basic, client_secret in the body, or the structure certificate in TLS with client_id";
                call.find(rules::CLIENT_AUTH.finding(why));
                if let Some(id) = id {
                    call.note("client_id", id);
                }
                Err(OAuthError::invalid_client(why, false))
            }
        },
    }
}

/// `base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1).
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let bytes = STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| -> Option<String> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(&format!("v={}", s.replace('&', "%26"))).ok()?;
        pairs.into_iter().next().map(|(_, v)| v)
    };
    Some((decode(id)?, decode(secret)?))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_urldecoded() {
        let table = [
            ("Y2xpZW50OnNlY3JldA==", Some(("client", "secret"))),
            // "my%20client:s%3Ae" → id "my client", secret "s:e"
            ("bXklMjBjbGllbnQ6cyUzQWU=", Some(("my client", "s:e"))),
            ("bm9jb2xvbg==", None),
            ("!!!", None),
        ];
        for (encoded, expected) in table {
            let got = decode_basic(encoded);
            assert_eq!(
                got.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
                expected,
                "{encoded}"
            );
        }
    }
}
