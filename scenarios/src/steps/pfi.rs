//! The documents a DPI, RIS or SGL hands the establishment's PFI in HL7 v2 (volet CI-SIS
//! "Transmission de documents CDA-R2 en HL7v2"): the bench plays the PFI (`segur-hl7`,
//! MLLP) and judges the `MDM^T02` / `ORU^R01` it received with the `ACK` it sent; it hands
//! the software the PFI's business acknowledgements (`ZAM^Z01`) and the documents the PFI
//! received by MSSanté (`MDM^T02`) through `hl7.receive`, and reads the software's `ACK`.

use cucumber::{given, then, when};
use segur_core::journal::Record;
use serde_json::{Value, json};

use segur_documents::hl7::transport::{
    self, AckCode, BusinessAck, MAX_TRANSPORT_MESSAGE, Outgoing, Request,
};

use super::journal::records;
use crate::driver::Status;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The message kinds a producer hands its PFI.
const TRANSMISSIONS: [&str; 2] = ["MDM^T02", "ORU^R01"];

fn summary(r: &Record) -> &Value {
    r.request.as_ref().map_or(&Value::Null, |b| &b.summary)
}

fn acknowledged_with(r: &Record) -> &str {
    r.response
        .as_ref()
        .and_then(|b| b.summary["code"].as_str())
        .unwrap_or_default()
}

fn now_stamp() -> String {
    time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day][hour][minute][second]"
        ))
        .unwrap_or_default()
}

/// Every transmission the PFI received in this scenario.
async fn transmissions(world: &SegurWorld) -> Result<Vec<Record>, StepFailure> {
    let mut all = Vec::new();
    for kind in TRANSMISSIONS {
        all.extend(records(world, "hl7", Some(kind)).await?);
    }
    all.sort_by_key(|r| r.seq);
    Ok(all)
}

/// The transmissions carrying the document the feature calls `title`.
async fn carrying(world: &SegurWorld, title: &str) -> Result<Vec<Record>, StepFailure> {
    let id = world.documents.get(title).cloned().ok_or_else(|| {
        StepFailure::Failed(format!(
            "le logiciel n'a pas donné l'identifiant du document « {title} »"
        ))
    })?;
    Ok(transmissions(world)
        .await?
        .into_iter()
        .filter(|r| {
            summary(r)["documents"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["unique_id"] == id.as_str()))
        })
        .collect())
}

#[given("le logiciel envoie ses documents au DMP par la PFI de l'établissement")]
async fn via_pfi(world: &mut SegurWorld) -> Result<(), StepFailure> {
    world
        .act_ok(
            "settings.set",
            json!({ "name": "dmp_transport", "value": "pfi" }),
        )
        .await
        .map(|_| ())
}

#[then(
    expr = "la PFI a reçu le document {string} dans un message {string} de type {string} en CDA de niveau {int}, destiné au DMP"
)]
async fn received(
    world: &mut SegurWorld,
    title: String,
    kind: String,
    type_code: String,
    level: u8,
) -> Result<(), StepFailure> {
    let found = carrying(world, &title).await?;
    let Some(record) = found.iter().find(|r| r.operation == kind) else {
        let seen: Vec<String> = transmissions(world)
            .await?
            .iter()
            .map(|r| format!("{} {}", r.operation, summary(r)["documents"]))
            .collect();
        return fail(format!(
            "la PFI n'a reçu aucun {kind} portant « {title} » (reçus : {})",
            if seen.is_empty() {
                "aucun".to_string()
            } else {
                seen.join(" ; ")
            }
        ));
    };
    let s = summary(record);
    let document = &s["documents"][0];
    let mut problems = Vec::new();
    if document["type"] != type_code.as_str() {
        problems.push(format!("type {} au lieu de {type_code}", document["type"]));
    }
    if document["level"] != level.to_string().as_str() {
        problems.push(format!("niveau {} au lieu de {level}", document["level"]));
    }
    if level == 1 && document["media_type"] != "application/pdf" {
        problems.push(format!(
            "corps de niveau 1 en {} au lieu d'un PDF",
            document["media_type"]
        ));
    }
    if s["metadata"]["DESTDMP"] != true {
        problems.push("DESTDMP n'est pas Y : la PFI ne le publiera pas au DMP".into());
    }
    if s["request"] != "F" {
        problems.push(format!(
            "OBX-11 {} au lieu de F (transmission initiale)",
            s["request"]
        ));
    }
    if acknowledged_with(record) != "AA" {
        problems.push(format!(
            "la PFI l'a acquitté {} : le message n'est pas conforme",
            acknowledged_with(record)
        ));
    }
    fail_if(!problems.is_empty(), || {
        format!("{kind} de « {title} » : {}", problems.join(" ; "))
    })?;
    world.witness([record]);
    Ok(())
}

