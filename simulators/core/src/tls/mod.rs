//! The TLS side every simulator shares: a rustls server configuration built on the test
//! PKI (TLS 1.2 and 1.3 only, client certificates optional or required, checked against
//! the fictitious IGC-Santé and its CRL at the bench clock's time), and a listener that
//! hands each connection over with its peer's certificate.

mod listener;
mod peer;

use std::sync::Arc;

use rustls::ServerConfig;
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::ClientCertVerifier;
use thiserror::Error;

use crate::clock::Clock;
use crate::finding::{Rule, Severity};
use crate::pki::{Pki, PkiError};

pub use listener::{
    Capped, ConnectionLimit, ConnectionSlot, DEFAULT_MAX_CONNECTIONS, TlsListener,
    TlsListenerBuilder, TlsStream, handshake, journal_refusal,
};
pub use peer::TlsPeer;

/// A handshake the bench refused (bad, expired, revoked or unknown client certificate,
/// wrong protocol version...). Journaled as a finding of the service concerned.
pub const TLS_HANDSHAKE_REJECTED: Rule = Rule {
    name: "TLS-HANDSHAKE-REJECTED",
    requirements: &[],
    severity: Severity::Error,
};

/// A connection closed at once because the listener holds as many as it may.
pub const TLS_CONNECTION_LIMIT: Rule = Rule {
    name: "TLS-CONNECTION-LIMIT",
    requirements: &[],
    severity: Severity::Warning,
};

/// Whether the server asks for a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// No client certificate asked for.
    None,
    /// Asked for; a client without one is let through, a bad one is refused.
    Optional,
    /// Required and checked (mutual TLS, as INSi's and the DMP's).
    Required,
}

/// Why a TLS configuration or handshake failed.
#[derive(Debug, Error)]
pub enum TlsError {
    /// The PKI could not provide the credential.
    #[error(transparent)]
    Pki(#[from] PkiError),
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Config(String),
    /// The handshake failed (the client's fault, most often).
    #[error("TLS handshake with {peer}: {reason}")]
    Handshake {
        /// The client's address.
        peer: String,
        /// Why, in rustls's words.
        reason: String,
    },
    /// The client did not finish the handshake in time.
    #[error("TLS handshake with {0}: no answer in time")]
    Timeout(String),
}

/// The process-wide crypto provider: ring, installed once (see crates.md: rustls panics
/// when it has to guess).
pub fn install_crypto_provider() {
    // Err means it was already installed, by us or by the host program.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A rustls server configuration for `service`, with its server certificate from the
/// PKI, certificate checks at `clock`'s time, and the given client authentication.
pub fn server_config(
    pki: &Pki,
    service: &str,
    client_auth: ClientAuth,
    clock: &Clock,
) -> Result<Arc<ServerConfig>, TlsError> {
    server_config_presenting(pki, pki.server_credential(service)?, client_auth, clock)
}

/// A rustls server configuration presenting `credential` (a service's own, or one of the
/// PKI's negative certificates, to see whether clients refuse it).
pub fn server_config_presenting(
    pki: &Pki,
    credential: crate::pki::Credential,
    client_auth: ClientAuth,
    clock: &Clock,
) -> Result<Arc<ServerConfig>, TlsError> {
    server_config_with_versions(
        pki,
        credential,
        client_auth,
        clock,
        &[&rustls::version::TLS13, &rustls::version::TLS12],
    )
}

/// As [`server_config_presenting`], offering only `versions`: an operator that accepts
/// TLS 1.2 alone, or TLS 1.3 alone, to see what a client can do.
pub fn server_config_with_versions(
    pki: &Pki,
    credential: crate::pki::Credential,
    client_auth: ClientAuth,
    clock: &Clock,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_details(provider.clone(), Arc::new(clock.clone()))
        .with_protocol_versions(versions)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    let builder = match client_auth {
        ClientAuth::None => builder.with_no_client_auth(),
        ClientAuth::Optional | ClientAuth::Required => builder.with_client_cert_verifier(
            client_verifier(pki, client_auth == ClientAuth::Optional, provider)?,
        ),
    };
    let config = builder
        .with_single_cert(credential.chain, credential.key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(Arc::new(config))
}

/// Checks a certificate that arrived inside a message (the card certificate of a signed
/// assertion) as a TLS client certificate is checked: chain to the test root, validity at
/// the bench clock's time, revocation.
pub fn verify_client_certificate(pki: &Pki, der: &[u8], clock: &Clock) -> Result<(), TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = client_verifier(pki, false, provider)?;
    let now = clock.now();
    let since_epoch = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    let certificate = rustls_pki_types::CertificateDer::from(der.to_vec());
    verifier
        .verify_client_cert(
            &certificate,
            &[pki.intermediate().clone()],
            rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                since_epoch,
            )),
        )
        .map(|_| ())
        .map_err(|e| TlsError::Handshake {
            peer: crate::pki::subject_of(der).unwrap_or_else(|| "an unreadable certificate".into()),
            reason: e.to_string(),
        })
}

