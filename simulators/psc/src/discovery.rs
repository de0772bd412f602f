//! `GET {issuer}/.well-known/wallet-openid-configuration` (PSC's own, non-standard file
//! name), the standard `openid-configuration`, and the JWKS.
//!
//! The document is the Keycloak shape of the spec notes (§2.2), with the authorization
//! endpoint on the wallet host. Values the realm does not serve (implicit, password,
//! PAR...) are not advertised: a client that reads the document finds only what works.

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::Response;
use segur_core::tls::TlsPeer;
use serde_json::{Value, json};

use crate::exchange::Call;
use crate::realm::Realm;
use crate::reply::Reply;

/// The discovery document of `realm`.
pub fn document(realm: &Realm) -> Value {
    let issuer = &*realm.issuer;
    json!({
        "issuer": issuer,
        "authorization_endpoint": realm.authorization_endpoint(),
        "token_endpoint": realm.endpoint("token"),
        "introspection_endpoint": realm.endpoint("token/introspect"),
        "userinfo_endpoint": realm.endpoint("userinfo"),
        "end_session_endpoint": realm.endpoint("logout"),
        "jwks_uri": realm.endpoint("certs"),
        "backchannel_authentication_endpoint": realm.endpoint("ext/ciba/auth"),
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "urn:openid:params:grant-type:ciba",
        ],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "userinfo_signing_alg_values_supported": ["RS256"],
        "introspection_endpoint_auth_methods_supported": [
            "client_secret_basic", "client_secret_post", "tls_client_auth",
        ],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic", "client_secret_post", "tls_client_auth",
        ],
        "tls_client_certificate_bound_access_tokens": false,
        "mtls_endpoint_aliases": {
            "token_endpoint": realm.endpoint("token"),
            "introspection_endpoint": realm.endpoint("token/introspect"),
            "userinfo_endpoint": realm.endpoint("userinfo"),
            "end_session_endpoint": realm.endpoint("logout"),
            "backchannel_authentication_endpoint": realm.endpoint("ext/ciba/auth"),
        },
        "backchannel_token_delivery_modes_supported": ["poll"],
        "backchannel_authentication_request_signing_alg_values_supported": [],
        "backchannel_user_code_parameter_supported": false,
        "code_challenge_methods_supported": ["plain", "S256"],
        "authorization_response_iss_parameter_supported": true,
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "scopes_supported": ["openid", "scope_all", "eidas1", "offline_access"],
        "acr_values_supported": ["eidas1"],
        "claims_supported": [
            "aud", "sub", "iss", "auth_time", "name", "given_name", "family_name",
            "preferred_username", "email", "acr", "SubjectNameID",
        ],
    })
}

/// `GET .well-known/{wallet-,}openid-configuration`.
pub async fn discovery(
    State(realm): State<Realm>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
) -> Response {
    let mut call = Call::new("discovery");
    if let Some(reply) = call.injected(&realm).await {
        return call.finish(&realm, &peer, reply);
    }
    let reply = Reply::json(StatusCode::OK, &document(&realm));
    call.finish(&realm, &peer, reply)
}

/// `GET protocol/openid-connect/certs`: the JWKS.
pub async fn jwks(State(realm): State<Realm>, ConnectInfo(peer): ConnectInfo<TlsPeer>) -> Response {
    let mut call = Call::new("jwks");
    if let Some(reply) = call.injected(&realm).await {
        return call.finish(&realm, &peer, reply);
    }
    let jwks = realm.key_ring().jwks();
    call.answer(
        "kids",
        jwks["keys"]
            .as_array()
            .map(|keys| keys.iter().map(|k| k["kid"].clone()).collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    call.finish(&realm, &peer, Reply::json(StatusCode::OK, &jwks))
}
