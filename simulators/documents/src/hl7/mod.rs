//! HL7 v2 messages of an identification domain, as far as the INS goes: the `PID` segment
//! of the CI-SIS annex "Prise en charge de l'INS dans les standards d'interopérabilité"
//! and the French extension of IHE PAM.
//!
//! - `PID-3` repeats the patient's identifiers; the INS is the repetition whose CX.1 is
//!   the matricule and its key (15 characters), CX.4 the assigning authority with the
//!   INS OID as universal id (`&1.2.250.1.213.1.4.8&ISO`), CX.5 the type `INS`.
//! - `PID-32` is the identity reliability code: `VALI` for a validated identity, `PROV`
//!   provisional, `DOUTE` doubtful, `FICTI` fictitious. An INS travels only with an
//!   identity whose INS is qualified (REM INS/va1.62: "un INS et PID-32 = VALI").
//!
//! Sans I/O: [`parse`] reads the segments, [`pid_ins`] checks the PID, [`Message`] builds
//! the messages the bench hands a software. [`transport`] reads and builds the messages
//! that carry a CDA document between a producer and its PFI (MDM^T02, ORU^R01, their
//! ACK and the PFI's business acknowledgements ZAM); [`mllp`] frames messages on a socket.

pub mod mllp;
pub mod transport;

use segur_core::finding::{Finding, Rule, Severity};
use segur_core::world::ins::InsOidKind;

/// The requirements the PID's INS serves.
const PID_REQUIREMENTS: &[&str] = &[
    "INS/va1.61",
    "INS/va1.71",
    "INS/va1.62",
    "INS/va1.67",
    "INS/va1.68",
    "INS/va1.73",
];

/// The message is not HL7 v2 (no `MSH` segment with its separators) or has no `PID`.
pub const HL7_UNREADABLE: Rule = Rule {
    name: "HL7-UNREADABLE",
    requirements: PID_REQUIREMENTS,
    severity: Severity::Error,
};

/// `PID-3` has no INS repetition, or one whose matricule, OID or type is wrong.
pub const HL7_PID_INS: Rule = Rule {
    name: "HL7-PID-INS",
    requirements: PID_REQUIREMENTS,
    severity: Severity::Error,
};

/// `PID-32` is not the reliability code of the identity (an INS sent without `VALI`).
pub const HL7_PID_RELIABILITY: Rule = Rule {
    name: "HL7-PID-32",
    requirements: PID_REQUIREMENTS,
    severity: Severity::Error,
};

/// The largest message read (a few segments; more is not an identity message).
pub const MAX_MESSAGE: usize = 64 * 1024;

/// One segment: its name and its fields (field 1 is the one after the name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// `MSH`, `PID`...
    pub name: String,
    /// The fields, split on `|`, the name first (so `fields[3]` is `PID-3`).
    pub fields: Vec<String>,
}

impl Segment {
    /// Field `n` (1-based, as HL7 numbers them), empty when absent.
    pub fn field(&self, n: usize) -> &str {
        self.fields.get(n).map_or("", String::as_str)
    }
}

/// A parsed message.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// Its segments, in order.
    pub segments: Vec<Segment>,
    /// The message type, `MSH-9` (`ADT^A28`...).
    pub kind: String,
}

impl Parsed {
    /// The first segment named `name`.
    pub fn segment(&self, name: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.name == name)
    }
}

/// Reads a message: segments end with CR (LF and CRLF are read too), the separators are
/// the standard `|^~\&` (the ones MSH-1 and MSH-2 declare).
pub fn parse(text: &str) -> Result<Parsed, Finding> {
    parse_bounded(text, MAX_MESSAGE)
}

/// [`parse`] with another size limit (a message carrying a document is larger).
pub fn parse_bounded(text: &str, max: usize) -> Result<Parsed, Finding> {
    if text.len() > max {
        return Err(HL7_UNREADABLE.finding(format!(
            "message de {} octets, au-delà de {max}",
            text.len()
        )));
    }
    let segments: Vec<Segment> = text
        .split(['\r', '\n'])
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let fields: Vec<String> = line.split('|').map(str::to_string).collect();
            Segment {
                name: fields.first().cloned().unwrap_or_default(),
                fields,
            }
        })
        .collect();
    let Some(msh) = segments.first().filter(|s| s.name == "MSH") else {
        return Err(HL7_UNREADABLE.finding("le message ne commence pas par un segment MSH"));
    };
    if !msh.field(1).starts_with("^~\\&") {
        return Err(HL7_UNREADABLE.finding(format!(
            "MSH-2 {:?} : séparateurs attendus ^~\\&",
            msh.field(1)
        )));
    }
    // MSH-1 is the field separator itself, so MSH-9 is the 9th split field after MSH.
    let kind = msh
        .field(8)
        .split('^')
        .take(2)
        .collect::<Vec<_>>()
        .join("^");
    Ok(Parsed { segments, kind })
}

