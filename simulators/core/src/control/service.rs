//! `/api/v1/<service>/...`: the control routes a simulator mounted on the bench
//! ([`Bench::mount_control`]), reached through the one control plane.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

use super::ApiError;
use crate::bench::Bench;

/// Hands the request to the router of the service its first path segment names, with
/// that segment removed; anything else is a 404 naming the documentation.
pub async fn forward(State(bench): State<Bench>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let trimmed = path.trim_start_matches('/');
    let (service, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    let Some(routes) = bench.control_routes(service) else {
        return ApiError::NotFound(format!(
            "no such route: {path} (see docs/control-api.md; running services: {})",
            bench
                .services()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into_response();
    };
    let (mut parts, body) = request.into_parts();
    let query = parts
        .uri
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    parts.uri = match format!("/{rest}{query}").parse::<Uri>() {
        Ok(uri) => uri,
        Err(e) => return ApiError::BadRequest(format!("path {path}: {e}")).into_response(),
    };
    match routes
        .oneshot(Request::from_parts(parts, Body::new(body)))
        .await
    {
        Ok(response) => response,
        Err(never) => match never {},
    }
}
