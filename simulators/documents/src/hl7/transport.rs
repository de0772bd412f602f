//! The CI-SIS volet "Transmission de documents CDA-R2 en HL7v2" (Ségur vague 2, profile
//! `CISIS_CDA_HL7_V2` 2.1): how a producer (DPI, RIS, SGL) hands a CDA document to the
//! establishment's PFI, which publishes it on the DMP and sends it by MSSanté, and how the
//! PFI hands a document received by MSSanté to the DPI.
//!
//! Facts used (ANS IG `ansforge/IG-hl7v2-volet-transmission-document-cda-r2`, pages
//! "Profils des messages", "Exemples", "Accusés métier ZAM", "Codes d'erreur", and the ANS
//! example messages in `fixtures/hl7/`):
//! - `MDM^T02^MDM_T02` in HL7 v2.6 carries one document; `ORU^R01^ORU_R01` in v2.5 one or
//!   two (Ségur vague 2: one). `MSH-21` names the profile `CISIS_CDA_HL7_V2`.
//! - MDM segments: `MSH EVN PID PV1 ORC [TQ1] OBR [NTE] TXA {OBX [PRT] [NTE]}`; ORU:
//!   `MSH PID [PV1] {ORC OBR [NTE] [TQ1] {OBX [PRT] [NTE]}}`.
//! - The document is the first `OBX`: `OBX-2` `ED`, `OBX-3` its LOINC type
//!   (`18748-4^…^LN`), `OBX-5` `^TEXT^XML^Base64^<CDA in base64>`, `OBX-11` the request on
//!   the document: `F` initial transmission, `C` replacement, `D` deletion.
//! - The `PRT` segments after it (pre-adopted from v2.9): `PRT-4` `SB` (sent by), `RCT`
//!   (results copies to: an MSSanté recipient, address as `…^X.400^<address>`), `REPLY`.
//! - The following `OBX` carry metadata coded in `MetaDMPMSS` (`CE`/`CWE`, value `Y` or
//!   `N`): `MASQUE_PS`, `INVISIBLE_PATIENT`, `INVISIBLE_REP_LEGAUX`, `CONNEXION_SECRETE`,
//!   `MODIF_CONF_CODE`, `DESTDMP`, `DESTMSSANTEPS`, `DESTMSSANTEPAT`, `ACK_RECEPTION`,
//!   `ACK_LECTURE` / `ACK_LECTURE_MSS`; and `ED` mail bodies `CORPSMAIL_PS`,
//!   `CORPSMAIL_PATIENT`.
//! - The receiver answers each message with an `ACK` (`MSA-1` `AA`, `AE` or `AR`, `MSA-2`
//!   the message's `MSH-10`; on error `ERR-3` from HL7 table 0357 — 100 segment sequence,
//!   101 required field missing, 207 application error — and `ERR-5` the application's
//!   code: 900–905 for a DPI that cannot integrate a document, `DMPClosed`...).
//! - The PFI later sends business acknowledgements `ZAM^Z01^ZAM_Z01`: `OBX-3` from
//!   `AckMetierZAM` (`ACK_RECEPTION_DMP`, `ACK_RECEPTION_MSS`, `ACK_LECTURE_MSS`...),
//!   `OBX-4` the `MSH-10` of the message acknowledged, `OBX-5` `Y`/`N` (HL70136), an `ERR`
//!   segment when `N`.

use std::collections::BTreeMap;

use base64::Engine as _;
use segur_core::finding::{Finding, Rule, Severity};

use super::{Parsed, Segment, parse_bounded, pid_identity};

/// The requirements a transmission to the PFI serves.
const TRANSMISSION: &[&str] = &[
    "CDA/HL7.02",
    "CDA/HL7.04",
    "DMP/va1.01",
    "DMP/va1.03",
    "DMP/va1.05",
    "DOC/va1.20",
];

/// The requirements the acknowledgements serve.
const ACKNOWLEDGEMENT: &[&str] = &["CDA/HL7.01", "CDA/HL7.03", "CDA/HL7.04"];

/// Not a message of the volet: wrong type or version, segments missing or out of order.
pub const HL7_TRANSPORT_STRUCTURE: Rule = Rule {
    name: "HL7-TRANSPORT-STRUCTURE",
    requirements: TRANSMISSION,
    severity: Severity::Error,
};

/// The document `OBX` is missing or wrong: not `ED`, not base64 XML, no LOINC type or a
/// type other than the CDA's, no known request in `OBX-11`.
pub const HL7_TRANSPORT_DOCUMENT: Rule = Rule {
    name: "HL7-TRANSPORT-DOCUMENT",
    requirements: TRANSMISSION,
    severity: Severity::Error,
};

/// A metadata `OBX` is unknown or not `Y`/`N`, `DESTDMP` is missing from a message asking
/// for processing, or an MSSanté destination is asked without a recipient in a `PRT`.
pub const HL7_TRANSPORT_METADATA: Rule = Rule {
    name: "HL7-TRANSPORT-METADATA",
    requirements: TRANSMISSION,
    severity: Severity::Error,
};

