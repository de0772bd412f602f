//! Commands that change messages: STORE, COPY and MOVE, EXPUNGE, CLOSE, APPEND. Each is
//! journaled with the identity that ran it.

use std::collections::BTreeSet;
use std::num::NonZeroU32;

use bytes::Bytes;
use imap_codec::imap_types::bounded_static::IntoBoundedStatic;
use imap_codec::imap_types::core::{NonEmptyVec, Tag};
use imap_codec::imap_types::datetime::DateTime;
use imap_codec::imap_types::fetch::MessageDataItem;
use imap_codec::imap_types::flag::{Flag, FlagFetch, StoreResponse, StoreType};
use imap_codec::imap_types::mailbox::Mailbox;
use imap_codec::imap_types::response::{Code, Data};
use imap_codec::imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};
use time::OffsetDateTime;

use super::mailboxes::name;
use super::session::{Outcome, Session};
use super::wire::{self, Kind};
use crate::rules;

/// Whether `value` is in `set`, `*` standing for `largest`; checked per range, so a set
/// like `1:4294967295` costs nothing.
pub fn contains(set: &SequenceSet, value: u32, largest: u32) -> bool {
    let expand = |s: &SeqOrUid| match s {
        SeqOrUid::Value(v) => v.get(),
        SeqOrUid::Asterisk => largest,
    };
    set.0.as_ref().iter().any(|sequence| match sequence {
        Sequence::Single(s) => expand(s) == value,
        Sequence::Range(a, b) => {
            let (a, b) = (expand(a), expand(b));
            (a.min(b)..=a.max(b)).contains(&value)
        }
    })
}

/// The `(sequence number, UID)` of the selected folder's messages that `set` names.
pub fn targets(session: &Session, set: &SequenceSet, uid: bool) -> Vec<(u32, u32)> {
    let Some(selected) = &session.selected else {
        return Vec::new();
    };
    let largest = if uid {
        selected.uids.last().copied().unwrap_or(0)
    } else {
        selected.uids.len() as u32
    };
    selected
        .uids
        .iter()
        .enumerate()
        .map(|(i, u)| (i as u32 + 1, *u))
        .filter(|(seq, u)| contains(set, if uid { *u } else { *seq }, largest))
        .collect()
}

fn owner(session: &Session) -> String {
    session
        .identity
        .as_ref()
        .map(|i| i.address.clone())
        .unwrap_or_default()
}

fn folder(session: &Session) -> String {
    session
        .selected
        .as_ref()
        .map(|s| s.folder.clone())
        .unwrap_or_default()
}

fn read_only(session: &Session) -> bool {
    session.selected.as_ref().is_some_and(|s| s.read_only)
}

/// Flags as the store keeps them (`\Seen`, keywords).
pub fn flag_names(flags: &[Flag<'_>]) -> BTreeSet<String> {
    flags.iter().map(|f| f.to_string()).collect()
}

/// The FETCH FLAGS item for stored flags.
pub fn flags_item(flags: &BTreeSet<String>, recent: bool) -> MessageDataItem<'static> {
    let mut items: Vec<FlagFetch<'static>> = flags
        .iter()
        .filter_map(|f| {
            Flag::try_from(f.as_str())
                .ok()
                .map(IntoBoundedStatic::into_static)
        })
        .map(FlagFetch::Flag)
        .collect();
    if recent {
        items.push(FlagFetch::Recent);
    }
    MessageDataItem::Flags(items)
}

