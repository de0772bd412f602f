//! The one fictitious world all simulators read: patients, professionals, structures,
//! accepted software ids and OpenID clients.
//!
//! Loaded from TOML (an embedded default, or a file given with `--world`) and checked at
//! load time: a problem names the file, the entry and the field.

pub mod codes;
pub mod ins;
pub mod model;
pub mod validate;

use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use ins::Ins;
pub use model::*;
pub use validate::Problem;

/// The default world, embedded in the binary.
pub const DEFAULT_WORLD_TOML: &str = include_str!("default.toml");
/// How the embedded world is named in messages.
pub const DEFAULT_WORLD_NAME: &str = "<embedded default world>";

/// Why a world could not be loaded.
#[derive(Debug, Error)]
pub enum WorldError {
    /// The file could not be read.
    #[error("{file}: cannot read the world file: {source}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Not TOML, or not the world's shape (missing or unknown field, wrong type).
    #[error("{file}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// The parser's message, with line, column and the field concerned.
        message: String,
    },
    /// Well-formed, but inconsistent.
    #[error("{file}: {} problem(s) in the world:\n{}", problems.len(), list(problems))]
    Invalid {
        /// The file.
        file: String,
        /// Every problem found.
        problems: Vec<Problem>,
    },
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A change to one patient, as the control API and the scenario steps make it. Absent
/// fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientChange {
    /// The whole DMP state (state, dates, authorised and blocked professionals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dmp: Option<Dmp>,
    /// The full list of oppositions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oppositions: Option<Vec<Opposition>>,
    /// Whether Mon espace santé is activated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mes_activated: Option<bool>,
    /// How INSi answers about the patient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insi: Option<InsiBehaviour>,
}

/// Why a change to the world was refused.
#[derive(Debug, Error, PartialEq)]
pub enum ChangeError {
    /// No patient with that id.
    #[error("no patient with id {0:?}")]
    UnknownPatient(String),
    /// The change would make the world inconsistent; the world is left as it was.
    #[error("the change was refused:\n{}", list(.0))]
    Invalid(Vec<Problem>),
}

impl World {
    /// The embedded default world.
    pub fn embedded() -> Result<Self, WorldError> {
        Self::from_toml(DEFAULT_WORLD_TOML, DEFAULT_WORLD_NAME)
    }

    /// Reads and checks a world file.
    pub fn load(path: &Path) -> Result<Self, WorldError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| WorldError::Read {
            file: file.clone(),
            source,
        })?;
        Self::from_toml(&text, &file)
    }

    /// Parses and checks a world; `file` names it in messages.
    pub fn from_toml(text: &str, file: &str) -> Result<Self, WorldError> {
        let world: World = toml::from_str(text).map_err(|e| WorldError::Syntax {
            file: file.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let problems = validate::check(&world);
        if problems.is_empty() {
            Ok(world)
        } else {
            Err(WorldError::Invalid {
                file: file.to_string(),
                problems,
            })
        }
    }

    /// A patient by id.
    pub fn patient(&self, id: &str) -> Option<&Patient> {
        self.patients.iter().find(|p| p.id == id)
    }

    /// The patient whose active INS has this matricule (13 characters) or number (15).
    pub fn patient_by_ins(&self, number: &str) -> Option<&Patient> {
        self.patients.iter().find(|p| {
            p.ins
                .as_ref()
                .is_some_and(|ins| ins.matricule == number || ins.number() == number)
        })
    }

    /// A professional by id.
    pub fn professional(&self, id: &str) -> Option<&Professional> {
        self.professionals.iter().find(|p| p.id == id)
    }

    /// A professional by national id (`8` + RPPS).
    pub fn professional_by_national_id(&self, national_id: &str) -> Option<&Professional> {
        self.professionals
            .iter()
            .find(|p| p.national_id == national_id)
    }

    /// A structure by id.
    pub fn structure(&self, id: &str) -> Option<&Structure> {
        self.structures.iter().find(|s| s.id == id)
    }

    /// Adds a patient; refused (and the world unchanged) if the result is inconsistent.
    pub fn add_patient(&mut self, patient: Patient) -> Result<(), ChangeError> {
        let mut next = self.clone();
        next.patients.push(patient);
        self.replace_if_sound(next)
    }

    /// Changes a patient; refused (and the world unchanged) if the result is inconsistent.
    pub fn change_patient(&mut self, id: &str, change: PatientChange) -> Result<(), ChangeError> {
        let mut next = self.clone();
        let patient = next
            .patients
            .iter_mut()
            .find(|p| p.id == id)
            .ok_or_else(|| ChangeError::UnknownPatient(id.to_string()))?;
        if let Some(dmp) = change.dmp {
            patient.dmp = dmp;
        }
        if let Some(oppositions) = change.oppositions {
            patient.oppositions = oppositions;
        }
        if let Some(mes) = change.mes_activated {
            patient.mes_activated = mes;
        }
        if let Some(insi) = change.insi {
            patient.insi = insi;
        }
        self.replace_if_sound(next)
    }

    fn replace_if_sound(&mut self, next: World) -> Result<(), ChangeError> {
        let problems = validate::check(&next);
        if problems.is_empty() {
            *self = next;
            Ok(())
        } else {
            Err(ChangeError::Invalid(problems))
        }
    }
}

#[cfg(test)]
mod tests;
