//! The VIHF an LPS builds for each call: a SAML 2.0 assertion naming the caller, the
//! patient and the software, signed with a signature certificate (the structure's, or a
//! card's signing key).

use segur_core::pki::Credential;
use segur_core::saml::SAML;
use segur_core::world::Ins;
use segur_core::world::codes::SECTOR_OID;
use segur_core::xml::escape;
use segur_core::xmldsig::{SIGNATURE_PLACEHOLDER, sign_enveloped};
use time::{Duration, OffsetDateTime};

use super::{Caller, RequestError, xs_date_time};
use crate::vihf::attributes::{PURPOSE, RESOURCE_ID, ROLE, SUBJECT_ID};

/// A VIHF being written. Defaults: mode `DIRECTE`, purpose `normal`, valid one hour from
/// the given time, the software `segur-bench reference LPS` with the world's homologation
/// number `SEGURBENCH-DMP-01`.
#[derive(Debug, Clone)]
pub struct VihfBuilder {
    /// Who calls.
    caller: Caller,
    /// `resource-id`; `None` for calls about no patient (TD0.4).
    patient: Option<String>,
    /// `Authentification_Mode`.
    mode: String,
    /// The attribute's name: the HL7 mapping's `Authentification_Mode`, or the kit's
    /// `Authentification_mode`.
    mode_attribute: &'static str,
    /// `IssueInstant` (and `AuthnInstant`, `NotBefore`).
    issued: OffsetDateTime,
    /// `NotOnOrAfter` − `NotBefore`.
    lifetime: Duration,
    /// `PurposeOfUse/@code`.
    purpose: String,
    /// Whether the second role (specialty or section) is written.
    second_role: bool,
    /// `LPS_Nom`, `LPS_Version`, `LPS_ID_HOMOLOGATION_DMP`.
    software: (String, String, String),
    /// `Issuer` written instead of the signer's DN (to send an incoherent VIHF).
    issuer: Option<String>,
}

impl VihfBuilder {
    /// A VIHF for `caller`, issued at `now` (the bench clock's time, for tests).
    pub fn new(caller: Caller, now: OffsetDateTime) -> Self {
        Self {
            caller,
            patient: None,
            mode: "DIRECTE".into(),
            mode_attribute: "Authentification_Mode",
            issued: now,
            lifetime: Duration::hours(1),
            purpose: "normal".into(),
            second_role: true,
            software: (
                "segur-bench reference LPS".into(),
                env!("CARGO_PKG_VERSION").into(),
                "SEGURBENCH-DMP-01".into(),
            ),
            issuer: None,
        }
    }

    /// The patient of the call (`resource-id`, in CX form).
    pub fn patient(mut self, ins: &Ins) -> Self {
        self.patient = Some(ins.cx());
        self
    }

    /// A `resource-id` written as given (to send a malformed one).
    pub fn resource_id(mut self, cx: impl Into<String>) -> Self {
        self.patient = Some(cx.into());
        self
    }

    /// `Authentification_Mode`: `DIRECTE`, `INDIRECTE` or `INDIRECTE_RENFORCEE`.
    pub fn mode(mut self, mode: impl Into<String>) -> Self {
        self.mode = mode.into();
        self
    }

    /// Writes the attribute `Authentification_mode`, as the kit's samples spell it.
    pub fn with_kit_mode_spelling(mut self) -> Self {
        self.mode_attribute = "Authentification_mode";
        self
    }

    /// `IssueInstant` (the assertion stays valid for its lifetime from then).
    pub fn issued_at(mut self, t: OffsetDateTime) -> Self {
        self.issued = t;
        self
    }

