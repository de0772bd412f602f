//! The body rules of the CI-SIS volets a structured (level 3) document declares, as one
//! table: the document's code, the sections it must hold (by section templateId and
//! LOINC code, with a least number of entries) and, for the biology report, the coding of
//! its results.
//!
//! The rows are read off the ANS examples in `fixtures/cda` (spec notes dmp-mss.md §3.3:
//! the CI-SIS examples pass the volets' schematrons), keeping what every example of a
//! volet shares and what the REMs name: the CR-BIO's results coded in LOINC
//! (DOC/va1.30), the CR-IMG's procedure, findings and conclusion (DOC/va1.16 in level 3),
//! the vaccination note's history, the prescription's items. The VSM has its own module
//! ([`super::vsm`]); a volet not in the table is checked on its header alone.

use segur_core::finding::Finding;
use segur_core::xml::Element;

use super::{CdaFacts, HL7, Level, path};
use crate::rules;

/// LOINC.
pub const LOINC: &str = "2.16.840.1.113883.6.1";

/// A section a volet requires.
#[derive(Debug, Clone, Copy)]
pub struct RequiredSection {
    /// The section's CI-SIS or IHE templateId.
    pub template: &'static str,
    /// Its LOINC code.
    pub code: &'static str,
    /// What it holds, for the finding.
    pub what: &'static str,
    /// The least number of `entry` it carries (0: narrative only).
    pub min_entries: usize,
}

/// One volet of the table.
#[derive(Debug, Clone, Copy)]
pub struct Volet {
    /// Short name (`CR-BIO`), as the REMs and the ANS examples say it.
    pub name: &'static str,
    /// The document-level templateId that declares it.
    pub template: &'static str,
    /// The document's `code` and its system.
    pub code: (&'static str, &'static str),
    /// The sections it must hold, anywhere in the body (top level or nested).
    pub sections: &'static [RequiredSection],
    /// Whether its results are the biology ones (every result observation coded in LOINC).
    pub biology_results: bool,
    /// The XDS formatCode of the volet in level 3 (JDV_J60, spec notes §1.5), when the
    /// spec facts give it.
    pub format_code: Option<&'static str>,
}

/// The volets the bench knows the body of.
pub const VOLETS: &[Volet] = &[
    Volet {
        name: "CR-BIO",
        template: "1.2.250.1.213.1.1.1.55",
        code: ("11502-2", LOINC),
        sections: &[RequiredSection {
            template: SECTION_BIO_CHAPTER,
            code: "",
            what: "un chapitre de résultats de biologie (spécialité)",
            min_entries: 0,
        }],
        biology_results: true,
        format_code: Some("urn:ihe:lab:xd-lab:2008"),
    },
    Volet {
        name: "CR-IMG",
        template: "1.2.250.1.213.1.1.1.45",
        code: ("18748-4", LOINC),
        sections: &[
            RequiredSection {
                template: "1.2.840.10008.9.3",
                code: "55111-9",
                what: "l'acte d'imagerie",
                min_entries: 1,
            },
            RequiredSection {
                template: "2.16.840.1.113883.10.20.6.1.2",
                code: "59776-5",
                what: "les résultats",
                min_entries: 0,
            },
            RequiredSection {
                template: "1.2.840.10008.9.5",
                code: "19005-8",
                what: "la conclusion",
                min_entries: 0,
            },
        ],
        biology_results: false,
        format_code: None,
    },
    Volet {
        name: "LDL-SES",
        template: "1.2.250.1.213.1.1.1.29",
        code: ("11490-0", LOINC),
        sections: &[RequiredSection {
            template: "1.3.6.1.4.1.19376.1.5.3.1.3.1",
            code: "42349-1",
            what: "le motif d'hospitalisation",
            min_entries: 0,
        }],
        biology_results: false,
        format_code: None,
    },
    Volet {
        name: "LDL-EES",
        template: "1.2.250.1.213.1.1.1.21",
        code: ("18761-7", LOINC),
        sections: &[RequiredSection {
            template: "1.3.6.1.4.1.19376.1.5.3.1.3.1",
            code: "42349-1",
            what: "le motif",
            min_entries: 0,
        }],
        biology_results: false,
        format_code: None,
    },
    Volet {
        name: "VAC-NOTE",
        template: "1.2.250.1.213.1.1.1.46",
        code: ("87273-9", LOINC),
        sections: &[RequiredSection {
            template: "1.3.6.1.4.1.19376.1.5.3.1.3.23",
            code: "11369-6",
            what: "l'historique des vaccinations",
            min_entries: 1,
        }],
        biology_results: false,
        format_code: None,
    },
    Volet {
        name: "eP-MED",
        template: "1.2.250.1.213.1.1.1.39",
        code: ("57833-6", LOINC),
        sections: &[RequiredSection {
            template: "1.3.6.1.4.1.19376.1.9.1.2.1",
            code: "57828-6",
            what: "les prescriptions",
            min_entries: 1,
        }],
        biology_results: false,
        format_code: None,
    },
    Volet {
        name: "IPS-FR",
        template: "1.2.250.1.213.1.1.1.51",
        code: ("60591-5", LOINC),
        sections: &[RequiredSection {
            template: "1.3.6.1.4.1.19376.1.5.3.1.3.19",
            code: "10160-0",
            what: "les traitements",
            min_entries: 1,
        }],
        biology_results: false,
        format_code: Some("urn:ihe:pcc:ips:2020"),
    },
    Volet {
        name: "CNAM-HR",
        template: "1.2.250.1.213.1.1.1.36",
        code: ("REMB", "1.2.250.1.213.1.1.4.12"),
        sections: &[],
        biology_results: false,
        format_code: None,
    },
];

