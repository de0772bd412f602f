//! The software's identity repository as its user sees it: creating identities with the
//! mandatory traits (rule 5), the ten fields of the record (rule 1), the local search
//! (rule 17), modifying traits (rules 16, 26, 27), users and their rights (rule 4), the
//! site's settings (rule 19) and what the software traces.
//!
//! Most of what is judged here is what the software reports, set against what the bench
//! gave it (the traits it typed, the users it logged in, the settings it made) or what
//! INSi answered: each such step notes the action it judged ([`SegurWorld::judge`]).

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::identity::{create, create_as, insi_answers, insi_gave, show};
use crate::driver::Status;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The protocol's name of an identity field named in French.
pub(crate) fn field_code(french: &str) -> Result<&'static str, StepFailure> {
    Ok(match french {
        "nom de naissance" => "birth_name",
        "prénoms de naissance" => "first_names",
        "premier prénom de naissance" => "first_name",
        "date de naissance" => "birth_date",
        "sexe" => "sex",
        "lieu de naissance" => "birthplace",
        "matricule INS" => "matricule_ins",
        "OID" => "oid",
        "nom utilisé" => "used_name",
        "prénom utilisé" => "used_first_name",
        other => return fail(format!("champ {other:?} inconnu des étapes")),
    })
}

/// The ten fields of rule 1, as `identity.show` names them in `fields`.
pub(crate) const RECORD_FIELDS: [&str; 10] = [
    "matricule_ins",
    "oid",
    "birth_name",
    "first_names",
    "first_name",
    "birth_date",
    "sex",
    "birthplace",
    "used_name",
    "used_first_name",
];

/// The identity's record as the software shows it (`identity.show`'s `fields`).
async fn fields(world: &mut SegurWorld, alias: &str) -> Result<Value, StepFailure> {
    let shown = show(world, alias).await?;
    let fields = shown["fields"].clone();
    if !fields.is_object() {
        return fail(format!(
            "identity.show de {alias} : pas d'objet `fields` (les dix champs de l'identité) dans {shown}"
        ));
    }
    Ok(fields)
}

/// A text field of the record, `None` when empty or absent.
fn text<'v>(fields: &'v Value, name: &str) -> Option<&'v str> {
    fields[name].as_str().filter(|s| !s.is_empty())
}

/// First names as a list, whether the software gives a list or one string.
pub(crate) fn names_of(value: &Value) -> Vec<String> {
    match value {
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .flat_map(str::split_whitespace)
            .map(str::to_string)
            .collect(),
        Value::String(s) => s.split_whitespace().map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------- creation

#[when(
    regex = r#"^l'utilisateur crée l'identité "([^"]*)" avec les traits de "([^"]*)" sans (.+)$"#
)]
async fn create_without(
    world: &mut SegurWorld,
    alias: String,
    patient: String,
    missing: String,
) -> Result<(), StepFailure> {
    let p = world.control()?.patient(&patient).await?;
    let mut traits = json!({
        "birth_name": p["traits"]["birth_name"],
        "first_names": p["traits"]["first_names"],
        "sex": p["traits"]["sex"],
        "birth_date": p["traits"]["birth_date"],
        "birthplace": p["traits"]["birthplace"],
    });
    let field = match field_code(&missing)? {
        "first_name" => "first_names",
        other => other,
    };
    if let Some(t) = traits.as_object_mut() {
        t.remove(field);
    }
    let reply = world
        .act("identity.create", json!({ "traits": traits }))
        .await?;
    if reply.status == Status::Ok
        && let Some(id) = reply.result["patient"].as_str()
    {
        world.identities.insert(alias, id.to_string());
    }
    Ok(())
}

#[when(expr = "l'utilisateur crée l'identité {string} avec les traits de {string}")]
async fn create_with(
    world: &mut SegurWorld,
    alias: String,
    patient: String,
) -> Result<(), StepFailure> {
    create_as(world, &alias, patient, |_| {}).await
}

#[when(
    expr = "l'utilisateur crée l'identité {string} avec les seuls traits obligatoires de {string}"
)]
async fn create_mandatory_only(
    world: &mut SegurWorld,
    alias: String,
    patient: String,
) -> Result<(), StepFailure> {
    create_as(world, &alias, patient, |traits| {
        let first = names_of(&traits["first_names"]).into_iter().next();
        traits["first_names"] = json!(first.into_iter().collect::<Vec<_>>());
    })
    .await
}

