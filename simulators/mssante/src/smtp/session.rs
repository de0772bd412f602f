//! The SMTP session as a state machine without I/O: the connection feeds it command
//! lines and finished DATA bodies, and writes out the replies it returns. Tests drive it
//! directly.

use std::time::Duration;

use segur_core::faults::FaultAction;
use segur_core::finding::Finding;
use segur_core::journal::{Exchange, Payload};
use segur_core::tls::TlsPeer;
use serde_json::json;

use super::commands;
use super::data::DataOutcome;
use super::reply::{Reply, fault_reply};
use crate::SERVICE;
use crate::auth::Identity;
use crate::operator::{Operator, Recipient};
use crate::rules;

/// What the connection does after writing the replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Read the next command line.
    Command,
    /// Read a SASL response line (after a `334`).
    AuthResponse,
    /// Read the message, up to `.` alone on a line.
    Data,
    /// Read the first line of the message, then drop the connection (an injected
    /// "disconnect in the middle of DATA").
    DataThenDrop,
    /// Run the TLS handshake (after `220` to STARTTLS).
    StartTls,
    /// Close the connection.
    Close,
    /// Close without writing anything (an injected dropped connection).
    Drop,
}

/// The session's answer to one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Replies to write, in order.
    pub replies: Vec<Reply>,
    /// What to do next.
    pub next: Next,
    /// Wait this long before writing (an injected slow answer).
    pub delay: Option<Duration>,
}

impl Step {
    /// One reply, then the next command.
    pub fn reply(reply: Reply) -> Self {
        Self {
            replies: vec![reply],
            next: Next::Command,
            delay: None,
        }
    }

    /// One reply, then `next`.
    pub fn then(reply: Reply, next: Next) -> Self {
        Self {
            replies: vec![reply],
            next,
            delay: None,
        }
    }
}

/// What an armed fault does to a command.
#[derive(Debug)]
pub(crate) enum Faulted {
    /// No fault armed.
    No,
    /// Answer normally, this much later.
    Delayed(Duration),
    /// Answer this instead.
    Replaced(Step),
}

/// One SMTP session.
#[derive(Debug)]
pub struct Session {
    /// The operator it submits to.
    pub(crate) operator: Operator,
    /// The client, and its certificate once TLS is up.
    pub(crate) peer: TlsPeer,
    /// Whether the channel is encrypted (implicit TLS or after STARTTLS).
    pub(crate) tls: bool,
    /// The EHLO/HELO name, once given (reset by STARTTLS, RFC 3207 §4.2).
    pub(crate) helo: Option<String>,
    /// Who authenticated.
    pub(crate) identity: Option<Identity>,
    /// `MAIL FROM` of the transaction in progress.
    pub(crate) mail_from: Option<String>,
    /// Recipients accepted in this transaction.
    pub(crate) recipients: Vec<Recipient>,
    /// The SASL mechanism waiting for a response line.
    pub(crate) auth_pending: Option<String>,
    /// Bad commands so far; the session closes past the limit.
    pub(crate) errors: usize,
}

impl Session {
    /// A session for a client at `peer`; `tls` for the implicit-TLS port.
    pub fn new(operator: Operator, peer: TlsPeer, tls: bool) -> Self {
        Self {
            operator,
            peer,
            tls,
            helo: None,
            identity: None,
            mail_from: None,
            recipients: Vec::new(),
            auth_pending: None,
            errors: 0,
        }
    }

    /// The greeting (or, with a fault on `CONNECT`, the refusal and a close).
    pub fn greeting(&mut self) -> Step {
        let greeting = Reply::plain(
            220,
            format!(
                "{} ESMTP MSSanté operator (segur-bench)",
                self.operator.config.hostname
            ),
        );
        match self.fault("CONNECT", true) {
            Faulted::Replaced(step) => step,
            Faulted::Delayed(delay) => Step {
                delay: Some(delay),
                ..Step::reply(greeting)
            },
            Faulted::No => Step::reply(greeting),
        }
    }

