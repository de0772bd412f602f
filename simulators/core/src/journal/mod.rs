//! The journal: every exchange with every simulator, append-only and hash-chained, so a
//! dossier can prove nothing was edited.
//!
//! - `journal.jsonl`: one sealed JSON record per line (see [`line`]);
//! - `blobs/`: the request and response bytes (see [`blobs`]);
//! - in memory: the last records (bounded), for queries and for steps waiting on an exchange.
//!
//! Durability: each append writes its blobs and then its line to the OS before it returns,
//! so a crash of the bench loses nothing appended; [`Journal::sync`] (called when a run
//! ends and when the bench shuts down) forces them to disk with fsync. A machine crash can
//! lose what was appended since the last sync: `verify` then reports a truncated last line.

pub mod blobs;
pub mod line;
pub mod query;
pub mod record;
pub mod verify;

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use thiserror::Error;
use tokio::sync::broadcast;

use crate::clock::Clock;
pub use blobs::BlobError;
pub use query::Query;
pub use record::{BodyRef, Exchange, Payload, Peer, Record};
pub use verify::{ChainProblem, VerifyReport, verify_file};

/// Name of the journal file in its folder.
pub const JOURNAL_FILE: &str = "journal.jsonl";
/// How many records the in-memory index keeps by default.
pub const DEFAULT_INDEX_CAPACITY: usize = 50_000;

/// Why the journal failed.
#[derive(Debug, Error)]
pub enum JournalError {
    /// Reading or writing the journal failed.
    #[error("journal {path}: {source}")]
    Io {
        /// The journal file or folder.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The existing journal does not verify: the bench will not extend it.
    #[error("journal {path} does not verify ({problem}); move it aside to start a new one")]
    Broken {
        /// The journal file.
        path: PathBuf,
        /// The first problem.
        problem: ChainProblem,
    },
    /// No matching exchange came in time.
    #[error("no matching exchange within {0:?}")]
    Timeout(Duration),
}

/// A handle on one journal; clones share it. [`Journal::scoped`] gives another handle on
/// the same file with its own clock and scenario tag, so parallel benches (one per
/// scenario) write one chain without mixing up whose record is whose.
#[derive(Clone, Debug)]
pub struct Journal {
    inner: Arc<Inner>,
    /// Time of each record comes from this bench clock.
    clock: Clock,
    /// The scenario tag stamped on records that do not bring their own.
    scenario: Arc<RwLock<Option<String>>>,
}

#[derive(Debug)]
struct Inner {
    /// The journal file, for messages and disk scans.
    path: PathBuf,
    /// Random per opening, so record ids (`<prefix>-<seq>`) are unique across journals
    /// without a random draw per record.
    id_prefix: String,
    /// Where bodies go.
    blobs: blobs::BlobStore,
    /// The single writer: keeps the chain's head and the order of lines.
    writer: Mutex<Writer>,
    /// Recent records for queries, oldest first; bounded by `index_capacity`.
    index: RwLock<VecDeque<Arc<Record>>>,
    /// Bound of `index`.
    index_capacity: usize,
    /// New records, for subscribers (SSE stream, steps waiting on an exchange).
    events: broadcast::Sender<Arc<Record>>,
    /// Rules whose findings are not recorded (`--disable-rule`: a run as a bench without
    /// them would record it; `segur-bench recheck` shows what they change).
    disabled_rules: RwLock<std::collections::BTreeSet<String>>,
}

#[derive(Debug)]
struct Writer {
    file: BufWriter<File>,
    head: String,
    next_seq: u64,
}

impl Journal {
    /// Opens the journal in `dir` (created if needed), continuing its chain, with the
    /// default index capacity.
    pub fn open(dir: &Path, clock: Clock) -> Result<Self, JournalError> {
        Self::open_with_capacity(dir, clock, DEFAULT_INDEX_CAPACITY)
    }

