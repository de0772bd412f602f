//! TD3.1 = ITI-18 Registry Stored Query: FindDocuments, GetDocuments,
//! FindDocumentsByReferenceId and GetRelatedDocuments (a document, the versions that
//! replaced it or that it replaced, and their RPLC associations), with status, date and
//! code filters, after the consultation rules; masked documents are left out for
//! professionals other than their author and the médecin traitant.

use std::collections::HashMap;

use segur_core::xml::Element;
use segur_documents::ebrim::{QUERY, RIM, association, uuid};

use super::response::{RegistryError, error_list};
use super::{access, patient_key};
use crate::exchange::{Answer, Ctx};
use crate::rules;
use crate::store::StoredDocument;

/// FindDocuments.
pub const FIND_DOCUMENTS: &str = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d";
/// GetDocuments.
pub const GET_DOCUMENTS: &str = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4";
/// FindDocumentsByReferenceId.
pub const FIND_BY_REFERENCE: &str = "urn:uuid:12941a89-e02e-4be5-967c-ce4bfc8fe492";
/// GetRelatedDocuments.
pub const GET_RELATED: &str = "urn:uuid:d90e5407-b356-4d91-a89f-873917b4b0e6";

/// The parameters of a stored query: name → values, each `('a','b')` list flattened.
pub type Params = HashMap<String, Vec<String>>;

/// Reads the `AdhocQuery` slots.
pub fn params(query: &Element) -> Params {
    let mut out: Params = HashMap::new();
    for slot in query.children_named(RIM, "Slot") {
        let name = slot.attr("name").unwrap_or_default().to_string();
        let values = out.entry(name).or_default();
        for value in slot
            .children_named(RIM, "ValueList")
            .flat_map(|l| l.children_named(RIM, "Value"))
        {
            let text = value.text();
            let text = text.trim();
            let inner = text
                .strip_prefix('(')
                .and_then(|t| t.strip_suffix(')'))
                .unwrap_or(text);
            values.extend(split_list(inner));
        }
    }
    out
}

/// Splits `'a','b'` (quotes optional) on commas outside quotes.
fn split_list(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for ch in text.chars() {
        match ch {
            '\'' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    out.push(current);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Answers an ITI-18 request.
pub fn answer(ctx: &mut Ctx<'_>, payload: &Element) -> Answer {
    let leaf = payload
        .child(QUERY, "ResponseOption")
        .and_then(|o| o.attr("returnType"))
        .is_none_or(|t| t == "LeafClass");
    let Some(query) = payload.child(RIM, "AdhocQuery") else {
        return failure(
            ctx,
            RegistryError::new("XDSRegistryError", "AdhocQueryRequest sans AdhocQuery"),
        );
    };
    let id = query.attr("id").unwrap_or_default().to_string();
    ctx.note("query", id.clone());
    let params = params(query);
    let mut names: Vec<&String> = params.keys().collect();
    names.sort();
    ctx.note("parameters", serde_json::json!(names));
    match search(ctx, &id, &params, leaf) {
        Ok((list, returned)) => {
            ctx.note("returned", returned);
            Answer::xml(format!(
                "<query:AdhocQueryResponse xmlns:query=\"{QUERY}\" xmlns:rim=\"{RIM}\" status=\"{}\"><rim:RegistryObjectList>{list}</rim:RegistryObjectList></query:AdhocQueryResponse>",
                super::response::SUCCESS
            ))
        }
        Err(e) => failure(ctx, e),
    }
}

fn failure(ctx: &mut Ctx<'_>, error: RegistryError) -> Answer {
    let errors = [error];
    ctx.note_outcome(&errors);
    Answer::xml(failure_response(&errors))
}

/// An `AdhocQueryResponse` that failed with `errors`.
pub fn failure_response(errors: &[RegistryError]) -> String {
    format!(
        "<query:AdhocQueryResponse xmlns:query=\"{QUERY}\" xmlns:rim=\"{RIM}\" xmlns:rs=\"{}\" status=\"{}\">{}<rim:RegistryObjectList/></query:AdhocQueryResponse>",
        segur_documents::ebrim::RS,
        super::response::FAILURE,
        error_list(errors)
    )
}

fn required<'p>(
    ctx: &mut Ctx<'_>,
    params: &'p Params,
    name: &str,
) -> Result<&'p [String], RegistryError> {
    match params.get(name) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => {
            let why = format!("le paramètre {name} est requis par cette requête");
            ctx.findings.push(
                rules::QUERY
                    .finding(why.clone())
                    .at(format!("AdhocQuery/Slot[@name='{name}']")),
            );
            Err(RegistryError::new("XDSStoredQueryMissingParam", why).at(name.to_string()))
        }
    }
}

