//! Feeding the DMP in bulk with the record's historical documents (DMP/HISTO.06): the
//! bench writes documents into the software's records without sending them, sets the
//! filters' facts up (a death recorded, an opposition, an identity left unqualified, a
//! document already fed), asks for a bulk feed of a period and types at a highest pace,
//! and judges what reached the DMP: exactly the documents that pass every filter, spaced
//! as asked. What the software says it set aside, and why, is checked against the
//! facts the feature states.

use std::collections::BTreeSet;

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::dmp::document_id;
use crate::driver::Status;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// A bulk feed asked in this scenario: where the DMP's records stood before it, and
/// what the software answered.
#[derive(Debug, Clone)]
pub struct BulkFeed {
    /// TD2.1 records of the scenario before the bulk feed.
    pub feeds_before: usize,
    /// The documents the DMP held before it (uniqueIds).
    pub held_before: BTreeSet<String>,
    /// The documents per second asked at most.
    pub max_per_second: f64,
    /// The software's answer (`fed`, `skipped`).
    pub reply: Value,
}

/// The volet the feature names, as the driver protocol spells it.
fn kind(words: &str) -> Result<&'static str, StepFailure> {
    Ok(match words {
        "compte rendu" | "comptes rendus" => "cr",
        "volet de synthèse médicale" | "volets de synthèse médicale" => "vsm",
        other => return fail(format!("type de document inconnu : « {other} »")),
    })
}

#[given(
    regex = r#"^(?:un|le) (compte rendu|volet de synthèse médicale) "([^"]*)" de "([^"]*)" daté du "([^"]*)" conservé dans le dossier sans être envoyé au DMP$"#
)]
async fn held(
    world: &mut SegurWorld,
    words: String,
    title: String,
    alias: String,
    date: String,
) -> Result<(), StepFailure> {
    let result = world
        .act_ok_on(
            &alias,
            "dmp.feed",
            json!({ "kind": kind(&words)?, "title": title, "date": date, "hold": true }),
        )
        .await?;
    let Some(id) = result["unique_id"].as_str() else {
        return fail(format!(
            "le logiciel n'a pas donné l'identifiant du document « {title} » conservé : {result}"
        ));
    };
    world.documents.insert(title, id.to_string());
    Ok(())
}

#[given(expr = "le décès de {string} le {string} enregistré dans le logiciel")]
async fn death(world: &mut SegurWorld, alias: String, date: String) -> Result<(), StepFailure> {
    world
        .act_ok_on(
            &alias,
            "identity.update",
            json!({ "changes": { "date_of_death": date } }),
        )
        .await?;
    Ok(())
}

#[when(
    regex = r#"^l'utilisateur alimente le DMP avec les (comptes rendus|volets de synthèse médicale) historiques datés depuis le "([^"]*)", (\d+) documents? par seconde au plus$"#
)]
async fn bulk(
    world: &mut SegurWorld,
    words: String,
    since: String,
    rate: u32,
) -> Result<(), StepFailure> {
    let feeds_before = super::journal::records(world, "dmp", Some("TD2.1"))
        .await?
        .len();
    let held_before = held_ids(world).await?;
    let reply = world
        .act(
            "dmp.feed_history",
            json!({ "since": since, "types": [kind(&words)?], "max_per_second": rate }),
        )
        .await?;
    fail_if(reply.status != Status::Ok, || {
        format!(
            "l'alimentation en masse a échoué : {:?} {}",
            reply.status,
            reply.message.clone().unwrap_or_default()
        )
    })?;
    world.bulk_feed = Some(BulkFeed {
        feeds_before,
        held_before,
        max_per_second: f64::from(rate),
        reply: reply.result,
    });
    Ok(())
}

/// Every document the scenario's DMP holds, submission sets' signatures left out.
async fn held_ids(world: &SegurWorld) -> Result<BTreeSet<String>, StepFailure> {
    Ok(world
        .control()?
        .dmp_documents()
        .await?
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["signature"] != true)
        .filter_map(|d| d["unique_id"].as_str().map(str::to_string))
        .collect())
}

