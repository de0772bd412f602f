//! Re-running today's rules on a recorded run, for the evaluator who replays a vendor's
//! run with an updated bench: every exchange a rule can be re-run on is checked again,
//! and each finding that appears or vanishes is listed with the scenario and requirement
//! verdicts it changes.
//!
//! Re-checkable today:
//! - the MSSanté operator's checks of a submitted message (`X-MSS-*` headers, IHE_XDM and
//!   its CDA, recipients and visibility, threading), from the message and its recipients;
//! - the DMP's VIHF checks (attributes, NameID, patient, validity, signature and its
//!   certificate), from the request, the world, the test PKI and the record's time.
//!
//! Other exchanges are counted as not re-checkable: their rules depend on the session's
//! state at the time (tokens, DMP records, INSi's answers).

use std::collections::{BTreeMap, BTreeSet};

use segur_core::finding::{Finding, Severity};
use segur_core::journal::Record;
use segur_core::world::World;
use serde_json::Value;

use crate::dossier::collect::Run;

/// A finding that differs on one record.
#[derive(Debug)]
pub struct Difference {
    /// The record.
    pub record: String,
    /// Its scenario tag.
    pub scenario: Option<String>,
    /// `service operation`.
    pub exchange: String,
    /// Found now, not recorded.
    pub appeared: Vec<Finding>,
    /// Recorded, not found now (rule names).
    pub vanished: Vec<String>,
}

/// A verdict that the differences change.
#[derive(Debug)]
pub struct VerdictChange {
    /// A scenario name or a requirement id.
    pub subject: String,
    /// As recorded.
    pub recorded: String,
    /// With today's rules.
    pub now: String,
}

/// What a re-check found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Records re-checked.
    pub rechecked: usize,
    /// Records not re-checkable, by `service operation`.
    pub not_rechecked: BTreeMap<String, usize>,
    /// Findings that differ.
    pub differences: Vec<Difference>,
    /// Scenario verdicts that change.
    pub scenarios: Vec<VerdictChange>,
    /// Requirement verdicts that change.
    pub requirements: Vec<VerdictChange>,
}

/// Today's findings on a record, and which recorded rules they speak for (the others come
/// from the session, not from what is re-checked).
struct Rerun {
    /// The findings.
    findings: Vec<Finding>,
    /// Whether a recorded rule is one the re-check can find.
    owns: fn(&str) -> bool,
}

/// What the re-checks need besides the run.
pub struct Context {
    /// The world the run played.
    pub world: World,
    /// The DMP's checks take a bench: the world, the test PKI that signed the VIHFs, a
    /// clock set to each record's time, a scratch journal. None without a PKI: the DMP is
    /// not re-checked.
    pub dmp: Option<segur_core::bench::Bench>,
}

impl Context {
    /// The context for `world`, with the DMP's bench when the PKI is there; `scratch` is
    /// a folder for the bench's journal, which the checks do not write to.
    pub fn new(
        world: World,
        pki: Option<segur_core::pki::Pki>,
        scratch: &std::path::Path,
    ) -> std::io::Result<Self> {
        let dmp = match pki {
            Some(pki) => {
                let clock = segur_core::clock::Clock::new();
                let journal = segur_core::journal::Journal::open(scratch, clock.clone())
                    .map_err(std::io::Error::other)?;
                Some(segur_core::bench::Bench::new(
                    world.clone(),
                    clock,
                    journal,
                    pki,
                ))
            }
            None => None,
        };
        Ok(Self { world, dmp })
    }
}

