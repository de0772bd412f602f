//! TD0.3 `setAuthorization` (the professional adds or removes his own authorisation, and
//! may declare himself médecin traitant) and TD1.6 `listAuthorizationByPatient`.

use segur_core::xml::{Element, escape};

use super::{hl7_time, status_output};
use crate::exchange::{Answer, Ctx};
use crate::rules;
use crate::xds::access;

/// The habilitations namespace.
pub const NS: &str = "urn:si-dmp-habilitations";

/// Answers TD0.3.
pub fn set_authorization(ctx: &mut Ctx<'_>, payload: &Element) -> Answer {
    let action = payload
        .child_text(NS, "action")
        .unwrap_or_default()
        .trim()
        .to_string();
    let caller = ctx.vihf.national_id.clone();
    let number = ctx.patient_number();
    let now = ctx.bench.clock().now();
    ctx.note("action", action.clone());
    let (status, context) = {
        let mut state = ctx.store.write();
        match access::open(state.patients.get(&number), &number) {
            Err(e) => {
                ctx.findings
                    .push(rules::DMP_STATE.finding(e.context.clone()));
                (e.code, e.context)
            }
            Ok(()) => {
                let record = state.patients.get_mut(&number).expect("open");
                if record.blocked.contains(&caller) {
                    ctx.findings.push(rules::ACCESS_REFUSED.finding(format!(
                        "{caller} is blocked by the patient and asked for an authorisation"
                    )));
                    (
                        access::codes::BLOCKED.to_string(),
                        "Le patient a bloqué l'accès de ce professionnel à son DMP".to_string(),
                    )
                } else {
                    match action.as_str() {
                        "AJOUT" if record.authorised.contains_key(&caller) => (
                            "DMPOk".into(),
                            "Autorisation déjà présente aucune action effectuée".into(),
                        ),
                        "AJOUT" => {
                            record.authorised.insert(caller.clone(), now);
                            ("DMPOk".into(), "Autorisation ajoutée".into())
                        }
                        "SUPPRESSION" if record.authorised.remove(&caller).is_some() => {
                            ("DMPOk".into(), "Autorisation supprimée".into())
                        }
                        "SUPPRESSION" => (
                            "DMPOk".into(),
                            "Autorisation absente aucune action effectuée".into(),
                        ),
                        other => {
                            ctx.findings.push(rules::HL7V3.finding(format!("setAuthorization action {other:?} is neither AJOUT nor SUPPRESSION")).at("Body/setAuthorization/action"));
                            (
                                "DMPInvalidParameter".into(),
                                format!("action inconnue : {other}"),
                            )
                        }
                    }
                }
            }
        }
    };
    ctx.note("status", status.clone());
    Answer::xml(format!(
        "<ns1:setAuthorizationResponse xmlns:ns1=\"{NS}\">{}</ns1:setAuthorizationResponse>",
        status_output(&status, &context, "")
    ))
}

/// Answers TD1.6.
pub fn list(ctx: &mut Ctx<'_>, _payload: &Element) -> Answer {
    let number = ctx.patient_number();
    let state = ctx.store.read();
    let world = ctx.bench.world();
    let mut items = String::new();
    let (status, context) = match access::open(state.patients.get(&number), &number) {
        Err(e) => (e.code, e.context),
        Ok(()) => {
            let record = &state.patients[&number];
            let entries = record
                .authorised
                .iter()
                .map(|(id, since)| (id, Some(*since), "ACTIVE"))
                .chain(record.blocked.iter().map(|id| (id, None, "BLOQUE")));
            for (id, since, mode) in entries {
                let p = world.professional_by_national_id(id);
                items.push_str(&format!(
                    "<ns1:listOfAuthorizationByPatient><ns1:nationalId>{}</ns1:nationalId><ns1:nationalIdType>1.2.250.1.71.4.2.1</ns1:nationalIdType><ns1:firstName>{}</ns1:firstName><ns1:lastName>{}</ns1:lastName><ns1:codeSpeciality>{}</ns1:codeSpeciality>{}<ns1:mode>{mode}</ns1:mode></ns1:listOfAuthorizationByPatient>",
                    escape(id),
                    escape(p.map_or("", |p| p.given_name.as_str())),
                    escape(p.map_or("", |p| p.family_name.as_str())),
                    escape(&p.map(|p| format!("G15_{}{}", p.profession, p.specialty.as_ref().map(|s| format!("/{s}")).unwrap_or_default())).unwrap_or_default()),
                    since.map(|s| format!("<ns1:startOfAuthorization>{}</ns1:startOfAuthorization>", hl7_time(s))).unwrap_or_default(),
                ));
            }
            ("DMPOk".to_string(), String::new())
        }
    };
    Answer::xml(format!(
        "<ns1:listAuthorizationByPatientResponse xmlns:ns1=\"{NS}\">{}</ns1:listAuthorizationByPatientResponse>",
        status_output(&status, &context, &items)
    ))
}
