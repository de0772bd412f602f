//! The HTTP face of the simulator: `POST /si-dmp-server/v2/services/{service}` (SOAP 1.2,
//! plain or MTOM/XOP), and the order of checks every call goes through: transport,
//! envelope, WS-Addressing, operation, armed faults, VIHF, then the operation itself.
//!
//! [`app`] builds the router so handlers can be tested without sockets; the caller's TLS
//! identity comes in as axum's `ConnectInfo<TlsPeer>`.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use segur_core::bench::Bench;
use segur_core::faults::{FaultAction, dropped_connection, status_reply};
use segur_core::finding::Finding;
use segur_core::journal::{Exchange, Payload};
use segur_core::soap::{Envelope, FaultCode, SoapVersion, WSA};
use segur_core::tls::TlsPeer;
use segur_core::xml::escape;
use serde_json::{Map, Value, json};

use crate::config::DmpConfig;
use crate::exchange::{Answer, Ctx};
use crate::fault::DmpFault;
use crate::operation::{Operation, ServiceName};
use crate::patients::{habilitations, hl7v3, specific};
use crate::store::DmpStore;
use crate::xds::response::{RegistryError, registry_response};
use crate::{SERVICE, rules, transport, vihf, xds};

/// The path prefix of the four services.
pub const BASE_PATH: &str = "/si-dmp-server/v2/services";

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// World, clock, journal, faults, PKI.
    pub bench: Bench,
    /// Policies and limits.
    pub config: Arc<DmpConfig>,
    /// Patients and documents.
    pub store: Arc<DmpStore>,
    /// VIHF signatures already verified (a session's VIHF is verified once).
    pub signatures: Arc<vihf::signature::SignatureCache>,
}

/// The router of the four services.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route(
            &format!("{BASE_PATH}/{{service}}"),
            post(post_soap).get(get_service),
        )
        .with_state(state)
}

async fn get_service(Path(service): Path<String>) -> Response {
    match ServiceName::from_path(&service) {
        Some(_) => (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "POST")],
            format!("DMP {service}: POST a SOAP 1.2 request (with its VIHF) here\n"),
        )
            .into_response(),
        None => unknown_service(&service),
    }
}

fn unknown_service(service: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        format!("no DMP service {service:?}: registry, repository, patients or habilitations\n"),
    )
        .into_response()
}

/// One call, as it is answered and journaled.
struct Call {
    /// The operation, once the action named one.
    operation: Option<Operation>,
    request: Map<String, Value>,
    response: Map<String, Value>,
    findings: Vec<Finding>,
    message_id: Option<String>,
    /// The request's `Content-Type` as sent (MTOM's boundary with it), journaled with the
    /// body so the body can be read again.
    request_type: String,
}

/// How the call is answered.
enum Reply {
    /// A SOAP answer.
    Answer(Answer),
    /// A SOAP fault.
    Fault(DmpFault),
    /// An injected HTTP status.
    Status(StatusCode, String),
    /// An injected dropped connection.
    Drop,
}

async fn post_soap(
    State(state): State<AppState>,
    Path(service): Path<String>,
    ConnectInfo(peer): ConnectInfo<TlsPeer>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(service) = ServiceName::from_path(&service) else {
        return unknown_service(&service);
    };
    let mut call = Call {
        operation: None,
        request: Map::new(),
        response: Map::new(),
        findings: Vec::new(),
        message_id: None,
        request_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_string(),
    };
    call.request
        .insert("service".into(), Value::from(service.path()));
    // When the request arrived: the record's time is when it was answered, so a delayed
    // answer shows how long the software waited (and what it did meanwhile, UX.10).
    call.request.insert(
        "received_at".into(),
        Value::from(
            state
                .bench
                .clock()
                .now()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
        ),
    );
    let read = tokio::time::timeout(
        state.config.read_timeout,
        axum::body::to_bytes(body, state.config.max_body),
    )
    .await;
    let bytes = match read {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            let why = format!(
                "the request body is larger than {} bytes (or was cut off)",
                state.config.max_body
            );
            call.findings
                .push(rules::SOAP_MALFORMED.finding(why.clone()).at("HTTP body"));
            return finish(
                &state,
                &peer,
                call,
                Bytes::new(),
                Reply::Fault(DmpFault::malformed(FaultCode::Sender, why, 413)),
            );
        }
        Err(_) => {
            let why = format!(
                "the request body did not arrive within {} s",
                state.config.read_timeout.as_secs()
            );
            call.findings
                .push(rules::SOAP_MALFORMED.finding(why.clone()).at("HTTP body"));
            return finish(
                &state,
                &peer,
                call,
                Bytes::new(),
                Reply::Fault(DmpFault::malformed(FaultCode::Sender, why, 408)),
            );
        }
    };
    let reply = answer_call(&state, service, &headers, &peer, bytes.clone(), &mut call).await;
    finish(&state, &peer, call, bytes, reply)
}

