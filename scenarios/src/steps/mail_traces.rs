//! The software's functional traces of its MSSanté mailboxes (MSS/CONF.17, CONF.18,
//! UX.37), confronted with what the operator journaled: every message the operator took
//! or refused has its trace, with the authenticated author, the workstation's time, the
//! request and the operator's answer; a document received is followed from its reception
//! to its integration.

use cucumber::{given, then, when};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::journal::records;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// How far a trace's local time may stand from the operator's record of the exchange.
const CLOCK_SLACK_SECONDS: i64 = 300;

/// The traces the software showed last (`mss.traces`).
fn traces(world: &SegurWorld) -> Result<Vec<Value>, StepFailure> {
    let reply = world.last()?;
    reply.result["traces"].as_array().cloned().ok_or_else(|| {
        StepFailure::Failed(format!(
            "le logiciel n'a pas montré de traces de messagerie : {}",
            reply.result
        ))
    })
}

fn text<'a>(trace: &'a Value, field: &str) -> &'a str {
    trace[field].as_str().unwrap_or_default()
}

#[given(regex = r#"^l'opérateur MSSanté refuse le prochain message avec la réponse "([^"]*)"$"#)]
async fn refuse_next(world: &mut SegurWorld, reply: String) -> Result<(), StepFailure> {
    world
        .control()?
        .arm_fault(&json!({
            "service": "mssante",
            "operation": "DATA-END",
            "action": { "kind": "protocol_error", "code": reply },
        }))
        .await?;
    Ok(())
}

#[when("l'utilisateur affiche les traces de messagerie")]
async fn show_traces(world: &mut SegurWorld) -> Result<(), StepFailure> {
    world.act_ok("mss.traces", json!({})).await?;
    Ok(())
}

#[when(expr = "l'utilisateur affiche l'historique du message reçu {string}")]
async fn show_history(world: &mut SegurWorld, subject: String) -> Result<(), StepFailure> {
    let id = super::mss::mail_id(world, &subject)?;
    world
        .act_ok("mss.traces", json!({ "message_id": id }))
        .await?;
    Ok(())
}

#[then(
    "chaque message pris ou refusé par l'opérateur est tracé avec son auteur, son horodatage, la demande et la réponse"
)]
async fn every_exchange_traced(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let shown = traces(world)?;
    let who = world.logged_in.clone().ok_or_else(|| {
        StepFailure::Failed("aucun professionnel connecté : l'auteur attendu est inconnu".into())
    })?;
    let author = world.control()?.professional(&who).await?["national_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut judged = Vec::new();
    let mut problems = Vec::new();
    for operation in ["SMTP DATA", "SMTP fault"] {
        for record in records(world, "mssante", Some(operation)).await? {
            let response = record.response.as_ref().map(|b| &b.summary);
            let code = match operation {
                "SMTP DATA" => response
                    .and_then(|s| s["reply"].as_str())
                    .map(|r| r.chars().take(3).collect::<String>()),
                _ => response
                    .and_then(|s| s["code"].as_u64())
                    .map(|c| c.to_string()),
            }
            .unwrap_or_default();
            let recipients: Vec<String> = record
                .request
                .as_ref()
                .and_then(|b| b.summary["rcpt_to"].as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|r| r.as_str().map(str::to_ascii_lowercase))
                .collect();
            let refused = !code.starts_with('2');
            let found = shown.iter().find(|t| {
                let request = text(t, "request").to_ascii_lowercase();
                text(t, "response").contains(&code)
                    && t["ok"].as_bool() == Some(!refused)
                    && recipients.iter().all(|r| request.contains(r))
            });
            let Some(trace) = found else {
                problems.push(format!(
                    "{operation} n°{} ({code}{}) sans trace{}",
                    record.seq,
                    if refused { ", refusé" } else { "" },
                    if recipients.is_empty() {
                        String::new()
                    } else {
                        format!(" pour {}", recipients.join(", "))
                    }
                ));
                continue;
            };
            if text(trace, "author") != author {
                problems.push(format!(
                    "trace de {operation} n°{} : auteur {:?}, {author} (le professionnel connecté) attendu",
                    record.seq,
                    text(trace, "author")
                ));
            }
            match OffsetDateTime::parse(text(trace, "at"), &Rfc3339) {
                Ok(at) if (at - record.time).whole_seconds().abs() <= CLOCK_SLACK_SECONDS => {}
                Ok(at) => problems.push(format!(
                    "trace de {operation} n°{} horodatée {at}, l'échange a eu lieu à {}",
                    record.seq, record.time
                )),
                Err(_) => problems.push(format!(
                    "trace de {operation} n°{} sans horodatage lisible ({:?})",
                    record.seq,
                    text(trace, "at")
                )),
            }
            if text(trace, "action").is_empty() {
                problems.push(format!(
                    "trace de {operation} n°{} sans type d'action",
                    record.seq
                ));
            }
            judged.push(record);
        }
    }
    if judged.is_empty() && problems.is_empty() {
        return fail("l'opérateur n'a pris ni refusé aucun message : rien à confronter aux traces");
    }
    fail_if(!problems.is_empty(), || problems.join(" ; "))?;
    world.witness(&judged);
    Ok(())
}

#[then(regex = r#"^l'historique suit le message de sa réception à (son intégration|son refus)$"#)]
async fn history_until_treated(world: &mut SegurWorld, end: String) -> Result<(), StepFailure> {
    let shown = traces(world)?;
    let actions: Vec<(&str, bool)> = shown
        .iter()
        .map(|t| (text(t, "action"), t["ok"].as_bool().unwrap_or(false)))
        .collect();
    let received = actions.iter().position(|(a, _)| *a == "réception");
    let treated = actions
        .iter()
        .position(|(a, ok)| *a == "intégration" && *ok == (end == "son intégration"));
    match (received, treated) {
        (Some(r), Some(t)) if r < t => Ok(()),
        _ => fail(format!(
            "l'historique du message va de sa réception à {end} ; il montre : {:?}",
            actions
        )),
    }
}
