//! HL7 v2 messages with the identification domain: the LPS reads the ADT and ORM
//! messages its domain sends (create A28, update A31, delete A23, an order O01) and
//! writes an ADT A31 when an identity changes. The INS sits in PID-3 (matricule and
//! key, the INS OID as assigning authority, type `INS`) with PID-32 `VALI` only for a
//! qualified identity (CI-SIS annex on the INS).

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Session, params, refused};
use crate::identity::store::Patient;
use crate::identity::{Ins, Status, Traits, ins};
use crate::protocol::Reply;

/// The largest message read.
const MAX_MESSAGE: usize = 64 * 1024;

/// What the LPS reads of a message.
struct Incoming {
    kind: String,
    source_id: String,
    ins: Option<Ins>,
    traits: Traits,
    used_name: Option<String>,
    reliability: String,
}

fn fail(why: impl Into<String>) -> Reply {
    Reply::error(why, Value::Null)
}

/// Reads MSH-9 and the PID of `text`.
fn read(text: &str) -> Result<Incoming, Reply> {
    if text.len() > MAX_MESSAGE {
        return Err(fail("message HL7 trop long"));
    }
    let segments: Vec<Vec<&str>> = text
        .split(['\r', '\n'])
        .filter(|l| !l.is_empty())
        .map(|l| l.split('|').collect())
        .collect();
    let msh = segments
        .iter()
        .find(|s| s.first() == Some(&"MSH"))
        .ok_or_else(|| fail("message HL7 sans segment MSH"))?;
    let pid = segments
        .iter()
        .find(|s| s.first() == Some(&"PID"))
        .ok_or_else(|| fail("message HL7 sans segment PID"))?;
    let field = |s: &Vec<&str>, n: usize| s.get(n).copied().unwrap_or_default().to_string();
    let kind = field(msh, 8)
        .split('^')
        .take(2)
        .collect::<Vec<_>>()
        .join("^");
    let mut source_id = String::new();
    let mut found = None;
    for repetition in field(pid, 3).split('~') {
        let cx: Vec<&str> = repetition.split('^').collect();
        let authority: Vec<&str> = cx.get(3).copied().unwrap_or_default().split('&').collect();
        if cx.get(4) == Some(&"INS") && cx[0].len() == 15 {
            found = Some(Ins {
                matricule: cx[0][..13].to_string(),
                key: cx[0][13..].to_string(),
                oid: authority.get(1).copied().unwrap_or_default().to_string(),
            });
        } else if cx.get(4) == Some(&"PI") && source_id.is_empty() {
            source_id = cx[0].to_string();
        }
    }
    let mut traits = Traits {
        birth_name: String::new(),
        first_names: Vec::new(),
        sex: field(pid, 8),
        birth_date: String::new(),
        birthplace: field(pid, 11)
            .split('^')
            .nth(8)
            .unwrap_or(crate::identity::UNKNOWN_BIRTHPLACE)
            .to_string(),
    };
    let mut used_name = None;
    for repetition in field(pid, 5).split('~') {
        let xpn: Vec<&str> = repetition.split('^').collect();
        match xpn.get(6).copied() {
            Some("L") => {
                traits.birth_name = xpn[0].to_string();
                traits.first_names = xpn
                    .iter()
                    .skip(1)
                    .take(2)
                    .flat_map(|p| p.split_whitespace())
                    .map(str::to_string)
                    .collect();
            }
            Some("D") => used_name = Some(xpn[0].to_string()).filter(|n| !n.is_empty()),
            _ => {}
        }
    }
    let date = field(pid, 7);
    if date.len() >= 8 {
        traits.birth_date = format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..8]);
    }
    Ok(Incoming {
        kind,
        source_id,
        ins: found,
        traits,
        used_name,
        reliability: field(pid, 32),
    })
}

/// An ADT message of `kind` for `patient`, as the LPS sends it to its domain.
pub fn outgoing(patient: &Patient, kind: &str, now: &str) -> String {
    let stamp: String = now.chars().filter(char::is_ascii_digit).take(14).collect();
    format!(
        "MSH|^~\\&|LPS-REFERENCE|CABINET|GAM|DOMAINE|{stamp}||{kind}^ADT_A05|{}|P|2.5^FRA^2.10\rEVN||{stamp}\r{}\r",
        uuid::Uuid::new_v4().simple(),
        pid_segment(patient)
    )
}

