//! MTOM/XOP (`multipart/related; type="application/xop+xml"`): the boundary and the root
//! part come from the Content-Type (parsed with `mime`), the parts from multer; a part
//! sent `Content-Transfer-Encoding: base64` is decoded. References (`cid:`) are resolved
//! by [`Incoming::resolve`].

use std::collections::BTreeMap;

use base64::Engine as _;
use bytes::Bytes;
use thiserror::Error;

/// A MIME part other than the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Its `Content-Type`, if given.
    pub content_type: Option<String>,
    /// Its content, transfer encoding undone.
    pub bytes: Bytes,
}

impl Part {
    /// The `charset` parameter of its content type, if any.
    pub fn charset(&self) -> Option<String> {
        let media: mime::Mime = self.content_type.as_deref()?.parse().ok()?;
        media
            .get_param(mime::CHARSET)
            .map(|c| c.as_str().to_string())
    }
}

/// A request's SOAP envelope and attachments.
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    /// The envelope's bytes.
    pub soap: Bytes,
    /// Whether it came as MTOM/XOP.
    pub mtom: bool,
    /// The `action` of the root part's (or the body's) content type.
    pub action: Option<String>,
    /// The media type of the envelope (`application/soap+xml`, `text/xml`...).
    pub media_type: String,
    /// The other parts, by Content-ID (without angle brackets).
    pub parts: BTreeMap<String, Part>,
}

impl Incoming {
    /// The part `href` (`cid:…`, percent-encoded or not) points at.
    pub fn resolve(&self, href: &str) -> Option<&Part> {
        let id = href.strip_prefix("cid:").unwrap_or(href);
        self.parts.get(id).or_else(|| {
            let wanted = percent_decode(id);
            self.parts
                .iter()
                .find(|(key, _)| percent_decode(key) == wanted)
                .map(|(_, part)| part)
        })
    }
}

/// Why the package could not be read.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The Content-Type is missing or not one the DMP reads.
    #[error(
        "content type {0:?} is neither SOAP (application/soap+xml) nor MTOM (multipart/related)"
    )]
    MediaType(String),
    /// A multipart Content-Type without a boundary.
    #[error("multipart/related without a boundary parameter")]
    NoBoundary,
    /// The MIME structure is broken.
    #[error("the MIME package is broken: {0}")]
    Mime(String),
    /// No root part (or none with the `start` Content-ID).
    #[error("the MIME package has no root part{0}")]
    NoRoot(String),
    /// A part larger than the document limit.
    #[error("the part {id:?} is larger than the {limit} bytes accepted")]
    TooLarge {
        /// Its Content-ID.
        id: String,
        /// The limit.
        limit: usize,
    },
    /// A base64 part that does not decode.
    #[error("the part {0:?} says base64 but does not decode")]
    Base64(String),
}

/// Reads a request body given its Content-Type.
pub async fn read(
    content_type: &str,
    body: Bytes,
    max_part: usize,
) -> Result<Incoming, TransportError> {
    let media: mime::Mime = content_type
        .parse()
        .map_err(|_| TransportError::MediaType(content_type.to_string()))?;
    let essence = media.essence_str().to_ascii_lowercase();
    if essence == "application/soap+xml" || essence == "text/xml" {
        return Ok(Incoming {
            soap: body,
            mtom: false,
            action: media.get_param("action").map(|a| a.as_str().to_string()),
            media_type: essence,
            parts: BTreeMap::new(),
        });
    }
    if essence != "multipart/related" {
        return Err(TransportError::MediaType(content_type.to_string()));
    }
    let boundary = media
        .get_param(mime::BOUNDARY)
        .map(|b| b.as_str().to_string())
        .ok_or(TransportError::NoBoundary)?;
    let start = media.get_param("start").map(|s| {
        s.as_str()
            .trim_matches(|c| c == '<' || c == '>')
            .to_string()
    });
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let constraints =
        multer::Constraints::new().size_limit(multer::SizeLimit::new().per_field(max_part as u64));
    let mut multipart = multer::Multipart::with_constraints(stream, boundary, constraints);
    let mut root: Option<(String, Part)> = None;
    let mut parts = BTreeMap::new();
    let mut index = 0usize;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(mime_error(e, "", max_part)),
        };
        let header = |name: &str| {
            field
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        let id = header("content-id")
            .map(|v| v.trim_matches(|c| c == '<' || c == '>').to_string())
            .unwrap_or_else(|| format!("part-{index}"));
        let content_type = header("content-type");
        let encoding = header("content-transfer-encoding").map(|e| e.to_ascii_lowercase());
        let raw = field
            .bytes()
            .await
            .map_err(|e| mime_error(e, &id, max_part))?;
        let bytes = if encoding.as_deref() == Some("base64") {
            let compact: Vec<u8> = raw
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            Bytes::from(
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .map_err(|_| TransportError::Base64(id.clone()))?,
            )
        } else {
            raw
        };
        let part = Part {
            content_type,
            bytes,
        };
        let is_root = match &start {
            Some(s) => *s == id,
            None => index == 0,
        };
        if is_root {
            root = Some((id, part));
        } else {
            parts.insert(id, part);
        }
        index += 1;
    }
    let Some((_, root)) = root else {
        return Err(TransportError::NoRoot(match start {
            Some(s) => format!(" (start=<{s}> names no part)"),
            None => String::new(),
        }));
    };
    let root_type: Option<mime::Mime> = root.content_type.as_deref().and_then(|t| t.parse().ok());
    let action = root_type
        .as_ref()
        .and_then(|t| t.get_param("action").map(|a| a.as_str().to_string()))
        .or_else(|| media.get_param("action").map(|a| a.as_str().to_string()));
    Ok(Incoming {
        soap: root.bytes,
        mtom: true,
        action,
        media_type: root_type
            .map(|t| t.essence_str().to_string())
            .unwrap_or_else(|| "application/xop+xml".into()),
        parts,
    })
}

