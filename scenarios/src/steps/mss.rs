//! MSSanté: the software sends documents and messages, reads its mailbox, integrates
//! IHE_XDM mail and returns receipts; the bench drops mail into the mailbox and reads
//! what the operator received from the journal (SMTP DATA, as submitted).

use base64::Engine as _;
use cucumber::{given, then, when};
use mail_parser::{MessageParser, MimeHeaders};
use segur_documents::xdm::{self, XdmLimits};
use serde_json::{Value, json};

use super::journal::records;
use crate::driver::Status;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The ANS example IHE_XDM archive of a level-1 CDA with its PDF (ansforge/
/// interop-exemples-xdm, DOC_NON_STRUCTURE_CDA-R2-N1): patient PAT-TROIS DOMINIQUE.
pub(super) const ANS_XDM: &[u8] =
    include_bytes!("../../../fixtures/xdm/DOC_NON_STRUCTURE_CDA-R2-N1/IHE_XDM.ZIP");
/// The same example's CDA, whose `nonXMLBody` holds the PDF sent beside the archive.
pub(super) const ANS_CDA: &str =
    include_str!("../../../fixtures/cda/DOC_NON_STRUCTURE_CDA-R2-N1.xml");
/// The subject the example is sent under, as the software shows it (without the
/// `XDM/1.0/DDM+` prefix).
pub(super) const ANS_SUBJECT: &str = "Compte rendu d'exemple";

/// The operator's SMTP transactions.
const DATA: &str = "SMTP DATA";

/// How many times (100 ms apart) a step looks for the operator's record of a refused
/// handshake.
const REFUSAL_POLLS: usize = 30;

/// The world professional's personal mailbox.
pub(super) async fn professional_mailbox(
    world: &SegurWorld,
    id: &str,
) -> Result<String, StepFailure> {
    let p = world.control()?.professional(id).await?;
    p["mssante"]
        .as_str()
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| StepFailure::Failed(format!("{id} n'a pas de boîte MSSanté dans le monde")))
}

/// The structure's application mailbox.
fn structure_mailbox(world: &SegurWorld) -> Result<String, StepFailure> {
    world
        .run()?
        .setup
        .mssante_application
        .clone()
        .ok_or_else(|| StepFailure::Failed("la structure n'a pas de boîte applicative".into()))
}

/// The Mon espace santé address of the identity `alias` (from its world patient's INS).
pub(super) async fn patient_mailbox(
    world: &SegurWorld,
    alias: &str,
) -> Result<String, StepFailure> {
    let patient = world.world_patients.get(alias).ok_or_else(|| {
        StepFailure::Failed(format!(
            "{alias:?} n'a pas été créée d'après un patient du monde"
        ))
    })?;
    let p = world.control()?.patient(patient).await?;
    let (m, k) = (&p["ins"]["matricule"], &p["ins"]["key"]);
    match (m.as_str(), k.as_str()) {
        (Some(m), Some(k)) => Ok(format!("{m}{k}@patient.mssante.fr")),
        _ => fail(format!("le patient {patient} du monde n'a pas d'INS")),
    }
}

/// A recipient as the feature names it: an identity alias (their Mon espace santé
/// mailbox), a professional id, or `la structure`.
pub(crate) async fn address_of(world: &SegurWorld, who: &str) -> Result<String, StepFailure> {
    if who == "la structure" {
        return structure_mailbox(world);
    }
    // An address written as is (an organisational mailbox of another structure).
    if who.contains('@') {
        return Ok(who.to_ascii_lowercase());
    }
    if world.identities.contains_key(who) {
        return patient_mailbox(world, who).await;
    }
    professional_mailbox(world, who).await
}

/// The options a sending step may end with.
#[derive(Default)]
struct Options {
    receipt: bool,
    no_reply: bool,
    visibility: Vec<&'static str>,
    personal: bool,
}

