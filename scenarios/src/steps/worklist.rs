//! What the software does with the documents and messages it receives by MSSanté: who
//! a message comes from (a patient from Mon espace santé, MSS/UX.25, UX.31), the subject
//! without its `XDM/1.0/DDM+` prefix (MSS/UX.28), the documents filed into the record
//! with their CDA metadata (MSS/va1.28), on their own for a strict INS match (MSS/UX.07,
//! UX.40), the worklist of the others (MSS/UX.09, va1.25) and the counts by type
//! (MSS/UX.16). The bench knows what it dropped into the mailbox; the steps confront
//! what the software shows with it.

use base64::Engine as _;
use cucumber::{given, then, when};
use segur_documents::cda::CdaFacts;
use serde_json::{Value, json};

use super::mss::{
    ANS_CDA, drop_into_structure, mailbox_opened, patient_mailbox, professional_mailbox, shown,
};
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// ANS example IHE_XDM archives (ansforge/interop-exemples-xdm), by name: the subject
/// each is sent under (as the software shows it), its CDA code and the archive. Their
/// patient is the ANS's PAT-TROIS DOMINIQUE, as in the level-1 example.
const ANS_EXAMPLES: &[(&str, &str, &str, &[u8])] = &[
    (
        "IMG_CR_IMG_2024.01",
        "Compte rendu d'imagerie d'exemple",
        "18748-4",
        include_bytes!("../../../fixtures/xdm/IMG_CR_IMG_2024.01/IHE_XDM.ZIP"),
    ),
    (
        "VSM_1.4_2022.01",
        "Synthèse médicale d'exemple",
        "SYNTH",
        include_bytes!("../../../fixtures/xdm/VSM_1.4_2022.01/IHE_XDM.ZIP"),
    ),
];

/// What the ANS level-1 example's header says.
fn ans_facts() -> Result<CdaFacts, StepFailure> {
    segur_documents::cda::read_facts(ANS_CDA.as_bytes(), None)
        .ok_or_else(|| StepFailure::Failed("l'exemple CDA de l'ANS est illisible".into()))
}

/// `YYYYMMDDHHMMSS` of an `effectiveTime`.
fn record_time(effective: &str) -> String {
    effective
        .chars()
        .take_while(char::is_ascii_digit)
        .take(14)
        .collect()
}

#[given("l'intégration automatique des documents reçus par messagerie activée dans le logiciel")]
async fn auto_integration(world: &mut SegurWorld) -> Result<(), StepFailure> {
    world
        .act_ok(
            "settings.set",
            json!({ "name": "mss_auto_integration", "value": true }),
        )
        .await?;
    Ok(())
}

