use super::c14n::Canonicalizer;
use super::*;

const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";

fn fixture(path: &str) -> String {
    let full = format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn limits() -> Limits {
    Limits::default()
}

#[test]
fn namespaces_resolve_and_text_merges_references() {
    let root = parse(
        r#"<?xml version="1.0"?><a:r xmlns:a="urn:a" xmlns="urn:d"><b x="1&amp;2" a:y="&#x9;z">t&lt;u&#xD;v<![CDATA[<w>]]></b></a:r>"#,
        &limits(),
    )
    .unwrap();
    assert!(root.is("urn:a", "r"));
    let b = root
        .child("urn:d", "b")
        .expect("default namespace applies to b");
    assert_eq!(b.attr("x"), Some("1&2"));
    assert_eq!(b.attr_ns("urn:a", "y"), Some("\tz"));
    assert_eq!(b.text(), "t<u\rv<w>");
}

#[test]
fn hostile_or_broken_documents_are_refused() {
    let deep = format!("{}{}", "<a>".repeat(100), "</a>".repeat(100));
    let table: &[(&str, &str)] = &[
        ("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "DOCTYPE"),
        ("<a>&x;</a>", "undefined entity &x;"),
        ("<p:a/>", "prefix \"p\" is not declared"),
        ("<a></b>", "not well-formed"),
        ("<a>", "ends inside <a>"),
        ("<a/><b/>", "second root"),
        ("text", "text before the root"),
        ("<a/>trailing", "text after the root"),
        ("", "no root element"),
        (&deep, "deeper than 64"),
    ];
    for (input, expected) in table {
        let err = parse(input, &limits()).expect_err(input).to_string();
        assert!(err.contains(expected), "{input:?}: {err}");
    }
    let many = format!("<a>{}</a>", "<b/>".repeat(200));
    let err = parse(
        &many,
        &Limits {
            max_depth: 8,
            max_nodes: 100,
        },
    )
    .unwrap_err();
    assert_eq!(err, XmlError::TooManyNodes(100));
}

#[test]
fn exclusive_c14n_renders_only_used_namespaces_sorted() {
    let doc = r#"<r xmlns="urn:d" xmlns:u="urn:unused" xmlns:b="urn:b"><b:e z="1" b:a="2" a="3"><f/></b:e></r>"#;
    let root = parse(doc, &limits()).unwrap();
    let e = root.child("urn:b", "e").unwrap();
    let c14n = Canonicalizer::new(&root).canonicalize(e).unwrap();
    assert_eq!(
        c14n,
        r#"<b:e xmlns:b="urn:b" a="3" z="1" b:a="2"><f xmlns="urn:d"></f></b:e>"#
    );
    let with_inclusive = Canonicalizer::new(&root)
        .inclusive_prefixes(["u"])
        .canonicalize(e)
        .unwrap();
    assert!(with_inclusive.starts_with(r#"<b:e xmlns:b="urn:b" xmlns:u="urn:unused""#));
}

/// The real proof: the canonical form of each signed assertion of the public fixtures
/// (minus its enveloped signature) hashes to the DigestValue its signer computed; for the
/// DMP kit's sample, whose assertion was edited after signing, it hashes to what
/// `xmllint --exc-c14n` gives for the same element (an independent implementation).
#[test]
fn real_signed_assertions_digest_as_their_signers_and_xmllint_say() {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let table: &[(&str, Option<&str>)] = &[
        (
            "insi/responses/assertionPsSecurity.fixture.assertionPs.xml",
            None,
        ),
        (
            "insi/responses/assertionPsSecurity.fixture.expectedXml.xml",
            None,
        ),
        (
            "insi/requests/WS_INS2_rechercherInsAvecTraitsIdentite_requête.xml",
            Some("94lmhgcJmrADHhrA0THWZ2mF8JvYbmM6Swl6ZytcKr0="),
        ),
    ];
    for (path, xmllint_digest) in table {
        let root = parse(&fixture(path), &limits()).unwrap();
        let assertion = root
            .descendants()
            .into_iter()
            .find(|e| e.is(SAML, "Assertion"))
            .expect("an assertion");
        let signature = assertion.child(DSIG, "Signature").expect("a signature");
        let signed_digest = signature
            .child(DSIG, "SignedInfo")
            .and_then(|si| si.child(DSIG, "Reference"))
            .and_then(|r| r.child_text(DSIG, "DigestValue"))
            .unwrap();
        let c14n = Canonicalizer::new(&root)
            .excluding(signature)
            .canonicalize(assertion)
            .unwrap();
        let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&c14n));
        match xmllint_digest {
            None => assert_eq!(digest, signed_digest, "{path}: canonical form was\n{c14n}"),
            Some(expected) => {
                assert_eq!(digest, *expected, "{path}: canonical form was\n{c14n}");
                assert_ne!(digest, signed_digest, "{path}: the kit sample was edited");
            }
        }
    }
}