/// A table of identities the bench types in (column names in French).
#[given("les identités locales suivantes :")]
async fn local_identities(world: &mut SegurWorld, step: &Step) -> Result<(), StepFailure> {
    let Some(table) = step.table.as_ref() else {
        return fail("la liste des identités attend un tableau");
    };
    let header = table.rows.first().cloned().unwrap_or_default();
    for row in table.rows.iter().skip(1) {
        let cell = |name: &str| -> String {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| row.get(i))
                .cloned()
                .unwrap_or_default()
        };
        let alias = cell("identité");
        let traits = json!({
            "birth_name": cell("nom de naissance"),
            "first_names": cell("prénoms").split_whitespace().collect::<Vec<_>>(),
            "sex": cell("sexe"),
            "birth_date": cell("date de naissance"),
            "birthplace": cell("lieu de naissance"),
        });
        create(world, &alias, traits).await?;
        let used = cell("nom utilisé");
        if !used.is_empty() {
            world
                .act_ok_on(
                    &alias,
                    "identity.update",
                    json!({ "changes": { "used_name": used } }),
                )
                .await?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- the record

#[then(
    expr = "la fiche de {string} a les champs matricule INS, OID, nom de naissance, prénoms de naissance, premier prénom de naissance, date de naissance, sexe, lieu de naissance, nom utilisé et prénom utilisé"
)]
async fn record_has_fields(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let fields = fields(world, &alias).await?;
    let missing: Vec<&str> = RECORD_FIELDS
        .iter()
        .copied()
        .filter(|f| fields.get(f).is_none())
        .collect();
    fail_if(!missing.is_empty(), || {
        format!("la fiche de {alias} n'a pas les champs {missing:?} : {fields}")
    })?;
    // Each filled field must hold what the identity is: the traits held, the first one
    // of the first names.
    let first = names_of(&fields["first_names"]).into_iter().next();
    fail_if(text(&fields, "first_name") != first.as_deref(), || {
        format!(
            "premier prénom de naissance {} : ce n'est pas le premier des prénoms {}",
            fields["first_name"], fields["first_names"]
        )
    })?;
    world.judge("identity.show");
    Ok(())
}

#[then(expr = "la fiche de {string} porte le matricule INS et l'OID renvoyés par l'INSi")]
async fn record_has_insi_ins(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let fields = fields(world, &alias).await?;
    let shown = show(world, &alias).await?;
    let Some(source) = insi_gave(world, &shown["ins"]).await? else {
        return fail(format!(
            "la fiche de {alias} porte l'INS {}, qu'aucune réponse INSi du scénario n'a donné",
            shown["ins"]
        ));
    };
    let given = super::identity::answer(&source, "ins").clone();
    let number = super::ins_number(&given);
    fail_if(
        text(&fields, "matricule_ins") != Some(number.as_str()) || fields["oid"] != given["oid"],
        || {
            format!(
                "la fiche de {alias} porte le matricule {} et l'OID {}, l'INSi a renvoyé {number} et {}",
                fields["matricule_ins"], fields["oid"], given["oid"]
            )
        },
    )?;
    world.witness([&source]);
    Ok(())
}

#[then(expr = "la fiche de {string} montre les traits de {string}")]
async fn record_shows_traits(
    world: &mut SegurWorld,
    alias: String,
    patient: String,
) -> Result<(), StepFailure> {
    let p = world.control()?.patient(&patient).await?;
    let expected = &p["traits"];
    let fields = fields(world, &alias).await?;
    let mut differences = Vec::new();
    for name in ["birth_name", "sex", "birth_date", "birthplace"] {
        if fields[name] != expected[name] {
            differences.push(format!(
                "{name} : attendu {}, affiché {}",
                expected[name], fields[name]
            ));
        }
    }
    let first = names_of(&expected["first_names"]).into_iter().next();
    if text(&fields, "first_name") != first.as_deref() {
        differences.push(format!(
            "premier prénom : attendu {first:?}, affiché {}",
            fields["first_name"]
        ));
    }
    fail_if(!differences.is_empty(), || {
        format!(
            "la fiche de {alias} ne montre pas les traits de {patient} : {}",
            differences.join(" ; ")
        )
    })?;
    world.judge("identity.show");
    Ok(())
}

/// One field of the record holds `value`.
async fn record_field_is(
    world: &mut SegurWorld,
    alias: &str,
    field: &str,
    value: &str,
) -> Result<(), StepFailure> {
    let fields = fields(world, alias).await?;
    let seen = match &fields[field] {
        Value::Array(_) => names_of(&fields[field]).join(" "),
        v => v.as_str().unwrap_or_default().to_string(),
    };
    fail_if(seen != value, || {
        format!("{field} « {value} » attendu sur la fiche de {alias}, le logiciel affiche {seen:?}")
    })?;
    world.judge("identity.show");
    Ok(())
}

