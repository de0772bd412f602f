//! CIBA from the backchannel request to the tokens, with every error state reached
//! through the bench clock and the control API (in process and over HTTP).

mod support;

use segur_psc::{CibaDecision, CibaPolicy};
use serde_json::Value;
use support::*;
use time::Duration;

const GRANT: &str = "urn:openid:params:grant-type:ciba";

fn request(hint: &str) -> String {
    form(&[
        ("scope", "openid scope_all"),
        ("acr_values", "eidas1"),
        ("login_hint", hint),
        ("binding_message", "42"),
        ("channel", "CARD"),
    ])
}

/// Starts a CIBA request for Dr Legrand; its `auth_req_id`.
async fn begin(t: &TestBench) -> String {
    let ack = t
        .post("ext/ciba/auth", Some((CLIENT, SECRET)), &request(LEGRAND))
        .await;
    assert_eq!(ack.status, 200, "{}", ack.body);
    let ack: Value = serde_json::from_str(&ack.body).unwrap();
    assert_eq!(ack["expires_in"], 120);
    assert_eq!(ack["interval"], 1);
    ack["auth_req_id"].as_str().unwrap().to_string()
}

async fn poll(t: &TestBench, id: &str) -> (u16, Value) {
    let answer = t
        .post(
            "token",
            Some((CLIENT, SECRET)),
            &form(&[("grant_type", GRANT), ("auth_req_id", id)]),
        )
        .await;
    (answer.status, serde_json::from_str(&answer.body).unwrap())
}

#[tokio::test]
async fn a_request_is_pending_slowed_down_then_approved_through_the_control_api() {
    let t = start().await;
    t.bench.clock().freeze(None);
    let id = begin(&t).await;
    let (status, body) = poll(&t, &id).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending"))
    );
    // Again at once: faster than the interval.
    let (_, body) = poll(&t, &id).await;
    assert_eq!(body["error"], "slow_down");
    assert!(t.flagged("token", "PSC-CIBA-POLLING"));
    // slow_down added 5 s to the interval.
    t.bench.clock().advance(Duration::seconds(3));
    assert_eq!(poll(&t, &id).await.1["error"], "slow_down");
    t.bench.clock().advance(Duration::seconds(11));
    assert_eq!(poll(&t, &id).await.1["error"], "authorization_pending");

    let pending = t.psc.control().ciba_requests();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].binding_message.as_deref(), Some("42"));
    assert_eq!(pending[0].channel, "CARD");
    t.psc
        .control()
        .answer_ciba(&id, CibaDecision::Approve)
        .unwrap();
    t.bench.clock().advance(Duration::seconds(20));
    let (status, tokens) = poll(&t, &id).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["expires_in"], 120);
    assert!(tokens["refresh_expires_in"].as_i64().unwrap() > 0);
    assert!(tokens["session_state"].is_string());
    let info = t
        .get_bearer("userinfo", tokens["access_token"].as_str().unwrap())
        .await;
    assert_eq!(info.status, 200, "{}", info.body);
    assert!(info.body.contains(LEGRAND));
    // Delivered once.
    t.bench.clock().advance(Duration::seconds(20));
    assert_eq!(poll(&t, &id).await.1["error"], "invalid_grant");
}

#[tokio::test]
async fn denial_expiry_and_policies_end_requests() {
    let t = start().await;
    t.bench.clock().freeze(None);
    // Denied through the control API.
    let id = begin(&t).await;
    t.psc
        .control()
        .answer_ciba(&id, CibaDecision::Deny)
        .unwrap();
    assert_eq!(poll(&t, &id).await.1["error"], "access_denied");
    assert!(
        t.psc
            .control()
            .answer_ciba(&id, CibaDecision::Approve)
            .is_err(),
        "no longer pending"
    );

    // Expired: 120 s pass without an answer.
    let id = begin(&t).await;
    t.bench.clock().advance(Duration::seconds(121));
    assert_eq!(poll(&t, &id).await.1["error"], "expired_token");

    // A policy approves at the third poll.
    t.psc
        .control()
        .ciba_policy(
            "dr-legrand",
            Some(CibaPolicy {
                decision: CibaDecision::Approve,
                after_polls: 2,
            }),
        )
        .unwrap();
    let id = begin(&t).await;
    for _ in 0..2 {
        assert_eq!(poll(&t, &id).await.1["error"], "authorization_pending");
        t.bench.clock().advance(Duration::seconds(1));
    }
    assert_eq!(poll(&t, &id).await.0, 200);

    // A policy denies at once.
    t.psc
        .control()
        .ciba_policy(
            LEGRAND,
            Some(CibaPolicy {
                decision: CibaDecision::Deny,
                after_polls: 0,
            }),
        )
        .unwrap();
    let id = begin(&t).await;
    assert_eq!(poll(&t, &id).await.1["error"], "access_denied");
}

