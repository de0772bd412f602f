//! The identity repository's other functions: the record's ten fields (rule 1), the
//! local user and their rights (rule 4), the site's settings (rules 3, 19, 30, 32),
//! modifying an identity (rules 16, 26, 27), what the screen shows and the paper prints,
//! identities received from another domain (rules 30, 51, 52, 55), bulk verification
//! (rule 46) and the partners an INS was sent to (rule 31).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{PatientRef, Session, params, refused};
use crate::defects::Defects;
use crate::identity::store::Patient;
use crate::identity::{Ins, Status, Traits, ins};
use crate::protocol::Reply;

/// The local user at the keyboard.
#[derive(Debug, Clone)]
pub struct User {
    /// Their login.
    pub name: String,
    /// What they may do: `insi` (call the teleservice), `ins` (open identities),
    /// `identity_admin` (change strict traits: the identity-vigilance officer).
    pub rights: Vec<String>,
}

impl Default for User {
    fn default() -> Self {
        Self {
            name: "utilisateur".into(),
            rights: vec!["insi".into(), "ins".into()],
        }
    }
}

impl User {
    /// Refuses what the user has no right to.
    pub fn may(&self, right: &str) -> Result<(), Reply> {
        if self.rights.iter().any(|r| r == right) {
            return Ok(());
        }
        let what = match right {
            "insi" => "appeler le téléservice INSi",
            "ins" => "accéder aux identités et à l'INS",
            _ => "modifier les traits stricts d'une identité",
        };
        Err(Reply::error(
            format!("{} n'est pas habilité à {what}", self.name),
            Value::Null,
        ))
    }
}

/// The site's settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Documents and their trust level (`haut` / `faible`) changed by the site.
    pub justificatifs: BTreeMap<String, String>,
    /// A high-trust document validates the identity at once (rule 19 lets a site turn it
    /// off).
    pub auto_validation: bool,
    /// The optional fields shown on screen; all when `None`.
    pub displayed_fields: Option<Vec<String>>,
    /// The optional traits printed beside the minimal ones.
    pub printed_fields: Vec<String>,
    /// Senders of another domain under a trust contract (rule 30).
    pub trusted_senders: Vec<String>,
    /// How long the record's documents are kept: years before archiving, years before
    /// destruction (DMP/UX.44: those integrated from the DMP too).
    pub retention: (u32, u32),
    /// What is preloaded from the DMP for the patients in care, and for how long
    /// (DMP/UX.34); nothing when `None`.
    pub preload: Option<super::preload::PreloadSettings>,
    /// The patient information notice (GDPR) printed at the foot of the documents
    /// (DOC/va1.03, va1.05).
    pub gdpr_notice: Option<String>,
    /// The text a biology report carries when an examination was validated by an
    /// automatic process without a biologist's review (DOC/va1.18).
    pub auto_validation_notice: Option<String>,
    /// The laboratory's accreditation statement (Cofrac number, scope), carried by a report
    /// with an accredited examination (DOC/va1.29).
    pub accreditation: Option<String>,
    /// Documents to publish go through the establishment's PFI (HL7 v2 over MLLP) rather
    /// than to the DMP directly (`dmp_transport`: `pfi` or `direct`).
    pub via_pfi: bool,
    /// Documents received by MSSanté go to the DPI in HL7 v2 (`mss_integration`: `hl7`)
    /// rather than into the software's own records (`record`): the PFI's way.
    pub mss_to_hl7: bool,
    /// Where answers to the application mailbox's mails go (`Reply-To`, MSS/va1.18): an
    /// organisational or personal mailbox; the structure's first organisational one when
    /// `None`.
    pub mss_reply_to: Option<String>,
    /// Documents received by mail whose INS and birth traits match a qualified identity
    /// strictly are filed on their own (`mss_auto_integration`, MSS/UX.07).
    pub mss_auto_integration: bool,
    /// A validated report leaves on its own by MSSanté, from the application mailbox, to
    /// its recipients (`mss_report_auto_send`, MSS/va1.21, va1.29).
    pub mss_report_auto_send: bool,
    /// The document types (LOINC typeCodes) signalled as new in the DMP when a record
    /// opens (DMP/UX.15), set for the structure, a service, a specialty (DMP/UX.17); every
    /// type when none is set.
    pub new_types: super::dmp::NewTypes,
    /// The service the user works in.
    pub service: Option<String>,
    /// After how many months a patient's latest VSM is due for an update (DOC/va1.11).
    pub vsm_reminder_months: Option<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            justificatifs: BTreeMap::new(),
            auto_validation: true,
            displayed_fields: None,
            printed_fields: Vec::new(),
            trusted_senders: Vec::new(),
            retention: (5, 20),
            preload: None,
            gdpr_notice: None,
            auto_validation_notice: None,
            accreditation: None,
            via_pfi: false,
            mss_to_hl7: false,
            mss_reply_to: None,
            mss_auto_integration: false,
            mss_report_auto_send: false,
            new_types: Default::default(),
            service: None,
            vsm_reminder_months: None,
        }
    }
}

