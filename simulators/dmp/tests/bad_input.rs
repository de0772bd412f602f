//! Bad input: broken MIME, a missing root part, a `cid:` that points nowhere, a document
//! over the limit, malformed XML, DOCTYPE and entities, an HL7 v3 message missing an
//! element. Each gets a SOAP fault or an error list with its code, and a finding in the
//! journal; and a property test throws mutated ITI-41 requests at the DMP.

mod support;

use proptest::prelude::*;
use segur_core::bench::Bench;
use segur_core::journal::Query;
use segur_core::soap::SOAP12;
use segur_dmp::request::{DmpRequest, Feed, FeedDocument};
use segur_dmp::{DmpConfig, DmpHandle};
use support::{caller, fixture, post, replay_config, signing_credential, start, vihf};

const PATIENT: &str = "pat-trois-dominique";

fn n1_cda() -> Vec<u8> {
    let path = format!(
        "{}/../../fixtures/cda/DOC_NON_STRUCTURE_CDA-R2-N1.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A valid feed of the N1 example by Dr Legrand, with `unique_id`.
fn valid_feed(bench: &Bench, unique_id: &str) -> DmpRequest {
    feed_of(
        bench,
        FeedDocument::cda(n1_cda()).unwrap().unique_id(unique_id),
    )
}

/// A signed feed of `document` by Dr Legrand for the patient.
fn feed_of(bench: &Bench, document: FeedDocument) -> DmpRequest {
    let patient = bench
        .world()
        .patient(PATIENT)
        .and_then(|p| p.ins.clone())
        .unwrap();
    Feed::new(caller(bench, "dr-legrand"), patient)
        .document(document)
        .signed_with(&signing_credential("cabinet-lilas"))
        .build(&vihf(bench, "dr-legrand", PATIENT))
        .unwrap()
}

/// The findings of the last DMP exchange in the journal.
fn last_findings(bench: &Bench) -> Vec<segur_core::finding::Finding> {
    let records = bench
        .journal()
        .query(&Query {
            service: Some("dmp".into()),
            ..Query::default()
        })
        .unwrap();
    records
        .last()
        .expect("the exchange was journaled")
        .findings
        .clone()
}

/// The rules of the findings of the last DMP exchange in the journal.
fn last_rules(bench: &Bench) -> Vec<String> {
    last_findings(bench).into_iter().map(|f| f.rule).collect()
}

struct Case {
    what: &'static str,
    content_type: String,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
    rule: &'static str,
}

async fn check(bench: &Bench, dmp: &DmpHandle, service: &str, case: Case) {
    let answer = post(dmp, service, &case.content_type, case.body).await;
    assert_eq!(answer.status, case.status, "{}: {}", case.what, answer.body);
    assert!(
        answer.body.contains(case.code),
        "{}: expected {} in {}",
        case.what,
        case.code,
        answer.body
    );
    let rules = last_rules(bench);
    assert!(
        rules.iter().any(|r| r == case.rule),
        "{}: expected finding {} among {rules:?}",
        case.what,
        case.rule
    );
}

#[tokio::test]
async fn broken_packages_get_a_fault_and_a_finding() {
    let (bench, dmp, _dir) = start(DmpConfig::default()).await;
    let feed = valid_feed(&bench, "1.2.250.1.999.7.1");
    let soap = "application/soap+xml; charset=utf-8";
    let cases = vec![
        Case {
            what: "a boundary that is not the body's",
            content_type: feed
                .content_type
                .replace("boundary=\"MIMEBoundary_", "boundary=\"Other_"),
            body: feed.body.to_vec(),
            status: 400,
            code: "InvalidRequest",
            rule: "DMP-MTOM",
        },
        Case {
            what: "a start parameter naming no part",
            content_type: feed
                .content_type
                .replace("start=\"<root.message@segur-bench>\"", "start=\"<nowhere@x>\""),
            body: feed.body.to_vec(),
            status: 400,
            code: "InvalidRequest",
            rule: "DMP-MTOM",
        },
        Case {
            what: "multipart without a boundary",
            content_type: "multipart/related; type=\"application/xop+xml\"".into(),
            body: feed.body.to_vec(),
            status: 400,
            code: "InvalidRequest",
            rule: "DMP-MTOM",
        },
        Case {
            what: "neither SOAP nor MTOM",
            content_type: "application/json".into(),
            body: b"{}".to_vec(),
            status: 415,
            code: "InvalidRequest",
            rule: "DMP-SOAP-MALFORMED",
        },
        Case {
            what: "malformed XML",
            content_type: soap.into(),
            body: format!("<soap:Envelope xmlns:soap=\"{SOAP12}\"><soap:Body><x></soap:Body>")
                .into_bytes(),
            status: 500,
            code: "Fault",
            rule: "DMP-SOAP-MALFORMED",
        },
        Case {
            what: "a DOCTYPE with an entity",
            content_type: soap.into(),
            body: format!("<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x \"xxxxxxxx\">]><soap:Envelope xmlns:soap=\"{SOAP12}\"><soap:Body>&x;</soap:Body></soap:Envelope>")
                .into_bytes(),
            status: 500,
            code: "Fault",
            rule: "DMP-SOAP-MALFORMED",
        },
        Case {
            what: "an empty body",
            content_type: soap.into(),
            body: Vec::new(),
            status: 500,
            code: "Fault",
            rule: "DMP-SOAP-MALFORMED",
        },
    ];
    for case in cases {
        check(&bench, &dmp, "repository", case).await;
    }
    assert!(dmp.store().read().documents.is_empty());

    // The same feed to a DMP that takes documents up to 64 KiB.
    let (bench, dmp, _dir) = start(DmpConfig {
        max_document: 64 * 1024,
        ..DmpConfig::default()
    })
    .await;
    check(
        &bench,
        &dmp,
        "repository",
        Case {
            what: "a document over the size limit",
            content_type: feed.content_type.clone(),
            body: feed.body.to_vec(),
            status: 413,
            code: "Document01@segur-bench",
            rule: "DMP-SOAP-MALFORMED",
        },
    )
    .await;
    assert!(dmp.store().read().documents.is_empty());
}

#[tokio::test]
async fn a_cid_pointing_nowhere_gets_an_error_list() {
    let (bench, dmp, _dir) = start(DmpConfig::default()).await;
    let feed = valid_feed(&bench, "1.2.250.1.999.7.2");
    let body = feed
        .text()
        .replacen("cid:Document01@segur-bench", "cid:nowhere@segur-bench", 1);
    check(
        &bench,
        &dmp,
        "repository",
        Case {
            what: "xop:Include to no part",
            content_type: feed.content_type.clone(),
            body: body.into_bytes(),
            status: 200,
            code: "XDSRepositoryError",
            rule: "DMP-MTOM",
        },
    )
    .await;
    assert!(dmp.store().read().documents.is_empty());
}

#[tokio::test]
async fn an_inline_base64_document_is_refused_as_iti_41_requires_mtom() {
    let (bench, dmp, _dir) = start(DmpConfig::default()).await;
    let feed = valid_feed(&bench, "1.2.250.1.999.7.3");
    let text = feed.text();
    let include = "<xop:Include href=\"cid:Document01@segur-bench\"/>";
    assert!(text.contains(include), "the feed points at its part");
    let body = text.replacen(include, "PENsaW5pY2FsRG9jdW1lbnQvPg==", 1);
    check(
        &bench,
        &dmp,
        "repository",
        Case {
            what: "a Document inline in base64",
            content_type: feed.content_type.clone(),
            body: body.into_bytes(),
            status: 200,
            code: "XDSRepositoryError",
            rule: "DMP-MTOM",
        },
    )
    .await;
    assert!(dmp.store().read().documents.is_empty());
}

#[tokio::test]
async fn an_hl7v3_message_missing_an_element_gets_syn105() {
    let (bench, dmp, _dir) = start(replay_config()).await;
    let request =
        String::from_utf8(fixture("messages/TD0.2 - Test d'existence_requête.xml")).unwrap();
    let soap = "application/soap+xml; charset=utf-8";
    for (what, element) in [
        ("creationTime", regex_free_element(&request, "creationTime")),
        ("queryId", regex_free_element(&request, "queryId")),
    ] {
        let body = request.replacen(&element, "", 1);
        let answer = post(&dmp, "patients", soap, body.into_bytes()).await;
        assert!(
            answer.body.contains("typeCode=\"AE\"") && answer.body.contains("SYN105"),
            "{what}: {}",
            answer.body
        );
        assert!(answer.body.contains(what), "{what}: the answer names it");
        assert!(
            last_rules(&bench).iter().any(|r| r == "DMP-HL7V3"),
            "{what}"
        );
    }
}

/// The first `<…name …/>` or `<…name …>…</…name>` element of `xml`, as written.
fn regex_free_element(xml: &str, name: &str) -> String {
    let open = xml
        .match_indices('<')
        .map(|(i, _)| i)
        .find(|&i| {
            let tag = &xml[i + 1..];
            let local = tag
                .split([' ', '>', '/'])
                .next()
                .unwrap_or_default()
                .rsplit(':')
                .next()
                .unwrap_or_default();
            local == name
        })
        .unwrap_or_else(|| panic!("no {name} element"));
    let end_of_tag = xml[open..].find('>').unwrap() + open;
    if xml[..end_of_tag].ends_with('/') {
        return xml[open..=end_of_tag].to_string();
    }
    let close = xml[end_of_tag..]
        .find(&format!(":{name}>"))
        .or_else(|| xml[end_of_tag..].find(&format!("</{name}>")))
        .unwrap()
        + end_of_tag;
    let close_end = xml[close..].find('>').unwrap() + close;
    xml[open..=close_end].to_string()
}

/// A change to a valid ITI-41 request.
#[derive(Debug, Clone)]
enum Mutation {
    /// Overwrite the byte at (fraction of the length) with a value.
    Flip(f64, u8),
    /// Cut the body at (fraction of the length).
    Truncate(f64),
    /// Remove the n-th metadata element of this kind (slots, classifications, external
    /// identifiers, associations), as written.
    Remove(&'static str, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0.0..1.0f64, any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        (0.0..1.0f64).prop_map(Mutation::Truncate),
        (
            prop::sample::select(vec![
                "rim:Slot",
                "rim:Classification",
                "rim:ExternalIdentifier",
                "rim:Association",
                "rim:ExtrinsicObject",
            ]),
            0usize..40
        )
            .prop_map(|(kind, n)| Mutation::Remove(kind, n)),
    ]
}

/// Removes the `n`-th (modulo their count) `kind` element of `text`; `None` if none.
fn remove(text: &str, kind: &str, n: usize) -> Option<String> {
    let opens: Vec<usize> = text
        .match_indices(&format!("<{kind} "))
        .map(|(i, _)| i)
        .collect();
    let open = *opens.get(n % opens.len().max(1))?;
    let tag_end = text[open..].find('>')? + open;
    let end = if text[..tag_end].ends_with('/') {
        tag_end + 1
    } else {
        let close = format!("</{kind}>");
        text[open..].find(&close)? + open + close.len()
    };
    Some(format!("{}{}", &text[..open], &text[end..]))
}

#[test]
fn mutated_feeds_never_break_the_dmp() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (bench, dmp, _dir) = runtime.block_on(start(DmpConfig::default()));
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&mutation(), |m| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let feed = valid_feed(&bench, &format!("1.2.250.1.999.8.{n}"));
            let mut body = feed.body.to_vec();
            let required_removed = match &m {
                Mutation::Flip(at, b) => {
                    let i = ((body.len() as f64) * at) as usize % body.len();
                    body[i] = *b;
                    false
                }
                Mutation::Truncate(at) => {
                    body.truncate(((body.len() as f64) * at) as usize);
                    false
                }
                Mutation::Remove(kind, n) => {
                    let text = String::from_utf8_lossy(&body).into_owned();
                    match remove(&text, kind, *n) {
                        Some(changed) => {
                            body = changed.into_bytes();
                            *kind == "rim:ExternalIdentifier" || *kind == "rim:ExtrinsicObject"
                        }
                        None => false,
                    }
                }
            };
            let before = bench.journal().head().0;
            let answer = runtime.block_on(post(&dmp, "repository", &feed.content_type, body));
            prop_assert!(
                [200, 400, 413, 415, 500].contains(&answer.status),
                "{m:?}: status {}",
                answer.status
            );
            prop_assert!(answer.body.contains("Envelope"), "{m:?}: {}", answer.body);
            prop_assert_eq!(
                bench.journal().head().0,
                before + 1,
                "{:?}: journaled once",
                m
            );
            if required_removed {
                prop_assert!(
                    !answer.body.contains("ResponseStatusType:Success"),
                    "{m:?}: a required element was removed and the feed accepted"
                );
            }
            Ok(())
        })
        .unwrap();
}

