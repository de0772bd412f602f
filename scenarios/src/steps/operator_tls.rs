//! The TLS an MSSanté client speaks (référentiel socle MSSanté #2, ECO.1.1.1 to 1.1.3):
//! TLS 1.2 with the suites the ANSSI allows, TLS 1.3 when the operator offers it
//! (MSS/CONF.02). The operator offers one version alone for the next connection; the
//! steps read what the session settled on from its authentication record.

use cucumber::{given, then};
use serde_json::json;

use super::journal::records;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The suites of the ANSSI's TLS guide an MSSanté session may settle on: ephemeral
/// elliptic-curve key exchange and an AEAD cipher (TLS 1.3's own suites are all such).
const ALLOWED_SUITES: &[&str] = &[
    "TLS13_AES_128_GCM_SHA256",
    "TLS13_AES_256_GCM_SHA384",
    "TLS13_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// `1.2` → how the operator's journal names it.
fn protocol_name(version: &str) -> Result<&'static str, StepFailure> {
    match version {
        "1.2" => Ok("TLSv1_2"),
        "1.3" => Ok("TLSv1_3"),
        other => fail(format!("version TLS {other:?} : 1.2 ou 1.3")),
    }
}

#[given(expr = "l'opérateur MSSanté n'accepte à la prochaine connexion que TLS {word}")]
async fn only_version(world: &mut SegurWorld, version: String) -> Result<(), StepFailure> {
    protocol_name(&version)?;
    world
        .control()?
        .arm_fault(&json!({
            "service": "mssante",
            "operation": "TLS_VERSION",
            "action": { "kind": "protocol_error", "code": version },
        }))
        .await?;
    Ok(())
}

#[then(
    expr = "l'opérateur a chiffré la session en TLS {word} avec une suite de chiffrement autorisée"
)]
async fn session_version(world: &mut SegurWorld, version: String) -> Result<(), StepFailure> {
    let expected = protocol_name(&version)?;
    let mut sessions = records(world, "mssante", Some("SMTP AUTH")).await?;
    sessions.extend(records(world, "mssante", Some("IMAP AUTHENTICATE")).await?);
    sessions.sort_by_key(|r| r.seq);
    let Some(first) = sessions.first() else {
        return fail("l'opérateur n'a reçu aucune authentification : aucune session à juger");
    };
    let summary = first
        .request
        .as_ref()
        .map(|b| b.summary.clone())
        .unwrap_or_default();
    let got = summary["tls_version"].as_str().unwrap_or("aucune");
    let suite = summary["cipher_suite"].as_str().unwrap_or("aucune");
    fail_if(got != expected, || {
        format!("session en {expected} attendue (l'opérateur n'offrait qu'elle), négociée : {got}")
    })?;
    fail_if(!ALLOWED_SUITES.contains(&suite), || {
        format!(
            "suite {suite} hors de celles de l'ANSSI (échange ECDHE, chiffrement AEAD) : {}",
            ALLOWED_SUITES.join(", ")
        )
    })?;
    world.witness(std::slice::from_ref(first));
    Ok(())
}
