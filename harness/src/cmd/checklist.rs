//! `segur-bench checklist`.

use std::process::ExitCode;

use anyhow::Context;

use crate::checklist::{self, Scope};
use crate::cli::ChecklistArgs;

/// Writes the couloir's checklist as CSV and HTML, and prints its counts.
pub fn run(args: ChecklistArgs) -> anyhow::Result<ExitCode> {
    let rows = crate::rem::rows();
    let couloir = args.couloir.to_ascii_uppercase();
    if !rows.iter().any(|r| r.rem == couloir) {
        let mut known: Vec<&str> = rows.iter().map(|r| r.rem.as_str()).collect();
        known.sort_unstable();
        known.dedup();
        anyhow::bail!(
            "no REM for couloir {couloir:?}; known: {}",
            known.join(", ")
        );
    }
    let summary = match &args.run {
        Some(dir) => {
            let path = dir.join("summary.json");
            let text = std::fs::read(&path).with_context(|| path.display().to_string())?;
            Some(serde_json::from_slice(&text).with_context(|| path.display().to_string())?)
        }
        None => None,
    };
    let scope = Scope {
        couloir: couloir.clone(),
        vague: args.vague,
        profiles: args.profiles,
    };
    let tagged = checklist::scenarios_by_requirement(&args.features);
    let lines = checklist::build(&rows, &scope, &tagged, summary.as_ref());
    std::fs::create_dir_all(&args.output_dir)
        .with_context(|| args.output_dir.display().to_string())?;
    let csv = args.output_dir.join(format!("checklist-{couloir}.csv"));
    let html = args.output_dir.join(format!("checklist-{couloir}.html"));
    std::fs::write(&csv, checklist::csv(&lines)).with_context(|| csv.display().to_string())?;
    std::fs::write(&html, checklist::html(&lines, &scope))
        .with_context(|| html.display().to_string())?;
    let counts = checklist::counts(&lines);
    let covered = lines.iter().filter(|l| l.proof.is_some()).count();
    let mut text = format!(
        "{couloir} : {} exigences applicables, {covered} vérifiées par un scénario du banc, {} hors banc\n  {:<8} {:>9} {:>9} {:>9} {:>9}\n",
        lines.len(),
        lines.len() - covered,
        "section",
        "échanges",
        "logiciel",
        "attesté",
        "hors banc"
    );
    for (section, c) in &counts {
        text.push_str(&format!(
            "  {section:<8} {:>9} {:>9} {:>9} {:>9}\n",
            c[0], c[1], c[2], c[3]
        ));
    }
    text.push_str(&format!("  {}\n  {}\n", csv.display(), html.display()));
    super::print_out(&text)?;
    Ok(ExitCode::SUCCESS)
}
