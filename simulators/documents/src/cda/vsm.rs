//! The VSM (Volet de Synthèse Médicale 1.4 / 2023.01, spec notes §3.2): its code, the
//! service event, the three sections it requires and, for 1.4, the médecin traitant.

use segur_core::finding::Finding;
use segur_core::xml::Element;

use super::{CdaFacts, HL7, TEMPLATE_VSM, children, path};
use crate::rules;

/// Pathologies, antécédents, allergies et facteurs de risque.
const SECTION_HISTORY: &str = "1.2.250.1.213.1.1.2.29";
/// Résultats.
const SECTION_RESULTS: &str = "1.3.6.1.4.1.19376.1.5.3.1.3.27";
/// Traitement au long cours.
const SECTION_TREATMENT: &str = "1.2.250.1.213.1.1.2.32";
/// The medication subsection the treatment section holds, with text.
const SUBSECTION_MEDICATIONS: &str = "1.3.6.1.4.1.19376.1.5.3.1.3.19";

/// Runs the VSM rules on a document that declares the VSM templateId.
pub fn check(root: &Element, facts: &CdaFacts, findings: &mut Vec<Finding>) {
    if !facts.has_template(TEMPLATE_VSM) {
        return;
    }
    let mut fail = |what: String, at: &str| findings.push(rules::CDA_VSM.finding(what).at(at));
    match &facts.code {
        Some(c) if c.code == "SYNTH" && c.system.as_deref() == Some("1.2.250.1.213.1.1.4.12") => {}
        other => fail(
            format!(
                "a VSM has code SYNTH in 1.2.250.1.213.1.1.4.12 (not LOINC), found {:?}",
                other.as_ref().map(|c| (&c.code, &c.system))
            ),
            "ClinicalDocument/code",
        ),
    }
    let event_code =
        path(root, &["documentationOf", "serviceEvent", "code"]).and_then(|c| c.attr("code"));
    if event_code != Some("34117-2") {
        fail(
            format!(
                "the VSM's serviceEvent code is 34117-2 (Historique et clinique), found {event_code:?}"
            ),
            "ClinicalDocument/documentationOf/serviceEvent/code",
        );
    }
    let sections = sections(root);
    for (required, what) in [
        (
            SECTION_HISTORY,
            "pathologies, antécédents, allergies et facteurs de risque",
        ),
        (SECTION_RESULTS, "résultats"),
        (SECTION_TREATMENT, "traitement au long cours"),
    ] {
        if !sections.iter().any(|s| has_template(s, required)) {
            fail(
                format!("the section {what} ({required}) is missing"),
                "ClinicalDocument/component/structuredBody",
            );
        }
    }
    if let Some(treatment) = sections.iter().find(|s| has_template(s, SECTION_TREATMENT)) {
        let medications = treatment
            .descendants()
            .into_iter()
            .filter(|e| e.is(HL7, "section") && has_template(e, SUBSECTION_MEDICATIONS))
            .any(|s| {
                s.child(HL7, "text")
                    .is_some_and(|t| !t.descendants().is_empty() || !t.text().trim().is_empty())
            });
        if !medications {
            fail(
                format!(
                    "the treatment section has no {SUBSECTION_MEDICATIONS} subsection with text"
                ),
                "ClinicalDocument/component/structuredBody/component/section",
            );
        }
    }
    let treating: Vec<&Element> = children(root, "participant")
        .into_iter()
        .filter(|p| {
            p.attr("typeCode") == Some("INF")
                && p.child(HL7, "functionCode").is_some_and(|f| {
                    f.attr("code") == Some("PCP")
                        && f.attr("codeSystem") == Some("2.16.840.1.113883.5.88")
                })
        })
        .collect();
    if treating.len() != 1 {
        fail(
            format!(
                "a VSM names its médecin traitant exactly once (participant typeCode=INF, functionCode PCP); found {}",
                treating.len()
            ),
            "ClinicalDocument/participant",
        );
    }
}

fn has_template(section: &Element, root: &str) -> bool {
    section
        .children_named(HL7, "templateId")
        .any(|t| t.attr("root") == Some(root))
}

/// The top-level sections of the structured body.
fn sections(root: &Element) -> Vec<&Element> {
    path(root, &["component", "structuredBody"])
        .map(|body| {
            children(body, "component")
                .into_iter()
                .filter_map(|c| c.child(HL7, "section"))
                .collect()
        })
        .unwrap_or_default()
}
