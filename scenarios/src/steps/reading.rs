//! Reading a CDA document from the record (CDA/VISU.01, INT.15, DMP/UX.29): the software
//! reports what it shows — the header's data, the body of a level-1 document, the
//! narrative of every section of a level-3 one, and whose stylesheet it applied — and the
//! bench compares it with the document the DMP served (`presentation::shown`): the
//! producer's stylesheet when the document brings one, the software's own otherwise.
//! Reading from the record means no new retrieval from the DMP.

use std::collections::BTreeSet;

use cucumber::{then, when};
use segur_documents::cda::presentation::{Shown, shown};
use serde_json::{Value, json};

use super::dmp::{document_id, held_bytes};
use crate::driver::Status;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The lower-cased words of a text (letters and digits; punctuation and layout aside):
/// what a rendering must show.
pub(super) fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The document the last `document.show` was about, what it must show, and what the
/// software reported.
async fn last_shown(world: &mut SegurWorld) -> Result<(String, Shown, Value), StepFailure> {
    let (title, retrievals) = world
        .read_document
        .clone()
        .ok_or_else(|| StepFailure::Failed("aucun document lu depuis le dossier".into()))?;
    let reply = world.last()?.clone();
    fail_if(reply.status != Status::Ok, || {
        format!(
            "le logiciel n'a pas montré « {title} » : {:?} {}",
            reply.status,
            reply.message.clone().unwrap_or_default()
        )
    })?;
    // From the record: the DMP served a document another professional fed once, when it
    // was integrated, not for reading. The software's own documents it wrote itself.
    let id = document_id(world, &title)?;
    if world.deposited.contains(&id) {
        let now = super::records::served(world, &id).await?;
        fail_if(now == 0, || {
            format!(
                "« {title} » n'a jamais été lu dans le DMP (TD3.2) : il ne peut pas être au dossier"
            )
        })?;
        fail_if(now > retrievals, || {
            format!(
                "« {title} » devait se lire depuis le dossier ; le logiciel l'a redemandé au DMP (TD3.2)"
            )
        })?;
    }
    let bytes = held_bytes(world, &id).await?;
    let expected = shown(&bytes, None)
        .ok_or_else(|| StepFailure::Failed(format!("« {title} » : CDA illisible")))?;
    Ok((title, expected, reply.result))
}

#[when(expr = "l'utilisateur lit depuis le dossier de {string} le document {string}")]
async fn read(world: &mut SegurWorld, alias: String, title: String) -> Result<(), StepFailure> {
    let id = document_id(world, &title)?;
    let retrievals = super::records::served(world, &id).await?;
    world.read_document = Some((title, retrievals));
    world
        .act_on(&alias, "document.show", json!({ "document": id }))
        .await?;
    Ok(())
}

/// The header's data the software shows against the document's.
fn check_header(title: &str, expected: &Shown, header: &Value) -> Vec<String> {
    let mut wrong = Vec::new();
    if header["title"].as_str().map(str::trim) != Some(expected.title.as_str()) {
        wrong.push(format!(
            "titre {} au lieu de {:?}",
            header["title"], expected.title
        ));
    }
    for (field, parts) in [("patient", &expected.patient), ("author", &expected.author)] {
        let shown: String = header[field]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_else(|| header[field].as_str().unwrap_or_default().to_string());
        let missing: Vec<&String> = parts
            .iter()
            .filter(|p| !words(&shown).is_superset(&words(p)))
            .collect();
        if !missing.is_empty() {
            wrong.push(format!("{field} : {missing:?} absent(s) de {shown:?}"));
        }
    }
    if !expected.date.is_empty() && header["date"].as_str() != Some(expected.date.as_str()) {
        wrong.push(format!(
            "date {} au lieu de {}",
            header["date"], expected.date
        ));
    }
    wrong
        .into_iter()
        .map(|w| format!("« {title} », en-tête : {w}"))
        .collect()
}

#[then("le logiciel montre l'en-tête et le corps du document")]
async fn then_body(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let (title, expected, result) = last_shown(world).await?;
    let mut wrong = check_header(&title, &expected, &result["header"]);
    let Some(media) = &expected.media_type else {
        return fail(format!(
            "« {title} » n'est pas un document de niveau 1 : la feature se trompe"
        ));
    };
    if result["body"]["media_type"].as_str() != Some(media.as_str()) {
        wrong.push(format!(
            "« {title} » : corps {} au lieu d'un {media}",
            result["body"]
        ));
    }
    world.judge("document.show");
    fail_if(!wrong.is_empty(), || wrong.join(" ; "))
}

#[then("le logiciel montre l'en-tête et la partie narrative de chaque section du document")]
async fn then_sections(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let (title, expected, result) = last_shown(world).await?;
    let mut wrong = check_header(&title, &expected, &result["header"]);
    fail_if(expected.sections.is_empty(), || {
        format!("« {title} » n'a pas de sections : la feature se trompe")
    })?;
    let sections = result["body"]["sections"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (section, text) in &expected.sections {
        let found = sections.iter().find(|s| {
            s["title"]
                .as_str()
                .is_some_and(|t| words(t) == words(section))
        });
        match found {
            None => wrong.push(format!("« {title} » : section « {section} » non montrée")),
            Some(s) => {
                let given = words(s["text"].as_str().unwrap_or_default());
                let missing: Vec<String> = words(text).difference(&given).cloned().collect();
                if !missing.is_empty() {
                    wrong.push(format!(
                        "« {title} », section « {section} » : {} mot(s) du texte non montrés ({:?}…)",
                        missing.len(),
                        missing.iter().take(5).collect::<Vec<_>>()
                    ));
                }
            }
        }
    }
    world.judge("document.show");
    fail_if(!wrong.is_empty(), || wrong.join(" ; "))
}

#[then(expr = "le logiciel applique la feuille de style du {word}")]
async fn then_stylesheet(world: &mut SegurWorld, whose: String) -> Result<(), StepFailure> {
    let (title, expected, result) = last_shown(world).await?;
    let wanted = match whose.as_str() {
        "producteur" => true,
        "consommateur" => false,
        other => {
            return fail(format!(
                "feuille de style du « {other} » : producteur ou consommateur"
            ));
        }
    };
    fail_if(expected.producer_stylesheet != wanted, || {
        format!(
            "« {title} » {} de feuille de style de son producteur : la feature se trompe",
            if expected.producer_stylesheet {
                "a"
            } else {
                "n'a pas"
            }
        )
    })?;
    world.judge("document.show");
    fail_if(result["stylesheet"] != whose.as_str(), || {
        format!(
            "« {title} » {} : le logiciel applique la feuille de style {}",
            if wanted {
                "apporte la feuille de style de son producteur, que le logiciel a dû conserver et appliquer"
            } else {
                "n'apporte pas de feuille de style : celle du logiciel s'applique"
            },
            result["stylesheet"]
        )
    })
}
