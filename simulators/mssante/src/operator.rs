//! The operator behind both protocols: the bench (world, clock, journal, faults), the
//! limits, the mailboxes, and what happens to a submitted message — checks, delivery,
//! bounces and receipts.

use std::collections::BTreeSet;
use std::sync::Arc;

use bytes::Bytes;
use segur_core::bench::Bench;
use segur_core::faults::FaultAction;
use segur_core::finding::Finding;
use segur_core::journal::{Exchange, Payload};
use serde_json::json;
use time::OffsetDateTime;

use crate::SERVICE;
use crate::auth::Identity;
use crate::config::MssanteConfig;
use crate::directory::{self, MailboxKind, Route};
use crate::mailbox::MailStore;
use crate::receipts::dsn::{Dsn, Failure};
use crate::receipts::mdn::{IntegrationError, Mdn};
use crate::submission::inspect::{Inspection, inspect};

/// The shared state of one simulated operator.
#[derive(Debug, Clone)]
pub struct Operator {
    /// World, clock, journal, faults, PKI.
    pub bench: Bench,
    /// Limits and policies.
    pub config: Arc<MssanteConfig>,
    /// The mailboxes.
    pub store: Arc<MailStore>,
}

/// An accepted recipient of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The address as the client wrote it, lower case.
    pub address: String,
    /// Where it leads: a mailbox, or a patient who cannot receive (bounced after DATA).
    pub route: Route,
}

/// A message handed over by SMTP.
#[derive(Debug)]
pub struct Submission<'a> {
    /// Who submitted it.
    pub identity: &'a Identity,
    /// `MAIL FROM`.
    pub mail_from: &'a str,
    /// `RCPT TO`s accepted.
    pub recipients: &'a [Recipient],
    /// The message, dot-unstuffed, CRLF line ends; shared with the journal, not copied.
    pub raw: Bytes,
}

/// What became of it.
#[derive(Debug, Default)]
pub struct Submitted {
    /// The checks' findings.
    pub inspection: Inspection,
    /// `(address, uid)` of each delivery.
    pub delivered: Vec<(String, u32)>,
    /// Recipients that bounced (a DSN went to the sender).
    pub bounced: Vec<Failure>,
    /// Receipts generated: `(kind, to)`.
    pub receipts: Vec<(String, String)>,
}

impl Operator {
    /// Bench time.
    pub fn now(&self) -> OffsetDateTime {
        self.bench.clock().now()
    }

    /// The fault armed for `operation`, if any.
    pub fn fault(&self, operation: &str) -> Option<FaultAction> {
        self.bench.faults().take(SERVICE, operation)
    }

    /// The TLS configuration an armed `CERTIFICATE` fault asks the next STARTTLS to
    /// present instead of the operator's own: `expired` (the PKI's expired certificate) or
    /// `unknown-ca` (one from outside the IGC Santé), with the words for the journal.
    pub fn impostor_tls(&self) -> Option<(&'static str, Arc<rustls::ServerConfig>)> {
        let FaultAction::ProtocolError { code, .. } = self.fault("CERTIFICATE")? else {
            return None;
        };
        let (what, name) = match code.as_str() {
            "expired" => ("an expired certificate", "negative-expired"),
            "unknown-ca" => (
                "a certificate from outside the IGC Santé",
                "negative-unknown-ca",
            ),
            other => {
                tracing::warn!(
                    code = other,
                    "MSSanté: CERTIFICATE fault: expired or unknown-ca"
                );
                return None;
            }
        };
        let pki = self.bench.pki();
        let credential = pki.credential(name).ok()?;
        let config = segur_core::tls::server_config_presenting(
            pki,
            credential,
            segur_core::tls::ClientAuth::Optional,
            self.bench.clock(),
        )
        .ok()?;
        Some((what, config))
    }

