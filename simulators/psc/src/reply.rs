//! What an endpoint answers, kept as bytes until the exchange is journaled: the journal
//! holds exactly what went on the wire.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;

/// A complete HTTP answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: StatusCode,
    /// Content type.
    pub content_type: &'static str,
    /// Extra headers (`Location`, `WWW-Authenticate`, `Set-Cookie`).
    pub headers: Vec<(&'static str, String)>,
    /// Body.
    pub body: Bytes,
    /// Close the connection instead of answering (an injected fault).
    pub drop: bool,
}

impl Reply {
    /// A JSON answer. Token-bearing answers must not be cached (RFC 6749 §5.1), and no
    /// answer of the realm is worth caching, so every one says so.
    pub fn json(status: StatusCode, value: &Value) -> Self {
        Self {
            status,
            content_type: "application/json",
            headers: Vec::new(),
            body: Bytes::from(value.to_string()),
            drop: false,
        }
    }

    /// A signed JWT answer (`application/jwt`, UserInfo of JWT clients).
    pub fn jwt(token: String) -> Self {
        Self {
            status: StatusCode::OK,
            content_type: "application/jwt",
            headers: Vec::new(),
            body: Bytes::from(token),
            drop: false,
        }
    }

    /// An HTML page.
    pub fn html(status: StatusCode, page: String) -> Self {
        Self {
            status,
            content_type: "text/html; charset=utf-8",
            headers: Vec::new(),
            body: Bytes::from(page),
            drop: false,
        }
    }

    /// A plain-text answer (injected HTTP statuses).
    pub fn text(status: StatusCode, text: String) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            headers: Vec::new(),
            body: Bytes::from(text),
            drop: false,
        }
    }

    /// A `302 Found` to `location`.
    pub fn redirect(location: String) -> Self {
        Self {
            status: StatusCode::FOUND,
            content_type: "text/plain; charset=utf-8",
            headers: vec![("location", location)],
            body: Bytes::new(),
            drop: false,
        }
    }

    /// A dropped connection.
    pub fn dropped() -> Self {
        let mut reply = Self::text(StatusCode::OK, String::new());
        reply.drop = true;
        reply
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The `Location` header, if any.
    pub fn location(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == "location")
            .map(|(_, v)| v.as_str())
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        if self.drop {
            return segur_core::faults::dropped_connection();
        }
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.append(HeaderName::from_static(name), value);
            }
        }
        response
    }
}
