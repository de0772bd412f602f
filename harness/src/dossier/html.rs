//! `report.html`: the run as a person reads it, in French, in one self-contained file (no
//! script, no font, no link outside): the requirements and their verdicts, then each
//! scenario's timeline — the driver's actions and every exchange with its body pretty-
//! printed and its findings highlighted. Written as well-formed XHTML.

use std::fmt::Write as _;

use segur_core::finding::Severity;
use segur_core::journal::{BodyRef, Record};
use serde_json::Value;

use super::collect::Run;

/// The most bytes of one body shown (the whole body is in the journal and the evidence).
const SHOWN: usize = 48 * 1024;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn verdict_fr(v: &str) -> &'static str {
    match v {
        "passed" => "conforme",
        "failed" => "non conforme",
        "partial" => "partiel",
        "skipped" => "non joué",
        _ => "non évalué",
    }
}

/// XML indented one element per line (display only: text is kept as it is).
pub fn pretty_xml(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + xml.len() / 8);
    let mut depth: usize = 0;
    let mut rest = xml.trim();
    while let Some(start) = rest.find('<') {
        let text = rest[..start].trim();
        if !text.is_empty() {
            out.push_str(&"  ".repeat(depth));
            out.push_str(text);
            out.push('\n');
        }
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + end + 1];
        let closing = tag.starts_with("</");
        let opening =
            !closing && !tag.ends_with("/>") && !tag.starts_with("<?") && !tag.starts_with("<!");
        if closing {
            depth = depth.saturating_sub(1);
        }
        out.push_str(&"  ".repeat(depth));
        out.push_str(tag);
        out.push('\n');
        if opening {
            depth += 1;
        }
        rest = &rest[start + end + 1..];
    }
    let tail = rest.trim();
    if !tail.is_empty() {
        out.push_str(tail);
        out.push('\n');
    }
    out
}

fn body_html(run: &Run, body: &BodyRef) -> String {
    let bytes = run.body(body);
    let shown = &bytes[..bytes.len().min(SHOWN)];
    let text = String::from_utf8_lossy(shown);
    let is_xml = body
        .content_type
        .as_deref()
        .is_some_and(|c| c.contains("xml"));
    let mut pre = if is_xml && text.trim_start().starts_with('<') {
        pretty_xml(&text)
    } else {
        text.into_owned()
    };
    if bytes.len() > SHOWN {
        let _ = write!(
            pre,
            "\n[… {} octets de plus : voir le journal]",
            bytes.len() - SHOWN
        );
    }
    format!(
        "<pre>{}</pre><p class=\"meta\">{} octets, SHA-256 {}</p>",
        esc(&pre),
        bytes.len(),
        esc(&body.sha256)
    )
}

fn exchange_html(run: &Run, r: &Record) -> String {
    let mut out = String::new();
    let errors = r.findings.iter().any(|f| f.severity == Severity::Error);
    let _ = write!(
        out,
        "<details class=\"exchange{}\" id=\"{}\"><summary>{} — {} {} <span class=\"meta\">({})</span></summary>",
        if errors { " bad" } else { "" },
        esc(&r.id),
        esc(&r
            .time
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()),
        esc(&r.service),
        esc(&r.operation),
        esc(&r.id),
    );
    if !r.findings.is_empty() {
        out.push_str("<ul class=\"findings\">");
        for f in &r.findings {
            let _ = write!(
                out,
                "<li class=\"{}\"><strong>{}</strong> [{}] {}{}</li>",
                match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    _ => "info",
                },
                esc(&f.rule),
                esc(&f.requirements.join(", ")),
                esc(&f.message),
                f.location
                    .as_deref()
                    .map(|l| format!(" — {}", esc(l)))
                    .unwrap_or_default()
            );
        }
        out.push_str("</ul>");
    }
    for (label, body) in [("Requête", &r.request), ("Réponse", &r.response)] {
        if let Some(body) = body {
            let _ = write!(out, "<h4>{label}</h4>{}", body_html(run, body));
        }
    }
    out.push_str("</details>");
    out
}

