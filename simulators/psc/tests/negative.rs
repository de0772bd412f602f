//! Every refusal of the realm: the standard error answer, and the finding that says
//! what the client did wrong.

mod support;

use time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use support::*;

/// Parameters to replace (`Some`) or remove (`None`) in the authorization request.
type Overrides<'a> = Vec<(&'a str, Option<&'a str>)>;

fn authorize_query(overrides: &[(&str, Option<&str>)]) -> String {
    let mut pairs: Vec<(&str, &str)> = vec![
        ("client_id", CLIENT),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid scope_all"),
        ("acr_values", "eidas1"),
        ("state", "st"),
        ("nonce", "no"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in overrides {
        pairs.retain(|(n, _)| n != name);
        if let Some(v) = value {
            pairs.push((name, v));
        }
    }
    form(&pairs)
}

#[tokio::test]
async fn authorization_requests_are_checked_in_the_order_oauth_requires() {
    let t = start().await;
    // Unknown client or untrusted redirect URI: an error page, never a redirect.
    for (overrides, rule) in [
        (vec![("client_id", Some("nobody"))], "PSC-CLIENT-UNKNOWN"),
        (vec![("client_id", None)], "PSC-CLIENT-UNKNOWN"),
        (
            vec![("redirect_uri", Some("https://evil.test/cb"))],
            "PSC-REDIRECT-URI",
        ),
        (
            vec![("redirect_uri", Some("http://127.0.0.1:8700/callback/"))],
            "PSC-REDIRECT-URI",
        ),
        (vec![("redirect_uri", None)], "PSC-REDIRECT-URI"),
    ] {
        let answer = t.authorize(&authorize_query(&overrides)).await;
        assert_eq!(answer.status, 400, "{overrides:?}");
        assert!(answer.content_type.starts_with("text/html"));
        assert!(answer.header("location").is_empty(), "{overrides:?}");
        assert!(t.flagged("authorize", rule), "{overrides:?}");
    }
    // Everything else goes back to the client with error and state.
    for (overrides, error, rule) in [
        (
            vec![("response_type", Some("token"))],
            "unsupported_response_type",
            "PSC-SCOPE",
        ),
        (
            vec![("scope", Some("openid"))],
            "invalid_scope",
            "PSC-SCOPE",
        ),
        (
            vec![("scope", Some("scope_all"))],
            "invalid_scope",
            "PSC-SCOPE",
        ),
        (
            vec![("code_challenge_method", Some("S512"))],
            "invalid_request",
            "PSC-PKCE",
        ),
        (
            vec![("code_challenge", Some("short"))],
            "invalid_request",
            "PSC-PKCE",
        ),
        // A level it cannot meet is refused, not silently downgraded to eidas1.
        (
            vec![("acr_values", Some("eidas2"))],
            "invalid_request",
            "PSC-ACR-VALUES",
        ),
        (
            vec![("max_age", Some("une heure"))],
            "invalid_request",
            "PSC-REQUEST-MALFORMED",
        ),
    ] {
        let answer = t.authorize(&authorize_query(&overrides)).await;
        assert_eq!(answer.status, 302, "{overrides:?}");
        let location = answer.header("location");
        assert!(location.starts_with(REDIRECT), "{location}");
        assert_eq!(
            query_param(location, "error").as_deref(),
            Some(error),
            "{overrides:?}"
        );
        assert_eq!(query_param(location, "state").as_deref(), Some("st"));
        assert!(t.flagged("authorize", rule), "{overrides:?}");
    }
}

#[tokio::test]
async fn weak_authorization_requests_pass_but_are_flagged() {
    let t = start().await;
    let cases: Vec<(Overrides, &str)> = vec![
        (vec![("state", None), ("nonce", Some("n-1"))], "PSC-STATE"),
        (vec![("nonce", None), ("state", Some("s-2"))], "PSC-NONCE"),
        (
            vec![
                ("acr_values", None),
                ("state", Some("s-3")),
                ("nonce", Some("n-3")),
            ],
            "PSC-ACR-VALUES",
        ),
        (
            vec![
                ("code_challenge", None),
                ("state", Some("s-5")),
                ("nonce", Some("n-5")),
            ],
            "PSC-PKCE",
        ),
        (
            vec![
                ("code_challenge_method", Some("plain")),
                ("state", Some("s-6")),
                ("nonce", Some("n-6")),
            ],
            "PSC-PKCE",
        ),
        // the same state and nonce again
        (
            vec![("state", Some("s-6")), ("nonce", Some("n-7"))],
            "PSC-STATE",
        ),
        (
            vec![("state", Some("s-8")), ("nonce", Some("n-6"))],
            "PSC-NONCE",
        ),
    ];
    for (overrides, rule) in cases {
        t.next_login(CLIENT, "dr-legrand");
        let answer = t.authorize(&authorize_query(&overrides)).await;
        assert_eq!(answer.status, 302, "{overrides:?}: {}", answer.body);
        assert!(
            query_param(answer.header("location"), "code").is_some(),
            "{overrides:?}"
        );
        let findings = t.last_findings("authorize");
        assert!(
            findings.iter().any(|f| f.rule == rule),
            "{overrides:?}: {findings:?}"
        );
    }
    let acr = t.last_findings("authorize");
    assert!(acr.iter().all(|f| f.rule != "PSC-ACR-VALUES"));
    let records = t.records();
    let acr_finding = records
        .iter()
        .flat_map(|r| &r.findings)
        .find(|f| f.rule == "PSC-ACR-VALUES")
        .unwrap();
    assert_eq!(acr_finding.requirements, vec!["PSC.08".to_string()]);
}

#[tokio::test]
async fn a_refused_authentication_goes_back_as_access_denied() {
    let t = start().await;
    t.psc
        .control()
        .next_authentication(
            CLIENT,
            segur_psc::Directive::Refuse {
                error: "access_denied".into(),
                description: None,
            },
        )
        .unwrap();
    let answer = t.authorize(&authorize_query(&[])).await;
    assert_eq!(
        query_param(answer.header("location"), "error").as_deref(),
        Some("access_denied")
    );
    // prompt=none without a session
    let answer = t
        .authorize(&authorize_query(&[
            ("prompt", Some("none")),
            ("state", Some("x")),
        ]))
        .await;
    assert_eq!(
        query_param(answer.header("location"), "error").as_deref(),
        Some("login_required")
    );
}

/// A code for the reference LPS with the PKCE challenge of `authorize_query`.
async fn code(t: &TestBench) -> String {
    t.next_login(CLIENT, "dr-legrand");
    let nonce = uuid::Uuid::new_v4().to_string();
    let state = uuid::Uuid::new_v4().to_string();
    let answer = t
        .authorize(&authorize_query(&[
            ("state", Some(&state)),
            ("nonce", Some(&nonce)),
        ]))
        .await;
    query_param(answer.header("location"), "code").expect("a code")
}

/// The PKCE verifier of `authorize_query`'s challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mJ92K9qUA0jgqBULt5wwa_ppGmY3uE";
/// base64url(SHA-256(VERIFIER)), computed independently (Python's hashlib).
const CHALLENGE: &str = "6ZPEMbjHytI0SUBaDDUBBOcgM0su45xcGbLPM2UmVFw";

fn exchange(code: &str) -> String {
    form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ])
}

