//! The reference LPS's XML signatures checked by an independent implementation:
//! `xmlsec1 --verify` (Debian's `xmlsec1`, installed by `.ci/run`) on a whole SOAP
//! envelope carrying a VIHF, trusting only the test PKI's root and intermediate. A
//! tampered attribute must then fail the same check, so the test cannot pass by
//! accident; and the DMP simulator's own verifier agrees.

mod support;

use std::path::Path;
use std::process::Command;

use segur_reference_lps::config::Structure;
use segur_reference_lps::dmp::professional::Professional;
use segur_reference_lps::dmp::signer::Signer;
use segur_reference_lps::dmp::soap;
use segur_reference_lps::dmp::vihf::{Software, Vihf};

fn professional() -> Professional {
    let structure = Structure {
        id: "cabinet-lilas".into(),
        national_id: "499900100001001".into(),
        name: "Cabinet médical des Lilas".into(),
        activity_sector: "SA07".into(),
        mssante_application: None,
        mssante_organisational: Vec::new(),
    };
    let userinfo = serde_json::json!({
        "SubjectNameID": "899900100001",
        "family_name": "LEGRAND",
        "given_name": "JEAN",
        "SubjectRefPro": { "exercices": [{
            "codeProfession": "10",
            "codeSavoirFaire": "SM26",
            "nomDexercice": "LEGRAND",
            "prenomDexercice": "Jean & <fils>",
            "activities": [],
        }]},
    });
    Professional::from_userinfo(&userinfo, &structure).expect("professional")
}

fn file(dir: &Path, index: &serde_json::Value, credential: &str, kind: &str) -> std::path::PathBuf {
    let entry = index["credentials"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["name"] == credential))
        .unwrap_or_else(|| panic!("credential {credential} in the PKI index"));
    dir.join(entry["files"][kind].as_str().expect("file"))
}

fn xmlsec1_verify(dir: &Path, index: &serde_json::Value, document: &Path) -> std::process::Output {
    let ca = |k: &str| dir.join(index["ca"][k].as_str().expect("CA file"));
    Command::new("xmlsec1")
        .arg("--verify")
        .args([
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        ])
        .arg("--trusted-pem")
        .arg(ca("root"))
        .arg("--untrusted-pem")
        .arg(ca("intermediate"))
        .arg(document)
        .output()
        .expect("xmlsec1 is not installed: `apt-get install xmlsec1` (.ci/run does it)")
}

#[test]
fn xmlsec1_verifies_the_vihf_and_refuses_a_tampered_one() {
    let pki = support::pki();
    let dir = pki.dir();
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).expect("PKI index"))
            .expect("index JSON");
    let signer = Signer::load(
        &file(dir, &index, "structure-cabinet-lilas-sign", "key"),
        &file(dir, &index, "structure-cabinet-lilas-sign", "chain"),
    )
    .expect("signature credential");
    let who = professional();
    let software = Software {
        name: "segur-bench reference LPS".into(),
        version: "test".into(),
        homologation: "SEGURBENCH-DMP-01".into(),
    };
    let vihf = Vihf {
        professional: &who,
        patient: Some("279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH".into()),
        software: &software,
        issued: time::OffsetDateTime::now_utc(),
        second_role: true,
    }
    .signed(&signer)
    .expect("signed");
    let envelope = soap::envelope(
        "urn:hl7-org:v3:PRPA_IN201307UV02",
        "https://127.0.0.1/si-dmp-server/v2/services/patients",
        &vihf,
        "<x:body xmlns:x=\"urn:test\"/>",
    );
    let work = tempfile::tempdir().expect("temp dir");
    let good = work.path().join("vihf.xml");
    std::fs::write(&good, &envelope).expect("write");
    let out = xmlsec1_verify(dir, &index, &good);
    assert!(
        out.status.success(),
        "xmlsec1 refused the reference LPS's VIHF:\n{}\n{envelope}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The bench's own verifier agrees.
    let root = segur_core::xml::parse(&envelope, &segur_core::xml::Limits::default()).expect("XML");
    let assertion = root
        .descendants()
        .into_iter()
        .find(|e| e.is(segur_core::saml::SAML, "Assertion"))
        .expect("assertion");
    segur_core::xmldsig::verify_enveloped(&root, assertion).expect("the bench verifies it too");

    let tampered = work.path().join("tampered.xml");
    std::fs::write(&tampered, envelope.replace("899900100001", "899900100002")).expect("write");
    let out = xmlsec1_verify(dir, &index, &tampered);
    assert!(!out.status.success(), "xmlsec1 accepted a tampered VIHF");
}
