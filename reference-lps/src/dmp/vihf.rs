//! The VIHF: the SAML 2.0 assertion every DMP call carries in `wsse:Security`, naming the
//! real user (never a generic account), the structure, the patient and the software, and
//! signed with the structure's *signature* certificate.

use time::{Duration, OffsetDateTime};

use super::professional::{PROFESSION_SYSTEM, Professional};
use super::signer::{SignError, Signer};
use crate::xml::{attr, text};

const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const HL7: &str = "urn:hl7-org:v3";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The software, as the VIHF names it.
#[derive(Debug, Clone)]
pub struct Software {
    /// `LPS_Nom`.
    pub name: String,
    /// `LPS_Version`.
    pub version: String,
    /// `LPS_ID_HOMOLOGATION_DMP` (the CNDA homologation number).
    pub homologation: String,
}

/// One VIHF.
#[derive(Debug, Clone)]
pub struct Vihf<'a> {
    /// The user.
    pub professional: &'a Professional,
    /// The patient's INS in CX form (`resource-id`), for patient-scoped calls.
    pub patient: Option<String>,
    /// The software.
    pub software: &'a Software,
    /// When it is issued.
    pub issued: OffsetDateTime,
    /// Whether the second role (specialty, section) is written: always, but a defect.
    pub second_role: bool,
}

/// `xs:dateTime` in UTC, to the second.
fn xs_date_time(t: OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

fn string_attribute(name: &str, value: &str) -> String {
    format!(
        "<saml2:Attribute Name=\"{}\"><saml2:AttributeValue>{}</saml2:AttributeValue></saml2:Attribute>",
        attr(name),
        text(value)
    )
}

/// An HL7 coded value (`Role`, `PurposeOfUse`), canonical: namespaces, then attributes
/// in order, and an explicit end tag.
fn coded(element: &str, code: &str, system: &str, display: &str) -> String {
    format!(
        "<saml2:AttributeValue><{element} xmlns=\"{HL7}\" xmlns:xsi=\"{XSI}\" code=\"{}\" codeSystem=\"{}\" displayName=\"{}\" xsi:type=\"CE\"></{element}></saml2:AttributeValue>",
        attr(code),
        attr(system),
        attr(display)
    )
}

impl Vihf<'_> {
    /// The assertion's ID.
    fn id(&self) -> String {
        format!("_{}", uuid::Uuid::new_v4().simple())
    }

    /// The assertion, unsigned and canonical, issued by `issuer`.
    fn assertion(&self, id: &str, issuer: &str) -> String {
        let p = self.professional;
        let mut roles = coded("Role", &p.profession, PROFESSION_SYSTEM, "");
        if self.second_role
            && let Some((code, system)) = &p.second_role
        {
            roles.push_str(&coded("Role", code, system, ""));
        }
        let mut attributes = String::new();
        attributes.push_str(&string_attribute("VIHF_Version", "3.0"));
        attributes.push_str(&string_attribute(
            "Authentification_Mode",
            "INDIRECTE_RENFORCEE",
        ));
        attributes.push_str(&string_attribute("Identifiant_Structure", &p.structure_id));
        attributes.push_str(&string_attribute(
            "Secteur_Activite",
            &format!("{}^1.2.250.1.71.4.2.4", p.sector),
        ));
        attributes.push_str(&string_attribute(
            "urn:oasis:names:tc:xspa:1.0:subject:subject-id",
            &format!("{} {}", p.given_name, p.family_name),
        ));
        attributes.push_str(&format!(
            "<saml2:Attribute Name=\"urn:oasis:names:tc:xacml:2.0:subject:role\">{roles}</saml2:Attribute>"
        ));
        if let Some(patient) = &self.patient {
            attributes.push_str(&string_attribute(
                "urn:oasis:names:tc:xacml:2.0:resource:resource-id",
                patient,
            ));
        }
        attributes.push_str(&string_attribute("Ressource_URN", "urn:dmp"));
        attributes.push_str(&format!(
            "<saml2:Attribute Name=\"urn:oasis:names:tc:xspa:1.0:subject:purposeofuse\">{}</saml2:Attribute>",
            coded(
                "PurposeOfUse",
                "normal",
                "1.2.250.1.213.1.1.4.248",
                "Accès normal"
            )
        ));
        attributes.push_str(&string_attribute("LPS_Nom", &self.software.name));
        attributes.push_str(&string_attribute("LPS_Version", &self.software.version));
        attributes.push_str(&string_attribute(
            "LPS_ID_HOMOLOGATION_DMP",
            &self.software.homologation,
        ));
        let issued = xs_date_time(self.issued);
        let end = xs_date_time(self.issued + Duration::minutes(30));
        format!(
            concat!(
                "<saml2:Assertion xmlns:saml2=\"{saml}\" ID=\"{id}\" IssueInstant=\"{issued}\" Version=\"2.0\">",
                "<saml2:Issuer Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName\">{issuer}</saml2:Issuer>",
                "<saml2:Subject><saml2:NameID>{name_id}</saml2:NameID></saml2:Subject>",
                "<saml2:Conditions NotBefore=\"{issued}\" NotOnOrAfter=\"{end}\"></saml2:Conditions>",
                "<saml2:AuthnStatement AuthnInstant=\"{issued}\"><saml2:AuthnContext>",
                "<saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:TLSClient</saml2:AuthnContextClassRef>",
                "</saml2:AuthnContext></saml2:AuthnStatement>",
                "<saml2:AttributeStatement>{attributes}</saml2:AttributeStatement></saml2:Assertion>"
            ),
            saml = SAML,
            id = attr(id),
            issued = issued,
            end = end,
            issuer = text(issuer),
            name_id = text(&p.national_id),
            attributes = attributes,
        )
    }

    /// The assertion signed by `signer` (its certificate's subject is the `Issuer`).
    pub fn signed(&self, signer: &Signer) -> Result<String, SignError> {
        let id = self.id();
        signer.enveloped(
            &self.assertion(&id, &signer.subject),
            &id,
            "</saml2:Issuer>",
        )
    }
}
