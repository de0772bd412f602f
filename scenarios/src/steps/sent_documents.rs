//! What becomes of a document once sent by MSSanté: its new version cancels and replaces
//! it and says so (MSS/va1.02, va1.13, va1.35), its deletion is announced to each of its
//! recipients (MSS/va1.30, va1.37), a validated report leaves on its own (MSS/va1.21,
//! va1.29), a partial biology report then the complete one (MSS/va1.32). The steps read
//! every message the operator took in the scenario: the CDA in its IHE_XDM archive, the
//! PDF beside it, its text.

use cucumber::{given, then, when};
use mail_parser::{MessageParser, MimeHeaders};
use segur_documents::cda::{CdaFacts, InstanceId};
use segur_documents::xdm::XdmLimits;
use serde_json::json;

use super::journal::records;
use super::mss::{rcpt_to, send};
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// One message the operator took, as the steps read it.
struct Taken {
    /// The journal record's sequence number.
    seq: u64,
    /// `RCPT TO`, lower case.
    to: Vec<String>,
    /// Subject.
    subject: String,
    /// The plain text.
    text: String,
    /// Each CDA of its archives: the facts and the raw XML.
    documents: Vec<(CdaFacts, String)>,
    /// The text of the PDFs beside them.
    pdf_text: String,
}

/// Every message the operator took in the scenario, in order.
async fn taken(
    world: &SegurWorld,
) -> Result<Vec<(Taken, segur_core::journal::Record)>, StepFailure> {
    let control = world.control()?.clone();
    let mut out = Vec::new();
    for record in records(world, "mssante", Some("SMTP DATA")).await? {
        let raw = control.journal_body(record.seq, "request").await?;
        let Some(message) = MessageParser::default().parse(&raw[..]) else {
            continue;
        };
        let mut documents = Vec::new();
        let mut pdf_text = String::new();
        for part in message.attachments() {
            let name = part
                .attachment_name()
                .unwrap_or_default()
                .to_ascii_uppercase();
            if name == "IHE_XDM.ZIP" {
                documents.extend(cdas(part.contents()));
            } else if name.ends_with(".PDF")
                && let Some(text) = segur_documents::pdf::read(part.contents())
            {
                pdf_text.push_str(&text.all());
            }
        }
        let to = rcpt_to(&record);
        let taken = Taken {
            seq: record.seq,
            to,
            subject: message.subject().unwrap_or_default().to_string(),
            text: message
                .body_text(0)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            documents,
            pdf_text,
        };
        out.push((taken, record));
    }
    Ok(out)
}

/// The CDAs of an IHE_XDM archive (every XML file but `METADATA.XML`), with their facts.
fn cdas(zip: &[u8]) -> Vec<(CdaFacts, String)> {
    use std::io::Read as _;
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(zip)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let Ok(file) = archive.by_index(i) else {
            continue;
        };
        let name = file
            .name()
            .map(|n| n.to_ascii_uppercase())
            .unwrap_or_default();
        if !name.ends_with(".XML") || name.ends_with("METADATA.XML") {
            continue;
        }
        let mut bytes = Vec::new();
        // No more than the operator reads of one file.
        if file
            .take(XdmLimits::default().max_entry)
            .read_to_end(&mut bytes)
            .is_err()
        {
            continue;
        }
        if let Some(facts) = segur_documents::cda::read_facts(&bytes, None) {
            out.push((facts, String::from_utf8_lossy(&bytes).to_string()));
        }
    }
    out
}

fn same_id(a: Option<&InstanceId>, b: Option<&InstanceId>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.root == b.root && a.extension == b.extension,
        _ => false,
    }
}

fn shown_id(id: Option<&InstanceId>) -> String {
    id.map(|i| format!("{}^{}", i.root, i.extension.as_deref().unwrap_or("")))
        .unwrap_or_else(|| "aucun".into())
}

#[given("l'envoi automatique par messagerie des comptes rendus validés activé dans le logiciel")]
async fn auto_send(world: &mut SegurWorld) -> Result<(), StepFailure> {
    world
        .act_ok(
            "settings.set",
            json!({ "name": "mss_report_auto_send", "value": true }),
        )
        .await?;
    Ok(())
}

#[when(
    regex = r#"^l'utilisateur envoie par messagerie une nouvelle version (du compte rendu|du compte rendu de biologie) "([^"]*)" de "([^"]*)" à "([^"]*)"$"#
)]
async fn send_new_version(
    world: &mut SegurWorld,
    what: String,
    title: String,
    patient: String,
    to: String,
) -> Result<(), StepFailure> {
    let kind = if what == "du compte rendu" {
        "cr"
    } else {
        "cr-bio"
    };
    let params = json!({
        "patient": world.identity(&patient)?,
        "document": { "kind": kind, "title": title, "replaces": title },
    });
    send(world, params, &to, "").await
}

#[when(
    regex = r#"^l'utilisateur avertit par messagerie les destinataires du document "([^"]*)" de "([^"]*)" de sa suppression$"#
)]
async fn notify_deletion(
    world: &mut SegurWorld,
    title: String,
    patient: String,
) -> Result<(), StepFailure> {
    let patient = world.identity(&patient)?;
    world
        .act_ok(
            "mss.notify_deletion",
            json!({ "patient": patient, "title": title }),
        )
        .await?;
    Ok(())
}

