//! Raw SMTP bytes against the running operator: a table of bad inputs with the reply code
//! each gets, faults from the SMTPERRORCODE table, receipts (MDN, DSN), and token expiry
//! in the middle of a session.

mod support;

use base64::Engine;
use segur_core::faults::{FaultAction, FaultSpec};
use support::*;

fn fault(t: &TestBench, operation: &str, action: FaultAction) {
    t.bench
        .faults()
        .arm(FaultSpec {
            service: "mssante".into(),
            operation: Some(operation.into()),
            times: 1,
            action,
        })
        .expect("armed");
}

fn protocol_error(code: &str) -> FaultAction {
    FaultAction::ProtocolError {
        code: code.into(),
        message: None,
        detail: None,
    }
}

#[tokio::test]
async fn bad_commands_get_their_reply_code_and_a_finding_and_the_session_stays_usable() {
    let t = start().await;
    let plain = base64::engine::general_purpose::STANDARD;
    // (state to reach, command, expected reply start)
    let cases: Vec<(&str, String, &str)> = vec![
        ("greeted", "FROB".into(), "500 5.5.2"),
        (
            "greeted",
            "MAIL FROM:<jean.legrand@medecin.mssante.fr>".into(),
            "530 5.7.0",
        ),
        (
            "authenticated",
            "RCPT TO:<anne.colin@medecin.mssante.fr>".into(),
            "503 5.5.1",
        ),
        ("authenticated", "DATA".into(), "503 5.5.1"),
        (
            "authenticated",
            "MAIL FROM:<someone.else@medecin.mssante.fr>".into(),
            "553 5.7.1",
        ),
        (
            "authenticated",
            "MAIL FROM:<jean.legrand@medecin.mssante.fr> SIZE=99999999999".into(),
            "552 5.3.4",
        ),
        (
            "in transaction",
            "RCPT TO:<someone@gmail.com>".into(),
            "550 5.7.1",
        ),
        (
            "in transaction",
            "RCPT TO:<nobody@medecin.mssante.fr>".into(),
            "550 5.1.1",
        ),
        ("in transaction", "RCPT TO:<broken".into(), "501"),
        (
            "in transaction",
            "MAIL FROM:<jean.legrand@medecin.mssante.fr>".into(),
            "503 5.5.1",
        ),
        ("greeted", "AUTH CRAM-MD5".into(), "504 5.5.4"),
        ("greeted", "AUTH PLAIN !!!notbase64".into(), "501 5.5.2"),
        (
            "greeted",
            format!("AUTH PLAIN {}", plain.encode("no-nul-here")),
            "501 5.5.2",
        ),
        (
            "greeted",
            format!(
                "AUTH PLAIN {}",
                plain.encode("\0jean.legrand@medecin.mssante.fr\0wrong")
            ),
            "535 5.7.8",
        ),
        (
            "greeted",
            format!(
                "AUTH XOAUTH2 {}",
                plain.encode(
                    "user=jean.legrand@medecin.mssante.fr\x01auth=Bearer not-a-jwt\x01\x01"
                )
            ),
            "535 5.7.8",
        ),
        (
            "greeted",
            format!(
                "AUTH PLAIN {}",
                plain.encode("\x00279035121518989@patient.mssante.fr\x00segur-bench")
            ),
            "535 5.7.8",
        ),
        ("greeted", "BDAT 10 LAST".into(), "502 5.5.1"),
        ("greeted", "STARTTLS".into(), "503 5.5.1"),
    ];
    for (state, command, expected) in cases {
        let mut c = Client::tls(t.addr("smtps"), None).await;
        assert!(c.reply().await.starts_with("220"));
        assert!(c.smtp("EHLO lps.test").await.starts_with("250"));
        if state != "greeted" {
            let login = plain.encode(format!("\0{LEGRAND}\0segur-bench"));
            assert!(
                c.smtp(&format!("AUTH PLAIN {login}"))
                    .await
                    .starts_with("235")
            );
        }
        if state == "in transaction" {
            assert!(
                c.smtp(&format!("MAIL FROM:<{LEGRAND}>"))
                    .await
                    .starts_with("250")
            );
        }
        let before = t.records().len();
        let answer = c.smtp(&command).await;
        assert!(
            answer.starts_with(expected),
            "{command}: expected {expected}, got {answer}"
        );
        let new: Vec<_> = t.records().into_iter().skip(before).collect();
        assert!(
            new.iter().any(|r| !r.findings.is_empty()),
            "{command}: no finding journaled"
        );
        // The session is still usable.
        assert!(
            c.smtp("NOOP").await.starts_with("250 2.0.0"),
            "{command}: session dead"
        );
    }
}

