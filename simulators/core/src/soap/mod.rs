//! SOAP 1.2 as the national services speak it: the request's content type and action
//! ([`content_type`]), its envelope parsed under limits ([`envelope`]), and faults
//! ([`fault`]). Sans I/O: the simulators feed bytes and get values or a [`SoapError`]
//! that already knows the fault it deserves.

pub mod content_type;
pub mod envelope;
pub mod fault;

use thiserror::Error;

pub use content_type::SoapContentType;
pub use envelope::{Envelope, SoapVersion};
pub use fault::{Fault, FaultCode};

use crate::xml::XmlError;

/// The SOAP 1.2 envelope namespace.
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
/// The SOAP 1.1 envelope namespace (refused by SOAP 1.2 services).
pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// WS-Addressing 1.0.
pub const WSA: &str = "http://www.w3.org/2005/08/addressing";

/// Why a request is not a usable SOAP 1.2 message; each maps to the fault SOAP 1.2 says.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SoapError {
    /// The content type is not `application/soap+xml` (SOAP 1.1's `text/xml`, or else).
    #[error("content type {0:?} is not SOAP 1.2 (application/soap+xml)")]
    MediaType(String),
    /// The body is not UTF-8.
    #[error("the message is not UTF-8")]
    NotUtf8,
    /// The XML is malformed or refused (DOCTYPE, entity, limits).
    #[error("{0}")]
    Xml(#[from] XmlError),
    /// A SOAP 1.1 envelope.
    #[error("SOAP 1.1 envelope: this service speaks SOAP 1.2 ({SOAP12})")]
    Soap11,
    /// The root is not a SOAP envelope.
    #[error("the root element {0} is not a SOAP 1.2 Envelope")]
    NotEnvelope(String),
    /// The envelope has no Body.
    #[error("the SOAP envelope has no Body")]
    NoBody,
    /// The Body is empty.
    #[error("the SOAP Body is empty: the operation's element is missing")]
    EmptyBody,
}

impl SoapError {
    /// The fault SOAP 1.2 prescribes for this error.
    pub fn fault(&self) -> Fault {
        let code = match self {
            Self::Soap11 | Self::NotEnvelope(_) => FaultCode::VersionMismatch,
            _ => FaultCode::Sender,
        };
        Fault::new(code, self.to_string())
    }
}

#[cfg(test)]
mod tests;
