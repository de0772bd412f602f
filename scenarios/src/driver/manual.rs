//! The manual driver: a person performs each action on the software. The harness prints
//! the instruction in French, shows the exchanges reaching the simulators while it waits,
//! reads the answers typed (or piped: one line per question), and records them in the
//! journal as a timestamped attestation.
//!
//! Answering `np` (non pris en charge) to the first question skips the scenario;
//! `erreur: TEXTE` reports a refusal. After the questions, a path to a screenshot or a
//! video may be given as evidence (its SHA-256 goes into the attestation).

use std::io::Write;
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use sha2::Digest;
use tokio::io::{AsyncBufReadExt, BufReader, Lines, Stdin};
use tokio::sync::Mutex;

use super::instructions::{self, Kind};
use super::{Context, Driver, DriverError, Reply, Request, Status};
use crate::control::ControlClient;

/// A person at the keyboard.
pub struct ManualDriver {
    /// Answers, one per line.
    input: Mutex<Lines<BufReader<Stdin>>>,
}

impl Default for ManualDriver {
    fn default() -> Self {
        Self {
            input: Mutex::new(BufReader::new(tokio::io::stdin()).lines()),
        }
    }
}

fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

fn set(result: &mut Value, path: &str, value: Value) {
    let mut cursor = result;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !cursor.is_object() {
            *cursor = json!({});
        }
        if parts.peek().is_none() {
            cursor[part] = value;
            return;
        }
        cursor = &mut cursor[part];
    }
}

impl ManualDriver {
    async fn read_line(&self, context: &Context, watch: bool) -> Result<String, DriverError> {
        let mut input = self.input.lock().await;
        let watcher = match (&context.control_url, watch) {
            (Some(url), true) => Some(tokio::spawn(show_exchanges(
                url.clone(),
                context.scenario.clone(),
            ))),
            _ => None,
        };
        let line = input.next_line().await;
        if let Some(w) = watcher {
            w.abort();
        }
        match line {
            Ok(Some(line)) => Ok(line.trim().to_string()),
            Ok(None) => Err(DriverError::Transport(
                "l'entrée standard est fermée: plus de réponse".into(),
            )),
            Err(e) => Err(DriverError::Transport(e.to_string())),
        }
    }
}

/// Prints each new exchange of the scenario as it reaches a simulator.
async fn show_exchanges(control_url: String, scenario: String) {
    let control = ControlClient::new(&control_url);
    let mut after = control.journal_head().await.unwrap_or(0);
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let Ok(records) = control.records_after(after, Some(&scenario)).await else {
            continue;
        };
        for r in records {
            after = after.max(r.seq);
            let findings = if r.findings.is_empty() {
                String::new()
            } else {
                format!(" — {} anomalie(s)", r.findings.len())
            };
            say(&format!("    ← {} {}{findings}", r.service, r.operation));
        }
    }
}

impl Driver for ManualDriver {
    fn send<'a>(
        &'a self,
        request: &'a Request,
        context: &'a Context,
    ) -> BoxFuture<'a, Result<Reply, DriverError>> {
        async move {
            let (instruction, questions) =
                instructions::for_action(&request.action, &request.params);
            say(&format!("\n▶ {instruction}"));
            let mut result = json!({});
            let mut answers = Vec::new();
            let mut status = Status::Ok;
            let mut message = None;
            for (i, question) in questions.iter().enumerate() {
                say(&format!(
                    "  ? {} (np : non pris en charge ; erreur: TEXTE)",
                    question.text
                ));
                let line = self.read_line(context, i == 0).await?;
                answers.push(json!({ "question": question.text, "answer": line }));
                if i == 0 && line.eq_ignore_ascii_case("np") {
                    status = Status::Unsupported;
                    message = Some(
                        "non pris en charge par le logiciel (réponse de l'opérateur)".to_string(),
                    );
                    break;
                }
                if let Some(text) = line.strip_prefix("erreur:") {
                    status = Status::Error;
                    message = Some(text.trim().to_string());
                    break;
                }
                if question.kind == Kind::Entry {
                    let (list, field) = question
                        .field
                        .split_once('/')
                        .unwrap_or(("fields", question.field));
                    if let Some(e) = instructions::entry(field, &line) {
                        match result[list].as_array_mut() {
                            Some(entries) => entries.push(e),
                            None => result[list] = json!([e]),
                        }
                    }
                    continue;
                }
                let value = match question.kind {
                    Kind::Text if line.is_empty() => Value::Null,
                    Kind::Text => Value::String(line),
                    Kind::YesNo => Value::Bool(matches!(
                        line.to_lowercase().as_str(),
                        "oui" | "o" | "yes" | "y"
                    )),
                    Kind::Entry => Value::Null,
                    Kind::List => Value::Array(
                        line.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(|s| Value::String(s.into()))
                            .collect(),
                    ),
                };
                set(&mut result, question.field, value);
            }
            let evidence_line = if status == Status::Ok {
                say("  ? Preuve : chemin d'une capture d'écran ou d'une vidéo (vide si aucune)");
                self.read_line(context, questions.is_empty()).await?
            } else {
                String::new()
            };
            let evidence = if evidence_line.is_empty() {
                Value::Null
            } else {
                match std::fs::read(&evidence_line) {
                    Ok(bytes) => json!({
                        "path": evidence_line,
                        "size": bytes.len(),
                        "sha256": hex::encode(sha2::Sha256::digest(&bytes)),
                    }),
                    Err(e) => json!({ "path": evidence_line, "error": e.to_string() }),
                }
            };
            if let Some(url) = &context.control_url {
                let attestation = json!({
                    "scenario": context.scenario,
                    "action": request.action,
                    "params": request.params,
                    "instruction": instruction,
                    "answers": answers,
                    "evidence": evidence,
                });
                ControlClient::new(url)
                    .attest(&attestation)
                    .await
                    .map_err(|e| {
                        DriverError::Transport(format!("recording the attestation: {e}"))
                    })?;
            }
            Ok(Reply {
                id: Value::String(request.id.clone()),
                status,
                result,
                message,
            })
        }
        .boxed()
    }

    fn interactive(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        "manual".into()
    }
}
