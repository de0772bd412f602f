//! Pro Santé Connect: the professional logs in (code flow or CIBA), out, and the
//! software shows who is logged in. What the software says is checked against what PSC
//! received and answered: a login that never reached PSC is no login.

use cucumber::{given, then, when};
use segur_core::journal::Record;
use serde_json::json;

use super::journal::{mark, records, records_since};
use crate::driver::Reply;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The national id of a world professional.
pub(crate) async fn national_id(
    world: &SegurWorld,
    professional: &str,
) -> Result<String, StepFailure> {
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

/// Whether PSC answered the call with HTTP `status`.
fn answered(r: &Record, status: u64) -> bool {
    r.response
        .as_ref()
        .is_some_and(|b| b.summary["status"] == status)
}

/// A request summary field.
fn sent<'r>(r: &'r Record, field: &str) -> &'r serde_json::Value {
    r.request
        .as_ref()
        .map_or(&serde_json::Value::Null, |b| &b.summary[field])
}

/// A response summary field.
fn got<'r>(r: &'r Record, field: &str) -> &'r serde_json::Value {
    r.response
        .as_ref()
        .map_or(&serde_json::Value::Null, |b| &b.summary[field])
}

/// Token calls of `grant` that PSC answered 200.
fn granted<'r>(records: &'r [Record], grant: &str) -> Vec<&'r Record> {
    records
        .iter()
        .filter(|r| r.operation == "token" && sent(r, "grant_type") == grant && answered(r, 200))
        .collect()
}

/// What the software said, for a failure message.
fn said(reply: &Reply) -> String {
    format!("le logiciel a répondu {}", reply.said())
}

fn operations(records: &[Record]) -> String {
    if records.is_empty() {
        return "aucun appel".into();
    }
    records
        .iter()
        .map(|r| format!("{} ({})", r.operation, got(r, "status")))
        .collect::<Vec<_>>()
        .join(", ")
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
    let before = mark(world, "psc").await?;
    world.logged_in = Some(professional.clone());
    let reply = world.act("psc.login", json!({})).await?;
    let seen = records_since(world, "psc", before).await?;
    let authorize: Vec<&Record> = seen.iter().filter(|r| r.operation == "authorize").collect();
    let tokens = granted(&seen, "authorization_code");
    if authorize.is_empty() || tokens.is_empty() {
        return fail(format!(
            "connexion de {professional} : PSC attendait une demande d'autorisation puis l'échange \
             du code contre des jetons, il a reçu : {} ; {}",
            operations(&seen),
            said(&reply)
        ));
    }
    world.witness(authorize.into_iter().chain(tokens));
    Ok(())
}

/// Arms one of the answers a real provider never gives (`simulators/psc/src/tampering.rs`).
#[given(
    regex = r"^Pro Santé Connect renvoie à la prochaine connexion (un state étranger|un ID token au nonce étranger|un ID token mal signé)$"
)]
async fn tampered(world: &mut SegurWorld, what: String) -> Result<(), StepFailure> {
    let (operation, code) = match what.as_str() {
        "un state étranger" => ("CALLBACK", "foreign-state"),
        "un ID token au nonce étranger" => ("ID_TOKEN", "wrong-nonce"),
        _ => ("ID_TOKEN", "bad-signature"),
    };
    world
        .control()?
        .arm_fault(&json!({
            "service": "psc",
            "operation": operation,
            "action": { "kind": "protocol_error", "code": code },
        }))
        .await?;
    Ok(())
}

/// A login the scenario expects to fail: the reply is judged by the next steps.
#[when(expr = "le professionnel {string} tente de se connecter avec Pro Santé Connect")]
async fn try_login(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    let client_id = world.run()?.setup.psc_client_id.clone();
    world
        .control()?
        .psc_authenticate_next(&client_id, &professional)
        .await?;
    world.act("psc.login", json!({})).await?;
    Ok(())
}