/// An acknowledgement that does not answer the message it follows (`MSA-2`, `OBX-4`), or
/// whose code or error segment is not the volet's.
pub const HL7_ACK: Rule = Rule {
    name: "HL7-ACK",
    requirements: ACKNOWLEDGEMENT,
    severity: Severity::Error,
};

/// The largest message read: a CDA with its PDF, in base64.
pub const MAX_TRANSPORT_MESSAGE: usize = 16 * 1024 * 1024;

/// The profile `MSH-21` names.
pub const PROFILE: &str = "CISIS_CDA_HL7_V2";

/// The metadata codes of `MetaDMPMSS` that take `Y` or `N`.
pub const YES_NO_METADATA: &[&str] = &[
    "MASQUE_PS",
    "INVISIBLE_PATIENT",
    "INVISIBLE_REP_LEGAUX",
    "CONNEXION_SECRETE",
    "MODIF_CONF_CODE",
    "DESTDMP",
    "DESTMSSANTEPS",
    "DESTMSSANTEPAT",
    "ACK_RECEPTION",
    "ACK_LECTURE",
    "ACK_LECTURE_MSS",
];

/// The mail bodies of `MetaDMPMSS` (`ED`, base64 text).
pub const MAIL_BODIES: &[&str] = &["CORPSMAIL_PS", "CORPSMAIL_PATIENT"];

/// What a transmission asks of the document (`OBX-11`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Request {
    /// `F`: first transmission of a validated document.
    Initial,
    /// `C`: a new version replacing the one sent before.
    Replacement,
    /// `D`: the document is to be withdrawn.
    Deletion,
}

impl Request {
    /// From `OBX-11`.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "F" => Some(Self::Initial),
            "C" => Some(Self::Replacement),
            "D" => Some(Self::Deletion),
            _ => None,
        }
    }

    /// `OBX-11`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Initial => "F",
            Self::Replacement => "C",
            Self::Deletion => "D",
        }
    }
}

/// A participant of the document `OBX` (`PRT`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Participant {
    /// `PRT-4.1`: `SB`, `RCT`, `REPLY`.
    pub role: String,
    /// `PRT-5.1`: the person's national id, if given.
    pub person: Option<String>,
    /// The MSSanté address (`…^X.400^<address>`), if given.
    pub address: Option<String>,
}

/// What a transmission carries, as the bench reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmission {
    /// `MDM^T02` or `ORU^R01`.
    pub kind: String,
    /// `MSH-10`, which the acknowledgements quote.
    pub control_id: String,
    /// `MSH-3` and `MSH-4`: who sent it.
    pub sender: (String, String),
    /// `MSH-5` and `MSH-6`: to whom.
    pub receiver: (String, String),
    /// The INS in `PID-3`, if any (15 characters, OID).
    pub ins: Option<(String, String)>,
    /// The documents, decoded from base64, with their `OBX-3` type.
    pub documents: Vec<(String, Vec<u8>)>,
    /// What is asked (`OBX-11` of the first document).
    pub request: Option<Request>,
    /// The `PRT`s of the document.
    pub participants: Vec<Participant>,
    /// The `Y`/`N` metadata by code.
    pub metadata: BTreeMap<String, bool>,
    /// The mail bodies by code, decoded.
    pub mail_bodies: BTreeMap<String, String>,
}

impl Transmission {
    /// A `Y`/`N` metadata, `false` when absent.
    pub fn says(&self, code: &str) -> bool {
        self.metadata.get(code).copied().unwrap_or(false)
    }

    /// The MSSanté addresses of the `RCT` participants.
    pub fn recipients(&self) -> Vec<&str> {
        self.participants
            .iter()
            .filter(|p| p.role == "RCT")
            .filter_map(|p| p.address.as_deref())
            .collect()
    }

    /// A summary for the journal: what the steps judge without reading bytes.
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": self.kind,
            "control_id": self.control_id,
            "sender": self.sender.0,
            "ins": self.ins.as_ref().map(|(n, _)| n),
            "request": self.request.map(Request::code),
            "types": self.documents.iter().map(|(t, _)| t).collect::<Vec<_>>(),
            "participants": self.participants,
            "metadata": self.metadata,
            "mail_bodies": self.mail_bodies.keys().collect::<Vec<_>>(),
        })
    }
}

/// The message kind of a parsed message with its version (`MSH-12.1`).
fn version(parsed: &Parsed) -> &str {
    parsed
        .segment("MSH")
        .map(|m| m.field(11).split('^').next().unwrap_or_default())
        .unwrap_or_default()
}

