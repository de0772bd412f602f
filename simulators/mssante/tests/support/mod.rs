//! A bench with a PSC simulator and an MSSanté operator on ephemeral ports, a raw
//! line-oriented client that speaks SMTP or IMAP bytes (plain, STARTTLS, implicit TLS),
//! PSC tokens from a real code flow, and the ANS IHE_XDM examples.

#![allow(dead_code)] // each test binary uses its own part of the support

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use segur_core::bench::Bench;
use segur_core::journal::{Query, Record};
use segur_core::testing::https::{Connection, tls_config};
use segur_mssante::{MssanteHandle, MssanteSimulator};
use segur_psc::{Directive, PscHandle, PscSimulator, SigningKey};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Dr Legrand's personal mailbox and national id.
pub const LEGRAND: &str = "jean.legrand@medecin.mssante.fr";
/// Dr Legrand's national id.
pub const LEGRAND_ID: &str = "899900100001";
/// Dr Colin's personal mailbox.
pub const COLIN: &str = "anne.colin@medecin.mssante.fr";
/// The Lilas practice's LGC (APP mailbox) and its authentication credential.
pub const LGC: &str = "lgc@cabinet-lilas.mssante.fr";
/// The PKI credential of the Lilas practice's authentication certificate.
pub const LGC_CERT: &str = "structure-cabinet-lilas-auth";

/// One realm key for the whole test binary.
pub fn key() -> Arc<SigningKey> {
    static KEY: OnceLock<Arc<SigningKey>> = OnceLock::new();
    KEY.get_or_init(|| Arc::new(SigningKey::generate(2048).expect("RSA key")))
        .clone()
}

/// A running bench with PSC and the operator.
pub struct TestBench {
    /// World, clock, journal.
    pub bench: Bench,
    /// The PSC simulator (tokens).
    pub psc: PscHandle,
    /// The operator.
    pub mss: MssanteHandle,
    /// Keeps the journal folder alive.
    _dir: tempfile::TempDir,
}

/// Starts a bench on the default world.
pub async fn start() -> TestBench {
    start_with(segur_mssante::MssanteConfig::default()).await
}

/// Starts a bench whose operator has `config`.
pub async fn start_with(config: segur_mssante::MssanteConfig) -> TestBench {
    let (bench, dir) = segur_core::testing::bench();
    let psc = PscSimulator::builder(bench.clone())
        .signing_key(key())
        .start()
        .await
        .expect("PSC starts");
    let mss = MssanteSimulator::builder(bench.clone())
        .config(config)
        .start()
        .await
        .expect("MSSanté starts");
    TestBench {
        bench,
        psc,
        mss,
        _dir: dir,
    }
}

impl TestBench {
    /// A socket address of the operator (`smtp`, `smtps`, `imap`, `imaps`).
    pub fn addr(&self, endpoint: &str) -> SocketAddr {
        self.mss.address(endpoint)
    }

    /// Journal records of the operator.
    pub fn records(&self) -> Vec<Arc<Record>> {
        self.bench
            .journal()
            .query(&Query::service("mssante"))
            .expect("journal")
    }

    /// Whether some record of the operator carries `rule`.
    pub fn flagged(&self, rule: &str) -> bool {
        self.records().iter().any(|r| r.has_rule(rule))
    }

    /// The rules of the last `SMTP DATA` record.
    pub fn last_submission_rules(&self) -> Vec<String> {
        self.records()
            .iter()
            .rev()
            .find(|r| r.operation == "SMTP DATA")
            .map(|r| r.findings.iter().map(|f| f.rule.clone()).collect())
            .unwrap_or_default()
    }

