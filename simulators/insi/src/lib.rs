//! INSi simulator: the CNAM identity teleservice (`ServiceIdentiteCertifiee`, SOAP 1.2),
//! faithful to its WSDL, its codes and the CNDA test cases, so an LPS can be pointed at
//! it instead of the qualification service by changing only its URL and certificates.
//!
//! ```no_run
//! # async fn demo(bench: segur_core::bench::Bench) -> Result<(), segur_insi::InsiError> {
//! let insi = segur_insi::InsiSimulator::builder(bench).start().await?;
//! println!("mTLS: {}  CPx: {}", insi.mtls_url(), insi.cpx_url());
//! insi.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Where things live:
//! - [`app`]: the router (`POST /lps`, `GET /lps?wsdl`) and the order of checks;
//! - [`caller`]: the two ways in (mTLS `INSI-AUTO`/`INSI-MANU`, CPx card assertion);
//! - [`context`]: `ContexteLPS`, `ContexteBAM`, WS-Addressing headers;
//! - [`query`], [`search`], [`answer`]: the body, the matching, the `RESULTAT`;
//! - [`fault`]: the service's faults; [`rules`]: the findings and their REM ids.

// Checks return `Result<_, InsiFault>`: a fault is the cold path of a call, built once
// and written out at once, so boxing it would only add noise.
#![allow(clippy::result_large_err)]

pub mod answer;
pub mod app;
pub mod caller;
pub mod config;
pub mod context;
pub mod fault;
pub mod operation;
pub mod query;
pub mod request;
pub mod rules;
pub mod search;
pub mod wsdl;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use futures_util::FutureExt;
use segur_core::bench::{Bench, RunningService, Service, ServiceContext, ServiceError};
use segur_core::tls::{self, ClientAuth, TlsError, TlsListener};
use thiserror::Error;
use tokio::task::JoinHandle;

pub use app::{AppState, Door};
pub use config::{InsiConfig, SignaturePolicy, VerifyPolicy};
pub use operation::Operation;

/// The service name in the journal, the fault board and the endpoints file.
pub const SERVICE: &str = "insi";

/// Why the simulator did not start.
#[derive(Debug, Error)]
pub enum InsiError {
    /// The TLS configuration could not be built from the PKI.
    #[error("INSi TLS: {0}")]
    Tls(#[from] TlsError),
    /// A port could not be bound.
    #[error("INSi: binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Entry point: `InsiSimulator::builder(bench)`.
pub struct InsiSimulator;

impl InsiSimulator {
    /// A builder for a simulator playing in `bench`.
    pub fn builder(bench: Bench) -> InsiBuilder {
        InsiBuilder {
            bench,
            config: InsiConfig::default(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            mtls_port: 0,
            cpx_port: 0,
        }
    }
}

/// Configures and starts an INSi simulator.
pub struct InsiBuilder {
    /// The bench it plays in.
    bench: Bench,
    /// Policies and limits.
    config: InsiConfig,
    /// Address to bind.
    bind: IpAddr,
    /// Port of the mutual-TLS door (0: ephemeral).
    mtls_port: u16,
    /// Port of the CPx door (0: ephemeral).
    cpx_port: u16,
}

impl InsiBuilder {
    /// Replaces the whole configuration.
    pub fn config(mut self, config: InsiConfig) -> Self {
        self.config = config;
        self
    }

    /// How CPx assertion signatures are treated.
    pub fn signatures(mut self, policy: SignaturePolicy) -> Self {
        self.config.signatures = policy;
        self
    }

    /// What the verification operation does.
    pub fn verify(mut self, policy: VerifyPolicy) -> Self {
        self.config.verify = policy;
        self
    }

    /// The address to listen on (loopback by default).
    pub fn bind(mut self, address: IpAddr) -> Self {
        self.bind = address;
        self
    }

    /// Fixed ports for the mTLS and CPx doors (0 for ephemeral ones).
    pub fn ports(mut self, mtls: u16, cpx: u16) -> Self {
        self.mtls_port = mtls;
        self.cpx_port = cpx;
        self
    }

    /// Binds both doors and serves them until [`InsiHandle::shutdown`].
    pub async fn start(self) -> Result<InsiHandle, InsiError> {
        tls::install_crypto_provider();
        let config = Arc::new(self.config);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut urls = BTreeMap::new();
        let mut tasks = Vec::new();
        for (door, port, client_auth) in [
            (Door::Mtls, self.mtls_port, ClientAuth::Required),
            (Door::Cpx, self.cpx_port, ClientAuth::None),
        ] {
            let tls =
                tls::server_config(self.bench.pki(), SERVICE, client_auth, self.bench.clock())?;
            let addr = SocketAddr::new(self.bind, port);
            let listener = TlsListener::builder(tls)
                .journal(self.bench.journal().clone(), SERVICE)
                .bind(addr)
                .await
                .map_err(|source| InsiError::Bind { addr, source })?;
            let local = listener.local_addr();
            let host = if local.ip().is_unspecified() {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            } else {
                local.ip()
            };
            let endpoint = format!("https://{}/lps", SocketAddr::new(host, local.port()));
            urls.insert(door.endpoint().to_string(), endpoint.clone());
            let router = app::app(AppState {
                bench: self.bench.clone(),
                config: config.clone(),
                door,
                endpoint,
            });
            tasks.push(tls::spawn_server(
                listener,
                router,
                stopped.clone(),
                "INSi door",
            ));
        }
        Ok(InsiHandle { urls, stop, tasks })
    }
}

/// A running INSi simulator.
pub struct InsiHandle {
    /// Endpoint name (`mtls`, `cpx`) → URL.
    urls: BTreeMap<String, String>,
    /// Tells both doors to stop.
    stop: tokio::sync::watch::Sender<bool>,
    /// The two serving tasks.
    tasks: Vec<JoinHandle<()>>,
}

impl InsiHandle {
    /// URL of the mutual-TLS door (`https://127.0.0.1:port/lps`).
    pub fn mtls_url(&self) -> &str {
        &self.urls["mtls"]
    }

    /// URL of the CPx door.
    pub fn cpx_url(&self) -> &str {
        &self.urls["cpx"]
    }

    /// Endpoint name → URL.
    pub fn endpoints(&self) -> BTreeMap<String, String> {
        self.urls.clone()
    }

    /// Stops both doors, letting calls in flight finish.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// The INSi simulator as `segur-bench serve` starts it: the mTLS door at the port base +1,
/// the CPx door at +2.
#[derive(Debug, Clone, Default)]
pub struct InsiService {
    /// Policies and limits.
    pub config: InsiConfig,
}

impl Service for InsiService {
    fn name(&self) -> &'static str {
        SERVICE
    }

    fn port_offset(&self) -> u16 {
        1
    }

    fn start(
        &self,
        ctx: ServiceContext,
    ) -> futures_util::future::BoxFuture<'static, Result<RunningService, ServiceError>> {
        let config = self.config.clone();
        async move {
            let cpx_port = ctx.port_after(1);
            let handle = InsiSimulator::builder(ctx.bench)
                .config(config)
                .bind(ctx.bind)
                .ports(ctx.port, cpx_port)
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
