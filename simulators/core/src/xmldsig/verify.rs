//! Checking an enveloped signature: reference, transforms, digest, then the signature
//! value against the public key of the certificate in `KeyInfo`.

use base64::Engine as _;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
    RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey,
};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::{DSIG, ECDSA_SHA256, ENVELOPED, EXC_C14N, RSA_SHA1, RSA_SHA256, SHA1, SHA256};

/// Which algorithms a verification accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithms {
    /// SHA-256 digests; RSA-SHA256 or ECDSA-SHA256 signatures.
    Sha256Only,
    /// Also SHA-1 digests and RSA-SHA1 signatures, for a service that accepts them.
    WithSha1,
}
use crate::xml::Element;
use crate::xml::c14n::Canonicalizer;

/// A signature that checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// The signer's certificate (DER), from `KeyInfo`: who signed, for the caller to trust
    /// or not (chain, validity and revocation are the caller's policy).
    pub certificate: Vec<u8>,
    /// The signature algorithm URI.
    pub algorithm: String,
}

/// Why a signature does not check out.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// A part of the signature is missing.
    #[error("the signature has no {0}")]
    Missing(&'static str),
    /// An algorithm or transform this check does not accept.
    #[error("unsupported {what}: {uri}")]
    Unsupported {
        /// Which part (digest, transform...).
        what: &'static str,
        /// The URI found.
        uri: String,
    },
    /// The reference does not point at the signed element.
    #[error("the reference URI {found:?} does not designate the signed element (ID {expected:?})")]
    Reference {
        /// The URI found.
        found: String,
        /// `#` + the element's ID.
        expected: String,
    },
    /// A reference of a detached signature points at no element of its document.
    #[error("the reference URI {0:?} designates no element of the signature document")]
    Dangling(String),
    /// The digest of the signed element is not the one in the signature.
    #[error(
        "digest mismatch: the signed element was changed after signing (DigestValue {signed}, computed {computed})"
    )]
    Digest {
        /// The DigestValue in the signature.
        signed: String,
        /// What the canonical form hashes to.
        computed: String,
    },
    /// The signature value does not verify with the certificate's key.
    #[error("the SignatureValue does not verify with the key of the KeyInfo certificate")]
    Value,
    /// Base64 or certificate content that cannot be read.
    #[error("unreadable {0}")]
    Unreadable(&'static str),
}

/// Checks the enveloped signature of `signed`, an element of the document whose root is
/// `root`, with SHA-256 algorithms only.
pub fn verify_enveloped(
    root: &Element,
    signed: &Element,
) -> Result<VerifiedSignature, SignatureError> {
    verify_enveloped_with(root, signed, Algorithms::Sha256Only)
}

/// Checks the enveloped signature of `signed` with the `accepted` algorithms.
pub fn verify_enveloped_with(
    root: &Element,
    signed: &Element,
    accepted: Algorithms,
) -> Result<VerifiedSignature, SignatureError> {
    let legacy = accepted == Algorithms::WithSha1;
    let signature = signed
        .child(DSIG, "Signature")
        .ok_or(SignatureError::Missing("Signature element"))?;
    let signed_info = SignedInfo::read(signature, legacy)?;
    let mut references = signed_info.element.children_named(DSIG, "Reference");
    let reference = references
        .next()
        .ok_or(SignatureError::Missing("Reference"))?;
    if references.next().is_some() {
        return Err(SignatureError::Unsupported {
            what: "signature layout",
            uri: "more than one Reference".into(),
        });
    }
    let expected = format!("#{}", signed.attr("ID").or(signed.attr("Id")).unwrap_or(""));
    let found = reference.attr("URI").unwrap_or("").to_string();
    if found != expected || expected == "#" {
        return Err(SignatureError::Reference { found, expected });
    }
    let mut prefixes = Vec::new();
    let mut enveloped = false;
    if let Some(transforms) = reference.child(DSIG, "Transforms") {
        for t in transforms.children_named(DSIG, "Transform") {
            match t.attr("Algorithm") {
                Some(ENVELOPED) => enveloped = true,
                Some(EXC_C14N) => prefixes = accept_c14n(t, "transform")?,
                other => {
                    return Err(SignatureError::Unsupported {
                        what: "transform",
                        uri: other.unwrap_or("").to_string(),
                    });
                }
            }
        }
    }
    if !enveloped {
        return Err(SignatureError::Missing("enveloped-signature transform"));
    }
    let digest_method = reference
        .child(DSIG, "DigestMethod")
        .and_then(|m| m.attr("Algorithm"))
        .ok_or(SignatureError::Missing("DigestMethod"))?;
    if digest_method != SHA256 && !(legacy && digest_method == SHA1) {
        return Err(SignatureError::Unsupported {
            what: "digest method",
            uri: digest_method.to_string(),
        });
    }
    let signed_digest: String = reference
        .child_text(DSIG, "DigestValue")
        .ok_or(SignatureError::Missing("DigestValue"))?
        .split_whitespace()
        .collect();
    let canonical = Canonicalizer::new(root)
        .excluding(signature)
        .inclusive_prefixes(prefixes.iter().map(String::as_str))
        .canonicalize(signed)
        .ok_or(SignatureError::Missing("signed element in the document"))?;
    let computed = digest_base64(digest_method, canonical.as_bytes());
    if computed != signed_digest {
        return Err(SignatureError::Digest {
            signed: signed_digest,
            computed,
        });
    }
    signed_info.verify(root, signature)
}

