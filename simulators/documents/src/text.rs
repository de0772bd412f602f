//! Turning a document's bytes into text: UTF-8 (with or without a byte-order mark), or a
//! single-byte Western encoding when the XML declaration or the MIME part says so (the
//! DMP kit's sample CDA travels as `charset=Cp1252`, its VIHF examples as ISO-8859-1).

use std::borrow::Cow;

use thiserror::Error;

/// Why bytes could not be read as text.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error(
    "the document is not UTF-8 and declares no single-byte encoding (invalid byte at offset {0})"
)]
pub struct DecodeError(pub usize);

/// Whether the text came as declared or needed a single-byte decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (a BOM, if any, was dropped).
    Utf8,
    /// ISO-8859-1 / windows-1252, as declared.
    SingleByte,
}

/// Decodes `bytes`. `hint` is a MIME `charset`, if the transport gave one.
pub fn decode<'a>(
    bytes: &'a [u8],
    hint: Option<&str>,
) -> Result<(Cow<'a, str>, Encoding), DecodeError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((Cow::Borrowed(text), Encoding::Utf8)),
        Err(e) => {
            let declared = declared_encoding(bytes);
            let single_byte = [hint, declared.as_deref()].into_iter().flatten().any(|e| {
                let e = e.to_ascii_lowercase();
                e.contains("8859") || e.contains("1252") || e == "latin1" || e == "latin-1"
            });
            if !single_byte {
                return Err(DecodeError(e.valid_up_to()));
            }
            Ok((
                Cow::Owned(bytes.iter().map(|&b| windows_1252(b)).collect()),
                Encoding::SingleByte,
            ))
        }
    }
}

/// The `encoding` of the XML declaration, if the document starts with one.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(200)];
    let head = String::from_utf8_lossy(head);
    let declaration = head.trim_start().strip_prefix("<?xml")?;
    let declaration = &declaration[..declaration.find("?>")?];
    let at = declaration.find("encoding")?;
    let value = declaration[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = value.chars().next()?;
    let value = &value[1..];
    Some(value[..value.find(quote)?].to_string())
}

/// One windows-1252 byte as a character (ISO-8859-1 plus the printable 0x80–0x9F block).
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        b => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through_and_loses_its_bom() {
        let (text, encoding) = decode("\u{feff}<a>é</a>".as_bytes(), None).unwrap();
        assert_eq!(text, "<a>é</a>");
        assert_eq!(encoding, Encoding::Utf8);
    }

    #[test]
    fn latin1_needs_a_declaration_or_a_hint() {
        let bytes = b"<a>\xe9</a>";
        assert_eq!(decode(bytes, None), Err(DecodeError(3)));
        assert_eq!(decode(bytes, Some("Cp1252")).unwrap().0, "<a>é</a>");
        let declared = b"<?xml version=\"1.0\" encoding='ISO-8859-1'?><a>\xe9\x80</a>";
        let (text, encoding) = decode(declared, None).unwrap();
        assert!(text.ends_with("<a>é€</a>"));
        assert_eq!(encoding, Encoding::SingleByte);
    }
}
