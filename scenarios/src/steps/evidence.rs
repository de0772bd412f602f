//! Requirements whose evidence is a document the vendor hands in (`@preuve-attestée`):
//! the driver gives the files (`evidence.provide`), the bench records their SHA-256 in
//! the journal as an attestation, exactly as the manual driver does for a screenshot.

use base64::Engine as _;
use cucumber::{then, when};
use serde_json::{Value, json};
use sha2::Digest;

use super::journal::records;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The largest evidence file read (a documentation, a PDF, a short video).
const MAX_EVIDENCE: usize = 64 * 1024 * 1024;

#[when(expr = "l'éditeur fournit la documentation {string}")]
async fn provide(world: &mut SegurWorld, subject: String) -> Result<(), StepFailure> {
    let result = world
        .act_ok(
            "evidence.provide",
            json!({ "requirements": world.requirements, "subject": subject }),
        )
        .await?;
    let files = result["files"].as_array().cloned().unwrap_or_default();
    if files.is_empty() {
        return fail(format!(
            "evidence.provide : aucun fichier de preuve fourni ({result})"
        ));
    }
    let mut recorded = Vec::new();
    for f in &files {
        let name = f["name"].as_str().unwrap_or_default();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(f["content"].as_str().unwrap_or_default())
            .map_err(|e| {
                StepFailure::Failed(format!("preuve {name:?} : base64 illisible ({e})"))
            })?;
        if bytes.is_empty() || bytes.len() > MAX_EVIDENCE {
            return fail(format!(
                "preuve {name:?} : {} octets (1 à {MAX_EVIDENCE})",
                bytes.len()
            ));
        }
        recorded.push(json!({
            "name": name,
            "media_type": f["media_type"],
            "size": bytes.len(),
            "sha256": hex::encode(sha2::Sha256::digest(&bytes)),
            "text": std::str::from_utf8(&bytes).ok(),
        }));
    }
    let attestation = json!({
        "scenario": world.tag,
        "action": "evidence.provide",
        "params": { "subject": subject, "requirements": world.requirements },
        "instruction": format!("Fournir la documentation : {subject}"),
        "answers": [{ "question": "déclaration", "answer": result["statement"] }],
        "evidence": recorded.iter().map(|r| json!({
            "path": r["name"], "size": r["size"], "sha256": r["sha256"],
        })).collect::<Vec<Value>>(),
    });
    world.control()?.attest(&attestation).await?;
    world.evidence = recorded;
    Ok(())
}

#[then(
    expr = "la documentation fournie est enregistrée au journal avec son empreinte et couvre {string}"
)]
async fn recorded(world: &mut SegurWorld, topics: String) -> Result<(), StepFailure> {
    let given = world.evidence.clone();
    let journaled = records(world, "operator", Some("attestation")).await?;
    let Some(record) = journaled.iter().rev().find(|r| {
        r.request.as_ref().is_some_and(|b| {
            let evidence = b.summary["evidence"].to_string();
            given
                .iter()
                .all(|g| evidence.contains(g["sha256"].as_str().unwrap_or("?")))
        })
    }) else {
        return fail("la preuve fournie n'est pas au journal avec ses empreintes");
    };
    let text: String = given
        .iter()
        .filter_map(|g| g["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase();
    let missing: Vec<&str> = topics
        .split(',')
        .map(str::trim)
        .filter(|t| !text.contains(&t.to_lowercase()))
        .collect();
    fail_if(!missing.is_empty(), || {
        format!("la documentation fournie ne traite pas de {missing:?}")
    })?;
    let record = record.clone();
    world.witness([&record]);
    Ok(())
}