async fn answer_call(
    state: &AppState,
    service: ServiceName,
    headers: &HeaderMap,
    peer: &TlsPeer,
    bytes: Bytes,
    call: &mut Call,
) -> Reply {
    // A world changed through the control API since the last call reaches the records.
    state.store.follow_world(&state.bench);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let incoming = match transport::read(content_type, bytes, state.config.max_document).await {
        Ok(i) => i,
        Err(e) => {
            let (rule, status) = match &e {
                transport::TransportError::MediaType(_) => (rules::SOAP_MALFORMED, 415),
                transport::TransportError::TooLarge { .. } => (rules::SOAP_MALFORMED, 413),
                _ => (rules::MTOM, 400),
            };
            call.findings
                .push(rule.finding(e.to_string()).at("Content-Type / MIME"));
            return Reply::Fault(DmpFault::malformed(
                FaultCode::Sender,
                e.to_string(),
                status,
            ));
        }
    };
    call.request
        .insert("mtom".into(), Value::Bool(incoming.mtom));
    let envelope = match Envelope::parse_any(&incoming.soap, &state.config.xml_limits) {
        Ok(e) => e,
        Err(e) => {
            call.findings.push(
                rules::SOAP_MALFORMED
                    .finding(e.to_string())
                    .at("SOAP envelope"),
            );
            return Reply::Fault(DmpFault {
                fault: e.fault(),
                status: 500,
                code: "soap:InvalidRequest".into(),
            });
        }
    };
    if envelope.version == SoapVersion::Soap11 {
        call.findings.push(rules::SOAP_11.finding("SOAP 1.1 envelope: the DMP's WSDLs bind SOAP 1.2 (accepted, as the DMP accepts the kit's TD2.1 sample)").at("Envelope"));
    }
    let header_text = |local: &str| {
        envelope
            .header_block(WSA, local)
            .map(|e| e.text().trim().to_string())
            .filter(|t| !t.is_empty())
    };
    call.message_id = header_text("MessageID");
    if call.message_id.is_none() {
        call.findings.push(
            rules::ADDRESSING
                .finding("no wsa:MessageID: the answer's RelatesTo cannot point at the request")
                .at("Header/MessageID"),
        );
    }
    let action = match (header_text("Action"), &incoming.action) {
        (Some(a), Some(b)) if !a.trim().eq(b.trim()) && !b.starts_with("DocumentRepository_") => {
            call.findings.push(rules::ADDRESSING.finding(format!("the Content-Type action {b:?} and wsa:Action {a:?} differ; wsa:Action is used")).at("Header/Action"));
            Some(a)
        }
        (Some(a), _) => Some(a),
        (None, Some(b)) => {
            call.findings.push(
                rules::ADDRESSING
                    .finding("no wsa:Action header (mustUnderstand in every kit message)")
                    .at("Header/Action"),
            );
            Some(b.clone())
        }
        (None, None) => None,
    };
    let Some(action) = action else {
        call.findings.push(
            rules::ACTION_UNKNOWN
                .finding("no action: neither wsa:Action nor the Content-Type's action parameter")
                .at("Header/Action"),
        );
        return Reply::Fault(DmpFault::action_not_supported(""));
    };
    let operation = match Operation::resolve(service, &action) {
        Ok(op) => op,
        Err(other) => {
            let why = match other {
                Some(s) => format!(
                    "{action} is an operation of /{}, not of /{}",
                    s.path(),
                    service.path()
                ),
                None => format!("{action} names no operation of the DMP"),
            };
            call.findings
                .push(rules::ACTION_UNKNOWN.finding(why).at("Header/Action"));
            return Reply::Fault(DmpFault::action_not_supported(&action));
        }
    };
    call.operation = Some(operation);
    call.request
        .insert("operation".into(), Value::from(operation.name()));
    if let Some(action) = state.bench.faults().take(SERVICE, operation.name()) {
        call.response.insert(
            "injected".into(),
            serde_json::to_value(&action).unwrap_or(Value::Null),
        );
        match action {
            FaultAction::ProtocolError { code, message, .. } => {
                return injected(operation, &code, message.as_deref(), &envelope);
            }
            FaultAction::Delay { millis } => {
                tokio::time::sleep(std::time::Duration::from_millis(millis)).await
            }
            FaultAction::DropConnection => return Reply::Drop,
            FaultAction::HttpStatus { status, body } => {
                let (status, text) = status_reply(status, body);
                return Reply::Status(status, text);
            }
        }
    }
    let vihf = match vihf::check(
        &envelope,
        &state.bench,
        &state.config,
        &state.signatures,
        operation != Operation::PatientList,
        peer.names.as_ref(),
        &mut call.findings,
    ) {
        Ok(v) => v,
        Err(fault) => return Reply::Fault(fault),
    };
    call.request.insert(
        "vihf".into(),
        serde_json::to_value(&vihf).unwrap_or(Value::Null),
    );
    vihf::check_user(&vihf, &state.bench.world(), &mut call.findings);
    let mut ctx = Ctx {
        bench: &state.bench,
        config: &state.config,
        store: &state.store,
        vihf: &vihf,
        incoming: &incoming,
        findings: std::mem::take(&mut call.findings),
        summary: Map::new(),
    };
    let payload = envelope.payload();
    let answer = match operation {
        Operation::PatientQuery => hl7v3::query(&mut ctx, payload),
        Operation::Create => hl7v3::create(&mut ctx, payload),
        Operation::Revise => hl7v3::revise(&mut ctx, payload),
        Operation::PatientList => specific::patient_list(&mut ctx, payload),
        Operation::CreatePatientAccess
        | Operation::PatientOtpUpdate
        | Operation::UpdatePatientAccess => specific::web_account(&mut ctx, operation, payload),
        Operation::SetAuthorization => habilitations::set_authorization(&mut ctx, payload),
        Operation::ListAuthorizations => habilitations::list(&mut ctx, payload),
        Operation::ProvideAndRegister => xds::provide::answer(&mut ctx, payload),
        Operation::StoredQuery => xds::query::answer(&mut ctx, payload),
        Operation::Retrieve => xds::retrieve::answer(&mut ctx, payload),
        Operation::UpdateDocumentSet => xds::update::answer(&mut ctx, payload),
    };
    call.findings = ctx.findings;
    call.response.extend(ctx.summary);
    Reply::Answer(answer)
}

