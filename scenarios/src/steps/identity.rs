//! Identities and the INSi: creating, searching, validating, qualifying, marking and
//! verifying, as the user does in the software.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use segur_core::journal::Record;

use super::journal::records;
use super::protocol_word;
use crate::driver::Status;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The INS traits of a world patient, as the software's user would type them.
async fn traits_of(world: &SegurWorld, patient: &str) -> Result<Value, StepFailure> {
    let p = world.control()?.patient(patient).await?;
    Ok(p["traits"].clone())
}

/// INSi's search operations (the verification is `verifierInsAvecTraitsIdentite`).
const SEARCHES: [&str; 2] = [
    "rechercherInsAvecTraitsIdentite",
    "rechercherInsAvecCarteVitale",
];
/// INSi's verification operation.
pub(crate) const VERIFY: &str = "verifierInsAvecTraitsIdentite";

/// The scenario's INSi searches that INSi answered (a code, not a fault), in order.
pub(crate) async fn insi_answers(world: &SegurWorld) -> Result<Vec<Record>, StepFailure> {
    Ok(records(world, "insi", None)
        .await?
        .into_iter()
        .filter(|r| SEARCHES.contains(&r.operation.as_str()) && !answer(r, "code").is_null())
        .collect())
}

/// A field of INSi's answer summary.
pub(crate) fn answer<'r>(r: &'r Record, field: &str) -> &'r Value {
    r.response
        .as_ref()
        .map_or(&Value::Null, |b| &b.summary[field])
}

/// The INSi answer that gave the INS `ins` (`{"matricule", "key", ...}`), if any.
pub(crate) async fn insi_gave(
    world: &SegurWorld,
    ins: &Value,
) -> Result<Option<Record>, StepFailure> {
    let all = records(world, "insi", None).await?;
    Ok(all.into_iter().rev().find(|r| {
        let given = answer(r, "ins");
        !ins["matricule"].is_null()
            && given["matricule"] == ins["matricule"]
            && given["key"] == ins["key"]
    }))
}

pub(crate) async fn create(
    world: &mut SegurWorld,
    alias: &str,
    traits: Value,
) -> Result<(), StepFailure> {
    let traits = json!({
        "birth_name": traits["birth_name"],
        "first_names": traits["first_names"],
        "sex": traits["sex"],
        "birth_date": traits["birth_date"],
        "birthplace": traits["birthplace"],
    });
    let result = world
        .act_ok("identity.create", json!({ "traits": traits }))
        .await?;
    let id = result["patient"].as_str().ok_or_else(|| {
        StepFailure::Failed("identity.create: pas d'identifiant `patient` dans la réponse".into())
    })?;
    world.identities.insert(alias.to_string(), id.to_string());
    world.given_traits.insert(alias.to_string(), traits);
    Ok(())
}

/// Creates `alias` from the traits of the world's `patient`, as `adjust` changes them,
/// remembering whose they are: steps about the patient's own addresses and ids look them up.
pub(crate) async fn create_as(
    world: &mut SegurWorld,
    alias: &str,
    patient: String,
    adjust: impl FnOnce(&mut Value),
) -> Result<(), StepFailure> {
    let mut traits = traits_of(world, &patient).await?;
    adjust(&mut traits);
    world.world_patients.insert(alias.to_string(), patient);
    create(world, alias, traits).await
}

#[given(expr = "une identité locale {string} créée avec les traits de {string}")]
pub(crate) async fn local_identity(
    world: &mut SegurWorld,
    alias: String,
    patient: String,
) -> Result<(), StepFailure> {
    create_as(world, &alias, patient, |_| {}).await
}

#[given(
    expr = "une identité locale {string} créée avec les traits de {string} et les prénoms {string}"
)]
async fn local_identity_first_names(
    world: &mut SegurWorld,
    alias: String,
    patient: String,
    first_names: String,
) -> Result<(), StepFailure> {
    create_as(world, &alias, patient, |traits| {
        traits["first_names"] = json!(first_names.split(' ').collect::<Vec<_>>());
    })
    .await
}

#[given(
    expr = "une identité locale {string} créée avec les traits de {string} sans lieu de naissance connu"
)]
async fn local_identity_no_birthplace(
    world: &mut SegurWorld,
    alias: String,
    patient: String,
) -> Result<(), StepFailure> {
    create_as(world, &alias, patient, |traits| {
        traits["birthplace"] = json!("99999");
    })
    .await
}

async fn fetch_by_traits(world: &mut SegurWorld, alias: &str) -> Result<(), StepFailure> {
    world
        .act_on(alias, "identity.fetch_ins_by_traits", json!({}))
        .await?;
    Ok(())
}

