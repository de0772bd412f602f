//! The Annuaire Santé: the software searches a correspondent's MSSanté address in the
//! national API (ANN/va1.05, va1.06), integrates the public extraction on demand and on
//! the schedule the site set (ANN/va1.01, va1.04), and keeps its users and correspondents
//! up to date with it (ANN/va1.02, va1.03). Every judgement compares the software's
//! answer with what the bench's directory served, and requires the exchange it claims.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::journal::{mark, records, records_since};
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The service's name in the journal.
const ANNUAIRE: &str = "annuaire";

/// The directory's `Practitioner` of a world professional (by world id).
async fn practitioner(world: &SegurWorld, professional: &str) -> Result<Value, StepFailure> {
    let p = world.control()?.professional(professional).await?;
    let national_id = p["national_id"].as_str().unwrap_or_default().to_string();
    let directory = world.control()?.annuaire_directory().await?;
    directory["Practitioner"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["id"] == format!("003-{national_id}").as_str())
        .cloned()
        .ok_or_else(|| {
            StepFailure::Failed(format!("{professional} n'est pas dans l'Annuaire Santé"))
        })
}

fn national_id(resource: &Value) -> String {
    resource["id"]
        .as_str()
        .and_then(|id| id.strip_prefix("003-"))
        .unwrap_or_default()
        .to_string()
}

/// The mailboxes the directory gives a resource.
fn mailboxes(resource: &Value) -> Vec<String> {
    resource["telecom"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["value"].as_str().map(str::to_ascii_lowercase))
        .collect()
}

/// The directory's calls since `mark`, checked: at least one of `operation`, none with
/// an error finding; they become the scenario's evidence.
async fn witnessed_calls(
    world: &mut SegurWorld,
    since: usize,
    operation: &str,
) -> Result<(), StepFailure> {
    let calls = records_since(world, ANNUAIRE, since).await?;
    let wanted: Vec<_> = calls.iter().filter(|r| r.operation == operation).collect();
    fail_if(wanted.is_empty(), || {
        format!(
            "l'Annuaire Santé n'a reçu aucun appel « {operation} » du logiciel (reçus : {:?})",
            calls.iter().map(|r| &r.operation).collect::<Vec<_>>()
        )
    })?;
    let errors: Vec<String> = calls
        .iter()
        .flat_map(|r| r.findings.iter())
        .filter(|f| f.severity == segur_core::finding::Severity::Error)
        .map(|f| format!("{} : {}", f.rule, f.message))
        .collect();
    fail_if(!errors.is_empty(), || {
        format!("l'Annuaire Santé a relevé :\n  {}", errors.join("\n  "))
    })?;
    world.witness(calls.iter());
    Ok(())
}

#[when(expr = "l'utilisateur recherche dans l'Annuaire Santé l'adresse MSSanté de {string}")]
async fn search(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    let p = world.control()?.professional(&professional).await?;
    let since = mark(world, ANNUAIRE).await?;
    let reply = world
        .act_ok(
            "directory.search",
            json!({ "family_name": p["family_name"], "given_name": p["given_name"] }),
        )
        .await?;
    world.directory_found = Some(reply["results"].clone());
    witnessed_calls(world, since, "search Practitioner").await
}

#[then(expr = "le logiciel présente l'adresse MSSanté de {string} que donne l'Annuaire Santé")]
async fn shows_address(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    let expected = practitioner(world, &professional).await?;
    let wanted = mailboxes(&expected);
    fail_if(wanted.is_empty(), || {
        format!("{professional} n'a pas de boîte MSSanté dans l'Annuaire Santé")
    })?;
    let found = world.directory_found.clone().unwrap_or(Value::Null);
    let id = national_id(&expected);
    let shown: Vec<String> = found
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["national_id"] == id.as_str())
        .flat_map(|r| {
            r["mssante"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|m| m.as_str().map(str::to_ascii_lowercase))
        })
        .collect();
    fail_if(shown != wanted, || {
        format!(
            "le logiciel présente pour {professional} ({id}) {shown:?} ; l'Annuaire Santé donne {wanted:?}"
        )
    })?;
    world.judge("directory.search");
    Ok(())
}

#[then(expr = "le logiciel ne présente aucune adresse MSSanté pour {string}")]
async fn shows_none(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    let expected = practitioner(world, &professional).await?;
    let id = national_id(&expected);
    let found = world.directory_found.clone().unwrap_or(Value::Null);
    let listed = found
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["national_id"] == id.as_str());
    let Some(listed) = listed else {
        return fail(format!(
            "la recherche du logiciel ne présente pas {professional} ({id}), que l'Annuaire Santé connaît"
        ));
    };
    let shown = listed["mssante"].as_array().cloned().unwrap_or_default();
    fail_if(!shown.is_empty(), || {
        format!(
            "le logiciel présente pour {professional} {shown:?}, que l'Annuaire Santé ne donne pas"
        )
    })?;
    world.judge("directory.search");
    Ok(())
}