/// A business error armed through the control API, in the operation's own answer form;
/// `DMPInvalidCertificate` and qualified codes (`wsse:…`, `soap:…`) as SOAP faults.
fn injected(operation: Operation, code: &str, message: Option<&str>, envelope: &Envelope) -> Reply {
    if code == "DMPInvalidCertificate" || code.contains(':') {
        return Reply::Fault(DmpFault::armed(code, message));
    }
    let text = message
        .unwrap_or("Erreur injectée par le banc de test")
        .to_string();
    let payload = match operation {
        Operation::ProvideAndRegister
        | Operation::UpdateDocumentSet
        | Operation::StoredQuery
        | Operation::Retrieve => {
            let errors = [RegistryError::new(code, text)];
            match operation {
                Operation::StoredQuery => xds::query::failure_response(&errors),
                Operation::Retrieve => format!(
                    "<xdsb:RetrieveDocumentSetResponse xmlns:xdsb=\"{}\">{}</xdsb:RetrieveDocumentSetResponse>",
                    xds::XDSB,
                    registry_response(&errors)
                ),
                _ => registry_response(&errors),
            }
        }
        Operation::SetAuthorization | Operation::ListAuthorizations => {
            let element = if operation == Operation::SetAuthorization {
                "setAuthorizationResponse"
            } else {
                "listAuthorizationByPatientResponse"
            };
            format!(
                "<ns1:{element} xmlns:ns1=\"{}\">{}</ns1:{element}>",
                habilitations::NS,
                crate::patients::status_output(code, &text, "")
            )
        }
        Operation::PatientList
        | Operation::CreatePatientAccess
        | Operation::PatientOtpUpdate
        | Operation::UpdatePatientAccess => {
            format!(
                "<ns1:{}Response xmlns:ns1=\"{}\">{}</ns1:{}Response>",
                local_name(operation),
                specific::NS,
                crate::patients::status_output(code, &text, ""),
                local_name(operation)
            )
        }
        Operation::PatientQuery | Operation::Create | Operation::Revise => {
            let interaction = match operation {
                Operation::PatientQuery => "PRPA_IN201308UV02",
                Operation::Create => "PRPA_IN201313UV02",
                _ => "PRPA_IN201316UV02",
            };
            let target = envelope.payload().child(hl7v3::HL7, "id");
            format!(
                "<{interaction} ITSVersion=\"XML_1.0\" xmlns=\"{}\"><acknowledgement typeCode=\"AE\"><targetMessage><id extension=\"{}\" root=\"{}\"/></targetMessage><acknowledgementDetail typeCode=\"E\"><code code=\"{}\" codeSystem=\"1.2.250.1.213.4.1.2.1\"/><text>{}</text></acknowledgementDetail></acknowledgement></{interaction}>",
                hl7v3::HL7,
                escape(target.and_then(|t| t.attr("extension")).unwrap_or_default()),
                escape(target.and_then(|t| t.attr("root")).unwrap_or_default()),
                escape(code),
                escape(&text)
            )
        }
    };
    Reply::Answer(Answer::xml(payload))
}

