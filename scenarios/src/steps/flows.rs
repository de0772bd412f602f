//! Identities that travel: received from another identification domain (rules 30, 51,
//! 52, 53, 55), verified in bulk (rule 46), shared with partners (rule 31), and what the
//! software's INSi call log keeps of them (rules 4, 39) and of INSi's first names
//! (rule 6).

use cucumber::{then, when};
use serde_json::{Value, json};

use super::identity::{VERIFY, answer, insi_answers};
use super::journal::records;
use super::psc::national_id;
use super::referentiel::names_of;
use crate::driver::Status;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The flow the bench hands the software: the world patient's traits and INS, as a
/// sender of another domain holds them, optionally with a document about them.
async fn flow(
    world: &SegurWorld,
    sender: &str,
    patient: &str,
    document: Option<&str>,
) -> Result<Value, StepFailure> {
    let p = world.control()?.patient(patient).await?;
    if p["ins"].is_null() {
        return fail(format!(
            "le patient {patient} du monde n'a pas d'INS à transmettre"
        ));
    }
    let t = &p["traits"];
    let mut flow = json!({
        "sender": sender,
        "traits": {
            "birth_name": t["birth_name"],
            "first_names": t["first_names"],
            "sex": t["sex"],
            "birth_date": t["birth_date"],
            "birthplace": t["birthplace"],
        },
        "ins": p["ins"],
        "status": "qualifiee",
    });
    if let Some(title) = document {
        flow["document"] = json!({ "title": title, "kind": "cr" });
    }
    Ok(flow)
}

async fn receive(
    world: &mut SegurWorld,
    alias: &str,
    sender: &str,
    patient: &str,
    document: Option<&str>,
) -> Result<(), StepFailure> {
    let flow = flow(world, sender, patient, document).await?;
    let known = world.identities.get(alias).cloned();
    let mut params = json!({ "flow": flow });
    if let Some(id) = &known {
        params["patient"] = json!(id);
    }
    let reply = world.act("identity.receive", params).await?;
    fail_if(reply.status != Status::Ok, || {
        format!(
            "le logiciel n'a pas reçu l'identité de {patient} : {}",
            reply.said()
        )
    })?;
    let Some(id) = reply.result["patient"].as_str().map(str::to_string) else {
        return fail(format!(
            "identity.receive : pas d'identité locale `patient` dans la réponse {}",
            reply.result
        ));
    };
    if let Some(known) = known {
        fail_if(known != id, || {
            format!(
                "l'identité reçue devait être rapprochée de {alias} ({known}), le logiciel l'a mise sous {id}"
            )
        })?;
    }
    world.identities.insert(alias.to_string(), id);
    world
        .world_patients
        .insert(alias.to_string(), patient.to_string());
    world.received = Some(reply.result);
    Ok(())
}

#[when(
    expr = "le logiciel reçoit pour {string} de {string} l'identité qualifiée de {string} avec son INS"
)]
async fn receives_identity(
    world: &mut SegurWorld,
    alias: String,
    sender: String,
    patient: String,
) -> Result<(), StepFailure> {
    receive(world, &alias, &sender, &patient, None).await
}

#[when(
    expr = "le logiciel reçoit pour {string} de {string} le document {string} et l'identité qualifiée de {string} avec son INS"
)]
async fn receives_document(
    world: &mut SegurWorld,
    alias: String,
    sender: String,
    title: String,
    patient: String,
) -> Result<(), StepFailure> {
    receive(world, &alias, &sender, &patient, Some(&title)).await
}

