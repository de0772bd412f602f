//! The DMP client: the four services of `/si-dmp-server/v2/services/` over mutual TLS
//! (the structure's authentication certificate), each call carrying a VIHF built from the
//! logged-in professional and signed with the structure's signature certificate.
//!
//! - [`vihf`] and [`signer`]: the assertion and its XML signature;
//! - [`patients`]: TD0.2 (existence and rights) and TD0.3 (authorisation);
//! - [`xds`]: ITI-41, ITI-18, ITI-43, ITI-57;
//! - [`soap`]: the envelope, MTOM, faults;
//! - [`professional`]: who calls, from PSC's UserInfo.

pub mod patients;
pub mod professional;
pub mod signer;
pub mod soap;
pub mod vihf;
pub mod xds;

use professional::Professional;
use signer::Signer;
use vihf::{Software, Vihf};

/// A DMP call that did not give an answer the LPS can use.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DmpFailure(pub String);

impl From<soap::SoapError> for DmpFailure {
    fn from(e: soap::SoapError) -> Self {
        Self(e.to_string())
    }
}

/// Which key signs the VIHF: the structure's signature key, or (a defect) the
/// authentication key.
pub struct Signers {
    /// The signature certificate (`structure-…-sign`).
    pub signature: Signer,
    /// The authentication certificate (`structure-…-auth`), used only by the defect.
    pub authentication: Option<Signer>,
}

/// The client.
pub struct DmpClient {
    /// `https://…/si-dmp-server/v2/services`.
    base: String,
    /// HTTPS with the structure's authentication certificate.
    http: reqwest::Client,
    /// Signing keys.
    signers: Signers,
    /// `LPS_Nom`, `LPS_Version`, homologation number.
    software: Software,
}

/// How a VIHF is written for one call (the defects bend it).
#[derive(Debug, Clone, Copy, Default)]
pub struct VihfOptions {
    /// Leave out the specialty role.
    pub without_specialty: bool,
    /// Sign with the authentication key.
    pub authentication_key: bool,
    /// When the VIHF is issued: the session's clock (which tests may move forward), now
    /// when `None`.
    pub issued: Option<time::OffsetDateTime>,
}

impl DmpClient {
    /// A client of the services under `base`.
    pub fn new(base: String, http: reqwest::Client, signers: Signers, software: Software) -> Self {
        Self {
            base,
            http,
            signers,
            software,
        }
    }

    /// The signed VIHF of `professional` about `patient` (CX), or about no patient.
    pub fn vihf(
        &self,
        professional: &Professional,
        patient: Option<&str>,
        options: VihfOptions,
    ) -> Result<String, DmpFailure> {
        let signer = match (&self.signers.authentication, options.authentication_key) {
            (Some(auth), true) => auth,
            _ => &self.signers.signature,
        };
        Vihf {
            professional,
            patient: patient.map(str::to_string),
            software: &self.software,
            issued: options.issued.unwrap_or_else(time::OffsetDateTime::now_utc),
            second_role: !options.without_specialty,
        }
        .signed(signer)
        .map_err(|e| DmpFailure(e.to_string()))
    }

    /// Signs the documents of a submission set (IHE DSG manifest).
    pub fn sign_documents(&self, documents: &[(String, Vec<u8>)]) -> Result<String, DmpFailure> {
        self.signers
            .signature
            .manifest(documents)
            .map_err(|e| DmpFailure(e.to_string()))
    }

    /// Posts `body` to `service` as `action` (MTOM when there are attachments).
    pub async fn call(
        &self,
        service: &str,
        action: &str,
        vihf: &str,
        body: &str,
        attachments: &[(String, String, Vec<u8>)],
    ) -> Result<soap::Answer, DmpFailure> {
        let url = format!("{}/{service}", self.base);
        let envelope = soap::envelope(action, &url, vihf, body);
        let outgoing = if attachments.is_empty() {
            soap::plain(action, envelope)
        } else {
            soap::mtom(action, envelope, attachments)
        };
        let response = self
            .http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, outgoing.content_type)
            .body(outgoing.body)
            .send()
            .await
            .map_err(|e| DmpFailure(format!("DMP injoignable : {e}")))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = crate::tls::bounded_body(response, crate::tls::MAX_ANSWER)
            .await
            .map_err(|e| DmpFailure(format!("réponse du DMP interrompue : {e}")))?;
        if !content_type.contains("xml") && !content_type.starts_with("multipart/") {
            return Err(DmpFailure(format!(
                "le DMP a répondu HTTP {status} : {}",
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(200)
                    .collect::<String>()
            )));
        }
        Ok(soap::read(&content_type, &bytes)?)
    }
}