    /// Opens the journal in `dir`, keeping at most `index_capacity` records in memory.
    pub fn open_with_capacity(
        dir: &Path,
        clock: Clock,
        index_capacity: usize,
    ) -> Result<Self, JournalError> {
        let path = dir.join(JOURNAL_FILE);
        let io_err = |source| JournalError::Io {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io_err)?;
        let index_capacity = index_capacity.max(1);
        let mut index = VecDeque::with_capacity(index_capacity.min(4096));
        let report = match File::open(&path) {
            Ok(file) => verify::walk(BufReader::new(file), |record| {
                if index.len() == index_capacity {
                    index.pop_front();
                }
                index.push_back(Arc::new(record));
            })
            .map_err(io_err)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => VerifyReport {
                records: 0,
                head: line::GENESIS.to_string(),
                problem: None,
            },
            Err(e) => return Err(io_err(e)),
        };
        if let Some(problem) = report.problem {
            return Err(JournalError::Broken { path, problem });
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io_err)?;
        let blobs = blobs::BlobStore::open(&dir.join("blobs")).map_err(io_err)?;
        let (events, _) = broadcast::channel(4096);
        Ok(Self {
            inner: Arc::new(Inner {
                id_prefix: format!("rec-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]),
                path,
                blobs,
                writer: Mutex::new(Writer {
                    file: BufWriter::with_capacity(64 * 1024, file),
                    head: report.head,
                    next_seq: report.records + 1,
                }),
                index: RwLock::new(index),
                index_capacity,
                events,
                disabled_rules: RwLock::new(std::collections::BTreeSet::new()),
            }),
            clock,
            scenario: Arc::new(RwLock::new(None)),
        })
    }

    /// Another handle on the same journal whose records take their time from `clock` and
    /// carry `scenario` (unless the exchange brings its own tag).
    pub fn scoped(&self, clock: Clock, scenario: impl Into<String>) -> Self {
        Self {
            inner: self.inner.clone(),
            clock,
            scenario: Arc::new(RwLock::new(Some(scenario.into()))),
        }
    }

    /// Stops recording the findings of `rules` (every handle on this journal).
    pub fn disable_rules<S: Into<String>>(&self, rules: impl IntoIterator<Item = S>) {
        let mut disabled = self
            .inner
            .disabled_rules
            .write()
            .unwrap_or_else(|e| e.into_inner());
        disabled.extend(rules.into_iter().map(Into::into));
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Records an exchange and returns its record. Blocking but short (two buffered
    /// writes); safe to call from async handlers and from many threads at once.
    pub fn append(&self, exchange: Exchange) -> Result<Arc<Record>, JournalError> {
        let inner = &*self.inner;
        let io_err = |source| JournalError::Io {
            path: inner.path.clone(),
            source,
        };
        let [request, response] = inner
            .blobs
            .put_all([exchange.request.as_ref(), exchange.response.as_ref()])
            .map_err(io_err)?;
        let scenario = exchange.scenario.or_else(|| self.scenario());
        let mut w = inner.writer.lock().unwrap_or_else(|e| e.into_inner());
        let mut record = Record {
            seq: w.next_seq,
            id: format!("{}-{}", inner.id_prefix, w.next_seq),
            time: self.clock.now(),
            service: exchange.service,
            operation: exchange.operation,
            scenario,
            peer: exchange.peer,
            request,
            response,
            findings: {
                let disabled = inner
                    .disabled_rules
                    .read()
                    .unwrap_or_else(|e| e.into_inner());
                exchange
                    .findings
                    .into_iter()
                    .filter(|f| !disabled.contains(f.rule.as_str()))
                    .collect()
            },
            prev: w.head.clone(),
            hash: String::new(),
        };
        let (mut bytes, hash) = line::seal(&record);
        bytes.push(b'\n');
        w.file
            .write_all(&bytes)
            .and_then(|()| w.file.flush())
            .map_err(io_err)?;
        w.head.clone_from(&hash);
        w.next_seq += 1;
        record.hash = hash;
        let record = Arc::new(record);
        {
            let mut index = inner.index.write().unwrap_or_else(|e| e.into_inner());
            if index.len() == inner.index_capacity {
                index.pop_front();
            }
            index.push_back(record.clone());
        }
        drop(w);
        // No subscriber is fine.
        let _ = inner.events.send(record.clone());
        Ok(record)
    }

    /// Records matching `query`, oldest first, up to its limit. Records no longer in
    /// memory are read back from the file.
    pub fn query(&self, query: &Query) -> Result<Vec<Arc<Record>>, JournalError> {
        let limit = query.effective_limit();
        let mut out = Vec::new();
        let (oldest_indexed, in_memory) = {
            let index = self.inner.index.read().unwrap_or_else(|e| e.into_inner());
            let matching: Vec<Arc<Record>> = index
                .iter()
                .filter(|r| query.matches(r))
                .take(limit)
                .cloned()
                .collect();
            (index.front().map(|r| r.seq), matching)
        };
        // Records before the oldest one in memory were evicted: read them from the file,
        // unless the query starts after them.
        if let Some(oldest) = oldest_indexed
            && oldest > 1
            && query.after_seq.is_none_or(|after| after + 1 < oldest)
        {
            self.scan_file(query, oldest, limit, &mut out)?;
        }
        out.extend(in_memory.into_iter().take(limit - out.len()));
        Ok(out)
    }

    fn scan_file(
        &self,
        query: &Query,
        before_seq: u64,
        limit: usize,
        out: &mut Vec<Arc<Record>>,
    ) -> Result<(), JournalError> {
        let io_err = |source| JournalError::Io {
            path: self.inner.path.clone(),
            source,
        };
        let reader = BufReader::new(File::open(&self.inner.path).map_err(io_err)?);
        for line in reader.split(b'\n') {
            let line = line.map_err(io_err)?;
            // Lines were verified when written or opened; a line that no longer opens is skipped.
            let Ok(record) = line::open(&line) else {
                continue;
            };
            if record.seq >= before_seq || out.len() >= limit {
                break;
            }
            if query.matches(&record) {
                out.push(Arc::new(record));
            }
        }
        Ok(())
    }

    /// New records as they are appended.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Record>> {
        self.inner.events.subscribe()
    }

    /// The first record matching `query` (already there, or arriving within `timeout`).
    /// Use `after_seq` to wait only for exchanges after a point.
    pub async fn wait_for(
        &self,
        query: &Query,
        timeout: Duration,
    ) -> Result<Arc<Record>, JournalError> {
        let mut events = self.subscribe();
        let first = Query {
            limit: Some(1),
            ..query.clone()
        };
        if let Some(found) = self.query(&first)?.into_iter().next() {
            return Ok(found);
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Err(_) => return Err(JournalError::Timeout(timeout)),
                Ok(Ok(record)) if query.matches(&record) => return Ok(record),
                Ok(Ok(_)) => {}
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                    if let Some(found) = self.query(&first)?.into_iter().next() {
                        return Ok(found);
                    }
                }
                Ok(Err(broadcast::error::RecvError::Closed)) => {
                    return Err(JournalError::Timeout(timeout));
                }
            }
        }
    }

