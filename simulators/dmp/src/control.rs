//! The DMP's control routes, mounted under `/api/v1/dmp` of the control API:
//!
//! | route | effect |
//! |---|---|
//! | `GET /documents` | every document version: entryUUID, uniqueId, patient, status, confidentiality, author, classCode, typeCode, and whether it is a submission set's signature |
//! | `POST /documents` | deposits a CDA in a patient's DMP as a world professional fed it (`{"patient", "author", "cda": base64, "visibility"?: [TRE_A07], "replaces"?: uniqueId}`): what a consultation scenario finds there; `replaces` makes it the new version (RPLC) of a current document, which becomes Deprecated |
//! | `POST /documents/{uniqueId}/delete` | its author deletes the current version of a document from another software (status Deleted) |
//! | `GET /documents/{entryUUID}/content` | the bytes the software fed for that version, as received (`text/xml`) |
//! | `GET /patients/{ins}` | the patient's DMP: state, authorised and blocked professionals, médecin traitant |
//! | `POST /reset` | forgets every document and resets the patients to the world's state |
//!
//! Business errors (`DMPClosed`, `XDSRegistryError`...) and delays are armed through the
//! generic fault board (`POST /api/v1/faults` with `service: "dmp"` and an operation name
//! `TD0.2`, `TD2.1`...).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use segur_core::bench::Bench;

use crate::store::DmpStore;

#[derive(Clone)]
struct ControlState {
    bench: Bench,
    store: Arc<DmpStore>,
}

/// The routes, to mount at `/api/v1/dmp`.
pub fn routes(bench: Bench, store: Arc<DmpStore>) -> Router {
    Router::new()
        .route("/documents", get(documents).post(deposit))
        .route("/documents/{entry_uuid}/content", get(content))
        .route("/documents/{unique_id}/delete", post(delete))
        .route("/patients/{ins}", get(patient))
        .route("/reset", post(reset))
        .with_state(ControlState { bench, store })
}

async fn documents(State(s): State<ControlState>) -> Response {
    use segur_documents::ebrim::uuid;
    let state = s.store.read();
    let listed: Vec<serde_json::Value> = state
        .documents
        .iter()
        .map(|d| {
            let mut v = serde_json::to_value(d).unwrap_or_default();
            // A submission set's signature (IHE DSG) is not one of the patient's documents.
            v["signature"] = crate::xds::validate::is_signature(&d.entry).into();
            for (name, scheme) in [
                ("class_code", uuid::CLASS_CODE),
                ("type_code", uuid::TYPE_CODE),
            ] {
                v[name] = d
                    .entry
                    .classified(scheme)
                    .next()
                    .map(|c| serde_json::Value::from(c.code.clone()))
                    .unwrap_or_default();
            }
            v
        })
        .collect();
    Json(listed).into_response()
}

/// What `POST /documents` takes.
#[derive(serde::Deserialize)]
struct DepositRequest {
    /// The world patient (by id) whose DMP receives it.
    patient: String,
    /// The world professional who fed it.
    author: String,
    /// The CDA, base64.
    cda: String,
    /// TRE_A07 visibility codes.
    #[serde(default)]
    visibility: Vec<String>,
    /// The uniqueId of the current document it replaces (RPLC).
    #[serde(default)]
    replaces: Option<String>,
}

async fn deposit(State(s): State<ControlState>, Json(d): Json<DepositRequest>) -> Response {
    use base64::Engine as _;
    let bad = |why: String| {
        (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": why })),
        )
            .into_response()
    };
    let world = s.bench.world();
    let Some(ins) = world.patient(&d.patient).and_then(|p| p.ins.clone()) else {
        return bad(format!(
            "no world patient {:?} with an INS: the DMP knows patients by their INS",
            d.patient
        ));
    };
    let author = match crate::request::Caller::professional(&world, &d.author) {
        Ok(a) => a,
        Err(e) => return bad(format!("author {:?}: {e}", d.author)),
    };
    let Ok(cda) = base64::engine::general_purpose::STANDARD.decode(d.cda.trim()) else {
        return bad("cda: not base64".into());
    };
    s.store.follow_world(&s.bench);
    match crate::deposit::deposit(
        &s.store,
        &ins,
        author,
        cda.into(),
        &crate::deposit::DepositOptions {
            visibility: d.visibility,
            replaces: d.replaces,
        },
        s.bench.clock().now(),
    ) {
        Ok(deposited) => (
            StatusCode::CREATED,
            Json(serde_json::to_value(deposited).unwrap_or_default()),
        )
            .into_response(),
        Err(why) => bad(why),
    }
}

async fn delete(State(s): State<ControlState>, Path(unique_id): Path<String>) -> Response {
    match crate::deposit::delete(&s.store, &unique_id) {
        Ok(entry_uuid) => Json(serde_json::json!({
            "unique_id": unique_id,
            "entry_uuid": entry_uuid,
            "status": segur_documents::ebrim::status::DELETED,
        }))
        .into_response(),
        Err(why) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "error": why })),
        )
            .into_response(),
    }
}

/// The stored bytes of one version: what the bench's steps check a fed document on.
async fn content(State(s): State<ControlState>, Path(entry_uuid): Path<String>) -> Response {
    let state = s.store.read();
    match state.by_entry_uuid(&entry_uuid) {
        Some(i) => {
            let d = &state.documents[i];
            (
                [(axum::http::header::CONTENT_TYPE, d.mime_type.clone())],
                d.content.clone(),
            )
                .into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": format!("no document version with entryUUID {entry_uuid}")})),
        )
            .into_response(),
    }
}

async fn patient(State(s): State<ControlState>, Path(ins): Path<String>) -> Response {
    s.store.follow_world(&s.bench);
    let state = s.store.read();
    match state.patients.get(&ins) {
        Some(p) => Json(serde_json::to_value(p).unwrap_or_default()).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": format!("no patient with INS {ins} (matricule and key, 15 characters)")})),
        )
            .into_response(),
    }
}

async fn reset(State(s): State<ControlState>) -> Response {
    let now = s.bench.clock().now();
    s.store.reseed(&s.bench.world(), now);
    StatusCode::NO_CONTENT.into_response()
}
