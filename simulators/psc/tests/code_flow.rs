//! The authorization code flow driven by a real relying-party library (`openidconnect`):
//! discovery, authorization with PKCE, code exchange, id_token verified against the
//! JWKS, UserInfo, refresh, logout. Then the same flow by hand through the login page
//! and the SSO cookie.

mod support;

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreUserInfoClaims};
use openidconnect::{
    AccessTokenHash, AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret,
    CsrfToken, EndSessionUrl, IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope,
    TokenResponse,
};
use serde_json::Value;
use support::*;

#[tokio::test]
async fn a_relying_party_library_logs_in_reads_userinfo_refreshes_and_logs_out() {
    let t = start().await;
    let http = oidc_http();

    // Discovery at the standard path, as the library does it.
    let metadata = ProviderMetadataWithLogout::discover_async(
        IssuerUrl::new(t.psc.issuer().to_string()).unwrap(),
        &http,
    )
    .await
    .expect("discovery");
    assert_eq!(
        metadata.authorization_endpoint().as_str(),
        t.psc.authorization_endpoint(),
        "authorize lives on the wallet host"
    );
    assert_ne!(authority_of(t.psc.wallet()), authority_of(t.psc.issuer()));
    let end_session = metadata
        .additional_metadata()
        .end_session_endpoint
        .clone()
        .expect("end_session_endpoint");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(CLIENT.into()),
        Some(ClientSecret::new(SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());

    // Authorization: the driver has arranged who completes it.
    t.next_login(CLIENT, "dr-legrand");
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("scope_all".into()))
        .add_auth_context_value(AuthenticationContextClass::new("eidas1".into()))
        .set_pkce_challenge(challenge)
        .url();
    let answer = t.wallet().await.get(&path_of(url.as_str())).await.unwrap();
    assert_eq!(answer.status, 302, "{}", answer.body);
    let location = answer.header("location").to_string();
    assert!(location.starts_with(REDIRECT), "{location}");
    assert_eq!(
        query_param(&location, "state").as_deref(),
        Some(csrf.secret().as_str())
    );
    assert_eq!(
        query_param(&location, "iss").as_deref(),
        Some(t.psc.issuer())
    );
    let code = query_param(&location, "code").expect("code");
    assert!(
        t.last_findings("authorize").is_empty(),
        "a conforming request raises nothing: {:?}",
        t.last_findings("authorize")
    );

    // Code exchange and id_token verification against the JWKS.
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("token exchange");
    assert_eq!(tokens.expires_in().unwrap().as_secs(), 120);
    let id_token = tokens.id_token().expect("id_token").clone();
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &nonce)
        .expect("a valid id_token");
    assert_eq!(
        claims.auth_context_ref().map(|a| a.as_str()),
        Some("eidas1")
    );
    assert!(claims.subject().as_str().ends_with(&format!(":{LEGRAND}")));
    assert!(claims.auth_time().is_some());
    let expected_hash = claims.access_token_hash().expect("at_hash");
    let actual = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(&actual, expected_hash);
    // The wrong nonce is caught by the library: the realm copied the request's.
    assert!(
        id_token
            .claims(&verifier, &Nonce::new("other".into()))
            .is_err()
    );

    // UserInfo through the library, then the PSC claims by hand.
    let info: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&http)
        .await
        .expect("userinfo");
    assert_eq!(info.subject(), claims.subject());
    let raw = t
        .get_bearer("userinfo", tokens.access_token().secret())
        .await;
    let raw: Value = serde_json::from_str(&raw.body).unwrap();
    assert_eq!(raw["SubjectNameID"], LEGRAND);
    assert_eq!(raw["SubjectRefPro"]["exercices"][0]["codeProfession"], "10");

    // Refresh: new tokens; the old refresh token no longer works (rotation).
    let old_refresh = tokens.refresh_token().expect("refresh token").clone();
    let refreshed = client
        .exchange_refresh_token(&old_refresh)
        .unwrap()
        .request_async(&http)
        .await
        .expect("refresh");
    assert_ne!(
        refreshed.access_token().secret(),
        tokens.access_token().secret()
    );
    assert!(
        client
            .exchange_refresh_token(&old_refresh)
            .unwrap()
            .request_async(&http)
            .await
            .is_err(),
        "a refresh token serves once"
    );

    // Logout with id_token_hint: back to the registered URI with the state; the
    // session's tokens die with it.
    let logout = LogoutRequest::from(EndSessionUrl::new(end_session.url().to_string()).unwrap())
        .set_id_token_hint(&id_token)
        .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(REDIRECT.into()).unwrap())
        .set_state(CsrfToken::new("bye".into()))
        .http_get_url();
    let answer = t
        .issuer(None)
        .await
        .get(&path_of(logout.as_str()))
        .await
        .unwrap();
    assert_eq!(answer.status, 302, "{}", answer.body);
    assert_eq!(answer.header("location"), format!("{REDIRECT}?state=bye"));
    let after = t
        .get_bearer("userinfo", refreshed.access_token().secret())
        .await;
    assert_eq!(after.status, 401);
    assert!(after.header("www-authenticate").contains("invalid_token"));
    assert!(t.flagged("userinfo", "PSC-TOKEN-REVOKED"));
    let refresh_after = t
        .post(
            "token",
            Some((CLIENT, SECRET)),
            &form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refreshed.refresh_token().unwrap().secret()),
            ]),
        )
        .await;
    assert_eq!(refresh_after.status, 400);
    assert!(refresh_after.body.contains("invalid_grant"));
}

