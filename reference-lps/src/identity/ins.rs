//! The INS itself: its number, key and OID, and the checks an LPS owes it.

use serde::{Deserialize, Serialize};

/// OID of an INS that is a NIR.
pub const OID_NIR: &str = "1.2.250.1.213.1.4.8";
/// OID of an INS that is a NIA (temporary number).
pub const OID_NIA: &str = "1.2.250.1.213.1.4.9";

/// An INS as INSi returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ins {
    /// `NumIdentifiant`: 13 characters (digits, `2A`/`2B` for Corsica).
    pub matricule: String,
    /// `Cle`: two digits.
    pub key: String,
    /// `OID`: NIR, NIA, or a test OID.
    pub oid: String,
}

impl Ins {
    /// The INS number: matricule and key (15 characters).
    pub fn number(&self) -> String {
        format!("{}{}", self.matricule, self.key)
    }

    /// The INS in HL7 CX form (XDS `patientId`, the VIHF's `resource-id`).
    pub fn cx(&self) -> String {
        format!("{}^^^&{}&ISO^NH", self.number(), self.oid)
    }

    /// `NIR` or `NIA`, as printed next to the INS (INS/va1.15).
    pub fn nature(&self) -> &'static str {
        if self.oid == OID_NIA { "NIA" } else { "NIR" }
    }
}

/// The key of a 13-character matricule: 97 minus the number modulo 97, Corsican
/// departments counted as 19 (2A) and 18 (2B). `None` when it is not a matricule.
pub fn expected_key(matricule: &str) -> Option<u32> {
    // ASCII first: a 13-byte text with a multi-byte character would split inside it.
    if matricule.len() != 13 || !matricule.is_ascii() {
        return None;
    }
    let digits = match &matricule[5..7] {
        "2A" | "2a" => format!("{}19{}", &matricule[..5], &matricule[7..]),
        "2B" | "2b" => format!("{}18{}", &matricule[..5], &matricule[7..]),
        _ => matricule.to_string(),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u64 = digits.parse().ok()?;
    Some(97 - (number % 97) as u32)
}

/// Whether the INS's key is the one its number computes to.
pub fn key_is_valid(ins: &Ins) -> bool {
    expected_key(&ins.matricule)
        .is_some_and(|k| ins.key.parse::<u32>().is_ok_and(|given| given == k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matricule_with_a_multibyte_character_has_no_key_instead_of_a_panic() {
        for text in ["1234é5678901", "123456é78901", "29702Ω020778"] {
            assert_eq!(text.len(), 13, "{text}: 13 bytes, as a matricule");
            assert_eq!(expected_key(text), None, "{text}");
        }
    }

    #[test]
    fn keys_of_published_identities() {
        // (matricule, key, valid): INSi qualification and CNDA identities.
        let table = [
            ("297022A020778", "78", true),
            ("160012B020777", "13", true),
            ("1090763220834", "89", true),
            ("1090763220888", "35", true),
            ("1810363220456", "60", false), // CNDA 2.08 cas 2: computes to 76
            ("2810363220456", "10", false), // computes to 26
            ("1810363220456", "76", true),
        ];
        for (matricule, key, valid) in table {
            let ins = Ins {
                matricule: matricule.into(),
                key: key.into(),
                oid: OID_NIR.into(),
            };
            assert_eq!(key_is_valid(&ins), valid, "{matricule} {key}");
        }
        assert_eq!(expected_key("12345"), None);
        assert_eq!(expected_key("1X90763220834"), None);
    }
}
