//! The DMP's rules of access (spec notes §1.2, §1.5, §4.1): consultation needs the
//! professional's authorisation and is never granted to a blocked professional; feeding
//! and deleting need no authorisation; a closed or absent DMP answers as such; documents
//! masked to professionals (`MASQUE_PS`) are seen only by their author and the médecin
//! traitant.

use crate::store::{PatientRecord, StoredDocument};
use crate::xds::response::RegistryError;
use segur_core::world::DmpState;

/// Masked to professionals other than the author and the médecin traitant.
pub const MASKED: &str = "MASQUE_PS";
/// Invisible to the patient.
pub const INVISIBLE_PATIENT: &str = "INVISIBLE_PATIENT";
/// Invisible to the legal representatives.
pub const INVISIBLE_LEGAL: &str = "INVISIBLE_REP_LEGAUX";

/// Error codes of the DMP catalogue used here. `DMPClosed` and `DMPFound` are attested;
/// the catalogue (SEL-MP-037) is not public, so the others are the bench's names for the
/// situations the spec notes describe.
pub mod codes {
    /// The DMP is closed.
    pub const CLOSED: &str = "DMPClosed";
    /// No DMP for this INS.
    pub const NOT_FOUND: &str = "DMPNotFound";
    /// The professional has no authorisation (consultation).
    pub const NO_AUTHORIZATION: &str = "DMPAccessDeniedByAuthorization";
    /// The patient blocked this professional.
    pub const BLOCKED: &str = "DMPAccessDeniedByPatient";
}

/// Whether the patient's DMP can be used at all; the error otherwise.
pub fn open(patient: Option<&PatientRecord>, number: &str) -> Result<(), RegistryError> {
    match patient.map(|p| (p.state, &p.closed)) {
        None => Err(RegistryError::new(
            "XDSUnknownPatientId",
            format!("Patient inconnu du DMP : {number}"),
        )),
        Some((DmpState::Absent, _)) => Err(RegistryError::new(
            codes::NOT_FOUND,
            format!("Aucun DMP n'existe pour le patient {number}"),
        )),
        Some((DmpState::Closed, closed)) => Err(RegistryError::new(
            codes::CLOSED,
            match closed {
                Some((on, why)) => format!("Le DMP du patient est fermé depuis le {on} ({why})"),
                None => "Le DMP du patient est fermé".to_string(),
            },
        )),
        Some((DmpState::Open, _)) => Ok(()),
    }
}

/// Whether `professional` may consult `patient`'s DMP.
pub fn may_consult(patient: &PatientRecord, professional: &str) -> Result<(), RegistryError> {
    if patient.blocked.contains(professional) {
        return Err(RegistryError::new(
            codes::BLOCKED,
            "Le patient a bloqué l'accès de ce professionnel à son DMP",
        ));
    }
    if !patient.authorised.contains_key(professional) {
        return Err(RegistryError::new(
            codes::NO_AUTHORIZATION,
            "Le professionnel n'est pas autorisé à consulter ce DMP : l'autorisation d'accès (TD0.3) est requise",
        ));
    }
    Ok(())
}

/// Whether a professional who may consult sees `document`.
pub fn visible_to(document: &StoredDocument, patient: &PatientRecord, professional: &str) -> bool {
    !document.confidentiality.iter().any(|c| c == MASKED)
        || is_author(document, professional)
        || patient.treating_doctor.as_deref() == Some(professional)
}

/// Whether `professional` is the document's author (or fed it).
pub fn is_author(document: &StoredDocument, professional: &str) -> bool {
    document.author.as_deref() == Some(professional) || document.submitter == professional
}
