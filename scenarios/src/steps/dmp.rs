//! The DMP: the patient's choices (consent to consultation, opposition to feeding), the
//! rights check and the authorisation, consultation, search and integration, feeding,
//! replacement, visibility and deletion; what the software shows and what the DMP holds.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::expect_count;
use crate::driver::Status;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The DMP calls of the scenario, in order, optionally of one operation (`TD0.2`...).
async fn dmp_calls(
    world: &SegurWorld,
    operation: Option<&str>,
) -> Result<Vec<segur_core::journal::Record>, StepFailure> {
    super::journal::records(world, "dmp", operation).await
}

/// The last DMP call of `operation`, which what the software shows must come from; its
/// absence fails the step with `shown` (what the software claimed to show).
async fn answered_by(
    world: &mut SegurWorld,
    operation: &str,
    shown: &str,
) -> Result<segur_core::journal::Record, StepFailure> {
    let calls = dmp_calls(world, Some(operation)).await?;
    let Some(last) = calls.last().cloned() else {
        return fail(format!(
            "le logiciel affiche {shown} sans que le DMP ait reçu d'appel {operation}"
        ));
    };
    world.witness([&last]);
    Ok(last)
}

/// The title a feature gave the document `unique_id`, or the id itself (for messages).
pub(super) fn title_of(world: &SegurWorld, unique_id: &str) -> String {
    world
        .documents
        .iter()
        .find(|(_, v)| *v == unique_id)
        .map_or(unique_id.to_string(), |(t, _)| t.clone())
}

pub(super) fn document_id(world: &SegurWorld, title: &str) -> Result<String, StepFailure> {
    world.documents.get(title).cloned().ok_or_else(|| {
        StepFailure::Failed(format!(
            "aucun document « {title} » envoyé dans ce scénario"
        ))
    })
}

/// An identity qualified from a world patient: created, INS fetched and accepted, a
/// passport checked.
#[given(expr = "un patient {string} qualifié avec les traits de {string}")]
async fn qualified_patient(
    world: &mut SegurWorld,
    alias: String,
    patient: String,
) -> Result<(), StepFailure> {
    super::identity::local_identity(world, alias.clone(), patient).await?;
    super::identity::qualified(world, alias, "passeport".into()).await
}

#[given(expr = "le consentement de {string} à la consultation de son DMP enregistré")]
#[when(expr = "l'utilisateur enregistre le consentement de {string} à la consultation de son DMP")]
async fn consent(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    world
        .act_ok_on(
            &alias,
            "dmp.record_consent",
            json!({ "subject": "consultation" }),
        )
        .await?;
    Ok(())
}

#[given(expr = "l'opposition de {string} à la {word} de son DMP enregistrée")]
#[given(expr = "l'opposition de {string} à l'{word} de son DMP enregistrée")]
#[when(expr = "l'utilisateur enregistre l'opposition de {string} à la {word} de son DMP")]
#[when(expr = "l'utilisateur enregistre l'opposition de {string} à l'{word} de son DMP")]
async fn opposition(
    world: &mut SegurWorld,
    alias: String,
    what: String,
) -> Result<(), StepFailure> {
    let subject = match what.as_str() {
        "consultation" => "consultation",
        "alimentation" => "feeding",
        other => {
            return fail(format!(
                "opposition « {other} » inconnue (consultation, alimentation)"
            ));
        }
    };
    world
        .act_ok_on(
            &alias,
            "dmp.record_opposition",
            json!({ "subject": subject }),
        )
        .await?;
    Ok(())
}

#[when(expr = "l'utilisateur ouvre le dossier de {string}")]
async fn check_access(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    world.act_on(&alias, "dmp.check_access", json!({})).await?;
    Ok(())
}

#[when(expr = "l'utilisateur consulte le DMP de {string}")]
async fn consult(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    world
        .act_on(&alias, "dmp.list", json!({ "authorise": true }))
        .await?;
    Ok(())
}

#[when(expr = "l'utilisateur consulte le DMP de {string} sans confirmer l'autorisation d'accès")]
async fn consult_declined(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    world
        .act_on(&alias, "dmp.list", json!({ "authorise": false }))
        .await?;
    Ok(())
}

