//! The reports a technical platform validates (imaging in a RIS, biology in an SGL) and
//! what reaches the DMP: fed at validation unless the user blocks it, in its volet and
//! level, naming the recipients and the prescriber's MSSanté address, a partial biology
//! report replaced by the complete one. Every check reads the document the DMP received
//! (the ITI-41 the software sent), never the copy the driver hands back.

use cucumber::{then, when};
use serde_json::{Value, json};

use super::dmp::{document_id, held_bytes, visibility_code};
use crate::driver::Status;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The driver's form of a world professional named in a request: national id, name and
/// MSSanté address, as the software knows them from the order it received.
pub(super) async fn party(world: &SegurWorld, id: &str) -> Result<Value, StepFailure> {
    let p = world.control()?.professional(id).await?;
    Ok(json!({
        "national_id": p["national_id"],
        "family_name": p["family_name"],
        "given_name": p["given_name"],
        "mssante": p["mssante"],
    }))
}

#[when(
    regex = r#"^l'utilisateur valide le compte rendu (d'imagerie|de biologie)( partiel)? "([^"]*)" de "([^"]*)"(.*)$"#
)]
async fn validate(
    world: &mut SegurWorld,
    kind: String,
    partial: String,
    title: String,
    alias: String,
    tail: String,
) -> Result<(), StepFailure> {
    let mut params = json!({
        "kind": if kind == "d'imagerie" { "cr-img" } else { "cr-bio" },
        "title": title,
        "partial": !partial.is_empty(),
    });
    let mut tail = tail.trim();
    if let Some(rest) = tail.strip_prefix("au format CDA R2 N1") {
        params["kind"] = json!("cr-bio-n1");
        tail = rest.trim();
    }
    // What the laboratory's mentions depend on (DOC/va1.18, DOC/va1.29).
    if let Some(rest) = tail.strip_prefix("avec un examen validé automatiquement") {
        params["auto_validated"] = json!(true);
        tail = rest.trim();
    }
    if let Some(rest) = tail.strip_prefix("dont les examens \"") {
        let (codes, rest) = rest
            .split_once('"')
            .ok_or_else(|| StepFailure::Failed(format!("examens mal écrits : {tail}")))?;
        let rest = rest
            .trim()
            .strip_prefix("sont couverts par l'accréditation")
            .ok_or_else(|| {
                StepFailure::Failed(format!(
                    "écrire « dont les examens \"…\" sont couverts par l'accréditation » : {tail}"
                ))
            })?;
        params["accredited"] = json!(codes.split(", ").collect::<Vec<_>>());
        tail = rest.trim();
    }
    if let Some(rest) = tail.strip_prefix("auto-présentable") {
        params["self_presentable"] = json!(true);
        tail = rest.trim();
    }
    if tail == "en bloquant l'alimentation du DMP" {
        params["block_dmp"] = json!(true);
    } else if let Some(rest) = tail.strip_prefix("demandé par \"") {
        let (referrer, rest) = rest
            .split_once('"')
            .ok_or_else(|| StepFailure::Failed(format!("demandeur mal écrit : {tail}")))?;
        params["referrer"] = party(world, referrer).await?;
        if let Some(to) = rest.trim().strip_prefix("et adressé à \"") {
            let to = to.trim_end_matches('"');
            let mut recipients = Vec::new();
            for id in to.split(", ") {
                recipients.push(party(world, id).await?);
            }
            params["recipients"] = json!(recipients);
        }
    } else if !tail.is_empty() {
        let codes: Vec<&str> = tail
            .split(" et ")
            .map(visibility_code)
            .collect::<Result<_, _>>()?;
        params["visibility"] = json!(codes);
    }
    let reply = world.act_on(&alias, "report.validate", params).await?;
    if reply.status == Status::Ok
        && let Some(id) = reply.result["unique_id"].as_str()
    {
        world.documents.insert(title, id.to_string());
    }
    Ok(())
}

