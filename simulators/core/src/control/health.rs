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

/// The PKI's index: every credential with its files, under the PKI folder as an
/// absolute path (usable from any working directory).
pub async fn pki(State(bench): State<Bench>) -> Json<Value> {
    let pki = bench.pki();
    let dir = std::path::absolute(pki.dir()).unwrap_or_else(|_| pki.dir().to_path_buf());
    Json(json!({ "dir": dir, "index": pki.index() }))
}

/// One credential's PEM texts (`cert`, `key`, `chain`), or the CAs' (`ca`: `bundle`,
/// `crl`): for a software that cannot read the bench's folder (another machine, a
/// container without the volume).
pub async fn pem(
    State(bench): State<Bench>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Result<Json<Value>, super::ApiError> {
    let pki = bench.pki();
    let index = pki.index();
    let files: Vec<(&str, &str)> = if name == "ca" {
        vec![("bundle", &index.ca.bundle), ("crl", &index.ca.crl)]
    } else {
        let entry = index
            .credentials
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| {
                super::ApiError::NotFound(format!("no credential {name:?} in the PKI"))
            })?;
        vec![
            ("cert", &entry.files.cert),
            ("key", &entry.files.key),
            ("chain", &entry.files.chain),
        ]
    };
    let mut out = serde_json::Map::new();
    for (field, file) in files {
        let text = std::fs::read_to_string(pki.dir().join(file))
            .map_err(|e| super::ApiError::Internal(format!("{file}: {e}")))?;
        out.insert(field.to_string(), Value::from(text));
    }
    Ok(Json(Value::Object(out)))
}
