//! A TLS listener: accepts TCP connections, runs each handshake in its own task under a
//! time limit (a slow client never holds up the others), journals refused handshakes, and
//! yields established connections with their [`TlsPeer`].
//!
//! It implements axum's `Listener`, so HTTP simulators serve a router with
//! `axum::serve(listener, app.into_make_service_with_connect_info::<TlsPeer>())`; mail
//! simulators call [`TlsListener::next`] directly.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use super::{TLS_HANDSHAKE_REJECTED, TlsError, TlsPeer};
use crate::journal::{Exchange, Journal, Peer};

/// An established server-side TLS stream.
pub type TlsStream = tokio_rustls::server::TlsStream<TcpStream>;

/// How long a client has to complete its handshake.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Established connections waiting to be taken.
const BACKLOG: usize = 128;

/// Configures a [`TlsListener`].
pub struct TlsListenerBuilder {
    config: Arc<ServerConfig>,
    journal: Option<(Journal, String)>,
    handshake_timeout: Duration,
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
    established: mpsc::Receiver<(TlsStream, TlsPeer)>,
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
        }
    }

    /// Where it listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The next established connection; `None` once the listener has stopped.
    pub async fn next(&mut self) -> Option<(TlsStream, TlsPeer)> {
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
            let peer = TlsPeer::new(address, stream.get_ref().1.peer_certificates());
            Ok((stream, peer))
        }
    }
}

async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    tx: mpsc::Sender<(TlsStream, TlsPeer)>,
    journal: Option<(Journal, String)>,
    timeout: Duration,
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
        let (acceptor, tx, journal) = (acceptor.clone(), tx.clone(), journal.clone());
        tokio::spawn(async move {
            match handshake(&acceptor, stream, address, timeout).await {
                Ok(established) => {
                    // The listener was dropped: the connection just closes.
                    let _ = tx.send(established).await;
                }
                Err(e) => {
                    tracing::info!(%address, error = %e, "TLS handshake refused");
                    if let Some((journal, service)) = journal {
                        let exchange = Exchange::new(service, "tls-handshake")
                            .peer(Peer {
                                address: address.to_string(),
                                cert_subject: None,
                                cert_fingerprint: None,
                            })
                            .finding(TLS_HANDSHAKE_REJECTED.finding(e.to_string()));
                        if let Err(e) = journal.append(exchange) {
                            tracing::error!(error = %e, "could not journal a refused handshake");
                        }
                    }
                }
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream;
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