/// INSi received a verification of the very INS the flow carried.
#[then(expr = "le logiciel a vérifié auprès de l'INSi l'INS reçu pour {string}")]
async fn verified_received(world: &mut SegurWorld, patient: String) -> Result<(), StepFailure> {
    let p = world.control()?.patient(&patient).await?;
    let matricule = p["ins"]["matricule"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let calls = records(world, "insi", Some(VERIFY)).await?;
    let found = calls.iter().rev().find(|r| {
        r.request
            .as_ref()
            .is_some_and(|b| b.summary["query"].to_string().contains(&matricule))
    });
    let Some(found) = found else {
        return fail(format!(
            "l'INSi n'a reçu aucune vérification de l'INS {matricule} reçu pour {patient} \
             ({} vérification(s) dans le scénario)",
            calls.len()
        ));
    };
    let found = found.clone();
    world.witness([&found]);
    Ok(())
}

fn received(world: &SegurWorld) -> Result<&Value, StepFailure> {
    world
        .received
        .as_ref()
        .ok_or_else(|| StepFailure::Failed("aucun flux d'identité reçu dans ce scénario".into()))
}

#[then(expr = "le document reçu est intégré au dossier de {string}")]
async fn document_integrated(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let id = world.identity(&alias)?;
    let r = received(world)?;
    fail_if(
        r["integrated"] != true || r["patient"] != id.as_str(),
        || format!("le document reçu devait être intégré au dossier de {alias} ({id}) : {r}"),
    )?;
    world.judge("identity.receive");
    Ok(())
}

#[then("le document reçu n'est pas intégré mais placé sur la liste de travail avec une alerte")]
async fn document_on_worklist(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let r = received(world)?;
    let alerted = r["alert"].as_str().is_some_and(|a| !a.is_empty());
    fail_if(
        r["integrated"] != false || r["worklist"] != true || !alerted,
        || {
            format!(
                "après une vérification KO, le document ne doit pas être intégré mais placé sur la \
             liste de travail avec une alerte (`integrated: false`, `worklist: true`, `alert`) : {r}"
            )
        },
    )?;
    world.judge("identity.receive");
    Ok(())
}

#[then(expr = "le statut de l'identité {string} n'est pas {string}")]
async fn status_is_not(
    world: &mut SegurWorld,
    alias: String,
    status: String,
) -> Result<(), StepFailure> {
    let shown = super::identity::show(world, &alias).await?;
    let word = super::protocol_word(&status);
    fail_if(
        shown["status"] == word.as_str() || shown["status"].is_null(),
        || {
            format!(
                "{alias} ne devait pas être « {status} », le logiciel affiche {}",
                shown["status"]
            )
        },
    )?;
    world.judge("identity.show");
    Ok(())
}

// ---------------------------------------------------------------- sharing

#[then(
    expr = "la trace des partages de {string} liste l'envoi par messagerie à {string} par {string}"
)]
async fn shares_traced(
    world: &mut SegurWorld,
    alias: String,
    recipient: String,
    professional: String,
) -> Result<(), StepFailure> {
    let address = super::mss::address_of(world, &recipient)
        .await?
        .to_ascii_lowercase();
    let pro = world.control()?.professional(&professional).await?;
    let user = pro["national_id"].as_str().unwrap_or_default().to_string();
    let shares = world
        .act_ok_on(&alias, "identity.shares", json!({}))
        .await?;
    let found = shares["shares"].as_array().is_some_and(|all| {
        all.iter().any(|s| {
            s["channel"] == "mssante"
                && s["partner"]
                    .as_str()
                    .is_some_and(|p| p.eq_ignore_ascii_case(&address))
                && s["user"] == user.as_str()
                && s["time"].as_str().is_some_and(|t| !t.is_empty())
        })
    });
    fail_if(!found, || {
        format!(
            "la trace des partages de {alias} doit lister l'envoi MSSanté à {address} par {user}, datée : {}",
            shares["shares"]
        )
    })?;
    world.judge("identity.shares");
    Ok(())
}

// ---------------------------------------------------------------- bulk verification

#[when("l'utilisateur lance la vérification en masse des identités")]
async fn verify_all(world: &mut SegurWorld) -> Result<(), StepFailure> {
    world.act("identity.verify_all", json!({})).await?;
    Ok(())
}

