//! The establishment's PFI, as a DPI, RIS or SGL talks to it (volet CI-SIS "Transmission
//! de documents CDA-R2 en HL7v2"): when the site sends its documents through the PFI
//! (`settings.set dmp_transport = "pfi"`), a document to publish leaves as an `MDM^T02`
//! (an `ORU^R01` for a biology report) over MLLP, with its metadata (`DESTDMP`, the
//! masking, the MSSanté recipients); the PFI's `ACK` says whether it took it and its
//! business acknowledgements (`ZAM^Z01`, handed in by `hl7.receive`) whether the DMP and
//! MSSanté did. The other way, the PFI hands the DPI a document received by MSSanté in an
//! `MDM^T02`: it is integrated in the patient's record when the INS matches, refused with
//! the volet's error code otherwise (902 unknown patient, 903 no INS in the document).

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::Session;
use super::dmp::fail;
use super::records::RecordEntry;
use crate::cda::Kind;
use crate::dmp::xds::{Code, Entry};
use crate::mss::message::Disposition;
use crate::mss::received::{Received, Xdm, XdmDocument};
use crate::protocol::Reply;

/// How long the PFI has to acknowledge.
const ACK_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest acknowledgement read.
const MAX_ACK: usize = 64 * 1024;
/// The largest message read from the PFI (a CDA with its PDF).
const MAX_INCOMING: usize = 16 * 1024 * 1024;

/// What went to the PFI and what came back.
#[derive(Debug, Clone)]
pub struct Sent {
    /// `MSH-10`.
    pub control_id: String,
    /// The patient.
    pub patient: String,
    /// The document's uniqueId.
    pub unique_id: String,
    /// The business acknowledgements received: (what, done, error).
    pub business: Vec<(String, bool, Option<String>)>,
}

/// The PFI's state as the LPS keeps it.
#[derive(Debug, Default)]
pub struct PfiBook {
    /// Every transmission, in order.
    pub sent: Vec<Sent>,
}

/// The segments of an ER7 message.
fn segments(text: &str) -> Vec<Vec<&str>> {
    text.split(['\r', '\n'])
        .filter(|l| !l.is_empty())
        .map(|l| l.split('|').collect())
        .collect()
}

fn field<'a>(segment: &[&'a str], n: usize) -> &'a str {
    segment.get(n).copied().unwrap_or_default()
}

/// The document of the first `ED` observation, decoded.
fn document_of(segs: &[Vec<&str>]) -> Option<Vec<u8>> {
    segs.iter()
        .find(|s| s.first() == Some(&"OBX") && field(s, 2) == "ED")
        .and_then(|obx| field(obx, 5).split('^').nth(4))
        .and_then(|b64| {
            let compact: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact.as_bytes())
                .ok()
        })
}

/// A fresh `MSH-10` (20 characters, the field's length in v2.5).
fn control_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..20].to_string()
}

/// A CDA's `ClinicalDocument/id` as a uniqueId (`root^extension`, or the root alone).
fn document_id(root: &crate::xml::Node) -> String {
    root.child("id")
        .map(|i| match i.attr("extension") {
            Some(e) => format!("{}^{e}", i.attr("root").unwrap_or_default()),
            None => i.attr("root").unwrap_or_default().to_string(),
        })
        .unwrap_or_default()
}

/// Whether the `MetaDMPMSS` observation `code` says `Y`.
fn says_yes(segs: &[Vec<&str>], code: &str) -> bool {
    segs.iter().any(|s| {
        s.first() == Some(&"OBX")
            && field(s, 3).split('^').next() == Some(code)
            && field(s, 5).starts_with('Y')
    })
}

