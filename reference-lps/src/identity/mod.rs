//! The patient identities the LPS keeps, with the RNIV statuses and the INS rules of
//! the Guide d'implémentation de l'INS the scenarios exercise.

pub mod ins;
pub mod store;

use serde::{Deserialize, Serialize};

pub use ins::Ins;
pub use store::{Patients, Refusal};

/// The RNIV statuses of an identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Created from what the patient said: the default.
    Provisoire,
    /// INS retrieved from INSi, identity not checked on a document.
    Recuperee,
    /// Checked on a high-trust document, no INS.
    Validee,
    /// Checked on a document and INS retrieved (or verified): the only status under
    /// which the INS may be shared.
    Qualifiee,
}

/// The attributes that force an identity back to Provisoire (rules 21, 25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Attribute {
    /// The user doubts the identity.
    Douteuse,
    /// A deliberately false identity (anonymous care).
    Fictive,
}

/// The strict identity traits. Each may be missing from a request: rule 5 refuses the
/// creation then, with the fields' names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Traits {
    /// Birth name, upper case.
    #[serde(default)]
    pub birth_name: String,
    /// Birth first names, in order.
    #[serde(default)]
    pub first_names: Vec<String>,
    /// `M`, `F` (or `I`).
    #[serde(default)]
    pub sex: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub birth_date: String,
    /// COG code of the birthplace (`99999`: unknown).
    #[serde(default)]
    pub birthplace: String,
}

/// The birthplace code of an unknown place of birth.
pub const UNKNOWN_BIRTHPLACE: &str = "99999";
