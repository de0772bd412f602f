//! Whether a PDF is a PDF/A-1 (ISO 19005-1, level B), the format the Ségur documents
//! travel in beside their CDA (DOC/va1.01, MSS/CONF.23): the clauses that can be told
//! from the file's structure, each a rule of [`crate::rules`].
//!
//! | clause | rule | what is checked |
//! |---|---|---|
//! | 6.1.2 | `PDFA-HEADER` | `%PDF-1.0` to `1.4`, then a comment of four bytes ≥ 128 |
//! | 6.1.3 | `PDFA-TRAILER` | an `/ID` in the trailer, no `/Encrypt` |
//! | 6.1.10, 6.6, 6.9 | `PDFA-FORBIDDEN` | no LZW, JavaScript, launch or multimedia action, embedded file |
//! | 6.2.3 | `PDFA-DEVICE-COLOUR` | a device colour space only with a `GTS_PDFA1` output intent and its profile |
//! | 6.3.4 | `PDFA-FONT-EMBEDDED` | every font but Type 3 has its program (`FontFile`, `FontFile2`, `FontFile3`) |
//! | 6.4 | `PDFA-TRANSPARENCY` | no soft mask, transparency group, constant alpha below 1 or blend mode but Normal |
//! | 6.7.2, 6.7.11 | `PDFA-METADATA` | an unfiltered XMP `Metadata` stream in the catalog naming `pdfaid:part` 1, conformance A or B |
//! | 6.7.3 | `PDFA-INFO-XMP` | the document information (title, author, creator, producer) the same as the XMP |
//!
//! What a validator such as veraPDF also reads (glyph widths against the font program,
//! ICC profile internals, XMP schema extensions) is not checked here.

use crate::rules;
use lopdf::{Dictionary, Document, Object};
use segur_core::finding::Finding;

/// Largest stream inflated while looking at content (a page's content is far smaller).
const MAX_STREAM: usize = 16 * 1024 * 1024;

/// What the checker found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdfaReport {
    /// The header's version (`1.4`), empty when the file has no PDF header.
    pub version: String,
    /// The XMP's `pdfaid:part` and `pdfaid:conformance` (`1`, `B`), when declared.
    pub claimed: Option<(String, String)>,
    /// Every rule broken.
    pub findings: Vec<Finding>,
}

impl PdfaReport {
    /// Whether no rule is broken.
    pub fn conforms(&self) -> bool {
        self.findings.is_empty()
    }

    /// The names of the rules broken.
    pub fn rules(&self) -> Vec<&str> {
        self.findings.iter().map(|f| f.rule.as_str()).collect()
    }
}

/// Checks `bytes` against the PDF/A-1 clauses above.
pub fn check(bytes: &[u8]) -> PdfaReport {
    let mut out = PdfaReport::default();
    header(bytes, &mut out);
    let document = match Document::load_mem(bytes) {
        Ok(document) => document,
        Err(error) => {
            out.findings.push(
                rules::PDFA_HEADER
                    .finding(format!("the file cannot be read as a PDF: {error}"))
                    .at("file"),
            );
            return out;
        }
    };
    trailer(&document, &mut out);
    let xmp = metadata(&document, &mut out);
    info_matches_xmp(&document, xmp.as_deref(), &mut out);
    for (id, object) in &document.objects {
        let at = format!("object {} {}", id.0, id.1);
        let mut found = Vec::new();
        dictionaries(object, 0, &mut found);
        for dictionary in found {
            forbidden(dictionary, &at, &mut out);
            transparency(dictionary, &at, &mut out);
            if name(dictionary, b"Type") == Some(b"Font".as_slice()) {
                font(&document, dictionary, &at, &mut out);
            }
        }
    }
    device_colour(&document, &mut out);
    out
}

/// How deep direct objects nest before the walk stops (real files nest a few levels).
const MAX_DEPTH: usize = 32;