/// Reads a transmission (`MDM^T02` or `ORU^R01`) and checks it against the volet. The
/// documents are given back undecided: the caller checks the CDA itself.
pub fn read_transmission(text: &str) -> (Option<Transmission>, Vec<Finding>) {
    let mut findings = Vec::new();
    let parsed = match parse_bounded(text, MAX_TRANSPORT_MESSAGE) {
        Ok(p) => p,
        Err(f) => {
            findings.push(HL7_TRANSPORT_STRUCTURE.finding(f.message));
            return (None, findings);
        }
    };
    let msh = &parsed.segments[0];
    let expected_version = match parsed.kind.as_str() {
        "MDM^T02" => "2.6",
        "ORU^R01" => "2.5",
        other => {
            findings.push(HL7_TRANSPORT_STRUCTURE.finding(format!(
                "MSH-9 {other:?} : le volet transmet un document par MDM^T02 ou ORU^R01"
            )));
            return (None, findings);
        }
    };
    if version(&parsed) != expected_version {
        findings.push(HL7_TRANSPORT_STRUCTURE.finding(format!(
            "MSH-12 {:?} : {} est en HL7 v{expected_version}",
            version(&parsed),
            parsed.kind
        )));
    }
    if !msh.field(20).contains(PROFILE) {
        findings.push(HL7_TRANSPORT_STRUCTURE.finding(format!(
            "MSH-21 {:?} : le profil {PROFILE} du volet n'est pas déclaré",
            msh.field(20)
        )));
    }
    if msh.field(9).is_empty() {
        findings
            .push(HL7_TRANSPORT_STRUCTURE.finding("MSH-10 vide : l'ACK ne pourra pas le citer"));
    }
    check_order(&parsed, &mut findings);
    let (identity, pid_findings) = pid_identity(&parsed);
    findings.extend(pid_findings);

    let observations: Vec<&Segment> = parsed.segments.iter().filter(|s| s.name == "OBX").collect();
    let mut documents = Vec::new();
    let mut request = None;
    let mut metadata = BTreeMap::new();
    let mut mail_bodies = BTreeMap::new();
    for obx in &observations {
        let code = component(obx.field(3), 0);
        let system = component(obx.field(3), 2);
        if system == "LN" {
            match read_document(obx) {
                Ok(bytes) => documents.push((code.to_string(), bytes)),
                Err(why) => findings.push(HL7_TRANSPORT_DOCUMENT.finding(why)),
            }
            if request.is_none() {
                request = Request::from_code(obx.field(11));
                if request.is_none() {
                    findings.push(HL7_TRANSPORT_DOCUMENT.finding(format!(
                        "OBX-11 {:?} du document : F (transmission), C (remplacement) ou D \
                         (suppression) attendu",
                        obx.field(11)
                    )));
                }
            }
        } else if system == "MetaDMPMSS" {
            read_metadata(obx, code, &mut metadata, &mut mail_bodies, &mut findings);
        } else {
            findings.push(HL7_TRANSPORT_METADATA.finding(format!(
                "OBX-3 {:?} : ni un type de document LOINC (LN) ni une métadonnée MetaDMPMSS",
                obx.field(3)
            )));
        }
    }
    let allowed = if parsed.kind == "MDM^T02" { 1 } else { 2 };
    if documents.is_empty() {
        if !findings
            .iter()
            .any(|f| f.rule == HL7_TRANSPORT_DOCUMENT.name)
        {
            findings.push(
                HL7_TRANSPORT_DOCUMENT
                    .finding("aucun OBX ne porte de document (OBX-3 en LOINC, OBX-5 en base64)"),
            );
        }
    } else if documents.len() > allowed {
        findings.push(HL7_TRANSPORT_DOCUMENT.finding(format!(
            "{} documents : {} en porte au plus {allowed}",
            documents.len(),
            parsed.kind
        )));
    }
    if parsed.kind == "MDM^T02"
        && let (Some(txa), Some((code, _))) = (parsed.segment("TXA"), documents.first())
        && txa.field(2) != code
    {
        findings.push(HL7_TRANSPORT_DOCUMENT.finding(format!(
            "TXA-2 {:?} et OBX-3 {code:?} : le type du document diffère",
            txa.field(2)
        )));
    }
    let participants = participants(&parsed);
    let recipients = participants.iter().filter(|p| p.role == "RCT").count();
    for (wanted, why) in [
        ("DESTMSSANTEPS", "un professionnel"),
        ("DESTMSSANTEPAT", "le patient"),
    ] {
        if metadata.get(wanted) == Some(&true) && recipients == 0 {
            findings.push(HL7_TRANSPORT_METADATA.finding(format!(
                "{wanted}=Y mais aucun PRT RCT ne donne l'adresse MSSanté ({why})"
            )));
        }
    }
    // A message without any MetaDMPMSS observation delivers a document (the PFI to the
    // DPI); one that asks for processing must say whether the DMP is among its recipients.
    let asks_processing = !metadata.is_empty() || !mail_bodies.is_empty();
    if asks_processing && !metadata.contains_key("DESTDMP") {
        findings.push(
            HL7_TRANSPORT_METADATA
                .finding("pas d'OBX DESTDMP : la PFI ne sait pas si le document va au DMP"),
        );
    }
    let transmission = Transmission {
        kind: parsed.kind.clone(),
        control_id: msh.field(9).to_string(),
        sender: (msh.field(2).to_string(), msh.field(3).to_string()),
        receiver: (msh.field(4).to_string(), msh.field(5).to_string()),
        ins: identity.and_then(|i| i.ins),
        documents,
        request,
        participants,
        metadata,
        mail_bodies,
    };
    (Some(transmission), findings)
}