#[then(
    regex = r#"^le document "([^"]*)" envoyé par messagerie annule et remplace le document "([^"]*)" envoyé avant : même setId, version suivante et la mention « annule et remplace »$"#
)]
async fn replaces(world: &mut SegurWorld, new: String, old: String) -> Result<(), StepFailure> {
    let all = taken(world).await?;
    let carrying = |title: &str, before: u64| {
        all.iter()
            .filter(|(t, _)| t.seq < before)
            .filter_map(|(t, r)| {
                t.documents
                    .iter()
                    .find(|(f, _)| f.title.as_deref() == Some(title))
                    .map(|d| (t, d, r))
            })
            .next_back()
    };
    let Some((newer, (new_facts, _), new_record)) = carrying(&new, u64::MAX) else {
        return fail(format!(
            "aucun message pris par l'opérateur ne porte « {new} »"
        ));
    };
    let Some((_, (old_facts, _), old_record)) = carrying(&old, newer.seq) else {
        return fail(format!(
            "aucun message pris avant celui de « {new} » ne porte « {old} »"
        ));
    };
    let mut problems = Vec::new();
    if !same_id(new_facts.replaces.as_ref(), old_facts.id.as_ref()) {
        problems.push(format!(
            "relatedDocument RPLC vers {} attendu, le CDA remplace {}",
            shown_id(old_facts.id.as_ref()),
            shown_id(new_facts.replaces.as_ref())
        ));
    }
    if !same_id(new_facts.set_id.as_ref(), old_facts.set_id.as_ref()) {
        problems.push(format!(
            "setId {} attendu (celui de la version remplacée), reçu {}",
            shown_id(old_facts.set_id.as_ref()),
            shown_id(new_facts.set_id.as_ref())
        ));
    }
    let version = |f: &CdaFacts| f.version.as_deref().and_then(|v| v.parse::<u32>().ok());
    if version(new_facts) != version(old_facts).map(|v| v + 1) {
        problems.push(format!(
            "versionNumber {:?} après {:?}",
            new_facts.version, old_facts.version
        ));
    }
    let says = |text: &str| text.to_lowercase().contains("annule et remplace");
    if !says(&newer.pdf_text) {
        problems.push(
            "le PDF de la nouvelle version ne porte pas la mention « annule et remplace »".into(),
        );
    }
    if !says(&newer.text) {
        problems.push("le texte du message ne dit pas qu'il annule et remplace le document".into());
    }
    fail_if(!problems.is_empty(), || problems.join(" ; "))?;
    world.witness(&[old_record.clone(), new_record.clone()]);
    Ok(())
}

#[then(regex = r#"^le compte rendu "([^"]*)" envoyé par messagerie est (partiel|complet)$"#)]
async fn report_status(
    world: &mut SegurWorld,
    title: String,
    status: String,
) -> Result<(), StepFailure> {
    let all = taken(world).await?;
    let Some((xml, record)) = all.iter().rev().find_map(|(t, r)| {
        t.documents
            .iter()
            .find(|(f, _)| f.title.as_deref() == Some(title.as_str()))
            .map(|(_, xml)| (xml, r))
    }) else {
        return fail(format!(
            "aucun message pris par l'opérateur ne porte « {title} »"
        ));
    };
    let active = xml.contains("<statusCode code=\"active\"/>");
    fail_if(active != (status == "partiel"), || {
        format!(
            "compte rendu {status} attendu : ses résultats sont {}",
            if active {
                "en attente (statusCode active)"
            } else {
                "tous rendus (completed)"
            }
        )
    })?;
    world.witness(std::slice::from_ref(record));
    Ok(())
}

#[then(
    regex = r#"^chacun des destinataires du document "([^"]*)" a reçu l'avis de sa suppression$"#
)]
async fn deletion_notified(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let all = taken(world).await?;
    let Some((sent, sent_record)) = all.iter().find(|(t, _)| {
        t.documents
            .iter()
            .any(|(f, _)| f.title.as_deref() == Some(title.as_str()))
    }) else {
        return fail(format!(
            "aucun message pris par l'opérateur ne porte « {title} »"
        ));
    };
    let mut judged = vec![sent_record.clone()];
    let mut missing = Vec::new();
    for recipient in &sent.to {
        let notice = all.iter().find(|(t, _)| {
            t.seq > sent.seq
                && t.to == [recipient.clone()]
                && t.documents.is_empty()
                && format!("{} {}", t.subject, t.text).contains(&title)
                && format!("{} {}", t.subject, t.text)
                    .to_lowercase()
                    .contains("suppr")
        });
        match notice {
            Some((_, r)) => judged.push(r.clone()),
            None => missing.push(recipient.clone()),
        }
    }
    fail_if(!missing.is_empty(), || {
        format!(
            "avis de suppression de « {title} » attendu pour chaque destinataire, sans le document ; manquant pour : {}",
            missing.join(", ")
        )
    })?;
    world.witness(&judged);
    Ok(())
}
