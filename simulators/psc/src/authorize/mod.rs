//! The wallet host: `GET|POST /auth` (the authorization endpoint, on its own listener
//! as the real wallet host is separate from the issuer) and `POST /auth/login` (the
//! login page's form).
//!
//! Order of checks, as OAuth 2.0 §4.1.2.1 requires: client and redirect URI first —
//! a failure there is an error page, never a redirect to an untrusted URI; then every
//! other error goes back to the client's redirect URI with `error` and `state`.
//!
//! Who authenticates: a valid SSO cookie; else what the control API arranged for this
//! client ([`crate::store::Directive`]); else the login page, where a person picks.

mod page;

pub use page::{error as error_page, logged_out};

use axum::body::Body;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use segur_core::tls::TlsPeer;
use segur_core::world::{OidcClient, Professional};

use crate::error::OAuthError;
use crate::exchange::{Call, Params};
use crate::realm::Realm;
use crate::reply::Reply;
use crate::store::{Code, Directive, PendingLogin, Session, random_id};
use crate::{claims, clients, rules};

/// The SSO cookie on the wallet host.
const COOKIE: &str = "PSC_SESSION";

/// `GET|POST /auth`.
pub async fn authorize(
    State(realm): State<Realm>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let mut call = Call::new("authorize");
    let params = call
        .read_params(&realm, &method, &headers, query.as_deref(), body)
        .await;
    let params = match params {
        Ok(p) => p,
        Err(e) => return unreadable(call, &realm, &peer, &e),
    };
    if let Some(reply) = call.injected(&realm).await {
        return call.finish(&realm, &peer, reply);
    }
    let reply = match check(&realm, &params, &mut call) {
        Ok(request) => decide(&realm, &headers, &params, request, &mut call),
        Err(reply) => reply,
    };
    call.finish(&realm, &peer, reply)
}

/// A request that passed the checks.
struct Request {
    /// The client.
    client: OidcClient,
    /// What the login must produce.
    login: PendingLogin,
}

