//! How a CDA is shown to a person (CDA/VISU.01, INT.15, INT.16, DMP/UX.29): the header's
//! data, the body of a level-1 document, the narrative block of every section of a
//! level-3 one, with the producer's stylesheet when the document brings one (a
//! self-presentable CDA: the stylesheet holds the document) and the reader's own
//! otherwise. [`shown`] is what any faithful rendering must contain, which the bench
//! compares with what the software reports it shows; [`wrap`] makes a self-presentable
//! document of a CDA with the bench's producer stylesheet.

use segur_core::xml::{Element, Node, parse};

use super::{HL7, clinical_document, limits, path};
use crate::text;

/// The stylesheet of the bench's fictitious producer (`producer.xsl`): the header, every
/// section's title and narrative whatever the volet, the media type of a level-1 body.
pub const PRODUCER_STYLESHEET: &str = include_str!("producer.xsl");

/// What a rendering of a document must show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    /// `title`.
    pub title: String,
    /// The patient's name parts (given names, family names), in document order.
    pub patient: Vec<String>,
    /// The first author's name parts.
    pub author: Vec<String>,
    /// `effectiveTime/@value`.
    pub date: String,
    /// Level 3: every section (nested ones included), its title and its narrative block
    /// as text, spaces collapsed.
    pub sections: Vec<(String, String)>,
    /// Level 1: the media type of the non-structured body.
    pub media_type: Option<String>,
    /// Whether the document brings its producer's stylesheet (self-presentable).
    pub producer_stylesheet: bool,
}

/// Collapses runs of white space to one space and trims.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every piece of text inside `element`, in document order, spaces collapsed: what a
/// narrative block says whatever its markup (paragraphs, lists, tables).
pub fn all_text(element: &Element) -> String {
    fn walk(e: &Element, out: &mut String) {
        for n in &e.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Element(c) => {
                    out.push(' ');
                    walk(c, out);
                    out.push(' ');
                }
            }
        }
    }
    let mut out = String::new();
    walk(element, &mut out);
    collapse(&out)
}

