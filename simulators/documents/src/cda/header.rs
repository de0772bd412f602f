//! The "structuration minimale" header rules (TCDA schematron, spec notes §3.1): realm,
//! typeId, the two national templateIds plus a volet one, the elements required exactly
//! once without nullFlavor, authors, legal authenticator, service event, replacement.

use segur_core::finding::Finding;
use segur_core::xml::Element;

use super::{HL7, TEMPLATE_CI_SIS, TEMPLATE_HL7_FRANCE, children, path};
use crate::rules;

/// Header elements required exactly once, without `nullFlavor`, as paths from the root.
const EXACTLY_ONCE: &[&[&str]] = &[
    &["id"],
    &["code"],
    &["title"],
    &["effectiveTime"],
    &["confidentialityCode"],
    &["languageCode"],
    &["setId"],
    &["versionNumber"],
    &["recordTarget"],
    &["custodian"],
    &["componentOf"],
    &["component"],
];

/// Runs the header rules.
pub fn check(root: &Element, findings: &mut Vec<Finding>) {
    let realms = children(root, "realmCode");
    match realms.as_slice() {
        [one] if one.attr("code") == Some("FR") => {}
        [] => findings.push(
            rules::CDA_REALM
                .finding("realmCode is missing: a French CDA carries realmCode code=\"FR\"")
                .at("ClinicalDocument/realmCode"),
        ),
        [one] => findings.push(
            rules::CDA_REALM
                .finding(format!(
                    "realmCode is {:?}, expected \"FR\"",
                    one.attr("code").unwrap_or("")
                ))
                .at("ClinicalDocument/realmCode"),
        ),
        more => findings.push(
            rules::CDA_REALM
                .finding(format!(
                    "{} realmCode elements, exactly one expected",
                    more.len()
                ))
                .at("ClinicalDocument/realmCode"),
        ),
    }
    let type_id = root.child(HL7, "typeId");
    if type_id.and_then(|t| t.attr("root")) != Some("2.16.840.1.113883.1.3")
        || type_id.and_then(|t| t.attr("extension")) != Some("POCD_HD000040")
    {
        findings.push(
            rules::CDA_TYPE_ID
                .finding(
                    "typeId must be root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"",
                )
                .at("ClinicalDocument/typeId"),
        );
    }
    let templates: Vec<&str> = children(root, "templateId")
        .into_iter()
        .filter_map(|t| t.attr("root"))
        .collect();
    for (required, what) in [
        (TEMPLATE_HL7_FRANCE, "HL7 France"),
        (TEMPLATE_CI_SIS, "CI-SIS"),
    ] {
        if !templates.contains(&required) {
            findings.push(
                rules::CDA_TEMPLATES
                    .finding(format!("the {what} templateId {required} is missing"))
                    .at("ClinicalDocument/templateId"),
            );
        }
    }
    if !templates
        .iter()
        .any(|t| *t != TEMPLATE_HL7_FRANCE && *t != TEMPLATE_CI_SIS)
    {
        findings.push(
            rules::CDA_TEMPLATES
                .finding("no volet templateId beside the HL7 France and CI-SIS ones: the document's model is not declared")
                .at("ClinicalDocument/templateId"),
        );
    }
    for steps in EXACTLY_ONCE {
        let name = steps[0];
        let found = children(root, name);
        let at = format!("ClinicalDocument/{name}");
        match found.as_slice() {
            [] => findings.push(
                rules::CDA_HEADER_ELEMENT
                    .finding(format!("{name} is missing (required exactly once)"))
                    .at(at),
            ),
            [one] if one.attr("nullFlavor").is_some() => findings.push(
                rules::CDA_HEADER_ELEMENT
                    .finding(format!("{name} has a nullFlavor: a value is required"))
                    .at(at),
            ),
            [_] => {}
            more => findings.push(
                rules::CDA_HEADER_ELEMENT
                    .finding(format!(
                        "{} {name} elements, exactly one required",
                        more.len()
                    ))
                    .at(at),
            ),
        }
    }
    if let Some(code) = root.child(HL7, "code")
        && code.attr("nullFlavor").is_none()
        && (code.attr("displayName").is_none() || code.attr("codeSystem").is_none())
    {
        findings.push(
            rules::CDA_HEADER_ELEMENT
                .finding("code needs both @displayName and @codeSystem")
                .at("ClinicalDocument/code"),
        );
    }
    for (steps, what) in [
        (
            &["custodian", "assignedCustodian"][..],
            "custodian/assignedCustodian",
        ),
        (
            &["componentOf", "encompassingEncounter"][..],
            "componentOf/encompassingEncounter",
        ),
        (
            &["recordTarget", "patientRole"][..],
            "recordTarget/patientRole",
        ),
    ] {
        if root.child(HL7, steps[0]).is_some() && path(root, steps).is_none() {
            findings.push(
                rules::CDA_HEADER_ELEMENT
                    .finding(format!("{what} is missing"))
                    .at(format!("ClinicalDocument/{what}")),
            );
        }
    }
    if !children(root, "author")
        .iter()
        .any(|a| a.child(HL7, "assignedAuthor").is_some())
    {
        findings.push(
            rules::CDA_AUTHOR
                .finding("no author/assignedAuthor: at least one author is required")
                .at("ClinicalDocument/author"),
        );
    }
    let legal = children(root, "legalAuthenticator");
    match legal.as_slice() {
        [one] if path(one, &["signatureCode"]).and_then(|s| s.attr("code")) == Some("S") => {}
        [_] => findings.push(
            rules::CDA_LEGAL_AUTHENTICATOR
                .finding("legalAuthenticator without signatureCode code=\"S\"")
                .at("ClinicalDocument/legalAuthenticator/signatureCode"),
        ),
        [] => findings.push(
            rules::CDA_LEGAL_AUTHENTICATOR
                .finding("legalAuthenticator is missing (required exactly once)")
                .at("ClinicalDocument/legalAuthenticator"),
        ),
        more => findings.push(
            rules::CDA_LEGAL_AUTHENTICATOR
                .finding(format!(
                    "{} legalAuthenticator elements, exactly one required",
                    more.len()
                ))
                .at("ClinicalDocument/legalAuthenticator"),
        ),
    }
    let events: Vec<&Element> = children(root, "documentationOf")
        .into_iter()
        .filter_map(|d| d.child(HL7, "serviceEvent"))
        .collect();
    match events.first() {
        None => findings.push(
            rules::CDA_SERVICE_EVENT
                .finding("documentationOf/serviceEvent is missing")
                .at("ClinicalDocument/documentationOf"),
        ),
        Some(first) => {
            if first.child(HL7, "effectiveTime").is_none() {
                findings.push(
                    rules::CDA_SERVICE_EVENT
                        .finding("the first serviceEvent has no effectiveTime")
                        .at("ClinicalDocument/documentationOf/serviceEvent/effectiveTime"),
                );
            }
            if first.child(HL7, "performer").is_none() {
                findings.push(
                    rules::CDA_SERVICE_EVENT
                        .finding("the first serviceEvent has no performer")
                        .at("ClinicalDocument/documentationOf/serviceEvent/performer"),
                );
            }
        }
    }
    let replacements = children(root, "relatedDocument")
        .into_iter()
        .filter(|r| r.attr("typeCode") == Some("RPLC"))
        .count();
    if replacements > 1 {
        findings.push(
            rules::CDA_RELATED_DOCUMENT
                .finding(format!("{replacements} relatedDocument typeCode=\"RPLC\": a document replaces at most one"))
                .at("ClinicalDocument/relatedDocument"),
        );
    }
}