/// The software refused a login whose PSC answer was tampered with: PSC did give that
/// answer (its journal says so) and the software said no.
#[then("le logiciel refuse la connexion")]
async fn login_refused(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let reply = world.last()?.clone();
    let all = records(world, "psc", None).await?;
    let Some(tampered) = all.iter().rev().find(|r| !got(r, "tampered").is_null()) else {
        return fail(format!(
            "PSC n'a rendu aucune réponse altérée : le logiciel n'est pas allé jusqu'à elle ({}) ; {}",
            operations(&all),
            said(&reply)
        ));
    };
    fail_if(reply.status != crate::driver::Status::Error, || {
        format!(
            "PSC a rendu une réponse altérée ({}), le logiciel l'a acceptée : {}",
            got(tampered, "tampered"),
            said(&reply)
        )
    })?;
    let tampered = tampered.clone();
    world.witness([&tampered]);
    Ok(())
}

#[then("PSC n'a délivré aucun jeton contre un code d'autorisation")]
async fn no_code_exchanged(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let calls = records(world, "psc", Some("token")).await?;
    let exchanged = granted(&calls, "authorization_code");
    fail_if(!exchanged.is_empty(), || {
        format!(
            "le logiciel a échangé le code d'une redirection qu'il aurait dû refuser ({} échange(s) accepté(s))",
            exchanged.len()
        )
    })
}

#[when(expr = "le professionnel {string} se connecte par CIBA en validant sur sa carte")]
async fn login_ciba(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    // The professional confirms on the card after one poll: the software must poll.
    world
        .control()?
        .psc_ciba_policy(&professional, "approve", 1)
        .await?;
    let id = national_id(world, &professional).await?;
    let before = mark(world, "psc").await?;
    world.logged_in = Some(professional.clone());
    let reply = world
        .act("psc.login_ciba", json!({ "national_id": id }))
        .await?;
    let seen = records_since(world, "psc", before).await?;
    let started: Vec<&Record> = seen
        .iter()
        .filter(|r| {
            r.operation == "ciba" && answered(r, 200) && got(r, "professional") == id.as_str()
        })
        .collect();
    let tokens = granted(&seen, CIBA_GRANT);
    if started.is_empty() || tokens.is_empty() {
        return fail(format!(
            "connexion CIBA de {professional} : PSC attendait une demande d'authentification \
             (backchannel) pour {id} puis l'interrogation du jeton, il a reçu : {} ; {}",
            operations(&seen),
            said(&reply)
        ));
    }
    world.witness(started.into_iter().chain(tokens));
    Ok(())
}

/// The CIBA grant type (OpenID Connect CIBA Core 1.0).
pub const CIBA_GRANT: &str = "urn:openid:params:grant-type:ciba";

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

/// The software shows `professional` logged in, and PSC did authenticate them for this
/// software since the last logout (tokens issued to the professional, or UserInfo read
/// with their token).
#[then(expr = "le logiciel affiche le professionnel {string} connecté")]
async fn shows_logged_in(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    let id = national_id(world, &professional).await?;
    let result = world.act_ok("psc.show_session", json!({})).await?;
    fail_if(
        result["logged_in"] != true || result["user"]["national_id"] != id.as_str(),
        || format!("{professional} ({id}) attendu connecté, le logiciel affiche {result}"),
    )?;
    let all = records(world, "psc", None).await?;
    let after_logout = all
        .iter()
        .rposition(|r| r.operation == "logout" && got(r, "session_ended") == true)
        .map_or(0, |i| i + 1);
    let proofs: Vec<&Record> = all[after_logout..]
        .iter()
        .filter(|r| {
            let issued =
                r.operation == "token" && answered(r, 200) && got(r, "professional") == id.as_str();
            let read =
                r.operation == "userinfo" && answered(r, 200) && sent(r, "subject") == id.as_str();
            issued || read
        })
        .collect();
    if proofs.is_empty() {
        return fail(format!(
            "le logiciel affiche {professional} ({id}) connecté, mais PSC ne lui a délivré aucun \
             jeton pour ce professionnel depuis la dernière déconnexion (appels PSC : {})",
            operations(&all)
        ));
    }
    world.witness(proofs);
    Ok(())
}

