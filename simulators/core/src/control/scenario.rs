//! `/scenario` (the tag stamped on new records) and `/reset`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::ApiError;
use super::extract::JsonBody;
use crate::bench::Bench;

/// The current scenario tag.
pub async fn current(State(bench): State<Bench>) -> Json<Value> {
    Json(json!({ "scenario": bench.journal().scenario() }))
}

/// Body of `PUT /scenario`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetScenario {
    /// The scenario's name or tag (e.g. `INS/va1.52`).
    name: String,
}

/// Sets the scenario tag.
pub async fn set(
    State(bench): State<Bench>,
    JsonBody(SetScenario { name }): JsonBody<SetScenario>,
) -> Result<Json<Value>, ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::Unprocessable("`name` must not be empty".into()));
    }
    bench.journal().set_scenario(Some(name.clone()));
    bench.record_control("scenario.start", json!({ "scenario": name }))?;
    Ok(Json(json!({ "scenario": name })))
}

/// Clears the scenario tag.
pub async fn clear(State(bench): State<Bench>) -> Result<StatusCode, ApiError> {
    bench.record_control(
        "scenario.end",
        json!({ "scenario": bench.journal().scenario() }),
    )?;
    bench.journal().set_scenario(None);
    Ok(StatusCode::NO_CONTENT)
}

/// Resets world, faults, clock and scenario.
pub async fn reset(State(bench): State<Bench>) -> Result<StatusCode, ApiError> {
    bench.reset()?;
    Ok(StatusCode::NO_CONTENT)
}