#[tokio::test]
async fn client_authentication_failures_are_invalid_client() {
    let t = start().await;
    let c = code(&t).await;
    let unknown = t.post("token", Some(("nobody", "x")), &exchange(&c)).await;
    assert_eq!(unknown.status, 401);
    assert!(unknown.body.contains("\"invalid_client\""));
    assert!(unknown.header("www-authenticate").starts_with("Basic"));
    assert!(t.flagged("token", "PSC-CLIENT-UNKNOWN"));

    let bad = t
        .post("token", Some((CLIENT, "wrong")), &exchange(&c))
        .await;
    assert_eq!(bad.status, 401);
    assert!(t.flagged("token", "PSC-CLIENT-AUTH"));

    let none = t.post("token", None, &exchange(&c)).await;
    assert_eq!(none.status, 401);

    let both = t
        .post(
            "token",
            Some((CLIENT, SECRET)),
            &format!("{}&client_secret={SECRET}", exchange(&c)),
        )
        .await;
    assert_eq!(both.status, 400);
    assert!(both.body.contains("invalid_request"));

    // The DPI is registered for mTLS only: its secret method is refused...
    let dpi = t
        .post("token", Some((DPI, "anything")), &exchange(&c))
        .await;
    assert_eq!(dpi.status, 401);
    assert!(
        dpi.body.contains("not registered for client_secret_basic"),
        "{}",
        dpi.body
    );

    // ...and another structure's certificate is not its own.
    let mut conn = t.issuer(Some("structure-cabinet-lilas-auth")).await;
    let wrong = post_on(
        &mut conn,
        &t.oidc_path("token"),
        None,
        &format!("{}&client_id={DPI}", exchange(&c)),
    )
    .await;
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert!(
        wrong.body.contains("not the structure certificate"),
        "{}",
        wrong.body
    );

    // The secret in the query string.
    let mut conn = t.issuer(None).await;
    let path = format!(
        "{}?client_id={CLIENT}&client_secret={SECRET}",
        t.oidc_path("token")
    );
    let query = post_on(&mut conn, &path, None, &exchange(&c)).await;
    assert_eq!(query.status, 400);
    assert!(t.flagged("token", "PSC-SECRET-IN-QUERY"));

    // After all this the code is still unused and the right client gets its tokens.
    let ok = t.post("token", Some((CLIENT, SECRET)), &exchange(&c)).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
}

