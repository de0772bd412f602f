//! What the partner does with one message (sans I/O): reads it, checks it against the
//! volet "Transmission de documents CDA-R2 en HL7v2" and the CDA it carries, and builds
//! the exchange to journal with the answer to send.
//!
//! - `MDM^T02`, `ORU^R01` (a producer handing a document to its PFI): the transmission
//!   and each CDA are checked; the answer is an `ACK`: `AA`, or `AE` with the `ERR` of the
//!   first error (100 structure, 103 metadata, 207 document or CDA) — a PFI does not
//!   publish what it cannot read.
//! - `ZAM^Z01` (a PFI's business acknowledgement to the producer the bench plays): checked;
//!   answered `AA`.
//! - `ACK`: journaled, not answered (an acknowledgement is not acknowledged).
//! - Any other type: `AR` with `ERR-3` 200 (unsupported message type).
//! - A block that is not HL7 v2 (no `MSH`): journaled, and the connection closed.
//!
//! A fault armed on service `hl7` for the message type (or any) replaces the answer:
//! `protocol_error` with code `AE` or `AR` (the `message` as `ERR-5` text, `detail.code`
//! as `ERR-5` code, 207 otherwise), `delay`, or `drop_connection` (no answer at all).

use segur_core::bench::Bench;
use segur_core::faults::FaultAction;
use segur_core::finding::{Finding, Severity};
use segur_core::journal::{Exchange, Payload};
use segur_core::tls::TlsPeer;
use segur_documents::cda;
use segur_documents::hl7::transport::{
    self, AckCode, AckError, HL7_TRANSPORT_DOCUMENT, HL7_TRANSPORT_METADATA,
    HL7_TRANSPORT_STRUCTURE, MAX_TRANSPORT_MESSAGE,
};
use segur_documents::hl7::{self, HL7_UNREADABLE, Parsed};

use crate::SERVICE;

/// The media type the journal gives HL7 v2 messages (ER7 encoding).
pub const ER7: &str = "application/hl7-v2";

/// What to do after a message.
#[derive(Debug)]
pub struct Answer {
    /// The bytes to send back (one MLLP block), if any.
    pub reply: Option<Vec<u8>>,
    /// Wait this long before sending it.
    pub delay: Option<std::time::Duration>,
    /// Close the connection instead of answering.
    pub drop: bool,
}