/// Component `n` (0-based) of a field.
fn component(field: &str, n: usize) -> &str {
    field.split('^').nth(n).unwrap_or_default().trim()
}

/// Whether the segments come in the order the profile sets.
fn check_order(parsed: &Parsed, findings: &mut Vec<Finding>) {
    let names: Vec<&str> = parsed.segments.iter().map(|s| s.name.as_str()).collect();
    let required: &[&str] = if parsed.kind == "MDM^T02" {
        &["MSH", "EVN", "PID", "PV1", "ORC", "OBR", "TXA", "OBX"]
    } else {
        &["MSH", "PID", "ORC", "OBR", "OBX"]
    };
    let mut at = 0;
    let mut missing = Vec::new();
    for name in required {
        match names[at..].iter().position(|n| n == name) {
            Some(i) => at += i + 1,
            None => missing.push(*name),
        }
    }
    if !missing.is_empty() {
        findings.push(HL7_TRANSPORT_STRUCTURE.finding(format!(
            "{} : segment(s) {} manquant(s) ou hors de leur place (reçu : {})",
            parsed.kind,
            missing.join(", "),
            names.join(" ")
        )));
    }
}

/// The document of a `LN` observation, decoded.
fn read_document(obx: &Segment) -> Result<Vec<u8>, String> {
    if obx.field(2) != "ED" {
        return Err(format!(
            "OBX-2 {:?} : le document est porté en ED (encapsulated data)",
            obx.field(2)
        ));
    }
    let value = obx.field(5);
    let parts: Vec<&str> = value.split('^').collect();
    let (kind, subtype, encoding, data) = (
        parts.get(1).copied().unwrap_or_default(),
        parts.get(2).copied().unwrap_or_default(),
        parts.get(3).copied().unwrap_or_default(),
        parts.get(4).copied().unwrap_or_default(),
    );
    if !kind.eq_ignore_ascii_case("TEXT")
        || !subtype.eq_ignore_ascii_case("XML")
        || !encoding.eq_ignore_ascii_case("Base64")
    {
        return Err(format!(
            "OBX-5 {:?} : ^TEXT^XML^Base64^<document> attendu",
            parts.iter().take(4).copied().collect::<Vec<_>>().join("^")
        ));
    }
    let compact: String = data.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| format!("OBX-5 : le document n'est pas du base64 ({e})"))?;
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    if !bytes[start..].starts_with(b"<") && !bytes[start..].starts_with(b"\xEF\xBB\xBF<") {
        return Err("OBX-5 : le document décodé n'est pas du XML (pas de CDA)".into());
    }
    Ok(bytes)
}

/// One metadata observation.
fn read_metadata(
    obx: &Segment,
    code: &str,
    metadata: &mut BTreeMap<String, bool>,
    mail_bodies: &mut BTreeMap<String, String>,
    findings: &mut Vec<Finding>,
) {
    if YES_NO_METADATA.contains(&code) {
        if !matches!(obx.field(2), "CE" | "CWE") {
            findings.push(HL7_TRANSPORT_METADATA.finding(format!(
                "{code} : OBX-2 {:?}, CE ou CWE attendu",
                obx.field(2)
            )));
        }
        match component(obx.field(5), 0) {
            "Y" => {
                metadata.insert(code.to_string(), true);
            }
            "N" => {
                metadata.insert(code.to_string(), false);
            }
            other => findings.push(
                HL7_TRANSPORT_METADATA.finding(format!("{code} : OBX-5 {other:?}, Y ou N attendu")),
            ),
        }
    } else if MAIL_BODIES.contains(&code) {
        let data = obx.field(5).split('^').nth(4).unwrap_or_default();
        let compact: String = data.chars().filter(|c| !c.is_whitespace()).collect();
        match base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()) {
            Ok(bytes) => {
                mail_bodies.insert(
                    code.to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                );
            }
            Err(e) => findings.push(HL7_TRANSPORT_METADATA.finding(format!(
                "{code} : le corps du courriel n'est pas du base64 ({e})"
            ))),
        }
    } else {
        findings.push(HL7_TRANSPORT_METADATA.finding(format!(
            "OBX-3 {code:?} : code inconnu de la table MetaDMPMSS"
        )));
    }
}

/// The `PRT` segments that follow the first document `OBX`.
fn participants(parsed: &Parsed) -> Vec<Participant> {
    let Some(first) = parsed
        .segments
        .iter()
        .position(|s| s.name == "OBX" && component(s.field(3), 2) == "LN")
    else {
        return Vec::new();
    };
    parsed.segments[first + 1..]
        .iter()
        .take_while(|s| s.name == "PRT" || s.name == "NTE")
        .filter(|s| s.name == "PRT")
        .map(|prt| Participant {
            role: component(prt.field(4), 0).to_string(),
            person: Some(component(prt.field(5), 0).to_string()).filter(|p| !p.is_empty()),
            address: prt.fields.iter().find_map(|f| {
                f.split_once("X.400^")
                    .map(|(_, a)| a.split('^').next().unwrap_or_default().trim().to_string())
                    .filter(|a| !a.is_empty())
            }),
        })
        .collect()
}

