//! The HL7v3 patient transactions: TD0.2 (existence test, `PRPA_IN201307UV02` reason
//! `TEST_EXST` → `PRPA_IN201308UV02` with the authorisation and médecin-traitant status)
//! and TD1.3a (same query, reason `CNSLT_DATA`), TD1.1 creation (`PRPA_IN201311UV02` →
//! `…312` or `…313` with `DMPFound`), TD1.3b/TD1.4 (`PRPA_IN201314UV02` → `…315`, or `…316`
//! with `DMPClosed`).

use segur_core::world::DmpState;
use segur_core::xml::{Element, escape};

use super::hl7_time;
use crate::exchange::{Answer, Ctx};
use crate::rules;
use crate::store::PatientRecord;

/// The HL7 v3 namespace.
pub const HL7: &str = "urn:hl7-org:v3";
/// The DMP's device id (sender of every answer).
const DMP_DEVICE: &str = "1.2.250.1.213.4.1.1.1";

fn path<'a>(element: &'a Element, steps: &[&str]) -> Option<&'a Element> {
    steps.iter().try_fold(element, |e, s| e.child(HL7, s))
}

/// The request's message id (`id` root and extension) and sender device, echoed.
struct Header {
    id: (String, String),
    sender: (String, String),
}

fn header(payload: &Element) -> Header {
    let id = payload.child(HL7, "id");
    let device = path(payload, &["sender", "device"]);
    Header {
        id: (
            id.and_then(|i| i.attr("root"))
                .unwrap_or_default()
                .to_string(),
            id.and_then(|i| i.attr("extension"))
                .unwrap_or_default()
                .to_string(),
        ),
        sender: (
            device
                .and_then(|d| d.child(HL7, "id"))
                .and_then(|i| i.attr("root"))
                .unwrap_or_default()
                .to_string(),
            device
                .and_then(|d| d.child_text(HL7, "softwareName"))
                .unwrap_or_default(),
        ),
    }
}

fn transmission(ctx: &Ctx<'_>, interaction: &str, h: &Header) -> String {
    format!(
        "<id root=\"{}\"/><creationTime value=\"{}\"/><interactionId extension=\"{interaction}\" root=\"2.16.840.1.113883.1.6\"/><processingCode code=\"P\"/><processingModeCode code=\"T\"/><acceptAckCode code=\"NE\"/><receiver typeCode=\"RCV\"><device classCode=\"DEV\" determinerCode=\"INSTANCE\"><id root=\"{}\"/><softwareName>{}</softwareName></device></receiver><sender typeCode=\"SND\"><device classCode=\"DEV\" determinerCode=\"INSTANCE\"><id root=\"{DMP_DEVICE}\"/><softwareName>DMP</softwareName></device></sender>",
        uuid::Uuid::new_v4(),
        hl7_time(ctx.bench.clock().now()),
        escape(&h.sender.0),
        escape(&h.sender.1),
    )
}

/// The DMP's own error codes (`DMPFound`, `DMPClosed`...).
const DMP_CODES: &str = "1.2.250.1.213.4.1.2.1";
/// HL7 v3 AcknowledgementDetailCode (`SYN105`: required element missing).
const ACK_DETAIL_CODES: &str = "2.16.840.1.113883.5.1100";

fn acknowledgement(code: &str, h: &Header, detail: Option<(&str, &str)>) -> String {
    acknowledgement_in(code, h, detail.map(|(c, t)| (c, DMP_CODES, t)))
}

fn acknowledgement_in(code: &str, h: &Header, detail: Option<(&str, &str, &str)>) -> String {
    format!(
        "<acknowledgement typeCode=\"{code}\"><targetMessage><id extension=\"{}\" root=\"{}\"/></targetMessage>{}</acknowledgement>",
        escape(&h.id.1),
        escape(&h.id.0),
        detail
            .map(|(c, system, t)| format!("<acknowledgementDetail typeCode=\"E\"><code code=\"{}\" codeSystem=\"{system}\"/><text>{}</text></acknowledgementDetail>", escape(c), escape(t)))
            .unwrap_or_default()
    )
}

/// The first element `payload` lacks: the transmission wrapper's (`id`, `creationTime`,
/// `interactionId`, `receiver`, `sender`, `controlActProcess`), then the interaction's
/// own (`queryByParameter/queryId` for a query, `subject` for a registration).
pub fn missing_element(payload: &Element) -> Option<String> {
    let wrapper = [
        "id",
        "creationTime",
        "interactionId",
        "receiver",
        "sender",
        "controlActProcess",
    ];
    if let Some(name) = wrapper.iter().find(|n| payload.child(HL7, n).is_none()) {
        return Some(format!("{}/{name}", payload.name));
    }
    let required: &[&[&str]] = if payload.name == "PRPA_IN201307UV02" {
        &[&["controlActProcess", "queryByParameter", "queryId"]]
    } else {
        &[&["controlActProcess", "subject"]]
    };
    required
        .iter()
        .find(|steps| path(payload, steps).is_none())
        .map(|steps| format!("{}/{}", payload.name, steps.join("/")))
}

