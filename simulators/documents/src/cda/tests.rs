use super::*;

fn fixture(name: &str) -> String {
    let path = format!("{}/../../fixtures/cda/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const EXAMPLES: &[&str] = &[
    "BIO-CR-BIO_2024.01_CR-2nde-intention-PDF.xml",
    "BIO-CR-BIO_2024.01_Microbiologie_V2.xml",
    "CNAM-HR_2021.01.xml",
    "DOC_NON_STRUCTURE_CDA-R2-N1.xml",
    "IMG_CR_IMG_2024.01.xml",
    "IPS-FR_2024.01.xml",
    "LDL-EES_2022.01.xml",
    "LDL-SES_2022.01.xml",
    "VAC-NOTE_2023.01.xml",
    "VSM_1.4_2022.01.xml",
    "eP-MED-DM_2024.01_PosoStruct.xml",
];

#[test]
fn every_ans_example_passes_the_checks() {
    for name in EXAMPLES {
        let report = check(fixture(name).as_bytes(), None);
        assert!(report.findings.is_empty(), "{name}: {:#?}", report.findings);
        let facts = report.facts.expect("readable");
        assert_eq!(
            facts.ins.as_ref().map(|i| i.root.as_str()),
            Some("1.2.250.1.213.1.4.10"),
            "{name}"
        );
    }
}

#[test]
fn facts_are_read_from_the_header() {
    let facts = check(fixture("DOC_NON_STRUCTURE_CDA-R2-N1.xml").as_bytes(), None)
        .facts
        .unwrap();
    assert_eq!(facts.level, Level::NonStructured);
    assert_eq!(facts.media_type.as_deref(), Some("application/pdf"));
    assert_eq!(
        facts.ins.unwrap().extension.as_deref(),
        Some("279035121518989")
    );
    let vsm = check(fixture("VSM_1.4_2022.01.xml").as_bytes(), None)
        .facts
        .unwrap();
    assert_eq!(vsm.level, Level::Structured);
    assert_eq!(vsm.code.as_ref().unwrap().code, "SYNTH");
    assert!(vsm.has_template(TEMPLATE_VSM));
}

/// Each mutation breaks one rule of the header and must be reported by that rule.
#[test]
fn mutated_examples_fail_with_the_expected_rule() {
    let n1 = fixture("DOC_NON_STRUCTURE_CDA-R2-N1.xml");
    let vsm = fixture("VSM_1.4_2022.01.xml");
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        // (what, example, text to replace, replacement, rule expected)
        (
            "realmCode removed",
            "n1",
            r#"<realmCode code="FR"/>"#,
            "",
            "CDA-REALM-CODE",
        ),
        (
            "another realm",
            "n1",
            r#"<realmCode code="FR"/>"#,
            r#"<realmCode code="UV"/>"#,
            "CDA-REALM-CODE",
        ),
        (
            "typeId changed",
            "n1",
            "POCD_HD000040",
            "POCD_HD000041",
            "CDA-TYPE-ID",
        ),
        (
            "XDS-SD templateId dropped",
            "n1",
            r#"<templateId root="1.3.6.1.4.1.19376.1.2.20"/>"#,
            "",
            "CDA-N1-TEMPLATE-IDS",
        ),
        (
            "CI-SIS templateId dropped",
            "vsm",
            r#"<templateId root="1.2.250.1.213.1.1.1.1"/>"#,
            "",
            "CDA-TEMPLATE-IDS",
        ),
        (
            "birth name qualifier removed",
            "n1",
            r#"<family qualifier="BR">"#,
            "<family>",
            "CDA-INS-TRAITS",
        ),
        (
            "birthTime removed",
            "n1",
            "<birthTime value=",
            "<deathTime value=",
            "CDA-INS-TRAITS",
        ),
        (
            "birthplace county removed",
            "n1",
            "<county>51215</county>",
            "",
            "CDA-INS-TRAITS",
        ),
        (
            "title removed",
            "n1",
            "<title>Compte rendu d'examens biologiques</title>",
            "",
            "CDA-HEADER-ELEMENT",
        ),
        (
            "setId null-flavoured",
            "n1",
            "<setId ",
            r#"<setId nullFlavor="NI" "#,
            "CDA-HEADER-ELEMENT",
        ),
        (
            "signature code not S",
            "n1",
            r#"<signatureCode code="S"/>"#,
            r#"<signatureCode code="X"/>"#,
            "CDA-LEGAL-AUTHENTICATOR",
        ),
        (
            "VSM coded in LOINC",
            "vsm",
            r#"code="SYNTH""#,
            r#"code="34133-9""#,
            "CDA-VSM",
        ),
        (
            "VSM without médecin traitant",
            "vsm",
            r#"<participant typeCode="INF">"#,
            r#"<participant typeCode="IND">"#,
            "CDA-VSM",
        ),
    ];
    for (what, example, from, to, rule) in cases {
        let original = if *example == "n1" { &n1 } else { &vsm };
        assert!(
            original.contains(from),
            "{what}: the example no longer contains {from:?}"
        );
        let mutated = original.replacen(from, to, 1);
        let report = check(mutated.as_bytes(), None);
        assert!(
            report.rules().contains(rule),
            "{what}: expected {rule}, got {:#?}",
            report.findings
        );
    }
}

