//! A minimal HTTPS client for the simulators' tests and load generators: rustls with the
//! bench's test root, an optional client certificate, one hyper HTTP/1.1 connection with
//! keep-alive. Requests are plain `hyper::Request`s, so a test sets exactly the headers
//! it means to test.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::HeaderMap;
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::pki::Pki;

/// A TLS client configuration trusting the test root, with `credential` (a PKI name such
/// as `insi-auto-cabinet-lilas`) as client certificate when given.
pub fn tls_config(pki: &Pki, credential: Option<&str>) -> Arc<rustls::ClientConfig> {
    crate::tls::install_crypto_provider();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.root().clone()).expect("test root");
    let builder = rustls::ClientConfig::builder().with_root_certificates(roots);
    let config = match credential {
        Some(name) => {
            let c = pki.credential(name).expect("credential");
            builder
                .with_client_auth_cert(c.chain, c.key)
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
    /// Content-Type header ("" when absent).
    pub content_type: String,
    /// Every header, for the ones a test looks at (`Location`, `WWW-Authenticate`...).
    pub headers: HeaderMap,
    /// Body as text.
    pub body: String,
}

impl Answer {
    /// A header's value as text ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
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

    /// `host:port` this connection reaches.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// Sends `request` (its Host header is set here) and reads the whole answer.
    pub async fn request(
        &mut self,
        mut request: hyper::Request<Full<Bytes>>,
    ) -> Result<Answer, hyper::Error> {
        if let Ok(host) = self.authority.parse() {
            request.headers_mut().insert(hyper::header::HOST, host);
        }
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Answer {
            status,
            content_type: headers
                .get(hyper::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string(),
            headers,
            body: String::from_utf8(body.to_vec())
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        })
    }

    /// Sends a request with a body of `content_type`.
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
            .header(hyper::header::CONTENT_TYPE, content_type)
            .body(Full::new(body.into()))
            .expect("request");
        self.request(request).await
    }

    /// GETs `path` with no body.
    pub async fn get(&mut self, path: &str) -> Result<Answer, hyper::Error> {
        let request = hyper::Request::builder()
            .method("GET")
            .uri(path)
            .body(Full::new(Bytes::new()))
            .expect("request");
        self.request(request).await
    }
}
