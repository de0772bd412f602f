//! Exclusive XML canonicalisation without comments (`http://www.w3.org/2001/10/xml-exc-c14n#`),
//! the transform SAML assertions (the INSi CPx assertion, the DMP's VIHF) are signed under.
//!
//! The canonical form of an element depends on the namespaces declared by its ancestors,
//! so the canonicaliser is built on the document root and finds the target inside it.
//! The enveloped-signature transform is the `excluding` option: that subtree is left out.

use std::collections::BTreeMap;

use super::dom::{Element, Node};

/// Prefix → namespace URI; `None` is the default namespace. A BTreeMap sorts `None`
/// first and prefixes by name, which is the canonical order of declarations.
type Scope = BTreeMap<Option<String>, String>;

/// Exclusive canonicalisation of elements of one document.
#[derive(Debug, Clone)]
pub struct Canonicalizer<'a> {
    /// The document root, to learn the namespaces in scope at the target.
    root: &'a Element,
    /// A subtree left out (the signature itself, for the enveloped transform).
    exclude: Option<&'a Element>,
    /// Prefixes of `InclusiveNamespaces PrefixList`, treated as in inclusive c14n
    /// (`#default` stands for the default namespace).
    inclusive: Vec<Option<String>>,
}

impl<'a> Canonicalizer<'a> {
    /// A canonicaliser over the document whose root is `root`.
    pub fn new(root: &'a Element) -> Self {
        Self {
            root,
            exclude: None,
            inclusive: Vec::new(),
        }
    }

    /// Leaves `element` (and what it contains) out of the output.
    pub fn excluding(mut self, element: &'a Element) -> Self {
        self.exclude = Some(element);
        self
    }

    /// The `PrefixList` of an `ec:InclusiveNamespaces` transform parameter.
    pub fn inclusive_prefixes<'p>(mut self, prefixes: impl IntoIterator<Item = &'p str>) -> Self {
        self.inclusive = prefixes
            .into_iter()
            .map(|p| (p != "#default").then(|| p.to_string()))
            .collect();
        self
    }

    /// The canonical form of `target`, which must be `root` or inside it (else `None`).
    pub fn canonicalize(&self, target: &Element) -> Option<String> {
        let in_scope = scope_at(self.root, target, &Scope::new())?;
        let mut out = String::with_capacity(1024);
        self.element(target, &in_scope, &Scope::new(), &mut out);
        Some(out)
    }

    fn element(&self, e: &Element, parent_scope: &Scope, rendered: &Scope, out: &mut String) {
        if self.exclude.is_some_and(|x| std::ptr::eq(x, e)) {
            return;
        }
        let mut scope = parent_scope.clone();
        for (prefix, uri) in &e.declarations {
            scope.insert(prefix.clone(), uri.clone());
        }
        // Visibly utilised prefixes: the element's own (or the default namespace) and
        // those of its attributes; plus the inclusive list.
        let mut needed: Vec<Option<String>> = vec![e.prefix.clone()];
        needed.extend(
            e.attributes
                .iter()
                .filter_map(|a| a.prefix.clone().map(Some)),
        );
        needed.extend(
            self.inclusive
                .iter()
                .filter(|p| scope.contains_key(*p))
                .cloned(),
        );
        let mut declare = Scope::new();
        for prefix in needed {
            if prefix.as_deref() == Some("xml") {
                continue;
            }
            let uri = match &prefix {
                None => e
                    .prefix
                    .is_none()
                    .then(|| e.namespace.clone().unwrap_or_default())
                    .or_else(|| scope.get(&None).cloned())
                    .unwrap_or_default(),
                Some(_) => match scope.get(&prefix) {
                    Some(uri) => uri.clone(),
                    None => continue,
                },
            };
            let already = rendered.get(&prefix);
            let skip = match already {
                Some(previous) => *previous == uri,
                None => prefix.is_none() && uri.is_empty(),
            };
            if !skip {
                declare.insert(prefix, uri);
            }
        }
        out.push('<');
        out.push_str(&e.qualified_name());
        for (prefix, uri) in &declare {
            match prefix {
                None => out.push_str(" xmlns=\""),
                Some(p) => {
                    out.push_str(" xmlns:");
                    out.push_str(p);
                    out.push_str("=\"");
                }
            }
            escape_attribute(uri, out);
            out.push('"');
        }
        let mut attributes: Vec<_> = e.attributes.iter().collect();
        attributes.sort_by(|a, b| {
            (a.namespace.as_deref().unwrap_or(""), &a.name)
                .cmp(&(b.namespace.as_deref().unwrap_or(""), &b.name))
        });
        for a in attributes {
            out.push(' ');
            if let Some(p) = &a.prefix {
                out.push_str(p);
                out.push(':');
            }
            out.push_str(&a.name);
            out.push_str("=\"");
            escape_attribute(&a.value, out);
            out.push('"');
        }
        out.push('>');
        let mut now_rendered = rendered.clone();
        now_rendered.extend(declare);
        for child in &e.children {
            match child {
                Node::Element(c) => self.element(c, &scope, &now_rendered, out),
                Node::Text(t) => escape_text(t, out),
            }
        }
        out.push_str("</");
        out.push_str(&e.qualified_name());
        out.push('>');
    }
}

/// The namespaces in scope *around* `target` (declared by its ancestors), or `None` if
/// `target` is not in the tree of `at`.
fn scope_at(at: &Element, target: &Element, outer: &Scope) -> Option<Scope> {
    if std::ptr::eq(at, target) {
        return Some(outer.clone());
    }
    let mut scope = outer.clone();
    for (prefix, uri) in &at.declarations {
        scope.insert(prefix.clone(), uri.clone());
    }
    at.elements()
        .find_map(|child| scope_at(child, target, &scope))
}

fn escape_text(text: &str, out: &mut String) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attribute(value: &str, out: &mut String) {
    for ch in value.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}