#[tokio::test]
async fn the_structure_certificate_authenticates_an_mtls_client() {
    let t = start().await;
    t.next_login(DPI, "dr-bertin");
    let redirect = "https://dpi.ch-valbourg.test/psc/callback";
    let answer = t
        .authorize(&form(&[
            ("client_id", DPI),
            ("redirect_uri", redirect),
            ("response_type", "code"),
            ("scope", "openid scope_all"),
            ("acr_values", "eidas1"),
            ("state", "a"),
            ("nonce", "b"),
        ]))
        .await;
    let c = query_param(answer.header("location"), "code").unwrap();
    let mut conn = t.issuer(Some("structure-ch-valbourg-auth")).await;
    let tokens = post_on(
        &mut conn,
        &t.oidc_path("token"),
        None,
        &form(&[
            ("grant_type", "authorization_code"),
            ("code", &c),
            ("redirect_uri", redirect),
            ("client_id", DPI),
        ]),
    )
    .await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    let tokens: Value = serde_json::from_str(&tokens.body).unwrap();
    // The DPI reads UserInfo as a JWT signed with the realm key.
    let info = t
        .get_bearer("userinfo", tokens["access_token"].as_str().unwrap())
        .await;
    assert_eq!(info.content_type, "application/jwt");
    let payload = info.body.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(claims["SubjectNameID"], "899900100003");
    assert_eq!(claims["aud"], DPI);
    assert_eq!(
        claims["SubjectRefPro"]["exercices"][0]["activities"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn codes_are_single_use_short_lived_and_bound_to_their_request() {
    let t = start().await;
    // Reuse: invalid_grant, and what the first exchange issued is revoked.
    let c = code(&t).await;
    let first = t.post("token", Some((CLIENT, SECRET)), &exchange(&c)).await;
    assert_eq!(first.status, 200);
    let first: Value = serde_json::from_str(&first.body).unwrap();
    let replay = t.post("token", Some((CLIENT, SECRET)), &exchange(&c)).await;
    assert_eq!(replay.status, 400);
    assert!(replay.body.contains("invalid_grant"));
    assert!(t.flagged("token", "PSC-CODE-REUSED"));
    let info = t
        .get_bearer("userinfo", first["access_token"].as_str().unwrap())
        .await;
    assert_eq!(info.status, 401);
    assert!(t.flagged("userinfo", "PSC-TOKEN-REVOKED"));

    // Wrong redirect_uri, wrong verifier, missing verifier, unknown code.
    for (body, what) in [
        (
            exchange(&code(&t).await).replace("8700%2Fcallback", "8700%2Fother"),
            "redirect_uri",
        ),
        (
            exchange(&code(&t).await).replace(VERIFIER, "x".repeat(43).as_str()),
            "code_verifier",
        ),
        (
            form(&[
                ("grant_type", "authorization_code"),
                ("code", &code(&t).await),
                ("redirect_uri", REDIRECT),
            ]),
            "code_verifier is missing",
        ),
        (exchange("no-such-code"), "unknown authorization code"),
    ] {
        let answer = t.post("token", Some((CLIENT, SECRET)), &body).await;
        assert_eq!(answer.status, 400, "{what}");
        assert!(
            answer.body.contains("invalid_grant"),
            "{what}: {}",
            answer.body
        );
        assert!(answer.body.contains(what), "{what}: {}", answer.body);
        assert!(t.flagged("token", "PSC-GRANT-INVALID"), "{what}");
    }

    // Expiry follows the bench clock.
    let c = code(&t).await;
    t.bench.clock().advance(Duration::seconds(61));
    let late = t.post("token", Some((CLIENT, SECRET)), &exchange(&c)).await;
    assert!(late.body.contains("expired"), "{}", late.body);
}

#[tokio::test]
async fn malformed_token_requests_are_invalid_request() {
    let t = start().await;
    let mut conn = t.issuer(None).await;
    let path = t.oidc_path("token");
    let json_body = conn
        .send("POST", &path, "application/json", "{}")
        .await
        .unwrap();
    assert_eq!(json_body.status, 400);
    assert!(json_body.body.contains("invalid_request"));
    assert!(t.flagged("token", "PSC-REQUEST-MALFORMED"));
    for body in [
        "grant_type=authorization_code&grant_type=refresh_token".to_string(),
        format!("grant_type=authorization_code&code={}", "a".repeat(5000)),
    ] {
        let answer = post_on(&mut conn, &path, Some((CLIENT, SECRET)), &body).await;
        assert_eq!(answer.status, 400, "{body}");
        assert!(
            answer.body.contains("invalid_request"),
            "{body}: {}",
            answer.body
        );
    }
    let huge = post_on(
        &mut t.issuer(None).await,
        &path,
        None,
        &"a=b&".repeat(20_000),
    )
    .await;
    assert_eq!(huge.status, 400);
    let unsupported = t
        .post(
            "token",
            Some((CLIENT, SECRET)),
            "grant_type=password&username=a&password=b",
        )
        .await;
    assert!(unsupported.body.contains("unsupported_grant_type"));
    let missing = t.post("token", Some((CLIENT, SECRET)), "code=x").await;
    assert!(missing.body.contains("grant_type is missing"));
}

fn forged(header: Value, claims: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[tokio::test]
async fn tokens_the_realm_did_not_sign_are_refused_at_userinfo_and_introspection() {
    let t = start().await;
    let tokens = t.login("dr-legrand").await;
    let access = tokens["access_token"].as_str().unwrap();
    let mut parts = access.split('.');
    let (header, payload, signature) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let mut tampered_claims = claims.clone();
    tampered_claims["preferred_username"] = json!("899900100002");
    let tampered = format!(
        "{header}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(tampered_claims.to_string())
    );
    let none = forged(json!({ "alg": "none", "typ": "JWT" }), &claims, "");
    let hs256 = forged(
        json!({ "alg": "HS256", "kid": key().kid() }),
        &claims,
        "c2ln",
    );
    let unknown_kid = forged(json!({ "alg": "RS256", "kid": "nope" }), &claims, signature);
    for (token, why) in [
        (none.as_str(), "alg \\\"none\\\""),
        (hs256.as_str(), "HS256"),
        (unknown_kid.as_str(), "not in the realm's JWKS"),
        (tampered.as_str(), "does not verify"),
        ("garbage", "not a signed JWT"),
        ("a.b.c.d.e", "encrypted"),
    ] {
        let info = t.get_bearer("userinfo", token).await;
        assert_eq!(info.status, 401, "{why}");
        assert!(info.body.contains("invalid_token"), "{why}: {}", info.body);
        assert!(info.body.contains(why), "{why}: {}", info.body);
        assert!(t.flagged("userinfo", "PSC-TOKEN-INVALID"), "{why}");
        let intro = t
            .post(
                "token/introspect",
                Some((CLIENT, SECRET)),
                &form(&[("token", token)]),
            )
            .await;
        assert_eq!(intro.status, 200);
        assert_eq!(
            serde_json::from_str::<Value>(&intro.body).unwrap(),
            json!({ "active": false })
        );
        assert!(t.flagged("introspect", "PSC-TOKEN-INVALID"), "{why}");
    }
    // No token at all: 401 with a bare challenge.
    let mut conn = t.issuer(None).await;
    let bare = conn.get(&t.oidc_path("userinfo")).await.unwrap();
    assert_eq!(bare.status, 401);
    assert_eq!(
        bare.header("www-authenticate"),
        r#"Bearer realm="esante-wallet""#
    );
    // A token in the query string.
    let query = conn
        .get(&format!(
            "{}?access_token={access}",
            t.oidc_path("userinfo")
        ))
        .await
        .unwrap();
    assert_eq!(query.status, 400);
    // Introspection needs client authentication.
    let anonymous = t
        .post("token/introspect", None, &form(&[("token", access)]))
        .await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn introspection_describes_live_tokens_as_the_spec_notes_say() {
    let t = start().await;
    let tokens = t.login("dr-legrand").await;
    let access = t
        .post(
            "token/introspect",
            Some((CLIENT, SECRET)),
            &form(&[("token", tokens["access_token"].as_str().unwrap())]),
        )
        .await;
    let access: Value = serde_json::from_str(&access.body).unwrap();
    assert_eq!(access["active"], true);
    assert_eq!(access["SubjectNameID"], LEGRAND);
    assert_eq!(access["client_id"], CLIENT);
    assert_eq!(access["typ"], "Bearer");
    assert_eq!(access["acr"], "eidas1");
    assert_eq!(access["scope"], "openid scope_all");
    let refresh = t
        .post(
            "token/introspect",
            Some((CLIENT, SECRET)),
            &form(&[("token", tokens["refresh_token"].as_str().unwrap())]),
        )
        .await;
    let refresh: Value = serde_json::from_str(&refresh.body).unwrap();
    assert_eq!(refresh["active"], true);
    assert_eq!(refresh["typ"], "Refresh");
    assert!(
        refresh.get("SubjectNameID").is_none(),
        "only access tokens carry it"
    );
}

#[tokio::test]
async fn lifetimes_follow_the_bench_clock() {
    let t = start().await;
    let tokens = t.login("dr-legrand").await;
    assert_eq!(tokens["expires_in"], 120);
    assert_eq!(tokens["refresh_expires_in"], 1800);
    let access = tokens["access_token"].as_str().unwrap();
    t.bench.clock().advance(Duration::seconds(121));
    let expired = t.get_bearer("userinfo", access).await;
    assert_eq!(expired.status, 401);
    assert!(expired.body.contains("expired"));
    assert!(t.flagged("userinfo", "PSC-TOKEN-EXPIRED"));

    // Refreshing every 25 minutes keeps the session alive until its 4 hours.
    let mut refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    let mut elapsed = 121;
    loop {
        t.bench.clock().advance(Duration::seconds(25 * 60));
        elapsed += 25 * 60;
        let answer = t
            .post(
                "token",
                Some((CLIENT, SECRET)),
                &form(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)]),
            )
            .await;
        if elapsed >= 4 * 3600 {
            assert_eq!(answer.status, 400);
            assert!(answer.body.contains("maximum length"), "{}", answer.body);
            assert!(t.flagged("token", "PSC-REFRESH-AFTER-SSO"));
            break;
        }
        assert_eq!(answer.status, 200, "after {elapsed} s: {}", answer.body);
        let next: Value = serde_json::from_str(&answer.body).unwrap();
        assert!(next["refresh_expires_in"].as_i64().unwrap() <= 1800);
        refresh = next["refresh_token"].as_str().unwrap().to_string();
    }

    // 31 idle minutes end another session.
    let tokens = t.login("dr-colin").await;
    t.bench.clock().advance(Duration::seconds(31 * 60));
    let idle = t
        .post(
            "token",
            Some((CLIENT, SECRET)),
            &form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ]),
        )
        .await;
    assert_eq!(idle.status, 400);
    assert!(idle.body.contains("idle"), "{}", idle.body);
    assert!(t.flagged("token", "PSC-REFRESH-AFTER-SSO"));
}

#[tokio::test]
async fn key_rotation_keeps_old_tokens_valid_until_the_key_is_retired() {
    let t = start().await;
    let tokens = t.login("dr-legrand").await;
    let access = tokens["access_token"].as_str().unwrap();
    let new_kid = t.psc.control().rotate(false).await.unwrap();
    let jwks = t.jwks().await;
    assert_eq!(jwks["keys"][0]["kid"], new_kid.as_str());
    assert_eq!(jwks["keys"][1]["kid"], key().kid());
    assert_eq!(t.get_bearer("userinfo", access).await.status, 200);
    let fresh = t.login("dr-legrand").await;
    let header = fresh["id_token"]
        .as_str()
        .unwrap()
        .split('.')
        .next()
        .unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["kid"], new_kid.as_str());
    t.psc.control().rotate(true).await.unwrap();
    let gone = t.get_bearer("userinfo", access).await;
    assert_eq!(gone.status, 401);
    assert!(
        gone.body.contains("not in the realm's JWKS"),
        "{}",
        gone.body
    );
}

