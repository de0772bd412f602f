//! The CDA documents the software produces, checked by the bench's document rules (the
//! CI-SIS header, level 1 with its PDF, the VSM) and for the INS rule: the INS is written
//! only for a qualified identity.

use base64::Engine as _;
use cucumber::{then, when};
use serde_json::json;

use crate::driver::Status;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

#[when(expr = "l'utilisateur produit un compte rendu {string} pour {string}")]
async fn produce_report(
    world: &mut SegurWorld,
    title: String,
    alias: String,
) -> Result<(), StepFailure> {
    world
        .act_on(
            &alias,
            "document.produce",
            json!({ "kind": "cr", "title": title }),
        )
        .await?;
    Ok(())
}

#[when(expr = "l'utilisateur produit le volet de synthèse médicale de {string}")]
async fn produce_vsm(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    world
        .act_on(
            &alias,
            "document.produce",
            json!({ "kind": "vsm", "title": "Volet de synthèse médicale" }),
        )
        .await?;
    Ok(())
}

/// The bytes of the document the last reply carries.
fn produced(world: &SegurWorld) -> Result<Vec<u8>, StepFailure> {
    let reply = world.last()?;
    if reply.status != Status::Ok {
        return fail(format!(
            "aucun document produit : {:?} {}",
            reply.status,
            reply.message.clone().unwrap_or_default()
        ));
    }
    let text = reply.result["cda"].as_str().unwrap_or_default();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| StepFailure::Failed(format!("document produit illisible (base64) : {e}")))
}

#[then(expr = "le document produit est un CDA de niveau {int} sans erreur")]
async fn then_valid(world: &mut SegurWorld, level: u8) -> Result<(), StepFailure> {
    let bytes = produced(world)?;
    let report = segur_documents::cda::check(&bytes, None);
    let errors = super::errors(&report.findings);
    if !errors.is_empty() {
        return fail(format!(
            "le CDA produit a {} erreur(s) : {errors:?}",
            errors.len()
        ));
    }
    let structured = report
        .facts
        .as_ref()
        .is_some_and(|f| f.level == segur_documents::cda::Level::Structured);
    fail_if(structured != (level == 3), || {
        format!(
            "un CDA de niveau {level} attendu, le document est {:?}",
            report.facts.map(|f| f.level)
        )
    })
}

#[then(expr = "le document produit porte l'INS de {string}")]
async fn then_ins(world: &mut SegurWorld, patient: String) -> Result<(), StepFailure> {
    let bytes = produced(world)?;
    let facts = segur_documents::cda::read_facts(&bytes, None);
    let ins = world.control()?.patient(&patient).await?["ins"].clone();
    let expected = super::ins_number(&ins);
    let got = facts.and_then(|f| f.ins).and_then(|i| i.extension);
    fail_if(got.as_deref() != Some(expected.as_str()), || {
        format!("INS {expected} attendu dans le CDA, trouvé {got:?}")
    })
}

#[then("le document produit ne porte pas d'INS")]
async fn then_no_ins(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let bytes = produced(world)?;
    let facts = segur_documents::cda::read_facts(&bytes, None);
    let ins = facts.and_then(|f| f.ins);
    fail_if(ins.is_some(), || {
        format!("aucun INS attendu pour une identité non qualifiée, le CDA porte {ins:?}")
    })
}