/// STORE and UID STORE.
pub fn store(
    session: &mut Session,
    tag: &Tag<'static>,
    set: &SequenceSet,
    kind: &StoreType,
    response: &StoreResponse,
    flags: &[Flag<'_>],
    uid: bool,
) -> Outcome {
    if read_only(session) {
        return Outcome::send(wire::status(
            Some(tag),
            Kind::No,
            None,
            "The mailbox is read-only (EXAMINE)",
        ));
    }
    let chosen = targets(session, set, uid);
    let uids: Vec<u32> = chosen.iter().map(|(_, u)| *u).collect();
    let names = flag_names(flags);
    let result =
        session
            .operator
            .store
            .update_flags(
                &owner(session),
                &folder(session),
                &uids,
                |current| match kind {
                    StoreType::Replace => *current = names.clone(),
                    StoreType::Add => current.extend(names.iter().cloned()),
                    StoreType::Remove => current.retain(|f| !names.contains(f)),
                },
            );
    let updated = match result {
        Ok(u) => u,
        Err(e) => return Outcome::send(wire::status(Some(tag), Kind::No, None, &e.to_string())),
    };
    let mut out = Vec::new();
    if *response == StoreResponse::Answer {
        for (seq, u) in &chosen {
            let Some((_, flags)) = updated.iter().find(|(x, _)| x == u) else {
                continue;
            };
            let mut items = vec![flags_item(flags, false)];
            if uid && let Some(u) = NonZeroU32::new(*u) {
                items.push(MessageDataItem::Uid(u));
            }
            if let (Some(seq), Ok(items)) = (NonZeroU32::new(*seq), NonEmptyVec::try_from(items)) {
                out.extend(wire::data(Data::Fetch { seq, items }));
            }
        }
    }
    out.extend(wire::status(Some(tag), Kind::Ok, None, "STORE completed"));
    let what = format!(
        "STORE {} {:?} {} on UIDs {:?}",
        folder(session),
        kind,
        names.iter().cloned().collect::<Vec<_>>().join(" "),
        uids
    );
    session.journal(&what, &out, Vec::new());
    Outcome::send(out)
}

/// COPY, MOVE and their UID forms.
pub fn copy(
    session: &mut Session,
    tag: &Tag<'static>,
    set: &SequenceSet,
    mailbox: &Mailbox<'_>,
    uid: bool,
    moving: bool,
) -> Outcome {
    let target = name(mailbox);
    if moving && read_only(session) {
        return Outcome::send(wire::status(
            Some(tag),
            Kind::No,
            None,
            "The mailbox is read-only (EXAMINE)",
        ));
    }
    let chosen = targets(session, set, uid);
    let uids: Vec<u32> = chosen.iter().map(|(_, u)| *u).collect();
    let (address, source) = (owner(session), folder(session));
    let verb = if moving { "MOVE" } else { "COPY" };
    if let Err(e) = session
        .operator
        .store
        .copy(&address, &source, &uids, &target)
    {
        return Outcome::send(wire::status(
            Some(tag),
            Kind::No,
            Some(Code::TryCreate),
            &e.to_string(),
        ));
    }
    let mut out = Vec::new();
    if moving && !uids.is_empty() {
        let _ = session
            .operator
            .store
            .update_flags(&address, &source, &uids, |f| {
                f.insert("\\Deleted".to_string());
            });
        let _ = session
            .operator
            .store
            .expunge(&address, &source, Some(&uids));
        out.extend(session.sync());
    }
    out.extend(wire::status(
        Some(tag),
        Kind::Ok,
        None,
        &format!("{verb} completed"),
    ));
    session.journal(
        &format!("{verb} UIDs {uids:?} from {source} to {target}"),
        &out,
        Vec::new(),
    );
    Outcome::send(out)
}

/// EXPUNGE.
pub fn expunge(session: &mut Session, tag: &Tag<'static>) -> Outcome {
    if read_only(session) {
        return Outcome::send(wire::status(
            Some(tag),
            Kind::No,
            None,
            "The mailbox is read-only (EXAMINE)",
        ));
    }
    let (address, source) = (owner(session), folder(session));
    let removed = session
        .operator
        .store
        .expunge(&address, &source, None)
        .unwrap_or_default();
    let mut out = session.sync();
    out.extend(wire::status(Some(tag), Kind::Ok, None, "EXPUNGE completed"));
    session.journal(
        &format!("EXPUNGE {source} UIDs {removed:?}"),
        &out,
        Vec::new(),
    );
    Outcome::send(out)
}

/// CLOSE: expunge silently (unless read-only), then back to the authenticated state.
pub fn close(session: &mut Session, tag: &Tag<'static>) -> Outcome {
    let (address, source) = (owner(session), folder(session));
    if !read_only(session) {
        let removed = session
            .operator
            .store
            .expunge(&address, &source, None)
            .unwrap_or_default();
        if !removed.is_empty() {
            session.journal(
                &format!("CLOSE {source} expunged UIDs {removed:?}"),
                &[],
                Vec::new(),
            );
        }
    }
    session.selected = None;
    Outcome::send(wire::status(Some(tag), Kind::Ok, None, "CLOSE completed"))
}

/// APPEND (the Sent copy a client keeps, a draft, a message filed by hand).
pub fn append(
    session: &mut Session,
    tag: &Tag<'static>,
    mailbox: &Mailbox<'_>,
    flags: &[Flag<'_>],
    date: Option<&DateTime>,
    message: &[u8],
) -> Outcome {
    let target = name(mailbox);
    if message.len() > session.operator.config.max_message_size {
        let out = wire::status(
            Some(tag),
            Kind::No,
            Some(Code::TooBig),
            "The message is over the size limit",
        );
        session.journal_with(
            &format!("APPEND {target}"),
            &out,
            None,
            vec![rules::TOO_LARGE.finding(format!("APPEND of {} bytes", message.len()))],
        );
        return Outcome::send(out);
    }
    let when = date
        .and_then(|d| OffsetDateTime::from_unix_timestamp(d.as_ref().timestamp()).ok())
        .unwrap_or_else(|| session.operator.now());
    let result = session.operator.store.deliver(
        &owner(session),
        &target,
        Bytes::copy_from_slice(message),
        flag_names(flags),
        when,
    );
    let mut out = match result {
        Ok(_) => session.sync(),
        Err(e) => {
            let out = wire::status(Some(tag), Kind::No, Some(Code::TryCreate), &e.to_string());
            return Outcome::send(out);
        }
    };
    out.extend(wire::status(Some(tag), Kind::Ok, None, "APPEND completed"));
    session.journal_with(&format!("APPEND {target}"), &out, Some(message), Vec::new());
    Outcome::send(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_sets_are_checked_by_range_not_expanded() {
        let set = |s: &str| SequenceSet::try_from(s).unwrap();
        let cases = [
            ("1:*", 5, 9, true),
            ("2,4", 3, 9, false),
            ("2,4", 4, 9, true),
            ("*", 9, 9, true),
            ("*:3", 5, 9, true),
            ("1:4294967295", 123_456, 9, true),
            ("7:9", 6, 9, false),
        ];
        for (s, value, largest, expected) in cases {
            assert_eq!(contains(&set(s), value, largest), expected, "{s} ∋ {value}");
        }
    }
}
