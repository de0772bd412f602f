//! The INS rule: a patient identified by an INS carries every INS trait (spec notes §3.1),
//! so that the receiver can check the identity it integrates.

use segur_core::finding::Finding;
use segur_core::xml::Element;

use super::{CdaFacts, HL7, path};
use crate::rules;

/// Runs the rule when the patient has an INS.
pub fn check(root: &Element, facts: &CdaFacts, findings: &mut Vec<Finding>) {
    let Some(ins) = &facts.ins else {
        return;
    };
    let patient = path(root, &["recordTarget", "patientRole", "patient"]);
    let names: Vec<&Element> = patient
        .map(|p| {
            p.children_named(HL7, "name")
                .flat_map(|n| n.elements())
                .collect()
        })
        .unwrap_or_default();
    let has_name = |local: &str, qualifier: Option<&str>| {
        names.iter().any(|n| {
            n.is(HL7, local) && n.attr("qualifier") == qualifier && !n.text().trim().is_empty()
        })
    };
    let mut missing = Vec::new();
    if !has_name("family", Some("BR")) {
        missing.push("birth family name (family qualifier=\"BR\")");
    }
    if !has_name("given", Some("BR")) {
        missing.push("first given name (given qualifier=\"BR\")");
    }
    if !has_name("given", None) {
        missing.push("list of given names (given without qualifier)");
    }
    let present = |steps: &[&str], attribute: &str| {
        patient.and_then(|p| path(p, steps)).is_some_and(|e| {
            e.attr(attribute).is_some_and(|v| !v.is_empty())
                || (attribute.is_empty() && !e.text().trim().is_empty())
        })
    };
    if !present(&["birthTime"], "value") {
        missing.push("birthTime");
    }
    if !present(&["birthplace", "place", "addr", "county"], "") {
        missing.push("birthplace COG code (birthplace/place/addr/county)");
    }
    if !present(&["administrativeGenderCode"], "code") {
        missing.push("administrativeGenderCode");
    }
    for trait_name in missing {
        findings.push(
            rules::CDA_INS_TRAITS
                .finding(format!(
                    "the patient is identified by an INS (root {}) but the {trait_name} is missing",
                    ins.root
                ))
                .at("ClinicalDocument/recordTarget/patientRole/patient"),
        );
    }
}