#[tokio::test]
async fn psc_discovery_is_served_at_its_own_file_name_too() {
    let t = start().await;
    let path = path_of(&t.psc.discovery_url());
    assert!(path.ends_with("/auth/realms/esante-wallet/.well-known/wallet-openid-configuration"));
    let answer = t.issuer(None).await.get(&path).await.unwrap();
    assert_eq!(answer.status, 200);
    let doc: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(doc["issuer"], t.psc.issuer());
    assert_eq!(
        doc["backchannel_authentication_endpoint"],
        format!("{}/protocol/openid-connect/ext/ciba/auth", t.psc.issuer())
    );
    let jwks = t.jwks().await;
    assert_eq!(jwks["keys"][0]["kid"], key().kid());
    assert_eq!(jwks["keys"][0]["alg"], "RS256");
}

#[tokio::test]
async fn a_person_logs_in_on_the_french_page_and_the_sso_cookie_skips_it_next_time() {
    let t = start().await;
    let query = form(&[
        ("client_id", CLIENT),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid scope_all"),
        ("acr_values", "eidas1"),
        ("state", "s1"),
        ("nonce", "n1"),
    ]);
    let page = t.authorize(&query).await;
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    assert!(
        page.body.contains("S'authentifier avec e-CPS"),
        "{}",
        page.body
    );
    let tx = login_tx(&page.body);
    let mut wallet = t.wallet().await;
    let done = t.authenticate_on_page(&page.body, "dr-colin").await;
    assert_eq!(done.status, 302, "{}", done.body);
    assert!(query_param(done.header("location"), "code").is_some());
    let cookie = session_cookie(&done);

    // The page's transaction is single-use.
    let again = post_on(
        &mut wallet,
        "/auth/login",
        None,
        &form(&[
            ("tx", &tx),
            ("professional", "dr-colin"),
            ("action", "authenticate"),
        ]),
    )
    .await;
    assert_eq!(again.status, 400);

    // Same browser, new request: the SSO session answers without the page.
    let request = hyper::Request::builder()
        .uri(format!(
            "/auth?{}",
            query
                .replace("state=s1", "state=s2")
                .replace("nonce=n1", "nonce=n2")
        ))
        .header("cookie", cookie)
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    let sso = t.wallet().await.request(request).await.unwrap();
    assert_eq!(sso.status, 302, "{}", sso.body);
    assert_eq!(
        query_param(sso.header("location"), "state").as_deref(),
        Some("s2")
    );
    let code = query_param(sso.header("location"), "code").unwrap();
    let tokens = t.exchange_code(&code).await;
    let info = t
        .get_bearer("userinfo", tokens["access_token"].as_str().unwrap())
        .await;
    assert!(
        info.body.contains("899900100002"),
        "Dr Colin: {}",
        info.body
    );

    // Refusing on the page sends access_denied back.
    let page = t.authorize(&query.replace("state=s1", "state=s3")).await;
    let tx = login_tx(&page.body);
    let refused = post_on(
        &mut t.wallet().await,
        "/auth/login",
        None,
        &form(&[("tx", &tx), ("action", "refuse")]),
    )
    .await;
    assert_eq!(
        query_param(refused.header("location"), "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(
        query_param(refused.header("location"), "state").as_deref(),
        Some("s3")
    );
}

#[tokio::test]
async fn max_age_and_prompt_login_set_the_sso_session_aside() {
    let t = start().await;
    let query = |state: &str, extra: &[(&str, &str)]| {
        let mut pairs = vec![
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid scope_all"),
            ("acr_values", "eidas1"),
            ("state", state),
            ("nonce", state),
        ];
        pairs.extend_from_slice(extra);
        form(&pairs)
    };
    let page = t.authorize(&query("s1", &[])).await;
    let done = t.authenticate_on_page(&page.body, "dr-colin").await;
    let cookie = session_cookie(&done);
    let with_cookie = |query: String| {
        let cookie = cookie.clone();
        let t = &t;
        async move {
            let request = hyper::Request::builder()
                .uri(format!("/auth?{query}"))
                .header("cookie", cookie)
                .body(http_body_util::Full::new(bytes::Bytes::new()))
                .unwrap();
            t.wallet().await.request(request).await.unwrap()
        }
    };
    t.bench.clock().advance(time::Duration::minutes(10));
    // Authenticated ten minutes ago: max_age=3600 keeps the session, 60 does not.
    let kept = with_cookie(query("s2", &[("max_age", "3600")])).await;
    assert_eq!(kept.status, 302, "{}", kept.body);
    let code = query_param(kept.header("location"), "code").unwrap();
    let id_token = t.exchange_code(&code).await["id_token"]
        .as_str()
        .unwrap()
        .to_string();
    let payload = id_token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap();
    assert!(
        claims["auth_time"].is_i64(),
        "auth_time in the ID token: {claims}"
    );
    for extra in [[("max_age", "60")], [("prompt", "login")]] {
        let again = with_cookie(query("s3", &extra)).await;
        assert_eq!(again.status, 200, "{extra:?}: the login page again");
        assert!(
            again.body.contains("S'authentifier avec e-CPS"),
            "{extra:?}"
        );
    }
}
