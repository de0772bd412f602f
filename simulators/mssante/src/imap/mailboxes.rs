//! Commands on folders: SELECT and EXAMINE, CREATE, DELETE, SUBSCRIBE and UNSUBSCRIBE,
//! LIST and LSUB (with `*` and `%` wildcards and the RFC 6154 special uses), STATUS.

use std::num::NonZeroU32;

use imap_codec::imap_types::core::{Atom, QuotedChar, Tag};
use imap_codec::imap_types::flag::{Flag, FlagNameAttribute, FlagPerm};
use imap_codec::imap_types::mailbox::{ListMailbox, Mailbox};
use imap_codec::imap_types::response::{Code, Data};
use imap_codec::imap_types::status::{StatusDataItem, StatusDataItemName};

use super::session::{Outcome, Selected, Session};
use super::wire::{self, Kind};
use crate::mailbox::store::canonical;

/// The hierarchy delimiter.
pub const DELIMITER: char = '/';

/// A folder name from the client's mailbox argument.
pub fn name(mailbox: &Mailbox<'_>) -> String {
    match mailbox {
        Mailbox::Inbox => "INBOX".to_string(),
        Mailbox::Other(other) => canonical(&wire::lossy(other.as_ref())),
    }
}

fn address(session: &Session) -> String {
    session
        .identity
        .as_ref()
        .map(|i| i.address.clone())
        .unwrap_or_default()
}

/// SELECT (`read_only`: EXAMINE).
pub fn select(
    session: &mut Session,
    tag: &Tag<'static>,
    mailbox: &Mailbox<'_>,
    read_only: bool,
) -> Outcome {
    let folder_name = name(mailbox);
    let owner = address(session);
    session.selected = None;
    let folder = match session.operator.store.folder(&owner, &folder_name) {
        Ok(folder) => folder,
        Err(e) => {
            return Outcome::send(wire::status(Some(tag), Kind::No, None, &e.to_string()));
        }
    };
    let system = [
        Flag::Answered,
        Flag::Flagged,
        Flag::Deleted,
        Flag::Seen,
        Flag::Draft,
    ];
    let mut out = wire::data(Data::Flags(system.to_vec()));
    let mut permanent: Vec<FlagPerm<'static>> =
        system.iter().cloned().map(FlagPerm::Flag).collect();
    permanent.push(FlagPerm::Asterisk);
    out.extend(wire::status(
        None,
        Kind::Ok,
        Some(Code::PermanentFlags(if read_only {
            Vec::new()
        } else {
            permanent
        })),
        "Flags permitted",
    ));
    out.extend(wire::data(Data::Exists(folder.messages.len() as u32)));
    out.extend(wire::data(Data::Recent(folder.recent() as u32)));
    if let Some(first_unseen) = folder
        .messages
        .iter()
        .position(|m| !m.flags.contains("\\Seen"))
        .and_then(|i| NonZeroU32::new(i as u32 + 1))
    {
        out.extend(wire::status(
            None,
            Kind::Ok,
            Some(Code::Unseen(first_unseen)),
            "First unseen",
        ));
    }
    if let Some(validity) = NonZeroU32::new(folder.uid_validity) {
        out.extend(wire::status(
            None,
            Kind::Ok,
            Some(Code::UidValidity(validity)),
            "UIDs valid",
        ));
    }
    if let Some(next) = NonZeroU32::new(folder.uid_next) {
        out.extend(wire::status(
            None,
            Kind::Ok,
            Some(Code::UidNext(next)),
            "Predicted next UID",
        ));
    }
    let (code, verb) = if read_only {
        (Code::ReadOnly, "EXAMINE")
    } else {
        (Code::ReadWrite, "SELECT")
    };
    out.extend(wire::status(
        Some(tag),
        Kind::Ok,
        Some(code),
        &format!("{verb} completed"),
    ));
    if !read_only {
        session.operator.store.clear_recent(&owner, &folder_name);
    }
    session.selected = Some(Selected {
        folder: folder_name,
        read_only,
        uids: folder.messages.iter().map(|m| m.uid).collect(),
        recent: folder
            .messages
            .iter()
            .filter(|m| m.recent)
            .map(|m| m.uid)
            .collect(),
    });
    Outcome::send(out)
}

/// CREATE.
pub fn create(session: &mut Session, tag: &Tag<'static>, mailbox: &Mailbox<'_>) -> Outcome {
    let folder = name(mailbox);
    let result = session.operator.store.create(&address(session), &folder);
    finish(
        session,
        tag,
        &format!("CREATE {folder}"),
        result.map_err(|e| e.to_string()),
    )
}

/// DELETE.
pub fn delete(session: &mut Session, tag: &Tag<'static>, mailbox: &Mailbox<'_>) -> Outcome {
    let folder = name(mailbox);
    let result = session.operator.store.delete(&address(session), &folder);
    finish(
        session,
        tag,
        &format!("DELETE {folder}"),
        result.map_err(|e| e.to_string()),
    )
}

/// SUBSCRIBE / UNSUBSCRIBE.
pub fn subscribe(
    session: &mut Session,
    tag: &Tag<'static>,
    mailbox: &Mailbox<'_>,
    on: bool,
) -> Outcome {
    let folder = name(mailbox);
    let result = session
        .operator
        .store
        .subscribe_folder(&address(session), &folder, on);
    let verb = if on { "SUBSCRIBE" } else { "UNSUBSCRIBE" };
    finish(
        session,
        tag,
        &format!("{verb} {folder}"),
        result.map_err(|e| e.to_string()),
    )
}

