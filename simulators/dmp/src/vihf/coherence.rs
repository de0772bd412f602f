//! Who signed the VIHF, who opened the TLS connection and what the VIHF says must agree
//! (spec notes §1.1 and §1.3):
//! - `Issuer` is the DN of the signing certificate;
//! - a structure's signature certificate ("cachet", ORG SIGN) signs for its own structure:
//!   its OU is `Identifiant_Structure`;
//! - a professional's card signs only for its holder: its CN's national id is the NameID;
//! - the mTLS client certificate (the structure's ORG AUTH_CLI, or the CPS authentication
//!   key in direct mode) belongs to the same structure, or to the same professional.

use segur_core::finding::Finding;
use segur_core::pki::SubjectNames;

use super::Vihf;
use crate::fault::DmpFault;
use crate::rules;

/// What disagrees, and the fault the DMP answers for it.
struct Disagreement {
    /// The finding's text.
    why: String,
    /// Where in the message.
    at: &'static str,
    /// The DMP's fault.
    fault: fn(&str) -> DmpFault,
}

/// Checks `vihf` (its `Issuer` is `issuer`, `signer` signed it) against the TLS client
/// certificate `peer` (`None` on a plain listener or a replay). With `lenient` (a run that
/// only reports VIHF signatures, as a replay of old captures does), the disagreements are
/// findings and the call goes on.
pub fn check(
    vihf: &Vihf,
    issuer: &str,
    signer: &SubjectNames,
    peer: Option<&SubjectNames>,
    lenient: bool,
    findings: &mut Vec<Finding>,
) -> Result<(), DmpFault> {
    let mut disagreements = Vec::new();
    if !same_dn(issuer, &signer.subject) {
        disagreements.push(Disagreement {
            why: format!(
                "Issuer {issuer:?} is not the DN of the certificate that signed the VIHF ({:?})",
                signer.subject
            ),
            at: "Header/Security/Assertion/Issuer",
            fault: DmpFault::invalid_token,
        });
    }
    match signer.card_holder() {
        Some(holder) if holder != vihf.national_id => disagreements.push(Disagreement {
            why: format!(
                "the VIHF was signed with the card of {holder} for NameID {}: a card signs only for its holder",
                vihf.national_id
            ),
            at: "Header/Security/Assertion/Signature",
            fault: DmpFault::invalid_certificate,
        }),
        Some(_) => {}
        None if signer.unit.as_deref() != Some(vihf.structure.as_str()) => {
            disagreements.push(Disagreement {
                why: format!(
                    "the VIHF was signed with the signature certificate of structure {:?}, and Identifiant_Structure is {:?}: a structure's seal signs for that structure only",
                    signer.unit.as_deref().unwrap_or("(no OU)"),
                    vihf.structure
                ),
                at: "Header/Security/Assertion/Signature",
                fault: DmpFault::invalid_certificate,
            })
        }
        None => {}
    }
    if let Some(peer) = peer {
        let (agrees, whose) = match peer.card_holder() {
            Some(holder) => (
                holder == vihf.national_id,
                format!("the card of {holder}, and NameID is {}", vihf.national_id),
            ),
            None => (
                peer.unit.as_deref() == Some(vihf.structure.as_str()),
                format!(
                    "structure {:?}'s, and Identifiant_Structure is {:?}",
                    peer.unit.as_deref().unwrap_or("(no OU)"),
                    vihf.structure
                ),
            ),
        };
        if !agrees {
            disagreements.push(Disagreement {
                why: format!(
                    "the TLS client certificate ({:?}) is {whose}: the connection and the VIHF name different callers",
                    peer.subject
                ),
                at: "TLS client certificate",
                fault: DmpFault::invalid_certificate,
            });
        }
    }
    let mut refusal = None;
    for d in disagreements {
        if lenient {
            findings.push(rules::VIHF_COHERENCE.finding(format!(
                "{} (accepted: VIHF signatures are only reported in this run; the DMP refuses this)",
                d.why
            )).at(d.at));
        } else {
            findings.push(rules::VIHF_COHERENCE.finding(d.why.clone()).at(d.at));
            refusal.get_or_insert_with(|| (d.fault)(&d.why));
        }
    }
    refusal.map_or(Ok(()), Err)
}

/// Whether two DNs name the same subject: the same attribute-value pairs, whatever their
/// order (RFC 4514 writes the most specific first, x509 printers the DER order), spacing
/// after separators and case of the attribute types.
pub fn same_dn(a: &str, b: &str) -> bool {
    let (a, b) = (dn_pairs(a), dn_pairs(b));
    !a.is_empty() && a == b
}

/// The sorted `(TYPE, value)` pairs of a DN in text form, escapes undone.
fn dn_pairs(dn: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut current = String::new();
    let mut chars = dn.chars();
    let mut push = |current: &mut String| {
        if let Some((kind, value)) = current.split_once('=') {
            pairs.push((kind.trim().to_ascii_uppercase(), value.trim().to_string()));
        }
        current.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ',' | '+' | ';' => push(&mut current),
            _ => current.push(c),
        }
    }
    push(&mut current);
    pairs.sort();
    pairs
}

#[cfg(test)]
mod tests {
    use super::same_dn;

    #[test]
    fn dns_compare_as_sets_of_pairs() {
        for (a, b, same) in [
            ("CN=A, OU=1, O=X", "CN=A, OU=1, O=X", true),
            ("C=FR, O=X, OU=1, CN=A", "CN=A,OU=1,O=X,C=FR", true),
            ("cn=A,ou=1", "CN=A, OU=1", true),
            (
                "CN=CABINET\\, LILAS, OU=1",
                "OU=1, CN=CABINET\\, LILAS",
                true,
            ),
            ("CN=A, OU=1", "CN=A, OU=2", false),
            ("CN=A, OU=1", "CN=A", false),
            ("", "", false),
        ] {
            assert_eq!(same_dn(a, b), same, "{a} / {b}");
        }
    }
}