#[then("le logiciel affiche pour chaque identité le résultat de vérification de l'INSi")]
async fn bulk_verdicts(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let reply = world.last()?.clone();
    let results = reply.result["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let calls = records(world, "insi", Some(VERIFY)).await?;
    fail_if(results.is_empty() || results.len() != calls.len(), || {
        format!(
            "{} résultat(s) affiché(s) pour {} vérification(s) reçue(s) par l'INSi : {}",
            results.len(),
            calls.len(),
            reply.result
        )
    })?;
    // The verdicts shown must be INSi's answers, in the order of the calls.
    let verdicts: Vec<&Value> = calls.iter().map(|c| answer(c, "verification")).collect();
    let shown: Vec<&Value> = results.iter().map(|r| &r["verdict"]).collect();
    fail_if(verdicts != shown, || {
        format!("le logiciel affiche {shown:?}, l'INSi a répondu {verdicts:?}")
    })?;
    world.witness(&calls);
    Ok(())
}

// ---------------------------------------------------------------- the INSi call log

/// The software's INSi log entries, one per call INSi received, in order.
async fn log_matching_calls(
    world: &mut SegurWorld,
) -> Result<(Vec<Value>, Vec<segur_core::journal::Record>), StepFailure> {
    let log = world.act_ok("identity.insi_log", json!({})).await?;
    let entries = log["calls"].as_array().cloned().unwrap_or_default();
    let calls = records(world, "insi", None).await?;
    fail_if(entries.len() != calls.len(), || {
        format!(
            "le journal du logiciel liste {} appel(s), l'INSi en a reçu {}",
            entries.len(),
            calls.len()
        )
    })?;
    Ok((entries, calls))
}

#[then(expr = "le journal des appels INSi du logiciel attribue les appels à {string}")]
async fn log_users(world: &mut SegurWorld, users: String) -> Result<(), StepFailure> {
    let (entries, calls) = log_matching_calls(world).await?;
    let expected: Vec<&str> = users.split(',').map(str::trim).collect();
    let seen: Vec<&str> = entries
        .iter()
        .map(|e| e["user"].as_str().unwrap_or("(aucun)"))
        .collect();
    let dated = entries
        .iter()
        .all(|e| e["time"].as_str().is_some_and(|t| !t.is_empty()));
    fail_if(seen != expected || !dated, || {
        format!(
            "journal INSi : appels attendus de {expected:?}, datés ; le logiciel liste {seen:?} : {entries:?}"
        )
    })?;
    world.witness(&calls);
    Ok(())
}

#[then(
    "le journal des appels INSi du logiciel garde le matricule, l'OID, l'historique et les traits renvoyés par l'INSi"
)]
async fn log_keeps_answer(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let (entries, calls) = log_matching_calls(world).await?;
    let Some((entry, call)) = entries
        .iter()
        .zip(&calls)
        .rev()
        .find(|(_, c)| answer(c, "code") == "00")
    else {
        return fail("l'INSi n'a renvoyé aucune identité (00) dans le scénario");
    };
    let given = answer(call, "ins").clone();
    let patient_id = answer(call, "patient")
        .as_str()
        .unwrap_or_default()
        .to_string();
    let patient = world.control()?.patient(&patient_id).await?;
    let kept = &entry["returned"];
    let mut differences = Vec::new();
    for field in ["matricule", "key", "oid"] {
        if kept["ins"][field] != given[field] {
            differences.push(format!(
                "ins.{field} : INSi {}, journal {}",
                given[field], kept["ins"][field]
            ));
        }
    }
    for field in ["birth_name", "sex", "birth_date"] {
        if kept["traits"][field] != patient["traits"][field] {
            differences.push(format!(
                "traits.{field} : INSi {}, journal {}",
                patient["traits"][field], kept["traits"][field]
            ));
        }
    }
    if names_of(&kept["traits"]["first_names"]) != names_of(&patient["traits"]["first_names"]) {
        differences.push(format!(
            "traits.first_names : INSi {}, journal {}",
            patient["traits"]["first_names"], kept["traits"]["first_names"]
        ));
    }
    let history: Vec<&Value> = patient["ins_history"]
        .as_array()
        .map(|h| h.iter().map(|e| &e["matricule"]).collect())
        .unwrap_or_default();
    let kept_history: Vec<&Value> = kept["history"]
        .as_array()
        .map(|h| h.iter().map(|e| &e["matricule"]).collect())
        .unwrap_or_default();
    if !kept["history"].is_array() || history.iter().any(|m| !kept_history.contains(m)) {
        differences.push(format!(
            "historique : INSi {history:?}, journal {}",
            kept["history"]
        ));
    }
    fail_if(!differences.is_empty(), || {
        format!(
            "le journal INSi du logiciel ne garde pas ce que l'INSi a renvoyé : {}",
            differences.join(" ; ")
        )
    })?;
    world.witness([call]);
    Ok(())
}