fn options(text: &str) -> Result<Options, StepFailure> {
    let mut o = Options::default();
    let mut rest = text.trim().to_string();
    for (phrase, apply) in [
        ("avec demande d'accusé de réception", 0),
        ("sans réponse possible du patient", 1),
        ("invisible au patient", 2),
        ("masqué aux professionnels", 3),
        ("depuis sa boîte personnelle", 4),
    ] {
        if let Some(at) = rest.find(phrase) {
            rest.replace_range(at..at + phrase.len(), "");
            match apply {
                0 => o.receipt = true,
                1 => o.no_reply = true,
                2 => o.visibility.push("INVISIBLE_PATIENT"),
                3 => o.visibility.push("MASQUE_PS"),
                _ => o.personal = true,
            }
        }
    }
    let left = rest.replace(" et ", " ").replace(',', " ");
    fail_if(!left.trim().is_empty(), || {
        format!("option d'envoi inconnue : {:?}", left.trim())
    })?;
    Ok(o)
}

pub(super) async fn send(
    world: &mut SegurWorld,
    mut params: Value,
    to: &str,
    opts: &str,
) -> Result<(), StepFailure> {
    let o = options(opts)?;
    let mut recipients = Vec::new();
    for who in to.split(" et ").map(str::trim) {
        if world.identities.contains_key(who) {
            params["patient"] = json!(world.identity(who)?);
            recipients.push(json!("patient"));
        } else {
            recipients.push(json!(address_of(world, who).await?));
        }
    }
    params["to"] = json!(recipients);
    params["receipt"] = json!(o.receipt);
    params["no_reply"] = json!(o.no_reply);
    if let Some(document) = params.get_mut("document") {
        document["visibility"] = json!(o.visibility);
    }
    if o.personal {
        let user = world
            .logged_in
            .clone()
            .ok_or_else(|| StepFailure::Failed("aucun professionnel connecté".into()))?;
        params["mailbox"] = json!(professional_mailbox(world, &user).await?);
    }
    let subject = params["subject"]
        .as_str()
        .or(params["document"]["title"].as_str())
        .unwrap_or_default()
        .to_string();
    let reply = world.act("mss.send", params).await?;
    if reply.status == Status::Ok
        && let Some(id) = reply.result["message_id"].as_str()
    {
        world.mails.insert(subject, id.to_string());
    }
    Ok(())
}

#[when(
    regex = r#"^l'utilisateur envoie par messagerie le compte rendu "([^"]*)" de "([^"]*)" à "([^"]*)"(.*)$"#
)]
async fn send_document(
    world: &mut SegurWorld,
    title: String,
    patient: String,
    to: String,
    opts: String,
) -> Result<(), StepFailure> {
    let params = json!({
        "patient": world.identity(&patient)?,
        "document": { "kind": "cr", "title": title },
    });
    send(world, params, &to, &opts).await
}

/// A document of the Ségur "annexe 3" the step names, sent with its PDF (`document.kind`).
#[when(
    regex = r#"^l'utilisateur envoie par messagerie (l'ordonnance|la lettre de liaison|le compte rendu d'imagerie|le compte rendu de biologie) "([^"]*)" de "([^"]*)" à "([^"]*)"(.*)$"#
)]
async fn send_typed_document(
    world: &mut SegurWorld,
    what: String,
    title: String,
    patient: String,
    to: String,
    opts: String,
) -> Result<(), StepFailure> {
    let kind = match what.as_str() {
        "l'ordonnance" => "prescription",
        "la lettre de liaison" => "ldl",
        "le compte rendu d'imagerie" => "cr-img",
        _ => "cr-bio",
    };
    let params = json!({
        "patient": world.identity(&patient)?,
        "document": { "kind": kind, "title": title },
    });
    send(world, params, &to, &opts).await
}

#[when(regex = r#"^l'utilisateur envoie par messagerie le message "([^"]*)" à "([^"]*)"(.*)$"#)]
async fn send_message(
    world: &mut SegurWorld,
    subject: String,
    to: String,
    opts: String,
) -> Result<(), StepFailure> {
    let params = json!({ "subject": subject, "text": "Bonjour,\r\nCordialement.\r\n" });
    send(world, params, &to, &opts).await
}

/// The UID the software's last mailbox view gives the message with `subject`.
fn uid_shown(world: &SegurWorld, subject: &str) -> Result<u64, StepFailure> {
    let m = shown(world, subject)?;
    m["uid"]
        .as_u64()
        .ok_or_else(|| StepFailure::Failed(format!("le message « {subject} » n'a pas d'UID : {m}")))
}