#[tokio::test]
async fn plain_port_offers_starttls_and_refuses_auth_before_it() {
    let t = start().await;
    let mut c = Client::plain(t.addr("smtp")).await;
    assert!(c.reply().await.starts_with("220 "));
    let ehlo = c.smtp("EHLO lps.test").await;
    for capability in [
        "STARTTLS",
        "PIPELINING",
        "SIZE 10485760",
        "8BITMIME",
        "ENHANCEDSTATUSCODES",
        "DSN",
    ] {
        assert!(
            ehlo.contains(capability),
            "{capability} missing from {ehlo}"
        );
    }
    assert!(!ehlo.contains("AUTH"), "AUTH offered in clear: {ehlo}");
    let answer = c.smtp("AUTH PLAIN AGpvaG4AcGFzcw==").await;
    assert!(answer.starts_with("538 5.7.11"), "{answer}");
    assert!(t.flagged("MSS-CLEARTEXT"));
    assert!(c.smtp("STARTTLS").await.starts_with("220 2.0.0"));
    let mut c = c.starttls(None).await;
    let ehlo = c.smtp("EHLO lps.test").await;
    assert!(
        ehlo.contains("AUTH EXTERNAL XOAUTH2 OAUTHBEARER PLAIN") && !ehlo.contains("STARTTLS"),
        "{ehlo}"
    );
}

#[tokio::test]
async fn commands_pipelined_behind_starttls_end_the_session() {
    let t = start().await;
    let mut c = Client::plain(t.addr("smtp")).await;
    c.reply().await;
    c.smtp("EHLO lps.test").await;
    c.send(b"STARTTLS\r\nMAIL FROM:<injected@medecin.mssante.fr>\r\n")
        .await;
    assert!(c.reply().await.starts_with("220"));
    assert!(c.closed().await);
    assert!(t.flagged("MSS-PROTOCOL"));
}

#[tokio::test]
async fn lines_too_long_bare_lf_and_oversize_messages_are_refused_cleanly() {
    let t = start().await;
    let mut c = smtp_as(&t, LEGRAND).await;
    let long = format!("NOOP {}", "x".repeat(20_000));
    assert!(c.smtp(&long).await.starts_with("500 5.5.2"));
    c.send(b"NOOP\n").await;
    assert!(c.reply().await.starts_with("500 5.5.2"));

    // A bare LF inside DATA, then a line over 1000 octets: both refused after the dot.
    for body in [
        b"Subject: a\r\nbare\nline\r\n".to_vec(),
        format!("Subject: a\r\n\r\n{}\r\n", "y".repeat(1200)).into_bytes(),
    ] {
        open_data(&mut c, LEGRAND, &[COLIN]).await;
        let mut data = body.clone();
        data.extend_from_slice(b".\r\n");
        c.send(&data).await;
        let answer = c.reply().await;
        assert!(
            answer.starts_with("550 5.5.2") || answer.starts_with("500 5.5.2"),
            "{answer}"
        );
    }

    // Over the size limit: read to the end, refused with 552, nothing delivered.
    open_data(&mut c, LEGRAND, &[COLIN]).await;
    let line = format!("{}\r\n", "z".repeat(998));
    let mut big = String::from("Subject: big\r\n\r\n");
    while big.len() < 11 * 1024 * 1024 {
        big.push_str(&line);
    }
    big.push_str(".\r\n");
    c.send(big.as_bytes()).await;
    assert!(c.reply().await.starts_with("552 5.3.4"));
    assert!(t.flagged("MSS-MESSAGE-TOO-LARGE"));
    assert!(
        t.mss
            .store()
            .folder(COLIN, "INBOX")
            .unwrap()
            .messages
            .is_empty()
    );
    assert!(c.smtp("QUIT").await.starts_with("221"));
}