/// An acknowledgement code (`MSA-1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum AckCode {
    /// `AA`: accepted.
    Accept,
    /// `AE`: an error; the sender may correct and send again.
    Error,
    /// `AR`: rejected.
    Reject,
}

impl AckCode {
    /// `MSA-1`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Accept => "AA",
            Self::Error => "AE",
            Self::Reject => "AR",
        }
    }

    /// From `MSA-1` (original or enhanced mode).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "AA" | "CA" => Some(Self::Accept),
            "AE" | "CE" => Some(Self::Error),
            "AR" | "CR" => Some(Self::Reject),
            _ => None,
        }
    }
}

/// An error to put in an `ERR` segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckError {
    /// `ERR-3`: HL7 table 0357 (`100`, `101`, `207`...) and its label.
    pub condition: (String, String),
    /// `ERR-5`: the application's code, label and table (`902`, `DMPClosed`...).
    pub application: Option<(String, String, String)>,
}

impl AckError {
    /// `ERR-3` only.
    pub fn condition(code: &str, label: &str) -> Self {
        Self {
            condition: (code.into(), label.into()),
            application: None,
        }
    }

    /// `207 Application error` with the application's code in `ERR-5`.
    pub fn application(code: &str, label: &str, table: &str) -> Self {
        Self {
            condition: ("207".into(), "Application error".into()),
            application: Some((code.into(), label.into(), table.into())),
        }
    }

    fn segment(&self) -> String {
        let mut out = format!(
            "ERR|||{}^{}^HL70357|E",
            self.condition.0,
            escape(&self.condition.1)
        );
        if let Some((code, label, table)) = &self.application {
            out.push_str(&format!("|{code}^{}^{table}", escape(label)));
        }
        out
    }
}

/// Escapes the separators of a free text.
fn escape(text: &str) -> String {
    text.replace('\\', "\\E\\")
        .replace('|', "\\F\\")
        .replace('^', "\\S\\")
        .replace('&', "\\T\\")
        .replace('~', "\\R\\")
}

/// The header of an answer to `original`: applications swapped, same version and profile.
fn answer_header(original: &Parsed, kind: &str, control_id: &str, time: &str) -> String {
    let msh = &original.segments[0];
    let version = if msh.field(11).is_empty() {
        "2.6"
    } else {
        msh.field(11)
    };
    format!(
        "MSH|^~\\&|{}|{}|{}|{}|{time}||{kind}|{control_id}|P|{version}|||||FRA|UNICODE UTF-8|||2.1^{PROFILE}",
        msh.field(4),
        msh.field(5),
        msh.field(2),
        msh.field(3),
    )
}

/// The `ACK` answering `original`, segments ended by CR.
pub fn ack(
    original: &Parsed,
    code: AckCode,
    error: Option<&AckError>,
    control_id: &str,
    time: &str,
) -> String {
    let event = original.kind.split('^').nth(1).unwrap_or_default();
    let mut out = answer_header(original, &format!("ACK^{event}^ACK"), control_id, time);
    out.push('\r');
    out.push_str(&format!(
        "MSA|{}|{}\r",
        code.code(),
        original.segments[0].field(9)
    ));
    if let Some(error) = error {
        out.push_str(&error.segment());
        out.push('\r');
    }
    out
}

/// What an `ACK` says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ack {
    /// `MSA-1`.
    pub code: AckCode,
    /// `MSA-2`: the control id of the message acknowledged.
    pub acknowledged: String,
    /// `ERR-3.1` of each `ERR`.
    pub conditions: Vec<String>,
    /// `ERR-5.1` of each `ERR` that has one.
    pub application_errors: Vec<String>,
}

/// Reads an `ACK` answering the message whose `MSH-10` is `acknowledged`.
pub fn read_ack(text: &str, acknowledged: &str) -> (Option<Ack>, Vec<Finding>) {
    let parsed = match super::parse(text) {
        Ok(p) => p,
        Err(f) => return (None, vec![HL7_ACK.finding(f.message)]),
    };
    let mut findings = Vec::new();
    if !parsed.kind.starts_with("ACK") {
        findings.push(HL7_ACK.finding(format!("MSH-9 {:?} : un ACK était attendu", parsed.kind)));
    }
    let Some(msa) = parsed.segment("MSA") else {
        findings.push(HL7_ACK.finding("pas de segment MSA"));
        return (None, findings);
    };
    let Some(code) = AckCode::from_code(msa.field(1)) else {
        findings.push(HL7_ACK.finding(format!("MSA-1 {:?} : AA, AE ou AR attendu", msa.field(1))));
        return (None, findings);
    };
    if msa.field(2) != acknowledged {
        findings.push(HL7_ACK.finding(format!(
            "MSA-2 {:?} : l'ACK doit citer le MSH-10 {acknowledged:?} du message reçu",
            msa.field(2)
        )));
    }
    let errors: Vec<&Segment> = parsed.segments.iter().filter(|s| s.name == "ERR").collect();
    if code != AckCode::Accept && errors.is_empty() {
        findings.push(HL7_ACK.finding(format!(
            "MSA-1 {} sans segment ERR : l'émetteur ne sait pas pourquoi",
            code.code()
        )));
    }
    let ack = Ack {
        code,
        acknowledged: msa.field(2).to_string(),
        conditions: errors
            .iter()
            .map(|e| component(e.field(3), 0).to_string())
            .collect(),
        application_errors: errors
            .iter()
            .map(|e| component(e.field(5), 0).to_string())
            .filter(|c| !c.is_empty())
            .collect(),
    };
    (Some(ack), findings)
}