#[given(
    regex = r#"^la boîte de la structure reçoit de "([^"]*)" l'exemple IHE_XDM "([^"]*)" de l'ANS$"#
)]
async fn receive_example(
    world: &mut SegurWorld,
    sender: String,
    name: String,
) -> Result<(), StepFailure> {
    let Some((_, subject, code, zip)) = ANS_EXAMPLES.iter().find(|(n, ..)| *n == name) else {
        return fail(format!(
            "exemple {name:?} inconnu : {}",
            ANS_EXAMPLES
                .iter()
                .map(|e| e.0)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    let from = professional_mailbox(world, &sender).await?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let message = json!({
        "from": from,
        "subject": format!("XDM/1.0/DDM+{subject}"),
        "text": "Veuillez trouver ci-joint le document.",
        "headers": { "X-MSS-CODECDA": code, "X-MSS-INS": "O", "X-MSS-NIL": "ANS-EXEMPLE" },
        "attachments": [
            { "name": "IHE_XDM.ZIP", "content_type": "application/zip", "base64": b64.encode(zip) },
        ],
    });
    drop_into_structure(world, message, subject).await
}

/// `zip` with `from` replaced by `to` in its CDA (`IHE_XDM/SUBSET01/DOC0001.XML`), the
/// `hash` and `size` slots of `METADATA.XML` written again so the archive stays intact:
/// the sender wrote another value, not an altered file.
fn rewritten(zip: &[u8], from: &str, to: &str) -> Result<Vec<u8>, StepFailure> {
    use std::io::{Read, Write};
    let broken =
        |e: &dyn std::fmt::Display| StepFailure::Failed(format!("archive d'exemple : {e}"));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(|e| broken(&e))?;
    let mut files: Vec<(String, bool, Vec<u8>)> = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| broken(&e))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| broken(&e))?;
        let name = file.name().map_err(|e| broken(&e))?.to_string();
        files.push((name, file.is_dir(), bytes));
    }
    let sha1 = |b: &[u8]| {
        hex::encode_upper(ring::digest::digest(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            b,
        ))
    };
    let cda = files
        .iter_mut()
        .find(|(n, ..)| n.ends_with("DOC0001.XML"))
        .ok_or_else(|| StepFailure::Failed("pas de DOC0001.XML dans l'archive".into()))?;
    let (old_hash, old_size) = (sha1(&cda.2), cda.2.len());
    let text = String::from_utf8_lossy(&cda.2).to_string();
    if !text.contains(from) {
        return fail(format!("le CDA de l'exemple ne contient pas {from:?}"));
    }
    cda.2 = text.replacen(from, to, 1).into_bytes();
    let (new_hash, new_size) = (sha1(&cda.2), cda.2.len());
    let metadata = files
        .iter_mut()
        .find(|(n, ..)| n.ends_with("METADATA.XML"))
        .ok_or_else(|| StepFailure::Failed("pas de METADATA.XML dans l'archive".into()))?;
    metadata.2 = String::from_utf8_lossy(&metadata.2)
        .replace(&old_hash, &new_hash)
        .replace(&old_hash.to_ascii_lowercase(), &new_hash)
        .replace(&format!(">{old_size}<"), &format!(">{new_size}<"))
        .into_bytes();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, dir, bytes) in files {
        if dir {
            out.add_directory(name, options).map_err(|e| broken(&e))?;
        } else {
            out.start_file(name, options).map_err(|e| broken(&e))?;
            out.write_all(&bytes).map_err(|e| broken(&e))?;
        }
    }
    Ok(out.finish().map_err(|e| broken(&e))?.into_inner())
}

#[given(
    regex = r#"^la boîte de la structure reçoit de "([^"]*)" un compte rendu d'exemple de l'ANS dont le CDA donne le premier prénom de naissance "([^"]*)"$"#
)]
async fn receive_other_traits(
    world: &mut SegurWorld,
    sender: String,
    first_name: String,
) -> Result<(), StepFailure> {
    let from = professional_mailbox(world, &sender).await?;
    let zip = rewritten(
        super::mss::ANS_XDM,
        "<given qualifier=\"BR\">DOMINIQUE</given>",
        &format!("<given qualifier=\"BR\">{first_name}</given>"),
    )?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let message = json!({
        "from": from,
        "subject": format!("XDM/1.0/DDM+{}", super::mss::ANS_SUBJECT),
        "text": "Veuillez trouver ci-joint le compte rendu.",
        "headers": { "X-MSS-CODECDA": "11502-2", "X-MSS-INS": "O", "X-MSS-NIL": "ANS-EXEMPLE" },
        "attachments": [
            { "name": "IHE_XDM.ZIP", "content_type": "application/zip", "base64": b64.encode(zip) },
        ],
    });
    drop_into_structure(world, message, super::mss::ANS_SUBJECT).await
}

#[then(regex = r#"^le document "([^"]*)" attend dans la liste de travail$"#)]
async fn waits_in_worklist(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let reply = world.last()?;
    let found = reply.result["documents"]
        .as_array()
        .is_some_and(|d| d.iter().any(|d| d["title"] == title.as_str()));
    fail_if(!found, || {
        format!(
            "« {title} » attendu dans la liste de travail : {}",
            reply.result
        )
    })
}

#[given(
    regex = r#"^la boîte de la structure reçoit du patient "([^"]*)" le message "([^"]*)" depuis Mon espace santé$"#
)]
async fn receive_from_patient(
    world: &mut SegurWorld,
    alias: String,
    subject: String,
) -> Result<(), StepFailure> {
    let from = patient_mailbox(world, &alias).await?;
    let message = json!({
        "from": from,
        "subject": subject,
        "text": "Bonjour docteur, dois-je poursuivre le traitement ?",
        "headers": { "X-MSS-NIL": "MON-ESPACE-SANTE" },
    });
    drop_into_structure(world, message, &subject).await
}

