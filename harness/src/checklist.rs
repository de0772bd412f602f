//! The completeness checklist of a couloir: every REM requirement that applies (in force,
//! of the vague and profiles asked for), with its coverage — checked by a bench scenario
//! on the exchanges it received, on what the software reports it shows, or on an
//! operator's attestation (and the run's verdict when a run is given), or left to evidence
//! the bench does not produce (a CNDA certificate, a pentest form) — as CSV and as HTML,
//! with the four counts per section.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use segur_scenarios::run::{Proof, Tagging};
use serde_json::Value;

use crate::rem::Row;

/// The scenarios of each requirement id, with how each proves it and for which couloirs.
pub type Tagged = BTreeMap<String, BTreeMap<String, Tagging>>;

/// The coverage kinds, strongest first, as the checklist names them.
pub const KINDS: [&str; 4] = ["exchange", "software", "attested", "outside"];

/// Which requirements apply.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The couloir (REM): `LGC`, `DPI`…
    pub couloir: String,
    /// Only this vague (1 or 2); both when `None`.
    pub vague: Option<u8>,
    /// Only these profiles (`Général`, `BAL PER-ORG`…); all when empty.
    pub profiles: Vec<String>,
}

impl Scope {
    /// Whether `row` is in scope: its couloir, in force, of the vague and profiles asked.
    pub fn applies(&self, row: &Row) -> bool {
        row.rem.eq_ignore_ascii_case(&self.couloir)
            && row.in_force()
            && self.vague.is_none_or(|v| row.vague() == v)
            && (self.profiles.is_empty() || self.profiles.contains(&row.profil))
    }
}

/// One line of the checklist.
#[derive(Debug, Clone)]
pub struct Line {
    /// The REM row.
    pub row: Row,
    /// The bench scenarios tagged with the requirement.
    pub scenarios: Vec<String>,
    /// The strongest proof among them (`None`: outside the bench).
    pub proof: Option<Proof>,
    /// The run's verdict for it, when a run was given and it ran.
    pub verdict: Option<String>,
}

impl Line {
    /// One of [`KINDS`]: how the strongest of its scenarios proves it, `outside` when no
    /// scenario does.
    pub fn coverage(&self) -> &'static str {
        self.proof.map_or("outside", Proof::name)
    }

    /// The coverage in French, for the HTML.
    fn coverage_label(&self) -> &'static str {
        match self.proof {
            Some(Proof::Exchange) => "échanges vérifiés",
            Some(Proof::Software) => "rapporté par le logiciel",
            Some(Proof::Attested) => "attesté",
            None => "hors banc",
        }
    }

    /// The evidence: what the bench produces, or the kind the REM usually asks for
    /// (counts of `../shared/specs/rem.md` §3.3: videos above all).
    pub fn evidence(&self) -> &'static str {
        match self.proof {
            // The MSSanté scenarios ask for the run id of the ANS's test tool for
            // vendors (tests-editeur.espacedeconfiance.mssante.fr): offline, the bench
            // plays that tool, and the run's id and sealed dossier stand for it.
            Some(Proof::Exchange) if self.row.section_id.starts_with("MSS") => {
                return "banc : échanges SMTP/IMAP journalisés, archives IHE_XDM, rapport ; le banc tient lieu d'outil de test MSSanté hors ligne, l'identifiant d'exécution est celui du run (dossier scellé)";
            }
            Some(Proof::Exchange) => {
                return "banc : échanges journalisés, messages SOAP/SMTP, archives IHE_XDM, rapport";
            }
            Some(Proof::Software) => {
                return "banc : ce que le logiciel rapporte (écran, édition, trace), confronté aux faits du banc, au journal";
            }
            Some(Proof::Attested) => {
                return "banc : document ou capture fournis, empreinte SHA-256 au journal";
            }
            None => {}
        }
        let section = self.row.section_id.as_str();
        if section.starts_with("SSI") {
            "hors banc : formulaire de test d'intrusion PASSI, documentation"
        } else if section.starts_with("INS") {
            "hors banc : justificatif d'autorisation CNDA (le REM ne demande rien d'autre)"
        } else if section.starts_with("MSS") {
            "hors banc : identifiant d'exécution de l'outil de test MSSanté, vidéo"
        } else if section.starts_with("DMP") || section.starts_with("CDA") || section == "DOC" {
            "hors banc : rapport Gazelle, vidéo"
        } else {
            "hors banc : vidéo ou captures d'écran"
        }
    }
}

/// The requirement ids the feature scenarios under `features` are tagged with → names
/// and proofs.
pub fn scenarios_by_requirement(features: &Path) -> Tagged {
    segur_scenarios::run::proofs_of_features(features)
}

/// The requirement ids a run's `summary.json` covers → its scenario names and proofs
/// (from each scenario's tags).
pub fn scenarios_of_run(summary: &Value) -> Tagged {
    let taggings: BTreeMap<&str, Tagging> = summary["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|run| {
            let tags: Vec<String> = run["tags"]
                .as_array()?
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect();
            Some((run["name"].as_str()?, Tagging::of_tags(&tags)))
        })
        .collect();
    summary["requirements"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(id, r)| {
            let names = r["scenarios"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["name"].as_str())
                .map(|name| {
                    let tagging = taggings.get(name).cloned().unwrap_or(Tagging {
                        proof: Proof::Exchange,
                        couloirs: BTreeSet::new(),
                    });
                    (name.to_string(), tagging)
                })
                .collect();
            (id.clone(), names)
        })
        .collect()
}

