//! The socket side of an IMAP session: command framing with synchronising literals (the
//! server sends `+` before reading one, bounded by the message size limit), AUTHENTICATE
//! continuation lines, IDLE (woken by deliveries to the selected folder), STARTTLS, and
//! the delays and drops a fault asks for.

use std::sync::Arc;
use std::time::Duration;

use imap_codec::CommandCodec;
use imap_codec::decode::{CommandDecodeError, Decoder};
use imap_codec::imap_types::core::LiteralMode;
use rustls::ServerConfig;
use segur_core::tls::TlsPeer;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::sync::watch;

use super::session::{Next, Outcome, Session};
use super::wire::{self, Kind};
use crate::net::{self, LineRead, Stream};
use crate::operator::Operator;
use crate::rules;

/// How long IDLE may last before the server ends it (RFC 2177 asks clients to re-issue
/// IDLE at least every 29 minutes).
const IDLE_LIMIT: Duration = Duration::from_secs(30 * 60);

/// Serves one client until it logs out, the session closes, or the simulator stops.
pub async fn serve(
    operator: Operator,
    stream: Stream,
    peer: TlsPeer,
    tls_config: Arc<ServerConfig>,
    mut stop: watch::Receiver<bool>,
) {
    let address = peer.address;
    let implicit = matches!(stream, Stream::Tls(_));
    let config = operator.config.clone();
    let mut changes = operator.store.subscribe();
    let mut session = Session::new(operator.clone(), peer, implicit);
    let mut io = BufReader::new(stream);
    let mut line = Vec::with_capacity(256);
    let mut outcome = session.greeting();
    loop {
        if let Some(delay) = outcome.delay {
            tokio::time::sleep(delay).await;
        }
        match outcome.next {
            Next::Drop => return,
            Next::DropMidway => {
                let half = outcome.out.len() / 2;
                let _ = io.get_mut().write_all(&outcome.out[..half]).await;
                let _ = io.get_mut().flush().await;
                return;
            }
            _ => {}
        }
        if !outcome.out.is_empty() {
            let stream = io.get_mut();
            if stream.write_all(&outcome.out).await.is_err() || stream.flush().await.is_err() {
                return;
            }
        }
        outcome = match outcome.next {
            Next::Close | Next::Drop | Next::DropMidway => {
                let _ = io.get_mut().shutdown().await;
                return;
            }
            Next::StartTls => {
                match net::starttls(
                    io,
                    &operator,
                    &tls_config,
                    address,
                    config.handshake_timeout,
                )
                .await
                {
                    Ok((upgraded, peer)) => {
                        session.tls_established(peer);
                        io = upgraded;
                        Outcome::send(Vec::new())
                    }
                    Err(finding) => {
                        session.journal("STARTTLS", b"session ended at STARTTLS", vec![finding]);
                        return;
                    }
                }
            }
            Next::AuthResponse => {
                match read(
                    &mut io,
                    &mut line,
                    config.max_command_line,
                    config.idle_timeout,
                    &mut stop,
                )
                .await
                {
                    Some(LineRead::Line) => session.auth_response(&line),
                    Some(LineRead::TooLong) => {
                        session.unparsable(b"(AUTHENTICATE response too long)")
                    }
                    _ => return,
                }
            }
            Next::Idle => {
                tokio::select! {
                    read = tokio::time::timeout(IDLE_LIMIT, net::read_line(&mut io, config.max_command_line, &mut line)) => match read {
                        Ok(Ok(LineRead::Line)) => session.idle_done(&line),
                        Ok(Ok(LineRead::TooLong)) => session.idle_done(b"(line too long)"),
                        Ok(Ok(LineRead::Eof)) | Ok(Err(_)) => return,
                        Err(_) => Outcome {
                            out: wire::bye("IDLE for too long"),
                            next: Next::Close,
                            delay: None,
                        },
                    },
                    change = changes.recv() => {
                        // Lagged: some notifications were missed, a sync catches up anyway.
                        if let Err(tokio::sync::broadcast::error::RecvError::Closed) = change {
                            return;
                        }
                        Outcome {
                            out: session.idle_changes(),
                            next: Next::Idle,
                            delay: None,
                        }
                    }
                    _ = stop.changed() => {
                        let _ = io.get_mut().write_all(&wire::bye("Server shutting down")).await;
                        return;
                    }
                }
            }
            Next::Command => {
                match read_command(&mut io, &mut line, &config, &mut stop, &mut session).await {
                    Some(outcome) => outcome,
                    None => return,
                }
            }
        };
    }
}