#[tokio::test]
async fn pipelining_abuse_closes_the_session() {
    let t = start().await;
    let mut c = smtp_as(&t, LEGRAND).await;
    let flood = "NOOP\r\n".repeat(200);
    c.send(flood.as_bytes()).await;
    let mut last = String::new();
    for _ in 0..200 {
        let line = c.read_line().await;
        if line.is_empty() {
            break;
        }
        last = line;
    }
    assert!(last.starts_with("421 4.7.0"), "{last}");
    assert!(t.flagged("MSS-PROTOCOL"));
}

#[tokio::test]
async fn faults_from_the_smtperrorcode_table_apply_per_recipient_or_per_session() {
    let t = start().await;
    // Per recipient: only Dr Colin's RCPT fails.
    fault(&t, &format!("RCPT {COLIN}"), protocol_error("452"));
    let mut c = smtp_as(&t, LEGRAND).await;
    assert!(
        c.smtp(&format!("MAIL FROM:<{LEGRAND}>"))
            .await
            .starts_with("250")
    );
    assert!(
        c.smtp(&format!("RCPT TO:<{COLIN}>"))
            .await
            .starts_with("452 4.3.1")
    );
    assert!(c.smtp(&format!("RCPT TO:<{LGC}>")).await.starts_with("250"));
    c.smtp("RSET").await;

    // Any RCPT, with the operator's own text.
    fault(&t, "RCPT", protocol_error("550 5.7.1 Relais refusé"));
    assert!(
        c.smtp(&format!("MAIL FROM:<{LEGRAND}>"))
            .await
            .starts_with("250")
    );
    assert_eq!(
        c.smtp(&format!("RCPT TO:<{COLIN}>")).await,
        "550 5.7.1 Relais refusé\r\n"
    );
    c.smtp("RSET").await;

    // After the data: 451, nothing delivered.
    fault(&t, "DATA-END", protocol_error("451"));
    let mail = Mail::new(LEGRAND, COLIN, "Bonjour").build();
    let answer = {
        open_data(&mut c, LEGRAND, &[COLIN]).await;
        let mut data = mail.clone();
        data.extend_from_slice(b".\r\n");
        c.send(&data).await;
        c.reply().await
    };
    assert!(answer.starts_with("451 4.3.0"), "{answer}");
    assert!(
        t.mss
            .store()
            .folder(COLIN, "INBOX")
            .unwrap()
            .messages
            .is_empty()
    );

    // Per session: the greeting is 421 and the connection closes.
    fault(&t, "CONNECT", protocol_error("421"));
    let mut refused = Client::tls(t.addr("smtps"), None).await;
    assert!(refused.reply().await.starts_with("421 4.3.0"));
    assert!(refused.closed().await);

    // A disconnect in the middle of DATA.
    fault(&t, "DATA", FaultAction::DropConnection);
    let mut d = smtp_as(&t, LEGRAND).await;
    open_data(&mut d, LEGRAND, &[COLIN]).await;
    d.send(b"Subject: cut\r\n").await;
    assert!(d.closed().await);
    assert!(
        t.mss
            .store()
            .folder(COLIN, "INBOX")
            .unwrap()
            .messages
            .is_empty()
    );

    // A slow answer.
    fault(&t, "NOOP", FaultAction::Delay { millis: 300 });
    let started = std::time::Instant::now();
    assert!(c.smtp("NOOP").await.starts_with("250"));
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
}

