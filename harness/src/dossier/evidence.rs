//! The evidence files of one requirement, from the exchanges of its scenarios: each
//! request and response under a name that says when, which service and what operation
//! (`00042-dmp-TD2.1-request.xml`), the IHE_XDM archives a mail carried, and the INSi
//! calls as a CSV log. They go in `evidence/<requirement id>/`, in a folder named by the
//! REM's evidence id when the REM gives one (`evidence/MSS/CONF.14/MSS-CONF.14.01.01/`).

use mail_parser::{MessageParser, MimeHeaders};
use segur_core::journal::{BodyRef, Record};
use sha2::{Digest, Sha256};

use super::Files;
use super::collect::Run;

/// The file extension for a body's media type.
fn extension(body: &BodyRef) -> &'static str {
    let ct = body
        .content_type
        .as_deref()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ct.starts_with("multipart/related") {
        "mime"
    } else if ct.contains("xml") {
        "xml"
    } else if ct.contains("json") {
        "json"
    } else if ct.starts_with("message/rfc822") {
        "eml"
    } else if ct.starts_with("text/") || ct.contains("x-www-form-urlencoded") {
        "txt"
    } else {
        "bin"
    }
}

/// `TD2.1`, `SMTP DATA` → a file-name-safe piece (never `.` nor `..`).
fn slug(text: &str) -> String {
    let out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.chars().all(|c| c == '.') {
        "_".into()
    } else {
        out
    }
}

/// The folder of a requirement's evidence.
pub fn folder(requirement: &str, evidence_id: Option<&str>) -> String {
    let requirement: String = requirement
        .split('/')
        .map(slug)
        .collect::<Vec<_>>()
        .join("/");
    match evidence_id {
        Some(e) => format!("evidence/{requirement}/{}", slug(&e.replace('/', "-"))),
        None => format!("evidence/{requirement}"),
    }
}

/// The files of `requirement` from its `exchanges`.
pub fn files(
    run: &Run,
    requirement: &str,
    evidence_id: Option<&str>,
    exchanges: &[&Record],
) -> Files {
    let dir = folder(requirement, evidence_id);
    let mut out = Vec::new();
    let mut insi = Vec::new();
    for record in exchanges {
        let stem = format!(
            "{dir}/{:05}-{}-{}",
            record.seq,
            slug(&record.service),
            slug(&record.operation)
        );
        for (part, body) in [("request", &record.request), ("response", &record.response)] {
            let Some(body) = body else { continue };
            let bytes = run.body(body);
            if bytes.is_empty() {
                continue;
            }
            out.push((format!("{stem}-{part}.{}", extension(body)), bytes.to_vec()));
            if extension(body) == "eml" {
                out.extend(
                    archives(bytes)
                        .into_iter()
                        .map(|(name, zip)| (format!("{stem}-{name}"), zip)),
                );
            }
        }
        if record.service == "insi" {
            insi.push(*record);
        }
        if record.operation == "attestation" {
            out.push(attested_media(record, &stem));
        }
    }
    if !insi.is_empty() {
        out.push((
            format!("{dir}/insi-calls.csv"),
            insi_log(&insi).into_bytes(),
        ));
    }
    out
}

/// The screenshot or video an operator's attestation names, copied when the file is still
/// there with the SHA-256 recorded; a note saying why otherwise.
fn attested_media(record: &Record, stem: &str) -> (String, Vec<u8>) {
    let evidence = record
        .request
        .as_ref()
        .map(|b| b.summary["evidence"].clone())
        .unwrap_or_default();
    let (Some(path), Some(recorded)) = (evidence["path"].as_str(), evidence["sha256"].as_str())
    else {
        return (
            format!("{stem}-media.txt"),
            b"Aucune capture ni video citee par cette attestation.\n".to_vec(),
        );
    };
    let name = std::path::Path::new(path)
        .file_name()
        .map(|n| slug(&n.to_string_lossy()))
        .unwrap_or_else(|| "media".into());
    match std::fs::read(path) {
        Ok(bytes) if hex::encode(Sha256::digest(&bytes)) == recorded => {
            (format!("{stem}-{name}"), bytes)
        }
        Ok(_) => (
            format!("{stem}-media.txt"),
            format!("{path} a change depuis l'attestation (SHA-256 enregistre {recorded}) : non copie.\n")
                .into_bytes(),
        ),
        Err(e) => (
            format!("{stem}-media.txt"),
            format!("{path} (SHA-256 {recorded}) est introuvable : {e}.\n").into_bytes(),
        ),
    }
}

/// The IHE_XDM archives attached to a mail.
fn archives(raw: &[u8]) -> Vec<(String, Vec<u8>)> {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Vec::new();
    };
    message
        .attachments()
        .filter_map(|p| {
            let name = p.attachment_name()?;
            name.eq_ignore_ascii_case("IHE_XDM.ZIP")
                .then(|| ("IHE_XDM.ZIP".to_string(), p.contents().to_vec()))
        })
        .collect()
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The INSi calls: when, which scenario, which operation, with which certificate, and
/// what INSi answered (CR code, or the fault).
fn insi_log(records: &[&Record]) -> String {
    let mut out = String::from("seq,time,scenario,operation,certificate,answer\n");
    for r in records {
        let time = r
            .time
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let certificate = r
            .peer
            .as_ref()
            .and_then(|p| p.cert_subject.clone())
            .unwrap_or_default();
        let answer = r
            .response
            .as_ref()
            .map(|b| {
                let s = &b.summary;
                s["code"]
                    .as_str()
                    .or(s["CodeCR"].as_str())
                    .or(s["fault"].as_str())
                    .map(str::to_string)
                    .unwrap_or_else(|| s.to_string())
            })
            .unwrap_or_default();
        out.push_str(
            &[
                r.seq.to_string(),
                time,
                csv_field(r.scenario.as_deref().unwrap_or_default()),
                csv_field(&r.operation),
                csv_field(&certificate),
                csv_field(&answer),
            ]
            .join(","),
        );
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_named_by_requirement_and_evidence_id() {
        assert_eq!(
            folder("MSS/CONF.14", Some("MSS/CONF.14.01.01")),
            "evidence/MSS/CONF.14/MSS-CONF.14.01.01"
        );
        assert_eq!(folder("PSC.01", None), "evidence/PSC.01");
        // Nothing climbs out of the evidence folder.
        assert_eq!(folder("../x", None), "evidence/_/x");
        assert_eq!(folder("a/../../b", None), "evidence/a/_/_/b");
    }
}