async fn read(
    io: &mut BufReader<Stream>,
    line: &mut Vec<u8>,
    max: usize,
    timeout: Duration,
    stop: &mut watch::Receiver<bool>,
) -> Option<LineRead> {
    tokio::select! {
        read = tokio::time::timeout(timeout, net::read_line(io, max, line)) => match read {
            Ok(Ok(read)) => Some(read),
            Ok(Err(_)) | Err(_) => None,
        },
        _ = stop.changed() => None,
    }
}

/// Reads one whole command, literals included, and runs it; `None` when the connection
/// should just end.
async fn read_command(
    io: &mut BufReader<Stream>,
    line: &mut Vec<u8>,
    config: &crate::MssanteConfig,
    stop: &mut watch::Receiver<bool>,
    session: &mut Session,
) -> Option<Outcome> {
    let mut buffer: Vec<u8> = Vec::new();
    let limit = config.max_message_size + config.max_command_line;
    loop {
        let read = match read(io, line, config.max_command_line, config.idle_timeout, stop).await {
            Some(read) => read,
            None => {
                if !*stop.borrow() {
                    return None;
                }
                let _ = io
                    .get_mut()
                    .write_all(&wire::bye("Server shutting down"))
                    .await;
                return None;
            }
        };
        match read {
            LineRead::Line => buffer.extend_from_slice(line),
            LineRead::TooLong => {
                return Some(session.unparsable(b"(command line too long)"));
            }
            LineRead::Eof => return None,
        }
        if buffer.len() > limit {
            return Some(session.unparsable(b"(command too large)"));
        }
        let decoded = CommandCodec::default().decode(&buffer);
        match decoded {
            Ok((_, command)) => return Some(session.command(command)),
            Err(CommandDecodeError::LiteralFound { tag, length, mode }) => {
                let tag = wire::tag(tag.as_ref());
                if length as usize > config.max_message_size {
                    let out = wire::status(
                        tag.as_ref(),
                        Kind::No,
                        Some(imap_codec::imap_types::response::Code::TooBig),
                        &format!(
                            "Literal of {length} bytes over the limit of {}",
                            config.max_message_size
                        ),
                    );
                    session.journal(
                        "literal",
                        &out,
                        vec![rules::TOO_LARGE.finding(format!("a literal of {length} bytes"))],
                    );
                    // A non-synchronising literal is on its way anyway: the stream cannot
                    // be resynchronised, so the session ends.
                    let next = if mode == LiteralMode::NonSync {
                        Next::Close
                    } else {
                        Next::Command
                    };
                    return Some(Outcome {
                        out,
                        next,
                        delay: None,
                    });
                }
                if mode == LiteralMode::Sync {
                    let stream = io.get_mut();
                    let ready = wire::continuation("Ready for literal data");
                    if stream.write_all(&ready).await.is_err() || stream.flush().await.is_err() {
                        return None;
                    }
                }
                let read = read_literal(io, u64::from(length), &mut buffer);
                match tokio::time::timeout(config.idle_timeout, read).await {
                    Ok(Ok(true)) => {}
                    _ => return None,
                }
            }
            Err(CommandDecodeError::Incomplete) => continue,
            Err(CommandDecodeError::Failed) => return Some(session.unparsable(&buffer)),
        }
    }
}

/// Appends a literal of `length` bytes to `buffer` as its bytes arrive: the announced
/// length is the client's word, so nothing is allocated ahead of the data (a client
/// announcing 20 MB and sending ten bytes costs ten bytes). `false` when the client closed
/// the connection before the end of the literal.
pub async fn read_literal<R: tokio::io::AsyncRead + Unpin>(
    reader: &mut R,
    length: u64,
    buffer: &mut Vec<u8>,
) -> std::io::Result<bool> {
    use tokio::io::AsyncReadExt as _;
    let read = reader.take(length).read_to_end(buffer).await?;
    Ok(read as u64 == length)
}

#[cfg(test)]
mod tests {
    use super::read_literal;

    #[tokio::test]
    async fn a_literal_is_allocated_as_it_arrives_not_at_its_announced_size() {
        let announced = 20 * 1024 * 1024;
        let mut client: &[u8] = b"ten bytes.";
        let mut buffer = b"A1 APPEND INBOX {20971520}\r\n".to_vec();
        let complete = read_literal(&mut client, announced, &mut buffer)
            .await
            .unwrap();
        assert!(!complete, "the client stopped after ten bytes");
        assert!(buffer.ends_with(b"ten bytes."));
        assert!(
            buffer.capacity() < 1024 * 1024,
            "{} bytes reserved for ten received",
            buffer.capacity()
        );
        let mut whole: &[u8] = b"abcdefNEXT";
        let mut buffer = Vec::new();
        assert!(read_literal(&mut whole, 6, &mut buffer).await.unwrap());
        assert_eq!(buffer, b"abcdef");
        assert_eq!(whole, b"NEXT", "nothing read past the literal");
    }
}
