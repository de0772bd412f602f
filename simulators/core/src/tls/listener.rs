//! A TLS listener: accepts TCP connections up to a cap (beyond it a connection is closed
//! at once and journaled), runs each handshake in its own task under a time limit (a slow
//! client never holds up the others), journals refused handshakes, and yields established
//! connections with their [`TlsPeer`], each holding its place under the cap until closed.
//!
//! It implements axum's `Listener`, so HTTP simulators serve a router with
//! `axum::serve(listener, app.into_make_service_with_connect_info::<TlsPeer>())`; mail
//! simulators call [`TlsListener::next`] directly.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use super::{TLS_CONNECTION_LIMIT, TLS_HANDSHAKE_REJECTED, TlsError, TlsPeer};
use crate::journal::{Exchange, Journal, Peer};

/// An established server-side TLS stream.
pub type TlsStream = tokio_rustls::server::TlsStream<TcpStream>;

/// How long a client has to complete its handshake.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections a listener holds open at once by default (handshakes included).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Established connections waiting to be taken.
const BACKLOG: usize = 128;

/// Configures a [`TlsListener`].
pub struct TlsListenerBuilder {
    /// The server's TLS configuration.
    config: Arc<ServerConfig>,
    /// Where refused handshakes and connections are journaled, as which service.
    journal: Option<(Journal, String)>,
    /// How long a client has to complete its handshake.
    handshake_timeout: Duration,
    /// Connections open at once, beyond which new ones are closed: a client opening
    /// sockets without end must not exhaust the bench's memory or file descriptors.
    max_connections: usize,
}

/// A connection's place under its listener's cap, given back when dropped.
#[derive(Debug)]
pub struct ConnectionSlot {
    /// Held, never read: dropping it frees the place.
    _permit: OwnedSemaphorePermit,
}

/// A stream that holds its [`ConnectionSlot`] for as long as it lives.
#[derive(Debug)]
pub struct Capped<S> {
    /// The stream itself.
    stream: S,
    /// Its place under the cap.
    slot: ConnectionSlot,
}

impl<S> Capped<S> {
    /// The stream and its slot, for a caller that wraps the stream in its own type (keep
    /// the slot alive as long as the connection).
    pub fn into_parts(self) -> (S, ConnectionSlot) {
        (self.stream, self.slot)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Capped<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Capped<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// A cap on open connections, shared by a listener's accept loop and its connections.
#[derive(Debug, Clone)]
pub struct ConnectionLimit {
    /// One permit per connection allowed.
    permits: Arc<Semaphore>,
    /// The cap, for messages.
    max: usize,
}

impl ConnectionLimit {
    /// At most `max` connections at once.
    pub fn new(max: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max)),
            max,
        }
    }

    /// A slot for a new connection, or `None` when `max` are open.
    pub fn try_slot(&self) -> Option<ConnectionSlot> {
        self.permits
            .clone()
            .try_acquire_owned()
            .ok()
            .map(|permit| ConnectionSlot { _permit: permit })
    }

    /// Why a connection was refused, for the journal and the client.
    pub fn refusal(&self) -> String {
        format!(
            "{} connections are open, the most this listener holds: this one was closed",
            self.max
        )
    }
}

impl TlsListenerBuilder {
    /// Journals refused handshakes as exchanges of `service`.
    pub fn journal(mut self, journal: Journal, service: impl Into<String>) -> Self {
        self.journal = Some((journal, service.into()));
        self
    }

    /// Sets the handshake time limit.
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Holds at most `max` connections open at once (default [`DEFAULT_MAX_CONNECTIONS`]).
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }

    /// Binds and starts accepting.
    pub async fn bind(self, addr: SocketAddr) -> std::io::Result<TlsListener> {
        let tcp = TcpListener::bind(addr).await?;
        let local_addr = tcp.local_addr()?;
        let (tx, rx) = mpsc::channel(BACKLOG);
        let acceptor = TlsAcceptor::from(self.config);
        let task = tokio::spawn(accept_loop(
            tcp,
            acceptor,
            tx,
            self.journal,
            self.handshake_timeout,
            ConnectionLimit::new(self.max_connections),
        ));
        Ok(TlsListener {
            local_addr,
            established: rx,
            task,
        })
    }
}