    /// An access token for `professional` (world id) from a real code flow at the PSC
    /// simulator.
    pub async fn psc_token(&self, professional: &str) -> String {
        const CLIENT: &str = "segur-bench-reference-lps";
        const SECRET: &str = "reference-lps-secret";
        const REDIRECT: &str = "http://127.0.0.1:8700/callback";
        self.psc
            .control()
            .next_authentication(
                CLIENT,
                Directive::Authenticate {
                    professional: professional.into(),
                },
            )
            .expect("directive");
        let form = |pairs: &[(&str, &str)]| serde_urlencoded::to_string(pairs).expect("form");
        let query = form(&[
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid scope_all"),
            ("acr_values", "eidas1"),
            ("state", "s"),
            ("nonce", "n"),
        ]);
        let pki = segur_core::testing::shared_pki();
        let mut wallet = Connection::open(self.psc.wallet(), tls_config(pki, None))
            .await
            .expect("wallet");
        let answer = wallet
            .get(&format!("/auth?{query}"))
            .await
            .expect("authorize");
        assert_eq!(answer.status, 302, "{}", answer.body);
        let location = answer.header("location").to_string();
        let code = location
            .split_once("code=")
            .map(|(_, rest)| rest.split('&').next().unwrap_or_default().to_string())
            .expect("a code");
        let issuer = self.psc.issuer().to_string();
        let path = format!(
            "{}/protocol/openid-connect/token",
            issuer
                .split_once("://")
                .map(|(_, r)| &r[r.find('/').unwrap_or(0)..])
                .unwrap_or("")
        );
        let mut connection = Connection::open(&issuer, tls_config(pki, None))
            .await
            .expect("issuer");
        let body = form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ]);
        use base64::Engine;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT}:{SECRET}"));
        let request = hyper::Request::builder()
            .method("POST")
            .uri(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("authorization", format!("Basic {basic}"))
            .body(http_body_util::Full::new(bytes::Bytes::from(body)))
            .expect("request");
        let tokens = connection.request(request).await.expect("token answer");
        assert_eq!(tokens.status, 200, "{}", tokens.body);
        let json: serde_json::Value = serde_json::from_str(&tokens.body).expect("JSON");
        json["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }
}

/// A byte stream to the operator, plain or TLS.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A raw protocol client: write lines, read lines.
pub struct Client {
    /// The stream, buffered for line reads.
    io: BufReader<Box<dyn Io>>,
}

/// A rustls client configuration trusting the test root, with `credential` as client
/// certificate when given.
pub fn client_tls(credential: Option<&str>) -> Arc<rustls::ClientConfig> {
    tls_config(segur_core::testing::shared_pki(), credential)
}

async fn tls_over(stream: Box<dyn Io>, credential: Option<&str>) -> Box<dyn Io> {
    let connector = tokio_rustls::TlsConnector::from(client_tls(credential));
    let name = rustls_pki_types::ServerName::try_from("localhost").expect("name");
    Box::new(
        connector
            .connect(name, stream)
            .await
            .expect("TLS handshake"),
    )
}

impl Client {
    /// A plain connection.
    pub async fn plain(addr: SocketAddr) -> Self {
        let tcp = TcpStream::connect(addr).await.expect("connect");
        Self {
            io: BufReader::new(Box::new(tcp)),
        }
    }

    /// An implicit-TLS connection.
    pub async fn tls(addr: SocketAddr, credential: Option<&str>) -> Self {
        let tcp = TcpStream::connect(addr).await.expect("connect");
        Self {
            io: BufReader::new(tls_over(Box::new(tcp), credential).await),
        }
    }

    /// Upgrades after STARTTLS was accepted.
    pub async fn starttls(self, credential: Option<&str>) -> Self {
        let inner = self.io.into_inner();
        Self {
            io: BufReader::new(tls_over(inner, credential).await),
        }
    }

    /// Writes raw bytes.
    pub async fn send(&mut self, bytes: &[u8]) {
        let stream = self.io.get_mut();
        stream.write_all(bytes).await.expect("write");
        stream.flush().await.expect("flush");
    }

    /// Writes a line, adding CRLF.
    pub async fn line(&mut self, line: &str) {
        self.send(format!("{line}\r\n").as_bytes()).await;
    }

    /// Reads one line (empty at EOF), with a 10 s guard.
    pub async fn read_line(&mut self) -> String {
        let mut line = String::new();
        match tokio::time::timeout(
            std::time::Duration::from_secs(10),
            self.io.read_line(&mut line),
        )
        .await
        {
            Ok(_) => line,
            Err(_) => panic!("no answer within 10 s"),
        }
    }

    /// Reads a whole SMTP reply (continuation lines included); the lines joined.
    pub async fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let line = self.read_line().await;
            all.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return all;
            }
        }
    }

    /// Sends an SMTP command and reads its reply.
    pub async fn smtp(&mut self, command: &str) -> String {
        self.line(command).await;
        self.reply().await
    }

    /// Reads IMAP lines until the tagged answer for `tag`, reading literals whole.
    pub async fn until_tagged(&mut self, tag: &str) -> String {
        let mut all = String::new();
        loop {
            let line = self.read_line().await;
            if line.is_empty() {
                return all;
            }
            all.push_str(&line);
            if let Some(size) = literal_size(&line) {
                let mut literal = vec![0u8; size];
                self.io.read_exact(&mut literal).await.expect("literal");
                all.push_str(&String::from_utf8_lossy(&literal));
                continue;
            }
            if line.starts_with(&format!("{tag} ")) {
                return all;
            }
        }
    }

    /// Sends an IMAP command (tag included) and reads up to its tagged answer.
    pub async fn imap(&mut self, tag: &str, command: &str) -> String {
        self.line(&format!("{tag} {command}")).await;
        self.until_tagged(tag).await
    }

    /// Whether the server closed the connection (EOF within 10 s).
    pub async fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        matches!(
            tokio::time::timeout(
                std::time::Duration::from_secs(10),
                self.io.read_to_end(&mut rest)
            )
            .await,
            Ok(Ok(_)) | Ok(Err(_))
        )
    }
}

