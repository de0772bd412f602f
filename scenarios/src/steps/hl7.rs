//! HL7 v2 messages of the identification domain: the bench builds the ADT or ORM
//! message a PAM sender would (from the world patient) and hands it to the software
//! (`hl7.receive`); it reads the messages the software emits (`hl7.produce`) and checks
//! their PID with `segur_documents::hl7`.

use cucumber::{then, when};
use serde_json::{Value, json};

use segur_documents::hl7::{self, Message};

use super::identity::{answer, insi_answers};
use super::referentiel::names_of;
use crate::driver::Status;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// Where the features' "identity created by the message" is kept.
const CREATED: &str = "message";

/// The message for a world patient, with its INS when `with_ins`.
pub(crate) async fn message_for(
    world: &SegurWorld,
    kind: &str,
    patient: &str,
    with_ins: bool,
    reliability: &str,
) -> Result<Message, StepFailure> {
    let p = world.control()?.patient(patient).await?;
    let t = &p["traits"];
    let ins = if with_ins {
        let number = super::ins_number(&p["ins"]);
        Some((
            number,
            p["ins"]["oid"].as_str().unwrap_or_default().to_string(),
        ))
    } else {
        None
    };
    Ok(Message {
        kind: kind.to_string(),
        sender: "GAM-DOMAINE".into(),
        control_id: format!("{:x}", rand_id()),
        time: time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year][month][day][hour][minute][second]"
            ))
            .unwrap_or_default(),
        local_id: format!("IPP-{patient}"),
        ins,
        birth_name: t["birth_name"].as_str().unwrap_or_default().into(),
        first_names: names_of(&t["first_names"]).join(" "),
        used_name: None,
        birth_date: t["birth_date"].as_str().unwrap_or_default().into(),
        sex: t["sex"].as_str().unwrap_or_default().into(),
        birthplace: t["birthplace"].as_str().unwrap_or_default().into(),
        reliability: reliability.into(),
    })
}

fn rand_id() -> u64 {
    u64::from(uuid::Uuid::new_v4().as_fields().0)
}

async fn hand(world: &mut SegurWorld, message: &Message) -> Result<Value, StepFailure> {
    let reply = world
        .act("hl7.receive", json!({ "message": message.render() }))
        .await?;
    fail_if(reply.status != Status::Ok, || {
        format!(
            "le logiciel n'a pas intégré le message {} : {}",
            message.kind,
            reply.said()
        )
    })?;
    if let Some(id) = reply.result["patient"].as_str() {
        world.identities.insert(CREATED.to_string(), id.to_string());
    }
    Ok(reply.result)
}

#[when(
    regex = r#"^le logiciel reçoit de son domaine d'identification le message "([^"]*)" de création de "([^"]*)" (avec son INS|sans INS) et PID-32 "([^"]*)"$"#
)]
async fn domain_creation(
    world: &mut SegurWorld,
    kind: String,
    patient: String,
    ins: String,
    reliability: String,
) -> Result<(), StepFailure> {
    let message = message_for(world, &kind, &patient, ins == "avec son INS", &reliability).await?;
    world.world_patients.insert(CREATED.to_string(), patient);
    hand(world, &message).await?;
    Ok(())
}

#[when(
    expr = "le logiciel reçoit de son domaine d'identification le message {string} de mise à jour de {string} au nom utilisé {string}"
)]
async fn domain_update(
    world: &mut SegurWorld,
    kind: String,
    patient: String,
    used: String,
) -> Result<(), StepFailure> {
    let mut message = message_for(world, &kind, &patient, true, "VALI").await?;
    message.used_name = Some(used);
    let before = world.identity(CREATED)?;
    let result = hand(world, &message).await?;
    fail_if(result["patient"] != before.as_str(), || {
        format!(
            "la mise à jour devait porter sur l'identité {before}, le logiciel a répondu {result}"
        )
    })
}

#[when(
    expr = "le logiciel reçoit de son domaine d'identification le message {string} de suppression de {string}"
)]
async fn domain_deletion(
    world: &mut SegurWorld,
    kind: String,
    patient: String,
) -> Result<(), StepFailure> {
    let message = message_for(world, &kind, &patient, true, "VALI").await?;
    hand(world, &message).await?;
    Ok(())
}

#[when(expr = "le logiciel reçoit le message {string} de {string} avec son INS et PID-32 {string}")]
async fn incoming(
    world: &mut SegurWorld,
    kind: String,
    patient: String,
    reliability: String,
) -> Result<(), StepFailure> {
    let message = message_for(world, &kind, &patient, true, &reliability).await?;
    hand(world, &message).await?;
    Ok(())
}

async fn created(world: &mut SegurWorld) -> Result<Value, StepFailure> {
    let id = world.identity(CREATED)?;
    world
        .act_ok("identity.show", json!({ "patient": id }))
        .await
}

