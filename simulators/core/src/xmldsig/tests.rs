use rustls_pki_types::PrivateKeyDer;

use super::*;
use crate::testing::shared_pki;
use crate::xml::{Element, Limits, parse};

const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";

fn fixture(path: &str) -> String {
    let full = format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn assertion(root: &Element) -> &Element {
    root.descendants()
        .into_iter()
        .find(|e| e.is(SAML, "Assertion"))
        .expect("an assertion")
}

fn check(xml: &str) -> Result<VerifiedSignature, SignatureError> {
    let root = parse(xml, &Limits::default()).unwrap();
    verify_enveloped(&root, assertion(&root))
}

#[test]
fn a_real_cps_card_signature_verifies() {
    for path in [
        "insi/responses/assertionPsSecurity.fixture.assertionPs.xml",
        "insi/responses/assertionPsSecurity.fixture.expectedXml.xml",
    ] {
        let verified = check(&fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(verified.algorithm, RSA_SHA256);
        let subject = crate::pki::subject_of(&verified.certificate).unwrap();
        assert!(subject.contains("00B6087510"), "{subject}");
    }
}

#[test]
fn the_kit_sample_edited_after_signing_fails_on_its_digest() {
    let err = check(&fixture(
        "insi/requests/WS_INS2_rechercherInsAvecTraitsIdentite_requête.xml",
    ))
    .unwrap_err();
    assert!(matches!(err, SignatureError::Digest { .. }), "{err}");
}

fn signed_by_card() -> String {
    let pki = shared_pki();
    let card = pki.credential("card-dr-legrand").unwrap();
    let PrivateKeyDer::Pkcs8(key) = &card.key else {
        panic!("PKCS#8 key expected")
    };
    let template = format!(
        r#"<saml2:Assertion xmlns:saml2="{SAML}" ID="_a1" IssueInstant="2026-11-22T10:00:00Z" Version="2.0"><saml2:Issuer>CN=card</saml2:Issuer>{SIGNATURE_PLACEHOLDER}<saml2:Subject><saml2:NameID NameQualifier="CPS">899900100001</saml2:NameID></saml2:Subject></saml2:Assertion>"#
    );
    sign_enveloped(
        &template,
        "_a1",
        key.secret_pkcs8_der(),
        card.chain[0].as_ref(),
    )
    .unwrap()
}

#[test]
fn what_we_sign_verifies_and_any_change_breaks_it() {
    let signed = signed_by_card();
    let verified = check(&signed).unwrap();
    assert_eq!(verified.algorithm, ECDSA_SHA256);

    let tampered = signed.replace("899900100001<", "899900100002<");
    assert!(matches!(
        check(&tampered).unwrap_err(),
        SignatureError::Digest { .. }
    ));

    let root = parse(&signed, &Limits::default()).unwrap();
    let value = root
        .descendants()
        .into_iter()
        .find(|e| e.is(DSIG, "SignatureValue"))
        .unwrap()
        .text();
    let mut forged = value.clone().into_bytes();
    forged[10] = if forged[10] == b'A' { b'B' } else { b'A' };
    let forged = signed.replace(&value, std::str::from_utf8(&forged).unwrap());
    assert_eq!(check(&forged).unwrap_err(), SignatureError::Value);

    let unsigned = signed.replace(
        &signed[signed.find("<Signature").unwrap()..signed.find("</Signature>").unwrap() + 12],
        "",
    );
    assert_eq!(
        check(&unsigned).unwrap_err(),
        SignatureError::Missing("Signature element")
    );

    let sha1 = signed.replace(SHA256, "http://www.w3.org/2000/09/xmldsig#sha1");
    assert!(matches!(
        check(&sha1).unwrap_err(),
        SignatureError::Unsupported { .. }
    ));
}
