//! One function per SMTP command, called by the [`Session`]. Each checks the session's
//! state, answers with the right code and enhanced status, and journals what changes state.

use smtp_proto::Request;
use smtp_proto::response::generate::BitToString;

use super::data::DataOutcome;
use super::reply::Reply;
use super::session::{Faulted, Next, Session, Step};
use crate::auth::{self, sasl};
use crate::directory::Route;
use crate::operator::{Recipient, Submission};
use crate::rules;

/// Runs one parsed command.
pub fn dispatch(session: &mut Session, request: Request<String>) -> Step {
    match request {
        Request::Ehlo { host } => ehlo(session, host, true),
        Request::Helo { host } | Request::Lhlo { host } => ehlo(session, host, false),
        Request::StartTls => starttls(session),
        Request::Auth {
            mechanism,
            initial_response,
        } => auth(session, mechanism, initial_response),
        Request::Mail { from } => mail(session, from),
        Request::Rcpt { to } => rcpt(session, to),
        Request::Data => data(session),
        Request::Rset => {
            session.reset_transaction();
            Step::reply(Reply::new(250, [2, 0, 0], "Flushed"))
        }
        Request::Noop { .. } => Step::reply(Reply::new(250, [2, 0, 0], "OK")),
        Request::Quit => Step::then(Reply::new(221, [2, 0, 0], "Bye"), Next::Close),
        Request::Vrfy { .. } => Step::reply(Reply::new(
            252,
            [2, 5, 0],
            "Cannot VRFY user, but will accept message and attempt delivery",
        )),
        Request::Help { .. } => Step::reply(Reply::new(
            214,
            [2, 0, 0],
            "EHLO STARTTLS AUTH MAIL RCPT DATA RSET NOOP QUIT: see RFC 5321, 3207, 4954",
        )),
        other @ (Request::Bdat { .. }
        | Request::Expn { .. }
        | Request::Etrn { .. }
        | Request::Atrn { .. }
        | Request::Burl { .. }) => {
            let name = other.name();
            session.refuse(
                Reply::new(502, [5, 5, 1], format!("{name} not implemented")),
                rules::PROTOCOL
                    .finding(format!("{name}: not offered by the operator (not in EHLO)")),
                name.as_bytes(),
            )
        }
    }
}

fn ehlo(session: &mut Session, host: String, extended: bool) -> Step {
    session.reset_transaction();
    session.helo = Some(host.clone());
    let config = &session.operator.config;
    if !extended {
        return Step::reply(Reply::plain(
            250,
            format!("{} Hello {host}", config.hostname),
        ));
    }
    let mut lines = vec![
        format!("{} Hello {host}", config.hostname),
        "PIPELINING".to_string(),
        format!("SIZE {}", config.max_message_size),
        "8BITMIME".to_string(),
        "ENHANCEDSTATUSCODES".to_string(),
        "DSN".to_string(),
    ];
    if session.tls {
        lines.push(format!("AUTH {}", sasl::MECHANISMS.join(" ")));
    } else {
        lines.push("STARTTLS".to_string());
    }
    Step::reply(Reply {
        code: 250,
        status: None,
        lines,
    })
}

fn starttls(session: &mut Session) -> Step {
    if session.tls {
        return session.refuse(
            Reply::new(503, [5, 5, 1], "TLS already active"),
            rules::PROTOCOL.finding("STARTTLS on a channel already encrypted"),
            b"STARTTLS",
        );
    }
    Step::then(
        Reply::new(220, [2, 0, 0], "Ready to start TLS"),
        Next::StartTls,
    )
}

