//! SOAP 1.2 faults, written as the CNAM services write theirs (prefix `soap`, body
//! namespace declared again on `env:Body`, subcode values in the envelope namespace).

use super::SOAP12;
use crate::xml::{escape, escape_attribute};

/// The top-level fault code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    /// The request is at fault.
    Sender,
    /// The service is at fault (unavailable, internal error).
    Receiver,
    /// Not a SOAP 1.2 envelope.
    VersionMismatch,
    /// A header block marked `mustUnderstand` that the service does not process
    /// (SOAP 1.2 part 1, 5.4.8).
    MustUnderstand,
}

impl FaultCode {
    fn as_str(self) -> &'static str {
        match self {
            Self::Sender => "Sender",
            Self::Receiver => "Receiver",
            Self::VersionMismatch => "VersionMismatch",
            Self::MustUnderstand => "MustUnderstand",
        }
    }
}

/// A SOAP 1.2 fault to answer with (HTTP 500, or 400 for the Sender side if a service
/// says so; the CNAM services use 500 for all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// `Code/Value`.
    pub code: FaultCode,
    /// `Code/Subcode/Value`, a QName written as is (e.g. `soap:siram_100`, or
    /// `wsa:ActionNotSupported` with its namespace declared by `subcode_namespace`).
    pub subcode: Option<String>,
    /// Namespace declaration the subcode needs: (prefix, URI).
    pub subcode_namespace: Option<(String, String)>,
    /// `Reason/Text`.
    pub reason: String,
    /// `xml:lang` of the reason.
    pub lang: &'static str,
    /// Literal XML put inside `Detail` (already escaped), if any.
    pub detail: Option<String>,
    /// Literal XML put in the fault's own `Header` (the `NotUnderstood` blocks of a
    /// `MustUnderstand` fault), if any.
    pub header: Option<String>,
}

impl Fault {
    /// A fault with a code and a reason, in French as the national services answer.
    pub fn new(code: FaultCode, reason: impl Into<String>) -> Self {
        Self {
            code,
            subcode: None,
            subcode_namespace: None,
            reason: reason.into(),
            lang: "fr",
            detail: None,
            header: None,
        }
    }

    /// A `MustUnderstand` fault naming each header block not understood, as
    /// `env:NotUnderstood qname="…"` header blocks (SOAP 1.2 part 1, 5.4.8).
    pub fn must_understand(blocks: &[(Option<String>, String)]) -> Self {
        let header = blocks
            .iter()
            .enumerate()
            .map(|(i, (namespace, local))| match namespace {
                Some(ns) => format!(
                    "<soap:NotUnderstood qname=\"nu{i}:{}\" xmlns:nu{i}=\"{}\"/>",
                    escape_attribute(local),
                    escape_attribute(ns)
                ),
                None => format!(
                    "<soap:NotUnderstood qname=\"{}\"/>",
                    escape_attribute(local)
                ),
            })
            .collect::<String>();
        let names: Vec<&str> = blocks.iter().map(|(_, l)| l.as_str()).collect();
        Self {
            header: Some(header),
            ..Self::new(
                FaultCode::MustUnderstand,
                format!(
                    "En-tête(s) obligatoire(s) non compris par le service : {}",
                    names.join(", ")
                ),
            )
        }
    }

    /// Sets the subcode (a QName in the envelope namespace unless `namespace` is given).
    pub fn subcode(mut self, qname: impl Into<String>, namespace: Option<(&str, &str)>) -> Self {
        self.subcode = Some(qname.into());
        self.subcode_namespace = namespace.map(|(p, u)| (p.to_string(), u.to_string()));
        self
    }

    /// Sets the detail (literal XML).
    pub fn detail(mut self, xml: impl Into<String>) -> Self {
        self.detail = Some(xml.into());
        self
    }

    /// The whole envelope.
    pub fn to_xml(&self) -> String {
        let mut out = String::with_capacity(512);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        out.push_str(&format!("<soap:Envelope xmlns:soap=\"{SOAP12}\">"));
        if let Some(header) = &self.header {
            out.push_str("<soap:Header>");
            out.push_str(header);
            out.push_str("</soap:Header>");
        }
        out.push_str(&format!(
            "<env:Body xmlns:env=\"{SOAP12}\"><soap:Fault><soap:Code><soap:Value>soap:{}</soap:Value>",
            self.code.as_str()
        ));
        if let Some(subcode) = &self.subcode {
            let declaration = self
                .subcode_namespace
                .as_ref()
                .map(|(p, u)| format!(" xmlns:{p}=\"{}\"", escape_attribute(u)))
                .unwrap_or_default();
            out.push_str(&format!(
                "<soap:Subcode><soap:Value{declaration}>{}</soap:Value></soap:Subcode>",
                escape(subcode)
            ));
        }
        out.push_str(&format!(
            "</soap:Code><soap:Reason><soap:Text xml:lang=\"{}\">{}</soap:Text></soap:Reason>",
            self.lang,
            escape(&self.reason)
        ));
        if let Some(detail) = &self.detail {
            out.push_str("<soap:Detail>");
            out.push_str(detail);
            out.push_str("</soap:Detail>");
        }
        out.push_str("</soap:Fault></env:Body></soap:Envelope>");
        out
    }
}
