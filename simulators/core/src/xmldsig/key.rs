//! The private key a signature is made with: ECDSA P-256 (the bench's default PKI) or RSA
//! (a PKI issued with RSA-2048 keys, as IGC-Santé's are), read from PKCS#8 DER.

use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};

use super::{ECDSA_SHA256, RSA_SHA256, SignError};

/// A signing key and the XML-DSig algorithm it signs with.
pub(super) enum SigningKey {
    /// ECDSA P-256 with SHA-256 (`ecdsa-sha256`, the signature as r‖s).
    Ecdsa(EcdsaKeyPair),
    /// RSASSA-PKCS1-v1_5 with SHA-256 (`rsa-sha256`).
    Rsa(RsaKeyPair),
}

impl SigningKey {
    /// The key of a PKCS#8 DER document, ECDSA P-256 or RSA.
    pub(super) fn from_pkcs8(der: &[u8]) -> Result<Self, SignError> {
        let rng = SystemRandom::new();
        match EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng) {
            Ok(key) => Ok(Self::Ecdsa(key)),
            Err(ecdsa) => RsaKeyPair::from_pkcs8(der).map(Self::Rsa).map_err(|rsa| {
                SignError::Key(format!(
                    "neither an ECDSA P-256 key ({ecdsa}) nor an RSA key ({rsa})"
                ))
            }),
        }
    }

    /// The `SignatureMethod` URI.
    pub(super) fn algorithm(&self) -> &'static str {
        match self {
            Self::Ecdsa(_) => ECDSA_SHA256,
            Self::Rsa(_) => RSA_SHA256,
        }
    }

    /// The signature value of `data`.
    pub(super) fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        let rng = SystemRandom::new();
        match self {
            Self::Ecdsa(key) => key
                .sign(&rng, data)
                .map(|s| s.as_ref().to_vec())
                .map_err(|e| SignError::Key(e.to_string())),
            Self::Rsa(key) => {
                let mut out = vec![0; key.public().modulus_len()];
                key.sign(&RSA_PKCS1_SHA256, &rng, data, &mut out)
                    .map_err(|e| SignError::Key(e.to_string()))?;
                Ok(out)
            }
        }
    }
}