#[tokio::test]
async fn injected_faults_answer_instead_of_the_realm() {
    use segur_core::faults::{FaultAction, FaultSpec};
    let t = start().await;
    t.bench
        .faults()
        .arm(FaultSpec {
            service: "psc".into(),
            operation: Some("token".into()),
            times: 1,
            action: FaultAction::HttpStatus {
                status: 503,
                body: None,
            },
        })
        .unwrap();
    let answer = t
        .post(
            "token",
            Some((CLIENT, SECRET)),
            "grant_type=refresh_token&refresh_token=x",
        )
        .await;
    assert_eq!(answer.status, 503);
    t.bench
        .faults()
        .arm(FaultSpec {
            service: "psc".into(),
            operation: Some("userinfo".into()),
            times: 1,
            action: FaultAction::ProtocolError {
                code: "temporarily_unavailable".into(),
                message: None,
                detail: None,
            },
        })
        .unwrap();
    let answer = t.get_bearer("userinfo", "x").await;
    assert!(answer.body.contains("temporarily_unavailable"));
}

/// Arms a tampering (`simulators/psc/src/tampering.rs`) for the next `operation`.
fn tamper(t: &TestBench, operation: &str, code: &str) {
    use segur_core::faults::{FaultAction, FaultSpec};
    t.bench
        .faults()
        .arm(FaultSpec {
            service: "psc".into(),
            operation: Some(operation.into()),
            times: 1,
            action: FaultAction::ProtocolError {
                code: code.into(),
                message: None,
                detail: None,
            },
        })
        .expect("armed");
}