/// A business acknowledgement of the PFI (`ZAM^Z01`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BusinessAck {
    /// `OBX-3.1`: `ACK_RECEPTION_DMP`, `ACK_RECEPTION_MSS`, `ACK_LECTURE_MSS`...
    pub what: String,
    /// `OBX-4`: the `MSH-10` of the transmission acknowledged.
    pub acknowledged: String,
    /// `OBX-5`: `Y` done, `N` failed.
    pub done: bool,
    /// `ERR-5.1` when failed (`DMPClosed`...).
    pub error: Option<String>,
}

/// The codes of `AckMetierZAM`.
pub const BUSINESS_ACKS: &[&str] = &[
    "ACK_RECEPTION_DMP",
    "ACK_RECEPTION_MSS",
    "DESTINATAIRE_MSS",
    "ACK_LECTURE_MSS",
    "LECTEUR_MSS",
];

/// The `ZAM^Z01` a PFI sends back about `original`, segments ended by CR.
pub fn business_ack(original: &Parsed, ack: &BusinessAck, control_id: &str, time: &str) -> String {
    let label = match ack.what.as_str() {
        "ACK_RECEPTION_DMP" => "Accusé de réception DMP",
        "ACK_RECEPTION_MSS" => "Accusé de réception MSSanté",
        "ACK_LECTURE_MSS" => "Accusé de lecture",
        _ => "",
    };
    let mut out = answer_header(original, "ZAM^Z01^ZAM_Z01", control_id, time);
    out.push_str(&format!("\rEVN||{time}\r"));
    out.push_str(&format!(
        "OBX|1|CWE|{}^{label}^AckMetierZAM|{}|{}^^HL70136||||||F|\r",
        ack.what,
        ack.acknowledged,
        if ack.done { "Y" } else { "N" }
    ));
    if let Some(error) = &ack.error {
        out.push_str(
            &AckError::application(error, error, "DMPERRORCODE")
                .segment()
                .replace("Application error", "Application internal error"),
        );
        out.push('\r');
    }
    out
}

/// Reads a `ZAM^Z01`.
pub fn read_business_ack(text: &str) -> (Option<BusinessAck>, Vec<Finding>) {
    let parsed = match super::parse(text) {
        Ok(p) => p,
        Err(f) => return (None, vec![HL7_ACK.finding(f.message)]),
    };
    let mut findings = Vec::new();
    if parsed.kind != "ZAM^Z01" {
        findings.push(HL7_ACK.finding(format!("MSH-9 {:?} : ZAM^Z01 attendu", parsed.kind)));
        return (None, findings);
    }
    let Some(obx) = parsed.segment("OBX") else {
        findings.push(HL7_ACK.finding("ZAM^Z01 sans OBX : rien n'est acquitté"));
        return (None, findings);
    };
    let what = component(obx.field(3), 0).to_string();
    if !BUSINESS_ACKS.contains(&what.as_str()) || component(obx.field(3), 2) != "AckMetierZAM" {
        findings.push(HL7_ACK.finding(format!(
            "OBX-3 {:?} : un code de la table AckMetierZAM attendu",
            obx.field(3)
        )));
    }
    let done = match component(obx.field(5), 0) {
        "Y" => true,
        "N" => false,
        other => {
            findings.push(HL7_ACK.finding(format!("OBX-5 {other:?} : Y ou N attendu")));
            false
        }
    };
    if obx.field(4).is_empty() {
        findings.push(HL7_ACK.finding("OBX-4 vide : le message acquitté n'est pas cité"));
    }
    let error = parsed
        .segment("ERR")
        .map(|e| component(e.field(5), 0).to_string())
        .filter(|c| !c.is_empty());
    if !done && error.is_none() {
        findings.push(HL7_ACK.finding("OBX-5 N sans segment ERR : l'échec n'est pas expliqué"));
    }
    let ack = BusinessAck {
        what,
        acknowledged: obx.field(4).to_string(),
        done,
        error,
    };
    (Some(ack), findings)
}

/// Everything a transmission built by [`Outgoing::render`] carries.
#[derive(Debug, Clone, Default)]
pub struct Outgoing {
    /// `MDM^T02` or `ORU^R01`.
    pub kind: String,
    /// `MSH-3`/`MSH-4`: the sender application and facility.
    pub sender: (String, String),
    /// `MSH-5`/`MSH-6`.
    pub receiver: (String, String),
    /// `MSH-10`.
    pub control_id: String,
    /// `MSH-7`, `YYYYMMDDHHMMSS`.
    pub time: String,
    /// The `PID` segment (see [`super::Message::pid_segment`]).
    pub pid: String,
    /// The document's LOINC type and label.
    pub type_code: (String, String),
    /// The CDA.
    pub document: Vec<u8>,
    /// What is asked.
    pub request: Option<Request>,
    /// The author's national id (`TXA-22`, `PRT SB`).
    pub author: String,
    /// The recipients' MSSanté addresses (`PRT RCT`).
    pub recipients: Vec<String>,
    /// The `Y`/`N` metadata.
    pub metadata: BTreeMap<String, bool>,
}