/// The high-trust documents of the RNIV before any site setting.
const HIGH_TRUST: [&str; 4] = [
    "carte_identite",
    "passeport",
    "titre_sejour",
    "livret_famille",
];

impl Settings {
    /// The high-trust documents of the site; `fixed` (a defect) ignores its settings.
    pub fn high_trust(&self, fixed: bool) -> Vec<String> {
        let mut out: Vec<String> = HIGH_TRUST.iter().map(|d| d.to_string()).collect();
        if fixed {
            return out;
        }
        for (document, level) in &self.justificatifs {
            out.retain(|d| d != document);
            if level == "haut" {
                out.push(document.clone());
            }
        }
        out
    }
}

/// The strict fields (rule 26), as the protocol names them.
const STRICT: [&str; 7] = [
    "birth_name",
    "first_names",
    "birth_date",
    "sex",
    "birthplace",
    "matricule_ins",
    "oid",
];

/// The optional fields of the screen, in order.
const OPTIONAL: [&str; 6] = [
    "matricule_ins",
    "oid",
    "first_names",
    "used_name",
    "used_first_name",
    "birthplace",
];

/// A field's label, as the REM's examples spell it.
fn label(field: &str) -> &'static str {
    match field {
        "birth_name" => "Nom de naissance",
        "first_name" => "1er prénom de naissance",
        "birth_date" => "Date de naissance",
        "sex" => "Sexe",
        "matricule_ins" => "Matricule INS",
        "oid" => "OID",
        "first_names" => "Prénom(s) de naissance",
        "used_name" => "Nom utilisé",
        "used_first_name" => "Prénom utilisé",
        _ => "Lieu de naissance - Code INSEE",
    }
}

/// `JJ/MM/AAAA`, as a birth date is shown (INS/va1.52).
fn french_date(date: &str) -> String {
    let parts: Vec<&str> = date.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => date.to_string(),
    }
}

/// The ten fields of the record (rule 1), `null` when not filled.
pub fn record(p: &Patient, defects: &Defects) -> Value {
    let mut fields = json!({
        "matricule_ins": p.ins.as_ref().map(Ins::number),
        "oid": p.ins.as_ref().map(|i| i.oid.clone()),
        "birth_name": p.traits.birth_name,
        "first_names": p.traits.first_names,
        "first_name": p.first_name,
        "birth_date": p.traits.birth_date,
        "sex": p.traits.sex,
        "birthplace": p.traits.birthplace,
        "used_name": p.used_name,
        "used_first_name": p.used_first_name,
    });
    if defects.on("record-without-first-name")
        && let Some(f) = fields.as_object_mut()
    {
        f.remove("first_name");
    }
    fields
}

