//! The `Content-Type` of a SOAP 1.2 request: `application/soap+xml`, its charset and its
//! `action` parameter (how SOAP 1.2 over HTTP names the operation).

use super::SoapError;

/// A parsed SOAP 1.2 content type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapContentType {
    /// The `charset` parameter, lower case, if any.
    pub charset: Option<String>,
    /// The `action` parameter, if any.
    pub action: Option<String>,
}

impl SoapContentType {
    /// Parses a `Content-Type` header value; refuses anything but `application/soap+xml`.
    pub fn parse(value: &str) -> Result<Self, SoapError> {
        let mut parts = split_params(value).into_iter();
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        if media != "application/soap+xml" {
            return Err(SoapError::MediaType(value.to_string()));
        }
        let mut out = Self {
            charset: None,
            action: None,
        };
        for param in parts {
            let Some((name, v)) = param.split_once('=') else {
                continue;
            };
            let v = v.trim().trim_matches('"').to_string();
            match name.trim().to_ascii_lowercase().as_str() {
                "charset" => out.charset = Some(v.to_ascii_lowercase()),
                "action" => out.action = Some(v),
                _ => {}
            }
        }
        Ok(out)
    }
}

/// Splits on `;` outside double quotes (an action URN may hold anything in quotes).
fn split_params(value: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for ch in value.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                out.last_mut().expect("never empty").push(ch);
            }
            ';' if !quoted => out.push(String::new()),
            c => out.last_mut().expect("never empty").push(c),
        }
    }
    out.into_iter().map(|s| s.trim().to_string()).collect()
}
