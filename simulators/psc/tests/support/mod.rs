//! A bench with a PSC simulator on ephemeral ports, an HTTPS client for the realm's two
//! hosts, and the HTTP glue the `openidconnect` relying-party library runs on.

#![allow(dead_code)] // each test binary uses its own part of the support

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http_body_util::Full;
use segur_core::bench::Bench;
use segur_core::finding::Finding;
use segur_core::journal::{Query, Record};
use segur_core::testing::https::{Answer, Connection, tls_config};
use segur_psc::{Directive, PscConfig, PscHandle, PscSimulator, SigningKey};
use serde_json::Value;

/// The reference LPS client of the default world (secret, PKCE, CIBA).
pub const CLIENT: &str = "segur-bench-reference-lps";
/// Its secret.
pub const SECRET: &str = "reference-lps-secret";
/// Its first redirect URI.
pub const REDIRECT: &str = "http://127.0.0.1:8700/callback";
/// The hospital DPI: mTLS only, UserInfo as JWT.
pub const DPI: &str = "dpi-valbourg";
/// Dr Legrand's national id.
pub const LEGRAND: &str = "899900100001";

/// One realm key for the whole test binary.
pub fn key() -> Arc<SigningKey> {
    static KEY: OnceLock<Arc<SigningKey>> = OnceLock::new();
    KEY.get_or_init(|| Arc::new(SigningKey::generate(2048).expect("RSA key")))
        .clone()
}

/// A running bench with its PSC simulator.
pub struct TestBench {
    /// World, clock, journal.
    pub bench: Bench,
    /// The simulator.
    pub psc: PscHandle,
    /// Keeps the journal folder alive.
    _dir: tempfile::TempDir,
}

/// Starts a bench on the default world.
pub async fn start() -> TestBench {
    start_with(PscConfig::default()).await
}

/// Starts a bench with `config`.
pub async fn start_with(config: PscConfig) -> TestBench {
    let (bench, dir) = segur_core::testing::bench();
    let psc = PscSimulator::builder(bench.clone())
        .config(config)
        .signing_key(key())
        .start()
        .await
        .expect("PSC starts");
    TestBench {
        bench,
        psc,
        _dir: dir,
    }
}

/// `application/x-www-form-urlencoded` of `pairs`.
pub fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).expect("form")
}

/// A path+query from a full URL.
pub fn path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme
        .find('/')
        .map_or("/".to_string(), |i| after_scheme[i..].to_string())
}

/// The query parameter `name` of `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

impl TestBench {
    /// A connection to the issuer host, with the PKI credential `cert` as client
    /// certificate when given.
    pub async fn issuer(&self, cert: Option<&str>) -> Connection {
        Connection::open(
            self.psc.issuer(),
            tls_config(segur_core::testing::shared_pki(), cert),
        )
        .await
        .expect("issuer connection")
    }

    /// A connection to the wallet host.
    pub async fn wallet(&self) -> Connection {
        Connection::open(
            self.psc.wallet(),
            tls_config(segur_core::testing::shared_pki(), None),
        )
        .await
        .expect("wallet connection")
    }

    /// `{issuer path}/protocol/openid-connect/{rest}`.
    pub fn oidc_path(&self, rest: &str) -> String {
        format!(
            "{}/protocol/openid-connect/{rest}",
            path_of(self.psc.issuer())
        )
    }

    /// POSTs a form to an issuer endpoint, with HTTP Basic credentials when given.
    pub async fn post(&self, endpoint: &str, basic: Option<(&str, &str)>, body: &str) -> Answer {
        let mut connection = self.issuer(None).await;
        post_on(&mut connection, &self.oidc_path(endpoint), basic, body).await
    }

    /// GETs an issuer endpoint with a bearer token.
    pub async fn get_bearer(&self, endpoint: &str, token: &str) -> Answer {
        let request = hyper::Request::builder()
            .method("GET")
            .uri(self.oidc_path(endpoint))
            .header("authorization", format!("Bearer {token}"))
            .body(Full::new(Bytes::new()))
            .expect("request");
        self.issuer(None)
            .await
            .request(request)
            .await
            .expect("an HTTP answer")
    }

    /// Arranges that the next authorization of `client` completes as `professional`.
    pub fn next_login(&self, client: &str, professional: &str) {
        self.psc
            .control()
            .next_authentication(
                client,
                Directive::Authenticate {
                    professional: professional.into(),
                },
            )
            .expect("directive");
    }

    /// Answers the login page `page` as `professional` authenticating; the wallet's
    /// answer (a redirect with the code, and the SSO cookie).
    pub async fn authenticate_on_page(&self, page: &str, professional: &str) -> Answer {
        let tx = login_tx(page);
        post_on(
            &mut self.wallet().await,
            "/auth/login",
            None,
            &form(&[
                ("tx", &tx),
                ("professional", professional),
                ("action", "authenticate"),
            ]),
        )
        .await
    }

