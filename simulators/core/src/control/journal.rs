//! `/journal`: query, stream (Server-Sent Events), verify, and read a record's bodies.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::error::ApiError;
use super::extract::QueryParams;
use crate::bench::Bench;
use crate::journal::{Query, Record, verify_file};

/// The largest body `GET /journal/records/{seq}/{part}` returns.
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// Records matching the query string (service, operation, scenario, rule, since, until,
/// after_seq, limit), oldest first.
pub async fn query(
    State(bench): State<Bench>,
    QueryParams(q): QueryParams<Query>,
) -> Result<Json<Value>, ApiError> {
    let records = bench.journal().query(&q)?;
    let records: Vec<&Record> = records.iter().map(|r| &**r).collect();
    Ok(Json(json!({ "count": records.len(), "records": records })))
}

/// New records matching the query string, as Server-Sent Events (`event: record`).
pub async fn stream(
    State(bench): State<Bench>,
    QueryParams(q): QueryParams<Query>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = bench.journal().subscribe();
    let stream = futures_util::stream::unfold((events, q), |(mut events, q)| async move {
        loop {
            match events.recv().await {
                Ok(record) if q.matches(&record) => {
                    return Some((Ok(record_event(&record)), (events, q)));
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => {
                    let event = Event::default()
                        .event("lagged")
                        .data(json!({ "missed": missed }).to_string());
                    return Some((Ok(event), (events, q)));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    // End with the bench, or a graceful shutdown would wait for the client forever.
    let stream = stream.take_until(bench.stopped());
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn record_event(record: &Arc<Record>) -> Event {
    Event::default()
        .event("record")
        .id(record.seq.to_string())
        .data(serde_json::to_string(&**record).unwrap_or_default())
}

/// Re-checks the journal's chain.
pub async fn verify(State(bench): State<Bench>) -> Result<Json<Value>, ApiError> {
    let path = bench.journal().path().to_path_buf();
    let report = tokio::task::spawn_blocking(move || verify_file(&path))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let problem = report.problem.as_ref().map(ToString::to_string);
    Ok(Json(
        json!({ "ok": report.is_ok(), "report": report, "problem_text": problem }),
    ))
}

/// The raw request or response bytes of record `seq`.
pub async fn body(
    State(bench): State<Bench>,
    Path((seq, part)): Path<(u64, String)>,
) -> Result<Response, ApiError> {
    let q = Query {
        after_seq: Some(seq.saturating_sub(1)),
        limit: Some(1),
        ..Query::default()
    };
    let record = bench
        .journal()
        .query(&q)?
        .into_iter()
        .find(|r| r.seq == seq)
        .ok_or_else(|| ApiError::NotFound(format!("no record {seq}")))?;
    let body = match part.as_str() {
        "request" => record.request.as_ref(),
        "response" => record.response.as_ref(),
        _ => {
            return Err(ApiError::NotFound(format!(
                "{part:?}: ask for `request` or `response`"
            )));
        }
    }
    .ok_or_else(|| ApiError::NotFound(format!("record {seq} has no {part}")))?;
    let bytes = bench
        .journal()
        .body(body, MAX_BODY)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let content_type = body
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}