/// The whole page.
pub fn report(run: &Run, manifest: &Value) -> String {
    let by_id = run.by_id();
    let mut out = String::from(
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"fr\"><head><meta charset=\"utf-8\"/><title>Dossier de preuves segur-bench</title><style>
body{font-family:sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
.passed{color:#176317}.failed{color:#a01010;font-weight:bold}.partial,.not_evaluated,.skipped{color:#8a6d00}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:.85em}.meta{color:#666;font-size:.85em}
.exchange.bad>summary{color:#a01010;font-weight:bold}.findings .error{color:#a01010}.findings .warning{color:#8a6d00}
</style></head><body>",
    );
    let software = &manifest["software"];
    let _ = write!(
        out,
        "<h1>Dossier de preuves segur-bench</h1><p>Logiciel testé : <strong>{} {}</strong>. Banc : segur-bench {}. Du {} au {}.</p><p class=\"meta\">Scénarios : empreinte {} ; monde : empreinte {} ; journal : {} échanges, dernière empreinte {}.</p>",
        esc(software["name"].as_str().unwrap_or("(non déclaré)")),
        esc(software["version"].as_str().unwrap_or("")),
        esc(manifest["bench"]["version"].as_str().unwrap_or("")),
        esc(manifest["started_at"].as_str().unwrap_or("?")),
        esc(manifest["ended_at"].as_str().unwrap_or("?")),
        esc(manifest["features_sha256"].as_str().unwrap_or("?")),
        esc(manifest["world_sha256"].as_str().unwrap_or("?")),
        run.records.len(),
        esc(&run.head),
    );
    out.push_str(&conditions(manifest));
    out.push_str("<h2>Exigences</h2><table><thead><tr><th>Exigence</th><th>Verdict</th><th>Scénarios</th><th>Preuves</th></tr></thead><tbody>");
    if let Some(requirements) = manifest["requirements"].as_object() {
        for (id, r) in requirements {
            let verdict = r["verdict"].as_str().unwrap_or("not_evaluated");
            let scenarios: Vec<String> = r["scenarios"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| esc(s["name"].as_str().unwrap_or_default()))
                .collect();
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{} fichier(s)</td></tr>",
                esc(id),
                esc(verdict),
                verdict_fr(verdict),
                scenarios.join("<br/>"),
                r["evidence"].as_array().map_or(0, Vec::len),
            );
        }
    }
    out.push_str("</tbody></table><h2>Scénarios</h2>");
    for s in run.summary["runs"].as_array().into_iter().flatten() {
        let verdict = s["verdict"].as_str().unwrap_or("");
        let _ = write!(
            out,
            "<section><h3><span class=\"{}\">[{}]</span> {}</h3><p class=\"meta\">{} — exigences : {}</p>",
            esc(verdict),
            verdict_fr(verdict),
            esc(s["name"].as_str().unwrap_or_default()),
            esc(s["feature"].as_str().unwrap_or_default()),
            esc(&s["requirements"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")),
        );
        if let Some(reason) = s["reason"].as_str() {
            let _ = write!(out, "<pre class=\"failed\">{}</pre>", esc(reason));
        }
        out.push_str("<ol>");
        for a in s["actions"].as_array().into_iter().flatten() {
            let _ = write!(
                out,
                "<li>action <code>{}</code> : {}{}</li>",
                esc(a["action"].as_str().unwrap_or_default()),
                esc(a["status"].as_str().unwrap_or_default()),
                a["message"]
                    .as_str()
                    .map(|m| format!(" — « {} »", esc(m)))
                    .unwrap_or_default()
            );
        }
        out.push_str("</ol>");
        for id in s["exchanges"].as_array().into_iter().flatten() {
            if let Some(r) = id.as_str().and_then(|id| by_id.get(id)) {
                out.push_str(&exchange_html(run, r));
            }
        }
        out.push_str("</section>");
    }
    out.push_str("</body></html>\n");
    out
}

/// A warning box when the run was not played on the bench's own terms: a world other than
/// the embedded one, or rules whose findings were not recorded.
fn conditions(manifest: &serde_json::Value) -> String {
    let lines = super::run_conditions(manifest);
    if lines.is_empty() {
        return String::new();
    }
    let items: String = lines
        .iter()
        .map(|line| {
            let mut chars = line.chars();
            let first: String = chars
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .collect();
            format!("<li>{}</li>", esc(&format!("{first}{}", chars.as_str())))
        })
        .collect();
    format!(
        "<div class=\"conditions\" style=\"border:2px solid #8a6d00;padding:.5em 1em;margin:1em 0\"><strong>Conditions de l'exécution</strong><ul>{items}</ul></div>"
    )
}

#[cfg(test)]
mod tests {
    use super::pretty_xml;

    #[test]
    fn xml_is_indented_by_depth() {
        assert_eq!(
            pretty_xml("<a><b x=\"1\">t</b><c/></a>"),
            "<a>\n  <b x=\"1\">\n    t\n  </b>\n  <c/>\n</a>\n"
        );
    }
}
