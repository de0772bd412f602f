//! The VIHF attribute table (spec notes §1.3): presence and format of each attribute, the
//! NameID as a national PS id, the professional's roles.

use segur_core::bench::Bench;
use segur_core::finding::Finding;
use segur_core::saml::{Assertion, SAML};
use segur_core::world::Ins;
use segur_core::world::codes::{MEDECIN, PHARMACIEN, PROFESSION_OID, SECTOR_OID, is_sector_code};
use segur_core::xml::Element;

use super::{Role, Vihf};
use crate::fault::DmpFault;
use crate::rules;

/// `subject:role`.
pub const ROLE: &str = "urn:oasis:names:tc:xacml:2.0:subject:role";
/// `resource-id`: the patient.
pub const RESOURCE_ID: &str = "urn:oasis:names:tc:xacml:2.0:resource:resource-id";
/// `subject-id`: the user's name.
pub const SUBJECT_ID: &str = "urn:oasis:names:tc:xspa:1.0:subject:subject-id";
/// `purposeofuse`.
pub const PURPOSE: &str = "urn:oasis:names:tc:xspa:1.0:subject:purposeofuse";
/// `confidentiality-code`: sent for a "connexion secrète".
pub const CONFIDENTIALITY: &str =
    "urn:oasis:names:tc:xspa:1.0:resource:patient:hl7:confidentiality-code";
const HL7: &str = "urn:hl7-org:v3";

/// Whether `id` is a national PS id (IdNatPS: `0|1|3|4|5|6|8` then digits).
pub fn is_national_ps_id(id: &str) -> bool {
    id.len() > 1
        && id.starts_with(['0', '1', '3', '4', '5', '6', '8'])
        && id.bytes().all(|b| b.is_ascii_digit())
}