#[then(expr = "la PFI a reçu le document {string} avec les métadonnées {string}")]
async fn with_metadata(
    world: &mut SegurWorld,
    title: String,
    expected: String,
) -> Result<(), StepFailure> {
    let found = carrying(world, &title).await?;
    let Some(record) = found.last() else {
        return fail(format!("la PFI n'a reçu aucun message portant « {title} »"));
    };
    let metadata = &summary(record)["metadata"];
    let mut problems = Vec::new();
    for pair in expected.split(',').map(str::trim) {
        let Some((code, value)) = pair.split_once('=') else {
            return fail(format!("métadonnée {pair:?} : CODE=Y ou CODE=N attendu"));
        };
        let seen = match metadata.get(code) {
            Some(Value::Bool(true)) => "Y",
            Some(Value::Bool(false)) => "N",
            _ => "absente",
        };
        if seen != value {
            problems.push(format!("{code} {seen} au lieu de {value}"));
        }
    }
    if acknowledged_with(record) != "AA" {
        problems.push(format!("acquitté {} par la PFI", acknowledged_with(record)));
    }
    fail_if(!problems.is_empty(), || {
        format!("message de « {title} » : {}", problems.join(" ; "))
    })?;
    world.witness([record]);
    Ok(())
}

#[then(expr = "la PFI n'a reçu aucun document pour {string}")]
async fn none_for(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let patient = world.world_patient(&alias)?;
    let number = super::ins_number(&world.control()?.patient(&patient).await?["ins"]);
    let sent: Vec<Record> = transmissions(world)
        .await?
        .into_iter()
        .filter(|r| summary(r)["ins"] == number.as_str())
        .collect();
    fail_if(!sent.is_empty(), || {
        format!(
            "la PFI a reçu {} message(s) pour « {alias} » : {}",
            sent.len(),
            sent.iter()
                .map(|r| r.operation.clone())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

#[given("le logiciel transmet au DPI en HL7 v2 les documents reçus par MSSanté")]
async fn mss_to_hl7(world: &mut SegurWorld) -> Result<(), StepFailure> {
    world
        .act_ok(
            "settings.set",
            json!({ "name": "mss_integration", "value": "hl7" }),
        )
        .await
        .map(|_| ())
}

#[then(
    expr = "le DPI a reçu de la PFI un document de type {string} pour l'INS {string} dans un message {string}"
)]
async fn delivered(
    world: &mut SegurWorld,
    type_code: String,
    ins: String,
    kind: String,
) -> Result<(), StepFailure> {
    let all = records(world, "hl7", Some(&kind)).await?;
    let Some(record) = all.iter().find(|r| {
        summary(r)["ins"] == ins.as_str()
            && summary(r)["documents"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["type"] == type_code.as_str()))
    }) else {
        return fail(format!(
            "le DPI n'a reçu aucun {kind} portant un document {type_code} pour l'INS {ins} ({} {kind} reçu(s))",
            all.len()
        ));
    };
    fail_if(
        record
            .findings
            .iter()
            .any(|f| f.severity == segur_core::finding::Severity::Error),
        || {
            format!(
                "{kind} non conforme : {}",
                record
                    .findings
                    .iter()
                    .map(|f| format!("{} {}", f.rule, f.message))
                    .collect::<Vec<_>>()
                    .join(" ; ")
            )
        },
    )?;
    world.witness([record]);
    Ok(())
}

#[given(
    expr = "le DPI répond au prochain message {string} par l'acquittement {string} avec l'erreur {string}"
)]
async fn dpi_refuses(
    world: &mut SegurWorld,
    kind: String,
    code: String,
    error: String,
) -> Result<(), StepFailure> {
    pfi_refuses(world, kind, code, error).await
}