#[when(expr = "l'utilisateur répond au message {string}")]
async fn reply_to(world: &mut SegurWorld, subject: String) -> Result<(), StepFailure> {
    world.act_ok("mss.poll", json!({})).await?;
    let uid = uid_shown(world, &subject)?;
    let reply = world
        .act_ok(
            "mss.send",
            json!({ "in_reply_to": uid, "text": "Bien reçu, merci.\r\n" }),
        )
        .await?;
    if let Some(id) = reply["message_id"].as_str() {
        world.mails.insert(format!("Re: {subject}"), id.to_string());
    }
    Ok(())
}

#[given(expr = "le refus de {string} de recevoir des documents dans sa messagerie enregistré")]
async fn refusal(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let patient = world.identity(&alias)?;
    world
        .act_ok("mss.record_refusal", json!({ "patient": patient }))
        .await?;
    Ok(())
}

/// Drops `message` into the structure's mailbox and remembers its `Message-ID`.
pub(super) async fn drop_into_structure(
    world: &mut SegurWorld,
    message: Value,
    subject: &str,
) -> Result<(), StepFailure> {
    let mailbox = structure_mailbox(world)?;
    drop_into(world, &mailbox, message, subject).await
}

/// Drops `message` into `mailbox`'s INBOX (the operator's inbound feed), and notes its
/// `Message-ID` under `subject`.
pub(super) async fn drop_into(
    world: &mut SegurWorld,
    mailbox: &str,
    mut message: Value,
    subject: &str,
) -> Result<(), StepFailure> {
    let mailbox = mailbox.to_string();
    message["to"] = json!(mailbox);
    let control = world.control()?;
    let dropped = control.mss_inbound(&message).await?;
    let uid = dropped["uid"].as_u64();
    let folder = control.mss_folder(&mailbox, "INBOX").await?;
    let id = folder["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["uid"].as_u64() == uid))
        .and_then(|m| m["message_id"].as_str())
        .ok_or_else(|| StepFailure::Failed(format!("message déposé introuvable : {folder}")))?;
    world.mails.insert(subject.to_string(), id.to_string());
    Ok(())
}

fn with_receipt(opts: &str, from: &str, message: &mut Value) -> Result<(), StepFailure> {
    let o = options(opts)?;
    if o.receipt {
        message["headers"]["Disposition-Notification-To"] = json!(format!("<{from}>"));
    }
    Ok(())
}

#[given(
    regex = r#"^la boîte de la structure reçoit de "([^"]*)" le compte rendu d'exemple de l'ANS(.*)$"#
)]
async fn receive_ans_example(
    world: &mut SegurWorld,
    sender: String,
    opts: String,
) -> Result<(), StepFailure> {
    let from = professional_mailbox(world, &sender).await?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let pdf = ANS_CDA
        .split_once("representation=\"B64\">")
        .and_then(|(_, rest)| rest.split_once("</text>"))
        .map(|(pdf, _)| pdf.split_whitespace().collect::<String>())
        .unwrap_or_default();
    let mut message = json!({
        "from": from,
        "subject": format!("XDM/1.0/DDM+{ANS_SUBJECT}"),
        "text": "Veuillez trouver ci-joint le compte rendu.",
        "headers": {
            "X-MSS-CODECDA": "11502-2",
            "X-MSS-INS": "O",
            "X-MSS-NIL": "ANS-EXEMPLE",
        },
        "attachments": [
            { "name": "IHE_XDM.ZIP", "content_type": "application/zip", "base64": b64.encode(ANS_XDM) },
            { "name": "COMPTE_RENDU.PDF", "content_type": "application/pdf", "base64": pdf },
        ],
    });
    with_receipt(&opts, &from, &mut message)?;
    drop_into_structure(world, message, ANS_SUBJECT).await
}

#[given(regex = r#"^la boîte de la structure reçoit de "([^"]*)" le message "([^"]*)"(.*)$"#)]
async fn receive_message(
    world: &mut SegurWorld,
    sender: String,
    subject: String,
    opts: String,
) -> Result<(), StepFailure> {
    let from = professional_mailbox(world, &sender).await?;
    let mut message = json!({
        "from": from,
        "subject": subject,
        "text": "Pouvez-vous me confirmer le rendez-vous ?",
        "headers": { "X-MSS-NIL": "CORRESPONDANT" },
    });
    with_receipt(&opts, &from, &mut message)?;
    drop_into_structure(world, message, &subject).await
}

