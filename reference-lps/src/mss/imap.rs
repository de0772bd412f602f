//! Reading a mailbox (IMAP4rev1, RFC 3501): STARTTLS first, SASL authentication by
//! mailbox type (with SASL-IR, RFC 4959, when offered), then the INBOX fetched by UID.
//! The session stays open between the user's actions, as a mail client keeps it; one
//! opened with a Pro Santé Connect token is closed and reopened once that token expires.

use std::sync::Arc;

use rustls::ClientConfig;

use super::wire::Connection;
use super::{Login, MssFailure};

/// The largest message read.
pub const MAX_MESSAGE: usize = 25 * 1024 * 1024;
/// The most untagged lines one command may bring.
const MAX_UNTAGGED: usize = 10_000;

/// One fetched message.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Its UID in INBOX.
    pub uid: u32,
    /// RFC 5322 source.
    pub raw: Vec<u8>,
}

/// An authenticated IMAP session on one mailbox.
pub struct ImapSession {
    /// The connection.
    conn: Connection,
    /// The next tag's number.
    tag: u32,
    /// The mailbox.
    pub address: String,
    /// When the credentials it was opened with stop being valid (a PSC token's expiry,
    /// LPS clock), if they do.
    pub valid_until: Option<i64>,
}

/// What a command answered.
struct Answer {
    /// The untagged lines, each with the literals it carried.
    untagged: Vec<(String, Vec<Vec<u8>>)>,
}

impl ImapSession {
    /// Connects to the `imap` endpoint, upgrades with STARTTLS and authenticates.
    pub async fn open(
        url: &str,
        tls: &Arc<ClientConfig>,
        login: &Login,
        address: &str,
        valid_until: Option<i64>,
    ) -> Result<Self, MssFailure> {
        let mut conn = Connection::open(url, None).await?;
        let greeting = conn.line().await?;
        if !greeting.starts_with("* OK") {
            return Err(MssFailure(format!(
                "l'opérateur MSSanté refuse la connexion IMAP : {greeting}"
            )));
        }
        let mut session = Self {
            conn,
            tag: 0,
            address: address.to_string(),
            valid_until,
        };
        let capabilities = session.capabilities().await?;
        if !capabilities.iter().any(|c| c == "STARTTLS") {
            return Err(MssFailure(
                "l'opérateur MSSanté ne propose pas STARTTLS en IMAP : lecture abandonnée".into(),
            ));
        }
        session.run("STARTTLS").await?;
        session.conn.start_tls(tls).await?;
        let capabilities = session.capabilities().await?;
        let (mechanism, payload) = login.sasl();
        if !capabilities
            .iter()
            .any(|c| *c == format!("AUTH={mechanism}"))
        {
            return Err(MssFailure(format!(
                "l'opérateur MSSanté ne propose pas l'authentification IMAP {mechanism}"
            )));
        }
        if capabilities.iter().any(|c| c == "SASL-IR") {
            session
                .run(&format!("AUTHENTICATE {mechanism} {payload}"))
                .await?;
        } else {
            session
                .authenticate_in_two_steps(mechanism, payload)
                .await?;
        }
        Ok(session)
    }

    async fn capabilities(&mut self) -> Result<Vec<String>, MssFailure> {
        let answer = self.run("CAPABILITY").await?;
        Ok(answer
            .untagged
            .iter()
            .filter_map(|(line, _)| line.strip_prefix("* CAPABILITY "))
            .flat_map(|l| l.split_whitespace().map(str::to_ascii_uppercase))
            .collect())
    }

    async fn authenticate_in_two_steps(
        &mut self,
        mechanism: &str,
        payload: String,
    ) -> Result<(), MssFailure> {
        self.tag += 1;
        let tag = format!("L{}", self.tag);
        self.conn
            .send(format!("{tag} AUTHENTICATE {mechanism}\r\n").as_bytes())
            .await?;
        let go_ahead = self.conn.line().await?;
        if !go_ahead.starts_with('+') {
            return Err(MssFailure(format!(
                "AUTHENTICATE {mechanism} refusé : {go_ahead}"
            )));
        }
        self.conn.send(format!("{payload}\r\n").as_bytes()).await?;
        self.finish(&tag, &format!("AUTHENTICATE {mechanism}"))
            .await
            .map(|_| ())
    }

