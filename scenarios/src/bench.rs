//! The simulators of one scenario, started in process on ephemeral ports with their own
//! clock, world and fault board, writing to the run's journal under the scenario's tag.

use std::sync::Arc;

use segur_core::bench::{Bench, RunningService, Service, ServiceContext};
use segur_core::clock::Clock;
use segur_core::control;
use segur_core::journal::Journal;
use segur_core::pki::Pki;
use segur_core::world::World;
use tokio::task::JoinHandle;

/// What every scenario bench of a run shares.
#[derive(Clone)]
pub struct BenchTemplate {
    /// The world as loaded.
    pub world: World,
    /// The test PKI.
    pub pki: Pki,
    /// The run's journal.
    pub journal: Journal,
    /// One PSC realm key for the run (RSA generation costs more than a scenario).
    pub psc_key: Arc<segur_psc::SigningKey>,
}

/// A running scenario bench.
pub struct ScenarioBench {
    /// Its control API (`http://127.0.0.1:port`).
    pub control_url: String,
    /// The bench, for shutdown.
    bench: Bench,
    /// The control API task.
    control_task: JoinHandle<()>,
    /// The simulators.
    services: Vec<RunningService>,
}

impl BenchTemplate {
    /// A template over `world`, `pki` and the run's `journal`, with a new PSC realm key.
    pub async fn new(world: World, pki: Pki, journal: Journal) -> anyhow::Result<Self> {
        let psc_key =
            tokio::task::spawn_blocking(|| segur_psc::SigningKey::generate(2048)).await??;
        Ok(Self {
            world,
            pki,
            journal,
            psc_key: Arc::new(psc_key),
        })
    }

    /// The services a scenario bench runs.
    fn services(&self) -> Vec<Box<dyn Service>> {
        vec![
            Box::new(segur_insi::InsiService::default()),
            Box::new(segur_psc::PscService {
                config: segur_psc::PscConfig::default(),
                signing_key: Some(self.psc_key.clone()),
            }),
            Box::new(segur_dmp::DmpService::default()),
            Box::new(segur_mssante::MssanteService::default()),
            Box::new(segur_hl7::Hl7Service::default()),
            Box::new(segur_annuaire::AnnuaireService::default()),
        ]
    }

    /// Starts a bench for the scenario tagged `scenario`.
    pub async fn start(&self, scenario: &str) -> anyhow::Result<ScenarioBench> {
        let clock = Clock::new();
        let journal = self.journal.scoped(clock.clone(), scenario);
        let bench = Bench::new(self.world.clone(), clock, journal, self.pki.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let control_url = format!("http://{}", listener.local_addr()?);
        let stopped = bench.stopped();
        let app = control::app(bench.clone());
        let control_task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await;
        });
        let mut services = Vec::new();
        for service in self.services() {
            let ctx = ServiceContext {
                bench: bench.clone(),
                bind: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
                port: 0,
            };
            let running = service
                .start(ctx)
                .await
                .map_err(|e| anyhow::anyhow!("starting the {} simulator: {e}", service.name()))?;
            bench.register_service(service.name(), running.endpoints.clone());
            services.push(running);
        }
        Ok(ScenarioBench {
            control_url,
            bench,
            control_task,
            services,
        })
    }
}

impl std::fmt::Debug for ScenarioBench {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScenarioBench")
            .field("control", &self.control_url)
            .finish()
    }
}

impl ScenarioBench {
    /// Stops the simulators and the control API.
    pub async fn shutdown(self) {
        self.bench.begin_shutdown();
        for service in self.services {
            (service.shutdown)().await;
        }
        let _ = self.control_task.await;
        self.bench.release();
    }
}