/// Reads and checks the attributes.
pub fn read(
    element: &Element,
    assertion: &Assertion,
    bench: &Bench,
    patient_scoped: bool,
    findings: &mut Vec<Finding>,
) -> Result<Vihf, DmpFault> {
    let refuse =
        |findings: &mut Vec<Finding>, rule: segur_core::finding::Rule, at: &str, why: String| {
            findings.push(
                rule.finding(why.clone())
                    .at(format!("Header/Security/Assertion/{at}")),
            );
            DmpFault::invalid_token(&why)
        };
    let single = |name: &str| {
        assertion
            .attribute(name)
            .and_then(|v| v.first())
            .filter(|v| !v.is_empty())
            .cloned()
    };
    let required = |findings: &mut Vec<Finding>, name: &str| {
        single(name).ok_or_else(|| {
            refuse(
                findings,
                rules::VIHF_ATTRIBUTE,
                &format!("Attribute[@Name='{name}']"),
                format!("the attribute {name} is missing or empty"),
            )
        })
    };

    let version = required(findings, "VIHF_Version")?;
    if version != "3.0" {
        findings.push(
            rules::VIHF_TOLERATED
                .finding(format!(
                    "VIHF_Version {version:?}: the DMP v2 kit and every official example send 3.0"
                ))
                .at("Header/Security/Assertion/Attribute[@Name='VIHF_Version']"),
        );
    }
    let mode = match (
        single("Authentification_Mode"),
        single("Authentification_mode"),
    ) {
        (Some(m), _) => m,
        (None, Some(m)) => {
            findings.push(rules::VIHF_TOLERATED.finding("Authentification_mode (lower-case m), as the official examples spell it; DRIMbox and the HL7 mapping write Authentification_Mode: both are accepted").at("Header/Security/Assertion/Attribute[@Name='Authentification_mode']"));
            m
        }
        (None, None) => {
            return Err(refuse(
                findings,
                rules::VIHF_ATTRIBUTE,
                "Attribute[@Name='Authentification_Mode']",
                "the attribute Authentification_Mode is missing".into(),
            ));
        }
    };
    if !matches!(
        mode.as_str(),
        "DIRECTE" | "INDIRECTE" | "INDIRECTE_RENFORCEE"
    ) {
        return Err(refuse(
            findings,
            rules::VIHF_ATTRIBUTE,
            "Attribute[@Name='Authentification_Mode']",
            format!(
                "Authentification_Mode {mode:?} is none of DIRECTE, INDIRECTE, INDIRECTE_RENFORCEE"
            ),
        ));
    }
    let national_id = assertion.name_id.clone().unwrap_or_default();
    let local_form = national_id
        .split_once('/')
        .is_some_and(|(s, u)| !s.is_empty() && !u.is_empty());
    let accepted = is_national_ps_id(&national_id) || (mode != "DIRECTE" && local_form);
    if !accepted {
        return Err(refuse(
            findings,
            rules::VIHF_NAME_ID,
            "Subject/NameID",
            format!(
                "NameID {national_id:?} is not a national PS id (0|1|3|4|5|6|8 then digits){}",
                if mode == "DIRECTE" {
                    ""
                } else {
                    " nor a structure/local id"
                }
            ),
        ));
    }
    let structure = required(findings, "Identifiant_Structure")?;
    let sector_value = required(findings, "Secteur_Activite")?;
    let sector = match sector_value.split_once('^') {
        Some((code, oid)) if oid == SECTOR_OID && is_sector_code(code) => code.to_string(),
        _ => {
            return Err(refuse(
                findings,
                rules::VIHF_ATTRIBUTE,
                "Attribute[@Name='Secteur_Activite']",
                format!("Secteur_Activite {sector_value:?} is not SAxx^{SECTOR_OID} (JDV_J61)"),
            ));
        }
    };
    let subject = single(SUBJECT_ID).unwrap_or_else(|| {
        findings.push(rules::VIHF_ATTRIBUTE.finding("subject-id (the user's name) is missing: DRIMbox and the HL7 mapping send it, the kit's samples do not (accepted)").at("Header/Security/Assertion/Attribute[@Name='subject-id']").with_severity(segur_core::finding::Severity::Warning));
        String::new()
    });
    let roles = coded_values(element, ROLE, "Role");
    match roles.first() {
        None => {
            return Err(refuse(
                findings,
                rules::VIHF_ATTRIBUTE,
                "Attribute[@Name='subject:role']",
                "no subject:role: the profession (TRE_G15) is required".into(),
            ));
        }
        Some(first) if first.system != PROFESSION_OID && first.code != "AUTOMATE" => findings.push(
            rules::VIHF_ATTRIBUTE
                .finding(format!(
                    "the first role is {}^{}, not a TRE_G15 profession ({PROFESSION_OID})",
                    first.code, first.system
                ))
                .at("Header/Security/Assertion/Attribute[@Name='subject:role']"),
        ),
        Some(first) if (first.code == MEDECIN || first.code == PHARMACIEN) && roles.len() < 2 => {
            let what = if first.code == MEDECIN {
                "a médecin's specialty (TRE_R01)"
            } else {
                "a pharmacien's CNOP section (TRE_G05)"
            };
            return Err(refuse(
                findings,
                rules::VIHF_ATTRIBUTE,
                "Attribute[@Name='subject:role']",
                format!("profession {} needs a second role: {what}", first.code),
            ));
        }
        Some(_) => {}
    }
    let resource_id = single(RESOURCE_ID);
    let patient = match (&resource_id, patient_scoped) {
        (None, true) => {
            return Err(refuse(
                findings,
                rules::VIHF_ATTRIBUTE,
                "Attribute[@Name='resource-id']",
                "resource-id is missing: a call about a patient names the patient's INS".into(),
            ));
        }
        (None, false) => None,
        (Some(cx), _) => match Ins::parse_cx(cx) {
            Ok(ins) => Some(ins),
            Err(e) => {
                return Err(refuse(
                    findings,
                    rules::VIHF_ATTRIBUTE,
                    "Attribute[@Name='resource-id']",
                    format!("resource-id {cx:?} is not an INS in CX form (NIR^^^&OID&ISO^NH): {e}"),
                ));
            }
        },
    };
    let urn = required(findings, "Ressource_URN")?;
    if urn != "urn:dmp" {
        return Err(refuse(
            findings,
            rules::VIHF_ATTRIBUTE,
            "Attribute[@Name='Ressource_URN']",
            format!("Ressource_URN is {urn:?}, expected urn:dmp"),
        ));
    }
    let purpose = coded_values(element, PURPOSE, "PurposeOfUse");
    let Some(purpose) = purpose.first().map(|p| p.code.clone()) else {
        return Err(refuse(
            findings,
            rules::VIHF_ATTRIBUTE,
            "Attribute[@Name='purposeofuse']",
            "PurposeOfUse is missing (code normal for a usual access)".into(),
        ));
    };
    let software = (
        single("LPS_Nom"),
        single("LPS_Version"),
        single("LPS_ID_HOMOLOGATION_DMP"),
    );
    for (value, name) in [
        (&software.0, "LPS_Nom"),
        (&software.1, "LPS_Version"),
        (&software.2, "LPS_ID_HOMOLOGATION_DMP"),
    ] {
        if value.is_none() {
            findings.push(
                rules::VIHF_ATTRIBUTE
                    .finding(format!(
                        "{name} is missing: the DMP traces the software behind every call"
                    ))
                    .at(format!(
                        "Header/Security/Assertion/Attribute[@Name='{name}']"
                    )),
            );
        }
    }
    if let Some(number) = &software.2
        && !bench
            .world()
            .software
            .dmp_homologation
            .iter()
            .any(|s| &s.number == number)
    {
        findings.push(
            rules::VIHF_TOLERATED
                .finding(format!(
                    "LPS_ID_HOMOLOGATION_DMP {number:?} is not one the world declares"
                ))
                .at("Header/Security/Assertion/Attribute[@Name='LPS_ID_HOMOLOGATION_DMP']"),
        );
    }
    Ok(Vihf {
        national_id,
        mode,
        structure,
        sector,
        subject,
        roles,
        resource_id,
        patient,
        purpose,
        secret: assertion.attribute(CONFIDENTIALITY).is_some(),
        software,
        signer: None,
    })
}

/// The `CE` elements `local` inside the values of attribute `name`.
fn coded_values(assertion: &Element, name: &str, local: &str) -> Vec<Role> {
    assertion
        .children_named(SAML, "AttributeStatement")
        .flat_map(|s| s.children_named(SAML, "Attribute"))
        .filter(|a| a.attr("Name") == Some(name))
        .flat_map(|a| a.children_named(SAML, "AttributeValue"))
        .filter_map(|v| v.child(HL7, local))
        .map(|r| Role {
            code: r.attr("code").unwrap_or_default().to_string(),
            system: r.attr("codeSystem").unwrap_or_default().to_string(),
        })
        .collect()
}
