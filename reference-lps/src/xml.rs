//! XML as the DMP client needs it: escaping that is also the canonical form (so an
//! element written here is its own exclusive C14N, which is what XML-DSig signs), and a
//! small tree read from an answer with quick-xml, bounded in depth and size.

use quick_xml::Reader;
use quick_xml::events::Event;

/// Escapes character data as exclusive C14N writes it (`&`, `<`, `>`, CR).
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes an attribute value as exclusive C14N writes it (`&`, `<`, `"`, TAB, LF, CR).
pub fn attr(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

/// Deepest nesting read from an answer.
const MAX_DEPTH: usize = 64;
/// Most elements read from an answer.
const MAX_NODES: usize = 200_000;

/// An element of an answer: local names only (the answers this client reads use each
/// local name in one namespace).
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// Local name.
    pub name: String,
    /// Attributes by local name.
    pub attrs: Vec<(String, String)>,
    /// Child elements.
    pub children: Vec<Node>,
    /// Character data directly inside.
    pub text: String,
}

impl Node {
    /// The attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first element named `name` at any depth (this one included).
    pub fn find(&self, name: &str) -> Option<&Node> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }

    /// Every element named `name` at any depth, in document order.
    pub fn find_all<'a>(&'a self, name: &str, out: &mut Vec<&'a Node>) {
        if self.name == name {
            out.push(self);
        }
        for c in &self.children {
            c.find_all(name, out);
        }
    }

    /// The trimmed text of the first descendant named `name`.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.find(name).map(|n| n.text.trim().to_string())
    }
}

/// The character an entity or character reference stands for (the five predefined
/// entities; an answer has no DTD to declare others).
pub fn reference(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Some(c),
        Ok(None) => match r.xml10_content().as_ref() {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            "quot" => Some('"'),
            _ => None,
        },
        Err(_) => None,
    }
}

/// Why an answer could not be read.
#[derive(Debug, thiserror::Error)]
#[error("XML illisible : {0}")]
pub struct XmlError(pub String);

/// Reads `xml` into a tree (the root element).
pub fn parse(xml: &str) -> Result<Node, XmlError> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Node> = Vec::new();
    let mut nodes = 0usize;
    let open = |e: &quick_xml::events::BytesStart<'_>| -> Result<Node, XmlError> {
        let mut node = Node {
            name: e.local_name().as_ref().to_string(),
            ..Node::default()
        };
        for a in e.attributes() {
            let a = a.map_err(|e| XmlError(e.to_string()))?;
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| XmlError(e.to_string()))?
                .into_owned();
            node.attrs
                .push((a.key.local_name().as_ref().to_string(), value));
        }
        Ok(node)
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                nodes += 1;
                if stack.len() >= MAX_DEPTH || nodes > MAX_NODES {
                    return Err(XmlError("document trop profond ou trop grand".into()));
                }
                stack.push(open(&e)?);
            }
            Ok(Event::Empty(e)) => {
                nodes += 1;
                let node = open(&e)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Ok(node),
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                let c = reference(&r).ok_or_else(|| XmlError("entité inconnue".into()))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push(c);
                }
            }
            Ok(Event::CData(c)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.xml10_content());
                }
            }
            Ok(Event::End(_)) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| XmlError("balise fermante".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Ok(node),
                }
            }
            Ok(Event::Eof) => return Err(XmlError("document tronqué".into())),
            Ok(_) => {}
            Err(e) => return Err(XmlError(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_exclusive_c14n() {
        assert_eq!(text("a&b<c>d\r\"'"), "a&amp;b&lt;c&gt;d&#xD;\"'");
        assert_eq!(attr("a&b<c>\"\t\n\r"), "a&amp;b&lt;c>&quot;&#x9;&#xA;&#xD;");
    }

    #[test]
    fn reads_a_tree_with_entities_and_limits() {
        let root = parse("<a:r xmlns:a='u'><b x='1&amp;2'>t&lt;u</b><c/></a:r>").expect("xml");
        assert_eq!(root.name, "r");
        assert_eq!(root.child("b").and_then(|b| b.attr("x")), Some("1&2"));
        assert_eq!(root.text_of("b").as_deref(), Some("t<u"));
        assert!(parse("<a><b></a>").is_err());
        assert!(parse(&"<a>".repeat(100)).is_err());
    }
}
