//! The INSi client: mutual TLS with the structure's `INSI-AUTO` certificate (an
//! organisation software certificate of the IGC-Santé, INS/va1.14), one POST per call.

pub mod answer;
pub mod request;

use answer::{Answer, AnswerError};
pub use request::{Caller, QueryTraits, VitaleCard};

/// A client bound to one INSi endpoint.
#[derive(Debug, Clone)]
pub struct InsiClient {
    /// The mTLS endpoint (`https://…/lps`).
    url: String,
    /// HTTP over the INSI-AUTO identity.
    http: reqwest::Client,
    /// Context headers.
    caller: Caller,
    /// The Pro Santé Connect access token of the user logged in with PSC, sent as
    /// `Authorization: Bearer` beside the structure's certificate (INS/PSC.01).
    bearer: Option<String>,
}

/// Why a call gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// Network or TLS.
    #[error("téléservice INSi injoignable: {0}")]
    Transport(String),
    /// A fault or an unreadable answer.
    #[error(transparent)]
    Answer(#[from] AnswerError),
}

impl InsiClient {
    /// A client for `url`.
    pub fn new(url: String, http: reqwest::Client, caller: Caller) -> Self {
        Self {
            url,
            http,
            caller,
            bearer: None,
        }
    }

    /// Calls from now on as the professional of this PSC token (or, `None`, with the
    /// structure's certificate alone).
    pub fn set_bearer(&mut self, token: Option<String>) {
        self.bearer = token;
    }

    /// Whether calls carry a PSC token.
    pub fn psc(&self) -> bool {
        self.bearer.is_some()
    }

    /// Sends `operation` with `body`; `now` dates the context headers.
    pub async fn call(
        &self,
        (operation, body): (String, String),
        now: &str,
    ) -> Result<Answer, CallError> {
        let envelope = request::envelope(&self.caller, &operation, &body, now);
        let action = format!("{}{operation}", request::ACTION_PREFIX);
        let mut post = self.http.post(&self.url).header(
            "content-type",
            format!("application/soap+xml;charset=utf-8;action=\"{action}\""),
        );
        if let Some(token) = &self.bearer {
            post = post.bearer_auth(token);
        }
        let response = post
            .body(envelope)
            .send()
            .await
            .map_err(|e| CallError::Transport(e.to_string()))?;
        let body = crate::tls::bounded_body(response, crate::tls::MAX_ANSWER)
            .await
            .map_err(CallError::Transport)?;
        Ok(answer::parse(&String::from_utf8_lossy(&body))?)
    }
}
