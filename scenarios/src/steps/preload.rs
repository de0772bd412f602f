//! Preloading the DMP documents of the patients in care (DMP/UX.34): the site sets the
//! types preloaded and how long they are kept; the software preloads for the patients in
//! care, only those whose consent to the consultation is recorded (UX.08). Judged on what
//! the DMP served: exactly the documents of those types and patients, nothing about a
//! patient without consent, no new retrieval when the user opens a preloaded document,
//! a new one once its time is up.

use cucumber::{given, then, when};
use serde_json::json;

use super::dmp::document_id;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

#[given(
    expr = "le préchargement du DMP paramétré pour les documents de type {string} gardés {int} heure(s)"
)]
async fn configured(world: &mut SegurWorld, types: String, hours: i64) -> Result<(), StepFailure> {
    let types: Vec<&str> = types.split(", ").collect();
    world
        .act_ok(
            "settings.set",
            json!({ "name": "dmp_preload", "value": { "types": types, "max_hours": hours } }),
        )
        .await?;
    Ok(())
}

#[when(expr = "le logiciel précharge le DMP des patients pris en charge {string}")]
async fn preload(world: &mut SegurWorld, aliases: String) -> Result<(), StepFailure> {
    let mut patients = Vec::new();
    for alias in aliases.split(", ") {
        patients.push(world.identity(alias)?);
    }
    let before = super::journal::records(world, "dmp", None).await?.len();
    world.preload_mark = Some(before);
    world
        .act_ok("dmp.preload", json!({ "patients": patients }))
        .await?;
    Ok(())
}

/// The DMP's records since the preload started.
async fn since_preload(
    world: &SegurWorld,
) -> Result<Vec<segur_core::journal::Record>, StepFailure> {
    let Some(mark) = world.preload_mark else {
        return fail("aucun préchargement dans ce scénario");
    };
    Ok(super::journal::records(world, "dmp", None)
        .await?
        .into_iter()
        .skip(mark)
        .collect())
}

/// The uniqueIds a retrieval (TD3.2) asked for.
fn asked(body: &str) -> Vec<String> {
    body.split("DocumentUniqueId>")
        .skip(1)
        .step_by(2)
        .filter_map(|s| s.split('<').next())
        .map(|s| s.trim().to_string())
        .collect()
}

#[then(expr = "le DMP a servi au préchargement exactement les documents {string}")]
async fn then_served(world: &mut SegurWorld, titles: String) -> Result<(), StepFailure> {
    let mut expected = std::collections::BTreeSet::new();
    for t in titles.split(", ") {
        expected.insert(document_id(world, t)?);
    }
    let retrievals: Vec<_> = since_preload(world)
        .await?
        .into_iter()
        .filter(|r| r.operation == "TD3.2")
        .collect();
    let mut served = std::collections::BTreeSet::new();
    for r in &retrievals {
        let body = world.control()?.journal_body(r.seq, "request").await?;
        served.extend(asked(&String::from_utf8_lossy(&body)));
    }
    let name = |id: &String| super::dmp::title_of(world, id);
    let missing: Vec<String> = expected.difference(&served).map(name).collect();
    let extra: Vec<String> = served.difference(&expected).map(name).collect();
    fail_if(!missing.is_empty() || !extra.is_empty(), || {
        format!("le préchargement devait lire {titles} ; manquent {missing:?}, en plus {extra:?}")
    })?;
    world.witness(&retrievals);
    Ok(())
}

#[then(expr = "le DMP n'a rien reçu au préchargement pour {string}")]
async fn then_nothing_for(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let patient = world.world_patient(&alias)?;
    let ins = super::ins_number(&world.control()?.patient(&patient).await?["ins"]);
    // The matricule: the INS as bodies carry it, with or without its key.
    let matricule = ins.get(..13).unwrap_or(&ins).to_string();
    fail_if(matricule.is_empty(), || {
        format!("{alias} n'a pas d'INS dans le monde")
    })?;
    let records = since_preload(world).await?;
    let mut about = Vec::new();
    for r in &records {
        let body = world.control()?.journal_body(r.seq, "request").await?;
        if String::from_utf8_lossy(&body).contains(&matricule) {
            about.push(r.operation.clone());
        }
    }
    fail_if(!about.is_empty(), || {
        format!(
            "sans consentement de {alias} à la consultation, rien ne devait être préchargé ; le DMP a reçu {about:?} pour lui"
        )
    })
}

#[then(expr = "le logiciel montre le document {string} préchargé, sans le redemander au DMP")]
async fn then_from_preload(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let reply = world.last()?.clone();
    let id = document_id(world, &title)?;
    let retrievals = super::records::served(world, &id).await?;
    fail_if(retrievals != 1, || {
        format!(
            "« {title} » devait être lu une fois dans le DMP, au préchargement ; il l'a été {retrievals} fois"
        )
    })?;
    fail_if(reply.result["shown"] != "preload", || {
        format!(
            "« {title} » préchargé devait être montré tel quel ; le logiciel répond {}",
            reply.result
        )
    })
}

#[then(expr = "le logiciel redemande au DMP le document {string}, son préchargement expiré")]
async fn then_expired(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let reply = world.last()?.clone();
    let id = document_id(world, &title)?;
    let retrievals = super::records::served(world, &id).await?;
    fail_if(retrievals != 2, || {
        format!(
            "le préchargement de « {title} » a expiré : le DMP devait le servir une seconde fois ; il l'a servi {retrievals} fois en tout"
        )
    })?;
    fail_if(reply.result["shown"] != "DMP", || {
        format!(
            "« {title} » devait être relu dans le DMP ; le logiciel répond {}",
            reply.result
        )
    })
}
