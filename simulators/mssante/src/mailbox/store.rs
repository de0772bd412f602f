//! Mailboxes in memory. Each world address gets `INBOX`, `Sent` and `Trash` on first use;
//! messages keep their raw bytes (the evidence) and IMAP's UID and flags.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::RwLock;

use bytes::Bytes;
use thiserror::Error;
use time::OffsetDateTime;
use tokio::sync::broadcast;

use super::FOLDERS;

/// One message in a folder.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    /// Its UID, unique and increasing within the folder.
    pub uid: u32,
    /// Its flags (`\Seen`, `\Deleted`, keywords), as the client wrote them.
    pub flags: BTreeSet<String>,
    /// When it arrived (IMAP INTERNALDATE).
    pub internal_date: OffsetDateTime,
    /// The message as received, CRLF line ends.
    pub raw: Bytes,
    /// Whether no session has seen it yet (`\Recent`).
    pub recent: bool,
}

/// A folder of one mailbox.
#[derive(Debug, Clone)]
pub struct Folder {
    /// UIDVALIDITY: fixed for the life of the store.
    pub uid_validity: u32,
    /// The UID the next message gets.
    pub uid_next: u32,
    /// Messages in UID order (sequence number = index + 1).
    pub messages: Vec<StoredMessage>,
    /// Whether LSUB lists it.
    pub subscribed: bool,
    /// RFC 6154 special use (`\Sent`, `\Trash`).
    pub special_use: Option<&'static str>,
}

impl Folder {
    fn new(uid_validity: u32, special_use: Option<&'static str>) -> Self {
        Self {
            uid_validity,
            uid_next: 1,
            messages: Vec::new(),
            subscribed: true,
            special_use,
        }
    }

    /// The message with `uid` (messages are kept in UID order).
    pub fn by_uid(&self, uid: u32) -> Option<&StoredMessage> {
        self.messages
            .binary_search_by_key(&uid, |m| m.uid)
            .ok()
            .map(|i| &self.messages[i])
    }

    /// Messages without `\Seen`.
    pub fn unseen(&self) -> usize {
        self.messages
            .iter()
            .filter(|m| !m.flags.contains("\\Seen"))
            .count()
    }

    /// Messages flagged `\Recent`.
    pub fn recent(&self) -> usize {
        self.messages.iter().filter(|m| m.recent).count()
    }
}

/// Why a store operation failed.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum StoreError {
    /// No such folder in this mailbox.
    #[error("no folder {0:?} in this mailbox")]
    NoFolder(String),
    /// The folder exists already.
    #[error("folder {0:?} exists already")]
    Exists(String),
    /// INBOX, Sent and Trash cannot be deleted or renamed.
    #[error("{0:?} is a system folder")]
    SystemFolder(String),
}

/// A change other sessions may want to hear about (IDLE, NOOP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The mailbox address (lower case).
    pub address: String,
    /// The folder.
    pub folder: String,
}

/// Every mailbox of the operator.
#[derive(Debug)]
pub struct MailStore {
    /// Address (lower case) → folder name → folder.
    accounts: RwLock<HashMap<String, BTreeMap<String, Folder>>>,
    /// Tells IDLE sessions that a folder changed.
    changes: broadcast::Sender<Change>,
    /// UIDVALIDITY of every folder this store creates.
    uid_validity: u32,
}

impl Default for MailStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MailStore {
    /// An empty store.
    pub fn new() -> Self {
        let uid_validity = (OffsetDateTime::now_utc().unix_timestamp() as u32).max(1);
        Self {
            accounts: RwLock::new(HashMap::new()),
            changes: broadcast::channel(256).0,
            uid_validity,
        }
    }

    /// Listens for changes.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// Runs `f` on the folders of `address`, creating the system folders on first use.
    fn with_account<T>(
        &self,
        address: &str,
        f: impl FnOnce(&mut BTreeMap<String, Folder>) -> T,
    ) -> T {
        let mut accounts = self.accounts.write().unwrap_or_else(|e| e.into_inner());
        let account = accounts
            .entry(address.to_ascii_lowercase())
            .or_insert_with(|| {
                FOLDERS
                    .iter()
                    .map(|(name, special)| {
                        (name.to_string(), Folder::new(self.uid_validity, *special))
                    })
                    .collect()
            });
        f(account)
    }

