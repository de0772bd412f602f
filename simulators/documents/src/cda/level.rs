//! Level 1 (non-structured body): exactly the HL7 France, CI-SIS and IHE XDS-SD
//! templateIds, and a base64 body (a PDF for the documents of the Ségur "annexe 3").

use segur_core::finding::Finding;
use segur_core::xml::Element;

use super::{CdaFacts, Level, TEMPLATE_CI_SIS, TEMPLATE_HL7_FRANCE, TEMPLATE_XDS_SD, path};
use crate::rules;

/// Runs the level-1 rules on a non-structured document.
pub fn check(root: &Element, facts: &CdaFacts, findings: &mut Vec<Finding>) {
    if facts.level != Level::NonStructured {
        return;
    }
    let expected = [TEMPLATE_HL7_FRANCE, TEMPLATE_CI_SIS, TEMPLATE_XDS_SD];
    let mut missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|t| !facts.has_template(t))
        .collect();
    let extra: Vec<&str> = facts
        .templates
        .iter()
        .map(String::as_str)
        .filter(|t| !expected.contains(t))
        .collect();
    if !missing.is_empty() || !extra.is_empty() || facts.templates.len() != 3 {
        missing.sort_unstable();
        findings.push(
            rules::CDA_LEVEL1_TEMPLATES
                .finding(format!(
                    "a level-1 document carries exactly the templateIds {}; missing {missing:?}, extra {extra:?}, {} in all",
                    expected.join(", "),
                    facts.templates.len()
                ))
                .at("ClinicalDocument/templateId"),
        );
    }
    let text = path(root, &["component", "nonXMLBody", "text"]);
    match text {
        Some(t) if t.attr("representation") == Some("B64") => {
            if t.attr("mediaType") != Some("application/pdf") {
                findings.push(rules::CDA_LEVEL1_BODY.finding(format!(
                    "the non-structured body is {:?}, not application/pdf (annexe-3 documents are PDF/A-1)",
                    t.attr("mediaType").unwrap_or("")
                )).at("ClinicalDocument/component/nonXMLBody/text/@mediaType"));
            }
        }
        _ => findings.push(
            rules::CDA_LEVEL1_BODY
                .finding("nonXMLBody/text is not base64 (representation=\"B64\")")
                .at("ClinicalDocument/component/nonXMLBody/text"),
        ),
    }
}