/// Today's findings on `record`; `None` when it cannot be re-checked alone.
async fn rerun(run: &Run, context: &Context, record: &Record) -> Option<Rerun> {
    let world = &context.world;
    match (record.service.as_str(), record.operation.as_str()) {
        ("dmp", operation) if operation.starts_with("TD") => {
            let bench = context.dmp.as_ref()?;
            let request = record.request.as_ref()?;
            // Records are re-checked one at a time: the clock is at this one's time.
            bench.clock().freeze(Some(record.time));
            let findings = segur_dmp::vihf::recheck(
                bench,
                &segur_dmp::config::DmpConfig::default(),
                request.content_type.as_deref().unwrap_or_default(),
                bytes::Bytes::copy_from_slice(run.body(request)),
                operation,
            )
            .await;
            Some(Rerun {
                findings,
                owns: segur_dmp::vihf::is_vihf_rule,
            })
        }
        ("mssante", "SMTP DATA") => {
            let request = record.request.as_ref()?;
            let rcpt: Vec<String> = request.summary["rcpt_to"]
                .as_array()?
                .iter()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect();
            let findings = segur_mssante::submission::recheck(world, &rcpt, run.body(request));
            fn owned(rule: &str) -> bool {
                !segur_mssante::submission::SESSION_RULES.contains(&rule)
            }
            Some(Rerun {
                findings,
                owns: owned,
            })
        }
        ("annuaire", operation) if operation.starts_with("search ") => {
            let query = record
                .request
                .as_ref()
                .and_then(|r| r.summary["query"].as_str());
            Some(Rerun {
                findings: segur_annuaire::app::recheck(operation, query),
                owns: segur_annuaire::app::is_search_rule,
            })
        }
        ("hl7", "MDM^T02" | "ORU^R01") => {
            let request = record.request.as_ref()?;
            Some(Rerun {
                findings: segur_hl7::answer::recheck(run.body(request)),
                owns: segur_hl7::answer::is_transmission_rule,
            })
        }
        _ => None,
    }
}

/// Re-checks `run` in `context`.
pub async fn recheck(run: &Run, context: &Context) -> Outcome {
    let mut outcome = Outcome::default();
    // Error findings that appeared, by record id.
    let mut new_errors: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    let mut differences = Vec::new();
    for record in &run.records {
        // The bench's own records (the run's conditions) are no exchange to judge.
        if record.service == segur_scenarios::run::BENCH_SERVICE {
            continue;
        }
        let Some(Rerun {
            findings: now,
            owns: owned,
        }) = rerun(run, context, record).await
        else {
            *outcome
                .not_rechecked
                .entry(format!("{} {}", record.service, record.operation))
                .or_default() += 1;
            continue;
        };
        outcome.rechecked += 1;
        let recorded: BTreeSet<(&str, &str)> = record
            .findings
            .iter()
            .filter(|f| owned(&f.rule))
            .map(|f| (f.rule.as_str(), f.message.as_str()))
            .collect();
        let found: BTreeSet<(&str, &str)> = now
            .iter()
            .map(|f| (f.rule.as_str(), f.message.as_str()))
            .collect();
        let appeared: Vec<Finding> = now
            .iter()
            .filter(|f| !recorded.contains(&(f.rule.as_str(), f.message.as_str())))
            .cloned()
            .collect();
        let vanished: Vec<String> = recorded
            .difference(&found)
            .map(|(rule, message)| format!("{rule}: {message}"))
            .collect();
        if appeared.is_empty() && vanished.is_empty() {
            continue;
        }
        differences.push(Difference {
            record: record.id.clone(),
            scenario: record.scenario.clone(),
            exchange: format!("{} {}", record.service, record.operation),
            appeared,
            vanished,
        });
    }
    for d in &differences {
        for f in d.appeared.iter().filter(|f| f.severity == Severity::Error) {
            new_errors.entry(d.record.as_str()).or_default().push(f);
        }
    }
    // A scenario that passed fails once an error finding about its requirements appears
    // in one of its exchanges (the conformity step's rule).
    let mut now_failed: BTreeSet<String> = BTreeSet::new();
    for s in run.summary["runs"].as_array().into_iter().flatten() {
        let name = s["name"].as_str().unwrap_or_default();
        if s["verdict"] != "passed" {
            continue;
        }
        let requirements: Vec<&str> = s["requirements"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let fails = s["exchanges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .flat_map(|id| new_errors.get(id).into_iter().flatten())
            .any(|f| {
                f.requirements.is_empty()
                    || f.requirements
                        .iter()
                        .any(|r| requirements.contains(&r.as_str()))
            });
        if fails {
            now_failed.insert(name.to_string());
            outcome.scenarios.push(VerdictChange {
                subject: name.to_string(),
                recorded: "passed".into(),
                now: "failed".into(),
            });
        }
    }
    for (id, r) in run.summary["requirements"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let recorded = r["verdict"].as_str().unwrap_or_default();
        let fails = r["scenarios"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["name"].as_str().is_some_and(|n| now_failed.contains(n)));
        if fails && recorded != "failed" {
            outcome.requirements.push(VerdictChange {
                subject: id.clone(),
                recorded: recorded.to_string(),
                now: "failed".into(),
            });
        }
    }
    outcome.differences = differences;
    outcome
}