/// Every dictionary of `object`, itself and those written directly inside it (an action
/// in a catalog, a font in a page's resources), not those it refers to.
fn dictionaries<'a>(object: &'a Object, depth: usize, out: &mut Vec<&'a Dictionary>) {
    if depth > MAX_DEPTH {
        return;
    }
    let dictionary = match object {
        Object::Dictionary(d) => d,
        Object::Stream(s) => &s.dict,
        Object::Array(items) => {
            for item in items {
                dictionaries(item, depth + 1, out);
            }
            return;
        }
        _ => return,
    };
    out.push(dictionary);
    for (_, value) in dictionary.iter() {
        dictionaries(value, depth + 1, out);
    }
}

/// 6.1.2: the version and the binary comment that tells transfer tools the file is binary.
fn header(bytes: &[u8], out: &mut PdfaReport) {
    let Some(rest) = bytes.strip_prefix(b"%PDF-") else {
        out.findings.push(
            rules::PDFA_HEADER
                .finding("the file does not start with %PDF-")
                .at("header"),
        );
        return;
    };
    out.version = rest
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .map(|b| char::from(*b))
        .collect();
    if !matches!(out.version.as_str(), "1.0" | "1.1" | "1.2" | "1.3" | "1.4") {
        out.findings.push(
            rules::PDFA_HEADER
                .finding(format!(
                    "the header says PDF {}; PDF/A-1 is PDF 1.4 at most (no object or cross-reference streams)",
                    out.version
                ))
                .at("header"),
        );
    }
    let second = rest
        .iter()
        .position(|b| *b == b'\n' || *b == b'\r')
        .map(|at| &rest[at..])
        .map(|r| {
            let start = r
                .iter()
                .position(|b| *b != b'\n' && *b != b'\r')
                .unwrap_or(r.len());
            &r[start..]
        })
        .unwrap_or_default();
    let binary = second.strip_prefix(b"%").is_some_and(|c| {
        c.iter()
            .take_while(|b| **b != b'\n' && **b != b'\r')
            .filter(|b| **b >= 128)
            .count()
            >= 4
    });
    if !binary {
        out.findings.push(
            rules::PDFA_HEADER
                .finding("the header line is not followed by a comment of at least four bytes of 128 or more")
                .at("header"),
        );
    }
}

/// 6.1.3: the file identifier; 6.1.3 also forbids encryption.
fn trailer(document: &Document, out: &mut PdfaReport) {
    let id = document.trailer.get(b"ID").and_then(Object::as_array);
    if !id.is_ok_and(|a| a.len() == 2) {
        out.findings.push(
            rules::PDFA_TRAILER
                .finding("the trailer has no /ID of two strings")
                .at("trailer"),
        );
    }
    if document.trailer.has(b"Encrypt") || document.encryption_state.is_some() {
        out.findings.push(
            rules::PDFA_TRAILER
                .finding("the file is encrypted (/Encrypt in the trailer)")
                .at("trailer"),
        );
    }
}

/// 6.7.2 and 6.7.11: the catalog's XMP stream, unfiltered, identifying PDF/A-1.
/// Returns the XMP text when there is one.
fn metadata(document: &Document, out: &mut PdfaReport) -> Option<String> {
    let stream = document
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Metadata").ok())
        .and_then(|o| document.dereference(o).ok())
        .and_then(|(_, o)| o.as_stream().ok());
    let Some(stream) = stream else {
        out.findings.push(
            rules::PDFA_METADATA
                .finding("the catalog has no /Metadata stream (XMP)")
                .at("catalog /Metadata"),
        );
        return None;
    };
    if stream.dict.has(b"Filter") {
        out.findings.push(
            rules::PDFA_METADATA
                .finding("the XMP stream is filtered; PDF/A-1 wants it readable as it is")
                .at("catalog /Metadata /Filter"),
        );
    }
    // Read through its filters all the same, so that what it says is still checked.
    let content = stream
        .decompressed_content_with_limit(MAX_STREAM)
        .unwrap_or_else(|_| stream.content.clone());
    let text = String::from_utf8_lossy(&content).into_owned();
    let part = xmp_value(&text, "pdfaid:part");
    let conformance = xmp_value(&text, "pdfaid:conformance");
    match (&part, &conformance) {
        (Some(p), Some(c)) if p == "1" && (c == "A" || c == "B") => {}
        _ => out.findings.push(
            rules::PDFA_METADATA
                .finding(format!(
                    "the XMP does not identify PDF/A-1: pdfaid:part {part:?}, pdfaid:conformance {conformance:?} (expected 1 and A or B)"
                ))
                .at("XMP pdfaid"),
        ),
    }
    if let (Some(p), Some(c)) = (part, conformance) {
        out.claimed = Some((p, c));
    }
    Some(text)
}

