//! The DPI's indicator on the feeding of historical documents (DMP/HISTO.08, .09): the
//! bench gives patients stays and documents of known dates, some sent to the DMP and some
//! not, and judges the month's indicator the software computes against those facts.

use cucumber::{given, then, when};
use serde_json::json;

use crate::world::{SegurWorld, StepFailure, fail_if};

/// Today minus `years` years and `days` days, `YYYY-MM-DD`.
fn before(years: i32, days: i64) -> String {
    let today = time::OffsetDateTime::now_utc().date();
    let year = today.year() - years;
    let shifted = today
        .replace_year(year)
        .or_else(|_| today.replace_day(28).and_then(|d| d.replace_year(year)))
        .unwrap_or(today);
    (shifted - time::Duration::days(days)).to_string()
}

/// The first day of the month `months` months before this one.
fn month_start(months: i32) -> time::Date {
    let today = time::OffsetDateTime::now_utc().date();
    let (year, month) = super::months_before(today, months);
    time::Date::from_calendar_date(year, month, 1).unwrap_or(today)
}

async fn stay(
    world: &mut SegurWorld,
    alias: &str,
    admitted: String,
    discharged: String,
) -> Result<(), StepFailure> {
    world
        .act_ok_on(
            alias,
            "stay.record",
            json!({ "admitted": admitted, "discharged": discharged }),
        )
        .await
        .map(|_| ())
}

#[given(expr = "un séjour antérieur de {string} terminé il y a {int} ans")]
async fn earlier_stay(
    world: &mut SegurWorld,
    alias: String,
    years: i32,
) -> Result<(), StepFailure> {
    stay(world, &alias, before(years, 20), before(years, 10)).await
}

#[given(expr = "un séjour de {string} clôturé le mois dernier")]
async fn last_month_stay(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let start = month_start(1);
    let at = |d: i64| (start + time::Duration::days(d)).to_string();
    stay(world, &alias, at(9), at(14)).await
}

#[given(expr = "un séjour de {string} clôturé il y a {int} mois")]
async fn older_stay(world: &mut SegurWorld, alias: String, months: i32) -> Result<(), StepFailure> {
    let start = month_start(months);
    let at = |d: i64| (start + time::Duration::days(d)).to_string();
    stay(world, &alias, at(3), at(6)).await
}

#[given(
    regex = r#"^un document du séjour d'il y a (\d+) ans de "([^"]*)", "([^"]*)", (envoyé au DMP|gardé au dossier sans envoi)$"#
)]
async fn stay_document(
    world: &mut SegurWorld,
    years: i32,
    alias: String,
    title: String,
    fate: String,
) -> Result<(), StepFailure> {
    let date = before(years, 15);
    let hold = fate != "envoyé au DMP";
    world
        .act_ok_on(
            &alias,
            "dmp.feed",
            json!({ "kind": "cr", "title": title, "date": date, "hold": hold }),
        )
        .await
        .map(|_| ())
}

#[when("l'utilisateur affiche l'indicateur d'alimentation historique du mois dernier")]
async fn show_indicator(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let month = month_start(1);
    let month = format!("{:04}-{:02}", month.year(), u8::from(month.month()));
    world
        .act("indicator.history_feed", json!({ "month": month }))
        .await
        .map(|_| ())
}

#[then(
    expr = "l'indicateur compte {int} séjour(s) dont {int} avec un document historique versé au DMP, soit {float} %"
)]
async fn indicator_is(
    world: &mut SegurWorld,
    closed: u64,
    fed: u64,
    percent: f64,
) -> Result<(), StepFailure> {
    let reply = world.last()?.clone();
    let result = crate::world::require_ok("indicator.history_feed", reply)?;
    // A driver gives numbers; a person at the keyboard, the text they read.
    let number = |v: &serde_json::Value| {
        v.as_f64().or_else(|| {
            v.as_str().and_then(|t| {
                t.trim()
                    .trim_end_matches('%')
                    .trim()
                    .replace(',', ".")
                    .parse()
                    .ok()
            })
        })
    };
    let shown = (
        number(&result["closed_stays"]),
        number(&result["with_history_fed"]),
        number(&result["percent"]),
    );
    let same = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 0.1);
    fail_if(
        !same(shown.0, closed as f64) || !same(shown.1, fed as f64) || !same(shown.2, percent),
        || {
            format!(
                "indicateur attendu {closed} séjours, {fed} avec un document historique versé, {percent} % ; le logiciel affiche {} / {} / {} %",
                result["closed_stays"], result["with_history_fed"], result["percent"]
            )
        },
    )?;
    fail_if(result["formula"].as_str().is_none_or(str::is_empty), || {
        "le logiciel ne montre pas la formule de calcul de l'indicateur".to_string()
    })?;
    world.judge("indicator.history_feed");
    Ok(())
}
