//! The byte stream both mail protocols run on: plain TCP until STARTTLS (or TLS from the
//! first byte), lines read with a length limit and every read and write under a time
//! limit.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::MssFailure;

/// How long one read or write may take.
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest line accepted from a server (RFC 5321 allows 512 for replies; IMAP lines
/// around a literal stay short too).
const MAX_LINE: usize = 8192;

/// TCP, or TLS over TCP.
enum Stream {
    /// Before STARTTLS.
    Plain(TcpStream),
    /// After STARTTLS, or from the start (implicit TLS).
    Tls(Box<TlsStream<TcpStream>>),
    /// During the switch to TLS, or after a failed handshake: nothing more goes through.
    Closed,
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::NotConnected, "connection closed")
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Stream::Closed => Poll::Ready(Err(closed())),
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
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Stream::Closed => Poll::Ready(Err(closed())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Stream::Closed => Poll::Ready(Err(closed())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Stream::Closed => Poll::Ready(Err(closed())),
        }
    }
}

/// A connection to the operator.
pub struct Connection {
    /// The stream, buffered for line reads.
    stream: BufReader<Stream>,
    /// `host:port`, for error messages.
    peer: String,
    /// The host name checked against the server's certificate.
    host: String,
}

/// `scheme://host:port` → (`host`, `port`).
pub fn host_port(url: &str) -> Result<(String, u16), MssFailure> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (host, port) = rest
        .rsplit_once(':')
        .ok_or_else(|| MssFailure(format!("adresse de serveur sans port : {url}")))?;
    let port = port
        .trim_end_matches('/')
        .parse()
        .map_err(|_| MssFailure(format!("port invalide dans {url}")))?;
    Ok((host.trim_matches(['[', ']']).to_string(), port))
}

fn io_failure(peer: &str, what: &str, e: impl std::fmt::Display) -> MssFailure {
    MssFailure(format!("{peer} : {what} : {e}"))
}

impl Connection {
    /// Connects to `url`; with `tls`, the TLS handshake comes first (SMTPS, IMAPS).
    pub async fn open(url: &str, tls: Option<&Arc<ClientConfig>>) -> Result<Self, MssFailure> {
        let (host, port) = host_port(url)?;
        let peer = format!("{host}:{port}");
        let tcp = tokio::time::timeout(IO_TIMEOUT, TcpStream::connect((host.as_str(), port)))
            .await
            .map_err(|e| io_failure(&peer, "connexion", e))?
            .map_err(|e| io_failure(&peer, "connexion", e))?;
        let mut connection = Self {
            stream: BufReader::new(Stream::Plain(tcp)),
            peer,
            host,
        };
        if let Some(config) = tls {
            connection.start_tls(config).await?;
        }
        Ok(connection)
    }

    /// Whether TLS protects the stream.
    pub fn encrypted(&self) -> bool {
        matches!(self.stream.get_ref(), Stream::Tls(_))
    }

    /// Upgrades to TLS (after the server's go-ahead to STARTTLS). The server's certificate
    /// must chain to the configured CA and name the host; otherwise nothing more is sent.
    pub async fn start_tls(&mut self, config: &Arc<ClientConfig>) -> Result<(), MssFailure> {
        if !self.stream.buffer().is_empty() {
            // Bytes after the go-ahead would be injected before the handshake.
            return Err(MssFailure(format!(
                "{} : données reçues avant la négociation TLS",
                self.peer
            )));
        }
        let name = ServerName::try_from(self.host.clone())
            .map_err(|e| io_failure(&self.peer, "nom de serveur", e))?;
        let Stream::Plain(tcp) = std::mem::replace(self.stream.get_mut(), Stream::Closed) else {
            return Err(MssFailure(format!("{} : TLS déjà établi", self.peer)));
        };
        let tls = tokio::time::timeout(
            IO_TIMEOUT,
            TlsConnector::from(config.clone()).connect(name, tcp),
        )
        .await
        .map_err(|e| io_failure(&self.peer, "négociation TLS", e))?
        .map_err(|e| io_failure(&self.peer, "certificat ou négociation TLS refusés", e))?;
        *self.stream.get_mut() = Stream::Tls(Box::new(tls));
        Ok(())
    }

    /// The TLS protocol version in use (`TLSv1_3`…), once encrypted.
    pub fn tls_version(&self) -> Option<String> {
        match self.stream.get_ref() {
            Stream::Tls(s) => s.get_ref().1.protocol_version().map(|v| format!("{v:?}")),
            Stream::Plain(_) | Stream::Closed => None,
        }
    }

    /// Writes `bytes` and flushes.
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), MssFailure> {
        let write = async {
            self.stream.get_mut().write_all(bytes).await?;
            self.stream.get_mut().flush().await
        };
        tokio::time::timeout(IO_TIMEOUT, write)
            .await
            .map_err(|e| io_failure(&self.peer, "écriture", e))?
            .map_err(|e| io_failure(&self.peer, "écriture", e))
    }

    /// One line, without its CRLF.
    pub async fn line(&mut self) -> Result<String, MssFailure> {
        let mut line = Vec::new();
        let mut limited = (&mut self.stream).take(MAX_LINE as u64 + 2);
        let read = limited.read_until(b'\n', &mut line);
        let n = tokio::time::timeout(IO_TIMEOUT, read)
            .await
            .map_err(|e| io_failure(&self.peer, "lecture", e))?
            .map_err(|e| io_failure(&self.peer, "lecture", e))?;
        if n == 0 {
            return Err(MssFailure(format!(
                "{} : connexion fermée par le serveur",
                self.peer
            )));
        }
        if !line.ends_with(b"\n") {
            return Err(MssFailure(format!(
                "{} : ligne de plus de {MAX_LINE} octets",
                self.peer
            )));
        }
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        Ok(String::from_utf8_lossy(&line).into_owned())
    }

    /// Exactly `n` bytes (an IMAP literal), `n` at most `max`.
    pub async fn bytes(&mut self, n: usize, max: usize) -> Result<Vec<u8>, MssFailure> {
        if n > max {
            return Err(MssFailure(format!(
                "{} : message de {n} octets, au-delà de la limite de {max}",
                self.peer
            )));
        }
        let mut out = vec![0; n];
        tokio::time::timeout(IO_TIMEOUT, self.stream.read_exact(&mut out))
            .await
            .map_err(|e| io_failure(&self.peer, "lecture", e))?
            .map_err(|e| io_failure(&self.peer, "lecture", e))?;
        Ok(out)
    }

    /// `host:port`.
    pub fn peer(&self) -> &str {
        &self.peer
    }
}
