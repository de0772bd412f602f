//! The stdio transport: the harness spawns the command (through `sh -c`) and writes one
//! request per line to its stdin; the command writes one reply per line to stdout. Its
//! stderr goes to the harness's stderr. Requests go one at a time.

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::sync::Mutex;

use super::{Context, Driver, DriverError, Reply, Request, quote};
use crate::driver::http::ACTION_TIMEOUT;

/// The process and its pipes.
struct Pipes {
    /// Kept so the process dies with the driver (`kill_on_drop`).
    _child: Child,
    /// Requests go here.
    stdin: ChildStdin,
    /// Replies come from here, one line each.
    stdout: BufReader<ChildStdout>,
}

/// The longest reply line read (a CDA in base64 fits many times over).
pub const MAX_REPLY_LINE: usize = 16 * 1024 * 1024;

/// The next line of `reader`, without its end; `None` at the end of the stream; an
/// error past `max` bytes, before any of it is parsed.
async fn bounded_line(
    reader: &mut BufReader<ChildStdout>,
    max: usize,
) -> std::io::Result<Option<String>> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let n = (&mut *reader)
        .take(limit)
        .read_until(b'\n', &mut bytes)
        .await?;
    if n == 0 {
        return Ok(None);
    }
    if bytes.last() != Some(&b'\n') && bytes.len() > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("a reply line is over {max} bytes"),
        ));
    }
    while matches!(bytes.last(), Some(b'\n' | b'\r')) {
        bytes.pop();
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
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
                stdout: BufReader::new(stdout),
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
                let next = tokio::time::timeout(
                    ACTION_TIMEOUT,
                    bounded_line(&mut pipes.stdout, MAX_REPLY_LINE),
                )
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
                let reply: Reply = serde_json::from_str(&text)
                    .map_err(|e| DriverError::Protocol(format!("{e}: {}", quote(&text))))?;
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
