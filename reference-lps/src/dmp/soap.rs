//! SOAP 1.2 with WS-Addressing, plain or MTOM/XOP (`multipart/related`), as the DMP's
//! services take them; and the answer read back: its envelope, its attachments by
//! `Content-ID`, or its SOAP fault.

use std::collections::HashMap;

use crate::xml::{self, Node};

/// SOAP 1.2.
const SOAP: &str = "http://www.w3.org/2003/05/soap-envelope";
/// WS-Addressing 1.0.
const WSA: &str = "http://www.w3.org/2005/08/addressing";
/// WS-Security 1.0.
const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

/// The envelope of a call: WS-Addressing headers, the VIHF, the body.
pub fn envelope(action: &str, to: &str, vihf: &str, body: &str) -> String {
    format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<soap:Envelope xmlns:soap=\"{soap}\" xmlns:wsa=\"{wsa}\"><soap:Header>",
            "<wsa:Action soap:mustUnderstand=\"true\">{action}</wsa:Action>",
            "<wsa:MessageID>urn:uuid:{id}</wsa:MessageID>",
            "<wsa:ReplyTo soap:mustUnderstand=\"true\"><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>",
            "<wsa:To>{to}</wsa:To>",
            "<wsse:Security xmlns:wsse=\"{wsse}\">{vihf}</wsse:Security>",
            "</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"
        ),
        soap = SOAP,
        wsa = WSA,
        wsse = WSSE,
        action = xml::text(action),
        id = uuid::Uuid::new_v4(),
        to = xml::text(to),
        vihf = vihf,
        body = body,
    )
}

/// A request ready to post: its content type and bytes.
pub struct Outgoing {
    /// `Content-Type`.
    pub content_type: String,
    /// Body.
    pub body: Vec<u8>,
}

/// A plain SOAP 1.2 request.
pub fn plain(action: &str, envelope: String) -> Outgoing {
    Outgoing {
        content_type: format!("application/soap+xml; charset=UTF-8; action=\"{action}\""),
        body: envelope.into_bytes(),
    }
}

