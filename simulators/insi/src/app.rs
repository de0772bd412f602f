//! The HTTP face of the simulator: `POST /lps` (SOAP 1.2), `GET /lps?wsdl`, `GET /xsd/...`.
//!
//! [`app`] builds the router for one door (mTLS or CPx) so handlers can be tested
//! without sockets; the caller's TLS identity comes in as axum's `ConnectInfo<TlsPeer>`.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use segur_core::bench::Bench;
use segur_core::faults::{FaultAction, dropped_connection, status_reply};
use segur_core::finding::Finding;
use segur_core::journal::{Exchange, Payload};
use segur_core::soap::{Envelope, FaultCode, SoapContentType};
use segur_core::tls::TlsPeer;
use serde_json::{Value, json};

use crate::caller::{self, Caller};
use crate::config::{InsiConfig, VerifyPolicy};
use crate::context::{self, Context};
use crate::fault::InsiFault;
use crate::operation::Operation;
use crate::query::{self, Query};
use crate::search::{self, Code};
use crate::{SERVICE, answer, rules, wsdl};

/// Which of the two ways in a router serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// Mutual TLS with a software certificate (`INSI-AUTO` / `INSI-MANU`).
    Mtls,
    /// Server TLS plus a card assertion in `wsse:Security`.
    Cpx,
}

impl Door {
    /// The endpoint name (`insi.mtls`, `insi.cpx`).
    pub fn endpoint(self) -> &'static str {
        match self {
            Self::Mtls => "mtls",
            Self::Cpx => "cpx",
        }
    }
}

/// What every handler of one door shares.
#[derive(Clone)]
pub struct AppState {
    /// World, clock, journal, faults, PKI.
    pub bench: Bench,
    /// Policies and limits.
    pub config: Arc<InsiConfig>,
    /// The door this router serves.
    pub door: Door,
    /// This door's own URL (`https://127.0.0.1:8441/lps`), written into the WSDL.
    pub endpoint: String,
}

/// The router of one door.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/lps", get(get_wsdl).post(post_soap))
        .route("/xsd/{*path}", get(get_schema))
        .with_state(state)
}

const SOAP_CONTENT_TYPE: &str = "application/soap+xml;charset=utf-8";

async fn get_wsdl(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    if query
        .as_deref()
        .is_some_and(|q| q.eq_ignore_ascii_case("wsdl"))
    {
        return (
            [(header::CONTENT_TYPE, "text/xml;charset=utf-8")],
            wsdl::rewritten(&state.endpoint),
        )
            .into_response();
    }
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, "POST")],
        "INSi: POST a SOAP 1.2 request here, or GET /lps?wsdl for the contract\n",
    )
        .into_response()
}

async fn get_schema(Path(path): Path<String>) -> Response {
    match wsdl::schema(&path) {
        Some(text) => ([(header::CONTENT_TYPE, "text/xml;charset=utf-8")], text).into_response(),
        None => (StatusCode::NOT_FOUND, format!("no schema xsd/{path}\n")).into_response(),
    }
}

/// One call, as it is answered and journaled.
struct Call {
    /// The operation, once the action named one (`invalid` before).
    operation: String,
    /// The request's summary for the journal.
    request: serde_json::Map<String, Value>,
    /// The response's summary for the journal.
    response: serde_json::Map<String, Value>,
    /// What the rules found.
    findings: Vec<Finding>,
    /// `wsa:MessageID`, echoed in faults.
    message_id: Option<String>,
}

impl Call {
    fn fault(&mut self, fault: InsiFault) -> (StatusCode, String) {
        self.response.insert(
            "fault".into(),
            json!({
                "subcode": fault.subcode.as_ref().map(|(q, _)| q.clone()),
                "code": fault.detail_code,
                "severite": fault.severity,
                "detail": fault.detail,
            }),
        );
        let status =
            StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, fault.to_xml(self.message_id.as_deref()))
    }
}

