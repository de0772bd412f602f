//! The directory's router, testable without sockets: the FHIR API under `/fhir/v2`
//! (`metadata`, search and read of `Practitioner`, `PractitionerRole`, `Organization`)
//! and the public extraction at `/extractions/PS_LibreAcces.zip`. Every call is checked
//! (API key, method, format, parameters), answered as the ANS API answers (a JSON
//! resource or Bundle, an `OperationOutcome` for an error) and journaled.

use axum::Router;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use bytes::Bytes;
use segur_core::faults::FaultAction;
use segur_core::finding::Finding;
use segur_core::journal::{Exchange, Payload};
use segur_core::tls::TlsPeer;
use serde_json::{Map, Value, json};

use crate::directory::Directory;
use crate::search::{self, Kind};
use crate::{Annuaire, SERVICE, extraction, resources, rules};

/// The header the ANS API reads its key from.
pub const API_KEY_HEADER: &str = "ESANTE-API-KEY";
/// The FHIR JSON media type.
const FHIR_JSON: &str = "application/fhir+json;charset=utf-8";
/// The longest query string read.
pub const MAX_QUERY: usize = 8 * 1024;

/// The router.
pub fn app(annuaire: Annuaire) -> Router {
    Router::new()
        .route("/fhir/v2/metadata", any(metadata))
        .route("/fhir/v2/{kind}", any(search_handler))
        .route("/fhir/v2/{kind}/{id}", any(read_handler))
        .route("/extractions/PS_LibreAcces.zip", any(extraction_handler))
        .fallback(unknown)
        .with_state(annuaire)
}

/// One call: what the journal will say of it.
struct Call {
    /// `search Practitioner`, `read Organization`, `metadata`, `extraction`.
    operation: String,
    /// Summary of the request.
    request: Map<String, Value>,
    /// Summary of the answer.
    response: Map<String, Value>,
    /// Findings.
    findings: Vec<Finding>,
}

/// A complete answer.
struct Reply {
    status: StatusCode,
    content_type: &'static str,
    headers: Vec<(header::HeaderName, String)>,
    body: Bytes,
    drop: bool,
}

impl Reply {
    fn json(status: StatusCode, value: &Value) -> Self {
        Self {
            status,
            content_type: FHIR_JSON,
            headers: Vec::new(),
            body: Bytes::from(value.to_string()),
            drop: false,
        }
    }

    fn outcome(status: StatusCode, code: &str, diagnostics: &str) -> Self {
        Self::json(status, &resources::outcome("error", code, diagnostics))
    }
}

impl Call {
    fn new(operation: impl Into<String>, method: &Method, query: Option<&str>) -> Self {
        let mut request = Map::new();
        request.insert("method".into(), method.as_str().into());
        if let Some(q) = query {
            request.insert("query".into(), q.into());
        }
        Self {
            operation: operation.into(),
            request,
            response: Map::new(),
            findings: Vec::new(),
        }
    }

    /// A refusal with its finding.
    fn refuse(
        &mut self,
        rule: segur_core::finding::Rule,
        status: StatusCode,
        code: &str,
        why: String,
    ) -> Reply {
        self.findings.push(rule.finding(why.clone()));
        Reply::outcome(status, code, &why)
    }