#[tokio::test]
async fn an_mdn_goes_back_when_asked_processed_or_with_an_integration_error() {
    let t = start().await;
    let mut c = smtp_as(&t, LEGRAND).await;
    let asked = Mail::new(LEGRAND, COLIN, "XDM/1.0/DDM+CR")
        .header(&format!("Disposition-Notification-To: {LEGRAND}"));
    assert!(
        submit(&mut c, LEGRAND, &[COLIN], &asked.build())
            .await
            .starts_with("250")
    );
    let inbox = t.mss.store().folder(LEGRAND, "INBOX").unwrap();
    assert_eq!(inbox.messages.len(), 1, "one MDN for Dr Legrand");
    let mdn = String::from_utf8_lossy(&inbox.messages[0].raw).into_owned();
    assert!(
        mdn.contains("report-type=disposition-notification")
            || mdn.contains("report-type=\"disposition-notification\""),
        "{mdn}"
    );
    assert!(
        mdn.contains("Disposition: automatic-action/MDN-sent-automatically; processed\r\n"),
        "{mdn}"
    );

    fault(&t, "MDN", protocol_error("904"));
    assert!(
        submit(&mut c, LEGRAND, &[COLIN], &asked.build())
            .await
            .starts_with("250")
    );
    let inbox = t.mss.store().folder(LEGRAND, "INBOX").unwrap();
    let error = String::from_utf8_lossy(&inbox.messages[1].raw).into_owned();
    assert!(
        error.contains("processed/Error: 904^INS ne correspondant pas"),
        "{error}"
    );
    assert!(
        !error.contains("Content-Transfer-Encoding: quoted-printable\r\n\r\nReporting-UA"),
        "{error}"
    );
    let parsed = mail_parser::MessageParser::default()
        .parse(&inbox.messages[1].raw[..])
        .unwrap();
    assert_eq!(
        parsed.subject(),
        Some("[KO Intégration système !][904] XDM/1.0/DDM+CR")
    );

    // Without Disposition-Notification-To, no MDN.
    let plain = Mail::new(LEGRAND, COLIN, "Bonjour");
    submit(&mut c, LEGRAND, &[COLIN], &plain.build()).await;
    assert_eq!(
        t.mss
            .store()
            .folder(LEGRAND, "INBOX")
            .unwrap()
            .messages
            .len(),
        2
    );
}

#[tokio::test]
async fn mail_to_a_patient_who_cannot_receive_bounces_with_a_dsn() {
    let t = start().await;
    let moreau = "140072123100806@patient.mssante.fr"; // did not activate Mon espace santé
    let mut c = smtp_as(&t, LEGRAND).await;
    let mail = Mail::new(LEGRAND, moreau, "Bonjour");
    let answer = submit(&mut c, LEGRAND, &[moreau], &mail.build()).await;
    assert!(
        answer.starts_with("250"),
        "accepted, then bounced: {answer}"
    );
    let inbox = t.mss.store().folder(LEGRAND, "INBOX").unwrap();
    assert_eq!(inbox.messages.len(), 1);
    let dsn = String::from_utf8_lossy(&inbox.messages[0].raw).into_owned();
    assert!(dsn.contains("delivery-status"), "{dsn}");
    assert!(
        dsn.contains(&format!("Final-Recipient: rfc822;{moreau}")),
        "{dsn}"
    );
    assert!(dsn.contains("Action: failed"), "{dsn}");
    assert!(
        t.last_submission_rules()
            .contains(&"MSS-UNDELIVERABLE".to_string())
    );
}

