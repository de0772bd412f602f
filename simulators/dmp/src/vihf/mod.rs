//! The VIHF: the SAML 2.0 assertion every DMP call carries in `wsse:Security`, saying who
//! calls (NameID, roles, structure, sector), for which patient (`resource-id`), how
//! (authentication mode, purpose of use) and from which software (`LPS_*`).
//!
//! [`check`] reads it, applies the spec notes' table ([`attributes`]), the validity window
//! against the bench clock, and the signature ([`signature`]); it returns the caller as a
//! [`Vihf`] or the fault the DMP answers.

pub mod attributes;
pub mod coherence;
pub mod signature;

use segur_core::bench::Bench;
use segur_core::finding::Finding;
use segur_core::pki::SubjectNames;
use segur_core::saml::{Assertion, SAML, WSSE};
use segur_core::soap::Envelope;
use segur_core::world::Ins;
use segur_core::xml::Element;
use serde::Serialize;

use crate::config::DmpConfig;
use crate::fault::DmpFault;
use crate::rules;

/// A role of the `subject:role` attribute (HL7 `CE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    /// `@code`.
    pub code: String,
    /// `@codeSystem`.
    pub system: String,
}

/// The caller, as the VIHF says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vihf {
    /// `Subject/NameID`: the user's national id (or a structure-local id in indirect mode).
    pub national_id: String,
    /// `Authentification_Mode` (either spelling).
    pub mode: String,
    /// `Identifiant_Structure`.
    pub structure: String,
    /// The `SAxx` code of `Secteur_Activite`.
    pub sector: String,
    /// `subject-id`: the user's display name.
    pub subject: String,
    /// The roles: profession first, then the specialty or section.
    pub roles: Vec<Role>,
    /// `resource-id` as written.
    pub resource_id: Option<String>,
    /// The patient `resource-id` names, if it parses as an INS.
    pub patient: Option<Ins>,
    /// `PurposeOfUse/@code`.
    pub purpose: String,
    /// Whether the user asked for a "connexion secrète" (confidentiality-code attribute).
    pub secret: bool,
    /// `LPS_Nom`, `LPS_Version`, `LPS_ID_HOMOLOGATION_DMP`.
    pub software: (Option<String>, Option<String>, Option<String>),
    /// Subject DN of the certificate that signed it, when the signature verified.
    pub signer: Option<String>,
}

impl Vihf {
    /// The profession code (first role).
    pub fn profession(&self) -> Option<&str> {
        self.roles.first().map(|r| r.code.as_str())
    }
}

/// Finds the assertion in `wsse:Security`.
pub fn assertion(envelope: &Envelope) -> Option<&Element> {
    envelope
        .header_block(WSSE, "Security")
        .and_then(|s| s.child(SAML, "Assertion"))
}

/// Checks the VIHF of `envelope`; `patient_scoped` says whether the call is about one
/// patient (every call but TD0.4), so `resource-id` is required; `peer` is the TLS client
/// certificate's subject, which must name the VIHF's caller ([`coherence`]).
pub fn check(
    envelope: &Envelope,
    bench: &Bench,
    config: &DmpConfig,
    signatures: &signature::SignatureCache,
    patient_scoped: bool,
    peer: Option<&SubjectNames>,
    findings: &mut Vec<Finding>,
) -> Result<Vihf, DmpFault> {
    let Some(element) = assertion(envelope) else {
        let why =
            "no saml2:Assertion in the wsse:Security header (the VIHF is required on every call)";
        findings.push(rules::VIHF_MISSING.finding(why).at("Header/Security"));
        return Err(DmpFault::invalid_security(why));
    };
    let assertion = Assertion::read(element);
    let structural = [
        (
            assertion.version.as_deref() == Some("2.0"),
            "Version is not 2.0",
        ),
        (assertion.id.is_some(), "the assertion has no ID"),
        (
            assertion.issue_instant.is_some(),
            "IssueInstant is missing or not a date-time",
        ),
        (
            element.child(SAML, "AuthnStatement").is_some(),
            "AuthnStatement is missing",
        ),
        (assertion.issuer.is_some(), "Issuer is missing"),
    ];
    if let Some((_, why)) = structural.iter().find(|(ok, _)| !ok) {
        findings.push(
            rules::VIHF_MISSING
                .finding(*why)
                .at("Header/Security/Assertion"),
        );
        return Err(DmpFault::invalid_security(why));
    }
    if assertion.issuer_format.as_deref()
        != Some("urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName")
    {
        findings.push(
            rules::VIHF_ATTRIBUTE
                .finding(format!(
                    "Issuer/@Format is {:?}, the VIHF's is X509SubjectName (the signer's DN)",
                    assertion.issuer_format
                ))
                .at("Header/Security/Assertion/Issuer"),
        );
    }
    check_validity(&assertion, bench, config, findings)?;
    let mut vihf = attributes::read(element, &assertion, bench, patient_scoped, findings)?;
    let signer = signature::check(envelope, element, bench, config, signatures, findings)?;
    if let Some(signer) = &signer {
        coherence::check(
            &vihf,
            assertion.issuer.as_deref().unwrap_or_default(),
            signer,
            peer,
            config.vihf_signatures == crate::config::VihfSignatures::Reported,
            findings,
        )?;
    }
    vihf.signer = signer.map(|s| s.subject);
    Ok(vihf)
}

