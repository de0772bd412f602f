//! The software stays usable while the DMP is slow to answer (DMP/UX.10): the bench
//! delays the DMP's answer, the user starts a consultation that goes on in the
//! background, works in the patient's record meanwhile, then sees the consultation's
//! result. The verdict is earned on the DMP's own record of the search: it arrived
//! before the software answered the other action and was answered after.

use cucumber::{given, then, when};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::driver::Status;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// `HH:MM:SS.mmm`, for the messages.
fn hms(t: OffsetDateTime) -> String {
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[given(expr = "le DMP répond avec {int} ms de retard à la prochaine opération {string}")]
async fn delayed(
    world: &mut SegurWorld,
    millis: u64,
    operation: String,
) -> Result<(), StepFailure> {
    super::dmp::arm_fault(
        world,
        &operation,
        json!({ "kind": "delay", "millis": millis }),
    )
    .await
}

#[when(expr = "l'utilisateur lance en arrière-plan la consultation du DMP de {string}")]
async fn start(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    world.background_started = Some(OffsetDateTime::now_utc());
    let result = world
        .act_ok_on(
            &alias,
            "dmp.list",
            json!({ "authorise": true, "background": true }),
        )
        .await?;
    let Some(job) = result["job"].as_str() else {
        return fail(format!(
            "la consultation en arrière-plan devait donner l'identifiant de sa tâche (job) ; le logiciel répond {result}"
        ));
    };
    world.background_job = Some(job.to_string());
    Ok(())
}

#[when(expr = "l'utilisateur affiche les documents du dossier de {string} pendant la consultation")]
async fn meanwhile(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let reply = world.act_on(&alias, "documents.list", json!({})).await?;
    fail_if(reply.status != Status::Ok, || {
        format!(
            "le dossier devait s'afficher pendant la consultation du DMP : {:?} {}",
            reply.status,
            reply.message.clone().unwrap_or_default()
        )
    })?;
    world.answered_meanwhile = Some(OffsetDateTime::now_utc());
    Ok(())
}

#[when(expr = "l'utilisateur attend la fin de la consultation du DMP de {string}")]
async fn wait(world: &mut SegurWorld, _alias: String) -> Result<(), StepFailure> {
    let Some(job) = world.background_job.take() else {
        return fail("aucune consultation lancée en arrière-plan dans ce scénario");
    };
    world.act("job.wait", json!({ "job": job })).await?;
    Ok(())
}

#[then("le dossier s'est affiché pendant que le DMP traitait la consultation")]
async fn then_meanwhile(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let (Some(started), Some(shown)) = (world.background_started, world.answered_meanwhile) else {
        return fail(
            "le dossier n'a pas été affiché pendant une consultation lancée en arrière-plan",
        );
    };
    let searches = super::journal::records(world, "dmp", Some("TD3.1")).await?;
    // The searches the DMP delayed: each record says when the request arrived, its own
    // time is when it was answered. The one the user started arrived after the start;
    // the record was shown before it was answered (whether the search had reached the
    // DMP yet or not, the software did not wait for it). Times come from the bench's
    // clock, which this scenario does not move, so they compare with the wall clock.
    let mut seen = Vec::new();
    for r in &searches {
        let Some(body) = &r.request else { continue };
        let arrived = body.summary["received_at"]
            .as_str()
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok());
        if let Some(arrived) = arrived {
            seen.push((r, arrived));
        }
    }
    let Some((record, arrived)) = seen
        .iter()
        .find(|(r, arrived)| started <= *arrived && shown <= r.time)
        .map(|(r, a)| ((*r).clone(), *a))
    else {
        let spans: Vec<String> = seen
            .iter()
            .map(|(r, a)| format!("reçue à {} et répondue à {}", hms(*a), hms(r.time)))
            .collect();
        return fail(format!(
            "consultation lancée à {}, dossier affiché à {}, après la réponse du DMP ({}) : le logiciel a attendu le DMP",
            hms(started),
            hms(shown),
            if spans.is_empty() {
                "aucune consultation TD3.1 reçue".to_string()
            } else {
                spans.join(", ")
            }
        ));
    };
    world.witness([&record]);
    fail_if(
        record.time - arrived < time::Duration::milliseconds(200),
        || {
            format!(
                "la consultation n'a duré que {} : le banc devait la retarder",
                record.time - arrived
            )
        },
    )
}