#[when("l'utilisateur relève la boîte de la structure")]
async fn poll(world: &mut SegurWorld) -> Result<(), StepFailure> {
    world.act_ok("mss.poll", json!({})).await?;
    Ok(())
}

#[when("l'utilisateur relève sa boîte personnelle")]
async fn poll_personal(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let user = world
        .logged_in
        .clone()
        .ok_or_else(|| StepFailure::Failed("aucun professionnel connecté".into()))?;
    let mailbox = professional_mailbox(world, &user).await?;
    world
        .act_ok("mss.poll", json!({ "mailbox": mailbox }))
        .await?;
    Ok(())
}

#[when(expr = "l'utilisateur intègre le document du message {string}")]
async fn integrate(world: &mut SegurWorld, subject: String) -> Result<(), StepFailure> {
    world.act_ok("mss.poll", json!({})).await?;
    let uid = uid_shown(world, &subject)?;
    world.act("mss.integrate", json!({ "uid": uid })).await?;
    Ok(())
}

#[when(expr = "l'utilisateur envoie l'accusé de lecture du message {string}")]
async fn send_receipt(world: &mut SegurWorld, subject: String) -> Result<(), StepFailure> {
    world.act_ok("mss.poll", json!({})).await?;
    let uid = uid_shown(world, &subject)?;
    world
        .act_ok("mss.send_receipt", json!({ "uid": uid }))
        .await?;
    Ok(())
}

#[when(expr = "l'utilisateur affiche les accusés du message {string}")]
async fn show_receipts(world: &mut SegurWorld, subject: String) -> Result<(), StepFailure> {
    let id = mail_id(world, &subject)?;
    world
        .act_ok("mss.show_receipts", json!({ "message_id": id }))
        .await?;
    Ok(())
}

pub(super) fn mail_id(world: &SegurWorld, subject: &str) -> Result<String, StepFailure> {
    world
        .mails
        .get(subject)
        .cloned()
        .ok_or_else(|| StepFailure::Failed(format!("aucun message « {subject} » dans le scénario")))
}

/// The operator's SMTP transactions in the scenario, with their recipients.
async fn transactions(world: &SegurWorld) -> Result<Vec<(u64, Vec<String>)>, StepFailure> {
    Ok(records(world, "mssante", Some(DATA))
        .await?
        .into_iter()
        .map(|r| (r.seq, rcpt_to(&r)))
        .collect())
}

#[then(expr = "l'opérateur a reçu un message pour {string}")]
async fn operator_received(world: &mut SegurWorld, who: String) -> Result<(), StepFailure> {
    let mut expected = Vec::new();
    for w in who.split(" et ").map(str::trim) {
        expected.push(address_of(world, w).await?.to_ascii_lowercase());
    }
    let all = transactions(world).await?;
    let found = all
        .iter()
        .rev()
        .find(|(_, to)| expected.iter().all(|e| to.contains(e)));
    let Some((seq, _)) = found else {
        // What the software said, when it said it could not send.
        let said = world
            .last
            .as_ref()
            .filter(|r| r.status != Status::Ok)
            .and_then(|r| r.message.clone())
            .map(|m| format!(" ; le logiciel a répondu « {m} »"))
            .unwrap_or_default();
        return fail(format!(
            "aucun message remis à l'opérateur pour {} ; reçus : {:?}{said}",
            expected.join(", "),
            all.iter().map(|(_, to)| to).collect::<Vec<_>>()
        ));
    };
    let seq = *seq;
    world.mail = Some(world.control()?.journal_body(seq, "request").await?);
    witness_seq(world, DATA, seq).await
}

#[then("l'opérateur n'a reçu aucun message")]
async fn operator_received_nothing(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let all = transactions(world).await?;
    fail_if(!all.is_empty(), || {
        format!(
            "aucun message attendu, l'opérateur en a reçu {} : {:?}",
            all.len(),
            all.iter().map(|(_, to)| to).collect::<Vec<_>>()
        )
    })
}

