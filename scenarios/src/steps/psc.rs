//! Pro Santé Connect: the professional logs in (code flow or CIBA), out, and the
//! software shows who is logged in.

use cucumber::{given, then, when};
use serde_json::json;

use crate::world::{SegurWorld, StepFailure, fail_if};

/// The national id of a world professional.
async fn national_id(world: &SegurWorld, professional: &str) -> Result<String, StepFailure> {
    let p = world.control()?.professional(professional).await?;
    p["national_id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| {
            StepFailure::Failed(format!(
                "professionnel {professional:?} sans identifiant national"
            ))
        })
}

#[given(expr = "le professionnel {string} connecté avec Pro Santé Connect")]
#[when(expr = "le professionnel {string} se connecte avec Pro Santé Connect")]
async fn login(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    let client_id = world
        .run
        .as_ref()
        .map(|r| r.setup.psc_client_id.clone())
        .unwrap_or_default();
    // The person at the PSC login page: the bench answers for them.
    world
        .control()?
        .psc_authenticate_next(&client_id, &professional)
        .await?;
    world.logged_in = Some(professional);
    world.act("psc.login", json!({})).await?;
    Ok(())
}

#[when(expr = "le professionnel {string} se connecte par CIBA en validant sur sa carte")]
async fn login_ciba(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    world
        .control()?
        .psc_ciba_policy(&professional, "approve", 0)
        .await?;
    let id = national_id(world, &professional).await?;
    world.logged_in = Some(professional);
    world
        .act("psc.login_ciba", json!({ "national_id": id }))
        .await?;
    Ok(())
}

#[when("l'utilisateur se déconnecte")]
async fn logout(world: &mut SegurWorld) -> Result<(), StepFailure> {
    world.act_ok("psc.logout", json!({})).await?;
    Ok(())
}

#[when("l'utilisateur affiche sa session")]
async fn show(world: &mut SegurWorld) -> Result<(), StepFailure> {
    world.act("psc.show_session", json!({})).await?;
    Ok(())
}

#[then(expr = "le logiciel affiche le professionnel {string} connecté")]
async fn shows_logged_in(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    let id = national_id(world, &professional).await?;
    let result = world.act_ok("psc.show_session", json!({})).await?;
    fail_if(
        result["logged_in"] != true || result["user"]["national_id"] != id.as_str(),
        || format!("{professional} ({id}) attendu connecté, le logiciel affiche {result}"),
    )
}

#[then("le logiciel n'affiche aucun professionnel connecté")]
async fn shows_logged_out(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let result = world.act_ok("psc.show_session", json!({})).await?;
    fail_if(result["logged_in"] != false, || {
        format!("aucun professionnel connecté attendu, le logiciel affiche {result}")
    })
}
