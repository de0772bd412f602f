//! Pro Santé Connect simulator: the professionals' OpenID Connect provider, shaped like
//! the real Keycloak realm `esante-wallet` so that software configured for the sandbox
//! works against it by changing host names only.
//!
//! ```no_run
//! # async fn demo(bench: segur_core::bench::Bench) -> Result<(), segur_psc::PscError> {
//! let psc = segur_psc::PscSimulator::builder(bench).start().await?;
//! println!("issuer {}  authorize {}", psc.issuer(), psc.authorization_endpoint());
//! psc.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Where things live:
//! - [`app`]: the two hosts' routers (issuer and wallet);
//! - [`discovery`], [`authorize`], [`token`], [`userinfo`], [`introspect`], [`logout`],
//!   [`ciba`]: one module per endpoint;
//! - [`clients`]: client registry and authentication; [`claims`]: the professional's
//!   claims; [`tokens`]: minting; [`validation`]: the access-token check other
//!   simulators reuse;
//! - [`keys`], [`jws`]: RS256 keys, JWKS, signing; [`store`]: sessions, codes, tokens;
//! - [`control`]: who authenticates next, CIBA answers, key rotation;
//! - [`rules`]: the findings and their REM ids.

pub mod app;
pub mod authorize;
pub mod ciba;
pub mod claims;
pub mod clients;
pub mod config;
pub mod control;
pub mod discovery;
pub mod error;
pub mod exchange;
pub mod introspect;
pub mod jws;
pub mod keys;
pub mod logout;
pub mod realm;
pub mod reply;
pub mod rules;
pub mod store;
pub mod tampering;
pub mod token;
pub mod tokens;
pub mod userinfo;
pub mod validation;

#[cfg(test)]
mod testing;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, RwLock};

use futures_util::FutureExt;
use segur_core::bench::{Bench, RunningService, Service, ServiceContext, ServiceError};
use segur_core::tls::{self, ClientAuth, TlsError, TlsListener};
use thiserror::Error;
use tokio::task::JoinHandle;

pub use config::PscConfig;
pub use control::{ControlError, PscControl};
pub use keys::{KeyError, SigningKey};
pub use realm::{REALM_PATH, Realm};
pub use store::{CibaDecision, CibaPolicy, Directive};
pub use validation::{AccessToken, TokenError, TokenValidator};

/// The service name in the journal, the fault board and the endpoints file.
pub const SERVICE: &str = "psc";