fn literal_size(line: &str) -> Option<usize> {
    let trimmed = line.trim_end();
    let open = trimmed.rfind('{')?;
    trimmed
        .ends_with('}')
        .then(|| trimmed[open + 1..trimmed.len() - 1].parse().ok())?
}

/// An ANS IHE_XDM example from `fixtures/xdm/`.
pub fn xdm_example(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../fixtures/xdm/{name}/IHE_XDM.ZIP",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

/// Every ANS example name.
pub fn xdm_examples() -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(format!("{}/../../fixtures/xdm", env!("CARGO_MANIFEST_DIR")))
            .expect("fixtures")
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
    names.sort();
    names
}

/// Base64 lines of `bytes` (76 columns), as MIME writes them.
pub fn base64_lines(bytes: &[u8]) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    encoded
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\r\n", String::from_utf8_lossy(c)))
        .collect()
}

/// A message as an LPS writes it: headers, a text part, `IHE_XDM.ZIP` and a PDF.
pub struct Mail {
    /// Header lines (without CRLF).
    pub headers: Vec<String>,
    /// The archive, if any.
    pub xdm: Option<Vec<u8>>,
    /// The PDF attached beside it.
    pub pdf: Option<Vec<u8>>,
}

/// A PDF/A-1b: the reference LPS's page, kept in `simulators/documents` (a test of the
/// reference LPS keeps it equal to what its renderer writes).
pub const SAMPLE_PDF: &[u8] = include_bytes!("../../../documents/src/pdfa/sample-pdfa-1b.pdf");

/// The `Intitulé_BAL` of a test sender (ECO.2.2.7): the names of the world's
/// professionals, a functional entity for the rest.
pub fn label_of(address: &str) -> &'static str {
    match address {
        LEGRAND => "Jean LEGRAND",
        COLIN => "Anne COLIN",
        _ => "Service de test",
    }
}

impl Mail {
    /// A mail from `from` to `to` with a Message-ID, `X-MSS-NIL` and the subject.
    pub fn new(from: &str, to: &str, subject: &str) -> Self {
        Self {
            headers: vec![
                format!("From: {} <{from}>", label_of(from)),
                format!("To: {to}"),
                format!("Subject: {subject}"),
                format!("Message-ID: <{}@lps.test>", uuid::Uuid::new_v4()),
                "Date: Sun, 22 Nov 2026 10:00:00 +0100".into(),
                "MIME-Version: 1.0".into(),
                "X-MSS-NIL: SEGUR-BENCH-LPS-1.0".into(),
            ],
            xdm: None,
            pdf: None,
        }
    }

