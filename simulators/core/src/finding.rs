//! Conformity rules and the findings they produce.
//!
//! A rule has a stable name (`INSI-CTXLPS-MISSING`, `XDM-HASH-MISMATCH`...) and lists the
//! REM requirement ids it serves, so a report can go from a requirement to the exchanges
//! that prove or break it.

use serde::{Deserialize, Serialize};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, not a deviation (e.g. a tolerated variant).
    Info,
    /// A deviation the national service tolerates today.
    Warning,
    /// A deviation that fails the requirement.
    Error,
}

/// A conformity rule, declared once as a constant next to the code that checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Stable name, upper-case with hyphens, quoted in reports and queried in the journal.
    pub name: &'static str,
    /// REM requirement ids this rule serves (e.g. `INS/va1.52`).
    pub requirements: &'static [&'static str],
    /// Severity of a finding from this rule.
    pub severity: Severity,
}

impl Rule {
    /// A finding of this rule about one exchange.
    pub fn finding(&self, message: impl Into<String>) -> Finding {
        Finding {
            rule: self.name.to_string(),
            requirements: self.requirements.iter().map(|r| r.to_string()).collect(),
            severity: self.severity,
            message: message.into(),
            location: None,
        }
    }
}

/// One thing a simulator noticed about one exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's stable name.
    pub rule: String,
    /// REM requirement ids the rule serves, copied so a record stands on its own.
    pub requirements: Vec<String>,
    /// How bad it is.
    pub severity: Severity,
    /// What was expected and what was seen, in words an integrator can act on.
    pub message: String,
    /// Where in the exchange (an XPath-like path, a header name, a line number...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl Finding {
    /// Points the finding at a place in the exchange.
    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Lowers (or raises) the severity, for a rule's deviation that a policy tolerates.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTXLPS_MISSING: Rule = Rule {
        name: "INSI-CTXLPS-MISSING",
        requirements: &["INS/va1.52"],
        severity: Severity::Error,
    };

    #[test]
    fn a_rule_makes_findings_that_carry_its_requirements() {
        let f = CTXLPS_MISSING
            .finding("no ContexteLPS header")
            .at("/Envelope/Header");
        assert_eq!(f.rule, "INSI-CTXLPS-MISSING");
        assert_eq!(f.requirements, vec!["INS/va1.52"]);
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["severity"], "error");
        assert_eq!(json["location"], "/Envelope/Header");
    }
}
