//! The CPx door: a card assertion in `wsse:Security`, checked for issuer, NameID,
//! attributes, validity window and (strict mode) a signature by a card of the test PKI;
//! and the DMP kit's official request sample, answered rather than refused.

mod support;

use rustls_pki_types::PrivateKeyDer;
use segur_core::xmldsig::{SIGNATURE_PLACEHOLDER, sign_enveloped};
use segur_insi::query::TraitsQuery;
use segur_insi::request::InsiRequest;
use segur_insi::{InsiConfig, SignaturePolicy};
use support::{fixture, pki, start};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";

/// An assertion as a card middleware makes it, signed with `card`'s key unless `None`.
fn assertion(card: Option<&str>, issued: OffsetDateTime, name_qualifier: &str) -> String {
    let template = format!(
        r#"<saml2:Assertion xmlns:saml2="{SAML}" ID="_cpx1" IssueInstant="{}" Version="2.0"><saml2:Issuer Format="urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName">CN=899900100001/LEGRAND/Camille</saml2:Issuer>{SIGNATURE_PLACEHOLDER}<saml2:Subject><saml2:NameID NameQualifier="{name_qualifier}">899900100001</saml2:NameID></saml2:Subject><saml2:AttributeStatement><saml2:Attribute Name="identifiantFacturation"><saml2:AttributeValue>991130972</saml2:AttributeValue></saml2:Attribute><saml2:Attribute Name="secteurActivite"><saml2:AttributeValue>SA08</saml2:AttributeValue></saml2:Attribute></saml2:AttributeStatement></saml2:Assertion>"#,
        issued.format(&Rfc3339).unwrap()
    );
    match card {
        None => template.replace(SIGNATURE_PLACEHOLDER, ""),
        Some(name) => {
            let credential = pki().credential(name).unwrap();
            let PrivateKeyDer::Pkcs8(key) = &credential.key else {
                panic!("PKCS#8")
            };
            sign_enveloped(
                &template,
                "_cpx1",
                key.secret_pkcs8_der(),
                credential.chain[0].as_ref(),
            )
            .unwrap()
        }
    }
}

fn search() -> InsiRequest {
    InsiRequest::search_by_traits(&TraitsQuery {
        birth_name: Some("ADRTROIS".into()),
        first_names: vec!["DOMINIQUE".into()],
        sex: Some("F".into()),
        birth_date: Some("1997-02-26".into()),
        birthplace: None,
    })
}

#[tokio::test]
async fn card_assertions_are_checked_strictly_by_default() {
    let bench = start(InsiConfig::default()).await;
    let now = bench.bench.clock().now();
    let signed = assertion(Some("card-dr-legrand"), now, "CPS");
    let table: Vec<(&str, Option<String>, u16, Option<&str>)> = vec![
        ("signed by the card", Some(signed.clone()), 200, None),
        ("no assertion", None, 500, Some("INSI-CPX-ASSERTION")),
        (
            "unsigned",
            Some(assertion(None, now, "CPS")),
            500,
            Some("INSI-CPX-SIGNATURE"),
        ),
        (
            "changed after signing",
            Some(signed.replace(">991130972<", ">991130973<")),
            500,
            Some("INSI-CPX-SIGNATURE"),
        ),
        (
            "signed by a certificate of an unknown CA",
            Some(assertion(Some("negative-unknown-ca"), now, "CPS")),
            500,
            Some("INSI-CPX-SIGNATURE"),
        ),
        (
            "NameQualifier not CPS",
            Some(assertion(Some("card-dr-legrand"), now, "RPPS")),
            500,
            Some("INSI-CPX-ASSERTION"),
        ),
        (
            "issued two hours ago",
            Some(assertion(
                Some("card-dr-legrand"),
                now - time::Duration::hours(2),
                "CPS",
            )),
            500,
            Some("INSI-CPX-VALIDITY"),
        ),
    ];
    for (name, assertion, status, rule) in table {
        let request = match &assertion {
            Some(a) => search().assertion(a),
            None => search(),
        };
        let answer = bench.call_cpx(&request).await;
        assert_eq!(answer.status, status, "{name}: {}", answer.body);
        let record = bench.last();
        match rule {
            Some(rule) => {
                assert!(answer.body.contains("bench_assertion_refusee"), "{name}");
                assert!(record.has_rule(rule), "{name}: {:?}", record.findings);
            }
            None => {
                let summary = &record.request.as_ref().unwrap().summary;
                assert_eq!(summary["mode"], "CPx");
                assert_eq!(summary["caller"]["identity"], "899900100001");
            }
        }
    }
}