/// A simple XMP property, written as an element (`<p>v</p>`) or an attribute (`p="v"`).
fn xmp_value(xmp: &str, property: &str) -> Option<String> {
    let open = format!("<{property}>");
    if let Some(at) = xmp.find(&open) {
        let rest = &xmp[at + open.len()..];
        let end = rest.find('<')?;
        return Some(unescape(rest[..end].trim()));
    }
    let attribute = format!("{property}=");
    let at = xmp.find(&attribute)?;
    let rest = &xmp[at + attribute.len()..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let end = rest[1..].find(quote)?;
    Some(unescape(&rest[1..1 + end]))
}

/// The first `rdf:li` of an XMP array property (`dc:title`, `dc:creator`).
fn xmp_first_item(xmp: &str, property: &str) -> Option<String> {
    let at = xmp.find(&format!("<{property}"))?;
    let close = format!("</{property}>");
    let end = xmp[at..].find(&close)? + at;
    let inner = &xmp[at..end];
    let li = inner.find("<rdf:li")?;
    let start = inner[li..].find('>')? + li + 1;
    let stop = inner[start..].find("</rdf:li>")? + start;
    Some(unescape(inner[start..stop].trim()))
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// 6.7.3: each document-information entry has its XMP equivalent, with the same value.
fn info_matches_xmp(document: &Document, xmp: Option<&str>, out: &mut PdfaReport) {
    let Some(info) = document
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| document.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
    else {
        return;
    };
    // Without XMP, `PDFA-METADATA` has said it all.
    let Some(xmp) = xmp else { return };
    let pairs: [(&[u8], &str, Option<String>); 4] = [
        (b"Title", "dc:title", xmp_first_item(xmp, "dc:title")),
        (b"Author", "dc:creator", xmp_first_item(xmp, "dc:creator")),
        (
            b"Creator",
            "xmp:CreatorTool",
            xmp_value(xmp, "xmp:CreatorTool"),
        ),
        (b"Producer", "pdf:Producer", xmp_value(xmp, "pdf:Producer")),
    ];
    for (key, property, in_xmp) in pairs {
        let Ok(value) = info.get(key).and_then(Object::as_str) else {
            continue;
        };
        let value = text_string(value);
        if in_xmp.as_deref() != Some(value.as_str()) {
            out.findings.push(
                rules::PDFA_INFO_XMP
                    .finding(format!(
                        "the document information's /{} is {value:?}, the XMP's {property} {in_xmp:?}",
                        String::from_utf8_lossy(key)
                    ))
                    .at(format!("Info /{}", String::from_utf8_lossy(key))),
            );
        }
    }
}

/// A PDF text string: UTF-16BE after its byte-order mark, else PDFDocEncoding (read as
/// Latin-1, which it equals on the characters documents use).
fn text_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    bytes.iter().map(|b| char::from(*b)).collect()
}

fn name<'a>(dictionary: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    dictionary.get(key).and_then(Object::as_name).ok()
}

