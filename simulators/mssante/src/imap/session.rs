//! The IMAP session as a state machine without I/O: the connection hands it each parsed
//! command (literals already read), and writes out the bytes it returns. States follow
//! RFC 3501 §3: not authenticated, authenticated, selected, logout.

use std::time::Duration;

use imap_codec::imap_types::auth::AuthMechanism;
use imap_codec::imap_types::command::{Command, CommandBody};
use imap_codec::imap_types::core::{NonEmptyVec, Tag};
use imap_codec::imap_types::response::{Capability, Code, Data};
use segur_core::faults::FaultAction;
use segur_core::finding::Finding;
use segur_core::journal::{Exchange, Payload};
use segur_core::tls::TlsPeer;
use serde_json::json;

use super::wire::{self, Kind};
use super::{fetch, mailboxes, messages, search};
use crate::SERVICE;
use crate::auth::{self, Credentials, Identity, sasl};
use crate::operator::Operator;
use crate::rules;

/// What the connection does after writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Read the next command.
    Command,
    /// Read a SASL response line (after `+`).
    AuthResponse,
    /// Wait for `DONE` or a change to report (IDLE).
    Idle,
    /// Run the TLS handshake.
    StartTls,
    /// Close after writing.
    Close,
    /// Close without writing.
    Drop,
    /// Write the first half of the output, then drop the connection (an injected
    /// disconnect in the middle of a FETCH).
    DropMidway,
}

/// The session's answer to one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Bytes to write.
    pub out: Vec<u8>,
    /// What next.
    pub next: Next,
    /// Wait this long before writing (an injected slow answer).
    pub delay: Option<Duration>,
}

impl Outcome {
    /// `out`, then the next command.
    pub fn send(out: Vec<u8>) -> Self {
        Self {
            out,
            next: Next::Command,
            delay: None,
        }
    }
}

/// What an armed fault does to a command.
#[derive(Debug)]
enum Faulted {
    /// Nothing armed.
    No,
    /// Answer normally, this much later.
    Delayed(Duration),
    /// Answer normally, but drop the connection halfway through the answer.
    DropMidway,
    /// Answer this instead.
    Replaced(Outcome),
}

/// The selected folder, as this session last reported it.
#[derive(Debug, Clone)]
pub struct Selected {
    /// Folder name.
    pub folder: String,
    /// EXAMINE: no flag changes, no expunge.
    pub read_only: bool,
    /// UIDs in sequence-number order, as the client knows them.
    pub uids: Vec<u32>,
    /// UIDs that are `\Recent` for this session (new when it selected or synced).
    pub recent: std::collections::BTreeSet<u32>,
}

/// One IMAP session.
#[derive(Debug)]
pub struct Session {
    /// The operator whose mailboxes it reads.
    pub(crate) operator: Operator,
    /// The client, with its certificate once TLS is up.
    pub(crate) peer: TlsPeer,
    /// Whether the channel is encrypted.
    pub(crate) tls: bool,
    /// Who authenticated.
    pub(crate) identity: Option<Identity>,
    /// The selected folder.
    pub(crate) selected: Option<Selected>,
    /// AUTHENTICATE waiting for its response line: the tag and mechanism.
    pub(crate) auth_pending: Option<(Tag<'static>, String)>,
    /// IDLE in progress: its tag.
    pub(crate) idling: Option<Tag<'static>>,
    /// Bad commands so far; the session closes past the limit.
    pub(crate) errors: usize,
}

impl Session {
    /// A session for a client at `peer`; `tls` on the implicit-TLS port.
    pub fn new(operator: Operator, peer: TlsPeer, tls: bool) -> Self {
        Self {
            operator,
            peer,
            tls,
            identity: None,
            selected: None,
            auth_pending: None,
            idling: None,
            errors: 0,
        }
    }

