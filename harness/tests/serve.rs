//! `segur-bench serve` as a user runs it: the real binary, ephemeral ports, raw HTTP.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_segur-bench");

struct Serve {
    child: Child,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn start(dir: &Path) -> (Serve, serde_json::Value) {
    let endpoints = dir.join("endpoints.json");
    let child = Command::new(BIN)
        .args(["serve", "--port-base", "0", "--endpoints-file"])
        .arg(&endpoints)
        .arg("--pki-dir")
        .arg(dir.join("pki"))
        .arg("--journal-dir")
        .arg(dir.join("journal"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let serve = Serve { child };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !endpoints.exists() {
        assert!(
            Instant::now() < deadline,
            "serve never wrote its endpoints file"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let doc = serde_json::from_slice(&std::fs::read(&endpoints).unwrap()).unwrap();
    (serve, doc)
}

/// One HTTP/1.1 request over a plain socket; returns the status line and the body.
fn http(control: &str, method: &str, path: &str, body: Option<&str>) -> (String, String) {
    let addr = control.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.lines().next().unwrap_or_default().to_string();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn serve_starts_answers_and_stops_gracefully_with_an_intact_journal() {
    let dir = tempfile::tempdir().unwrap();
    let (mut serve, endpoints) = start(dir.path());
    let control = endpoints["control"].as_str().unwrap().to_string();
    assert!(control.starts_with("http://127.0.0.1:"), "{control}");
    assert!(
        Path::new(endpoints["pki_dir"].as_str().unwrap())
            .join("index.json")
            .is_file()
    );
    for door in ["mtls", "cpx"] {
        let url = endpoints["services"]["insi"][door]
            .as_str()
            .unwrap_or_default();
        assert!(
            url.starts_with("https://127.0.0.1:") && url.ends_with("/lps"),
            "insi.{door}: {url:?}"
        );
    }

    let issuer = endpoints["services"]["psc"]["issuer"]
        .as_str()
        .unwrap_or_default();
    assert!(
        issuer.starts_with("https://127.0.0.1:") && issuer.ends_with("/auth/realms/esante-wallet"),
        "psc.issuer: {issuer:?}"
    );
    let wallet = endpoints["services"]["psc"]["wallet"]
        .as_str()
        .unwrap_or_default();
    assert!(
        wallet.starts_with("https://127.0.0.1:") && wallet.ends_with("/auth"),
        "psc.wallet: {wallet:?}"
    );
    let dmp = endpoints["services"]["dmp"]["base"]
        .as_str()
        .unwrap_or_default();
    assert!(
        dmp.starts_with("https://127.0.0.1:") && dmp.ends_with("/si-dmp-server/v2/services"),
        "dmp.base: {dmp:?}"
    );
    for (door, scheme) in [
        ("smtp", "smtp"),
        ("smtps", "smtps"),
        ("imap", "imap"),
        ("imaps", "imaps"),
    ] {
        let url = endpoints["services"]["mssante"][door]
            .as_str()
            .unwrap_or_default();
        assert!(
            url.starts_with(&format!("{scheme}://127.0.0.1:")),
            "mssante.{door}: {url:?}"
        );
    }
    // The SMTP submission port greets in clear (STARTTLS follows).
    let smtp = endpoints["services"]["mssante"]["smtp"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("smtp://")
        .to_string();
    let mut greeting = [0u8; 4];
    std::io::Read::read_exact(&mut TcpStream::connect(&smtp).unwrap(), &mut greeting).unwrap();
    assert_eq!(&greeting, b"220 ");
    let (status, body) = http(&control, "GET", "/api/v1/mssante/mailboxes", None);
    assert!(status.contains("200") && body == "{}", "{status} {body}");
    let (status, body) = http(&control, "GET", "/api/v1/dmp/documents", None);
    assert!(status.contains("200") && body == "[]", "{status} {body}");
    // The PSC control routes are mounted on the control API.
    let (status, body) = http(&control, "GET", "/api/v1/psc/ciba", None);
    assert!(status.contains("200"), "{status} {body}");
    assert!(body.contains("\"requests\":[]"), "{body}");

    let (status, body) = http(&control, "GET", "/api/v1/health", None);
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("\"status\":\"ok\""), "{body}");

    let (status, body) = http(&control, "POST", "/api/v1/faults", Some("{oops"));
    assert!(status.contains("400"), "{status}");
    assert!(body.contains("\"error\":\"bad_request\""), "{body}");

    let (status, _) = http(
        &control,
        "PUT",
        "/api/v1/scenario",
        Some(r#"{"name":"INS/va1.52"}"#),
    );
    assert!(status.contains("200"), "{status}");

    // A client streaming the journal must not hold the shutdown up.
    let addr = control.trim_start_matches("http://").to_string();
    let mut sse = TcpStream::connect(&addr).unwrap();
    write!(
        sse,
        "GET /api/v1/journal/stream HTTP/1.1\r\nHost: {addr}\r\n\r\n"
    )
    .unwrap();
    let mut head = [0u8; 12];
    sse.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");

    // Ctrl-C: the bench stops by itself and syncs its journal.
    let pid = serve.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = serve.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    let mut out = String::new();
    serve
        .child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(
        out.contains("ready in") && out.contains("stopped; journal"),
        "{out}"
    );

    let verify = Command::new(BIN)
        .args(["journal", "verify"])
        .arg(dir.path().join("journal/journal.jsonl"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(
        verify.status.success() && text.contains("1 records, chain intact"),
        "{text}"
    );
}

#[test]
fn a_second_serve_reuses_the_pki() {
    let dir = tempfile::tempdir().unwrap();
    let (first, endpoints) = start(dir.path());
    drop(first);
    let index = Path::new(endpoints["pki_dir"].as_str().unwrap()).join("index.json");
    let before = std::fs::read(&index).unwrap();
    std::fs::remove_file(dir.path().join("endpoints.json")).unwrap();
    let (_second, _) = start(dir.path());
    assert_eq!(
        std::fs::read(&index).unwrap(),
        before,
        "the PKI was issued again"
    );
}

#[test]
fn a_bad_world_file_stops_serve_with_a_message_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let world = dir.path().join("world.toml");
    std::fs::write(&world, "[software]\ninsi_idam = []\n").unwrap();
    let output = Command::new(BIN)
        .args(["serve", "--port-base", "0", "--world"])
        .arg(&world)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("world.toml") && err.contains("missing field `dmp_homologation`"),
        "{err}"
    );
}

#[test]
fn every_command_teaches_with_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["pki", "init", "--help"],
        &["pki", "show", "--help"],
        &["journal", "verify", "--help"],
        &["world", "check", "--help"],
    ] {
        let output = Command::new(BIN).args(args).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("Usage:"), "{args:?}: {text}");
    }
    let output = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("--endpoints-file")
            && text.contains("--port-base")
            && text.contains("Loopback by default"),
        "{text}"
    );
}