    /// The checks every call passes: GET, JSON, a query of bounded size, the API key.
    fn admit(
        &mut self,
        annuaire: &Annuaire,
        method: &Method,
        headers: &HeaderMap,
        query: Option<&str>,
        key_required: bool,
    ) -> Result<(), Reply> {
        if method != Method::GET {
            return Err(self.refuse(
                rules::REQUEST,
                StatusCode::METHOD_NOT_ALLOWED,
                "not-supported",
                format!("{method} is not served: the directory is read with GET"),
            ));
        }
        if query.is_some_and(|q| q.len() > MAX_QUERY) {
            return Err(self.refuse(
                rules::REQUEST,
                StatusCode::URI_TOO_LONG,
                "too-long",
                format!("the query is longer than {MAX_QUERY} bytes"),
            ));
        }
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("*/*");
        let json_ok = accept.split(',').any(|a| {
            let media = a.split(';').next().unwrap_or("").trim();
            matches!(
                media,
                "*/*"
                    | "application/*"
                    | "application/json"
                    | "application/fhir+json"
                    | "application/zip"
            )
        });
        if !json_ok {
            return Err(self.refuse(
                rules::REQUEST,
                StatusCode::NOT_ACCEPTABLE,
                "not-supported",
                format!("Accept {accept:?}: the directory answers application/fhir+json"),
            ));
        }
        if key_required {
            let given = headers
                .get(API_KEY_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::trim);
            match given {
                Some(k) if k == annuaire.config.api_key => {}
                Some(_) => {
                    return Err(self.refuse(
                        rules::API_KEY,
                        StatusCode::UNAUTHORIZED,
                        "security",
                        format!("the {API_KEY_HEADER} given is not a key of this directory"),
                    ));
                }
                None => {
                    return Err(self.refuse(
                        rules::API_KEY,
                        StatusCode::UNAUTHORIZED,
                        "security",
                        format!("no {API_KEY_HEADER} header: the API is read with a key"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Admits the call ([`Call::admit`]), then answers it with the armed fault, if any, or
    /// with `answer`.
    async fn serve(
        &mut self,
        annuaire: &Annuaire,
        request: (&Method, &HeaderMap, Option<&str>),
        key_required: bool,
        answer: impl FnOnce(&mut Self) -> Reply,
    ) -> Reply {
        let (method, headers, query) = request;
        if let Err(reply) = self.admit(annuaire, method, headers, query, key_required) {
            return reply;
        }
        if let Some(reply) = self.injected(annuaire).await {
            return reply;
        }
        answer(self)
    }

    /// The armed fault for this operation, as the answer to give instead, if any.
    async fn injected(&mut self, annuaire: &Annuaire) -> Option<Reply> {
        let action = annuaire.bench.faults().take(SERVICE, &self.operation)?;
        self.response.insert(
            "injected".into(),
            serde_json::to_value(&action).unwrap_or(Value::Null),
        );
        match action {
            FaultAction::Delay { millis } => {
                tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
                None
            }
            FaultAction::DropConnection => Some(Reply {
                drop: true,
                ..Reply::json(StatusCode::OK, &Value::Null)
            }),
            FaultAction::HttpStatus { status, body } => {
                let (status, text) = segur_core::faults::status_reply(status, body);
                Some(Reply {
                    status,
                    content_type: "text/plain; charset=utf-8",
                    headers: Vec::new(),
                    body: Bytes::from(text),
                    drop: false,
                })
            }
            FaultAction::ProtocolError { code, message, .. } => Some(Reply::outcome(
                StatusCode::INTERNAL_SERVER_ERROR,
                &code,
                &message.unwrap_or_else(|| format!("injected {code}")),
            )),
        }
    }

    /// Journals the call and turns the reply into the response.
    fn finish(mut self, annuaire: &Annuaire, peer: &TlsPeer, reply: Reply) -> Response {
        self.response
            .insert("status".into(), reply.status.as_u16().into());
        let mut exchange = Exchange::new(SERVICE, &self.operation)
            .peer(peer.to_journal())
            .request(Payload::new(Bytes::new()).summary(Value::Object(self.request)))
            .response(
                Payload::new(if reply.content_type.starts_with("application/zip") {
                    Bytes::new()
                } else {
                    reply.body.clone()
                })
                .content_type(reply.content_type)
                .summary(Value::Object(self.response)),
            );
        for finding in self.findings {
            exchange = exchange.finding(finding);
        }
        if let Err(e) = annuaire.bench.journal().append(exchange) {
            tracing::error!(error = %e, "Annuaire: journaling a call failed");
        }
        if reply.drop {
            return segur_core::faults::dropped_connection();
        }
        let mut response = (reply.status, reply.body).into_response();
        let headers = response.headers_mut();
        if let Ok(v) = header::HeaderValue::from_str(reply.content_type) {
            headers.insert(header::CONTENT_TYPE, v);
        }
        for (name, value) in reply.headers {
            if let Ok(v) = header::HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
        }
        response
    }
}

async fn metadata(
    State(annuaire): State<Annuaire>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let mut call = Call::new("metadata", &method, query.as_deref());
    let request = (&method, &headers, query.as_deref());
    let reply = call
        .serve(&annuaire, request, false, |_| {
            Reply::json(StatusCode::OK, &capability_statement())
        })
        .await;
    call.finish(&annuaire, &peer, reply)
}

/// What the directory serves, as a FHIR `CapabilityStatement`.
pub fn capability_statement() -> Value {
    let string = |name: &str| json!({ "name": name, "type": "string" });
    let token = |name: &str| json!({ "name": name, "type": "token" });
    let common = || {
        vec![
            token("_id"),
            token("identifier"),
            token("active"),
            string("mailbox-mss"),
            token("mailbox-mss-type"),
        ]
    };
    let with = |mut params: Vec<Value>, more: Vec<Value>| {
        params.extend(more);
        params
    };
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "kind": "instance",
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "software": { "name": "segur-bench Annuaire Santé", "version": env!("CARGO_PKG_VERSION") },
        "rest": [{
            "mode": "server",
            "security": { "description": format!("Every call but metadata carries the {API_KEY_HEADER} header.") },
            "resource": [
                {
                    "type": "Practitioner",
                    "profile": format!("{}/StructureDefinition/as-practitioner", resources::IG),
                    "interaction": [{ "code": "read" }, { "code": "search-type" }],
                    "searchRevInclude": ["PractitionerRole:practitioner"],
                    "searchParam": with(common(), vec![string("name"), string("family"), string("given")]),
                },
                {
                    "type": "PractitionerRole",
                    "profile": format!("{}/StructureDefinition/as-practitionerrole", resources::IG),
                    "interaction": [{ "code": "read" }, { "code": "search-type" }],
                    "searchInclude": ["PractitionerRole:practitioner", "PractitionerRole:organization"],
                    "searchParam": with(common(), vec![
                        json!({ "name": "practitioner", "type": "reference" }),
                        json!({ "name": "organization", "type": "reference" }),
                        token("role"),
                        token("specialty"),
                    ]),
                },
                {
                    "type": "Organization",
                    "profile": format!("{}/StructureDefinition/as-organization", resources::IG),
                    "interaction": [{ "code": "read" }, { "code": "search-type" }],
                    "searchRevInclude": ["PractitionerRole:organization"],
                    "searchParam": with(common(), vec![string("name"), token("type")]),
                },
            ],
        }],
    })
}

async fn search_handler(
    State(annuaire): State<Annuaire>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    Path(kind): Path<String>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let mut call = Call::new(format!("search {kind}"), &method, query.as_deref());
    let request = (&method, &headers, query.as_deref());
    let reply = call
        .serve(&annuaire, request, true, |call| {
            search_reply(&annuaire, call, &kind, query.as_deref())
        })
        .await;
    call.finish(&annuaire, &peer, reply)
}

/// A search's answer, once the call is admitted.
fn search_reply(annuaire: &Annuaire, call: &mut Call, kind: &str, query: Option<&str>) -> Reply {
    let Some(kind) = Kind::from_path(kind) else {
        return unknown_type(call, kind);
    };
    let search = match search::parse(kind, query.unwrap_or("")) {
        Ok(search) => search,
        Err(e) => {
            return call.refuse(
                rules::SEARCH_PARAMETER,
                StatusCode::BAD_REQUEST,
                "not-supported",
                format!("{}: {}", e.parameter, e.why),
            );
        }
    };
    let directory = annuaire.directory();
    let (bundle, ids) = search.run(&directory, &annuaire.base);
    call.response
        .insert("total".into(), bundle["total"].clone());
    call.response.insert("ids".into(), json!(ids));
    Reply::json(StatusCode::OK, &bundle)
}

/// A resource type the directory does not serve.
fn unknown_type(call: &mut Call, kind: &str) -> Reply {
    call.refuse(
        rules::REQUEST,
        StatusCode::NOT_FOUND,
        "not-supported",
        format!("no resource type {kind:?} here: Practitioner, PractitionerRole, Organization"),
    )
}

async fn read_handler(
    State(annuaire): State<Annuaire>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    Path((kind, id)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let mut call = Call::new(format!("read {kind}"), &method, query.as_deref());
    call.request.insert("id".into(), id.clone().into());
    let request = (&method, &headers, query.as_deref());
    let reply = call
        .serve(&annuaire, request, true, |call| {
            match Kind::from_path(&kind) {
                None => unknown_type(call, &kind),
                Some(kind) => match search::read(&annuaire.directory(), kind, &id) {
                    Some(resource) => Reply::json(StatusCode::OK, &resource),
                    None => Reply::outcome(
                        StatusCode::NOT_FOUND,
                        "not-found",
                        &format!("{}/{id} is not in the directory", kind.name()),
                    ),
                },
            }
        })
        .await;
    call.finish(&annuaire, &peer, reply)
}

async fn extraction_handler(
    State(annuaire): State<Annuaire>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let mut call = Call::new("extraction", &method, query.as_deref());
    let request = (&method, &headers, query.as_deref());
    let reply = call
        .serve(&annuaire, request, false, |call| {
            extraction_reply(&annuaire, call)
        })
        .await;
    call.finish(&annuaire, &peer, reply)
}

/// The extraction, dated by the bench clock.
fn extraction_reply(annuaire: &Annuaire, call: &mut Call) -> Reply {
    let directory = annuaire.directory();
    let now = annuaire.bench.clock().now();
    let stamp = format!(
        "{:04}{:02}{:02}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute()
    );
    match extraction::archive(&directory, &stamp) {
        Ok((name, bytes)) => {
            call.response.insert("file".into(), name.clone().into());
            call.response
                .insert("lines".into(), directory.roles.len().into());
            Reply {
                status: StatusCode::OK,
                content_type: "application/zip",
                headers: vec![(
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                )],
                body: Bytes::from(bytes),
                drop: false,
            }
        }
        Err(e) => Reply::outcome(
            StatusCode::INTERNAL_SERVER_ERROR,
            "exception",
            &format!("the extraction could not be written: {e}"),
        ),
    }
}

async fn unknown(
    State(annuaire): State<Annuaire>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    method: Method,
    uri: axum::http::Uri,
) -> Response {
    let mut call = Call::new("unknown", &method, uri.query());
    call.request.insert("path".into(), uri.path().into());
    let reply = call.refuse(
        rules::REQUEST,
        StatusCode::NOT_FOUND,
        "not-found",
        format!(
            "nothing at {}: the FHIR API is under /fhir/v2, the extraction at /extractions/PS_LibreAcces.zip",
            uri.path()
        ),
    );
    call.finish(&annuaire, &peer, reply)
}

impl Annuaire {
    /// The directory as it stands now: the world with the scenario's changes.
    pub fn directory(&self) -> Directory {
        let changes = self
            .changes
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        Directory::of(&self.bench.world(), &changes)
    }
}

/// Today's search-parameter findings on a recorded search (`recheck`): the query is in
/// the record; the key and the Accept header are not, so only this rule is re-judged.
pub fn recheck(operation: &str, query: Option<&str>) -> Vec<Finding> {
    let Some(kind) = operation.strip_prefix("search ").and_then(Kind::from_path) else {
        return Vec::new();
    };
    match search::parse(kind, query.unwrap_or("")) {
        Ok(_) => Vec::new(),
        Err(e) => vec![rules::SEARCH_PARAMETER.finding(format!("{}: {}", e.parameter, e.why))],
    }
}

/// Whether `rule` is one [`recheck`] decides.
pub fn is_search_rule(rule: &str) -> bool {
    rule == rules::SEARCH_PARAMETER.name
}