async fn accept(world: &mut SegurWorld, alias: &str) -> Result<(), StepFailure> {
    world
        .act_ok_on(alias, "identity.accept_ins", json!({}))
        .await?;
    Ok(())
}

/// The protocol's code of an identity document named in French.
pub(crate) fn document_code(french: &str) -> Result<&'static str, StepFailure> {
    Ok(match french {
        "carte d'identité" => "carte_identite",
        "passeport" => "passeport",
        "titre de séjour" => "titre_sejour",
        "livret de famille" => "livret_famille",
        "carte Vitale" => "carte_vitale",
        "carte de résident" => "carte_resident",
        "permis de conduire" => "permis_conduire",
        other => return fail(format!("pièce {other:?} inconnue des étapes")),
    })
}

async fn document(world: &mut SegurWorld, alias: &str, document: &str) -> Result<(), StepFailure> {
    let code = document_code(document)?;
    world
        .act_ok_on(
            alias,
            "identity.validate_document",
            json!({ "document": code }),
        )
        .await?;
    Ok(())
}

/// The user fetches the INS and validates INSi's answer; INSi must have found it.
#[given(expr = "l'INS de {string} récupéré et validé par l'utilisateur")]
pub(crate) async fn retrieved(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    fetch_by_traits(world, &alias).await?;
    let answers = insi_answers(world).await?;
    let Some(found) = answers.iter().rev().find(|r| answer(r, "code") == "00") else {
        return fail(format!(
            "récupération de l'INS de {alias} : l'INSi n'a répondu « 00 » à aucune recherche \
             ({} réponse(s) INSi dans le scénario)",
            answers.len()
        ));
    };
    world.witness([found]);
    accept(world, &alias).await
}

#[given(expr = "l'identité {string} qualifiée avec la pièce {string} et l'INSi")]
pub(crate) async fn qualified(
    world: &mut SegurWorld,
    alias: String,
    piece: String,
) -> Result<(), StepFailure> {
    retrieved(world, alias.clone()).await?;
    document(world, &alias, &piece).await
}

#[when(expr = "l'utilisateur recherche l'INS de {string} par ses traits")]
async fn when_fetch_by_traits(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    fetch_by_traits(world, &alias).await
}

#[when(expr = "l'utilisateur recherche l'INS de {string} avec la carte Vitale de {string}")]
async fn when_fetch_by_vitale(
    world: &mut SegurWorld,
    alias: String,
    patient: String,
) -> Result<(), StepFailure> {
    let p = world.control()?.patient(&patient).await?;
    let card = &p["vitale"];
    if card.is_null() {
        return fail(format!(
            "le patient {patient:?} du monde n'a pas de carte Vitale"
        ));
    }
    let own = card["rank"].as_u64() == Some(1) && p["ins"]["matricule"] == card["nir_od"];
    let vitale = json!({
        "beneficiary_nir": if own { card["nir_od"].clone() } else { Value::Null },
        "od_nir": card["nir_od"],
        "birth_name": p["traits"]["birth_name"],
        "birth_date": p["traits"]["birth_date"],
        "rank": card["rank"].as_u64().unwrap_or(1).to_string(),
    });
    world
        .act_on(
            &alias,
            "identity.fetch_ins_by_vitale",
            json!({ "vitale": vitale }),
        )
        .await?;
    Ok(())
}

#[when(expr = "l'utilisateur valide la réponse INSi de {string}")]
async fn when_accept(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    accept(world, &alias).await
}

#[given(expr = "l'utilisateur enregistre le contrôle de la pièce {string} de {string}")]
#[when(expr = "l'utilisateur enregistre le contrôle de la pièce {string} de {string}")]
async fn when_document(
    world: &mut SegurWorld,
    piece: String,
    alias: String,
) -> Result<(), StepFailure> {
    document(world, &alias, &piece).await
}

/// A document the software may refuse (a low-trust one): the reply is not judged here.
#[when(expr = "l'utilisateur présente la pièce {string} de {string}")]
async fn when_presents(
    world: &mut SegurWorld,
    piece: String,
    alias: String,
) -> Result<(), StepFailure> {
    let code = document_code(&piece)?;
    world
        .act_on(
            &alias,
            "identity.validate_document",
            json!({ "document": code }),
        )
        .await?;
    Ok(())
}

#[when(expr = "l'utilisateur marque l'identité {string} comme {word}")]
#[given(expr = "l'identité {string} marquée comme {word}")]
async fn when_mark(
    world: &mut SegurWorld,
    alias: String,
    attribute: String,
) -> Result<(), StepFailure> {
    world
        .act_ok_on(
            &alias,
            "identity.mark",
            json!({ "attribute": protocol_word(&attribute) }),
        )
        .await?;
    Ok(())
}