pub(super) fn parsed(world: &SegurWorld) -> Result<mail_parser::Message<'_>, StepFailure> {
    let raw = world.mail.as_deref().ok_or_else(|| {
        StepFailure::Failed(
            "aucun message choisi : « l'opérateur a reçu un message pour … » d'abord".into(),
        )
    })?;
    MessageParser::default()
        .parse(raw)
        .ok_or_else(|| StepFailure::Failed("le message reçu n'a pas d'en-tête lisible".into()))
}

fn header(message: &mail_parser::Message<'_>, name: &str) -> Option<String> {
    message
        .header_raw(name)
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[then(expr = "le message porte l'en-tête {string} à {string}")]
async fn has_header(
    world: &mut SegurWorld,
    name: String,
    value: String,
) -> Result<(), StepFailure> {
    let message = parsed(world)?;
    let got = header(&message, &name);
    fail_if(got.as_deref() != Some(value.as_str()), || {
        format!("{name}: {value} attendu, le message porte {got:?}")
    })
}

#[then(expr = "le message ne porte pas l'en-tête {string}")]
async fn lacks_header(world: &mut SegurWorld, name: String) -> Result<(), StepFailure> {
    let message = parsed(world)?;
    let got = header(&message, &name);
    fail_if(got.is_some(), || {
        format!("pas d'en-tête {name} attendu, le message porte {got:?}")
    })
}

#[then("le message porte la référence produit du logiciel dans X-MSS-NIL")]
async fn has_nil(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let expected = world.run()?.setup.mssante_nil.clone();
    let message = parsed(world)?;
    let got = header(&message, "X-MSS-NIL");
    fail_if(got.as_deref() != Some(expected.as_str()), || {
        format!("X-MSS-NIL: {expected} (référence Convergence déclarée) attendu, reçu {got:?}")
    })
}

#[then("le message porte un identifiant Message-ID")]
async fn has_message_id(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let message = parsed(world)?;
    fail_if(message.message_id().is_none_or(str::is_empty), || {
        "le message n'a pas de Message-ID".into()
    })
}

#[then(expr = "le message répond au message {string}")]
async fn answers(world: &mut SegurWorld, subject: String) -> Result<(), StepFailure> {
    let parent = mail_id(world, &subject)?;
    let message = parsed(world)?;
    let in_reply_to = message.in_reply_to().as_text().map(str::to_string);
    let references: Vec<String> = match message.references().as_text_list() {
        Some(list) => list.iter().map(|r| r.to_string()).collect(),
        None => message
            .references()
            .as_text()
            .map(|r| vec![r.to_string()])
            .unwrap_or_default(),
    };
    fail_if(
        in_reply_to.as_deref() != Some(parent.as_str()) || !references.contains(&parent),
        || {
            format!(
                "In-Reply-To et References doivent nommer <{parent}> ; In-Reply-To {in_reply_to:?}, References {references:?}"
            )
        },
    )
}

#[then(expr = "le message joint le PDF et une archive IHE_XDM conforme pour {string}")]
async fn carries_xdm(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let expected = patient_mailbox(world, &alias).await?;
    let ins = expected.split('@').next().unwrap_or_default().to_string();
    let message = parsed(world)?;
    let pdf = message
        .attachments()
        .any(|p| p.is_content_type("application", "pdf"));
    let zip = message
        .attachments()
        .find(|p| p.attachment_name() == Some("IHE_XDM.ZIP"))
        .map(|p| p.contents().to_vec());
    let Some(zip) = zip else {
        return fail("le message ne joint pas d'archive IHE_XDM.ZIP");
    };
    fail_if(!pdf, || {
        "le PDF lisible n'est pas joint à côté de l'archive".into()
    })?;
    let report = xdm::check(&zip, &XdmLimits::default());
    let errors = super::errors(&report.findings);
    fail_if(!errors.is_empty(), || {
        format!("archive IHE_XDM non conforme :\n  {}", errors.join("\n  "))
    })?;
    let named = report
        .documents
        .iter()
        .all(|d| d.patient_id.as_deref().is_some_and(|p| p.starts_with(&ins)));
    fail_if(report.documents.is_empty() || !named, || {
        format!(
            "l'archive doit décrire le document de l'INS {ins} ; patientId lus : {:?}",
            report
                .documents
                .iter()
                .map(|d| &d.patient_id)
                .collect::<Vec<_>>()
        )
    })
}

/// Rule 28: the identity is not qualified, so neither `METADATA.XML` nor the CDA of the
/// archive may reference the document with its INS; the traits alone travel.
#[then(expr = "le message ne porte pas l'INS de {string} dans son archive IHE_XDM")]
async fn xdm_without_ins(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let shown = super::identity::show(world, &alias).await?;
    let ins = super::ins_number(&shown["ins"]);
    if ins.len() != 15 {
        return fail(format!(
            "{alias} ne tient pas d'INS récupéré ({}) : l'étape vérifie qu'il ne part pas",
            shown["ins"]
        ));
    }
    let message = parsed(world)?;
    let Some(zip) = message
        .attachments()
        .find(|p| p.attachment_name() == Some("IHE_XDM.ZIP"))
        .map(|p| p.contents().to_vec())
    else {
        return fail("le message ne joint pas d'archive IHE_XDM.ZIP");
    };
    let report = xdm::check(&zip, &XdmLimits::default());
    let leaks: Vec<String> = report
        .documents
        .iter()
        .flat_map(|d| {
            let in_metadata = d
                .patient_id
                .as_deref()
                .filter(|p| p.starts_with(&ins))
                .map(|p| format!("{} : patientId {p}", d.path));
            let in_cda = d
                .cda
                .as_ref()
                .and_then(|c| c.facts.as_ref())
                .and_then(|f| f.ins.as_ref())
                .and_then(|i| i.extension.clone())
                .map(|e| format!("{} : INS {e} dans le CDA", d.path));
            in_metadata.into_iter().chain(in_cda)
        })
        .collect();
    fail_if(report.documents.is_empty() || !leaks.is_empty(), || {
        format!(
            "l'INS {ins} d'une identité non qualifiée ne doit pas partir : {}",
            if leaks.is_empty() {
                "l'archive ne décrit aucun document".to_string()
            } else {
                leaks.join(" ; ")
            }
        )
    })
}

/// The message with `subject` in the software's last mailbox view.
/// What the software shows of its mailbox must have come from the operator: an IMAP
/// session it opened in the scenario (the exchanges judged).
pub(super) async fn mailbox_opened(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let opened = accepted_logins(world).await?;
    if opened.is_empty() {
        return fail(
            "le logiciel affiche le contenu d'une boîte aux lettres qu'il n'a pas ouverte chez \
             l'opérateur (aucune authentification IMAP acceptée dans le scénario)",
        );
    }
    world.witness(&opened);
    Ok(())
}

/// The IMAP authentications the operator accepted in the scenario.
pub(super) async fn accepted_logins(
    world: &SegurWorld,
) -> Result<Vec<segur_core::journal::Record>, StepFailure> {
    Ok(records(world, "mssante", Some("IMAP AUTHENTICATE"))
        .await?
        .into_iter()
        .filter(|r| {
            r.response
                .as_ref()
                .and_then(|b| b.summary["status"].as_str())
                .is_some_and(|s| s.contains(" OK"))
        })
        .collect())
}

/// The recipients (`RCPT TO`, lower case) of an SMTP DATA record.
pub(super) fn rcpt_to(record: &segur_core::journal::Record) -> Vec<String> {
    record
        .request
        .as_ref()
        .and_then(|b| b.summary["rcpt_to"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|a| a.as_str().map(str::to_ascii_lowercase))
        .collect()
}

/// Notes the operator's record `seq` as judged.
async fn witness_seq(world: &mut SegurWorld, operation: &str, seq: u64) -> Result<(), StepFailure> {
    let found: Vec<segur_core::journal::Record> = records(world, "mssante", Some(operation))
        .await?
        .into_iter()
        .filter(|r| r.seq == seq)
        .collect();
    world.witness(&found);
    Ok(())
}

pub(super) fn shown<'a>(world: &'a SegurWorld, subject: &str) -> Result<&'a Value, StepFailure> {
    let reply = world.last()?;
    reply.result["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["subject"] == subject))
        .ok_or_else(|| {
            StepFailure::Failed(format!(
                "le logiciel n'affiche pas de message « {subject} » : {}",
                reply.result
            ))
        })
}

#[then(expr = "le logiciel affiche le message {string} avec un document IHE_XDM pour {string}")]
async fn shows_xdm_for(
    world: &mut SegurWorld,
    subject: String,
    alias: String,
) -> Result<(), StepFailure> {
    mailbox_opened(world).await?;
    let patient = world.identity(&alias)?;
    let m = shown(world, &subject)?;
    fail_if(
        m["xdm"] != true || m["patient"]["patient"] != patient.as_str(),
        || format!("document IHE_XDM rattaché à {alias} ({patient}) attendu ; affiché : {m}"),
    )
}

#[then(
    expr = "le logiciel affiche le message {string} avec un document IHE_XDM sans patient identifié"
)]
async fn shows_xdm_unmatched(world: &mut SegurWorld, subject: String) -> Result<(), StepFailure> {
    mailbox_opened(world).await?;
    let m = shown(world, &subject)?;
    fail_if(
        m["xdm"] != true || !m["patient"]["patient"].is_null(),
        || format!("document IHE_XDM sans patient rapproché attendu ; affiché : {m}"),
    )
}

