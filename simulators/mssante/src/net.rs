//! What both protocols share on the socket side: a stream that is plain until STARTTLS
//! and TLS after, bounded line reads, and the STARTTLS upgrade itself.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::ServerConfig;
use segur_core::finding::Finding;
use segur_core::journal::Exchange;
use segur_core::tls::{self, TlsPeer, TlsStream};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use crate::operator::Operator;

/// A client connection: plain TCP (before STARTTLS) or TLS.
pub enum Stream {
    /// Not encrypted yet.
    Plain(TcpStream),
    /// Encrypted (implicit TLS, or after STARTTLS).
    Tls(Box<TlsStream>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The outcome of a bounded line read.
#[derive(Debug, PartialEq, Eq)]
pub enum LineRead {
    /// A line, LF included, in the buffer.
    Line,
    /// The line was longer than the limit: what was read of it is dropped, up to its LF.
    TooLong,
    /// The client closed the connection.
    Eof,
}

/// Reads one line into `line` (cleared first), never holding more than `max` bytes.
pub async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    max: usize,
    line: &mut Vec<u8>,
) -> io::Result<LineRead> {
    line.clear();
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            // A partial last line is not a command: the client went away.
            return Ok(LineRead::Eof);
        }
        let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let used = chunk.len();
        if !too_long {
            if line.len() + used > max {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        reader.consume(used);
        if done {
            return Ok(if too_long {
                LineRead::TooLong
            } else {
                LineRead::Line
            });
        }
    }
}

/// Upgrades a plain connection after STARTTLS; the buffered TLS stream and the client as
/// TLS presents it (with its certificate, when it sent one). Bytes already buffered behind
/// the STARTTLS command would be read as if encrypted (CVE-2011-0411): that, like a failed
/// handshake, ends the session with the finding to journal. An armed `CERTIFICATE` fault
/// makes it present a certificate the client must refuse ([`Operator::impostor_tls`]).
pub async fn starttls(
    io: BufReader<Stream>,
    operator: &Operator,
    config: &Arc<ServerConfig>,
    address: SocketAddr,
    timeout: Duration,
) -> Result<(BufReader<Stream>, TlsPeer), Finding> {
    if !io.buffer().is_empty() {
        return Err(crate::rules::PROTOCOL
            .finding("data sent after STARTTLS before the TLS handshake (command injection)"));
    }
    let Stream::Plain(tcp) = io.into_inner() else {
        return Err(crate::rules::PROTOCOL.finding("STARTTLS on a channel already encrypted"));
    };
    let (config, impostor) = match operator.impostor_tls() {
        Some((what, impostor)) => (impostor, Some(what)),
        None => (
            operator.restricted_tls().unwrap_or_else(|| config.clone()),
            None,
        ),
    };
    let acceptor = TlsAcceptor::from(config);
    match tls::handshake(&acceptor, tcp, address, timeout).await {
        Ok((stream, peer)) => {
            if let Some(what) = impostor {
                operator.journal(
                    Exchange::new(crate::SERVICE, "STARTTLS (certificate fault)")
                        .peer(peer.to_journal())
                        .finding(crate::rules::CERTIFICATE_ACCEPTED.finding(format!(
                            "the client accepted {what}: it must trust only valid IGC Santé certificates"
                        ))),
                );
            }
            Ok((BufReader::new(Stream::Tls(Box::new(stream))), peer))
        }
        Err(e) if impostor.is_some() => Err(crate::rules::CERTIFICATE_REFUSED.finding(format!(
            "the client refused {} ({e}), as it must",
            impostor.unwrap_or_default()
        ))),
        Err(e) => {
            tracing::info!(%address, error = %e, "MSSanté: STARTTLS handshake failed");
            Err(tls::TLS_HANDSHAKE_REJECTED.finding(e.to_string()))
        }
    }
}
