//! XML as the SOAP services need it: a namespace-aware tree parsed under limits
//! ([`dom`]), its exclusive canonical form for signatures ([`c14n`]), and escaping for
//! the answers the simulators write ([`escape`]).

pub mod c14n;
pub mod dom;

pub use dom::{Attribute, Element, Limits, Node, XmlError, parse};

/// Escapes text for element content (`&`, `<`, `>` only, as the CNAM's answers do).
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::partial_escape(text)
}

/// Escapes text for a double-quoted attribute value.
pub fn escape_attribute(text: &str) -> String {
    quick_xml::escape::partial_escape(text).replace('"', "&quot;")
}

#[cfg(test)]
mod tests;