fn auth(session: &mut Session, mechanism: u64, initial: String) -> Step {
    let name = mechanism.to_mechanism();
    let line = format!("AUTH {name}");
    if session.helo.is_none() {
        return session.refuse(
            Reply::new(503, [5, 5, 1], "Send EHLO first"),
            rules::PROTOCOL.finding("AUTH before EHLO"),
            line.as_bytes(),
        );
    }
    if !session.tls {
        return session.refuse(
            Reply::new(
                538,
                [5, 7, 11],
                "Encryption required for requested authentication mechanism: STARTTLS first",
            ),
            rules::CLEARTEXT.finding("AUTH on a channel not protected by TLS"),
            line.as_bytes(),
        );
    }
    if session.identity.is_some() {
        return session.refuse(
            Reply::new(503, [5, 5, 1], "Already authenticated"),
            rules::PROTOCOL.finding("a second AUTH in one session"),
            line.as_bytes(),
        );
    }
    if !sasl::MECHANISMS.contains(&name) {
        return session.refuse(
            Reply::new(
                504,
                [5, 5, 4],
                format!(
                    "Mechanism not offered; offered: {}",
                    sasl::MECHANISMS.join(" ")
                ),
            ),
            rules::PROTOCOL.finding(format!("AUTH with a mechanism not offered ({name})")),
            line.as_bytes(),
        );
    }
    if initial.is_empty() {
        session.auth_pending = Some(name.to_string());
        return Step::then(Reply::plain(334, ""), Next::AuthResponse);
    }
    auth_response(session, name, initial.as_bytes())
}

/// The SASL response to `mechanism` (initial, or the line after `334`).
pub fn auth_response(session: &mut Session, mechanism: &str, line: &[u8]) -> Step {
    let what = format!("AUTH {mechanism}");
    let credentials = sasl::decode_base64(line).and_then(|bytes| sasl::decode(mechanism, &bytes));
    let credentials = match credentials {
        Ok(c) => c,
        Err(sasl::SaslError::Cancelled) => {
            return Step::reply(Reply::new(501, [5, 0, 0], "Authentication cancelled"));
        }
        Err(e) => {
            return session.refuse(
                Reply::new(
                    501,
                    [5, 5, 2],
                    format!("Malformed {mechanism} response: {e}"),
                ),
                rules::PROTOCOL.finding(format!("{what}: {e}")),
                what.as_bytes(),
            );
        }
    };
    match auth::authenticate(&session.operator, &credentials, &session.peer) {
        Ok((identity, notes)) => {
            let reply = Reply::new(
                235,
                [2, 7, 0],
                format!("Authentication successful ({})", identity.address),
            );
            session.identity = Some(identity);
            session.journal_event("SMTP AUTH", what.as_bytes(), &reply, notes);
            Step::reply(reply)
        }
        Err(refusal) => {
            let reply = Reply::new(
                535,
                [5, 7, 8],
                format!("Authentication credentials invalid: {}", refusal.reason()),
            );
            session.errors += 1;
            session.journal_event("SMTP AUTH", what.as_bytes(), &reply, vec![refusal.finding]);
            Step::reply(reply)
        }
    }
}

/// Re-checks the session's token before a transaction command: an expired (or revoked)
/// PSC token ends the session, as the operator would. A fault on `TOKEN` expires it now.
fn token_still_valid(session: &mut Session, command: &str) -> Option<Step> {
    let identity = session.identity.as_ref()?;
    let token = identity.token.clone()?;
    let address = identity.address.clone();
    let refusal = match session.operator.fault("TOKEN") {
        Some(_) => Some(rules::TOKEN_EXPIRED.finding(format!(
            "the Pro Santé Connect token of {address} expired during the session (injected)"
        ))),
        _ => auth::check_token(&session.operator, &token)
            .err()
            .map(|r| r.finding),
    }?;
    let reply = Reply::new(
        421,
        [4, 7, 0],
        "The Pro Santé Connect token is no longer valid: closing, authenticate again with a fresh token",
    );
    session.journal_event(
        "SMTP token expired",
        command.as_bytes(),
        &reply,
        vec![refusal],
    );
    session.identity = None;
    Some(Step::then(reply, Next::Close))
}