/// Decodes a message: UTF-8 when it is, Latin-1 otherwise (`MSH-18` `8859/1`, `8859/15`).
fn text_of(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

/// A fresh control id for the bench's own messages.
fn control_id(bench: &Bench) -> String {
    format!("SB{}", bench.clock().now().unix_timestamp_nanos() / 1000)
}

fn timestamp(bench: &Bench) -> String {
    bench
        .clock()
        .now()
        .format(time::macros::format_description!(
            "[year][month][day][hour][minute][second]"
        ))
        .unwrap_or_default()
}

/// Handles one message from `peer`, journals it, and says what to answer.
pub fn handle(bench: &Bench, peer: &TlsPeer, bytes: &[u8]) -> Answer {
    let text = text_of(bytes);
    let parsed = match hl7::parse_bounded(&text, MAX_TRANSPORT_MESSAGE) {
        Ok(p) => p,
        Err(finding) => {
            // Without an MSH there is nothing to acknowledge: the connection is closed, so
            // the sender does not wait for an ACK that cannot come.
            journal(
                bench,
                peer,
                "unreadable",
                bytes,
                serde_json::Value::Null,
                None,
                vec![finding],
            );
            return Answer {
                reply: None,
                delay: None,
                drop: true,
            };
        }
    };
    let kind = parsed.kind.clone();
    let (summary, mut findings, refusal) = match kind.as_str() {
        "MDM^T02" | "ORU^R01" => check_transmission(&text),
        "ZAM^Z01" => {
            let (ack, findings) = transport::read_business_ack(&text);
            (serde_json::json!({ "business_ack": ack }), findings, None)
        }
        k if k.starts_with("ACK") => {
            let msa = parsed.segment("MSA");
            let summary = serde_json::json!({
                "code": msa.map(|m| m.field(1)),
                "acknowledged": msa.map(|m| m.field(2)),
            });
            journal(bench, peer, &kind, bytes, summary, None, Vec::new());
            return Answer {
                reply: None,
                delay: None,
                drop: false,
            };
        }
        other => (
            serde_json::Value::Null,
            vec![HL7_UNREADABLE.finding(format!(
                "MSH-9 {other:?} : le partenaire HL7 du banc reçoit MDM^T02, ORU^R01, ZAM^Z01 et ACK"
            ))],
            Some((
                AckCode::Reject,
                AckError::condition("200", "Unsupported message type"),
            )),
        ),
    };
    let mut answer = Answer {
        reply: None,
        delay: None,
        drop: false,
    };
    let (code, error) = match bench.faults().take(SERVICE, &kind) {
        Some(FaultAction::DropConnection) => {
            findings.push(hl7_fault("no acknowledgement (connection dropped)"));
            journal(bench, peer, &kind, bytes, summary, None, findings);
            answer.drop = true;
            return answer;
        }
        Some(FaultAction::Delay { millis }) => {
            answer.delay = Some(std::time::Duration::from_millis(millis));
            refusal.unwrap_or((AckCode::Accept, AckError::condition("0", "")))
        }
        Some(FaultAction::ProtocolError {
            code,
            message,
            detail,
        }) => {
            let ack = AckCode::from_code(&code).unwrap_or(AckCode::Error);
            let application = detail
                .as_ref()
                .and_then(|d| d["code"].as_str())
                .unwrap_or("207")
                .to_string();
            let label = message.unwrap_or_else(|| "Erreur applicative".to_string());
            findings.push(hl7_fault(&format!("{} {application}", ack.code())));
            (ack, AckError::application(&application, &label, "HL70533"))
        }
        Some(FaultAction::HttpStatus { .. }) | None => {
            refusal.unwrap_or((AckCode::Accept, AckError::condition("0", "")))
        }
    };
    let error = (code != AckCode::Accept).then_some(error);
    let reply = transport::ack(
        &parsed,
        code,
        error.as_ref(),
        &control_id(bench),
        &timestamp(bench),
    );
    journal(
        bench,
        peer,
        &kind,
        bytes,
        summary,
        Some(reply.as_bytes()),
        findings,
    );
    answer.reply = Some(reply.into_bytes());
    answer
}

/// An informational finding saying the answer was a fault the scenario armed.
fn hl7_fault(what: &str) -> Finding {
    Finding {
        rule: "HL7-FAULT".into(),
        requirements: Vec::new(),
        severity: Severity::Info,
        message: format!("fault armed by the scenario: {what}"),
        location: None,
    }
}

/// Today's findings on a journaled transmission (`segur-bench recheck`): the checks
/// [`handle`] ran when it arrived, without the answer.
pub fn recheck(bytes: &[u8]) -> Vec<Finding> {
    check_transmission(&text_of(bytes)).1
}

/// Whether `rule` is one [`recheck`] runs (not a fault the scenario armed).
pub fn is_transmission_rule(rule: &str) -> bool {
    rule != "HL7-FAULT"
}

/// The transmission's checks, the CDA's, and the refusal they call for.
fn check_transmission(
    text: &str,
) -> (serde_json::Value, Vec<Finding>, Option<(AckCode, AckError)>) {
    let (transmission, mut findings) = transport::read_transmission(text);
    let mut summary = transmission
        .as_ref()
        .map(transport::Transmission::summary)
        .unwrap_or(serde_json::Value::Null);
    if let Some(t) = &transmission {
        let mut documents = Vec::new();
        for (type_code, bytes) in &t.documents {
            let report = cda::check(bytes, None);
            findings.extend(report.findings.iter().cloned());
            if let Some(facts) = &report.facts {
                if facts.code.as_ref().map(|c| c.code.as_str()) != Some(type_code) {
                    findings.push(HL7_TRANSPORT_DOCUMENT.finding(format!(
                        "OBX-3 {type_code:?} et code du CDA {:?} : le type diffère",
                        facts.code.as_ref().map(|c| c.code.as_str()).unwrap_or_default()
                    )));
                }
                if let (Some((number, _)), Some(ins)) = (&t.ins, &facts.ins)
                    && ins.extension.as_deref() != Some(number)
                {
                    findings.push(HL7_TRANSPORT_DOCUMENT.finding(format!(
                        "PID-3 INS {number} et INS du CDA {:?} : le patient diffère",
                        ins.extension.as_deref().unwrap_or_default()
                    )));
                }
                documents.push(serde_json::json!({
                    "type": type_code,
                    "unique_id": facts.id.as_ref().map(|i| match &i.extension {
                        Some(e) => format!("{}^{e}", i.root),
                        None => i.root.clone(),
                    }),
                    "level": match facts.level {
                        cda::Level::NonStructured => "1",
                        cda::Level::Structured => "3",
                        cda::Level::Unknown => "",
                    },
                    "media_type": facts.media_type,
                    "replaces": facts.replaces.as_ref().map(|r| r.root.clone()),
                    "passes": report.passes(),
                }));
            }
        }
        summary["documents"] = serde_json::Value::Array(documents);
    }
    let first_error = |rule: &str| {
        findings
            .iter()
            .any(|f| f.rule == rule && f.severity == Severity::Error)
    };
    let refusal = if first_error(HL7_TRANSPORT_STRUCTURE.name) || transmission.is_none() {
        Some((
            AckCode::Error,
            AckError::condition("100", "Segment sequence error"),
        ))
    } else if first_error(HL7_TRANSPORT_METADATA.name) {
        Some((
            AckCode::Error,
            AckError::condition("103", "Table value not found"),
        ))
    } else if findings.iter().any(|f| f.severity == Severity::Error) {
        Some((
            AckCode::Error,
            AckError::application("DOCUMENT", "Document ou identité non conforme", "HL70533"),
        ))
    } else {
        None
    };
    (summary, findings, refusal)
}

/// Journals one message and the answer sent.
fn journal(
    bench: &Bench,
    peer: &TlsPeer,
    operation: &str,
    request: &[u8],
    summary: serde_json::Value,
    response: Option<&[u8]>,
    findings: Vec<Finding>,
) {
    let mut exchange = Exchange::new(SERVICE, operation)
        .peer(peer.to_journal())
        .request(
            Payload::new(request.to_vec())
                .content_type(ER7)
                .summary(summary),
        );
    if let Some(response) = response {
        let summary = hl7::parse(&text_of(response))
            .ok()
            .and_then(|p: Parsed| {
                p.segment("MSA")
                    .map(|m| serde_json::json!({ "code": m.field(1), "acknowledged": m.field(2) }))
            })
            .unwrap_or(serde_json::Value::Null);
        exchange = exchange.response(
            Payload::new(response.to_vec())
                .content_type(ER7)
                .summary(summary),
        );
    }
    for finding in findings {
        exchange = exchange.finding(finding);
    }
    if let Err(e) = bench.journal().append(exchange) {
        tracing::error!(error = %e, "HL7: journal append failed");
    }
}
