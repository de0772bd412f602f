//! MSSanté operator simulator: what a mail client or an LPS connects to with its usual
//! settings. SMTP submission with STARTTLS and on implicit TLS, IMAP4rev1 with STARTTLS
//! and on implicit TLS, authentication by mailbox type (client certificate for APP
//! mailboxes, Pro Santé Connect token for PER and ORG mailboxes, a documented test
//! password), trust-space addressing including the patients' `<INS>@patient.mssante.fr`,
//! and the checks of every submitted message (`X-MSS-*` headers, IHE_XDM and its CDA).
//!
//! ```no_run
//! # async fn demo(bench: segur_core::bench::Bench) -> Result<(), segur_mssante::MssanteError> {
//! let operator = segur_mssante::MssanteSimulator::builder(bench).start().await?;
//! println!("submission on {}", operator.endpoints()["smtp"]);
//! operator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Where things live:
//! - [`smtp`]: the SMTP session (sans I/O), one function per command, the connection;
//! - [`imap`]: the IMAP session (sans I/O, commands parsed by `imap-codec`), FETCH, SEARCH;
//! - [`auth`]: SASL payloads and who may open which mailbox;
//! - [`submission`]: the checks on a submitted message; [`receipts`]: MDN and DSN;
//! - [`directory`]: where an address leads; [`mailbox`]: folders, UIDs, flags;
//! - [`operator`]: delivery and journaling; [`control`]: the inbound feed and mailbox views;
//! - [`rules`]: the findings and their REM ids.

// Authentication returns `Result<_, Refusal>`: a refusal is the cold path, built once
// and journaled.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod config;
pub mod control;
pub mod directory;
pub mod imap;
pub mod mailbox;
pub mod net;
pub mod operator;
pub mod receipts;
pub mod rules;
pub mod smtp;
pub mod submission;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use futures_util::FutureExt;
use rustls::ServerConfig;
use segur_core::bench::{Bench, RunningService, Service, ServiceContext, ServiceError};
use segur_core::tls::{
    self, ClientAuth, ConnectionLimit, ConnectionSlot, TlsError, TlsListener, TlsPeer,
};
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{MssanteConfig, TEST_PASSWORD};
pub use mailbox::MailStore;
pub use operator::Operator;

/// The service name in the journal, the fault board and the endpoints file.
pub const SERVICE: &str = "mssante";

/// Why the simulator did not start.
#[derive(Debug, Error)]
pub enum MssanteError {
    /// The TLS configuration could not be built from the PKI.
    #[error("MSSanté TLS: {0}")]
    Tls(#[from] TlsError),
    /// A port could not be bound.
    #[error("MSSanté: binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Entry point: `MssanteSimulator::builder(bench)`.
pub struct MssanteSimulator;

impl MssanteSimulator {
    /// A builder for an operator playing in `bench`.
    pub fn builder(bench: Bench) -> MssanteBuilder {
        MssanteBuilder {
            bench,
            config: MssanteConfig::default(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
        }
    }
}

/// Configures and starts an operator.
pub struct MssanteBuilder {
    /// The bench it plays in.
    bench: Bench,
    /// Limits and policies.
    config: MssanteConfig,
    /// Address to bind.
    bind: IpAddr,
    /// First of the four ports (SMTP, SMTPS, IMAP, IMAPS follow); 0 for ephemeral ones.
    port: u16,
}

/// Which protocol a listener speaks, and whether TLS comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    /// SMTP submission with STARTTLS.
    Smtp,
    /// SMTP submission on implicit TLS.
    Smtps,
    /// IMAP with STARTTLS.
    Imap,
    /// IMAP on implicit TLS.
    Imaps,
}

impl Endpoint {
    const ALL: [Endpoint; 4] = [Self::Smtp, Self::Smtps, Self::Imap, Self::Imaps];

    fn name(self) -> &'static str {
        match self {
            Self::Smtp => "smtp",
            Self::Smtps => "smtps",
            Self::Imap => "imap",
            Self::Imaps => "imaps",
        }
    }

    fn implicit_tls(self) -> bool {
        matches!(self, Self::Smtps | Self::Imaps)
    }

    fn offset(self) -> u16 {
        match self {
            Self::Smtp => 0,
            Self::Smtps => 1,
            Self::Imap => 2,
            Self::Imaps => 3,
        }
    }
}

impl MssanteBuilder {
    /// Replaces the whole configuration.
    pub fn config(mut self, config: MssanteConfig) -> Self {
        self.config = config;
        self
    }

