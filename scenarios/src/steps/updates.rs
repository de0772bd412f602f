//! What changed in the DMP after the software integrated a document (CDA/DD.05): another
//! professional fed a new version of it (RPLC) or deleted it, from another software.
//! When the user opens the patient's record the software must say so by itself; what it
//! reports is judged on what the bench changed, and earned only by the consultation
//! (TD3.1) the software made after the change.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::dmp::document_id;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// A change the bench made in a DMP, and how many consultations (TD3.1) the software had
/// made before it: only a later one can have told the software.
#[derive(Debug, Clone)]
pub struct DmpChange {
    /// The uniqueId of the document the software had integrated.
    pub unique_id: String,
    /// The new version's uniqueId, `None` for a deletion.
    pub new_version: Option<String>,
    /// TD3.1 records of the scenario when the change was made.
    pub consultations_before: usize,
}

/// The uniqueId of a document with its extension replaced by `extension`.
fn with_extension(unique_id: &str, extension: &str) -> String {
    let root = unique_id.split('^').next().unwrap_or(unique_id);
    format!("{root}^{extension}")
}

/// The CDA of `unique_id` (as the DMP holds it) made a new version: another document id
/// (same root, extension `extension`) and the title `title`.
fn new_version_of(cda: &str, unique_id: &str, extension: &str, title: &str) -> String {
    let (root, old) = unique_id.split_once('^').unwrap_or((unique_id, ""));
    let mut text = cda.replacen(
        &format!("<id root=\"{root}\" extension=\"{old}\""),
        &format!("<id root=\"{root}\" extension=\"{extension}\""),
        1,
    );
    if let (Some(open), Some(close)) = (text.find("<title>"), text.find("</title>")) {
        text.replace_range(
            open + "<title>".len()..close,
            &segur_core::xml::escape(title),
        );
    }
    text
}

/// How many consultations (TD3.1) the software made in this scenario so far.
async fn consultations(
    world: &SegurWorld,
) -> Result<Vec<segur_core::journal::Record>, StepFailure> {
    super::journal::records(world, "dmp", Some("TD3.1")).await
}

#[given(regex = r#"^"([^"]*)" remplace au DMP de "([^"]*)" le document "([^"]*)" par "([^"]*)"$"#)]
#[when(regex = r#"^"([^"]*)" remplace au DMP de "([^"]*)" le document "([^"]*)" par "([^"]*)"$"#)]
async fn replaced(
    world: &mut SegurWorld,
    author: String,
    alias: String,
    title: String,
    new_title: String,
) -> Result<(), StepFailure> {
    use base64::Engine as _;
    let patient = world.world_patient(&alias)?;
    let old = document_id(world, &title)?;
    let entry = super::dmp::current_entry(world, &old).await?;
    let entry_uuid = entry["entry_uuid"].as_str().unwrap_or_default().to_string();
    let bytes = world.control()?.dmp_document_content(&entry_uuid).await?;
    let extension = format!("v2-{}{}", world.deposited.len() + 1, std::process::id());
    let cda = new_version_of(
        &String::from_utf8_lossy(&bytes),
        &old,
        &extension,
        &new_title,
    );
    let before = consultations(world).await?.len();
    let answer = world
        .control()?
        .dmp_deposit(&json!({
            "patient": patient,
            "author": author,
            "cda": base64::engine::general_purpose::STANDARD.encode(cda),
            "replaces": old,
        }))
        .await?;
    let new = answer["unique_id"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| with_extension(&old, &extension));
    world.documents.insert(new_title, new.clone());
    world.deposited.push(new.clone());
    world.dmp_changes.push(DmpChange {
        unique_id: old,
        new_version: Some(new),
        consultations_before: before,
    });
    Ok(())
}

#[given(regex = r#"^"([^"]*)" supprime du DMP de "([^"]*)" le document "([^"]*)"$"#)]
#[when(regex = r#"^"([^"]*)" supprime du DMP de "([^"]*)" le document "([^"]*)"$"#)]
async fn deleted(
    world: &mut SegurWorld,
    author: String,
    _alias: String,
    title: String,
) -> Result<(), StepFailure> {
    let id = document_id(world, &title)?;
    let entry = super::dmp::current_entry(world, &id).await?;
    // The DMP lets only a document's author delete it: the feature names who.
    let national = world.control()?.professional(&author).await?["national_id"].clone();
    fail_if(entry["author"] != national, || {
        format!(
            "« {title} » a pour auteur {} ; {author} ({national}) ne peut pas le supprimer",
            entry["author"]
        )
    })?;
    let before = consultations(world).await?.len();
    world.control()?.dmp_delete(&id).await?;
    world.dmp_changes.push(DmpChange {
        unique_id: id,
        new_version: None,
        consultations_before: before,
    });
    Ok(())
}

