//! Load generator for the MSSanté operator, with the figures issue 6 asks for:
//!
//! 1. messages/s submitted over reused STARTTLS connections, each carrying a real ANS
//!    IHE_XDM archive of more than 100 KiB (`eP-MED-DM_2024.01_PosoStruct`, 115 KiB) and
//!    going through every check (XDM tree, hash, CDA, `X-MSS-*`);
//! 2. the time of one `FETCH 1:1000 (FLAGS UID RFC822.SIZE ENVELOPE BODYSTRUCTURE)` over
//!    IMAPS on a 1,000-message mailbox, and of the `BODY.PEEK[HEADER]` of all of them.
//!
//! ```sh
//! cargo run --release -p segur-mssante --example mss_load -- [connections] [messages]
//! ```
//! (defaults: 8 connections, 2,000 messages).

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use segur_core::testing::https::tls_config;
use segur_core::testing::load::Latencies;
use segur_mssante::MssanteSimulator;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

const FROM: &str = "jean.legrand@medecin.mssante.fr";
const TO: &str = "anne.colin@medecin.mssante.fr";

async fn reply(io: &mut BufReader<Box<dyn Io>>) -> String {
    let mut all = String::new();
    loop {
        let mut line = String::new();
        if io.read_line(&mut line).await.expect("read") == 0 {
            return all;
        }
        all.push_str(&line);
        if line.len() < 4 || line.as_bytes()[3] != b'-' {
            return all;
        }
    }
}

async fn command(io: &mut BufReader<Box<dyn Io>>, line: &str) -> String {
    io.get_mut()
        .write_all(format!("{line}\r\n").as_bytes())
        .await
        .expect("write");
    io.get_mut().flush().await.expect("flush");
    reply(io).await
}

async fn tls(stream: Box<dyn Io>) -> Box<dyn Io> {
    let connector =
        tokio_rustls::TlsConnector::from(tls_config(segur_core::testing::shared_pki(), None));
    let name = rustls_pki_types::ServerName::try_from("localhost").expect("name");
    Box::new(connector.connect(name, stream).await.expect("TLS"))
}

/// One submission connection: STARTTLS, AUTH, then `count` messages; their latencies.
async fn submitter(addr: std::net::SocketAddr, message: Arc<Vec<u8>>, count: usize) -> Latencies {
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let mut io: BufReader<Box<dyn Io>> = BufReader::new(Box::new(tcp));
    reply(&mut io).await;
    command(&mut io, "EHLO load.test").await;
    assert!(command(&mut io, "STARTTLS").await.starts_with("220"));
    let mut io = BufReader::new(tls(io.into_inner()).await);
    command(&mut io, "EHLO load.test").await;
    let plain = base64::engine::general_purpose::STANDARD
        .encode(format!("\0{FROM}\0{}", segur_mssante::TEST_PASSWORD));
    assert!(
        command(&mut io, &format!("AUTH PLAIN {plain}"))
            .await
            .starts_with("235")
    );
    let mut latencies = Latencies::new();
    for _ in 0..count {
        let started = Instant::now();
        assert!(
            command(&mut io, &format!("MAIL FROM:<{FROM}>"))
                .await
                .starts_with("250")
        );
        assert!(
            command(&mut io, &format!("RCPT TO:<{TO}>"))
                .await
                .starts_with("250")
        );
        assert!(command(&mut io, "DATA").await.starts_with("354"));
        io.get_mut().write_all(&message).await.expect("data");
        io.get_mut().flush().await.expect("flush");
        let answer = reply(&mut io).await;
        assert!(answer.starts_with("250"), "{answer}");
        latencies.record(started.elapsed());
    }
    command(&mut io, "QUIT").await;
    latencies
}

fn message(zip: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(zip);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    format!(
        "From: {FROM}\r\nTo: {TO}\r\nSubject: XDM/1.0/DDM+Prescription\r\nMessage-ID: <{}@load.test>\r\nMIME-Version: 1.0\r\nX-MSS-NIL: LOAD-1.0\r\nX-MSS-CODECDA: 57833-6\r\nX-MSS-INS: O\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nOrdonnance.\r\n--b\r\nContent-Type: application/zip; name=\"IHE_XDM.ZIP\"\r\nContent-Disposition: attachment; filename=\"IHE_XDM.ZIP\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b\r\nContent-Type: application/pdf; name=\"ORD.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--b--\r\n.\r\n",
        uuid::Uuid::new_v4(),
        lines.join("\r\n")
    )
    .into_bytes()
}