/// An MTOM/XOP request: the envelope (whose `xop:Include` point at `cid:` ids) as the
/// root part, then each attachment (Content-ID without brackets, type, bytes).
pub fn mtom(action: &str, envelope: String, attachments: &[(String, String, Vec<u8>)]) -> Outgoing {
    let boundary = format!("MIMEBoundary_{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::new();
    let mut part = |headers: String, content: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n").as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    };
    part(
        "Content-Type: application/xop+xml; charset=UTF-8; type=\"application/soap+xml\"\r\nContent-Transfer-Encoding: 8bit\r\nContent-ID: <root.message@lps>\r\n".into(),
        envelope.as_bytes(),
    );
    for (cid, content_type, bytes) in attachments {
        part(
            format!(
                "Content-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <{cid}>\r\n"
            ),
            bytes,
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Outgoing {
        content_type: format!(
            "multipart/related; type=\"application/xop+xml\"; boundary=\"{boundary}\"; start=\"<root.message@lps>\"; start-info=\"application/soap+xml\"; action=\"{action}\""
        ),
        body,
    }
}

/// An answer read back.
#[derive(Debug)]
pub struct Answer {
    /// The `soap:Body`'s first child.
    pub body: Node,
    /// MTOM attachments by Content-ID (without brackets).
    pub attachments: HashMap<String, Vec<u8>>,
}

/// A SOAP fault, or an answer that is not SOAP at all.
#[derive(Debug, thiserror::Error)]
pub enum SoapError {
    /// A `soap:Fault`.
    #[error("le DMP a répondu par une erreur SOAP {code} : {reason}")]
    Fault {
        /// Subcode value (`DMPInvalidCertificate`...) or code value.
        code: String,
        /// Reason text.
        reason: String,
    },
    /// Unreadable.
    #[error("réponse du DMP illisible : {0}")]
    Malformed(String),
}

/// The value of `name` in a MIME header's parameters (`boundary`, `start`...).
fn parameter(header: &str, name: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One MIME part: its headers (names lower-cased) and content.
type Part<'a> = (HashMap<String, String>, &'a [u8]);

/// Splits a `multipart/related` body into its parts.
fn parts<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, SoapError> {
    let delimiter = format!("--{boundary}");
    let mut out = Vec::new();
    let mut rest = body;
    let start = find(rest, delimiter.as_bytes())
        .ok_or_else(|| SoapError::Malformed("limite MIME absente".into()))?;
    rest = &rest[start + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            return Ok(out);
        }
        let head_end = find(rest, b"\r\n\r\n")
            .ok_or_else(|| SoapError::Malformed("en-têtes MIME sans fin".into()))?;
        let headers = String::from_utf8_lossy(&rest[..head_end])
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let content_start = head_end + 4;
        let next = find(
            &rest[content_start..],
            format!("\r\n{delimiter}").as_bytes(),
        )
        .ok_or_else(|| SoapError::Malformed("partie MIME sans limite".into()))?;
        out.push((headers, &rest[content_start..content_start + next]));
        rest = &rest[content_start + next + 2 + delimiter.len()..];
    }
}

/// Reads an answer (plain or MTOM). A fault becomes [`SoapError::Fault`].
pub fn read(content_type: &str, body: &[u8]) -> Result<Answer, SoapError> {
    let mut attachments = HashMap::new();
    let envelope = if content_type.to_ascii_lowercase().starts_with("multipart/") {
        let boundary = parameter(content_type, "boundary")
            .ok_or_else(|| SoapError::Malformed("multipart sans boundary".into()))?;
        let start =
            parameter(content_type, "start").map(|s| s.trim_matches(['<', '>']).to_string());
        let mut root = None;
        for (headers, content) in parts(body, &boundary)? {
            let id = headers
                .get("content-id")
                .map(|s| s.trim_matches(['<', '>']).to_string())
                .unwrap_or_default();
            let is_root = match &start {
                Some(s) => *s == id,
                None => root.is_none(),
            };
            if is_root {
                root = Some(String::from_utf8_lossy(content).into_owned());
            } else {
                attachments.insert(id, content.to_vec());
            }
        }
        root.ok_or_else(|| SoapError::Malformed("partie racine absente".into()))?
    } else {
        String::from_utf8_lossy(body).into_owned()
    };
    let root = xml::parse(&envelope).map_err(|e| SoapError::Malformed(e.to_string()))?;
    // The body's first element is the answer: moved out of the tree, not copied.
    let body = root
        .children
        .into_iter()
        .find(|c| c.name == "Body")
        .and_then(|b| b.children.into_iter().next())
        .ok_or_else(|| SoapError::Malformed("soap:Body vide".into()))?;
    if body.name == "Fault" {
        let code = body
            .find("Subcode")
            .and_then(|s| s.text_of("Value"))
            .or_else(|| body.child("Code").and_then(|c| c.text_of("Value")))
            .unwrap_or_default();
        let code = code.rsplit(':').next().unwrap_or_default().to_string();
        let reason = body.text_of("Text").unwrap_or_default();
        return Err(SoapError::Fault { code, reason });
    }
    Ok(Answer { body, attachments })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mtom_request_reads_back_with_its_attachment() {
        let outgoing = mtom(
            "urn:a",
            "<soap:Envelope xmlns:soap=\"s\"><soap:Body><x:r xmlns:x=\"x\"/></soap:Body></soap:Envelope>".into(),
            &[("doc@lps".into(), "text/xml".into(), b"<d>\r\n--not a boundary</d>".to_vec())],
        );
        let answer = read(&outgoing.content_type, &outgoing.body).expect("readable");
        assert_eq!(answer.body.name, "r");
        assert_eq!(
            answer.attachments["doc@lps"],
            b"<d>\r\n--not a boundary</d>"
        );
    }

    #[test]
    fn a_fault_names_its_subcode() {
        let fault = "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>soap:DMPInvalidCertificate</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang=\"fr\">Le certificat est invalide</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>";
        match read("application/soap+xml", fault.as_bytes()) {
            Err(SoapError::Fault { code, reason }) => {
                assert_eq!(code, "DMPInvalidCertificate");
                assert_eq!(reason, "Le certificat est invalide");
            }
            other => panic!("{other:?}"),
        }
        assert!(read("multipart/related; boundary=b", b"nothing").is_err());
    }
}
