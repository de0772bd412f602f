//! INS rules: the matricule's check key, its OIDs and its HL7 CX form.
//!
//! Facts from the specs (insi-psc.md §1.9): the matricule is the NIR or NIA, 13
//! characters; key = 97 − (N mod 97) on the 13 characters read as a number, after
//! replacing the Corsican departments `2A` by `19` and `2B` by `18`.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// INS-NIR, the production OID (also what the CNAM qualification server returns for
/// its published test identities).
pub const OID_NIR: &str = "1.2.250.1.213.1.4.8";
/// INS-NIA, a temporary number.
pub const OID_NIA: &str = "1.2.250.1.213.1.4.9";
/// INS-NIR of fictitious test patients.
pub const OID_TEST: &str = "1.2.250.1.213.1.4.10";
/// INS-NIR of demonstration patients.
pub const OID_DEMO: &str = "1.2.250.1.213.1.4.11";

/// What an INS OID says about the identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InsOidKind {
    /// `.8`: a real NIR.
    Nir,
    /// `.9`: a temporary NIA.
    Nia,
    /// `.10`: a test identity.
    Test,
    /// `.11`: a demonstration identity.
    Demo,
}

impl InsOidKind {
    /// The kind of an OID, if it is one of the four INS OIDs.
    pub fn of(oid: &str) -> Option<Self> {
        match oid {
            OID_NIR => Some(Self::Nir),
            OID_NIA => Some(Self::Nia),
            OID_TEST => Some(Self::Test),
            OID_DEMO => Some(Self::Demo),
            _ => None,
        }
    }

    /// Whether this OID designates a production identity (NIR or NIA).
    pub fn is_production(self) -> bool {
        matches!(self, Self::Nir | Self::Nia)
    }
}

/// Why a matricule is not one.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum InsFormatError {
    /// Not 13 characters.
    #[error("a matricule has 13 characters, this one has {0}")]
    Length(usize),
    /// A character other than a digit (outside the Corsican `2A`/`2B`).
    #[error("character {position} ({found:?}) should be a digit")]
    NotADigit {
        /// 1-based position.
        position: usize,
        /// What was there.
        found: char,
    },
    /// A key that is not two digits.
    #[error("a key is two digits, found {0:?}")]
    Key(String),
}

/// Computes the two-digit key of a 13-character matricule.
///
/// ```
/// use segur_core::world::ins::key_of;
/// assert_eq!(key_of("297022A020778").unwrap(), "78"); // Corsica 2A
/// assert_eq!(key_of("2360663220836").unwrap(), "56");
/// ```
pub fn key_of(matricule: &str) -> Result<String, InsFormatError> {
    let chars: Vec<char> = matricule.chars().collect();
    if chars.len() != 13 {
        return Err(InsFormatError::Length(chars.len()));
    }
    let mut digits = String::with_capacity(13);
    for (i, c) in chars.iter().enumerate() {
        match (i, c) {
            (5, '2') if matches!(chars[6], 'A' | 'B' | 'a' | 'b') => {
                digits.push_str(if chars[6].eq_ignore_ascii_case(&'A') {
                    "19"
                } else {
                    "18"
                });
            }
            (6, 'A' | 'B' | 'a' | 'b') if chars[5] == '2' => {}
            (_, c) if c.is_ascii_digit() => digits.push(*c),
            _ => {
                return Err(InsFormatError::NotADigit {
                    position: i + 1,
                    found: *c,
                });
            }
        }
    }
    // 13 digits always fit in a u64.
    let n: u64 = digits.parse().map_err(|_| InsFormatError::Length(13))?;
    Ok(format!("{:02}", 97 - (n % 97)))
}

/// An INS: matricule, key and OID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ins {
    /// The 13-character NIR or NIA (`2A`/`2B` allowed for Corsica).
    pub matricule: String,
    /// The two-digit key, as issued (it may be wrong on purpose, as in CNDA test 2.08).
    pub key: String,
    /// One of the four INS OIDs.
    pub oid: String,
}

impl Ins {
    /// Builds an INS with the key computed from the matricule.
    pub fn with_computed_key(matricule: &str, oid: &str) -> Result<Self, InsFormatError> {
        Ok(Self {
            key: key_of(matricule)?,
            matricule: matricule.to_string(),
            oid: oid.to_string(),
        })
    }

    /// The key that the matricule computes to.
    pub fn expected_key(&self) -> Result<String, InsFormatError> {
        key_of(&self.matricule)
    }

    /// Whether the key given matches the matricule.
    pub fn key_is_consistent(&self) -> bool {
        self.expected_key().is_ok_and(|k| k == self.key)
    }

    /// Matricule and key: the 15 characters used as an identifier (and as the local part
    /// of the patient's `@patient.mssante.fr` address).
    pub fn number(&self) -> String {
        format!("{}{}", self.matricule, self.key)
    }

    /// HL7 v2 CX form used in XDS and in the VIHF: `<matricule+key>^^^&<oid>&ISO^NH`.
    pub fn cx(&self) -> String {
        format!("{}^^^&{}&ISO^NH", self.number(), self.oid)
    }