    /// The address to listen on (loopback by default).
    pub fn bind(mut self, address: IpAddr) -> Self {
        self.bind = address;
        self
    }

    /// The SMTP port; SMTPS, IMAP and IMAPS take the next three (0: ephemeral ports).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Binds the four ports and serves until [`MssanteHandle::shutdown`]. The mailboxes are
    /// published on the bench (`bench.extension::<MailStore>()`) and the control routes
    /// mounted at `/api/v1/mssante`.
    pub async fn start(self) -> Result<MssanteHandle, MssanteError> {
        tls::install_crypto_provider();
        let store = Arc::new(MailStore::new());
        self.bench.provide(store.clone());
        let operator = Operator {
            bench: self.bench.clone(),
            config: Arc::new(self.config),
            store: store.clone(),
        };
        self.bench
            .mount_control(SERVICE, control::routes(operator.clone()));
        // Client certificates are asked for, not required: APP mailboxes authenticate with
        // one (EXTERNAL), PER and ORG mailboxes with a token. A certificate not issued by
        // the test CA, expired or revoked, fails the handshake.
        let tls_config = tls::server_config(
            self.bench.pki(),
            SERVICE,
            ClientAuth::Optional,
            self.bench.clock(),
        )?;
        let (stop, stopped) = watch::channel(false);
        let mut endpoints = BTreeMap::new();
        let mut tasks = Vec::new();
        for endpoint in Endpoint::ALL {
            let port = if self.port == 0 {
                0
            } else {
                self.port.saturating_add(endpoint.offset())
            };
            let addr = SocketAddr::new(self.bind, port);
            let (local, task) = listen(
                endpoint,
                addr,
                operator.clone(),
                tls_config.clone(),
                stopped.clone(),
            )
            .await?;
            let host = if local.ip().is_unspecified() {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            } else {
                local.ip()
            };
            let scheme = endpoint.name();
            endpoints.insert(
                scheme.to_string(),
                format!("{scheme}://{}", SocketAddr::new(host, local.port())),
            );
            tasks.push(task);
        }
        Ok(MssanteHandle {
            endpoints,
            operator,
            stop,
            tasks,
        })
    }
}

async fn listen(
    endpoint: Endpoint,
    addr: SocketAddr,
    operator: Operator,
    tls_config: Arc<ServerConfig>,
    stopped: watch::Receiver<bool>,
) -> Result<(SocketAddr, JoinHandle<()>), MssanteError> {
    let bind_error = |source| MssanteError::Bind { addr, source };
    if endpoint.implicit_tls() {
        let mut listener = TlsListener::builder(tls_config.clone())
            .journal(operator.bench.journal().clone(), SERVICE)
            .handshake_timeout(operator.config.handshake_timeout)
            .max_connections(operator.config.max_connections)
            .bind(addr)
            .await
            .map_err(bind_error)?;
        let local = listener.local_addr();
        let task = tokio::spawn(async move {
            let mut stop = stopped.clone();
            loop {
                let (stream, peer) = tokio::select! {
                    next = listener.next() => match next {
                        Some(accepted) => accepted,
                        None => return,
                    },
                    _ = stop.changed() => return,
                };
                let (stream, slot) = stream.into_parts();
                spawn_session(
                    endpoint,
                    operator.clone(),
                    net::Stream::Tls(Box::new(stream)),
                    peer,
                    tls_config.clone(),
                    stopped.clone(),
                    slot,
                );
            }
        });
        Ok((local, task))
    } else {
        let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
        let local = listener.local_addr().map_err(bind_error)?;
        let limit = ConnectionLimit::new(operator.config.max_connections);
        let task = tokio::spawn(async move {
            let mut stop = stopped.clone();
            loop {
                let (tcp, address) = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok(accepted) => accepted,
                        Err(e) => {
                            tracing::warn!(error = %e, "MSSanté: accept failed");
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                            continue;
                        }
                    },
                    _ = stop.changed() => return,
                };
                let Some(slot) = limit.try_slot() else {
                    refuse_connection(&operator, endpoint, tcp, address, limit.refusal());
                    continue;
                };
                spawn_session(
                    endpoint,
                    operator.clone(),
                    net::Stream::Plain(tcp),
                    TlsPeer::anonymous(address),
                    tls_config.clone(),
                    stopped.clone(),
                    slot,
                );
            }
        });
        Ok((local, task))
    }
}

