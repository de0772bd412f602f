//! ITI-41 metadata as the DMP requires it (spec notes §1.5): the submission set's and
//! each document entry's required slots, classifications and identifiers, and every code
//! in its value set (checked by coding scheme and form, the full JDV lists not being
//! public; the codes the spec notes list are known by name).

use segur_core::finding::Finding;
use segur_core::world::codes::is_sector_code;
use segur_documents::ebrim::{RegistryObject, RegistryObjects, uuid};

use crate::rules;
use crate::xds::response::RegistryError;

/// The formatCode of the signature document (IHE DSG).
pub const SIGNATURE_FORMAT: &str = "http://www.w3.org/2000/09/xmldsig#";

/// formatCodes the spec notes list (JDV_J60 heads); others are accepted when they have
/// the form of one (`urn:ihe:…`, `urn:asip:…`, an OID).
const KNOWN_FORMATS: &[&str] = &[
    "urn:ihe:iti:xds-sd:pdf:2008",
    "urn:ihe:iti:xds-sd:text:2008",
    "urn:asip:ci-sis:vsm:2012",
    "urn:ihe:pcc:ips:2020",
    "urn:ihe:lab:xd-lab:2008",
    "1.2.840.10008.5.1.4.1.1.88.59",
];

/// Whether `entry` is the signature of the submission set.
pub fn is_signature(entry: &RegistryObject) -> bool {
    entry
        .classified(uuid::FORMAT_CODE)
        .any(|c| c.code == SIGNATURE_FORMAT)
}

/// Checks the metadata; every problem becomes a registry error and a finding.
pub fn check(
    objects: &RegistryObjects,
    errors: &mut Vec<RegistryError>,
    findings: &mut Vec<Finding>,
) {
    let mut fail = |at: &str, why: String| {
        findings.push(rules::METADATA.finding(why.clone()).at(at.to_string()));
        errors.push(RegistryError::new("XDSRegistryMetadataError", why).at(at));
    };
    let Some(set) = objects.submission_set() else {
        fail(
            "RegistryPackage",
            "no submission set (RegistryPackage classified as XDSSubmissionSet)".into(),
        );
        return;
    };
    let at = format!("RegistryPackage[@id='{}']", set.id);
    if set.slot_value("submissionTime").is_none() {
        fail(&at, "the submission set has no submissionTime".into());
    }
    if set.classified(uuid::SET_AUTHOR).next().is_none() {
        fail(&at, "the submission set has no author".into());
    }
    match set.classified(uuid::SET_CONTENT_TYPE).next() {
        Some(c)
            if c.coding_scheme.as_deref() == Some("1.2.250.1.213.2.2") && !c.code.is_empty() => {}
        Some(c) => fail(
            &at,
            format!(
                "contentTypeCode {}^{:?} is not in JDV_J59 (1.2.250.1.213.2.2)",
                c.code, c.coding_scheme
            ),
        ),
        None => fail(&at, "the submission set has no contentTypeCode".into()),
    }
    for (scheme, what) in [
        (uuid::SET_PATIENT_ID, "patientId"),
        (uuid::SET_SOURCE_ID, "sourceId"),
        (uuid::SET_UNIQUE_ID, "uniqueId"),
    ] {
        if set.external_id(scheme).is_none_or(str::is_empty) {
            fail(&at, format!("the submission set has no {what}"));
        }
    }
    if objects.entries.is_empty() {
        fail(&at, "the submission has no document entry".into());
    }
    for entry in &objects.entries {
        check_entry(entry, &mut fail);
    }
}

