//! A small owned XML tree with resolved namespaces: what the SOAP services parse requests
//! into, and what the canonicaliser walks.
//!
//! Built on quick-xml's event reader. It refuses what a SOAP endpoint must refuse (a
//! DOCTYPE, so no entity can be declared or expanded; undeclared prefixes; a second
//! root) and enforces depth and node limits, so no input can make it allocate without
//! bound or recurse deeply. Comments and processing instructions are dropped: neither
//! SOAP nor the canonical form without comments keeps them.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, QName};
use thiserror::Error;

/// The namespace the `xml` prefix is bound to without declaration.
pub const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// Bounds on a parsed document, so hostile input cannot exhaust memory or the stack.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest element nesting accepted.
    pub max_depth: usize,
    /// Most elements, attributes and text nodes accepted in one document.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 64,
            max_nodes: 100_000,
        }
    }
}

/// Why a document was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum XmlError {
    /// Not well-formed, in quick-xml's words, with the byte offset.
    #[error("not well-formed XML at byte {position}: {message}")]
    Syntax {
        /// Byte offset of the problem.
        position: u64,
        /// What the parser said.
        message: String,
    },
    /// A DOCTYPE: refused, as SOAP forbids it and it is how entity attacks start.
    #[error("a DOCTYPE (DTD or entity declaration) is not allowed")]
    Doctype,
    /// A reference to an entity that is not one of the five predefined ones.
    #[error("undefined entity &{0};")]
    UndefinedEntity(String),
    /// A prefix used without a declaration in scope.
    #[error("namespace prefix {0:?} is not declared")]
    UndeclaredPrefix(String),
    /// More nesting than [`Limits::max_depth`].
    #[error("elements nested deeper than {0} levels")]
    TooDeep(usize),
    /// More nodes than [`Limits::max_nodes`].
    #[error("more than {0} nodes")]
    TooManyNodes(usize),
    /// No root element, or text or a second element beside it.
    #[error("{0}")]
    Structure(String),
}

/// An attribute, its prefix resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Prefix as written, if any.
    pub prefix: Option<String>,
    /// Local name.
    pub name: String,
    /// Namespace URI (unprefixed attributes have none).
    pub namespace: Option<String>,
    /// Value, references resolved and whitespace normalised as XML 1.0 says.
    pub value: String,
}

/// A child of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A child element.
    Element(Element),
    /// Character data (text, references and CDATA sections merged).
    Text(String),
}

/// An element with its namespace resolved and its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Prefix as written, if any: kept because canonical forms and echoes need it.
    pub prefix: Option<String>,
    /// Local name.
    pub name: String,
    /// Namespace URI, if any.
    pub namespace: Option<String>,
    /// Attributes other than namespace declarations, in document order.
    pub attributes: Vec<Attribute>,
    /// Namespace declarations made on this element (`None` = the default namespace).
    pub declarations: Vec<(Option<String>, String)>,
    /// Children in document order.
    pub children: Vec<Node>,
    /// Byte offset of the start tag, to point findings at the input.
    pub position: u64,
}

impl Element {
    /// Whether this element is `{namespace}local`.
    pub fn is(&self, namespace: &str, local: &str) -> bool {
        self.name == local && self.namespace.as_deref() == Some(namespace)
    }

    /// The name as written (`prefix:local`).
    pub fn qualified_name(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}:{}", self.name),
            None => self.name.clone(),
        }
    }

    /// `{namespace}local`, for messages.
    pub fn expanded_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{{{ns}}}{}", self.name),
            None => self.name.clone(),
        }
    }

    /// Child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Child elements named `{namespace}local`.
    pub fn children_named<'a>(
        &'a self,
        namespace: &'a str,
        local: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.is(namespace, local))
    }

    /// The first child element named `{namespace}local`.
    pub fn child(&self, namespace: &str, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(namespace, local))
    }

    /// The text directly inside this element, concatenated.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                out.push_str(t);
            }
        }
        out
    }

    /// The trimmed text of the child `{namespace}local`, if the child exists.
    pub fn child_text(&self, namespace: &str, local: &str) -> Option<String> {
        self.child(namespace, local)
            .map(|c| c.text().trim().to_string())
    }

    /// The value of the unprefixed attribute `local`.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.name == local)
            .map(|a| a.value.as_str())
    }

    /// The value of the attribute `{namespace}local`.
    pub fn attr_ns(&self, namespace: &str, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.as_deref() == Some(namespace) && a.name == local)
            .map(|a| a.value.as_str())
    }

    /// This element and all its descendants, depth first.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            out.push(e);
            let children: Vec<&Element> = e.elements().collect();
            stack.extend(children.into_iter().rev());
        }
        out
    }

    /// The element carrying `ID`, `Id` or `AssertionID` = `id` (how XML-DSig references
    /// point at what they sign).
    pub fn find_by_id(&self, id: &str) -> Option<&Element> {
        self.descendants().into_iter().find(|e| {
            ["ID", "Id", "AssertionID"]
                .iter()
                .any(|name| e.attr(name) == Some(id))
        })
    }
}

/// Parses `text` into its root element.
pub fn parse(text: &str, limits: &Limits) -> Result<Element, XmlError> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut tree = Builder {
        limits: *limits,
        ..Builder::default()
    };
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| XmlError::Syntax {
            position: reader.error_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(start) => tree.open(&start, position, false)?,
            Event::Empty(start) => tree.open(&start, position, true)?,
            Event::End(_) => tree.end()?,
            Event::Text(t) => tree.text.push_str(&t.xml10_content()),
            Event::CData(c) => tree.text.push_str(&c.xml10_content()),
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch,
                    Ok(None) => predefined_entity(&r.xml10_content())?,
                    Err(e) => {
                        return Err(XmlError::Syntax {
                            position,
                            message: e.to_string(),
                        });
                    }
                };
                tree.text.push(ch);
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
            Event::Eof => break,
        }
    }
    tree.finish()
}

