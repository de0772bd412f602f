//! Enveloped XML signatures (XML-DSig) as SAML assertions carry them: checked
//! cryptographically ([`verify_enveloped`]) and made ([`sign_enveloped`]) for tests and
//! the reference LPS.
//!
//! Supported, as the INSi CPx assertion and the DMP's VIHF use them: exclusive c14n (with
//! an optional `InclusiveNamespaces` prefix list), the enveloped-signature transform, a
//! SHA-256 digest, and RSA-SHA256 or ECDSA-SHA256 signatures with the signer's certificate
//! in `KeyInfo/X509Data`. SHA-1 is refused: a bench must not teach that it is acceptable.

pub mod dsg;
mod key;
mod sign;
mod verify;

pub use sign::{SIGNATURE_PLACEHOLDER, SignError, sign_enveloped};
pub use verify::{
    Algorithms, SignatureError, VerifiedSignature, verify_enveloped, verify_enveloped_with,
};

/// The XML-DSig namespace.
pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Exclusive canonicalisation without comments.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// The enveloped-signature transform.
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// SHA-256 digest.
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// RSA PKCS#1 v1.5 with SHA-256.
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
/// SHA-1 digest (legacy; the DMP's VIHF).
pub const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
/// RSA PKCS#1 v1.5 with SHA-1 (legacy; the DMP's VIHF).
pub const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
/// ECDSA with SHA-256.
pub const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";

#[cfg(test)]
mod tests;
