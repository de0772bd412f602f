//! Re-checks a journal file end to end: every line sealed, every `prev` pointing at the
//! line before, sequence numbers without gaps, the file ending on a complete line.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use serde::Serialize;

use super::line::{self, GENESIS, LineError};
use super::record::Record;

/// A line longer than this is not a journal line (records keep bodies out of line).
pub const MAX_LINE: usize = 4 * 1024 * 1024;

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Records that passed, from the first.
    pub records: u64,
    /// `hash` of the last good record (what a dossier seals).
    pub head: String,
    /// The first problem, if any; nothing after it is trusted.
    pub problem: Option<ChainProblem>,
}

impl VerifyReport {
    /// Whether the whole file is sound.
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// The first thing wrong in a journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChainProblem {
    /// The line's bytes do not match its own hash: it was edited.
    Edited {
        /// 1-based line number.
        line: u64,
    },
    /// The line's `prev` is not the previous line's hash: a line was removed, inserted,
    /// or edited and re-sealed.
    BrokenLink {
        /// 1-based line number.
        line: u64,
        /// The previous line's hash.
        expected: String,
        /// What this line says.
        found: String,
    },
    /// Sequence numbers skip or go back.
    BadSequence {
        /// 1-based line number.
        line: u64,
        /// The sequence number expected.
        expected: u64,
        /// The one found.
        found: u64,
    },
    /// The last line is incomplete (cut by a crash or by hand).
    Truncated {
        /// 1-based line number.
        line: u64,
    },
    /// A line that is not a record (or too long to be one).
    Malformed {
        /// 1-based line number.
        line: u64,
        /// Why.
        reason: String,
    },
}

impl std::fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Edited { line } => write!(
                f,
                "line {line} was edited: its bytes no longer match its hash"
            ),
            Self::BrokenLink {
                line,
                expected,
                found,
            } => write!(
                f,
                "line {line} does not follow the line before: prev is {found}, expected {expected} (a record was removed, inserted or re-sealed)"
            ),
            Self::BadSequence {
                line,
                expected,
                found,
            } => {
                write!(f, "line {line} has seq {found}, expected {expected}")
            }
            Self::Truncated { line } => write!(
                f,
                "line {line} is truncated: the journal ends in the middle of a record"
            ),
            Self::Malformed { line, reason } => {
                write!(f, "line {line} is not a journal record: {reason}")
            }
        }
    }
}

/// Verifies the journal at `path`.
pub fn verify_file(path: &Path) -> io::Result<VerifyReport> {
    verify_reader(BufReader::new(File::open(path)?))
}

/// Verifies a journal read from `reader`.
pub fn verify_reader(reader: impl BufRead) -> io::Result<VerifyReport> {
    walk(reader, |_| {})
}

/// Verifies a journal and hands every good record to `on_record`, in order (the journal
/// uses it to rebuild its index when it reopens a file).
pub fn walk(
    mut reader: impl BufRead,
    mut on_record: impl FnMut(Record),
) -> io::Result<VerifyReport> {
    let mut report = VerifyReport {
        records: 0,
        head: GENESIS.to_string(),
        problem: None,
    };
    let mut buf = Vec::new();
    let mut line_no = 0;
    loop {
        buf.clear();
        let n = Read::by_ref(&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(report);
        }
        line_no += 1;
        let complete = buf.last() == Some(&b'\n');
        if !complete && buf.len() > MAX_LINE {
            report.problem = Some(ChainProblem::Malformed {
                line: line_no,
                reason: format!("longer than {MAX_LINE} bytes"),
            });
            return Ok(report);
        }
        if complete {
            buf.pop();
        }
        let record = match line::open(&buf) {
            Ok(record) => record,
            Err(LineError::Unsealed) if !complete => {
                report.problem = Some(ChainProblem::Truncated { line: line_no });
                return Ok(report);
            }
            Err(LineError::HashMismatch { .. }) => {
                report.problem = Some(ChainProblem::Edited { line: line_no });
                return Ok(report);
            }
            Err(LineError::Unsealed) => {
                report.problem = Some(ChainProblem::Malformed {
                    line: line_no,
                    reason: "no hash at the end of the line".into(),
                });
                return Ok(report);
            }
            Err(LineError::NotARecord(reason)) => {
                report.problem = Some(ChainProblem::Malformed {
                    line: line_no,
                    reason,
                });
                return Ok(report);
            }
        };
        if !complete {
            // Sealed but without its newline: the write was cut just before it.
            report.problem = Some(ChainProblem::Truncated { line: line_no });
            return Ok(report);
        }
        if record.prev != report.head {
            report.problem = Some(ChainProblem::BrokenLink {
                line: line_no,
                expected: report.head.clone(),
                found: record.prev,
            });
            return Ok(report);
        }
        if record.seq != report.records + 1 {
            report.problem = Some(ChainProblem::BadSequence {
                line: line_no,
                expected: report.records + 1,
                found: record.seq,
            });
            return Ok(report);
        }
        report.records += 1;
        report.head = record.hash.clone();
        on_record(record);
    }
}