#[when(expr = "l'utilisateur vérifie l'INS de {string}")]
async fn when_verify(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    world
        .act_on(&alias, "identity.verify_ins", json!({}))
        .await?;
    Ok(())
}

/// The words a feature uses for an INSi search outcome.
fn outcome_word(french: &str) -> Option<&'static str> {
    Some(match french {
        "une identité trouvée" => "found",
        "aucune identité trouvée" => "not_found",
        "plusieurs identités trouvées" => "several",
        _ => return None,
    })
}

#[then(expr = "le logiciel indique {string}")]
async fn then_outcome(world: &mut SegurWorld, expected: String) -> Result<(), StepFailure> {
    let wanted = outcome_word(&expected)
        .ok_or_else(|| StepFailure::Failed(format!("résultat {expected:?} inconnu des étapes")))?;
    let reply = world.last()?;
    fail_if(
        reply.status != Status::Ok || reply.result["outcome"] != wanted,
        || {
            format!(
                "attendu « {expected} » ({wanted}), le logiciel a répondu {}",
                reply.said()
            )
        },
    )?;
    // What the software shows must be what INSi answered to its last search.
    let code = match wanted {
        "found" => "00",
        "not_found" => "01",
        _ => "02",
    };
    let answers = insi_answers(world).await?;
    let Some(last) = answers.last() else {
        return fail(format!(
            "le logiciel indique « {expected} » sans qu'aucune recherche n'ait été répondue par l'INSi"
        ));
    };
    fail_if(answer(last, "code") != code, || {
        format!(
            "le logiciel indique « {expected} » ({code}), l'INSi a répondu {} à sa dernière recherche",
            answer(last, "code")
        )
    })?;
    world.witness([last]);
    Ok(())
}

/// The software refused the answer INSi gave to its last search (there must be one).
#[then("le logiciel refuse la réponse INSi")]
async fn then_refused_answer(world: &mut SegurWorld) -> Result<(), StepFailure> {
    then_refused(world).await?;
    let answers = insi_answers(world).await?;
    let Some(last) = answers.last() else {
        return fail(
            "le logiciel dit refuser une réponse INSi, mais l'INSi n'a répondu à aucune recherche",
        );
    };
    world.witness([last]);
    Ok(())
}

#[then("le logiciel refuse l'action")]
pub(crate) async fn then_refused(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let reply = world.last()?;
    fail_if(reply.status != Status::Error, || {
        format!("refus attendu, le logiciel a répondu {}", reply.said())
    })
}

#[then(expr = "le logiciel affiche le résultat de vérification {string}")]
async fn then_verdict(world: &mut SegurWorld, verdict: String) -> Result<(), StepFailure> {
    let reply = world.last()?;
    fail_if(reply.result["verdict"] != verdict.as_str(), || {
        format!(
            "vérification {verdict} attendue, le logiciel a répondu {}",
            reply.said()
        )
    })?;
    // The verdict shown must be INSi's answer to a verification call.
    let calls = records(world, "insi", Some(VERIFY)).await?;
    let Some(last) = calls.last() else {
        return fail(format!(
            "le logiciel affiche la vérification {verdict} sans avoir appelé {VERIFY}"
        ));
    };
    fail_if(answer(last, "verification") != verdict.as_str(), || {
        format!(
            "le logiciel affiche la vérification {verdict}, l'INSi a répondu {}",
            answer(last, "verification")
        )
    })?;
    world.witness([last]);
    Ok(())
}

pub(crate) async fn show(world: &mut SegurWorld, alias: &str) -> Result<Value, StepFailure> {
    world.act_ok_on(alias, "identity.show", json!({})).await
}

#[then(expr = "le statut de l'identité {string} est {string}")]
async fn then_status(
    world: &mut SegurWorld,
    alias: String,
    status: String,
) -> Result<(), StepFailure> {
    let shown = show(world, &alias).await?;
    let wanted = protocol_word(&status);
    fail_if(shown["status"] != wanted.as_str(), || {
        format!(
            "statut « {status} » attendu pour {alias}, le logiciel affiche {}",
            shown["status"]
        )
    })?;
    // The status the scenario's own actions must lead to.
    world.judge("identity.show");
    // Retrieved and qualified identities hold an INS that INSi gave.
    if matches!(wanted.as_str(), "recuperee" | "qualifiee") {
        let Some(source) = insi_gave(world, &shown["ins"]).await? else {
            return fail(format!(
                "{alias} est « {status} » avec l'INS {}, qu'aucune réponse INSi du scénario n'a donné",
                shown["ins"]
            ));
        };
        world.witness([&source]);
    }
    Ok(())
}

