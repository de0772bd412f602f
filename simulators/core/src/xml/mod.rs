//! XML as the SOAP services need it: a namespace-aware tree parsed under limits
//! ([`dom`]), its exclusive canonical form for signatures ([`c14n`]), and escaping for
//! the answers the simulators write ([`escape`]).

pub mod c14n;
pub mod dom;

pub use dom::{Attribute, Element, Limits, Node, XmlError, parse};

/// Escapes text for element content.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}

#[cfg(test)]
mod tests;
