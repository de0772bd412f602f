//! What the simulators received and what their rules found, read from the journal of
//! the scenario.

use cucumber::then;
use segur_core::finding::Severity;
use segur_core::journal::Record;

use super::expect_count;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The scenario's journal records of `service`, optionally of one `operation`, in order.
pub(crate) async fn records(
    world: &SegurWorld,
    service: &str,
    operation: Option<&str>,
) -> Result<Vec<Record>, StepFailure> {
    let mut q = vec![
        ("scenario", world.tag.clone()),
        ("service", service.to_string()),
    ];
    if let Some(op) = operation {
        q.push(("operation", op.to_string()));
    }
    Ok(world.control()?.journal(&q).await?)
}

/// How many records of `service` the scenario's journal holds now: a step that acts
/// reads what came after with [`records_since`].
pub(crate) async fn mark(world: &SegurWorld, service: &str) -> Result<usize, StepFailure> {
    Ok(records(world, service, None).await?.len())
}

/// The scenario's records of `service` after the first `mark` ones (see [`mark`]).
pub(crate) async fn records_since(
    world: &SegurWorld,
    service: &str,
    mark: usize,
) -> Result<Vec<Record>, StepFailure> {
    let mut all = records(world, service, None).await?;
    Ok(all.split_off(mark.min(all.len())))
}

fn summary(r: &Record) -> String {
    format!(
        "{} {} → {}",
        r.service,
        r.operation,
        r.response
            .as_ref()
            .map(|b| b.summary.to_string())
            .unwrap_or_default()
    )
}

#[then("l'INSi n'a reçu aucun appel")]
async fn no_insi_call(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let calls = records(world, "insi", None).await?;
    if !calls.is_empty() {
        let seen: Vec<String> = calls.iter().map(summary).collect();
        return fail(format!(
            "aucun appel INSi attendu, le téléservice en a reçu {}: {seen:?}",
            calls.len()
        ));
    }
    Ok(())
}

#[then(expr = "l'INSi a reçu {int} appel(s) {string}")]
async fn insi_calls(
    world: &mut SegurWorld,
    count: usize,
    operation: String,
) -> Result<(), StepFailure> {
    let calls = records(world, "insi", Some(&operation)).await?;
    expect_count(&format!("appels INSi {operation}"), count, calls.len())?;
    world.witness(&calls);
    Ok(())
}

#[then(expr = "l'INSi a répondu {string} à l'appel {string}")]
async fn insi_answered(
    world: &mut SegurWorld,
    code: String,
    operation: String,
) -> Result<(), StepFailure> {
    let calls = records(world, "insi", Some(&operation)).await?;
    let last = calls
        .last()
        .ok_or_else(|| StepFailure::Failed(format!("l'INSi n'a reçu aucun appel {operation}")))?;
    let answered = last
        .response
        .as_ref()
        .map(|b| b.summary["code"].clone())
        .unwrap_or_default();
    fail_if(answered != code.as_str(), || {
        format!(
            "réponse {code} attendue au dernier appel {operation}, vu {}",
            summary(last)
        )
    })?;
    let last = last.clone();
    world.witness([&last]);
    Ok(())
}

#[then(expr = "les appels INSi ont été faits avec le certificat {string} de la structure {string}")]
async fn insi_certificate(
    world: &mut SegurWorld,
    common_name: String,
    structure: String,
) -> Result<(), StepFailure> {
    let national_id = world
        .run
        .as_ref()
        .filter(|r| r.setup.structure == structure)
        .map(|r| r.setup.structure_national_id.clone())
        .ok_or_else(|| {
            StepFailure::Failed(format!(
                "la structure {structure:?} n'est pas celle du banc"
            ))
        })?;
    let calls = records(world, "insi", None).await?;
    if calls.is_empty() {
        return fail("l'INSi n'a reçu aucun appel");
    }
    for call in &calls {
        let subject = call
            .peer
            .as_ref()
            .and_then(|p| p.cert_subject.clone())
            .unwrap_or_default();
        if !subject.contains(&format!("CN={common_name}")) || !subject.contains(&national_id) {
            return fail(format!(
                "appel {} avec le certificat « {subject} », attendu CN={common_name} de la structure {national_id}",
                call.operation
            ));
        }
    }
    Ok(())
}