/// The INS (number, OID) a CDA's `patientRole` carries.
fn ins_of(root: &crate::xml::Node) -> Vec<(String, String)> {
    const INS_ROOTS: [&str; 4] = [
        "1.2.250.1.213.1.4.8",
        "1.2.250.1.213.1.4.9",
        "1.2.250.1.213.1.4.10",
        "1.2.250.1.213.1.4.11",
    ];
    root.find("patientRole")
        .map(|r| {
            r.children_named("id")
                .filter_map(|id| {
                    let oid = id.attr("root").filter(|o| INS_ROOTS.contains(o))?;
                    Some((id.attr("extension")?.to_string(), oid.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Sends one message over MLLP and reads the one block that answers it.
async fn mllp_call(address: &str, message: &str) -> Result<String, String> {
    let address = address.trim_start_matches("mllp://");
    let call = async {
        let mut tcp = tokio::net::TcpStream::connect(address)
            .await
            .map_err(|e| format!("PFI injoignable ({address}) : {e}"))?;
        let mut block = vec![0x0B];
        block.extend_from_slice(message.as_bytes());
        block.extend_from_slice(&[0x1C, 0x0D]);
        tcp.write_all(&block)
            .await
            .map_err(|e| format!("envoi à la PFI : {e}"))?;
        let mut answer = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = answer.windows(2).position(|w| w == [0x1C, 0x0D]) {
                let start = usize::from(answer.first() == Some(&0x0B));
                return Ok(String::from_utf8_lossy(&answer[start..end]).into_owned());
            }
            let n = tcp
                .read(&mut chunk)
                .await
                .map_err(|e| format!("lecture de l'ACK : {e}"))?;
            if n == 0 {
                return Err("la PFI a fermé la connexion sans acquitter".to_string());
            }
            answer.extend_from_slice(&chunk[..n]);
            if answer.len() > MAX_ACK {
                return Err("ACK de la PFI trop long".to_string());
            }
        }
    };
    tokio::time::timeout(ACK_TIMEOUT, call)
        .await
        .map_err(|_| format!("pas d'ACK de la PFI en {} s", ACK_TIMEOUT.as_secs()))?
}

/// A document sent through the PFI, with what travels beside it.
pub(super) struct Outgoing<'a> {
    /// The document as written: its patient, author, type, title, date and recipients.
    pub document: &'a crate::cda::Document<'a>,
    /// Its CDA.
    pub bytes: &'a [u8],
    /// The masking and invisibility the user set (`MASQUE_PS`, `INVISIBLE_PATIENT`...).
    pub visibility: &'a [String],
}

impl Session {
    /// `YYYYMMDDHHMMSS` of the software's clock, for `MSH-7` and `EVN`.
    fn stamp(&self) -> String {
        self.now_text()
            .chars()
            .filter(char::is_ascii_digit)
            .take(14)
            .collect()
    }

    /// The PFI's MLLP address, when the site sends through it.
    pub(super) fn pfi(&self) -> Option<&str> {
        self.settings
            .via_pfi
            .then_some(self.pfi_address.as_deref())
            .flatten()
    }

    /// The message handing `out` to the PFI.
    fn transmission(&self, out: &Outgoing<'_>, control_id: &str) -> String {
        let stamp = self.stamp();
        let (code, _, label) = out.document.kind.type_code();
        let biology = matches!(out.document.kind, Kind::CrBio | Kind::CrBioN1);
        let (kind, version) = if biology {
            ("ORU^R01^ORU_R01", "2.5")
        } else {
            ("MDM^T02^MDM_T02", "2.6")
        };
        let structure = &self.structure.national_id;
        let mut m = format!(
            "MSH|^~\\&|{}|{structure}|PFI|{structure}|{stamp}||{kind}|{control_id}|P|{version}|||||FRA|UNICODE UTF-8|||2.1^CISIS_CDA_HL7_V2\r",
            crate::NAME
        );
        if !biology {
            m.push_str(&format!("EVN||{stamp}\r"));
        }
        m.push_str(&super::hl7::pid_segment(out.document.patient));
        m.push_str("\rPV1|1|I\rORC|NW\r");
        m.push_str(&format!("OBR|1|||{code}^{label}^LN\r"));
        if !biology {
            m.push_str(&format!(
                "TXA|1|{code}|TEXT|{stamp}||||||||||||AU|||||{}\r",
                out.document.author.national_id
            ));
        }
        let encoded = base64::engine::general_purpose::STANDARD.encode(out.bytes);
        m.push_str(&format!(
            "OBX|1|ED|{code}^{label}^LN||^TEXT^XML^Base64^{encoded}||||||F\r"
        ));
        m.push_str(&format!(
            "PRT||UC||SB^Send by^participation|{}^{}^{}\r",
            out.document.author.national_id,
            out.document.author.family_name,
            out.document.author.given_name
        ));
        let addresses: Vec<&str> = out
            .document
            .recipients
            .iter()
            .filter_map(|r| r.mssante.as_deref())
            .collect();
        for address in &addresses {
            m.push_str(&format!(
                "PRT||UC||RCT^Results Copies To^participation|||||||||||^NET^X.400^{address}\r"
            ));
        }
        let yes = |b: bool| if b { "Y" } else { "N" };
        let masked = |code: &str| {
            !self.defects.on("pfi-visibility-dropped") && out.visibility.iter().any(|v| v == code)
        };
        let mut metadata = vec![
            ("MASQUE_PS", masked("MASQUE_PS")),
            ("INVISIBLE_PATIENT", masked("INVISIBLE_PATIENT")),
            ("INVISIBLE_REP_LEGAUX", masked("INVISIBLE_REP_LEGAUX")),
            ("DESTDMP", true),
            ("DESTMSSANTEPS", !addresses.is_empty()),
            ("DESTMSSANTEPAT", false),
            ("ACK_RECEPTION", true),
        ];
        if self.defects.on("pfi-metadata-missing") {
            metadata.retain(|(code, _)| *code != "DESTDMP");
        }
        for (n, (code, value)) in metadata.iter().enumerate() {
            m.push_str(&format!(
                "OBX|{}|CWE|{code}^^MetaDMPMSS||{}^^expandedYes-NoIndicator||||||F\r",
                n + 2,
                yes(*value)
            ));
        }
        m
    }

    /// Hands a document to the PFI and reads its `ACK`: `Ok` with what the user is shown,
    /// `Err` when the PFI did not take it (the action fails: nothing is noted in the record,
    /// the user sends it again). A document the PFI took is noted in the patient's record.
    pub(super) async fn transmit(&mut self, out: Outgoing<'_>) -> Result<Value, Reply> {
        let address = self
            .pfi()
            .ok_or_else(|| fail("aucune PFI configurée (endpoints.hl7)"))?
            .to_string();
        let control_id = control_id();
        let message = self.transmission(&out, &control_id);
        let answer = mllp_call(&address, &message).await.map_err(fail)?;
        let segs = segments(&answer);
        let msa = segs
            .iter()
            .find(|s| s.first() == Some(&"MSA"))
            .ok_or_else(|| fail("réponse de la PFI sans segment MSA"))?;
        let code = field(msa, 1).to_string();
        let error = segs
            .iter()
            .find(|s| s.first() == Some(&"ERR"))
            .map(|e| format!("{} {}", field(e, 3), field(e, 5)));
        self.pfi_book.sent.push(Sent {
            control_id: control_id.clone(),
            patient: out.document.patient.patient.clone(),
            unique_id: out.document.unique_id(),
            business: Vec::new(),
        });
        let accepted = code == "AA" || code == "CA";
        if !accepted && !self.defects.on("pfi-ack-ignored") {
            return Err(Reply::error(
                format!(
                    "la PFI n'a pas pris le document ({code}{}) : il reste à envoyer",
                    error.map(|e| format!(", {e}")).unwrap_or_default()
                ),
                json!({ "pfi": { "control_id": control_id, "ack": code } }),
            ));
        }
        // In the record, not fed until the PFI's business acknowledgement says so.
        let d = out.document;
        self.record_local(
            &d.patient.patient,
            &d.unique_id(),
            d.title,
            d.kind.type_code().0,
            d.date,
            false,
        );
        Ok(json!({ "control_id": control_id, "ack": code }))
    }

    /// `hl7.receive` of a message of the document transport (`MDM^T02`, `ZAM^Z01`):
    /// `None` when the message is of another kind.
    pub(super) async fn receive_transport(
        &mut self,
        message: &str,
    ) -> Option<Result<Reply, Reply>> {
        if message.len() > MAX_INCOMING {
            return Some(Err(fail("message HL7 trop long")));
        }
        let segs = segments(message);
        let msh = segs.iter().find(|s| s.first() == Some(&"MSH"))?;
        let kind: String = field(msh, 8)
            .split('^')
            .take(2)
            .collect::<Vec<_>>()
            .join("^");
        match kind.as_str() {
            // A request to publish (DESTDMP Y): the software is the establishment's PFI.
            "MDM^T02" | "ORU^R01" if says_yes(&segs, "DESTDMP") => {
                Some(Ok(self.publish_transmitted(&segs).await))
            }
            "MDM^T02" => Some(Ok(self.integrate_transmitted(&segs))),
            "ZAM^Z01" => Some(Ok(self.business_ack(&segs))),
            _ => None,
        }
    }

    /// As the establishment's PFI: publishes on the DMP the document a producer handed
    /// over (DMP/va1.01: at once, without the user), acknowledges the message, and tells
    /// the producer what the DMP answered in a `ZAM^Z01` over MLLP (CDA/HL7.02).
    async fn publish_transmitted(&mut self, segs: &[Vec<&str>]) -> Reply {
        let msh = &segs[0];
        let refuse = |s: &Self, code: &str, label: &str| {
            let ack = s.ack(msh, "AE", Some((code, label)));
            Reply::ok(json!({ "published": false, "error": code, "ack": ack }))
        };
        let Some(document) = document_of(segs) else {
            return refuse(self, "101", "Document absent");
        };
        let Ok(root) = crate::xml::parse(&String::from_utf8_lossy(&document)) else {
            return refuse(self, "102", "Document illisible");
        };
        let Some((number, oid)) = ins_of(&root).into_iter().next() else {
            return refuse(self, "903", "INS non présent dans le document");
        };
        let Ok(who) = self.professional() else {
            return refuse(self, "207", "Aucun professionnel pour alimenter le DMP");
        };
        let type_code = root
            .child("code")
            .and_then(|c| c.attr("code"))
            .unwrap_or_default()
            .to_string();
        let structured = root.find("structuredBody").is_some();
        let kinds = [
            Kind::Cr,
            Kind::Vsm,
            Kind::CrImg,
            Kind::CrBio,
            Kind::CrBioN1,
            Kind::Ldl,
            Kind::Prescription,
        ];
        let Some(kind) = kinds.into_iter().find(|k| {
            k.type_code().0 == type_code && (k.format_code() == crate::cda::FORMAT_N1) != structured
        }) else {
            return refuse(self, "207", "Type de document non publié par la PFI");
        };
        let ins = crate::identity::Ins {
            matricule: number.chars().take(13).collect(),
            key: number.chars().skip(13).collect(),
            oid,
        };
        let cx = ins.cx();
        let unique_id = document_id(&root);
        let time: String = root
            .child("effectiveTime")
            .and_then(|t| t.attr("value"))
            .unwrap_or_default()
            .chars()
            .take(14)
            .collect();
        let visibility: Vec<String> = ["MASQUE_PS", "INVISIBLE_PATIENT", "INVISIBLE_REP_LEGAUX"]
            .into_iter()
            .filter(|code| says_yes(segs, code))
            .map(str::to_string)
            .collect();
        let entry_uuid = format!("urn:uuid:{}", uuid::Uuid::new_v4());
        let (class, class_label) = kind.class_code();
        let (code, system, label) = kind.type_code();
        let format = kind.format_code();
        let entry = Entry {
            lid: entry_uuid.clone(),
            entry_uuid,
            version: 1,
            unique_id: unique_id.clone(),
            patient: cx.clone(),
            title: root.text_of("title").unwrap_or_default(),
            mime_type: "text/xml".into(),
            creation_time: time.clone(),
            service_start: time,
            class_code: Code::new(class, "1.2.250.1.213.1.1.4.1", class_label),
            type_code: Code::new(code, system, label),
            format_code: Code::new(format, "1.3.6.1.4.1.19376.1.2.3", format),
            practice_setting: Code::new("AMBULATOIRE", "1.2.250.1.213.1.1.4.9", "Ambulatoire"),
            visibility,
            author_person: Some(who.author_person()),
            author_specialty: who.author_specialty(),
            author_institution: who.author_institution(),
            sector: who.sector.clone(),
            hash: if self.defects.on("xds-wrong-hash") {
                super::dmp::hex_sha1(b"another document")
            } else {
                super::dmp::hex_sha1(&document)
            },
            size: document.len(),
        };
        let fed = super::dmp::Fed {
            entry,
            kind,
            set_id: String::new(),
            version: 1,
            parties: Default::default(),
        };
        let published = if self.defects.on("pfi-publishes-nothing") {
            Err(fail("publication non déclenchée"))
        } else {
            self.send_feed(&who, &cx, &fed, document, None).await
        };
        // The DMP's error code, as the user was told it.
        let dmp_error = published.as_ref().err().map(|r| {
            r.message
                .clone()
                .unwrap_or_default()
                .split(|c: char| !c.is_alphanumeric())
                .find(|w| w.starts_with("DMP"))
                .unwrap_or("DMPError")
                .to_string()
        });
        let ack = self.ack(msh, "AA", None);
        // The producer hears what the DMP answered, when it asked to.
        let mut told = Value::Null;
        if says_yes(segs, "ACK_RECEPTION") && !self.defects.on("pfi-business-ack-missing") {
            let zam = self.reception_ack(msh, "ACK_RECEPTION_DMP", dmp_error.as_deref());
            told = match self.pfi_address.clone() {
                Some(address) => match mllp_call(&address, &zam).await {
                    Ok(answer) => json!({ "sent": true, "answer": answer }),
                    Err(e) => json!({ "sent": false, "error": e }),
                },
                None => json!({ "sent": false, "error": "aucun système émetteur joignable" }),
            };
        }
        Reply::ok(json!({
            "published": published.is_ok(), "unique_id": unique_id, "dmp_error": dmp_error,
            "ack": ack, "business_ack": told,
        }))
    }

    /// The `ZAM^Z01` telling the producer of `msh` what became of its document.
    fn reception_ack(&self, msh: &[&str], what: &str, error: Option<&str>) -> String {
        let mut zam = self.answer_header(msh, "ZAM^Z01^ZAM_Z01", "2.6");
        zam.push_str(&format!("EVN||{}\r", self.stamp()));
        zam.push_str(&format!(
            "OBX|1|CWE|{what}^Accusé de réception DMP^AckMetierZAM|{}|{}^^HL70136||||||F\r",
            field(msh, 9),
            if error.is_none() { "Y" } else { "N" }
        ));
        if let Some(error) = error {
            zam.push_str(&format!(
                "ERR|||207^Application internal error^HL70357|E|{error}^{error}^DMPERRORCODE\r"
            ));
        }
        zam
    }

    /// As the PFI: hands each document of a mail received by MSSanté to the DPI in an
    /// `MDM^T02` over MLLP (CDA/HL7.03), and tells the sender, when it asked, what the DPI
    /// answered: `processed`, or the DPI's error code (CDA/HL7.04).
    pub(super) async fn forward_to_dpi(
        &mut self,
        mailbox: &str,
        message: &Received,
        xdm: &Xdm,
    ) -> Result<Reply, Reply> {
        let address = self
            .pfi_address
            .clone()
            .ok_or_else(|| fail("aucun DPI joignable (endpoints.hl7)"))?;
        let mut forwarded = Vec::new();
        let mut failure: Option<(u16, String)> = None;
        for document in &xdm.documents {
            if !document.intact {
                failure = Some((906, "document altéré (hash, size)".into()));
                continue;
            }
            let control_id = control_id();
            let delivery = self.delivery(xdm, document, &control_id);
            let answer = mllp_call(&address, &delivery).await.map_err(fail)?;
            let segs = segments(&answer);
            let code = segs
                .iter()
                .find(|s| s.first() == Some(&"MSA"))
                .map(|m| field(m, 1).to_string())
                .unwrap_or_default();
            if code == "AA" || code == "CA" {
                forwarded
                    .push(json!({ "unique_id": document.unique_id, "control_id": control_id }));
            } else {
                let error = segs
                    .iter()
                    .find(|s| s.first() == Some(&"ERR"))
                    .map(|e| {
                        field(e, 5)
                            .split('^')
                            .next()
                            .unwrap_or_default()
                            .to_string()
                    })
                    .unwrap_or_default();
                failure = Some((
                    error.parse().unwrap_or(207),
                    format!("le DPI a refusé le document ({code} {error})"),
                ));
            }
        }
        let relayed = if self.defects.on("pfi-dpi-refusal-not-relayed") {
            None
        } else {
            failure.clone()
        };
        let disposition = match &relayed {
            None => Disposition::Processed,
            Some((code, label)) => Disposition::Failed(*code, label),
        };
        let receipt_sent = match &message.notify {
            Some(to) => {
                self.notify(mailbox, message, to, disposition).await?;
                true
            }
            None => false,
        };
        Ok(Reply::ok(json!({
            "forwarded": forwarded,
            "error": failure.map(|(code, _)| code),
            "receipt_sent": receipt_sent,
        })))
    }

    /// The `MDM^T02` carrying `document` to the DPI: the patient by the INS the archive
    /// names, the CDA in base64.
    fn delivery(&self, xdm: &Xdm, document: &XdmDocument, control_id: &str) -> String {
        let stamp = self.stamp();
        let structure = &self.structure.national_id;
        let oid = xdm
            .patient_id
            .as_deref()
            .and_then(|cx| cx.split('&').nth(1))
            .unwrap_or_default();
        let mut pid = vec![String::new(); 33];
        pid[0] = "PID".into();
        pid[1] = "1".into();
        if let Some(ins) = &xdm.ins {
            pid[3] = format!("{ins}^^^ASIP-SANTE-INS-NIR&{oid}&ISO^INS");
            pid[32] = "VALI".into();
        }
        let encoded = base64::engine::general_purpose::STANDARD.encode(&document.cda);
        let code = &document.type_code;
        format!(
            "MSH|^~\\&|{}|{structure}|DPI|{structure}|{stamp}||MDM^T02^MDM_T02|{control_id}|P|2.6|||||FRA|UNICODE UTF-8|||2.1^CISIS_CDA_HL7_V2\r\
             EVN||{stamp}\r{}\rPV1|1|I\rORC|NW\rOBR|1|||{code}^^LN\r\
             TXA|1|{code}|TEXT|{stamp}||||||||||||AU\r\
             OBX|1|ED|{code}^^LN||^TEXT^XML^Base64^{encoded}||||||F\r",
            crate::NAME,
            pid.join("|")
        )
    }

    /// The `MSH` of an answer to `msh`: sender and receiver swapped, a fresh `MSH-10`.
    fn answer_header(&self, msh: &[&str], kind: &str, version: &str) -> String {
        format!(
            "MSH|^~\\&|{}|{}|{}|{}|{}||{kind}|{}|P|{version}|||||FRA|UNICODE UTF-8|||2.1^CISIS_CDA_HL7_V2\r",
            field(msh, 4),
            field(msh, 5),
            field(msh, 2),
            field(msh, 3),
            self.stamp(),
            control_id(),
        )
    }

    /// The `ACK` answering `msh`.
    fn ack(&self, msh: &[&str], code: &str, error: Option<(&str, &str)>) -> String {
        let event = field(msh, 8).split('^').nth(1).unwrap_or_default();
        let acknowledged = if self.defects.on("hl7-ack-wrong-id") {
            "0"
        } else {
            field(msh, 9)
        };
        let mut ack = self.answer_header(msh, &format!("ACK^{event}^ACK"), field(msh, 11));
        ack.push_str(&format!("MSA|{code}|{acknowledged}\r"));
        if let Some((code, label)) = error {
            ack.push_str(&format!(
                "ERR|||207^Application error^HL70357|E|{code}^{label}^HL70533\r"
            ));
        }
        ack
    }

    /// A document the PFI received by MSSanté for a patient of this DPI.
    fn integrate_transmitted(&mut self, segs: &[Vec<&str>]) -> Reply {
        let msh = &segs[0];
        let refuse = |s: &Self, code: &str, label: &str| {
            let ack = s.ack(msh, "AE", Some((code, label)));
            Reply::ok(json!({ "integrated": false, "error": code, "ack": ack }))
        };
        let Some(document) = document_of(segs) else {
            let ack = self.ack(msh, "AE", Some(("101", "Document absent")));
            return Reply::ok(json!({ "integrated": false, "error": "101", "ack": ack }));
        };
        let Ok(root) = crate::xml::parse(&String::from_utf8_lossy(&document)) else {
            let ack = self.ack(msh, "AE", Some(("102", "Document illisible")));
            return Reply::ok(json!({ "integrated": false, "error": "102", "ack": ack }));
        };
        let ins = ins_of(&root);
        let Some((ins, _)) = ins.first() else {
            return refuse(self, "903", "INS non présent dans le document");
        };
        let patient = self
            .patients
            .all()
            .find(|p| {
                p.ins.as_ref().is_some_and(|i| &i.number() == ins)
                    && (p.status == crate::identity::Status::Qualifiee
                        || self.defects.on("mdm-unknown-patient-integrated"))
            })
            .map(|p| p.patient.clone());
        let patient = match patient {
            Some(p) => p,
            None if self.defects.on("mdm-unknown-patient-integrated") => {
                match self.patients.all().next() {
                    Some(p) => p.patient.clone(),
                    None => return refuse(self, "902", "Identifiant patient inconnu"),
                }
            }
            None => return refuse(self, "902", "Identifiant patient inconnu"),
        };
        let id = document_id(&root);
        let entry = RecordEntry {
            unique_id: id.clone(),
            title: root.text_of("title").unwrap_or_default(),
            type_code: root
                .child("code")
                .and_then(|c| c.attr("code"))
                .unwrap_or_default()
                .to_string(),
            created: root
                .child("effectiveTime")
                .and_then(|t| t.attr("value"))
                .unwrap_or_default()
                .chars()
                .take(14)
                .collect(),
            origin: "MSSanté",
            dmp_fed: false,
        };
        let record = self.book.records.entry(patient.clone()).or_default();
        if !record.iter().any(|e| e.unique_id == id) {
            record.push(entry);
        }
        self.book
            .produced
            .insert((patient.clone(), id.clone()), document);
        let ack = self.ack(msh, "AA", None);
        Reply::ok(json!({
            "integrated": true, "patient": patient, "unique_id": id, "ack": ack,
        }))
    }

    /// A business acknowledgement of the PFI about a document sent earlier.
    fn business_ack(&mut self, segs: &[Vec<&str>]) -> Reply {
        let msh = &segs[0];
        let obx = segs.iter().find(|s| s.first() == Some(&"OBX"));
        let what = obx
            .map(|o| field(o, 3).split('^').next().unwrap_or_default())
            .unwrap_or_default()
            .to_string();
        let acknowledged = obx.map(|o| field(o, 4)).unwrap_or_default();
        let done = obx.is_some_and(|o| field(o, 5).starts_with('Y'));
        let error = segs.iter().find(|s| s.first() == Some(&"ERR")).map(|e| {
            field(e, 5)
                .split('^')
                .next()
                .unwrap_or_default()
                .to_string()
        });
        let Some(sent) = self
            .pfi_book
            .sent
            .iter_mut()
            .find(|s| s.control_id == acknowledged)
        else {
            let ack = self.ack(msh, "AE", Some(("207", "Message acquitté inconnu")));
            return Reply::ok(json!({ "matched": false, "ack": ack }));
        };
        sent.business.push((what.clone(), done, error.clone()));
        let (patient, unique_id) = (sent.patient.clone(), sent.unique_id.clone());
        // The record says whether the document reached the DMP.
        if what == "ACK_RECEPTION_DMP" {
            let reached = done || self.defects.on("pfi-ack-ignored");
            if let Some(entry) = self
                .book
                .records
                .get_mut(&patient)
                .and_then(|r| r.iter_mut().find(|e| e.unique_id == unique_id))
            {
                entry.dmp_fed = reached;
            }
        }
        let ack = self.ack(msh, "AA", None);
        Reply::ok(json!({
            "matched": true, "patient": patient, "unique_id": unique_id, "acknowledged": what,
            "done": done, "error": error, "ack": ack,
        }))
    }
}
