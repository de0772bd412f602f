//! The control API as steps use it: one client for simulators started in process (their
//! control API on an ephemeral port) and for running ones (`--control-url`), so a step
//! does exactly what a user's own test could do.

use std::time::Duration;

use segur_core::journal::Record;
use serde_json::{Value, json};

/// Why a control call failed.
#[derive(Debug, thiserror::Error)]
#[error("control API {what}: {reason}")]
pub struct ControlError {
    /// The call.
    what: String,
    /// Why.
    reason: String,
}

/// A client of one bench's control API.
#[derive(Debug, Clone)]
pub struct ControlClient {
    /// `{base}/api/v1`.
    api: String,
    /// Plain HTTP on loopback.
    http: reqwest::Client,
}

impl ControlClient {
    /// A client of the control API at `base` (`http://127.0.0.1:8440`).
    pub fn new(base: &str) -> Self {
        Self {
            api: format!("{}/api/v1", base.trim_end_matches('/')),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, ControlError> {
        self.call_with(method, path, &[], body).await
    }

    async fn call_with(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, ControlError> {
        let what = format!("{method} {path}");
        let err = |reason: String| ControlError {
            what: what.clone(),
            reason,
        };
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.api))
            .query(query);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| err(e.to_string()))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| err(e.to_string()))?;
        if !status.is_success() {
            return Err(err(format!("HTTP {status}: {text}")));
        }
        if text.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| err(e.to_string()))
    }

    /// `GET /health`: services, journal head, scenario.
    pub async fn health(&self) -> Result<Value, ControlError> {
        self.call(reqwest::Method::GET, "/health", None).await
    }

    /// `GET /pki`: the PKI folder and its index.
    pub async fn pki(&self) -> Result<Value, ControlError> {
        self.call(reqwest::Method::GET, "/pki", None).await
    }

    /// `GET /pki/pem/{name}`: a credential's PEM texts (`ca`: the bundle and the CRL).
    pub async fn pki_pem(&self, name: &str) -> Result<Value, ControlError> {
        self.call(reqwest::Method::GET, &format!("/pki/pem/{name}"), None)
            .await
    }

    /// `POST /faults`: arms a fault (`{service, operation, action}`).
    pub async fn arm_fault(&self, spec: &Value) -> Result<Value, ControlError> {
        self.call(reqwest::Method::POST, "/faults", Some(spec))
            .await
    }

    /// `GET /dmp/documents`: every document version the DMP holds.
    pub async fn dmp_documents(&self) -> Result<Value, ControlError> {
        self.call(reqwest::Method::GET, "/dmp/documents", None)
            .await
    }

    /// `POST /dmp/documents`: a CDA deposited in a patient's DMP as a world professional
    /// fed it.
    pub async fn dmp_deposit(&self, deposit: &Value) -> Result<Value, ControlError> {
        self.call(reqwest::Method::POST, "/dmp/documents", Some(deposit))
            .await
    }

    /// `POST /dmp/documents/{uniqueId}/delete`: the author of a document deletes it from
    /// another software (status Deleted).
    pub async fn dmp_delete(&self, unique_id: &str) -> Result<Value, ControlError> {
        let path = format!(
            "/dmp/documents/{}/delete",
            unique_id.replace('%', "%25").replace('^', "%5E")
        );
        self.call(reqwest::Method::POST, &path, None).await
    }

    /// `GET /dmp/documents/{entry_uuid}/content`: the bytes fed for one version.
    pub async fn dmp_document_content(&self, entry_uuid: &str) -> Result<Vec<u8>, ControlError> {
        self.bytes(&format!("/dmp/documents/{entry_uuid}/content"))
            .await
    }

    /// A world patient.
    pub async fn patient(&self, id: &str) -> Result<Value, ControlError> {
        self.call(reqwest::Method::GET, &format!("/world/patients/{id}"), None)
            .await
    }

    /// A world professional (from the whole world).
    pub async fn professional(&self, id: &str) -> Result<Value, ControlError> {
        let world = self.call(reqwest::Method::GET, "/world", None).await?;
        world["professionals"]
            .as_array()
            .and_then(|list| list.iter().find(|p| p["id"] == id))
            .cloned()
            .ok_or_else(|| ControlError {
                what: "GET /world".into(),
                reason: format!("no professional {id:?}"),
            })
    }

    /// Adds a patient to the world.
    pub async fn add_patient(&self, patient: &Value) -> Result<Value, ControlError> {
        self.call(reqwest::Method::POST, "/world/patients", Some(patient))
            .await
    }

    /// Changes a world patient.
    pub async fn change_patient(&self, id: &str, change: &Value) -> Result<Value, ControlError> {
        self.call(
            reqwest::Method::PATCH,
            &format!("/world/patients/{id}"),
            Some(change),
        )
        .await
    }

    /// Moves the bench clock.
    pub async fn advance_clock(&self, seconds: i64) -> Result<Value, ControlError> {
        self.call(
            reqwest::Method::POST,
            "/clock/advance",
            Some(&json!({ "seconds": seconds })),
        )
        .await
    }

    /// Records matching the query string (`service=insi&operation=…`), oldest first.
    pub async fn journal(&self, query: &[(&str, String)]) -> Result<Vec<Record>, ControlError> {
        let mut qs = query.to_vec();
        qs.push(("limit", "10000".into()));
        let answer = self
            .call_with(reqwest::Method::GET, "/journal", &qs, None)
            .await?;
        serde_json::from_value(answer["records"].clone()).map_err(|e| ControlError {
            what: "GET /journal".into(),
            reason: e.to_string(),
        })
    }

    /// A journaled body (`part`: `request` or `response`), raw.
    pub async fn journal_body(&self, seq: u64, part: &str) -> Result<Vec<u8>, ControlError> {
        self.bytes(&format!("/journal/records/{seq}/{part}")).await
    }

    /// `GET path` of the control API, its body raw.
    async fn bytes(&self, path: &str) -> Result<Vec<u8>, ControlError> {
        let err = |reason: String| ControlError {
            what: format!("GET {path}"),
            reason,
        };
        let response = self
            .http
            .get(format!("{}{path}", self.api))
            .send()
            .await
            .map_err(|e| err(e.to_string()))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| err(e.to_string()))?;
        if !status.is_success() {
            return Err(err(format!("HTTP {status}")));
        }
        Ok(bytes.to_vec())
    }

    /// Drops a message into an MSSanté mailbox (`/mssante/inbound`).
    pub async fn mss_inbound(&self, message: &Value) -> Result<Value, ControlError> {
        self.call(reqwest::Method::POST, "/mssante/inbound", Some(message))
            .await
    }

    /// An MSSanté folder's messages (`uid`, `message_id`, `subject`…).
    pub async fn mss_folder(&self, address: &str, folder: &str) -> Result<Value, ControlError> {
        self.call(
            reqwest::Method::GET,
            &format!("/mssante/mailboxes/{address}/{folder}"),
            None,
        )
        .await
    }

    /// The Annuaire Santé as it serves now: every Practitioner, PractitionerRole and
    /// Organization (`GET /annuaire/directory`).
    pub async fn annuaire_directory(&self) -> Result<Value, ControlError> {
        self.call(reqwest::Method::GET, "/annuaire/directory", None)
            .await
    }

    /// Changes a professional's entry in the Annuaire Santé (renamed, mailbox moved).
    pub async fn annuaire_change(
        &self,
        national_id: &str,
        change: &Value,
    ) -> Result<Value, ControlError> {
        self.call(
            reqwest::Method::POST,
            &format!("/annuaire/practitioners/{national_id}"),
            Some(change),
        )
        .await
    }

    /// Closes a mailbox in the Annuaire Santé.
    pub async fn annuaire_close(&self, address: &str) -> Result<Value, ControlError> {
        self.call(
            reqwest::Method::POST,
            "/annuaire/mailboxes/close",
            Some(&serde_json::json!({ "address": address })),
        )
        .await
    }

    /// The world the simulators play (`GET /world`).
    pub async fn world(&self) -> Result<Value, ControlError> {
        self.call(reqwest::Method::GET, "/world", None).await
    }

    /// The journal's last sequence number.
    pub async fn journal_head(&self) -> Result<u64, ControlError> {
        Ok(self.health().await?["journal"]["records"]
            .as_u64()
            .unwrap_or(0))
    }

    /// Records after `seq`, of `scenario` when given.
    pub async fn records_after(
        &self,
        seq: u64,
        scenario: Option<&str>,
    ) -> Result<Vec<Record>, ControlError> {
        let mut q = vec![("after_seq", seq.to_string())];
        if let Some(s) = scenario {
            q.push(("scenario", s.to_string()));
        }
        self.journal(&q).await
    }

    /// Records an operator's attestation.
    pub async fn attest(&self, attestation: &Value) -> Result<Value, ControlError> {
        self.call(reqwest::Method::POST, "/attestations", Some(attestation))
            .await
    }

    /// The next authorization of `client_id` at PSC completes as `professional`.
    pub async fn psc_authenticate_next(
        &self,
        client_id: &str,
        professional: &str,
    ) -> Result<Value, ControlError> {
        let body = json!({ "client_id": client_id, "outcome": "authenticate", "professional": professional });
        self.call(
            reqwest::Method::POST,
            "/psc/next-authentication",
            Some(&body),
        )
        .await
    }

    /// The professional answers their CIBA requests after `after_polls` polls.
    pub async fn psc_ciba_policy(
        &self,
        professional: &str,
        decision: &str,
        after_polls: u32,
    ) -> Result<Value, ControlError> {
        let body = json!({ "decision": decision, "after_polls": after_polls });
        self.call(
            reqwest::Method::PUT,
            &format!("/psc/ciba/policies/{professional}"),
            Some(&body),
        )
        .await
    }

    /// Back to the start (shared simulators, between scenarios).
    pub async fn reset(&self) -> Result<Value, ControlError> {
        self.call(reqwest::Method::POST, "/reset", None).await
    }

    /// Tags the following records with `scenario`.
    pub async fn set_scenario(&self, scenario: &str) -> Result<Value, ControlError> {
        self.call(
            reqwest::Method::PUT,
            "/scenario",
            Some(&json!({ "name": scenario })),
        )
        .await
    }
}