/// Runs the query; returns the `RegistryObjectList` content (entries, or `ObjectRef`s
/// unless `leaf`) and how many documents it holds. Read under the shared lock: only the
/// patient's last access is written, once the answer is built.
fn search(
    ctx: &mut Ctx<'_>,
    id: &str,
    params: &Params,
    leaf: bool,
) -> Result<(String, usize), RegistryError> {
    let by_uuid = match id {
        FIND_DOCUMENTS | FIND_BY_REFERENCE => None,
        GET_DOCUMENTS | GET_RELATED => Some(
            params
                .get("$XDSDocumentEntryEntryUUID")
                .or_else(|| params.get("$XDSDocumentEntryUniqueId"))
                .cloned()
                .unwrap_or_default(),
        ),
        other => {
            let why = format!("requête stockée inconnue : {other}");
            ctx.findings
                .push(rules::QUERY.finding(why.clone()).at("AdhocQuery/@id"));
            return Err(RegistryError::new("XDSUnknownStoredQuery", why));
        }
    };
    let patient = if by_uuid.is_none() {
        let p = required(ctx, params, "$XDSDocumentEntryPatientId")?[0].clone();
        required(ctx, params, "$XDSDocumentEntryStatus")?;
        if id == FIND_BY_REFERENCE {
            required(ctx, params, "$XDSDocumentEntryReferenceIdList")?;
        }
        Some(patient_key(&p).0)
    } else {
        if by_uuid.as_ref().is_some_and(Vec::is_empty) {
            required(ctx, params, "$XDSDocumentEntryEntryUUID")?;
        }
        if id == GET_RELATED {
            required(ctx, params, "$AssociationTypes")?;
        }
        None
    };
    let caller = ctx.vihf.national_id.clone();
    let vihf_patient = ctx.patient_number();
    if let Some(p) = &patient
        && *p != vihf_patient
    {
        let why = format!("the query's patient {p} is not the VIHF's resource-id {vihf_patient}");
        ctx.findings.push(
            rules::VIHF_PATIENT
                .finding(why.clone())
                .at("AdhocQuery/Slot[@name='$XDSDocumentEntryPatientId']"),
        );
        return Err(RegistryError::new("XDSPatientIdDoesNotMatch", why));
    }
    let now = ctx.bench.clock().now();
    let state = ctx.store.read();
    let number = patient.unwrap_or(vihf_patient);
    let record = state.patients.get(&number);
    access::open(record, &number).inspect_err(|e| {
        ctx.findings
            .push(rules::DMP_STATE.finding(e.context.clone()))
    })?;
    let record = record.expect("open checked it");
    access::may_consult(record, &caller).inspect_err(|e| {
        ctx.findings
            .push(rules::ACCESS_REFUSED.finding(format!("consultation by {caller}: {}", e.context)))
    })?;
    let mut named: Vec<usize>;
    let mut associations = Vec::new();
    let candidates: &[usize] = match &by_uuid {
        Some(ids) => {
            named = ids
                .iter()
                .filter_map(|i| {
                    state
                        .by_entry
                        .get(i)
                        .or_else(|| state.by_unique_id.get(i))
                        .copied()
                })
                .collect();
            if id == GET_RELATED {
                let wanted = params.get("$AssociationTypes").cloned().unwrap_or_default();
                (named, associations) = related(&state, &named, &wanted);
            }
            &named
        }
        None => state.by_patient.get(&number).map_or(&[], Vec::as_slice),
    };
    let filter = Filter::new(params);
    let mut hidden = 0;
    let mut returned = 0;
    let mut list = String::new();
    for &i in candidates {
        let d = &state.documents[i];
        if d.patient != number || !filter.accepts(d) {
            continue;
        }
        if !access::visible_to(d, record, &caller) {
            hidden += 1;
            continue;
        }
        returned += 1;
        if leaf {
            list.push_str(&d.rendered);
        } else {
            list.push_str(&format!("<rim:ObjectRef id=\"{}\"/>", d.entry_uuid));
        }
        if returned > ctx.config.max_results {
            let why = format!(
                "plus de {} documents correspondent : affinez la recherche",
                ctx.config.max_results
            );
            ctx.findings.push(
                rules::QUERY
                    .finding(why.clone())
                    .with_severity(segur_core::finding::Severity::Warning),
            );
            return Err(RegistryError::new("XDSTooManyResults", why));
        }
    }
    // The associations between documents the caller may see.
    for (kind, source, target) in &associations {
        let shown = |i: &usize| {
            let d = &state.documents[*i];
            d.patient == number && filter.accepts(d) && access::visible_to(d, record, &caller)
        };
        if shown(source) && shown(target) && leaf {
            list.push_str(&format!(
                "<rim:Association id=\"urn:uuid:{}\" associationType=\"{kind}\" sourceObject=\"{}\" targetObject=\"{}\" objectType=\"urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association\"/>",
                super::provide::uuid_v4(),
                state.documents[*source].entry_uuid,
                state.documents[*target].entry_uuid,
            ));
        }
    }
    drop(state);
    if let Some(r) = ctx.store.write().patients.get_mut(&number) {
        r.last_access = Some(now);
    }
    if hidden > 0 {
        ctx.note("hidden_masked", hidden);
    }
    Ok((list, returned))
}