#[when(
    expr = "l'utilisateur recherche dans le DMP de {string} les documents de classe {string} et de type {string}"
)]
async fn search(
    world: &mut SegurWorld,
    alias: String,
    class: String,
    kind: String,
) -> Result<(), StepFailure> {
    let criteria = json!({ "class_code": class, "type_code": kind });
    world
        .act_on(
            &alias,
            "dmp.list",
            json!({ "authorise": true, "criteria": criteria }),
        )
        .await?;
    Ok(())
}

/// `dmp.feed` of a consultation report (or what `extra` says), its uniqueId noted under
/// `title` when the software gives one.
pub(super) async fn feed(
    world: &mut SegurWorld,
    alias: &str,
    title: &str,
    extra: Value,
) -> Result<(), StepFailure> {
    let mut params = json!({ "kind": "cr", "title": title });
    if let (Some(p), Value::Object(extra)) = (params.as_object_mut(), extra) {
        p.extend(extra);
    }
    let reply = world.act_on(alias, "dmp.feed", params).await?;
    if reply.status == Status::Ok
        && let Some(id) = reply.result["unique_id"].as_str()
    {
        world.documents.insert(title.to_string(), id.to_string());
    }
    Ok(())
}

#[given(expr = "un compte rendu {string} envoyé au DMP de {string}")]
async fn given_fed(
    world: &mut SegurWorld,
    title: String,
    alias: String,
) -> Result<(), StepFailure> {
    feed(world, &alias, &title, json!({})).await?;
    document_id(world, &title).map(|_| ())
}

#[when(expr = "l'utilisateur envoie au DMP de {string} un compte rendu {string}")]
async fn when_feed(
    world: &mut SegurWorld,
    alias: String,
    title: String,
) -> Result<(), StepFailure> {
    feed(world, &alias, &title, json!({})).await
}

#[when(expr = "l'utilisateur envoie au DMP de {string} le volet de synthèse médicale {string}")]
async fn when_feed_vsm(
    world: &mut SegurWorld,
    alias: String,
    title: String,
) -> Result<(), StepFailure> {
    feed(world, &alias, &title, json!({ "kind": "vsm" })).await
}

#[when(expr = "l'utilisateur envoie au DMP de {string} la lettre de liaison {string}")]
async fn when_feed_letter(
    world: &mut SegurWorld,
    alias: String,
    title: String,
) -> Result<(), StepFailure> {
    feed(world, &alias, &title, json!({ "kind": "ldl" })).await
}

#[when(
    expr = "l'utilisateur envoie au DMP de {string} un compte rendu {string} masqué aux professionnels"
)]
async fn when_feed_masked(
    world: &mut SegurWorld,
    alias: String,
    title: String,
) -> Result<(), StepFailure> {
    feed(
        world,
        &alias,
        &title,
        json!({ "visibility": ["MASQUE_PS"] }),
    )
    .await
}

#[when(
    expr = "l'utilisateur envoie au DMP de {string} un compte rendu {string} invisible au patient et à ses représentants légaux"
)]
async fn when_feed_invisible(
    world: &mut SegurWorld,
    alias: String,
    title: String,
) -> Result<(), StepFailure> {
    feed(
        world,
        &alias,
        &title,
        json!({ "visibility": ["INVISIBLE_PATIENT", "INVISIBLE_REP_LEGAUX"] }),
    )
    .await
}

#[when(
    expr = "l'utilisateur envoie au DMP de {string} un document historique {string} daté du {string}"
)]
async fn when_feed_historical(
    world: &mut SegurWorld,
    alias: String,
    title: String,
    date: String,
) -> Result<(), StepFailure> {
    feed(world, &alias, &title, json!({ "date": date })).await
}

#[when(
    expr = "l'utilisateur envoie au DMP de {string} un document historique {string} dont l'auteur a quitté la structure"
)]
async fn when_feed_author_left(
    world: &mut SegurWorld,
    alias: String,
    title: String,
) -> Result<(), StepFailure> {
    feed(world, &alias, &title, json!({ "author_left": true })).await
}

#[when(
    expr = "l'utilisateur remplace le document {string} du DMP de {string} par une nouvelle version {string}"
)]
async fn replace(
    world: &mut SegurWorld,
    old: String,
    alias: String,
    title: String,
) -> Result<(), StepFailure> {
    let document = document_id(world, &old)?;
    let result = world
        .act_ok_on(
            &alias,
            "dmp.replace",
            json!({ "document": document, "title": title }),
        )
        .await?;
    if let Some(id) = result["unique_id"].as_str() {
        world.documents.insert(title, id.to_string());
    }
    Ok(())
}

