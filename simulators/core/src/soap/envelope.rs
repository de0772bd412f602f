//! A SOAP envelope: header blocks and the body's payload element.

use super::{SOAP11, SOAP12, SoapError};
use crate::xml::{Element, Limits, parse};

/// Which SOAP version an envelope is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    /// SOAP 1.1 (`http://schemas.xmlsoap.org/soap/envelope/`).
    Soap11,
    /// SOAP 1.2 (`http://www.w3.org/2003/05/soap-envelope`).
    Soap12,
}

impl SoapVersion {
    /// The envelope namespace.
    pub fn namespace(self) -> &'static str {
        match self {
            Self::Soap11 => SOAP11,
            Self::Soap12 => SOAP12,
        }
    }
}

/// A parsed SOAP envelope.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The `Envelope` element, root of the document (signatures need the whole tree).
    pub root: Element,
    /// SOAP 1.2, or 1.1 when [`Envelope::parse_any`] accepted it.
    pub version: SoapVersion,
}

impl Envelope {
    /// Parses `bytes` as a SOAP 1.2 envelope with a non-empty Body.
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Self, SoapError> {
        let envelope = Self::parse_any(bytes, limits)?;
        if envelope.version == SoapVersion::Soap11 {
            return Err(SoapError::Soap11);
        }
        Ok(envelope)
    }

    /// Parses `bytes` as a SOAP 1.2 or SOAP 1.1 envelope with a non-empty Body, for the
    /// services that tolerate SOAP 1.1 (the caller decides what to say about it).
    pub fn parse_any(bytes: &[u8], limits: &Limits) -> Result<Self, SoapError> {
        let text = std::str::from_utf8(bytes).map_err(|_| SoapError::NotUtf8)?;
        let text = text.trim_start_matches('\u{feff}');
        let root = parse(text, limits)?;
        let version = if root.is(SOAP12, "Envelope") {
            SoapVersion::Soap12
        } else if root.is(SOAP11, "Envelope") {
            SoapVersion::Soap11
        } else {
            return Err(SoapError::NotEnvelope(root.expanded_name()));
        };
        let body = root
            .child(version.namespace(), "Body")
            .ok_or(SoapError::NoBody)?;
        if body.elements().next().is_none() {
            return Err(SoapError::EmptyBody);
        }
        Ok(Self { root, version })
    }

    /// The `Header`, if any.
    pub fn header(&self) -> Option<&Element> {
        self.root.child(self.version.namespace(), "Header")
    }

    /// The header blocks marked `mustUnderstand="true"` (or `1`) whose namespace is not
    /// among `understood`, as (namespace, local name): a SOAP 1.2 node must fault on them.
    pub fn not_understood(&self, understood: &[&str]) -> Vec<(Option<String>, String)> {
        let ns = self.version.namespace();
        self.header()
            .into_iter()
            .flat_map(Element::elements)
            .filter(|block| {
                matches!(block.attr_ns(ns, "mustUnderstand"), Some("true" | "1"))
                    && !block
                        .namespace
                        .as_deref()
                        .is_some_and(|n| understood.contains(&n))
            })
            .map(|block| (block.namespace.clone(), block.name.clone()))
            .collect()
    }

    /// The header block `{namespace}local`, if present.
    pub fn header_block(&self, namespace: &str, local: &str) -> Option<&Element> {
        self.header().and_then(|h| h.child(namespace, local))
    }

    /// The first element of the Body: the operation's payload.
    pub fn payload(&self) -> &Element {
        self.root
            .child(self.version.namespace(), "Body")
            .and_then(|b| b.elements().next())
            .expect("checked by parse")
    }
}
