//! The bench clock: every simulator reads "now" from here, never from the system.
//!
//! A scenario can freeze time or jump ahead ("the token is now three minutes old") and
//! everything that depends on time follows: token lifetimes, VIHF `IssueInstant`
//! windows, and certificate validity during TLS handshakes (the clock is also a rustls
//! [`TimeProvider`]).

use std::sync::{Arc, RwLock};

use rustls::time_provider::TimeProvider;
use rustls_pki_types::UnixTime;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// A cheaply clonable handle on the shared clock.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Shared by every simulator of one bench so they agree on the time.
    state: Arc<RwLock<ClockState>>,
}

#[derive(Debug, Clone, Copy, Default)]
enum ClockState {
    /// Wall-clock time plus a signed offset (zero unless the clock was advanced).
    #[default]
    Running,
    /// Running, shifted by `offset` from the system time.
    Shifted { offset: Duration },
    /// Stopped at one instant until resumed or advanced.
    Frozen { at: OffsetDateTime },
}

/// What the control API reports about the clock.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClockStatus {
    /// `running` or `frozen`.
    pub mode: &'static str,
    /// The bench's current time, RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    pub now: OffsetDateTime,
    /// Seconds between the bench time and the system time (positive: bench is ahead).
    pub offset_seconds: i64,
}

impl Clock {
    /// A clock that follows the system time.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bench's current time.
    pub fn now(&self) -> OffsetDateTime {
        match *self.read() {
            ClockState::Running => OffsetDateTime::now_utc(),
            ClockState::Shifted { offset } => OffsetDateTime::now_utc() + offset,
            ClockState::Frozen { at } => at,
        }
    }

    /// Stops time, at `at` or at the current bench time.
    pub fn freeze(&self, at: Option<OffsetDateTime>) {
        let at = at.unwrap_or_else(|| self.now());
        *self.write() = ClockState::Frozen { at };
    }

    /// Moves time forward (or backward, with a negative duration), frozen or not.
    pub fn advance(&self, by: Duration) {
        let mut state = self.write();
        *state = match *state {
            ClockState::Running => ClockState::Shifted { offset: by },
            ClockState::Shifted { offset } => ClockState::Shifted {
                offset: offset + by,
            },
            ClockState::Frozen { at } => ClockState::Frozen { at: at + by },
        };
    }

    /// Lets a frozen clock run again from the instant it shows.
    pub fn resume(&self) {
        let mut state = self.write();
        if let ClockState::Frozen { at } = *state {
            *state = ClockState::Shifted {
                offset: at - OffsetDateTime::now_utc(),
            };
        }
    }

    /// Back to the system time.
    pub fn reset(&self) {
        *self.write() = ClockState::Running;
    }

    /// Mode, time and offset, for the control API.
    pub fn status(&self) -> ClockStatus {
        let now = self.now();
        let mode = match *self.read() {
            ClockState::Frozen { .. } => "frozen",
            _ => "running",
        };
        ClockStatus {
            mode,
            now,
            offset_seconds: (now - OffsetDateTime::now_utc()).whole_seconds(),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, ClockState> {
        // A poisoned lock only means a panic elsewhere; the state itself is a plain Copy value.
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, ClockState> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl TimeProvider for Clock {
    fn current_time(&self) -> Option<UnixTime> {
        let secs = self.now().unix_timestamp();
        Some(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            u64::try_from(secs).ok()?,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_stays_put_and_advances_on_request() {
        let clock = Clock::new();
        let at = time::macros::datetime!(2026-01-15 10:00 UTC);
        clock.freeze(Some(at));
        assert_eq!(clock.now(), at);
        clock.advance(Duration::minutes(3));
        assert_eq!(clock.now(), at + Duration::minutes(3));
        assert_eq!(clock.status().mode, "frozen");
    }

    #[test]
    fn advancing_a_running_clock_shifts_it() {
        let clock = Clock::new();
        clock.advance(Duration::hours(2));
        let ahead = clock.now() - OffsetDateTime::now_utc();
        assert!(ahead > Duration::minutes(119) && ahead <= Duration::hours(2));
        assert_eq!(clock.status().mode, "running");
        clock.reset();
        assert!((clock.now() - OffsetDateTime::now_utc()).abs() < Duration::seconds(1));
    }

    #[test]
    fn resume_continues_from_the_frozen_instant() {
        let clock = Clock::new();
        let at = time::macros::datetime!(2030-06-01 00:00 UTC);
        clock.freeze(Some(at));
        clock.resume();
        let drift = clock.now() - at;
        assert!(drift >= Duration::ZERO && drift < Duration::seconds(1));
    }

    #[test]
    fn time_provider_follows_the_bench_clock() {
        let clock = Clock::new();
        let at = time::macros::datetime!(2040-01-01 00:00 UTC);
        clock.freeze(Some(at));
        let t = clock.current_time().unwrap();
        assert_eq!(t.as_secs() as i64, at.unix_timestamp());
    }
}