async fn imap_until(io: &mut BufReader<Box<dyn Io>>, tag: &str) -> usize {
    use tokio::io::AsyncReadExt;
    let mut bytes = 0;
    loop {
        let mut line = String::new();
        if io.read_line(&mut line).await.expect("read") == 0 {
            return bytes;
        }
        bytes += line.len();
        let trimmed = line.trim_end();
        if trimmed.ends_with('}')
            && let Some(open) = trimmed.rfind('{')
            && let Ok(size) = trimmed[open + 1..trimmed.len() - 1].parse::<usize>()
        {
            let mut literal = vec![0; size];
            io.read_exact(&mut literal).await.expect("literal");
            bytes += size;
            continue;
        }
        if line.starts_with(&format!("{tag} ")) {
            assert!(line.starts_with(&format!("{tag} OK")), "{line}");
            return bytes;
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let connections = args.first().copied().unwrap_or(8).max(1);
    let total = args.get(1).copied().unwrap_or(2_000).max(connections);
    let (bench, _dir) = segur_core::testing::bench();
    let mss = MssanteSimulator::builder(bench.clone())
        .start()
        .await
        .expect("operator");
    let zip = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/xdm/eP-MED-DM_2024.01_PosoStruct/IHE_XDM.ZIP"
    ))
    .expect("fixture");
    let message = Arc::new(message(&zip));
    println!(
        "submission: {connections} STARTTLS connections, {total} messages of {} KiB (IHE_XDM.ZIP {} KiB)",
        message.len() / 1024,
        zip.len() / 1024
    );
    // Warm-up (PKI, first handshake).
    submitter(mss.address("smtp"), message.clone(), 5).await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|i| {
            let count = total / connections + usize::from(i < total % connections);
            tokio::spawn(submitter(mss.address("smtp"), message.clone(), count))
        })
        .collect();
    let mut latencies = Latencies::new();
    for task in tasks {
        latencies.merge(task.await.expect("submitter"));
    }
    let elapsed = started.elapsed();
    println!(
        "  {:.0} messages/s ({} in {:.2} s); latency {}",
        total as f64 / elapsed.as_secs_f64(),
        total,
        elapsed.as_secs_f64(),
        latencies.summary()
    );
    let delivered = mss
        .store()
        .folder(TO, "INBOX")
        .expect("inbox")
        .messages
        .len();
    println!(
        "  delivered: {delivered}; journal head {}",
        bench.journal().head().0
    );

    // IMAP: a 1,000-message mailbox (the first 1,000 delivered above, or fed now).
    let reader = "secretariat@cabinet-lilas.mssante.fr";
    for _ in 0..1_000 {
        mss.operator()
            .feed(reader, message[..message.len() - 3].to_vec())
            .expect("fed");
    }
    let tcp = TcpStream::connect(mss.address("imaps"))
        .await
        .expect("connect");
    let mut io = BufReader::new(tls(Box::new(tcp)).await);
    let mut greeting = String::new();
    io.read_line(&mut greeting).await.expect("greeting");
    io.get_mut()
        .write_all(format!("a LOGIN {reader} {}\r\n", segur_mssante::TEST_PASSWORD).as_bytes())
        .await
        .unwrap();
    imap_until(&mut io, "a").await;
    io.get_mut().write_all(b"b SELECT INBOX\r\n").await.unwrap();
    imap_until(&mut io, "b").await;
    for (tag, items) in [
        ("c", "(FLAGS UID RFC822.SIZE ENVELOPE BODYSTRUCTURE)"),
        ("d", "(UID BODY.PEEK[HEADER])"),
    ] {
        let started = Instant::now();
        io.get_mut()
            .write_all(format!("{tag} FETCH 1:1000 {items}\r\n").as_bytes())
            .await
            .unwrap();
        let bytes = imap_until(&mut io, tag).await;
        let took: Duration = started.elapsed();
        println!(
            "IMAP FETCH 1:1000 {items}: {:.0} ms ({} KiB of answer)",
            took.as_secs_f64() * 1000.0,
            bytes / 1024
        );
    }
    mss.shutdown().await;
}
