//! Making an enveloped signature, as an LPS signs its assertion with a card or a
//! structure certificate: used by the tests and the reference LPS.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::key::SigningKey;
use super::{DSIG, ENVELOPED, EXC_C14N, SHA256};
use crate::xml::c14n::Canonicalizer;
use crate::xml::{Limits, XmlError, parse};

/// Marks where the `Signature` element goes in the document to sign. A comment, so it
/// takes no part in the canonical form the digest is computed over.
pub const SIGNATURE_PLACEHOLDER: &str = "<!--ds:Signature-->";

/// Why a document could not be signed.
#[derive(Debug, Error)]
pub enum SignError {
    /// The template is not XML.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// No element carries the ID, or the placeholder is missing.
    #[error("{0}")]
    Template(String),
    /// The key is not a PKCS#8 ECDSA P-256 or RSA key.
    #[error("signing key: {0}")]
    Key(String),
}

/// Signs the element whose `ID` is `id` in `template` with an ECDSA P-256 or RSA key
/// (PKCS#8 DER) and its certificate (DER); the signature replaces [`SIGNATURE_PLACEHOLDER`],
/// which must sit inside that element (after its `Issuer`, for a SAML assertion).
pub fn sign_enveloped(
    template: &str,
    id: &str,
    pkcs8_key: &[u8],
    certificate: &[u8],
) -> Result<String, SignError> {
    if template.matches(SIGNATURE_PLACEHOLDER).count() != 1 {
        return Err(SignError::Template(format!(
            "the template must contain {SIGNATURE_PLACEHOLDER} exactly once"
        )));
    }
    let root = parse(template, &Limits::default())?;
    let signed = root
        .find_by_id(id)
        .ok_or_else(|| SignError::Template(format!("no element has ID {id:?}")))?;
    let canonical = Canonicalizer::new(&root)
        .canonicalize(signed)
        .expect("the element was found in this tree");
    let b64 = base64::engine::general_purpose::STANDARD;
    let digest = b64.encode(Sha256::digest(&canonical));
    let key = SigningKey::from_pkcs8(pkcs8_key)?;
    let signed_info = format!(
        concat!(
            "<SignedInfo xmlns=\"{dsig}\">",
            "<CanonicalizationMethod Algorithm=\"{c14n}\"></CanonicalizationMethod>",
            "<SignatureMethod Algorithm=\"{alg}\"></SignatureMethod>",
            "<Reference URI=\"#{id}\"><Transforms>",
            "<Transform Algorithm=\"{env}\"></Transform>",
            "<Transform Algorithm=\"{c14n}\"></Transform>",
            "</Transforms><DigestMethod Algorithm=\"{sha}\"></DigestMethod>",
            "<DigestValue>{digest}</DigestValue></Reference></SignedInfo>"
        ),
        dsig = DSIG,
        c14n = EXC_C14N,
        alg = key.algorithm(),
        id = crate::xml::escape_attribute(id),
        env = ENVELOPED,
        sha = SHA256,
        digest = digest,
    );
    // The string above is already in canonical form (declaration first, end tags
    // written out), which is what gets signed.
    let value = key.sign(signed_info.as_bytes())?;
    let signature = format!(
        "<Signature xmlns=\"{DSIG}\">{}<SignatureValue>{}</SignatureValue><KeyInfo><X509Data><X509Certificate>{}</X509Certificate></X509Data></KeyInfo></Signature>",
        signed_info.replacen(&format!(" xmlns=\"{DSIG}\""), "", 1),
        b64.encode(&value),
        b64.encode(certificate),
    );
    Ok(template.replacen(SIGNATURE_PLACEHOLDER, &signature, 1))
}
