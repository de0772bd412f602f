//! The MSSanté client: what a mail-capable LPS does with its operator.
//!
//! - [`xdm`]: the IHE_XDM archive a document travels in;
//! - [`message`]: the mail with its `X-MSS-*` headers, and the disposition notification;
//! - [`smtp`]: submission (STARTTLS, then SASL EXTERNAL or XOAUTH2);
//! - [`imap`]: reading the INBOX over a session kept open;
//! - [`received`]: what a fetched mail is (plain, IHE_XDM, MDN, DSN);
//! - [`cda_header`]: what the header of a CDA received says;
//! - [`wire`]: the TCP/TLS stream under both protocols.
//!
//! Authentication follows the mailbox type (MSSanté reference, "API LPS"): the
//! structure's application mailbox (BAL APP) opens with its client certificate, SASL
//! PLAIN carrying the mailbox address (MSS/CONF.12); a personal or organisational mailbox with the Pro Santé Connect access token
//! of the logged-in professional (XOAUTH2).

pub mod cda_header;
pub mod imap;
pub mod message;
pub mod received;
pub mod smtp;
pub mod wire;
pub mod xdm;

use std::sync::Arc;

use base64::Engine as _;
use rustls::ClientConfig;

/// Why an exchange with the operator failed, in words for the user.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct MssFailure(pub String);

/// How a session authenticates.
#[derive(Debug, Clone)]
pub enum Login {
    /// The API LPS's way for an application mailbox (BAL APP): the TLS client
    /// certificate authenticates, SASL PLAIN carries the mailbox address as login with
    /// no password.
    Certificate {
        /// The mailbox.
        mailbox: String,
    },
    /// SASL EXTERNAL: the TLS client certificate names the mailbox (the older way, kept
    /// by a defect).
    External,
    /// SASL XOAUTH2 with a Pro Santé Connect access token (BAL PER, ORG).
    Bearer {
        /// The mailbox.
        user: String,
        /// The access token.
        token: String,
    },
}

impl Login {
    /// The mechanism and its initial response, base64 (`=` for an empty one).
    pub fn sasl(&self) -> (&'static str, String) {
        let b64 = base64::engine::general_purpose::STANDARD;
        match self {
            Self::Certificate { mailbox } => ("PLAIN", b64.encode(format!("\0{mailbox}\0"))),
            Self::External => ("EXTERNAL", "=".into()),
            Self::Bearer { user, token } => (
                "XOAUTH2",
                b64.encode(format!("user={user}\x01auth=Bearer {token}\x01\x01")),
            ),
        }
    }
}

/// The operator's doors and what the LPS presents there.
pub struct MssClient {
    /// `smtp://host:port` (submission with STARTTLS).
    pub smtp: String,
    /// `imap://host:port` (IMAP with STARTTLS).
    pub imap: String,
    /// TLS presenting the structure's authentication certificate (BAL APP).
    pub application_tls: Arc<ClientConfig>,
    /// TLS without a client certificate (a token authenticates).
    pub user_tls: Arc<ClientConfig>,
    /// The structure's application mailbox, if it has one.
    pub application: Option<String>,
    /// The product reference from Convergence (`X-MSS-NIL`).
    pub nil: String,
}

impl MssClient {
    /// The TLS configuration for `login`.
    pub fn tls(&self, login: &Login) -> &Arc<ClientConfig> {
        match login {
            Login::Certificate { .. } | Login::External => &self.application_tls,
            Login::Bearer { .. } => &self.user_tls,
        }
    }
}

/// A fresh `Message-ID` (without angle brackets).
pub fn new_message_id() -> String {
    format!("{}@lps.segur-bench.test", uuid::Uuid::new_v4())
}