/// A TLS listener; dropping it stops accepting.
pub struct TlsListener {
    /// Where it listens (the real port when bound to port 0).
    local_addr: SocketAddr,
    /// Connections whose handshake succeeded.
    established: mpsc::Receiver<(Capped<TlsStream>, TlsPeer)>,
    /// The accept loop, aborted on drop.
    task: JoinHandle<()>,
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TlsListener {
    /// A listener serving `config`.
    pub fn builder(config: Arc<ServerConfig>) -> TlsListenerBuilder {
        TlsListenerBuilder {
            config,
            journal: None,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }

    /// Where it listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The next established connection; `None` once the listener has stopped.
    pub async fn next(&mut self) -> Option<(Capped<TlsStream>, TlsPeer)> {
        self.established.recv().await
    }
}

/// Runs the server side of a handshake on an accepted TCP stream (also what STARTTLS
/// upgrades use).
pub async fn handshake(
    acceptor: &TlsAcceptor,
    tcp: TcpStream,
    address: SocketAddr,
    timeout: Duration,
) -> Result<(TlsStream, TlsPeer), TlsError> {
    match tokio::time::timeout(timeout, acceptor.accept(tcp)).await {
        Err(_) => Err(TlsError::Timeout(address.to_string())),
        Ok(Err(e)) => Err(TlsError::Handshake {
            peer: address.to_string(),
            reason: e.to_string(),
        }),
        Ok(Ok(stream)) => {
            let connection = stream.get_ref().1;
            let peer = TlsPeer::new(address, connection.peer_certificates()).negotiated(connection);
            Ok((stream, peer))
        }
    }
}

/// Journals, as an exchange `operation` of `service`, a connection from `address` refused
/// before any request (its handshake, the connection cap) with `finding`.
pub fn journal_refusal(
    journal: &Journal,
    service: &str,
    operation: &str,
    address: SocketAddr,
    finding: crate::finding::Finding,
) {
    let exchange = Exchange::new(service, operation)
        .peer(Peer {
            address: address.to_string(),
            cert_subject: None,
            cert_fingerprint: None,
        })
        .finding(finding);
    if let Err(e) = journal.append(exchange) {
        tracing::error!(error = %e, "could not journal a refused connection");
    }
}

async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    tx: mpsc::Sender<(Capped<TlsStream>, TlsPeer)>,
    journal: Option<(Journal, String)>,
    timeout: Duration,
    limit: ConnectionLimit,
) {
    loop {
        let (stream, address) = match tcp.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(slot) = limit.try_slot() else {
            let why = limit.refusal();
            tracing::warn!(%address, "{why}");
            drop(stream);
            if let Some((journal, service)) = &journal {
                journal_refusal(
                    journal,
                    service,
                    "connection-limit",
                    address,
                    TLS_CONNECTION_LIMIT.finding(why),
                );
            }
            continue;
        };
        let (acceptor, tx, journal) = (acceptor.clone(), tx.clone(), journal.clone());
        tokio::spawn(async move {
            match handshake(&acceptor, stream, address, timeout).await {
                Ok((stream, peer)) => {
                    // The listener was dropped: the connection just closes.
                    let _ = tx.send((Capped { stream, slot }, peer)).await;
                }
                Err(e) => {
                    tracing::info!(%address, error = %e, "TLS handshake refused");
                    if let Some((journal, service)) = &journal {
                        journal_refusal(
                            journal,
                            service,
                            "tls-handshake",
                            address,
                            TLS_HANDSHAKE_REJECTED.finding(e.to_string()),
                        );
                    }
                }
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = Capped<TlsStream>;
    type Addr = TlsPeer;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.next().await {
            Some(established) => established,
            // The accept loop never ends on its own; if it did, park: axum has no way to stop here.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(TlsPeer::anonymous(self.local_addr))
    }
}

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, TlsListener>>
    for TlsPeer
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, TlsListener>) -> Self {
        stream.remote_addr().clone()
    }
}
