//! Every route of the control API, through `app()` without a socket.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;

use super::app;
use crate::bench::Bench;
use crate::journal::{Exchange, Payload};

struct Fixture {
    bench: Bench,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let (bench, dir) = crate::testing::bench();
    Fixture { bench, _dir: dir }
}

async fn call(bench: &Bench, method: &str, uri: &str, body: Option<&str>) -> (StatusCode, Value) {
    let (status, bytes) = call_raw(bench, method, uri, body).await;
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, json)
}

async fn call_raw(
    bench: &Bench,
    method: &str,
    uri: &str,
    body: Option<&str>,
) -> (StatusCode, Vec<u8>) {
    let mut request = Request::builder().method(method).uri(uri);
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let request = request
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let response = app(bench.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, bytes.to_vec())
}

#[tokio::test]
async fn health_reports_services_and_journal_head() {
    let f = fixture();
    f.bench.register_service(
        "insi",
        [("soap".to_string(), "https://127.0.0.1:1/lps".to_string())].into(),
    );
    let (status, body) = call(&f.bench, "GET", "/api/v1/health", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["services"]["insi"]["soap"], "https://127.0.0.1:1/lps");
    assert_eq!(body["journal"]["records"], 0);
}

#[tokio::test]
async fn pki_lists_the_credentials() {
    let f = fixture();
    let (status, body) = call(&f.bench, "GET", "/api/v1/pki", None).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = body["index"]["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"insi-auto-cabinet-lilas"), "{names:?}");
    assert!(
        std::path::Path::new(body["dir"].as_str().unwrap()).is_absolute(),
        "{}",
        body["dir"]
    );

    let (status, pem) = call(
        &f.bench,
        "GET",
        "/api/v1/pki/pem/insi-auto-cabinet-lilas",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        pem["cert"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    assert!(pem["key"].as_str().unwrap().contains("PRIVATE KEY"));
    let (status, ca) = call(&f.bench, "GET", "/api/v1/pki/pem/ca", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ca["crl"].as_str().unwrap().contains("X509 CRL"));
    let (status, missing) = call(&f.bench, "GET", "/api/v1/pki/pem/nobody", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
}

#[tokio::test]
async fn world_is_read_and_patients_changed_and_added() {
    let f = fixture();
    let (status, world) = call(&f.bench, "GET", "/api/v1/world", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(world["patients"].as_array().unwrap().len() >= 30);

    let (status, patient) = call(&f.bench, "GET", "/api/v1/world/patients/petit-louis", None).await;
    assert_eq!(
        (status, patient["dmp"]["state"].as_str()),
        (StatusCode::OK, Some("absent"))
    );

    let change =
        r#"{"dmp": {"state": "open", "opened_on": "2026-11-22"}, "oppositions": ["feeding"]}"#;
    let (status, patient) = call(
        &f.bench,
        "PATCH",
        "/api/v1/world/patients/petit-louis",
        Some(change),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patient}");
    assert_eq!(patient["dmp"]["state"], "open");
    assert_eq!(
        f.bench
            .world()
            .patient("petit-louis")
            .unwrap()
            .oppositions
            .len(),
        1
    );

    let refused = r#"{"dmp": {"state": "open", "blocked": ["nobody"]}}"#;
    let (status, body) = call(
        &f.bench,
        "PATCH",
        "/api/v1/world/patients/petit-louis",
        Some(refused),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("unknown professional \"nobody\""),
        "{body}"
    );

    let (status, body) = call(
        &f.bench,
        "PATCH",
        "/api/v1/world/patients/nobody",
        Some("{}"),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    let (status, body) = call(
        &f.bench,
        "PATCH",
        "/api/v1/world/patients/petit-louis",
        Some(r#"{"colour": "blue"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`"),
        "{body}"
    );

    let new = json!({
        "id": "nouveau-patient",
        "traits": {"birth_name": "NOUVEAU", "first_names": ["JEAN"], "sex": "M", "birth_date": "1990-01-01", "birthplace": "75056"},
        "ins": {"matricule": "1900175056999", "key": "13", "oid": "1.2.250.1.213.1.4.10"}
    });
    let (status, body) = call(
        &f.bench,
        "POST",
        "/api/v1/world/patients",
        Some(&new.to_string()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "wrong key refused: {body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("computes to"),
        "{body}"
    );
    let mut good = new.clone();
    good["ins"]["key"] = json!(crate::world::ins::key_of("1900175056999").unwrap());
    let (status, _) = call(
        &f.bench,
        "POST",
        "/api/v1/world/patients",
        Some(&good.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(f.bench.world().patient("nouveau-patient").is_some());
    // Every change is in the journal.
    let ops: Vec<String> = f
        .bench
        .journal()
        .query(&Default::default())
        .unwrap()
        .iter()
        .map(|r| r.operation.clone())
        .collect();
    assert_eq!(ops, ["world.change_patient", "world.add_patient"]);
}

#[tokio::test]
async fn faults_are_armed_listed_and_disarmed() {
    let f = fixture();
    let spec = r#"{"service": "insi", "operation": "rechercherInsAvecTraitsIdentite", "times": 2, "action": {"kind": "protocol_error", "code": "siram_40"}}"#;
    let (status, armed) = call(&f.bench, "POST", "/api/v1/faults", Some(spec)).await;
    assert_eq!(status, StatusCode::CREATED, "{armed}");
    assert_eq!(armed["remaining"], 2);
    let (_, list) = call(&f.bench, "GET", "/api/v1/faults", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(
        f.bench
            .faults()
            .take("insi", "rechercherInsAvecTraitsIdentite")
            .is_some()
    );
    let id = armed["id"].as_u64().unwrap();
    let (status, _) = call(&f.bench, "DELETE", &format!("/api/v1/faults/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&f.bench, "DELETE", &format!("/api/v1/faults/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = call(
        &f.bench,
        "POST",
        "/api/v1/faults",
        Some(r#"{"service": "insi", "times": 0, "action": {"kind": "drop_connection"}}"#),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["message"].as_str().unwrap().contains("times"),
        "{body}"
    );
    call(
        &f.bench,
        "POST",
        "/api/v1/faults",
        Some(r#"{"service": "dmp", "action": {"kind": "delay", "millis": 5}}"#),
    )
    .await;
    let (status, _) = call(&f.bench, "DELETE", "/api/v1/faults", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(f.bench.faults().list().is_empty());
}

#[tokio::test]
async fn the_journal_is_queried_verified_and_its_bodies_read() {
    let f = fixture();
    let journal = f.bench.journal();
    journal
        .append(
            Exchange::new("insi", "rechercherInsAvecTraitsIdentite")
                .request(Payload::new("<q/>").content_type("application/soap+xml")),
        )
        .unwrap();
    journal.append(Exchange::new("dmp", "TD0.2")).unwrap();
    let (status, body) = call(&f.bench, "GET", "/api/v1/journal?service=insi", None).await;
    assert_eq!((status, body["count"].as_u64()), (StatusCode::OK, Some(1)));
    assert_eq!(
        body["records"][0]["operation"],
        "rechercherInsAvecTraitsIdentite"
    );
    let (_, body) = call(&f.bench, "GET", "/api/v1/journal?after_seq=1&limit=5", None).await;
    assert_eq!(body["records"][0]["service"], "dmp");
    let (status, body) = call(&f.bench, "GET", "/api/v1/journal?since=yesterday", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("since"),
        "{body}"
    );
    let (status, body) = call(&f.bench, "GET", "/api/v1/journal/verify", None).await;
    assert_eq!(
        (status, body["ok"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{body}"
    );
    assert_eq!(body["report"]["records"], 2);
    let (status, bytes) =
        call_raw(&f.bench, "GET", "/api/v1/journal/records/1/request", None).await;
    assert_eq!(
        (status, bytes.as_slice()),
        (StatusCode::OK, b"<q/>".as_slice())
    );
    let (status, _) = call(&f.bench, "GET", "/api/v1/journal/records/2/request", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&f.bench, "GET", "/api/v1/journal/records/9/response", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_journal_streams_new_records_as_server_sent_events() {
    let f = fixture();
    let request = Request::builder()
        .uri("/api/v1/journal/stream?service=insi")
        .body(Body::empty())
        .unwrap();
    let response = app(f.bench.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    let journal = f.bench.journal().clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        journal.append(Exchange::new("dmp", "skipped")).unwrap();
        journal.append(Exchange::new("insi", "streamed")).unwrap();
    });
    let mut body = response.into_body().into_data_stream();
    use futures_util::StreamExt;
    let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), body.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&chunk);
    assert!(
        text.contains("event: record")
            && text.contains("\"operation\":\"streamed\"")
            && !text.contains("skipped"),
        "{text}"
    );
}

#[tokio::test]
async fn the_clock_is_frozen_advanced_resumed_and_reset() {
    let f = fixture();
    let (status, body) = call(
        &f.bench,
        "POST",
        "/api/v1/clock/freeze",
        Some(r#"{"at": "2026-01-15T10:00:00Z"}"#),
    )
    .await;
    assert_eq!(
        (status, body["mode"].as_str()),
        (StatusCode::OK, Some("frozen"))
    );
    let (_, body) = call(
        &f.bench,
        "POST",
        "/api/v1/clock/advance",
        Some(r#"{"seconds": 180}"#),
    )
    .await;
    assert_eq!(body["now"], "2026-01-15T10:03:00Z");
    let (_, body) = call(&f.bench, "GET", "/api/v1/clock", None).await;
    assert_eq!(body["now"], "2026-01-15T10:03:00Z");
    let (status, body) = call(
        &f.bench,
        "POST",
        "/api/v1/clock/advance",
        Some(r#"{"seconds": "soon"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().is_some());
    let (_, body) = call(&f.bench, "POST", "/api/v1/clock/resume", None).await;
    assert_eq!(body["mode"], "running");
    let (_, body) = call(&f.bench, "POST", "/api/v1/clock/reset", None).await;
    assert_eq!(body["offset_seconds"], 0);
    let (status, body) = call(&f.bench, "POST", "/api/v1/clock/freeze", None).await;
    assert_eq!(
        (status, body["mode"].as_str()),
        (StatusCode::OK, Some("frozen"))
    );
}

#[tokio::test]
async fn the_scenario_tag_is_set_stamped_and_cleared_and_reset_restores_everything() {
    let f = fixture();
    let (status, _) = call(
        &f.bench,
        "PUT",
        "/api/v1/scenario",
        Some(r#"{"name": "INS/va1.52"}"#),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = call(&f.bench, "GET", "/api/v1/scenario", None).await;
    assert_eq!(body["scenario"], "INS/va1.52");
    let record = f
        .bench
        .journal()
        .append(Exchange::new("insi", "x"))
        .unwrap();
    assert_eq!(record.scenario.as_deref(), Some("INS/va1.52"));
    let (status, _) = call(&f.bench, "DELETE", "/api/v1/scenario", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(f.bench.journal().scenario(), None);

    call(
        &f.bench,
        "PATCH",
        "/api/v1/world/patients/petit-louis",
        Some(r#"{"mes_activated": false}"#),
    )
    .await;
    call(
        &f.bench,
        "POST",
        "/api/v1/faults",
        Some(r#"{"service": "psc", "action": {"kind": "drop_connection"}}"#),
    )
    .await;
    call(
        &f.bench,
        "POST",
        "/api/v1/clock/advance",
        Some(r#"{"seconds": 3600}"#),
    )
    .await;
    let (status, _) = call(&f.bench, "POST", "/api/v1/reset", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(
        f.bench
            .world()
            .patient("petit-louis")
            .unwrap()
            .mes_activated
    );
    assert!(f.bench.faults().list().is_empty());
    assert_eq!(f.bench.clock().status().mode, "running");
    assert!(f.bench.clock().status().offset_seconds.abs() <= 1);
}

#[tokio::test]
async fn bad_json_gets_a_400_with_a_message_and_unknown_routes_a_404() {
    let f = fixture();
    for (method, uri) in [
        ("POST", "/api/v1/faults"),
        ("PUT", "/api/v1/scenario"),
        ("POST", "/api/v1/world/patients"),
        ("POST", "/api/v1/clock/advance"),
    ] {
        let (status, body) = call(&f.bench, method, uri, Some("{not json")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {uri}");
        assert_eq!(body["error"], "bad_request");
        assert!(!body["message"].as_str().unwrap().is_empty());
    }
    let (status, body) = call_raw(&f.bench, "POST", "/api/v1/faults", None).await;
    assert_eq!(
        status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (status, body) = call(&f.bench, "GET", "/api/v1/nope", None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = call(&f.bench, "GET", "/elsewhere", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_service_mounts_its_own_control_routes() {
    use axum::extract::Query;
    use axum::routing::post;
    let f = fixture();
    let (status, body) = call(&f.bench, "POST", "/api/v1/psc/keys/rotate", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    f.bench.mount_control(
        "psc",
        axum::Router::new().route(
            "/keys/rotate",
            post(
                |Query(q): Query<std::collections::HashMap<String, String>>| async move {
                    axum::Json(json!({ "rotated": true, "reason": q.get("reason") }))
                },
            ),
        ),
    );
    let (status, body) = call(
        &f.bench,
        "POST",
        "/api/v1/psc/keys/rotate?reason=test",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "rotated": true, "reason": "test" }));
    // The service's own router answers its unknown paths.
    let (status, _) = call(&f.bench, "POST", "/api/v1/psc/nothing", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Built-in routes keep priority.
    let (status, _) = call(&f.bench, "GET", "/api/v1/health", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn extensions_are_found_by_type() {
    let f = fixture();
    assert!(f.bench.extension::<String>().is_none());
    f.bench
        .provide(std::sync::Arc::new(String::from("validator")));
    assert_eq!(
        f.bench.extension::<String>().as_deref().map(String::as_str),
        Some("validator")
    );
    assert!(f.bench.extension::<u32>().is_none());
}