#[tokio::test]
async fn a_psc_token_expiring_mid_session_closes_it() {
    let t = start().await;
    let token = t.psc_token("dr-legrand").await;
    let mut c = Client::tls(t.addr("smtps"), None).await;
    c.reply().await;
    c.smtp("EHLO lps.test").await;
    let xoauth2 = base64::engine::general_purpose::STANDARD
        .encode(format!("user={LEGRAND}\x01auth=Bearer {token}\x01\x01"));
    assert!(
        c.smtp(&format!("AUTH XOAUTH2 {xoauth2}"))
            .await
            .starts_with("235")
    );
    assert!(
        c.smtp(&format!("MAIL FROM:<{LEGRAND}>"))
            .await
            .starts_with("250")
    );
    t.bench.clock().advance(time::Duration::hours(1));
    let answer = c.smtp(&format!("RCPT TO:<{COLIN}>")).await;
    assert!(answer.starts_with("421 4.7.0"), "{answer}");
    assert!(c.closed().await);
    assert!(t.flagged("MSS-TOKEN-EXPIRED"));
}

#[tokio::test]
async fn a_connection_over_the_cap_is_told_so_and_closed() {
    let t = start_with(segur_mssante::MssanteConfig {
        max_connections: 2,
        ..segur_mssante::MssanteConfig::default()
    })
    .await;
    let mut first = Client::plain(t.addr("smtp")).await;
    assert!(first.reply().await.starts_with("220"));
    let mut second = Client::plain(t.addr("smtp")).await;
    assert!(second.reply().await.starts_with("220"));
    let mut third = Client::plain(t.addr("smtp")).await;
    let refused = third.reply().await;
    assert!(refused.starts_with("421 4.7.0"), "{refused}");
    assert!(third.closed().await);
    assert!(t.flagged("TLS-CONNECTION-LIMIT"));
    let mut imap = Client::plain(t.addr("imap")).await;
    assert!(
        imap.read_line().await.starts_with("* OK"),
        "IMAP has its own cap"
    );
    // A session that ends gives its place back.
    first.smtp("QUIT").await;
    assert!(first.closed().await);
    let mut fourth = Client::plain(t.addr("smtp")).await;
    let mut greeting = fourth.reply().await;
    for _ in 0..20 {
        if greeting.starts_with("220") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        fourth = Client::plain(t.addr("smtp")).await;
        greeting = fourth.reply().await;
    }
    assert!(greeting.starts_with("220"), "{greeting}");
}

/// The API LPS opens an APP mailbox with the structure's certificate, then PLAIN carrying
/// the mailbox address and no password (MSS/CONF.12); EXTERNAL opens it too, with a
/// warning; PLAIN without a certificate or naming another structure's mailbox does not.
#[tokio::test]
async fn an_app_mailbox_opens_with_plain_under_the_structure_certificate() {
    let b64 = base64::engine::general_purpose::STANDARD;
    let login = |user: &str| b64.encode(format!("\0{user}\0"));
    let cases: [(Option<&str>, String, &str, bool); 4] = [
        (
            Some(LGC_CERT),
            format!("AUTH PLAIN {}", login(LGC)),
            "235 ",
            false,
        ),
        (Some(LGC_CERT), "AUTH EXTERNAL =".to_string(), "235 ", true),
        (None, format!("AUTH PLAIN {}", login(LGC)), "535 ", false),
        (
            Some(LGC_CERT),
            format!("AUTH PLAIN {}", login("dpi@ch-valbourg.mssante.fr")),
            "535 ",
            false,
        ),
    ];
    for (cert, command, expected, warned) in cases {
        let t = start().await;
        let mut c = Client::plain(t.addr("smtp")).await;
        assert!(c.reply().await.starts_with("220 "));
        c.smtp("EHLO lps.test").await;
        assert!(c.smtp("STARTTLS").await.starts_with("220 "));
        let mut c = c.starttls(cert).await;
        c.smtp("EHLO lps.test").await;
        let answer = c.smtp(&command).await;
        assert!(answer.starts_with(expected), "{cert:?} {command}: {answer}");
        assert_eq!(t.flagged("MSS-APP-LOGIN"), warned, "{command}");
    }
}
