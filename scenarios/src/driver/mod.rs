//! Talking to the software under test: driver protocol v1 (`harness/DRIVER.md`). One
//! JSON request per action, one reply, over HTTP ([`http`]), a spawned process's stdio
//! ([`stdio`]) or a person at the keyboard ([`manual`]).

pub mod http;
pub mod instructions;
pub mod manual;
pub mod stdio;

use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Protocol version sent in every request.
pub const PROTOCOL_VERSION: u32 = 1;

/// One action asked of the software.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    /// Protocol version.
    pub v: u32,
    /// Unique per request; echoed in the reply.
    pub id: String,
    /// The scenario session.
    pub session: String,
    /// What the user does.
    pub action: String,
    /// Its parameters.
    pub params: Value,
}

impl Request {
    /// A request for `action` in `session`.
    pub fn new(session: &str, action: &str, params: Value) -> Self {
        Self {
            v: PROTOCOL_VERSION,
            id: uuid::Uuid::new_v4().to_string(),
            session: session.to_string(),
            action: action.to_string(),
            params,
        }
    }
}

/// How the software answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Done.
    Ok,
    /// Refused or failed (what the user saw is in `message`).
    Error,
    /// The software has no such function: the scenario is skipped, never passed.
    Unsupported,
}

/// The software's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reply {
    /// The request's id.
    #[serde(default)]
    pub id: Value,
    /// Outcome.
    pub status: Status,
    /// What the software shows.
    #[serde(default)]
    pub result: Value,
    /// What the user read.
    #[serde(default)]
    pub message: Option<String>,
}

impl Reply {
    /// What the software answered, in words for a failure message: its status, its own
    /// `message` when it gave one, and its result when it has one.
    pub fn said(&self) -> String {
        let status = match self.status {
            Status::Ok => "ok",
            Status::Error => "error",
            Status::Unsupported => "unsupported",
        };
        let mut out = status.to_string();
        if let Some(m) = self.message.as_deref().filter(|m| !m.is_empty()) {
            out.push_str(&format!(" « {m} »"));
        }
        if !self.result.is_null() {
            out.push_str(&format!(" {}", self.result));
        }
        out
    }
}

/// Why no reply came.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// The transport failed (connection refused, process gone, time limit).
    #[error("driver: {0}")]
    Transport(String),
    /// The answer is not a protocol reply.
    #[error("driver: the reply is not driver protocol v1: {0}")]
    Protocol(String),
}

/// Everything a driver may show the person at the keyboard while it waits.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The scenario's control API (the manual driver shows the exchanges arriving).
    pub control_url: Option<String>,
    /// The scenario's name, for the journal.
    pub scenario: String,
}

/// A way to reach the software under test.
pub trait Driver: Send + Sync {
    /// Sends one request and waits for its reply.
    fn send<'a>(
        &'a self,
        request: &'a Request,
        context: &'a Context,
    ) -> BoxFuture<'a, Result<Reply, DriverError>>;

    /// Whether a person answers (one scenario at a time, no housekeeping actions such
    /// as `session.end` sent to them).
    fn interactive(&self) -> bool {
        false
    }

    /// A short description for reports (`http http://…`, `command "…"`, `manual`).
    fn describe(&self) -> String;
}

/// A shared driver.
pub type SharedDriver = Arc<dyn Driver>;

/// How much of a reply a protocol error quotes, in characters.
const QUOTED: usize = 200;

/// The first [`QUOTED`] characters of `text`, for an error message (cut between
/// characters, never inside one).
pub(crate) fn quote(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(QUOTED).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn a_quoted_reply_is_cut_between_characters() {
        // 199 ASCII characters then multi-byte ones: a cut at byte 200 falls inside 'é'.
        let text = format!("{}éééé", "a".repeat(199));
        let quoted = quote(&text);
        assert_eq!(quoted.chars().count(), 201);
        assert!(quoted.ends_with("aé…"));
        assert_eq!(quote("court"), "court");
    }
}
