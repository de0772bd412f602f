//! Test helpers shared by the core's unit tests and, with the `testing` feature, by the
//! simulators' integration tests.

use std::sync::OnceLock;

use crate::bench::Bench;
use crate::clock::Clock;
use crate::journal::Journal;
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

/// A bench on the default world and the shared PKI, its journal in a temporary folder
/// that lives as long as the returned guard.
pub fn bench() -> (Bench, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Clock::new();
    let journal = Journal::open(dir.path(), clock.clone()).expect("journal");
    let bench = Bench::new(
        World::embedded().expect("default world"),
        clock,
        journal,
        shared_pki().clone(),
    );
    (bench, dir)
}

#[cfg(feature = "testing")]
pub mod https;
pub mod load;