/// Checks the request; an `Err` is the answer (error page or error redirect).
fn check(realm: &Realm, params: &Params, call: &mut Call) -> Result<Request, Reply> {
    call.note_params(
        params,
        &[
            "client_id",
            "redirect_uri",
            "scope",
            "response_type",
            "acr_values",
            "state",
            "nonce",
            "code_challenge_method",
            "prompt",
            "max_age",
        ],
    );
    let page =
        |status, title: &str, detail: String| Reply::html(status, page::error(title, &detail));
    let Some(client_id) = params.get("client_id") else {
        let why = "client_id is missing";
        call.find(rules::CLIENT_UNKNOWN.finding(why));
        return Err(page(StatusCode::BAD_REQUEST, "Client inconnu", why.into()));
    };
    let client = {
        let world = realm.bench.world();
        clients::find(&world, client_id).cloned()
    };
    let Some(client) = client else {
        let why = format!("unknown client {client_id:?}");
        call.find(rules::CLIENT_UNKNOWN.finding(why.clone()));
        return Err(page(StatusCode::BAD_REQUEST, "Client inconnu", why));
    };
    let redirect_uri = match params.get("redirect_uri") {
        Some(uri) if client.redirect_uris.iter().any(|r| r == uri) => uri.to_string(),
        Some(uri) => {
            let why = format!(
                "redirect_uri {uri:?} is not one registered for {:?} (exact match required: {:?})",
                client.client_id, client.redirect_uris
            );
            call.find(rules::REDIRECT_URI.finding(why.clone()));
            return Err(page(
                StatusCode::BAD_REQUEST,
                "Adresse de retour invalide",
                why,
            ));
        }
        None => {
            let why = "redirect_uri is missing";
            call.find(rules::REDIRECT_URI.finding(why));
            return Err(page(
                StatusCode::BAD_REQUEST,
                "Adresse de retour invalide",
                why.into(),
            ));
        }
    };
    let state = params.get("state").map(str::to_string);
    let back = |error: &str, description: &str| {
        Reply::redirect(error_redirect(
            realm,
            &redirect_uri,
            error,
            description,
            state.as_deref(),
        ))
    };
    if params.get("response_type") != Some("code") {
        let why = format!(
            "response_type {:?}: Pro Santé Connect serves the authorization code flow (code)",
            params.get("response_type")
        );
        call.find(rules::SCOPE.finding(why.clone()));
        return Err(back("unsupported_response_type", &why));
    }
    let scope = params.get("scope").unwrap_or("");
    let scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    for required in ["openid", "scope_all"] {
        if !scopes.contains(&required) {
            let why =
                format!("scope {scope:?} lacks {required:?} (PSC expects \"openid scope_all\")");
            call.find(rules::SCOPE.finding(why.clone()));
            return Err(back("invalid_scope", &why));
        }
    }
    let acr = params.get("acr_values").unwrap_or("");
    if !acr.split(' ').any(|a| a == "eidas1") {
        call.find(rules::ACR_VALUES.finding(format!(
            "acr_values {acr:?}: PSC clients ask for \"eidas1\" (EX PSC 16)"
        )));
        // Asked for levels it cannot meet (eidas2, eidas3...): PSC refuses rather than
        // authenticating at a level the client did not ask for (spec notes §2.2).
        if !acr.trim().is_empty() {
            return Err(back(
                "invalid_request",
                &format!("acr_values {acr:?}: Pro Santé Connect authenticates at eidas1 only"),
            ));
        }
    }
    if let Some(max_age) = params.get("max_age")
        && max_age.parse::<u32>().is_err()
    {
        let why = format!("max_age {max_age:?} is not a number of seconds");
        call.find(rules::REQUEST_MALFORMED.finding(why.clone()));
        return Err(back("invalid_request", &why));
    }
    {
        let mut store = realm.store.lock();
        match &state {
            None => {
                call.find(rules::STATE.finding(
                    "no state: the client cannot tie the answer to its own request (CSRF)",
                ))
            }
            Some(s) if store.state_repeated(&client.client_id, s) => call
                .find(rules::STATE.finding(format!("state {s:?} was already used by this client"))),
            Some(_) => {}
        }
        match params.get("nonce") {
            None => call.find(
                rules::NONCE
                    .finding("no nonce: the id_token cannot be bound to this request (replay)"),
            ),
            Some(n) if store.nonce_repeated(&client.client_id, n) => call
                .find(rules::NONCE.finding(format!("nonce {n:?} was already used by this client"))),
            Some(_) => {}
        }
    }
    let challenge = match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (None, _) => {
            call.find(
                rules::PKCE.finding("no PKCE code_challenge: a stolen code could be exchanged"),
            );
            None
        }
        (Some(c), Some("S256")) => {
            if c.len() != 43
                || !c
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                let why = "code_challenge is not the base64url of a SHA-256 (43 characters)";
                call.find(rules::PKCE.finding(why));
                return Err(back("invalid_request", why));
            }
            Some(("S256".to_string(), c.to_string()))
        }
        (Some(c), None | Some("plain")) => {
            call.find(
                rules::PKCE
                    .finding("PKCE method plain: the challenge is the verifier itself; use S256"),
            );
            Some(("plain".to_string(), c.to_string()))
        }
        (Some(_), Some(other)) => {
            let why = format!("code_challenge_method {other:?}: S256 or plain");
            call.find(rules::PKCE.finding(why.clone()));
            return Err(back("invalid_request", &why));
        }
    };
    Ok(Request {
        login: PendingLogin {
            client_id: client.client_id.clone(),
            redirect_uri,
            state,
            nonce: params.get("nonce").map(str::to_string),
            scope: scopes.join(" "),
            challenge,
            created: realm.now(),
        },
        client,
    })
}

/// Decides who authenticates: SSO session, control directive, or the login page.
fn decide(
    realm: &Realm,
    headers: &HeaderMap,
    params: &Params,
    request: Request,
    call: &mut Call,
) -> Reply {
    let now = realm.now();
    let prompt = params.get("prompt").unwrap_or("");
    // max_age (checked as a number in `check`): an SSO session authenticated longer ago
    // than that does not count; the professional authenticates again (OIDC Core §3.1.2.1).
    let max_age = params
        .get("max_age")
        .and_then(|m| m.parse::<i64>().ok())
        .map(time::Duration::seconds);
    if prompt != "login"
        && let Some(sid) = cookie(headers)
    {
        let professional = {
            let mut store = realm.store.lock();
            match store.sessions.get(&sid) {
                Some(s) if max_age.is_some_and(|age| now - s.auth_time > age) => {
                    call.answer("max_age_exceeded", true);
                    None
                }
                Some(s) if realm.session_end(s, now).is_none() => {
                    let professional = s.professional.clone();
                    if let Some(s) = store.sessions.get_mut(&sid) {
                        s.last_active = now;
                    }
                    Some(professional)
                }
                _ => None,
            }
        };
        if let Some(professional) = professional {
            call.answer("sso", true);
            return complete(realm, request.login, &professional, Some(sid), call);
        }
    }
    if prompt == "none" {
        return Reply::redirect(error_redirect(
            realm,
            &request.login.redirect_uri,
            "login_required",
            "no SSO session and prompt=none",
            request.login.state.as_deref(),
        ));
    }
    let directive = realm
        .store
        .lock()
        .directives
        .get_mut(&request.client.client_id)
        .and_then(|queue| queue.pop_front());
    match directive {
        Some(Directive::Authenticate { professional }) => {
            call.answer("directive", "authenticate");
            complete(realm, request.login, &professional, None, call)
        }
        Some(Directive::Refuse { error, description }) => {
            call.answer("directive", "refuse");
            Reply::redirect(error_redirect(
                realm,
                &request.login.redirect_uri,
                &error,
                description
                    .as_deref()
                    .unwrap_or("the professional refused the authentication"),
                request.login.state.as_deref(),
            ))
        }
        None => {
            let tx = random_id();
            realm.store.lock().pending.insert(tx.clone(), request.login);
            call.answer("login_page", true);
            let world = realm.bench.world();
            Reply::html(
                StatusCode::OK,
                page::login(&world, &tx, &request.client.name),
            )
        }
    }
}