/// TRE_A07 code of a visibility as the feature says it.
pub(super) fn visibility_code(french: &str) -> Result<&'static str, StepFailure> {
    Ok(match french {
        "masqué aux professionnels" => "MASQUE_PS",
        "invisible au patient" => "INVISIBLE_PATIENT",
        "invisible aux représentants légaux" => "INVISIBLE_REP_LEGAUX",
        other => return fail(format!("visibilité « {other} » inconnue")),
    })
}

#[when(expr = "l'utilisateur rend le document {string} du DMP de {string} {string}")]
async fn set_visibility(
    world: &mut SegurWorld,
    title: String,
    alias: String,
    visibility: String,
) -> Result<(), StepFailure> {
    let document = document_id(world, &title)?;
    let codes: Vec<&str> = visibility
        .split(" et ")
        .map(visibility_code)
        .collect::<Result<_, _>>()?;
    world
        .act_ok_on(
            &alias,
            "dmp.set_visibility",
            json!({ "document": document, "visibility": codes }),
        )
        .await?;
    Ok(())
}

#[when(expr = "l'utilisateur supprime le document {string} du DMP de {string}")]
async fn delete(world: &mut SegurWorld, title: String, alias: String) -> Result<(), StepFailure> {
    let document = document_id(world, &title)?;
    world
        .act_ok_on(&alias, "dmp.delete", json!({ "document": document }))
        .await?;
    Ok(())
}

#[when(expr = "l'utilisateur intègre les documents {string} du DMP de {string}")]
async fn integrate(
    world: &mut SegurWorld,
    titles: String,
    alias: String,
) -> Result<(), StepFailure> {
    let documents: Vec<String> = titles
        .split(", ")
        .map(|t| document_id(world, t).unwrap_or_else(|_| t.to_string()))
        .collect();
    world
        .act_on(&alias, "dmp.retrieve", json!({ "documents": documents }))
        .await?;
    Ok(())
}

/// Arms `action` (a fault board action) on the DMP's next `operation`.
pub(super) async fn arm_fault(
    world: &SegurWorld,
    operation: &str,
    action: Value,
) -> Result<(), StepFailure> {
    world
        .control()?
        .arm_fault(&json!({ "service": "dmp", "operation": operation, "action": action }))
        .await?;
    Ok(())
}

/// The DMP's current entry for `unique_id` (its latest version), as the control API
/// lists it.
pub(super) async fn current_entry(
    world: &SegurWorld,
    unique_id: &str,
) -> Result<Value, StepFailure> {
    world
        .control()?
        .dmp_documents()
        .await?
        .as_array()
        .into_iter()
        .flatten()
        .rfind(|d| d["unique_id"] == unique_id)
        .cloned()
        .ok_or_else(|| StepFailure::Failed(format!("le DMP ne tient aucun document {unique_id}")))
}

#[given(expr = "le DMP répond à la prochaine opération {string} par l'erreur {string}")]
async fn inject(
    world: &mut SegurWorld,
    operation: String,
    code: String,
) -> Result<(), StepFailure> {
    arm_fault(
        world,
        &operation,
        json!({ "kind": "protocol_error", "code": code, "message": "Erreur injectée par le banc" }),
    )
    .await?;
    Ok(())
}

