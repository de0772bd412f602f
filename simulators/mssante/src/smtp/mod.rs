//! SMTP submission (RFC 5321, RFC 6409): STARTTLS on the submission port, implicit TLS on
//! the second one.
//!
//! - [`session`]: the state machine, sans I/O (lines in, replies out);
//! - [`commands`]: one function per command the session dispatches to;
//! - [`data`]: reading the message after `DATA` (dot-unstuffing, size, line length, bare LF);
//! - [`reply`]: replies, enhanced status codes and the SMTPERRORCODE table;
//! - [`connection`]: the socket side (framing, limits, STARTTLS, faults' delays and drops).

pub mod commands;
pub mod connection;
pub mod data;
pub mod reply;
pub mod session;

pub use reply::Reply;
pub use session::{Next, Session, Step};
