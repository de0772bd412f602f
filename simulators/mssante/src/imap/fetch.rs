//! FETCH and UID FETCH: FLAGS, UID, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODY and
//! BODYSTRUCTURE (from the MIME tree mail-parser reads), and BODY[] / BODY.PEEK[]
//! sections (HEADER, HEADER.FIELDS[.NOT], TEXT, MIME, part numbers, partial ranges).
//! A non-PEEK body fetch sets `\Seen`.

use std::num::NonZeroU32;

use chrono::{FixedOffset, TimeZone};
use imap_codec::imap_types::body::{
    BasicFields, Body, BodyStructure, Disposition, SinglePartExtensionData, SpecificFields,
};
use imap_codec::imap_types::bounded_static::IntoBoundedStatic;
use imap_codec::imap_types::core::{NString, NonEmptyVec, Tag};
use imap_codec::imap_types::datetime::DateTime;
use imap_codec::imap_types::envelope::{Address, Envelope};
use imap_codec::imap_types::fetch::{
    MacroOrMessageDataItemNames, MessageDataItem, MessageDataItemName, Part, Section,
};
use imap_codec::imap_types::response::Data;
use imap_codec::imap_types::sequence::SequenceSet;
use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};

use super::messages::{flags_item, targets};
use super::session::{Outcome, Session};
use super::wire::{self, Kind, istring, nstring};
use crate::mailbox::StoredMessage;

/// FETCH (`uid`: UID FETCH, which always returns the UID).
pub fn fetch(
    session: &mut Session,
    tag: &Tag<'static>,
    set: &SequenceSet,
    names: MacroOrMessageDataItemNames<'_>,
    uid: bool,
) -> Outcome {
    let mut names: Vec<MessageDataItemName<'_>> = match names {
        MacroOrMessageDataItemNames::Macro(m) => m
            .expand()
            .into_iter()
            .map(|n| match n {
                MessageDataItemName::Flags => MessageDataItemName::Flags,
                MessageDataItemName::InternalDate => MessageDataItemName::InternalDate,
                MessageDataItemName::Rfc822Size => MessageDataItemName::Rfc822Size,
                MessageDataItemName::Envelope => MessageDataItemName::Envelope,
                _ => MessageDataItemName::Body,
            })
            .collect(),
        MacroOrMessageDataItemNames::MessageDataItemNames(n) => n,
    };
    if uid && !names.contains(&MessageDataItemName::Uid) {
        names.insert(0, MessageDataItemName::Uid);
    }
    let (Some(identity), Some(selected)) = (&session.identity, &session.selected) else {
        return Outcome::send(wire::status(
            Some(tag),
            Kind::Bad,
            None,
            "Select a mailbox first",
        ));
    };
    let (address, folder_name, read_only) = (
        identity.address.clone(),
        selected.folder.clone(),
        selected.read_only,
    );
    let folder = match session.operator.store.folder(&address, &folder_name) {
        Ok(f) => f,
        Err(e) => return Outcome::send(wire::status(Some(tag), Kind::No, None, &e.to_string())),
    };
    let marks_seen = !read_only
        && names.iter().any(|n| {
            matches!(
                n,
                MessageDataItemName::BodyExt { peek: false, .. }
                    | MessageDataItemName::Rfc822
                    | MessageDataItemName::Rfc822Text
            )
        });
    let chosen = targets(session, set, uid);
    if marks_seen {
        let unseen: Vec<u32> = chosen
            .iter()
            .filter(|(_, u)| {
                folder
                    .by_uid(*u)
                    .is_some_and(|m| !m.flags.contains("\\Seen"))
            })
            .map(|(_, u)| *u)
            .collect();
        if !unseen.is_empty() {
            let _ = session
                .operator
                .store
                .update_flags(&address, &folder_name, &unseen, |f| {
                    f.insert("\\Seen".to_string());
                });
        }
    }
    let mut out = Vec::new();
    for (seq, u) in chosen {
        let Some(message) = folder.by_uid(u) else {
            continue;
        };
        let mut message = message.clone();
        if marks_seen {
            message.flags.insert("\\Seen".to_string());
        }
        // `\Recent` is per session: the one that selected the folder first sees it.
        message.recent = session
            .selected
            .as_ref()
            .is_some_and(|s| s.recent.contains(&message.uid));
        let items = items(&message, &names);
        if let (Some(seq), Ok(items)) = (NonZeroU32::new(seq), NonEmptyVec::try_from(items)) {
            out.extend(wire::data(Data::Fetch { seq, items }));
        }
    }
    out.extend(wire::status(Some(tag), Kind::Ok, None, "FETCH completed"));
    Outcome::send(out)
}

