//! One journal line, sans I/O: how a record is sealed into a line and how a line is
//! checked.
//!
//! A line is the record's JSON with `hash` as its last member. `hash` is the SHA-256 of
//! the line's bytes up to (not including) `,"hash":`; `prev` holds the previous record's
//! `hash`. Editing any byte of a line breaks its own hash; recomputing that hash breaks
//! the next record's `prev`.

use sha2::{Digest, Sha256};

use super::record::Record;

/// `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const HASH_KEY: &[u8] = b",\"hash\":\"";
/// `,"hash":"` + 64 hex digits + `"}`.
const SUFFIX_LEN: usize = HASH_KEY.len() + 64 + 2;

/// Serialises `record` (whose `hash` is ignored) into a line, without the newline, and
/// returns the line with the hash it was sealed with.
pub fn seal(record: &Record) -> (Vec<u8>, String) {
    let mut unsealed = record.clone();
    unsealed.hash.clear();
    // A record is plain data: serialising it to JSON cannot fail.
    let mut line = serde_json::to_vec(&unsealed).unwrap_or_default();
    debug_assert_eq!(line.last(), Some(&b'}'));
    line.pop();
    let hash = hex::encode(Sha256::digest(&line));
    line.extend_from_slice(HASH_KEY);
    line.extend_from_slice(hash.as_bytes());
    line.extend_from_slice(b"\"}");
    (line, hash)
}

/// What is wrong with one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    /// Not a sealed line: no `hash` at its end (often a line cut short).
    Unsealed,
    /// The hash does not match the line: the line was edited.
    HashMismatch {
        /// The hash the line carries.
        stored: String,
        /// The hash of its bytes.
        computed: String,
    },
    /// Sealed but not a record.
    NotARecord(String),
}

/// Checks a line's seal and parses it.
pub fn open(line: &[u8]) -> Result<Record, LineError> {
    if line.len() < SUFFIX_LEN || !line.ends_with(b"\"}") {
        return Err(LineError::Unsealed);
    }
    let (content, suffix) = line.split_at(line.len() - SUFFIX_LEN);
    if !suffix.starts_with(HASH_KEY) {
        return Err(LineError::Unsealed);
    }
    let stored = String::from_utf8_lossy(&suffix[HASH_KEY.len()..HASH_KEY.len() + 64]).into_owned();
    let computed = hex::encode(Sha256::digest(content));
    if stored != computed {
        return Err(LineError::HashMismatch { stored, computed });
    }
    let record: Record =
        serde_json::from_slice(line).map_err(|e| LineError::NotARecord(e.to_string()))?;
    if record.hash != stored {
        return Err(LineError::NotARecord(
            "the `hash` member is not the last one".into(),
        ));
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        Record {
            seq: 1,
            id: "r1".into(),
            time: time::macros::datetime!(2026-11-22 10:00 UTC),
            service: "insi".into(),
            operation: "rechercherInsAvecTraitsIdentite".into(),
            scenario: None,
            peer: None,
            request: None,
            response: None,
            findings: vec![],
            prev: GENESIS.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn a_sealed_line_opens_to_the_same_record() {
        let (line, hash) = seal(&record());
        let back = open(&line).unwrap();
        assert_eq!(back.hash, hash);
        assert_eq!(
            Record {
                hash: String::new(),
                ..back
            },
            record()
        );
        assert!(
            std::str::from_utf8(&line)
                .unwrap()
                .ends_with(&format!(",\"hash\":\"{hash}\"}}"))
        );
    }

    #[test]
    fn an_edited_line_is_caught() {
        let (line, _) = seal(&record());
        let edited = String::from_utf8(line).unwrap().replace("insi", "dmp!");
        assert!(matches!(
            open(edited.as_bytes()),
            Err(LineError::HashMismatch { .. })
        ));
    }

    #[test]
    fn a_cut_line_is_unsealed() {
        let (line, _) = seal(&record());
        assert_eq!(open(&line[..line.len() - 10]), Err(LineError::Unsealed));
        assert_eq!(open(b""), Err(LineError::Unsealed));
    }
}
