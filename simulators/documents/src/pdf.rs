//! The text a PDF shows and where (sans I/O): the strings its content streams draw with
//! `Tj`, `TJ`, `'` and `"`, each at the position `Td`, `TD`, `Tm` and `T*` give, and the
//! page's height (`MediaBox`). Streams are read as they are or inflated (`FlateDecode`).
//! Enough to tell whether a document prints a mention, and whether at the foot of the
//! page, for the simple single-byte fonts documents are generated with; text drawn with
//! composite (CID) fonts, images or a `cm` transformation is not decoded.

use std::io::Read as _;

/// Largest inflated stream read (a page's content is far smaller).
const MAX_STREAM: u64 = 16 * 1024 * 1024;

/// One string drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    /// Where the text line starts (user space units, origin bottom left).
    pub x: f64,
    /// Its baseline.
    pub y: f64,
    /// The string, as Latin-1 (WinAnsi) characters.
    pub text: String,
}

/// What a PDF shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PdfText {
    /// The header's version (`1.4`).
    pub version: String,
    /// The first page's height (`MediaBox`), 842 (A4) when none is read.
    pub page_height: f64,
    /// Every string drawn, in stream order.
    pub drawn: Vec<Drawn>,
}

impl PdfText {
    /// The strings drawn in the lowest `fraction` of the page (its foot), joined.
    pub fn foot(&self, fraction: f64) -> String {
        let limit = self.page_height * fraction;
        self.drawn
            .iter()
            .filter(|d| d.y <= limit)
            .map(|d| d.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Every string drawn, joined.
    pub fn all(&self) -> String {
        self.drawn
            .iter()
            .map(|d| d.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Reads `bytes` as a PDF; `None` when it does not start as one.
pub fn read(bytes: &[u8]) -> Option<PdfText> {
    let header = bytes.strip_prefix(b"%PDF-")?;
    let version: String = header
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .map(|b| char::from(*b))
        .collect();
    let mut out = PdfText {
        version,
        page_height: media_height(bytes).unwrap_or(842.0),
        drawn: Vec::new(),
    };
    for content in streams(bytes) {
        draw(&content, &mut out.drawn);
    }
    Some(out)
}

/// The height of the first `/MediaBox [x0 y0 x1 y1]`.
fn media_height(bytes: &[u8]) -> Option<f64> {
    let at = find(bytes, b"/MediaBox", 0)?;
    let rest = &bytes[at + 9..bytes.len().min(at + 120)];
    let text = String::from_utf8_lossy(rest);
    let inner = text.split('[').nth(1)?.split(']').next()?;
    let n: Vec<f64> = inner
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    (n.len() == 4).then(|| n[3] - n[1])
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Every stream's bytes, inflated when its dictionary says `FlateDecode`.
fn streams(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = find(bytes, b"stream", from) {
        from = at + 6;
        // `endstream` contains `stream`; a dictionary's end precedes a stream's start.
        if at >= 3 && &bytes[at - 3..at] == b"end" {
            continue;
        }
        let mut start = at + 6;
        if bytes.get(start) == Some(&b'\r') {
            start += 1;
        }
        if bytes.get(start) == Some(&b'\n') {
            start += 1;
        }
        let Some(end) = find(bytes, b"endstream", start) else {
            break;
        };
        // The stream's dictionary: from its object's header (`N 0 obj`, the last `obj`
        // before the keyword) on, so that a nested dictionary does not hide its filter.
        let dictionary_start = bytes[..at]
            .windows(3)
            .rposition(|w| w == b"obj")
            .unwrap_or(0);
        let dictionary = &bytes[dictionary_start..at];
        let raw = &bytes[start..end];
        let data = if find(dictionary, b"/FlateDecode", 0).is_some() {
            let mut inflated = Vec::new();
            match flate2::read::ZlibDecoder::new(raw)
                .take(MAX_STREAM)
                .read_to_end(&mut inflated)
            {
                Ok(_) => inflated,
                Err(_) => continue,
            }
        } else {
            raw.to_vec()
        };
        out.push(data);
        from = end + 9;
    }
    out
}

/// A content-stream token.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Text(String),
    Open,
    Close,
    Operator(String),
}

/// Latin-1 characters of string bytes (WinAnsi differs only in 0x80–0x9F).
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(*b)).collect()
}

fn tokens(content: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < content.len() {
        let c = content[i];
        match c {
            b'(' => {
                let mut depth = 1;
                let mut s = Vec::new();
                i += 1;
                while i < content.len() && depth > 0 {
                    let b = content[i];
                    match b {
                        b'\\' if i + 1 < content.len() => {
                            i += 1;
                            let e = content[i];
                            match e {
                                b'n' => s.push(b'\n'),
                                b'r' => s.push(b'\r'),
                                b't' => s.push(b'\t'),
                                b'0'..=b'7' => {
                                    let mut v = u32::from(e - b'0');
                                    for _ in 0..2 {
                                        match content.get(i + 1) {
                                            Some(d @ b'0'..=b'7') => {
                                                v = v * 8 + u32::from(d - b'0');
                                                i += 1;
                                            }
                                            _ => break,
                                        }
                                    }
                                    s.push(u8::try_from(v & 0xFF).unwrap_or(b'?'));
                                }
                                b'\n' | b'\r' => {}
                                other => s.push(other),
                            }
                        }
                        b'(' => {
                            depth += 1;
                            s.push(b);
                        }
                        b')' => {
                            depth -= 1;
                            if depth > 0 {
                                s.push(b);
                            }
                        }
                        _ => s.push(b),
                    }
                    i += 1;
                }
                out.push(Token::Text(latin1(&s)));
                continue;
            }
            b'<' if content.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if content.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                let end = find(content, b">", i).unwrap_or(content.len());
                let hex: Vec<u8> = content[i + 1..end]
                    .iter()
                    .copied()
                    .filter(u8::is_ascii_hexdigit)
                    .collect();
                let bytes: Vec<u8> = hex
                    .chunks(2)
                    .filter_map(|p| {
                        let s = std::str::from_utf8(p).ok()?;
                        u8::from_str_radix(&format!("{s:0<2}"), 16).ok()
                    })
                    .collect();
                out.push(Token::Text(latin1(&bytes)));
                i = end + 1;
            }
            b'[' => {
                out.push(Token::Open);
                i += 1;
            }
            b']' => {
                out.push(Token::Close);
                i += 1;
            }
            b'%' => {
                while i < content.len() && content[i] != b'\n' && content[i] != b'\r' {
                    i += 1;
                }
            }
            b'/' => {
                i += 1;
                while i < content.len() && !delimiter(content[i]) {
                    i += 1;
                }
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                while i < content.len() && !delimiter(content[i]) {
                    i += 1;
                }
                if i == start {
                    i += 1;
                    continue;
                }
                let word = String::from_utf8_lossy(&content[start..i]).to_string();
                match word.parse::<f64>() {
                    Ok(n) => out.push(Token::Number(n)),
                    Err(_) => out.push(Token::Operator(word)),
                }
            }
        }
    }
    out
}

fn delimiter(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'/' | b'%' | b'{' | b'}'
        )
}

/// The strings a content stream draws, with their positions.
fn draw(content: &[u8], drawn: &mut Vec<Drawn>) {
    let (mut line_x, mut line_y, mut leading) = (0.0_f64, 0.0_f64, 0.0_f64);
    let mut operands: Vec<Token> = Vec::new();
    let mut array: Option<Vec<String>> = None;
    for token in tokens(content) {
        let number = |operands: &[Token], back: usize| match operands.iter().rev().nth(back) {
            Some(Token::Number(n)) => *n,
            _ => 0.0,
        };
        match token {
            Token::Open => array = Some(Vec::new()),
            Token::Close => {
                if let Some(parts) = array.take() {
                    operands.push(Token::Text(parts.concat()));
                }
            }
            Token::Text(t) if array.is_some() => {
                if let Some(parts) = array.as_mut() {
                    parts.push(t);
                }
            }
            Token::Number(n) if array.is_some() => {
                // A large negative kerning reads as a space between words.
                if n < -200.0
                    && let Some(parts) = array.as_mut()
                {
                    parts.push(" ".into());
                }
            }
            Token::Operator(op) => {
                match op.as_str() {
                    "BT" => (line_x, line_y) = (0.0, 0.0),
                    "Td" | "TD" => {
                        let (x, y) = (number(&operands, 1), number(&operands, 0));
                        if op == "TD" {
                            leading = -y;
                        }
                        line_x += x;
                        line_y += y;
                    }
                    "Tm" => (line_x, line_y) = (number(&operands, 1), number(&operands, 0)),
                    "TL" => leading = number(&operands, 0),
                    "T*" => line_y -= leading,
                    "Tj" | "TJ" | "'" | "\"" => {
                        if op == "'" || op == "\"" {
                            line_y -= leading;
                        }
                        if let Some(Token::Text(t)) =
                            operands.iter().rev().find(|t| matches!(t, Token::Text(_)))
                        {
                            drawn.push(Drawn {
                                x: line_x,
                                y: line_y,
                                text: t.clone(),
                            });
                        }
                    }
                    _ => {}
                }
                operands.clear();
            }
            other => operands.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-page PDF drawing `content`, its stream compressed or not.
    fn pdf(content: &str, compressed: bool) -> Vec<u8> {
        let mut out =
            b"%PDF-1.4\n1 0 obj\n<< /Type /Page /MediaBox [0 0 595 842] >>\nendobj\n".to_vec();
        let data = if compressed {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            std::io::Write::write_all(&mut e, content.as_bytes()).unwrap();
            e.finish().unwrap()
        } else {
            content.as_bytes().to_vec()
        };
        out.extend_from_slice(
            format!(
                "2 0 obj\n<< /Length {}{} >>\nstream\n",
                data.len(),
                if compressed {
                    " /Filter /FlateDecode"
                } else {
                    ""
                }
            )
            .as_bytes(),
        );
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        out
    }

    #[test]
    fn strings_are_read_where_they_are_drawn() {
        let content = "BT /F1 11 Tf 56 780 Td (Compte rendu) Tj ET\nBT 56 40 Td [(Mentions ) -300 (RGPD)] TJ 0 -12 Td (\\(art. 13\\) \\351t\\351) Tj ET";
        for compressed in [false, true] {
            let text = read(&pdf(content, compressed)).unwrap();
            assert_eq!(text.version, "1.4");
            assert_eq!(text.page_height, 842.0);
            assert_eq!(
                text.drawn,
                vec![
                    Drawn {
                        x: 56.0,
                        y: 780.0,
                        text: "Compte rendu".into()
                    },
                    Drawn {
                        x: 56.0,
                        y: 40.0,
                        text: "Mentions  RGPD".into()
                    },
                    Drawn {
                        x: 56.0,
                        y: 28.0,
                        text: "(art. 13) été".into()
                    },
                ],
                "compressed: {compressed}"
            );
            assert_eq!(text.foot(0.15), "Mentions  RGPD (art. 13) été");
        }
    }

    #[test]
    fn garbage_is_not_a_pdf_and_never_panics() {
        assert!(read(b"not a pdf").is_none());
        for junk in [
            &b"%PDF-1.4 stream"[..],
            b"%PDF-1.7\n<< >> stream\n(unclosed",
            b"%PDF-\n<</Filter /FlateDecode>>stream\n\xff\xfeendstream",
        ] {
            let _ = read(junk);
        }
    }
}

#[cfg(test)]
mod ans_example {
    /// The PDF of the ANS level-1 example reads without error (its fonts decide how much
    /// of its text comes out).
    #[test]
    fn the_ans_level_1_pdf_reads() {
        let path = format!(
            "{}/../../fixtures/cda/DOC_NON_STRUCTURE_CDA-R2-N1.xml",
            env!("CARGO_MANIFEST_DIR")
        );
        let cda = std::fs::read(&path).unwrap();
        let pdf = crate::cda::presentation::body_bytes(&cda, None).expect("a base64 PDF");
        let text = super::read(&pdf).expect("a PDF");
        assert!(text.version.starts_with("1."), "{}", text.version);
        assert!(text.page_height > 0.0);
    }
}