/// A chapter (speciality) of a biology report: IHE XD-LAB's Laboratory Specialty Section.
pub const SECTION_BIO_CHAPTER: &str = "1.3.6.1.4.1.19376.1.3.3.2.1";
/// A Laboratory Report Data Processing Entry.
const ENTRY_BIO_REPORT: &str = "1.3.6.1.4.1.19376.1.3.1";
/// A Laboratory Observation (a result).
const OBSERVATION_BIO_RESULT: &str = "1.3.6.1.4.1.19376.1.3.1.6";

/// The volet a document declares, if the table knows it.
pub fn of(facts: &CdaFacts) -> Option<&'static Volet> {
    VOLETS.iter().find(|v| facts.has_template(v.template))
}

/// What the body of a structured document holds, as the rules read it: the golden files
/// next to the tests print it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// The volet's name, if the table knows it.
    pub volet: Option<&'static str>,
    /// Every section's code (LOINC or other), in document order, nested ones included,
    /// with its entry count.
    pub sections: Vec<(String, usize)>,
    /// The biology results' codes (`code@code` of each Laboratory Observation).
    pub results: Vec<String>,
}

/// Reads the outline of a document's body.
pub fn outline(root: &Element, facts: &CdaFacts) -> Outline {
    let body = path(root, &["component", "structuredBody"]);
    let sections: Vec<&Element> = body
        .map(|b| {
            b.descendants()
                .into_iter()
                .filter(|e| e.is(HL7, "section"))
                .collect()
        })
        .unwrap_or_default();
    Outline {
        volet: of(facts).map(|v| v.name),
        sections: sections
            .iter()
            .map(|s| {
                (
                    code_of(s).map(|(c, _)| c.to_string()).unwrap_or_default(),
                    s.children_named(HL7, "entry").count(),
                )
            })
            .collect(),
        results: body
            .map(biology_results)
            .unwrap_or_default()
            .into_iter()
            .map(|o| code_of(o).map(|(c, _)| c.to_string()).unwrap_or_default())
            .collect(),
    }
}