#[then(expr = "le logiciel affiche le message {string} avec une demande d'accusé de réception")]
async fn shows_receipt_request(world: &mut SegurWorld, subject: String) -> Result<(), StepFailure> {
    mailbox_opened(world).await?;
    let m = shown(world, &subject)?;
    fail_if(m["receipt_requested"] != true, || {
        format!("demande d'accusé attendue à l'écran ; affiché : {m}")
    })
}

#[then(expr = "le logiciel a intégré au dossier de {string} le document {string}")]
async fn integrated(
    world: &mut SegurWorld,
    alias: String,
    title: String,
) -> Result<(), StepFailure> {
    mailbox_opened(world).await?;
    let patient = world.identity(&alias)?;
    let reply = world.last()?;
    let ok = reply.status == Status::Ok
        && reply.result["patient"] == patient.as_str()
        && reply.result["documents"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["title"] == title.as_str()));
    fail_if(!ok, || {
        format!(
            "« {title} » intégré au dossier de {alias} ({patient}) attendu ; le logiciel a répondu {:?} {} {}",
            reply.status,
            reply.message.clone().unwrap_or_default(),
            reply.result
        )
    })
}

#[then(expr = "le logiciel affiche un accusé de réception {string} de {string}")]
async fn shows_receipt(
    world: &mut SegurWorld,
    disposition: String,
    who: String,
) -> Result<(), StepFailure> {
    mailbox_opened(world).await?;
    let from = address_of(world, &who).await?;
    let reply = world.last()?;
    let found = reply.result["receipts"].as_array().is_some_and(|r| {
        r.iter().any(|r| {
            r["from"]
                .as_str()
                .is_some_and(|f| f.eq_ignore_ascii_case(&from))
                && r["disposition"]
                    .as_str()
                    .is_some_and(|d| d.ends_with(disposition.as_str()))
        })
    });
    fail_if(!found, || {
        format!(
            "accusé « {disposition} » de {from} attendu à l'écran ; affiché : {}",
            reply.result
        )
    })
}

