//! The patient's record and the documents that come into it from the DMP: the bench
//! deposits ANS example documents in the DMP as another professional fed them, the
//! software lists its record (origin, whether each document reached the DMP, sorted by
//! type code or creation date) and recognises a DMP document it already integrated.
//! What the software reports is judged on the bench's own facts: what it deposited, what
//! the DMP holds and what the DMP served (TD3.2).

use base64::Engine as _;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::dmp::{document_id, held, held_bytes};
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The INS and document id of every ANS example: the bench rewrites them for the patient
/// and for a fresh document.
const EXAMPLE_INS: &str = "279035121518989";
const EXAMPLE_INS_ROOT: &str = "1.2.250.1.213.1.4.10";

/// The ANS example a feature names, as bytes.
pub(crate) fn example(kind: &str) -> Result<&'static str, StepFailure> {
    Ok(match kind {
        "compte rendu de biologie" => {
            include_str!("../../../fixtures/cda/BIO-CR-BIO_2024.01_Microbiologie_V2.xml")
        }
        "synthèse médicale" => include_str!("../../../fixtures/cda/VSM_1.4_2022.01.xml"),
        "compte rendu en CDA R2 niveau 1" => {
            include_str!("../../../fixtures/cda/DOC_NON_STRUCTURE_CDA-R2-N1.xml")
        }
        other => return fail(format!("pas d'exemple ANS pour « {other} »")),
    })
}

/// `example` for the patient with INS `(number, oid)`, titled `title`, its document id
/// made unique with `extension`.
pub(crate) fn rewrite(
    example: &str,
    number: &str,
    oid: &str,
    title: &str,
    extension: &str,
) -> String {
    let mut text = example
        .replace(
            &format!("extension=\"{EXAMPLE_INS}\" root=\"{EXAMPLE_INS_ROOT}\""),
            &format!("extension=\"{number}\" root=\"{oid}\""),
        )
        .replace(
            &format!("root=\"{EXAMPLE_INS_ROOT}\" extension=\"{EXAMPLE_INS}\""),
            &format!("root=\"{oid}\" extension=\"{number}\""),
        );
    // The document id is the header's first `<id root="…"`: an extension makes it new.
    if let Some(start) = text.find("<id root=\"") {
        let value = start + "<id root=\"".len();
        if let Some(end) = text[value..].find('"') {
            text.insert_str(value + end + 1, &format!(" extension=\"{extension}\""));
        }
    }
    if let (Some(open), Some(close)) = (text.find("<title>"), text.find("</title>")) {
        text.replace_range(
            open + "<title>".len()..close,
            &segur_core::xml::escape(title),
        );
    }
    text
}

#[given(
    regex = r#"^(?:un|une) (compte rendu de biologie|synthèse médicale|compte rendu en CDA R2 niveau 1)( auto-présentable)? "([^"]*)" déposée? au DMP de "([^"]*)" par "([^"]*)"$"#
)]
async fn deposited(
    world: &mut SegurWorld,
    kind: String,
    self_presentable: String,
    title: String,
    alias: String,
    author: String,
) -> Result<(), StepFailure> {
    let patient = world.world_patient(&alias)?;
    let ins = world.control()?.patient(&patient).await?["ins"].clone();
    let number = super::ins_number(&ins);
    let oid = ins["oid"].as_str().unwrap_or(EXAMPLE_INS_ROOT).to_string();
    let extension = format!("{}{}", world.deposited.len() + 1, std::process::id());
    let mut cda = rewrite(example(&kind)?, &number, &oid, &title, &extension);
    // Self-presentable: the producer's stylesheet holds the document (the DMP then
    // declares it application/xslt+xml).
    if !self_presentable.is_empty() {
        cda = segur_documents::cda::presentation::wrap(&cda)
            .ok_or_else(|| StepFailure::Failed(format!("« {title} » : pas de ClinicalDocument")))?;
    }
    let answer = world
        .control()?
        .dmp_deposit(&json!({
            "patient": patient,
            "author": author,
            "cda": base64::engine::general_purpose::STANDARD.encode(cda),
        }))
        .await?;
    let unique_id = answer["unique_id"].as_str().unwrap_or_default().to_string();
    world.documents.insert(title, unique_id.clone());
    world.deposited.push(unique_id);
    Ok(())
}

#[when(
    regex = r#"^l'utilisateur (?:affiche|trie) les documents du dossier de "([^"]*)"(?: par (type|date de création))?$"#
)]
async fn list(world: &mut SegurWorld, alias: String, sort: String) -> Result<(), StepFailure> {
    let mut params = json!({});
    match sort.as_str() {
        "type" => params["sort"] = json!("type"),
        "date de création" => params["sort"] = json!("date"),
        _ => {}
    }
    world.act_on(&alias, "documents.list", params).await?;
    Ok(())
}