    /// Whether the session is authenticated.
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_ref()
    }

    /// One command line (CRLF included).
    pub fn command(&mut self, line: &[u8]) -> Step {
        if let Some(mechanism) = self.auth_pending.take() {
            return commands::auth_response(self, &mechanism, line);
        }
        let mut bytes = line.iter();
        match smtp_proto::Request::parse(&mut bytes) {
            Ok(request) => {
                let name = request.name();
                match self.fault(name, false) {
                    Faulted::Replaced(step) => step,
                    Faulted::Delayed(delay) => {
                        let mut step = commands::dispatch(self, request.into_owned());
                        step.delay = Some(delay);
                        step
                    }
                    Faulted::No => commands::dispatch(self, request.into_owned()),
                }
            }
            Err(e) => self.protocol_error(line, e),
        }
    }

    /// The message read after `DATA`.
    pub fn data(&mut self, outcome: DataOutcome) -> Step {
        commands::data_done(self, outcome)
    }

    /// TLS is up after STARTTLS: the session starts over (RFC 3207 §4.2).
    pub fn tls_established(&mut self, peer: TlsPeer) {
        self.peer = peer;
        self.tls = true;
        self.helo = None;
        self.identity = None;
        self.reset_transaction();
    }

    /// Forgets the transaction in progress.
    pub(crate) fn reset_transaction(&mut self) {
        self.mail_from = None;
        self.recipients.clear();
    }

    /// A bad command: its reply, a finding, and a close past the error limit.
    pub(crate) fn refuse(&mut self, reply: Reply, finding: Finding, command: &[u8]) -> Step {
        self.errors += 1;
        self.journal_event("SMTP refused", command, &reply, vec![finding]);
        if self.errors > self.operator.config.max_errors {
            return Step {
                replies: vec![
                    reply,
                    Reply::new(421, [4, 7, 0], "Too many errors, closing the connection"),
                ],
                next: Next::Close,
                delay: None,
            };
        }
        Step::reply(reply)
    }

    fn protocol_error(&mut self, line: &[u8], error: smtp_proto::Error) -> Step {
        use smtp_proto::Error as E;
        let (reply, why) = match error {
            E::UnknownCommand => (
                Reply::new(500, [5, 5, 2], "Syntax error, command unrecognised"),
                "unknown command".to_string(),
            ),
            E::InvalidSenderAddress | E::InvalidRecipientAddress => (
                Reply::new(501, [5, 1, 3], "Bad address syntax"),
                "bad address syntax".to_string(),
            ),
            E::SyntaxError { syntax } => (
                Reply::new(501, [5, 5, 4], format!("Syntax: {syntax}")),
                format!("syntax error (expected {syntax})"),
            ),
            E::InvalidParameter { param } => (
                Reply::new(501, [5, 5, 4], format!("Invalid parameter {param}")),
                format!("invalid parameter {param}"),
            ),
            E::UnsupportedParameter { param } => (
                Reply::new(555, [5, 5, 4], format!("Unsupported parameter {param}")),
                format!("unsupported parameter {param}"),
            ),
            E::NeedsMoreData { .. } | E::ResponseTooLong | E::InvalidResponse { .. } => (
                Reply::new(500, [5, 5, 2], "Syntax error"),
                "incomplete command".to_string(),
            ),
        };
        let finding = rules::PROTOCOL.finding(format!("{why}: {}", printable(line)));
        self.refuse(reply, finding, line)
    }

    /// What an armed fault does to `operation`. `greeting`: the fault replaces the
    /// greeting, so any refusal also closes.
    pub(crate) fn fault(&mut self, operation: &str, greeting: bool) -> Faulted {
        let Some(action) = self.operator.fault(operation) else {
            return Faulted::No;
        };
        let step = match action {
            FaultAction::Delay { millis } => {
                return Faulted::Delayed(Duration::from_millis(millis));
            }
            FaultAction::HttpStatus { .. } => return Faulted::No,
            FaultAction::ProtocolError { code, message, .. } => {
                let Some(reply) = fault_reply(&code, message.as_deref()) else {
                    tracing::warn!(%code, "MSSanté: a fault's code is not an SMTP reply code");
                    return Faulted::No;
                };
                let next = if matches!(code.as_str(), "101" | "111") {
                    Next::Drop
                } else if greeting || reply.code == 421 {
                    Next::Close
                } else {
                    Next::Command
                };
                Step::then(reply, next)
            }
            FaultAction::DropConnection if operation == "DATA" => Step::then(
                Reply::new(354, [2, 0, 0], "End data with <CR><LF>.<CR><LF>"),
                Next::DataThenDrop,
            ),
            FaultAction::DropConnection => Step {
                replies: Vec::new(),
                next: Next::Drop,
                delay: None,
            },
        };
        let shown = step
            .replies
            .first()
            .cloned()
            .unwrap_or_else(|| Reply::plain(0, "connection dropped"));
        self.journal_event("SMTP fault", operation.as_bytes(), &shown, Vec::new());
        Faulted::Replaced(step)
    }

    /// Journals one event of the session (a refusal, an authentication, STARTTLS).
    pub(crate) fn journal_event(
        &self,
        operation: &str,
        command: &[u8],
        reply: &Reply,
        findings: Vec<Finding>,
    ) {
        let summary = json!({
            "command": printable(command),
            "tls": self.tls,
            "tls_version": self.peer.protocol,
            "cipher_suite": self.peer.cipher_suite,
            "identity": self.identity.as_ref().map(|i| &i.address),
        });
        let mut exchange = Exchange::new(SERVICE, operation)
            .peer(self.peer.to_journal())
            .request(
                Payload::new(redact(command).into_bytes())
                    .content_type("text/plain")
                    .summary(summary),
            )
            .response(
                Payload::new(reply.to_wire().into_bytes())
                    .content_type("text/plain")
                    .summary(json!({"code": reply.code})),
            );
        for f in findings {
            exchange = exchange.finding(f);
        }
        self.operator.journal(exchange);
    }
}

/// The command as text, without its line end, credentials hidden.
pub(crate) fn printable(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let text = text.trim_end_matches(['\r', '\n']);
    let cut: String = text.chars().take(200).collect();
    redact(cut.as_bytes())
}

/// Hides SASL payloads: the journal keeps the mechanism, never the secret.
fn redact(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line)
        .trim_end_matches(['\r', '\n'])
        .to_string();
    let mut words = text.split(' ');
    match (words.next(), words.next(), words.next()) {
        (Some(cmd), Some(mechanism), Some(_)) if cmd.eq_ignore_ascii_case("AUTH") => {
            format!("{cmd} {mechanism} <credentials hidden>")
        }
        _ => text,
    }
}
