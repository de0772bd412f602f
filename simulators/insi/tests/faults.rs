//! Each fault and each header deviation, over a real TLS connection with the PKI's
//! certificates: refused the way the service refuses, or tolerated with a finding.

mod support;

use std::time::Duration;

use segur_core::faults::{FaultAction, FaultSpec};
use segur_core::journal::Query;
use segur_core::testing::https::{Connection, tls_config};
use segur_insi::InsiConfig;
use segur_insi::query::TraitsQuery;
use segur_insi::request::InsiRequest;
use support::{AUTO, TestBench, pki, start};

fn dominique() -> TraitsQuery {
    TraitsQuery {
        birth_name: Some("ADRTROIS".into()),
        first_names: vec!["DOMINIQUE".into()],
        sex: Some("F".into()),
        birth_date: Some("1997-02-26".into()),
        birthplace: None,
    }
}

fn search() -> InsiRequest {
    InsiRequest::search_by_traits(&dominique())
}

/// What a call must give: HTTP status, a fragment of the answer, and a rule in the journal.
struct Expect {
    status: u16,
    contains: &'static [&'static str],
    rule: Option<&'static str>,
}

async fn check(bench: &TestBench, name: &str, content_type: &str, xml: String, expect: Expect) {
    let answer = bench
        .mtls(AUTO)
        .await
        .send("POST", "/lps", content_type, xml)
        .await
        .expect("an HTTP answer");
    assert_eq!(answer.status, expect.status, "{name}: {}", answer.body);
    for fragment in expect.contains {
        assert!(
            answer.body.contains(fragment),
            "{name}: {fragment:?} missing from\n{}",
            answer.body
        );
    }
    let record = bench.last();
    if let Some(rule) = expect.rule {
        assert!(
            record.has_rule(rule),
            "{name}: no {rule} finding in {:?}",
            record.findings
        );
    }
}

