//! `POST /attestations`: what a person at the software under test saw and answered (the
//! manual driver), recorded in the journal as evidence, timestamped by the bench clock.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::error::ApiError;
use super::extract::JsonBody;
use crate::bench::Bench;
use crate::journal::{Exchange, Payload};

/// Journal service of attestations.
pub const SERVICE: &str = "operator";

/// Records an attestation (any JSON object: the instruction, the answers, the evidence
/// file's path and hash); answers with its record's id and time.
pub async fn attest(
    State(bench): State<Bench>,
    JsonBody(attestation): JsonBody<Value>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !attestation.is_object() {
        return Err(ApiError::BadRequest(
            "an attestation is a JSON object".into(),
        ));
    }
    let summary = json!({
        "action": attestation.get("action"),
        "evidence": attestation.get("evidence"),
    });
    let body = serde_json::to_vec(&attestation).unwrap_or_default();
    let record = bench.journal().append(
        Exchange::new(SERVICE, "attestation").request(
            Payload::new(body)
                .content_type("application/json")
                .summary(summary),
        ),
    )?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": record.id, "seq": record.seq, "time": record.time })),
    ))
}