/// The metadata must say what the document is: a level-1 CDA declared with the biology
/// formatCode is a metadata finding naming the expected one; the same feed with the
/// level-1 formatCode has none.
#[tokio::test]
async fn metadata_that_contradicts_the_cda_is_a_finding() {
    for (format, wrong) in [
        ("urn:ihe:iti:xds-sd:pdf:2008", false),
        ("urn:ihe:lab:xd-lab:2008", true),
    ] {
        let (bench, dmp, _dir) = start(DmpConfig::default()).await;
        let feed = feed_of(
            &bench,
            FeedDocument::cda(n1_cda()).unwrap().format_code(format),
        );
        support::send(&dmp, &feed).await;
        let findings = &last_findings(&bench);
        let metadata: Vec<&String> = findings
            .iter()
            .filter(|f| f.rule == "DMP-XDS-METADATA")
            .map(|f| &f.message)
            .collect();
        if wrong {
            assert!(
                metadata
                    .iter()
                    .any(|m| m.contains("urn:ihe:iti:xds-sd:pdf:2008")),
                "{findings:?}"
            );
        } else {
            assert!(metadata.is_empty(), "{findings:?}");
        }
    }
}

/// A self-presentable document (its producer's stylesheet holding the CDA) is
/// `application/xslt+xml`; declared `text/xml` it is a finding, and a plain CDA declared
/// `application/xslt+xml` too.
#[tokio::test]
async fn a_mimetype_that_hides_or_invents_a_stylesheet_is_a_finding() {
    let wrapped = segur_documents::cda::presentation::wrap(&String::from_utf8(n1_cda()).unwrap())
        .unwrap()
        .into_bytes();
    for (bytes, declared, wrong) in [
        (wrapped.clone(), "application/xslt+xml", false),
        (wrapped, "text/xml", true),
        (n1_cda(), "text/xml", false),
        (n1_cda(), "application/xslt+xml", true),
    ] {
        let (bench, dmp, _dir) = start(DmpConfig::default()).await;
        let mut document = FeedDocument::cda(bytes).unwrap();
        document.mime_type = declared.to_string();
        let feed = feed_of(&bench, document);
        support::send(&dmp, &feed).await;
        let findings = last_findings(&bench);
        let about_mime = findings
            .iter()
            .any(|f| f.rule == "DMP-XDS-METADATA" && f.message.contains("mimeType"));
        assert_eq!(about_mime, wrong, "{declared}: {findings:?}");
    }
}
