//! What the software shows of an identity on screen (`identity.display`, rule 3 and
//! rule 26's highlighting) and prints (`identity.print`, rule 32), set against INSi's
//! answer: the labels must be unambiguous (the REM's own examples), the values those
//! INSi gave, the birth date shown `JJ/MM/AAAA`.

use cucumber::then;
use cucumber::when;
use serde_json::{Value, json};

use super::identity::{answer, insi_answers};
use super::referentiel::names_of;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The labels the REM gives as unambiguous, per field (compared case-insensitively).
const LABELS: &[(&str, &[&str])] = &[
    ("birth_name", &["nom de naissance", "n. nais."]),
    (
        "first_name",
        &[
            "1er prénom de naissance",
            "premier prénom de naissance",
            "pr. 1",
        ],
    ),
    ("birth_date", &["date de naissance", "ddn"]),
    ("sex", &["sexe", "s.", "s"]),
    ("matricule_ins", &["matricule ins", "ins"]),
    ("oid", &["oid"]),
    (
        "first_names",
        &[
            "prénom(s) de naissance",
            "liste des prénom(s) de naissance",
            "pr. nais.",
        ],
    ),
    ("used_name", &["nom utilisé", "n. ut."]),
    ("used_first_name", &["prénom utilisé", "pr. ut."]),
    (
        "birthplace",
        &[
            "code lieu naissance",
            "lieu de naissance - code insee",
            "insee nais.",
            "code lieu naissance.",
        ],
    ),
];

/// The fields that must always be shown and printed.
const MANDATORY: [&str; 4] = ["birth_name", "first_name", "birth_date", "sex"];

/// The identity INSi gave for `alias` (the world patient of the 00 answer that gave its
/// INS, or of the last 00 answer when it holds none), and that record.
async fn insi_identity(
    world: &mut SegurWorld,
    alias: &str,
) -> Result<(Value, segur_core::journal::Record), StepFailure> {
    let shown = super::identity::show(world, alias).await?;
    let found = match super::identity::insi_gave(world, &shown["ins"]).await? {
        Some(r) => r,
        None => {
            let answers = insi_answers(world).await?;
            let Some(found) = answers
                .into_iter()
                .rev()
                .find(|r| answer(r, "code") == "00")
            else {
                return fail("l'INSi n'a renvoyé aucune identité dans le scénario");
            };
            found
        }
    };
    let id = answer(&found, "patient")
        .as_str()
        .unwrap_or_default()
        .to_string();
    let patient = world.control()?.patient(&id).await?;
    Ok((patient, found))
}

/// The value the screen or paper must show for `field` of the INSi identity.
fn expected_value(patient: &Value, field: &str) -> Option<String> {
    let t = &patient["traits"];
    Some(match field {
        "birth_name" => t["birth_name"].as_str()?.to_string(),
        "first_name" => names_of(&t["first_names"]).into_iter().next()?,
        "first_names" => names_of(&t["first_names"]).join(" "),
        "sex" => t["sex"].as_str()?.to_string(),
        "birth_date" => {
            let d = t["birth_date"].as_str()?;
            let (y, rest) = d.split_once('-')?;
            let (m, day) = rest.split_once('-')?;
            format!("{day}/{m}/{y}")
        }
        "birthplace" => t["birthplace"].as_str()?.to_string(),
        _ => return None,
    })
}

/// The `{field, label, value}` entries of a display or print result.
fn entries(result: &Value, key: &str) -> Vec<Value> {
    result[key].as_array().cloned().unwrap_or_default()
}

fn entry<'e>(entries: &'e [Value], field: &str) -> Option<&'e Value> {
    entries.iter().find(|e| e["field"] == field)
}

