//! Setting the scene: the software configured for the scenario's simulators, the world
//! as the scenario needs it, and time.

use cucumber::{given, when};
use serde_json::json;

use crate::world::{SegurWorld, StepFailure};

/// `configure` with this scenario's endpoints and credentials.
#[given("le logiciel configuré pour le banc")]
async fn configured(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let params = world.configure_params().await?;
    let result = world.act_ok("configure", params).await?;
    if let Some(run) = &world.run {
        run.note_software(&result);
    }
    Ok(())
}

/// INSi answers this element empty for the patient (CNDA-style edge data).
#[given(expr = "l'INSi renvoie {string} vide pour {string}")]
async fn insi_returns_empty(
    world: &mut SegurWorld,
    element: String,
    patient: String,
) -> Result<(), StepFailure> {
    world
        .control()?
        .change_patient(&patient, &json!({ "insi": { "empty_traits": [element] } }))
        .await?;
    Ok(())
}

/// INSi no longer knows the patient: a search answers 01, a verification KO.
#[given(expr = "l'INSi ne reconnaît plus {string}")]
async fn insi_forgets(world: &mut SegurWorld, patient: String) -> Result<(), StepFailure> {
    world
        .control()?
        .change_patient(&patient, &json!({ "insi": { "known": false } }))
        .await?;
    Ok(())
}

/// Moves the bench clock and asks the software to follow (a test hook): tokens and
/// sessions expire without waiting. A software that cannot skips the scenario.
#[given(expr = "le temps avance de {int} minutes")]
#[when(expr = "le temps avance de {int} minutes")]
async fn time_passes(world: &mut SegurWorld, minutes: i64) -> Result<(), StepFailure> {
    advance(world, minutes * 60).await
}

/// Moves the bench clock by `seconds`, and the software's with it.
pub(crate) async fn advance(world: &mut SegurWorld, seconds: i64) -> Result<(), StepFailure> {
    world.control()?.advance_clock(seconds).await?;
    world
        .act_ok("clock.advance", json!({ "seconds": seconds }))
        .await?;
    Ok(())
}
