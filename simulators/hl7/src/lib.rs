//! The establishment's HL7 v2 partner: what a producer (DPI, RIS, SGL) sends its CDA
//! documents to when the PFI publishes them on the DMP and sends them by MSSanté, and what
//! a PFI sends its business acknowledgements to. One MLLP listener (plain TCP inside the
//! establishment, as the volet's messages travel), every message checked and journaled.
//!
//! ```no_run
//! # async fn demo(bench: segur_core::bench::Bench) -> Result<(), segur_hl7::Hl7Error> {
//! let partner = segur_hl7::Hl7Simulator::builder(bench).start().await?;
//! println!("MLLP on {}", partner.endpoints()["mllp"]);
//! partner.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Where things live:
//! - [`connection`]: the socket, MLLP blocks under a timeout and a size limit;
//! - [`answer`]: what a message is checked against and what it is answered (sans I/O);
//! - the message codec and the volet's rules: `segur_documents::hl7::{mllp, transport}`.

pub mod answer;
pub mod connection;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use futures_util::FutureExt;
use segur_core::bench::{Bench, RunningService, Service, ServiceContext, ServiceError};
use segur_core::tls::{ConnectionLimit, TlsPeer};
use segur_documents::hl7::transport::MAX_TRANSPORT_MESSAGE;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The service name in the journal, the fault board and the endpoints file.
pub const SERVICE: &str = "hl7";

/// Why the simulator did not start.
#[derive(Debug, Error)]
pub enum Hl7Error {
    /// The port could not be bound.
    #[error("HL7: binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Limits of the listener.
#[derive(Debug, Clone)]
pub struct Hl7Config {
    /// The largest message read (a CDA with its PDF, in base64).
    pub max_message: usize,
    /// How long a connection may stay silent.
    pub idle_timeout: Duration,
    /// Connections served at once; more are closed at once.
    pub max_connections: usize,
}

impl Default for Hl7Config {
    fn default() -> Self {
        Self {
            max_message: MAX_TRANSPORT_MESSAGE,
            idle_timeout: connection::IDLE_TIMEOUT,
            max_connections: 64,
        }
    }
}

/// Entry point: `Hl7Simulator::builder(bench)`.
pub struct Hl7Simulator;

impl Hl7Simulator {
    /// A builder for a partner playing in `bench`.
    pub fn builder(bench: Bench) -> Hl7Builder {
        Hl7Builder {
            bench,
            config: Hl7Config::default(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
        }
    }
}

/// Configures and starts the partner.
pub struct Hl7Builder {
    /// The bench it plays in.
    bench: Bench,
    /// Limits.
    config: Hl7Config,
    /// Address to bind.
    bind: IpAddr,
    /// Port; 0 for an ephemeral one.
    port: u16,
}

impl Hl7Builder {
    /// Replaces the limits.
    pub fn config(mut self, config: Hl7Config) -> Self {
        self.config = config;
        self
    }

    /// The address to listen on (loopback by default).
    pub fn bind(mut self, address: IpAddr) -> Self {
        self.bind = address;
        self
    }

    /// The port (0: ephemeral).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Binds and serves until [`Hl7Handle::shutdown`].
    pub async fn start(self) -> Result<Hl7Handle, Hl7Error> {
        let addr = SocketAddr::new(self.bind, self.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| Hl7Error::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| Hl7Error::Bind { addr, source })?;
        let (stop, stopped) = watch::channel(false);
        let limit = ConnectionLimit::new(self.config.max_connections);
        let (bench, config) = (self.bench, self.config);
        let task = tokio::spawn(async move {
            let mut stop = stopped.clone();
            loop {
                let (tcp, address) = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok(accepted) => accepted,
                        Err(e) => {
                            tracing::warn!(error = %e, "HL7: accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    },
                    _ = stop.changed() => return,
                };
                let Some(slot) = limit.try_slot() else {
                    segur_core::tls::journal_refusal(
                        bench.journal(),
                        SERVICE,
                        "connection-limit",
                        address,
                        segur_core::tls::TLS_CONNECTION_LIMIT.finding(limit.refusal()),
                    );
                    drop(tcp);
                    continue;
                };
                let (bench, config, stopped) = (bench.clone(), config.clone(), stopped.clone());
                tokio::spawn(async move {
                    let _slot = slot;
                    connection::serve(bench, config, tcp, TlsPeer::anonymous(address), stopped)
                        .await;
                });
            }
        });
        let host = if local.ip().is_unspecified() {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            local.ip()
        };
        let mut endpoints = BTreeMap::new();
        endpoints.insert(
            "mllp".to_string(),
            format!("mllp://{}", SocketAddr::new(host, local.port())),
        );
        Ok(Hl7Handle {
            endpoints,
            stop,
            task,
        })
    }
}

/// A running partner.
pub struct Hl7Handle {
    /// `mllp` → `mllp://127.0.0.1:port`.
    endpoints: BTreeMap<String, String>,
    /// Tells the listener and the connections to stop.
    stop: watch::Sender<bool>,
    /// The accept loop.
    task: JoinHandle<()>,
}

impl Hl7Handle {
    /// Endpoint name → URL.
    pub fn endpoints(&self) -> BTreeMap<String, String> {
        self.endpoints.clone()
    }

    /// The MLLP socket address.
    pub fn address(&self) -> SocketAddr {
        self.endpoints["mllp"]
            .trim_start_matches("mllp://")
            .parse()
            .expect("endpoints are mllp://ip:port")
    }

    /// Stops listening and ends the connections.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        let _ = self.task.await;
    }
}

/// The partner as `segur-bench serve` starts it: MLLP at the port base +10.
#[derive(Debug, Clone, Default)]
pub struct Hl7Service {
    /// Limits.
    pub config: Hl7Config,
}

impl Service for Hl7Service {
    fn name(&self) -> &'static str {
        SERVICE
    }

    fn port_offset(&self) -> u16 {
        10
    }

    fn start(
        &self,
        ctx: ServiceContext,
    ) -> futures_util::future::BoxFuture<'static, Result<RunningService, ServiceError>> {
        let config = self.config.clone();
        async move {
            let handle = Hl7Simulator::builder(ctx.bench)
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
