//! Writing INSi requests as an LPS sends them, for tests, the load generator and anyone
//! writing tests against the simulator. Each `without_*` method removes one thing the
//! contract requires, to exercise the service's refusals.
//!
//! ```
//! use segur_insi::request::InsiRequest;
//! use segur_insi::query::TraitsQuery;
//! let request = InsiRequest::search_by_traits(&TraitsQuery {
//!     birth_name: Some("ADRTROIS".into()),
//!     first_names: vec!["DOMINIQUE".into()],
//!     sex: Some("F".into()),
//!     birth_date: Some("1997-02-26".into()),
//!     birthplace: None,
//! })
//! .idam("TESTSGIE0000");
//! assert!(request.to_xml().contains("<ins:NomNaissance>ADRTROIS</ins:NomNaissance>"));
//! assert!(request.content_type().contains("rechercherInsAvecTraitsIdentite"));
//! ```

use segur_core::soap::{SOAP12, WSA};
use segur_core::world::Ins;
use segur_core::xml::escape;

use crate::context::{CTXBAM, CTXLPS};
use crate::operation::Operation;
use crate::query::{REC_SANS, REC_VIT, TraitsQuery, VitaleQuery};

/// An INSi request being written.
#[derive(Debug, Clone)]
pub struct InsiRequest {
    /// The operation (sets the default action).
    operation: Operation,
    /// The body element, already written.
    body: String,
    /// `ContexteLPS/LPS/IDAM`; `None` leaves the element out.
    idam: Option<String>,
    /// Whether `ContexteLPS` is sent.
    context_lps: bool,
    /// Whether `ContexteBAM` is sent.
    context_bam: bool,
    /// Whether `ContexteBAM/COUVERTURE` is sent.
    couverture: bool,
    /// `wsa:MessageID`; `None` leaves it out.
    message_id: Option<String>,
    /// `wsa:Action`; `None` leaves it out.
    wsa_action: Option<String>,
    /// A SAML assertion put in `wsse:Security` (CPx door).
    assertion: Option<String>,
}

impl InsiRequest {
    fn new(operation: Operation, body: String) -> Self {
        Self {
            operation,
            body,
            idam: Some("TESTSGIE0000".into()),
            context_lps: true,
            context_bam: true,
            couverture: true,
            message_id: Some(format!("uuid:{}", uuid_like(&operation))),
            wsa_action: Some(operation.action()),
            assertion: None,
        }
    }

    /// `rechercherInsAvecTraitsIdentite` with these traits.
    pub fn search_by_traits(traits: &TraitsQuery) -> Self {
        Self::new(
            Operation::SearchByTraits,
            format!(
                "<ins:RECSANSVITALE xmlns:ins=\"{REC_SANS}\">{}</ins:RECSANSVITALE>",
                traits_xml("ins:", traits, false)
            ),
        )
    }

    /// `rechercherInsAvecCarteVitale` with what the card gives.
    pub fn search_by_vitale(card: &VitaleQuery) -> Self {
        let mut body = String::new();
        let matricule = |name: &str, nir: &Option<String>| {
            nir.as_ref()
                .map(|n| {
                    format!(
                        "<v:{name}><v:NumIdentifiant>{}</v:NumIdentifiant></v:{name}>",
                        escape(n)
                    )
                })
                .unwrap_or_default()
        };
        body.push_str(&matricule("MatriculeIndividu", &card.beneficiary_nir));
        body.push_str(&matricule("MatriculeOD", &card.od_nir));
        for (name, value) in [
            ("NomNaissance", &card.birth_name),
            ("DateNaissance", &card.birth_date),
            ("RangNaissance", &card.rank),
        ] {
            if let Some(v) = value {
                body.push_str(&format!("<v:{name}>{}</v:{name}>", escape(v)));
            }
        }
        Self::new(
            Operation::SearchByVitale,
            format!("<v:RECVITALE xmlns:v=\"{REC_VIT}\">{body}</v:RECVITALE>"),
        )
    }

    /// The bench's verification operation, with the `INSFourni` payload shape.
    pub fn verify(supplied: &Ins, traits: &TraitsQuery) -> Self {
        Self::new(
            Operation::Verify,
            format!(
                "<RequeteUnitaire><IndividuVerifie><INSFourni><IdIndividu><NumIdentifiant>{}</NumIdentifiant><Cle>{}</Cle><TypeMatricule>INS</TypeMatricule></IdIndividu><OID>{}</OID></INSFourni><TraitsIdentiteIndividu>{}</TraitsIdentiteIndividu></IndividuVerifie></RequeteUnitaire>",
                escape(&supplied.matricule),
                escape(&supplied.key),
                escape(&supplied.oid),
                traits_xml("", traits, true)
            ),
        )
    }

    /// Sets the software's authorisation number.
    pub fn idam(mut self, idam: &str) -> Self {
        self.idam = Some(idam.to_string());
        self
    }

    /// Sends `ContexteLPS` without `LPS/IDAM`.
    pub fn without_idam(mut self) -> Self {
        self.idam = None;
        self
    }