#[tokio::test]
async fn lenient_mode_journals_a_bad_signature_and_answers() {
    let bench = start(InsiConfig {
        signatures: SignaturePolicy::Lenient,
        ..InsiConfig::default()
    })
    .await;
    let now = bench.bench.clock().now();
    let tampered =
        assertion(Some("card-dr-legrand"), now, "CPS").replace(">991130972<", ">991130973<");
    let answer = bench.call_cpx(&search().assertion(&tampered)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let record = bench.last();
    let finding = record
        .findings
        .iter()
        .find(|f| f.rule == "INSI-CPX-SIGNATURE")
        .expect("the bad signature is a finding");
    assert!(
        finding.message.contains("digest mismatch"),
        "{}",
        finding.message
    );
}

/// The DMP kit's official INSi request: CPx mode, signed by a real test card (expired
/// since 2021, and the message was edited after signing), with the placeholder IDAM
/// `NumAutorisation`. At the time it was written, with that number accepted and
/// signatures checked leniently, it gets an answer, not a fault.
#[tokio::test]
async fn the_official_request_sample_gets_an_answer_not_a_fault() {
    let bench = start(InsiConfig {
        signatures: SignaturePolicy::Lenient,
        ..InsiConfig::default()
    })
    .await;
    bench
        .bench
        .change_world(|w| {
            w.software.insi_idam.push(segur_core::world::SoftwareId {
                number: "NumAutorisation".into(),
                name: "placeholder of the DMP kit sample".into(),
            });
            Ok(())
        })
        .unwrap();
    let sent = OffsetDateTime::parse("2021-06-16T09:39:02Z", &Rfc3339).unwrap();
    bench.bench.clock().freeze(Some(sent));
    let xml = fixture("insi/requests/WS_INS2_rechercherInsAvecTraitsIdentite_requête.xml");
    let answer = bench
        .cpx()
        .await
        .send("POST", "/lps", "application/soap+xml;charset=utf-8;action=\"urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite\"",
            xml,
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    let code = ["00", "01", "02"]
        .into_iter()
        .find(|c| answer.body.contains(&format!("CodeCR>{c}<")));
    assert_eq!(code, Some("00"), "{}", answer.body);
    assert!(answer.body.contains("2070585756270"));
    let record = bench.last();
    assert_eq!(
        record.request.as_ref().unwrap().summary["caller"]["identity"],
        "899900063480"
    );
    assert!(
        record.has_rule("INSI-CPX-SIGNATURE"),
        "{:?}",
        record.findings
    );

    // The same sample in strict mode is refused: its signature does not verify.
    let strict = start(InsiConfig::default()).await;
    strict.bench.clock().freeze(Some(sent));
    let xml = fixture("insi/requests/WS_INS2_rechercherInsAvecTraitsIdentite_requête.xml")
        .replace("NumAutorisation", "TESTSGIE0000");
    let answer = strict
        .cpx()
        .await
        .send("POST", "/lps", "application/soap+xml;action=\"urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite\"",
            xml,
        )
        .await
        .unwrap();
    assert_eq!(answer.status, 500);
    assert!(answer.body.contains("bench_assertion_refusee"));
}
