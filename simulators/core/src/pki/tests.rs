use std::sync::Arc;

use rustls::client::danger::ServerCertVerifier;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::{ServerName, UnixTime};

use super::*;

fn world() -> World {
    World::embedded().unwrap()
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[test]
fn every_planned_credential_is_issued_with_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::create(dir.path(), &world(), now()).unwrap();
    let planned = plan::plan(&world());
    assert_eq!(pki.index().credentials.len(), planned.len());
    let w = world();
    assert_eq!(
        planned
            .iter()
            .filter(|p| p.purpose == Purpose::ProfessionalCard)
            .count(),
        w.professionals.len()
    );
    assert_eq!(
        planned
            .iter()
            .filter(|p| p.purpose == Purpose::StructureSignature)
            .count(),
        w.structures.len()
    );
    for entry in &pki.index().credentials {
        for file in [
            &entry.files.cert,
            &entry.files.key,
            &entry.files.chain,
            &entry.files.p12,
        ] {
            assert!(pki.path_of(file).is_file(), "{} lacks {file}", entry.name);
        }
    }
    let auto = pki.entry("insi-auto-cabinet-lilas").unwrap();
    assert!(auto.subject.contains("CN=INSI-AUTO"), "{}", auto.subject);
    assert!(
        auto.subject.contains("OU=499900100001001"),
        "{}",
        auto.subject
    );
    assert!(
        pki.entry("insi-manu-ch-valbourg")
            .unwrap()
            .subject
            .contains("CN=INSI-MANU")
    );
    let root = subject_of(pki.root()).unwrap();
    assert!(root.contains("IGC-SANTE FICTIVE"), "{root}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).unwrap()).unwrap();
    assert_eq!(json["p12_password"], P12_PASSWORD);
    assert_eq!(json["credentials"][0]["purpose"], "server");
}

#[test]
fn the_chains_verify_against_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::create(dir.path(), &world(), now()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.root().clone()).unwrap();
    let roots = Arc::new(roots);
    let clients = WebPkiClientVerifier::builder_with_provider(roots.clone(), provider.clone())
        .with_crls([pki.crl().clone()])
        .only_check_end_entity_revocation()
        .build()
        .unwrap();
    let servers = rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider)
        .build()
        .unwrap();
    let t = UnixTime::now();
    for entry in &pki.index().credentials {
        let credential = pki.credential(&entry.name).unwrap();
        let (leaf, intermediates) = credential.chain.split_first().unwrap();
        match entry.purpose {
            Purpose::Server => {
                for name in ["localhost", "127.0.0.1", "insi"] {
                    let server_name = if entry.name == "server-insi" || name != "insi" {
                        ServerName::try_from(name).unwrap()
                    } else {
                        continue;
                    };
                    servers
                        .verify_server_cert(leaf, intermediates, &server_name, &[], t)
                        .unwrap_or_else(|e| panic!("{} for {name}: {e}", entry.name));
                }
            }
            // A signature certificate is not a TLS client certificate (checked in tls tests).
            Purpose::StructureSignature => {}
            _ => {
                let verdict = clients.verify_client_cert(leaf, intermediates, t);
                assert_eq!(
                    verdict.is_err(),
                    entry.tls_must_refuse,
                    "{}: {verdict:?}",
                    entry.name
                );
            }
        }
    }
}

#[test]
fn the_p12_files_open_with_the_documented_password() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::create(dir.path(), &world(), now()).unwrap();
    let entry = pki.entry("structure-ch-valbourg-auth").unwrap();
    let bytes = std::fs::read(pki.path_of(&entry.files.p12)).unwrap();
    let store = p12_keystore::KeyStore::from_pkcs12(
        &bytes,
        P12_PASSWORD,
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    )
    .unwrap();
    let (_, chain) = store.private_key_chain().unwrap();
    assert_eq!(chain.certs().len(), 3, "leaf, intermediate, root");
    assert_eq!(
        chain.certs()[0].as_der(),
        pki.credential(&entry.name).unwrap().chain[0].as_ref()
    );
    assert!(
        p12_keystore::KeyStore::from_pkcs12(
            &bytes,
            "wrong",
            p12_keystore::Pkcs12ImportPolicy::Relaxed
        )
        .is_err()
    );
}

