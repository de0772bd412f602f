//! Which mailboxes the software works with and who it writes to: several mailboxes
//! configured together (MSS/UX.36), a correspondent's address found in the Annuaire
//! Santé while composing (MSS/CONF.20), a patient's refusal of their reports going to
//! professionals (MSS/va1.22).

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::journal::records;
use super::mss::{accepted_logins, address_of, drop_into, send};
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

#[given(regex = r#"^la boîte de "([^"]*)" reçoit de "([^"]*)" le message "([^"]*)"$"#)]
async fn receive_in(
    world: &mut SegurWorld,
    owner: String,
    sender: String,
    subject: String,
) -> Result<(), StepFailure> {
    let mailbox = address_of(world, &owner).await?;
    let from = address_of(world, &sender).await?;
    let message = json!({
        "from": from,
        "subject": subject,
        "text": "Merci de me rappeler.",
        "headers": { "X-MSS-NIL": "CORRESPONDANT" },
    });
    drop_into(world, &mailbox, message, &subject).await
}

#[then(regex = r#"^l'opérateur a ouvert la boîte de "([^"]*)" et celle de la structure$"#)]
async fn both_opened(world: &mut SegurWorld, owner: String) -> Result<(), StepFailure> {
    let mut wanted = vec![
        address_of(world, &owner).await?,
        address_of(world, "la structure").await?,
    ];
    let opened = accepted_logins(world).await?;
    let identities: Vec<String> = opened
        .iter()
        .filter_map(|r| {
            r.request
                .as_ref()
                .and_then(|b| b.summary["identity"].as_str())
                .map(str::to_ascii_lowercase)
        })
        .collect();
    wanted.retain(|w| !identities.contains(w));
    fail_if(!wanted.is_empty(), || {
        format!(
            "boîtes jamais ouvertes chez l'opérateur : {} ; ouvertes : {identities:?}",
            wanted.join(", ")
        )
    })?;
    world.witness(&opened);
    Ok(())
}

#[when(
    regex = r#"^l'utilisateur écrit à l'adresse MSSanté trouvée dans l'Annuaire Santé pour "([^"]*)" le message "([^"]*)"$"#
)]
async fn write_to_found(
    world: &mut SegurWorld,
    who: String,
    subject: String,
) -> Result<(), StepFailure> {
    let p = world.control()?.professional(&who).await?;
    let id = p["national_id"].as_str().unwrap_or_default().to_string();
    let found = world.directory_found.clone().unwrap_or(Value::Null);
    let address = found
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            r["national_id"]
                .as_str()
                .is_some_and(|n| n.ends_with(&id) || id.ends_with(n))
        })
        .find_map(|r| r["mssante"][0].as_str().map(str::to_string));
    let Some(address) = address else {
        return fail(format!(
            "le logiciel n'a présenté aucune adresse MSSanté pour {who} : {found}"
        ));
    };
    let params =
        json!({ "subject": subject, "text": "Bonjour,\r\nPouvez-vous me donner votre avis ?\r\n" });
    send(world, params, &address, "").await
}

#[given(
    expr = "le refus de {string} de l'envoi de ses comptes rendus aux professionnels par messagerie enregistré"
)]
async fn professional_refusal(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let patient = world.identity(&alias)?;
    world
        .act_ok(
            "mss.record_refusal",
            json!({ "patient": patient, "scope": "professionals" }),
        )
        .await?;
    Ok(())
}

#[then(
    "l'opérateur a ouvert la boîte applicative par le certificat de la structure, son adresse en identifiant PLAIN"
)]
async fn application_login(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let application = address_of(world, "la structure").await?;
    let mut judged = Vec::new();
    let mut problems = Vec::new();
    for (operation, verb) in [("SMTP AUTH", "AUTH"), ("IMAP AUTHENTICATE", "AUTHENTICATE")] {
        let logins: Vec<segur_core::journal::Record> = records(world, "mssante", Some(operation))
            .await?
            .into_iter()
            .filter(|r| {
                r.request.as_ref().is_some_and(|b| {
                    b.summary["identity"]
                        .as_str()
                        .is_some_and(|i| i.eq_ignore_ascii_case(&application))
                })
            })
            .collect();
        if logins.is_empty() {
            problems.push(format!("aucun {operation} de {application} accepté"));
        }
        for r in logins {
            let command = r
                .request
                .as_ref()
                .and_then(|b| b.summary["command"].as_str())
                .unwrap_or_default()
                .to_string();
            // IMAP commands carry their tag first.
            let mechanism = command
                .split_whitespace()
                .skip_while(|w| !w.eq_ignore_ascii_case(verb))
                .nth(1)
                .unwrap_or_default()
                .to_ascii_uppercase();
            if mechanism != "PLAIN" {
                problems.push(format!(
                    "{operation} n°{} : {verb} {mechanism}, PLAIN avec l'adresse de la boîte attendu",
                    r.seq
                ));
            }
            if r.peer.as_ref().is_none_or(|p| p.cert_subject.is_none()) {
                problems.push(format!(
                    "{operation} n°{} sans certificat client de la structure",
                    r.seq
                ));
            }
            judged.push(r);
        }
    }
    fail_if(!problems.is_empty(), || problems.join(" ; "))?;
    world.witness(&judged);
    Ok(())
}