fn mail(session: &mut Session, from: smtp_proto::MailFrom<String>) -> Step {
    let line = format!("MAIL FROM:<{}>", from.address);
    if session.identity.is_none() && session.tls && session.peer.cert.is_some() {
        // An APP mailbox may submit on the strength of its TLS client certificate alone,
        // as operators relay for certificate-authenticated clients (SASL EXTERNAL
        // implied, the sender as authorisation identity).
        let implied = auth::Credentials::External {
            authzid: Some(from.address.to_ascii_lowercase()),
        };
        if let Ok((identity, notes)) =
            auth::authenticate(&session.operator, &implied, &session.peer)
        {
            let reply = Reply::new(250, [2, 7, 0], "Authenticated by client certificate");
            session.identity = Some(identity);
            session.journal_event("SMTP AUTH", b"client certificate", &reply, notes);
        }
    }
    if session.identity.is_none() {
        let finding = if session.tls {
            rules::AUTH_REFUSED
                .finding("MAIL before AUTH: the operator relays for authenticated mailboxes only")
        } else {
            rules::CLEARTEXT.finding("MAIL on a channel not protected by TLS, before AUTH")
        };
        return session.refuse(
            Reply::new(530, [5, 7, 0], "Authentication required"),
            finding,
            line.as_bytes(),
        );
    }
    if let Some(step) = token_still_valid(session, &line) {
        return step;
    }
    if session.mail_from.is_some() {
        return session.refuse(
            Reply::new(503, [5, 5, 1], "Nested MAIL command"),
            rules::PROTOCOL.finding("MAIL inside a transaction"),
            line.as_bytes(),
        );
    }
    let owner = session
        .identity
        .as_ref()
        .map(|i| i.address.clone())
        .unwrap_or_default();
    if !from.address.is_empty() && !from.address.eq_ignore_ascii_case(&owner) {
        return session.refuse(
            Reply::new(
                553,
                [5, 7, 1],
                format!("Sender address rejected: not owned by {owner}"),
            ),
            rules::SENDER_MISMATCH.finding(format!("MAIL FROM:<{}> by {owner}", from.address)),
            line.as_bytes(),
        );
    }
    if from.size > session.operator.config.max_message_size {
        return session.refuse(
            Reply::new(
                552,
                [5, 3, 4],
                format!(
                    "Message size exceeds the limit of {} bytes",
                    session.operator.config.max_message_size
                ),
            ),
            rules::TOO_LARGE.finding(format!("SIZE={} declared", from.size)),
            line.as_bytes(),
        );
    }
    session.mail_from = Some(from.address.to_ascii_lowercase());
    Step::reply(Reply::new(250, [2, 1, 0], "Sender OK"))
}

fn rcpt(session: &mut Session, to: smtp_proto::RcptTo<String>) -> Step {
    let address = to.address.to_ascii_lowercase();
    let line = format!("RCPT TO:<{address}>");
    if session.mail_from.is_none() {
        return session.refuse(
            Reply::new(503, [5, 5, 1], "Need MAIL before RCPT"),
            rules::PROTOCOL.finding("RCPT outside a transaction"),
            line.as_bytes(),
        );
    }
    if let Some(step) = token_still_valid(session, &line) {
        return step;
    }
    match session.fault(&format!("RCPT {address}"), false) {
        Faulted::Replaced(step) => return step,
        Faulted::Delayed(delay) => {
            let mut step = accept_recipient(session, address, &line);
            step.delay = Some(delay);
            return step;
        }
        Faulted::No => {}
    }
    accept_recipient(session, address, &line)
}

