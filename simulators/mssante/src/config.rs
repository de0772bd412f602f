//! Limits and policies of the simulated operator. Every read of the network is bounded by
//! one of these.

use std::time::Duration;

/// The test password plain clients (Thunderbird with a password, Python's imaplib) log in
/// with, for any mailbox of the world. Documented in the simulator's README; a real
/// operator would refuse passwords for PER/ORG mailboxes, so each use is journaled with a
/// finding of severity info.
pub const TEST_PASSWORD: &str = "segur-bench";

/// How the operator behaves.
#[derive(Debug, Clone)]
pub struct MssanteConfig {
    /// The name the servers greet with and sign receipts as.
    pub hostname: String,
    /// Largest message accepted (`SIZE`), in bytes: the operator limit of 10 MB the spec
    /// notes quote.
    pub max_message_size: usize,
    /// Longest SMTP command line, CRLF included. RFC 5321 says 512, but a PSC token in
    /// `AUTH XOAUTH2` is longer: the operator allows what a bearer token needs.
    pub max_command_line: usize,
    /// Longest line of a message body, CRLF included (RFC 5321 §4.5.3.1.6: 1000).
    pub max_text_line: usize,
    /// Most recipients of one transaction (RFC 5321 §4.5.3.1.8: at least 100).
    pub max_recipients: usize,
    /// Most commands a client may send ahead of the replies (pipelining) before the
    /// session is closed for abuse.
    pub max_pipelined: usize,
    /// How long a client may stay silent before the session is closed (RFC 5321 §4.5.3.2.7
    /// asks at least 5 minutes).
    pub idle_timeout: Duration,
    /// How long the TLS handshake may take.
    pub handshake_timeout: Duration,
    /// The bad commands after which the session is closed.
    pub max_errors: usize,
    /// Connections each listener holds at once; beyond, a new one is told so (SMTP `421`,
    /// IMAP `* BYE`) and closed, or closed before the handshake on an implicit-TLS port.
    pub max_connections: usize,
    /// Whether the test password ([`TEST_PASSWORD`]) is accepted.
    pub allow_test_password: bool,
}

impl Default for MssanteConfig {
    fn default() -> Self {
        Self {
            hostname: "mssante.segur-bench.test".to_string(),
            max_message_size: 10 * 1024 * 1024,
            max_command_line: 16 * 1024,
            max_text_line: 1000,
            max_recipients: 100,
            max_pipelined: 64,
            idle_timeout: Duration::from_secs(300),
            handshake_timeout: Duration::from_secs(10),
            max_errors: 10,
            max_connections: segur_core::tls::DEFAULT_MAX_CONNECTIONS,
            allow_test_password: true,
        }
    }
}
