//! The directory on an ephemeral port, spoken to over HTTPS as an LPS does: searches with
//! the API key, the refusals a careless client meets, the extraction, the journal.

use bytes::Bytes;
use http_body_util::Full;
use segur_annuaire::{API_KEY, API_KEY_HEADER, AnnuaireHandle, AnnuaireSimulator};
use segur_core::bench::Bench;
use segur_core::journal::{Query, Record};
use segur_core::testing::https::{Answer, Connection, tls_config};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt as _;

struct TestBench {
    bench: Bench,
    annuaire: AnnuaireHandle,
    _dir: tempfile::TempDir,
}

async fn start() -> TestBench {
    let (bench, dir) = segur_core::testing::bench();
    let annuaire = AnnuaireSimulator::builder(bench.clone())
        .start()
        .await
        .expect("the directory starts");
    TestBench {
        bench,
        annuaire,
        _dir: dir,
    }
}

impl TestBench {
    fn base(&self) -> String {
        self.annuaire.endpoints()["fhir"].clone()
    }

    async fn connect(&self) -> Connection {
        Connection::open(&self.base(), tls_config(self.bench.pki(), None))
            .await
            .expect("TLS connection")
    }

    /// GET `path` (below the origin) with these headers.
    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = hyper::Request::builder().method("GET").uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(Bytes::new())).expect("request");
        self.connect().await.request(request).await.expect("answer")
    }

    async fn search(&self, path: &str) -> Answer {
        self.get(path, &[(API_KEY_HEADER, API_KEY)]).await
    }

    fn records(&self) -> Vec<Arc<Record>> {
        let mut q = Query::service("annuaire");
        q.limit = Some(10_000);
        self.bench.journal().query(&q).expect("journal")
    }

    fn last(&self) -> Arc<Record> {
        self.records().last().cloned().expect("a record")
    }
}

fn json(answer: &Answer) -> Value {
    serde_json::from_str(&answer.body).unwrap_or_else(|e| panic!("{e}: {}", answer.body))
}

#[tokio::test]
async fn a_correspondent_s_mailbox_is_found_by_name_with_the_key() {
    let t = start().await;
    let answer = t
        .search("/fhir/v2/Practitioner?family=colin&given=anne")
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.content_type.starts_with("application/fhir+json"));
    let bundle = json(&answer);
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["total"], 1);
    let telecom = &bundle["entry"][0]["resource"]["telecom"][0];
    assert_eq!(telecom["value"], "anne.colin@medecin.mssante.fr");
    let record = t.last();
    assert_eq!(record.operation, "search Practitioner");
    assert!(record.findings.is_empty(), "{:?}", record.findings);
    assert_eq!(
        record.response.as_ref().unwrap().summary["ids"][0],
        "003-899900100002"
    );
    // Read by id, and a structure's mailboxes by type.
    let read = t.search("/fhir/v2/Practitioner/003-899900100002").await;
    assert_eq!(json(&read)["name"][0]["family"], "COLIN");
    let orgs = t
        .search("/fhir/v2/Organization?mailbox-mss-type=ORG&type=SA01")
        .await;
    assert_eq!(
        json(&orgs)["entry"][0]["resource"]["name"],
        "Centre hospitalier de Valbourg"
    );
}

#[tokio::test]
async fn careless_requests_are_refused_with_an_operation_outcome_and_a_finding() {
    let t = start().await;
    // (path, headers, status, rule)
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], u16, &'a str);
    let cases: &[Case] = &[
        (
            "/fhir/v2/Practitioner?family=colin",
            &[],
            401,
            "ANN-API-KEY",
        ),
        (
            "/fhir/v2/Practitioner?family=colin",
            &[(API_KEY_HEADER, "not-the-key")],
            401,
            "ANN-API-KEY",
        ),
        (
            "/fhir/v2/Practitioner?nom=colin",
            &[(API_KEY_HEADER, API_KEY)],
            400,
            "ANN-SEARCH-PARAMETER",
        ),
        (
            "/fhir/v2/Patient?family=colin",
            &[(API_KEY_HEADER, API_KEY)],
            404,
            "ANN-REQUEST",
        ),
        (
            "/fhir/v2/Practitioner?family=colin",
            &[
                (API_KEY_HEADER, API_KEY),
                ("accept", "application/fhir+xml"),
            ],
            406,
            "ANN-REQUEST",
        ),
        ("/annuaire", &[], 404, "ANN-REQUEST"),
    ];
    for (path, headers, status, rule) in cases {
        let answer = t.get(path, headers).await;
        assert_eq!(answer.status, *status, "{path}: {}", answer.body);
        assert_eq!(json(&answer)["resourceType"], "OperationOutcome", "{path}");
        let record = t.last();
        assert!(
            record.findings.iter().any(|f| f.rule == *rule),
            "{path}: {:?}",
            record.findings
        );
    }
    // An unknown id is no fault of the client's: 404, no finding.
    let answer = t.search("/fhir/v2/Practitioner/003-000").await;
    assert_eq!(answer.status, 404);
    assert!(t.last().findings.is_empty());
    // Another method than GET.
    let mut c = t.connect().await;
    let answer = c
        .send(
            "POST",
            "/fhir/v2/Practitioner",
            "application/fhir+json",
            "{}",
        )
        .await
        .expect("answer");
    assert_eq!(answer.status, 405);
}

#[tokio::test]
async fn a_closed_mailbox_disappears_and_a_renamed_professional_is_found_under_the_new_name() {
    let t = start().await;
    let control = t.bench.control_routes("annuaire").expect("mounted");
    let post = |path: &'static str, body: &'static str| {
        let control = control.clone();
        async move {
            let request = axum::http::Request::builder()
                .method("POST")
                .uri(path)
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body))
                .expect("request");
            control
                .oneshot(request)
                .await
                .expect("answer")
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        post(
            "/mailboxes/close",
            r#"{"address":"anne.colin@medecin.mssante.fr"}"#
        )
        .await,
        204
    );
    assert_eq!(
        post(
            "/practitioners/899900100002",
            r#"{"family_name":"COLIN-MARTY"}"#
        )
        .await,
        204
    );
    assert_eq!(
        post("/practitioners/000", r#"{"family_name":"X"}"#).await,
        404
    );
    let bundle = json(&t.search("/fhir/v2/Practitioner?family=colin-marty").await);
    assert_eq!(bundle["total"], 1);
    assert!(bundle["entry"][0]["resource"]["telecom"].is_null());
    let none = json(
        &t.search("/fhir/v2/Practitioner?mailbox-mss=anne.colin@medecin.mssante.fr")
            .await,
    );
    assert_eq!(none["total"], 0);
}

#[tokio::test]
async fn the_extraction_is_a_dated_zip_and_is_journaled() {
    let t = start().await;
    let answer = t.get("/extractions/PS_LibreAcces.zip", &[]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "application/zip");
    assert!(
        answer
            .header("content-disposition")
            .starts_with("attachment; filename=\"PS_LibreAcces_"),
        "{}",
        answer.header("content-disposition")
    );
    let record = t.last();
    assert_eq!(record.operation, "extraction");
    assert_eq!(
        record.response.as_ref().unwrap().summary["lines"],
        t.annuaire.directory().roles.len()
    );
}
