//! A minimal HTTPS client for the INSi doors: rustls with the bench's test root, an
//! optional client certificate, hyper's HTTP/1.1 connection with keep-alive. Shared by
//! the tests and the load generator (`#[path]`-included).

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use segur_core::pki::Pki;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// A TLS client configuration trusting the test root, with `credential` (a PKI name such
/// as `insi-auto-cabinet-lilas`) as client certificate when given.
pub fn tls_config(pki: &Pki, credential: Option<&str>) -> Arc<rustls::ClientConfig> {
    segur_core::tls::install_crypto_provider();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.root().clone()).expect("test root");
    let builder = rustls::ClientConfig::builder().with_root_certificates(roots);
    let config = match credential {
        Some(name) => {
            let c = pki.credential(name).expect("credential");
            let chain: Vec<CertificateDer<'static>> = c.chain;
            let key: PrivateKeyDer<'static> = c.key;
            builder
                .with_client_auth_cert(chain, key)
                .expect("client certificate")
        }
        None => builder.with_no_client_auth(),
    };
    Arc::new(config)
}

/// One keep-alive HTTPS connection.
pub struct Connection {
    /// hyper's request sender.
    sender: SendRequest<Full<Bytes>>,
    /// `host:port`, for the Host header.
    authority: String,
}

/// What came back.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Content-Type header.
    pub content_type: String,
    /// Body as text.
    pub body: String,
}

impl Connection {
    /// Connects to the `https://host:port/...` of `url`.
    pub async fn open(url: &str, config: Arc<rustls::ClientConfig>) -> std::io::Result<Self> {
        let authority = url
            .trim_start_matches("https://")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let tcp = TcpStream::connect(&authority).await?;
        tcp.set_nodelay(true)?;
        let server = ServerName::try_from("localhost").expect("name");
        let tls = TlsConnector::from(config).connect(server, tcp).await?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(std::io::Error::other)?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Self { sender, authority })
    }

    /// Sends a request and reads the whole answer.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        content_type: &str,
        body: impl Into<Bytes>,
    ) -> Result<Answer, hyper::Error> {
        let request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.authority)
            .header("content-type", content_type)
            .body(Full::new(body.into()))
            .expect("request");
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Answer {
            status,
            content_type,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    /// POSTs a SOAP request to `/lps`.
    pub async fn soap(
        &mut self,
        content_type: &str,
        xml: impl Into<Bytes>,
    ) -> Result<Answer, hyper::Error> {
        self.send("POST", "/lps", content_type, xml).await
    }
}