    /// Sends one command and reads up to its tagged completion, which must be `OK`.
    async fn run(&mut self, command: &str) -> Result<Answer, MssFailure> {
        self.tag += 1;
        let tag = format!("L{}", self.tag);
        self.conn
            .send(format!("{tag} {command}\r\n").as_bytes())
            .await?;
        let shown = command.split(' ').take(2).collect::<Vec<_>>().join(" ");
        self.finish(&tag, &shown).await
    }

    async fn finish(&mut self, tag: &str, shown: &str) -> Result<Answer, MssFailure> {
        let mut untagged = Vec::new();
        loop {
            let mut line = self.conn.line().await?;
            if let Some(status) = line.strip_prefix(&format!("{tag} ")) {
                if status.starts_with("OK") {
                    return Ok(Answer { untagged });
                }
                return Err(MssFailure(format!(
                    "l'opérateur MSSanté a refusé « {shown} » : {status}"
                )));
            }
            if line.starts_with("* BYE") {
                return Err(MssFailure(format!(
                    "l'opérateur MSSanté a fermé la session : {}",
                    line.trim_start_matches("* BYE").trim()
                )));
            }
            let mut literals = Vec::new();
            while let Some(size) = literal_size(&line) {
                literals.push(self.conn.bytes(size, MAX_MESSAGE).await?);
                let rest = self.conn.line().await?;
                line.push_str(" {}");
                line.push_str(&rest);
            }
            untagged.push((line, literals));
            if untagged.len() > MAX_UNTAGGED {
                return Err(MssFailure(format!(
                    "« {shown} » : plus de {MAX_UNTAGGED} réponses"
                )));
            }
        }
    }

    /// The INBOX messages whose UID is not in `known`.
    pub async fn fetch_new(&mut self, known: &[u32]) -> Result<Vec<Fetched>, MssFailure> {
        let selected = self.run("SELECT INBOX").await?;
        let exists = selected
            .untagged
            .iter()
            .find_map(|(l, _)| {
                l.strip_prefix("* ")?
                    .strip_suffix(" EXISTS")?
                    .parse::<u32>()
                    .ok()
            })
            .unwrap_or(0);
        if exists == 0 {
            return Ok(Vec::new());
        }
        let answer = self.run("UID FETCH 1:* (UID BODY.PEEK[])").await?;
        let mut out = Vec::new();
        for (line, mut literals) in answer.untagged {
            if !line.contains(" FETCH ") {
                continue;
            }
            let Some(uid) = uid_of(&line) else { continue };
            if known.contains(&uid) || literals.is_empty() {
                continue;
            }
            out.push(Fetched {
                uid,
                raw: literals.swap_remove(0),
            });
        }
        out.sort_by_key(|f| f.uid);
        Ok(out)
    }

    /// Marks a message `\Seen` (the user opened it) or `$Integrated`.
    pub async fn flag(&mut self, uid: u32, flag: &str) -> Result<(), MssFailure> {
        self.run(&format!("UID STORE {uid} +FLAGS.SILENT ({flag})"))
            .await
            .map(|_| ())
    }

    /// Ends the session politely.
    pub async fn logout(mut self) {
        let _ = self.run("LOGOUT").await;
    }
}

/// `{123}` at the end of a line: the size of the literal that follows.
fn literal_size(line: &str) -> Option<usize> {
    let open = line.strip_suffix('}')?.rfind('{')?;
    line[open + 1..line.len() - 1].parse().ok()
}

/// The number after `UID ` in a FETCH response.
fn uid_of(line: &str) -> Option<u32> {
    let at = line.find("UID ")?;
    line[at + 4..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::{literal_size, uid_of};

    #[test]
    fn literals_and_uids_are_read_from_fetch_lines() {
        assert_eq!(literal_size("* 1 FETCH (UID 4 BODY[] {1234}"), Some(1234));
        assert_eq!(literal_size("* 1 FETCH (UID 4 FLAGS (\\Seen))"), None);
        assert_eq!(literal_size("* OK {x}"), None);
        assert_eq!(uid_of("* 1 FETCH (UID 4 BODY[] {12} )"), Some(4));
        assert_eq!(uid_of("* 3 FETCH (BODY[] {12} UID 17)"), Some(17));
        assert_eq!(uid_of("* 3 FETCH (FLAGS ())"), None);
    }
}
