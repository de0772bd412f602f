//! What an operation handler gets ([`Ctx`]) and gives back ([`Answer`]).

use bytes::Bytes;
use segur_core::bench::Bench;
use segur_core::finding::Finding;
use serde_json::{Map, Value};

use crate::config::DmpConfig;
use crate::store::DmpStore;
use crate::transport::Incoming;
use crate::vihf::Vihf;

/// One call's context.
pub struct Ctx<'a> {
    /// World, clock, journal.
    pub bench: &'a Bench,
    /// Policies and limits.
    pub config: &'a DmpConfig,
    /// Patients and documents.
    pub store: &'a DmpStore,
    /// The caller.
    pub vihf: &'a Vihf,
    /// The request's MIME parts.
    pub incoming: &'a Incoming,
    /// What the rules found.
    pub findings: Vec<Finding>,
    /// The journal's summary of the answer.
    pub summary: Map<String, Value>,
}

impl Ctx<'_> {
    /// Notes `value` under `key` in the journal's summary.
    pub fn note(&mut self, key: &str, value: impl Into<Value>) {
        self.summary.insert(key.to_string(), value.into());
    }

    /// Notes an XDS outcome: `Success`, or `Failure` with the error codes.
    pub fn note_outcome(&mut self, errors: &[crate::xds::response::RegistryError]) {
        self.note(
            "status",
            if errors.is_empty() {
                "Success"
            } else {
                "Failure"
            },
        );
        if !errors.is_empty() {
            let codes: Vec<String> = errors.iter().map(|e| e.code.clone()).collect();
            self.note("errors", codes);
        }
    }

    /// The INS number the VIHF names (empty when none).
    pub fn patient_number(&self) -> String {
        self.vihf
            .patient
            .as_ref()
            .map(|p| p.number())
            .unwrap_or_default()
    }
}

/// A handler's answer: the Body's payload and, for ITI-43, the attachments (sent as
/// MTOM/XOP).
#[derive(Debug, Clone, Default)]
pub struct Answer {
    /// The payload element, with its namespace declarations.
    pub payload: String,
    /// `(Content-ID, content type, bytes)`.
    pub attachments: Vec<(String, String, Bytes)>,
}

impl Answer {
    /// A payload without attachments.
    pub fn xml(payload: String) -> Self {
        Self {
            payload,
            attachments: Vec::new(),
        }
    }
}