    /// The TLS configuration an armed `TLS_VERSION` fault asks the next STARTTLS to offer:
    /// the operator's own certificate with TLS `1.2` alone, or `1.3` alone (ECO.1.1.2 of
    /// the client référentiel: a client works with TLS 1.2; MSS/CONF.02: it may use a later
    /// version).
    pub fn restricted_tls(&self) -> Option<Arc<rustls::ServerConfig>> {
        let FaultAction::ProtocolError { code, .. } = self.fault("TLS_VERSION")? else {
            return None;
        };
        let version: &'static rustls::SupportedProtocolVersion = match code.as_str() {
            "1.2" => &rustls::version::TLS12,
            "1.3" => &rustls::version::TLS13,
            other => {
                tracing::warn!(code = other, "MSSanté: TLS_VERSION fault: 1.2 or 1.3");
                return None;
            }
        };
        let pki = self.bench.pki();
        segur_core::tls::server_config_with_versions(
            pki,
            pki.server_credential(SERVICE).ok()?,
            segur_core::tls::ClientAuth::Optional,
            self.bench.clock(),
            &[version],
        )
        .ok()
    }

    /// Appends to the journal; a journal that cannot write is logged, not fatal to the
    /// session (the client still gets its protocol answer).
    pub fn journal(&self, exchange: Exchange) {
        if let Err(e) = self.bench.journal().append(exchange) {
            tracing::error!(error = %e, "MSSanté: could not journal an exchange");
        }
    }

    /// Where `address` leads in the current world.
    pub fn resolve(&self, address: &str) -> Route {
        directory::resolve(&self.bench.world(), address)
    }

    /// Checks, delivers and answers for a submitted message.
    pub fn submit(&self, submission: &Submission<'_>) -> Submitted {
        let now = self.now();
        let mailboxes: Vec<(String, MailboxKind)> = submission
            .recipients
            .iter()
            .filter_map(|r| match &r.route {
                Route::Mailbox(kind) => Some((r.address.clone(), kind.clone())),
                _ => None,
            })
            .collect();
        let mut submitted = Submitted {
            inspection: inspect(&submission.raw, &mailboxes, &self.bench.world()),
            ..Submitted::default()
        };
        let stored = self.with_trace(
            &submission.raw,
            submission.mail_from,
            &submission.identity.address,
            now,
        );
        for recipient in submission.recipients {
            match &recipient.route {
                Route::Mailbox(_) => match self.store.deliver(
                    &recipient.address,
                    "INBOX",
                    stored.clone(),
                    BTreeSet::new(),
                    now,
                ) {
                    Ok(uid) => submitted.delivered.push((recipient.address.clone(), uid)),
                    Err(e) => submitted.bounced.push(Failure {
                        recipient: recipient.address.clone(),
                        status: "4.3.0".into(),
                        diagnostic: format!("451 4.3.0 {e}"),
                    }),
                },
                Route::PatientUnreachable(why) => submitted.bounced.push(Failure {
                    recipient: recipient.address.clone(),
                    status: "5.1.1".into(),
                    diagnostic: format!("550 5.1.1 {why}"),
                }),
                Route::Unknown | Route::OutsideTrustSpace => {}
            }
        }
        if !submitted.bounced.is_empty() {
            for failure in &submitted.bounced {
                submitted.inspection.findings.push(
                    crate::rules::UNDELIVERABLE
                        .finding(format!("{}: {}", failure.recipient, failure.diagnostic))
                        .at(format!("RCPT {}", failure.recipient)),
                );
            }
            let dsn = Dsn {
                sender: submission.mail_from,
                failures: &submitted.bounced,
                original: &submission.raw,
                hostname: &self.config.hostname,
                date: now.unix_timestamp(),
                arrival: rfc5322(now),
            }
            .build();
            if self.deliver_receipt(submission.mail_from, dsn, now) {
                submitted
                    .receipts
                    .push(("dsn".into(), submission.mail_from.to_string()));
            }
        }
        if let Some(notify) = submitted.inspection.notification_to.clone() {
            for (address, kind) in &mailboxes {
                if matches!(kind, MailboxKind::Patient { .. })
                    || !submitted.delivered.iter().any(|(a, _)| a == address)
                {
                    continue;
                }
                let error = match self.fault("MDN") {
                    Some(FaultAction::ProtocolError { code, message, .. }) => code
                        .parse::<u16>()
                        .ok()
                        .and_then(IntegrationError::from_code)
                        .map(|mut e| {
                            if let Some(m) = message {
                                e.label = m;
                            }
                            e
                        }),
                    _ => None,
                };
                let kind_label = match &error {
                    None => "mdn processed".to_string(),
                    Some(e) => format!("mdn error {}", e.code),
                };
                let mdn = Mdn {
                    recipient: address,
                    notify: &notify,
                    original: &submission.raw,
                    error,
                    hostname: &self.config.hostname,
                    date: now.unix_timestamp(),
                }
                .build();
                if self.deliver_receipt(&notify, mdn, now) {
                    submitted.receipts.push((kind_label, notify.clone()));
                }
            }
        }
        submitted
    }

    /// Puts a receipt in `to`'s INBOX when `to` is a mailbox of this operator.
    fn deliver_receipt(&self, to: &str, raw: Vec<u8>, now: OffsetDateTime) -> bool {
        let to = to.to_ascii_lowercase();
        if !matches!(self.resolve(&to), Route::Mailbox(_)) {
            return false;
        }
        self.store
            .deliver(&to, "INBOX", Bytes::from(raw), BTreeSet::new(), now)
            .is_ok()
    }

    /// The message as stored: `Return-Path` and `Received` prepended, as an MTA does.
    fn with_trace(
        &self,
        raw: &[u8],
        mail_from: &str,
        authenticated: &str,
        now: OffsetDateTime,
    ) -> Bytes {
        let trace = format!(
            "Return-Path: <{mail_from}>\r\nReceived: from client (authenticated as {authenticated})\r\n\tby {host} (segur-bench MSSanté operator) with ESMTPSA;\r\n\t{date}\r\n",
            host = self.config.hostname,
            date = rfc5322(now),
        );
        let mut stored = Vec::with_capacity(trace.len() + raw.len());
        stored.extend_from_slice(trace.as_bytes());
        stored.extend_from_slice(raw);
        Bytes::from(stored)
    }

    /// Drops `raw` into `address`'s folder, as the control API's inbound feed does; the UID.
    pub fn feed(&self, address: &str, raw: Vec<u8>) -> Result<u32, String> {
        let address = address.to_ascii_lowercase();
        match self.resolve(&address) {
            Route::Mailbox(_) => {}
            other => {
                return Err(format!(
                    "{address} is not a mailbox of the world ({other:?})"
                ));
            }
        }
        let raw = Bytes::from(raw);
        let uid = self
            .store
            .deliver(&address, "INBOX", raw.clone(), BTreeSet::new(), self.now())
            .map_err(|e| e.to_string())?;
        let summary = json!({"mailbox": address, "uid": uid});
        self.journal(
            Exchange::new(SERVICE, "inbound feed").request(
                Payload::new(raw)
                    .content_type("message/rfc822")
                    .summary(summary),
            ),
        );
        Ok(uid)
    }

    /// Journals one SMTP transaction with its evidence.
    pub fn journal_submission(
        &self,
        peer: segur_core::journal::Peer,
        submission: &Submission<'_>,
        submitted: &Submitted,
        reply: &str,
        extra: Vec<Finding>,
    ) {
        let summary = json!({
            "identity": submission.identity,
            "mail_from": submission.mail_from,
            "rcpt_to": submission.recipients.iter().map(|r| &r.address).collect::<Vec<_>>(),
            "message_id": submitted.inspection.message_id,
            "subject": submitted.inspection.subject,
            "size": submission.raw.len(),
        });
        let answer = json!({
            "reply": reply,
            "delivered": submitted.delivered.iter().map(|(a, _)| a).collect::<Vec<_>>(),
            "bounced": submitted.bounced.iter().map(|f| &f.recipient).collect::<Vec<_>>(),
            "receipts": submitted.receipts,
            "cda_codes": submitted.inspection.cda_codes,
            "qualified_ins": submitted.inspection.qualified_ins,
        });
        let mut exchange = Exchange::new(SERVICE, "SMTP DATA")
            .peer(peer)
            .request(
                Payload::new(submission.raw.clone())
                    .content_type("message/rfc822")
                    .summary(summary),
            )
            .response(
                Payload::new(reply.as_bytes().to_vec())
                    .content_type("text/plain")
                    .summary(answer),
            );
        for finding in submitted.inspection.findings.iter().cloned().chain(extra) {
            exchange = exchange.finding(finding);
        }
        self.journal(exchange);
    }
}

/// RFC 5322 date-time (`Tue, 14 Nov 2023 22:13:20 +0000`).
pub fn rfc5322(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default()
}
