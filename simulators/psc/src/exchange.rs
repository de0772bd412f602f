//! One request to the realm, from bytes to journal: the form or query read under the
//! limits, the findings gathered on the way, the injected faults, and the record that
//! ends every call.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use segur_core::faults::FaultAction;
use segur_core::finding::Finding;
use segur_core::journal::{Exchange, Payload};
use segur_core::tls::TlsPeer;
use serde_json::{Map, Value};

use crate::SERVICE;
use crate::error::OAuthError;
use crate::realm::Realm;
use crate::reply::Reply;
use crate::rules;

/// Request parameters (form body or query), each present once.
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// Name → value.
    values: HashMap<String, String>,
}

impl Params {
    /// Parses `application/x-www-form-urlencoded` text. Refuses a parameter given twice
    /// (RFC 6749 §3.1) and a value longer than `max` bytes.
    pub fn parse(bytes: &[u8], max: usize) -> Result<Self, String> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(bytes).map_err(|e| format!("not form-urlencoded: {e}"))?;
        let mut values = HashMap::with_capacity(pairs.len());
        for (name, value) in pairs {
            if value.len() > max {
                return Err(format!(
                    "parameter {name:?} has {} bytes, more than the {max} allowed",
                    value.len()
                ));
            }
            if values.contains_key(&name) {
                return Err(format!("parameter {name:?} is repeated"));
            }
            values.insert(name, value);
        }
        Ok(Self { values })
    }

    /// A parameter's value; an empty value counts as absent (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A required parameter; its absence is an `invalid_request` with a finding.
    pub fn required(&self, name: &str, call: &mut Call) -> Result<&str, OAuthError> {
        self.get(name)
            .ok_or_else(|| call.malformed(format!("{name} is missing")))
    }

    /// Whether the parameter is present at all.
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }
}

/// Whether the URL query names the parameter `name` (a credential there ends up in
/// proxies' and servers' logs).
pub fn query_names(query: Option<&str>, name: &str) -> bool {
    query.is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.split('=').next() == Some(name))
    })
}

/// A call being answered: what the journal will say about it.
pub struct Call {
    /// The operation (`token`, `userinfo`...), the journal's and the fault board's name.
    pub operation: &'static str,
    /// Summary of the request.
    pub request: Map<String, Value>,
    /// Summary of the answer.
    pub response: Map<String, Value>,
    /// Findings.
    pub findings: Vec<Finding>,
    /// The request body as received.
    pub body: Bytes,
}

