//! SMTP replies with enhanced status codes (RFC 3463), and the SMTPERRORCODE table the
//! spec notes list for injected faults.

use std::fmt::Write as _;

/// One reply, possibly multi-line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit code.
    pub code: u16,
    /// The enhanced status code (absent on the greeting, EHLO and 334 challenges).
    pub status: Option<[u8; 3]>,
    /// Text lines (at least one).
    pub lines: Vec<String>,
}

impl Reply {
    /// A one-line reply with an enhanced status code.
    pub fn new(code: u16, status: [u8; 3], text: impl Into<String>) -> Self {
        Self {
            code,
            status: Some(status),
            lines: vec![text.into()],
        }
    }

    /// A reply without an enhanced status code.
    pub fn plain(code: u16, text: impl Into<String>) -> Self {
        Self {
            code,
            status: None,
            lines: vec![text.into()],
        }
    }

    /// Whether it is a 2xx or 3xx reply.
    pub fn is_positive(&self) -> bool {
        self.code < 400
    }

    /// Its wire form.
    pub fn to_wire(&self) -> String {
        let mut out = String::new();
        let last = self.lines.len().saturating_sub(1);
        for (i, line) in self.lines.iter().enumerate() {
            let sep = if i == last { ' ' } else { '-' };
            let _ = write!(out, "{}{sep}", self.code);
            if let Some([a, b, c]) = self.status {
                let _ = write!(out, "{a}.{b}.{c} ");
            }
            // A reply line never carries a CR or LF of its own.
            out.extend(line.chars().filter(|c| *c != '\r' && *c != '\n'));
            out.push_str("\r\n");
        }
        out
    }

    /// The first line, as the journal shows it.
    pub fn summary(&self) -> String {
        self.to_wire()
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

/// The reply an injected fault gives for `code`: either `"451"` (the table's enhanced
/// code and text), or a full `"550 5.7.1 text"`.
pub fn fault_reply(code: &str, message: Option<&str>) -> Option<Reply> {
    let mut parts = code.trim().splitn(3, ' ');
    let number: u16 = parts.next()?.parse().ok()?;
    if !(200..=599).contains(&number) {
        return None;
    }
    let explicit = parts.next().and_then(parse_status);
    let rest = parts.next();
    let (status, text) = table(number);
    Some(Reply::new(
        number,
        explicit.unwrap_or(status),
        message.or(rest).unwrap_or(text),
    ))
}

fn parse_status(text: &str) -> Option<[u8; 3]> {
    let mut digits = text.split('.').map(|d| d.parse::<u8>().ok());
    let status = [digits.next()??, digits.next()??, digits.next()??];
    (digits.next().is_none() && (2..=5).contains(&status[0])).then_some(status)
}

/// The SMTPERRORCODE table (spec notes §2.4): enhanced code and text for each reply code.
pub fn table(code: u16) -> ([u8; 3], &'static str) {
    match code {
        251 => ([2, 1, 5], "User not local; will forward"),
        252 => ([2, 1, 5], "Cannot verify user, but will accept message"),
        420 => ([4, 4, 2], "Timeout connection problem"),
        421 => (
            [4, 3, 0],
            "Service not available, closing transmission channel",
        ),
        422 => ([4, 2, 2], "Recipient mailbox is full"),
        431 => ([4, 3, 1], "Not enough space on the disk"),
        432 => (
            [4, 7, 12],
            "Recipient's incoming mail queue has been stopped",
        ),
        441 => ([4, 4, 1], "Recipient server is not responding"),
        442 => ([4, 4, 2], "Connection was dropped during transmission"),
        450 => (
            [4, 2, 1],
            "Requested mail action not taken: mailbox unavailable",
        ),
        451 => (
            [4, 3, 0],
            "Requested action aborted: local error in processing",
        ),
        452 => (
            [4, 3, 1],
            "Requested action not taken: insufficient system storage",
        ),
        500 => ([5, 5, 2], "Syntax error, command unrecognised"),
        501 => ([5, 5, 4], "Syntax error in parameters or arguments"),
        502 => ([5, 5, 1], "Command not implemented"),
        503 => ([5, 5, 1], "Bad sequence of commands"),
        504 => ([5, 5, 4], "Command parameter not implemented"),
        510 | 512 => ([5, 1, 2], "Bad destination address: host unknown"),
        513 => ([5, 1, 3], "Bad destination mailbox address syntax"),
        523 => ([5, 3, 4], "Message too big for the recipient"),
        530 => ([5, 7, 0], "Authentication required"),
        541 => ([5, 7, 1], "The recipient address rejected your message"),
        550 => ([5, 1, 1], "Requested action not taken: mailbox unavailable"),
        551 => ([5, 1, 6], "User not local"),
        552 => (
            [5, 3, 4],
            "Requested mail action aborted: exceeded storage allocation",
        ),
        553 => (
            [5, 1, 3],
            "Requested action not taken: mailbox name not allowed",
        ),
        554 => ([5, 3, 0], "Transaction failed"),
        c if c >= 500 => ([5, 0, 0], "Permanent failure"),
        c if c >= 400 => ([4, 0, 0], "Temporary failure"),
        _ => ([2, 0, 0], "OK"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_written_with_continuation_lines() {
        let reply = Reply {
            code: 250,
            status: None,
            lines: vec!["host".into(), "PIPELINING".into(), "SIZE 10".into()],
        };
        assert_eq!(
            reply.to_wire(),
            "250-host\r\n250-PIPELINING\r\n250 SIZE 10\r\n"
        );
        assert_eq!(
            Reply::new(550, [5, 7, 1], "no\r\ninjected").to_wire(),
            "550 5.7.1 noinjected\r\n"
        );
    }

    #[test]
    fn fault_codes_follow_the_table_or_the_given_text() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            (
                "451",
                None,
                Some("451 4.3.0 Requested action aborted: local error in processing\r\n"),
            ),
            (
                "452",
                Some("Plus de place"),
                Some("452 4.3.1 Plus de place\r\n"),
            ),
            (
                "550 5.7.1 Relay denied",
                None,
                Some("550 5.7.1 Relay denied\r\n"),
            ),
            ("554 9.9.9", None, Some("554 5.3.0 Transaction failed\r\n")),
            ("abc", None, None),
            ("700", None, None),
        ];
        for (code, message, expected) in cases {
            assert_eq!(
                fault_reply(code, *message).map(|r| r.to_wire()).as_deref(),
                *expected,
                "{code}"
            );
        }
    }
}