/// `POST /auth/login`: the login page's answer.
pub async fn login(
    State(realm): State<Realm>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut call = Call::new("login");
    let params = match call.read_form(&realm, &headers, body).await {
        Ok(p) => p,
        Err(e) => return unreadable(call, &realm, &peer, &e),
    };
    let pending = params
        .get("tx")
        .and_then(|tx| realm.store.lock().pending.remove(tx));
    let Some(login) = pending else {
        let reply = Reply::html(
            StatusCode::BAD_REQUEST,
            page::error(
                "Session de connexion expirée",
                "Recommencez la connexion depuis l'application.",
            ),
        );
        return call.finish(&realm, &peer, reply);
    };
    call.note("client_id", login.client_id.clone());
    let reply = match (params.get("action"), params.get("professional")) {
        (Some("authenticate"), Some(who)) => {
            call.note("professional", who);
            complete(&realm, login, who, None, &mut call)
        }
        _ => {
            call.answer("refused", true);
            Reply::redirect(error_redirect(
                &realm,
                &login.redirect_uri,
                "access_denied",
                "the professional refused the authentication",
                login.state.as_deref(),
            ))
        }
    };
    call.finish(&realm, &peer, reply)
}

/// The page for a request the wallet could not read.
fn unreadable(call: Call, realm: &Realm, peer: &TlsPeer, error: &OAuthError) -> Response {
    let page = page::error("Requête invalide", &error.description);
    call.finish(realm, peer, Reply::html(StatusCode::BAD_REQUEST, page))
}

/// Authenticates `who` for `login` (in SSO session `sid` when given) and redirects with
/// a fresh code.
fn complete(
    realm: &Realm,
    login: PendingLogin,
    who: &str,
    sid: Option<String>,
    call: &mut Call,
) -> Reply {
    let professional: Option<Professional> = claims::find(&realm.bench.world(), who).cloned();
    let Some(professional) = professional else {
        return Reply::redirect(error_redirect(
            realm,
            &login.redirect_uri,
            "access_denied",
            &format!("no test professional {who:?}"),
            login.state.as_deref(),
        ));
    };
    let now = realm.now();
    let code = random_id();
    let sid = {
        let mut store = realm.store.lock();
        let sid = sid.unwrap_or_else(|| {
            let sid = uuid::Uuid::new_v4().to_string();
            store.sessions.insert(
                sid.clone(),
                Session {
                    sid: sid.clone(),
                    professional: professional.id.clone(),
                    auth_time: now,
                    last_active: now,
                    logged_out: false,
                },
            );
            sid
        });
        store.codes.insert(
            code.clone(),
            Code {
                client_id: login.client_id.clone(),
                redirect_uri: login.redirect_uri.clone(),
                scope: login.scope.clone(),
                nonce: login.nonce.clone(),
                challenge: login.challenge.clone(),
                sid: sid.clone(),
                issued_at: now,
                used: false,
            },
        );
        sid
    };
    call.answer("professional", professional.national_id.clone());
    call.answer("sid", sid.clone());
    let mut pairs = vec![("code", code.as_str())];
    let foreign = crate::tampering::take(realm, crate::tampering::CALLBACK)
        .filter(|t| *t == crate::tampering::Tampering::ForeignState)
        .map(|t| {
            call.answer("tampered", t.code());
            random_id()
        });
    if let Some(state) = foreign.as_ref().or(login.state.as_ref()) {
        pairs.push(("state", state));
    }
    pairs.push(("session_state", &sid));
    pairs.push(("iss", &realm.issuer));
    Reply::redirect(append_query(&login.redirect_uri, &pairs)).header(
        "set-cookie",
        format!("{COOKIE}={sid}; Path=/; Secure; HttpOnly; SameSite=Lax"),
    )
}

/// The redirect URI with an OAuth error.
fn error_redirect(
    realm: &Realm,
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> String {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    pairs.push(("iss", &realm.issuer));
    append_query(redirect_uri, &pairs)
}

/// `uri` with `pairs` added to its query.
fn append_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{query}")
}

/// The SSO session id in the request's cookies.
fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
}
