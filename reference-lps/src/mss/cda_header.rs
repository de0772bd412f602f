//! What the header of a CDA received by mail says, for the worklist of documents not
//! yet filed (MSS/va1.25: the metadata of the Volet Structuration Minimale) and for the
//! strict match that lets one be filed on its own (MSS/UX.07: the INS and the birth
//! traits the CDA carries, equal to the qualified identity's).

use serde::Serialize;

use crate::xml::{self, Node};

/// The patient as the CDA's `recordTarget` names them.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CdaPatient {
    /// `family qualifier="BR"` (the birth name).
    pub birth_name: String,
    /// The first birth given name (`given qualifier="BR"`, else the first word of the
    /// first `given`).
    pub first_name: String,
    /// Every birth given name, as the CDA writes them.
    pub given_names: String,
    /// `birthTime`, `YYYYMMDD`.
    pub birth_date: String,
    /// `administrativeGenderCode`.
    pub sex: String,
    /// The INS (`id` under an INS root), `number`.
    pub ins: Option<String>,
}

/// The header metadata.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CdaHeader {
    /// `title`.
    pub title: String,
    /// `effectiveTime` (the document's creation).
    pub created: String,
    /// `versionNumber`.
    pub version: String,
    /// `code/@code` and its label.
    pub type_code: String,
    /// `code/@displayName`.
    pub type_label: String,
    /// The patient.
    pub patient: CdaPatient,
    /// Each author: the person (or device), then the organisation they wrote for.
    pub authors: Vec<String>,
    /// The acts the document reports (`documentationOf/serviceEvent`): the act, who
    /// performed it, for which organisation, in which setting.
    pub acts: Vec<String>,
}

/// The INS OIDs (NIR, NIA, and their test roots).
const INS_ROOTS: &[&str] = &[
    "1.2.250.1.213.1.4.8",
    "1.2.250.1.213.1.4.9",
    "1.2.250.1.213.1.4.10",
    "1.2.250.1.213.1.4.11",
];

fn attr_of(node: Option<&Node>, name: &str) -> String {
    node.and_then(|n| n.attr(name))
        .unwrap_or_default()
        .to_string()
}

/// A person's `name`: prefix, given names, family names, in reading order.
fn person(name: Option<&Node>) -> String {
    let Some(name) = name else {
        return String::new();
    };
    ["prefix", "given", "family"]
        .iter()
        .flat_map(|part| name.children_named(part))
        .map(|n| n.text.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn with_organisation(who: String, organisation: Option<&Node>) -> String {
    let org = organisation
        .and_then(|o| o.text_of("name"))
        .unwrap_or_default();
    match (who.is_empty(), org.is_empty()) {
        (_, true) => who,
        (true, false) => org,
        (false, false) => format!("{who} ({org})"),
    }
}

/// Reads the header of `cda`; `None` when it is no readable ClinicalDocument.
pub fn read(cda: &[u8]) -> Option<CdaHeader> {
    let root = xml::parse(&String::from_utf8_lossy(cda)).ok()?;
    if root.name != "ClinicalDocument" {
        return None;
    }
    let code = root.child("code");
    let role = root
        .child("recordTarget")
        .and_then(|r| r.child("patientRole"));
    let patient = role.and_then(|r| r.child("patient"));
    let name = patient.and_then(|p| p.child("name"));
    let qualified = |part: &str, qualifier: &str| {
        name.and_then(|n| {
            n.children_named(part)
                .find(|c| c.attr("qualifier") == Some(qualifier))
                .map(|c| c.text.trim().to_string())
        })
    };
    let first_given = name
        .and_then(|n| {
            n.children_named("given")
                .find(|g| g.attr("qualifier").is_none())
        })
        .map(|g| g.text.trim().to_string())
        .unwrap_or_default();
    let ins = role.and_then(|r| {
        r.children_named("id")
            .find(|id| {
                id.attr("root")
                    .is_some_and(|root| INS_ROOTS.contains(&root))
            })
            .and_then(|id| id.attr("extension"))
            .map(str::to_string)
    });
    let authors = root
        .children_named("author")
        .filter_map(|a| a.child("assignedAuthor"))
        .map(|a| {
            let who = match a.child("assignedPerson") {
                Some(p) => person(p.child("name")),
                None => a
                    .child("assignedAuthoringDevice")
                    .and_then(|d| d.text_of("softwareName"))
                    .unwrap_or_default(),
            };
            with_organisation(who, a.child("representedOrganization"))
        })
        .collect();
    let acts = root
        .children_named("documentationOf")
        .filter_map(|d| d.child("serviceEvent"))
        .map(|event| {
            let act = attr_of(event.child("code"), "displayName");
            let entity = event
                .child("performer")
                .and_then(|p| p.child("assignedEntity"));
            let performer = with_organisation(
                person(
                    entity
                        .and_then(|e| e.child("assignedPerson"))
                        .and_then(|p| p.child("name")),
                ),
                entity.and_then(|e| e.child("representedOrganization")),
            );
            let setting = attr_of(
                entity
                    .and_then(|e| e.child("representedOrganization"))
                    .and_then(|o| o.child("standardIndustryClassCode")),
                "displayName",
            );
            [act, performer, setting]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    Some(CdaHeader {
        title: root.text_of("title").unwrap_or_default(),
        created: attr_of(root.child("effectiveTime"), "value"),
        version: attr_of(root.child("versionNumber"), "value"),
        type_code: attr_of(code, "code"),
        type_label: attr_of(code, "displayName"),
        patient: CdaPatient {
            birth_name: qualified("family", "BR").unwrap_or_default(),
            first_name: qualified("given", "BR").unwrap_or_else(|| {
                first_given
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string()
            }),
            given_names: first_given,
            birth_date: attr_of(patient.and_then(|p| p.child("birthTime")), "value"),
            sex: attr_of(
                patient.and_then(|p| p.child("administrativeGenderCode")),
                "code",
            ),
            ins,
        },
        authors,
        acts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ANS level-1 example (ansforge/interop-exemples-xdm, DOC_NON_STRUCTURE_CDA-R2-N1).
    const ANS_CDA: &[u8] = include_bytes!("../../../fixtures/cda/DOC_NON_STRUCTURE_CDA-R2-N1.xml");

    #[test]
    fn the_ans_example_header_is_read() {
        let h = read(ANS_CDA).expect("a header");
        assert_eq!(h.title, "Compte rendu d'examens biologiques");
        assert_eq!(h.created, "20210401134745+0100");
        assert_eq!(h.version, "1");
        assert_eq!(
            (h.type_code.as_str(), h.type_label.as_str()),
            ("11502-2", "CR d'examens biologiques")
        );
        assert_eq!(
            h.patient,
            CdaPatient {
                birth_name: "PAT-TROIS".into(),
                first_name: "DOMINIQUE".into(),
                given_names: "DOMINIQUE MARIE-LOUISE".into(),
                birth_date: "19790328".into(),
                sex: "F".into(),
                ins: Some("279035121518989".into()),
            }
        );
        assert_eq!(h.authors.len(), 1, "{:?}", h.authors);
        assert!(h.authors[0].contains("Marcel"), "{:?}", h.authors);
        assert_eq!(h.acts.len(), 1);
        assert!(
            h.acts[0].starts_with(
                "Hématologie, MME Roberta BLEEDER (Laboratoire des charmes), Ambulatoire"
            ),
            "{:?}",
            h.acts
        );
    }

    #[test]
    fn what_is_no_clinical_document_has_no_header() {
        assert!(read(b"<html/>").is_none());
        assert!(read(b"not xml <").is_none());
    }
}
