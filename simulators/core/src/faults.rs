//! Faults armed for the next calls of a service: how a scenario makes the national
//! service misbehave ("INSi is down", "the SMTP server answers 451", "the DMP is slow").
//!
//! A fault is armed for a service and an operation (or every operation) for N calls.
//! Simulators call [`FaultBoard::take`] once per incoming call and apply what they get.
//! The oldest matching fault fires first.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What the simulator does instead of its normal answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// Answer with the service's own protocol error: a SOAP fault subcode (`siram_40`),
    /// an SMTP reply code (`451`), an IMAP `NO`, an OAuth error (`invalid_grant`)...
    /// Each simulator documents the codes it understands.
    ProtocolError {
        /// The protocol's code for the error.
        code: String,
        /// Human-readable text to put in the error.
        #[serde(default)]
        message: Option<String>,
        /// Service-specific extra data (e.g. a SOAP fault's detail code and severity).
        #[serde(default)]
        detail: Option<serde_json::Value>,
    },
    /// Answer normally, but only after this many milliseconds.
    Delay {
        /// How long to wait before answering.
        millis: u64,
    },
    /// Close the connection without answering.
    DropConnection,
    /// Answer with this HTTP status (HTTP-based services only).
    HttpStatus {
        /// The status code, 100 to 599.
        status: u16,
        /// Optional body.
        #[serde(default)]
        body: Option<String>,
    },
}

/// A request to arm a fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Service name as registered (`insi`, `dmp`, `mssante`, `psc`).
    pub service: String,
    /// Operation name (`rechercherInsAvecTraitsIdentite`, `RCPT`...); absent means any.
    #[serde(default)]
    pub operation: Option<String>,
    /// How many matching calls it applies to; 1 if absent.
    #[serde(default = "one")]
    pub times: u32,
    /// What to do.
    pub action: FaultAction,
}

fn one() -> u32 {
    1
}

/// A fault on the board, with what is left of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArmedFault {
    /// Handle to disarm it.
    pub id: u64,
    /// What was asked.
    #[serde(flatten)]
    pub spec: FaultSpec,
    /// Matching calls still to be hit.
    pub remaining: u32,
}

/// Why a fault could not be armed.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FaultError {
    /// `times` was 0: the fault would never fire.
    #[error("`times` must be at least 1")]
    ZeroTimes,
    /// The HTTP status is outside 100..=599.
    #[error("HTTP status {0} is not between 100 and 599")]
    BadHttpStatus(u16),
    /// An empty service name.
    #[error("`service` must not be empty")]
    NoService,
}

/// The faults armed on one bench.
#[derive(Debug, Default)]
pub struct FaultBoard {
    /// Armed faults, oldest first; a plain mutex since calls are short and rare.
    state: Mutex<BoardState>,
}

#[derive(Debug, Default)]
struct BoardState {
    next_id: u64,
    armed: Vec<ArmedFault>,
}

impl FaultBoard {
    /// An empty board.
    pub fn new() -> Self {
        Self::default()
    }

    /// Arms a fault and returns it with its id.
    pub fn arm(&self, spec: FaultSpec) -> Result<ArmedFault, FaultError> {
        if spec.times == 0 {
            return Err(FaultError::ZeroTimes);
        }
        if spec.service.trim().is_empty() {
            return Err(FaultError::NoService);
        }
        if let FaultAction::HttpStatus { status, .. } = spec.action
            && !(100..=599).contains(&status)
        {
            return Err(FaultError::BadHttpStatus(status));
        }
        let mut state = self.lock();
        state.next_id += 1;
        let armed = ArmedFault {
            id: state.next_id,
            remaining: spec.times,
            spec,
        };
        state.armed.push(armed.clone());
        Ok(armed)
    }

    /// Called by a simulator for each incoming call: the action to apply, if a fault
    /// matches. Each hit uses up one of the fault's calls.
    pub fn take(&self, service: &str, operation: &str) -> Option<FaultAction> {
        let mut state = self.lock();
        let index = state.armed.iter().position(|f| {
            f.spec.service == service
                && f.spec
                    .operation
                    .as_deref()
                    .is_none_or(|op| op == "*" || op == operation)
        })?;
        let fault = &mut state.armed[index];
        fault.remaining -= 1;
        let action = fault.spec.action.clone();
        if fault.remaining == 0 {
            state.armed.remove(index);
        }
        Some(action)
    }

    /// Every armed fault, oldest first.
    pub fn list(&self) -> Vec<ArmedFault> {
        self.lock().armed.clone()
    }

