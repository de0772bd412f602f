//! The VIHF's signature: exclusive c14n, RSA-SHA1 or RSA-SHA256 (or ECDSA-SHA256 with the
//! bench's keys), verified against the certificate of `KeyInfo`; that certificate must be
//! a signature certificate (key usage `nonRepudiation`) of the test PKI. A VIHF signed
//! with an authentication key gets `DMPInvalidCertificate`, as on the DMP.

use std::collections::HashMap;
use std::sync::Mutex;

use segur_core::bench::Bench;
use segur_core::finding::Finding;
use segur_core::pki::SubjectNames;
use segur_core::soap::Envelope;
use segur_core::xml::Element;
use segur_core::xml::c14n::Canonicalizer;
use segur_core::xmldsig::{Algorithms, verify_enveloped_with};
use time::OffsetDateTime;

use crate::config::{DmpConfig, VihfSignatures};
use crate::fault::DmpFault;
use crate::rules;

/// How many verified assertions [`SignatureCache`] keeps before it starts over.
const CACHE_CAPACITY: usize = 4096;

/// Assertions whose signature, key usage and chain were verified, by the SHA-256 of
/// their canonical form. An LPS sends the same VIHF on every call of a session; the DMP
/// need not redo the signature, the chain and the CRL each time. Only full successes are
/// kept, with the certificate's validity, so a bench clock moved past it is still caught;
/// a changed byte changes the key.
#[derive(Debug, Default)]
pub struct SignatureCache {
    /// Key → the signer's subject and the certificate's validity.
    entries: Mutex<HashMap<[u8; 32], Verified>>,
}

/// A verified signer.
#[derive(Debug, Clone)]
struct Verified {
    /// The certificate's subject (DN, CN, OU), which the coherence checks compare.
    subject: SubjectNames,
    /// The certificate's `notBefore`.
    not_before: OffsetDateTime,
    /// The certificate's `notAfter`.
    not_after: OffsetDateTime,
}

impl SignatureCache {
    fn get(&self, key: &[u8; 32], now: OffsetDateTime) -> Option<SubjectNames> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|v| v.not_before <= now && now < v.not_after)
            .map(|v| v.subject.clone())
    }

    fn put(&self, key: [u8; 32], verified: Verified) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CACHE_CAPACITY {
            entries.clear();
        }
        entries.insert(key, verified);
    }
}

/// The cache key of `assertion`: SHA-256 of its exclusive canonical form.
fn cache_key(envelope: &Envelope, assertion: &Element) -> Option<[u8; 32]> {
    let canonical = Canonicalizer::new(&envelope.root).canonicalize(assertion)?;
    let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
    digest.as_ref().try_into().ok()
}

/// Checks the signature; returns the signer's subject when it verified.
pub fn check(
    envelope: &Envelope,
    assertion: &Element,
    bench: &Bench,
    config: &DmpConfig,
    cache: &SignatureCache,
    findings: &mut Vec<Finding>,
) -> Result<Option<SubjectNames>, DmpFault> {
    let key = cache_key(envelope, assertion);
    if let Some(subject) = key.and_then(|k| cache.get(&k, bench.clock().now())) {
        return Ok(Some(subject));
    }
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
    let names = SubjectNames::of(&signed.certificate).unwrap_or_default();
    let subject = names.subject.clone();
    if !segur_core::pki::has_non_repudiation(&signed.certificate) {
        let why = "Not a valid signature certificate";
        findings.push(
            rules::VIHF_CERTIFICATE
                .finding(format!("the VIHF was signed by {subject:?}, whose key usage has no nonRepudiation: an authentication key, not a signature key ({why})"))
                .at(at),
        );
        return Err(DmpFault::invalid_certificate(why));
    }
    match segur_core::tls::verify_signing_certificate(
        bench.pki(),
        &signed.certificate,
        bench.clock(),
    ) {
        Ok(()) => {
            if let (Some(key), Some((not_before, not_after))) = (key, validity(&signed.certificate))
            {
                cache.put(
                    key,
                    Verified {
                        subject: names.clone(),
                        not_before,
                        not_after,
                    },
                );
            }
        }
        Err(e) => {
            let why = format!("the VIHF's signing certificate is not valid in the test PKI: {e}");
            if lenient {
                findings.push(rules::VIHF_CERTIFICATE.finding(tolerated(&why)).at(at));
            } else {
                findings.push(rules::VIHF_CERTIFICATE.finding(why.clone()).at(at));
                return Err(DmpFault::invalid_certificate(&why));
            }
        }
    }
    Ok(Some(names))
}

/// The certificate's validity period.
fn validity(der: &[u8]) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    let v = cert.validity();
    Some((v.not_before.to_datetime(), v.not_after.to_datetime()))
}
