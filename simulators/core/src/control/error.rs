//! The control API's one error type: every failure is JSON `{"error", "message"}` with
//! the right status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A control API failure.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request body or query could not be read.
    #[error("{0}")]
    BadRequest(String),
    /// The request was understood but refused (inconsistent world change, bad fault).
    #[error("{0}")]
    Unprocessable(String),
    /// No such thing.
    #[error("{0}")]
    NotFound(String),
    /// Wrong media type.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The bench failed (disk, journal).
    #[error("{0}")]
    Internal(String),
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    message: String,
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "refused"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "control API failure");
        }
        (
            status,
            Json(Body {
                error: code,
                message: self.to_string(),
            }),
        )
            .into_response()
    }
}

impl From<crate::journal::JournalError> for ApiError {
    fn from(e: crate::journal::JournalError) -> Self {
        Self::Internal(e.to_string())
    }
}