#[then(expr = "l'identité {string} n'a pas d'INS")]
async fn then_no_ins(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let shown = show(world, &alias).await?;
    fail_if(!shown["ins"].is_null(), || {
        format!(
            "aucun INS attendu pour {alias}, le logiciel affiche {}",
            shown["ins"]
        )
    })
}

#[then(expr = "l'identité {string} a l'INS {string} de clé {string}")]
async fn then_ins(
    world: &mut SegurWorld,
    alias: String,
    matricule: String,
    key: String,
) -> Result<(), StepFailure> {
    let shown = show(world, &alias).await?;
    fail_if(
        shown["ins"]["matricule"] != matricule.as_str() || shown["ins"]["key"] != key.as_str(),
        || {
            format!(
                "INS {matricule} {key} attendu pour {alias}, le logiciel affiche {}",
                shown["ins"]
            )
        },
    )?;
    let Some(source) = insi_gave(world, &shown["ins"]).await? else {
        return fail(format!(
            "le logiciel affiche l'INS {matricule} {key}, qu'aucune réponse INSi du scénario n'a donné"
        ));
    };
    world.witness([&source]);
    Ok(())
}

#[then(expr = "la nature de l'INS de {string} est {string}")]
async fn then_nature(
    world: &mut SegurWorld,
    alias: String,
    nature: String,
) -> Result<(), StepFailure> {
    let shown = show(world, &alias).await?;
    fail_if(shown["ins"]["nature"] != nature.as_str(), || {
        format!(
            "INS de nature {nature} attendu, le logiciel affiche {}",
            shown["ins"]
        )
    })?;
    let Some(source) = insi_gave(world, &shown["ins"]).await? else {
        return fail(format!(
            "le logiciel affiche l'INS {}, qu'aucune réponse INSi du scénario n'a donné",
            shown["ins"]
        ));
    };
    world.witness([&source]);
    Ok(())
}