/// Each mandatory field is there, with an unambiguous label and INSi's value.
fn check_mandatory(entries: &[Value], patient: &Value, what: &str) -> Result<(), StepFailure> {
    let mut problems = Vec::new();
    for field in MANDATORY {
        let Some(e) = entry(entries, field) else {
            problems.push(format!("{field} absent"));
            continue;
        };
        let label = e["label"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .to_lowercase();
        let allowed = LABELS
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(&[][..], |(_, l)| *l);
        if !allowed.contains(&label.as_str()) {
            problems.push(format!(
                "{field} : libellé {label:?} équivoque (attendu l'un de {allowed:?})"
            ));
        }
        let expected = expected_value(patient, field);
        if e["value"].as_str() != expected.as_deref() {
            problems.push(format!(
                "{field} : {} affiché, {expected:?} renvoyé par l'INSi",
                e["value"]
            ));
        }
    }
    fail_if(!problems.is_empty(), || {
        format!("{what} : {}", problems.join(" ; "))
    })
}

/// The INS entry reads the 15 characters INSi gave, followed by its nature.
fn check_ins(entries: &[Value], ins: &Value, what: &str) -> Result<(), StepFailure> {
    let number = super::ins_number(ins);
    let nature = if ins["oid"] == "1.2.250.1.213.1.4.9" {
        "NIA"
    } else {
        "NIR"
    };
    let Some(e) = entry(entries, "matricule_ins") else {
        return fail(format!("{what} : pas de matricule INS"));
    };
    let label = e["label"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    let value = e["value"].as_str().unwrap_or_default();
    fail_if(
        !["matricule ins", "ins"].contains(&label.as_str())
            || value != format!("{number} {nature}"),
        || {
            format!(
                "{what} : matricule INS attendu « {number} {nature} » sous le libellé « Matricule INS », affiché {e}"
            )
        },
    )
}

async fn display(world: &mut SegurWorld, alias: &str) -> Result<Vec<Value>, StepFailure> {
    let shown = world
        .act_ok_on(alias, "identity.display", json!({}))
        .await?;
    Ok(entries(&shown, "fields"))
}

#[then(
    expr = "l'écran de {string} affiche les traits obligatoires avec des libellés sans équivoque"
)]
async fn screen_mandatory(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let shown = display(world, &alias).await?;
    let (patient, source) = insi_identity(world, &alias).await?;
    check_mandatory(&shown, &patient, &format!("écran de {alias}"))?;
    world.witness([&source]);
    world.judge("identity.display");
    Ok(())
}

#[then(expr = "l'écran de {string} affiche le matricule INS renvoyé par l'INSi suivi de sa nature")]
async fn screen_ins(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let shown = display(world, &alias).await?;
    let (_, source) = insi_identity(world, &alias).await?;
    check_ins(&shown, answer(&source, "ins"), &format!("écran de {alias}"))?;
    world.witness([&source]);
    Ok(())
}

#[then(
    expr = "l'écran de {string} marque non modifiables les traits stricts, le matricule INS et l'OID"
)]
async fn screen_locked(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let shown = display(world, &alias).await?;
    let open: Vec<&str> = [
        "matricule_ins",
        "oid",
        "birth_name",
        "first_names",
        "birth_date",
        "sex",
        "birthplace",
    ]
    .into_iter()
    .filter(|f| entry(&shown, f).is_none_or(|e| e["editable"] != false))
    .collect();
    fail_if(!open.is_empty(), || {
        format!(
            "écran de {alias} : {open:?} absents ou non marqués non modifiables (`editable: false`)"
        )
    })?;
    world.judge("identity.display");
    Ok(())
}

#[then(expr = "l'écran de {string} laisse modifiables le nom utilisé et le prénom utilisé")]
async fn screen_open(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let shown = display(world, &alias).await?;
    let locked: Vec<&str> = ["used_name", "used_first_name"]
        .into_iter()
        .filter(|f| entry(&shown, f).is_none_or(|e| e["editable"] != true))
        .collect();
    fail_if(!locked.is_empty(), || {
        format!("écran de {alias} : {locked:?} absents ou non modifiables")
    })?;
    world.judge("identity.display");
    Ok(())
}

#[then(expr = "l'écran de {string} n'affiche pas le nom utilisé ni le prénom utilisé")]
async fn screen_hides(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let shown = display(world, &alias).await?;
    let there: Vec<&str> = ["used_name", "used_first_name"]
        .into_iter()
        .filter(|f| entry(&shown, f).is_some())
        .collect();
    fail_if(!there.is_empty(), || {
        format!("écran de {alias} paramétré sans champs facultatifs : {there:?} affichés")
    })?;
    world.judge("identity.display");
    Ok(())
}

// ---------------------------------------------------------------- paper

#[when(expr = "l'utilisateur imprime un document de santé de {string}")]
async fn print(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let paper = world.act_ok_on(&alias, "identity.print", json!({})).await?;
    world.printed = Some((alias, paper));
    Ok(())
}