/// When `payload` lacks a required element: a finding and the `answer` interaction's
/// application error (`AE`, `SYN105`), as an HL7 v3 receiver answers an incomplete
/// message.
fn refuse_incomplete(ctx: &mut Ctx<'_>, payload: &Element, answer: &str) -> Option<Answer> {
    let missing = missing_element(payload)?;
    let why = format!("élément obligatoire absent : {missing}");
    ctx.findings.push(
        rules::HL7V3
            .finding(format!("the HL7 v3 message lacks {missing}"))
            .at(format!("Body/{missing}")),
    );
    ctx.note("refused", "SYN105");
    let h = header(payload);
    Some(Answer::xml(format!(
        "<{answer} ITSVersion=\"XML_1.0\" xmlns=\"{HL7}\">{}{}</{answer}>",
        transmission(ctx, answer, &h),
        acknowledgement_in("AE", &h, Some(("SYN105", ACK_DETAIL_CODES, &why)))
    )))
}

fn observation(code: &str, display: &str, value: bool) -> String {
    format!(
        "<subjectOf typeCode=\"SBJ\"><administrativeObservation classCode=\"OBS\" moodCode=\"EVN\"><code code=\"{code}\" codeSystem=\"1.2.250.1.213.4.1.2.3\" displayName=\"{display}\"/><value value=\"{value}\" xsi:type=\"BL\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/></administrativeObservation></subjectOf>"
    )
}

fn patient_xml(record: &PatientRecord, status: &str, administrative: bool) -> String {
    let oppositions = if administrative {
        observation(
            "OPPOSITION_BRIS_DE_GLACE",
            "opposition à l'accès en mode bris de glace",
            record.opposes_emergency.0,
        ) + &observation(
            "OPPOSITION_ACCES_URGENCE",
            "opposition à l'accès au mode urgence",
            record.opposes_emergency.1,
        )
    } else {
        String::new()
    };
    format!(
        "<patient classCode=\"PAT\"><id extension=\"{}\" root=\"{}\"/><statusCode code=\"{status}\"/><patientPerson classCode=\"PSN\" determinerCode=\"INSTANCE\"><name><given>{}</given><family qualifier=\"SP\">{}</family></name><administrativeGenderCode code=\"{}\"/><birthTime value=\"{}\"/></patientPerson><subjectOf typeCode=\"SBJ\"><administrativeObservation classCode=\"OBS\" moodCode=\"EVN\"><code code=\"COMPTE_INTERNET_OUVERT\" codeSystem=\"1.2.250.1.213.4.1.2.9\"/><value value=\"{}\" xsi:type=\"BL\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/></administrativeObservation></subjectOf><subjectOf typeCode=\"SBJ\"><administrativeObservation classCode=\"OBS\" moodCode=\"EVN\"><code code=\"RATTACHEMENT_ENS\" codeSystem=\"1.2.250.1.213.4.1.2.3\" displayName=\"information de rattachement du DMP à un ENS\"/><value value=\"{}\" xsi:type=\"BL\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/></administrativeObservation></subjectOf>{oppositions}</patient>",
        record.ins.number(),
        escape(&record.ins.oid),
        escape(&record.given_names),
        escape(&record.family_name),
        escape(&record.sex),
        record.birth_date,
        record.web_account,
        record.attached_mes,
    )
}

/// The patient the body names (`patientIdentifier/value` or `patient/id`), checked
/// against the VIHF's `resource-id`.
fn body_patient(ctx: &mut Ctx<'_>, payload: &Element) -> Option<String> {
    let value = payload
        .descendants()
        .into_iter()
        .find(|e| {
            (e.is(HL7, "value")
                && e.attr("extension").is_some()
                && e.attr("root")
                    .is_some_and(|r| r.starts_with("1.2.250.1.213.1.4.")))
                || (e.is(HL7, "id")
                    && e.attr("root").is_some_and(|r| {
                        r.starts_with("1.2.250.1.213.1.4.") && r != "1.2.250.1.213.1.4.2"
                    }))
        })
        .and_then(|e| e.attr("extension"))
        .map(str::to_string);
    match &value {
        None => ctx.findings.push(rules::HL7V3.finding("the message names no patient (patientIdentifier/value or patient/id with an INS root)").at("Body")),
        Some(v) if *v != ctx.patient_number() => ctx.findings.push(
            rules::VIHF_PATIENT
                .finding(format!("the body's patient {v} is not the VIHF's resource-id {}", ctx.patient_number()))
                .at("Body"),
        ),
        Some(_) => {}
    }
    value
}

