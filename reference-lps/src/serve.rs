//! The driver protocol's two transports: HTTP (`POST /v1/actions`, one JSON request,
//! one JSON reply) and stdio (one JSON request per line in, one reply per line out).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::Lps;
use crate::protocol::{Reply, Request};

/// Largest request accepted (a request carries parameters, not documents... yet).
const MAX_REQUEST: usize = 4 * 1024 * 1024;

/// The HTTP transport, testable without a socket.
pub fn app(lps: Lps) -> Router {
    Router::new()
        .route("/v1/actions", post(action))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(lps)
}

async fn action(State(lps): State<Lps>, body: axum::body::Bytes) -> (StatusCode, Json<Value>) {
    match serde_json::from_slice::<Request>(&body) {
        Ok(request) => (StatusCode::OK, Json(json!(lps.handle(request).await))),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!(Reply::error(
                format!("requête illisible: {e}"),
                Value::Null
            ))),
        ),
    }
}

/// Serves stdio until stdin closes. Requests run one at a time, in order.
pub async fn stdio(lps: Lps) -> std::io::Result<()> {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdout = tokio::io::stdout();
    while let Some(line) = lines.next_line().await? {
        if line.trim().is_empty() {
            continue;
        }
        let reply = if line.len() > MAX_REQUEST {
            Reply::error("requête trop longue", Value::Null)
        } else {
            match serde_json::from_str::<Request>(&line) {
                Ok(request) => lps.handle(request).await,
                Err(e) => Reply::error(format!("requête illisible: {e}"), Value::Null),
            }
        };
        let mut out = serde_json::to_vec(&reply).unwrap_or_default();
        out.push(b'\n');
        stdout.write_all(&out).await?;
        stdout.flush().await?;
    }
    Ok(())
}