fn name_parts(name: Option<&Element>) -> Vec<String> {
    name.map(|n| {
        n.elements()
            .map(all_text)
            .filter(|p| !p.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// What a rendering of the document in `bytes` must show; `None` if it holds no
/// readable `ClinicalDocument`.
pub fn shown(bytes: &[u8], charset: Option<&str>) -> Option<Shown> {
    let (text, _) = text::decode(bytes, charset).ok()?;
    let root = parse(&text, &limits()).ok()?;
    let document = clinical_document(&root)?;
    let sections = path(document, &["component", "structuredBody"])
        .map(|body| {
            body.descendants()
                .into_iter()
                .filter(|e| e.is(HL7, "section"))
                .map(|s| {
                    (
                        collapse(&s.child_text(HL7, "title").unwrap_or_default()),
                        s.child(HL7, "text").map(all_text).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Shown {
        title: collapse(&document.child_text(HL7, "title").unwrap_or_default()),
        patient: name_parts(path(
            document,
            &["recordTarget", "patientRole", "patient", "name"],
        )),
        author: name_parts(path(
            document,
            &["author", "assignedAuthor", "assignedPerson", "name"],
        )),
        date: document
            .child(HL7, "effectiveTime")
            .and_then(|t| t.attr("value"))
            .unwrap_or_default()
            .to_string(),
        sections,
        media_type: path(document, &["component", "nonXMLBody", "text"])
            .and_then(|t| t.attr("mediaType"))
            .map(str::to_string),
        producer_stylesheet: !root.is(HL7, "ClinicalDocument"),
    })
}

/// The visible text of an HTML page (what a stylesheet rendered): tags dropped, each
/// making a word break, spaces collapsed.
pub fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    collapse(&out.replace("&nbsp;", " "))
}

/// The decoded body of a level-1 document (the PDF a `nonXMLBody` carries in base64);
/// `None` for another document or an unreadable body.
pub fn body_bytes(bytes: &[u8], charset: Option<&str>) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let (text, _) = text::decode(bytes, charset).ok()?;
    let root = parse(&text, &limits()).ok()?;
    let document = clinical_document(&root)?;
    let body = path(document, &["component", "nonXMLBody", "text"])?;
    let encoded: String = body.text().split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
}

/// A self-presentable document: the bench's producer stylesheet holding the
/// `ClinicalDocument` of `cda` (its prolog and processing instructions left out). `None`
/// when `cda` has no `<ClinicalDocument` element.
pub fn wrap(cda: &str) -> Option<String> {
    let start = cda.find("<ClinicalDocument")?;
    let document = cda[start..].trim_end();
    let close = PRODUCER_STYLESHEET.rfind("</xsl:stylesheet>")?;
    Some(format!(
        "{}  {document}\n{}",
        &PRODUCER_STYLESHEET[..close],
        &PRODUCER_STYLESHEET[close..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> String {
        let path = format!("{}/../../fixtures/cda/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn a_wrapped_example_is_self_presentable_and_reads_as_its_cda() {
        for name in [
            "VSM_1.4_2022.01.xml",
            "BIO-CR-BIO_2024.01_Microbiologie_V2.xml",
        ] {
            let cda = example(name);
            let wrapped = wrap(&cda).expect("a ClinicalDocument");
            assert!(
                crate::cda::is_self_presentable(wrapped.as_bytes(), None),
                "{name}"
            );
            assert!(
                !crate::cda::is_self_presentable(cda.as_bytes(), None),
                "{name}"
            );
            let plain = crate::cda::read_facts(cda.as_bytes(), None).unwrap();
            let inner = crate::cda::read_facts(wrapped.as_bytes(), None).unwrap();
            assert_eq!(plain.id, inner.id, "{name}");
            assert_eq!(plain.code, inner.code, "{name}");
            // Every rule finds what it found on the plain document.
            let rules = |bytes: &[u8]| {
                let mut r: Vec<String> = crate::cda::check(bytes, None)
                    .findings
                    .iter()
                    .map(|f| f.rule.to_string())
                    .collect();
                r.sort();
                r
            };
            assert_eq!(rules(cda.as_bytes()), rules(wrapped.as_bytes()), "{name}");
            let (a, b) = (
                shown(cda.as_bytes(), None).unwrap(),
                shown(wrapped.as_bytes(), None).unwrap(),
            );
            assert!(!a.producer_stylesheet && b.producer_stylesheet);
            assert_eq!(a.sections, b.sections);
        }
    }

    #[test]
    fn a_narrative_reads_whole_whatever_its_markup() {
        let root = parse(
            "<text xmlns=\"urn:hl7-org:v3\">Avant <content>gras</content> après<list><item>un</item><item>deux</item></list><table><tr><td>A</td><td>B</td></tr></table></text>",
            &limits(),
        )
        .unwrap();
        assert_eq!(all_text(&root), "Avant gras après un deux A B");
    }

    #[test]
    fn what_must_be_shown_of_the_ans_vsm() {
        let shown = shown(example("VSM_1.4_2022.01.xml").as_bytes(), None).unwrap();
        assert!(!shown.title.is_empty());
        assert!(!shown.patient.is_empty() && !shown.author.is_empty());
        assert!(shown.sections.len() >= 5, "{:?}", shown.sections);
        assert!(shown.sections.iter().all(|(t, _)| !t.is_empty()));
        // The narratives are read whole (their text sits in paragraphs, lists, tables).
        assert!(
            shown
                .sections
                .iter()
                .filter(|(_, n)| n.split(' ').count() > 3)
                .count()
                >= 3,
            "{:?}",
            shown.sections
        );
        assert_eq!(shown.media_type, None);
        let n1 = super::shown(example("DOC_NON_STRUCTURE_CDA-R2-N1.xml").as_bytes(), None).unwrap();
        assert!(n1.sections.is_empty());
        assert_eq!(n1.media_type.as_deref(), Some("application/pdf"));
    }
}
