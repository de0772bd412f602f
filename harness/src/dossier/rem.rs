//! The REM requirements table (`fixtures/rem/requirements-ids.csv`, derived from the ANS
//! workbooks of ansforge/segur-squash-plugins): requirement ids and the evidence ids the
//! REM asks for.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The table, embedded.
const TABLE: &str = include_str!("../../../fixtures/rem/requirements-ids.csv");

/// One row: a requirement of one REM (the columns the dossier uses).
#[derive(Debug, Clone, Deserialize)]
pub struct Row {
    /// `MSS/CONF.14`.
    pub requirement_ref: String,
    /// Evidence ids, `;`-separated (`MSS/CONF.14.01.01`).
    pub evidence_ids: String,
}

impl Row {
    /// The evidence ids, in order.
    pub fn evidence(&self) -> Vec<&str> {
        self.evidence_ids
            .split(';')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect()
    }
}

/// Every row of the table (the embedded file is read once per call; it is small).
pub fn rows() -> Vec<Row> {
    csv::Reader::from_reader(TABLE.as_bytes())
        .deserialize()
        .filter_map(Result::ok)
        .collect()
}

/// The evidence ids of each requirement id, across REMs (first seen order, no repeats).
pub fn evidence_ids() -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows() {
        let ids = out.entry(row.requirement_ref.clone()).or_default();
        for e in row.evidence() {
            if !ids.iter().any(|i| i == e) {
                ids.push(e.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_reads_whole() {
        let rows = rows();
        // 1 712 + 570 source rows (fixtures/SOURCES.md).
        assert_eq!(rows.len(), 2282);
        let ids = evidence_ids();
        assert_eq!(
            ids.get("MSS/CONF.14").map(Vec::as_slice),
            Some(&["MSS/CONF.14.01.01".to_string()][..])
        );
    }
}