/// Tells a client over the cap so, in its protocol (SMTP `421 4.7.0`, IMAP `* BYE`), then
/// closes; journaled.
fn refuse_connection(
    operator: &Operator,
    endpoint: Endpoint,
    mut tcp: tokio::net::TcpStream,
    address: SocketAddr,
    why: String,
) {
    tracing::warn!(%address, "MSSanté: {why}");
    let reply = match endpoint {
        Endpoint::Smtp | Endpoint::Smtps => {
            format!(
                "421 4.7.0 {} Too many connections, try again later\r\n",
                operator.config.hostname
            )
        }
        Endpoint::Imap | Endpoint::Imaps => {
            "* BYE Too many connections, try again later\r\n".to_string()
        }
    };
    tls::journal_refusal(
        operator.bench.journal(),
        SERVICE,
        "connection-limit",
        address,
        tls::TLS_CONNECTION_LIMIT.finding(why),
    );
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt as _;
        let write = async {
            tcp.write_all(reply.as_bytes()).await?;
            tcp.shutdown().await
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), write).await;
    });
}

fn spawn_session(
    endpoint: Endpoint,
    operator: Operator,
    stream: net::Stream,
    peer: TlsPeer,
    tls_config: Arc<ServerConfig>,
    stopped: watch::Receiver<bool>,
    slot: ConnectionSlot,
) {
    tokio::spawn(async move {
        // The connection's place under the cap, given back when the session ends.
        let _slot = slot;
        match endpoint {
            Endpoint::Smtp | Endpoint::Smtps => {
                smtp::connection::serve(operator, stream, peer, tls_config, stopped).await
            }
            Endpoint::Imap | Endpoint::Imaps => {
                imap::connection::serve(operator, stream, peer, tls_config, stopped).await
            }
        }
    });
}

/// A running operator.
pub struct MssanteHandle {
    /// `smtp`, `smtps`, `imap`, `imaps` → `scheme://127.0.0.1:port`.
    endpoints: BTreeMap<String, String>,
    /// The shared state (mailboxes, bench).
    operator: Operator,
    /// Tells the listeners and sessions to stop.
    stop: watch::Sender<bool>,
    /// The accept loops.
    tasks: Vec<JoinHandle<()>>,
}

impl MssanteHandle {
    /// Endpoint name → URL (`smtp://127.0.0.1:8446`).
    pub fn endpoints(&self) -> BTreeMap<String, String> {
        self.endpoints.clone()
    }

    /// The socket address of one endpoint (`smtp`, `smtps`, `imap`, `imaps`).
    pub fn address(&self, endpoint: &str) -> SocketAddr {
        self.endpoints[endpoint]
            .split_once("://")
            .and_then(|(_, a)| a.parse().ok())
            .expect("endpoints are scheme://ip:port")
    }

    /// The mailboxes.
    pub fn store(&self) -> &Arc<MailStore> {
        &self.operator.store
    }

    /// The operator (to feed mail in, or inspect).
    pub fn operator(&self) -> &Operator {
        &self.operator
    }

    /// Stops listening and ends the sessions.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// The operator as `segur-bench serve` starts it: SMTP at the port base +6, SMTPS +7,
/// IMAP +8, IMAPS +9.
#[derive(Debug, Clone, Default)]
pub struct MssanteService {
    /// Limits and policies.
    pub config: MssanteConfig,
}

impl Service for MssanteService {
    fn name(&self) -> &'static str {
        SERVICE
    }

    fn port_offset(&self) -> u16 {
        6
    }

    fn start(
        &self,
        ctx: ServiceContext,
    ) -> futures_util::future::BoxFuture<'static, Result<RunningService, ServiceError>> {
        let config = self.config.clone();
        async move {
            let handle = MssanteSimulator::builder(ctx.bench)
                .config(config)
                .bind(ctx.bind)
                .port(ctx.port)
                .start()
                .await?;
            let endpoints = handle.endpoints();
            Ok(RunningService {
                endpoints,
                shutdown: Box::new(move || handle.shutdown().boxed()),
            })
        }
        .boxed()
    }
}