/// `part` is the Content-ID of the part being read ("" between parts).
fn mime_error(e: multer::Error, part: &str, limit: usize) -> TransportError {
    match e {
        multer::Error::FieldSizeExceeded { .. } => TransportError::TooLarge {
            id: part.to_string(),
            limit,
        },
        other => TransportError::Mime(other.to_string()),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(v) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The Content-ID of the root part of the packages [`write`] makes.
pub const ROOT_ID: &str = "root.message@segur-bench";

/// Writes an MTOM/XOP package: `envelope` as the root part (`application/xop+xml`,
/// SOAP 1.2 `action`), then each attachment as `(content id, content type, bytes)`, sent
/// binary. Returns the package's Content-Type and its bytes. The DMP's answers and the
/// [`crate::request`] builders both write through it.
pub fn write(
    envelope: &str,
    action: &str,
    attachments: &[(String, String, Bytes)],
) -> (String, Bytes) {
    let boundary = format!("MIMEBoundary_{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::with_capacity(
        envelope.len() + attachments.iter().map(|a| a.2.len() + 200).sum::<usize>(),
    );
    body.extend_from_slice(format!("--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type=\"application/soap+xml\"\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <{ROOT_ID}>\r\n\r\n").as_bytes());
    body.extend_from_slice(envelope.as_bytes());
    for (cid, content_type, bytes) in attachments {
        body.extend_from_slice(format!("\r\n--{boundary}\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <{cid}>\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
    }
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!(
        "multipart/related; boundary=\"{boundary}\"; type=\"application/xop+xml\"; start=\"<{ROOT_ID}>\"; start-info=\"application/soap+xml\"; action=\"{action}\""
    );
    (content_type, Bytes::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(boundary: &str, parts: &[(&str, &str, &str)]) -> Bytes {
        let mut out = String::new();
        for (id, ty, body) in parts {
            out.push_str(&format!(
                "--{boundary}\r\nContent-Type: {ty}\r\nContent-ID: <{id}>\r\n\r\n{body}\r\n"
            ));
        }
        out.push_str(&format!("--{boundary}--\r\n"));
        Bytes::from(out)
    }

    #[tokio::test]
    async fn parts_are_read_and_references_resolved() {
        let body = package(
            "b1",
            &[
                (
                    "root@x",
                    "application/xop+xml; type=\"application/soap+xml\"; action=\"urn:a\"",
                    "<e/>",
                ),
                ("doc%201", "text/xml", "<doc/>"),
            ],
        );
        let incoming = read(
            "multipart/related; boundary=b1; start=\"<root@x>\"; type=\"application/xop+xml\"",
            body,
            1000,
        )
        .await
        .unwrap();
        assert_eq!(&incoming.soap[..], b"<e/>");
        assert_eq!(incoming.action.as_deref(), Some("urn:a"));
        assert_eq!(
            &incoming.resolve("cid:doc%201").unwrap().bytes[..],
            b"<doc/>"
        );
        assert_eq!(&incoming.resolve("cid:doc 1").unwrap().bytes[..], b"<doc/>");
        assert!(incoming.resolve("cid:nowhere").is_none());
    }

    #[tokio::test]
    async fn broken_packages_say_why() {
        let ok = package("b1", &[("r", "application/xop+xml", "<e/>")]);
        for (content_type, body, expected) in [
            (
                "multipart/related; type=\"application/xop+xml\"",
                ok.clone(),
                TransportError::NoBoundary,
            ),
            (
                "application/json",
                ok.clone(),
                TransportError::MediaType("application/json".into()),
            ),
            (
                "multipart/related; boundary=b1; start=\"<other>\"",
                ok.clone(),
                TransportError::NoRoot(" (start=<other> names no part)".into()),
            ),
        ] {
            assert_eq!(read(content_type, body, 1000).await.unwrap_err(), expected);
        }
        let big = package(
            "b1",
            &[
                ("r", "application/xop+xml", "<e/>"),
                ("d", "text/plain", &"x".repeat(2000)),
            ],
        );
        assert!(matches!(
            read("multipart/related; boundary=b1", big, 1000).await,
            Err(TransportError::TooLarge { .. })
        ));
        let cut = Bytes::from_static(b"--b1\r\nContent-Type: text/xml\r\n\r\n<e/>");
        assert!(matches!(
            read("multipart/related; boundary=b1", cut, 1000).await,
            Err(TransportError::Mime(_))
        ));
    }
}
