//! The stdio transport: the harness spawns the command (through `sh -c`) and writes one
//! request per line to its stdin; the command writes one reply per line to stdout. Its
//! stderr goes to the harness's stderr. Requests go one at a time.

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::sync::Mutex;

use super::{Context, Driver, DriverError, Reply, Request};
use crate::driver::http::ACTION_TIMEOUT;

/// The process and its pipes.
struct Pipes {
    /// Kept so the process dies with the driver (`kill_on_drop`).
    _child: Child,
    /// Requests go here.
    stdin: ChildStdin,
    /// Replies come from here.
    stdout: Lines<BufReader<ChildStdout>>,
}

/// A driver that is a child process.
pub struct StdioDriver {
    /// The command line, for reports.
    command: String,
    /// One request at a time.
    pipes: Mutex<Pipes>,
}

impl StdioDriver {
    /// Spawns `command` through `sh -c`.
    pub fn spawn(command: &str) -> Result<Self, DriverError> {
        let mut child = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| DriverError::Transport(format!("spawning {command:?}: {e}")))?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| DriverError::Transport("no stdin".into()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| DriverError::Transport("no stdout".into()))?;
        Ok(Self {
            command: command.to_string(),
            pipes: Mutex::new(Pipes {
                _child: child,
                stdin,
                stdout: BufReader::new(stdout).lines(),
            }),
        })
    }
}

impl Driver for StdioDriver {
    fn send<'a>(
        &'a self,
        request: &'a Request,
        _: &'a Context,
    ) -> BoxFuture<'a, Result<Reply, DriverError>> {
        async move {
            let mut pipes = self.pipes.lock().await;
            let mut line =
                serde_json::to_vec(request).map_err(|e| DriverError::Protocol(e.to_string()))?;
            line.push(b'\n');
            let gone = |e: std::io::Error| DriverError::Transport(format!("{}: {e}", self.command));
            pipes.stdin.write_all(&line).await.map_err(gone)?;
            pipes.stdin.flush().await.map_err(gone)?;
            loop {
                let next = tokio::time::timeout(ACTION_TIMEOUT, pipes.stdout.next_line())
                    .await
                    .map_err(|_| {
                        DriverError::Transport(format!(
                            "{}: no reply within {ACTION_TIMEOUT:?}",
                            self.command
                        ))
                    })?
                    .map_err(gone)?;
                let Some(text) = next else {
                    return Err(DriverError::Transport(format!(
                        "{}: the process closed its stdout",
                        self.command
                    )));
                };
                let reply: Reply = serde_json::from_str(&text).map_err(|e| {
                    DriverError::Protocol(format!("{e}: {}", &text[..text.len().min(200)]))
                })?;
                // A reply to an earlier, timed-out request is dropped.
                if reply.id.as_str().is_none_or(|id| id == request.id) {
                    return Ok(reply);
                }
            }
        }
        .boxed()
    }

    fn describe(&self) -> String {
        format!("command {:?}", self.command)
    }
}
