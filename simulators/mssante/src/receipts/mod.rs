//! What the operator sends back to a sender: MDNs (RFC 8098) when the original asked for
//! one with `Disposition-Notification-To` ([`mdn`]), and DSNs (RFC 3464) when a recipient
//! could not be reached ([`dsn`]). Both are plain messages delivered to the sender's INBOX.

pub mod dsn;
pub mod mdn;

/// A `Message-ID` for a message the operator writes.
pub fn new_message_id(hostname: &str) -> String {
    format!("{}@{hostname}", uuid::Uuid::new_v4())
}
