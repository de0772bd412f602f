//! The socket side of an SMTP session: bounded line reads under an idle timeout, the DATA
//! phase, pipelining limits, STARTTLS (with the buffered-command injection check), and the
//! delays and drops a fault asks for.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::ServerConfig;
use segur_core::tls::TlsPeer;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::sync::watch;

use super::data::DataReader;
use super::reply::Reply;
use super::session::{Next, Session, Step};
use crate::net::{self, LineRead, Stream};
use crate::operator::Operator;
use crate::rules;

/// Serves one client until it quits, the session closes, or the simulator stops.
pub async fn serve(
    operator: Operator,
    stream: Stream,
    peer: TlsPeer,
    tls_config: Arc<ServerConfig>,
    mut stop: watch::Receiver<bool>,
) {
    let address: SocketAddr = peer.address;
    let implicit = matches!(stream, Stream::Tls(_));
    let config = operator.config.clone();
    let mut session = Session::new(operator.clone(), peer, implicit);
    let mut io = BufReader::new(stream);
    let mut line = Vec::with_capacity(512);
    let mut step = session.greeting();
    let mut pipelined = 0usize;
    loop {
        if let Some(delay) = step.delay {
            tokio::time::sleep(delay).await;
        }
        if step.next == Next::Drop {
            return;
        }
        if write(&mut io, &step).await.is_err() {
            return;
        }
        step = match step.next {
            Next::Close | Next::Drop => {
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
                        pipelined = 0;
                        Step {
                            replies: Vec::new(),
                            next: Next::Command,
                            delay: None,
                        }
                    }
                    Err(finding) => {
                        let closed = Reply::plain(0, "session ended at STARTTLS");
                        session.journal_event("SMTP STARTTLS", b"STARTTLS", &closed, vec![finding]);
                        return;
                    }
                }
            }
            Next::Data | Next::DataThenDrop => {
                let drop_after_first = step.next == Next::DataThenDrop;
                let mut reader = DataReader::new(config.max_message_size, config.max_text_line);
                loop {
                    let read = tokio::select! {
                        read = tokio::time::timeout(config.idle_timeout, net::read_line(&mut io, config.max_text_line, &mut line)) => read,
                        _ = stop.changed() => return,
                    };
                    let too_long = match read {
                        Ok(Ok(LineRead::Line)) => false,
                        Ok(Ok(LineRead::TooLong)) => true,
                        Ok(Ok(LineRead::Eof)) | Ok(Err(_)) | Err(_) => return,
                    };
                    if drop_after_first {
                        return;
                    }
                    if reader.line(&line, too_long) {
                        break;
                    }
                }
                session.data(reader.finish())
            }
            Next::Command | Next::AuthResponse => {
                if io.buffer().is_empty() {
                    pipelined = 0;
                } else {
                    pipelined += 1;
                }
                if pipelined > config.max_pipelined {
                    let reply = Reply::new(421, [4, 7, 0], "Too many pipelined commands, closing");
                    session.refuse(
                        reply.clone(),
                        rules::PROTOCOL.finding(format!(
                            "more than {} commands sent ahead of the replies",
                            config.max_pipelined
                        )),
                        b"PIPELINING",
                    );
                    let _ = io.get_mut().write_all(reply.to_wire().as_bytes()).await;
                    return;
                }
                let read = tokio::select! {
                    read = tokio::time::timeout(config.idle_timeout, net::read_line(&mut io, config.max_command_line, &mut line)) => read,
                    _ = stop.changed() => {
                        let bye = Reply::new(421, [4, 3, 2], "Server shutting down");
                        let _ = io.get_mut().write_all(bye.to_wire().as_bytes()).await;
                        return;
                    }
                };
                match read {
                    Ok(Ok(LineRead::Line)) => {
                        if !line.ends_with(b"\r\n") {
                            session.refuse(
                                Reply::new(
                                    500,
                                    [5, 5, 2],
                                    "Bare <LF> received: commands end with <CR><LF>",
                                ),
                                rules::PROTOCOL.finding("a command line ends with a bare LF"),
                                &line,
                            )
                        } else {
                            session.command(&line)
                        }
                    }
                    Ok(Ok(LineRead::TooLong)) => session.refuse(
                        Reply::new(
                            500,
                            [5, 5, 2],
                            format!("Line too long (at most {} octets)", config.max_command_line),
                        ),
                        rules::PROTOCOL.finding(format!(
                            "a command line longer than {} octets",
                            config.max_command_line
                        )),
                        b"(line too long)",
                    ),
                    Ok(Ok(LineRead::Eof)) | Ok(Err(_)) => return,
                    Err(_) => Step::then(
                        Reply::new(421, [4, 4, 2], "Idle timeout, closing"),
                        Next::Close,
                    ),
                }
            }
        };
    }
}

async fn write(io: &mut BufReader<Stream>, step: &Step) -> std::io::Result<()> {
    if step.replies.is_empty() {
        return Ok(());
    }
    let mut out = String::new();
    for reply in &step.replies {
        out.push_str(&reply.to_wire());
    }
    let stream = io.get_mut();
    stream.write_all(out.as_bytes()).await?;
    // With PIPELINING, replies to commands already buffered could wait; flushing each
    // keeps clients that do not pipeline simple, and costs little on loopback.
    stream.flush().await
}
