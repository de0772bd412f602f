//! Control routes under `/api/v1/mssante`: the inbound feed (drop a message into a
//! mailbox, raw or composed from parts, so reception and integration requirements can be
//! exercised) and read-only views of the mailboxes.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use mail_parser::MessageParser;
use serde::Deserialize;
use serde_json::json;

use crate::operator::Operator;
use crate::receipts::new_message_id;

/// The routes, relative to `/api/v1/mssante`.
pub fn routes(operator: Operator) -> Router {
    Router::new()
        .route("/inbound", post(inbound))
        .route("/mailboxes", get(census))
        .route("/mailboxes/{address}/{folder}", get(list))
        .route("/mailboxes/{address}/{folder}/{uid}", get(message))
        .with_state(operator)
}

/// A message to drop into a mailbox: `raw` (the whole RFC 5322 message, or
/// `raw_base64`), or composed from the other fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inbound {
    /// The mailbox it lands in.
    pub to: String,
    /// The whole message.
    #[serde(default)]
    pub raw: Option<String>,
    /// The whole message, base64 (8-bit content).
    #[serde(default)]
    pub raw_base64: Option<String>,
    /// Sender (composed messages).
    #[serde(default)]
    pub from: Option<String>,
    /// Subject (composed messages).
    #[serde(default)]
    pub subject: Option<String>,
    /// Text body (composed messages).
    #[serde(default)]
    pub text: Option<String>,
    /// `In-Reply-To` (a patient's reply, an MDN).
    #[serde(default)]
    pub in_reply_to: Option<String>,
    /// Extra headers (`X-MSS-CODECDA`, `X-MSS-INS`, `Disposition-Notification-To`...).
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// Attachments (`IHE_XDM.ZIP`, the PDF).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// One attachment of a composed message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// File name.
    pub name: String,
    /// MIME type.
    pub content_type: String,
    /// Content, base64.
    pub base64: String,
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

/// Builds the message an [`Inbound`] describes.
pub fn compose(inbound: &Inbound, hostname: &str) -> Result<Vec<u8>, String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    if let Some(raw) = &inbound.raw {
        return Ok(raw.replace("\r\n", "\n").replace('\n', "\r\n").into_bytes());
    }
    if let Some(raw) = &inbound.raw_base64 {
        return b64.decode(raw).map_err(|e| format!("raw_base64: {e}"));
    }
    let from = inbound
        .from
        .clone()
        .ok_or("give `raw`, `raw_base64`, or at least `from` to compose a message")?;
    let mut builder = MessageBuilder::new()
        .from(from)
        .to(inbound.to.clone())
        .subject(inbound.subject.clone().unwrap_or_default())
        .message_id(new_message_id(hostname))
        .text_body(inbound.text.clone().unwrap_or_default());
    if let Some(parent) = &inbound.in_reply_to {
        let parent = parent.trim_matches(['<', '>']).to_string();
        builder = builder.in_reply_to(parent.clone()).references(parent);
    }
    for (name, value) in &inbound.headers {
        builder = builder.header(name.clone(), Raw::new(value.clone()));
    }
    for a in &inbound.attachments {
        let bytes = b64
            .decode(&a.base64)
            .map_err(|e| format!("attachment {}: {e}", a.name))?;
        builder = builder.attachment(a.content_type.clone(), a.name.clone(), bytes);
    }
    builder.write_to_vec().map_err(|e| e.to_string())
}

async fn inbound(State(operator): State<Operator>, Json(inbound): Json<Inbound>) -> Response {
    let raw = match compose(&inbound, &operator.config.hostname) {
        Ok(raw) => raw,
        Err(why) => return error(StatusCode::BAD_REQUEST, why),
    };
    if raw.len() > operator.config.max_message_size {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the message is over the operator's size limit",
        );
    }
    match operator.feed(&inbound.to, raw) {
        Ok(uid) => (
            StatusCode::CREATED,
            Json(
                json!({"mailbox": inbound.to.to_ascii_lowercase(), "folder": "INBOX", "uid": uid}),
            ),
        )
            .into_response(),
        Err(why) => error(StatusCode::NOT_FOUND, why),
    }
}

async fn census(State(operator): State<Operator>) -> Response {
    Json(operator.store.census()).into_response()
}

async fn list(
    State(operator): State<Operator>,
    Path((address, folder)): Path<(String, String)>,
) -> Response {
    match operator.store.folder(&address, &folder) {
        Ok(f) => {
            let messages: Vec<_> = f
                .messages
                .iter()
                .map(|m| {
                    let parsed = MessageParser::default().parse_headers(&m.raw[..]);
                    json!({
                        "uid": m.uid,
                        "flags": m.flags,
                        "size": m.raw.len(),
                        "subject": parsed.as_ref().and_then(|p| p.subject()),
                        "message_id": parsed.as_ref().and_then(|p| p.message_id()),
                        "from": parsed.as_ref().and_then(|p| p.from()).and_then(|a| a.first()).and_then(|a| a.address()),
                    })
                })
                .collect();
            Json(json!({"mailbox": address, "folder": folder, "uid_next": f.uid_next, "messages": messages}))
                .into_response()
        }
        Err(e) => error(StatusCode::NOT_FOUND, e.to_string()),
    }
}

async fn message(
    State(operator): State<Operator>,
    Path((address, folder, uid)): Path<(String, String, u32)>,
) -> Response {
    match operator.store.folder(&address, &folder) {
        Ok(f) => match f.by_uid(uid) {
            Some(m) => ([(header::CONTENT_TYPE, "message/rfc822")], m.raw.clone()).into_response(),
            None => error(StatusCode::NOT_FOUND, format!("no message with UID {uid}")),
        },
        Err(e) => error(StatusCode::NOT_FOUND, e.to_string()),
    }
}