fn predefined_entity(name: &str) -> Result<char, XmlError> {
    Ok(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        other => return Err(XmlError::UndefinedEntity(other.to_string())),
    })
}

/// The parser's state between events.
#[derive(Default)]
struct Builder {
    /// The bounds to enforce.
    limits: Limits,
    /// Namespace declarations of each open element, innermost last.
    scopes: Vec<Vec<(Option<String>, String)>>,
    /// Elements started and not yet ended, innermost last.
    open: Vec<Element>,
    /// The root, once it ended.
    root: Option<Element>,
    /// Character data not yet attached (text and references arrive as several events).
    text: String,
    /// Nodes seen so far, against `limits.max_nodes`.
    nodes: usize,
}

impl Builder {
    fn count(&mut self, n: usize) -> Result<(), XmlError> {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            return Err(XmlError::TooManyNodes(self.limits.max_nodes));
        }
        Ok(())
    }

    fn open(&mut self, start: &BytesStart<'_>, position: u64, empty: bool) -> Result<(), XmlError> {
        self.flush_text()?;
        self.count(1)?;
        if self.open.len() >= self.limits.max_depth {
            return Err(XmlError::TooDeep(self.limits.max_depth));
        }
        if self.root.is_some() {
            return Err(XmlError::Structure(
                "a second root element after the first".into(),
            ));
        }
        let element = self.start_element(start, position)?;
        if empty {
            self.scopes.pop();
            self.close(element);
        } else {
            self.open.push(element);
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), XmlError> {
        self.flush_text()?;
        self.scopes.pop();
        let element = self
            .open
            .pop()
            .ok_or_else(|| XmlError::Structure("end tag without a start tag".into()))?;
        self.close(element);
        Ok(())
    }

    fn finish(mut self) -> Result<Element, XmlError> {
        if let Some(inner) = self.open.last() {
            return Err(XmlError::Structure(format!(
                "the document ends inside <{}>",
                inner.qualified_name()
            )));
        }
        self.flush_text()?;
        self.root
            .ok_or_else(|| XmlError::Structure("no root element".into()))
    }

    fn flush_text(&mut self) -> Result<(), XmlError> {
        if self.text.is_empty() {
            return Ok(());
        }
        let text = std::mem::take(&mut self.text);
        match self.open.last_mut() {
            Some(parent) => parent.children.push(Node::Text(text)),
            None if text.trim().is_empty() => {}
            None => {
                let place = if self.root.is_some() {
                    "after"
                } else {
                    "before"
                };
                return Err(XmlError::Structure(format!(
                    "text {place} the root element"
                )));
            }
        }
        self.count(1)
    }

    fn close(&mut self, element: Element) {
        match self.open.last_mut() {
            Some(parent) => parent.children.push(Node::Element(element)),
            None => self.root = Some(element),
        }
    }

    fn start_element(
        &mut self,
        start: &BytesStart<'_>,
        position: u64,
    ) -> Result<Element, XmlError> {
        let mut declarations = Vec::new();
        let mut raw_attributes = Vec::new();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| XmlError::Syntax {
                position,
                message: e.to_string(),
            })?;
            self.count(1)?;
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| match e {
                    quick_xml::Error::Escape(
                        quick_xml::escape::EscapeError::UnrecognizedEntity(_, name),
                    ) => XmlError::UndefinedEntity(name),
                    other => XmlError::Syntax {
                        position,
                        message: other.to_string(),
                    },
                })?
                .into_owned();
            match attr.key.as_namespace_binding() {
                Some(PrefixDeclaration::Default) => declarations.push((None, value)),
                Some(PrefixDeclaration::Named(prefix)) => {
                    declarations.push((Some(prefix.to_string()), value))
                }
                None => raw_attributes.push((attr.key.0.to_string(), value)),
            }
        }
        self.scopes.push(declarations.clone());
        let scopes = &self.scopes;
        let (prefix, name) = split(start.name());
        let namespace = match &prefix {
            Some(p) => Some(resolve(scopes, Some(p))?),
            None => resolve(scopes, None).ok().filter(|uri| !uri.is_empty()),
        };
        let mut attributes = Vec::with_capacity(raw_attributes.len());
        for (qname, value) in raw_attributes {
            let (prefix, name) = split(QName(&qname));
            let namespace = match &prefix {
                Some(p) => Some(resolve(scopes, Some(p))?),
                None => None,
            };
            attributes.push(Attribute {
                prefix,
                name,
                namespace,
                value,
            });
        }
        Ok(Element {
            prefix,
            name,
            namespace,
            attributes,
            declarations,
            children: Vec::new(),
            position,
        })
    }
}

fn split(name: QName<'_>) -> (Option<String>, String) {
    let (local, prefix) = name.decompose();
    (
        prefix.map(|p| p.into_inner().to_string()),
        local.into_inner().to_string(),
    )
}

fn resolve(
    scopes: &[Vec<(Option<String>, String)>],
    prefix: Option<&String>,
) -> Result<String, XmlError> {
    if prefix.map(String::as_str) == Some("xml") {
        return Ok(XML_NAMESPACE.to_string());
    }
    for scope in scopes.iter().rev() {
        if let Some((_, uri)) = scope.iter().find(|(p, _)| p.as_ref() == prefix) {
            return Ok(uri.clone());
        }
    }
    match prefix {
        Some(p) => Err(XmlError::UndeclaredPrefix(p.clone())),
        None => Ok(String::new()),
    }
}