    /// Leaves `ContexteLPS` out.
    pub fn without_context_lps(mut self) -> Self {
        self.context_lps = false;
        self
    }

    /// Leaves `ContexteBAM` out.
    pub fn without_context_bam(mut self) -> Self {
        self.context_bam = false;
        self
    }

    /// Sends `ContexteBAM` without `COUVERTURE`.
    pub fn without_couverture(mut self) -> Self {
        self.couverture = false;
        self
    }

    /// Sets `wsa:MessageID`.
    pub fn message_id(mut self, id: &str) -> Self {
        self.message_id = Some(id.to_string());
        self
    }

    /// Leaves `wsa:MessageID` out.
    pub fn without_message_id(mut self) -> Self {
        self.message_id = None;
        self
    }

    /// Sets `wsa:Action` (and the content type's action) to `action`.
    pub fn action(mut self, action: &str) -> Self {
        self.wsa_action = Some(action.to_string());
        self
    }

    /// Leaves `wsa:Action` out (the content type keeps the operation's action).
    pub fn without_wsa_action(mut self) -> Self {
        self.wsa_action = None;
        self
    }

    /// Puts a SAML assertion in `wsse:Security` (for the CPx door).
    pub fn assertion(mut self, assertion: &str) -> Self {
        self.assertion = Some(assertion.to_string());
        self
    }

    /// The `Content-Type` to send, with the action parameter.
    pub fn content_type(&self) -> String {
        let action = self
            .wsa_action
            .clone()
            .unwrap_or_else(|| self.operation.action());
        format!("application/soap+xml;charset=utf-8;action=\"{action}\"")
    }

    /// The envelope.
    pub fn to_xml(&self) -> String {
        let mut header = String::new();
        if self.context_bam {
            header.push_str(&format!(
                "<bam:ContexteBAM xmlns:bam=\"{CTXBAM}\" Version=\"01_02\"><bam:Id>7d1f1f0e-3c56-4b8e-9a4a-000000000001</bam:Id><bam:Temps>2026-11-22T10:00:00.000Z</bam:Temps>{}</bam:ContexteBAM>",
                if self.couverture { "<bam:COUVERTURE/>" } else { "" }
            ));
        }
        if let Some(id) = &self.message_id {
            header.push_str(&format!(
                "<wsa:MessageID xmlns:wsa=\"{WSA}\">{}</wsa:MessageID>",
                escape(id)
            ));
        }
        if let Some(action) = &self.wsa_action {
            header.push_str(&format!(
                "<wsa:Action xmlns:wsa=\"{WSA}\">{}</wsa:Action>",
                escape(action)
            ));
        }
        if self.context_lps {
            let idam = self
                .idam
                .as_ref()
                .map(|i| format!("<lps:IDAM R=\"4\">{}</lps:IDAM>", escape(i)))
                .unwrap_or_default();
            header.push_str(&format!(
                "<lps:ContexteLPS xmlns:lps=\"{CTXLPS}\" Version=\"01_00\"><lps:Id>7d1f1f0e-3c56-4b8e-9a4a-000000000002</lps:Id><lps:Temps>2026-11-22T10:00:00.000Z</lps:Temps><lps:Emetteur>499900100001001</lps:Emetteur><lps:LPS>{idam}<lps:Version>1.0.0</lps:Version><lps:Instance>3f2b8c1e-5a7d-4e9f-8b6a-1c2d3e4f5a6b</lps:Instance><lps:Nom>urn:lps:segur-bench:1.0.0</lps:Nom></lps:LPS></lps:ContexteLPS>"
            ));
        }
        if let Some(assertion) = &self.assertion {
            header.push_str(&format!(
                "<wsse:Security xmlns:wsse=\"{}\">{assertion}</wsse:Security>",
                segur_core::saml::WSSE
            ));
        }
        format!(
            "<soap:Envelope xmlns:soap=\"{SOAP12}\"><soap:Header>{header}</soap:Header><soap:Body>{}</soap:Body></soap:Envelope>",
            self.body
        )
    }
}

fn traits_xml(prefix: &str, t: &TraitsQuery, list: bool) -> String {
    let mut out = String::new();
    let mut leaf = |name: &str, v: &str| {
        out.push_str(&format!("<{prefix}{name}>{}</{prefix}{name}>", escape(v)));
    };
    if let Some(n) = &t.birth_name {
        leaf("NomNaissance", n);
    }
    for p in &t.first_names {
        leaf("Prenom", p);
    }
    if list && !t.first_names.is_empty() {
        leaf("ListePrenom", &t.first_names.join(" "));
    }
    if let Some(s) = &t.sex {
        leaf("Sexe", s);
    }
    if let Some(d) = &t.birth_date {
        leaf("DateNaissance", d);
    }
    if let Some(c) = &t.birthplace {
        leaf("LieuNaissance", c);
    }
    out
}

/// A message id unique enough for a test run, without a random source.
fn uuid_like(operation: &Operation) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("00000000-0000-4000-8000-{:06x}{:06x}", *operation as u8, n)
}
