//! TD3.3a–d = ITI-57 Update Document Set: a metadata update (a new version of an entry,
//! same `lid`, `PreviousVersion` on its HasMember association: masking, visibility), or
//! an availability status change (archive, unarchive, logical deletion by the author only).

use segur_core::xml::Element;
use segur_documents::ebrim::{RegistryObjects, association, status, uuid};

use super::response::{RegistryError, registry_response};
use super::{access, patient_key};
use crate::exchange::{Answer, Ctx};
use crate::rules;

/// Answers an ITI-57 request.
pub fn answer(ctx: &mut Ctx<'_>, payload: &Element) -> Answer {
    let errors = update(ctx, payload);
    ctx.note_outcome(&errors);
    for e in &errors {
        ctx.findings.push(rules::UPDATE.finding(e.context.clone()));
    }
    Answer::xml(registry_response(&errors))
}

fn update(ctx: &mut Ctx<'_>, payload: &Element) -> Vec<RegistryError> {
    let objects = RegistryObjects::read(payload);
    let Some(set) = objects.submission_set() else {
        return vec![RegistryError::new(
            "XDSRegistryMetadataError",
            "ITI-57 sans lot de soumission (RegistryPackage)",
        )];
    };
    let number = patient_key(set.external_id(uuid::SET_PATIENT_ID).unwrap_or_default()).0;
    if number != ctx.patient_number() {
        let why = format!(
            "le patient du lot ({number}) n'est pas celui du VIHF ({})",
            ctx.patient_number()
        );
        ctx.findings.push(rules::VIHF_PATIENT.finding(why.clone()));
        return vec![RegistryError::new("XDSPatientIdDoesNotMatch", why)];
    }
    let caller = ctx.vihf.national_id.clone();
    let now = ctx.bench.clock().now();
    let mut state = ctx.store.write();
    if let Err(e) = access::open(state.patients.get(&number), &number) {
        return vec![e];
    }
    let treating = state
        .patients
        .get(&number)
        .and_then(|p| p.treating_doctor.clone());
    let mut errors = Vec::new();
    let mut done = Vec::new();
    for a in objects
        .associations
        .iter()
        .filter(|a| a.kind == association::UPDATE_AVAILABILITY)
    {
        let Some(i) = state
            .by_entry_uuid(&a.target)
            .filter(|&i| state.documents[i].patient == number)
        else {
            errors.push(
                RegistryError::new(
                    "XDSMetadataUpdateError",
                    format!("document inconnu : {}", a.target),
                )
                .at(a.target.clone()),
            );
            continue;
        };
        let (original, new) = (
            a.slot_value("OriginalStatus").unwrap_or_default(),
            a.slot_value("NewStatus").unwrap_or_default(),
        );
        let current = state.documents[i].status.clone();
        if original != current {
            errors.push(
                RegistryError::new(
                    "XDSMetadataUpdateError",
                    format!("statut d'origine {original} ≠ statut actuel {current}"),
                )
                .at(a.target.clone()),
            );
            continue;
        }
        if ![status::APPROVED, status::ARCHIVED, status::DELETED].contains(&new) {
            errors.push(
                RegistryError::new(
                    "XDSMetadataUpdateOperationError",
                    format!("nouveau statut non permis : {new}"),
                )
                .at(a.target.clone()),
            );
            continue;
        }
        if new == status::DELETED && !access::is_author(&state.documents[i], &caller) {
            errors.push(
                RegistryError::new(
                    "XDSMetadataUpdateOperationError",
                    format!("seul l'auteur du document peut le supprimer ({caller} ne l'est pas)"),
                )
                .at(a.target.clone()),
            );
            continue;
        }
        state.documents[i].status = new.to_string();
        state.touch(i);
        done.push(serde_json::json!({"entryUUID": a.target, "status": new}));
    }
    for entry in &objects.entries {
        let lid = entry.lid.clone().unwrap_or_default();
        let previous = objects
            .associations
            .iter()
            .find(|a| a.kind == association::HAS_MEMBER && a.target == entry.id)
            .and_then(|a| a.slot_value("PreviousVersion"))
            .and_then(|v| v.parse::<u32>().ok());
        let current = state
            .by_patient
            .get(&number)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| {
                state.documents[i].lid == lid && state.documents[i].status == status::APPROVED
            })
            .max_by_key(|&i| state.documents[i].version);
        let Some(i) = current else {
            errors.push(
                RegistryError::new(
                    "XDSMetadataUpdateError",
                    format!("aucune version courante pour le lid {lid}"),
                )
                .at(entry.id.clone()),
            );
            continue;
        };
        if previous != Some(state.documents[i].version) {
            errors.push(
                RegistryError::new(
                    "XDSMetadataVersionError",
                    format!(
                        "PreviousVersion {previous:?} ≠ version courante {}",
                        state.documents[i].version
                    ),
                )
                .at(entry.id.clone()),
            );
            continue;
        }
        let old = &state.documents[i];
        let masked_away = old.confidentiality.iter().any(|c| c == access::MASKED)
            && !access::is_author(old, &caller)
            && treating.as_deref() != Some(caller.as_str());
        if masked_away {
            errors.push(RegistryError::new("XDSMetadataUpdateError", "document masqué aux professionnels : seul son auteur ou le médecin traitant le modifie").at(entry.id.clone()));
            continue;
        }
        let mut next = old.clone();
        next.version += 1;
        next.entry_uuid = format!("urn:uuid:{}", super::provide::uuid_v4());
        next.confidentiality = entry
            .classified(uuid::CONFIDENTIALITY)
            .map(|c| c.code.clone())
            .collect();
        next.submitted_at = now;
        state.documents[i].status = status::DEPRECATED.to_string();
        state.touch(i);
        done.push(serde_json::json!({"lid": lid, "version": next.version, "confidentiality": next.confidentiality}));
        state.insert(next);
    }
    drop(state);
    if errors.is_empty() && done.is_empty() {
        errors.push(RegistryError::new(
            "XDSMetadataUpdateError",
            "ITI-57 sans mise à jour (ni nouvelle version, ni UpdateAvailabilityStatus)",
        ));
    }
    if !errors.is_empty() {
        return errors;
    }
    ctx.note("updated", done);
    errors
}
