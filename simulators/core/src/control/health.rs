//! `GET /health` and `GET /pki`.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::bench::Bench;

/// Liveness, the running services and the journal's head.
pub async fn health(State(bench): State<Bench>) -> Json<Value> {
    let (records, head) = bench.journal().head();
    Json(json!({
        "status": "ok",
        "services": bench.services(),
        "journal": { "records": records, "head": head, "file": bench.journal().path() },
        "scenario": bench.journal().scenario(),
    }))
}

/// The PKI's index: every credential with its files.
pub async fn pki(State(bench): State<Bench>) -> Json<Value> {
    let pki = bench.pki();
    Json(json!({ "dir": pki.dir(), "index": pki.index() }))
}
