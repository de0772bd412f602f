//! Reading a CDA document for the user (CDA/VISU.01, INT.15, DMP/UX.29): the header's
//! data, the body of a level-1 document, the narrative of every section of a level-3 one,
//! with the producer's stylesheet when the document brings one (a self-presentable CDA:
//! its root is the stylesheet holding the `ClinicalDocument`) and the LPS's own
//! otherwise.

use serde_json::{Value, json};

use crate::xml::{Node, parse};

/// All the text inside `node`, spaces collapsed.
fn deep_text(node: &Node) -> String {
    let mut out = node.text.clone();
    for c in &node.children {
        out.push(' ');
        out.push_str(&deep_text(c));
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn name_parts(name: Option<&Node>) -> Vec<String> {
    name.map(|n| {
        n.children
            .iter()
            .map(deep_text)
            .filter(|p| !p.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

fn at<'a>(node: &'a Node, path: &[&str]) -> Option<&'a Node> {
    path.iter().try_fold(node, |n, step| n.child(step))
}

/// The view of `bytes`; `producer_stylesheet` off reads a self-presentable document with
/// the LPS's own stylesheet (the defect).
pub fn view(
    bytes: &[u8],
    producer_stylesheet: bool,
    nested_sections: bool,
) -> Result<Value, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "document illisible (UTF-8)".to_string())?;
    let root = parse(text).map_err(|e| format!("document illisible : {e:?}"))?;
    let document = root
        .find("ClinicalDocument")
        .ok_or("aucun ClinicalDocument dans le document")?;
    let brings_stylesheet = root.name == "stylesheet" || root.name == "transform";
    let body = if let Some(body) = at(document, &["component", "nonXMLBody", "text"]) {
        json!({ "media_type": body.attr("mediaType"), "size": body.text.trim().len() })
    } else {
        let mut sections = Vec::new();
        if let Some(structured) = at(document, &["component", "structuredBody"]) {
            let mut found = Vec::new();
            if nested_sections {
                structured.find_all("section", &mut found);
            } else {
                found = structured
                    .children_named("component")
                    .filter_map(|c| c.child("section"))
                    .collect();
            }
            for s in found {
                sections.push(json!({
                    "title": s.child("title").map(deep_text).unwrap_or_default(),
                    "text": s.child("text").map(deep_text).unwrap_or_default(),
                }));
            }
        }
        json!({ "sections": sections })
    };
    Ok(json!({
        "stylesheet": if brings_stylesheet && producer_stylesheet { "producteur" } else { "consommateur" },
        "header": {
            "title": document.child("title").map(deep_text).unwrap_or_default(),
            "patient": name_parts(at(document, &["recordTarget", "patientRole", "patient", "name"])),
            "author": name_parts(at(document, &["author", "assignedAuthor", "assignedPerson", "name"])),
            "date": document.child("effectiveTime").and_then(|t| t.attr("value")),
        },
        "body": body,
    }))
}