#[then(expr = "PSC a reçu une demande d'autorisation avec acr_values {string}")]
async fn psc_acr(world: &mut SegurWorld, acr: String) -> Result<(), StepFailure> {
    let calls = records(world, "psc", Some("authorize")).await?;
    let last = calls
        .last()
        .ok_or_else(|| StepFailure::Failed("PSC n'a reçu aucune demande d'autorisation".into()))?;
    let sent = last
        .request
        .as_ref()
        .map(|b| b.summary["acr_values"].clone())
        .unwrap_or_default();
    fail_if(sent != acr.as_str(), || {
        format!("acr_values {acr} attendu, la demande portait {sent}")
    })?;
    let last = last.clone();
    world.witness([&last]);
    Ok(())
}

fn grants(calls: &[Record], grant: &str) -> usize {
    calls
        .iter()
        .filter(|r| {
            r.request
                .as_ref()
                .is_some_and(|b| b.summary["grant_type"] == grant)
        })
        .count()
}

#[then("PSC a reçu un rafraîchissement de jeton")]
async fn psc_refreshed(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let calls = records(world, "psc", Some("token")).await?;
    if grants(&calls, "refresh_token") == 0 {
        return fail("aucune requête grant_type=refresh_token reçue par PSC");
    }
    world.witness(calls.iter().filter(|r| {
        r.request
            .as_ref()
            .is_some_and(|b| b.summary["grant_type"] == "refresh_token")
    }));
    Ok(())
}

#[then("PSC n'a reçu aucun rafraîchissement de jeton")]
async fn psc_not_refreshed(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let calls = records(world, "psc", Some("token")).await?;
    let n = grants(&calls, "refresh_token");
    fail_if(n > 0, || {
        format!("{n} requête(s) grant_type=refresh_token reçue(s) par PSC")
    })
}

/// The services a scenario judges, from its feature's theme tag (`@INS` → `insi`...).
fn judged_services(tags: &[String]) -> Vec<&'static str> {
    let mut services: Vec<&'static str> = tags
        .iter()
        .filter_map(|t| match t.as_str() {
            "INS" => Some("insi"),
            "PSC" => Some("psc"),
            "DMP" => Some("dmp"),
            "MSS" => Some("mssante"),
            "HL7" => Some("hl7"),
            "ANN" => Some("annuaire"),
            _ => None,
        })
        .collect();
    services.dedup();
    services
}

/// No error finding in the scenario's exchanges for the scenario's requirements (nor
/// any protocol error, which serves every requirement), and exchanges to judge: the
/// scenario's journal must hold calls to each service its theme names (`@INS`: INSi,
/// `@PSC`, `@DMP`, `@MSS`, `@HL7`, `@ANN`: the Annuaire Santé) or, for another theme,
/// to some service.
#[then("les échanges sont conformes")]
async fn conforming(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let all = world
        .control()?
        .journal(&[("scenario", world.tag.clone())])
        .await?;
    let exchanges: Vec<&Record> = all.iter().filter(|r| r.service != "control").collect();
    let services = judged_services(&world.tags);
    let missing: Vec<&str> = services
        .iter()
        .copied()
        .filter(|s| !exchanges.iter().any(|r| r.service == *s))
        .collect();
    if !missing.is_empty() || exchanges.is_empty() {
        return fail(format!(
            "aucun échange à juger : le logiciel n'a pas appelé {} dans ce scénario",
            if missing.is_empty() {
                "les services simulés".to_string()
            } else {
                missing.join(", ")
            }
        ));
    }
    let mut problems = Vec::new();
    for record in &exchanges {
        for f in &record.findings {
            let concerns = f.requirements.is_empty()
                || f.requirements
                    .iter()
                    .any(|r| world.requirements.contains(r));
            if f.severity == Severity::Error && concerns {
                problems.push(format!(
                    "{} {}: {} — {}",
                    record.service, record.operation, f.rule, f.message
                ));
            }
        }
    }
    fail_if(!problems.is_empty(), || {
        format!(
            "{} anomalie(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        )
    })?;
    world.witness(exchanges);
    Ok(())
}