    /// Reads a body back (at most `limit` bytes), checking its hash.
    pub fn body(&self, body: &BodyRef, limit: u64) -> Result<Vec<u8>, BlobError> {
        self.inner.blobs.get(body, limit)
    }

    /// The scenario tag stamped on new records.
    pub fn scenario(&self) -> Option<String> {
        self.scenario
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Sets (or clears) the scenario tag.
    pub fn set_scenario(&self, scenario: Option<String>) {
        *self.scenario.write().unwrap_or_else(|e| e.into_inner()) = scenario;
    }

    /// Sequence number and hash of the last record (0 and 64 zeros when empty).
    pub fn head(&self) -> (u64, String) {
        let w = self.inner.writer.lock().unwrap_or_else(|e| e.into_inner());
        (w.next_seq - 1, w.head.clone())
    }

    /// Forces journal and blobs to disk (fsync).
    pub fn sync(&self) -> Result<(), JournalError> {
        let io_err = |source| JournalError::Io {
            path: self.inner.path.clone(),
            source,
        };
        self.inner.blobs.sync().map_err(io_err)?;
        let mut w = self.inner.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.file.flush().map_err(io_err)?;
        w.file.get_ref().sync_data().map_err(io_err)
    }
}

#[cfg(test)]
mod tests;