/// Answers TD0.2 and TD1.3a.
pub fn query(ctx: &mut Ctx<'_>, payload: &Element) -> Answer {
    if let Some(refused) = refuse_incomplete(ctx, payload, "PRPA_IN201308UV02") {
        return refused;
    }
    let h = header(payload);
    let reason = path(payload, &["controlActProcess", "reasonCode"]);
    let reason_code = reason
        .and_then(|r| r.attr("code"))
        .unwrap_or_default()
        .to_string();
    let query_id = path(
        payload,
        &["controlActProcess", "queryByParameter", "queryId"],
    );
    if reason.is_none() {
        ctx.findings.push(rules::HL7V3.finding("PRPA_IN201307UV02 without controlActProcess/reasonCode: the kit sends TEST_EXST for an existence test, the consultation its own reason").at("Body/PRPA_IN201307UV02/controlActProcess"));
    }
    let number = body_patient(ctx, payload).unwrap_or_else(|| ctx.patient_number());
    let caller = ctx.vihf.national_id.clone();
    let state = ctx.store.read();
    let record = state
        .patients
        .get(&number)
        .filter(|r| r.state != DmpState::Absent);
    let (ack, attention, subject, response_code) = match record {
        None => {
            ctx.note("dmp", "absent");
            (
                acknowledgement("AA", &h, None),
                String::new(),
                String::new(),
                "NF",
            )
        }
        Some(r) if r.state == DmpState::Closed => {
            ctx.note("dmp", "closed");
            let (on, why) = r.closed.clone().unwrap_or_default();
            (
                acknowledgement(
                    "AE",
                    &h,
                    Some(("DMPClosed", &format!("DMP fermé le {on} : {why}"))),
                ),
                String::new(),
                registration(r, "nullified"),
                "OK",
            )
        }
        Some(r) => {
            let authorisation = if r.blocked.contains(&caller) {
                "INTERDITE"
            } else if r.authorised.contains_key(&caller) {
                "VALIDE"
            } else {
                "AUCUNE"
            };
            let treating = r.treating_doctor.as_deref() == Some(caller.as_str());
            ctx.note("dmp", "open");
            ctx.note("authorisation", authorisation);
            ctx.note("treating_doctor", treating);
            let attention = if reason_code == "TEST_EXST" {
                format!(
                    "<attentionLine><keyWordText code=\"AUTORISATION\" codeSystem=\"1.2.250.1.213.4.1.2.6.1\"/><value code=\"{authorisation}\" codeSystem=\"1.2.250.1.213.4.1.2.6.2\" xsi:type=\"CV\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/></attentionLine><attentionLine><keyWordText code=\"STATUT_MT\" codeSystem=\"1.2.250.1.213.4.1.2.6.3\"/><value value=\"{treating}\" xsi:type=\"BL\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/></attentionLine>"
                )
            } else {
                String::new()
            };
            (
                acknowledgement("AA", &h, None),
                attention,
                registration_with(r, "active", reason_code != "TEST_EXST"),
                "OK",
            )
        }
    };
    drop(state);
    let reason_xml = reason.map(echo_reason).unwrap_or_default();
    let query_ack = query_id
        .map(|q| format!("<queryAck><queryId extension=\"{}\" root=\"{}\"/><queryResponseCode code=\"{response_code}\"/></queryAck>", escape(q.attr("extension").unwrap_or_default()), escape(q.attr("root").unwrap_or_default())))
        .unwrap_or_default();
    Answer::xml(format!(
        "<PRPA_IN201308UV02 ITSVersion=\"XML_1.0\" xmlns=\"{HL7}\">{}{attention}{ack}<controlActProcess classCode=\"CACT\" moodCode=\"EVN\">{reason_xml}{subject}{query_ack}</controlActProcess></PRPA_IN201308UV02>",
        transmission(ctx, "PRPA_IN201308UV02", &h)
    ))
}

/// The request's `reasonCode`, echoed in the answer's `controlActProcess`.
fn echo_reason(reason: &Element) -> String {
    format!(
        "<reasonCode code=\"{}\" codeSystem=\"{}\" displayName=\"{}\"/>",
        escape(reason.attr("code").unwrap_or_default()),
        escape(reason.attr("codeSystem").unwrap_or_default()),
        escape(reason.attr("displayName").unwrap_or_default())
    )
}

fn registration(record: &PatientRecord, status: &str) -> String {
    registration_with(record, status, false)
}

