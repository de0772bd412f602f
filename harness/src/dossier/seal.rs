//! The seal of a dossier: `SHA256SUMS` (one line per file, `sha256sum -c` reads it), its
//! detached signature `SHA256SUMS.sig` (ECDSA P-256 with SHA-256, DER, or RSASSA-PKCS1-v1_5
//! with SHA-256 for a PKI issued with RSA keys; base64) and the
//! signer's certificate chain `SIGNER.pem`. By default the signer is a signature
//! certificate of the test PKI; `--key`/`--cert` name another.

use std::path::Path;

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair, UnparsedPublicKey};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

use super::{DossierError, Files};

/// The checksums file.
pub const SUMS: &str = "SHA256SUMS";
/// Its detached signature.
pub const SIGNATURE: &str = "SHA256SUMS.sig";
/// The signer's certificate chain (leaf first).
pub const SIGNER: &str = "SIGNER.pem";

/// A signing key, by algorithm.
enum Key {
    /// ECDSA P-256 (the test PKI's default).
    Ecdsa(EcdsaKeyPair),
    /// RSA (a PKI issued with `--pki-keys rsa-2048`, or a signer of IGC-Santé).
    Rsa(RsaKeyPair),
}

/// The OID of `rsaEncryption`, the key algorithm of an RSA certificate.
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// Who signs the dossier.
pub struct Signer {
    /// The private key.
    key: Key,
    /// The certificate chain, PEM, leaf first.
    chain_pem: Vec<u8>,
}

impl Signer {
    /// From a PKCS#8 key and a PEM chain (ECDSA P-256 or RSA, as the test PKI issues).
    pub fn load(key: &Path, chain: &Path) -> Result<Self, DossierError> {
        let chain_pem = std::fs::read(chain).map_err(|e| DossierError::file(chain.display(), e))?;
        let leaf = CertificateDer::pem_slice_iter(&chain_pem)
            .next()
            .and_then(Result::ok)
            .ok_or_else(|| DossierError::file(chain.display(), "no certificate in the file"))?;
        let der = match PrivateKeyDer::from_pem_file(key)
            .map_err(|e| DossierError::file(key.display(), e))?
        {
            PrivateKeyDer::Pkcs8(der) => der,
            _ => return Err(DossierError::file(key.display(), "not a PKCS#8 key")),
        };
        let der = der.secret_pkcs8_der();
        let key_path = key;
        let (key, pair_public) = match EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            der,
            &SystemRandom::new(),
        ) {
            Ok(pair) => {
                let public = ring::signature::KeyPair::public_key(&pair)
                    .as_ref()
                    .to_vec();
                (Key::Ecdsa(pair), public)
            }
            Err(_) => {
                let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| {
                    DossierError::file(
                        key_path.display(),
                        format!("neither ECDSA P-256 nor RSA: {e}"),
                    )
                })?;
                let public = ring::signature::KeyPair::public_key(&pair)
                    .as_ref()
                    .to_vec();
                (Key::Rsa(pair), public)
            }
        };
        if public_key(&leaf).as_deref() != Some(pair_public.as_slice()) {
            return Err(DossierError::file(
                chain.display(),
                format!(
                    "its first certificate is not the one of {}",
                    key_path.display()
                ),
            ));
        }
        Ok(Self { key, chain_pem })
    }

    /// The first signature certificate of the test PKI in `pki_dir`.
    pub fn from_pki(pki_dir: &Path) -> Result<Self, DossierError> {
        let pki = segur_core::pki::Pki::load(pki_dir)
            .map_err(|e| DossierError::file(pki_dir.display(), e))?;
        let entry = pki
            .index()
            .credentials
            .iter()
            .find(|c| c.purpose == segur_core::pki::Purpose::StructureSignature)
            .ok_or_else(|| DossierError::file(pki_dir.display(), "no signature certificate"))?;
        Self::load(
            &pki.path_of(&entry.files.key),
            &pki.path_of(&entry.files.chain),
        )
    }
}

/// The public key of a certificate (an uncompressed point, or an RSAPublicKey's DER).
pub fn public_key(cert: &[u8]) -> Option<Vec<u8>> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert).ok()?;
    Some(parsed.public_key().subject_public_key.data.to_vec())
}

/// `SHA256SUMS` for `files`, sorted by path.
pub fn sums(files: &Files) -> String {
    let mut lines: Vec<String> = files
        .iter()
        .map(|(path, bytes)| format!("{}  {path}\n", hex::encode(Sha256::digest(bytes))))
        .collect();
    lines.sort_by(|a, b| a[66..].cmp(&b[66..]));
    lines.concat()
}

/// Adds `SHA256SUMS`, its signature and the signer's chain.
pub fn seal(files: &mut Files, signer: &Signer) -> Result<(), DossierError> {
    let sums = sums(files);
    let failed = |_| DossierError::file(SIGNATURE, "signing failed");
    let rng = SystemRandom::new();
    let signature = match &signer.key {
        Key::Ecdsa(pair) => pair
            .sign(&rng, sums.as_bytes())
            .map_err(failed)?
            .as_ref()
            .to_vec(),
        Key::Rsa(pair) => {
            let mut out = vec![0; pair.public().modulus_len()];
            pair.sign(
                &signature::RSA_PKCS1_SHA256,
                &rng,
                sums.as_bytes(),
                &mut out,
            )
            .map_err(failed)?;
            out
        }
    };
    let b64 = base64::engine::general_purpose::STANDARD.encode(&signature);
    files.push((SUMS.into(), sums.into_bytes()));
    files.push((SIGNATURE.into(), format!("{b64}\n").into_bytes()));
    files.push((SIGNER.into(), signer.chain_pem.clone()));
    Ok(())
}

/// Whether `signature` (the `.sig` file's text) is `leaf`'s over `sums`.
pub fn signature_holds(sums: &[u8], signature: &[u8], leaf: &[u8]) -> bool {
    let Ok(sig) =
        base64::engine::general_purpose::STANDARD.decode(String::from_utf8_lossy(signature).trim())
    else {
        return false;
    };
    let Some(key) = public_key(leaf) else {
        return false;
    };
    let rsa = x509_parser::parse_x509_certificate(leaf)
        .is_ok_and(|(_, c)| c.public_key().algorithm.algorithm.to_id_string() == RSA_ENCRYPTION);
    if rsa {
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, key)
            .verify(sums, &sig)
            .is_ok()
    } else {
        UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, key)
            .verify(sums, &sig)
            .is_ok()
    }
}