/// A signature's `SignedInfo`, its canonicalisation and signature method accepted.
pub(super) struct SignedInfo<'a> {
    /// The element.
    pub(super) element: &'a Element,
    /// The `InclusiveNamespaces` prefixes of its exclusive c14n.
    prefixes: Vec<String>,
    /// The `SignatureMethod` URI.
    algorithm: String,
}

impl<'a> SignedInfo<'a> {
    /// Reads the `SignedInfo` of `signature`; `legacy` also accepts RSA-SHA1.
    pub(super) fn read(signature: &'a Element, legacy: bool) -> Result<Self, SignatureError> {
        let element = signature
            .child(DSIG, "SignedInfo")
            .ok_or(SignatureError::Missing("SignedInfo"))?;
        let c14n_method = element
            .child(DSIG, "CanonicalizationMethod")
            .ok_or(SignatureError::Missing("CanonicalizationMethod"))?;
        let prefixes = accept_c14n(c14n_method, "canonicalization method")?;
        let algorithm = element
            .child(DSIG, "SignatureMethod")
            .and_then(|m| m.attr("Algorithm"))
            .ok_or(SignatureError::Missing("SignatureMethod"))?
            .to_string();
        if algorithm != RSA_SHA256
            && algorithm != ECDSA_SHA256
            && !(legacy && algorithm == RSA_SHA1)
        {
            return Err(SignatureError::Unsupported {
                what: "signature method",
                uri: algorithm,
            });
        }
        Ok(Self {
            element,
            prefixes,
            algorithm,
        })
    }

    /// Checks `signature`'s value over this `SignedInfo` in canonical form (in the
    /// document whose root is `root`) with the key of its `KeyInfo` certificate.
    pub(super) fn verify(
        &self,
        root: &Element,
        signature: &Element,
    ) -> Result<VerifiedSignature, SignatureError> {
        let (certificate, value) = certificate_and_value(signature)?;
        let canonical = Canonicalizer::new(root)
            .inclusive_prefixes(self.prefixes.iter().map(String::as_str))
            .canonicalize(self.element)
            .ok_or(SignatureError::Missing("SignedInfo in the document"))?;
        verify_value(&self.algorithm, &certificate, canonical.as_bytes(), &value)?;
        Ok(VerifiedSignature {
            certificate,
            algorithm: self.algorithm.clone(),
        })
    }
}

/// The certificate of `KeyInfo/X509Data` and the decoded `SignatureValue` of `signature`.
fn certificate_and_value(signature: &Element) -> Result<(Vec<u8>, Vec<u8>), SignatureError> {
    let certificate = signature
        .child(DSIG, "KeyInfo")
        .and_then(|k| k.child(DSIG, "X509Data"))
        .and_then(|d| d.child(DSIG, "X509Certificate"))
        .ok_or(SignatureError::Missing("KeyInfo/X509Data/X509Certificate"))?;
    let certificate = decode_base64(&certificate.text(), "X509Certificate")?;
    let value = signature
        .child(DSIG, "SignatureValue")
        .ok_or(SignatureError::Missing("SignatureValue"))?;
    let value = decode_base64(&value.text(), "SignatureValue")?;
    Ok((certificate, value))
}

/// Checks `value`, the signature by `algorithm` (an accepted URI) of `signed`, with the
/// public key of `certificate` (DER).
fn verify_value(
    algorithm: &str,
    certificate: &[u8],
    signed: &[u8],
    value: &[u8],
) -> Result<(), SignatureError> {
    let (_, cert) = x509_parser::parse_x509_certificate(certificate)
        .map_err(|_| SignatureError::Unreadable("X509Certificate"))?;
    let key = cert.public_key().subject_public_key.data.to_vec();
    let verification = if algorithm == RSA_SHA256 {
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &key).verify(signed, value)
    } else if algorithm == RSA_SHA1 {
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, &key)
            .verify(signed, value)
    } else {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &key).verify(signed, value)
    };
    verification.map_err(|_| SignatureError::Value)
}

/// The base64 digest of `bytes` by `method` (SHA-1 or SHA-256, already accepted).
pub(super) fn digest_base64(method: &str, bytes: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    if method == SHA1 {
        b64.encode(ring::digest::digest(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            bytes,
        ))
    } else {
        b64.encode(Sha256::digest(bytes))
    }
}

/// Accepts exclusive c14n and returns its inclusive prefix list.
pub(super) fn accept_c14n(
    method: &Element,
    what: &'static str,
) -> Result<Vec<String>, SignatureError> {
    let uri = method.attr("Algorithm").unwrap_or("");
    if uri != EXC_C14N {
        return Err(SignatureError::Unsupported {
            what,
            uri: uri.to_string(),
        });
    }
    Ok(method
        .child(EXC_C14N, "InclusiveNamespaces")
        .and_then(|i| i.attr("PrefixList"))
        .map(|list| list.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default())
}

pub(super) fn decode_base64(text: &str, what: &'static str) -> Result<Vec<u8>, SignatureError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| SignatureError::Unreadable(what))
}