/// For each section (`INS`, `PSC`, `DMP`…), the count of each of [`KINDS`], in order.
pub fn counts(lines: &[Line]) -> BTreeMap<String, [usize; 4]> {
    let mut out: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for l in lines {
        let kind = KINDS
            .iter()
            .position(|k| *k == l.coverage())
            .unwrap_or(KINDS.len() - 1);
        out.entry(l.row.section_id.clone()).or_default()[kind] += 1;
    }
    out
}

/// The checklist of `scope`: `tagged` gives the scenarios of each requirement id,
/// `summary` (a run's `summary.json`) the verdicts.
pub fn build(rows: &[Row], scope: &Scope, tagged: &Tagged, summary: Option<&Value>) -> Vec<Line> {
    // The socle of each (REM, requirement): a scenario written for another couloir proves
    // this one's requirement only when both derive from the same socle requirement.
    let socles: BTreeMap<(String, &str), &str> = rows
        .iter()
        .filter(|r| !r.socle_ref.is_empty())
        .map(|r| {
            (
                (r.rem.to_ascii_uppercase(), r.requirement_ref.as_str()),
                r.socle_ref.as_str(),
            )
        })
        .collect();
    let speaks_for = |row: &Row, tagging: &Tagging| {
        tagging.covers(&scope.couloir)
            || socles
                .get(&(
                    scope.couloir.to_ascii_uppercase(),
                    row.requirement_ref.as_str(),
                ))
                .is_some_and(|own| {
                    tagging.couloirs.iter().any(|c| {
                        socles.get(&(c.to_ascii_uppercase(), row.requirement_ref.as_str()))
                            == Some(own)
                    })
                })
    };
    let mut seen = BTreeSet::new();
    rows.iter()
        .filter(|r| scope.applies(r))
        // One line per requirement and vague (a sheet may repeat a row).
        .filter(|r| seen.insert((r.requirement_ref.clone(), r.vague())))
        .map(|r| {
            let own: Vec<(&String, &Tagging)> = tagged
                .get(&r.requirement_ref)
                .into_iter()
                .flatten()
                .filter(|(_, t)| speaks_for(r, t))
                .collect();
            Line {
                scenarios: own.iter().map(|(name, _)| (*name).clone()).collect(),
                proof: own.iter().map(|(_, t)| t.proof).max(),
                verdict: summary
                    .and_then(|s| s["requirements"][&r.requirement_ref]["verdict"].as_str())
                    .map(str::to_string),
                row: r.clone(),
            }
        })
        .collect()
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', ';']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The CSV form.
pub fn csv(lines: &[Line]) -> String {
    let mut out = String::from(
        "requirement,vague,section,profile,nature,status,coverage,scenarios,verdict,evidence_ids,evidence\n",
    );
    for l in lines {
        let r = &l.row;
        let fields = [
            r.requirement_ref.clone(),
            r.vague().to_string(),
            r.section_id.clone(),
            r.profil.clone(),
            r.nature.clone(),
            r.arbitrage.clone(),
            l.coverage().to_string(),
            l.scenarios.join(" | "),
            l.verdict.clone().unwrap_or_default(),
            r.evidence_ids.clone(),
            l.evidence().to_string(),
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The HTML form (self-contained, well-formed).
pub fn html(lines: &[Line], scope: &Scope) -> String {
    let counts = counts(lines);
    let total = |kind: usize| counts.values().map(|c| c[kind]).sum::<usize>();
    let mut out = format!(
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"fr\"><head><meta charset=\"utf-8\"/><title>Liste de complétude {c}</title><style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin-bottom:1.5em}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}.outside{{color:#666}}.failed{{color:#a01010;font-weight:bold}}.passed{{color:#176317}}</style></head><body><h1>Liste de complétude — couloir {c}{v}</h1><p>{n} exigences applicables : {e} vérifiées sur les échanges, {sw} sur ce que le logiciel rapporte, {a} attestées, {o} à prouver hors du banc.</p>",
        c = esc(&scope.couloir),
        v = scope
            .vague
            .map(|v| format!(", vague {v}"))
            .unwrap_or_default(),
        n = lines.len(),
        e = total(0),
        sw = total(1),
        a = total(2),
        o = total(3),
    );
    out.push_str("<table><thead><tr><th>Section</th><th>Échanges vérifiés</th><th>Rapporté par le logiciel</th><th>Attesté</th><th>Hors banc</th></tr></thead><tbody>");
    for (section, c) in &counts {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(section),
            c[0],
            c[1],
            c[2],
            c[3]
        );
    }
    out.push_str("</tbody></table><table><thead><tr><th>Exigence</th><th>Vague</th><th>Nature</th><th>Profil</th><th>Couverture</th><th>Scénarios</th><th>Verdict</th><th>Preuves</th></tr></thead><tbody>");
    for l in lines {
        let verdict = l.verdict.clone().unwrap_or_default();
        let _ = write!(
            out,
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{} {}</td></tr>",
            l.coverage(),
            esc(&l.row.requirement_ref),
            l.row.vague(),
            esc(&l.row.nature),
            esc(&l.row.profil),
            l.coverage_label(),
            l.scenarios
                .iter()
                .map(|s| esc(s))
                .collect::<Vec<_>>()
                .join("<br/>"),
            esc(&verdict),
            esc(&verdict),
            esc(&l.row.evidence_ids),
            esc(l.evidence()),
        );
    }
    out.push_str("</tbody></table></body></html>\n");
    out
}