fn bulk_feed(world: &SegurWorld) -> Result<BulkFeed, StepFailure> {
    world
        .bulk_feed
        .clone()
        .ok_or_else(|| StepFailure::Failed("aucune alimentation en masse dans ce scénario".into()))
}

#[then(expr = "l'alimentation en masse a envoyé au DMP exactement les documents {string}")]
async fn then_sent(world: &mut SegurWorld, titles: String) -> Result<(), StepFailure> {
    let bulk = bulk_feed(world)?;
    let mut expected = BTreeSet::new();
    for title in titles.split(", ") {
        expected.insert(document_id(world, title)?);
    }
    let feeds: Vec<_> = super::journal::records(world, "dmp", Some("TD2.1"))
        .await?
        .into_iter()
        .skip(bulk.feeds_before)
        .collect();
    let now = held_ids(world).await?;
    let arrived: BTreeSet<String> = now.difference(&bulk.held_before).cloned().collect();
    let name = |id: &String| super::dmp::title_of(world, id);
    let missing: Vec<String> = expected.difference(&arrived).map(name).collect();
    let extra: Vec<String> = arrived.difference(&expected).map(name).collect();
    fail_if(!missing.is_empty() || !extra.is_empty(), || {
        format!(
            "l'alimentation en masse devait envoyer {titles} ; le DMP n'a pas reçu {missing:?} et a reçu en plus {extra:?}"
        )
    })?;
    fail_if(feeds.len() != expected.len(), || {
        format!(
            "{} envoi(s) TD2.1 pour {} document(s) : un document par envoi était attendu",
            feeds.len(),
            expected.len()
        )
    })?;
    world.witness(&feeds);
    Ok(())
}

#[then("les envois de l'alimentation en masse respectent la vitesse maximale")]
async fn then_paced(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let bulk = bulk_feed(world)?;
    let feeds: Vec<_> = super::journal::records(world, "dmp", Some("TD2.1"))
        .await?
        .into_iter()
        .skip(bulk.feeds_before)
        .collect();
    fail_if(feeds.len() < 2, || {
        "la vitesse ne se juge que sur deux envois au moins".to_string()
    })?;
    let arrivals: Vec<OffsetDateTime> = feeds
        .iter()
        .filter_map(|r| r.request.as_ref()?.summary["received_at"].as_str())
        .filter_map(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .collect();
    // A quarter of slack: the arrivals also carry each request's own way through TLS.
    let least = time::Duration::seconds_f64(0.75 / bulk.max_per_second);
    for pair in arrivals.windows(2) {
        let gap = pair[1] - pair[0];
        fail_if(gap < least, || {
            format!(
                "deux envois à {} ms d'intervalle : au plus {} document(s) par seconde était demandé",
                gap.whole_milliseconds(),
                bulk.max_per_second
            )
        })?;
    }
    world.witness(&feeds);
    Ok(())
}

#[then("le logiciel a écarté de l'alimentation en masse :")]
async fn then_skipped(world: &mut SegurWorld, step: &Step) -> Result<(), StepFailure> {
    let bulk = bulk_feed(world)?;
    let Some(table) = step.table.as_ref() else {
        return fail("la table des documents écartés manque (| document | motif |)");
    };
    let skipped = bulk.reply["skipped"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut wrong = Vec::new();
    for row in table.rows.iter().skip(1) {
        let (title, reason) = (row[0].as_str(), row[1].as_str());
        let id = document_id(world, title)?;
        let given = skipped
            .iter()
            .find(|s| s["unique_id"] == id.as_str())
            .and_then(|s| s["reason"].as_str());
        if given != Some(reason) {
            wrong.push(format!(
                "« {title} » : motif attendu « {reason} », le logiciel dit {given:?}"
            ));
        }
    }
    world.judge("dmp.feed_history");
    fail_if(!wrong.is_empty(), || wrong.join(" ; "))
}
