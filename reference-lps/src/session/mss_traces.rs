//! The functional traces of the MSSanté mailboxes (MSS/CONF.17, CONF.18): every
//! treatment on a mailbox and its content — sending, reading, integrating, receipts —
//! with its authenticated author, the workstation's local time, the type of action, what
//! was asked of the operator and what it answered, failures included; and the history
//! of each document received until it is treated (MSS/UX.37).

use serde::Serialize;
use serde_json::{Value, json};

use super::Session;
use crate::protocol::Reply;

/// One trace.
#[derive(Debug, Clone, Serialize)]
pub struct MssTrace {
    /// Who acted: the professional's national id, or the structure's for what the
    /// software does on its own.
    pub author: String,
    /// The workstation's local time (RFC 3339).
    pub at: String,
    /// `envoi`, `consultation`, `réception`, `intégration`, `accusé`.
    pub action: String,
    /// The mailbox acted on.
    pub mailbox: String,
    /// What was asked of the operator (commands, recipients, subject), without secrets.
    pub request: String,
    /// What the operator answered, or why it failed.
    pub response: String,
    /// Whether it succeeded.
    pub ok: bool,
    /// The `Message-ID` concerned, when there is one: a received document's history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

impl Session {
    /// The author of what happens now: the logged-in professional, else the structure.
    fn trace_author(&self) -> String {
        self.psc
            .user()
            .and_then(|u| u["SubjectNameID"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| format!("structure {}", self.structure.national_id))
    }

    /// Notes one treatment on `mailbox`: `outcome` is the operator's answer or the failure.
    pub(super) fn trace_mss(
        &mut self,
        action: &str,
        mailbox: &str,
        request: String,
        outcome: Result<String, String>,
        message_id: Option<&str>,
    ) {
        if outcome.is_err() && self.defects.on("mss-traces-without-failures") {
            return;
        }
        let at = self
            .now()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let author = if self.defects.on("mss-traces-without-author") {
            String::new()
        } else {
            self.trace_author()
        };
        let (ok, response) = match outcome {
            Ok(r) => (true, r),
            Err(e) => (false, e),
        };
        self.mss_traces.push(MssTrace {
            author,
            at,
            action: action.to_string(),
            mailbox: mailbox.to_string(),
            request,
            response,
            ok,
            message_id: message_id.map(|m| m.trim_matches(['<', '>']).to_string()),
        });
    }

    /// `mss.traces`: the traces, oldest first; `{"message_id"}` keeps those of one
    /// message (a received document's history).
    pub(super) fn mss_show_traces(&self, p: &Value) -> Result<Reply, Reply> {
        let wanted = p["message_id"]
            .as_str()
            .map(|m| m.trim_matches(['<', '>']).to_string());
        let traces: Vec<&MssTrace> = self
            .mss_traces
            .iter()
            .filter(|t| wanted.is_none() || t.message_id == wanted)
            .collect();
        Ok(Reply::ok(json!({ "traces": traces })))
    }
}