async fn post_soap(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut call = Call {
        operation: "invalid".into(),
        request: serde_json::Map::new(),
        response: serde_json::Map::new(),
        findings: Vec::new(),
        message_id: None,
    };
    call.request
        .insert("door".into(), Value::from(state.door.endpoint()));
    let read = tokio::time::timeout(
        state.config.read_timeout,
        axum::body::to_bytes(body, state.config.max_body),
    )
    .await;
    let (why, status) = match read {
        Ok(Ok(bytes)) => {
            return match answer_call(&state, &peer, &headers, &bytes, &mut call).await {
                Reply::Answer(status, xml) => finish(&state, &peer, call, bytes, status, xml),
                Reply::Status(status, text) => {
                    call.response
                        .insert("injected_status".into(), Value::from(status.as_u16()));
                    journal(&state, &peer, &call, &bytes, text.as_bytes(), "text/plain");
                    (
                        status,
                        [(header::CONTENT_TYPE, "text/plain;charset=utf-8")],
                        text,
                    )
                        .into_response()
                }
                Reply::Drop => {
                    call.response.insert("dropped".into(), Value::Bool(true));
                    journal(&state, &peer, &call, &bytes, b"", "text/plain");
                    dropped_connection()
                }
            };
        }
        Ok(Err(_)) => (
            format!(
                "the request body is larger than {} bytes (or was cut off)",
                state.config.max_body
            ),
            413,
        ),
        Err(_) => (
            format!(
                "the request body did not arrive within {} s",
                state.config.read_timeout.as_secs()
            ),
            408,
        ),
    };
    call.findings
        .push(rules::SOAP_MALFORMED.finding(why.clone()).at("HTTP body"));
    let (status, xml) = call.fault(InsiFault::malformed(FaultCode::Sender, why, status));
    finish(&state, &peer, call, Bytes::new(), status, xml)
}

/// How the call is answered.
enum Reply {
    /// A SOAP answer or fault.
    Answer(StatusCode, String),
    /// An injected HTTP status with a plain body.
    Status(StatusCode, String),
    /// An injected dropped connection.
    Drop,
}