#[tokio::test]
async fn header_deviations_are_refused_or_tolerated_as_the_service_does() {
    let bench = start(InsiConfig::default()).await;
    let ok = search();
    let ct = ok.content_type();
    let table: Vec<(&str, String, String, Expect)> = vec![
        (
            "unknown IDAM",
            ct.clone(),
            search()
                .idam("PDP17NF21DD0")
                .message_id("uuid:m-1")
                .to_xml(),
            Expect {
                status: 500,
                contains: &[
                    "soap:siram_100",
                    "code=\"desir_550\"",
                    "messageID=\"uuid:m-1\"",
                    "severite=\"erreur\"",
                ],
                rule: Some("INSI-CTXLPS"),
            },
        ),
        (
            "no IDAM",
            ct.clone(),
            search().without_idam().to_xml(),
            Expect {
                status: 500,
                contains: &["desir_550"],
                rule: Some("INSI-CTXLPS"),
            },
        ),
        (
            "no ContexteLPS",
            ct.clone(),
            search().without_context_lps().to_xml(),
            Expect {
                status: 500,
                contains: &["desir_550"],
                rule: Some("INSI-CTXLPS"),
            },
        ),
        (
            "no ContexteBAM",
            ct.clone(),
            search().without_context_bam().to_xml(),
            Expect {
                status: 500,
                contains: &["soap:Sender", "ContexteBAM absent"],
                rule: Some("INSI-CTXBAM"),
            },
        ),
        (
            "no COUVERTURE",
            ct.clone(),
            search().without_couverture().to_xml(),
            Expect {
                status: 500,
                contains: &["COUVERTURE"],
                rule: Some("INSI-CTXBAM"),
            },
        ),
        (
            "ContexteLPS Temps not a date",
            ct.clone(),
            search()
                .to_xml()
                .replace("<lps:Temps>2026-11-22T10:00:00.000Z", "<lps:Temps>hier"),
            Expect {
                status: 500,
                contains: &["xs:dateTime"],
                rule: Some("INSI-CTXLPS"),
            },
        ),
        (
            "kit's ContexteLPS version 1.00.00 (tolerated)",
            ct.clone(),
            search()
                .to_xml()
                .replace("Version=\"01_00\"", "Version=\"1.00.00\""),
            Expect {
                status: 200,
                contains: &["<CodeCR>00</CodeCR>"],
                rule: Some("INSI-CONTEXT-TOLERATED"),
            },
        ),
        (
            "no wsa:MessageID (tolerated)",
            ct.clone(),
            search().without_message_id().to_xml(),
            Expect {
                status: 200,
                contains: &["<CodeCR>00</CodeCR>"],
                rule: Some("INSI-MESSAGEID-MISSING"),
            },
        ),
        (
            "no wsa:Action (tolerated, content type names it)",
            ct.clone(),
            search().without_wsa_action().to_xml(),
            Expect {
                status: 200,
                contains: &["<CodeCR>00</CodeCR>"],
                rule: Some("INSI-ACTION-INCONSISTENT"),
            },
        ),
        (
            "unknown action",
            search()
                .action("urn:ServiceIdentiteCertifiee:1.0.0:supprimerIns")
                .content_type(),
            search()
                .action("urn:ServiceIdentiteCertifiee:1.0.0:supprimerIns")
                .to_xml(),
            Expect {
                status: 500,
                contains: &["wsa:ActionNotSupported", "supprimerIns"],
                rule: Some("INSI-ACTION-UNKNOWN"),
            },
        ),
        (
            "lower-case traits (tolerated and matched, with a finding)",
            ct.clone(),
            search()
                .to_xml()
                .replace(">ADRTROIS<", ">adrtrois<")
                .replace(">DOMINIQUE<", ">Dominique<"),
            Expect {
                status: 200,
                contains: &["<CodeCR>00</CodeCR>"],
                rule: Some("INSI-TRAITS-FORMAT"),
            },
        ),
        (
            "an unknown header block marked mustUnderstand",
            ct.clone(),
            search().to_xml().replacen(
                "<soap:Header>",
                "<soap:Header><x:Trace xmlns:x=\"urn:editeur:trace\" soap:mustUnderstand=\"true\">1</x:Trace>",
                1,
            ),
            Expect {
                status: 500,
                contains: &[
                    "<soap:Value>soap:MustUnderstand</soap:Value>",
                    "<soap:NotUnderstood qname=\"nu0:Trace\" xmlns:nu0=\"urn:editeur:trace\"/>",
                ],
                rule: Some("INSI-MUST-UNDERSTAND"),
            },
        ),
        (
            "an unknown header block without mustUnderstand (ignored, as SOAP 1.2 says)",
            ct.clone(),
            search().to_xml().replacen(
                "<soap:Header>",
                "<soap:Header><x:Trace xmlns:x=\"urn:editeur:trace\">1</x:Trace>",
                1,
            ),
            Expect {
                status: 200,
                contains: &["<CodeCR>00</CodeCR>"],
                rule: None,
            },
        ),
        (
            "a traits search without the birth date (refused, not answered)",
            ct.clone(),
            InsiRequest::search_by_traits(&TraitsQuery {
                birth_date: None,
                ..dominique()
            })
            .to_xml(),
            Expect {
                status: 500,
                contains: &["bench_requete_non_conforme", "DateNaissance"],
                rule: Some("INSI-TRAITS-MISSING"),
            },
        ),
        (
            "a verification without the INS key",
            ct.clone(),
            InsiRequest::verify(
                &segur_core::world::Ins {
                    matricule: "297022A020778".into(),
                    key: String::new(),
                    oid: "1.2.250.1.213.1.4.8".into(),
                },
                &dominique(),
            )
            .to_xml(),
            Expect {
                status: 500,
                contains: &["bench_requete_non_conforme", "Cle"],
                rule: Some("INSI-SOAP-MALFORMED"),
            },
        ),
    ];
    for (name, content_type, xml, expect) in table {
        check(&bench, name, &content_type, xml, expect).await;
    }
}

#[tokio::test]
async fn the_certificate_cn_gives_the_mode_or_desir_560() {
    let bench = start(InsiConfig::default()).await;
    let request = search();
    for (credential, status, fragment, mode) in [
        (
            "insi-auto-ch-valbourg",
            200,
            "<CodeCR>00</CodeCR>",
            Some("AUTO"),
        ),
        (
            "insi-manu-pharmacie-marche",
            200,
            "<CodeCR>00</CodeCR>",
            Some("MANU"),
        ),
        ("negative-insi-cn", 500, "DESIR_560", None),
        ("structure-cabinet-lilas-auth", 500, "DESIR_560", None),
    ] {
        let answer = bench
            .mtls(credential)
            .await
            .send("POST", "/lps", &request.content_type(), request.to_xml())
            .await
            .unwrap();
        assert_eq!(answer.status, status, "{credential}: {}", answer.body);
        assert!(
            answer.body.contains(fragment),
            "{credential}: {}",
            answer.body
        );
        let record = bench.last();
        let summary = &record.request.as_ref().unwrap().summary;
        match mode {
            Some(m) => assert_eq!(summary["mode"], m, "{credential}"),
            None => assert!(record.has_rule("INSI-CERTIFICATE-CN"), "{credential}"),
        }
        assert!(record.peer.as_ref().unwrap().cert_fingerprint.is_some());
    }
}

