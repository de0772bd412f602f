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
    /// Subject CN, read once per connection (INSi's mode comes from it on every call).
    pub cert_common_name: Option<String>,
    /// Subject OU (the structure's national id in IGC-Santé certificates), read once.
    pub cert_unit: Option<String>,
}

impl TlsPeer {
    /// A peer from its address and the certificate chain it presented. The certificate
    /// is parsed here, once per connection, not on every request.
    pub fn new(address: SocketAddr, chain: Option<&[CertificateDer<'_>]>) -> Self {
        let cert = chain
            .and_then(|c| c.first())
            .map(|c| c.clone().into_owned());
        let names = cert.as_ref().and_then(|c| crate::pki::SubjectNames::of(c));
        let names = names.as_ref();
        Self {
            address,
            cert_subject: names.map(|n| n.subject.clone()),
            cert_fingerprint: cert.as_ref().map(|c| hex::encode(Sha256::digest(c))),
            cert_common_name: names.and_then(|n| n.common_name.clone()),
            cert_unit: names.and_then(|n| n.unit.clone()),
            cert,
        }
    }

    /// A peer without a certificate (plain listeners, `local_addr`).
    pub fn anonymous(address: SocketAddr) -> Self {
        Self::new(address, None)
    }

    /// The subject's common name, when there is a certificate.
    pub fn common_name(&self) -> Option<String> {
        self.cert_common_name.clone()
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
