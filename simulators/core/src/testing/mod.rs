//! Test helpers shared by the core's unit tests and, with the `testing` feature, by the
//! simulators' integration tests.

use std::sync::OnceLock;

use crate::pki::Pki;
use crate::world::World;

/// One test PKI for the whole test binary: issuing costs time, and nothing mutates it.
pub fn shared_pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        Pki::create(
            &dir,
            &World::embedded().expect("default world"),
            time::OffsetDateTime::now_utc(),
        )
        .expect("test PKI")
    })
}

#[cfg(feature = "testing")]
pub mod https;
pub mod load;
