//! The signature of a DMP submission set (IHE Document Digital Signature, "DSG", in the
//! XAdES form the DMP kit sends): a detached `ds:Signature` document whose `SignedInfo`
//! references an `IHEManifest` (Type `…xmldsig#Manifest`) and the XAdES `SignedProperties`,
//! both inside its own `Object`s; the manifest holds one `Reference` per document of the
//! submission set, its URI the document's `uniqueId`, its digest the document's bytes.
//!
//! [`verify_manifest`] checks the signature's own references and value and returns the
//! manifest, so the DMP can compare each document with it; [`sign_manifest`] makes one
//! (ECDSA-SHA256 or RSA-SHA256 with the PKI's keys, SHA-256 digests) for the bench's
//! request builders and tests.

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::key::SigningKey;
use super::verify::{SignedInfo, accept_c14n, digest_base64};
use super::{
    Algorithms, DSIG, EXC_C14N, SHA1, SHA256, SignError, SignatureError, VerifiedSignature,
};
use crate::xml::c14n::Canonicalizer;
use crate::xml::{Element, Limits, escape, escape_attribute, parse};

/// `Reference/@Type` of the manifest.
pub const MANIFEST_TYPE: &str = "http://www.w3.org/2000/09/xmldsig#Manifest";
/// `Reference/@Type` of XAdES signed properties.
pub const SIGNED_PROPERTIES_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";
/// The XAdES 1.3.2 namespace.
pub const XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";
/// `purposeOfSignature` of a submission set's signature: "Source" (ASTM E1762).
pub const PURPOSE_SOURCE: &str = "1.2.840.10065.1.12.1.14";
/// The manifest's `Id`, as IHE DSG and the kit name it.
pub const MANIFEST_ID: &str = "IHEManifest";

/// One document the manifest covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestReference {
    /// `@URI`: the document's `uniqueId` (`urn:oid:` + the OID, in the kit).
    pub uri: String,
    /// `DigestMethod/@Algorithm`.
    pub digest_method: String,
    /// `DigestValue`, whitespace removed (base64).
    pub digest: String,
}

/// A submission set's signature that checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedManifest {
    /// The signer's certificate and algorithm, for the caller's trust policy.
    pub signature: VerifiedSignature,
    /// The documents the manifest covers.
    pub references: Vec<ManifestReference>,
}

impl SignedManifest {
    /// The reference for the document whose `uniqueId` is `unique_id` (written bare or
    /// with `urn:oid:`).
    pub fn reference(&self, unique_id: &str) -> Option<&ManifestReference> {
        let bare = |uri: &str| uri.strip_prefix("urn:oid:").unwrap_or(uri).to_string();
        self.references
            .iter()
            .find(|r| bare(&r.uri) == bare(unique_id))
    }

    /// Whether `reference` holds the digest of `bytes` (by its own digest method; `None`
    /// when that method is neither SHA-1 nor SHA-256).
    pub fn covers(reference: &ManifestReference, bytes: &[u8]) -> Option<bool> {
        let method = reference.digest_method.as_str();
        (method == SHA1 || method == SHA256)
            .then(|| digest_base64(method, bytes) == reference.digest)
    }
}

/// Checks the signature document whose root is `root` (a `ds:Signature`): every
/// `SignedInfo` reference points at an element of the document and its digest matches,
/// one of them is the manifest, and the signature value verifies with the `KeyInfo`
/// certificate. Chain, validity and key usage are the caller's policy.
pub fn verify_manifest(
    root: &Element,
    accepted: Algorithms,
) -> Result<SignedManifest, SignatureError> {
    let legacy = accepted == Algorithms::WithSha1;
    if !root.is(DSIG, "Signature") {
        return Err(SignatureError::Missing(
            "ds:Signature as the document's root element",
        ));
    }
    let signed_info = SignedInfo::read(root, legacy)?;
    let mut manifest = None;
    for reference in signed_info.element.children_named(DSIG, "Reference") {
        let uri = reference.attr("URI").unwrap_or("");
        let target = uri
            .strip_prefix('#')
            .filter(|id| !id.is_empty())
            .and_then(|id| root.find_by_id(id))
            .ok_or_else(|| SignatureError::Dangling(uri.to_string()))?;
        let mut prefixes = Vec::new();
        if let Some(transforms) = reference.child(DSIG, "Transforms") {
            for t in transforms.children_named(DSIG, "Transform") {
                prefixes = accept_c14n(t, "transform")?;
            }
        }
        let method = accepted_digest(reference, legacy)?;
        let signed: String = reference
            .child_text(DSIG, "DigestValue")
            .ok_or(SignatureError::Missing("DigestValue"))?
            .split_whitespace()
            .collect();
        let canonical = Canonicalizer::new(root)
            .inclusive_prefixes(prefixes.iter().map(String::as_str))
            .canonicalize(target)
            .ok_or(SignatureError::Missing(
                "referenced element in the document",
            ))?;
        let computed = digest_base64(method, canonical.as_bytes());
        if computed != signed {
            return Err(SignatureError::Digest { signed, computed });
        }
        if reference.attr("Type") == Some(MANIFEST_TYPE) && target.is(DSIG, "Manifest") {
            manifest = Some(target);
        }
    }
    let manifest = manifest.ok_or(SignatureError::Missing(
        "Reference of Type xmldsig#Manifest to the IHE manifest",
    ))?;
    let signature = signed_info.verify(root, root)?;
    let references = manifest
        .children_named(DSIG, "Reference")
        .map(|r| ManifestReference {
            uri: r.attr("URI").unwrap_or("").to_string(),
            digest_method: r
                .child(DSIG, "DigestMethod")
                .and_then(|m| m.attr("Algorithm"))
                .unwrap_or("")
                .to_string(),
            digest: r
                .child_text(DSIG, "DigestValue")
                .unwrap_or_default()
                .split_whitespace()
                .collect(),
        })
        .collect();
    Ok(SignedManifest {
        signature,
        references,
    })
}