/// The filter names of a stream dictionary (`/Filter /X` or `/Filter [/X /Y]`).
fn filters(dictionary: &Dictionary) -> Vec<&[u8]> {
    match dictionary.get(b"Filter") {
        Ok(Object::Name(n)) => vec![n.as_slice()],
        Ok(Object::Array(a)) => a.iter().filter_map(|o| o.as_name().ok()).collect(),
        _ => Vec::new(),
    }
}

/// 6.1.10, 6.6.1, 6.9: what PDF/A-1 leaves out of an archive.
fn forbidden(dictionary: &Dictionary, at: &str, out: &mut PdfaReport) {
    if filters(dictionary).contains(&b"LZWDecode".as_slice()) {
        out.findings.push(
            rules::PDFA_FORBIDDEN
                .finding("a stream is LZW-compressed (LZWDecode)")
                .at(at),
        );
    }
    if let Some(action) = name(dictionary, b"S")
        && matches!(
            action,
            b"JavaScript" | b"Launch" | b"Sound" | b"Movie" | b"ResetForm" | b"ImportData"
        )
    {
        out.findings.push(
            rules::PDFA_FORBIDDEN
                .finding(format!(
                    "a {} action, which PDF/A-1 forbids",
                    String::from_utf8_lossy(action)
                ))
                .at(at),
        );
    }
    for key in [b"JavaScript".as_slice(), b"EmbeddedFiles"] {
        if dictionary.has(key) {
            out.findings.push(
                rules::PDFA_FORBIDDEN
                    .finding(format!(
                        "a /{} name tree, which PDF/A-1 forbids",
                        String::from_utf8_lossy(key)
                    ))
                    .at(at),
            );
        }
    }
}

/// 6.4: no transparency.
fn transparency(dictionary: &Dictionary, at: &str, out: &mut PdfaReport) {
    let mut seen = Vec::new();
    match dictionary.get(b"SMask") {
        Ok(Object::Name(n)) if n.as_slice() == b"None" => {}
        Ok(_) => seen.push("a soft mask (/SMask)".to_string()),
        Err(_) => {}
    }
    if let Ok(group) = dictionary.get(b"Group").and_then(Object::as_dict)
        && name(group, b"S") == Some(b"Transparency".as_slice())
    {
        seen.push("a transparency group".into());
    }
    for key in [b"CA".as_slice(), b"ca"] {
        if let Ok(alpha) = dictionary.get(key).and_then(Object::as_float)
            && alpha < 1.0
        {
            seen.push(format!(
                "a constant alpha /{} {alpha}",
                String::from_utf8_lossy(key)
            ));
        }
    }
    if let Some(mode) = name(dictionary, b"BM")
        && !matches!(mode, b"Normal" | b"Compatible")
    {
        seen.push(format!("the blend mode {}", String::from_utf8_lossy(mode)));
    }
    for what in seen {
        out.findings.push(
            rules::PDFA_TRANSPARENCY
                .finding(format!("{what}: PDF/A-1 has no transparency"))
                .at(at),
        );
    }
}