fn check_validity(
    assertion: &Assertion,
    bench: &Bench,
    config: &DmpConfig,
    findings: &mut Vec<Finding>,
) -> Result<(), DmpFault> {
    let now = bench.clock().now();
    let skew = config.clock_skew;
    let issued = assertion.issue_instant.expect("checked");
    let why = if issued > now + skew {
        Some(format!(
            "IssueInstant {} is in the future (bench time {now}, tolerance {skew}): is the LPS clock synchronised (PRE_TPS)?",
            assertion.issue_instant_text.as_deref().unwrap_or("")
        ))
    } else if let Some(end) = assertion.not_on_or_after {
        (now >= end + skew).then(|| format!("NotOnOrAfter {end} is past (bench time {now})"))
    } else if now - issued > config.vihf_max_age + skew {
        Some(format!(
            "IssueInstant {} is older than {} (bench time {now}): build a VIHF per call or session",
            assertion.issue_instant_text.as_deref().unwrap_or(""),
            config.vihf_max_age
        ))
    } else {
        None
    }
    .or_else(|| {
        assertion
            .not_before
            .filter(|start| now + skew < *start)
            .map(|start| format!("NotBefore {start} is after bench time {now}"))
    });
    match why {
        Some(why) => {
            findings.push(
                rules::VIHF_VALIDITY
                    .finding(why.clone())
                    .at("Header/Security/Assertion/@IssueInstant"),
            );
            Err(DmpFault::expired(&why))
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;

/// The VIHF's user must be a professional of the world: the real user, not a generic
/// account (DMP/AIRS.06).
pub fn check_user(vihf: &Vihf, world: &segur_core::world::World, findings: &mut Vec<Finding>) {
    if world
        .professional_by_national_id(&vihf.national_id)
        .is_none()
    {
        findings.push(
            rules::VIHF_NAME_ID
                .finding(format!("NameID {} is no professional of the world: the VIHF must carry the real user's national id, not a generic account", vihf.national_id))
                .at("Header/Security/Assertion/Subject/NameID")
                .with_severity(segur_core::finding::Severity::Warning),
        );
    }
}

/// Rules a VIHF re-check speaks for (the rest of a DMP record comes from the DMP's state).
pub fn is_vihf_rule(rule: &str) -> bool {
    rule.starts_with("DMP-VIHF-")
}

/// Today's VIHF checks on a recorded DMP request (`content_type` and `body` as sent,
/// `operation` its TD name), in `bench` (its clock set to the record's time, its world
/// and PKI the run's): the findings of the VIHF rules alone.
pub async fn recheck(
    bench: &Bench,
    config: &DmpConfig,
    content_type: &str,
    body: bytes::Bytes,
    operation: &str,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Ok(incoming) = crate::transport::read(content_type, body, config.max_document).await else {
        return findings;
    };
    let Ok(envelope) = Envelope::parse_any(&incoming.soap, &config.xml_limits) else {
        return findings;
    };
    let cache = signature::SignatureCache::default();
    // Every call but TD0.4 (the authorisations list) is about one patient.
    let patient_scoped = operation != "TD0.4";
    if let Ok(vihf) = check(
        &envelope,
        bench,
        config,
        &cache,
        patient_scoped,
        None,
        &mut findings,
    ) {
        check_user(&vihf, &bench.world(), &mut findings);
    }
    findings
}