async fn answer_call(
    state: &AppState,
    peer: &TlsPeer,
    headers: &HeaderMap,
    bytes: &Bytes,
    call: &mut Call,
) -> Reply {
    let refuse = |call: &mut Call, fault: InsiFault| {
        let (status, xml) = call.fault(fault);
        Reply::Answer(status, xml)
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = match SoapContentType::parse(content_type) {
        Ok(m) => m,
        Err(e) => {
            call.findings.push(
                rules::SOAP_MALFORMED
                    .finding(e.to_string())
                    .at("Content-Type"),
            );
            return refuse(call, InsiFault::from_soap_error(&e, 415));
        }
    };
    if media.charset.as_deref().is_some_and(|c| c != "utf-8") {
        call.findings.push(
            rules::SOAP_MALFORMED
                .finding(format!(
                    "charset {:?}: the service reads UTF-8",
                    media.charset
                ))
                .at("Content-Type"),
        );
    }
    let envelope = match Envelope::parse(bytes, &state.config.xml_limits) {
        Ok(e) => e,
        Err(e) => {
            call.findings.push(
                rules::SOAP_MALFORMED
                    .finding(e.to_string())
                    .at("SOAP envelope"),
            );
            return refuse(call, InsiFault::from_soap_error(&e, 500));
        }
    };
    let (message_id, wsa_action) = context::addressing(&envelope);
    call.message_id = message_id.clone();
    let not_understood = envelope.not_understood(&[
        segur_core::soap::WSA,
        context::CTXLPS,
        context::CTXBAM,
        segur_core::saml::WSSE,
    ]);
    if !not_understood.is_empty() {
        let fault = InsiFault::must_understand(not_understood);
        call.findings.push(
            rules::MUST_UNDERSTAND
                .finding(fault.detail.clone())
                .at("Header"),
        );
        return refuse(call, fault);
    }
    if let Some(m) = &message_id {
        call.request
            .insert("message_id".into(), Value::from(m.as_str()));
    }
    let operation =
        match resolve_operation(state, media.action.as_deref(), wsa_action.as_deref(), call) {
            Ok(op) => op,
            Err(fault) => return refuse(call, fault),
        };
    call.operation = operation.name().to_string();
    call.request
        .insert("operation".into(), Value::from(operation.name()));

    if let Some(action) = state.bench.faults().take(SERVICE, operation.name()) {
        call.response.insert(
            "injected".into(),
            serde_json::to_value(&action).unwrap_or(Value::Null),
        );
        match action {
            FaultAction::ProtocolError {
                code,
                message,
                detail,
            } => {
                return refuse(
                    call,
                    InsiFault::armed(&code, message.as_deref(), detail.as_ref()),
                );
            }
            FaultAction::Delay { millis } => {
                tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
            }
            FaultAction::DropConnection => return Reply::Drop,
            FaultAction::HttpStatus { status, body } => {
                let (status, text) = status_reply(status, body);
                return Reply::Status(status, text);
            }
        }
    }

    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let found = match state.door {
        Door::Mtls => caller::from_certificate(peer, &mut call.findings).and_then(|c| {
            caller::with_psc_token(c, authorization, &state.bench, &mut call.findings)
        }),
        Door::Cpx => caller::from_assertion(
            &envelope,
            &state.bench,
            state.config.signatures,
            &mut call.findings,
        ),
    };
    let caller = match found {
        Ok(c) => c,
        Err(fault) => return refuse(call, fault),
    };
    record_caller(call, &caller);

    let (ctx, query) = {
        let world = state.bench.world();
        let ctx = match context::check(&envelope, message_id.as_deref(), &world, &mut call.findings)
        {
            Ok(ctx) => ctx,
            Err(fault) => {
                drop(world);
                return refuse(call, fault);
            }
        };
        let query = query::read(envelope.payload(), &mut call.findings);
        (ctx, query)
    };
    record_context(call, &ctx);
    let query = match query {
        Ok(q) => q,
        Err(refused) => {
            call.findings
                .push(refused.rule.finding(refused.why.clone()).at("Body"));
            return refuse(call, InsiFault::invalid_request(&refused.why));
        }
    };
    call.request.insert(
        "query".into(),
        serde_json::to_value(&query).unwrap_or(Value::Null),
    );
    let outcome = match (&query, operation) {
        (Query::Traits(q), Operation::SearchByTraits) => search::by_traits(&state.bench.world(), q),
        (Query::Vitale(q), Operation::SearchByVitale) => search::by_vitale(&state.bench.world(), q),
        (Query::Verify { supplied, traits }, Operation::SearchByTraits | Operation::Verify) => {
            let outcome = search::by_traits(&state.bench.world(), traits);
            let verdict = match &outcome.patient {
                Some(p) if p.ins.as_ref() == Some(supplied) => "OK",
                _ => "KO",
            };
            call.response
                .insert("verification".into(), Value::from(verdict));
            if verdict == "KO" {
                call.findings.push(rules::VERIFICATION_KO.finding(format!(
                    "the INS supplied ({}{} OID {}) is not the one INSi holds for these traits (answer {})",
                    supplied.matricule,
                    supplied.key,
                    supplied.oid,
                    outcome.code.code()
                )));
            }
            outcome
        }
        (q, op) => {
            let why = format!(
                "operation {op} cannot take a {} body",
                match q {
                    Query::Traits(_) => "RECSANSVITALE (traits)",
                    Query::Vitale(_) => "RECVITALE (Vitale)",
                    Query::Verify { .. } => "RequeteUnitaire (verification)",
                }
            );
            call.findings
                .push(rules::SOAP_MALFORMED.finding(why.clone()).at("Body"));
            return refuse(call, InsiFault::invalid_request(&why));
        }
    };
    call.response
        .insert("code".into(), Value::from(outcome.code.code()));
    call.response
        .insert("matches".into(), Value::from(outcome.matches));
    if let (Code::Found, Some(p)) = (outcome.code, &outcome.patient) {
        call.response
            .insert("patient".into(), Value::from(p.id.as_str()));
        if let Some(ins) = &p.ins {
            call.response.insert(
                "ins".into(),
                json!({ "matricule": ins.matricule, "key": ins.key, "oid": ins.oid }),
            );
        }
    }
    Reply::Answer(StatusCode::OK, answer::envelope(&outcome))
}

fn resolve_operation(
    state: &AppState,
    content_action: Option<&str>,
    wsa_action: Option<&str>,
    call: &mut Call,
) -> Result<Operation, InsiFault> {
    match (content_action, wsa_action) {
        (Some(a), Some(b)) if a.trim() != b.trim() => call.findings.push(
            rules::ACTION_INCONSISTENT
                .finding(format!(
                    "Content-Type action {a:?} and wsa:Action {b:?} differ; wsa:Action is used"
                ))
                .at("Header/Action"),
        ),
        (None, Some(_)) => call.findings.push(
            rules::ACTION_INCONSISTENT
                .finding(
                    "the Content-Type has no action parameter (SOAP 1.2 carries the action there)",
                )
                .at("Content-Type"),
        ),
        (Some(_), None) => call.findings.push(
            rules::ACTION_INCONSISTENT
                .finding("no wsa:Action header (the WSDL's clients send it)")
                .at("Header/Action"),
        ),
        _ => {}
    }
    let Some(action) = wsa_action.or(content_action) else {
        call.findings.push(
            rules::ACTION_UNKNOWN
                .finding(
                    "no SOAP action: neither wsa:Action nor the Content-Type's action parameter",
                )
                .at("Header/Action"),
        );
        return Err(InsiFault::action_not_supported(""));
    };
    match Operation::from_action(action) {
        Some(Operation::Verify) if state.config.verify == VerifyPolicy::NotOffered => {
            call.findings.push(
                rules::ACTION_UNKNOWN
                    .finding("the verification operation is not offered (as in WSDL 1.5.0): verify with a traits search")
                    .at("Header/Action"),
            );
            Err(InsiFault::action_not_supported(action))
        }
        Some(op) => Ok(op),
        None => {
            call.findings.push(
                rules::ACTION_UNKNOWN
                    .finding(format!("action {action:?} names no INSi operation"))
                    .at("Header/Action"),
            );
            Err(InsiFault::action_not_supported(action))
        }
    }
}

fn record_caller(call: &mut Call, caller: &Caller) {
    call.request
        .insert("mode".into(), Value::from(caller.mode.to_string()));
    call.request.insert(
        "caller".into(),
        serde_json::to_value(caller).unwrap_or(Value::Null),
    );
}

fn record_context(call: &mut Call, ctx: &Context) {
    for (key, value) in [
        ("idam", &ctx.idam),
        ("lps_name", &ctx.lps_name),
        ("lps_version", &ctx.lps_version),
        ("lps_instance", &ctx.lps_instance),
        ("emitter", &ctx.emitter),
    ] {
        if let Some(v) = value {
            call.request.insert(key.into(), Value::from(v.as_str()));
        }
    }
}

fn journal(
    state: &AppState,
    peer: &TlsPeer,
    call: &Call,
    request: &Bytes,
    response: &[u8],
    response_type: &str,
) {
    let mut exchange = Exchange::new(SERVICE, call.operation.clone())
        .peer(peer.to_journal())
        .request(
            Payload::new(request.clone())
                .content_type("application/soap+xml")
                .summary(Value::Object(call.request.clone())),
        )
        .response(
            Payload::new(Bytes::copy_from_slice(response))
                .content_type(response_type)
                .summary(Value::Object(call.response.clone())),
        );
    exchange.findings = call.findings.clone();
    if let Err(e) = state.bench.journal().append(exchange) {
        tracing::error!(error = %e, "INSi: the journal refused a record");
    }
}

fn finish(
    state: &AppState,
    peer: &TlsPeer,
    call: Call,
    request: Bytes,
    status: StatusCode,
    xml: String,
) -> Response {
    journal(
        state,
        peer,
        &call,
        &request,
        xml.as_bytes(),
        SOAP_CONTENT_TYPE,
    );
    let mut response = (status, xml).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(SOAP_CONTENT_TYPE),
    );
    response
}
