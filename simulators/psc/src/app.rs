//! The two hosts' routers, testable without sockets: the issuer host (the realm's
//! protocol endpoints under `/auth/realms/esante-wallet`) and the wallet host (`/auth`).

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::json;

use crate::realm::{REALM_PATH, Realm};
use crate::reply::Reply;
use crate::{authorize, ciba, discovery, introspect, logout, token, userinfo};

/// The issuer host.
pub fn issuer(realm: Realm) -> Router {
    let oidc = Router::new()
        .route("/token", post(token::token))
        .route("/token/introspect", post(introspect::introspect))
        .route(
            "/userinfo",
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route("/logout", get(logout::logout).post(logout::logout))
        .route("/certs", get(discovery::jwks))
        .route("/ext/ciba/auth", post(ciba::backchannel));
    let realm_routes = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::discovery),
        )
        .route(
            "/.well-known/wallet-openid-configuration",
            get(discovery::discovery),
        )
        .nest("/protocol/openid-connect", oidc);
    Router::new()
        .nest(REALM_PATH, realm_routes)
        .fallback(not_found)
        .with_state(realm)
}

/// The wallet host.
pub fn wallet(realm: Realm) -> Router {
    Router::new()
        .route(
            "/auth",
            get(authorize::authorize).post(authorize::authorize),
        )
        .route("/auth/login", post(authorize::login))
        .fallback(not_found)
        .with_state(realm)
}

async fn not_found(uri: axum::http::Uri) -> impl IntoResponse {
    Reply::json(
        StatusCode::NOT_FOUND,
        &json!({
            "error": "not_found",
            "error_description": format!(
                "no endpoint at {}: the realm is under {REALM_PATH}, discovery at {REALM_PATH}/.well-known/wallet-openid-configuration",
                uri.path()
            ),
        }),
    )
}