impl Outgoing {
    /// The message, segments ended by CR.
    pub fn render(&self) -> String {
        let (version, structure) = if self.kind == "ORU^R01" {
            ("2.5", "ORU_R01")
        } else {
            ("2.6", "MDM_T02")
        };
        let request = self.request.unwrap_or(Request::Initial).code();
        let (code, label) = (&self.type_code.0, escape(&self.type_code.1));
        let mut out = format!(
            "MSH|^~\\&|{}|{}|{}|{}|{t}||{k}^{structure}|{id}|P|{version}|||||FRA|UNICODE UTF-8|||2.1^{PROFILE}\r",
            self.sender.0,
            self.sender.1,
            self.receiver.0,
            self.receiver.1,
            t = self.time,
            k = self.kind,
            id = self.control_id,
        );
        if self.kind != "ORU^R01" {
            out.push_str(&format!("EVN||{}\r", self.time));
        }
        out.push_str(&self.pid);
        out.push('\r');
        out.push_str("PV1|1|I\r");
        out.push_str(&format!("ORC|NW\rOBR|1|||{code}^{label}^LN\r",));
        if self.kind != "ORU^R01" {
            out.push_str(&format!(
                "TXA|1|{code}|TEXT|{}||||||||||||AU|||||{}\r",
                self.time, self.author
            ));
        }
        let encoded = base64::engine::general_purpose::STANDARD.encode(&self.document);
        out.push_str(&format!(
            "OBX|1|ED|{code}^{label}^LN||^TEXT^XML^Base64^{encoded}||||||{request}\r"
        ));
        out.push_str(&format!(
            "PRT||UC||SB^Send by^participation|{}\r",
            self.author
        ));
        for address in &self.recipients {
            out.push_str(&format!(
                "PRT||UC||RCT^Results Copies To^participation|||||||||||^NET^X.400^{address}\r"
            ));
        }
        for (n, (code, yes)) in self.metadata.iter().enumerate() {
            out.push_str(&format!(
                "OBX|{}|CWE|{code}^^MetaDMPMSS||{}^^expandedYes-NoIndicator||||||F\r",
                n + 2,
                if *yes { "Y" } else { "N" }
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANS_MDM: &str = include_str!("../../../../fixtures/hl7/message_MDM_CR_Radio_INIT_N1.er7");
    const ANS_ACK: &str = include_str!("../../../../fixtures/hl7/ack.er7");
    const ANS_ZAM: &str = include_str!("../../../../fixtures/hl7/zam_reception_dmp.er7");

    fn rules(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.rule.as_str()).collect()
    }

    /// The ANS example reads as the volet says, but for its placeholder document (the
    /// base64 of a sentence, not XML).
    #[test]
    fn the_ans_mdm_example_reads_but_for_its_placeholder_document() {
        let (t, findings) = read_transmission(ANS_MDM);
        let t = t.expect("read");
        assert_eq!(
            rules(&findings),
            vec!["HL7-TRANSPORT-DOCUMENT"],
            "{findings:?}"
        );
        assert!(findings[0].message.contains("pas du XML"));
        assert_eq!(t.kind, "MDM^T02");
        assert_eq!(t.control_id, "015");
        assert_eq!(t.request, Some(Request::Initial));
        assert_eq!(
            t.ins.as_ref().map(|(n, _)| n.as_str()),
            Some("279035121518989")
        );
        assert!(t.says("DESTDMP") && t.says("DESTMSSANTEPS") && !t.says("MASQUE_PS"));
        assert_eq!(t.recipients(), vec!["adam.hoda@medecin.mssante.fr"]);
        assert_eq!(t.participants[0].role, "SB");
        assert!(t.mail_bodies["CORPSMAIL_PS"].starts_with("Cher confrère"));
    }

    #[test]
    fn the_ans_acks_read() {
        let (ack, findings) = read_ack(ANS_ACK, "015");
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(ack.unwrap().code, AckCode::Accept);
        let (_, findings) = read_ack(ANS_ACK, "016");
        assert_eq!(rules(&findings), vec!["HL7-ACK"]);
        let (zam, findings) = read_business_ack(ANS_ZAM);
        assert!(findings.is_empty(), "{findings:?}");
        let zam = zam.unwrap();
        assert_eq!(
            (zam.what.as_str(), zam.acknowledged.as_str(), zam.done),
            ("ACK_RECEPTION_DMP", "015", false)
        );
        assert_eq!(zam.error.as_deref(), Some("DMPClosed"));
    }

    fn outgoing() -> Outgoing {
        let pid = super::super::Message {
            local_id: "IPP1".into(),
            sender: "DPI".into(),
            ins: Some(("279035121518989".into(), "1.2.250.1.213.1.4.10".into())),
            birth_name: "PAT-TROIS".into(),
            first_names: "DOMINIQUE".into(),
            birth_date: "1979-03-28".into(),
            sex: "M".into(),
            birthplace: "63220".into(),
            reliability: "VALI".into(),
            ..Default::default()
        }
        .pid_segment();
        Outgoing {
            kind: "MDM^T02".into(),
            sender: ("DPI".into(), "ETAB".into()),
            receiver: ("PFI".into(), "ETAB".into()),
            control_id: "42".into(),
            time: "20261207101500".into(),
            pid,
            type_code: ("11490-0".into(), "Lettre de liaison".into()),
            document: b"<ClinicalDocument xmlns=\"urn:hl7-org:v3\"/>".to_vec(),
            request: Some(Request::Initial),
            author: "801234567897".into(),
            recipients: vec!["adam.hoda@medecin.mssante.fr".into()],
            metadata: [
                ("DESTDMP", true),
                ("DESTMSSANTEPS", true),
                ("MASQUE_PS", false),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        }
    }

    #[test]
    fn a_built_transmission_reads_back_clean_and_is_acknowledged() {
        for kind in ["MDM^T02", "ORU^R01"] {
            let message = Outgoing {
                kind: kind.into(),
                ..outgoing()
            }
            .render();
            let (t, findings) = read_transmission(&message);
            assert!(findings.is_empty(), "{kind}: {findings:?}");
            let t = t.unwrap();
            assert_eq!(t.documents[0].0, "11490-0");
            assert!(t.documents[0].1.starts_with(b"<ClinicalDocument"));
            let parsed = super::super::parse_bounded(&message, MAX_TRANSPORT_MESSAGE).unwrap();
            let answer = ack(
                &parsed,
                AckCode::Error,
                Some(&AckError::application(
                    "902",
                    "Identifiant patient inconnu",
                    "HL70533",
                )),
                "43",
                "20261207101501",
            );
            let (read, findings) = read_ack(&answer, "42");
            assert!(findings.is_empty(), "{findings:?}");
            let read = read.unwrap();
            assert_eq!(read.code, AckCode::Error);
            assert_eq!(read.application_errors, vec!["902"]);
            let zam = business_ack(
                &parsed,
                &BusinessAck {
                    what: "ACK_RECEPTION_DMP".into(),
                    acknowledged: "42".into(),
                    done: false,
                    error: Some("DMPClosed".into()),
                },
                "44",
                "20261207101502",
            );
            let (read, findings) = read_business_ack(&zam);
            assert!(findings.is_empty(), "{findings:?}");
            assert_eq!(read.unwrap().error.as_deref(), Some("DMPClosed"));
        }
    }

    /// A delivery (the PFI to the DPI) carries no processing request: no metadata needed.
    #[test]
    fn a_delivery_without_metadata_reads_clean() {
        let message = Outgoing {
            metadata: BTreeMap::new(),
            recipients: Vec::new(),
            ..outgoing()
        }
        .render();
        let (t, findings) = read_transmission(&message);
        assert!(findings.is_empty(), "{findings:?}");
        assert!(t.unwrap().metadata.is_empty());
    }

    /// Each broken part of a transmission, and the rule that says so.
    #[test]
    fn transmission_rules_table() {
        let good = outgoing().render();
        let cases: &[(&str, &str, &str)] = &[
            (
                "MDM^T02^MDM_T02",
                "ADT^A31^ADT_A05",
                "HL7-TRANSPORT-STRUCTURE",
            ),
            ("|P|2.6|", "|P|2.5|", "HL7-TRANSPORT-STRUCTURE"),
            ("2.1^CISIS_CDA_HL7_V2", "", "HL7-TRANSPORT-STRUCTURE"),
            ("TXA|1|11490-0|", "", "HL7-TRANSPORT-STRUCTURE"),
            ("TXA|1|11490-0|", "TXA|1|34133-9|", "HL7-TRANSPORT-DOCUMENT"),
            ("||||||F\rPRT", "||||||X\rPRT", "HL7-TRANSPORT-DOCUMENT"),
            (
                "^LN||^TEXT^XML^Base64^",
                "^LN||^TEXT^PDF^Base64^",
                "HL7-TRANSPORT-DOCUMENT",
            ),
            ("OBX|1|ED|", "OBX|1|ST|", "HL7-TRANSPORT-DOCUMENT"),
            (
                "DESTDMP^^MetaDMPMSS||Y",
                "DESTDMP^^MetaDMPMSS||O",
                "HL7-TRANSPORT-METADATA",
            ),
            ("DESTDMP^^", "DESTPFI^^", "HL7-TRANSPORT-METADATA"),
            ("PRT||UC||RCT", "NTE||UC||RCT", "HL7-TRANSPORT-METADATA"),
            ("|VALI", "|PROV", "HL7-PID-32"),
        ];
        for (from, to, rule) in cases {
            assert!(good.contains(from), "{from}");
            let broken = good.replacen(from, to, 1);
            let (_, findings) = read_transmission(&broken);
            assert!(
                rules(&findings).contains(rule),
                "{from} → {to}: {rule} expected, got {findings:?}"
            );
        }
    }
}