#[given(
    expr = "la PFI répond au prochain message {string} par l'acquittement {string} avec l'erreur {string}"
)]
async fn pfi_refuses(
    world: &mut SegurWorld,
    kind: String,
    code: String,
    error: String,
) -> Result<(), StepFailure> {
    world
        .control()?
        .arm_fault(&json!({
            "service": "hl7",
            "operation": kind,
            "times": 1,
            "action": {
                "kind": "protocol_error",
                "code": code,
                "message": "Erreur de la PFI",
                "detail": { "code": error },
            },
        }))
        .await?;
    Ok(())
}

#[then(expr = "le logiciel signale que la PFI a répondu {string} au document {string}")]
async fn refusal_shown(
    world: &mut SegurWorld,
    code: String,
    title: String,
) -> Result<(), StepFailure> {
    let reply = world.last()?.clone();
    fail_if(reply.status != Status::Error, || {
        format!(
            "la PFI a répondu {code} : le logiciel devait signaler que le document « {title} » n'est pas parti, il a répondu {}",
            reply.said()
        )
    })?;
    // Earned by the message the PFI refused, in this scenario.
    let all = transmissions(world).await?;
    let Some(refused) = all.iter().rev().find(|r| acknowledged_with(r) == code) else {
        return fail(format!(
            "la PFI n'a répondu {code} à aucun message : rien à juger"
        ));
    };
    world.witness([refused]);
    Ok(())
}

/// The transmission of `title`, its text.
async fn sent_text(world: &SegurWorld, title: &str) -> Result<String, StepFailure> {
    let found = carrying(world, title).await?;
    let Some(record) = found.last() else {
        return fail(format!("la PFI n'a reçu aucun message portant « {title} »"));
    };
    let bytes = world.control()?.journal_body(record.seq, "request").await?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[when(
    regex = r#"^la PFI renvoie l'accusé métier "([^"]*)" (positif|négatif)(?: "([^"]*)")? pour le document "([^"]*)"$"#
)]
async fn business_ack(
    world: &mut SegurWorld,
    what: String,
    outcome: String,
    error: String,
    title: String,
) -> Result<(), StepFailure> {
    let text = sent_text(world, &title).await?;
    let original = segur_documents::hl7::parse_bounded(&text, MAX_TRANSPORT_MESSAGE)
        .map_err(|f| StepFailure::Failed(f.message))?;
    let acknowledged = original.segments[0].field(9).to_string();
    let control_id = format!("ZAM{}", world.documents.len() + 1);
    let message = transport::business_ack(
        &original,
        &BusinessAck {
            what,
            acknowledged,
            done: outcome == "positif",
            error: (!error.is_empty()).then_some(error),
        },
        &control_id,
        &now_stamp(),
    );
    world.pfi_message = Some(control_id);
    world
        .act("hl7.receive", json!({ "message": message }))
        .await?;
    Ok(())
}

#[then(
    regex = r#"^le logiciel acquitte l'accusé métier et rapporte au document "([^"]*)" : "([^"]*)" (positif|négatif)(?: "([^"]*)")?$"#
)]
async fn business_ack_reported(
    world: &mut SegurWorld,
    title: String,
    what: String,
    outcome: String,
    error: String,
) -> Result<(), StepFailure> {
    let reply = world.last()?.clone();
    let result = crate::world::require_ok("hl7.receive", reply)?;
    let control_id = world.pfi_message.clone().unwrap_or_default();
    let mut problems = check_ack(&result["ack"], &control_id, AckCode::Accept, None);
    let id = world.documents.get(&title).cloned().unwrap_or_default();
    if result["unique_id"] != id.as_str() {
        problems.push(format!(
            "accusé rapporté au document {} et non à « {title} » ({id})",
            result["unique_id"]
        ));
    }
    if result["acknowledged"] != what.as_str() || result["done"] != (outcome == "positif") {
        problems.push(format!(
            "le logiciel rapporte {} {} au lieu de {what} {outcome}",
            result["acknowledged"], result["done"]
        ));
    }
    if !error.is_empty() && result["error"] != error.as_str() {
        problems.push(format!("erreur {} au lieu de {error}", result["error"]));
    }
    fail_if(!problems.is_empty(), || problems.join(" ; "))?;
    world.judge("hl7.receive");
    Ok(())
}

