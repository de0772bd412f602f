//! The mentions a document carries, as the site set them (DOC/va1.03, va1.05: the patient
//! information notice at the foot of every document; DOC/va1.18: the automatic
//! validation of a biology examination; DOC/va1.29: the Cofrac accreditation, its `*`
//! key, and none of it when no examination is accredited). Judged on the document the
//! DMP received: the narrative of a level-3 document, the PDF of a level-1 one (where the
//! foot of the page is the lowest sixth).

use std::collections::BTreeSet;

use cucumber::{given, then};
use segur_documents::cda::presentation::{body_bytes, shown};
use serde_json::json;

use super::dmp::{document_id, held_bytes};
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The share of a page's height that makes its foot.
const FOOT: f64 = 1.0 / 6.0;

/// Lower-case words, accents folded (a PDF drawn in a standard font drops them).
fn folded_words(text: &str) -> BTreeSet<String> {
    let folded: String = text
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' | 'Ç' => 'c',
            c => c,
        })
        .collect();
    super::reading::words(&folded)
}

async fn setting(world: &mut SegurWorld, name: &str, text: &str) -> Result<(), StepFailure> {
    world
        .act_ok("settings.set", json!({ "name": name, "value": text }))
        .await?;
    Ok(())
}

#[given(expr = "la mention d'information du patient paramétrée dans le logiciel : {string}")]
async fn notice(world: &mut SegurWorld, text: String) -> Result<(), StepFailure> {
    setting(world, "gdpr_notice", &text).await?;
    world.patient_notice = Some(text);
    Ok(())
}

#[given(expr = "le texte de validation automatique paramétré dans le logiciel : {string}")]
async fn automatic(world: &mut SegurWorld, text: String) -> Result<(), StepFailure> {
    setting(world, "auto_validation_notice", &text).await
}

#[given(expr = "l'accréditation du laboratoire paramétrée dans le logiciel : {string}")]
async fn accreditation(world: &mut SegurWorld, text: String) -> Result<(), StepFailure> {
    setting(world, "accreditation", &text).await
}

/// What the document the DMP holds for `title` shows: all its words, and those of its
/// foot (the lowest part of its PDF's page; the last section of a structured body).
async fn document_words(
    world: &mut SegurWorld,
    title: &str,
) -> Result<(BTreeSet<String>, BTreeSet<String>), StepFailure> {
    let id = document_id(world, title)?;
    let bytes = held_bytes(world, &id).await?;
    let document = shown(&bytes, None)
        .ok_or_else(|| StepFailure::Failed(format!("« {title} » : CDA illisible")))?;
    if document.media_type.is_some() {
        let pdf = body_bytes(&bytes, None)
            .and_then(|b| segur_documents::pdf::read(&b))
            .ok_or_else(|| StepFailure::Failed(format!("« {title} » : corps PDF illisible")))?;
        return Ok((folded_words(&pdf.all()), folded_words(&pdf.foot(FOOT))));
    }
    let all: String = document
        .sections
        .iter()
        .map(|(t, n)| format!("{t} {n} "))
        .collect();
    let last = document
        .sections
        .last()
        .map(|(t, n)| format!("{t} {n}"))
        .unwrap_or_default();
    Ok((folded_words(&all), folded_words(&last)))
}

#[then(
    expr = "le document reçu par le DMP pour {string} porte en bas de page la mention d'information du patient"
)]
async fn then_notice(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let Some(notice) = world.patient_notice.clone() else {
        return fail("aucune mention d'information du patient paramétrée dans ce scénario");
    };
    let (all, foot) = document_words(world, &title).await?;
    let wanted = folded_words(&notice);
    fail_if(!wanted.is_subset(&all), || {
        format!("« {title} » ne porte pas la mention d'information du patient paramétrée")
    })?;
    fail_if(!wanted.is_subset(&foot), || {
        format!("« {title} » porte la mention d'information du patient ailleurs qu'en bas de page")
    })
}

#[then(expr = "le document reçu par le DMP pour {string} porte la mention {string}")]
async fn then_mention(
    world: &mut SegurWorld,
    title: String,
    text: String,
) -> Result<(), StepFailure> {
    let (all, _) = document_words(world, &title).await?;
    fail_if(!folded_words(&text).is_subset(&all), || {
        format!("« {title} » ne porte pas la mention « {text} »")
    })
}

#[then(expr = "le document reçu par le DMP pour {string} ne porte pas la mention {string}")]
async fn then_no_mention(
    world: &mut SegurWorld,
    title: String,
    text: String,
) -> Result<(), StepFailure> {
    let (all, _) = document_words(world, &title).await?;
    fail_if(folded_words(&text).is_subset(&all), || {
        format!("« {title} » porte la mention « {text} », qui n'a pas lieu d'être")
    })
}

#[then(
    expr = "le document reçu par le DMP pour {string} marque d'un astérisque les seuls examens {string}"
)]
async fn then_marked(
    world: &mut SegurWorld,
    title: String,
    codes: String,
) -> Result<(), StepFailure> {
    let id = document_id(world, &title)?;
    let bytes = held_bytes(world, &id).await?;
    let text = String::from_utf8_lossy(&bytes);
    let root = segur_core::xml::parse(&text, &segur_documents::cda::limits())
        .map_err(|e| StepFailure::Failed(format!("« {title} » : {e}")))?;
    let document = segur_documents::cda::clinical_document(&root)
        .ok_or_else(|| StepFailure::Failed(format!("« {title} » : pas de ClinicalDocument")))?;
    // Each coded result's label (its code's displayName), and the narrative's rows.
    let mut labels = Vec::new();
    for e in document.descendants() {
        if e.is(segur_documents::cda::HL7, "observation")
            && let Some(code) = e.child(segur_documents::cda::HL7, "code")
            && let (Some(c), Some(label)) = (code.attr("code"), code.attr("displayName"))
        {
            labels.push((c.to_string(), label.to_string()));
        }
    }
    let rows: Vec<String> = document
        .descendants()
        .into_iter()
        .filter(|e| e.is(segur_documents::cda::HL7, "td"))
        .map(segur_documents::cda::presentation::all_text)
        .collect();
    let accredited: Vec<&str> = codes.split(", ").collect();
    let mut wrong = Vec::new();
    for (code, label) in &labels {
        let Some(row) = rows.iter().find(|r| r.contains(label.as_str())) else {
            continue;
        };
        let marked = row.trim_start().starts_with('*') || row.trim_end().ends_with('*');
        let should = accredited.contains(&code.as_str());
        if marked != should {
            wrong.push(format!(
                "{label} ({code}) {}",
                if should {
                    "non marqué"
                } else {
                    "marqué à tort"
                }
            ));
        }
    }
    fail_if(labels.is_empty(), || {
        format!("« {title} » n'a aucun résultat codé")
    })?;
    fail_if(!wrong.is_empty(), || {
        format!("« {title} » : {}", wrong.join(", "))
    })
}
