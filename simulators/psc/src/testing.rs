//! Keys for unit tests: RSA generation costs a few hundred milliseconds, so each test
//! binary makes two once.

use std::sync::{Arc, OnceLock};

use crate::keys::SigningKey;

/// A realm key shared by the tests of this binary.
pub fn test_key() -> Arc<SigningKey> {
    static KEY: OnceLock<Arc<SigningKey>> = OnceLock::new();
    KEY.get_or_init(|| Arc::new(SigningKey::generate(2048).expect("RSA key")))
        .clone()
}

/// A second, different key (rotation tests).
pub fn other_key() -> Arc<SigningKey> {
    static KEY: OnceLock<Arc<SigningKey>> = OnceLock::new();
    KEY.get_or_init(|| Arc::new(SigningKey::generate(2048).expect("RSA key")))
        .clone()
}