/// An authorization with a known state and nonce; the redirect's location.
async fn authorize_as_legrand(t: &TestBench, state: &str, nonce: &str) -> String {
    t.next_login(CLIENT, "dr-legrand");
    let answer = t
        .authorize(&form(&[
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid scope_all"),
            ("state", state),
            ("nonce", nonce),
        ]))
        .await;
    assert_eq!(answer.status, 302, "{}", answer.body);
    answer.header("location").to_string()
}

/// A whole code flow with a known state and nonce; the ID token it gives.
async fn id_token_as_legrand(t: &TestBench, state: &str, nonce: &str) -> String {
    let location = authorize_as_legrand(t, state, nonce).await;
    let code = query_param(&location, "code").expect("code");
    t.exchange_code(&code).await["id_token"]
        .as_str()
        .expect("id_token")
        .to_string()
}

/// Whether the RS256 signature of `token` verifies with a key of `jwks`.
fn verifies(token: &str, jwks: &Value) -> bool {
    let (signed, signature) = token.rsplit_once('.').expect("a JWS");
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(signed.split('.').next().expect("header"))
            .expect("base64"),
    )
    .expect("JSON");
    let key = jwks["keys"]
        .as_array()
        .and_then(|k| k.iter().find(|k| k["kid"] == header["kid"]))
        .expect("the header names a JWKS key");
    let part = |v: &Value| {
        URL_SAFE_NO_PAD
            .decode(v.as_str().expect("text"))
            .expect("b64")
    };
    ring::signature::RsaPublicKeyComponents {
        n: part(&key["n"]),
        e: part(&key["e"]),
    }
    .verify(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        signed.as_bytes(),
        &URL_SAFE_NO_PAD.decode(signature).expect("b64"),
    )
    .is_ok()
}

