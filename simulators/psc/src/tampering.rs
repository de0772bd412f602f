//! Answers a real provider must never give, armed on the fault board so a scenario can
//! check that the software refuses them (référentiel PSC; OpenID Connect Core 3.1.2.7,
//! 3.1.3.7):
//!
//! - operation `CALLBACK`, code `foreign-state`: the next authorization redirect carries a
//!   `state` the client never sent;
//! - operation `ID_TOKEN`, code `wrong-nonce`: the next ID token of a code exchange names
//!   another `nonce`;
//! - operation `ID_TOKEN`, code `bad-signature`: its signature is over other bytes (the
//!   realm's key, so the JWKS names it, but the signature does not verify).

use segur_core::faults::FaultAction;

use crate::SERVICE;
use crate::realm::Realm;

/// The redirect's tampering.
pub const CALLBACK: &str = "CALLBACK";
/// The ID token's tampering.
pub const ID_TOKEN: &str = "ID_TOKEN";

/// What is done to the next answer of `operation`, if a tampering is armed for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tampering {
    /// `state` replaced.
    ForeignState,
    /// `nonce` replaced.
    WrongNonce,
    /// Signature broken.
    BadSignature,
}

impl Tampering {
    /// The code the fault board arms it with.
    pub fn code(self) -> &'static str {
        match self {
            Self::ForeignState => "foreign-state",
            Self::WrongNonce => "wrong-nonce",
            Self::BadSignature => "bad-signature",
        }
    }
}

/// Takes the tampering armed for `operation` (one use), if any. An armed code this
/// operation does not know is taken and ignored, with a log line.
pub fn take(realm: &Realm, operation: &str) -> Option<Tampering> {
    let action = realm.bench.faults().take(SERVICE, operation)?;
    let FaultAction::ProtocolError { code, .. } = action else {
        tracing::warn!(operation, "PSC: only protocol_error tamperings apply here");
        return None;
    };
    let tampering = match (operation, code.as_str()) {
        (CALLBACK, "foreign-state") => Tampering::ForeignState,
        (ID_TOKEN, "wrong-nonce") => Tampering::WrongNonce,
        (ID_TOKEN, "bad-signature") => Tampering::BadSignature,
        _ => {
            tracing::warn!(operation, code, "PSC: unknown tampering");
            return None;
        }
    };
    Some(tampering)
}
