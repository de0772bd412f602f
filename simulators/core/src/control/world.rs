//! `/world`: read the world, add a patient, change a patient's DMP state, oppositions...

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::error::ApiError;
use super::extract::JsonBody;
use crate::bench::Bench;
use crate::world::{ChangeError, Patient, PatientChange};

impl From<ChangeError> for ApiError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::UnknownPatient(_) => Self::NotFound(e.to_string()),
            ChangeError::Invalid(_) => Self::Unprocessable(e.to_string()),
        }
    }
}

/// The whole world.
pub async fn get_world(State(bench): State<Bench>) -> Json<Value> {
    Json(serde_json::to_value(&*bench.world()).unwrap_or(Value::Null))
}

/// One patient.
pub async fn get_patient(
    State(bench): State<Bench>,
    Path(id): Path<String>,
) -> Result<Json<Patient>, ApiError> {
    bench
        .world()
        .patient(&id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no patient with id {id:?}")))
}

/// Adds a patient (checked like a world file).
pub async fn add_patient(
    State(bench): State<Bench>,
    JsonBody(patient): JsonBody<Patient>,
) -> Result<(StatusCode, Json<Patient>), ApiError> {
    let id = patient.id.clone();
    bench.change_world(|w| w.add_patient(patient.clone()))?;
    bench.record_control("world.add_patient", json!({ "patient": id }))?;
    Ok((StatusCode::CREATED, Json(patient)))
}

/// Changes a patient; returns it as it now is.
pub async fn change_patient(
    State(bench): State<Bench>,
    Path(id): Path<String>,
    JsonBody(change): JsonBody<PatientChange>,
) -> Result<Json<Patient>, ApiError> {
    let recorded = json!({ "patient": id, "change": change });
    bench.change_world(|w| w.change_patient(&id, change))?;
    bench.record_control("world.change_patient", recorded)?;
    let patient = bench.world().patient(&id).cloned();
    patient
        .map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("no patient with id {id:?}")))
}