#[tokio::test]
async fn refused_certificates_never_reach_the_service_and_are_journaled() {
    let bench = start(InsiConfig::default()).await;
    for credential in [
        "negative-expired",
        "negative-revoked",
        "negative-unknown-ca",
    ] {
        let connection =
            Connection::open(bench.insi.mtls_url(), tls_config(pki(), Some(credential))).await;
        let refused = match connection {
            Err(_) => true,
            // TLS 1.3: the client learns of the refusal on its first read.
            Ok(mut c) => c
                .send("POST", "/lps", &search().content_type(), search().to_xml())
                .await
                .is_err(),
        };
        assert!(refused, "{credential} was accepted");
    }
    // No certificate at all on the mTLS door.
    let bare = Connection::open(bench.insi.mtls_url(), tls_config(pki(), None)).await;
    let refused = match bare {
        Err(_) => true,
        Ok(mut c) => c
            .send("POST", "/lps", &search().content_type(), search().to_xml())
            .await
            .is_err(),
    };
    assert!(refused);
    let mut q = Query::service("insi");
    q.rule = Some("TLS-HANDSHAKE-REJECTED".into());
    bench
        .bench
        .journal()
        .wait_for(&q, Duration::from_secs(5))
        .await
        .expect("the refused handshakes are journaled");
}

fn arm(bench: &TestBench, action: FaultAction) {
    bench
        .bench
        .faults()
        .arm(FaultSpec {
            service: "insi".into(),
            operation: Some("rechercherInsAvecTraitsIdentite".into()),
            times: 1,
            action,
        })
        .unwrap();
}

#[tokio::test]
async fn injected_faults_unavailable_http_500_delay_and_dropped_connection() {
    let bench = start(InsiConfig::default()).await;
    let request = search().message_id("uuid:fault-1");

    arm(
        &bench,
        FaultAction::ProtocolError {
            code: "siram_40".into(),
            message: None,
            detail: None,
        },
    );
    let a = bench.call(&request).await;
    assert_eq!(a.status, 500);
    for fragment in [
        "soap:Receiver",
        "soap:siram_40",
        "code=\"insi_102\"",
        "severite=\"fatal\"",
        "messageID=\"uuid:fault-1\"",
    ] {
        assert!(a.body.contains(fragment), "{fragment}: {}", a.body);
    }
    // Armed for one call: the next one is answered.
    assert!(
        bench
            .call(&request)
            .await
            .body
            .contains("<CodeCR>00</CodeCR>")
    );

    arm(
        &bench,
        FaultAction::HttpStatus {
            status: 500,
            body: None,
        },
    );
    let a = bench.call(&request).await;
    assert_eq!(a.status, 500);
    assert!(
        a.content_type.starts_with("text/plain"),
        "{}",
        a.content_type
    );

    arm(&bench, FaultAction::Delay { millis: 600 });
    let mut c = bench.mtls(AUTO).await;
    let late = tokio::time::timeout(
        Duration::from_millis(200),
        c.send("POST", "/lps", &request.content_type(), request.to_xml()),
    )
    .await;
    assert!(
        late.is_err(),
        "the answer should come after the client's timeout"
    );
    let slow = tokio::time::Instant::now();
    let a = bench.call(&request).await;
    assert!(a.body.contains("<CodeCR>00</CodeCR>"));
    assert!(
        slow.elapsed() < Duration::from_millis(500),
        "the delay was for one call only"
    );

    arm(&bench, FaultAction::DropConnection);
    let dropped = bench
        .mtls(AUTO)
        .await
        .send("POST", "/lps", &request.content_type(), request.to_xml())
        .await;
    assert!(dropped.is_err(), "expected no answer, got {dropped:?}");
    assert_eq!(
        bench.last().response.as_ref().unwrap().summary["dropped"],
        true
    );
}

/// PSC mode: an `Authorization` header the bench's PSC cannot vouch for is refused with
/// DESIR_560 and journaled, whatever the certificate (INS/PSC.01). A valid token is
/// played end to end by the scenario « Appel INSi authentifié par Pro Santé Connect ».
#[tokio::test]
async fn a_psc_token_the_bench_did_not_issue_is_refused() {
    let bench = start(InsiConfig::default()).await;
    let request = search();
    for authorization in ["Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "Basic dXNlcjpwYXNz"] {
        let http = hyper::Request::builder()
            .method("POST")
            .uri("/lps")
            .header("content-type", request.content_type())
            .header("authorization", authorization)
            .body(http_body_util::Full::new(bytes::Bytes::from(
                request.to_xml(),
            )))
            .unwrap();
        let answer = bench.mtls(AUTO).await.request(http).await.unwrap();
        assert_eq!(answer.status, 500, "{authorization}: {}", answer.body);
        assert!(answer.body.contains("DESIR_560"), "{}", answer.body);
        assert!(bench.last().has_rule("INSI-PSC-TOKEN"), "{authorization}");
    }
    // Without the header, the same certificate is an ordinary AUTO call.
    let answer = bench.call(&request).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        bench.last().request.as_ref().unwrap().summary["mode"],
        "AUTO"
    );
}
