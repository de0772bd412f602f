//! Bad input gets a SOAP 1.2 fault with a clear reason and a finding, never a panic or a
//! hang; and a property test mutates valid requests (drop, duplicate and move elements,
//! random bytes) and checks the server always answers with a response or a fault.

mod support;

use std::sync::OnceLock;

use proptest::prelude::*;
use segur_core::soap::SOAP12;
use segur_core::xml::c14n::Canonicalizer;
use segur_core::xml::{Element, Limits, Node, parse};
use segur_insi::InsiConfig;
use segur_insi::query::TraitsQuery;
use segur_insi::request::InsiRequest;
use support::{AUTO, TestBench, start};

fn valid() -> InsiRequest {
    InsiRequest::search_by_traits(&TraitsQuery {
        birth_name: Some("ADRTROIS".into()),
        first_names: vec!["DOMINIQUE".into()],
        sex: Some("F".into()),
        birth_date: Some("1997-02-26".into()),
        birthplace: Some("2A020".into()),
    })
}

/// Whether `body` is a SOAP 1.2 answer: RESULTAT or a Fault.
fn is_soap_answer(body: &str) -> bool {
    let Ok(root) = parse(body, &Limits::default()) else {
        return false;
    };
    let Some(payload) = root.child(SOAP12, "Body").and_then(|b| b.elements().next()) else {
        return false;
    };
    payload.is(SOAP12, "Fault") || payload.name == "RESULTAT"
}

#[tokio::test]
async fn bad_input_gets_a_soap_fault_and_a_finding() {
    let bench = start(InsiConfig::default()).await;
    let ct = valid().content_type();
    let envelope = |body: &str| {
        format!(
            r#"<soap:Envelope xmlns:soap="{SOAP12}"><soap:Body>{body}</soap:Body></soap:Envelope>"#
        )
    };
    let big = format!("{}{}", valid().to_xml(), "<!-- padding -->".repeat(80_000));
    let table: Vec<(&str, String, Vec<u8>, u16, &str)> = vec![
        (
            "malformed XML",
            ct.clone(),
            format!(r#"<soap:Envelope xmlns:soap="{SOAP12}"><soap:Body><oops"#).into_bytes(),
            500,
            "bench_requete_invalide",
        ),
        (
            "DOCTYPE with an entity",
            ct.clone(),
            format!("<!DOCTYPE e [<!ENTITY lol \"lol\">]>{}", envelope("&lol;")).into_bytes(),
            500,
            "DOCTYPE",
        ),
        ("over 1 MiB", ct.clone(), big.into_bytes(), 413, "larger than"),
        (
            "SOAP 1.1 content type",
            "text/xml; charset=utf-8".into(),
            valid().to_xml().into_bytes(),
            415,
            "not SOAP 1.2",
        ),
        ("no content type", String::new(), valid().to_xml().into_bytes(), 415, "not SOAP 1.2"),
        ("empty Body", ct.clone(), envelope("").into_bytes(), 500, "Body is empty"),
        (
            "SOAP 1.1 envelope",
            ct.clone(),
            br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><x/></s:Body></s:Envelope>"#.to_vec(),
            500,
            "soap:VersionMismatch",
        ),
        ("not UTF-8", ct.clone(), b"\xff\xfe<\x00a\x00/\x00>\x00".to_vec(), 500, "not UTF-8"),
        (
            "nesting too deep",
            ct.clone(),
            envelope(&format!("{}{}", "<a>".repeat(200), "</a>".repeat(200))).into_bytes(),
            500,
            "deeper than",
        ),
        (
            "wrong body element",
            ct.clone(),
            valid().to_xml().replace("RECSANSVITALE", "RECHERCHE").into_bytes(),
            500,
            "RECSANSVITALE",
        ),
        (
            "Vitale body under the traits action",
            ct.clone(),
            InsiRequest::search_by_vitale(&segur_insi::query::VitaleQuery {
                od_nir: Some("2880469123456".into()),
                ..Default::default()
            })
                .action(&segur_insi::Operation::SearchByTraits.action())
                .to_xml()
                .into_bytes(),
            500,
            "cannot take a RECVITALE",
        ),
    ];
    for (name, content_type, body, status, fragment) in table {
        let answer = bench
            .mtls(AUTO)
            .await
            .send("POST", "/lps", &content_type, body)
            .await
            .unwrap_or_else(|e| panic!("{name}: no answer: {e}"));
        assert_eq!(answer.status, status, "{name}: {}", answer.body);
        assert!(answer.body.contains(fragment), "{name}: {}", answer.body);
        assert!(is_soap_answer(&answer.body), "{name}: {}", answer.body);
        let record = bench.last();
        assert!(
            record.has_rule("INSI-SOAP-MALFORMED"),
            "{name}: {:?}",
            record.findings
        );
    }
}

/// One mutation of a valid request.
#[derive(Debug, Clone)]
enum Mutation {
    /// Remove the n-th element (document order, root excluded).
    Drop(usize),
    /// Duplicate the n-th element next to itself.
    Duplicate(usize),
    /// Move the n-th element to the end of its parent.
    Reorder(usize),
    /// Overwrite bytes at a position with random ones.
    Bytes(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0usize..64).prop_map(Mutation::Drop),
        (0usize..64).prop_map(Mutation::Duplicate),
        (0usize..64).prop_map(Mutation::Reorder),
        (0usize..4096, proptest::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Bytes(at, bytes)),
    ]
}