/// Runs the volet's rules on a structured document.
pub fn check(root: &Element, facts: &CdaFacts, findings: &mut Vec<Finding>) {
    let Some(volet) = of(facts) else {
        return;
    };
    if facts.level != Level::Structured {
        findings.push(
            rules::CDA_VOLET
                .finding(format!(
                    "the templateId {} declares the {} volet, a structured (level 3) body; the body is not structured",
                    volet.template, volet.name
                ))
                .at("ClinicalDocument/component"),
        );
        return;
    }
    let code = facts
        .code
        .as_ref()
        .map(|c| (c.code.as_str(), c.system.as_deref().unwrap_or_default()));
    if code != Some(volet.code) {
        findings.push(
            rules::CDA_VOLET
                .finding(format!(
                    "a {} has code {} in {}, found {code:?}",
                    volet.name, volet.code.0, volet.code.1
                ))
                .at("ClinicalDocument/code"),
        );
    }
    let Some(body) = path(root, &["component", "structuredBody"]) else {
        return;
    };
    let sections: Vec<&Element> = body
        .descendants()
        .into_iter()
        .filter(|e| e.is(HL7, "section"))
        .collect();
    for required in volet.sections {
        let found = sections.iter().find(|s| {
            has_template(s, required.template)
                && (required.code.is_empty() || code_of(s) == Some((required.code, LOINC)))
        });
        match found {
            None => findings.push(
                rules::CDA_VOLET_SECTION
                    .finding(format!(
                        "a {} holds {} (section {}{}); none found",
                        volet.name,
                        required.what,
                        required.template,
                        if required.code.is_empty() {
                            String::new()
                        } else {
                            format!(", code {}", required.code)
                        }
                    ))
                    .at("ClinicalDocument/component/structuredBody"),
            ),
            Some(s) if entries_under(s) < required.min_entries => findings.push(
                rules::CDA_VOLET_SECTION
                    .finding(format!(
                        "the section {} ({}) of a {} carries at least {} entr{}; found {}",
                        required.what,
                        required.template,
                        volet.name,
                        required.min_entries,
                        if required.min_entries > 1 { "ies" } else { "y" },
                        entries_under(s)
                    ))
                    .at("ClinicalDocument/component/structuredBody"),
            ),
            Some(_) => {}
        }
    }
    if volet.biology_results {
        check_biology(body, findings);
    }
}

/// Every chapter of a biology report carries a data-processing entry (in itself or in a
/// sub-chapter), there is at least one result, and every result is coded in LOINC.
fn check_biology(body: &Element, findings: &mut Vec<Finding>) {
    for chapter in body
        .descendants()
        .into_iter()
        .filter(|e| e.is(HL7, "section") && has_template(e, SECTION_BIO_CHAPTER))
    {
        let has_entry = chapter
            .descendants()
            .into_iter()
            .any(|e| e.is(HL7, "entry") && has_template(e, ENTRY_BIO_REPORT));
        if !has_entry {
            findings.push(
                rules::CDA_BIO_RESULT
                    .finding(format!(
                        "the biology chapter {:?} carries no Laboratory Report Data Processing Entry ({ENTRY_BIO_REPORT})",
                        code_of(chapter).map(|(c, _)| c)
                    ))
                    .at("ClinicalDocument/component/structuredBody//section"),
            );
        }
    }
    let results = biology_results(body);
    if results.is_empty() {
        findings.push(
            rules::CDA_BIO_RESULT
                .finding(format!(
                    "a biology report carries at least one result (observation {OBSERVATION_BIO_RESULT}); none found"
                ))
                .at("ClinicalDocument/component/structuredBody"),
        );
    }
    for result in results {
        match code_of(result) {
            Some((_, LOINC)) => {}
            other => findings.push(
                rules::CDA_BIO_RESULT
                    .finding(format!(
                        "a biology result is coded in LOINC ({LOINC}), found {other:?}"
                    ))
                    .at("ClinicalDocument/component/structuredBody//observation"),
            ),
        }
    }
}

/// The Laboratory Observations under `element`.
fn biology_results(element: &Element) -> Vec<&Element> {
    element
        .descendants()
        .into_iter()
        .filter(|e| e.is(HL7, "observation") && has_template(e, OBSERVATION_BIO_RESULT))
        .collect()
}

/// The `entry` children of a section and of its subsections.
fn entries_under(section: &Element) -> usize {
    section
        .descendants()
        .into_iter()
        .filter(|e| e.is(HL7, "entry"))
        .count()
}

fn has_template(element: &Element, root: &str) -> bool {
    element
        .children_named(HL7, "templateId")
        .any(|t| t.attr("root") == Some(root))
}

/// `code@code` and `code@codeSystem` of an element.
fn code_of(element: &Element) -> Option<(&str, &str)> {
    let code = element.child(HL7, "code")?;
    Some((
        code.attr("code")?,
        code.attr("codeSystem").unwrap_or_default(),
    ))
}
