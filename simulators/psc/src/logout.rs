//! `GET|POST {issuer}/protocol/openid-connect/logout` (RP-initiated logout):
//! `id_token_hint` names the session, which ends with its tokens; the browser goes to
//! `post_logout_redirect_uri` (with `state`) when the client registered it, else to a
//! "you are logged out" page.

use axum::body::Body;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use segur_core::tls::TlsPeer;
use serde_json::Value;

use crate::exchange::Call;
use crate::realm::Realm;
use crate::reply::Reply;
use crate::{authorize, clients, jws, rules};

/// `GET|POST .../logout`.
pub async fn logout(
    State(realm): State<Realm>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let mut call = Call::new("logout");
    let params = call
        .read_params(&realm, &method, &headers, query.as_deref(), body)
        .await;
    let params = match params {
        Ok(p) => p,
        Err(e) => return call.fail(&realm, &peer, &e),
    };
    if let Some(reply) = call.injected(&realm).await {
        return call.finish(&realm, &peer, reply);
    }
    // The hint may have expired: only its signature matters here.
    let hint = params
        .get("id_token_hint")
        .map(|t| jws::verify(t, &realm.key_ring()));
    let (sid, client_id) = match hint {
        Some(Ok((_, claims))) => {
            let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_string);
            (text("sid"), text("azp"))
        }
        Some(Err(e)) => {
            call.find(rules::LOGOUT.finding(format!("id_token_hint refused: {e}")));
            (None, None)
        }
        None => {
            call.find(
                rules::LOGOUT
                    .finding("no id_token_hint: the realm cannot tell which session to end"),
            );
            (None, params.get("client_id").map(str::to_string))
        }
    };
    let ended = sid
        .as_deref()
        .is_some_and(|sid| realm.store.lock().end_session(sid));
    call.answer("session_ended", ended);
    if let Some(sid) = &sid {
        call.note("sid", sid.clone());
    }
    let registered = |uri: &str| {
        client_id.as_deref().is_some_and(|id| {
            clients::find(&realm.bench.world(), id)
                .is_some_and(|c| c.redirect_uris.iter().any(|r| r == uri))
        })
    };
    let reply = match params.get("post_logout_redirect_uri") {
        Some(uri) if registered(uri) => {
            let mut target = uri.to_string();
            if let Some(state) = params.get("state") {
                let query = serde_urlencoded::to_string([("state", state)]).unwrap_or_default();
                target.push(if target.contains('?') { '&' } else { '?' });
                target.push_str(&query);
            }
            Reply::redirect(target)
        }
        Some(uri) => {
            call.find(rules::LOGOUT.finding(format!(
                "post_logout_redirect_uri {uri:?} is not registered for the client of the id_token_hint"
            )));
            Reply::html(
                StatusCode::BAD_REQUEST,
                authorize::error_page(
                    "Adresse de retour invalide",
                    "Vous êtes déconnecté, mais l'adresse de retour demandée n'est pas enregistrée pour cette application.",
                ),
            )
        }
        None => Reply::html(StatusCode::OK, authorize::logged_out()),
    };
    call.finish(&realm, &peer, reply)
}