/// What is wrong with the software's `ACK` to the message `control_id`.
fn check_ack(ack: &Value, control_id: &str, code: AckCode, error: Option<&str>) -> Vec<String> {
    let Some(text) = ack.as_str() else {
        return vec!["le logiciel n'a pas rendu d'ACK".into()];
    };
    let (read, findings) = transport::read_ack(text, control_id);
    let mut problems: Vec<String> = findings.into_iter().map(|f| f.message).collect();
    if let Some(read) = read {
        if read.code != code {
            problems.push(format!(
                "ACK {} au lieu de {}",
                read.code.code(),
                code.code()
            ));
        }
        if let Some(error) = error
            && !read.application_errors.iter().any(|e| e == error)
        {
            problems.push(format!(
                "ERR-5 {:?} au lieu de {error}",
                read.application_errors
            ));
        }
    }
    problems
}

/// The type of the ANS level-1 example the bench hands over.
const EXAMPLE_TYPE: (&str, &str) = ("11502-2", "CR d'examens biologiques");

/// What the bench hands the software in an `MDM^T02` through `hl7.receive`.
struct Handed<'a> {
    /// The feature's name for the document.
    title: String,
    /// A patient of the scenario, or a world patient the software has never heard of.
    alias: String,
    /// `MSH-3`, and `MSH-5`: who sends it to whom (`PFI` → `DPI`, `DPI` → `PFI`).
    route: (&'a str, &'a str),
    /// The document's LOINC type and label (the example is made one of this type).
    type_code: (&'a str, &'a str),
    /// The CDA names the patient by the sender's own id only, without the INS.
    without_ins: bool,
    /// The `MetaDMPMSS` metadata.
    metadata: &'a [(&'a str, bool)],
}

/// Builds the message — the ANS level-1 example rewritten for the patient — hands it to
/// the software, and notes the document's id and the message's `MSH-10`.
async fn hand_over(world: &mut SegurWorld, handed: Handed<'_>) -> Result<(), StepFailure> {
    let patient = world
        .world_patient(&handed.alias)
        .unwrap_or_else(|_| handed.alias.clone());
    let ins = world.control()?.patient(&patient).await?["ins"].clone();
    let number = super::ins_number(&ins);
    let oid = ins["oid"].as_str().unwrap_or_default().to_string();
    let extension = format!("{}{}", world.documents.len() + 1, std::process::id());
    let mut cda = super::records::rewrite(
        super::records::example("compte rendu en CDA R2 niveau 1")?,
        &number,
        &oid,
        &handed.title,
        &extension,
    )
    .replacen(
        &format!(
            "code=\"{}\" displayName=\"{}\"",
            EXAMPLE_TYPE.0, EXAMPLE_TYPE.1
        ),
        &format!(
            "code=\"{}\" displayName=\"{}\"",
            handed.type_code.0, handed.type_code.1
        ),
        1,
    );
    if handed.without_ins {
        // The patient named by the sender's own id only: no INS root left.
        let local = "extension=\"IPP-EXTERNE\" root=\"1.2.250.1.999.1\"";
        cda = cda
            .replace(&format!("extension=\"{number}\" root=\"{oid}\""), local)
            .replace(&format!("root=\"{oid}\" extension=\"{number}\""), local);
    }
    let id = segur_documents::cda::read_facts(cda.as_bytes(), None)
        .and_then(|f| f.id)
        .map(|i| match i.extension {
            Some(e) => format!("{}^{e}", i.root),
            None => i.root,
        })
        .unwrap_or_default();
    let pid = super::hl7::message_for(world, "MDM^T02", &patient, true, "VALI")
        .await?
        .pid_segment();
    let control_id = format!("{}{extension}", handed.route.0);
    let message = Outgoing {
        kind: "MDM^T02".into(),
        sender: (handed.route.0.into(), "ETABLISSEMENT".into()),
        receiver: (handed.route.1.into(), "ETABLISSEMENT".into()),
        control_id: control_id.clone(),
        time: now_stamp(),
        pid,
        type_code: (handed.type_code.0.into(), handed.type_code.1.into()),
        document: cda.into_bytes(),
        request: Some(Request::Initial),
        author: "810002909371".into(),
        recipients: Vec::new(),
        metadata: handed
            .metadata
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
    }
    .render();
    world.documents.insert(handed.title, id);
    world.pfi_message = Some(control_id);
    world
        .act("hl7.receive", json!({ "message": message }))
        .await?;
    Ok(())
}