#[then(expr = "les prénoms de l'identité {string} sont {string}")]
async fn then_first_names(
    world: &mut SegurWorld,
    alias: String,
    first_names: String,
) -> Result<(), StepFailure> {
    let shown = show(world, &alias).await?;
    let seen: Vec<&str> = shown["traits"]["first_names"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    fail_if(seen.join(" ") != first_names, || {
        format!("prénoms « {first_names} » attendus pour {alias}, le logiciel affiche {seen:?}")
    })
}

/// The traits of the last INSi traits search are the identity's as the software holds
/// them: the same birth name (hyphens, double hyphens, apostrophes and spaces kept), sex,
/// birth date and birthplace when sent, and first names it holds.
#[then(expr = "l'INSi a reçu les traits de l'identité {string}")]
async fn then_insi_got_traits(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let shown = show(world, &alias).await?;
    let held = &shown["traits"];
    let searches = records(world, "insi", Some(SEARCHES[0])).await?;
    let Some(last) = searches.last() else {
        return fail(format!(
            "l'INSi n'a reçu aucune recherche par traits pour {alias}"
        ));
    };
    let sent = last
        .request
        .as_ref()
        .map(|b| b.summary["query"].clone())
        .unwrap_or_default();
    let mut differences = Vec::new();
    for field in ["birth_name", "sex", "birth_date"] {
        if sent[field] != held[field] {
            differences.push(format!(
                "{field} : envoyé {}, tenu {}",
                sent[field], held[field]
            ));
        }
    }
    if !sent["birthplace"].is_null() && sent["birthplace"] != held["birthplace"] {
        differences.push(format!(
            "birthplace : envoyé {}, tenu {}",
            sent["birthplace"], held["birthplace"]
        ));
    }
    let held_first: Vec<&str> = held["first_names"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let sent_first: Vec<&str> = sent["first_names"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .flat_map(str::split_whitespace)
                .collect()
        })
        .unwrap_or_default();
    if sent_first.is_empty() || sent_first.iter().any(|f| !held_first.contains(f)) {
        differences.push(format!(
            "prénoms : envoyé {sent_first:?}, tenus {held_first:?}"
        ));
    }
    fail_if(!differences.is_empty(), || {
        format!(
            "les traits envoyés à l'INSi ne sont pas ceux que le logiciel tient pour {alias} : {}",
            differences.join(" ; ")
        )
    })?;
    world.witness([last]);
    Ok(())
}

/// After validation the software holds INSi's traits, field by field: the birth name,
/// the first names as a list, sex, birth date and birthplace (unless INSi sent it empty).
#[then(expr = "les traits de l'identité {string} sont ceux renvoyés par l'INSi")]
async fn then_traits_from_insi(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let shown = show(world, &alias).await?;
    let held = shown["traits"].clone();
    let answers = insi_answers(world).await?;
    let Some(found) = answers
        .iter()
        .rev()
        .find(|r| answer(r, "code") == "00")
        .cloned()
    else {
        return fail(format!("l'INSi n'a renvoyé aucune identité pour {alias}"));
    };
    let patient_id = answer(&found, "patient")
        .as_str()
        .unwrap_or_default()
        .to_string();
    let patient = world.control()?.patient(&patient_id).await?;
    let given = &patient["traits"];
    let empty: Vec<&str> = patient["insi"]["empty_traits"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut differences = Vec::new();
    for (field, element) in [
        ("birth_name", "NomNaissance"),
        ("first_names", "ListePrenom"),
        ("sex", "Sexe"),
        ("birth_date", "DateNaissance"),
        ("birthplace", "LieuNaissance"),
    ] {
        if !empty.contains(&element) && held[field] != given[field] {
            differences.push(format!(
                "{field} : INSi {}, logiciel {}",
                given[field], held[field]
            ));
        }
    }
    fail_if(!differences.is_empty(), || {
        format!(
            "les traits de {alias} ne sont pas ceux de l'INSi : {}",
            differences.join(" ; ")
        )
    })?;
    world.witness([&found]);
    Ok(())
}

#[then(expr = "l'historique des statuts de {string} contient {string}")]
async fn then_status_history(
    world: &mut SegurWorld,
    alias: String,
    status: String,
) -> Result<(), StepFailure> {
    let shown = show(world, &alias).await?;
    let wanted = protocol_word(&status);
    let found = shown["status_history"]
        .as_array()
        .is_some_and(|h| h.iter().any(|c| c["status"] == wanted.as_str()));
    fail_if(!found, || {
        format!(
            "statut « {status} » absent de l'historique: {}",
            shown["status_history"]
        )
    })
}

#[then(expr = "l'historique INS de {string} contient le matricule {string}")]
async fn then_ins_history(
    world: &mut SegurWorld,
    alias: String,
    matricule: String,
) -> Result<(), StepFailure> {
    let shown = show(world, &alias).await?;
    let found = shown["ins_history"].as_array().is_some_and(|h| {
        h.iter()
            .any(|e| e["ins"]["matricule"] == matricule.as_str())
    });
    fail_if(!found, || {
        format!(
            "matricule {matricule} absent de l'historique INS: {}",
            shown["ins_history"]
        )
    })
}

#[then(expr = "le journal des appels INSi du logiciel liste {string}")]
async fn then_insi_log(world: &mut SegurWorld, expected: String) -> Result<(), StepFailure> {
    let log = world.act_ok("identity.insi_log", json!({})).await?;
    let seen: Vec<String> = log["calls"]
        .as_array()
        .map(|calls| {
            calls
                .iter()
                .map(|c| {
                    let mut entry = format!(
                        "{} {}",
                        c["mode"].as_str().unwrap_or("?"),
                        c["code"].as_str().unwrap_or("sans code")
                    );
                    if let Some(v) = c["verdict"].as_str() {
                        entry.push(' ');
                        entry.push_str(v);
                    }
                    entry
                })
                .collect()
        })
        .unwrap_or_default();
    let wanted: Vec<String> = expected.split(',').map(|s| s.trim().to_string()).collect();
    fail_if(seen != wanted, || {
        format!("journal INSi attendu {wanted:?}, le logiciel liste {seen:?}")
    })?;
    // The software's trace must be the calls INSi received, one for one.
    let calls = records(world, "insi", None).await?;
    let received: Vec<String> = calls
        .iter()
        .map(|r| {
            let mode = match r.operation.as_str() {
                "rechercherInsAvecCarteVitale" => "recuperation_vitale",
                VERIFY => "verification",
                _ => "recuperation_traits",
            };
            let mut entry = format!(
                "{mode} {}",
                answer(r, "code").as_str().unwrap_or("sans code")
            );
            if let Some(v) = answer(r, "verification").as_str() {
                entry.push(' ');
                entry.push_str(v);
            }
            entry
        })
        .collect();
    fail_if(received != seen, || {
        format!("le journal du logiciel liste {seen:?}, l'INSi a reçu {received:?}")
    })?;
    world.witness(&calls);
    Ok(())
}
