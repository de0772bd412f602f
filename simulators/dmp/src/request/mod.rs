//! Writing DMP requests as an LPS sends them: the caller ([`caller`]), the VIHF that names
//! them and the patient ([`vihf`]), and the XDS transactions ([`xds`]): ITI-41 feeds,
//! ITI-18 searches, ITI-43 retrievals and ITI-57 updates. For the tests, the load
//! generator, and anyone writing tests against the simulator. Methods named `without_*`
//! or `with_wrong_*` break one thing the DMP checks, to exercise its refusals.
//!
//! ```no_run
//! # fn demo(world: &segur_core::world::World, pki: &segur_core::pki::Pki,
//! #         cda: Vec<u8>) -> Result<(), segur_dmp::request::RequestError> {
//! use segur_dmp::request::{Caller, Feed, FeedDocument, VihfBuilder};
//! let doctor = Caller::professional(world, "dr-legrand")?;
//! let patient = world.patient("martin-durand-lea").and_then(|p| p.ins.clone()).unwrap();
//! let signer = pki.credential("structure-cabinet-lilas-sign").unwrap();
//! let vihf = VihfBuilder::new(doctor.clone(), time::OffsetDateTime::now_utc())
//!     .patient(&patient)
//!     .signed_with(&signer)?;
//! let request = Feed::new(doctor, patient)
//!     .document(FeedDocument::cda(cda)?.masked_to_professionals())
//!     .signed_with(&signer)
//!     .build(&vihf)?;
//! assert!(request.content_type.starts_with("multipart/related"));
//! # Ok(()) }
//! ```

pub mod caller;
pub mod vihf;
pub mod xds;

use bytes::Bytes;
use segur_core::saml::WSSE;
use segur_core::soap::{SOAP12, WSA};
use segur_core::xml::escape;
use thiserror::Error;

pub use caller::Caller;
pub use vihf::VihfBuilder;
pub use xds::{ChangeStatus, Feed, FeedDocument, FindDocuments, Retrieve, UpdateMetadata};

use crate::app::BASE_PATH;

/// Why a request could not be written.
#[derive(Debug, Error)]
pub enum RequestError {
    /// The world has no such professional, structure or patient.
    #[error("the world has no {0}")]
    World(String),
    /// Something the request needs was not given.
    #[error("the request needs {0}")]
    Missing(&'static str),
    /// The VIHF or the submission set could not be signed.
    #[error("signing: {0}")]
    Sign(String),
}

/// A request ready to post to `path()` with `content_type`.
#[derive(Debug, Clone)]
pub struct DmpRequest {
    /// The service it goes to: `registry`, `repository`, `patients` or `habilitations`.
    pub service: &'static str,
    /// Its `wsa:Action` (also the `action` of its content type).
    pub action: &'static str,
    /// `application/soap+xml…`, or `multipart/related…` for MTOM.
    pub content_type: String,
    /// The bytes to send.
    pub body: Bytes,
}

impl DmpRequest {
    /// The request path: `/si-dmp-server/v2/services/{service}`.
    pub fn path(&self) -> String {
        format!("{BASE_PATH}/{}", self.service)
    }

    /// The body as text (lossy for binary MTOM parts), for assertions and logs.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A plain SOAP 1.2 request.
    fn plain(service: &'static str, action: &'static str, vihf: &str, body: &str) -> Self {
        Self {
            service,
            action,
            content_type: format!("application/soap+xml; charset=utf-8; action=\"{action}\""),
            body: Bytes::from(envelope(action, vihf, body)),
        }
    }

    /// An MTOM/XOP request whose `attachments` the body points at with `xop:Include`.
    fn mtom(
        service: &'static str,
        action: &'static str,
        vihf: &str,
        body: &str,
        attachments: &[(String, String, Bytes)],
    ) -> Self {
        let (content_type, body) =
            crate::transport::mtom::write(&envelope(action, vihf, body), action, attachments);
        Self {
            service,
            action,
            content_type,
            body,
        }
    }
}

/// A SOAP 1.2 envelope with WS-Addressing (`Action`, `MessageID`, `ReplyTo` anonymous,
/// `To`) and the VIHF in `wsse:Security`.
fn envelope(action: &str, vihf: &str, body: &str) -> String {
    let vihf = vihf
        .trim_start()
        .strip_prefix("<?xml")
        .and_then(|rest| rest.split_once("?>"))
        .map_or(vihf, |(_, assertion)| assertion);
    format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<soap:Envelope xmlns:soap=\"{soap}\" xmlns:wsa=\"{wsa}\"><soap:Header>",
            "<wsa:Action soap:mustUnderstand=\"true\">{action}</wsa:Action>",
            "<wsa:MessageID>urn:uuid:{id}</wsa:MessageID>",
            "<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>",
            "<wsa:To>http://www.w3.org/2005/08/addressing/anonymous</wsa:To>",
            "<wsse:Security xmlns:wsse=\"{wsse}\">{vihf}</wsse:Security>",
            "</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>"
        ),
        soap = SOAP12,
        wsa = WSA,
        wsse = WSSE,
        action = escape(action),
        id = uuid::Uuid::new_v4(),
        vihf = vihf,
        body = body,
    )
}

/// Formats `t` as an `xs:dateTime` in UTC to the second (`2026-11-22T10:00:00Z`).
fn xs_date_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