#[when(
    regex = r#"^la PFI transmet au logiciel le compte rendu "([^"]*)" reçu par MSSanté pour "([^"]*)"( sans son INS)?$"#
)]
async fn pfi_hands_document(
    world: &mut SegurWorld,
    title: String,
    alias: String,
    without_ins: String,
) -> Result<(), StepFailure> {
    let handed = Handed {
        title,
        alias,
        route: ("PFI", "DPI"),
        type_code: EXAMPLE_TYPE,
        without_ins: !without_ins.is_empty(),
        metadata: &[("DESTDMP", false)],
    };
    hand_over(world, handed).await
}

#[when(
    expr = "le DPI transmet à la PFI la lettre de liaison {string} de {string} à publier au DMP"
)]
async fn dpi_hands_letter(
    world: &mut SegurWorld,
    title: String,
    alias: String,
) -> Result<(), StepFailure> {
    let handed = Handed {
        title,
        alias,
        route: ("DPI", "PFI"),
        type_code: ("11490-0", "Lettre de liaison de sortie"),
        without_ins: false,
        metadata: &[
            ("DESTDMP", true),
            ("DESTMSSANTEPS", false),
            ("DESTMSSANTEPAT", false),
            ("MASQUE_PS", false),
            ("ACK_RECEPTION", true),
        ],
    };
    hand_over(world, handed).await
}

#[then(
    regex = r#"^le DPI a reçu de la PFI l'accusé métier "([^"]*)" (positif|négatif) pour le document "([^"]*)"$"#
)]
async fn producer_told(
    world: &mut SegurWorld,
    what: String,
    outcome: String,
    title: String,
) -> Result<(), StepFailure> {
    let control_id = world.pfi_message.clone().unwrap_or_default();
    let zams = records(world, "hl7", Some("ZAM^Z01")).await?;
    let Some(zam) = zams.iter().find(|r| {
        summary(r)["business_ack"]["acknowledged"] == control_id.as_str()
            && summary(r)["business_ack"]["what"] == what.as_str()
    }) else {
        return fail(format!(
            "le DPI n'a reçu aucun ZAM^Z01 {what} citant le message {control_id} de « {title} » ({} ZAM reçu(s))",
            zams.len()
        ));
    };
    let done = summary(zam)["business_ack"]["done"] == true;
    fail_if(done != (outcome == "positif"), || {
        format!(
            "accusé {what} {} pour « {title} », {outcome} attendu",
            if done { "positif" } else { "négatif" }
        )
    })?;
    world.witness([zam]);
    Ok(())
}

#[then(expr = "le logiciel acquitte {string} le message du document {string}")]
async fn acknowledged(
    world: &mut SegurWorld,
    code: String,
    title: String,
) -> Result<(), StepFailure> {
    ack_judged(world, &code, None, &title)
}

#[then(
    expr = "le logiciel refuse le message du document {string} par l'acquittement {string} avec l'erreur {string}"
)]
async fn refused_with(
    world: &mut SegurWorld,
    title: String,
    code: String,
    error: String,
) -> Result<(), StepFailure> {
    ack_judged(world, &code, Some(&error), &title)
}

fn ack_judged(
    world: &mut SegurWorld,
    code: &str,
    error: Option<&str>,
    title: &str,
) -> Result<(), StepFailure> {
    let reply = world.last()?.clone();
    let result = crate::world::require_ok("hl7.receive", reply)?;
    let Some(wanted) = AckCode::from_code(code) else {
        return fail(format!("acquittement {code:?} : AA, AE ou AR"));
    };
    let control_id = world.pfi_message.clone().unwrap_or_default();
    let problems = check_ack(&result["ack"], &control_id, wanted, error);
    fail_if(!problems.is_empty(), || {
        format!("ACK du message de « {title} » : {}", problems.join(" ; "))
    })?;
    world.judge("hl7.receive");
    Ok(())
}