/// Why the simulator did not start.
#[derive(Debug, Error)]
pub enum PscError {
    /// The TLS configuration could not be built from the PKI.
    #[error("PSC TLS: {0}")]
    Tls(#[from] TlsError),
    /// The realm key could not be made.
    #[error("PSC: {0}")]
    Key(#[from] KeyError),
    /// A port could not be bound.
    #[error("PSC: binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// Entry point: `PscSimulator::builder(bench)`.
pub struct PscSimulator;

impl PscSimulator {
    /// A builder for a simulator playing in `bench`.
    pub fn builder(bench: Bench) -> PscBuilder {
        PscBuilder {
            bench,
            config: PscConfig::default(),
            key: None,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            issuer_port: 0,
            wallet_port: 0,
        }
    }
}

/// Configures and starts a PSC simulator.
pub struct PscBuilder {
    /// The bench it plays in.
    bench: Bench,
    /// Lifetimes and limits.
    config: PscConfig,
    /// A signing key to start with (a new one is generated otherwise).
    key: Option<Arc<SigningKey>>,
    /// Address to bind.
    bind: IpAddr,
    /// Port of the issuer host (0: ephemeral).
    issuer_port: u16,
    /// Port of the wallet host (0: ephemeral).
    wallet_port: u16,
}

impl PscBuilder {
    /// Replaces the whole configuration.
    pub fn config(mut self, config: PscConfig) -> Self {
        self.config = config;
        self
    }

    /// Starts with this signing key instead of generating one (tests share one key:
    /// RSA generation takes a few hundred milliseconds).
    pub fn signing_key(mut self, key: Arc<SigningKey>) -> Self {
        self.key = Some(key);
        self
    }

    /// The address to listen on (loopback by default).
    pub fn bind(mut self, address: IpAddr) -> Self {
        self.bind = address;
        self
    }

    /// Fixed ports for the issuer and wallet hosts (0 for ephemeral ones).
    pub fn ports(mut self, issuer: u16, wallet: u16) -> Self {
        self.issuer_port = issuer;
        self.wallet_port = wallet;
        self
    }

    /// Binds both hosts and serves them until [`PscHandle::shutdown`]. Offers the
    /// [`TokenValidator`] to the bench's other simulators and mounts the control routes.
    pub async fn start(self) -> Result<PscHandle, PscError> {
        tls::install_crypto_provider();
        let key = match self.key {
            Some(k) => k,
            None => {
                let bits = self.config.rsa_bits;
                Arc::new(
                    tokio::task::spawn_blocking(move || SigningKey::generate(bits))
                        .await
                        .map_err(|e| KeyError::Generate(e.to_string()))??,
                )
            }
        };
        let mut listeners = Vec::new();
        for (port, client_auth) in [
            (self.issuer_port, ClientAuth::Optional),
            (self.wallet_port, ClientAuth::None),
        ] {
            let tls =
                tls::server_config(self.bench.pki(), SERVICE, client_auth, self.bench.clock())?;
            let addr = SocketAddr::new(self.bind, port);
            let listener = TlsListener::builder(tls)
                .journal(self.bench.journal().clone(), SERVICE)
                .bind(addr)
                .await
                .map_err(|source| PscError::Bind { addr, source })?;
            listeners.push(listener);
        }
        let base = |addr: SocketAddr| {
            let host = if addr.ip().is_unspecified() {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            } else {
                addr.ip()
            };
            format!("https://{}", SocketAddr::new(host, addr.port()))
        };
        let realm = Realm {
            bench: self.bench.clone(),
            config: Arc::new(self.config),
            keys: Arc::new(RwLock::new(keys::KeyRing::new(key))),
            store: Arc::default(),
            issuer: format!("{}{REALM_PATH}", base(listeners[0].local_addr())).into(),
            wallet: base(listeners[1].local_addr()).into(),
        };
        self.bench
            .provide(Arc::new(TokenValidator::new(realm.clone())));
        let control = PscControl::new(realm.clone());
        self.bench
            .mount_control(SERVICE, control::routes(control.clone()));

        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        let wallet_listener = listeners.pop().expect("two listeners");
        let issuer_listener = listeners.pop().expect("two listeners");
        for (listener, router) in [
            (issuer_listener, app::issuer(realm.clone())),
            (wallet_listener, app::wallet(realm.clone())),
        ] {
            tasks.push(tls::spawn_server(
                listener,
                router,
                stopped.clone(),
                "PSC host",
            ));
        }
        Ok(PscHandle {
            realm,
            control,
            stop,
            tasks,
        })
    }
}

/// A running PSC simulator.
pub struct PscHandle {
    /// The realm it serves.
    realm: Realm,
    /// Control over it.
    control: PscControl,
    /// Tells both hosts to stop.
    stop: tokio::sync::watch::Sender<bool>,
    /// The two serving tasks.
    tasks: Vec<JoinHandle<()>>,
}

impl PscHandle {
    /// The issuer (`https://127.0.0.1:port/auth/realms/esante-wallet`).
    pub fn issuer(&self) -> &str {
        &self.realm.issuer
    }

    /// The wallet host (`https://127.0.0.1:port`).
    pub fn wallet(&self) -> &str {
        &self.realm.wallet
    }

    /// The authorization endpoint (`{wallet}/auth`).
    pub fn authorization_endpoint(&self) -> String {
        self.realm.authorization_endpoint()
    }

    /// PSC's discovery document URL.
    pub fn discovery_url(&self) -> String {
        format!(
            "{}/.well-known/wallet-openid-configuration",
            self.realm.issuer
        )
    }

    /// Endpoint name → URL, as `serve` lists them (`issuer`, `wallet`).
    pub fn endpoints(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("issuer".to_string(), self.issuer().to_string()),
            ("wallet".to_string(), self.authorization_endpoint()),
        ])
    }

    /// Arranges authentications, CIBA answers, key rotations.
    pub fn control(&self) -> &PscControl {
        &self.control
    }

    /// Validates this realm's access tokens.
    pub fn validator(&self) -> TokenValidator {
        TokenValidator::new(self.realm.clone())
    }

    /// Stops both hosts gracefully.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// The simulator as `segur-bench serve` starts it: issuer at port base + 3, wallet at +4.
pub struct PscService {
    /// Lifetimes and limits.
    pub config: PscConfig,
    /// The realm key to start with; `None` generates one (RSA: slow, so a harness
    /// starting a realm per scenario shares one key).
    pub signing_key: Option<Arc<SigningKey>>,
}

impl Service for PscService {
    fn name(&self) -> &'static str {
        SERVICE
    }

    fn port_offset(&self) -> u16 {
        3
    }

    fn start(
        &self,
        ctx: ServiceContext,
    ) -> futures_util::future::BoxFuture<'static, Result<RunningService, ServiceError>> {
        let config = self.config.clone();
        let key = self.signing_key.clone();
        async move {
            let wallet_port = ctx.port_after(1);
            let mut builder = PscSimulator::builder(ctx.bench);
            if let Some(key) = key {
                builder = builder.signing_key(key);
            }
            let handle = builder
                .config(config)
                .bind(ctx.bind)
                .ports(ctx.port, wallet_port)
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