/// GetRelatedDocuments: the documents `named`, each followed by the versions linked to it
/// by an association of a `wanted` type (the RPLC chain both ways: the versions that
/// replaced it and the one it replaced), and those associations as (type, source,
/// target) indexes.
fn related(
    state: &crate::store::State,
    named: &[usize],
    wanted: &[String],
) -> (Vec<usize>, Vec<(&'static str, usize, usize)>) {
    let mut documents = Vec::new();
    let mut links = Vec::new();
    if !wanted.iter().any(|w| w == association::RPLC) {
        return (named.to_vec(), links);
    }
    let mut queue: Vec<usize> = named.to_vec();
    while let Some(i) = queue.pop() {
        if documents.contains(&i) {
            continue;
        }
        documents.push(i);
        let d = &state.documents[i];
        // The version it replaced.
        if let Some(old) = d.replaces.as_ref().and_then(|u| state.by_entry_uuid(u)) {
            links.push((association::RPLC, i, old));
            queue.push(old);
        }
        // The versions that replaced it.
        for (j, newer) in state.documents.iter().enumerate() {
            if newer.patient == d.patient && newer.replaces.as_deref() == Some(&d.entry_uuid) {
                queue.push(j);
            }
        }
    }
    links.sort_unstable();
    links.dedup();
    (documents, links)
}

/// The filters of FindDocuments.
struct Filter<'p> {
    statuses: Option<&'p [String]>,
    codes: Vec<(&'static str, &'p [String])>,
    times: Vec<(&'static str, bool, &'p str)>,
    references: Option<&'p [String]>,
    authors: Option<&'p [String]>,
}