/// The `PID` of `patient`: the local id, the INS with `VALI` when qualified.
pub fn pid_segment(patient: &Patient) -> String {
    let qualified = patient.status == Status::Qualifiee;
    let mut pid3 = format!("{}^^^LPS-REFERENCE&&L^PI", patient.patient);
    if let (true, Some(i)) = (qualified, &patient.ins) {
        pid3.push_str(&format!(
            "~{}^^^ASIP-SANTE-INS-NIR&{}&ISO^INS",
            i.number(),
            i.oid
        ));
    }
    let reliability = match patient.status {
        _ if !patient.attributes.is_empty() => "DOUTE",
        Status::Qualifiee | Status::Validee => "VALI",
        Status::Provisoire | Status::Recuperee => "PROV",
    };
    let first = patient
        .traits
        .first_names
        .first()
        .cloned()
        .unwrap_or_default();
    let others = patient
        .traits
        .first_names
        .get(1..)
        .map(|r| r.join(" "))
        .unwrap_or_default();
    let mut pid = vec![String::new(); 33];
    pid[0] = "PID".into();
    pid[1] = "1".into();
    pid[3] = pid3;
    pid[5] = format!("{}^{first}^{others}^^^^L", patient.traits.birth_name);
    if let Some(used) = &patient.used_name {
        pid[5].push_str(&format!("~{used}^{first}^^^^^D"));
    }
    pid[7] = patient.traits.birth_date.replace('-', "");
    pid[8] = patient.traits.sex.clone();
    pid[11] = format!("^^^^^^BDL^^{}", patient.traits.birthplace);
    pid[32] = reliability.into();
    pid.join("|")
}

#[derive(Deserialize)]
struct Receive {
    message: String,
}

#[derive(Deserialize)]
struct Produce {
    patient: String,
    kind: String,
}

impl Session {
    fn by_source(&self, source: &str) -> Option<String> {
        self.patients
            .all()
            .find(|p| p.source_id.as_deref() == Some(source))
            .map(|p| p.patient.clone())
    }

    /// `hl7.receive`: a message of the software's own identification domain.
    pub(super) async fn hl7_receive(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Receive { message } = params(p)?;
        if let Some(handled) = self.receive_transport(&message).await {
            return handled;
        }
        let m = read(&message)?;
        let known = self.by_source(&m.source_id);
        if m.kind == "ADT^A23" {
            let id = known.ok_or_else(|| fail("suppression d'une identité inconnue"))?;
            if !self.defects.on("hl7-deletion-ignored") {
                self.patients.remove(&id);
            }
            return Ok(Reply::ok(json!({ "patient": id, "deleted": true })));
        }
        let id = match known {
            Some(id) => id,
            None => {
                let created = self.patients.create(m.traits.clone()).map_err(refused)?;
                let id = created.patient.clone();
                self.note(&id, "creation", None);
                id
            }
        };
        let qualified = m.reliability == "VALI"
            && m.ins.as_ref().is_some_and(ins::key_is_valid)
            && !self.defects.on("hl7-ins-ignored");
        {
            let patient = self.patients.get_mut(&id).map_err(refused)?;
            patient.source_id = Some(m.source_id.clone());
            patient.traits = m.traits.clone();
            if m.used_name.is_some() {
                patient.used_name = m.used_name.clone();
            }
            if qualified {
                patient.ins = m.ins.clone();
            }
        }
        let status = if qualified {
            Status::Qualifiee
        } else if m.reliability == "VALI" {
            Status::Validee
        } else {
            Status::Provisoire
        };
        self.patients
            .set_status(&id, status, "identité reçue du domaine d'identification")
            .map_err(refused)?;
        let patient = self.patients.get(&id).map_err(refused)?;
        Ok(Reply::ok(json!({
            "patient": id,
            "kind": m.kind,
            "status": patient.status,
            "ins": patient.ins,
        })))
    }

    /// `hl7.produce`: the message the LPS sends its domain for an identity.
    pub(super) fn hl7_produce(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Produce { patient, kind } = params(p)?;
        let record = self.patients.get(&patient).map_err(refused)?.clone();
        let mut message = outgoing(&record, &kind, &self.now_text());
        if self.defects.on("hl7-pid-ins-as-nh") {
            message = message
                .replace("^^^ASIP-SANTE-INS-NIR&", "^^^&")
                .replace("&ISO^INS", "&ISO^NH");
        }
        self.outbox
            .push(json!({ "time": self.now_text(), "message": message }));
        Ok(Reply::ok(json!({ "patient": patient, "message": message })))
    }
}