/// The record the last `documents.list` gave.
fn listed(world: &SegurWorld) -> Result<Vec<Value>, StepFailure> {
    let reply = world.last()?;
    match reply.result["documents"].as_array() {
        Some(d) if reply.status == crate::driver::Status::Ok => Ok(d.clone()),
        _ => fail(format!(
            "le logiciel n'a pas montré les documents du dossier : {:?} {}",
            reply.status,
            reply.message.clone().unwrap_or_default()
        )),
    }
}

/// The entry of the last listing for the document titled `title`.
fn listed_entry(world: &SegurWorld, title: &str) -> Result<Value, StepFailure> {
    let id = document_id(world, title)?;
    listed(world)?
        .into_iter()
        .find(|d| d["unique_id"] == id.as_str())
        .ok_or_else(|| StepFailure::Failed(format!("« {title} » ({id}) absent du dossier montré")))
}

#[then(regex = r#"^le dossier montre le document "([^"]*)" (envoyé|non envoyé) au DMP$"#)]
async fn then_fed(world: &mut SegurWorld, title: String, state: String) -> Result<(), StepFailure> {
    let shown = listed_entry(world, &title)?["dmp_fed"].as_bool();
    let id = document_id(world, &title)?;
    // The fact: whether the DMP holds an approved version the software fed.
    let in_dmp = held(world, &id).await?.iter().any(|d| {
        d["status"]
            .as_str()
            .is_some_and(|s| s.ends_with(":Approved"))
    });
    let expected = state == "envoyé";
    fail_if(in_dmp != expected, || {
        format!(
            "la feature attend « {title} » {state} au DMP ; le DMP {} tient",
            if in_dmp { "le" } else { "ne le" }
        )
    })?;
    world.judge("documents.list");
    fail_if(shown != Some(in_dmp), || {
        format!(
            "« {title} » : le DMP {} tient, le logiciel montre dmp_fed = {shown:?}",
            if in_dmp { "le" } else { "ne le" }
        )
    })
}

#[then(regex = r#"^le dossier montre le document "([^"]*)" d'origine (DMP|locale)$"#)]
async fn then_origin(
    world: &mut SegurWorld,
    title: String,
    origin: String,
) -> Result<(), StepFailure> {
    let entry = listed_entry(world, &title)?;
    let id = document_id(world, &title)?;
    let from_dmp = world.deposited.contains(&id);
    fail_if(from_dmp != (origin == "DMP"), || {
        format!(
            "la feature attend « {title} » d'origine {origin} ; le banc {} l'a déposé au DMP",
            if from_dmp { "" } else { "ne" }
        )
    })?;
    world.judge("documents.list");
    let shown = entry["origin"].as_str().unwrap_or_default();
    let ok = if from_dmp {
        shown.eq_ignore_ascii_case("DMP")
    } else {
        !shown.eq_ignore_ascii_case("DMP")
    };
    fail_if(!ok, || {
        format!(
            "« {title} » vient {} ; le logiciel montre l'origine {shown:?}",
            if from_dmp { "du DMP" } else { "du logiciel" }
        )
    })
}

/// The type code and the creation instant (unix seconds, `None` if unreadable) of a
/// document the DMP holds, from its CDA.
async fn facts_of(
    world: &mut SegurWorld,
    unique_id: &str,
) -> Result<(String, Option<i64>), StepFailure> {
    let bytes = held_bytes(world, unique_id).await?;
    let facts = segur_documents::cda::read_facts(&bytes, None)
        .ok_or_else(|| StepFailure::Failed(format!("{unique_id} : CDA illisible")))?;
    let made = facts
        .effective_time
        .as_deref()
        .and_then(segur_documents::cda::timestamp::instant)
        .map(|t| t.unix_timestamp());
    Ok((facts.code.map(|c| c.code).unwrap_or_default(), made))
}

#[then(regex = r#"^les documents du dossier sont triés par (type|date de création)$"#)]
async fn then_sorted(world: &mut SegurWorld, key: String) -> Result<(), StepFailure> {
    let shown = listed(world)?;
    let mut keys = Vec::new();
    let mut titles = Vec::new();
    for d in &shown {
        let id = d["unique_id"].as_str().unwrap_or_default().to_string();
        let (type_code, made) = facts_of(world, &id).await?;
        keys.push(if key == "type" {
            type_code
        } else {
            // Fixed width, so that texts order as the instants do.
            made.map(|t| format!("{t:015}")).unwrap_or_default()
        });
        titles.push(d["title"].as_str().unwrap_or_default().to_string());
    }
    let expected: Vec<String> = world.documents.values().cloned().collect();
    let missing: Vec<&String> = expected
        .iter()
        .filter(|id| !shown.iter().any(|d| d["unique_id"] == id.as_str()))
        .collect();
    fail_if(!missing.is_empty(), || {
        format!("le dossier montré n'a pas les documents {missing:?}")
    })?;
    // Two documents are in some order whatever the key: the check means something only
    // with three whose type and date orders differ (the feature chooses them so).
    fail_if(shown.len() < 3, || {
        format!(
            "trier veut au moins trois documents au dossier ; le logiciel en montre {}",
            shown.len()
        )
    })?;
    world.judge("documents.list");
    let ascending = keys.windows(2).all(|w| w[0] <= w[1]);
    let descending = keys.windows(2).all(|w| w[0] >= w[1]);
    fail_if(!ascending && !descending, || {
        format!("documents montrés {titles:?} : leurs {key}s {keys:?} ne sont pas dans l'ordre")
    })
}

