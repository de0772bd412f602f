//! Who calls: a professional of the world and their structure, as the VIHF states them
//! and as the XDS `author` slots write them.

use segur_core::world::World;
use segur_core::world::codes::{
    self, MEDECIN, PHARMACIEN, PROFESSION_OID, PROFESSIONS, SPECIALTIES, SPECIALTY_OID,
};

use super::RequestError;

/// The code system written for a pharmacist's CNOP section (TRE_G05). The spec notes do
/// not give its OID, and the DMP simulator does not check the second role's system.
pub const PHARMACIST_SECTION_SYSTEM: &str = "TRE_G05";

/// A professional and their structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// National id (IdNatPS: `8` + RPPS): the VIHF's NameID and the author's id.
    pub national_id: String,
    /// Family name.
    pub family_name: String,
    /// Given name.
    pub given_name: String,
    /// TRE_G15 profession code: the first VIHF role.
    pub profession: String,
    /// Specialty (TRE_R01) or CNOP section (TRE_G05) and its system: the second VIHF role,
    /// required for doctors and pharmacists.
    pub second_role: Option<(String, String)>,
    /// The structure's national id (`Identifiant_Structure`, `authorInstitution`).
    pub structure_id: String,
    /// The structure's name.
    pub structure_name: String,
    /// The structure's `SAxx` activity sector (`Secteur_Activite`,
    /// `healthcareFacilityTypeCode`).
    pub sector: String,
}

impl Caller {
    /// The professional `id` of `world`, in their main structure.
    pub fn professional(world: &World, id: &str) -> Result<Self, RequestError> {
        let p = world
            .professional(id)
            .ok_or_else(|| RequestError::World(format!("professional {id:?}")))?;
        let s = world
            .structure(&p.structure)
            .ok_or_else(|| RequestError::World(format!("structure {:?}", p.structure)))?;
        let second_role = match p.profession.as_str() {
            MEDECIN => p.specialty.clone().map(|c| (c, SPECIALTY_OID.to_string())),
            PHARMACIEN => p
                .pharmacist_section
                .clone()
                .map(|c| (c, PHARMACIST_SECTION_SYSTEM.to_string())),
            _ => None,
        };
        Ok(Self {
            national_id: p.national_id.clone(),
            family_name: p.family_name.to_uppercase(),
            given_name: p.given_name.clone(),
            profession: p.profession.clone(),
            second_role,
            structure_id: s.national_id.clone(),
            structure_name: s.name.clone(),
            sector: s.activity_sector.clone(),
        })
    }

    /// The profession's label (TRE_G15).
    pub fn profession_label(&self) -> &'static str {
        codes::label(PROFESSIONS, &self.profession).unwrap_or("")
    }

    /// The VIHF's first role: the profession, `code^system`.
    pub fn profession_role(&self) -> (String, &'static str) {
        (self.profession.clone(), PROFESSION_OID)
    }

    /// XDS `authorPerson` (XCN): `id^FAMILY^Given^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS`.
    pub fn author_person(&self) -> String {
        format!(
            "{}^{}^{}^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS",
            self.national_id, self.family_name, self.given_name
        )
    }

    /// XDS `authorSpecialty`: `G15_<profession>[/<specialty>]^label^1.2.250.1.213.1.1.4.5`,
    /// as the kit writes it.
    pub fn author_specialty(&self) -> String {
        let specialty = self
            .second_role
            .as_ref()
            .map(|(code, _)| code.as_str())
            .filter(|_| self.profession == MEDECIN);
        let code = match specialty {
            Some(s) => format!("G15_{}/{s}", self.profession),
            None => format!("G15_{}", self.profession),
        };
        let label = match specialty.and_then(|s| codes::label(SPECIALTIES, s)) {
            Some(s) => format!("{} - {s}", self.profession_label()),
            None => self.profession_label().to_string(),
        };
        format!("{code}^{label}^1.2.250.1.213.1.1.4.5")
    }

    /// XDS `authorInstitution` (XON): `NAME^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^<id>`.
    pub fn author_institution(&self) -> String {
        format!(
            "{}^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^{}",
            self.structure_name, self.structure_id
        )
    }
}