    fn notify(&self, address: &str, folder: &str) {
        // Err: nobody listens.
        let _ = self.changes.send(Change {
            address: address.to_ascii_lowercase(),
            folder: folder.to_string(),
        });
    }

    /// Puts `raw` into `folder` of `address`; its UID.
    pub fn deliver(
        &self,
        address: &str,
        folder: &str,
        raw: Bytes,
        flags: BTreeSet<String>,
        internal_date: OffsetDateTime,
    ) -> Result<u32, StoreError> {
        let uid = self.with_account(address, |account| {
            let target = account
                .get_mut(&canonical(folder))
                .ok_or_else(|| StoreError::NoFolder(folder.to_string()))?;
            let uid = target.uid_next;
            target.uid_next += 1;
            target.messages.push(StoredMessage {
                uid,
                flags,
                internal_date,
                raw,
                recent: true,
            });
            Ok(uid)
        })?;
        self.notify(address, &canonical(folder));
        Ok(uid)
    }

    /// A copy of one folder (messages share their bytes).
    pub fn folder(&self, address: &str, folder: &str) -> Result<Folder, StoreError> {
        self.with_account(address, |account| {
            account
                .get(&canonical(folder))
                .cloned()
                .ok_or_else(|| StoreError::NoFolder(folder.to_string()))
        })
    }

    /// Folder names of `address`, with their special use and subscription.
    pub fn folders(&self, address: &str) -> Vec<(String, Option<&'static str>, bool)> {
        self.with_account(address, |account| {
            account
                .iter()
                .map(|(name, f)| (name.clone(), f.special_use, f.subscribed))
                .collect()
        })
    }

    /// Clears `\Recent` on every message of the folder (a session selected it).
    pub fn clear_recent(&self, address: &str, folder: &str) {
        self.with_account(address, |account| {
            if let Some(f) = account.get_mut(&canonical(folder)) {
                f.messages.iter_mut().for_each(|m| m.recent = false);
            }
        });
    }

    /// Changes the flags of the messages `uids` with `change`; the new flags of each.
    pub fn update_flags(
        &self,
        address: &str,
        folder: &str,
        uids: &[u32],
        mut change: impl FnMut(&mut BTreeSet<String>),
    ) -> Result<Vec<(u32, BTreeSet<String>)>, StoreError> {
        let wanted: HashSet<u32> = uids.iter().copied().collect();
        let updated = self.with_account(address, |account| {
            let target = account
                .get_mut(&canonical(folder))
                .ok_or_else(|| StoreError::NoFolder(folder.to_string()))?;
            Ok(target
                .messages
                .iter_mut()
                .filter(|m| wanted.contains(&m.uid))
                .map(|m| {
                    change(&mut m.flags);
                    (m.uid, m.flags.clone())
                })
                .collect())
        })?;
        self.notify(address, folder);
        Ok(updated)
    }

    /// Removes the messages flagged `\Deleted` (only those in `only`, when given); the UIDs
    /// removed.
    pub fn expunge(
        &self,
        address: &str,
        folder: &str,
        only: Option<&[u32]>,
    ) -> Result<Vec<u32>, StoreError> {
        let removed = self.with_account(address, |account| {
            let target = account
                .get_mut(&canonical(folder))
                .ok_or_else(|| StoreError::NoFolder(folder.to_string()))?;
            let mut removed = Vec::new();
            target.messages.retain(|m| {
                let goes = m.flags.contains("\\Deleted") && only.is_none_or(|o| o.contains(&m.uid));
                if goes {
                    removed.push(m.uid);
                }
                !goes
            });
            Ok(removed)
        })?;
        if !removed.is_empty() {
            self.notify(address, folder);
        }
        Ok(removed)
    }

    /// Copies the messages `uids` of `from` into `to` (same mailbox); `(old, new)` UIDs.
    pub fn copy(
        &self,
        address: &str,
        from: &str,
        uids: &[u32],
        to: &str,
    ) -> Result<Vec<(u32, u32)>, StoreError> {
        let wanted: HashSet<u32> = uids.iter().copied().collect();
        let pairs = self.with_account(address, |account| {
            let source: Vec<StoredMessage> = account
                .get(&canonical(from))
                .ok_or_else(|| StoreError::NoFolder(from.to_string()))?
                .messages
                .iter()
                .filter(|m| wanted.contains(&m.uid))
                .cloned()
                .collect();
            let target = account
                .get_mut(&canonical(to))
                .ok_or_else(|| StoreError::NoFolder(to.to_string()))?;
            Ok(source
                .into_iter()
                .map(|mut m| {
                    let old = m.uid;
                    m.uid = target.uid_next;
                    m.recent = true;
                    target.uid_next += 1;
                    let new = m.uid;
                    target.messages.push(m);
                    (old, new)
                })
                .collect())
        })?;
        self.notify(address, to);
        Ok(pairs)
    }