#[tokio::test]
async fn armed_tamperings_give_the_answers_a_relying_party_must_refuse() {
    let t = start().await;
    let jwks = t.jwks().await;

    // An untouched flow: the state comes back, the nonce is copied, the signature holds.
    let location = authorize_as_legrand(&t, "s-1", "n-1").await;
    assert_eq!(query_param(&location, "state").as_deref(), Some("s-1"));
    let code = query_param(&location, "code").expect("code");
    let id_token = t.exchange_code(&code).await["id_token"]
        .as_str()
        .expect("id_token")
        .to_string();
    assert_eq!(
        segur_psc::jws::peek_claims(&id_token).unwrap()["nonce"],
        "n-1"
    );
    assert!(verifies(&id_token, &jwks));

    // A state the client never sent.
    tamper(&t, "CALLBACK", "foreign-state");
    let location = authorize_as_legrand(&t, "s-2", "n-2").await;
    let state = query_param(&location, "state").expect("a state");
    assert_ne!(state, "s-2");
    let authorize = t
        .records()
        .into_iter()
        .rev()
        .find(|r| r.operation == "authorize")
        .expect("journaled");
    assert_eq!(
        authorize.response.as_ref().unwrap().summary["tampered"],
        "foreign-state"
    );

    // Another nonce in the ID token.
    tamper(&t, "ID_TOKEN", "wrong-nonce");
    let id_token = id_token_as_legrand(&t, "s-3", "n-3").await;
    let nonce = segur_psc::jws::peek_claims(&id_token).unwrap()["nonce"].clone();
    assert!(nonce.is_string() && nonce != "n-3", "{nonce}");
    assert!(verifies(&id_token, &jwks), "only the nonce is wrong");

    // A signature that does not verify, under a kid the JWKS publishes.
    tamper(&t, "ID_TOKEN", "bad-signature");
    let id_token = id_token_as_legrand(&t, "s-4", "n-4").await;
    assert_eq!(
        segur_psc::jws::peek_claims(&id_token).unwrap()["nonce"],
        "n-4"
    );
    assert!(!verifies(&id_token, &jwks));
    let token = t
        .records()
        .into_iter()
        .rev()
        .find(|r| r.operation == "token")
        .expect("journaled");
    assert_eq!(
        token.response.as_ref().unwrap().summary["tampered"],
        "bad-signature"
    );
}