fn accept_recipient(session: &mut Session, address: String, line: &str) -> Step {
    if session.recipients.len() >= session.operator.config.max_recipients {
        return session.refuse(
            Reply::new(452, [4, 5, 3], "Too many recipients"),
            rules::PROTOCOL.finding(format!(
                "more than {} recipients",
                session.operator.config.max_recipients
            )),
            line.as_bytes(),
        );
    }
    match session.operator.resolve(&address) {
        Route::OutsideTrustSpace => session.refuse(
            Reply::new(
                550,
                [5, 7, 1],
                format!("{address}: outside the MSSanté trust space"),
            ),
            rules::OUTSIDE_TRUST_SPACE.finding(format!("{address} is not an MSSanté address")),
            line.as_bytes(),
        ),
        Route::Unknown => session.refuse(
            Reply::new(550, [5, 1, 1], format!("{address}: no such mailbox")),
            rules::UNDELIVERABLE.finding(format!("{address}: no such mailbox in the trust space")),
            line.as_bytes(),
        ),
        route => {
            session.recipients.push(Recipient { address, route });
            Step::reply(Reply::new(250, [2, 1, 5], "Recipient OK"))
        }
    }
}

fn data(session: &mut Session) -> Step {
    if session.mail_from.is_none() {
        return session.refuse(
            Reply::new(503, [5, 5, 1], "Need MAIL and RCPT before DATA"),
            rules::PROTOCOL.finding("DATA outside a transaction"),
            b"DATA",
        );
    }
    if session.recipients.is_empty() {
        return session.refuse(
            Reply::new(554, [5, 5, 1], "No valid recipients"),
            rules::PROTOCOL.finding("DATA without an accepted recipient"),
            b"DATA",
        );
    }
    if let Some(step) = token_still_valid(session, "DATA") {
        return step;
    }
    Step::then(
        Reply::plain(354, "End data with <CR><LF>.<CR><LF>"),
        Next::Data,
    )
}

/// The message has been read.
pub fn data_done(session: &mut Session, outcome: DataOutcome) -> Step {
    let mail_from = session.mail_from.take().unwrap_or_default();
    let recipients = std::mem::take(&mut session.recipients);
    let refusal = if outcome.too_large {
        Some((
            Reply::new(
                552,
                [5, 3, 4],
                format!(
                    "Message size exceeds the limit of {} bytes",
                    session.operator.config.max_message_size
                ),
            ),
            rules::TOO_LARGE.finding(format!(
                "a message over {} bytes",
                session.operator.config.max_message_size
            )),
        ))
    } else if outcome.bare_lf {
        Some((
            Reply::new(
                550,
                [5, 5, 2],
                "Bare <LF> received: lines end with <CR><LF> (RFC 5321 §2.3.8)",
            ),
            rules::PROTOCOL.finding("a line of the message ends with a bare LF"),
        ))
    } else if outcome.long_line {
        Some((
            Reply::new(
                500,
                [5, 5, 2],
                format!(
                    "Line too long: at most {} octets per line (RFC 5321 §4.5.3.1.6)",
                    session.operator.config.max_text_line
                ),
            ),
            rules::PROTOCOL.finding("a line of the message is longer than 1000 octets"),
        ))
    } else {
        None
    };
    if let Some((reply, finding)) = refusal {
        return session.refuse(reply, finding, b"DATA");
    }
    let identity = match &session.identity {
        Some(i) => i.clone(),
        None => return Step::reply(Reply::new(530, [5, 7, 0], "Authentication required")),
    };
    let submission = Submission {
        identity: &identity,
        mail_from: &mail_from,
        recipients: &recipients,
        raw: bytes::Bytes::from(outcome.message),
    };
    let delay = match session.fault("DATA-END", false) {
        Faulted::Replaced(step) => return step,
        Faulted::Delayed(delay) => Some(delay),
        Faulted::No => None,
    };
    let submitted = session.operator.submit(&submission);
    let id = submitted
        .inspection
        .message_id
        .clone()
        .unwrap_or_else(|| "no Message-ID".into());
    let reply = Reply::new(250, [2, 0, 0], format!("OK: queued as <{id}>"));
    session.operator.journal_submission(
        session.peer.to_journal(),
        &submission,
        &submitted,
        &reply.summary(),
        Vec::new(),
    );
    Step {
        delay,
        ..Step::reply(reply)
    }
}