/// Checks a certificate that signs (a VIHF's signer): chain to the test root, validity at
/// the bench clock's time and revocation, whatever its extended key usages — what it may
/// sign is the caller's check (key usage `nonRepudiation` for the DMP).
pub fn verify_signing_certificate(pki: &Pki, der: &[u8], clock: &Clock) -> Result<(), TlsError> {
    /// Accepts any extended key usage: a signing certificate is judged on its key usage.
    struct AnyPurpose;
    impl webpki::ExtendedKeyUsageValidator for AnyPurpose {
        fn validate(&self, _: webpki::KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
            Ok(())
        }
    }
    let refused = |reason: String| TlsError::Handshake {
        peer: crate::pki::subject_of(der).unwrap_or_else(|| "an unreadable certificate".into()),
        reason,
    };
    let anchor = webpki::anchor_from_trusted_cert(pki.root())
        .map_err(|e| TlsError::Config(format!("root CA: {e}")))?;
    let crl = webpki::BorrowedCertRevocationList::from_der(pki.crl().as_ref())
        .map_err(|e| TlsError::Config(format!("CRL: {e}")))?;
    let crl = webpki::CertRevocationList::from(crl);
    let crls = [&crl];
    let revocation = webpki::RevocationOptionsBuilder::new(&crls)
        .map_err(|_| TlsError::Config("no CRL".into()))?
        .with_depth(webpki::RevocationCheckDepth::EndEntity)
        .build();
    let certificate = rustls_pki_types::CertificateDer::from(der);
    let end_entity =
        webpki::EndEntityCert::try_from(&certificate).map_err(|e| refused(e.to_string()))?;
    let since_epoch = u64::try_from(clock.now().unix_timestamp()).unwrap_or(0);
    let algorithms = rustls::crypto::ring::default_provider()
        .signature_verification_algorithms
        .all;
    end_entity
        .verify_for_usage(
            algorithms,
            &[anchor],
            &[pki.intermediate().clone()],
            rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                since_epoch,
            )),
            AnyPurpose,
            Some(revocation),
            None,
        )
        .map(|_| ())
        .map_err(|e| refused(e.to_string()))
}

fn client_verifier(
    pki: &Pki,
    optional: bool,
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<dyn ClientCertVerifier>, TlsError> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(pki.root().clone())
        .map_err(|e| TlsError::Config(format!("root CA: {e}")))?;
    // The IGC-Santé intermediate is distributed as trusted too (the ANS publishes every
    // AC of the chain), so a client that sends its leaf alone (lettre's rustls identity
    // does) is verified as the national services verify it. Its CRL still applies.
    roots
        .add(pki.intermediate().clone())
        .map_err(|e| TlsError::Config(format!("intermediate CA: {e}")))?;
    let mut builder = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
        .with_crls([pki.crl().clone()])
        // Only the intermediate publishes a CRL; the root is the trust anchor.
        .only_check_end_entity_revocation();
    if optional {
        builder = builder.allow_unauthenticated();
    }
    builder.build().map_err(|e| TlsError::Config(e.to_string()))
}

/// Serves `router` on `listener` until `stopped` turns true, with each request's
/// [`TlsPeer`] as axum's `ConnectInfo`. `what` names it in the log if serving fails.
pub fn spawn_server(
    listener: TlsListener,
    router: axum::Router,
    mut stopped: tokio::sync::watch::Receiver<bool>,
    what: &'static str,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let serving = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<TlsPeer>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopped.wait_for(|s| *s).await;
        });
        if let Err(e) = serving.await {
            tracing::error!(error = %e, "{what} stopped");
        }
    })
}

#[cfg(test)]
mod tests;