#[tokio::test]
async fn only_the_tokens_client_or_a_resource_server_may_introspect_it() {
    let t = start().await;
    let tokens = t.login("dr-legrand").await;
    let access = tokens["access_token"].as_str().unwrap();
    let active = |answer: &segur_core::testing::https::Answer| {
        assert_eq!(answer.status, 200, "{}", answer.body);
        serde_json::from_str::<Value>(&answer.body).unwrap()["active"].clone()
    };
    let own = t
        .post(
            "token/introspect",
            Some((CLIENT, SECRET)),
            &form(&[("token", access)]),
        )
        .await;
    assert_eq!(active(&own), json!(true));
    let api = t
        .post(
            "token/introspect",
            Some(("api-resultats-labo", "api-resultats-secret")),
            &form(&[("token", access)]),
        )
        .await;
    assert_eq!(active(&api), json!(true), "a resource server may");
    // The hospital's DPI (mTLS client) is neither the token's client nor an API.
    let mut conn = t.issuer(Some("structure-ch-valbourg-auth")).await;
    let other = post_on(
        &mut conn,
        &t.oidc_path("token/introspect"),
        None,
        &form(&[("token", access), ("client_id", DPI)]),
    )
    .await;
    assert_eq!(active(&other), json!(false));
    assert!(t.flagged("introspect", "PSC-INTROSPECTION-CLIENT"));
}
