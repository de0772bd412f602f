//! The operations of the INSi service and the SOAP actions that select them.

use std::fmt;

/// The action URN prefix of WSDL `DESIR_ICIR_EXP_1.5.0`.
pub const ACTION_PREFIX: &str = "urn:ServiceIdentiteCertifiee:1.0.0:";

/// An INSi operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Search by identity traits (`RECSANSVITALE`).
    SearchByTraits,
    /// Search with the data of a Vitale card (`RECVITALE`).
    SearchByVitale,
    /// Verify a supplied INS against its traits: not in the public WSDL; the bench's own
    /// action, answered as configured (see [`crate::VerifyPolicy`]).
    Verify,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 3] = [Self::SearchByTraits, Self::SearchByVitale, Self::Verify];

    /// The operation name (WSDL name; `verifierInsAvecTraitsIdentite` for the bench's own).
    pub fn name(self) -> &'static str {
        match self {
            Self::SearchByTraits => "rechercherInsAvecTraitsIdentite",
            Self::SearchByVitale => "rechercherInsAvecCarteVitale",
            Self::Verify => "verifierInsAvecTraitsIdentite",
        }
    }

    /// The input action URN.
    pub fn action(self) -> String {
        format!("{ACTION_PREFIX}{}", self.name())
    }

    /// The output action URN.
    pub fn response_action(self) -> String {
        format!("{ACTION_PREFIX}{}Response", self.name())
    }

    /// The operation an action URN selects.
    pub fn from_action(action: &str) -> Option<Self> {
        let name = action.trim().strip_prefix(ACTION_PREFIX)?;
        Self::ALL.into_iter().find(|op| op.name() == name)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
