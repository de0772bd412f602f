//! A SOAP 1.2 envelope: header blocks and the body's payload element.

use super::{SOAP11, SOAP12, SoapError};
use crate::xml::{Element, Limits, parse};

/// A parsed SOAP 1.2 envelope.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The `Envelope` element, root of the document (signatures need the whole tree).
    pub root: Element,
}

impl Envelope {
    /// Parses `bytes` as a SOAP 1.2 envelope with a non-empty Body.
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Self, SoapError> {
        let text = std::str::from_utf8(bytes).map_err(|_| SoapError::NotUtf8)?;
        let root = parse(text, limits)?;
        if root.is(SOAP11, "Envelope") {
            return Err(SoapError::Soap11);
        }
        if !root.is(SOAP12, "Envelope") {
            return Err(SoapError::NotEnvelope(root.expanded_name()));
        }
        let body = root.child(SOAP12, "Body").ok_or(SoapError::NoBody)?;
        if body.elements().next().is_none() {
            return Err(SoapError::EmptyBody);
        }
        Ok(Self { root })
    }

    /// The `Header`, if any.
    pub fn header(&self) -> Option<&Element> {
        self.root.child(SOAP12, "Header")
    }

    /// The header block `{namespace}local`, if present.
    pub fn header_block(&self, namespace: &str, local: &str) -> Option<&Element> {
        self.header().and_then(|h| h.child(namespace, local))
    }

    /// The first element of the Body: the operation's payload.
    pub fn payload(&self) -> &Element {
        self.root
            .child(SOAP12, "Body")
            .and_then(|b| b.elements().next())
            .expect("checked by parse")
    }
}