/// 6.3.4: the font program is in the file (Type 3 glyphs are drawn by the file itself;
/// a Type 0 font's program is its descendant's).
fn font(document: &Document, font: &Dictionary, at: &str, out: &mut PdfaReport) {
    let subtype = name(font, b"Subtype").unwrap_or_default();
    if matches!(subtype, b"Type3" | b"Type0") {
        return;
    }
    let descriptor = font
        .get(b"FontDescriptor")
        .ok()
        .and_then(|o| document.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok());
    let embedded = descriptor.is_some_and(|d| {
        [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
            .iter()
            .any(|k| d.has(k))
    });
    if !embedded {
        let base = name(font, b"BaseFont")
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_else(|| "(no /BaseFont)".into());
        out.findings.push(
            rules::PDFA_FONT_EMBEDDED
                .finding(format!(
                    "the {} font {base} is not embedded (no FontFile in its descriptor)",
                    String::from_utf8_lossy(subtype)
                ))
                .at(at),
        );
    }
}

/// 6.2.3: a device colour space needs the output intent that says what device.
fn device_colour(document: &Document, out: &mut PdfaReport) {
    if has_output_intent(document) {
        return;
    }
    let mut uses = Vec::new();
    for (id, object) in &document.objects {
        let mut found = Vec::new();
        dictionaries(object, 0, &mut found);
        for dictionary in found {
            for (key, value) in dictionary.iter() {
                if key.as_slice() == b"ColorSpace" || key.as_slice() == b"CS" {
                    let spaces = match value {
                        Object::Dictionary(named) => named.iter().map(|(_, v)| v).collect(),
                        other => vec![other],
                    };
                    for space in spaces {
                        if let Some(device) = device_space(space) {
                            uses.push(format!("{device} in object {} {}", id.0, id.1));
                        }
                    }
                }
            }
        }
        let Object::Stream(stream) = object else {
            continue;
        };
        if !is_content(&stream.dict) {
            continue;
        }
        let Ok(data) = stream.decompressed_content_with_limit(MAX_STREAM) else {
            continue;
        };
        let Ok(content) = lopdf::content::Content::decode(&data) else {
            continue;
        };
        for operation in &content.operations {
            let device = match operation.operator.as_str() {
                "g" | "G" => Some("DeviceGray"),
                "rg" | "RG" => Some("DeviceRGB"),
                "k" | "K" => Some("DeviceCMYK"),
                "cs" | "CS" => operation.operands.first().and_then(device_space),
                _ => None,
            };
            if let Some(device) = device {
                uses.push(format!(
                    "{device} (operator {}) in object {} {}",
                    operation.operator, id.0, id.1
                ));
                break;
            }
        }
    }
    uses.dedup();
    if let Some(first) = uses.first() {
        out.findings.push(
            rules::PDFA_DEVICE_COLOUR
                .finding(format!(
                    "a device colour space is used ({first}{}) without a GTS_PDFA1 output intent giving its ICC profile",
                    if uses.len() > 1 {
                        format!(", and {} more", uses.len() - 1)
                    } else {
                        String::new()
                    }
                ))
                .at("catalog /OutputIntents"),
        );
    }
}

/// Whether the catalog has a `GTS_PDFA1` output intent with its `DestOutputProfile`.
fn has_output_intent(document: &Document) -> bool {
    let Some(intents) = document
        .catalog()
        .ok()
        .and_then(|c| c.get(b"OutputIntents").ok())
        .and_then(|o| document.dereference(o).ok())
        .and_then(|(_, o)| o.as_array().ok())
    else {
        return false;
    };
    intents.iter().any(|intent| {
        document
            .dereference(intent)
            .ok()
            .and_then(|(_, o)| o.as_dict().ok())
            .is_some_and(|d| {
                name(d, b"S") == Some(b"GTS_PDFA1".as_slice()) && d.has(b"DestOutputProfile")
            })
    })
}

/// The device colour space an object names directly (`/DeviceRGB`, `/RGB` inline).
fn device_space(space: &Object) -> Option<&'static str> {
    match space.as_name().ok()? {
        b"DeviceGray" | b"G" => Some("DeviceGray"),
        b"DeviceRGB" | b"RGB" => Some("DeviceRGB"),
        b"DeviceCMYK" | b"CMYK" => Some("DeviceCMYK"),
        _ => None,
    }
}

/// Whether a stream holds drawing operators: a page content, a form XObject or a Type 3
/// glyph (not an image, a font program, the XMP or an ICC profile).
fn is_content(dictionary: &Dictionary) -> bool {
    let subtype = name(dictionary, b"Subtype");
    if subtype == Some(b"Form".as_slice()) {
        return true;
    }
    !(dictionary.has(b"Type")
        || subtype.is_some()
        || dictionary.has(b"Length1")
        || dictionary.has(b"N"))
}

#[cfg(test)]
mod tests;