#[then(
    regex = r#"^le logiciel affiche le message "([^"]*)" comme venant du patient "([^"]*)", avec son nom de naissance, son premier prénom et son matricule INS$"#
)]
async fn shown_from_patient(
    world: &mut SegurWorld,
    subject: String,
    alias: String,
) -> Result<(), StepFailure> {
    mailbox_opened(world).await?;
    let patient = world.world_patients.get(&alias).cloned().ok_or_else(|| {
        StepFailure::Failed(format!(
            "{alias:?} n'a pas été créée d'après un patient du monde"
        ))
    })?;
    let p = world.control()?.patient(&patient).await?;
    let expected = json!({
        "birth_name": p["traits"]["birth_name"],
        "first_name": p["traits"]["first_names"][0],
        "ins": format!(
            "{}{}",
            p["ins"]["matricule"].as_str().unwrap_or_default(),
            p["ins"]["key"].as_str().unwrap_or_default()
        ),
    });
    let sender = shown(world, &subject)?["sender"].clone();
    let ok = sender["kind"] == "patient"
        && ["birth_name", "first_name", "ins"].iter().all(|k| {
            sender[*k].as_str().map(str::to_ascii_uppercase)
                == expected[*k].as_str().map(str::to_ascii_uppercase)
        });
    fail_if(!ok, || {
        format!(
            "message d'un patient de Mon espace santé, montré avec {expected} attendu ; le logiciel montre l'expéditeur {sender}"
        )
    })
}

#[then(regex = r#"^le logiciel affiche le message "([^"]*)" comme venant d'un professionnel$"#)]
async fn shown_from_professional(
    world: &mut SegurWorld,
    subject: String,
) -> Result<(), StepFailure> {
    mailbox_opened(world).await?;
    let sender = shown(world, &subject)?["sender"].clone();
    fail_if(sender["kind"] != "professional", || {
        format!("message d'un professionnel attendu ; le logiciel montre l'expéditeur {sender}")
    })
}

#[then(
    regex = r#"^le logiciel montre l'objet du message "([^"]*)" sans le préfixe XDM/1.0/DDM\+$"#
)]
async fn prefix_hidden(world: &mut SegurWorld, subject: String) -> Result<(), StepFailure> {
    mailbox_opened(world).await?;
    let reply = world.last()?;
    let prefixed: Vec<&str> = reply.result["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["subject"].as_str())
        .filter(|s| s.starts_with("XDM/1.0/DDM+"))
        .collect();
    fail_if(!prefixed.is_empty(), || {
        format!("objets montrés avec le préfixe XDM/1.0/DDM+ : {prefixed:?}")
    })?;
    shown(world, &subject).map(|_| ())
}

#[when("l'utilisateur affiche la liste de travail des documents reçus")]
async fn show_worklist(world: &mut SegurWorld) -> Result<(), StepFailure> {
    world.act_ok("mss.worklist", json!({})).await?;
    Ok(())
}

#[then(
    regex = r#"^la liste de travail montre le document "([^"]*)" avec le titre, la date, le patient, les auteurs, la version et les actes de son en-tête CDA$"#
)]
async fn worklist_metadata(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let facts = ans_facts()?;
    let reply = world.last()?;
    let item = reply.result["documents"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["title"] == title.as_str()))
        .ok_or_else(|| {
            StepFailure::Failed(format!(
                "« {title} » absent de la liste de travail : {}",
                reply.result
            ))
        })?;
    let mut problems = Vec::new();
    let mut expect = |what: &str, got: &Value, want: Option<&str>| {
        if got.as_str() != want {
            problems.push(format!("{what} : {want:?} attendu, {got} montré"));
        }
    };
    expect("date", &item["created"], facts.effective_time.as_deref());
    expect("version", &item["version"], facts.version.as_deref());
    expect(
        "INS du patient",
        &item["patient"]["ins"],
        facts.ins.as_ref().and_then(|i| i.extension.as_deref()),
    );
    for field in ["birth_name", "first_name", "birth_date", "sex"] {
        if item["patient"][field].as_str().is_none_or(str::is_empty) {
            problems.push(format!("patient : {field} manque"));
        }
    }
    let authors = item["authors"].as_array().map_or(0, Vec::len);
    if authors != facts.authors.len() {
        problems.push(format!(
            "auteurs : {} dans l'en-tête, {authors} montrés",
            facts.authors.len()
        ));
    }
    if item["acts"].as_array().is_none_or(Vec::is_empty) {
        problems.push("acte rapporté (documentationOf) manquant".into());
    }
    fail_if(!problems.is_empty(), || {
        format!(
            "« {title} » dans la liste de travail : {}",
            problems.join(" ; ")
        )
    })
}

