//! Reminders to update the volet de synthèse médicale (DOC/va1.11, va1.13): the bench
//! puts VSMs of known ages in the records, sets the site's rule, and judges the list of
//! VSMs the software says are due against those ages.

use cucumber::{given, then, when};
use serde_json::json;

use crate::world::{SegurWorld, StepFailure, fail_if};

/// `YYYY-MM-DD` of the day `months` calendar months (and `days` days) before today.
fn months_ago(months: u32, days: i64) -> String {
    let today = time::OffsetDateTime::now_utc().date() - time::Duration::days(days);
    let (year, month) = super::months_before(today, i32::try_from(months).unwrap_or(0));
    let day = today.day().min(time::util::days_in_month(month, year));
    format!("{year:04}-{:02}-{day:02}", u8::from(month))
}

#[given(
    expr = "le volet de synthèse médicale {string} de {string} daté d'il y a {int} mois au dossier"
)]
async fn vsm_in_record(
    world: &mut SegurWorld,
    title: String,
    alias: String,
    months: u32,
) -> Result<(), StepFailure> {
    // A few days more, so a VSM is never on the rule's boundary.
    let date = months_ago(months, 3);
    let result = world
        .act_ok_on(
            &alias,
            "dmp.feed",
            json!({ "kind": "vsm", "title": title, "date": date, "hold": true }),
        )
        .await?;
    if let Some(id) = result["unique_id"].as_str() {
        world.documents.insert(title, id.to_string());
    }
    Ok(())
}

#[given(expr = "les rappels de mise à jour du VSM paramétrés à {int} mois")]
#[when(expr = "l'utilisateur modifie les rappels de mise à jour du VSM à {int} mois")]
async fn reminder_rule(world: &mut SegurWorld, months: u32) -> Result<(), StepFailure> {
    world
        .act_ok(
            "settings.set",
            json!({ "name": "vsm_reminder", "value": { "after_months": months } }),
        )
        .await
        .map(|_| ())
}

#[then(expr = "la liste des VSM à mettre à jour est {string}")]
async fn due_list(world: &mut SegurWorld, expected: String) -> Result<(), StepFailure> {
    let result = world.act_ok("vsm.reminders", json!({})).await?;
    let mut due: Vec<String> = result["due"]
        .as_array()
        .into_iter()
        .flatten()
        // The driver gives each VSM with its id; a person at the keyboard, its title.
        .filter_map(|d| {
            d.as_str()
                .or_else(|| d["title"].as_str())
                .map(str::to_string)
        })
        .collect();
    let mut wanted: Vec<String> = expected
        .split(", ")
        .filter(|t| !t.is_empty() && *t != "vide")
        .map(str::to_string)
        .collect();
    due.sort();
    wanted.sort();
    fail_if(due != wanted, || {
        format!("VSM à mettre à jour attendus {wanted:?}, le logiciel liste {due:?}")
    })?;
    // Each title the software lists is the VSM the bench put in that record.
    for entry in result["due"].as_array().into_iter().flatten() {
        if entry.is_string() {
            continue;
        }
        let title = entry["title"].as_str().unwrap_or_default();
        let id = world.documents.get(title).cloned().unwrap_or_default();
        fail_if(entry["unique_id"] != id.as_str(), || {
            format!(
                "« {title} » listé avec l'identifiant {}, le dossier le tient sous {id}",
                entry["unique_id"]
            )
        })?;
    }
    world.judge("vsm.reminders");
    Ok(())
}