fn check_entry(entry: &RegistryObject, fail: &mut impl FnMut(&str, String)) {
    let at = format!("ExtrinsicObject[@id='{}']", entry.id);
    let signature = is_signature(entry);
    for slot in ["creationTime", "languageCode", "sourcePatientId"] {
        if entry.slot_value(slot).is_none() {
            fail(&at, format!("the entry has no {slot} slot"));
        }
    }
    if entry.name.as_deref().is_none_or(str::is_empty) {
        fail(&at, "the entry has no title (Name)".into());
    }
    for (scheme, what) in [
        (uuid::PATIENT_ID, "patientId"),
        (uuid::UNIQUE_ID, "uniqueId"),
    ] {
        if entry.external_id(scheme).is_none_or(str::is_empty) {
            fail(&at, format!("the entry has no {what}"));
        }
    }
    if !entry.classified(uuid::AUTHOR).any(|a| {
        a.slots.iter().any(|s| {
            (s.name == "authorPerson" || s.name == "authorInstitution") && !s.values.is_empty()
        })
    }) {
        fail(
            &at,
            "the entry has no author (authorPerson or authorInstitution)".into(),
        );
    }
    let coded = |scheme: &str| entry.classified(scheme).next();
    let mut code_in = |scheme: &str,
                       what: &str,
                       ok: &dyn Fn(&str, &str) -> bool,
                       expected: &str| match coded(scheme) {
        None => fail(&at, format!("the entry has no {what}")),
        Some(c) => {
            let system = c.coding_scheme.as_deref().unwrap_or("");
            if !ok(&c.code, system) {
                fail(
                    &at,
                    format!(
                        "{what} {}^{system} is not in its value set ({expected})",
                        c.code
                    ),
                );
            }
        }
    };
    if signature {
        code_in(
            uuid::CLASS_CODE,
            "classCode",
            &|c, s| c == "urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1" && s == "URN",
            "urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1^URN",
        );
        code_in(
            uuid::TYPE_CODE,
            "typeCode",
            &|c, s| c == "E1762" && s == "ASTM",
            "E1762^ASTM",
        );
    } else {
        code_in(
            uuid::CLASS_CODE,
            "classCode",
            &|c, s| {
                s == "1.2.250.1.213.1.1.4.1"
                    && !c.is_empty()
                    && c.len() <= 3
                    && c.bytes().all(|b| b.is_ascii_digit())
            },
            "JDV_J57, 1.2.250.1.213.1.1.4.1",
        );
        code_in(
            uuid::TYPE_CODE,
            "typeCode",
            &|c, s| {
                (s == "2.16.840.1.113883.6.1" && is_loinc(c))
                    || (s == "1.2.250.1.213.1.1.4.12" && !c.is_empty())
            },
            "LOINC or TRE_A05",
        );
        code_in(
            uuid::FORMAT_CODE,
            "formatCode",
            &|c, _| {
                KNOWN_FORMATS.contains(&c)
                    || c.starts_with("urn:ihe:")
                    || c.starts_with("urn:asip:")
                    || is_oid(c)
            },
            "JDV_J60",
        );
    }
    code_in(
        uuid::FACILITY_TYPE,
        "healthcareFacilityTypeCode",
        &|c, s| s == "1.2.250.1.71.4.2.4" && is_sector_code(c),
        "JDV_J61, SAxx^1.2.250.1.71.4.2.4",
    );
    code_in(
        uuid::PRACTICE_SETTING,
        "practiceSettingCode",
        &|c, s| s == "1.2.250.1.213.1.1.4.9" && !c.is_empty(),
        "1.2.250.1.213.1.1.4.9",
    );
    let confidentiality: Vec<_> = entry.classified(uuid::CONFIDENTIALITY).collect();
    if confidentiality.is_empty() {
        fail(&at, "the entry has no confidentialityCode".into());
    }
    for c in confidentiality {
        let ok = match c.coding_scheme.as_deref() {
            Some("2.16.840.1.113883.5.25") => c.code == "N",
            Some("1.2.250.1.213.1.1.4.13") => matches!(
                c.code.as_str(),
                "MASQUE_PS" | "INVISIBLE_PATIENT" | "INVISIBLE_REP_LEGAUX"
            ),
            _ => false,
        };
        if !ok {
            fail(
                &at,
                format!(
                    "confidentialityCode {}^{:?} is neither N (2.16.840.1.113883.5.25) nor a TRE_A07 visibility code",
                    c.code, c.coding_scheme
                ),
            );
        }
    }
}

fn is_loinc(code: &str) -> bool {
    code.split_once('-').is_some_and(|(n, check)| {
        !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
            && check.len() == 1
            && check.bytes().all(|b| b.is_ascii_digit())
    })
}

fn is_oid(code: &str) -> bool {
    !code.is_empty()
        && code
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}
