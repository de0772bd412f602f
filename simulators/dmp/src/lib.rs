//! DMP simulator: the shared medical record's services for professional software (LPS),
//! as the official DMP kit calls them: `/si-dmp-server/v2/services/{registry,repository,
//! patients,habilitations}` over mutual TLS, SOAP 1.2 with WS-Addressing, the VIHF on every
//! call, XDS.b with MTOM/XOP.
//!
//! ```no_run
//! # async fn demo(bench: segur_core::bench::Bench) -> Result<(), segur_dmp::DmpError> {
//! let dmp = segur_dmp::DmpSimulator::builder(bench).start().await?;
//! println!("DMP services under {}", dmp.base_url());
//! dmp.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Where things live:
//! - [`app`]: the router and the order of checks; [`transport`]: plain SOAP or MTOM/XOP;
//! - [`vihf`]: the VIHF (attributes, validity, signature and its certificate);
//! - [`operation`]: the TD transactions and their actions;
//! - [`patients`]: TD0.2, TD0.3, TD0.4, TD1.x; [`xds`]: ITI-41, ITI-18, ITI-43, ITI-57;
//! - [`store`]: patients and documents; [`control`]: the control routes;
//! - [`fault`]: SOAP faults; [`rules`]: the findings and their REM ids.

// Checks return `Result<_, DmpFault>`: a fault is the cold path, built once and written out.
#![allow(clippy::result_large_err)]

pub mod app;
pub mod config;
pub mod control;
pub mod deposit;
pub mod exchange;
pub mod fault;
pub mod operation;
pub mod patients;
pub mod request;
pub mod rules;
pub mod store;
pub mod transport;
pub mod vihf;
pub mod xds;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use futures_util::FutureExt;
use segur_core::bench::{Bench, RunningService, Service, ServiceContext, ServiceError};
use segur_core::tls::{self, ClientAuth, TlsError, TlsListener};
use thiserror::Error;
use tokio::task::JoinHandle;

pub use app::{AppState, BASE_PATH};
pub use config::{CdaPolicy, DmpConfig, VihfSignatures};
pub use store::DmpStore;

/// The service name in the journal, the fault board and the endpoints file.
pub const SERVICE: &str = "dmp";

/// Why the simulator did not start.
#[derive(Debug, Error)]
pub enum DmpError {
    /// The TLS configuration could not be built from the PKI.
    #[error("DMP TLS: {0}")]
    Tls(#[from] TlsError),
    /// The port could not be bound.
    #[error("DMP: binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Entry point: `DmpSimulator::builder(bench)`.
pub struct DmpSimulator;

impl DmpSimulator {
    /// A builder for a simulator playing in `bench`.
    pub fn builder(bench: Bench) -> DmpBuilder {
        DmpBuilder {
            bench,
            config: DmpConfig::default(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
        }
    }
}

/// Configures and starts a DMP simulator.
pub struct DmpBuilder {
    /// The bench it plays in.
    bench: Bench,
    /// Policies and limits.
    config: DmpConfig,
    /// Address to bind.
    bind: IpAddr,
    /// Port (0: ephemeral).
    port: u16,
}

impl DmpBuilder {
    /// Replaces the whole configuration.
    pub fn config(mut self, config: DmpConfig) -> Self {
        self.config = config;
        self
    }

    /// How VIHF signatures are treated.
    pub fn vihf_signatures(mut self, policy: VihfSignatures) -> Self {
        self.config.vihf_signatures = policy;
        self
    }

    /// The address to listen on (loopback by default).
    pub fn bind(mut self, address: IpAddr) -> Self {
        self.bind = address;
        self
    }

    /// A fixed port (0 for an ephemeral one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Binds and serves until [`DmpHandle::shutdown`]. The store is published on the bench
    /// (`bench.extension::<DmpStore>()`) and its control routes mounted at `/api/v1/dmp`.
    pub async fn start(self) -> Result<DmpHandle, DmpError> {
        tls::install_crypto_provider();
        let store = Arc::new(DmpStore::from_world(
            &self.bench.world(),
            self.bench.clock().now(),
            &self.config.repository_unique_id,
        ));
        self.bench.provide(store.clone());
        self.bench
            .mount_control(SERVICE, control::routes(self.bench.clone(), store.clone()));
        let tls_config = tls::server_config(
            self.bench.pki(),
            SERVICE,
            ClientAuth::Required,
            self.bench.clock(),
        )?;
        let addr = SocketAddr::new(self.bind, self.port);
        let listener = TlsListener::builder(tls_config)
            .journal(self.bench.journal().clone(), SERVICE)
            .bind(addr)
            .await
            .map_err(|source| DmpError::Bind { addr, source })?;
        let local = listener.local_addr();
        let host = if local.ip().is_unspecified() {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            local.ip()
        };
        let base_url = format!("https://{}{BASE_PATH}", SocketAddr::new(host, local.port()));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let router = app::app(AppState {
            bench: self.bench.clone(),
            config: Arc::new(self.config),
            store: store.clone(),
            signatures: Default::default(),
        });
        let task = tls::spawn_server(listener, router, stopped, "DMP");
        Ok(DmpHandle {
            base_url,
            store,
            stop,
            task,
        })
    }
}

/// A running DMP simulator.
pub struct DmpHandle {
    /// `https://127.0.0.1:port/si-dmp-server/v2/services`.
    base_url: String,
    /// Patients and documents.
    store: Arc<DmpStore>,
    /// Tells the server to stop.
    stop: tokio::sync::watch::Sender<bool>,
    /// The serving task.
    task: JoinHandle<()>,
}

impl DmpHandle {
    /// The base URL of the four services.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The URL of one service (`registry`, `repository`, `patients`, `habilitations`).
    pub fn url(&self, service: &str) -> String {
        format!("{}/{service}", self.base_url)
    }

    /// The store, to seed or inspect.
    pub fn store(&self) -> &Arc<DmpStore> {
        &self.store
    }

    /// Endpoint name → URL.
    pub fn endpoints(&self) -> BTreeMap<String, String> {
        BTreeMap::from([("base".to_string(), self.base_url.clone())])
    }

    /// Stops serving, letting calls in flight finish.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        let _ = self.task.await;
    }
}

/// The DMP simulator as `segur-bench serve` starts it, at the port base +5.
#[derive(Debug, Clone, Default)]
pub struct DmpService {
    /// Policies and limits.
    pub config: DmpConfig,
}

impl Service for DmpService {
    fn name(&self) -> &'static str {
        SERVICE
    }

    fn port_offset(&self) -> u16 {
        5
    }

    fn start(
        &self,
        ctx: ServiceContext,
    ) -> futures_util::future::BoxFuture<'static, Result<RunningService, ServiceError>> {
        let config = self.config.clone();
        async move {
            let handle = DmpSimulator::builder(ctx.bench)
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