    /// Creates a folder.
    pub fn create(&self, address: &str, folder: &str) -> Result<(), StoreError> {
        self.with_account(address, |account| {
            let name = canonical(folder);
            if account.contains_key(&name) {
                return Err(StoreError::Exists(name));
            }
            account.insert(name, Folder::new(self.uid_validity, None));
            Ok(())
        })
    }

    /// Deletes a folder other than the system ones.
    pub fn delete(&self, address: &str, folder: &str) -> Result<(), StoreError> {
        let name = canonical(folder);
        if FOLDERS.iter().any(|(n, _)| *n == name) {
            return Err(StoreError::SystemFolder(name));
        }
        self.with_account(address, |account| {
            account
                .remove(&name)
                .map(|_| ())
                .ok_or(StoreError::NoFolder(name))
        })
    }

    /// Subscribes to (or unsubscribes from) a folder.
    pub fn subscribe_folder(
        &self,
        address: &str,
        folder: &str,
        subscribed: bool,
    ) -> Result<(), StoreError> {
        self.with_account(address, |account| {
            account
                .get_mut(&canonical(folder))
                .map(|f| f.subscribed = subscribed)
                .ok_or_else(|| StoreError::NoFolder(folder.to_string()))
        })
    }

    /// Forgets every message (a bench reset).
    pub fn clear(&self) {
        self.accounts
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Message counts per address and folder, for the control API.
    pub fn census(&self) -> BTreeMap<String, BTreeMap<String, usize>> {
        self.accounts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(address, folders)| {
                (
                    address.clone(),
                    folders
                        .iter()
                        .map(|(name, f)| (name.clone(), f.messages.len()))
                        .collect(),
                )
            })
            .collect()
    }
}

/// INBOX is case-insensitive (RFC 3501 §5.1); other names are kept as given.
pub fn canonical(folder: &str) -> String {
    if folder.eq_ignore_ascii_case("INBOX") {
        "INBOX".to_string()
    } else {
        folder.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(n: usize) -> MailStore {
        let store = MailStore::new();
        for i in 0..n {
            store
                .deliver(
                    "A@x.mssante.fr",
                    "inbox",
                    Bytes::from(format!("Subject: {i}\r\n\r\nbody\r\n")),
                    BTreeSet::new(),
                    OffsetDateTime::UNIX_EPOCH,
                )
                .unwrap();
        }
        store
    }

    #[test]
    fn uids_grow_and_expunge_removes_only_deleted_messages() {
        let store = store_with(3);
        let inbox = store.folder("a@x.mssante.fr", "INBOX").unwrap();
        assert_eq!(
            inbox.messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        store
            .update_flags("a@x.mssante.fr", "INBOX", &[2], |f| {
                f.insert("\\Deleted".into());
            })
            .unwrap();
        assert_eq!(store.expunge("a@x.mssante.fr", "INBOX", None).unwrap(), [2]);
        let inbox = store.folder("a@x.mssante.fr", "INBOX").unwrap();
        assert_eq!(
            inbox.messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
            [1, 3]
        );
        assert_eq!(inbox.uid_next, 4);
    }

    #[test]
    fn copies_get_new_uids_and_system_folders_stay() {
        let store = store_with(2);
        let pairs = store
            .copy("a@x.mssante.fr", "INBOX", &[2], "Trash")
            .unwrap();
        assert_eq!(pairs, [(2, 1)]);
        assert_eq!(
            store.delete("a@x.mssante.fr", "Trash"),
            Err(StoreError::SystemFolder("Trash".into()))
        );
        assert!(matches!(
            store.copy("a@x.mssante.fr", "INBOX", &[1], "Nope"),
            Err(StoreError::NoFolder(_))
        ));
    }
}
