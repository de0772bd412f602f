//! `/faults`: arm, list and disarm faults.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::error::ApiError;
use super::extract::JsonBody;
use crate::bench::Bench;
use crate::faults::{ArmedFault, FaultSpec};

/// Every armed fault, oldest first.
pub async fn list(State(bench): State<Bench>) -> Json<Vec<ArmedFault>> {
    Json(bench.faults().list())
}

/// Arms a fault.
pub async fn arm(
    State(bench): State<Bench>,
    JsonBody(spec): JsonBody<FaultSpec>,
) -> Result<(StatusCode, Json<ArmedFault>), ApiError> {
    let armed = bench
        .faults()
        .arm(spec)
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    bench.record_control(
        "faults.arm",
        serde_json::to_value(&armed).unwrap_or(Value::Null),
    )?;
    Ok((StatusCode::CREATED, Json(armed)))
}

/// Disarms one fault.
pub async fn disarm(
    State(bench): State<Bench>,
    Path(id): Path<u64>,
) -> Result<StatusCode, ApiError> {
    if bench.faults().disarm(id) {
        bench.record_control("faults.disarm", json!({ "id": id }))?;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("no armed fault with id {id}")))
    }
}

/// Disarms every fault.
pub async fn clear(State(bench): State<Bench>) -> Result<StatusCode, ApiError> {
    bench.faults().clear();
    bench.record_control("faults.clear", json!({}))?;
    Ok(StatusCode::NO_CONTENT)
}