    /// The greeting, with the capabilities.
    pub fn greeting(&mut self) -> Outcome {
        let greeting = Outcome::send(wire::greeting(
            Some(Code::Capability(self.capabilities())),
            &format!(
                "{} IMAP4rev1 MSSanté operator (segur-bench) ready",
                self.operator.config.hostname
            ),
        ));
        match self.fault(None, "CONNECT") {
            Faulted::Replaced(outcome) => outcome,
            Faulted::Delayed(delay) => Outcome {
                delay: Some(delay),
                ..greeting
            },
            Faulted::No | Faulted::DropMidway => greeting,
        }
    }

    /// The authenticated identity, if any.
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_ref()
    }

    /// What the server offers in the current state.
    pub fn capabilities(&self) -> NonEmptyVec<Capability<'static>> {
        let mut caps = vec![Capability::Imap4Rev1];
        if self.tls {
            for m in sasl::MECHANISMS {
                caps.push(Capability::Auth(match *m {
                    "PLAIN" => AuthMechanism::Plain,
                    "XOAUTH2" => AuthMechanism::XOAuth2,
                    other => {
                        AuthMechanism::try_from(other.to_string()).unwrap_or(AuthMechanism::Plain)
                    }
                }));
            }
            caps.push(Capability::SaslIr);
        } else {
            caps.push(Capability::StartTls);
            caps.push(Capability::LoginDisabled);
        }
        caps.push(Capability::Idle);
        caps.push(Capability::Move);
        if let Ok(special) = Capability::try_from("SPECIAL-USE") {
            caps.push(special);
        }
        NonEmptyVec::try_from(caps).unwrap_or_else(|_| NonEmptyVec::from(Capability::Imap4Rev1))
    }

    /// TLS is up after STARTTLS.
    pub fn tls_established(&mut self, peer: TlsPeer) {
        self.peer = peer;
        self.tls = true;
    }

    /// A line that did not parse as a command: `BAD` with the tag, if one can be read.
    pub fn unparsable(&mut self, line: &[u8]) -> Outcome {
        let first = line
            .split(|b| *b == b' ')
            .next()
            .map(|t| String::from_utf8_lossy(t).trim_end().to_string())
            .unwrap_or_default();
        let tag = wire::tag(&first);
        let text = String::from_utf8_lossy(line);
        self.refuse(
            tag.as_ref(),
            Kind::Bad,
            "Syntax error: the command could not be parsed (RFC 3501 §9)",
            rules::PROTOCOL.finding(format!(
                "unparsable IMAP command: {}",
                text.trim_end().chars().take(200).collect::<String>()
            )),
        )
    }

    /// A command the client sent.
    pub fn command(&mut self, command: Command<'_>) -> Outcome {
        let tag = wire::tag(command.tag.as_ref()).unwrap_or_else(|| wire::tag("A").expect("tag"));
        let name = command.body.name().to_ascii_uppercase();
        if let Some(outcome) = self.token_expired(&name) {
            return outcome;
        }
        match self.fault(Some(&tag), &name) {
            Faulted::Replaced(outcome) => outcome,
            Faulted::Delayed(delay) => Outcome {
                delay: Some(delay),
                ..self.dispatch(&tag, command.body)
            },
            Faulted::DropMidway => {
                let outcome = self.dispatch(&tag, command.body);
                self.journal(&format!("{name} (fault: dropped midway)"), &[], Vec::new());
                Outcome {
                    next: Next::DropMidway,
                    ..outcome
                }
            }
            Faulted::No => self.dispatch(&tag, command.body),
        }
    }

    fn dispatch(&mut self, tag: &Tag<'static>, body: CommandBody<'_>) -> Outcome {
        let authenticated = self.identity.is_some();
        let selected = self.selected.is_some();
        match body {
            CommandBody::Capability => {
                let mut out = wire::data(Data::Capability(self.capabilities()));
                out.extend(wire::status(
                    Some(tag),
                    Kind::Ok,
                    None,
                    "CAPABILITY completed",
                ));
                Outcome::send(out)
            }
            CommandBody::Noop | CommandBody::Check => {
                let mut out = self.sync();
                out.extend(wire::status(Some(tag), Kind::Ok, None, "NOOP completed"));
                Outcome::send(out)
            }
            CommandBody::Logout => {
                let mut out = wire::bye("Logging out");
                out.extend(wire::status(Some(tag), Kind::Ok, None, "LOGOUT completed"));
                Outcome {
                    out,
                    next: Next::Close,
                    delay: None,
                }
            }
            CommandBody::StartTLS if !self.tls => Outcome {
                out: wire::status(Some(tag), Kind::Ok, None, "Begin TLS negotiation now"),
                next: Next::StartTls,
                delay: None,
            },
            CommandBody::StartTLS => self.refuse(
                Some(tag),
                Kind::Bad,
                "TLS is already active",
                rules::PROTOCOL.finding("STARTTLS on a channel already encrypted"),
            ),
            CommandBody::Login { .. } | CommandBody::Authenticate { .. } if authenticated => self
                .refuse(
                    Some(tag),
                    Kind::Bad,
                    "Already authenticated",
                    rules::PROTOCOL.finding("a second authentication in one session"),
                ),
            CommandBody::Login { .. } | CommandBody::Authenticate { .. } if !self.tls => self
                .refuse(
                    Some(tag),
                    Kind::No,
                    "LOGINDISABLED: STARTTLS first",
                    rules::CLEARTEXT.finding("authentication on a channel not protected by TLS"),
                ),
            CommandBody::Login { username, password } => {
                let credentials = Credentials::Password {
                    user: wire::lossy(username.as_ref()),
                    password: wire::lossy(password.declassify().as_ref()),
                };
                self.login(tag, "LOGIN", &credentials)
            }
            CommandBody::Authenticate {
                mechanism,
                initial_response,
            } => {
                let mechanism = mechanism.to_string().to_ascii_uppercase();
                if !sasl::MECHANISMS.contains(&mechanism.as_str()) {
                    return self.refuse(
                        Some(tag),
                        Kind::No,
                        &format!(
                            "Mechanism not offered; offered: {}",
                            sasl::MECHANISMS.join(" ")
                        ),
                        rules::PROTOCOL.finding(format!("AUTHENTICATE {mechanism}: not offered")),
                    );
                }
                match initial_response {
                    Some(initial) => {
                        let payload = initial.declassify().to_vec();
                        self.sasl(tag, &mechanism, &payload)
                    }
                    None => {
                        self.auth_pending = Some((tag.clone(), mechanism));
                        Outcome {
                            out: wire::continuation(""),
                            next: Next::AuthResponse,
                            delay: None,
                        }
                    }
                }
            }
            _ if !authenticated => self.refuse(
                Some(tag),
                Kind::Bad,
                "Authenticate first (AUTHENTICATE or LOGIN)",
                rules::PROTOCOL
                    .finding("a command of the authenticated state before authentication"),
            ),
            CommandBody::Select { mailbox } => mailboxes::select(self, tag, &mailbox, false),
            CommandBody::Examine { mailbox } => mailboxes::select(self, tag, &mailbox, true),
            CommandBody::Create { mailbox } => mailboxes::create(self, tag, &mailbox),
            CommandBody::Delete { mailbox } => mailboxes::delete(self, tag, &mailbox),
            CommandBody::Rename { .. } => Outcome::send(wire::status(
                Some(tag),
                Kind::No,
                None,
                "RENAME is not offered by this operator",
            )),
            CommandBody::Subscribe { mailbox } => mailboxes::subscribe(self, tag, &mailbox, true),
            CommandBody::Unsubscribe { mailbox } => {
                mailboxes::subscribe(self, tag, &mailbox, false)
            }
            CommandBody::List {
                reference,
                mailbox_wildcard,
            } => mailboxes::list(self, tag, &reference, &mailbox_wildcard, false),
            CommandBody::Lsub {
                reference,
                mailbox_wildcard,
            } => mailboxes::list(self, tag, &reference, &mailbox_wildcard, true),
            CommandBody::Status {
                mailbox,
                item_names,
            } => mailboxes::status(self, tag, &mailbox, &item_names),
            CommandBody::Append {
                mailbox,
                flags,
                date,
                message,
            } => messages::append(self, tag, &mailbox, &flags, date.as_ref(), message.data()),
            CommandBody::Idle => {
                self.idling = Some(tag.clone());
                Outcome {
                    out: wire::continuation("idling"),
                    next: Next::Idle,
                    delay: None,
                }
            }
            _ if !selected => self.refuse(
                Some(tag),
                Kind::Bad,
                "Select a mailbox first",
                rules::PROTOCOL.finding("a command of the selected state with no mailbox selected"),
            ),
            CommandBody::Unselect => {
                self.selected = None;
                Outcome::send(wire::status(
                    Some(tag),
                    Kind::Ok,
                    None,
                    "UNSELECT completed",
                ))
            }
            CommandBody::Close => messages::close(self, tag),
            CommandBody::Expunge => messages::expunge(self, tag),
            CommandBody::Search { criteria, uid, .. } => search::search(self, tag, &criteria, uid),
            CommandBody::Fetch {
                sequence_set,
                macro_or_item_names,
                uid,
            } => fetch::fetch(self, tag, &sequence_set, macro_or_item_names, uid),
            CommandBody::Store {
                sequence_set,
                kind,
                response,
                flags,
                uid,
            } => messages::store(self, tag, &sequence_set, &kind, &response, &flags, uid),
            CommandBody::Copy {
                sequence_set,
                mailbox,
                uid,
            } => messages::copy(self, tag, &sequence_set, &mailbox, uid, false),
            CommandBody::Move {
                sequence_set,
                mailbox,
                uid,
            } => messages::copy(self, tag, &sequence_set, &mailbox, uid, true),
            other => {
                let name = other.name();
                self.refuse(
                    Some(tag),
                    Kind::Bad,
                    &format!("{name} is not offered by this operator"),
                    rules::PROTOCOL.finding(format!("{name}: not in CAPABILITY")),
                )
            }
        }
    }

    /// The SASL response line after `+`.
    pub fn auth_response(&mut self, line: &[u8]) -> Outcome {
        let Some((tag, mechanism)) = self.auth_pending.take() else {
            return self.unparsable(line);
        };
        match sasl::decode_base64(line) {
            Ok(payload) => self.sasl(&tag, &mechanism, &payload),
            Err(sasl::SaslError::Cancelled) => Outcome::send(wire::status(
                Some(&tag),
                Kind::Bad,
                None,
                "AUTHENTICATE cancelled",
            )),
            Err(e) => self.refuse(
                Some(&tag),
                Kind::Bad,
                &format!("Malformed AUTHENTICATE response: {e}"),
                rules::PROTOCOL.finding(format!("AUTHENTICATE {mechanism}: {e}")),
            ),
        }
    }

    fn sasl(&mut self, tag: &Tag<'static>, mechanism: &str, payload: &[u8]) -> Outcome {
        match sasl::decode(mechanism, payload) {
            Ok(credentials) => self.login(tag, &format!("AUTHENTICATE {mechanism}"), &credentials),
            Err(e) => self.refuse(
                Some(tag),
                Kind::Bad,
                &format!("Malformed AUTHENTICATE response: {e}"),
                rules::PROTOCOL.finding(format!("AUTHENTICATE {mechanism}: {e}")),
            ),
        }
    }

    fn login(&mut self, tag: &Tag<'static>, what: &str, credentials: &Credentials) -> Outcome {
        match auth::authenticate(&self.operator, credentials, &self.peer) {
            Ok((identity, notes)) => {
                let words = format!(
                    "{what} completed: {} ({})",
                    identity.address,
                    identity.kind.label()
                );
                self.identity = Some(identity);
                let out = wire::status(
                    Some(tag),
                    Kind::Ok,
                    Some(Code::Capability(self.capabilities())),
                    &words,
                );
                self.journal(what, &out, notes);
                Outcome::send(out)
            }
            Err(refusal) => {
                self.errors += 1;
                let out = wire::status(
                    Some(tag),
                    Kind::No,
                    None,
                    &format!("[AUTHENTICATIONFAILED] {}", refusal.reason()),
                );
                self.journal(what, &out, vec![refusal.finding]);
                Outcome::send(out)
            }
        }
    }

    /// `DONE` (or anything else) ends IDLE.
    pub fn idle_done(&mut self, line: &[u8]) -> Outcome {
        let tag = self.idling.take();
        let trimmed = String::from_utf8_lossy(line).trim().to_ascii_uppercase();
        match tag {
            Some(tag) if trimmed == "DONE" => {
                let mut out = self.sync();
                out.extend(wire::status(Some(&tag), Kind::Ok, None, "IDLE terminated"));
                Outcome::send(out)
            }
            Some(tag) => self.refuse(
                Some(&tag),
                Kind::Bad,
                "Expected DONE to end IDLE",
                rules::PROTOCOL.finding(format!("{trimmed:?} during IDLE")),
            ),
            None => self.unparsable(line),
        }
    }

    /// During IDLE: what changed in the selected folder, as untagged responses.
    pub fn idle_changes(&mut self) -> Vec<u8> {
        self.sync()
    }

    /// Reconciles the client's view of the selected folder with the store: `EXPUNGE` for
    /// messages gone, `EXISTS` and `RECENT` when messages arrived.
    pub fn sync(&mut self) -> Vec<u8> {
        let Some(identity) = &self.identity else {
            return Vec::new();
        };
        let Some(selected) = &mut self.selected else {
            return Vec::new();
        };
        let Ok(folder) = self
            .operator
            .store
            .folder(&identity.address, &selected.folder)
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let current: Vec<u32> = folder.messages.iter().map(|m| m.uid).collect();
        for index in (0..selected.uids.len()).rev() {
            if !current.contains(&selected.uids[index]) {
                selected.uids.remove(index);
                if let Some(seq) = std::num::NonZeroU32::new(index as u32 + 1) {
                    out.extend(wire::data(Data::Expunge(seq)));
                }
            }
        }
        let known_max = selected.uids.last().copied().unwrap_or(0);
        let new: Vec<u32> = current.into_iter().filter(|u| *u > known_max).collect();
        if !new.is_empty() {
            for uid in &new {
                if folder.by_uid(*uid).is_some_and(|m| m.recent) {
                    selected.recent.insert(*uid);
                }
            }
            selected.uids.extend(new);
            out.extend(wire::data(Data::Exists(selected.uids.len() as u32)));
            out.extend(wire::data(Data::Recent(selected.recent.len() as u32)));
            if !selected.read_only {
                self.operator
                    .store
                    .clear_recent(&identity.address, &selected.folder);
            }
        }
        out
    }

    /// A refused command: its status, a finding, and a close past the error limit.
    pub(crate) fn refuse(
        &mut self,
        tag: Option<&Tag<'static>>,
        kind: Kind,
        words: &str,
        finding: Finding,
    ) -> Outcome {
        self.errors += 1;
        let mut out = wire::status(tag, kind, None, words);
        self.journal("IMAP refused", &out, vec![finding]);
        if self.errors > self.operator.config.max_errors {
            out.extend(wire::bye("Too many errors, closing the connection"));
            return Outcome {
                out,
                next: Next::Close,
                delay: None,
            };
        }
        Outcome::send(out)
    }

    /// Re-checks a PSC token before each command but LOGOUT: an expired or revoked token
    /// (or a fault on `TOKEN`) ends the session with `BYE`, as the operator does.
    fn token_expired(&mut self, command: &str) -> Option<Outcome> {
        // Closing the session is what a client does when its token expires (MSS/CONF.10).
        if command == "LOGOUT" {
            return None;
        }
        let identity = self.identity.as_ref()?;
        let token = identity.token.clone()?;
        let address = identity.address.clone();
        let finding = match self.operator.fault("TOKEN") {
            Some(_) => rules::TOKEN_EXPIRED.finding(format!(
                "the Pro Santé Connect token of {address} expired during the session (injected)"
            )),
            None => auth::check_token(&self.operator, &token).err()?.finding,
        };
        let out = wire::bye(
            "[ALERT] The Pro Santé Connect token is no longer valid: authenticate again with a fresh token",
        );
        self.journal(&format!("{command} (token expired)"), &out, vec![finding]);
        self.identity = None;
        self.selected = None;
        Some(Outcome {
            out,
            next: Next::Close,
            delay: None,
        })
    }

    /// What an armed fault on `command` does: `NO`/`BAD`/`BYE`, a delay, a drop (midway
    /// through the answer for FETCH).
    fn fault(&mut self, tag: Option<&Tag<'static>>, command: &str) -> Faulted {
        let Some(action) = self.operator.fault(command) else {
            return Faulted::No;
        };
        let outcome = match action {
            FaultAction::Delay { millis } => {
                return Faulted::Delayed(Duration::from_millis(millis));
            }
            FaultAction::HttpStatus { .. } => return Faulted::No,
            FaultAction::ProtocolError { code, message, .. } => {
                let words = message.unwrap_or_else(|| format!("{command} failed (injected)"));
                match code.to_ascii_uppercase().as_str() {
                    "BYE" => Outcome {
                        out: wire::bye(&words),
                        next: Next::Close,
                        delay: None,
                    },
                    "BAD" => Outcome::send(wire::status(tag, Kind::Bad, None, &words)),
                    _ => Outcome::send(wire::status(tag, Kind::No, None, &words)),
                }
            }
            FaultAction::DropConnection if command == "FETCH" => {
                return Faulted::DropMidway;
            }
            FaultAction::DropConnection => Outcome {
                out: Vec::new(),
                next: Next::Drop,
                delay: None,
            },
        };
        self.journal(&format!("{command} (fault)"), &outcome.out, Vec::new());
        Faulted::Replaced(outcome)
    }

    /// Journals a command that changed state (or was refused), with its answer.
    pub(crate) fn journal(&self, command: &str, answer: &[u8], findings: Vec<Finding>) {
        self.journal_with(command, answer, None, findings);
    }

    /// As [`Session::journal`], with a request body (APPEND's message).
    pub(crate) fn journal_with(
        &self,
        command: &str,
        answer: &[u8],
        body: Option<&[u8]>,
        findings: Vec<Finding>,
    ) {
        let summary = json!({
            "command": command,
            "tls": self.tls,
            "tls_version": self.peer.protocol,
            "cipher_suite": self.peer.cipher_suite,
            "identity": self.identity.as_ref().map(|i| &i.address),
            "selected": self.selected.as_ref().map(|s| &s.folder),
        });
        let request = Payload::new(
            body.map(<[u8]>::to_vec)
                .unwrap_or_else(|| command.as_bytes().to_vec()),
        )
        .content_type(if body.is_some() {
            "message/rfc822"
        } else {
            "text/plain"
        })
        .summary(summary);
        let answer_text = String::from_utf8_lossy(answer);
        let last = answer_text.lines().last().unwrap_or_default().to_string();
        let mut exchange = Exchange::new(
            SERVICE,
            format!("IMAP {}", command.split(' ').next().unwrap_or(command)),
        )
        .peer(self.peer.to_journal())
        .request(request)
        .response(
            Payload::new(answer.to_vec())
                .content_type("text/plain")
                .summary(json!({"status": last})),
        );
        for f in findings {
            exchange = exchange.finding(f);
        }
        self.operator.journal(exchange);
    }
}