/// Applies `f` to the parent of the n-th element (counting children in document order).
fn with_nth(root: &mut Element, n: usize, f: &mut dyn FnMut(&mut Vec<Node>, usize)) -> bool {
    fn walk(e: &mut Element, n: &mut usize, f: &mut dyn FnMut(&mut Vec<Node>, usize)) -> bool {
        for i in 0..e.children.len() {
            if matches!(e.children[i], Node::Element(_)) {
                if *n == 0 {
                    f(&mut e.children, i);
                    return true;
                }
                *n -= 1;
                if let Node::Element(child) = &mut e.children[i]
                    && walk(child, n, f)
                {
                    return true;
                }
            }
        }
        false
    }
    let mut n = n;
    walk(root, &mut n, f)
}

fn mutate(xml: &str, m: &Mutation) -> Vec<u8> {
    if let Mutation::Bytes(at, bytes) = m {
        let mut out = xml.as_bytes().to_vec();
        let at = at % out.len();
        for (i, b) in bytes.iter().enumerate() {
            if let Some(slot) = out.get_mut(at + i) {
                *slot = *b;
            }
        }
        return out;
    }
    let Ok(mut root) = parse(xml, &Limits::default()) else {
        // An earlier byte mutation broke the XML: element mutations have nothing to act on.
        return xml.as_bytes().to_vec();
    };
    let (n, op) = match m {
        Mutation::Drop(n) => (*n, 0),
        Mutation::Duplicate(n) => (*n, 1),
        Mutation::Reorder(n) => (*n, 2),
        Mutation::Bytes(..) => unreachable!(),
    };
    with_nth(&mut root, n, &mut |children, i| match op {
        0 => {
            children.remove(i);
        }
        1 => {
            let copy = children[i].clone();
            children.insert(i, copy);
        }
        _ => {
            let moved = children.remove(i);
            children.push(moved);
        }
    });
    Canonicalizer::new(&root)
        .canonicalize(&root)
        .unwrap()
        .into_bytes()
}

fn shared() -> &'static (tokio::runtime::Runtime, TestBench) {
    static SHARED: OnceLock<(tokio::runtime::Runtime, TestBench)> = OnceLock::new();
    SHARED.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let bench = rt.block_on(start(InsiConfig::default()));
        (rt, bench)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn mutated_requests_always_get_an_answer_or_a_fault(mutations in proptest::collection::vec(mutation(), 1..4)) {
        let (rt, bench) = shared();
        let request = valid();
        let mut xml = request.to_xml().into_bytes();
        for m in &mutations {
            xml = mutate(&String::from_utf8_lossy(&xml), m);
        }
        let answer = rt.block_on(async {
            tokio::time::timeout(
                std::time::Duration::from_secs(10),
                async { bench.mtls(AUTO).await.send("POST", "/lps", &request.content_type(), xml.clone()).await },
            )
            .await
        });
        let answer = answer.expect("the server answers in time").expect("an HTTP answer");
        prop_assert!(matches!(answer.status, 200 | 500), "status {}", answer.status);
        prop_assert!(is_soap_answer(&answer.body), "not SOAP: {}", answer.body);
    }
}