fn local_name(operation: Operation) -> &'static str {
    match operation {
        Operation::PatientList => "patientList",
        Operation::CreatePatientAccess => "createPatientAccess",
        Operation::PatientOtpUpdate => "patientOTPUpdate",
        _ => "updatePatientAccess",
    }
}

const SOAP_CONTENT_TYPE: &str = "application/soap+xml; charset=utf-8";

/// The answer's envelope: SOAP 1.2 with WS-Addressing (`Action`, `MessageID`, `To`
/// anonymous, `RelatesTo`).
fn envelope(action: &str, relates_to: Option<&str>, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope xmlns:soap=\"{}\"><soap:Header><Action xmlns=\"{WSA}\">{}</Action><MessageID xmlns=\"{WSA}\">urn:uuid:{}</MessageID><To xmlns=\"{WSA}\">http://www.w3.org/2005/08/addressing/anonymous</To>{}</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>",
        segur_core::soap::SOAP12,
        escape(action),
        uuid::Uuid::new_v4(),
        relates_to
            .map(|r| format!("<RelatesTo xmlns=\"{WSA}\">{}</RelatesTo>", escape(r)))
            .unwrap_or_default()
    )
}

/// Writes the answer (SOAP or MTOM), journals the exchange and returns the response.
fn finish(
    state: &AppState,
    peer: &TlsPeer,
    mut call: Call,
    request: Bytes,
    reply: Reply,
) -> Response {
    let (status, content_type, body): (StatusCode, String, Bytes) = match reply {
        Reply::Answer(answer) => {
            let action = call
                .operation
                .map(Operation::response_action)
                .unwrap_or_default();
            let xml = envelope(action, call.message_id.as_deref(), &answer.payload);
            if answer.attachments.is_empty() {
                (
                    StatusCode::OK,
                    SOAP_CONTENT_TYPE.to_string(),
                    Bytes::from(xml),
                )
            } else {
                let (content_type, body) =
                    crate::transport::mtom::write(&xml, action, &answer.attachments);
                (StatusCode::OK, content_type, body)
            }
        }
        Reply::Fault(fault) => {
            call.response.insert(
                "fault".into(),
                json!({ "code": fault.code, "reason": fault.fault.reason }),
            );
            let status =
                StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (
                status,
                SOAP_CONTENT_TYPE.to_string(),
                Bytes::from(fault.fault.to_xml()),
            )
        }
        Reply::Status(status, text) => {
            call.response
                .insert("injected_status".into(), Value::from(status.as_u16()));
            (
                status,
                "text/plain; charset=utf-8".into(),
                Bytes::from(text),
            )
        }
        Reply::Drop => {
            call.response.insert("dropped".into(), Value::Bool(true));
            journal(state, peer, &call, request, Bytes::new(), "text/plain");
            return dropped_connection();
        }
    };
    journal(state, peer, &call, request, body.clone(), &content_type);
    let mut response = (status, body).into_response();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

fn journal(
    state: &AppState,
    peer: &TlsPeer,
    call: &Call,
    request: Bytes,
    response: Bytes,
    response_type: &str,
) {
    let mut exchange = Exchange::new(SERVICE, call.operation.map_or("invalid", Operation::name))
        .peer(peer.to_journal())
        .request(
            Payload::new(request)
                .content_type(call.request_type.clone())
                .summary(Value::Object(call.request.clone())),
        )
        .response(
            Payload::new(response)
                .content_type(response_type)
                .summary(Value::Object(call.response.clone())),
        );
    exchange.findings = call.findings.clone();
    if let Err(e) = state.bench.journal().append(exchange) {
        tracing::error!(error = %e, "DMP: the journal refused a record");
    }
}