#[then(expr = "l'identité créée par le message a l'INS de {string} et le statut {string}")]
async fn created_with_ins(
    world: &mut SegurWorld,
    patient: String,
    status: String,
) -> Result<(), StepFailure> {
    let shown = created(world).await?;
    let p = world.control()?.patient(&patient).await?;
    fail_if(
        shown["ins"]["matricule"] != p["ins"]["matricule"]
            || shown["ins"]["key"] != p["ins"]["key"]
            || shown["ins"]["oid"] != p["ins"]["oid"]
            || shown["status"] != super::protocol_word(&status).as_str(),
        || {
            format!(
                "attendu l'INS {} au statut {status}, le logiciel affiche {} {}",
                p["ins"], shown["ins"], shown["status"]
            )
        },
    )?;
    world.judge("hl7.receive");
    Ok(())
}

#[then(expr = "l'identité créée par le message n'a pas d'INS et a le statut {string}")]
async fn created_without_ins(world: &mut SegurWorld, status: String) -> Result<(), StepFailure> {
    let shown = created(world).await?;
    fail_if(
        !shown["ins"].is_null() || shown["status"] != super::protocol_word(&status).as_str(),
        || {
            format!(
                "attendu sans INS au statut {status}, le logiciel affiche {} {}",
                shown["ins"], shown["status"]
            )
        },
    )?;
    world.judge("hl7.receive");
    Ok(())
}

#[then(expr = "l'identité créée par le message a le nom utilisé {string}")]
async fn created_used_name(world: &mut SegurWorld, used: String) -> Result<(), StepFailure> {
    let shown = created(world).await?;
    fail_if(shown["fields"]["used_name"] != used.as_str(), || {
        format!(
            "nom utilisé {used} attendu, le logiciel affiche {}",
            shown["fields"]["used_name"]
        )
    })?;
    world.judge("hl7.receive");
    Ok(())
}

#[then("le logiciel ne connaît plus l'identité créée par le message")]
async fn created_deleted(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let id = world.identity(CREATED)?;
    let reply = world.act("identity.show", json!({ "patient": id })).await?;
    fail_if(reply.status == Status::Ok, || {
        format!(
            "l'identité {id} devait être supprimée, le logiciel l'affiche : {}",
            reply.result
        )
    })?;
    world.judge("hl7.receive");
    Ok(())
}

#[then(expr = "le logiciel montre le message reçu avec l'INS qualifié de {string}")]
async fn shows_incoming(world: &mut SegurWorld, patient: String) -> Result<(), StepFailure> {
    let shown = created(world).await?;
    let p = world.control()?.patient(&patient).await?;
    fail_if(
        shown["ins"]["matricule"] != p["ins"]["matricule"] || shown["status"] != "qualifiee",
        || {
            format!(
                "le message reçu devait montrer l'INS qualifié {} : le logiciel affiche {} {}",
                p["ins"], shown["ins"], shown["status"]
            )
        },
    )?;
    world.judge("hl7.receive");
    Ok(())
}

#[when(expr = "le logiciel émet le message HL7 v2 {string} de {string}")]
async fn produce(world: &mut SegurWorld, kind: String, alias: String) -> Result<(), StepFailure> {
    world
        .act_ok_on(&alias, "hl7.produce", json!({ "kind": kind }))
        .await?;
    Ok(())
}

#[then(expr = "le segment PID du message porte l'INS renvoyé par l'INSi et PID-32 {string}")]
async fn produced_pid(world: &mut SegurWorld, reliability: String) -> Result<(), StepFailure> {
    let text = world.last()?.result["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let parsed = hl7::parse(&text)
        .map_err(|f| StepFailure::Failed(format!("message illisible : {}", f.message)))?;
    let (identity, findings) = hl7::pid_identity(&parsed);
    let errors = super::errors(&findings);
    fail_if(!errors.is_empty(), || {
        format!("segment PID non conforme :\n  {}", errors.join("\n  "))
    })?;
    let identity = identity.unwrap_or_default();
    let answers = insi_answers(world).await?;
    let Some(source) = answers.iter().rev().find(|r| answer(r, "code") == "00") else {
        return fail("l'INSi n'a renvoyé aucun INS dans le scénario");
    };
    let ins = answer(source, "ins");
    let number = super::ins_number(ins);
    let expected = Some((number, ins["oid"].as_str().unwrap_or_default().to_string()));
    fail_if(
        identity.ins != expected || identity.reliability != reliability,
        || {
            format!(
                "PID : INS {:?} et PID-32 {:?} ; attendus {expected:?} et {reliability}",
                identity.ins, identity.reliability
            )
        },
    )?;
    let source = source.clone();
    world.witness([&source]);
    Ok(())
}
