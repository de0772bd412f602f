//! The control API: one HTTP plane over every simulator of a bench (default
//! `127.0.0.1:8440`, all routes under `/api/v1`). JSON in and out; every error is JSON
//! with a message. Documented with curl examples in `docs/control-api.md`.
//!
//! Scenario steps use the same operations in-process through [`Bench`]; this HTTP form
//! serves simulators in other processes and users' own tests.

mod attestation;
mod clock;
mod error;
mod extract;
mod faults;
mod health;
mod journal;
mod scenario;
mod service;
mod world;

use axum::Router;
use axum::routing::{get, post};

use crate::bench::Bench;
pub use error::ApiError;

/// The control API's router, testable without a socket.
pub fn app(bench: Bench) -> Router {
    let api = Router::new()
        .route("/health", get(health::health))
        .route("/pki", get(health::pki))
        .route("/pki/pem/{name}", get(health::pem))
        .route("/world", get(world::get_world))
        .route("/world/patients", post(world::add_patient))
        .route(
            "/world/patients/{id}",
            get(world::get_patient).patch(world::change_patient),
        )
        .route(
            "/faults",
            get(faults::list).post(faults::arm).delete(faults::clear),
        )
        .route("/faults/{id}", axum::routing::delete(faults::disarm))
        .route("/journal", get(journal::query))
        .route("/journal/stream", get(journal::stream))
        .route("/journal/verify", get(journal::verify))
        .route("/journal/records/{seq}/{part}", get(journal::body))
        .route("/clock", get(clock::status))
        .route("/clock/freeze", post(clock::freeze))
        .route("/clock/advance", post(clock::advance))
        .route("/clock/resume", post(clock::resume))
        .route("/clock/reset", post(clock::reset))
        .route(
            "/scenario",
            get(scenario::current)
                .put(scenario::set)
                .delete(scenario::clear),
        )
        .route("/reset", post(scenario::reset))
        .route("/attestations", post(attestation::attest))
        .fallback(service::forward)
        .with_state(bench);
    Router::new()
        .nest("/api/v1", api)
        .fallback(|| async { ApiError::NotFound("the control API lives under /api/v1".into()) })
}

#[cfg(test)]
mod tests;