#[then(expr = "la fiche de {string} a le nom utilisé {string} et le prénom utilisé {string}")]
async fn record_used_names(
    world: &mut SegurWorld,
    alias: String,
    used_name: String,
    used_first_name: String,
) -> Result<(), StepFailure> {
    record_field_is(world, &alias, "used_name", &used_name).await?;
    record_field_is(world, &alias, "used_first_name", &used_first_name).await
}

#[then(expr = "la fiche de {string} a le nom de naissance {string}")]
async fn record_birth_name(
    world: &mut SegurWorld,
    alias: String,
    name: String,
) -> Result<(), StepFailure> {
    record_field_is(world, &alias, "birth_name", &name).await
}

#[then(expr = "la fiche de {string} a le premier prénom de naissance {string}")]
async fn record_first_name(
    world: &mut SegurWorld,
    alias: String,
    name: String,
) -> Result<(), StepFailure> {
    record_field_is(world, &alias, "first_name", &name).await
}

#[then(expr = "la fiche de {string} a pour justificatif {string}")]
async fn record_document(
    world: &mut SegurWorld,
    alias: String,
    piece: String,
) -> Result<(), StepFailure> {
    let code = super::identity::document_code(&piece)?;
    let shown = show(world, &alias).await?;
    fail_if(shown["document"] != code, || {
        format!(
            "justificatif {code} attendu sur la fiche de {alias}, le logiciel affiche {}",
            shown["document"]
        )
    })?;
    world.judge("identity.show");
    Ok(())
}

#[when(expr = "l'utilisateur ouvre la fiche de {string}")]
async fn open_record(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    world.act_on(&alias, "identity.show", json!({})).await?;
    Ok(())
}

#[given(expr = "l'identité {string} dont l'INS est récupéré et validé")]
async fn retrieved_identity(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    super::identity::retrieved(world, alias).await
}

// ---------------------------------------------------------------- local search

async fn search(world: &mut SegurWorld, query: Value) -> Result<(), StepFailure> {
    world.act("identity.search_local", query).await?;
    Ok(())
}

#[when(expr = "l'utilisateur recherche les identités nées le {string}")]
async fn search_by_date(world: &mut SegurWorld, date: String) -> Result<(), StepFailure> {
    search(world, json!({ "birth_date": date })).await
}

#[when(
    expr = "l'utilisateur recherche les identités nées le {string} au nom commençant par {string}"
)]
async fn search_by_date_name(
    world: &mut SegurWorld,
    date: String,
    name: String,
) -> Result<(), StepFailure> {
    search(world, json!({ "birth_date": date, "name": name })).await
}

#[when(expr = "l'utilisateur recherche les identités au nom commençant par {string}")]
async fn search_by_name(world: &mut SegurWorld, name: String) -> Result<(), StepFailure> {
    search(world, json!({ "name": name })).await
}

/// The INS INSi gave in its last 00 answer: the 15 characters and the record.
async fn last_ins_given(
    world: &SegurWorld,
) -> Result<(String, segur_core::journal::Record), StepFailure> {
    let answers = insi_answers(world).await?;
    let Some(found) = answers
        .into_iter()
        .rev()
        .find(|r| super::identity::answer(r, "code") == "00")
    else {
        return fail("l'INSi n'a renvoyé aucun INS dans le scénario");
    };
    let ins = super::identity::answer(&found, "ins");
    let number = super::ins_number(ins);
    Ok((number, found))
}

#[when(
    regex = r#"^l'utilisateur recherche une identité par l'INS de "([^"]*)"( avec une clé fausse| sans sa clé)?$"#
)]
async fn search_by_ins(
    world: &mut SegurWorld,
    alias: String,
    variant: String,
) -> Result<(), StepFailure> {
    world.identity(&alias)?;
    let (number, source) = last_ins_given(world).await?;
    let typed = match variant.trim() {
        "avec une clé fausse" => {
            let key: u32 = number[13..].parse().unwrap_or(0);
            format!("{}{:02}", &number[..13], (key + 1) % 98)
        }
        "sans sa clé" => number[..13].to_string(),
        _ => number,
    };
    world.witness([&source]);
    search(world, json!({ "ins": typed })).await
}

