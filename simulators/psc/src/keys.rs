//! The realm's signing keys: RSA, published in the JWKS with a `kid`, rotated through
//! the control API. After a rotation the previous key stays published (Keycloak keeps
//! it "passive") so tokens signed before still verify; a relying party that cached the
//! old JWKS meets an unknown `kid` and must reload it.
//!
//! ring signs (twice as fast as the RustCrypto `rsa` crate on this machine: 1,100 against
//! 545 RS256 signatures per second and core) but cannot generate RSA keys, so `rsa`
//! generates them and hands ring the PKCS#8 document.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{KeyPair, RsaKeyPair};
use rsa::pkcs8::EncodePrivateKey;
use serde_json::{Value, json};
use thiserror::Error;

/// Why a key could not be made.
#[derive(Debug, Error)]
pub enum KeyError {
    /// RSA generation failed.
    #[error("generating an RSA key: {0}")]
    Generate(String),
    /// ring refused the generated key.
    #[error("loading the RSA key: {0}")]
    Load(String),
}

/// One RSA signing key.
pub struct SigningKey {
    /// Key id (`kid`): the RFC 7638 thumbprint of its public JWK.
    kid: String,
    /// The key pair ring signs with.
    pair: RsaKeyPair,
    /// Its public JWK, as published.
    jwk: Value,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish()
    }
}

impl SigningKey {
    /// A new random key of `bits` bits.
    pub fn generate(bits: usize) -> Result<Self, KeyError> {
        let mut rng = rsa::rand_core::OsRng;
        let key = rsa::RsaPrivateKey::new(&mut rng, bits)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        let der = key
            .to_pkcs8_der()
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        Self::from_pkcs8(der.as_bytes())
    }

    /// A key from its PKCS#8 DER document.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| KeyError::Load(e.to_string()))?;
        let components = ring::signature::RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
        let n = URL_SAFE_NO_PAD.encode(strip_zeros(&components.n));
        let e = URL_SAFE_NO_PAD.encode(strip_zeros(&components.e));
        // RFC 7638: the required members, in lexicographic order, without spaces.
        let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(ring::digest::digest(
            &ring::digest::SHA256,
            canonical.as_bytes(),
        ));
        let jwk = json!({ "kid": kid, "kty": "RSA", "alg": "RS256", "use": "sig", "n": n, "e": e });
        Ok(Self { kid, pair, jwk })
    }

    /// Its key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Its public JWK.
    pub fn jwk(&self) -> &Value {
        &self.jwk
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                message,
                &mut signature,
            )
            .expect("RSA signing with a valid key and an output of modulus length");
        signature
    }

    /// Checks an RS256 signature made by this key.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            self.pair.public_key().as_ref(),
        )
        .verify(message, signature)
        .is_ok()
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// The realm's keys: one active, the ones it replaced still published.
#[derive(Debug, Clone)]
pub struct KeyRing {
    /// Signs new tokens.
    active: Arc<SigningKey>,
    /// Earlier keys, newest first, kept for verification.
    previous: Vec<Arc<SigningKey>>,
}

/// How many replaced keys stay published.
const KEPT: usize = 2;

impl KeyRing {
    /// A ring around `active`.
    pub fn new(active: Arc<SigningKey>) -> Self {
        Self {
            active,
            previous: Vec::new(),
        }
    }

    /// The key new tokens are signed with.
    pub fn active(&self) -> &Arc<SigningKey> {
        &self.active
    }

    /// Makes `key` active. The replaced key stays published, unless `retire`: then only
    /// the new key is, and every token signed before stops verifying (a key compromise).
    pub fn rotate(&mut self, key: Arc<SigningKey>, retire: bool) {
        let old = std::mem::replace(&mut self.active, key);
        if retire {
            self.previous.clear();
        } else {
            self.previous.insert(0, old);
            self.previous.truncate(KEPT);
        }
    }

    /// The key with this `kid`, active or previous.
    pub fn find(&self, kid: &str) -> Option<&Arc<SigningKey>> {
        std::iter::once(&self.active)
            .chain(&self.previous)
            .find(|k| k.kid() == kid)
    }

    /// The JWKS document (`{"keys": [...]}`), active key first.
    pub fn jwks(&self) -> Value {
        let keys: Vec<&Value> = std::iter::once(&self.active)
            .chain(&self.previous)
            .map(|k| k.jwk())
            .collect();
        json!({ "keys": keys })
    }
}