    /// Parses the CX form back (a trailing 4th-component date, seen in the DMP kit, is ignored).
    pub fn parse_cx(cx: &str) -> Result<Self, InsFormatError> {
        let mut components = cx.split('^');
        let number = components.next().unwrap_or_default();
        let authority = components.nth(2).unwrap_or_default();
        let oid = authority.split('&').nth(1).unwrap_or_default();
        let chars: Vec<char> = number.chars().collect();
        if chars.len() != 15 {
            return Err(InsFormatError::Length(chars.len().saturating_sub(2)));
        }
        let matricule: String = chars[..13].iter().collect();
        let key: String = chars[13..].iter().collect();
        if !key.chars().all(|c| c.is_ascii_digit()) {
            return Err(InsFormatError::Key(key));
        }
        key_of(&matricule)?;
        Ok(Self {
            matricule,
            key,
            oid: oid.to_string(),
        })
    }
}

impl fmt::Display for Ins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({})", self.matricule, self.key, self.oid)
    }
}

/// The INS name format (birth names and first names as INSi holds them): upper case
/// A-Z, words separated by `-`, `--`, `'` or a space (insi-psc.md §1.3).
pub fn is_ins_name(name: &str) -> bool {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut separator = String::new();
    for ch in name.chars() {
        if ch.is_ascii_uppercase() {
            if !separator.is_empty() {
                if !matches!(separator.as_str(), "-" | "--" | "'" | " ") || current.is_empty() {
                    return false;
                }
                parts.push(std::mem::take(&mut current));
                separator.clear();
            }
            current.push(ch);
        } else if matches!(ch, '-' | '\'' | ' ') {
            separator.push(ch);
        } else {
            return false;
        }
    }
    separator.is_empty() && !current.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every consistent identity published for the INSi qualification (insi-psc.md §1.8,
    /// and the CNDA answers in fixtures/insi/responses).
    const PUBLISHED: &[(&str, &str)] = &[
        ("297022A020778", "78"), // ADRTROIS DOMINIQUE, Corsica 2A
        ("160012B020777", "13"), // ADRTROIS TOUSSAINT, Corsica 2B
        ("2360663220836", "56"), // TCHITCHI CATARINA
        ("1090763220834", "89"), // ECETINSI PIERRE-ALAIN, active
        ("2090763220834", "39"), // ECETINSI PIERRE-ALAIN, history
        ("2090663220123", "55"), // ECETINSI PIERRE-ALAIN, history
        ("1090763220888", "35"), // PROVISOIRE MATRICULE, NIA
        ("180032B020401", "23"), // CORSE ANTHONY
    ];

    #[test]
    fn every_consistent_published_identity_computes_its_key() {
        for (matricule, key) in PUBLISHED {
            assert_eq!(key_of(matricule).unwrap(), *key, "{matricule}");
        }
    }

    #[test]
    fn the_cnda_2_08_keys_are_flagged() {
        // HERMANN GATIEN: published with key 60, computes to 76; its history 10, computes to 26.
        let active = Ins {
            matricule: "1810363220456".into(),
            key: "60".into(),
            oid: OID_NIR.into(),
        };
        assert!(!active.key_is_consistent());
        assert_eq!(active.expected_key().unwrap(), "76");
        assert_eq!(key_of("2810363220456").unwrap(), "26");
    }

    #[test]
    fn key_97_is_possible_and_zero_padded() {
        // N mod 97 == 0 gives 97; N mod 97 == 96 gives 01.
        let n: u64 = 2_000_000_000_000 - (2_000_000_000_000 % 97);
        assert_eq!(key_of(&n.to_string()).unwrap(), "97");
        assert_eq!(key_of(&(n + 96).to_string()).unwrap(), "01");
    }

    #[test]
    fn malformed_matricules_are_refused() {
        let cases: &[(&str, InsFormatError)] = &[
            ("12345", InsFormatError::Length(5)),
            (
                "29702XA020778",
                InsFormatError::NotADigit {
                    position: 6,
                    found: 'X',
                },
            ),
            (
                "2970223A20778",
                InsFormatError::NotADigit {
                    position: 8,
                    found: 'A',
                },
            ),
            (
                "29702A2020778",
                InsFormatError::NotADigit {
                    position: 6,
                    found: 'A',
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(key_of(input).as_ref(), Err(expected), "{input}");
        }
    }

    #[test]
    fn cx_round_trips() {
        let ins = Ins::with_computed_key("297022A020778", OID_TEST).unwrap();
        assert_eq!(ins.cx(), "297022A02077878^^^&1.2.250.1.213.1.4.10&ISO^NH");
        assert_eq!(Ins::parse_cx(&ins.cx()).unwrap(), ins);
        let dated = format!("{}^^20190404100738", ins.cx());
        assert_eq!(Ins::parse_cx(&dated).unwrap(), ins);
        assert!(Ins::parse_cx("123^^^&1.2.250.1.213.1.4.10&ISO^NH").is_err());
    }

    #[test]
    fn oid_kinds() {
        assert_eq!(InsOidKind::of(OID_NIR), Some(InsOidKind::Nir));
        assert!(InsOidKind::of(OID_NIA).unwrap().is_production());
        assert!(!InsOidKind::of(OID_TEST).unwrap().is_production());
        assert_eq!(InsOidKind::of("1.2.3"), None);
    }
}