/// The last paper printed and whose it is.
fn printed(world: &SegurWorld) -> Result<(Value, String), StepFailure> {
    let (alias, paper) = world
        .printed
        .clone()
        .ok_or_else(|| StepFailure::Failed("aucune édition imprimée dans ce scénario".into()))?;
    Ok((paper, alias))
}

#[then("l'édition porte en clair les traits minimaux avec des libellés sans équivoque")]
async fn paper_mandatory(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let (paper, alias) = printed(world)?;
    let (patient, source) = insi_identity(world, &alias).await?;
    check_mandatory(&entries(&paper, "lines"), &patient, "édition")?;
    world.witness([&source]);
    world.judge("identity.print");
    Ok(())
}

#[then("l'édition porte le matricule INS renvoyé par l'INSi suivi de sa nature")]
async fn paper_ins(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let (paper, alias) = printed(world)?;
    let (_, source) = insi_identity(world, &alias).await?;
    check_ins(&entries(&paper, "lines"), answer(&source, "ins"), "édition")?;
    world.witness([&source]);
    Ok(())
}

/// The datamatrix's decoded content: the bench checks it carries the INS (15
/// characters), its OID and INSi's traits; the symbol's layout is the ANS
/// specification's, not checked here.
#[then(
    "l'édition porte un datamatrix INS avec le matricule, la clé, l'OID et les traits renvoyés par l'INSi"
)]
async fn paper_datamatrix(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let (paper, alias) = printed(world)?;
    let (patient, source) = insi_identity(world, &alias).await?;
    let Some(content) = paper["datamatrix"].as_str() else {
        return fail(format!("l'édition n'a pas de datamatrix : {paper}"));
    };
    let ins = answer(&source, "ins");
    let number = super::ins_number(ins);
    let t = &patient["traits"];
    let wanted = [
        number,
        ins["oid"].as_str().unwrap_or_default().to_string(),
        t["birth_name"].as_str().unwrap_or_default().to_string(),
        names_of(&t["first_names"]).join(" "),
        t["birth_date"]
            .as_str()
            .unwrap_or_default()
            .replace('-', ""),
    ];
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|w| !content.contains(w.as_str()))
        .collect();
    fail_if(!missing.is_empty(), || {
        format!("le datamatrix {content:?} ne porte pas {missing:?}")
    })?;
    world.witness([&source]);
    Ok(())
}

#[then("l'édition ne porte ni datamatrix ni matricule INS")]
async fn paper_without_ins(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let (paper, _) = printed(world)?;
    let lines = entries(&paper, "lines");
    fail_if(
        !paper["datamatrix"].is_null() || entry(&lines, "matricule_ins").is_some(),
        || format!("une identité non qualifiée n'a ni datamatrix ni INS sur papier : {paper}"),
    )?;
    world.judge("identity.print");
    Ok(())
}

#[then(
    expr = "l'édition porte le nom utilisé {string}, le prénom utilisé {string} et le lieu de naissance renvoyé par l'INSi"
)]
async fn paper_more(
    world: &mut SegurWorld,
    used_name: String,
    used_first_name: String,
) -> Result<(), StepFailure> {
    let (paper, alias) = printed(world)?;
    let lines = entries(&paper, "lines");
    let (patient, source) = insi_identity(world, &alias).await?;
    let birthplace = expected_value(&patient, "birthplace").unwrap_or_default();
    let mut problems = Vec::new();
    for (field, value) in [
        ("used_name", used_name.as_str()),
        ("used_first_name", used_first_name.as_str()),
        ("birthplace", birthplace.as_str()),
    ] {
        let allowed = LABELS
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(&[][..], |(_, l)| *l);
        match entry(&lines, field) {
            Some(e)
                if e["value"] == value
                    && allowed.contains(
                        &e["label"]
                            .as_str()
                            .unwrap_or_default()
                            .trim()
                            .to_lowercase()
                            .as_str(),
                    ) => {}
            other => problems.push(format!("{field} « {value} » attendu, imprimé {other:?}")),
        }
    }
    fail_if(!problems.is_empty(), || {
        format!("édition : {}", problems.join(" ; "))
    })?;
    world.witness([&source]);
    world.judge("identity.print");
    Ok(())
}