#[when(
    expr = "l'utilisateur complète le compte rendu de biologie {string} de {string} par la version {string}"
)]
async fn complete(
    world: &mut SegurWorld,
    old: String,
    alias: String,
    title: String,
) -> Result<(), StepFailure> {
    let document = document_id(world, &old)?;
    let result = world
        .act_ok_on(
            &alias,
            "report.complete",
            json!({ "document": document, "title": title }),
        )
        .await?;
    if let Some(id) = result["unique_id"].as_str() {
        world.documents.insert(title, id.to_string());
    }
    Ok(())
}

/// The bytes the DMP holds for the current version of the document titled `title`.
async fn received(world: &mut SegurWorld, title: &str) -> Result<Vec<u8>, StepFailure> {
    let id = document_id(world, title)?;
    held_bytes(world, &id).await
}

#[then(
    expr = "le document reçu par le DMP pour {string} est un CDA de niveau {int} de type {string} sans erreur"
)]
async fn then_received_valid(
    world: &mut SegurWorld,
    title: String,
    level: u8,
    type_code: String,
) -> Result<(), StepFailure> {
    let bytes = received(world, &title).await?;
    let report = segur_documents::cda::check(&bytes, None);
    let errors = super::errors(&report.findings);
    if !errors.is_empty() {
        return fail(format!(
            "le CDA « {title} » reçu par le DMP a {} erreur(s) : {errors:?}",
            errors.len()
        ));
    }
    let facts = report
        .facts
        .unwrap_or_else(|| unreachable!("a passing report has facts"));
    let structured = facts.level == segur_documents::cda::Level::Structured;
    fail_if(structured != (level == 3), || {
        format!(
            "« {title} » : un CDA de niveau {level} attendu, le DMP a reçu {:?}",
            facts.level
        )
    })?;
    let code = facts.code.map(|c| c.code);
    fail_if(code.as_deref() != Some(type_code.as_str()), || {
        format!("« {title} » : type {type_code} attendu, le CDA reçu porte {code:?}")
    })
}

#[then(expr = "le document reçu par le DMP pour {string} nomme les destinataires {string}")]
async fn then_recipients(
    world: &mut SegurWorld,
    title: String,
    expected: String,
) -> Result<(), StepFailure> {
    let bytes = received(world, &title).await?;
    let facts = segur_documents::cda::read_facts(&bytes, None)
        .ok_or_else(|| StepFailure::Failed(format!("« {title} » reçu illisible")))?;
    let named: Vec<String> = facts
        .recipients
        .iter()
        .filter_map(|r| r.id.clone())
        .collect();
    for id in expected.split(", ") {
        let national = world.control()?.professional(id).await?["national_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        fail_if(!named.contains(&national), || {
            format!(
                "« {title} » devait nommer {id} ({national}) parmi ses destinataires (informationRecipient) ; il nomme {named:?}"
            )
        })?;
    }
    Ok(())
}

#[then(
    expr = "le document reçu par le DMP pour {string} porte l'adresse MSSanté de son demandeur {string}"
)]
async fn then_referrer_mailbox(
    world: &mut SegurWorld,
    title: String,
    professional: String,
) -> Result<(), StepFailure> {
    let bytes = received(world, &title).await?;
    let facts = segur_documents::cda::read_facts(&bytes, None)
        .ok_or_else(|| StepFailure::Failed(format!("« {title} » reçu illisible")))?;
    let p = world.control()?.professional(&professional).await?;
    let (national, mailbox) = (
        p["national_id"].as_str().unwrap_or_default(),
        p["mssante"].as_str().unwrap_or_default(),
    );
    let referrer = facts.referrer.as_ref();
    fail_if(
        referrer.and_then(|r| r.id.as_deref()) != Some(national),
        || {
            format!(
                "« {title} » devait nommer son demandeur {professional} ({national}, participant typeCode=REF) ; trouvé {referrer:?}"
            )
        },
    )?;
    let got = referrer.and_then(|r| r.mailbox());
    fail_if(got != Some(mailbox), || {
        format!(
            "« {title} » devait porter l'adresse MSSanté {mailbox} de son demandeur (telecom mailto:) ; trouvé {got:?}"
        )
    })
}
