//! The state one bench shares between its simulators and its control API, and the
//! contract a simulator fulfils to be started by `segur-bench serve`.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use futures_util::future::BoxFuture;

use crate::clock::Clock;
use crate::faults::FaultBoard;
use crate::journal::{Exchange, Journal, Payload};
use crate::pki::Pki;
use crate::world::{ChangeError, World};

/// A cheaply clonable handle on one bench: world, clock, journal, faults, PKI.
#[derive(Clone, Debug)]
pub struct Bench {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// The world as scenarios changed it.
    world: RwLock<World>,
    /// The world as loaded, restored by `reset`.
    initial_world: World,
    /// Bumped at every change of the world (and at reset), so a simulator that keeps its
    /// own state seeded from the world (the DMP's records) knows when to follow it.
    generation: std::sync::atomic::AtomicU64,
    /// Bench time.
    clock: Clock,
    /// Every exchange.
    journal: Journal,
    /// Armed faults.
    faults: FaultBoard,
    /// Certificates.
    pki: Pki,
    /// Running services and their endpoints, for `health` and the endpoints file.
    services: RwLock<BTreeMap<String, BTreeMap<String, String>>>,
    /// Values one simulator offers the others, by type (the PSC token validator the
    /// MSSanté operator checks bearer tokens with).
    extensions: RwLock<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
    /// Control routes a simulator adds under `/api/v1/<service>/` (PSC's "who
    /// authenticates next", CIBA approvals, key rotation).
    control_routes: RwLock<BTreeMap<String, axum::Router>>,
    /// Set when the bench stops, so long-lived streams (SSE) end and a graceful
    /// shutdown does not wait for them forever.
    stopping: tokio::sync::watch::Sender<bool>,
}

impl Bench {
    /// A bench over these parts. The journal should read the same `clock`.
    pub fn new(world: World, clock: Clock, journal: Journal, pki: Pki) -> Self {
        Self {
            inner: Arc::new(Inner {
                world: RwLock::new(world.clone()),
                initial_world: world,
                generation: std::sync::atomic::AtomicU64::new(0),
                clock,
                journal,
                faults: FaultBoard::new(),
                pki,
                services: RwLock::new(BTreeMap::new()),
                extensions: RwLock::new(HashMap::new()),
                control_routes: RwLock::new(BTreeMap::new()),
                stopping: tokio::sync::watch::Sender::new(false),
            }),
        }
    }

    /// Reads the world (hold the guard briefly: writers wait).
    pub fn world(&self) -> RwLockReadGuard<'_, World> {
        self.inner.world.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes the world through `change`; a refused change leaves it as it was.
    pub fn change_world<T>(
        &self,
        change: impl FnOnce(&mut World) -> Result<T, ChangeError>,
    ) -> Result<T, ChangeError> {
        let mut world = self.inner.world.write().unwrap_or_else(|e| e.into_inner());
        let changed = change(&mut world)?;
        self.inner
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        Ok(changed)
    }

    /// How many times the world has changed since the bench started: a simulator
    /// compares it with the generation it last followed.
    pub fn world_generation(&self) -> u64 {
        self.inner
            .generation
            .load(std::sync::atomic::Ordering::Acquire)
    }

    /// The bench clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The journal.
    pub fn journal(&self) -> &Journal {
        &self.inner.journal
    }

    /// The fault board.
    pub fn faults(&self) -> &FaultBoard {
        &self.inner.faults
    }

    /// The test PKI.
    pub fn pki(&self) -> &Pki {
        &self.inner.pki
    }

