//! The VIHF's signature: exclusive c14n, RSA-SHA1 or RSA-SHA256 (or ECDSA-SHA256 with the
//! bench's keys), verified against the certificate of `KeyInfo`; that certificate must be
//! a signature certificate (key usage `nonRepudiation`) of the test PKI. A VIHF signed
//! with an authentication key gets `DMPInvalidCertificate`, as on the DMP.

use segur_core::bench::Bench;
use segur_core::finding::Finding;
use segur_core::soap::Envelope;
use segur_core::xml::Element;
use segur_core::xmldsig::{Algorithms, verify_enveloped_with};

use crate::config::{DmpConfig, VihfSignatures};
use crate::fault::DmpFault;
use crate::rules;

/// Checks the signature; returns the signer's subject when it verified.
pub fn check(
    envelope: &Envelope,
    assertion: &Element,
    bench: &Bench,
    config: &DmpConfig,
    findings: &mut Vec<Finding>,
) -> Result<Option<String>, DmpFault> {
    let lenient = config.vihf_signatures == VihfSignatures::Reported;
    let at = "Header/Security/Assertion/Signature";
    let tolerated = |why: &str| {
        format!(
            "{why} (accepted: VIHF signatures are only reported in this run; the DMP refuses this)"
        )
    };
    let signed = match verify_enveloped_with(&envelope.root, assertion, Algorithms::WithSha1) {
        Ok(signed) => signed,
        Err(e) => {
            let why = if assertion
                .child(segur_core::xmldsig::DSIG, "Signature")
                .is_none()
            {
                "the VIHF is not signed".to_string()
            } else {
                format!("the VIHF signature does not verify: {e}")
            };
            if lenient {
                findings.push(rules::VIHF_SIGNATURE.finding(tolerated(&why)).at(at));
                return Ok(None);
            }
            findings.push(rules::VIHF_SIGNATURE.finding(why.clone()).at(at));
            return Err(DmpFault::failed_check(&why));
        }
    };
    let subject = segur_core::pki::subject_of(&signed.certificate).unwrap_or_default();
    if !has_non_repudiation(&signed.certificate) {
        let why = "Not a valid signature certificate";
        findings.push(
            rules::VIHF_CERTIFICATE
                .finding(format!("the VIHF was signed by {subject:?}, whose key usage has no nonRepudiation: an authentication key, not a signature key ({why})"))
                .at(at),
        );
        return Err(DmpFault::invalid_certificate(why));
    }
    if let Err(e) =
        segur_core::tls::verify_signing_certificate(bench.pki(), &signed.certificate, bench.clock())
    {
        let why = format!("the VIHF's signing certificate is not valid in the test PKI: {e}");
        if lenient {
            findings.push(rules::VIHF_CERTIFICATE.finding(tolerated(&why)).at(at));
        } else {
            findings.push(rules::VIHF_CERTIFICATE.finding(why.clone()).at(at));
            return Err(DmpFault::invalid_certificate(&why));
        }
    }
    Ok(Some(subject))
}

/// Whether the certificate's key usage includes `nonRepudiation` (contentCommitment).
fn has_non_repudiation(der: &[u8]) -> bool {
    x509_parser::parse_x509_certificate(der)
        .ok()
        .and_then(|(_, cert)| {
            cert.key_usage()
                .ok()
                .flatten()
                .map(|ku| ku.value.non_repudiation())
        })
        .unwrap_or(false)
}