    /// Runs an authorization request (query string) at the wallet; the answer.
    pub async fn authorize(&self, query: &str) -> Answer {
        self.wallet()
            .await
            .get(&format!("/auth?{query}"))
            .await
            .expect("an HTTP answer")
    }

    /// A whole code flow for the reference LPS as `professional`, without PKCE
    /// bookkeeping beyond what the realm needs; the token response.
    pub async fn login(&self, professional: &str) -> Value {
        self.next_login(CLIENT, professional);
        let nonce = uuid::Uuid::new_v4().to_string();
        let state = uuid::Uuid::new_v4().to_string();
        let answer = self
            .authorize(&form(&[
                ("client_id", CLIENT),
                ("redirect_uri", REDIRECT),
                ("response_type", "code"),
                ("scope", "openid scope_all"),
                ("acr_values", "eidas1"),
                ("state", &state),
                ("nonce", &nonce),
            ]))
            .await;
        assert_eq!(answer.status, 302, "{}", answer.body);
        let code = query_param(answer.header("location"), "code").expect("a code");
        self.exchange_code(&code).await
    }

    /// Exchanges a code of the reference LPS (no PKCE); the token response.
    pub async fn exchange_code(&self, code: &str) -> Value {
        let tokens = self
            .post(
                "token",
                Some((CLIENT, SECRET)),
                &form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", REDIRECT),
                ]),
            )
            .await;
        assert_eq!(tokens.status, 200, "{}", tokens.body);
        serde_json::from_str(&tokens.body).expect("JSON")
    }

    /// The JWKS the realm publishes.
    pub async fn jwks(&self) -> Value {
        let answer = self
            .issuer(None)
            .await
            .get(&self.oidc_path("certs"))
            .await
            .expect("an HTTP answer");
        serde_json::from_str(&answer.body).expect("JSON")
    }

    /// The PSC journal records, oldest first.
    pub fn records(&self) -> Vec<Arc<Record>> {
        let mut q = Query::service("psc");
        q.limit = Some(10_000);
        self.bench.journal().query(&q).expect("journal query")
    }

    /// The findings of the last record of `operation`.
    pub fn last_findings(&self, operation: &str) -> Vec<Finding> {
        self.records()
            .iter()
            .rev()
            .find(|r| r.operation == operation)
            .map(|r| r.findings.clone())
            .unwrap_or_default()
    }

    /// Whether the last record of `operation` carries a finding of `rule`.
    pub fn flagged(&self, operation: &str, rule: &str) -> bool {
        self.last_findings(operation).iter().any(|f| f.rule == rule)
    }
}

/// The transaction id of a login page.
pub fn login_tx(page: &str) -> String {
    page.split("name=\"tx\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("transaction id")
        .to_string()
}

/// The SSO cookie (`name=value`) an answer sets.
pub fn session_cookie(answer: &Answer) -> String {
    answer
        .header("set-cookie")
        .split(';')
        .next()
        .expect("a Set-Cookie header")
        .to_string()
}

/// `host:port` of a URL.
pub fn authority_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

/// POSTs a form on `connection`.
pub async fn post_on(
    connection: &mut Connection,
    path: &str,
    basic: Option<(&str, &str)>,
    body: &str,
) -> Answer {
    use base64::Engine;
    let mut request = hyper::Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some((id, secret)) = basic {
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        request = request.header("authorization", format!("Basic {encoded}"));
    }
    connection
        .request(
            request
                .body(Full::new(Bytes::from(body.to_string())))
                .expect("request"),
        )
        .await
        .expect("an HTTP answer")
}

/// The HTTP client `openidconnect` calls: one TLS connection per request, trusting the
/// test root, redirects not followed.
pub fn oidc_http() -> impl Fn(
    openidconnect::HttpRequest,
) -> futures_util::future::BoxFuture<
    'static,
    Result<openidconnect::HttpResponse, std::io::Error>,
> {
    |request: openidconnect::HttpRequest| {
        Box::pin(async move {
            let url = request.uri().to_string();
            let mut connection =
                Connection::open(&url, tls_config(segur_core::testing::shared_pki(), None)).await?;
            let (parts, body) = request.into_parts();
            let mut forwarded = hyper::Request::builder()
                .method(parts.method)
                .uri(path_of(&url));
            for (name, value) in &parts.headers {
                forwarded = forwarded.header(name, value);
            }
            let answer = connection
                .request(
                    forwarded
                        .body(Full::new(Bytes::from(body)))
                        .map_err(std::io::Error::other)?,
                )
                .await
                .map_err(std::io::Error::other)?;
            let mut response = hyper::Response::builder().status(answer.status);
            for (name, value) in &answer.headers {
                response = response.header(name, value);
            }
            response
                .body(answer.body.into_bytes())
                .map_err(std::io::Error::other)
        }) as futures_util::future::BoxFuture<'static, _>
    }
}