#[then("le logiciel n'affiche aucun professionnel connecté")]
async fn shows_logged_out(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let result = world.act_ok("psc.show_session", json!({})).await?;
    fail_if(result["logged_in"] != false, || {
        format!("aucun professionnel connecté attendu, le logiciel affiche {result}")
    })
}

/// The last authorization request: a code flow with PKCE (S256), `state` and `nonce`
/// (référentiel PSC: EX PSC 05, 06, 07), answered with a redirect.
#[then("PSC a reçu une demande d'autorisation avec PKCE, state et nonce")]
async fn authorize_protected(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let calls = records(world, "psc", Some("authorize")).await?;
    let Some(last) = calls.last() else {
        return fail("PSC n'a reçu aucune demande d'autorisation");
    };
    let mut missing = Vec::new();
    if sent(last, "response_type") != "code" {
        missing.push(format!(
            "response_type=code (vu {})",
            sent(last, "response_type")
        ));
    }
    if sent(last, "code_challenge_method") != "S256" {
        missing.push(format!(
            "code_challenge_method=S256 (vu {})",
            sent(last, "code_challenge_method")
        ));
    }
    for field in ["state", "nonce"] {
        if sent(last, field).as_str().is_none_or(str::is_empty) {
            missing.push(format!("{field} absent"));
        }
    }
    fail_if(!missing.is_empty(), || {
        format!("demande d'autorisation incomplète : {}", missing.join(", "))
    })?;
    world.witness([last]);
    Ok(())
}

#[then("PSC a délivré les jetons contre le code d'autorisation")]
async fn code_exchanged(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let calls = records(world, "psc", Some("token")).await?;
    let exchanged = granted(&calls, "authorization_code");
    if exchanged.is_empty() {
        return fail(format!(
            "aucun échange grant_type=authorization_code accepté par PSC (appels token : {})",
            operations(&calls)
        ));
    }
    world.witness(exchanged);
    Ok(())
}

#[then(
    expr = "PSC a reçu une demande CIBA pour {string} puis l'interrogation du jeton jusqu'à sa validation"
)]
async fn ciba_polled(world: &mut SegurWorld, professional: String) -> Result<(), StepFailure> {
    let id = national_id(world, &professional).await?;
    let all = records(world, "psc", None).await?;
    let Some(start) = all
        .iter()
        .position(|r| r.operation == "ciba" && got(r, "professional") == id.as_str())
    else {
        return fail(format!(
            "PSC n'a reçu aucune demande CIBA pour {professional} ({id})"
        ));
    };
    let polls: Vec<&Record> = all[start..]
        .iter()
        .filter(|r| r.operation == "token" && sent(r, "grant_type") == CIBA_GRANT)
        .collect();
    let pending = polls
        .iter()
        .filter(|r| got(r, "error") == "authorization_pending")
        .count();
    let approved = polls.iter().any(|r| answered(r, 200));
    fail_if(pending == 0 || !approved, || {
        format!(
            "après la demande CIBA, PSC attendait des interrogations (authorization_pending) puis \
             un jeton délivré : vu {} interrogation(s), dont {pending} en attente, jeton délivré : {approved}",
            polls.len()
        )
    })?;
    world.witness(std::iter::once(&all[start]).chain(polls));
    Ok(())
}

