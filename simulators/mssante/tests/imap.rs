//! IMAP4rev1 in raw protocol bytes, as a mail client speaks it: log in, list, select,
//! fetch (envelope, body structure, sections), flag, search, move, expunge, append, idle;
//! STARTTLS and tokens; bad input; a disconnect in the middle of a FETCH.

mod support;

use base64::Engine;
use segur_core::faults::{FaultAction, FaultSpec};
use support::*;

async fn deliver(t: &TestBench, subject: &str) {
    let mut c = smtp_as(t, COLIN).await;
    let mail =
        Mail::new(COLIN, LEGRAND, subject).with_xdm(xdm_example("DOC_NON_STRUCTURE_CDA-R2-N1"));
    assert!(
        submit(&mut c, COLIN, &[LEGRAND], &mail.build())
            .await
            .starts_with("250")
    );
}

async fn imaps_login(t: &TestBench) -> Client {
    let mut c = Client::tls(t.addr("imaps"), None).await;
    let greeting = c.read_line().await;
    assert!(
        greeting
            .to_ascii_uppercase()
            .starts_with("* OK [CAPABILITY IMAP4REV1"),
        "{greeting}"
    );
    assert!(greeting.contains("MSSante operator"), "{greeting}");
    let answer = c
        .imap(
            "a1",
            &format!("LOGIN {LEGRAND} {}", segur_mssante::TEST_PASSWORD),
        )
        .await;
    assert!(answer.contains("a1 OK"), "{answer}");
    c
}

