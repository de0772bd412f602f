use std::io::Write;

use super::*;

const EXAMPLES: &[&str] = &[
    "BIO-CR-BIO_2024.01_Microbiologie_V2",
    "BIO-CR-BIO_2024.01_Microbiologie_V2_Delete",
    "CNAM-HR_2021.01",
    "DOC_NON_STRUCTURE_CDA-R2-N1",
    "IMG_CR_IMG_2024.01",
    "IPS-FR_2024.01",
    "LDL-SES_2022.01",
    "VAC-NOTE_2023.01",
    "VSM_1.4_2022.01",
    "eP-MED-DM_2024.01_PosoStruct",
];

fn example(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../fixtures/xdm/{name}/IHE_XDM.ZIP",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The example's files, to rebuild mutated archives from.
fn unpack(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    read_archive(zip, &XdmLimits::default()).unwrap()
}

fn pack(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn every_ans_example_archive_passes() {
    for name in EXAMPLES {
        let report = check(&example(name), &XdmLimits::default());
        assert!(report.findings.is_empty(), "{name}: {:#?}", report.findings);
        assert_eq!(report.documents.len(), 1, "{name}");
        let document = &report.documents[0];
        assert_eq!(document.path, "IHE_XDM/SUBSET01/DOC0001.XML");
        assert!(
            document.cda.as_ref().is_some_and(CdaReport::passes),
            "{name}"
        );
        assert_eq!(report.patient_ids.len(), 1, "{name}");
    }
}

#[test]
fn mutated_archives_fail_with_the_expected_rule() {
    let original = unpack(&example("VSM_1.4_2022.01"));
    type Mutation = fn(&mut Vec<(String, Vec<u8>)>);
    let cases: &[(&str, Mutation, &str)] = &[
        (
            "document name in lower case",
            |f| {
                for (name, bytes) in f.iter_mut() {
                    if name.ends_with("DOC0001.XML") {
                        *name = "IHE_XDM/SUBSET01/doc0001.xml".into();
                    }
                    if name.ends_with("METADATA.XML") {
                        *bytes = String::from_utf8_lossy(bytes)
                            .replace("DOC0001.XML", "doc0001.xml")
                            .into_bytes();
                    }
                }
            },
            "XDM-NAMES-8.3",
        ),
        (
            "one byte of the document changed",
            |f| {
                let doc = f
                    .iter_mut()
                    .find(|(n, _)| n.ends_with("DOC0001.XML"))
                    .unwrap();
                let at = doc.1.len() / 2;
                doc.1[at] ^= 0x20;
            },
            "XDM-HASH-SIZE",
        ),
        (
            "METADATA.XML removed",
            |f| f.retain(|(n, _)| !n.ends_with("METADATA.XML")),
            "XDM-METADATA",
        ),
        (
            "README.TXT removed",
            |f| f.retain(|(n, _)| n != "README.TXT"),
            "XDM-TREE",
        ),
        (
            "document outside a subset",
            |f| {
                for (name, _) in f.iter_mut() {
                    if name.ends_with("DOC0001.XML") {
                        *name = "IHE_XDM/DOC0001.XML".into();
                    }
                }
            },
            "XDM-TREE",
        ),
        (
            "INS trait removed from the CDA",
            |f| {
                let doc = f
                    .iter_mut()
                    .find(|(n, _)| n.ends_with("DOC0001.XML"))
                    .unwrap();
                doc.1 = String::from_utf8_lossy(&doc.1)
                    .replacen("<birthTime", "<deathTime", 1)
                    .into_bytes();
            },
            "CDA-INS-TRAITS",
        ),
    ];
    for (what, mutate, rule) in cases {
        let mut files = original.clone();
        mutate(&mut files);
        let report = check(&pack(&files), &XdmLimits::default());
        assert!(
            report.rules().contains(rule),
            "{what}: expected {rule}, got {:#?}",
            report.findings
        );
    }
}

#[test]
fn hostile_archives_are_refused_with_a_reason() {
    let limits = XdmLimits {
        max_entries: 4,
        max_entry: 1000,
        max_total: 1500,
    };
    let escaping = pack(&[("../EVIL.TXT".into(), b"x".to_vec())]);
    let big = pack(&[("BIG.TXT".into(), vec![b'a'; 5000])]);
    let many = pack(
        &(0..5)
            .map(|i| (format!("F{i}.TXT"), b"x".to_vec()))
            .collect::<Vec<_>>(),
    );
    for (what, zip, expected) in [
        (
            "not a zip",
            b"PK\x03\x04garbage".to_vec(),
            "not a readable ZIP",
        ),
        ("escaping path", escaping, "escapes the archive"),
        ("entry over the limit", big, "more than"),
        ("too many entries", many, "entries, more than"),
    ] {
        let report = check(&zip, &limits);
        assert_eq!(report.rules(), vec!["XDM-UNREADABLE"], "{what}");
        assert!(
            report.findings[0].message.contains(expected),
            "{what}: {}",
            report.findings[0].message
        );
    }
}