    /// Declares a running service and its endpoints (name → URL).
    pub fn register_service(&self, name: &str, endpoints: BTreeMap<String, String>) {
        self.inner
            .services
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string(), endpoints);
    }

    /// Running services and their endpoints.
    pub fn services(&self) -> BTreeMap<String, BTreeMap<String, String>> {
        self.inner
            .services
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Offers `value` to the other simulators of this bench, replacing an earlier one of
    /// the same type.
    pub fn provide<T: Any + Send + Sync>(&self, value: Arc<T>) {
        self.inner
            .extensions
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(TypeId::of::<T>(), value);
    }

    /// The value of type `T` a simulator offered, if one did.
    pub fn extension<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        let value = self
            .inner
            .extensions
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&TypeId::of::<T>())?
            .clone();
        value.downcast().ok()
    }

    /// Serves `routes` under the control API's `/api/v1/<service>/`. The router sees
    /// paths relative to that prefix (`/ciba/{id}/approve`).
    pub fn mount_control(&self, service: &str, routes: axum::Router) {
        self.inner
            .control_routes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(service.to_string(), routes);
    }

    /// The control routes `service` mounted.
    pub fn control_routes(&self, service: &str) -> Option<axum::Router> {
        self.inner
            .control_routes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(service)
            .cloned()
    }

    /// Announces that the bench is stopping: long-lived streams end.
    pub fn begin_shutdown(&self) {
        self.inner.stopping.send_replace(true);
    }

    /// Once its services stopped: drops what they left with the bench, the control routes
    /// they mounted and the values they provided. Those hold the simulators' state, which
    /// holds this bench: without this, a stopped bench (one per scenario in a run) is
    /// never freed.
    pub fn release(&self) {
        self.inner
            .control_routes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.inner
            .extensions
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Resolves once [`Bench::begin_shutdown`] was called.
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + Send + use<> {
        let mut stopping = self.inner.stopping.subscribe();
        async move {
            // Err: the bench is gone, which is a stop too.
            let _ = stopping.wait_for(|stopped| *stopped).await;
        }
    }

    /// Back to the start: world as loaded, no faults, real time, no scenario. The journal
    /// is append-only, so the reset itself is recorded in it.
    pub fn reset(&self) -> Result<(), crate::journal::JournalError> {
        *self.inner.world.write().unwrap_or_else(|e| e.into_inner()) =
            self.inner.initial_world.clone();
        self.inner
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        self.inner.faults.clear();
        self.inner.clock.reset();
        self.inner.journal.set_scenario(None);
        self.record_control("reset", serde_json::json!({}))
    }

    /// Journals a change made through the control plane, so the evidence shows how the
    /// world was set up.
    pub fn record_control(
        &self,
        operation: &str,
        detail: serde_json::Value,
    ) -> Result<(), crate::journal::JournalError> {
        let body = serde_json::to_vec(&detail).unwrap_or_default();
        let exchange = Exchange::new("control", operation).request(
            Payload::new(body)
                .content_type("application/json")
                .summary(detail),
        );
        self.inner.journal.append(exchange).map(|_| ())
    }
}

/// Where and how a service is started.
#[derive(Clone, Debug)]
pub struct ServiceContext {
    /// The bench it plays in.
    pub bench: Bench,
    /// Address to bind (loopback unless told otherwise).
    pub bind: IpAddr,
    /// Port to bind; 0 for an ephemeral one.
    pub port: u16,
}

impl ServiceContext {
    /// The port `n` above this service's own (0 stays 0: ephemeral ports everywhere),
    /// for a service that listens on several ports.
    pub fn port_after(&self, n: u16) -> u16 {
        if self.port == 0 {
            0
        } else {
            self.port.saturating_add(n)
        }
    }
}

/// A started service.
pub struct RunningService {
    /// Endpoint name → URL (e.g. `soap` → `https://127.0.0.1:8441/lps`).
    pub endpoints: BTreeMap<String, String>,
    /// Stops it gracefully.
    pub shutdown: Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send>,
}

/// Why a service did not start.
pub type ServiceError = Box<dyn std::error::Error + Send + Sync>;

/// A simulator `segur-bench serve` knows how to start. Each simulator crate provides one
/// and the harness lists them in its registry.
pub trait Service: Send + Sync {
    /// Registered name (`insi`, `dmp`, `mssante`, `psc`).
    fn name(&self) -> &'static str;
    /// Offset from the port base when ports are fixed (control is at +0).
    fn port_offset(&self) -> u16;
    /// Starts it.
    fn start(
        &self,
        ctx: ServiceContext,
    ) -> BoxFuture<'static, Result<RunningService, ServiceError>>;
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::Bench;
    use crate::clock::Clock;
    use crate::journal::Journal;
    use crate::pki::Pki;
    use crate::world::World;

    /// A simulator's control routes and provided values hold the bench; once released, a
    /// stopped bench is freed (it leaked, one per scenario, before).
    #[test]
    fn a_released_bench_is_freed() {
        let dir = tempfile::tempdir().unwrap();
        let world = World::embedded().unwrap();
        let pki = Pki::create(
            &dir.path().join("pki"),
            &world,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
        let clock = Clock::new();
        let journal = Journal::open(&dir.path().join("journal"), clock.clone()).unwrap();
        let bench = Bench::new(world, clock, journal, pki);
        let weak = Arc::downgrade(&bench.inner);
        bench.mount_control(
            "demo",
            axum::Router::new()
                .route("/", axum::routing::get(|| async { "ok" }))
                .with_state(bench.clone()),
        );
        bench.provide(Arc::new(bench.clone()));
        bench.begin_shutdown();
        bench.release();
        drop(bench);
        assert!(weak.upgrade().is_none(), "the bench outlived its release");
    }
}
