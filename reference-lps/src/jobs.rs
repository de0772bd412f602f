//! Work the user started and left running while doing something else (DMP/UX.10): a DMP
//! search sent without holding the session, so the session answers other actions in the
//! meantime; `job.wait` shows its result once it is done.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::task::JoinHandle;

use crate::dmp::soap::Answer;
use crate::protocol::Reply;
use crate::session::PendingList;

/// One job.
pub enum Job {
    /// Still on the wire: the search and its outcome, once the task ends.
    Running {
        /// The session it belongs to (its result is shown there).
        session: String,
        /// The task sending it.
        task: JoinHandle<(PendingList, Result<Answer, Reply>)>,
    },
    /// Done before the action even answered (a software that blocks).
    Done {
        /// The session it belongs to.
        session: String,
        /// What `dmp.list` answered.
        reply: Reply,
    },
}

/// The jobs of every session, by id.
#[derive(Clone, Default)]
pub struct Jobs {
    /// Job id → job; ids are `job-<n>`.
    jobs: Arc<Mutex<HashMap<String, Job>>>,
    /// The last id given.
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl Jobs {
    /// Keeps `job`; returns its id.
    pub fn keep(&self, job: Job) -> String {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let id = format!("job-{n}");
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone(), job);
        id
    }

    /// Starts sending `search` in the background.
    pub fn start(&self, session: &str, search: PendingList) -> String {
        let task = tokio::spawn(async move {
            let answer = search.send().await;
            (search, answer)
        });
        self.keep(Job::Running {
            session: session.to_string(),
            task,
        })
    }

    /// Forgets the jobs of an ended session, stopping those still running.
    pub fn forget_session(&self, session: &str) {
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, job| match job {
                Job::Running { session: s, task } if s == session => {
                    task.abort();
                    false
                }
                Job::Done { session: s, .. } => s != session,
                Job::Running { .. } => true,
            });
    }

    /// Takes job `id` away (it is waited for once).
    pub fn take(&self, id: &str) -> Option<Job> {
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)
    }
}