#[then(expr = "la recherche trouve {string}")]
async fn search_found(world: &mut SegurWorld, aliases: String) -> Result<(), StepFailure> {
    let reply = world.last()?.clone();
    fail_if(reply.status != Status::Ok, || {
        format!("la recherche a échoué : {}", reply.said())
    })?;
    let mut expected = Vec::new();
    for alias in aliases.split(',').map(str::trim) {
        expected.push(world.identity(alias)?);
    }
    expected.sort();
    let mut seen: Vec<String> = reply.result["patients"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["patient"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    seen.sort();
    fail_if(seen != expected, || {
        format!("la recherche devait trouver {aliases} ({expected:?}), le logiciel liste {seen:?}")
    })?;
    world.judge("identity.search_local");
    Ok(())
}

#[then(expr = "la recherche des identités nées comme {string} trouve {string}")]
async fn search_born_as(
    world: &mut SegurWorld,
    patient: String,
    aliases: String,
) -> Result<(), StepFailure> {
    let p = world.control()?.patient(&patient).await?;
    let date = p["traits"]["birth_date"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    search(world, json!({ "birth_date": date })).await?;
    search_found(world, aliases).await
}

// ---------------------------------------------------------------- modification

/// The `changes` of `identity.update` for one field named in French.
fn change(field: &str, value: &str) -> Result<Value, StepFailure> {
    let code = field_code(field)?;
    let value = if code == "first_names" {
        json!(value.split_whitespace().collect::<Vec<_>>())
    } else {
        json!(value)
    };
    Ok(json!({ "changes": { code: value } }))
}

/// A modification the scenario then judges (the software may refuse it).
#[when(expr = "l'utilisateur modifie le champ {string} de {string} en {string}")]
async fn modify(
    world: &mut SegurWorld,
    field: String,
    alias: String,
    value: String,
) -> Result<(), StepFailure> {
    let changes = change(&field, &value)?;
    world.act_on(&alias, "identity.update", changes).await?;
    Ok(())
}

/// A modification the scenario needs made.
#[given(expr = "l'utilisateur modifie le champ {string} de {string} en {string}")]
async fn modified(
    world: &mut SegurWorld,
    field: String,
    alias: String,
    value: String,
) -> Result<(), StepFailure> {
    let changes = change(&field, &value)?;
    world.act_ok_on(&alias, "identity.update", changes).await?;
    Ok(())
}

#[then(
    expr = "le logiciel a propagé la modification de {string} par un message HL7 {word} au nom {string} sans INS"
)]
async fn propagated(
    world: &mut SegurWorld,
    alias: String,
    kind: String,
    name: String,
) -> Result<(), StepFailure> {
    let id = world.identity(&alias)?;
    let outbox = world.act_ok("hl7.outbox", json!({})).await?;
    let messages: Vec<String> = outbox["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|m| m["message"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut read = Vec::new();
    for text in messages.iter().rev() {
        let Ok(parsed) = segur_documents::hl7::parse(text) else {
            continue;
        };
        let (identity, _) = segur_documents::hl7::pid_identity(&parsed);
        let names_patient = parsed.segment("PID").is_some_and(|pid| {
            pid.field(3)
                .split('~')
                .any(|r| r.split('^').next() == Some(id.as_str()))
        });
        if parsed.kind == kind && names_patient {
            let identity = identity.unwrap_or_default();
            fail_if(
                identity.birth_name != name || identity.ins.is_some(),
                || {
                    format!(
                        "le message {kind} de {alias} porte le nom {:?} et l'INS {:?} ; attendus {name} sans INS",
                        identity.birth_name, identity.ins
                    )
                },
            )?;
            world.judge("hl7.outbox");
            return Ok(());
        }
        read.push(parsed.kind);
    }
    fail(format!(
        "aucun message {kind} pour {alias} ({id}) dans ce que le logiciel a émis : {read:?}"
    ))
}

// ---------------------------------------------------------------- users and rights

/// The rights of a user the bench logs in: call INSi, access identities, modify the
/// strict traits (a "super utilisateur", an identity-vigilance officer).
async fn switch_user(
    world: &mut SegurWorld,
    user: &str,
    rights: &[&str],
) -> Result<(), StepFailure> {
    world
        .act_ok("user.switch", json!({ "user": user, "rights": rights }))
        .await?;
    Ok(())
}

#[given(expr = "l'utilisateur {string} connecté au logiciel")]
async fn user_logged_in(world: &mut SegurWorld, user: String) -> Result<(), StepFailure> {
    switch_user(world, &user, &["insi", "ins"]).await
}

#[given(expr = "l'utilisateur {string} connecté au logiciel sans le droit {string}")]
async fn user_without(
    world: &mut SegurWorld,
    user: String,
    right: String,
) -> Result<(), StepFailure> {
    let rights: &[&str] = match right.as_str() {
        "INSi" => &["ins"],
        "INS" => &["insi"],
        other => return fail(format!("droit {other:?} inconnu des étapes (INSi, INS)")),
    };
    switch_user(world, &user, rights).await
}

#[given(expr = "l'utilisateur {string} connecté au logiciel avec le profil super utilisateur")]
async fn super_user(world: &mut SegurWorld, user: String) -> Result<(), StepFailure> {
    switch_user(world, &user, &["insi", "ins", "identity_admin"]).await
}

// ---------------------------------------------------------------- traces

/// An entry of the identity's trace (`identity.audit`) by `user`, of `action`, on
/// `field` when given, dated within the scenario.
async fn traced(
    world: &mut SegurWorld,
    alias: &str,
    action: &str,
    field: Option<&str>,
    user: &str,
) -> Result<(), StepFailure> {
    let trace = world.act_ok_on(alias, "identity.audit", json!({})).await?;
    let entries = trace["entries"].as_array().cloned().unwrap_or_default();
    let started = world
        .started_at
        .unwrap_or_else(time::OffsetDateTime::now_utc)
        - time::Duration::minutes(5);
    let latest = time::OffsetDateTime::now_utc() + time::Duration::minutes(5);
    let found = entries.iter().any(|e| {
        let when = e["time"].as_str().and_then(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
        });
        e["action"] == action
            && e["user"] == user
            && field.is_none_or(|f| e["field"] == f)
            && when.is_some_and(|t| t >= started && t <= latest)
    });
    fail_if(!found, || {
        format!(
            "la trace de {alias} n'a pas d'entrée {action}{} par {user} datée du scénario : {}",
            field.map(|f| format!(" du champ {f}")).unwrap_or_default(),
            Value::Array(entries.clone())
        )
    })?;
    world.judge("identity.audit");
    Ok(())
}

#[then(expr = "la trace de {string} contient la modification du champ {string} par {string}")]
async fn trace_modification(
    world: &mut SegurWorld,
    alias: String,
    field: String,
    user: String,
) -> Result<(), StepFailure> {
    let code = field_code(&field)?;
    traced(world, &alias, "modification", Some(code), &user).await
}

#[then(expr = "la trace de {string} contient la consultation par {string}")]
async fn trace_access(
    world: &mut SegurWorld,
    alias: String,
    user: String,
) -> Result<(), StepFailure> {
    traced(world, &alias, "consultation", None, &user).await
}

// ---------------------------------------------------------------- settings

async fn setting(world: &mut SegurWorld, name: &str, value: Value) -> Result<(), StepFailure> {
    world
        .act_ok("settings.set", json!({ "name": name, "value": value }))
        .await?;
    Ok(())
}

#[given(
    expr = "les justificatifs paramétrés {string} à haut niveau de confiance et {string} à faible niveau"
)]
async fn documents_set(
    world: &mut SegurWorld,
    high: String,
    low: String,
) -> Result<(), StepFailure> {
    let high = super::identity::document_code(&high)?;
    let low = super::identity::document_code(&low)?;
    setting(
        world,
        "justificatifs",
        json!({ high: "haut", low: "faible" }),
    )
    .await
}

#[given("la validation automatique sur pièce à haut niveau de confiance désactivée")]
async fn no_auto_validation(world: &mut SegurWorld) -> Result<(), StepFailure> {
    setting(world, "auto_validation", json!(false)).await
}

#[given("l'affichage de l'identité paramétré sans les champs facultatifs")]
async fn display_mandatory_only(world: &mut SegurWorld) -> Result<(), StepFailure> {
    setting(world, "displayed_fields", json!([])).await
}

#[given("les éditions paramétrées avec le nom utilisé, le prénom utilisé et le lieu de naissance")]
async fn print_more(world: &mut SegurWorld) -> Result<(), StepFailure> {
    setting(
        world,
        "printed_fields",
        json!(["used_name", "used_first_name", "birthplace"]),
    )
    .await
}

#[given(expr = "l'émetteur {string} déclaré sous contrat de confiance")]
async fn trusted_sender(world: &mut SegurWorld, sender: String) -> Result<(), StepFailure> {
    setting(world, "trusted_senders", json!([sender])).await
}

#[when(expr = "l'utilisateur valide manuellement l'identité {string}")]
async fn validate_by_hand(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    world
        .act_ok_on(&alias, "identity.validate", json!({}))
        .await?;
    Ok(())
}