#[test]
fn unreadable_input_is_a_finding_not_a_panic() {
    for input in [
        &b"\xff\xfe\x00"[..],
        b"<ClinicalDocument>",
        b"<html/>",
        b"<!DOCTYPE x [<!ENTITY a 'b'>]><x/>",
    ] {
        let report = check(input, None);
        assert!(report.facts.is_none());
        assert_eq!(report.rules(), vec!["CDA-UNREADABLE"]);
    }
}

/// The outline of every ANS example's body (volet, sections with their entry counts,
/// biology results) is the golden file beside it in `golden/`. Run with
/// `SEGUR_UPDATE_GOLDEN=1` to write them again after a deliberate change, then review
/// the diff.
#[test]
fn every_example_body_reads_as_its_golden_outline() {
    let dir = format!("{}/src/cda/golden", env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("SEGUR_UPDATE_GOLDEN").is_some();
    for name in EXAMPLES {
        let outline = outline_of(fixture(name).as_bytes(), None).expect("readable");
        let mut text = format!("volet: {}\n", outline.volet.unwrap_or("-"));
        for (code, entries) in &outline.sections {
            text.push_str(&format!("section {code} entries={entries}\n"));
        }
        if !outline.results.is_empty() {
            text.push_str(&format!("results: {}\n", outline.results.join(" ")));
        }
        let path = format!("{dir}/{}.outline", name.trim_end_matches(".xml"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(text, golden, "{name}: the outline differs from {path}");
    }
}

/// Each mutation of an ANS example breaks one body rule of its volet and is reported by
/// that rule; the unmutated example passes (`every_ans_example_passes_the_checks`).
#[test]
fn mutated_bodies_fail_with_the_volet_rule() {
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        // (what, example, text to replace (every occurrence), replacement, rule)
        (
            "CR-BIO with a consultation note's code",
            "BIO-CR-BIO_2024.01_Microbiologie_V2.xml",
            r#"<code code="11502-2" displayName="CR d'examens biologiques""#,
            r#"<code code="11488-4" displayName="CR d'examens biologiques""#,
            "CDA-VOLET",
        ),
        (
            "a CR-BIO result coded outside LOINC",
            "BIO-CR-BIO_2024.01_Microbiologie_V2.xml",
            r#"<code code="5778-6" codeSystem="2.16.840.1.113883.6.1""#,
            r#"<code code="5778-6" codeSystem="1.2.250.1.213.2.7""#,
            "CDA-BIO-RESULT",
        ),
        (
            "a CR-BIO without a speciality chapter",
            "BIO-CR-BIO_2024.01_Microbiologie_V2.xml",
            r#"<templateId root="1.3.6.1.4.1.19376.1.3.3.2.1"/>"#,
            "",
            "CDA-VOLET-SECTION",
        ),
        (
            "a CR-BIO chapter without its data-processing entry",
            "BIO-CR-BIO_2024.01_CR-2nde-intention-PDF.xml",
            r#"<templateId root="1.3.6.1.4.1.19376.1.3.1"/>"#,
            "",
            "CDA-BIO-RESULT",
        ),
        (
            "a CR-IMG without its conclusion",
            "IMG_CR_IMG_2024.01.xml",
            r#"<code code="19005-8""#,
            r#"<code code="19005-9""#,
            "CDA-VOLET-SECTION",
        ),
        (
            "a vaccination note without its history section",
            "VAC-NOTE_2023.01.xml",
            r#"<templateId root="1.3.6.1.4.1.19376.1.5.3.1.3.23"/>"#,
            "",
            "CDA-VOLET-SECTION",
        ),
        (
            "a prescription without its prescriptions section",
            "eP-MED-DM_2024.01_PosoStruct.xml",
            r#"<code code="57828-6""#,
            r#"<code code="57828-7""#,
            "CDA-VOLET-SECTION",
        ),
    ];
    for (what, example, from, to, rule) in cases {
        let original = fixture(example);
        assert!(original.contains(from), "{what}: {from:?} not in {example}");
        let mutated = original.replace(from, to);
        let report = check(mutated.as_bytes(), None);
        assert!(
            report.rules().contains(rule),
            "{what}: {rule} expected, got {:?}",
            report.findings
        );
        assert!(!report.passes(), "{what}: must fail");
    }
}

#[test]
fn recipients_and_the_referrer_are_read_from_the_header() {
    let bio = fixture("BIO-CR-BIO_2024.01_Microbiologie_V2.xml");
    let facts = read_facts(bio.as_bytes(), None).unwrap();
    let referrer = facts.referrer.expect("the prescriber (participant REF)");
    assert_eq!(referrer.id.as_deref(), Some("801234567892"));
    assert_eq!(referrer.mailbox(), None, "the example gives a phone only");
    assert!(facts.recipients.is_empty());
    let with = bio.replacen(
        "<participant typeCode=\"REF\">",
        "<informationRecipient><intendedRecipient><id root=\"1.2.250.1.71.4.2.1\" extension=\"810000000001\"/><telecom value=\"mailto:a.b@test.mssante.fr\"/></intendedRecipient></informationRecipient><participant typeCode=\"REF\">",
        1,
    );
    let facts = read_facts(with.as_bytes(), None).unwrap();
    assert_eq!(facts.recipients.len(), 1);
    assert_eq!(facts.recipients[0].mailbox(), Some("a.b@test.mssante.fr"));
}