fn finish(
    session: &mut Session,
    tag: &Tag<'static>,
    what: &str,
    result: Result<(), String>,
) -> Outcome {
    let out = match result {
        Ok(()) => wire::status(Some(tag), Kind::Ok, None, &format!("{what} completed")),
        Err(why) => wire::status(Some(tag), Kind::No, None, &why),
    };
    session.journal(what, &out, Vec::new());
    Outcome::send(out)
}

/// LIST (`lsub`: LSUB, subscribed folders only).
pub fn list(
    session: &mut Session,
    tag: &Tag<'static>,
    reference: &Mailbox<'_>,
    wildcard: &ListMailbox<'_>,
    lsub: bool,
) -> Outcome {
    let pattern = match wildcard {
        ListMailbox::Token(t) => wire::lossy(t.as_ref()),
        ListMailbox::String(s) => wire::lossy(s.as_ref()),
    };
    let reference = match reference {
        Mailbox::Inbox => "INBOX".to_string(),
        Mailbox::Other(o) => wire::lossy(o.as_ref()),
    };
    let delimiter = QuotedChar::try_from(DELIMITER).ok();
    let mut out = Vec::new();
    if pattern.is_empty() && !lsub {
        // RFC 3501 §6.3.8: the delimiter and the root.
        if let Ok(root) = Mailbox::try_from("") {
            out.extend(wire::data(Data::List {
                items: vec![FlagNameAttribute::Noselect],
                delimiter,
                mailbox: root,
            }));
        }
    } else {
        let full = format!("{reference}{pattern}");
        for (folder, special, subscribed) in session.operator.store.folders(&address(session)) {
            if (lsub && !subscribed) || !matches(&full, &folder) {
                continue;
            }
            let mut items = Vec::new();
            if let Some(special) = special
                && let Ok(atom) = Atom::try_from(special.trim_start_matches('\\').to_string())
            {
                items.push(FlagNameAttribute::from(atom));
            }
            let Ok(mailbox) = Mailbox::try_from(folder.clone()) else {
                continue;
            };
            out.extend(wire::data(if lsub {
                Data::Lsub {
                    items,
                    delimiter,
                    mailbox,
                }
            } else {
                Data::List {
                    items,
                    delimiter,
                    mailbox,
                }
            }));
        }
    }
    let verb = if lsub { "LSUB" } else { "LIST" };
    out.extend(wire::status(
        Some(tag),
        Kind::Ok,
        None,
        &format!("{verb} completed"),
    ));
    Outcome::send(out)
}

/// Whether `name` matches an IMAP LIST pattern (`*` anything, `%` anything but the
/// delimiter; INBOX case-insensitively).
pub fn matches(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some(('*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some(('%', rest)) => (0..=n.len())
                .take_while(|i| *i == 0 || n[i - 1] != DELIMITER)
                .any(|i| go(rest, &n[i..])),
            Some((c, rest)) => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    let (p, n) = if name == "INBOX" {
        (pattern.to_ascii_uppercase(), name.to_string())
    } else {
        (pattern.to_string(), name.to_string())
    };
    go(
        &p.chars().collect::<Vec<_>>(),
        &n.chars().collect::<Vec<_>>(),
    )
}

/// STATUS.
pub fn status(
    session: &mut Session,
    tag: &Tag<'static>,
    mailbox: &Mailbox<'_>,
    names: &[StatusDataItemName],
) -> Outcome {
    let folder_name = name(mailbox);
    let folder = match session
        .operator
        .store
        .folder(&address(session), &folder_name)
    {
        Ok(f) => f,
        Err(e) => return Outcome::send(wire::status(Some(tag), Kind::No, None, &e.to_string())),
    };
    let items: Vec<StatusDataItem> = names
        .iter()
        .filter_map(|n| match n {
            StatusDataItemName::Messages => {
                Some(StatusDataItem::Messages(folder.messages.len() as u32))
            }
            StatusDataItemName::Recent => Some(StatusDataItem::Recent(folder.recent() as u32)),
            StatusDataItemName::UidNext => {
                NonZeroU32::new(folder.uid_next).map(StatusDataItem::UidNext)
            }
            StatusDataItemName::UidValidity => {
                NonZeroU32::new(folder.uid_validity).map(StatusDataItem::UidValidity)
            }
            StatusDataItemName::Unseen => Some(StatusDataItem::Unseen(folder.unseen() as u32)),
            StatusDataItemName::Deleted => Some(StatusDataItem::Deleted(
                folder
                    .messages
                    .iter()
                    .filter(|m| m.flags.contains("\\Deleted"))
                    .count() as u32,
            )),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    if let Ok(mailbox) = Mailbox::try_from(folder_name) {
        out.extend(wire::data(Data::Status {
            mailbox,
            items: items.into(),
        }));
    }
    out.extend(wire::status(Some(tag), Kind::Ok, None, "STATUS completed"));
    Outcome::send(out)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn list_patterns_follow_rfc_3501() {
        let cases = [
            ("*", "INBOX", true),
            ("*", "Sent", true),
            ("%", "Sent", true),
            ("%", "Archives/2026", false),
            ("Archives/%", "Archives/2026", true),
            ("inbox", "INBOX", true),
            ("Sen*", "Sent", true),
            ("Trash", "Sent", false),
            ("*", "Archives/2026", true),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(matches(pattern, name), expected, "{pattern} vs {name}");
        }
    }
}
