//! `PatientsSpecific`: TD0.4 `patientList` (the DMPs the professional is authorised on)
//! and the patient's web account, TD1.5a/b/d.

use segur_core::xml::{Element, escape};

use super::{hl7_time, status_output};
use crate::exchange::{Answer, Ctx};
use crate::operation::Operation;
use crate::xds::access;

/// The patients namespace.
pub const NS: &str = "urn:si-dmp-patients";

/// Answers TD0.4.
pub fn patient_list(ctx: &mut Ctx<'_>, _payload: &Element) -> Answer {
    let caller = ctx.vihf.national_id.clone();
    let state = ctx.store.read();
    let mut items = String::new();
    let mut n = 0;
    for record in state
        .patients
        .values()
        .filter(|r| r.authorised.contains_key(&caller))
    {
        n += 1;
        items.push_str(&format!(
            "<ns1:patientlistData><ns1:patientIdentifier><ns1:nationalId>{}</ns1:nationalId><ns1:nationalIdType>{}</ns1:nationalIdType></ns1:patientIdentifier><ns1:lastName>{}</ns1:lastName><ns1:firstName>{}</ns1:firstName><ns1:dateOfBirth>{}</ns1:dateOfBirth><ns1:MT>{}</ns1:MT><ns1:message>false</ns1:message>{}{}</ns1:patientlistData>",
            record.ins.number(),
            escape(&record.ins.oid),
            escape(&record.family_name),
            escape(&record.given_names),
            record.birth_date,
            record.treating_doctor.as_deref() == Some(caller.as_str()),
            record.last_access.map(|t| format!("<ns1:lastAccessDate>{}</ns1:lastAccessDate>", hl7_time(t))).unwrap_or_default(),
            record.last_add.map(|t| format!("<ns1:lastAddDate>{}</ns1:lastAddDate>", hl7_time(t))).unwrap_or_default(),
        ));
    }
    drop(state);
    ctx.note("patients", n);
    Answer::xml(format!(
        "<ns1:patientListResponse xmlns:ns1=\"{NS}\"><ns1:output>{items}<ns1:status>DMPOk</ns1:status></ns1:output></ns1:patientListResponse>"
    ))
}

/// Answers TD1.5a, TD1.5b and TD1.5d.
pub fn web_account(ctx: &mut Ctx<'_>, operation: Operation, _payload: &Element) -> Answer {
    let number = ctx.patient_number();
    let (status, context, extra, element) = {
        let mut state = ctx.store.write();
        let element = match operation {
            Operation::CreatePatientAccess => "createPatientAccessResponse",
            Operation::PatientOtpUpdate => "patientOTPUpdateResponse",
            _ => "updatePatientAccessResponse",
        };
        match access::open(state.patients.get(&number), &number) {
            Err(e) => (e.code, e.context, String::new(), element),
            Ok(()) => {
                let record = state.patients.get_mut(&number).expect("open");
                match operation {
                    Operation::CreatePatientAccess if record.web_account => (
                        "DMPPatientAccessAlreadyExists".into(),
                        "Le patient a déjà un accès web".into(),
                        String::new(),
                        element,
                    ),
                    Operation::PatientOtpUpdate => (
                        "DMPOk".into(),
                        "OTP mis à jour".into(),
                        String::new(),
                        element,
                    ),
                    _ => {
                        record.web_account = true;
                        let login = format!("p{}", &number[number.len().saturating_sub(7)..]);
                        let password =
                            format!("{}!Sb", &uuid::Uuid::new_v4().simple().to_string()[..6]);
                        (
                            "DMPOk".into(),
                            String::new(),
                            format!(
                                "<ns1:login>{login}</ns1:login><ns1:password>{password}</ns1:password>"
                            ),
                            element,
                        )
                    }
                }
            }
        }
    };
    ctx.note("status", status.clone());
    Answer::xml(format!(
        "<ns1:{element} xmlns:ns1=\"{NS}\">{}</ns1:{element}>",
        status_output(&status, &context, &extra)
    ))
}