/// RP-initiated logout reached PSC with the ID token as hint, and PSC ended the session.
#[then("PSC a reçu la fin de session avec le jeton d'identité en indice")]
async fn end_session(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let calls = records(world, "psc", Some("logout")).await?;
    let ended: Vec<&Record> = calls
        .iter()
        .filter(|r| got(r, "session_ended") == true)
        .collect();
    if ended.is_empty() {
        return fail(if calls.is_empty() {
            "PSC n'a reçu aucune demande de fin de session (end_session_endpoint) : la \
             déconnexion est restée locale au logiciel"
                .to_string()
        } else {
            format!(
                "PSC a reçu {} demande(s) de fin de session sans id_token_hint valable : aucune \
                 session terminée",
                calls.len()
            )
        });
    }
    world.witness(ended);
    Ok(())
}

// ---------------------------------------------------------------- local accounts (PSC.02)

/// The password the bench gives a local account it creates.
fn password_of(login: &str) -> String {
    format!("banc-{login}-2026")
}

#[given(expr = "le compte local {string} du logiciel, ouvert par mot de passe")]
async fn local_account(world: &mut SegurWorld, login: String) -> Result<(), StepFailure> {
    let password = password_of(&login);
    world
        .act_ok(
            "account.create",
            json!({ "login": login, "password": password }),
        )
        .await?;
    world
        .act_ok(
            "account.login_password",
            json!({ "login": login, "password": password }),
        )
        .await?;
    Ok(())
}

#[when("l'utilisateur rapproche son compte local de son identité Pro Santé Connect")]
async fn link_account(world: &mut SegurWorld) -> Result<(), StepFailure> {
    world.act_ok("account.link_psc", json!({})).await?;
    Ok(())
}

#[when(expr = "l'utilisateur ouvre le compte local {string} par mot de passe")]
async fn password_login(world: &mut SegurWorld, login: String) -> Result<(), StepFailure> {
    let password = password_of(&login);
    world
        .act_ok(
            "account.login_password",
            json!({ "login": login, "password": password }),
        )
        .await?;
    Ok(())
}

/// The local account the software has open now (`account.show`).
async fn open_account(world: &mut SegurWorld) -> Result<serde_json::Value, StepFailure> {
    world.act_ok("account.show", json!({})).await
}

/// After a PSC login of `professional`, the software opened the local account linked to
/// their national id; PSC did issue them tokens.
#[then(expr = "le logiciel ouvre le compte local {string} pour {string}")]
async fn opens_account(
    world: &mut SegurWorld,
    login: String,
    professional: String,
) -> Result<(), StepFailure> {
    shows_logged_in(world, professional.clone()).await?;
    let id = national_id(world, &professional).await?;
    let account = open_account(world).await?;
    fail_if(
        account["account"] != login.as_str() || account["national_id"] != id.as_str(),
        || {
            format!(
                "la connexion PSC de {professional} ({id}) devait ouvrir le compte {login}, le logiciel a ouvert {account}"
            )
        },
    )?;
    world.judge("account.show");
    Ok(())
}

#[then(expr = "le logiciel n'ouvre pas le compte local {string} pour {string}")]
async fn does_not_open_account(
    world: &mut SegurWorld,
    login: String,
    professional: String,
) -> Result<(), StepFailure> {
    shows_logged_in(world, professional.clone()).await?;
    let account = open_account(world).await?;
    fail_if(account["account"] == login.as_str(), || {
        format!(
            "{professional} n'est pas rapproché du compte {login}, le logiciel l'a pourtant ouvert : {account}"
        )
    })?;
    world.judge("account.show");
    Ok(())
}

#[then(expr = "le compte local {string} est rapproché de l'identifiant national de {string}")]
async fn account_linked(
    world: &mut SegurWorld,
    login: String,
    professional: String,
) -> Result<(), StepFailure> {
    let id = national_id(world, &professional).await?;
    let account = open_account(world).await?;
    fail_if(
        account["account"] != login.as_str()
            || account["national_id"] != id.as_str()
            || account["via"] != "password",
        || {
            format!(
                "ouvert par mot de passe, le compte {login} devait porter l'identifiant national {id} : {account}"
            )
        },
    )?;
    world.judge("account.show");
    Ok(())
}