    /// Disarms one fault; false if there was none with that id.
    pub fn disarm(&self, id: u64) -> bool {
        let mut state = self.lock();
        let before = state.armed.len();
        state.armed.retain(|f| f.id != id);
        state.armed.len() != before
    }

    /// Disarms everything.
    pub fn clear(&self) {
        self.lock().armed.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BoardState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The status and plain-text body an HTTP simulator answers for
/// [`FaultAction::HttpStatus`]: the body armed, or the status line's reason.
pub fn status_reply(status: u16, body: Option<String>) -> (axum::http::StatusCode, String) {
    // Armed statuses are checked to lie in 100..=599, which always converts.
    let status = axum::http::StatusCode::from_u16(status)
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    let text = body.unwrap_or_else(|| {
        format!(
            "{} {}\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        )
    });
    (status, text)
}

/// An HTTP answer whose body fails as it is sent: hyper closes the connection before a
/// complete response, which is how HTTP simulators play [`FaultAction::DropConnection`].
pub fn dropped_connection() -> axum::response::Response {
    let failing = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::other(
            "connection dropped by an injected fault",
        ))
    });
    axum::response::Response::new(axum::body::Body::from_stream(failing))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(service: &str, operation: Option<&str>, times: u32) -> FaultSpec {
        FaultSpec {
            service: service.into(),
            operation: operation.map(Into::into),
            times,
            action: FaultAction::ProtocolError {
                code: "siram_40".into(),
                message: None,
                detail: None,
            },
        }
    }

    #[test]
    fn a_fault_fires_for_its_calls_then_disappears() {
        let board = FaultBoard::new();
        board
            .arm(spec("insi", Some("rechercherInsAvecTraitsIdentite"), 2))
            .unwrap();
        assert!(board.take("insi", "rechercherInsAvecCarteVitale").is_none());
        assert!(
            board
                .take("dmp", "rechercherInsAvecTraitsIdentite")
                .is_none()
        );
        assert!(
            board
                .take("insi", "rechercherInsAvecTraitsIdentite")
                .is_some()
        );
        assert_eq!(board.list()[0].remaining, 1);
        assert!(
            board
                .take("insi", "rechercherInsAvecTraitsIdentite")
                .is_some()
        );
        assert!(
            board
                .take("insi", "rechercherInsAvecTraitsIdentite")
                .is_none()
        );
        assert!(board.list().is_empty());
    }

    #[test]
    fn a_fault_without_operation_matches_every_operation() {
        let board = FaultBoard::new();
        board.arm(spec("mssante", None, 1)).unwrap();
        assert!(board.take("mssante", "RCPT").is_some());
    }

    #[test]
    fn oldest_matching_fault_fires_first_and_can_be_disarmed() {
        let board = FaultBoard::new();
        let first = board.arm(spec("dmp", None, 1)).unwrap();
        let mut delayed = spec("dmp", None, 1);
        delayed.action = FaultAction::Delay { millis: 10 };
        let second = board.arm(delayed).unwrap();
        assert!(board.disarm(first.id));
        assert!(!board.disarm(first.id));
        assert_eq!(
            board.take("dmp", "x"),
            Some(FaultAction::Delay { millis: 10 })
        );
        assert!(!board.disarm(second.id));
    }

    #[test]
    fn nonsense_is_refused() {
        let board = FaultBoard::new();
        assert_eq!(board.arm(spec("insi", None, 0)), Err(FaultError::ZeroTimes));
        assert_eq!(board.arm(spec(" ", None, 1)), Err(FaultError::NoService));
        let mut s = spec("psc", None, 1);
        s.action = FaultAction::HttpStatus {
            status: 99,
            body: None,
        };
        assert_eq!(board.arm(s), Err(FaultError::BadHttpStatus(99)));
    }

    #[test]
    fn specs_read_from_json() {
        let s: FaultSpec = serde_json::from_str(
            r#"{"service":"mssante","operation":"RCPT","times":3,"action":{"kind":"protocol_error","code":"451"}}"#,
        )
        .unwrap();
        assert_eq!(s.times, 3);
        let s: FaultSpec =
            serde_json::from_str(r#"{"service":"psc","action":{"kind":"drop_connection"}}"#)
                .unwrap();
        assert_eq!(s.times, 1);
        assert!(
            serde_json::from_str::<FaultSpec>(r#"{"service":"psc","action":{"kind":"explode"}}"#)
                .is_err()
        );
    }
}
