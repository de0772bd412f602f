//! `GET|POST {issuer}/protocol/openid-connect/userinfo` with `Authorization: Bearer`:
//! the professional's claims, as JSON or as a signed JWT (`application/jwt`) depending
//! on the client's registration.

use axum::body::Body;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use segur_core::tls::TlsPeer;
use segur_core::world::UserinfoFormat;
use serde_json::Value;

use crate::error::OAuthError;
use crate::exchange::{Call, query_names};
use crate::jws;
use crate::realm::Realm;
use crate::reply::Reply;
use crate::validation::TokenValidator;
use crate::{claims, clients, rules};

/// `GET|POST .../userinfo`.
pub async fn userinfo(
    State(realm): State<Realm>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let mut call = Call::new("userinfo");
    let outcome = answer(&realm, method, &headers, query.as_deref(), body, &mut call).await;
    call.conclude(&realm, &peer, outcome)
}

async fn answer(
    realm: &Realm,
    method: Method,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Body,
    call: &mut Call,
) -> Result<Reply, OAuthError> {
    if let Some(reply) = call.injected(realm).await {
        return Ok(reply);
    }
    let token = bearer(realm, method, headers, query, body, call).await?;
    let token = match TokenValidator::new(realm.clone()).validate(&token) {
        Ok(t) => t,
        Err(e) => {
            if let Some(claims) = jws::peek_claims(&token) {
                call.note("token_claims", claims);
            }
            call.find(
                e.rule()
                    .finding(format!("UserInfo with a refused access token: {e}")),
            );
            return Err(OAuthError::invalid_token(e.to_string()));
        }
    };
    call.note("client_id", token.client_id.clone());
    call.note("subject", token.national_id.clone());
    let (claims, format) = {
        let world = realm.bench.world();
        let professional = claims::find(&world, &token.national_id);
        let format =
            clients::find(&world, &token.client_id).map_or(UserinfoFormat::Json, |c| c.userinfo);
        (professional.map(|p| claims::userinfo(&world, p)), format)
    };
    let Some(mut claims) = claims else {
        return Err(OAuthError::invalid_token(
            "the professional of this token left the world",
        ));
    };
    call.answer(
        "format",
        if format == UserinfoFormat::Jwt {
            "jwt"
        } else {
            "json"
        },
    );
    Ok(match format {
        UserinfoFormat::Json => Reply::json(StatusCode::OK, &claims),
        UserinfoFormat::Jwt => {
            if let Some(object) = claims.as_object_mut() {
                object.insert("iss".into(), Value::from(&*realm.issuer));
                object.insert("aud".into(), Value::from(token.client_id.clone()));
            }
            Reply::jwt(realm.sign(&claims))
        }
    })
}

/// The bearer token: from the Authorization header (RFC 6750 §2.1), or the form body of
/// a POST (§2.2). A token in the query string (§2.3) is refused with a finding: it ends
/// up in logs.
async fn bearer(
    realm: &Realm,
    method: Method,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Body,
    call: &mut Call,
) -> Result<String, OAuthError> {
    if query_names(query, "access_token") {
        let why = "access_token in the URL query string: send it in the Authorization header";
        call.find(rules::REQUEST_MALFORMED.finding(why));
        return Err(OAuthError::invalid_request(why));
    }
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let text = value.to_str().unwrap_or("");
        return match text.split_once(' ') {
            Some((scheme, token))
                if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
            {
                Ok(token.trim().to_string())
            }
            _ => Err(call.malformed("the Authorization header is not \"Bearer <token>\"".into())),
        };
    }
    if method == Method::POST {
        let params = call.read_form(realm, headers, body).await?;
        if let Some(token) = params.get("access_token") {
            return Ok(token.to_string());
        }
    }
    Err(OAuthError::token_missing())
}