#[tokio::test]
async fn the_control_api_answers_ciba_requests_over_http() {
    use tower::ServiceExt;
    let t = start().await;
    let id = begin(&t).await;
    let control = segur_core::control::app(t.bench.clone());
    let call = |uri: String| {
        axum::http::Request::builder()
            .method("POST")
            .uri(uri)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let answer = control
        .clone()
        .oneshot(call(format!("/api/v1/psc/ciba/{id}/approve")))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(poll(&t, &id).await.0, 200);
    let again = control
        .oneshot(call(format!("/api/v1/psc/ciba/{id}/approve")))
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
}

#[tokio::test]
async fn bad_backchannel_requests_are_refused_with_ciba_errors() {
    let t = start().await;
    let cases = [
        (request("899999999999"), "unknown_user_id"),
        (request(LEGRAND).replace("CARD", "SMS"), "invalid_request"),
        (
            request(LEGRAND).replace("openid+scope_all", "scope_all"),
            "invalid_scope",
        ),
        (
            form(&[("scope", "openid scope_all"), ("acr_values", "eidas1")]),
            "invalid_request",
        ),
        (
            request(LEGRAND).replace("42", &"9".repeat(30)),
            "invalid_binding_message",
        ),
    ];
    for (body, error) in cases {
        let answer = t.post("ext/ciba/auth", Some((CLIENT, SECRET)), &body).await;
        assert_eq!(answer.status, 400, "{body}");
        assert!(answer.body.contains(error), "{body}: {}", answer.body);
        assert!(t.flagged("ciba", "PSC-CIBA-REQUEST"), "{body}");
    }
    // Tolerated but flagged: a binding message that is not two digits, no channel.
    let loose = form(&[
        ("scope", "openid scope_all"),
        ("acr_values", "eidas1"),
        ("login_hint", LEGRAND),
        ("binding_message", "hello"),
    ]);
    let answer = t
        .post("ext/ciba/auth", Some((CLIENT, SECRET)), &loose)
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        t.last_findings("ciba")
            .iter()
            .filter(|f| f.rule == "PSC-CIBA-REQUEST")
            .count(),
        2
    );
    // An unknown auth_req_id, and another client's.
    assert_eq!(poll(&t, "nope").await.1["error"], "invalid_grant");
    let unauthenticated = t.post("ext/ciba/auth", None, &request(LEGRAND)).await;
    assert_eq!(unauthenticated.status, 401);
}

#[tokio::test]
async fn an_mtls_client_uses_ciba_with_its_structure_certificate() {
    let t = start().await;
    let mut conn = t.issuer(Some("structure-ch-valbourg-auth")).await;
    let ack = post_on(
        &mut conn,
        &t.oidc_path("ext/ciba/auth"),
        None,
        &format!("{}&client_id={DPI}", request("899900100003")),
    )
    .await;
    assert_eq!(ack.status, 200, "{}", ack.body);
    let ack: Value = serde_json::from_str(&ack.body).unwrap();
    let id = ack["auth_req_id"].as_str().unwrap();
    // The reference LPS cannot poll the DPI's request.
    let (_, stolen) = poll(&t, id).await;
    assert_eq!(stolen["error"], "invalid_grant");
    t.psc
        .control()
        .answer_ciba(id, CibaDecision::Approve)
        .unwrap();
    let tokens = post_on(
        &mut conn,
        &t.oidc_path("token"),
        None,
        &form(&[
            ("grant_type", GRANT),
            ("auth_req_id", id),
            ("client_id", DPI),
        ]),
    )
    .await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
}
