//! SAML 2.0 assertions as the national SOAP services receive them in `wsse:Security`: the
//! INSi CPx assertion and the DMP's VIHF. This module reads one into plain fields; what
//! each service requires of it is that service's rule set.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::xml::Element;

/// The SAML 2.0 assertion namespace.
pub const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// The WS-Security extension namespace (`wsse:Security`).
pub const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

/// An assertion's content, read without judging it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assertion {
    /// `ID`, which the signature references.
    pub id: Option<String>,
    /// `Version` (must be `2.0`).
    pub version: Option<String>,
    /// `IssueInstant`, if it parses as a date-time.
    pub issue_instant: Option<OffsetDateTime>,
    /// `IssueInstant` as written, for messages.
    pub issue_instant_text: Option<String>,
    /// `Issuer` text (the card certificate's DN in CPx mode).
    pub issuer: Option<String>,
    /// `Issuer/@Format`.
    pub issuer_format: Option<String>,
    /// `Subject/NameID` text.
    pub name_id: Option<String>,
    /// `Subject/NameID/@NameQualifier` (`CPS` for a card).
    pub name_qualifier: Option<String>,
    /// `Conditions/@NotBefore`.
    pub not_before: Option<OffsetDateTime>,
    /// `Conditions/@NotOnOrAfter`.
    pub not_on_or_after: Option<OffsetDateTime>,
    /// `AttributeStatement/Attribute`: name and values, in order.
    pub attributes: Vec<(String, Vec<String>)>,
    /// Whether it carries an XML-DSig `Signature`.
    pub signed: bool,
}

impl Assertion {
    /// Reads `element`, a `saml2:Assertion`.
    pub fn read(element: &Element) -> Self {
        let time = |s: Option<&str>| s.and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok());
        let issuer = element.child(SAML, "Issuer");
        let name_id = element
            .child(SAML, "Subject")
            .and_then(|s| s.child(SAML, "NameID"));
        let conditions = element.child(SAML, "Conditions");
        let attributes = element
            .children_named(SAML, "AttributeStatement")
            .flat_map(|s| s.children_named(SAML, "Attribute"))
            .map(|a| {
                (
                    a.attr("Name").unwrap_or("").to_string(),
                    a.children_named(SAML, "AttributeValue")
                        .map(|v| v.text().trim().to_string())
                        .collect(),
                )
            })
            .collect();
        Self {
            id: element.attr("ID").map(str::to_string),
            version: element.attr("Version").map(str::to_string),
            issue_instant: time(element.attr("IssueInstant")),
            issue_instant_text: element.attr("IssueInstant").map(str::to_string),
            issuer: issuer.map(|i| i.text().trim().to_string()),
            issuer_format: issuer.and_then(|i| i.attr("Format")).map(str::to_string),
            name_id: name_id.map(|n| n.text().trim().to_string()),
            name_qualifier: name_id
                .and_then(|n| n.attr("NameQualifier"))
                .map(str::to_string),
            not_before: time(conditions.and_then(|c| c.attr("NotBefore"))),
            not_on_or_after: time(conditions.and_then(|c| c.attr("NotOnOrAfter"))),
            attributes,
            signed: element.child(crate::xmldsig::DSIG, "Signature").is_some(),
        }
    }

    /// The values of the attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&[String]> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }
}
