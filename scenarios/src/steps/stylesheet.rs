//! The stylesheet a software sends with the structured documents it produces (CDA/INT.16):
//! the document travels self-presentable (the stylesheet holds it), holds a section the
//! volet does not plan, and the stylesheet shows the narrative of every section, the added
//! one too. The bench judges what the DMP received: the form, the section, and what the
//! stylesheet renders, run by an XSLT processor of its own choosing (`xsltproc`).

use std::collections::BTreeSet;
use std::time::Duration;

use cucumber::{then, when};
use segur_documents::cda::presentation::{collapse, shown};
use serde_json::json;

use super::dmp::{document_id, held_bytes};
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// How long the XSLT processor may take on one document.
const XSLT_TIMEOUT: Duration = Duration::from_secs(20);

#[when(
    expr = "l'utilisateur envoie au DMP de {string} le volet de synthèse médicale auto-présentable {string} avec la section ajoutée {string} : {string}"
)]
async fn feed(
    world: &mut SegurWorld,
    alias: String,
    title: String,
    section: String,
    text: String,
) -> Result<(), StepFailure> {
    let extra = json!({
        "kind": "vsm",
        "self_presentable": true,
        "added_section": { "title": section, "text": text },
    });
    super::dmp::feed(world, &alias, &title, extra).await?;
    world.added_section = Some((section, text));
    Ok(())
}

#[then(
    expr = "le document reçu par le DMP pour {string} est auto-présentable et porte la section ajoutée"
)]
async fn then_added(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let (section, text) = world
        .added_section
        .clone()
        .ok_or_else(|| StepFailure::Failed("aucune section ajoutée dans ce scénario".into()))?;
    let (id, bytes) = self_presentable(world, &title).await?;
    let entry = super::dmp::current_entry(world, &id).await?;
    let mime = entry["mime_type"].as_str().unwrap_or_default();
    fail_if(mime != segur_documents::cda::SELF_PRESENTABLE_MIME, || {
        format!(
            "« {title} » est auto-présentable ; ses métadonnées le déclarent {mime:?} au lieu de {:?}",
            segur_documents::cda::SELF_PRESENTABLE_MIME
        )
    })?;
    let report = segur_documents::cda::check(&bytes, None);
    let errors = super::errors(&report.findings);
    fail_if(!errors.is_empty(), || {
        format!("« {title} » : {}", errors.join(" ; "))
    })?;
    let expected = shown(&bytes, None).unwrap_or_default();
    let found = expected
        .sections
        .iter()
        .any(|(t, n)| *t == collapse(&section) && n.contains(collapse(&text).as_str()));
    fail_if(!found, || {
        let titles: Vec<&String> = expected.sections.iter().map(|(t, _)| t).collect();
        format!(
            "« {title} » n'a pas la section ajoutée « {section} » avec son texte ; ses sections : {titles:?}"
        )
    })
}

/// The uniqueId and the bytes the DMP holds for `title`, which must be self-presentable.
async fn self_presentable(
    world: &mut SegurWorld,
    title: &str,
) -> Result<(String, Vec<u8>), StepFailure> {
    let id = document_id(world, title)?;
    let bytes = held_bytes(world, &id).await?;
    fail_if(
        !segur_documents::cda::is_self_presentable(&bytes, None),
        || {
            format!(
                "« {title} » reçu par le DMP n'est pas auto-présentable : aucune feuille de style ne le contient"
            )
        },
    )?;
    Ok((id, bytes))
}

#[then(expr = "le document reçu par le DMP pour {string} est auto-présentable")]
async fn then_self_presentable(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    self_presentable(world, &title).await.map(|_| ())
}

#[then(
    expr = "les unités des résultats du document reçu par le DMP pour {string} sont écrites en UCUM"
)]
async fn then_ucum(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    use segur_documents::cda::HL7;
    let id = document_id(world, &title)?;
    let bytes = held_bytes(world, &id).await?;
    let text = String::from_utf8_lossy(&bytes);
    let root = segur_core::xml::parse(&text, &segur_documents::cda::limits())
        .map_err(|e| StepFailure::Failed(format!("« {title} » : {e}")))?;
    let units: Vec<String> = root
        .descendants()
        .into_iter()
        .filter(|e| e.is(HL7, "value"))
        .filter_map(|e| e.attr("unit").map(str::to_string))
        .collect();
    fail_if(units.is_empty(), || {
        format!("« {title} » n'a aucun résultat avec une unité")
    })?;
    let wrong: Vec<String> = units
        .iter()
        .filter_map(|u| {
            segur_documents::ucum::check(u)
                .err()
                .map(|why| format!("{u:?} : {why}"))
        })
        .collect();
    fail_if(!wrong.is_empty(), || {
        format!("« {title} » : unités hors UCUM — {}", wrong.join(" ; "))
    })
}

/// The visible words of an HTML page, tags dropped, lower-cased.
fn page_words(html: &str) -> BTreeSet<String> {
    super::reading::words(&segur_documents::cda::presentation::html_text(html))
}

#[then(
    expr = "la feuille de style du document reçu par le DMP pour {string} montre la partie narrative de chaque section"
)]
async fn then_rendered(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let id = document_id(world, &title)?;
    let bytes = held_bytes(world, &id).await?;
    let expected = shown(&bytes, None)
        .ok_or_else(|| StepFailure::Failed(format!("« {title} » : CDA illisible")))?;
    let dir = tempfile::tempdir().map_err(|e| StepFailure::Failed(e.to_string()))?;
    let file = dir.path().join("document.xml");
    std::fs::write(&file, &bytes).map_err(|e| StepFailure::Failed(e.to_string()))?;
    // The stylesheet reads itself (document('')): the processor gets the file twice.
    let run = tokio::process::Command::new("xsltproc")
        .arg("--nonet")
        .arg(&file)
        .arg(&file)
        .kill_on_drop(true)
        .output();
    let output = match tokio::time::timeout(XSLT_TIMEOUT, run).await {
        Err(_) => {
            return fail(format!(
                "xsltproc n'a pas fini en {} s",
                XSLT_TIMEOUT.as_secs()
            ));
        }
        Ok(Err(e)) => {
            return Err(StepFailure::Unsupported(format!(
                "le banc rend la feuille de style avec xsltproc (paquet Debian xsltproc), introuvable ici : {e}"
            )));
        }
        Ok(Ok(o)) => o,
    };
    fail_if(!output.status.success(), || {
        format!(
            "la feuille de style de « {title} » ne s'applique pas : {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )
    })?;
    let page = page_words(&String::from_utf8_lossy(&output.stdout));
    let mut missing = Vec::new();
    for (section, text) in &expected.sections {
        if !super::reading::words(&format!("{section} {text}")).is_subset(&page) {
            missing.push(section.clone());
        }
    }
    fail_if(!missing.is_empty(), || {
        format!(
            "la feuille de style de « {title} » ne montre pas la partie narrative des sections {missing:?}"
        )
    })
}
