//! What the journal holds: one [`Record`] per exchange, and the [`Exchange`] a simulator
//! hands over to make one.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::finding::Finding;

/// Who was on the other end of an exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Peer {
    /// `ip:port` of the client.
    pub address: String,
    /// Subject DN of the client certificate, when TLS asked for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_subject: Option<String>,
    /// SHA-256 of the client certificate (DER), hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_fingerprint: Option<String>,
}

/// Where a request or response body lives, with its parsed summary inline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyRef {
    /// SHA-256 of the bytes, hex: what the dossier checks.
    pub sha256: String,
    /// Length in bytes.
    pub size: u64,
    /// Pack file number under `blobs/` (`pack-000001.blob`).
    pub pack: u32,
    /// Offset of the bytes in the pack.
    pub offset: u64,
    /// Media type, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// What the simulator parsed out of it (operation, ids, codes), to query without reading bytes.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub summary: serde_json::Value,
}

/// One exchange, as it stands in the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Position in the journal, from 1, without gaps.
    pub seq: u64,
    /// Unique id, quoted by reports and dossiers.
    pub id: String,
    /// Bench time of the exchange (the bench clock, which a scenario may have moved).
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// Service name (`insi`, `dmp`, `mssante`, `psc`, `control`).
    pub service: String,
    /// Operation within the service (SOAP operation, SMTP command, endpoint...).
    pub operation: String,
    /// The scenario running when it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// The client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<Peer>,
    /// What the client sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<BodyRef>,
    /// What the simulator answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<BodyRef>,
    /// What the conformity rules found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// `hash` of the previous record (64 zeros for the first): the chain.
    pub prev: String,
    /// SHA-256 of this record's line up to this field; always written last.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hash: String,
}

impl Record {
    /// Whether any finding of this record comes from `rule`.
    pub fn has_rule(&self, rule: &str) -> bool {
        self.findings.iter().any(|f| f.rule == rule)
    }
}

/// A body handed to the journal: bytes plus what the simulator made of them.
#[derive(Debug, Clone, Default)]
pub struct Payload {
    /// The bytes as they went over the wire.
    pub bytes: Bytes,
    /// Media type, when known.
    pub content_type: Option<String>,
    /// Parsed summary kept inline in the record.
    pub summary: serde_json::Value,
}

impl Payload {
    /// A payload from bytes.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        Self {
            bytes: bytes.into(),
            ..Self::default()
        }
    }

    /// Sets the media type.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Sets the parsed summary.
    pub fn summary(mut self, summary: serde_json::Value) -> Self {
        self.summary = summary;
        self
    }
}

/// What a simulator reports about one exchange; the journal turns it into a [`Record`].
#[derive(Debug, Clone, Default)]
pub struct Exchange {
    /// Service name.
    pub service: String,
    /// Operation name.
    pub operation: String,
    /// The client.
    pub peer: Option<Peer>,
    /// The scenario, when the caller knows better than the journal's current tag.
    pub scenario: Option<String>,
    /// Request body.
    pub request: Option<Payload>,
    /// Response body.
    pub response: Option<Payload>,
    /// Findings of the conformity rules.
    pub findings: Vec<Finding>,
}

impl Exchange {
    /// An exchange of `service`/`operation`, to fill with the builder methods.
    pub fn new(service: impl Into<String>, operation: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            operation: operation.into(),
            ..Self::default()
        }
    }

    /// Sets the client.
    pub fn peer(mut self, peer: Peer) -> Self {
        self.peer = Some(peer);
        self
    }

    /// Sets the request body.
    pub fn request(mut self, payload: Payload) -> Self {
        self.request = Some(payload);
        self
    }

    /// Sets the response body.
    pub fn response(mut self, payload: Payload) -> Self {
        self.response = Some(payload);
        self
    }

    /// Adds a finding.
    pub fn finding(mut self, finding: Finding) -> Self {
        self.findings.push(finding);
        self
    }

    /// Tags the exchange with a scenario.
    pub fn scenario(mut self, scenario: impl Into<String>) -> Self {
        self.scenario = Some(scenario.into());
        self
    }
}
