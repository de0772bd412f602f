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

mod submission_set {
    use super::*;
    use crate::xmldsig::dsg::{SignedManifest, sign_manifest, verify_manifest};

    const CDA: &[u8] = b"<ClinicalDocument>un compte rendu</ClinicalDocument>";
    const PDF: &[u8] = b"%PDF-1.4 une lettre";

    fn signed() -> String {
        let credential = shared_pki()
            .credential("structure-cabinet-lilas-sign")
            .unwrap();
        let PrivateKeyDer::Pkcs8(key) = &credential.key else {
            panic!("the bench's keys are PKCS#8")
        };
        sign_manifest(
            &[
                ("urn:oid:1.2.250.1.999.1.7", CDA),
                ("1.2.250.1.999.1.8", PDF),
            ],
            "sig-01",
            "2026-12-03T10:00:00Z",
            key.secret_pkcs8_der(),
            credential.chain[0].as_ref(),
        )
        .unwrap()
    }

    fn verify(xml: &str) -> Result<SignedManifest, SignatureError> {
        verify_manifest(
            &parse(xml, &Limits::default()).unwrap(),
            Algorithms::Sha256Only,
        )
    }

    #[test]
    fn what_we_sign_verifies_and_covers_each_document() {
        let manifest = verify(&signed()).unwrap();
        assert_eq!(manifest.references.len(), 2);
        let subject = crate::pki::subject_of(&manifest.signature.certificate).unwrap();
        assert!(subject.contains("499900100001001"), "{subject}");
        for (unique_id, bytes) in [
            ("1.2.250.1.999.1.7", CDA),
            ("urn:oid:1.2.250.1.999.1.8", PDF),
        ] {
            let reference = manifest.reference(unique_id).expect("covered");
            assert_eq!(SignedManifest::covers(reference, bytes), Some(true));
            assert_eq!(
                SignedManifest::covers(reference, b"autre chose"),
                Some(false)
            );
        }
        assert!(manifest.reference("1.2.250.1.999.1.9").is_none());
    }

    #[test]
    fn a_manifest_or_property_changed_after_signing_fails() {
        let xml = signed();
        let digest = |s: &str| {
            s.split("<DigestValue>")
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_string()
        };
        let first = digest(&xml);
        for (what, changed) in [
            ("a document digest", xml.replacen(&first, "AAAA", 1)),
            (
                "the signing time",
                xml.replace("2026-12-03T10:00:00Z", "2026-12-04T10:00:00Z"),
            ),
            ("the manifest's id", xml.replace("#IHEManifest", "#Autre")),
        ] {
            assert!(verify(&changed).is_err(), "{what}");
        }
        let value_changed = {
            let start = xml.find("<SignatureValue>").unwrap() + "<SignatureValue>".len();
            let mut s = xml.clone();
            s.replace_range(
                start..start + 4,
                if &xml[start..start + 4] == "AAAA" {
                    "BBBB"
                } else {
                    "AAAA"
                },
            );
            s
        };
        assert_eq!(verify(&value_changed).unwrap_err(), SignatureError::Value);
        assert!(matches!(
            verify("<Signature xmlns=\"urn:autre\"/>"),
            Err(SignatureError::Missing(_))
        ));
    }

    /// The kit's XAdES sample is canonicalised with c14n 1.0 WithComments and signs a
    /// manifest whose CDA digest is `AA==`: it cannot be checked, which is why a replay of
    /// the kit only reports signatures.
    #[test]
    fn the_kit_sample_is_not_a_verifiable_signature() {
        let xml = fixture("dmp/messages/TD2.1-SignatureXades.xml");
        let err = verify_manifest(
            &parse(&xml, &Limits::default()).unwrap(),
            Algorithms::WithSha1,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                SignatureError::Unsupported {
                    what: "canonicalization method",
                    ..
                }
            ),
            "{err}"
        );
    }
}
