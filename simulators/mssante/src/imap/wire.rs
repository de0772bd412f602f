//! Building `imap-types` values from arbitrary mail text, and encoding responses. Strings
//! a quoted string cannot carry become literals, so nothing a message contains can break
//! the protocol.

use imap_codec::encode::Encoder;
use imap_codec::imap_types::core::{IString, Literal, NString, Quoted, Tag, Text};
use imap_codec::imap_types::response::{Code, Data, Response, Status};
use imap_codec::imap_types::response::{Greeting, GreetingKind};
use imap_codec::{GreetingCodec, ResponseCodec};

/// An IMAP string for `text`: quoted when possible, a literal otherwise.
pub fn istring(text: impl Into<Vec<u8>>) -> IString<'static> {
    let bytes: Vec<u8> = text.into();
    if let Ok(s) = std::str::from_utf8(&bytes)
        && let Ok(q) = Quoted::try_from(s.to_string())
    {
        return IString::Quoted(q);
    }
    // NUL is the only byte a literal cannot carry (RFC 3501 §4.3).
    let clean: Vec<u8> = bytes
        .into_iter()
        .map(|b| if b == 0 { b' ' } else { b })
        .collect();
    IString::Literal(Literal::try_from(clean).unwrap_or_else(|_| {
        Literal::try_from(Vec::<u8>::new()).expect("an empty literal is valid")
    }))
}

/// `NIL` or a string.
pub fn nstring(text: Option<impl Into<Vec<u8>>>) -> NString<'static> {
    NString(text.map(istring))
}

/// Text for a status response: one line of 7-bit characters (IMAP4rev1's TEXT-CHAR;
/// French accents lose theirs), never empty.
pub fn text(words: &str) -> Text<'static> {
    let one_line: String = words
        .chars()
        .map(|c| match c {
            '\r' | '\n' => ' ',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'É' | 'È' | 'Ê' => 'E',
            'à' | 'â' => 'a',
            'ç' => 'c',
            'î' | 'ï' => 'i',
            'ô' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '?',
        })
        .collect();
    let one_line = if one_line.trim().is_empty() {
        "-".to_string()
    } else {
        one_line
    };
    Text::try_from(one_line).unwrap_or_else(|_| Text::try_from("-").expect("valid text"))
}

/// A tag from the client's bytes (already validated by the parser, or recovered from a
/// line that did not parse).
pub fn tag(raw: &str) -> Option<Tag<'static>> {
    Tag::try_from(raw.to_string()).ok()
}

/// Encodes one response.
pub fn encode(response: &Response<'_>) -> Vec<u8> {
    ResponseCodec::default().encode(response).dump()
}

/// Encodes untagged data.
pub fn data(data: Data<'static>) -> Vec<u8> {
    encode(&Response::Data(data))
}

/// What kind of status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `OK`.
    Ok,
    /// `NO`.
    No,
    /// `BAD`.
    Bad,
}

/// A status response (tagged when `tag` is given).
pub fn status(
    tag: Option<&Tag<'static>>,
    kind: Kind,
    code: Option<Code<'static>>,
    words: &str,
) -> Vec<u8> {
    let t = text(words);
    let status = match kind {
        Kind::Ok => Status::ok(tag.cloned(), code, t),
        Kind::No => Status::no(tag.cloned(), code, t),
        Kind::Bad => Status::bad(tag.cloned(), code, t),
    };
    status
        .map(|s| encode(&Response::Status(s)))
        .unwrap_or_else(|_| b"* BAD internal error\r\n".to_vec())
}

/// `* BYE ...`.
pub fn bye(words: &str) -> Vec<u8> {
    Status::bye(None, text(words))
        .map(|s| encode(&Response::Status(s)))
        .unwrap_or_else(|_| b"* BYE\r\n".to_vec())
}

/// `+ ...` (a continuation request).
pub fn continuation(words: &str) -> Vec<u8> {
    use imap_codec::imap_types::response::CommandContinuationRequest;
    CommandContinuationRequest::basic(None, text(words))
        .map(|c| encode(&Response::CommandContinuationRequest(c)))
        .unwrap_or_else(|_| b"+ \r\n".to_vec())
}

/// The greeting.
pub fn greeting(code: Option<Code<'static>>, words: &str) -> Vec<u8> {
    Greeting::new(GreetingKind::Ok, code, text(words).into_inner().as_ref())
        .map(|g| GreetingCodec::default().encode(&g).dump())
        .unwrap_or_else(|_| b"* OK\r\n".to_vec())
}

/// Bytes of an `AString`/`Mailbox`-like value, lossily as text.
pub fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
