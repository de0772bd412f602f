//! SASL payloads, decoded without I/O: PLAIN (RFC 4616), XOAUTH2 (Google's format, which
//! mail clients send PSC tokens in), OAUTHBEARER (RFC 7628) and EXTERNAL (RFC 4422 A).

use thiserror::Error;

/// The mechanisms the operator offers, in the order it advertises them.
pub const MECHANISMS: &[&str] = &["EXTERNAL", "XOAUTH2", "OAUTHBEARER", "PLAIN"];

/// What a client presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A user name and password (PLAIN, IMAP LOGIN).
    Password {
        /// The mailbox address.
        user: String,
        /// The password.
        password: String,
    },
    /// A bearer token (XOAUTH2, OAUTHBEARER).
    Bearer {
        /// The mailbox the client asks for (`user=` / `a=`), if it said.
        user: Option<String>,
        /// The access token.
        token: String,
    },
    /// The TLS client certificate, for the mailbox `authzid` (or the certificate's own).
    External {
        /// The mailbox asked for, if any.
        authzid: Option<String>,
    },
}

/// Why a payload was refused.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum SaslError {
    /// Not base64.
    #[error("the response is not base64")]
    Base64,
    /// Not the mechanism's format.
    #[error("malformed {mechanism} response: {why}")]
    Malformed {
        /// The mechanism.
        mechanism: &'static str,
        /// What is wrong.
        why: &'static str,
    },
    /// A mechanism the operator does not offer.
    #[error("mechanism {0} is not offered (offered: EXTERNAL XOAUTH2 OAUTHBEARER PLAIN)")]
    Unsupported(String),
    /// The client cancelled with `*`.
    #[error("authentication cancelled by the client")]
    Cancelled,
}

/// Decodes a base64 client response (`=` is the empty response in SMTP, `*` a cancel).
pub fn decode_base64(line: &[u8]) -> Result<Vec<u8>, SaslError> {
    use base64::Engine;
    let trimmed = trim_crlf(line);
    match trimmed {
        b"*" => Err(SaslError::Cancelled),
        b"=" | b"" => Ok(Vec::new()),
        _ => base64::engine::general_purpose::STANDARD
            .decode(trimmed)
            .map_err(|_| SaslError::Base64),
    }
}

fn trim_crlf(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Decodes the decoded response `payload` of `mechanism` (upper case).
pub fn decode(mechanism: &str, payload: &[u8]) -> Result<Credentials, SaslError> {
    match mechanism {
        "PLAIN" => plain(payload),
        "XOAUTH2" => xoauth2(payload),
        "OAUTHBEARER" => oauthbearer(payload),
        "EXTERNAL" => external(payload),
        other => Err(SaslError::Unsupported(other.to_string())),
    }
}

fn text(bytes: &[u8], mechanism: &'static str) -> Result<String, SaslError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| SaslError::Malformed {
        mechanism,
        why: "not UTF-8",
    })
}

/// `[authzid] NUL authcid NUL passwd`.
fn plain(payload: &[u8]) -> Result<Credentials, SaslError> {
    let parts: Vec<&[u8]> = payload.split(|b| *b == 0).collect();
    let [authzid, authcid, password] = parts.as_slice() else {
        return Err(SaslError::Malformed {
            mechanism: "PLAIN",
            why: "expected authzid NUL authcid NUL password",
        });
    };
    let user = if authcid.is_empty() { authzid } else { authcid };
    if user.is_empty() {
        return Err(SaslError::Malformed {
            mechanism: "PLAIN",
            why: "no user name",
        });
    }
    Ok(Credentials::Password {
        user: text(user, "PLAIN")?,
        password: text(password, "PLAIN")?,
    })
}

/// `user=<address>^Aauth=Bearer <token>^A^A`.
fn xoauth2(payload: &[u8]) -> Result<Credentials, SaslError> {
    let body = text(payload, "XOAUTH2")?;
    let mut user = None;
    let mut token = None;
    for field in body.split('\x01').filter(|f| !f.is_empty()) {
        if let Some(u) = field.strip_prefix("user=") {
            user = Some(u.to_string());
        } else if let Some(auth) = field.strip_prefix("auth=") {
            token = bearer(auth);
        }
    }
    match (user, token) {
        (Some(user), Some(token)) => Ok(Credentials::Bearer {
            user: Some(user),
            token,
        }),
        (None, _) => Err(SaslError::Malformed {
            mechanism: "XOAUTH2",
            why: "no user= field",
        }),
        (_, None) => Err(SaslError::Malformed {
            mechanism: "XOAUTH2",
            why: "no auth=Bearer field",
        }),
    }
}

