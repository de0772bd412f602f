//! The driver protocol v1 as the LPS sees it (`harness/DRIVER.md`): one request per
//! action, one reply each.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One action the bench asks the software to perform.
#[derive(Debug, Clone, Deserialize)]
pub struct Request {
    /// Echoed in the reply.
    #[serde(default)]
    pub id: Value,
    /// The scenario session; `configure` opens it.
    #[serde(default)]
    pub session: Option<String>,
    /// What the user does (`identity.create`, `psc.login`...).
    pub action: String,
    /// The action's parameters.
    #[serde(default)]
    pub params: Value,
}

/// `ok`, `error` or `unsupported`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Done; `result` holds what the software shows.
    Ok,
    /// The software refused or failed; `message` says what the user saw.
    Error,
    /// The software has no such function.
    Unsupported,
}

/// The answer to one request.
#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    /// The request's id.
    pub id: Value,
    /// Outcome.
    pub status: Status,
    /// What the software shows (action-specific).
    pub result: Value,
    /// What the user read, for errors and refusals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Reply {
    /// Success with `result`.
    pub fn ok(result: Value) -> Self {
        Self {
            id: Value::Null,
            status: Status::Ok,
            result,
            message: None,
        }
    }

    /// A refusal or failure, with what the user is told and what the software shows.
    pub fn error(message: impl Into<String>, result: Value) -> Self {
        Self {
            id: Value::Null,
            status: Status::Error,
            result,
            message: Some(message.into()),
        }
    }

    /// The software does not offer this action.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self {
            id: Value::Null,
            status: Status::Unsupported,
            result: Value::Null,
            message: Some(message.into()),
        }
    }
}