#[then(regex = r#"^l'opérateur a reçu l'accusé "([^"]*)" du message "([^"]*)"$"#)]
async fn operator_got_mdn(
    world: &mut SegurWorld,
    disposition: String,
    subject: String,
) -> Result<(), StepFailure> {
    let original = mail_id(world, &subject)?;
    let control = world.control()?.clone();
    let mut seen = Vec::new();
    for (seq, _) in transactions(world).await? {
        let raw = control.journal_body(seq, "request").await?;
        let Some(message) = MessageParser::default().parse(&raw[..]) else {
            continue;
        };
        let Some(report) = message
            .parts
            .iter()
            .find(|p| p.is_content_type("message", "disposition-notification"))
        else {
            continue;
        };
        let fields = String::from_utf8_lossy(report.contents()).into_owned();
        let field = |name: &str| {
            fields.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().to_string())
            })
        };
        let about = field("Original-Message-ID").map(|v| v.trim_matches(['<', '>']).to_string());
        let said = field("Disposition").unwrap_or_default();
        if about.as_deref() == Some(original.as_str()) && said.contains(disposition.as_str()) {
            world.mail = Some(raw);
            return witness_seq(world, DATA, seq).await;
        }
        seen.push(format!("{about:?}: {said}"));
    }
    fail(format!(
        "accusé « {disposition} » du message <{original}> attendu chez l'opérateur ; accusés vus : {seen:?}"
    ))
}

