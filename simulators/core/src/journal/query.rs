//! Which records a caller wants: by service, operation, scenario, rule and time window.

use serde::Deserialize;
use time::OffsetDateTime;

use super::record::Record;

/// The most records one query returns.
pub const MAX_LIMIT: usize = 10_000;
/// What a query returns when it does not say.
pub const DEFAULT_LIMIT: usize = 100;

/// A filter over records; every field given must match.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    /// Service name.
    #[serde(default)]
    pub service: Option<String>,
    /// Operation name.
    #[serde(default)]
    pub operation: Option<String>,
    /// Scenario tag.
    #[serde(default)]
    pub scenario: Option<String>,
    /// Only records with a finding of this rule.
    #[serde(default)]
    pub rule: Option<String>,
    /// Only records at or after this bench time (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub since: Option<OffsetDateTime>,
    /// Only records before this bench time (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub until: Option<OffsetDateTime>,
    /// Only records with a sequence number above this one (to page, or to wait for new ones).
    #[serde(default)]
    pub after_seq: Option<u64>,
    /// At most this many records (default 100, at most 10,000), oldest first.
    #[serde(default)]
    pub limit: Option<usize>,
}

impl Query {
    /// Records of one service.
    pub fn service(service: impl Into<String>) -> Self {
        Self {
            service: Some(service.into()),
            ..Self::default()
        }
    }

    /// Narrows to one operation.
    pub fn operation(mut self, operation: impl Into<String>) -> Self {
        self.operation = Some(operation.into());
        self
    }

    /// Narrows to records after `seq`.
    pub fn after(mut self, seq: u64) -> Self {
        self.after_seq = Some(seq);
        self
    }

    /// Whether a record matches.
    pub fn matches(&self, r: &Record) -> bool {
        self.service.as_ref().is_none_or(|s| *s == r.service)
            && self.operation.as_ref().is_none_or(|o| *o == r.operation)
            && self
                .scenario
                .as_ref()
                .is_none_or(|s| r.scenario.as_ref() == Some(s))
            && self.rule.as_ref().is_none_or(|rule| r.has_rule(rule))
            && self.since.is_none_or(|t| r.time >= t)
            && self.until.is_none_or(|t| r.time < t)
            && self.after_seq.is_none_or(|seq| r.seq > seq)
    }

    /// The limit to apply.
    pub fn effective_limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }
}
