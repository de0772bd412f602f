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
    let mut stdin = BufReader::new(tokio::io::stdin());
    let mut stdout = tokio::io::stdout();
    let mut line = Vec::new();
    while let Some(fits) = next_line(&mut stdin, MAX_REQUEST, &mut line).await? {
        if fits && line.trim_ascii().is_empty() {
            continue;
        }
        let reply = if !fits {
            Reply::error("requête trop longue", Value::Null)
        } else {
            match serde_json::from_slice::<Request>(&line) {
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

/// Reads the next line of `reader` into `line` (LF removed), keeping at most `max` bytes
/// of it: `Some(true)` for a line, `Some(false)` for one over `max` (read to its end and
/// dropped, so the next request starts clean), `None` at the end of the input.
pub async fn next_line<R: tokio::io::AsyncBufRead + Unpin>(
    reader: &mut R,
    max: usize,
    line: &mut Vec<u8>,
) -> std::io::Result<Option<bool>> {
    line.clear();
    let mut fits = true;
    let mut seen = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok((seen && fits)
                .then_some(true)
                .or((seen && !fits).then_some(false)));
        }
        seen = true;
        let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if fits && line.len() + chunk.len() <= max {
            line.extend_from_slice(chunk);
        } else {
            fits = false;
            line.clear();
        }
        let used = done.unwrap_or(available.len());
        reader.consume(used);
        if done.is_some() {
            return Ok(Some(fits));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::next_line;

    #[tokio::test]
    async fn lines_are_read_bounded_and_an_overlong_one_is_skipped_whole() {
        let long = "x".repeat(100);
        let input = format!("{{\"a\":1}}\n{long}\n{{\"b\":2}}\nlast");
        let mut reader = tokio::io::BufReader::with_capacity(16, input.as_bytes());
        let mut line = Vec::new();
        assert_eq!(
            next_line(&mut reader, 50, &mut line).await.unwrap(),
            Some(true)
        );
        assert_eq!(line, b"{\"a\":1}");
        assert_eq!(
            next_line(&mut reader, 50, &mut line).await.unwrap(),
            Some(false)
        );
        assert!(line.len() <= 50, "never more than the limit held");
        assert_eq!(
            next_line(&mut reader, 50, &mut line).await.unwrap(),
            Some(true)
        );
        assert_eq!(line, b"{\"b\":2}");
        assert_eq!(
            next_line(&mut reader, 50, &mut line).await.unwrap(),
            Some(true)
        );
        assert_eq!(line, b"last");
        assert_eq!(next_line(&mut reader, 50, &mut line).await.unwrap(), None);
    }
}