    /// Adds a header line.
    pub fn header(mut self, line: &str) -> Self {
        self.headers.push(line.to_string());
        self
    }

    /// Removes the headers named `name`.
    pub fn without(mut self, name: &str) -> Self {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        self.headers
            .retain(|h| !h.to_ascii_lowercase().starts_with(&prefix));
        self
    }

    /// Attaches an archive and the PDF beside it: the one its level-1 CDA carries, as
    /// ECO.2.1.5 wants, or the sample PDF/A-1b when the archive holds none.
    pub fn with_xdm(mut self, zip: Vec<u8>) -> Self {
        let report = segur_documents::xdm::check(&zip, &Default::default());
        self.pdf = Some(
            report
                .documents
                .iter()
                .find_map(|d| d.pdf.clone())
                .unwrap_or_else(|| SAMPLE_PDF.to_vec()),
        );
        self.xdm = Some(zip);
        self
    }

    /// The message bytes (CRLF).
    pub fn build(&self) -> Vec<u8> {
        let boundary = "=_segur_bench_boundary";
        let mut out = String::new();
        for h in &self.headers {
            out.push_str(h);
            out.push_str("\r\n");
        }
        out.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
        ));
        out.push_str(&format!("--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour, voici le document.\r\n"));
        if let Some(zip) = &self.xdm {
            out.push_str(&format!(
                "--{boundary}\r\nContent-Type: application/zip; name=\"IHE_XDM.ZIP\"\r\nContent-Disposition: attachment; filename=\"IHE_XDM.ZIP\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
                base64_lines(zip)
            ));
        }
        if let Some(pdf) = &self.pdf {
            out.push_str(&format!(
                "--{boundary}\r\nContent-Type: application/pdf; name=\"CR.pdf\"\r\nContent-Disposition: attachment; filename=\"CR.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
                base64_lines(pdf)
            ));
        }
        out.push_str(&format!("--{boundary}--\r\n"));
        out.into_bytes()
    }
}

/// Logs in over SMTPS with the test password; the client after `235`.
pub async fn smtp_as(t: &TestBench, address: &str) -> Client {
    use base64::Engine;
    let mut c = Client::tls(t.addr("smtps"), None).await;
    assert!(c.reply().await.starts_with("220 "));
    assert!(c.smtp("EHLO lps.test").await.starts_with("250"));
    let plain = base64::engine::general_purpose::STANDARD
        .encode(format!("\0{address}\0{}", segur_mssante::TEST_PASSWORD));
    let answer = c.smtp(&format!("AUTH PLAIN {plain}")).await;
    assert!(answer.starts_with("235 "), "{answer}");
    c
}

/// MAIL FROM `from`, RCPT TO each of `to`, DATA: each accepted, the client ready to send
/// the message.
pub async fn open_data(c: &mut Client, from: &str, to: &[&str]) {
    let answer = c.smtp(&format!("MAIL FROM:<{from}>")).await;
    assert!(answer.starts_with("250 "), "{answer}");
    for rcpt in to {
        let answer = c.smtp(&format!("RCPT TO:<{rcpt}>")).await;
        assert!(answer.starts_with("250 "), "RCPT {rcpt}: {answer}");
    }
    let answer = c.smtp("DATA").await;
    assert!(answer.starts_with("354"), "{answer}");
}

/// Submits `message` from `from` to `to` over an authenticated client; the reply to the
/// final dot.
pub async fn submit(c: &mut Client, from: &str, to: &[&str], message: &[u8]) -> String {
    open_data(c, from, to).await;
    let mut body = Vec::new();
    for line in message.split_inclusive(|b| *b == b'\n') {
        if line.starts_with(b".") {
            body.push(b'.');
        }
        body.extend_from_slice(line);
    }
    if !body.ends_with(b"\r\n") {
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b".\r\n");
    c.send(&body).await;
    c.reply().await
}
