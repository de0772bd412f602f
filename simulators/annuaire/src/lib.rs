//! The Annuaire Santé: the national directory an LPS searches for a correspondent's
//! MSSanté address (ANN/va1.05, va1.06) and integrates professionals and structures from
//! (ANN/va1.01 to va1.04). Its FHIR API (`Practitioner`, `PractitionerRole`,
//! `Organization`, read with an `ESANTE-API-KEY`) and its public extraction
//! `PS_LibreAcces_Personne_activite`, over HTTPS, fed from the world, every call checked
//! and journaled.
//!
//! ```no_run
//! # async fn demo(bench: segur_core::bench::Bench) -> Result<(), segur_annuaire::AnnuaireError> {
//! let annuaire = segur_annuaire::AnnuaireSimulator::builder(bench).start().await?;
//! println!("FHIR API at {}", annuaire.endpoints()["fhir"]);
//! annuaire.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Where things live:
//! - [`directory`]: what the directory holds (the world, with a scenario's changes);
//! - [`resources`]: its entries as the IG's FHIR resources;
//! - [`search`]: FHIR search, sans I/O;
//! - [`extraction`]: the public extraction file;
//! - [`app`]: the HTTP routes, their checks and their journal;
//! - [`control`]: the changes a scenario makes;
//! - [`rules`]: every check's rule.

pub mod app;
pub mod control;
pub mod directory;
pub mod extraction;
pub mod resources;
pub mod rules;
pub mod search;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, RwLock};

use futures_util::FutureExt;
use segur_core::bench::{Bench, RunningService, Service, ServiceContext, ServiceError};
use segur_core::tls::{self, ClientAuth, TlsError, TlsListener};
use thiserror::Error;
use tokio::task::JoinHandle;

pub use app::API_KEY_HEADER;

/// The service name in the journal, the fault board and the endpoints file.
pub const SERVICE: &str = "annuaire";

/// The API key the directory issues to the software under test (the real one is
/// obtained from the ANS's API portal).
pub const API_KEY: &str = "segur-bench-annuaire-key";

/// Why the simulator did not start.
#[derive(Debug, Error)]
pub enum AnnuaireError {
    /// The TLS configuration could not be built.
    #[error("Annuaire: {0}")]
    Tls(#[from] TlsError),
    /// The port could not be bound.
    #[error("Annuaire: binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// How the directory serves.
#[derive(Debug, Clone)]
pub struct AnnuaireConfig {
    /// The key clients must present in `ESANTE-API-KEY`.
    pub api_key: String,
}

impl Default for AnnuaireConfig {
    fn default() -> Self {
        Self {
            api_key: API_KEY.to_string(),
        }
    }
}

/// What every route shares.
#[derive(Clone)]
pub struct Annuaire {
    /// World, clock, journal, faults.
    pub bench: Bench,
    /// Keys and limits.
    pub config: Arc<AnnuaireConfig>,
    /// What the scenario changed in the directory.
    pub changes: Arc<RwLock<directory::Changes>>,
    /// `https://host:port/fhir/v2`: the base of the links the Bundles give.
    pub base: Arc<str>,
}

/// Entry point: `AnnuaireSimulator::builder(bench)`.
pub struct AnnuaireSimulator;

impl AnnuaireSimulator {
    /// A builder for a directory in `bench`.
    pub fn builder(bench: Bench) -> AnnuaireBuilder {
        AnnuaireBuilder {
            bench,
            config: AnnuaireConfig::default(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
        }
    }
}

/// Configures and starts the directory.
pub struct AnnuaireBuilder {
    /// The bench it plays in.
    bench: Bench,
    /// Key.
    config: AnnuaireConfig,
    /// Address to bind.
    bind: IpAddr,
    /// Port; 0 for an ephemeral one.
    port: u16,
}

impl AnnuaireBuilder {
    /// Replaces the configuration.
    pub fn config(mut self, config: AnnuaireConfig) -> Self {
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

    /// Binds and serves until [`AnnuaireHandle::shutdown`].
    pub async fn start(self) -> Result<AnnuaireHandle, AnnuaireError> {
        tls::install_crypto_provider();
        let config = tls::server_config(
            self.bench.pki(),
            SERVICE,
            ClientAuth::None,
            self.bench.clock(),
        )?;
        let addr = SocketAddr::new(self.bind, self.port);
        let listener = TlsListener::builder(config)
            .journal(self.bench.journal().clone(), SERVICE)
            .bind(addr)
            .await
            .map_err(|source| AnnuaireError::Bind { addr, source })?;
        let local = listener.local_addr();
        let host = if local.ip().is_unspecified() {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            local.ip()
        };
        let origin = format!("https://{}", SocketAddr::new(host, local.port()));
        let annuaire = Annuaire {
            bench: self.bench.clone(),
            config: Arc::new(self.config),
            changes: Arc::default(),
            base: format!("{origin}/fhir/v2").into(),
        };
        self.bench
            .mount_control(SERVICE, control::routes(annuaire.clone()));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let task = tls::spawn_server(listener, app::app(annuaire.clone()), stopped, "Annuaire");
        let endpoints = BTreeMap::from([
            ("fhir".to_string(), annuaire.base.to_string()),
            (
                "extraction".to_string(),
                format!("{origin}/extractions/PS_LibreAcces.zip"),
            ),
        ]);
        Ok(AnnuaireHandle {
            annuaire,
            endpoints,
            stop,
            task,
        })
    }
}

/// A running directory.
pub struct AnnuaireHandle {
    /// Its state, for tests and the control routes.
    annuaire: Annuaire,
    /// `fhir` → the API base, `extraction` → the extraction's URL.
    endpoints: BTreeMap<String, String>,
    /// Tells the server to stop.
    stop: tokio::sync::watch::Sender<bool>,
    /// The serving task.
    task: JoinHandle<()>,
}

impl AnnuaireHandle {
    /// Endpoint name → URL.
    pub fn endpoints(&self) -> BTreeMap<String, String> {
        self.endpoints.clone()
    }

    /// The directory as it stands.
    pub fn directory(&self) -> directory::Directory {
        self.annuaire.directory()
    }

    /// Stops serving.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        let _ = self.task.await;
    }
}

/// The simulator as `segur-bench serve` starts it: HTTPS at port base + 11.
#[derive(Default)]
pub struct AnnuaireService {
    /// Key.
    pub config: AnnuaireConfig,
}

impl Service for AnnuaireService {
    fn name(&self) -> &'static str {
        SERVICE
    }

    fn port_offset(&self) -> u16 {
        11
    }

    fn start(
        &self,
        ctx: ServiceContext,
    ) -> futures_util::future::BoxFuture<'static, Result<RunningService, ServiceError>> {
        let config = self.config.clone();
        async move {
            let handle = AnnuaireSimulator::builder(ctx.bench)
                .config(config)
                .bind(ctx.bind)
                .port(ctx.port)
                .start()
                .await?;
            Ok(RunningService {
                endpoints: handle.endpoints(),
                shutdown: Box::new(move || handle.shutdown().boxed()),
            })
        }
        .boxed()
    }
}
