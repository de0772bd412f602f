//! Who calls, and how: the two ways into INSi.
//!
//! - **mTLS** (`insi.mtls`): the structure's software certificate, whose CN says the mode,
//!   `INSI-AUTO` (no user present) or `INSI-MANU` (a user asked); any other CN gets
//!   `DESIR_560`.
//! - **CPx** (`insi.cpx`): server-side TLS only; a SAML 2.0 assertion made with the
//!   professional's card rides in `wsse:Security`, and is checked here.
//! - **PSC** (`insi.mtls` with `Authorization: Bearer`): the structure's certificate
//!   still opens the connection, and the professional logged in with Pro Santé Connect
//!   rides in the HTTP header, as the CI-SIS transport of PSC carries the user to a SOAP
//!   service (insi-psc.md §2.8, 3). The token is checked by the bench's PSC
//!   (INS/PSC.01, PSC.10).

use std::fmt;

use segur_core::bench::Bench;
use segur_core::finding::Finding;
use segur_core::saml::{Assertion, SAML, WSSE};
use segur_core::soap::Envelope;
use segur_core::tls::TlsPeer;
use segur_core::xmldsig::verify_enveloped;
use serde::Serialize;
use time::Duration;

use crate::config::SignaturePolicy;
use crate::fault::InsiFault;
use crate::rules;

/// How long a CPx assertion without `Conditions` stays valid after its `IssueInstant`
/// (a TLSI test says one hour: UNCERTAIN, insi-psc.md §1.4).
pub const ASSERTION_LIFETIME: Duration = Duration::hours(1);
/// Clock skew tolerated on assertion times.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// The access mode of a call, as the journal reports it (INS/va1.14, INS/va1.38).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Mode {
    /// Software certificate `INSI-AUTO`: no user present.
    Auto,
    /// Software certificate `INSI-MANU`: a user asked.
    Manu,
    /// A professional's card (CPS/e-CPS) assertion.
    Cpx,
    /// A Pro Santé Connect access token beside the structure's certificate.
    Psc,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "AUTO",
            Self::Manu => "MANU",
            Self::Cpx => "CPx",
            Self::Psc => "PSC",
        })
    }
}

/// The caller of one INSi call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    /// AUTO, MANU or CPx.
    pub mode: Mode,
    /// Who: the certificate subject (mTLS) or the card holder's NameID (CPx).
    pub identity: String,
    /// The structure's national id (certificate OU) in mTLS mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structure: Option<String>,
    /// The assertion's issuer (the card certificate DN) in CPx mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
    /// The professional a PSC token names (`preferred_username`), in PSC mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub professional: Option<String>,
}

/// Identifies an mTLS caller from its certificate (the TLS layer already checked it).
pub fn from_certificate(peer: &TlsPeer, findings: &mut Vec<Finding>) -> Result<Caller, InsiFault> {
    let cn = peer.common_name().unwrap_or_default();
    let mode = match cn {
        "INSI-AUTO" => Mode::Auto,
        "INSI-MANU" => Mode::Manu,
        other => {
            findings.push(
                rules::CERTIFICATE_CN
                    .finding(format!(
                        "client certificate CN {other:?}: INSi grants access only to CN INSI-AUTO or INSI-MANU (exact case, with a hyphen)"
                    ))
                    .at("TLS client certificate"),
            );
            return Err(InsiFault::insufficient_access(&format!(
                "Certificat {other:?} : CN INSI-AUTO ou INSI-MANU attendu."
            )));
        }
    };
    Ok(Caller {
        mode,
        identity: peer.subject().unwrap_or_default().to_string(),
        structure: peer.unit().map(str::to_string),
        card: None,
        professional: None,
    })
}

/// With an `Authorization: Bearer` header, the mTLS caller becomes the professional the
/// Pro Santé Connect token names; a token PSC did not issue, expired or revoked, or no
/// PSC in the bench, is refused (DESIR_560).
pub fn with_psc_token(
    caller: Caller,
    authorization: Option<&str>,
    bench: &Bench,
    findings: &mut Vec<Finding>,
) -> Result<Caller, InsiFault> {
    let Some(value) = authorization else {
        return Ok(caller);
    };
    let refuse = |findings: &mut Vec<Finding>, why: String| {
        findings.push(
            rules::PSC_TOKEN
                .finding(why.clone())
                .at("HTTP Authorization"),
        );
        InsiFault::insufficient_access(&why)
    };
    let Some(token) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
    else {
        return Err(refuse(
            findings,
            format!(
                "en-tête Authorization {:?} : « Bearer <jeton Pro Santé Connect> » attendu",
                value.split(' ').next().unwrap_or_default()
            ),
        ));
    };
    let Some(validator) = bench.extension::<segur_psc::TokenValidator>() else {
        return Err(refuse(
            findings,
            "aucun Pro Santé Connect dans ce banc pour vérifier le jeton".into(),
        ));
    };
    let access = validator
        .validate(token)
        .map_err(|e| refuse(findings, format!("jeton Pro Santé Connect refusé : {e}")))?;
    Ok(Caller {
        mode: Mode::Psc,
        identity: caller.identity,
        structure: caller.structure,
        card: None,
        professional: Some(access.national_id),
    })
}