    /// How long the assertion is valid (`NotOnOrAfter`).
    pub fn valid_for(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// `PurposeOfUse`: `normal`, or `BRIS_DE_GLACE` / `CENTRE_15` for emergencies.
    pub fn purpose(mut self, code: impl Into<String>) -> Self {
        self.purpose = code.into();
        self
    }

    /// Leaves out the second role (a doctor's specialty, a pharmacist's section).
    pub fn without_specialty(mut self) -> Self {
        self.second_role = false;
        self
    }

    /// Writes `dn` as `Issuer` instead of the signing certificate's DN (the DMP refuses it).
    pub fn issuer(mut self, dn: impl Into<String>) -> Self {
        self.issuer = Some(dn.into());
        self
    }

    /// The assertion, unsigned (the DMP answers `wsse:FailedCheck`).
    pub fn unsigned(&self) -> String {
        self.template(&self.caller.structure_name, "")
    }

    /// The assertion signed with `credential` (its key must be a PKCS#8 ECDSA P-256 key,
    /// as the bench's are). A structure's `-sign` credential or a card is what the DMP
    /// accepts; an authentication key (`-auth`) gets `DMPInvalidCertificate`.
    pub fn signed_with(&self, credential: &Credential) -> Result<String, RequestError> {
        let certificate = credential.chain.first().ok_or(RequestError::Missing(
            "a certificate in the signing credential",
        ))?;
        let issuer = match &self.issuer {
            Some(dn) => dn.clone(),
            None => segur_core::pki::subject_of(certificate).unwrap_or_default(),
        };
        let template = self.template(&issuer, SIGNATURE_PLACEHOLDER);
        let id = self.id();
        sign_enveloped(
            &template,
            &id,
            credential.key.secret_der(),
            certificate.as_ref(),
        )
        .map_err(|e| RequestError::Sign(e.to_string()))
    }

    /// The assertion's ID: stable for a given caller, patient and instant.
    fn id(&self) -> String {
        format!(
            "_vihf-{}-{}",
            self.caller.national_id,
            self.issued.unix_timestamp_nanos()
        )
    }

    fn template(&self, issuer: &str, signature: &str) -> String {
        let string = |name: &str, value: &str| {
            format!(
                "<saml2:Attribute Name=\"{name}\"><saml2:AttributeValue xsi:type=\"xs:string\">{}</saml2:AttributeValue></saml2:Attribute>",
                escape(value)
            )
        };
        let coded = |element: &str, code: &str, system: &str| {
            format!(
                "<saml2:AttributeValue><{element} xmlns=\"urn:hl7-org:v3\" xsi:type=\"CE\" code=\"{}\" codeSystem=\"{}\"/></saml2:AttributeValue>",
                escape(code),
                escape(system)
            )
        };
        let c = &self.caller;
        let (profession, system) = c.profession_role();
        let mut roles = coded("Role", &profession, system);
        if self.second_role
            && let Some((code, system)) = &c.second_role
        {
            roles.push_str(&coded("Role", code, system));
        }
        let mut attributes = String::new();
        attributes.push_str(&string("VIHF_Version", "3.0"));
        attributes.push_str(&string(self.mode_attribute, &self.mode));
        attributes.push_str(&string("Identifiant_Structure", &c.structure_id));
        attributes.push_str(&string(
            "Secteur_Activite",
            &format!("{}^{SECTOR_OID}", c.sector),
        ));
        attributes.push_str(&string(
            SUBJECT_ID,
            &format!("{} {}", c.given_name, c.family_name),
        ));
        attributes.push_str(&format!(
            "<saml2:Attribute Name=\"{ROLE}\">{roles}</saml2:Attribute>"
        ));
        if let Some(patient) = &self.patient {
            attributes.push_str(&string(RESOURCE_ID, patient));
        }
        attributes.push_str(&string("Ressource_URN", "urn:dmp"));
        attributes.push_str(&format!(
            "<saml2:Attribute Name=\"{PURPOSE}\">{}</saml2:Attribute>",
            coded("PurposeOfUse", &self.purpose, "1.2.250.1.213.1.1.4.248")
        ));
        attributes.push_str(&string("LPS_Nom", &self.software.0));
        attributes.push_str(&string("LPS_Version", &self.software.1));
        attributes.push_str(&string("LPS_ID_HOMOLOGATION_DMP", &self.software.2));
        let issued = xs_date_time(self.issued);
        format!(
            concat!(
                "<saml2:Assertion xmlns:saml2=\"{saml}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
                "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" ID=\"{id}\" IssueInstant=\"{issued}\" Version=\"2.0\">",
                "<saml2:Issuer Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName\">{issuer}</saml2:Issuer>",
                "{signature}",
                "<saml2:Subject><saml2:NameID>{name_id}</saml2:NameID></saml2:Subject>",
                "<saml2:Conditions NotBefore=\"{issued}\" NotOnOrAfter=\"{end}\"/>",
                "<saml2:AuthnStatement AuthnInstant=\"{issued}\"><saml2:AuthnContext>",
                "<saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI</saml2:AuthnContextClassRef>",
                "</saml2:AuthnContext></saml2:AuthnStatement>",
                "<saml2:AttributeStatement>{attributes}</saml2:AttributeStatement></saml2:Assertion>"
            ),
            saml = SAML,
            id = self.id(),
            issued = issued,
            issuer = escape(issuer),
            signature = signature,
            name_id = escape(&c.national_id),
            end = xs_date_time(self.issued + self.lifetime),
            attributes = attributes,
        )
    }
}