impl<'p> Filter<'p> {
    fn new(params: &'p Params) -> Self {
        let get = |n: &str| params.get(n).map(Vec::as_slice).filter(|v| !v.is_empty());
        let mut codes = Vec::new();
        for (param, scheme) in [
            ("$XDSDocumentEntryClassCode", uuid::CLASS_CODE),
            ("$XDSDocumentEntryTypeCode", uuid::TYPE_CODE),
            ("$XDSDocumentEntryFormatCode", uuid::FORMAT_CODE),
            (
                "$XDSDocumentEntryPracticeSettingCode",
                uuid::PRACTICE_SETTING,
            ),
            (
                "$XDSDocumentEntryHealthcareFacilityTypeCode",
                uuid::FACILITY_TYPE,
            ),
            ("$XDSDocumentEntryEventCodeList", uuid::EVENT_CODE),
            (
                "$XDSDocumentEntryConfidentialityCode",
                uuid::CONFIDENTIALITY,
            ),
        ] {
            if let Some(v) = get(param) {
                codes.push((scheme, v));
            }
        }
        let mut times = Vec::new();
        for (param, slot, from) in [
            ("$XDSDocumentEntryCreationTimeFrom", "creationTime", true),
            ("$XDSDocumentEntryCreationTimeTo", "creationTime", false),
            (
                "$XDSDocumentEntryServiceStartTimeFrom",
                "serviceStartTime",
                true,
            ),
            (
                "$XDSDocumentEntryServiceStartTimeTo",
                "serviceStartTime",
                false,
            ),
            (
                "$XDSDocumentEntryServiceStopTimeFrom",
                "serviceStopTime",
                true,
            ),
            (
                "$XDSDocumentEntryServiceStopTimeTo",
                "serviceStopTime",
                false,
            ),
        ] {
            if let Some(v) = get(param) {
                times.push((slot, from, v[0].as_str()));
            }
        }
        Self {
            statuses: get("$XDSDocumentEntryStatus"),
            codes,
            times,
            references: get("$XDSDocumentEntryReferenceIdList"),
            authors: get("$XDSDocumentEntryAuthorPerson"),
        }
    }

    fn accepts(&self, d: &StoredDocument) -> bool {
        if let Some(statuses) = self.statuses
            && !statuses.contains(&d.status)
        {
            return false;
        }
        for (scheme, wanted) in &self.codes {
            let have: Vec<(String, Option<String>)> = if *scheme == uuid::CONFIDENTIALITY {
                d.confidentiality
                    .iter()
                    .map(|c| (c.clone(), None))
                    .collect()
            } else {
                d.entry
                    .classified(scheme)
                    .map(|c| (c.code.clone(), c.coding_scheme.clone()))
                    .collect()
            };
            let matches = wanted.iter().any(|w| {
                let mut parts = w.split('^');
                let code = parts.next().unwrap_or_default();
                let system = parts.nth(1).filter(|s| !s.is_empty());
                have.iter().any(|(c, s)| {
                    c == code && (system.is_none() || s.is_none() || s.as_deref() == system)
                })
            });
            if !matches {
                return false;
            }
        }
        for (slot, from, bound) in &self.times {
            let Some(value) = d.entry.slot_value(slot) else {
                return false;
            };
            // HL7 DTM values compare as strings once cut to the same precision.
            let n = value.len().min(bound.len());
            let (v, b) = (&value[..n], &bound[..n]);
            if (*from && v < b) || (!*from && v >= b) {
                return false;
            }
        }
        if let Some(refs) = self.references {
            let have = d
                .entry
                .slot("urn:ihe:iti:xds:2013:referenceIdList")
                .unwrap_or_default();
            if !refs.iter().any(|r| {
                have.iter()
                    .any(|h| h == r || h.starts_with(&format!("{r}^")))
            }) {
                return false;
            }
        }
        if let Some(authors) = self.authors {
            let have: Vec<&String> = d
                .entry
                .classified(uuid::AUTHOR)
                .flat_map(|a| a.slots.iter())
                .filter(|s| s.name == "authorPerson")
                .flat_map(|s| s.values.iter())
                .collect();
            if !authors.iter().any(|a| {
                let pattern = a.trim_end_matches('%');
                have.iter().any(|h| {
                    if a.ends_with('%') {
                        h.starts_with(pattern)
                    } else {
                        *h == a
                    }
                })
            }) {
                return false;
            }
        }
        true
    }
}