#[then("la liste de travail des documents reçus est vide")]
async fn worklist_empty(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let reply = world.last()?;
    let left = reply.result["documents"].as_array().map_or(0, Vec::len);
    fail_if(left != 0, || {
        format!("liste de travail vide attendue : {}", reply.result)
    })
}

#[then(
    regex = r#"^le dossier de "([^"]*)" contient le document "([^"]*)" reçu par messagerie, avec le type et la date de son en-tête CDA$"#
)]
async fn filed_with_metadata(
    world: &mut SegurWorld,
    alias: String,
    title: String,
) -> Result<(), StepFailure> {
    mailbox_opened(world).await?;
    let facts = ans_facts()?;
    let patient = world.identity(&alias)?;
    let listed = world
        .act_ok("documents.list", json!({ "patient": patient }))
        .await?;
    let entry = listed["documents"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["title"] == title.as_str()))
        .cloned()
        .ok_or_else(|| {
            StepFailure::Failed(format!(
                "« {title} » absent du dossier de {alias} : {listed}"
            ))
        })?;
    let code = facts
        .code
        .as_ref()
        .map(|c| c.code.clone())
        .unwrap_or_default();
    let created = record_time(facts.effective_time.as_deref().unwrap_or_default());
    fail_if(
        entry["type_code"] != code.as_str() || entry["created"] != created.as_str(),
        || {
            format!(
                "« {title} » classé avec le type {code} et la date {created} de son en-tête CDA attendu ; le dossier montre {entry}"
            )
        },
    )
}

#[when(expr = "l'utilisateur affiche les documents intégrés automatiquement depuis {int} jours")]
async fn show_auto_integrated(world: &mut SegurWorld, days: u32) -> Result<(), StepFailure> {
    world
        .act_ok("mss.auto_integrated", json!({ "days": days }))
        .await?;
    Ok(())
}

#[then(
    regex = r#"^la liste des documents intégrés automatiquement montre "([^"]*)" pour "([^"]*)"$"#
)]
async fn auto_listed(
    world: &mut SegurWorld,
    title: String,
    alias: String,
) -> Result<(), StepFailure> {
    let patient = world.identity(&alias)?;
    let reply = world.last()?;
    let found = reply.result["documents"].as_array().is_some_and(|d| {
        d.iter()
            .any(|d| d["title"] == title.as_str() && d["patient"] == patient.as_str())
    });
    fail_if(!found, || {
        format!(
            "« {title} » de {alias} parmi les documents intégrés automatiquement attendu : {}",
            reply.result
        )
    })
}

#[then("la liste des documents intégrés automatiquement est vide")]
async fn auto_empty(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let reply = world.last()?;
    fail_if(
        reply.result["documents"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        || {
            format!(
                "aucun document intégré automatiquement sur la période attendu : {}",
                reply.result
            )
        },
    )
}

#[when(expr = "le temps avance de {int} jours")]
async fn days_pass(world: &mut SegurWorld, days: i64) -> Result<(), StepFailure> {
    super::setup::advance(world, days * 86_400).await
}

#[when(
    expr = "l'utilisateur affiche les statistiques d'intégration des documents reçus sur {int} jours"
)]
async fn show_stats(world: &mut SegurWorld, days: u32) -> Result<(), StepFailure> {
    world
        .act_ok("mss.integration_stats", json!({ "days": days }))
        .await?;
    Ok(())
}

#[then(
    regex = r#"^les statistiques comptent pour le type "([^"]*)" (\d+) documents? intégrés? automatiquement, (\d+) manuellement et (\d+) non intégrés?$"#
)]
async fn stats_count(
    world: &mut SegurWorld,
    code: String,
    automatic: u64,
    manual: u64,
    pending: u64,
) -> Result<(), StepFailure> {
    let reply = world.last()?;
    let row = reply.result["by_type"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["type_code"] == code.as_str()))
        .cloned()
        .unwrap_or_else(|| json!({ "automatic": 0, "manual": 0, "not_integrated": 0 }));
    let got = (
        row["automatic"].as_u64().unwrap_or(0),
        row["manual"].as_u64().unwrap_or(0),
        row["not_integrated"].as_u64().unwrap_or(0),
    );
    if got == (automatic, manual, pending) {
        return Ok(());
    }
    fail(format!(
        "type {code} : {automatic} automatique(s), {manual} manuel(s), {pending} non intégré(s) attendus ; le logiciel compte {} / {} / {}",
        got.0, got.1, got.2
    ))
}
