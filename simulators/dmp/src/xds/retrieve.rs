//! TD3.2 = ITI-43 Retrieve Document Set: each requested document, after the consultation
//! rules, returned as an MTOM attachment (`xop:Include`).

use segur_core::xml::{Element, escape};
use segur_documents::ebrim::{RS, status};

use super::response::{FAILURE, PARTIAL, RegistryError, SUCCESS, error_list};
use super::{XDSB, access};
use crate::exchange::{Answer, Ctx};
use crate::rules;

/// Answers an ITI-43 request.
pub fn answer(ctx: &mut Ctx<'_>, payload: &Element) -> Answer {
    let requests: Vec<(String, String)> = payload
        .children_named(XDSB, "DocumentRequest")
        .map(|r| {
            (
                r.child_text(XDSB, "RepositoryUniqueId")
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                r.child_text(XDSB, "DocumentUniqueId")
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            )
        })
        .collect();
    let caller = ctx.vihf.national_id.clone();
    let number = ctx.patient_number();
    let mut errors = Vec::new();
    let mut responses = String::new();
    let mut attachments = Vec::new();
    if requests.is_empty() {
        errors.push(RegistryError::new(
            "XDSRepositoryError",
            "RetrieveDocumentSetRequest sans DocumentRequest",
        ));
    }
    {
        let state = ctx.store.read();
        let record = state.patients.get(&number);
        let allowed = access::open(record, &number)
            .inspect_err(|e| {
                ctx.findings
                    .push(rules::DMP_STATE.finding(e.context.clone()))
            })
            .and_then(|()| {
                access::may_consult(record.expect("open"), &caller).inspect_err(|e| {
                    ctx.findings.push(
                        rules::ACCESS_REFUSED
                            .finding(format!("consultation by {caller}: {}", e.context)),
                    )
                })
            });
        if let Err(e) = allowed {
            errors.push(e);
        } else {
            let record = record.expect("open");
            for (n, (repository, unique)) in requests.iter().enumerate() {
                if *repository != ctx.config.repository_unique_id {
                    let why = format!(
                        "dépôt inconnu : {repository} (celui du DMP est {})",
                        ctx.config.repository_unique_id
                    );
                    ctx.findings.push(
                        rules::RETRIEVE
                            .finding(why.clone())
                            .at("DocumentRequest/RepositoryUniqueId"),
                    );
                    errors.push(
                        RegistryError::new("XDSUnknownRepositoryId", why).at(repository.clone()),
                    );
                    continue;
                }
                let found = state
                    .by_unique_id
                    .get(unique)
                    .map(|&i| &state.documents[i])
                    .filter(|d| {
                        d.patient == number
                            && d.status != status::DELETED
                            && access::visible_to(d, record, &caller)
                    });
                let Some(d) = found else {
                    let why = format!("document inconnu ou non visible : {unique}");
                    ctx.findings.push(
                        rules::RETRIEVE
                            .finding(why.clone())
                            .at("DocumentRequest/DocumentUniqueId"),
                    );
                    errors.push(
                        RegistryError::new("XDSDocumentUniqueIdError", why).at(unique.clone()),
                    );
                    continue;
                };
                let cid = format!("document-{n}@segur-bench");
                responses.push_str(&format!(
                    "<xdsb:DocumentResponse><xdsb:RepositoryUniqueId>{}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>{}</xdsb:DocumentUniqueId><xdsb:mimeType>{}</xdsb:mimeType><xdsb:Document><xop:Include xmlns:xop=\"{}\" href=\"cid:{cid}\"/></xdsb:Document></xdsb:DocumentResponse>",
                    escape(repository),
                    escape(unique),
                    escape(&d.mime_type),
                    super::XOP
                ));
                attachments.push((cid, d.mime_type.clone(), d.content.clone()));
            }
        }
    }
    let status = match (attachments.is_empty(), errors.is_empty()) {
        (_, true) => SUCCESS,
        (false, false) => PARTIAL,
        (true, false) => FAILURE,
    };
    ctx.note("returned", attachments.len());
    if !errors.is_empty() {
        ctx.note(
            "errors",
            errors.iter().map(|e| e.code.clone()).collect::<Vec<_>>(),
        );
    }
    let registry = if errors.is_empty() {
        format!("<rs:RegistryResponse status=\"{status}\"/>")
    } else {
        format!(
            "<rs:RegistryResponse status=\"{status}\">{}</rs:RegistryResponse>",
            error_list(&errors)
        )
    };
    Answer {
        payload: format!(
            "<xdsb:RetrieveDocumentSetResponse xmlns:xdsb=\"{XDSB}\" xmlns:rs=\"{RS}\">{registry}{responses}</xdsb:RetrieveDocumentSetResponse>"
        ),
        attachments,
    }
}