fn registration_with(record: &PatientRecord, status: &str, administrative: bool) -> String {
    format!(
        "<subject contextConductionInd=\"false\" typeCode=\"SUBJ\"><registrationEvent classCode=\"REG\" moodCode=\"EVN\"><statusCode code=\"completed\"/><subject1 typeCode=\"SBJ\">{}</subject1><custodian typeCode=\"CST\"><assignedEntity classCode=\"ASSIGNED\"><id root=\"{DMP_DEVICE}\"/></assignedEntity></custodian></registrationEvent></subject>",
        patient_xml(record, status, administrative)
    )
}

/// Answers TD1.1.
pub fn create(ctx: &mut Ctx<'_>, payload: &Element) -> Answer {
    if let Some(refused) = refuse_incomplete(ctx, payload, "PRPA_IN201313UV02") {
        return refused;
    }
    let h = header(payload);
    let number = body_patient(ctx, payload).unwrap_or_else(|| ctx.patient_number());
    let mut state = ctx.store.write();
    let (interaction, ack, subject) = match state.patients.get_mut(&number) {
        Some(r) if r.state == DmpState::Open => (
            "PRPA_IN201313UV02",
            acknowledgement(
                "AE",
                &h,
                Some(("DMPFound", "Un DMP existe déjà pour ce patient")),
            ),
            String::new(),
        ),
        Some(r) if r.state == DmpState::Closed => (
            "PRPA_IN201313UV02",
            acknowledgement(
                "AE",
                &h,
                Some((
                    "DMPClosed",
                    "Le DMP de ce patient est fermé : il se réactive (TD1.2), il ne se recrée pas",
                )),
            ),
            String::new(),
        ),
        Some(r) => {
            r.state = DmpState::Open;
            (
                "PRPA_IN201312UV02",
                acknowledgement("AA", &h, None),
                registration(r, "active"),
            )
        }
        None => (
            "PRPA_IN201313UV02",
            acknowledgement(
                "AE",
                &h,
                Some((
                    "XDSUnknownPatientId",
                    "INS inconnu : le patient n'a pas été identifié par INSi",
                )),
            ),
            String::new(),
        ),
    };
    drop(state);
    ctx.note("answer", interaction);
    Answer::xml(format!(
        "<{interaction} ITSVersion=\"XML_1.0\" xmlns=\"{HL7}\">{}{ack}<controlActProcess classCode=\"CACT\" moodCode=\"EVN\">{subject}</controlActProcess></{interaction}>",
        transmission(ctx, interaction, &h)
    ))
}

/// Answers TD1.2, TD1.3b and TD1.4 (`reasonCode` `FERM` closes the DMP).
pub fn revise(ctx: &mut Ctx<'_>, payload: &Element) -> Answer {
    if let Some(refused) = refuse_incomplete(ctx, payload, "PRPA_IN201316UV02") {
        return refused;
    }
    let h = header(payload);
    let reason = path(payload, &["controlActProcess", "reasonCode"]);
    let reason_code = reason
        .and_then(|r| r.attr("code"))
        .unwrap_or_default()
        .to_string();
    let number = body_patient(ctx, payload).unwrap_or_else(|| ctx.patient_number());
    let today = ctx.bench.clock().now().date().to_string();
    let mut state = ctx.store.write();
    let (interaction, ack, subject) = match state.patients.get_mut(&number) {
        Some(r) if r.state == DmpState::Closed && reason_code != "REAC" => (
            "PRPA_IN201316UV02",
            acknowledgement(
                "AE",
                &h,
                Some(("DMPClosed", "Le DMP de ce patient est fermé")),
            ),
            String::new(),
        ),
        Some(r) if r.state != DmpState::Absent => {
            let status = match reason_code.as_str() {
                "FERM" => {
                    r.state = DmpState::Closed;
                    r.closed = Some((today, "FERMETURE_DEMANDE_PATIENT".into()));
                    "terminated"
                }
                "REAC" => {
                    r.state = DmpState::Open;
                    r.closed = None;
                    "active"
                }
                _ => "active",
            };
            (
                "PRPA_IN201315UV02",
                acknowledgement("AA", &h, None),
                registration(r, status),
            )
        }
        _ => (
            "PRPA_IN201316UV02",
            acknowledgement("AE", &h, Some(("DMPNotFound", "Aucun DMP pour ce patient"))),
            String::new(),
        ),
    };
    drop(state);
    ctx.note("reason", reason_code.clone());
    ctx.note("answer", interaction);
    let reason_xml = reason.map(echo_reason).unwrap_or_default();
    Answer::xml(format!(
        "<ns2:PRPA_IN201314UV02_Response xmlns=\"{HL7}\" xmlns:ns2=\"asip:ci-sis:gdp:2010\"><{interaction} ITSVersion=\"XML_1.0\">{}{ack}<controlActProcess classCode=\"CACT\" moodCode=\"EVN\">{reason_xml}{subject}</controlActProcess></{interaction}></ns2:PRPA_IN201314UV02_Response>",
        transmission(ctx, interaction, &h)
    ))
}
