//! XML signatures as the DMP asks for them (XML-DSig, exclusive C14N, SHA-256): the VIHF's
//! enveloped signature and the submission set's detached one, made with the structure's
//! signature certificate (or, by defect, another key).
//!
//! Every element signed here is written in its canonical form (no self-closing tags,
//! attributes in canonical order, the escapes of [`crate::xml`]), so the bytes digested
//! are the bytes sent: no canonicaliser is needed on the writing side.

use std::path::Path;

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

/// The XML-DSig namespace.
pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Exclusive canonicalisation.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// `Reference/@Type` of the IHE manifest (IHE DSG).
const MANIFEST_TYPE: &str = "http://www.w3.org/2000/09/xmldsig#Manifest";
const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

/// The key pair, by algorithm.
enum Key {
    /// ECDSA P-256 (the bench's test PKI).
    Ecdsa(EcdsaKeyPair),
    /// RSA (IGC-Santé's production certificates).
    Rsa(RsaKeyPair),
}

/// A private key and its certificate.
pub struct Signer {
    /// The key.
    key: Key,
    /// The signer's certificate (DER), written in `KeyInfo`.
    certificate: Vec<u8>,
    /// Its subject, the VIHF's `Issuer`.
    pub subject: String,
}

/// Why a signer could not be loaded or could not sign.
#[derive(Debug, thiserror::Error)]
#[error("signature : {0}")]
pub struct SignError(pub String);

