//! The HTTP transport: `POST {base}/v1/actions` with the request as JSON.

use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use super::{Context, Driver, DriverError, Reply, Request, quote};

/// How long one action may take (an INSi call, a PSC login with CIBA polling...).
pub const ACTION_TIMEOUT: Duration = Duration::from_secs(120);
/// The largest reply read.
const MAX_REPLY: usize = 16 * 1024 * 1024;

/// A driver reached over HTTP.
#[derive(Debug, Clone)]
pub struct HttpDriver {
    /// `{base}/v1/actions`.
    url: String,
    /// The client (plain HTTP or HTTPS with the system's roots are both fine here).
    client: reqwest::Client,
}

impl HttpDriver {
    /// A driver at `base` (`http://127.0.0.1:8700`).
    pub fn new(base: &str) -> Result<Self, DriverError> {
        let client = reqwest::Client::builder()
            .timeout(ACTION_TIMEOUT)
            .build()
            .map_err(|e| DriverError::Transport(e.to_string()))?;
        Ok(Self {
            url: format!("{}/v1/actions", base.trim_end_matches('/')),
            client,
        })
    }
}

impl Driver for HttpDriver {
    fn send<'a>(
        &'a self,
        request: &'a Request,
        _: &'a Context,
    ) -> BoxFuture<'a, Result<Reply, DriverError>> {
        async move {
            let response = self
                .client
                .post(&self.url)
                .json(request)
                .send()
                .await
                .map_err(|e| DriverError::Transport(format!("POST {}: {e}", self.url)))?;
            let status = response.status();
            let mut response = response;
            let mut body = Vec::new();
            // Read as it comes, and stop past the limit: nothing is parsed before.
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| DriverError::Transport(format!("POST {}: {e}", self.url)))?
            {
                if body.len() + chunk.len() > MAX_REPLY {
                    return Err(DriverError::Protocol(format!(
                        "reply over {MAX_REPLY} bytes"
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            serde_json::from_slice(&body).map_err(|e| {
                DriverError::Protocol(format!(
                    "HTTP {status}, {e}: {}",
                    quote(&String::from_utf8_lossy(&body))
                ))
            })
        }
        .boxed()
    }

    fn describe(&self) -> String {
        format!("http {}", self.url)
    }
}