/// The change the bench made to `title`, and the consultations the software made after
/// it (witnessed): without one, nothing the software says of the change came from the
/// DMP.
async fn change_and_consultations(
    world: &mut SegurWorld,
    title: &str,
) -> Result<DmpChange, StepFailure> {
    let id = document_id(world, title)?;
    let change = world
        .dmp_changes
        .iter()
        .find(|c| c.unique_id == id)
        .cloned()
        .ok_or_else(|| {
            StepFailure::Failed(format!("le banc n'a rien changé au DMP pour « {title} »"))
        })?;
    let after: Vec<_> = consultations(world)
        .await?
        .into_iter()
        .skip(change.consultations_before)
        .collect();
    fail_if(after.is_empty(), || {
        format!(
            "le logiciel n'a pas consulté le DMP (TD3.1) depuis que « {title} » y a changé : il ne peut pas le savoir"
        )
    })?;
    world.witness(&after);
    Ok(change)
}

/// What the last opening of the record reported for `unique_id`.
fn reported(world: &SegurWorld, unique_id: &str) -> Result<Option<Value>, StepFailure> {
    let reply = world.last()?;
    let Some(updates) = reply.result["updates"].as_array() else {
        return fail(format!(
            "le logiciel n'a rien signalé des documents intégrés à l'ouverture du dossier : {}",
            reply.result
        ));
    };
    Ok(updates
        .iter()
        .find(|u| u["unique_id"] == unique_id)
        .cloned())
}

#[then(expr = "le logiciel signale une nouvelle version au DMP du document {string} : {string}")]
async fn then_new_version(
    world: &mut SegurWorld,
    title: String,
    new_title: String,
) -> Result<(), StepFailure> {
    let change = change_and_consultations(world, &title).await?;
    let new = document_id(world, &new_title)?;
    fail_if(change.new_version.as_deref() != Some(&new), || {
        format!("le banc n'a pas remplacé « {title} » par « {new_title} »")
    })?;
    let shown = reported(world, &change.unique_id)?;
    fail_if(
        shown
            .as_ref()
            .is_none_or(|u| u["change"] != "new_version" || u["new_unique_id"] != new.as_str()),
        || {
            format!(
                "« {title} » a une nouvelle version au DMP ({new}) ; le logiciel signale {}",
                shown.map_or("rien".to_string(), |u| u.to_string())
            )
        },
    )
}

#[then(expr = "le logiciel signale la suppression au DMP du document {string}")]
async fn then_deleted(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let change = change_and_consultations(world, &title).await?;
    fail_if(change.new_version.is_some(), || {
        format!("le banc n'a pas supprimé « {title} » du DMP")
    })?;
    let shown = reported(world, &change.unique_id)?;
    fail_if(
        shown.as_ref().is_none_or(|u| u["change"] != "deleted"),
        || {
            format!(
                "« {title} » a été supprimé du DMP ; le logiciel signale {}",
                shown.map_or("rien".to_string(), |u| u.to_string())
            )
        },
    )
}

#[then(expr = "le logiciel ne signale aucun changement au DMP du document {string}")]
async fn then_unchanged(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let id = document_id(world, &title)?;
    fail_if(world.dmp_changes.iter().any(|c| c.unique_id == id), || {
        format!("le banc a changé « {title} » au DMP : la feature se contredit")
    })?;
    let shown = reported(world, &id)?;
    fail_if(shown.is_some(), || {
        format!(
            "« {title} » n'a pas changé au DMP ; le logiciel signale {}",
            shown.unwrap_or_default()
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_new_version_changes_only_the_document_id_and_title() {
        let cda = "<ClinicalDocument><id root=\"1.2.3\" extension=\"7\"/><title>Bilan</title><setId root=\"1.2.3\" extension=\"7\"/></ClinicalDocument>";
        let new = super::new_version_of(cda, "1.2.3^7", "v2", "Bilan complété");
        assert_eq!(
            new,
            "<ClinicalDocument><id root=\"1.2.3\" extension=\"v2\"/><title>Bilan complété</title><setId root=\"1.2.3\" extension=\"7\"/></ClinicalDocument>"
        );
    }
}