/// Checks the CPx assertion and identifies the card holder.
pub fn from_assertion(
    envelope: &Envelope,
    bench: &Bench,
    policy: SignaturePolicy,
    findings: &mut Vec<Finding>,
) -> Result<Caller, InsiFault> {
    let refuse = |findings: &mut Vec<Finding>, rule: &segur_core::finding::Rule, why: String| {
        findings.push(rule.finding(why.clone()).at("Header/Security/Assertion"));
        InsiFault::assertion_refused(&why)
    };
    let Some(security) = envelope.header_block(WSSE, "Security") else {
        return Err(refuse(
            findings,
            &rules::CPX_ASSERTION,
            "no wsse:Security header: the CPx endpoint needs the card's SAML assertion".into(),
        ));
    };
    let Some(element) = security.child(SAML, "Assertion") else {
        return Err(refuse(
            findings,
            &rules::CPX_ASSERTION,
            "wsse:Security holds no SAML 2.0 Assertion".into(),
        ));
    };
    let assertion = Assertion::read(element);
    if assertion.version.as_deref() != Some("2.0") {
        return Err(refuse(
            findings,
            &rules::CPX_ASSERTION,
            format!(
                "assertion Version {:?}, expected \"2.0\"",
                assertion.version
            ),
        ));
    }
    let issuer = match &assertion.issuer {
        Some(i) if !i.is_empty() => i.clone(),
        _ => {
            return Err(refuse(
                findings,
                &rules::CPX_ASSERTION,
                "the assertion has no Issuer (the card certificate's DN)".into(),
            ));
        }
    };
    if assertion.issuer_format.as_deref()
        != Some("urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName")
    {
        findings.push(
            rules::CPX_ASSERTION
                .finding(format!(
                    "Issuer Format {:?}; card assertions use urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName",
                    assertion.issuer_format
                ))
                .at("Header/Security/Assertion/Issuer"),
        );
    }
    let name_id = match &assertion.name_id {
        Some(n) if !n.is_empty() => n.clone(),
        _ => {
            return Err(refuse(
                findings,
                &rules::CPX_ASSERTION,
                "the assertion has no Subject/NameID (the card holder's id)".into(),
            ));
        }
    };
    if assertion.name_qualifier.as_deref() != Some("CPS") {
        return Err(refuse(
            findings,
            &rules::CPX_ASSERTION,
            format!(
                "NameID NameQualifier {:?}: a card assertion says NameQualifier=\"CPS\"",
                assertion.name_qualifier
            ),
        ));
    }
    for attribute in ["identifiantFacturation", "secteurActivite"] {
        if assertion.attribute(attribute).is_none() {
            findings.push(
                rules::CPX_ASSERTION
                    .finding(format!(
                        "the assertion has no {attribute} attribute (sent by the CNAM's own clients)"
                    ))
                    .at("Header/Security/Assertion/AttributeStatement"),
            );
        }
    }
    check_window(&assertion, bench, findings).map_err(|why| InsiFault::assertion_refused(&why))?;
    check_signature(envelope, element, bench, policy, &name_id, findings)?;
    Ok(Caller {
        mode: Mode::Cpx,
        identity: name_id,
        structure: None,
        card: Some(issuer),
        professional: None,
    })
}

fn check_window(
    assertion: &Assertion,
    bench: &Bench,
    findings: &mut Vec<Finding>,
) -> Result<(), String> {
    let now = bench.clock().now();
    let (start, end, basis) = match (assertion.not_before, assertion.not_on_or_after) {
        (Some(nb), Some(na)) => (nb, na, "Conditions"),
        _ => match assertion.issue_instant {
            Some(issued) => (
                issued,
                issued + ASSERTION_LIFETIME,
                "IssueInstant + 1 h (no Conditions)",
            ),
            None => {
                let why = format!(
                    "the assertion has no usable IssueInstant ({:?}) nor Conditions: its validity cannot be checked",
                    assertion.issue_instant_text
                );
                findings.push(rules::CPX_VALIDITY.finding(why.clone()));
                return Err(why);
            }
        },
    };
    if now + CLOCK_SKEW < start || now - CLOCK_SKEW >= end {
        let why =
            format!("the assertion is valid from {start} to {end} ({basis}); bench time is {now}");
        findings.push(
            rules::CPX_VALIDITY
                .finding(why.clone())
                .at("Header/Security/Assertion"),
        );
        return Err(why);
    }
    Ok(())
}

fn check_signature(
    envelope: &Envelope,
    element: &segur_core::xml::Element,
    bench: &Bench,
    policy: SignaturePolicy,
    name_id: &str,
    findings: &mut Vec<Finding>,
) -> Result<(), InsiFault> {
    let verdict = verify_enveloped(&envelope.root, element)
        .map_err(|e| e.to_string())
        .and_then(|signed| {
            segur_core::tls::verify_client_certificate(
                bench.pki(),
                &signed.certificate,
                bench.clock(),
            )
            .map_err(|e| format!("the signing certificate is not a valid card of the test PKI: {e}"))?;
            let subject = segur_core::pki::subject_of(&signed.certificate).unwrap_or_default();
            if !subject.contains(name_id) {
                findings.push(
                    rules::CPX_SIGNATURE
                        .finding(format!(
                            "NameID {name_id:?} does not appear in the signing card's subject {subject:?}"
                        ))
                        .at("Header/Security/Assertion/Subject/NameID"),
                );
            }
            Ok(())
        });
    match (verdict, policy) {
        (Ok(()), _) => Ok(()),
        (Err(why), SignaturePolicy::Strict) => {
            findings.push(
                rules::CPX_SIGNATURE
                    .finding(why.clone())
                    .at("Header/Security/Assertion/Signature"),
            );
            Err(InsiFault::assertion_refused(&why))
        }
        (Err(why), SignaturePolicy::Lenient) => {
            findings.push(
                rules::CPX_SIGNATURE
                    .finding(format!(
                        "{why} (accepted: signatures are checked leniently; the real service refuses this)"
                    ))
                    .at("Header/Security/Assertion/Signature"),
            );
            Ok(())
        }
    }
}