#[test]
fn a_good_pki_is_reused_and_a_stale_one_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (first, how) = Pki::ensure(dir.path(), &world(), now()).unwrap();
    assert_eq!(how, Provenance::Issued);
    let (again, how) = Pki::ensure(dir.path(), &world(), now()).unwrap();
    assert_eq!(how, Provenance::Reused);
    assert_eq!(again.root(), first.root());

    // A missing file: issued anew.
    let entry = again.entry("card-dr-legrand").unwrap().clone();
    std::fs::remove_file(again.path_of(&entry.files.p12)).unwrap();
    let (_, how) = Pki::ensure(dir.path(), &world(), now()).unwrap();
    assert_eq!(how, Provenance::Issued);

    // The world gained a professional: issued anew.
    let mut bigger = world();
    let mut extra = bigger.professionals[0].clone();
    extra.id = "dr-extra".into();
    extra.national_id = "899900199999".into();
    extra.mssante = None;
    bigger.professionals.push(extra);
    let (pki, how) = Pki::ensure(dir.path(), &bigger, now()).unwrap();
    assert_eq!(how, Provenance::Issued);
    assert!(pki.entry("card-dr-extra").is_ok());

    // Close to expiry: issued anew.
    let (_, how) = Pki::ensure(dir.path(), &bigger, now() + Duration::days(729)).unwrap();
    assert_eq!(how, Provenance::Issued);
}

#[test]
fn unknown_credentials_are_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::create(dir.path(), &world(), now()).unwrap();
    let err = pki.credential("card-nobody").unwrap_err().to_string();
    assert!(
        err.contains("card-nobody") && err.contains("pki show"),
        "{err}"
    );
}

/// The algorithm OID of a certificate's public key.
fn key_oid(der: &[u8]) -> String {
    let (_, cert) = x509_parser::parse_x509_certificate(der).unwrap();
    cert.public_key().algorithm.algorithm.to_id_string()
}

#[test]
fn an_rsa_pki_gives_the_lps_rsa_2048_keys_that_sign_and_authenticate() {
    const RSA: &str = "1.2.840.113549.1.1.1";
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::create_with(dir.path(), &world(), now(), KeyAlgorithm::Rsa2048).unwrap();
    assert_eq!(pki.index().key_algorithm, KeyAlgorithm::Rsa2048);
    for name in [
        "structure-cabinet-lilas-auth",
        "structure-cabinet-lilas-sign",
        "insi-auto-cabinet-lilas",
        "card-dr-legrand",
    ] {
        let credential = pki.credential(name).unwrap();
        assert_eq!(key_oid(&credential.chain[0]), RSA, "{name}");
    }
    let server = pki.server_credential("dmp").unwrap();
    assert_ne!(key_oid(&server.chain[0]), RSA, "server keys stay ECDSA");
    // An RSA signature certificate signs a VIHF-like assertion (rsa-sha256) that verifies.
    let sign = pki.credential("structure-cabinet-lilas-sign").unwrap();
    let template = format!(
        r#"<a:Assertion xmlns:a="urn:test" ID="_x"><a:Issuer>i</a:Issuer>{}</a:Assertion>"#,
        crate::xmldsig::SIGNATURE_PLACEHOLDER
    );
    let signed = crate::xmldsig::sign_enveloped(
        &template,
        "_x",
        sign.key.secret_der(),
        sign.chain[0].as_ref(),
    )
    .unwrap();
    let root = crate::xml::parse(&signed, &crate::xml::Limits::default()).unwrap();
    let verified = crate::xmldsig::verify_enveloped(&root, &root).unwrap();
    assert_eq!(verified.algorithm, crate::xmldsig::RSA_SHA256);
    crate::tls::verify_signing_certificate(&pki, &sign.chain[0], &crate::clock::Clock::new())
        .unwrap();
    // Asking for the other algorithm issues the PKI again.
    let (_, how) = Pki::ensure(dir.path(), &world(), now()).unwrap();
    assert_eq!(how, Provenance::Issued);
}

#[test]
fn the_negative_signature_certificates_are_refused_by_signature_checks_alone() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::create(dir.path(), &world(), now()).unwrap();
    let clock = crate::clock::Clock::new();
    let good = pki.credential("structure-cabinet-lilas-sign").unwrap();
    crate::tls::verify_signing_certificate(&pki, &good.chain[0], &clock).unwrap();
    for name in ["negative-sign-expired", "negative-sign-revoked"] {
        let credential = pki.credential(name).unwrap();
        let (_, cert) = x509_parser::parse_x509_certificate(&credential.chain[0]).unwrap();
        let usage = cert.key_usage().unwrap().unwrap().value;
        assert!(usage.non_repudiation(), "{name} is a signature certificate");
        assert!(
            crate::tls::verify_signing_certificate(&pki, &credential.chain[0], &clock).is_err(),
            "{name} must be refused"
        );
    }
    // They need not be current for the PKI to be reused.
    let (_, how) = Pki::ensure(dir.path(), &world(), now()).unwrap();
    assert_eq!(how, Provenance::Reused);
}
