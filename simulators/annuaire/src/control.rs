//! Control routes under `/api/v1/annuaire`: what a scenario changes in the directory
//! after the software first read it (ANN/va1.02, va1.03: the software's record must
//! follow), and the directory as it stands.
//!
//! | route | body | effect |
//! |---|---|---|
//! | `POST /practitioners/{national_id}` | `{"family_name"?, "given_name"?, "mssante"?: address or null}` | the professional is renamed, their mailbox moved or removed |
//! | `POST /mailboxes/close` | `{"address"}` | the mailbox is closed: no entry lists it any more |
//! | `GET /directory` | | every Practitioner, PractitionerRole and Organization, as served |

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::Annuaire;
use crate::search::{self, Kind};

/// The routes, relative to `/api/v1/annuaire`.
pub fn routes(annuaire: Annuaire) -> Router {
    Router::new()
        .route("/practitioners/{national_id}", post(change_practitioner))
        .route("/mailboxes/close", post(close_mailbox))
        .route("/directory", get(directory))
        .with_state(annuaire)
}

/// A change of a professional's entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PractitionerChange {
    /// The family name they now practise under.
    #[serde(default)]
    pub family_name: Option<String>,
    /// The given name they now practise under.
    #[serde(default)]
    pub given_name: Option<String>,
    /// Their personal mailbox now: an address, or `null` for none (absent: unchanged).
    #[serde(default, deserialize_with = "present")]
    pub mssante: Option<Option<String>>,
}

/// Tells `"mssante": null` (no mailbox any more) from an absent field (unchanged).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn problem(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn change_practitioner(
    State(annuaire): State<Annuaire>,
    Path(national_id): Path<String>,
    Json(change): Json<PractitionerChange>,
) -> Response {
    let current = annuaire
        .directory()
        .practitioners
        .into_iter()
        .find(|p| p.national_id == national_id);
    let Some(current) = current else {
        return problem(
            StatusCode::NOT_FOUND,
            format!("no professional {national_id} in the directory"),
        );
    };
    let mut changes = annuaire
        .changes
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if change.family_name.is_some() || change.given_name.is_some() {
        changes.renamed.insert(
            national_id.clone(),
            (
                change.family_name.unwrap_or(current.family),
                change.given_name.unwrap_or(current.given),
            ),
        );
    }
    if let Some(mailbox) = change.mssante {
        changes.mailbox.insert(national_id, mailbox);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// A mailbox to close.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Close {
    /// Its address.
    pub address: String,
}

async fn close_mailbox(State(annuaire): State<Annuaire>, Json(close): Json<Close>) -> Response {
    if !close.address.contains('@') {
        return problem(
            StatusCode::BAD_REQUEST,
            format!("{:?} is not a mailbox address", close.address),
        );
    }
    annuaire
        .changes
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .closed
        .insert(close.address.to_ascii_lowercase());
    StatusCode::NO_CONTENT.into_response()
}

async fn directory(State(annuaire): State<Annuaire>) -> Response {
    let d = annuaire.directory();
    Json(json!({
        "Practitioner": search::all(&d, Kind::Practitioner),
        "PractitionerRole": search::all(&d, Kind::PractitionerRole),
        "Organization": search::all(&d, Kind::Organization),
    }))
    .into_response()
}
