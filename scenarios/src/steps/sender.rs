//! Who a mail says it comes from (référentiel socle MSSanté #2, ECO.2.2.4, 2.2.5, 2.2.7):
//! the sending mailbox and its label, a body in text/plain, and for the application
//! mailbox the address answers go to, announced at the end of the text. The steps read
//! the message the operator received (« l'opérateur a reçu un message pour … » first).

use cucumber::{given, then};
use mail_parser::Message;
use serde_json::json;

use segur_mssante::submission::sender::{body_part, folded, plain_text, type_name};

use super::mss::{address_of, parsed};
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The sender: address (lower case) and label.
fn from(message: &Message<'_>) -> Result<(String, String), StepFailure> {
    let from = message
        .from()
        .and_then(|a| a.first())
        .ok_or_else(|| StepFailure::Failed("le message n'a pas d'en-tête From".into()))?;
    Ok((
        from.address().unwrap_or_default().to_ascii_lowercase(),
        from.name().unwrap_or_default().trim().to_string(),
    ))
}

fn reply_to(message: &Message<'_>) -> Option<String> {
    message
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(str::to_ascii_lowercase)
}

#[given(expr = "l'adresse de réponse des envois automatiques paramétrée à la boîte de {string}")]
async fn set_reply_to(world: &mut SegurWorld, who: String) -> Result<(), StepFailure> {
    let address = address_of(world, &who).await?;
    world
        .act_ok(
            "settings.set",
            json!({ "name": "mss_reply_to", "value": address }),
        )
        .await?;
    Ok(())
}

#[then("le message vient de la boîte applicative de la structure, avec son intitulé")]
async fn from_application(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let expected = address_of(world, "la structure").await?;
    let message = parsed(world)?;
    let (address, label) = from(&message)?;
    if address != expected {
        return fail(format!(
            "From: la boîte applicative {expected} attendue, reçu {address}"
        ));
    }
    fail_if(label.is_empty() || label.contains('@'), || {
        format!(
            "From: {address} sans intitulé (« Entité fonctionnelle <{address}> » attendu), reçu {label:?}"
        )
    })
}

#[then(expr = "le message vient de la boîte de {string}, avec ses prénom et nom")]
async fn from_professional(world: &mut SegurWorld, who: String) -> Result<(), StepFailure> {
    let expected = address_of(world, &who).await?;
    let p = world.control()?.professional(&who).await?;
    let names = [
        p["given_name"].as_str().unwrap_or_default().to_string(),
        p["family_name"].as_str().unwrap_or_default().to_string(),
    ];
    let message = parsed(world)?;
    let (address, label) = from(&message)?;
    if address != expected {
        return fail(format!("From: {expected} attendu, reçu {address}"));
    }
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !folded(&label).contains(&folded(n)))
        .collect();
    fail_if(!missing.is_empty(), || {
        format!(
            "From: l'intitulé d'une boîte personnelle nomme {} {} ; reçu {label:?} <{address}>",
            names[0], names[1]
        )
    })
}

#[then("le corps du message est en texte brut")]
async fn plain_body(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let message = parsed(world)?;
    let Some(body) = body_part(&message) else {
        return fail("le message n'a pas de corps");
    };
    fail_if(plain_text(&message).is_none(), || {
        format!(
            "corps text/plain (ou multipart/alternative text/plain puis text/html) attendu, reçu {}",
            type_name(body)
        )
    })
}

#[then("le message désigne pour les réponses la boîte organisationnelle de la structure")]
async fn replies_to_structure(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let organisational = world.run()?.setup.mssante_organisational.clone();
    let message = parsed(world)?;
    let got = reply_to(&message);
    fail_if(
        !got.as_ref()
            .is_some_and(|r| organisational.iter().any(|o| o.eq_ignore_ascii_case(r))),
        || {
            format!(
                "Reply-To: une boîte organisationnelle de la structure ({}) attendue, reçu {got:?}",
                organisational.join(", ")
            )
        },
    )
}

#[then(expr = "le message désigne pour les réponses la boîte de {string}")]
async fn replies_to(world: &mut SegurWorld, who: String) -> Result<(), StepFailure> {
    let expected = address_of(world, &who).await?;
    let message = parsed(world)?;
    let got = reply_to(&message);
    fail_if(got.as_deref() != Some(expected.as_str()), || {
        format!("Reply-To: {expected} attendu (paramétré), reçu {got:?}")
    })
}

#[then("le message se termine par la mention d'un envoi automatique et l'adresse de réponse")]
async fn automatic_notice(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let message = parsed(world)?;
    let Some(reply_to) = reply_to(&message) else {
        return fail(
            "le message n'a pas d'en-tête Reply-To : la mention n'a pas d'adresse à donner",
        );
    };
    let text = plain_text(&message).unwrap_or_default();
    let lines: Vec<&str> = text.trim_end().lines().rev().take(4).collect();
    let tail = lines.join(" ");
    let automatic = folded(&tail).contains("automatiquement");
    let address = tail.to_ascii_lowercase().contains(&reply_to);
    fail_if(!automatic || !address, || {
        format!(
            "les dernières lignes du texte disent que le message est généré automatiquement et donnent {reply_to} ; elles disent : {tail:?}"
        )
    })
}