/// `n,a=<address>,^Ahost=...^Aport=...^Aauth=Bearer <token>^A^A` (RFC 7628 §3.1).
fn oauthbearer(payload: &[u8]) -> Result<Credentials, SaslError> {
    let body = text(payload, "OAUTHBEARER")?;
    let malformed = |why| SaslError::Malformed {
        mechanism: "OAUTHBEARER",
        why,
    };
    let (gs2, rest) = body.split_once('\x01').ok_or(malformed("no GS2 header"))?;
    let mut header = gs2.split(',');
    if !matches!(header.next(), Some("n" | "y")) {
        return Err(malformed(
            "GS2 header must start with n or y (no channel binding)",
        ));
    }
    let user = header
        .next()
        .and_then(|a| a.strip_prefix("a="))
        .map(|a| a.replace("=2C", ",").replace("=3D", "="));
    let token = rest
        .split('\x01')
        .find_map(|f| f.strip_prefix("auth="))
        .and_then(bearer)
        .ok_or(malformed("no auth=Bearer field"))?;
    Ok(Credentials::Bearer { user, token })
}

fn bearer(auth: &str) -> Option<String> {
    let (scheme, token) = auth.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_string())
}

/// The authorisation identity, or nothing (use the certificate's own mailbox).
fn external(payload: &[u8]) -> Result<Credentials, SaslError> {
    let authzid = text(payload, "EXTERNAL")?;
    Ok(Credentials::External {
        authzid: (!authzid.is_empty()).then_some(authzid),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_decode_as_each_mechanism_defines() {
        let bearer = |user: Option<&str>, token: &str| Credentials::Bearer {
            user: user.map(str::to_string),
            token: token.to_string(),
        };
        let cases: Vec<(&str, &[u8], Result<Credentials, SaslError>)> = vec![
            (
                "PLAIN",
                b"\0a@b.mssante.fr\0pw",
                Ok(Credentials::Password {
                    user: "a@b.mssante.fr".into(),
                    password: "pw".into(),
                }),
            ),
            (
                "PLAIN",
                b"a@b.mssante.fr\0\0pw",
                Ok(Credentials::Password {
                    user: "a@b.mssante.fr".into(),
                    password: "pw".into(),
                }),
            ),
            (
                "PLAIN",
                b"no-nul",
                Err(SaslError::Malformed {
                    mechanism: "PLAIN",
                    why: "expected authzid NUL authcid NUL password",
                }),
            ),
            (
                "PLAIN",
                b"\0\0pw",
                Err(SaslError::Malformed {
                    mechanism: "PLAIN",
                    why: "no user name",
                }),
            ),
            (
                "XOAUTH2",
                b"user=a@b.mssante.fr\x01auth=Bearer tok\x01\x01",
                Ok(bearer(Some("a@b.mssante.fr"), "tok")),
            ),
            (
                "XOAUTH2",
                b"auth=Bearer tok\x01\x01",
                Err(SaslError::Malformed {
                    mechanism: "XOAUTH2",
                    why: "no user= field",
                }),
            ),
            (
                "XOAUTH2",
                b"user=a\x01auth=Basic x\x01\x01",
                Err(SaslError::Malformed {
                    mechanism: "XOAUTH2",
                    why: "no auth=Bearer field",
                }),
            ),
            (
                "OAUTHBEARER",
                b"n,a=a@b.mssante.fr,\x01host=h\x01port=143\x01auth=Bearer tok\x01\x01",
                Ok(bearer(Some("a@b.mssante.fr"), "tok")),
            ),
            (
                "OAUTHBEARER",
                b"n,,\x01auth=Bearer tok\x01\x01",
                Ok(bearer(None, "tok")),
            ),
            (
                "OAUTHBEARER",
                b"p=tls-unique,,\x01auth=Bearer tok\x01\x01",
                Err(SaslError::Malformed {
                    mechanism: "OAUTHBEARER",
                    why: "GS2 header must start with n or y (no channel binding)",
                }),
            ),
            (
                "OAUTHBEARER",
                b"n,,",
                Err(SaslError::Malformed {
                    mechanism: "OAUTHBEARER",
                    why: "no GS2 header",
                }),
            ),
            ("EXTERNAL", b"", Ok(Credentials::External { authzid: None })),
            (
                "EXTERNAL",
                b"lgc@x.mssante.fr",
                Ok(Credentials::External {
                    authzid: Some("lgc@x.mssante.fr".into()),
                }),
            ),
            (
                "CRAM-MD5",
                b"",
                Err(SaslError::Unsupported("CRAM-MD5".into())),
            ),
            (
                "PLAIN",
                b"\0a\xff\0pw",
                Err(SaslError::Malformed {
                    mechanism: "PLAIN",
                    why: "not UTF-8",
                }),
            ),
        ];
        for (mechanism, payload, expected) in cases {
            assert_eq!(
                decode(mechanism, payload),
                expected,
                "{mechanism} {payload:?}"
            );
        }
    }

    #[test]
    fn base64_lines_follow_the_smtp_conventions() {
        assert_eq!(decode_base64(b"=\r\n"), Ok(Vec::new()));
        assert_eq!(decode_base64(b"*\r\n"), Err(SaslError::Cancelled));
        assert_eq!(decode_base64(b"AGEAYg==\r\n"), Ok(b"\0a\0b".to_vec()));
        assert_eq!(decode_base64(b"not base64!\r\n"), Err(SaslError::Base64));
    }
}