#[tokio::test]
async fn a_client_reads_flags_moves_and_files_mail() {
    let t = start().await;
    deliver(&t, "XDM/1.0/DDM+Premier").await;
    deliver(&t, "XDM/1.0/DDM+Second").await;
    let mut c = imaps_login(&t).await;

    let list = c.imap("a2", "LIST \"\" \"*\"").await;
    assert!(list.contains("* LIST () \"/\" INBOX"), "{list}");
    assert!(list.contains("(\\Sent) \"/\" Sent"), "{list}");
    assert!(list.contains("(\\Trash) \"/\" Trash"), "{list}");

    let select = c.imap("a3", "SELECT INBOX").await;
    for expected in [
        "* 2 EXISTS",
        "* 2 RECENT",
        "[UIDVALIDITY ",
        "[UIDNEXT 3]",
        "a3 OK [READ-WRITE]",
    ] {
        assert!(select.contains(expected), "{expected} missing: {select}");
    }

    let fetch = c
        .imap(
            "a4",
            "FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE BODYSTRUCTURE)",
        )
        .await;
    assert!(
        fetch.contains("* 1 FETCH (FLAGS (\\Recent) UID 1 RFC822.SIZE "),
        "{fetch}"
    );
    assert!(fetch.contains("\"XDM/1.0/DDM+Premier\""), "{fetch}");
    assert!(
        fetch.contains("((\"Anne COLIN\" NIL \"anne.colin\" \"medecin.mssante.fr\"))"),
        "{fetch}"
    );
    assert!(
        fetch.contains("(\"APPLICATION\" \"ZIP\" (\"NAME\" \"IHE_XDM.ZIP\") NIL NIL \"BASE64\""),
        "{fetch}"
    );
    assert!(fetch.contains("\"MIXED\""), "{fetch}");
    assert!(
        fetch.contains("(\"ATTACHMENT\" (\"FILENAME\" \"IHE_XDM.ZIP\"))"),
        "{fetch}"
    );

    let peek = c
        .imap(
            "a5",
            "FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT X-MSS-NIL)])",
        )
        .await;
    assert!(
        peek.contains("BODY[HEADER.FIELDS (SUBJECT X-MSS-NIL)] {"),
        "{peek}"
    );
    assert!(
        peek.contains("Subject: XDM/1.0/DDM+Second\r\nX-MSS-NIL: SEGUR-BENCH-LPS-1.0\r\n\r\n"),
        "{peek}"
    );
    let unseen = c.imap("a6", "SEARCH UNSEEN").await;
    assert!(unseen.contains("* SEARCH 1 2\r\n"), "{unseen}");

    // BODY[] sets \Seen; the bytes are the stored message.
    let body = c.imap("a7", "UID FETCH 1 (BODY[])").await;
    assert!(body.contains("Subject: XDM/1.0/DDM+Premier"), "{body}");
    let stored = &t.mss.store().folder(LEGRAND, "INBOX").unwrap().messages[0];
    assert!(
        body.contains(&format!("BODY[] {{{}}}", stored.raw.len())),
        "{body}"
    );
    assert!(stored.flags.contains("\\Seen"));
    let part = c.imap("a8", "FETCH 1 (BODY.PEEK[2])").await;
    assert!(part.contains("BODY[2] {"), "{part}");
    let mime = c.imap("a9", "FETCH 1 (BODY.PEEK[2.MIME])").await;
    assert!(
        mime.contains("Content-Disposition: attachment; filename=\"IHE_XDM.ZIP\""),
        "{mime}"
    );

    let store = c.imap("b1", "STORE 2 +FLAGS (\\Flagged $Integre)").await;
    assert!(
        store.contains("* 2 FETCH (FLAGS ($Integre \\Flagged))")
            || store.contains("* 2 FETCH (FLAGS (\\Flagged $Integre))"),
        "{store}"
    );
    let flagged = c.imap("b2", "UID SEARCH FLAGGED KEYWORD $Integre").await;
    assert!(flagged.contains("* SEARCH 2\r\n"), "{flagged}");
    let subject = c.imap("b3", "SEARCH SUBJECT \"Premier\"").await;
    assert!(subject.contains("* SEARCH 1\r\n"), "{subject}");

    let moved = c.imap("b4", "UID MOVE 1 Trash").await;
    assert!(
        moved.contains("* 1 EXPUNGE") && moved.contains("b4 OK"),
        "{moved}"
    );
    assert_eq!(
        t.mss
            .store()
            .folder(LEGRAND, "Trash")
            .unwrap()
            .messages
            .len(),
        1
    );
    let status = c.imap("b5", "STATUS INBOX (MESSAGES UNSEEN UIDNEXT)").await;
    assert!(
        status.contains("* STATUS INBOX (MESSAGES 1 UNSEEN 1 UIDNEXT 3)"),
        "{status}"
    );

    // APPEND with a synchronising literal: the client waits for "+".
    let message = "From: jean.legrand@medecin.mssante.fr\r\nSubject: copie\r\n\r\nEnvoyé.\r\n";
    c.line(&format!("b6 APPEND Sent (\\Seen) {{{}}}", message.len()))
        .await;
    assert!(c.read_line().await.starts_with("+ "));
    c.send(format!("{message}\r\n").as_bytes()).await;
    let appended = c.until_tagged("b6").await;
    assert!(appended.contains("b6 OK"), "{appended}");
    let sent = t.mss.store().folder(LEGRAND, "Sent").unwrap();
    assert_eq!(&sent.messages[0].raw[..], message.as_bytes());

    let deleted = c.imap("b7", "STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    assert!(!deleted.contains("FETCH"), "{deleted}");
    let expunge = c.imap("b8", "EXPUNGE").await;
    assert!(
        expunge.contains("* 1 EXPUNGE") && expunge.contains("b8 OK"),
        "{expunge}"
    );
    assert!(c.imap("b9", "LOGOUT").await.contains("* BYE"));

    // State changes are journaled with the identity.
    let journaled: Vec<String> = t.records().iter().map(|r| r.operation.clone()).collect();
    for op in [
        "IMAP LOGIN",
        "IMAP STORE",
        "IMAP MOVE",
        "IMAP APPEND",
        "IMAP EXPUNGE",
    ] {
        assert!(
            journaled.iter().any(|o| o == op),
            "{op} not journaled: {journaled:?}"
        );
    }
    assert!(t.flagged("MSS-TEST-PASSWORD"));
}

#[tokio::test]
async fn idle_reports_new_mail_as_it_arrives() {
    let t = start().await;
    let mut c = imaps_login(&t).await;
    assert!(c.imap("a2", "SELECT INBOX").await.contains("* 0 EXISTS"));
    c.line("a3 IDLE").await;
    assert!(c.read_line().await.starts_with("+ "));
    deliver(&t, "XDM/1.0/DDM+Nouveau").await;
    let exists = c.read_line().await;
    assert_eq!(exists, "* 1 EXISTS\r\n");
    c.line("DONE").await;
    let done = c.until_tagged("a3").await;
    assert!(done.contains("a3 OK"), "{done}");
}

#[tokio::test]
async fn starttls_then_a_psc_token_and_the_session_ends_when_the_token_expires() {
    let t = start().await;
    let token = t.psc_token("dr-legrand").await;
    let mut c = Client::plain(t.addr("imap")).await;
    let greeting = c.read_line().await;
    assert!(
        greeting.contains("STARTTLS") && greeting.contains("LOGINDISABLED"),
        "{greeting}"
    );
    let refused = c.imap("a1", &format!("LOGIN {LEGRAND} segur-bench")).await;
    assert!(refused.contains("a1 NO"), "{refused}");
    assert!(t.flagged("MSS-CLEARTEXT"));
    assert!(c.imap("a2", "STARTTLS").await.contains("a2 OK"));
    let mut c = c.starttls(None).await;
    let caps = c.imap("a3", "CAPABILITY").await;
    assert!(
        caps.contains("AUTH=XOAUTH2")
            && caps.contains("AUTH=OAUTHBEARER")
            && !caps.contains("STARTTLS"),
        "{caps}"
    );
    let payload = base64::engine::general_purpose::STANDARD.encode(format!(
        "n,a={LEGRAND},\x01host=localhost\x01auth=Bearer {token}\x01\x01"
    ));
    // Without SASL-IR: the server asks with "+", the client answers on its own line.
    c.line("a4 AUTHENTICATE OAUTHBEARER").await;
    assert!(c.read_line().await.starts_with("+"));
    c.line(&payload).await;
    let ok = c.until_tagged("a4").await;
    assert!(ok.contains("a4 OK"), "{ok}");
    assert!(c.imap("a5", "SELECT INBOX").await.contains("a5 OK"));
    t.bench.clock().advance(time::Duration::hours(1));
    let bye = c.imap("a6", "NOOP").await;
    assert!(bye.starts_with("* BYE [ALERT]"), "{bye}");
    assert!(c.closed().await);
    assert!(t.flagged("MSS-TOKEN-EXPIRED"));
}

#[tokio::test]
async fn bad_commands_get_bad_or_no_and_the_session_goes_on() {
    let t = start().await;
    let mut c = Client::tls(t.addr("imaps"), None).await;
    c.read_line().await;
    let cases = [
        ("x1 FROBNICATE", "x1 BAD"),
        ("x2 SELECT INBOX", "x2 BAD"),
        ("x3 AUTHENTICATE CRAM-MD5", "x3 NO"),
        ("x4 AUTHENTICATE PLAIN !!!", "x4 BAD"),
        ("x5 AUTHENTICATE XOAUTH2 dXNlcj1h", "x5 BAD"),
        ("x6 LOGIN nobody@medecin.mssante.fr segur-bench", "x6 NO"),
        ("garbage without a tag", "garbage BAD"),
    ];
    for (command, expected) in cases {
        let tag = command.split(' ').next().unwrap();
        c.line(command).await;
        let answer = c.until_tagged(tag).await;
        assert!(answer.contains(expected), "{command}: {answer}");
    }
    assert!(
        c.imap("y1", &format!("LOGIN {LEGRAND} segur-bench"))
            .await
            .contains("y1 OK")
    );
    let no_select = c.imap("y2", "FETCH 1 FLAGS").await;
    assert!(no_select.contains("y2 BAD"), "{no_select}");
    let missing = c.imap("y3", "SELECT Nowhere").await;
    assert!(missing.contains("y3 NO"), "{missing}");
    // A literal over the size limit is refused before it is sent.
    c.line("y4 APPEND INBOX {99999999}").await;
    let too_big = c.until_tagged("y4").await;
    assert!(too_big.contains("y4 NO [TOOBIG]"), "{too_big}");
    assert!(c.imap("y5", "NOOP").await.contains("y5 OK"));
    assert!(t.flagged("MSS-PROTOCOL"));
}

#[tokio::test]
async fn a_fault_drops_the_connection_in_the_middle_of_a_fetch() {
    let t = start().await;
    deliver(&t, "XDM/1.0/DDM+Coupé").await;
    let mut c = imaps_login(&t).await;
    c.imap("a2", "SELECT INBOX").await;
    t.bench
        .faults()
        .arm(FaultSpec {
            service: "mssante".into(),
            operation: Some("FETCH".into()),
            times: 1,
            action: FaultAction::DropConnection,
        })
        .unwrap();
    c.line("a3 FETCH 1 BODY.PEEK[]").await;
    let mut got = String::new();
    loop {
        let line = c.read_line().await;
        if line.is_empty() {
            break;
        }
        got.push_str(&line);
    }
    assert!(got.starts_with("* 1 FETCH"), "{got}");
    assert!(!got.contains("a3 OK"), "{got}");
}
