//! The REM requirements table (`fixtures/rem/requirements-ids.csv`, derived from the ANS
//! workbooks of ansforge/segur-squash-plugins): every requirement of every REM (couloir),
//! its vague, section, profile, nature, status and the evidence ids the REM asks for.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The table, embedded.
const TABLE: &str = include_str!("../../fixtures/rem/requirements-ids.csv");

/// One row: a requirement of one REM.
#[derive(Debug, Clone, Deserialize)]
pub struct Row {
    /// `prepub_va2_avec_scenarios` (vague 2) or `prepub_avec_scenarios` (vague 1).
    pub source_sheet: String,
    /// The REM: the couloir (`LGC`, `DPI`, `BIO`…).
    pub rem: String,
    /// `MSS/CONF.14`.
    pub requirement_ref: String,
    /// Section id (`MSS/CONF`).
    pub section_id: String,
    /// Profile (`Général`, `BAL PER-ORG`…).
    pub profil: String,
    /// `EXIGENCE` or `PRECONISATION`.
    pub nature: String,
    /// `Approuvée`, `Obsolète`, `A retravailler`.
    pub arbitrage: String,
    /// Evidence ids, `;`-separated (`MSS/CONF.14.01.01`).
    pub evidence_ids: String,
    /// The socle requirement it derives from (`SC.DMP/UX.14`), empty for a requirement of
    /// this REM alone: two REMs' rows with the same socle are one requirement, while the
    /// same id without a socle (`DMP/va1.09`) may mean different things in two REMs.
    #[serde(default)]
    pub socle_ref: String,
}

impl Row {
    /// The vague: 2 for the `va2` sheet, 1 otherwise.
    pub fn vague(&self) -> u8 {
        if self.source_sheet.contains("va2") {
            2
        } else {
            1
        }
    }

    /// Whether the requirement still applies (not made obsolete).
    pub fn in_force(&self) -> bool {
        self.arbitrage != "Obsolète"
    }

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
