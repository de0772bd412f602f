//! Who is on the other end of a TLS connection.

use std::net::SocketAddr;

use rustls_pki_types::CertificateDer;
use sha2::{Digest, Sha256};

use crate::journal::Peer;
use crate::pki::SubjectNames;

/// The client of a TLS connection, as handlers see it (also axum's `ConnectInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsPeer {
    /// The client's address.
    pub address: SocketAddr,
    /// SHA-256 of its certificate (DER), hex.
    pub cert_fingerprint: Option<String>,
    /// The certificate itself, for checks a simulator makes (INSi's CN, a structure's OU).
    pub cert: Option<CertificateDer<'static>>,
    /// Its certificate's subject (DN, CN, OU), read once per connection: INSi's mode, a
    /// structure's id and the DMP's VIHF coherence come from it on every call.
    pub names: Option<SubjectNames>,
    /// The TLS version the handshake settled on (`TLSv1_3`), for the simulators that
    /// judge it (MSSanté's ECO.1.1.2); `None` on a plain channel.
    pub protocol: Option<String>,
    /// The cipher suite it settled on (`TLS13_AES_256_GCM_SHA384`).
    pub cipher_suite: Option<String>,
}

impl TlsPeer {
    /// A peer from its address and the certificate chain it presented. The certificate
    /// is parsed here, once per connection, not on every request.
    pub fn new(address: SocketAddr, chain: Option<&[CertificateDer<'_>]>) -> Self {
        let cert = chain
            .and_then(|c| c.first())
            .map(|c| c.clone().into_owned());
        Self {
            address,
            cert_fingerprint: cert.as_ref().map(|c| hex::encode(Sha256::digest(c))),
            names: cert.as_ref().and_then(|c| SubjectNames::of(c)),
            cert,
            protocol: None,
            cipher_suite: None,
        }
    }

    /// The same peer, with what its handshake settled on.
    pub fn negotiated(mut self, connection: &rustls::ServerConnection) -> Self {
        self.protocol = connection.protocol_version().map(|v| format!("{v:?}"));
        self.cipher_suite = connection
            .negotiated_cipher_suite()
            .map(|s| format!("{:?}", s.suite()));
        self
    }

    /// A peer without a certificate (plain listeners, `local_addr`).
    pub fn anonymous(address: SocketAddr) -> Self {
        Self::new(address, None)
    }

    /// The certificate's subject DN, when it presented one.
    pub fn subject(&self) -> Option<&str> {
        self.names.as_ref().map(|n| n.subject.as_str())
    }

    /// The subject's common name, when there is a certificate.
    pub fn common_name(&self) -> Option<&str> {
        self.names.as_ref()?.common_name.as_deref()
    }

    /// The subject's OU (the structure's national id in IGC-Santé certificates).
    pub fn unit(&self) -> Option<&str> {
        self.names.as_ref()?.unit.as_deref()
    }

    /// The journal's view of this peer.
    pub fn to_journal(&self) -> Peer {
        Peer {
            address: self.address.to_string(),
            cert_subject: self.subject().map(str::to_string),
            cert_fingerprint: self.cert_fingerprint.clone(),
        }
    }
}