/// What the PID says of the identity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PidIdentity {
    /// The INS repetition of PID-3: the 15-character number and the OID.
    pub ins: Option<(String, String)>,
    /// `PID-5`: the birth name (first component of the legal name, type `L`).
    pub birth_name: String,
    /// `PID-5`: the first names given in the legal name.
    pub first_names: String,
    /// `PID-5` repetition of type `D`: the used name, when given.
    pub used_name: Option<String>,
    /// `PID-7`: the birth date, `YYYYMMDD`.
    pub birth_date: String,
    /// `PID-8`: `M`, `F`, `U`.
    pub sex: String,
    /// `PID-32`: `VALI`, `PROV`...
    pub reliability: String,
}

/// Reads the identity of the message's PID, with a finding for each INS rule it breaks.
pub fn pid_identity(parsed: &Parsed) -> (Option<PidIdentity>, Vec<Finding>) {
    let Some(pid) = parsed.segment("PID") else {
        return (
            None,
            vec![HL7_UNREADABLE.finding("le message n'a pas de segment PID")],
        );
    };
    let mut findings = Vec::new();
    let mut identity = PidIdentity::default();
    for repetition in pid.field(3).split('~') {
        let cx: Vec<&str> = repetition.split('^').collect();
        let authority: Vec<&str> = cx.get(3).copied().unwrap_or_default().split('&').collect();
        let oid = authority.get(1).copied().unwrap_or_default();
        let Some(_) = InsOidKind::of(oid) else {
            continue;
        };
        let number = cx.first().copied().unwrap_or_default();
        let kind = cx.get(4).copied().unwrap_or_default();
        if number.len() != 15 {
            findings.push(HL7_PID_INS.finding(format!(
                "PID-3 : l'INS {number:?} n'a pas 15 caractères (matricule et clé)"
            )));
        }
        if authority.get(2).copied() != Some("ISO") {
            findings.push(HL7_PID_INS.finding(format!(
                "PID-3 : l'autorité d'affectation de l'INS {:?} n'est pas l'OID {oid} de type ISO",
                cx.get(3).copied().unwrap_or_default()
            )));
        }
        if kind != "INS" {
            findings.push(HL7_PID_INS.finding(format!(
                "PID-3 : le type d'identifiant de l'INS est {kind:?}, INS attendu"
            )));
        }
        identity.ins = Some((number.to_string(), oid.to_string()));
    }
    for repetition in pid.field(5).split('~') {
        let xpn: Vec<&str> = repetition.split('^').collect();
        let part = |i: usize| xpn.get(i).copied().unwrap_or_default().to_string();
        match xpn.get(6).copied() {
            Some("D") => identity.used_name = Some(part(0)).filter(|n| !n.is_empty()),
            _ if identity.birth_name.is_empty() => {
                identity.birth_name = part(0);
                identity.first_names = [part(1), part(2)]
                    .into_iter()
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            _ => {}
        }
    }
    identity.birth_date = pid.field(7).chars().take(8).collect();
    identity.sex = pid.field(8).to_string();
    identity.reliability = pid.field(32).to_string();
    if identity.ins.is_some() && identity.reliability != "VALI" {
        findings.push(HL7_PID_RELIABILITY.finding(format!(
            "PID-32 {:?} : un INS ne part qu'avec une identité qualifiée (VALI)",
            identity.reliability
        )));
    }
    (Some(identity), findings)
}

/// A message the bench builds for a software: one patient, the INS if given.
#[derive(Debug, Clone, Default)]
pub struct Message {
    /// `MSH-9`: `ADT^A28`, `ADT^A31`, `ADT^A23`, `ORM^O01`.
    pub kind: String,
    /// The sending application and facility (`MSH-3`, `MSH-4`).
    pub sender: String,
    /// `MSH-10`.
    pub control_id: String,
    /// `MSH-7`, `YYYYMMDDHHMMSS`.
    pub time: String,
    /// The sender's own patient id, `PID-3`'s first repetition.
    pub local_id: String,
    /// The INS (15 characters and its OID), sent only with `VALI`.
    pub ins: Option<(String, String)>,
    /// Birth name.
    pub birth_name: String,
    /// First names, space separated.
    pub first_names: String,
    /// Used name.
    pub used_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `M` or `F`.
    pub sex: String,
    /// COG code of the birthplace (`PID-11` of type `BDL`).
    pub birthplace: String,
    /// `PID-32`.
    pub reliability: String,
}

impl Message {
    /// The message, segments ended by CR.
    pub fn render(&self) -> String {
        let event = self.kind.split('^').nth(1).unwrap_or_default();
        let mut out = format!(
            "MSH|^~\\&|{s}|{s}|LPS|LPS|{t}||{k}^{k2}|{id}|P|2.5^FRA^2.10|||||FRA|8859/1\r",
            s = self.sender,
            t = self.time,
            k = self.kind,
            k2 = kind_structure(&self.kind),
            id = self.control_id,
        );
        if !event.is_empty() && self.kind.starts_with("ADT") {
            out.push_str(&format!("EVN||{}\r", self.time));
        }
        out.push_str(&self.pid_segment());
        out.push('\r');
        out
    }

    /// The `PID` segment of the identity (no segment terminator).
    pub fn pid_segment(&self) -> String {
        let mut pid3 = format!("{}^^^{}&&L^PI", self.local_id, self.sender);
        if let Some((number, oid)) = &self.ins {
            pid3.push_str(&format!("~{number}^^^ASIP-SANTE-INS-NIR&{oid}&ISO^INS"));
        }
        let first: Vec<&str> = self.first_names.split(' ').collect();
        let mut pid5 = format!(
            "{}^{}^{}^^^^L",
            self.birth_name,
            first.first().copied().unwrap_or_default(),
            first.get(1..).map(|r| r.join(" ")).unwrap_or_default()
        );
        if let Some(used) = &self.used_name {
            pid5.push_str(&format!(
                "~{used}^{}^^^^^D",
                first.first().copied().unwrap_or_default()
            ));
        }
        let mut pid = vec![String::new(); 33];
        pid[0] = "PID".into();
        pid[1] = "1".into();
        pid[3] = pid3;
        pid[5] = pid5;
        pid[7] = self.birth_date.replace('-', "");
        pid[8] = self.sex.clone();
        pid[11] = format!("^^^^^^BDL^^{}", self.birthplace);
        pid[32] = self.reliability.clone();
        pid.join("|")
    }
}

/// `MSH-9.3`, the message structure of a kind.
fn kind_structure(kind: &str) -> &'static str {
    match kind {
        "ADT^A28" | "ADT^A31" => "ADT_A05",
        "ADT^A23" => "ADT_A21",
        "ORM^O01" => "ORM_O01",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OID_TEST: &str = "1.2.250.1.213.1.4.10";

    fn qualified() -> Message {
        Message {
            kind: "ADT^A28".into(),
            sender: "DOMAINE".into(),
            control_id: "1".into(),
            time: "20261203101500".into(),
            local_id: "IPP42".into(),
            ins: Some(("275126322010143".into(), OID_TEST.into())),
            birth_name: "ADRUN".into(),
            first_names: "ZOE".into(),
            used_name: Some("MARTIN".into()),
            birth_date: "1975-12-01".into(),
            sex: "F".into(),
            birthplace: "63220".into(),
            reliability: "VALI".into(),
        }
    }

    #[test]
    fn a_built_message_reads_back() {
        let parsed = parse(&qualified().render()).unwrap();
        assert_eq!(parsed.kind, "ADT^A28");
        let (identity, findings) = pid_identity(&parsed);
        assert!(findings.is_empty(), "{findings:?}");
        let identity = identity.unwrap();
        assert_eq!(
            identity.ins,
            Some(("275126322010143".into(), OID_TEST.into()))
        );
        assert_eq!(identity.birth_name, "ADRUN");
        assert_eq!(identity.first_names, "ZOE");
        assert_eq!(identity.used_name.as_deref(), Some("MARTIN"));
        assert_eq!(identity.birth_date, "19751201");
        assert_eq!(identity.reliability, "VALI");
    }

    /// (PID-3, PID-32, the rules broken).
    #[test]
    fn pid_rules_table() {
        let table: &[(&str, &str, &[&str])] = &[
            (
                "IPP1^^^D&&L^PI~275126322010143^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS",
                "VALI",
                &[],
            ),
            // No INS at all, provisional: nothing to say.
            ("IPP1^^^D&&L^PI", "PROV", &[]),
            // An INS sent with a provisional identity.
            (
                "275126322010143^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS",
                "PROV",
                &["HL7-PID-32"],
            ),
            // The matricule without its key.
            (
                "2751263220101^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS",
                "VALI",
                &["HL7-PID-INS"],
            ),
            // The XDS form (type NH) is not the PID form.
            (
                "275126322010143^^^&1.2.250.1.213.1.4.10&ISO^NH",
                "VALI",
                &["HL7-PID-INS"],
            ),
        ];
        for (pid3, pid32, rules) in table {
            let mut fields = vec![""; 33];
            fields[0] = "PID";
            fields[3] = pid3;
            fields[32] = pid32;
            let text = format!(
                "MSH|^~\\&|A|B|C|D|20260101||ADT^A31|1|P|2.5\r{}\r",
                fields.join("|")
            );
            let parsed = parse(&text).unwrap();
            let (_, findings) = pid_identity(&parsed);
            let seen: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
            assert_eq!(&seen, rules, "{pid3} / {pid32}");
        }
    }

    #[test]
    fn what_is_not_hl7_is_said_so() {
        for text in ["", "PID|1", "MSH|xx|A", &"A".repeat(MAX_MESSAGE + 1)] {
            assert_eq!(
                parse(text).unwrap_err().rule,
                "HL7-UNREADABLE",
                "{text:.20}"
            );
        }
        let parsed = parse("MSH|^~\\&|A|B|C|D|20260101||ADT^A31|1|P|2.5\r").unwrap();
        assert_eq!(pid_identity(&parsed).1[0].rule, "HL7-UNREADABLE");
    }
}
