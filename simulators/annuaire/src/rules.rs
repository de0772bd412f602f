//! The directory's rules, each with the REM requirements it serves: a client searching a
//! correspondent's MSSanté address (ANN/va1.05, va1.06) or integrating the extraction
//! (ANN/va1.01) the way the national API expects.

use segur_core::finding::{Rule, Severity};

const SEARCH: &[&str] = &["ANN/va1.05", "ANN/va1.06"];

/// No `ESANTE-API-KEY` header, or a key the directory did not issue.
pub const API_KEY: Rule = Rule {
    name: "ANN-API-KEY",
    requirements: SEARCH,
    severity: Severity::Error,
};

/// A search parameter the API does not know, a modifier it does not support, a value
/// it cannot read: the client believed it filtered and did not.
pub const SEARCH_PARAMETER: Rule = Rule {
    name: "ANN-SEARCH-PARAMETER",
    requirements: SEARCH,
    severity: Severity::Error,
};

/// A request the API does not serve: another method than GET, an unknown resource or
/// path, a format other than JSON, a query over the size limit.
pub const REQUEST: Rule = Rule {
    name: "ANN-REQUEST",
    requirements: &["ANN/va1.01", "ANN/va1.05", "ANN/va1.06"],
    severity: Severity::Error,
};
