//! IMAP4rev1 (RFC 3501) with STARTTLS and on implicit TLS, enough for real clients:
//! commands parsed by `imap-codec`, responses built as `imap-types` values and encoded by
//! it.
//!
//! - [`session`]: the state machine, sans I/O (a parsed command in, encoded responses out);
//! - [`mailboxes`]: SELECT, EXAMINE, LIST, LSUB, STATUS, CREATE, DELETE, SUBSCRIBE;
//! - [`messages`]: STORE, COPY, MOVE, EXPUNGE, APPEND, CLOSE;
//! - [`fetch`]: FETCH items (FLAGS, UID, sizes, ENVELOPE, BODYSTRUCTURE, BODY[] sections);
//! - [`search`]: SEARCH keys;
//! - [`wire`]: building `imap-types` values from mail text, encoding responses;
//! - [`connection`]: the socket side (literals, AUTHENTICATE continuations, IDLE, STARTTLS).

pub mod connection;
pub mod fetch;
pub mod mailboxes;
pub mod messages;
pub mod search;
pub mod session;
pub mod wire;

pub use session::{Next, Outcome, Session};
