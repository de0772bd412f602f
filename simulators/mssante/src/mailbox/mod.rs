//! The operator's mailboxes: folders, messages, UIDs and flags ([`store`]), shared by SMTP
//! delivery, IMAP sessions and the control API's inbound feed.

pub mod store;

pub use store::{Folder, MailStore, StoreError, StoredMessage};

/// The folders every mailbox has, with their RFC 6154 special use.
pub const FOLDERS: &[(&str, Option<&str>)] = &[
    ("INBOX", None),
    ("Sent", Some("\\Sent")),
    ("Trash", Some("\\Trash")),
];
