//! Mail submission (RFC 6409) to the operator: EHLO, STARTTLS (RFC 3207) before anything
//! else, SASL authentication (RFC 4954) by mailbox type, then one transaction.
//!
//! Written by hand rather than with `lettre`: an APP mailbox authenticates with SASL
//! EXTERNAL (the structure's client certificate), which `lettre` does not offer.

use std::sync::Arc;

use rustls::ClientConfig;

use super::wire::Connection;
use super::{Login, MssFailure};

/// The most lines one reply may have.
const MAX_REPLY_LINES: usize = 64;

/// One server reply: its code and lines of text.
#[derive(Debug)]
pub struct Reply {
    /// `250`, `354`…
    pub code: u16,
    /// The text of each line, without the code.
    pub lines: Vec<String>,
}

impl Reply {
    fn text(&self) -> String {
        format!("{} {}", self.code, self.lines.join(" / "))
    }
}

/// Reads one (possibly multi-line) reply.
async fn reply(conn: &mut Connection) -> Result<Reply, MssFailure> {
    let mut lines = Vec::new();
    loop {
        let line = conn.line().await?;
        let code = line
            .get(..3)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| {
                MssFailure(format!(
                    "{} : réponse SMTP illisible : {line:?}",
                    conn.peer()
                ))
            })?;
        let more = line.as_bytes().get(3) == Some(&b'-');
        lines.push(line.get(4..).unwrap_or_default().to_string());
        if !more {
            return Ok(Reply { code, lines });
        }
        if lines.len() >= MAX_REPLY_LINES {
            return Err(MssFailure(format!(
                "{} : réponse SMTP de plus de {MAX_REPLY_LINES} lignes",
                conn.peer()
            )));
        }
    }
}

/// Sends `command` and expects a reply in `expected` (the first digit class).
async fn command(conn: &mut Connection, command: &str, expected: u16) -> Result<Reply, MssFailure> {
    conn.send(format!("{command}\r\n").as_bytes()).await?;
    let answer = reply(conn).await?;
    if answer.code / 100 != expected / 100 {
        let shown = command.split(' ').take(2).collect::<Vec<_>>().join(" ");
        return Err(MssFailure(format!(
            "l'opérateur MSSanté a refusé « {shown} » : {}",
            answer.text()
        )));
    }
    Ok(answer)
}

/// The envelope of one transaction.
pub struct Envelope<'a> {
    /// `MAIL FROM`: the mailbox sending.
    pub from: &'a str,
    /// `RCPT TO`s.
    pub to: &'a [String],
}

/// What the operator said about the transaction.
#[derive(Debug)]
pub struct Accepted {
    /// The final `250` line (the operator's queue id).
    pub reply: String,
    /// The TLS version the message went over.
    pub tls: Option<String>,
}

/// Submits `message` to the `smtp` endpoint (STARTTLS) with `tls`.
pub async fn submit(
    url: &str,
    tls: &Arc<ClientConfig>,
    login: &Login,
    envelope: &Envelope<'_>,
    message: &[u8],
) -> Result<Accepted, MssFailure> {
    let mut conn = Connection::open(url, None).await?;
    let greeting = reply(&mut conn).await?;
    if greeting.code != 220 {
        return Err(MssFailure(format!(
            "l'opérateur MSSanté refuse la connexion : {}",
            greeting.text()
        )));
    }
    let ehlo = command(&mut conn, "EHLO lps.segur-bench.test", 250).await?;
    if !ehlo
        .lines
        .iter()
        .any(|l| l.eq_ignore_ascii_case("STARTTLS"))
    {
        // Never send credentials or a health document in clear text.
        return Err(MssFailure(
            "l'opérateur MSSanté ne propose pas STARTTLS : envoi abandonné".into(),
        ));
    }
    command(&mut conn, "STARTTLS", 220).await?;
    conn.start_tls(tls).await?;
    let ehlo = command(&mut conn, "EHLO lps.segur-bench.test", 250).await?;
    let offered = |mechanism: &str| {
        ehlo.lines.iter().any(|l| {
            let mut words = l.split_whitespace();
            words.next().is_some_and(|w| w.eq_ignore_ascii_case("AUTH"))
                && words.any(|w| w.eq_ignore_ascii_case(mechanism))
        })
    };
    let (mechanism, payload) = login.sasl();
    if !offered(mechanism) {
        return Err(MssFailure(format!(
            "l'opérateur MSSanté ne propose pas l'authentification {mechanism}"
        )));
    }
    command(&mut conn, &format!("AUTH {mechanism} {payload}"), 235).await?;
    command(&mut conn, &format!("MAIL FROM:<{}>", envelope.from), 250).await?;
    for to in envelope.to {
        command(&mut conn, &format!("RCPT TO:<{to}>"), 250).await?;
    }
    command(&mut conn, "DATA", 354).await?;
    conn.send(&dot_stuffed(message)).await?;
    let done = reply(&mut conn).await?;
    if done.code != 250 {
        return Err(MssFailure(format!(
            "l'opérateur MSSanté a refusé le message : {}",
            done.text()
        )));
    }
    let tls_version = conn.tls_version();
    // QUIT is a courtesy: the message is accepted whatever follows.
    let _ = command(&mut conn, "QUIT", 221).await;
    Ok(Accepted {
        reply: done.text(),
        tls: tls_version,
    })
}

/// The DATA payload: CRLF line ends, leading dots doubled, `CRLF.CRLF` at the end.
pub fn dot_stuffed(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 64);
    let mut at_line_start = true;
    let mut previous = 0u8;
    for &b in message {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
        previous = b;
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::dot_stuffed;

    #[test]
    fn dots_are_doubled_and_lines_end_in_crlf() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"a\r\n.b\r\n", b"a\r\n..b\r\n.\r\n"),
            (b".\n", b"..\r\n.\r\n"),
            (b"a.b", b"a.b\r\n.\r\n"),
            (b"x\n\n.", b"x\r\n\r\n..\r\n.\r\n"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                String::from_utf8_lossy(&dot_stuffed(input)),
                String::from_utf8_lossy(expected)
            );
        }
    }
}
