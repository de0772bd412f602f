//! How a request arrives: a plain SOAP body, or an MTOM/XOP package ([`mtom`]) whose root
//! part is the envelope and whose other parts are the documents `xop:Include` points at.

pub mod mtom;

pub use mtom::{Incoming, Part, TransportError, read};