impl Call {
    /// A new call of `operation`.
    pub fn new(operation: &'static str) -> Self {
        Self {
            operation,
            request: Map::new(),
            response: Map::new(),
            findings: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// Adds a request summary field.
    pub fn note(&mut self, key: &str, value: impl Into<Value>) {
        self.request.insert(key.to_string(), value.into());
    }

    /// Adds the parameters `names` that are present to the request summary.
    pub fn note_params(&mut self, params: &Params, names: &[&str]) {
        for name in names {
            if let Some(v) = params.get(name) {
                self.note(name, v);
            }
        }
    }

    /// Adds an answer summary field.
    pub fn answer(&mut self, key: &str, value: impl Into<Value>) {
        self.response.insert(key.to_string(), value.into());
    }

    /// Records a finding.
    pub fn find(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Reads the body as a form, within the realm's size and time limits. Anything else
    /// is an `invalid_request` with a finding.
    pub async fn read_form(
        &mut self,
        realm: &Realm,
        headers: &HeaderMap,
        body: Body,
    ) -> Result<Params, OAuthError> {
        let read = tokio::time::timeout(
            realm.config.read_timeout,
            axum::body::to_bytes(body, realm.config.max_body),
        )
        .await;
        let bytes = match read {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(_)) => {
                return Err(self.malformed(format!(
                    "the body is larger than {} bytes (or was cut off)",
                    realm.config.max_body
                )));
            }
            Err(_) => {
                return Err(self.malformed(format!(
                    "the body did not arrive within {} s",
                    realm.config.read_timeout.as_secs()
                )));
            }
        };
        self.body = bytes.clone();
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let media = content_type.split(';').next().unwrap_or("").trim();
        if !media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(self.malformed(format!(
                "Content-Type {content_type:?}: the endpoint reads application/x-www-form-urlencoded"
            )));
        }
        Params::parse(&bytes, realm.config.max_parameter).map_err(|why| self.malformed(why))
    }

    /// The parameters of a front-channel request: the form of a POST, else the query.
    pub async fn read_params(
        &mut self,
        realm: &Realm,
        method: &axum::http::Method,
        headers: &HeaderMap,
        query: Option<&str>,
        body: Body,
    ) -> Result<Params, OAuthError> {
        if method == axum::http::Method::POST {
            self.read_form(realm, headers, body).await
        } else {
            self.read_query(realm, query)
        }
    }

    /// Reads a query string under the realm's limits.
    pub fn read_query(&mut self, realm: &Realm, query: Option<&str>) -> Result<Params, OAuthError> {
        Params::parse(query.unwrap_or("").as_bytes(), realm.config.max_parameter)
            .map_err(|why| self.malformed(why))
    }

    /// An `invalid_request` for an unreadable request, with its finding.
    pub fn malformed(&mut self, why: String) -> OAuthError {
        self.find(rules::REQUEST_MALFORMED.finding(why.clone()));
        OAuthError::invalid_request(why)
    }

    /// The armed fault for this operation, as the answer to give instead, if any. A
    /// delay is served here and the call goes on.
    pub async fn injected(&mut self, realm: &Realm) -> Option<Reply> {
        let action = realm.bench.faults().take(SERVICE, self.operation)?;
        self.answer(
            "injected",
            serde_json::to_value(&action).unwrap_or(Value::Null),
        );
        match action {
            FaultAction::Delay { millis } => {
                tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
                None
            }
            FaultAction::DropConnection => Some(Reply::dropped()),
            FaultAction::HttpStatus { status, body } => {
                let (status, text) = segur_core::faults::status_reply(status, body);
                Some(Reply::text(status, text))
            }
            FaultAction::ProtocolError {
                code,
                message,
                detail,
            } => {
                let status = detail
                    .as_ref()
                    .and_then(|d| d.get("status"))
                    .and_then(Value::as_u64)
                    .and_then(|s| StatusCode::from_u16(u16::try_from(s).ok()?).ok())
                    .unwrap_or(StatusCode::BAD_REQUEST);
                Some(
                    OAuthError::other(
                        status,
                        &code,
                        message.unwrap_or_else(|| format!("injected {code}")),
                    )
                    .reply(),
                )
            }
        }
    }

    /// Journals the call with `reply` and turns it into the HTTP response.
    pub fn finish(mut self, realm: &Realm, peer: &TlsPeer, reply: Reply) -> Response {
        self.answer("status", reply.status.as_u16());
        if let Some(location) = reply.location() {
            self.answer("location", location);
        }
        let mut exchange = Exchange::new(SERVICE, self.operation)
            .peer(peer.to_journal())
            .request(Payload::new(self.body).summary(Value::Object(self.request)))
            .response(
                Payload::new(reply.body.clone())
                    .content_type(reply.content_type)
                    .summary(Value::Object(self.response)),
            );
        for finding in self.findings {
            exchange = exchange.finding(finding);
        }
        if let Err(e) = realm.bench.journal().append(exchange) {
            tracing::error!(error = %e, "PSC: journaling a call failed");
            return OAuthError::other(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "the bench could not record the exchange",
            )
            .reply()
            .into_response();
        }
        reply.into_response()
    }

    /// Journals the call with its outcome: the reply, or the OAuth error.
    pub fn conclude(
        self,
        realm: &Realm,
        peer: &TlsPeer,
        outcome: Result<Reply, OAuthError>,
    ) -> Response {
        match outcome {
            Ok(reply) => self.finish(realm, peer, reply),
            Err(error) => self.fail(realm, peer, &error),
        }
    }

    /// Journals the call answered with `error`.
    pub fn fail(mut self, realm: &Realm, peer: &TlsPeer, error: &OAuthError) -> Response {
        self.answer("error", error.error.clone());
        self.answer("error_description", error.description.clone());
        self.finish(realm, peer, error.reply())
    }
}

#[cfg(test)]
mod tests {
    use super::Params;

    /// Input, then the pairs read or a part of the refusal.
    type Case = (
        &'static str,
        Result<&'static [(&'static str, &'static str)], &'static str>,
    );

    #[test]
    fn forms_are_read_strictly() {
        let table: &[Case] = &[
            ("a=1&b=x%20y", Ok(&[("a", "1"), ("b", "x y")])),
            ("a=1&b=+", Ok(&[("a", "1"), ("b", " ")])),
            ("", Ok(&[])),
            ("a=1&a=2", Err("repeated")),
            ("a=12345678901", Err("more than the 10 allowed")),
        ];
        for (input, expected) in table {
            let got = Params::parse(input.as_bytes(), 10);
            match (got, expected) {
                (Ok(params), Ok(pairs)) => {
                    for (k, v) in *pairs {
                        assert_eq!(params.get(k), Some(*v), "{input}");
                    }
                }
                (Err(why), Err(part)) => assert!(why.contains(part), "{input}: {why}"),
                (got, _) => panic!("{input}: {got:?}"),
            }
        }
        let p = Params::parse(b"a=&b=1", 10).unwrap();
        assert_eq!(p.get("a"), None, "an empty value counts as absent");
        assert!(p.has("a"));
    }
}