impl Signer {
    /// Loads a PKCS#8 key and the first certificate of `chain` (PEM files).
    pub fn load(key: &Path, chain: &Path) -> Result<Self, SignError> {
        let fail = |what: &str, e: &dyn std::fmt::Display| {
            SignError(format!("{what} {}: {e}", key.display()))
        };
        let der = match PrivateKeyDer::from_pem_file(key).map_err(|e| fail("clé", &e))? {
            PrivateKeyDer::Pkcs8(k) => k.secret_pkcs8_der().to_vec(),
            _ => return Err(SignError(format!("{}: clé PKCS#8 attendue", key.display()))),
        };
        let certificate = CertificateDer::pem_file_iter(chain)
            .map_err(|e| fail("certificat", &e))?
            .next()
            .ok_or_else(|| SignError(format!("{}: aucun certificat", chain.display())))?
            .map_err(|e| fail("certificat", &e))?
            .to_vec();
        let key = match EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &der,
            &SystemRandom::new(),
        ) {
            Ok(k) => Key::Ecdsa(k),
            Err(_) => Key::Rsa(
                RsaKeyPair::from_pkcs8(&der)
                    .map_err(|e| SignError(format!("clé ni ECDSA P-256 ni RSA: {e}")))?,
            ),
        };
        let subject = subject_of(&certificate).unwrap_or_default();
        Ok(Self {
            key,
            certificate,
            subject,
        })
    }

    fn algorithm(&self) -> &'static str {
        match self.key {
            Key::Ecdsa(_) => ECDSA_SHA256,
            Key::Rsa(_) => RSA_SHA256,
        }
    }

    fn sign_bytes(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        let rng = SystemRandom::new();
        match &self.key {
            Key::Ecdsa(k) => k
                .sign(&rng, data)
                .map(|s| s.as_ref().to_vec())
                .map_err(|e| SignError(e.to_string())),
            Key::Rsa(k) => {
                let mut out = vec![0; k.public().modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &rng, data, &mut out)
                    .map_err(|e| SignError(e.to_string()))?;
                Ok(out)
            }
        }
    }

    /// A `ds:Signature` over the references given as (URI, `Type`, enveloped, digest): the
    /// `SignedInfo` is signed in its canonical form (with the `ds` declaration the
    /// canonicalisation of an apex element adds). `object` goes after `KeyInfo`.
    fn signature(
        &self,
        references: &[(String, Option<&str>, bool, String)],
        object: &str,
    ) -> Result<String, SignError> {
        let refs: String = references
            .iter()
            .map(|(uri, kind, enveloped, digest)| {
                let enveloped = if *enveloped {
                    format!("<ds:Transform Algorithm=\"{ENVELOPED}\"></ds:Transform>")
                } else {
                    String::new()
                };
                // Canonical attribute order: Type before URI.
                let kind = kind.map_or(String::new(), |k| format!(" Type=\"{}\"", crate::xml::attr(k)));
                format!(
                    "<ds:Reference{kind} URI=\"{}\"><ds:Transforms>{enveloped}<ds:Transform Algorithm=\"{EXC_C14N}\"></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm=\"{SHA256}\"></ds:DigestMethod><ds:DigestValue>{digest}</ds:DigestValue></ds:Reference>",
                    crate::xml::attr(uri)
                )
            })
            .collect();
        let signed_info = format!(
            "<ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm=\"{}\"></ds:SignatureMethod>{refs}</ds:SignedInfo>",
            self.algorithm()
        );
        let value = self.sign_bytes(apex(&signed_info).as_bytes())?;
        let b64 = base64::engine::general_purpose::STANDARD;
        Ok(format!(
            "<ds:Signature xmlns:ds=\"{DSIG}\">{signed_info}<ds:SignatureValue>{}</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>{object}</ds:Signature>",
            b64.encode(value),
            b64.encode(&self.certificate)
        ))
    }

    /// Signs `element` (canonical, carrying `ID="id"`), enveloping the signature right
    /// after the first occurrence of `after` (a SAML assertion's `</saml2:Issuer>`).
    pub fn enveloped(&self, element: &str, id: &str, after: &str) -> Result<String, SignError> {
        let at = element
            .find(after)
            .map(|i| i + after.len())
            .ok_or_else(|| SignError(format!("{after} absent de l'élément à signer")))?;
        let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(element));
        let signature = self.signature(&[(format!("#{id}"), None, true, digest)], "")?;
        Ok(format!("{}{signature}{}", &element[..at], &element[at..]))
    }

    /// A detached signature of documents (IHE DSG): a `ds:Manifest` (`Id="IHEManifest"`)
    /// lists each document's `urn:oid:` uniqueId with its SHA-256, and the signature covers
    /// the manifest by a reference of `Type` `xmldsig#Manifest`.
    pub fn manifest(&self, documents: &[(String, Vec<u8>)]) -> Result<String, SignError> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let references: String = documents
            .iter()
            .map(|(unique_id, bytes)| {
                format!(
                    "<ds:Reference URI=\"urn:oid:{}\"><ds:DigestMethod Algorithm=\"{SHA256}\"></ds:DigestMethod><ds:DigestValue>{}</ds:DigestValue></ds:Reference>",
                    crate::xml::attr(unique_id),
                    b64.encode(Sha256::digest(bytes))
                )
            })
            .collect();
        let manifest = format!("<ds:Manifest Id=\"IHEManifest\">{references}</ds:Manifest>");
        let digest = b64.encode(Sha256::digest(apex(&manifest)));
        self.signature(
            &[("#IHEManifest".into(), Some(MANIFEST_TYPE), false, digest)],
            &format!("<ds:Object>{manifest}</ds:Object>"),
        )
    }
}

/// The canonical form of a `ds:` element whose `ds` declaration sits on an ancestor:
/// exclusive C14N renders the declaration on the apex element.
fn apex(element: &str) -> String {
    let name_end = element
        .find([' ', '>'])
        .expect("an element written by this module");
    format!(
        "{} xmlns:ds=\"{DSIG}\"{}",
        &element[..name_end],
        &element[name_end..]
    )
}

/// The subject of a DER certificate (`CN=…, OU=…, O=…, C=…`): the VIHF's `Issuer`.
fn subject_of(der: &[u8]) -> Option<String> {
    let (_, certificate) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(certificate.subject().to_string())
}