/// The value of `field` as shown or printed.
fn shown_value(p: &Patient, field: &str) -> Option<String> {
    Some(match field {
        "birth_name" => p.traits.birth_name.clone(),
        "first_name" => p.first_name.clone(),
        "birth_date" => french_date(&p.traits.birth_date),
        "sex" => p.traits.sex.clone(),
        "matricule_ins" => {
            let i = p.ins.as_ref()?;
            format!("{} {}", i.number(), i.nature())
        }
        "oid" => p.ins.as_ref()?.oid.clone(),
        "first_names" => p.traits.first_names.join(" "),
        "used_name" => p.used_name.clone()?,
        "used_first_name" => p.used_first_name.clone()?,
        "birthplace" => p.traits.birthplace.clone(),
        _ => return None,
    })
}

/// Refuses a typed INS that is not 15 characters with a matching key (rule 17);
/// `without_key` (a defect) lets 13 characters through.
pub fn check_typed_ins(typed: &str, without_key: bool) -> Result<(), Reply> {
    if without_key && typed.len() == 13 {
        return Ok(());
    }
    if typed.len() != 15 || !typed.is_ascii() {
        return Err(Reply::error(
            format!("matricule INS {typed:?} : saisir les 15 caractères, clé comprise"),
            Value::Null,
        ));
    }
    let candidate = Ins {
        matricule: typed[..13].to_string(),
        key: typed[13..].to_string(),
        oid: ins::OID_NIR.into(),
    };
    if !ins::key_is_valid(&candidate) {
        return Err(Reply::error(
            format!("matricule INS {typed} : la clé ne correspond pas au matricule"),
            Value::Null,
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
struct Update {
    patient: String,
    changes: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct Setting {
    name: String,
    value: Value,
}

#[derive(Deserialize)]
struct Switch {
    user: String,
    #[serde(default)]
    rights: Vec<String>,
}

#[derive(Deserialize)]
struct Flow {
    sender: String,
    traits: Traits,
    ins: Ins,
    #[serde(default)]
    document: Option<Value>,
}

#[derive(Deserialize)]
struct Receive {
    #[serde(default)]
    patient: Option<String>,
    flow: Flow,
}

impl Session {
    /// The name the LPS records actions under: the local user, or the professional
    /// logged in with PSC (their national id).
    pub(super) fn user_name(&self) -> String {
        self.psc_national_id()
            .filter(|_| self.user.name == "utilisateur")
            .unwrap_or_else(|| self.user.name.clone())
    }

    /// Traces an access or a change of identity `id` (rules 4 and 16).
    pub(super) fn note(&mut self, id: &str, action: &str, field: Option<&str>) {
        if action == "modification" && self.defects.on("modifications-untraced") {
            return;
        }
        let entry = json!({
            "time": self.now_text(),
            "user": self.user_name(),
            "action": action,
            "field": field,
        });
        self.audit.entry(id.to_string()).or_default().push(entry);
    }

    /// Records that the INS of `id` went to `partners` by `channel` (rule 31).
    pub(super) fn note_share(&mut self, id: &str, partners: &[String], channel: &str) {
        if self.defects.on("shares-untraced") {
            return;
        }
        let time = self.now_text();
        let user = self.user_name();
        let list = self.shares.entry(id.to_string()).or_default();
        for partner in partners {
            list.push(
                json!({ "time": time, "user": user, "partner": partner, "channel": channel }),
            );
        }
    }

    /// `identity.update`: complementary traits always; strict ones only by an
    /// identity-vigilance officer once the INS is retrieved, which invalidates the INS,
    /// lowers the status and sends an ADT A31 to the domain (rule 27).
    pub(super) fn update(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Update {
            patient: id,
            changes,
        } = params(p)?;
        self.user.may("ins")?;
        let strict: Vec<&String> = changes
            .keys()
            .filter(|k| STRICT.contains(&k.as_str()))
            .collect();
        let before = self.patients.get(&id).map_err(refused)?.clone();
        let retrieved = matches!(before.status, Status::Recuperee | Status::Qualifiee);
        if !strict.is_empty() && retrieved && !self.defects.on("strict-traits-editable") {
            self.user.may("identity_admin").map_err(|_| {
                Reply::error(
                    format!(
                        "identité {} : {:?} ne sont modifiables que par un super utilisateur",
                        match before.status {
                            Status::Qualifiee => "qualifiée",
                            _ => "récupérée",
                        },
                        strict
                    ),
                    Value::Null,
                )
            })?;
        }
        if retrieved
            && self.defects.on("used-names-locked")
            && changes.keys().any(|k| k.starts_with("used_"))
        {
            return Err(Reply::error(
                "identité récupérée : aucun trait n'est modifiable",
                Value::Null,
            ));
        }
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let keep_ins = self.defects.on("strict-change-keeps-ins");
        {
            let patient = self.patients.get_mut(&id).map_err(refused)?;
            for (field, value) in &changes {
                match field.as_str() {
                    "birth_name" => patient.traits.birth_name = text(value),
                    "first_names" => {
                        patient.traits.first_names = value
                            .as_array()
                            .map(|a| a.iter().map(text).collect())
                            .unwrap_or_default();
                        patient.reset_first_name();
                    }
                    "birth_date" => patient.traits.birth_date = text(value),
                    "sex" => patient.traits.sex = text(value),
                    "birthplace" => patient.traits.birthplace = text(value),
                    "used_name" => patient.used_name = Some(text(value)).filter(|v| !v.is_empty()),
                    "used_first_name" => {
                        patient.used_first_name = Some(text(value)).filter(|v| !v.is_empty())
                    }
                    "date_of_death" => {
                        patient.deceased = Some(text(value)).filter(|v| !v.is_empty())
                    }
                    "matricule_ins" | "oid" => {}
                    other => {
                        return Err(Reply::error(
                            format!("champ {other:?} inconnu"),
                            Value::Null,
                        ));
                    }
                }
            }
        }
        if !strict.is_empty() && retrieved && !keep_ins {
            let status = if before.status == Status::Qualifiee {
                Status::Validee
            } else {
                Status::Provisoire
            };
            let patient = self.patients.get_mut(&id).map_err(refused)?;
            patient.ins = None;
            patient.ins_history.clear();
            self.patients
                .set_status(&id, status, "trait strict modifié : INS invalidé")
                .map_err(refused)?;
            let patient = self.patients.get(&id).map_err(refused)?.clone();
            let message = super::hl7::outgoing(&patient, "ADT^A31", &self.now_text());
            self.outbox
                .push(json!({ "time": self.now_text(), "message": message }));
        }
        for field in changes.keys() {
            self.note(&id, "modification", Some(field));
        }
        let patient = self.patients.get(&id).map_err(refused)?;
        Ok(Reply::ok(json!({
            "patient": patient.patient,
            "status": patient.status,
            "ins": patient.ins,
            "fields": record(patient, &self.defects),
        })))
    }

    /// `identity.display`: the mandatory traits always, the optional fields the site
    /// shows, each with its label and whether the user may change it.
    pub(super) fn display(&mut self, p: &Value) -> Result<Reply, Reply> {
        let PatientRef { patient: id } = params(p)?;
        self.user.may("ins")?;
        let patient = self.patients.get(&id).map_err(refused)?.clone();
        let locked = matches!(patient.status, Status::Recuperee | Status::Qualifiee)
            && !self.user.rights.iter().any(|r| r == "identity_admin")
            && !self.defects.on("screen-strict-editable");
        let mut fields: Vec<&str> = vec!["birth_name", "first_name", "birth_date", "sex"];
        if self.defects.on("screen-hides-mandatory") && self.settings.displayed_fields.is_some() {
            fields.retain(|f| *f != "first_name");
        }
        for f in OPTIONAL {
            let shown = self
                .settings
                .displayed_fields
                .as_ref()
                .is_none_or(|d| d.iter().any(|x| x == f));
            if shown {
                fields.push(f);
            }
        }
        let entries: Vec<Value> = fields
            .into_iter()
            .map(|f| {
                let label = if f == "birth_name" && self.defects.on("screen-label-ambiguous") {
                    "Nom"
                } else {
                    label(f)
                };
                json!({
                    "field": f,
                    "label": label,
                    "value": shown_value(&patient, f),
                    "editable": !(locked && (STRICT.contains(&f) || f == "first_name")),
                })
            })
            .collect();
        self.note(&id, "consultation", None);
        Ok(Reply::ok(json!({ "patient": id, "fields": entries })))
    }

    /// `identity.print`: the minimal traits, the INS and its nature and the datamatrix
    /// for a qualified identity only (rule 32), the optional traits the site prints.
    pub(super) fn print(&mut self, p: &Value) -> Result<Reply, Reply> {
        let PatientRef { patient: id } = params(p)?;
        self.user.may("ins")?;
        let patient = self.patients.get(&id).map_err(refused)?.clone();
        let qualified = patient.status == Status::Qualifiee
            || (self.defects.on("datamatrix-for-any-identity") && patient.ins.is_some());
        let mut fields: Vec<String> = ["birth_name", "first_name", "birth_date", "sex"]
            .iter()
            .map(|f| f.to_string())
            .collect();
        if qualified {
            fields.push("matricule_ins".into());
        }
        if !self.defects.on("print-ignores-settings") {
            fields.extend(self.settings.printed_fields.iter().cloned());
        }
        let lines: Vec<Value> = fields
            .iter()
            .filter_map(|f| {
                let mut value = shown_value(&patient, f)?;
                if f == "matricule_ins" && self.defects.on("print-without-nature") {
                    value = patient.ins.as_ref().map(Ins::number).unwrap_or_default();
                }
                Some(json!({ "field": f, "label": label(f), "value": value }))
            })
            .collect();
        let datamatrix = qualified.then(|| {
            let ins = patient.ins.clone().unwrap_or(Ins {
                matricule: String::new(),
                key: String::new(),
                oid: String::new(),
            });
            format!(
                "INS:{};OID:{};NOM:{};PRENOMS:{};SEXE:{};DDN:{};LIEU:{}",
                ins.number(),
                ins.oid,
                patient.traits.birth_name,
                patient.traits.first_names.join(" "),
                patient.traits.sex,
                patient.traits.birth_date.replace('-', ""),
                patient.traits.birthplace
            )
        });
        Ok(Reply::ok(
            json!({ "patient": id, "lines": lines, "datamatrix": datamatrix }),
        ))
    }

    /// `identity.audit`.
    pub(super) fn audit_of(&self, p: &Value) -> Result<Reply, Reply> {
        let PatientRef { patient: id } = params(p)?;
        self.patients.get(&id).map_err(refused)?;
        Ok(Reply::ok(json!({
            "patient": id,
            "entries": self.audit.get(&id).cloned().unwrap_or_default(),
        })))
    }

    /// `identity.shares`.
    pub(super) fn shares_of(&self, p: &Value) -> Result<Reply, Reply> {
        let PatientRef { patient: id } = params(p)?;
        self.patients.get(&id).map_err(refused)?;
        Ok(Reply::ok(json!({
            "patient": id,
            "shares": self.shares.get(&id).cloned().unwrap_or_default(),
        })))
    }

    /// `identity.validate`: the user's manual validation.
    pub(super) fn validate(&mut self, p: &Value) -> Result<Reply, Reply> {
        let PatientRef { patient: id } = params(p)?;
        let patient = self.patients.validate(&id).map_err(refused)?;
        let reply = json!({ "patient": patient.patient, "status": patient.status });
        self.note(&id, "modification", Some("status"));
        Ok(Reply::ok(reply))
    }

    /// `settings.set`.
    pub(super) fn set(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Setting { name, value } = params(p)?;
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        match name.as_str() {
            "justificatifs" => {
                let levels: BTreeMap<String, String> = serde_json::from_value(value.clone())
                    .map_err(|e| Reply::error(format!("justificatifs : {e}"), Value::Null))?;
                self.settings.justificatifs.extend(levels);
            }
            "auto_validation" => self.settings.auto_validation = value.as_bool().unwrap_or(true),
            "displayed_fields" => self.settings.displayed_fields = Some(strings(&value)),
            "printed_fields" => self.settings.printed_fields = strings(&value),
            "trusted_senders" => self.settings.trusted_senders = strings(&value),
            "gdpr_notice" => self.settings.gdpr_notice = value.as_str().map(str::to_string),
            "auto_validation_notice" => {
                self.settings.auto_validation_notice = value.as_str().map(str::to_string);
            }
            "accreditation" => self.settings.accreditation = value.as_str().map(str::to_string),
            "dmp_new_types" => {
                let types: super::dmp::NewTypes = serde_json::from_value(value.clone())
                    .map_err(|e| Reply::error(format!("dmp_new_types : {e}"), Value::Null))?;
                self.settings.new_types.merge(types);
            }
            "service" => self.settings.service = value.as_str().map(str::to_string),
            "mss_report_auto_send" => {
                self.settings.mss_report_auto_send = value.as_bool().unwrap_or(true);
            }
            "mss_auto_integration" => {
                self.settings.mss_auto_integration = value.as_bool().unwrap_or(true);
            }
            "mss_reply_to" => {
                let address = value.as_str().filter(|a| a.contains('@')).ok_or_else(|| {
                    Reply::error(
                        "mss_reply_to : l'adresse MSSanté des réponses manque",
                        Value::Null,
                    )
                })?;
                self.settings.mss_reply_to = Some(address.to_ascii_lowercase());
            }
            "directory_refresh" => self.set_directory_refresh(&value)?,
            "vsm_reminder" => {
                let months = value["after_months"]
                    .as_u64()
                    .and_then(|m| u32::try_from(m).ok())
                    .filter(|m| *m > 0)
                    .ok_or_else(|| {
                        Reply::error(
                            "vsm_reminder : after_months (mois, > 0) manque",
                            Value::Null,
                        )
                    })?;
                self.settings.vsm_reminder_months = Some(months);
            }
            "mss_integration" => {
                self.settings.mss_to_hl7 = match value.as_str() {
                    Some("hl7") => true,
                    Some("record") => false,
                    _ => {
                        return Err(Reply::error(
                            "mss_integration : \"hl7\" ou \"record\"",
                            Value::Null,
                        ));
                    }
                }
            }
            "dmp_transport" => {
                self.settings.via_pfi = match value.as_str() {
                    Some("pfi") => true,
                    Some("direct") => false,
                    _ => {
                        return Err(Reply::error(
                            "dmp_transport : \"pfi\" ou \"direct\"",
                            Value::Null,
                        ));
                    }
                }
            }
            "dmp_preload" => {
                let preload = serde_json::from_value(value.clone())
                    .map_err(|e| Reply::error(format!("dmp_preload : {e}"), Value::Null))?;
                self.settings.preload = Some(preload);
            }
            "retention" => {
                let years = |k: &str| {
                    value[k]
                        .as_u64()
                        .and_then(|y| u32::try_from(y).ok())
                        .ok_or_else(|| {
                            Reply::error(format!("retention : {k} (années) manque"), Value::Null)
                        })
                };
                self.settings.retention =
                    (years("archive_after_years")?, years("destroy_after_years")?);
            }
            other => {
                return Err(Reply::unsupported(format!(
                    "paramètre {other:?} inconnu du LPS de référence"
                )));
            }
        }
        Ok(Reply::ok(json!({ "name": name, "value": value })))
    }

    /// `user.switch`.
    pub(super) fn switch(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Switch { user, rights } = params(p)?;
        self.user = User { name: user, rights };
        Ok(Reply::ok(
            json!({ "user": self.user.name, "rights": self.user.rights }),
        ))
    }

    /// `identity.receive`: an INS from another domain is verified at once (rule 52); OK,
    /// the identity is created or completed as récupérée (qualifiée from a trusted
    /// sender, rule 30) and the document integrated; KO, nothing of the INS is kept, a
    /// known identity is left as it was (rule 51) and the document waits on the worklist
    /// with an alert (rule 55).
    pub(super) async fn receive(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Receive { patient, flow } = params(p)?;
        let trusted = self.settings.trusted_senders.contains(&flow.sender)
            && !self.defects.on("trust-contract-ignored");
        // Rule 51: an unknown identity is created whatever INSi says (without the INS on
        // a KO); created first, the verification is traced under its own id.
        let id = match &patient {
            Some(id) => id.clone(),
            None => {
                let created = self.patients.create(flow.traits.clone()).map_err(refused)?;
                let id = created.patient.clone();
                self.note(&id, "creation", None);
                id
            }
        };
        let verdict = if self.defects.on("received-ins-unverified") {
            "OK"
        } else {
            self.verify_ins(&id, &flow.ins, &flow.traits).await?
        };
        let ok = verdict == "OK";
        let keep_ins = ok || (patient.is_none() && self.defects.on("received-ko-keeps-ins"));
        let update_known = patient.is_some() && self.defects.on("received-ko-updates-known");
        if keep_ins || update_known {
            let record = self.patients.get_mut(&id).map_err(refused)?;
            record.ins = Some(flow.ins.clone());
            record.traits = flow.traits.clone();
            let status = if trusted || record.document.is_some() {
                Status::Qualifiee
            } else {
                Status::Recuperee
            };
            self.patients
                .set_status(
                    &id,
                    status,
                    "INS reçu d'un autre domaine, vérifié par l'INSi",
                )
                .map_err(refused)?;
        }
        let integrated = flow
            .document
            .as_ref()
            .map(|_| ok || self.defects.on("received-ko-integrated"));
        let status = self.patients.get(&id).map_err(refused)?.status;
        let mut reply = json!({
            "patient": id,
            "status": status,
            "verdict": verdict,
            "integrated": integrated,
            "worklist": integrated == Some(false),
        });
        if integrated == Some(false) {
            reply["alert"] = json!(
                "vérification INSi KO : le document reçu attend une analyse sur la liste de travail"
            );
        }
        Ok(Reply::ok(reply))
    }

    /// Verifies an INS with INSi for `patient` (traced); `OK` or `KO`.
    pub(super) async fn verify_ins(
        &mut self,
        patient: &str,
        ins: &Ins,
        traits: &Traits,
    ) -> Result<&'static str, Reply> {
        self.insi_as_user().await;
        let first_names = traits.first_names.join(" ");
        let query = super::query_traits(traits, &first_names);
        let now = self.now_text();
        let answer = match self
            .insi
            .call(crate::insi::request::verify(ins, &query), &now)
            .await
        {
            Ok(a) => a,
            Err(e) => {
                self.trace("verification", patient, Some("fault".into()), None);
                return Err(Reply::error(e.to_string(), json!({ "verdict": "failed" })));
            }
        };
        let same = answer.individual.as_ref().is_some_and(|i| &i.active == ins);
        let verdict = if answer.code == "00" && same {
            "OK"
        } else {
            "KO"
        };
        self.trace(
            "verification",
            patient,
            Some(answer.code.clone()),
            Some(verdict),
        );
        Ok(verdict)
    }

    /// `identity.verify_all`: every identity with an INS, one verification each (rule 46).
    pub(super) async fn verify_all(&mut self) -> Result<Reply, Reply> {
        self.user.may("insi")?;
        let mut ids: Vec<String> = self
            .patients
            .all()
            .filter(|p| p.ins.is_some() && p.attributes.is_empty())
            .map(|p| p.patient.clone())
            .collect();
        if self.defects.on("bulk-verification-skips") {
            ids.truncate(1);
        }
        let mut results = Vec::new();
        for id in ids {
            let reply = self.verify(&json!({ "patient": id })).await?;
            results.push(json!({ "patient": id, "verdict": reply.result["verdict"] }));
        }
        Ok(Reply::ok(json!({ "results": results })))
    }
}