fn shown_documents(world: &SegurWorld) -> Result<Vec<Value>, StepFailure> {
    let reply = world.last()?;
    if reply.status != Status::Ok {
        return fail(format!(
            "le logiciel n'a pas affiché de liste : {:?} {}",
            reply.status,
            reply.message.clone().unwrap_or_default()
        ));
    }
    Ok(reply.result["documents"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

fn titles(documents: &[Value]) -> Vec<String> {
    documents
        .iter()
        .filter_map(|d| d["title"].as_str().map(str::to_string))
        .collect()
}

#[then(expr = "le logiciel affiche le DMP de {string} {word}")]
async fn then_state(
    world: &mut SegurWorld,
    _alias: String,
    state: String,
) -> Result<(), StepFailure> {
    let wanted = match state.as_str() {
        "ouvert" => "open",
        "fermé" => "closed",
        "absent" => "absent",
        other => return fail(format!("état « {other} » inconnu (ouvert, fermé, absent)")),
    };
    let reply = world.last()?;
    fail_if(
        reply.status != Status::Ok || reply.result["dmp"] != wanted,
        || {
            format!(
                "DMP {state} ({wanted}) attendu, le logiciel a répondu {}",
                reply.said()
            )
        },
    )?;
    let check = answered_by(world, "TD0.2", &format!("le DMP {state}")).await?;
    let answered = check
        .response
        .as_ref()
        .map(|b| b.summary["dmp"].clone())
        .unwrap_or_default();
    fail_if(answered != wanted, || {
        format!("le logiciel affiche le DMP {state}, le DMP a répondu {answered} à TD0.2")
    })
}

#[then(expr = "le logiciel affiche les documents {string}")]
async fn then_titles(world: &mut SegurWorld, expected: String) -> Result<(), StepFailure> {
    answered_by(world, "TD3.1", "une liste de documents").await?;
    let shown = titles(&shown_documents(world)?);
    let mut wanted: Vec<String> = expected.split(", ").map(str::to_string).collect();
    let mut got = shown.clone();
    wanted.sort();
    got.sort();
    fail_if(got != wanted, || {
        format!("documents attendus {wanted:?}, affichés {shown:?}")
    })
}

#[then("le logiciel n'affiche aucun document")]
async fn then_no_document(world: &mut SegurWorld) -> Result<(), StepFailure> {
    answered_by(world, "TD3.1", "une liste de documents").await?;
    let shown = titles(&shown_documents(world)?);
    fail_if(!shown.is_empty(), || {
        format!("aucun document attendu, affichés {shown:?}")
    })
}

/// The typeCodes a feature lists, `11488-4, 11490-0`.
fn type_codes(list: &str) -> Vec<String> {
    list.split(',').map(|t| t.trim().to_string()).collect()
}

#[given(
    regex = r#"^les types de documents signalés comme nouveaux paramétrés pour (la structure|le service|la spécialité)(?: "([^"]*)")? : "([^"]*)"$"#
)]
async fn new_types(
    world: &mut SegurWorld,
    level: String,
    scope: String,
    types: String,
) -> Result<(), StepFailure> {
    let types = type_codes(&types);
    let value = match level.as_str() {
        "la structure" => json!({ "structure": types }),
        "le service" => json!({ "services": { scope: types } }),
        _ => json!({ "specialties": { scope: types } }),
    };
    world
        .act_ok(
            "settings.set",
            json!({ "name": "dmp_new_types", "value": value }),
        )
        .await
        .map(|_| ())
}

#[given(expr = "l'utilisateur travaille dans le service {string}")]
#[when(expr = "l'utilisateur passe dans le service {string}")]
async fn in_service(world: &mut SegurWorld, service: String) -> Result<(), StepFailure> {
    world
        .act_ok(
            "settings.set",
            json!({ "name": "service", "value": service }),
        )
        .await
        .map(|_| ())
}

#[then(expr = "le logiciel signale comme nouveaux les documents {string}")]
async fn then_new(world: &mut SegurWorld, expected: String) -> Result<(), StepFailure> {
    answered_by(world, "TD3.1", "une liste de documents").await?;
    let documents = shown_documents(world)?;
    let mut new: Vec<String> = documents
        .iter()
        .filter(|d| d["new"] == true)
        .filter_map(|d| d["title"].as_str().map(str::to_string))
        .collect();
    let mut wanted: Vec<String> = expected.split(", ").map(str::to_string).collect();
    new.sort();
    wanted.sort();
    fail_if(new != wanted, || {
        format!("nouveaux attendus {wanted:?}, signalés {new:?}")
    })
}

#[then(expr = "le logiciel affiche le document {string} daté du {string}")]
async fn then_dated(
    world: &mut SegurWorld,
    title: String,
    date: String,
) -> Result<(), StepFailure> {
    answered_by(world, "TD3.1", "une liste de documents").await?;
    let documents = shown_documents(world)?;
    let day = date.replace('-', "");
    let found = documents.iter().find(|d| d["title"] == title.as_str());
    fail_if(
        !found.is_some_and(|d| {
            d["creation_time"]
                .as_str()
                .is_some_and(|t| t.starts_with(&day))
        }),
        || format!("« {title} » daté du {date} attendu, affiché {found:?}"),
    )
}

#[then(expr = "le logiciel affiche le document {string} sans auteur personne physique")]
async fn then_no_person(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    answered_by(world, "TD3.1", "une liste de documents").await?;
    let documents = shown_documents(world)?;
    let found = documents.iter().find(|d| d["title"] == title.as_str());
    fail_if(!found.is_some_and(|d| d["author"].is_null()), || {
        format!("« {title} » attendu avec la seule structure pour auteur, affiché {found:?}")
    })
}

#[then(expr = "le logiciel a intégré {int} document(s) dont l'empreinte est vérifiée")]
async fn then_integrated(world: &mut SegurWorld, count: usize) -> Result<(), StepFailure> {
    let reply = world.last()?;
    let integrated = reply.result["integrated"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let checked = integrated.iter().filter(|d| d["hash_ok"] == true).count();
    expect_count("documents intégrés", count, checked)?;
    let retrieved = answered_by(world, "TD3.2", "des documents intégrés").await?;
    let returned = retrieved
        .response
        .as_ref()
        .and_then(|b| b.summary["returned"].as_u64())
        .unwrap_or(0) as usize;
    fail_if(returned < count, || {
        format!(
            "le logiciel dit avoir intégré {count} document(s), le DMP lui en a rendu {returned}"
        )
    })
}

#[then(expr = "le logiciel affiche l'erreur du DMP {string}")]
async fn then_dmp_error(world: &mut SegurWorld, code: String) -> Result<(), StepFailure> {
    let reply = world.last()?;
    let message = reply.message.clone().unwrap_or_default();
    fail_if(
        reply.status != Status::Error || !message.contains(&code),
        || {
            format!(
                "erreur {code} attendue à l'écran, le logiciel a répondu {:?} « {message} »",
                reply.status
            )
        },
    )?;
    // The error shown must be one the DMP answered.
    let calls = dmp_calls(world, None).await?;
    let Some(source) = calls.iter().rev().find(|r| {
        r.response
            .as_ref()
            .is_some_and(|b| b.summary.to_string().contains(&code))
    }) else {
        return fail(format!(
            "le logiciel affiche l'erreur {code}, que le DMP n'a répondue à aucun appel du scénario"
        ));
    };
    let source = source.clone();
    world.witness([&source]);
    Ok(())
}

#[then(expr = "le DMP a reçu {int} appel(s) {string}")]
async fn then_calls(
    world: &mut SegurWorld,
    count: usize,
    operation: String,
) -> Result<(), StepFailure> {
    let calls = dmp_calls(world, Some(&operation)).await?;
    expect_count(&format!("appels DMP {operation}"), count, calls.len())?;
    world.witness(&calls);
    Ok(())
}

#[then("le DMP n'a reçu aucun appel")]
async fn then_no_call(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let calls = dmp_calls(world, None).await?;
    let seen: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    fail_if(!calls.is_empty(), || {
        format!("aucun appel DMP attendu, reçus {seen:?}")
    })
}

#[then(expr = "le DMP a reçu {string} avant {string}")]
async fn then_order(
    world: &mut SegurWorld,
    first: String,
    then: String,
) -> Result<(), StepFailure> {
    let calls = dmp_calls(world, None).await?;
    let seen: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    let a = seen.iter().position(|o| *o == first);
    let b = seen.iter().position(|o| *o == then);
    fail_if(!matches!((a, b), (Some(a), Some(b)) if a < b), || {
        format!("{first} attendu avant {then}, le DMP a reçu {seen:?}")
    })?;
    world.witness(&calls);
    Ok(())
}

#[then(expr = "la recherche envoyée au DMP porte les critères {string}")]
async fn then_criteria(world: &mut SegurWorld, expected: String) -> Result<(), StepFailure> {
    let calls = dmp_calls(world, Some("TD3.1")).await?;
    let last = calls
        .last()
        .ok_or_else(|| StepFailure::Failed("aucune recherche TD3.1 reçue".into()))?;
    let parameters: Vec<String> = last
        .response
        .as_ref()
        .and_then(|r| r.summary["parameters"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.as_str().map(str::to_string))
        .collect();
    let missing: Vec<&str> = expected
        .split(", ")
        .filter(|e| {
            !parameters
                .iter()
                .any(|p| p == &format!("$XDSDocumentEntry{e}"))
        })
        .collect();
    fail_if(!missing.is_empty(), || {
        format!("critères {missing:?} absents de la recherche, qui portait {parameters:?}")
    })?;
    let last = last.clone();
    world.witness([&last]);
    Ok(())
}

#[then(expr = "le VIHF du dernier appel au DMP porte l'identifiant national de {string}")]
async fn then_vihf_user(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    let expected = world.control()?.professional(&professional).await?["national_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let calls = dmp_calls(world, None).await?;
    let last = calls
        .last()
        .ok_or_else(|| StepFailure::Failed("aucun appel DMP reçu".into()))?;
    let got = last.request.as_ref().and_then(|r| {
        r.summary["vihf"]["national_id"]
            .as_str()
            .map(str::to_string)
    });
    fail_if(got.as_deref() != Some(expected.as_str()), || {
        format!("NameID {expected} ({professional}) attendu dans le VIHF, reçu {got:?}")
    })?;
    let last = last.clone();
    world.witness([&last]);
    Ok(())
}

/// The DMP's own record of a document, by uniqueId (every version). The DMP holds what
/// the software's feeds and updates wrote: those calls are the exchanges judged.
pub(super) async fn held(
    world: &mut SegurWorld,
    unique_id: &str,
) -> Result<Vec<Value>, StepFailure> {
    let writes: Vec<segur_core::journal::Record> = dmp_calls(world, None)
        .await?
        .into_iter()
        .filter(|r| r.operation == "TD2.1" || r.operation == "TD3.3")
        .collect();
    world.witness(&writes);
    let all = world.control()?.dmp_documents().await?;
    Ok(all
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d["unique_id"] == unique_id)
        .collect())
}

/// The bytes the DMP holds for the current version of `unique_id` (the writes that put it
/// there are witnessed).
pub(super) async fn held_bytes(
    world: &mut SegurWorld,
    unique_id: &str,
) -> Result<Vec<u8>, StepFailure> {
    let versions = held(world, unique_id).await?;
    let Some(entry) = versions.last().and_then(|d| d["entry_uuid"].as_str()) else {
        return fail(format!("le DMP ne tient aucun document {unique_id}"));
    };
    Ok(world.control()?.dmp_document_content(entry).await?)
}

#[then(expr = "le DMP tient le document {string} au statut {string}")]
async fn then_held_status(
    world: &mut SegurWorld,
    title: String,
    status: String,
) -> Result<(), StepFailure> {
    let id = document_id(world, &title)?;
    let versions = held(world, &id).await?;
    let current = versions
        .last()
        .map(|d| d["status"].as_str().unwrap_or_default().to_string());
    fail_if(
        !current
            .as_deref()
            .is_some_and(|s| s.ends_with(&format!(":{status}"))),
        || format!("« {title} » au statut {status} attendu dans le DMP, trouvé {current:?}"),
    )
}

#[then(expr = "le DMP tient le document {string} avec la visibilité {string}")]
async fn then_held_visibility(
    world: &mut SegurWorld,
    title: String,
    expected: String,
) -> Result<(), StepFailure> {
    let id = document_id(world, &title)?;
    let versions = held(world, &id).await?;
    let current: Vec<String> = versions
        .iter()
        .rev()
        .find(|d| {
            d["status"]
                .as_str()
                .is_some_and(|s| s.ends_with(":Approved"))
        })
        .and_then(|d| d["confidentiality"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    let wanted: Vec<&str> = expected
        .split(" et ")
        .map(visibility_code)
        .collect::<Result<_, _>>()?;
    let missing: Vec<&&str> = wanted
        .iter()
        .filter(|w| !current.iter().any(|c| c == **w))
        .collect();
    fail_if(!missing.is_empty(), || {
        format!("« {title} » attendu {expected} ({wanted:?}), codes dans le DMP {current:?}")
    })
}

#[then(expr = "le DMP tient le document {string} sans masquage ni invisibilité")]
async fn then_held_visible(world: &mut SegurWorld, title: String) -> Result<(), StepFailure> {
    let id = document_id(world, &title)?;
    let versions = held(world, &id).await?;
    let Some(current) = versions.last() else {
        return fail(format!("le DMP n'a reçu aucun document « {title} »"));
    };
    let restricted: Vec<&str> = current["confidentiality"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|c| ["MASQUE_PS", "INVISIBLE_PATIENT", "INVISIBLE_REP_LEGAUX"].contains(c))
        .collect();
    fail_if(!restricted.is_empty(), || {
        format!("« {title} » attendu visible de tous, le DMP le tient avec {restricted:?}")
    })
}
