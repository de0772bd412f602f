use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::*;
use crate::journal::{Journal, Query};
use crate::pki::Credential;

use crate::testing::shared_pki as pki;

struct Server {
    listener: TlsListener,
    journal: Journal,
    _dir: tempfile::TempDir,
}

async fn server(client_auth: ClientAuth, clock: Clock) -> Server {
    install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path(), clock.clone()).unwrap();
    let config = server_config(pki(), "insi", client_auth, &clock).unwrap();
    let listener = TlsListener::builder(config)
        .journal(journal.clone(), "insi")
        .handshake_timeout(Duration::from_secs(5))
        .bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    Server {
        listener,
        journal,
        _dir: dir,
    }
}

fn client(credential: Option<Credential>, tls12_only: bool) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki().root().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = if tls12_only {
        &[&rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots);
    let config = match credential {
        Some(c) => builder.with_client_auth_cert(c.chain, c.key).unwrap(),
        None => builder.with_no_client_auth(),
    };
    TlsConnector::from(Arc::new(config))
}

/// Connects and sends a byte; the server echoes it on an accepted connection. Returns the
/// peer the server saw, or the reason it journaled for refusing the handshake.
async fn exchange(
    server: &mut Server,
    credential: Option<&str>,
    tls12_only: bool,
) -> Result<TlsPeer, String> {
    let addr: SocketAddr = server.listener.local_addr();
    let (before, _) = server.journal.head();
    let connector = client(
        credential.map(|name| pki().credential(name).unwrap()),
        tls12_only,
    );
    let talk = tokio::spawn(async move {
        let tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let mut tls = connector
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .map_err(|e| e.to_string())?;
        tls.write_all(b"?").await.map_err(|e| e.to_string())?;
        let mut byte = [0u8; 1];
        tls.read_exact(&mut byte).await.map_err(|e| e.to_string())
    });
    let refusal = Query {
        rule: Some(TLS_HANDSHAKE_REJECTED.name.into()),
        ..Query::default()
    }
    .after(before);
    let outcome = tokio::select! {
        accepted = server.listener.next() => {
            let (mut stream, peer) = accepted.expect("listener stopped");
            let mut byte = [0u8; 1];
            stream.read_exact(&mut byte).await.unwrap();
            stream.write_all(&byte).await.unwrap();
            stream.flush().await.unwrap();
            talk.await.unwrap().expect("the client saw its echo");
            Ok(peer)
        }
        refused = server.journal.wait_for(&refusal, Duration::from_secs(5)) => {
            talk.abort();
            Err(refused.map_err(|e| e.to_string())?.findings[0].message.clone())
        }
    };
    outcome
}

#[tokio::test]
async fn valid_client_certificates_are_accepted_with_their_subject() {
    let mut server = server(ClientAuth::Required, Clock::new()).await;
    for (name, cn) in [
        (
            "structure-cabinet-lilas-auth",
            "CN=Cabinet médical des Lilas",
        ),
        ("insi-auto-ch-valbourg", "CN=INSI-AUTO"),
        ("insi-manu-pharmacie-marche", "CN=INSI-MANU"),
        ("card-dr-legrand", "CN=899900100001/LEGRAND/Jean"),
    ] {
        for tls12 in [false, true] {
            let peer = exchange(&mut server, Some(name), tls12)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                peer.subject().unwrap_or_default().contains(cn),
                "{name}: {peer:?}"
            );
            assert_eq!(peer.cert_fingerprint.as_ref().map(String::len), Some(64));
        }
    }
    let peer = exchange(&mut server, Some("insi-auto-ch-valbourg"), false)
        .await
        .unwrap();
    assert_eq!(peer.common_name(), Some("INSI-AUTO"));
}

#[tokio::test]
async fn every_negative_certificate_is_refused_and_journaled() {
    let mut server = server(ClientAuth::Required, Clock::new()).await;
    for (name, reason) in [
        ("negative-expired", "expired"),
        ("negative-not-yet-valid", "not valid yet"),
        ("negative-revoked", "revoked"),
        ("negative-unknown-ca", "unknown issuer"),
        ("negative-wrong-usage", "key usage"),
        ("structure-cabinet-lilas-sign", "key usage"),
    ] {
        let err = exchange(&mut server, Some(name), false)
            .await
            .expect_err(name);
        let lower = err.to_lowercase();
        assert!(
            lower.contains(reason) || lower.contains(&reason.replace(' ', "")),
            "{name}: {err}"
        );
    }
    let refused = server
        .journal
        .query(&Query {
            rule: Some(TLS_HANDSHAKE_REJECTED.name.into()),
            ..Query::default()
        })
        .unwrap();
    assert_eq!(refused.len(), 6);
    assert!(
        refused
            .iter()
            .all(|r| r.service == "insi" && r.operation == "tls-handshake")
    );
}

#[tokio::test]
async fn a_required_certificate_must_be_there_an_optional_one_may_not() {
    let mut required = server(ClientAuth::Required, Clock::new()).await;
    let err = exchange(&mut required, None, false).await.unwrap_err();
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    let mut optional = server(ClientAuth::Optional, Clock::new()).await;
    let peer = exchange(&mut optional, None, false).await.unwrap();
    assert_eq!(peer.subject(), None);
    // Optional still refuses a bad one.
    assert!(
        exchange(&mut optional, Some("negative-revoked"), false)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn certificate_expiry_follows_the_bench_clock() {
    let clock = Clock::new();
    clock.advance(time::Duration::days(365 * 3));
    let mut server = server(ClientAuth::Required, clock).await;
    let err = exchange(&mut server, Some("structure-cabinet-lilas-auth"), false)
        .await
        .unwrap_err();
    assert!(err.to_lowercase().contains("expired"), "{err}");
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_and_journaled_until_a_place_frees() {
    install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::new();
    let journal = Journal::open(dir.path(), clock.clone()).unwrap();
    let config = server_config(pki(), "insi", ClientAuth::Optional, &clock).unwrap();
    let mut listener = TlsListener::builder(config)
        .journal(journal.clone(), "insi")
        .max_connections(2)
        .bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr();
    let connect = || async move {
        let tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        client(None, false)
            .connect(ServerName::try_from("localhost").unwrap(), tcp)
            .await
            .map_err(|e| e.to_string())
    };
    let (a, b) = (connect().await.unwrap(), connect().await.unwrap());
    let held = [
        listener.next().await.unwrap(),
        listener.next().await.unwrap(),
    ];
    let refused = Query {
        rule: Some(TLS_CONNECTION_LIMIT.name.into()),
        ..Query::default()
    };
    assert!(connect().await.is_err(), "a third connection is closed");
    journal
        .wait_for(&refused, Duration::from_secs(5))
        .await
        .expect("the refusal is journaled");
    drop(held);
    drop((a, b));
    let mut again = Err(String::new());
    for _ in 0..20 {
        again = connect().await;
        if again.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(again.is_ok(), "a freed place is given again: {again:?}");
}
