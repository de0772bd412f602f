//! `/clock`: read, freeze, advance, resume, reset the bench time.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

use super::error::ApiError;
use super::extract::JsonBody;
use crate::bench::Bench;
use crate::clock::ClockStatus;

/// Journals a clock change with the resulting status, and answers that status.
fn answer(
    bench: &Bench,
    operation: &str,
    mut detail: serde_json::Value,
) -> Result<Json<ClockStatus>, ApiError> {
    let status = bench.clock().status();
    detail["status"] = serde_json::to_value(&status).unwrap_or_default();
    bench.record_control(operation, detail)?;
    Ok(Json(status))
}

/// The clock's mode and time.
pub async fn status(State(bench): State<Bench>) -> Json<ClockStatus> {
    Json(bench.clock().status())
}

/// Body of `POST /clock/freeze`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Freeze {
    /// Instant to freeze at (RFC 3339); now if absent.
    #[serde(default, with = "time::serde::rfc3339::option")]
    at: Option<OffsetDateTime>,
}

/// Freezes time; the body is optional.
pub async fn freeze(
    State(bench): State<Bench>,
    body: Bytes,
) -> Result<Json<ClockStatus>, ApiError> {
    let Freeze { at } = if body.iter().all(u8::is_ascii_whitespace) {
        Freeze::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))?
    };
    bench.clock().freeze(at);
    answer(&bench, "clock.freeze", json!({}))
}

/// Body of `POST /clock/advance`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// Seconds to move forward (negative: back).
    seconds: i64,
}

/// Moves time.
pub async fn advance(
    State(bench): State<Bench>,
    JsonBody(Advance { seconds }): JsonBody<Advance>,
) -> Result<Json<ClockStatus>, ApiError> {
    bench.clock().advance(time::Duration::seconds(seconds));
    answer(&bench, "clock.advance", json!({ "seconds": seconds }))
}

/// Lets a frozen clock run again.
pub async fn resume(State(bench): State<Bench>) -> Result<Json<ClockStatus>, ApiError> {
    bench.clock().resume();
    answer(&bench, "clock.resume", json!({}))
}

/// Back to the system time.
pub async fn reset(State(bench): State<Bench>) -> Result<Json<ClockStatus>, ApiError> {
    bench.clock().reset();
    answer(&bench, "clock.reset", json!({}))
}
