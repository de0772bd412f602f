//! SEARCH and UID SEARCH: every RFC 3501 key over flags, sizes, dates, headers and text.

use std::num::NonZeroU32;

use chrono::NaiveDate;
use imap_codec::imap_types::core::Tag;
use imap_codec::imap_types::response::Data;
use imap_codec::imap_types::search::SearchKey;
use mail_parser::{Message, MessageParser};

use super::messages::contains;
use super::session::{Outcome, Session};
use super::wire::{self, Kind};
use crate::mailbox::StoredMessage;

/// One message as a search sees it.
struct Candidate<'a> {
    /// Sequence number.
    seq: u32,
    /// Largest sequence number and UID of the folder (for `*`).
    largest: (u32, u32),
    /// The stored message.
    message: &'a StoredMessage,
    /// Parsed on first need.
    parsed: Option<Option<Message<'a>>>,
}

impl<'a> Candidate<'a> {
    fn parsed(&mut self) -> Option<&Message<'a>> {
        if self.parsed.is_none() {
            self.parsed = Some(MessageParser::default().parse(&self.message.raw[..]));
        }
        self.parsed.as_ref().and_then(|p| p.as_ref())
    }

    fn flag(&self, name: &str) -> bool {
        self.message.flags.contains(name)
    }

    fn header_contains(&mut self, name: &str, needle: &[u8]) -> bool {
        let needle = String::from_utf8_lossy(needle).to_lowercase();
        self.parsed()
            .map(|m| {
                m.headers()
                    .iter()
                    .filter(|h| h.name().eq_ignore_ascii_case(name))
                    .any(|h| {
                        let start = h.offset_start() as usize;
                        let end = h.offset_end() as usize;
                        m.raw_message()
                            .get(start..end)
                            .map(|v| String::from_utf8_lossy(v).to_lowercase().contains(&needle))
                            .unwrap_or(false)
                    })
            })
            .unwrap_or(false)
    }

    fn text_contains(&self, needle: &[u8], body_only: bool) -> bool {
        let raw = &self.message.raw[..];
        let start = if body_only {
            crate::receipts::mdn::find_headers_end(raw)
        } else {
            0
        };
        let hay = String::from_utf8_lossy(&raw[start..]).to_lowercase();
        hay.contains(&String::from_utf8_lossy(needle).to_lowercase())
    }

    fn internal_date(&self) -> Option<NaiveDate> {
        let d = self.message.internal_date;
        NaiveDate::from_ymd_opt(d.year(), d.month() as u32, d.day() as u32)
    }

    fn sent_date(&mut self) -> Option<NaiveDate> {
        let date = self.parsed()?.date()?;
        NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32)
    }

    fn matches(&mut self, key: &SearchKey<'_>) -> bool {
        use SearchKey as K;
        match key {
            K::And(keys) => keys.as_ref().iter().all(|k| self.matches(k)),
            K::Or(a, b) => self.matches(a) || self.matches(b),
            K::Not(k) => !self.matches(k),
            K::All => true,
            K::SequenceSet(set) => contains(set, self.seq, self.largest.0),
            K::Uid(set) => contains(set, self.message.uid, self.largest.1),
            K::Answered => self.flag("\\Answered"),
            K::Unanswered => !self.flag("\\Answered"),
            K::Deleted => self.flag("\\Deleted"),
            K::Undeleted => !self.flag("\\Deleted"),
            K::Draft => self.flag("\\Draft"),
            K::Undraft => !self.flag("\\Draft"),
            K::Flagged => self.flag("\\Flagged"),
            K::Unflagged => !self.flag("\\Flagged"),
            K::Seen => self.flag("\\Seen"),
            K::Unseen => !self.flag("\\Seen"),
            K::Recent => self.message.recent,
            K::New => self.message.recent && !self.flag("\\Seen"),
            K::Old => !self.message.recent,
            K::Keyword(k) => self.flag(k.as_ref()),
            K::Unkeyword(k) => !self.flag(k.as_ref()),
            K::Larger(n) => self.message.raw.len() as u64 > u64::from(*n),
            K::Smaller(n) => (self.message.raw.len() as u64) < u64::from(*n),
            K::Before(d) => self.internal_date().is_some_and(|x| x < *d.as_ref()),
            K::On(d) => self.internal_date().is_some_and(|x| x == *d.as_ref()),
            K::Since(d) => self.internal_date().is_some_and(|x| x >= *d.as_ref()),
            K::SentBefore(d) => self.sent_date().is_some_and(|x| x < *d.as_ref()),
            K::SentOn(d) => self.sent_date().is_some_and(|x| x == *d.as_ref()),
            K::SentSince(d) => self.sent_date().is_some_and(|x| x >= *d.as_ref()),
            K::From(s) => self.header_contains("From", s.as_ref()),
            K::To(s) => self.header_contains("To", s.as_ref()),
            K::Cc(s) => self.header_contains("Cc", s.as_ref()),
            K::Bcc(s) => self.header_contains("Bcc", s.as_ref()),
            K::Subject(s) => self.header_contains("Subject", s.as_ref()),
            K::Header(name, value) => {
                let name = wire::lossy(name.as_ref());
                self.header_contains(&name, value.as_ref())
            }
            K::Body(s) => self.text_contains(s.as_ref(), true),
            K::Text(s) => self.text_contains(s.as_ref(), false),
        }
    }
}

/// SEARCH (`uid`: UID SEARCH).
pub fn search(
    session: &mut Session,
    tag: &Tag<'static>,
    key: &SearchKey<'_>,
    uid: bool,
) -> Outcome {
    let (Some(identity), Some(selected)) = (&session.identity, &session.selected) else {
        return Outcome::send(wire::status(
            Some(tag),
            Kind::Bad,
            None,
            "Select a mailbox first",
        ));
    };
    let folder = match session
        .operator
        .store
        .folder(&identity.address, &selected.folder)
    {
        Ok(f) => f,
        Err(e) => return Outcome::send(wire::status(Some(tag), Kind::No, None, &e.to_string())),
    };
    let largest = (
        selected.uids.len() as u32,
        selected.uids.last().copied().unwrap_or(0),
    );
    let mut hits = Vec::new();
    for (index, known) in selected.uids.iter().enumerate() {
        let Some(message) = folder.by_uid(*known) else {
            continue;
        };
        let mut candidate = Candidate {
            seq: index as u32 + 1,
            largest,
            message,
            parsed: None,
        };
        if candidate.matches(key) {
            let value = if uid { message.uid } else { candidate.seq };
            hits.extend(NonZeroU32::new(value));
        }
    }
    let mut out = wire::data(Data::Search(hits));
    out.extend(wire::status(Some(tag), Kind::Ok, None, "SEARCH completed"));
    Outcome::send(out)
}