// ---------------------------------------------------------------- rule 6, first names

fn alerts(world: &SegurWorld) -> Result<Vec<String>, StepFailure> {
    let reply = world.last()?;
    fail_if(reply.status != Status::Ok, || {
        format!(
            "la validation de la réponse INSi a échoué : {}",
            reply.said()
        )
    })?;
    Ok(reply.result["alerts"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

#[then(
    "le logiciel alerte d'une incohérence entre le premier prénom et les prénoms renvoyés par l'INSi"
)]
async fn first_name_alert(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let alerts = alerts(world)?;
    fail_if(!alerts.iter().any(|a| a == "premier_prenom"), || {
        format!("alerte `premier_prenom` attendue à la validation, le logiciel signale {alerts:?}")
    })?;
    let answers = insi_answers(world).await?;
    let Some(last) = answers.last() else {
        return fail("aucune réponse INSi dans le scénario");
    };
    world.witness([last]);
    Ok(())
}

#[then("le logiciel n'alerte d'aucune incohérence du premier prénom")]
async fn no_first_name_alert(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let alerts = alerts(world)?;
    fail_if(alerts.iter().any(|a| a == "premier_prenom"), || {
        format!("aucune alerte de premier prénom attendue, le logiciel signale {alerts:?}")
    })
}

// ---------------------------------------------------------------- PSC to INSi

/// INSi took the call in PSC mode, for the professional the token names (INS/PSC.01).
#[then(expr = "l'INSi a reçu l'appel authentifié par le jeton Pro Santé Connect de {string}")]
async fn insi_psc_call(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    let id = national_id(world, &professional).await?;
    let calls = records(world, "insi", None).await?;
    let psc: Vec<&segur_core::journal::Record> = calls
        .iter()
        .filter(|r| {
            r.request.as_ref().is_some_and(|b| {
                b.summary["mode"] == "PSC" && b.summary["caller"]["professional"] == id.as_str()
            })
        })
        .collect();
    fail_if(psc.is_empty() || psc.len() != calls.len(), || {
        format!(
            "chaque appel INSi devait porter le jeton Pro Santé Connect de {professional} ({id}) ; \
             modes reçus : {:?}",
            calls
                .iter()
                .map(|r| r.request.as_ref().map(|b| b.summary["caller"].clone()))
                .collect::<Vec<_>>()
        )
    })?;
    world.witness(psc);
    Ok(())
}

#[then(
    expr = "le journal des appels INSi du logiciel indique l'authentification Pro Santé Connect et l'utilisateur {string}"
)]
async fn log_psc(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    let id = national_id(world, &professional).await?;
    let (entries, calls) = log_matching_calls(world).await?;
    let wrong: Vec<&Value> = entries
        .iter()
        .filter(|e| e["auth"] != "psc" || e["user"] != id.as_str())
        .collect();
    fail_if(entries.is_empty() || !wrong.is_empty(), || {
        format!(
            "journal INSi : chaque appel doit indiquer `auth: psc` et l'utilisateur {id} ; le logiciel liste {entries:?}"
        )
    })?;
    world.witness(&calls);
    Ok(())
}