#[then(expr = "le dossier de {string} contient le document {string} reçu par MSSanté")]
async fn in_record(
    world: &mut SegurWorld,
    alias: String,
    title: String,
) -> Result<(), StepFailure> {
    record_holds(world, &alias, &title, true).await
}

#[then(expr = "le dossier de {string} ne contient pas le document {string}")]
async fn not_in_record(
    world: &mut SegurWorld,
    alias: String,
    title: String,
) -> Result<(), StepFailure> {
    record_holds(world, &alias, &title, false).await
}

async fn record_holds(
    world: &mut SegurWorld,
    alias: &str,
    title: &str,
    wanted: bool,
) -> Result<(), StepFailure> {
    let id = world.documents.get(title).cloned().unwrap_or_default();
    let result = world.act_ok_on(alias, "documents.list", json!({})).await?;
    let held = result["documents"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["unique_id"] == id.as_str());
    match (wanted, held) {
        (true, Some(d)) if d["origin"] == "MSSanté" => {}
        (true, Some(d)) => {
            return fail(format!(
                "« {title} » est au dossier avec l'origine {} au lieu de MSSanté",
                d["origin"]
            ));
        }
        (true, None) => return fail(format!("« {title} » n'est pas au dossier de « {alias} »")),
        (false, Some(_)) => {
            return fail(format!(
                "« {title} » est au dossier de « {alias} » alors que le logiciel l'a refusé"
            ));
        }
        (false, None) => {}
    }
    world.judge("documents.list");
    Ok(())
}

#[then(expr = "le dossier de {string} montre le document {string} non versé au DMP")]
async fn not_fed(world: &mut SegurWorld, alias: String, title: String) -> Result<(), StepFailure> {
    let id = world.documents.get(&title).cloned().unwrap_or_default();
    let result = world.act_ok_on(&alias, "documents.list", json!({})).await?;
    let Some(entry) = result["documents"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["unique_id"] == id.as_str())
    else {
        return fail(format!("« {title} » n'est pas au dossier de « {alias} »"));
    };
    fail_if(entry["dmp_fed"] != false, || {
        format!(
            "la PFI a dit que le DMP n'a pas reçu « {title} », le dossier le montre versé ({})",
            entry["dmp_fed"]
        )
    })?;
    world.judge("documents.list");
    Ok(())
}

#[when(
    regex = r#"^l'utilisateur valide pour le DMP de "([^"]*)" la lettre de liaison "([^"]*)" adressée à "([^"]*)"$"#
)]
async fn feed_letter_to(
    world: &mut SegurWorld,
    alias: String,
    title: String,
    to: String,
) -> Result<(), StepFailure> {
    let mut recipients = Vec::new();
    for id in to.split(", ") {
        recipients.push(super::reports::party(world, id).await?);
    }
    super::dmp::feed(
        world,
        &alias,
        &title,
        json!({ "kind": "ldl", "recipients": recipients }),
    )
    .await
}

#[then(regex = r#"^la PFI a reçu le document "([^"]*)" à transmettre par messagerie à "([^"]*)"$"#)]
async fn to_be_mailed(
    world: &mut SegurWorld,
    title: String,
    who: String,
) -> Result<(), StepFailure> {
    let address = super::mss::address_of(world, &who).await?;
    let found = carrying(world, &title).await?;
    let Some(record) = found.first() else {
        return fail(format!("la PFI n'a reçu aucun message portant « {title} »"));
    };
    let s = summary(record);
    let recipients: Vec<String> = s["participants"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["role"] == "RCT")
        .filter_map(|p| p["address"].as_str().map(str::to_ascii_lowercase))
        .collect();
    let mut problems = Vec::new();
    if s["metadata"]["DESTMSSANTEPS"] != true {
        problems.push(
            "DESTMSSANTEPS n'est pas Y : la PFI ne l'enverra à aucun professionnel".to_string(),
        );
    }
    if !recipients.contains(&address) {
        problems.push(format!(
            "aucun PRT RCT pour {address} (destinataires : {recipients:?})"
        ));
    }
    if acknowledged_with(record) != "AA" {
        problems.push(format!("acquitté {}", acknowledged_with(record)));
    }
    fail_if(!problems.is_empty(), || problems.join(" ; "))?;
    world.witness(std::slice::from_ref(record));
    Ok(())
}