#[then("l'opérateur a reçu les authentifications SMTP et IMAP sous TLS")]
async fn authenticated_over_tls(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let mut problems = Vec::new();
    let mut judged = Vec::new();
    for operation in ["SMTP AUTH", "IMAP AUTHENTICATE"] {
        let seen = records(world, "mssante", Some(operation)).await?;
        if seen.is_empty() {
            problems.push(format!("aucun {operation}"));
        }
        for r in seen {
            if r.request.as_ref().map(|b| &b.summary["tls"]) != Some(&json!(true)) {
                problems.push(format!("{operation} n°{} hors TLS", r.seq));
            }
            judged.push(r);
        }
    }
    fail_if(!problems.is_empty(), || problems.join(" ; "))?;
    world.witness(&judged);
    Ok(())
}

#[then(expr = "l'opérateur a reçu {int} authentification(s) par jeton Pro Santé Connect")]
async fn token_logins(world: &mut SegurWorld, count: usize) -> Result<(), StepFailure> {
    let mut accepted = Vec::new();
    for operation in ["SMTP AUTH", "IMAP AUTHENTICATE"] {
        accepted.extend(
            records(world, "mssante", Some(operation))
                .await?
                .into_iter()
                .filter(|r| {
                    r.request.as_ref().is_some_and(|b| {
                        b.summary["command"]
                            .as_str()
                            .is_some_and(|c| c.contains("XOAUTH2") || c.contains("OAUTHBEARER"))
                    }) && r.findings.is_empty()
                }),
        );
    }
    super::expect_count(
        "authentifications par jeton acceptées",
        count,
        accepted.len(),
    )?;
    world.witness(&accepted);
    Ok(())
}

#[then("le message demande un accusé de réception à son expéditeur")]
async fn asks_receipt(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let message = parsed(world)?;
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(str::to_ascii_lowercase);
    let asked = header(&message, "Disposition-Notification-To")
        .map(|v| v.trim_matches(['<', '>', ' ']).to_ascii_lowercase());
    fail_if(asked.is_none() || asked != from, || {
        format!("Disposition-Notification-To vers l'expéditeur {from:?} attendu, reçu {asked:?}")
    })
}

#[given(
    regex = r#"^l'opérateur MSSanté présente à la prochaine connexion un certificat (expiré|hors IGC Santé)$"#
)]
async fn impostor_certificate(world: &mut SegurWorld, kind: String) -> Result<(), StepFailure> {
    let code = if kind == "expiré" {
        "expired"
    } else {
        "unknown-ca"
    };
    world
        .control()?
        .arm_fault(&json!({
            "service": "mssante",
            "operation": "CERTIFICATE",
            "action": { "kind": "protocol_error", "code": code },
        }))
        .await?;
    Ok(())
}

#[then("le logiciel signale le certificat refusé de l'opérateur")]
async fn certificate_refused(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let reply = world.last()?;
    let message = reply.message.clone().unwrap_or_default();
    fail_if(
        reply.status != Status::Error || !message.contains("certificat"),
        || {
            format!(
                "refus du certificat de l'opérateur attendu à l'écran, le logiciel a répondu {:?} « {message} »",
                reply.status
            )
        },
    )?;
    // The operator saw the handshake fail: the software did connect and refuse. The
    // operator journals the failed handshake when its side of it ends, which may come
    // just after the software answered: wait for it a little.
    let mut refused = Vec::new();
    for _ in 0..REFUSAL_POLLS {
        refused = records(world, "mssante", None)
            .await?
            .into_iter()
            .filter(|r| r.has_rule("MSS-CERTIFICATE-REFUSED"))
            .collect::<Vec<segur_core::journal::Record>>();
        if !refused.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    if refused.is_empty() {
        return fail(
            "le logiciel dit refuser le certificat de l'opérateur, mais aucune connexion TLS \
             n'a été tentée puis refusée chez l'opérateur",
        );
    }
    world.witness(&refused);
    Ok(())
}