/// `archivage après 5 ans, destruction après 20 ans` → (5, 20).
fn retention_words(words: &str) -> Result<(u64, u64), StepFailure> {
    let numbers: Vec<u64> = words
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    match numbers[..] {
        [archive, destroy] if words.contains("archivage") && words.contains("destruction") => {
            Ok((archive, destroy))
        }
        _ => fail(format!(
            "conservation « {words} » : écrire « archivage après N ans, destruction après M ans »"
        )),
    }
}

#[given(expr = "la conservation des documents du logiciel paramétrée à {string}")]
async fn retention_set(world: &mut SegurWorld, words: String) -> Result<(), StepFailure> {
    let (archive, destroy) = retention_words(&words)?;
    world
        .act_ok(
            "settings.set",
            json!({ "name": "retention", "value": { "archive_after_years": archive, "destroy_after_years": destroy } }),
        )
        .await?;
    world.retention = Some((archive, destroy));
    Ok(())
}

#[then(expr = "le dossier applique au document {string} la conservation paramétrée")]
async fn then_retained(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let Some((archive, destroy)) = world.retention else {
        return fail("aucune conservation paramétrée dans ce scénario");
    };
    let entry = listed_entry(world, &title)?;
    world.judge("documents.list");
    let shown = &entry["retention"];
    fail_if(
        shown["archive_after_years"] != archive || shown["destroy_after_years"] != destroy,
        || {
            format!(
                "« {title} » ({}) : conservation paramétrée archivage après {archive} ans, destruction après {destroy} ans ; le logiciel montre {shown}",
                entry["origin"]
            )
        },
    )
}

#[when(expr = "l'utilisateur affiche le document {string} du DMP de {string}")]
async fn display(world: &mut SegurWorld, title: String, alias: String) -> Result<(), StepFailure> {
    let document = document_id(world, &title)?;
    world
        .act_on(&alias, "dmp.display", json!({ "document": document }))
        .await?;
    Ok(())
}

/// Whether the DMP served `unique_id` (a TD3.2 of this scenario asked for it); the
/// retrievals read are witnessed.
pub(super) async fn served(world: &mut SegurWorld, unique_id: &str) -> Result<usize, StepFailure> {
    let records = world
        .control()?
        .journal(&[
            ("scenario", world.tag.clone()),
            ("service", "dmp".into()),
            ("operation", "TD3.2".into()),
        ])
        .await?;
    let root = unique_id.split('^').next().unwrap_or(unique_id);
    let mut count = 0;
    for r in &records {
        let body = world.control()?.journal_body(r.seq, "request").await?;
        if String::from_utf8_lossy(&body).contains(root) {
            count += 1;
            world.witness([r]);
        }
    }
    Ok(count)
}

#[then(
    expr = "le logiciel indique que le document {string} est déjà intégré au dossier et le montre depuis le dossier"
)]
async fn then_already(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let reply = world.last()?.clone();
    let id = document_id(world, &title)?;
    let retrieved = served(world, &id).await?;
    fail_if(retrieved != 1, || {
        format!(
            "« {title} » devait avoir été intégré une fois (TD3.2) avant d'être affiché ; le DMP l'a servi {retrieved} fois"
        )
    })?;
    world.judge("dmp.display");
    fail_if(reply.result["already_integrated"] != true, || {
        format!(
            "« {title} », déjà intégré au dossier, devait être signalé comme tel et montré depuis le dossier ; le logiciel répond {}",
            reply.result
        )
    })
}

#[then(expr = "le logiciel montre le document {string} du DMP, non encore intégré")]
async fn then_from_dmp(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let reply = world.last()?.clone();
    let id = document_id(world, &title)?;
    let retrieved = served(world, &id).await?;
    fail_if(retrieved == 0, || {
        format!("« {title} » devait être lu dans le DMP (TD3.2) pour être montré ; aucun appel")
    })?;
    world.judge("dmp.display");
    fail_if(reply.result["already_integrated"] != false, || {
        format!(
            "« {title} » n'est pas dans le dossier ; le logiciel répond {}",
            reply.result
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_example_is_rewritten_for_the_patient_and_a_new_id() {
        let text = super::rewrite(
            super::example("synthèse médicale").unwrap(),
            "123456789012345",
            "1.2.250.1.213.1.4.8",
            "Synthèse du Dr Colin",
            "77",
        );
        let facts = segur_documents::cda::read_facts(text.as_bytes(), None).unwrap();
        assert_eq!(
            facts.ins.unwrap().extension.as_deref(),
            Some("123456789012345")
        );
        assert_eq!(facts.id.unwrap().extension.as_deref(), Some("77"));
        assert_eq!(facts.title.as_deref(), Some("Synthèse du Dr Colin"));
        assert!(segur_documents::cda::check(text.as_bytes(), None).passes());
    }
}
