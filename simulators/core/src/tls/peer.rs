//! Who is on the other end of a TLS connection.

use std::net::SocketAddr;

use rustls_pki_types::CertificateDer;
use sha2::{Digest, Sha256};

use crate::journal::Peer;

/// The client of a TLS connection, as handlers see it (also axum's `ConnectInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsPeer {
    /// The client's address.
    pub address: SocketAddr,
    /// Subject DN of its certificate, when it presented one.
    pub cert_subject: Option<String>,
    /// SHA-256 of its certificate (DER), hex.
    pub cert_fingerprint: Option<String>,
    /// The certificate itself, for checks a simulator makes (INSi's CN, a structure's OU).
    pub cert: Option<CertificateDer<'static>>,
}

impl TlsPeer {
    /// A peer from its address and the certificate chain it presented.
    pub fn new(address: SocketAddr, chain: Option<&[CertificateDer<'_>]>) -> Self {
        let cert = chain
            .and_then(|c| c.first())
            .map(|c| c.clone().into_owned());
        Self {
            address,
            cert_subject: cert.as_ref().and_then(|c| crate::pki::subject_of(c)),
            cert_fingerprint: cert.as_ref().map(|c| hex::encode(Sha256::digest(c))),
            cert,
        }
    }

    /// The subject's common name, when there is a certificate.
    pub fn common_name(&self) -> Option<String> {
        let cert = self.cert.as_ref()?;
        let (_, parsed) = x509_parser::parse_x509_certificate(cert).ok()?;
        let cn = parsed
            .subject()
            .iter_common_name()
            .next()?
            .as_str()
            .ok()?
            .to_string();
        Some(cn)
    }

    /// The journal's view of this peer.
    pub fn to_journal(&self) -> Peer {
        Peer {
            address: self.address.to_string(),
            cert_subject: self.cert_subject.clone(),
            cert_fingerprint: self.cert_fingerprint.clone(),
        }
    }
}