fn accepted_digest(reference: &Element, legacy: bool) -> Result<&str, SignatureError> {
    let method = reference
        .child(DSIG, "DigestMethod")
        .and_then(|m| m.attr("Algorithm"))
        .ok_or(SignatureError::Missing("DigestMethod"))?;
    if method == SHA256 || (legacy && method == SHA1) {
        Ok(method)
    } else {
        Err(SignatureError::Unsupported {
            what: "digest method",
            uri: method.to_string(),
        })
    }
}

/// Signs `documents` (each its `uniqueId` URI and bytes) as a submission set's signature
/// with `Id` `signature_id`, `SigningTime` `signing_time` (xs:dateTime), an ECDSA P-256
/// or RSA key (PKCS#8 DER) and its certificate (DER). Returns the signature document.
pub fn sign_manifest(
    documents: &[(&str, &[u8])],
    signature_id: &str,
    signing_time: &str,
    pkcs8_key: &[u8],
    certificate: &[u8],
) -> Result<String, SignError> {
    const SIGNED_INFO: &str = "<!--ds:SignedInfo-->";
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = SigningKey::from_pkcs8(pkcs8_key)?;
    let sid = escape_attribute(signature_id);
    let references: String = documents
        .iter()
        .map(|(uri, bytes)| {
            format!(
                "<Reference URI=\"{}\"><DigestMethod Algorithm=\"{SHA256}\"/><DigestValue>{}</DigestValue></Reference>",
                escape_attribute(uri),
                b64.encode(Sha256::digest(bytes))
            )
        })
        .collect();
    let properties_id = format!("{sid}-SignedProperties");
    let skeleton = format!(
        concat!(
            "<Signature xmlns=\"{dsig}\" Id=\"{sid}\">{signed_info}",
            "<SignatureValue>{{value}}</SignatureValue>",
            "<KeyInfo><X509Data><X509Certificate>{cert}</X509Certificate></X509Data></KeyInfo>",
            "<Object><Manifest Id=\"{manifest}\">{references}</Manifest></Object>",
            "<Object><SignatureProperties><SignatureProperty Id=\"purposeOfSignature\" Target=\"#{sid}\">{purpose}</SignatureProperty></SignatureProperties></Object>",
            "<Object><xades:QualifyingProperties xmlns:xades=\"{xades}\" Target=\"#{sid}\">",
            "<xades:SignedProperties Id=\"{properties}\"><xades:SignedSignatureProperties>",
            "<xades:SigningTime>{time}</xades:SigningTime><xades:SigningCertificate><xades:Cert><xades:CertDigest>",
            "<DigestMethod Algorithm=\"{sha}\"/><DigestValue>{cert_digest}</DigestValue>",
            "</xades:CertDigest></xades:Cert></xades:SigningCertificate>",
            "</xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></Object>",
            "</Signature>"
        ),
        dsig = DSIG,
        sid = sid,
        signed_info = SIGNED_INFO,
        cert = b64.encode(certificate),
        manifest = MANIFEST_ID,
        references = references,
        purpose = PURPOSE_SOURCE,
        xades = XADES,
        properties = properties_id,
        time = escape(signing_time),
        sha = SHA256,
        cert_digest = b64.encode(Sha256::digest(certificate)),
    );
    let root = parse(&skeleton.replace("{value}", ""), &Limits::default())?;
    let digest_of = |id: &str| {
        root.find_by_id(id)
            .and_then(|e| Canonicalizer::new(&root).canonicalize(e))
            .map(|c| b64.encode(Sha256::digest(c.as_bytes())))
            .ok_or_else(|| SignError::Template(format!("no element has Id {id:?}")))
    };
    let signed_info = format!(
        concat!(
            "<SignedInfo xmlns=\"{dsig}\">",
            "<CanonicalizationMethod Algorithm=\"{c14n}\"></CanonicalizationMethod>",
            "<SignatureMethod Algorithm=\"{alg}\"></SignatureMethod>",
            "<Reference Type=\"{manifest_type}\" URI=\"#{manifest}\">",
            "<DigestMethod Algorithm=\"{sha}\"></DigestMethod><DigestValue>{manifest_digest}</DigestValue></Reference>",
            "<Reference Type=\"{properties_type}\" URI=\"#{properties}\">",
            "<DigestMethod Algorithm=\"{sha}\"></DigestMethod><DigestValue>{properties_digest}</DigestValue></Reference>",
            "</SignedInfo>"
        ),
        dsig = DSIG,
        c14n = EXC_C14N,
        alg = key.algorithm(),
        manifest_type = MANIFEST_TYPE,
        manifest = MANIFEST_ID,
        sha = SHA256,
        manifest_digest = digest_of(MANIFEST_ID)?,
        properties_type = SIGNED_PROPERTIES_TYPE,
        properties = properties_id,
        properties_digest = digest_of(&properties_id)?,
    );
    // Written in canonical form already (as sign_enveloped's), which is what is signed.
    let value = key.sign(signed_info.as_bytes())?;
    Ok(skeleton
        .replacen(
            SIGNED_INFO,
            &signed_info.replacen(&format!(" xmlns=\"{DSIG}\""), "", 1),
            1,
        )
        .replacen("{value}", &b64.encode(&value), 1))
}