/// The FETCH items `names` asks for, for one message.
pub fn items(
    message: &StoredMessage,
    names: &[MessageDataItemName<'_>],
) -> Vec<MessageDataItem<'static>> {
    let raw = &message.raw[..];
    let needs_parse = names.iter().any(|n| {
        !matches!(
            n,
            MessageDataItemName::Flags
                | MessageDataItemName::Uid
                | MessageDataItemName::Rfc822Size
                | MessageDataItemName::InternalDate
                | MessageDataItemName::Rfc822
        ) && !matches!(n, MessageDataItemName::BodyExt { section: None, .. })
    });
    let parsed = if needs_parse {
        MessageParser::default().parse(raw)
    } else {
        None
    };
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let item = match name {
            MessageDataItemName::Flags => flags_item(&message.flags, message.recent),
            MessageDataItemName::Uid => match NonZeroU32::new(message.uid) {
                Some(u) => MessageDataItem::Uid(u),
                None => continue,
            },
            MessageDataItemName::Rfc822Size => MessageDataItem::Rfc822Size(raw.len() as u32),
            MessageDataItemName::InternalDate => {
                MessageDataItem::InternalDate(internal_date(message))
            }
            MessageDataItemName::Envelope => MessageDataItem::Envelope(
                parsed.as_ref().map(envelope).unwrap_or_else(empty_envelope),
            ),
            MessageDataItemName::BodyStructure | MessageDataItemName::Body => {
                let structure = parsed
                    .as_ref()
                    .map(|m| structure(m, 0, matches!(name, MessageDataItemName::BodyStructure)))
                    .unwrap_or_else(|| text_plain(raw.len()));
                if matches!(name, MessageDataItemName::Body) {
                    MessageDataItem::Body(structure)
                } else {
                    MessageDataItem::BodyStructure(structure)
                }
            }
            MessageDataItemName::Rfc822 => MessageDataItem::Rfc822(nstring(Some(raw.to_vec()))),
            MessageDataItemName::Rfc822Header => MessageDataItem::Rfc822Header(nstring(Some(
                section_bytes(raw, parsed.as_ref(), Some(&Section::Header(None))),
            ))),
            MessageDataItemName::Rfc822Text => MessageDataItem::Rfc822Text(nstring(Some(
                section_bytes(raw, parsed.as_ref(), Some(&Section::Text(None))),
            ))),
            MessageDataItemName::BodyExt {
                section, partial, ..
            } => {
                let mut bytes = section_bytes(raw, parsed.as_ref(), section.as_ref());
                let origin = partial.map(|(start, length)| {
                    let start_index = (start as usize).min(bytes.len());
                    let end = start_index
                        .saturating_add(length.get() as usize)
                        .min(bytes.len());
                    bytes = bytes[start_index..end].to_vec();
                    start
                });
                MessageDataItem::BodyExt {
                    section: section.clone().map(IntoBoundedStatic::into_static),
                    origin,
                    data: nstring(Some(bytes)),
                }
            }
        };
        out.push(item);
    }
    out
}

fn internal_date(message: &StoredMessage) -> DateTime {
    let seconds = message.internal_date.unix_timestamp();
    let offset = FixedOffset::east_opt(0).expect("UTC");
    let when = offset
        .timestamp_opt(seconds, 0)
        .single()
        .unwrap_or_else(|| offset.timestamp_opt(0, 0).single().expect("epoch"));
    DateTime::try_from(when).unwrap_or_else(|_| {
        DateTime::try_from(offset.timestamp_opt(0, 0).single().expect("epoch"))
            .expect("epoch is valid")
    })
}

fn empty_envelope() -> Envelope<'static> {
    Envelope {
        date: NString(None),
        subject: NString(None),
        from: Vec::new(),
        sender: Vec::new(),
        reply_to: Vec::new(),
        to: Vec::new(),
        cc: Vec::new(),
        bcc: Vec::new(),
        in_reply_to: NString(None),
        message_id: NString(None),
    }
}

