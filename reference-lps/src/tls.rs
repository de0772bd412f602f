//! TLS for the LPS's clients: the bench's CA bundle as trust anchors and, for mutual TLS,
//! the certificate chain and key files `configure` names. rustls with ring, no system store.

use std::path::Path;
use std::sync::Arc;

use rustls::ClientConfig;
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct TlsSetupError {
    /// The file at fault.
    pub file: String,
    /// Why.
    pub reason: String,
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let err = |reason: String| TlsSetupError {
        file: path.display().to_string(),
        reason,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| err(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| err(e.to_string()))?;
    if certs.is_empty() {
        return Err(err("no certificate in the file".into()));
    }
    Ok(certs)
}

/// A client configuration trusting `ca_bundle`, presenting `identity` (chain, key) when given.
pub fn client_config(
    ca_bundle: &Path,
    identity: Option<(&Path, &Path)>,
) -> Result<Arc<ClientConfig>, TlsSetupError> {
    client_config_with_versions(
        ca_bundle,
        identity,
        &[&rustls::version::TLS13, &rustls::version::TLS12],
    )
}

/// As [`client_config`], offering only `versions` (the reference LPS's TLS defects).
pub fn client_config_with_versions(
    ca_bundle: &Path,
    identity: Option<(&Path, &Path)>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Result<Arc<ClientConfig>, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    for cert in certificates(ca_bundle)? {
        roots.add(cert).map_err(|e| TlsSetupError {
            file: ca_bundle.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    let builder =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_protocol_versions(versions)
            .map_err(|e| TlsSetupError {
                file: "(protocol versions)".into(),
                reason: e.to_string(),
            })?
            .with_root_certificates(roots);
    let config = match identity {
        None => builder.with_no_client_auth(),
        Some((chain, key)) => {
            let chain = certificates(chain)?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsSetupError {
                file: key.display().to_string(),
                reason: e.to_string(),
            })?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| TlsSetupError {
                    file: "(client certificate)".into(),
                    reason: e.to_string(),
                })?
        }
    };
    Ok(Arc::new(config))
}

/// An HTTP client over `config`, with a time limit on every call and no redirect
/// following (the PSC client reads the authorization redirect itself).
pub fn http_client(config: Arc<ClientConfig>) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .use_preconfigured_tls((*config).clone())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
}

/// `config` without its server certificate check (the `mss-trusts-any-certificate`
/// defect): any certificate is taken, expired or from any CA; only the handshake
/// signatures are still verified.
pub fn trusting_any_certificate(config: &Arc<ClientConfig>) -> Arc<ClientConfig> {
    let mut config = (**config).clone();
    let provider = rustls::crypto::ring::default_provider();
    config
        .dangerous()
        .set_certificate_verifier(Arc::new(AnyCertificate(provider)));
    Arc::new(config)
}

/// A verifier that accepts every server certificate.
#[derive(Debug)]
struct AnyCertificate(rustls::crypto::CryptoProvider);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &rustls_pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls_pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Largest answer body the LPS reads from a service (a DMP document set included): a
/// server that streams without end must not exhaust the software's memory.
pub const MAX_ANSWER: usize = 64 * 1024 * 1024;

/// The body of `response`, read chunk by chunk and refused once over `max` bytes (the
/// client's time limit bounds how long it takes).
pub async fn bounded_body(mut response: reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(format!("réponse de plus de {max} octets annoncée"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > max {
            return Err(format!("réponse de plus de {max} octets"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// [`bounded_body`] as JSON.
pub async fn bounded_json(response: reqwest::Response) -> Result<serde_json::Value, String> {
    let body = bounded_body(response, MAX_ANSWER).await?;
    serde_json::from_slice(&body).map_err(|e| format!("JSON illisible : {e}"))
}