#[given("le logiciel a intégré l'extraction publique de l'Annuaire Santé")]
#[when("le logiciel intègre l'extraction publique de l'Annuaire Santé")]
async fn import(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let since = mark(world, ANNUAIRE).await?;
    world.act_ok("directory.import", json!({})).await?;
    witnessed_calls(world, since, "extraction").await
}

#[given(expr = "{string} exerce désormais sous le nom {string} selon l'Annuaire Santé")]
async fn renamed(
    world: &mut SegurWorld,
    professional: String,
    family: String,
) -> Result<(), StepFailure> {
    let p = world.control()?.professional(&professional).await?;
    let id = p["national_id"].as_str().unwrap_or_default().to_string();
    world
        .control()?
        .annuaire_change(&id, &json!({ "family_name": family }))
        .await?;
    Ok(())
}

#[given(
    expr = "la fréquence d'intégration de l'Annuaire Santé paramétrée à {int} heures dans le logiciel"
)]
async fn frequency(world: &mut SegurWorld, hours: u32) -> Result<(), StepFailure> {
    world
        .act_ok(
            "settings.set",
            json!({ "name": "directory_refresh", "value": { "every_hours": hours } }),
        )
        .await?;
    Ok(())
}

#[when(expr = "le temps avance de {int} heures")]
async fn hours_pass(world: &mut SegurWorld, hours: i64) -> Result<(), StepFailure> {
    super::setup::advance(world, hours * 3600).await
}

#[then(expr = "le logiciel a téléchargé l'extraction de l'Annuaire Santé {int} fois")]
async fn downloads(world: &mut SegurWorld, times: usize) -> Result<(), StepFailure> {
    let calls = records(world, ANNUAIRE, Some("extraction")).await?;
    super::expect_count("téléchargements de l'extraction", times, calls.len())?;
    world.witness(calls.iter());
    Ok(())
}

/// What the software shows of `professional`, compared field by field with the
/// directory's entry: name, profession, specialty, structures.
#[then(expr = "le logiciel connaît {string} comme l'Annuaire Santé le publie")]
async fn knows(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    let expected = practitioner(world, &professional).await?;
    let id = national_id(&expected);
    let shown = world
        .act_ok("directory.lookup", json!({ "national_id": id }))
        .await?;
    let directory = world.control()?.annuaire_directory().await?;
    let roles: Vec<&Value> = directory["PractitionerRole"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["practitioner"]["reference"] == format!("Practitioner/003-{id}").as_str())
        .collect();
    let structures: Vec<String> = roles
        .iter()
        .filter_map(|r| {
            let org = r["organization"]["reference"]
                .as_str()?
                .strip_prefix("Organization/")?;
            directory["Organization"]
                .as_array()?
                .iter()
                .find(|o| o["id"] == org)?["name"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
    let expect = [
        ("family_name", expected["name"][0]["family"].clone()),
        ("given_name", expected["name"][0]["given"][0].clone()),
        (
            "profession",
            expected["qualification"][0]["code"]["coding"][0]["code"].clone(),
        ),
        (
            "specialty",
            roles
                .first()
                .map(|r| r["specialty"][0]["coding"][0]["code"].clone())
                .unwrap_or(Value::Null),
        ),
    ];
    // An empty answer and an absent value say the same (a manual operator types "").
    let blank = |v: &Value| if v == "" { Value::Null } else { v.clone() };
    let mut wrong = Vec::new();
    for (field, value) in expect {
        if blank(&shown[field]) != blank(&value) {
            wrong.push(format!(
                "{field} : le logiciel {} ; l'Annuaire Santé {value}",
                shown[field]
            ));
        }
    }
    let mut have: Vec<String> = shown["structures"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    let mut want = structures;
    have.sort();
    want.sort();
    if have != want {
        wrong.push(format!(
            "structures : le logiciel {have:?} ; l'Annuaire Santé {want:?}"
        ));
    }
    fail_if(!wrong.is_empty(), || {
        format!("{professional} ({id}) :\n  {}", wrong.join("\n  "))
    })?;
    world.judge("directory.lookup");
    Ok(())
}

#[given(expr = "la boîte MSSanté de {string} fermée dans l'Annuaire Santé")]
async fn closed(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    let p = world.control()?.professional(&professional).await?;
    let address = p["mssante"]
        .as_str()
        .ok_or_else(|| StepFailure::Failed(format!("{professional} n'a pas de boîte MSSanté")))?
        .to_string();
    world.control()?.annuaire_close(&address).await?;
    Ok(())
}