/// The ENVELOPE of a message (RFC 3501 §7.4.2): raw header values, addresses split.
pub fn envelope(message: &Message<'_>) -> Envelope<'static> {
    let raw = |name: &str| message.header_raw(name).map(|v| v.trim().to_string());
    let addresses = |name: &str| -> Vec<Address<'static>> {
        let list = match name {
            "From" => message.from(),
            "Sender" => message.sender(),
            "Reply-To" => message.reply_to(),
            "To" => message.to(),
            "Cc" => message.cc(),
            _ => message.bcc(),
        };
        list.map(|l| {
            l.iter()
                .map(|a| {
                    let address = a.address().unwrap_or_default();
                    let (mailbox, host) = address.split_once('@').unwrap_or((address, ""));
                    Address {
                        name: nstring(a.name().map(str::to_string)),
                        adl: NString(None),
                        mailbox: nstring(Some(mailbox.to_string())),
                        host: nstring(Some(host.to_string())),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let from = addresses("From");
    let sender = {
        let s = addresses("Sender");
        if s.is_empty() { from.clone() } else { s }
    };
    let reply_to = {
        let r = addresses("Reply-To");
        if r.is_empty() { from.clone() } else { r }
    };
    Envelope {
        date: nstring(raw("Date")),
        subject: nstring(message.subject().map(str::to_string)),
        from,
        sender,
        reply_to,
        to: addresses("To"),
        cc: addresses("Cc"),
        bcc: addresses("Bcc"),
        in_reply_to: nstring(raw("In-Reply-To")),
        message_id: nstring(raw("Message-ID")),
    }
}

fn text_plain(size: usize) -> BodyStructure<'static> {
    BodyStructure::Single {
        body: Body {
            basic: BasicFields {
                parameter_list: vec![(istring("CHARSET"), istring("US-ASCII"))],
                id: NString(None),
                description: NString(None),
                content_transfer_encoding: istring("7BIT"),
                size: size as u32,
            },
            specific: SpecificFields::Text {
                subtype: istring("PLAIN"),
                number_of_lines: 0,
            },
        },
        extension_data: None,
    }
}

/// The BODYSTRUCTURE (with extension data) or BODY (without) of part `id` of `message`.
pub fn structure(message: &Message<'_>, id: usize, extended: bool) -> BodyStructure<'static> {
    let Some(part) = message.parts.get(id) else {
        return text_plain(0);
    };
    let raw = message.raw_message();
    let body_bytes = raw
        .get(part.offset_body as usize..part.offset_end as usize)
        .unwrap_or_default();
    let (ctype, subtype) = part
        .content_type()
        .map(|c| {
            (
                c.ctype().to_ascii_uppercase(),
                c.subtype().map(str::to_ascii_uppercase),
            )
        })
        .unwrap_or_else(|| ("TEXT".into(), Some("PLAIN".into())));
    if let PartType::Multipart(children) = &part.body {
        let bodies: Vec<BodyStructure<'static>> = children
            .iter()
            .map(|child| structure(message, *child as usize, extended))
            .collect();
        if let Ok(bodies) = NonEmptyVec::try_from(bodies) {
            return BodyStructure::Multi {
                bodies,
                subtype: istring(subtype.unwrap_or_else(|| "MIXED".into())),
                extension_data: None,
            };
        }
    }
    let parameter_list = part
        .content_type()
        .and_then(|c| c.attributes())
        .map(|attrs| {
            attrs
                .iter()
                .map(|a| {
                    (
                        istring(a.name.to_ascii_uppercase()),
                        istring(a.value.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let basic = BasicFields {
        parameter_list,
        id: nstring(part.content_id().map(|i| format!("<{i}>"))),
        description: nstring(part.content_description().map(str::to_string)),
        content_transfer_encoding: istring(
            part.content_transfer_encoding()
                .unwrap_or("7BIT")
                .to_ascii_uppercase(),
        ),
        size: body_bytes.len() as u32,
    };
    let lines = (body_bytes.iter().filter(|b| **b == b'\n').count()
        + usize::from(!body_bytes.is_empty() && !body_bytes.ends_with(b"\n")))
        as u32;
    let specific = match &part.body {
        PartType::Message(inner) => SpecificFields::Message {
            envelope: Box::new(envelope(inner)),
            body_structure: Box::new(structure(inner, 0, extended)),
            number_of_lines: lines,
        },
        _ if ctype == "TEXT" => SpecificFields::Text {
            subtype: istring(subtype.unwrap_or_else(|| "PLAIN".into())),
            number_of_lines: lines,
        },
        _ => SpecificFields::Basic {
            r#type: istring(ctype),
            subtype: istring(subtype.unwrap_or_else(|| "OCTET-STREAM".into())),
        },
    };
    let extension_data = extended.then(|| SinglePartExtensionData {
        md5: NString(None),
        tail: Some(Disposition {
            disposition: part.content_disposition().map(|d| {
                (
                    istring(d.ctype().to_ascii_uppercase()),
                    d.attributes()
                        .map(|attrs| {
                            attrs
                                .iter()
                                .map(|a| {
                                    (
                                        istring(a.name.to_ascii_uppercase()),
                                        istring(a.value.to_string()),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                )
            }),
            tail: None,
        }),
    });
    BodyStructure::Single {
        body: Body { basic, specific },
        extension_data,
    }
}

/// The bytes of `section` of the message (`None`: the whole message).
pub fn section_bytes(
    raw: &[u8],
    parsed: Option<&Message<'_>>,
    section: Option<&Section<'_>>,
) -> Vec<u8> {
    let Some(section) = section else {
        return raw.to_vec();
    };
    let Some(message) = parsed else {
        return Vec::new();
    };
    let headers_of = |m: &Message<'_>| {
        let root = m.root_part();
        m.raw_message()
            .get(root.offset_header as usize..root.offset_body as usize)
            .unwrap_or_default()
            .to_vec()
    };
    let text_of = |m: &Message<'_>| {
        let root = m.root_part();
        m.raw_message()
            .get(root.offset_body as usize..root.offset_end as usize)
            .unwrap_or_default()
            .to_vec()
    };
    match section {
        Section::Header(None) => headers_of(message),
        Section::Text(None) => text_of(message),
        Section::HeaderFields(None, names) | Section::HeaderFieldsNot(None, names) => {
            let wanted: Vec<String> = names
                .as_ref()
                .iter()
                .map(|n| wire::lossy(n.as_ref()).to_ascii_lowercase())
                .collect();
            let keep = matches!(section, Section::HeaderFields(..));
            filter_headers(&headers_of(message), &wanted, keep)
        }
        Section::Part(part) => find(message, part)
            .map(|(m, p)| {
                m.raw_message()
                    .get(p.offset_body as usize..p.offset_end as usize)
                    .unwrap_or_default()
                    .to_vec()
            })
            .unwrap_or_default(),
        Section::Mime(part) => find(message, part)
            .map(|(m, p)| {
                m.raw_message()
                    .get(p.offset_header as usize..p.offset_body as usize)
                    .unwrap_or_default()
                    .to_vec()
            })
            .unwrap_or_default(),
        Section::Header(Some(part))
        | Section::Text(Some(part))
        | Section::HeaderFields(Some(part), _)
        | Section::HeaderFieldsNot(Some(part), _) => {
            match find(message, part).map(|(_, p)| &p.body) {
                Some(PartType::Message(inner)) => {
                    let inner_section = match section {
                        Section::Header(_) => Section::Header(None),
                        Section::Text(_) => Section::Text(None),
                        Section::HeaderFields(_, n) => Section::HeaderFields(None, n.clone()),
                        Section::HeaderFieldsNot(_, n) => Section::HeaderFieldsNot(None, n.clone()),
                        _ => return Vec::new(),
                    };
                    section_bytes(inner.raw_message(), Some(inner), Some(&inner_section))
                }
                _ => Vec::new(),
            }
        }
    }
}

/// The part a part number names, with the message it belongs to (a part inside an
/// attached message belongs to that message).
fn find<'m, 'x>(
    message: &'m Message<'x>,
    part: &Part,
) -> Option<(&'m Message<'x>, &'m MessagePart<'x>)> {
    let mut current_message = message;
    let mut current = current_message.root_part();
    for (depth, number) in part.0.as_ref().iter().enumerate() {
        let index = number.get() as usize - 1;
        if let PartType::Message(inner) = &current.body
            && depth > 0
        {
            current_message = inner;
            current = current_message.root_part();
        }
        match &current.body {
            PartType::Multipart(children) => {
                let child = *children.get(index)? as usize;
                current = current_message.parts.get(child)?;
            }
            _ if index == 0 => {}
            _ => return None,
        }
    }
    Some((current_message, current))
}

fn filter_headers(headers: &[u8], names: &[String], keep: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(headers);
    let mut out = String::new();
    let mut including = false;
    for line in text.split_inclusive('\n') {
        if line.trim_end().is_empty() {
            break;
        }
        if !line.starts_with([' ', '\t']) {
            let name = line
                .split(':')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            including = names.contains(&name) == keep;
        }
        if including {
            out.push_str(line);
        }
    }
    out.push_str("\r\n");
    out.into_bytes()
}
