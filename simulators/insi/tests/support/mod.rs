//! A bench with an INSi simulator on ephemeral ports, for the integration tests.

#![allow(dead_code)] // each test binary uses its own part of the support

use std::sync::Arc;

use segur_core::bench::Bench;
use segur_core::journal::{Query, Record};
use segur_core::pki::Pki;
use segur_core::testing::https::{Answer, Connection, tls_config};
use segur_insi::request::InsiRequest;
use segur_insi::{InsiConfig, InsiHandle, InsiSimulator};

/// The test PKI shared by every test of the binary.
pub fn pki() -> &'static Pki {
    segur_core::testing::shared_pki()
}

/// A running bench with its INSi simulator.
pub struct TestBench {
    /// The bench: world, clock, journal, faults.
    pub bench: Bench,
    /// The simulator.
    pub insi: InsiHandle,
    /// Keeps the journal folder alive.
    _dir: tempfile::TempDir,
}

/// Starts a bench on the default world with `config`.
pub async fn start(config: InsiConfig) -> TestBench {
    let (bench, dir) = segur_core::testing::bench();
    let insi = InsiSimulator::builder(bench.clone())
        .config(config)
        .start()
        .await
        .expect("INSi starts");
    TestBench {
        bench,
        insi,
        _dir: dir,
    }
}

/// The PKI credential of the cabinet's `INSI-AUTO` certificate.
pub const AUTO: &str = "insi-auto-cabinet-lilas";

impl TestBench {
    /// A connection to the mTLS door with the PKI credential `name`.
    pub async fn mtls(&self, name: &str) -> Connection {
        Connection::open(self.insi.mtls_url(), tls_config(pki(), Some(name)))
            .await
            .expect("mTLS connection")
    }

    /// A connection to the CPx door (no client certificate).
    pub async fn cpx(&self) -> Connection {
        Connection::open(self.insi.cpx_url(), tls_config(pki(), None))
            .await
            .expect("CPx connection")
    }

    /// Sends `request` on the mTLS door with the `INSI-AUTO` certificate.
    pub async fn call(&self, request: &InsiRequest) -> Answer {
        self.mtls(AUTO)
            .await
            .send("POST", "/lps", &request.content_type(), request.to_xml())
            .await
            .expect("an HTTP answer")
    }

    /// Sends `request` on the CPx door.
    pub async fn call_cpx(&self, request: &InsiRequest) -> Answer {
        self.cpx()
            .await
            .send("POST", "/lps", &request.content_type(), request.to_xml())
            .await
            .expect("an HTTP answer")
    }

    /// The INSi journal records, oldest first.
    pub fn records(&self) -> Vec<Arc<Record>> {
        let mut q = Query::service("insi");
        q.limit = Some(10_000);
        self.bench.journal().query(&q).expect("journal query")
    }

    /// The last INSi journal record.
    pub fn last(&self) -> Arc<Record> {
        self.records().pop().expect("a journal record")
    }
}

/// Reads a fixture of the repository's `fixtures/` folder.
pub fn fixture(path: &str) -> String {
    let full = format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}
