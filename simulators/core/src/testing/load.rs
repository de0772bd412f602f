//! Latency bookkeeping for the simulators' load generators.

use std::time::Duration;

/// Latencies of one run, in microseconds.
#[derive(Debug, Default)]
pub struct Latencies {
    /// Every sample.
    micros: Vec<u64>,
}

impl Latencies {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one sample.
    pub fn record(&mut self, latency: Duration) {
        self.micros
            .push(u64::try_from(latency.as_micros()).unwrap_or(u64::MAX));
    }

    /// Adds every sample of `other`.
    pub fn merge(&mut self, other: Latencies) {
        self.micros.extend(other.micros);
    }

    /// How many samples.
    pub fn len(&self) -> usize {
        self.micros.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.micros.is_empty()
    }

    /// `latency ms: p50 … p90 … p99 … p99.9 … max …`.
    pub fn summary(&mut self) -> String {
        if self.micros.is_empty() {
            return "latency: no samples".into();
        }
        self.micros.sort_unstable();
        let n = self.micros.len();
        let pct = |p: f64| {
            let i = ((n as f64 * p).ceil() as usize).clamp(1, n) - 1;
            self.micros[i] as f64 / 1000.0
        };
        format!(
            "latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
            pct(0.50),
            pct(0.90),
            pct(0.99),
            pct(0.999),
            self.micros[n - 1] as f64 / 1000.0
        )
    }
}
