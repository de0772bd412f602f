//! Who calls the DMP: the professional logged in with Pro Santé Connect, as the UserInfo
//! claims describe them, in the structure the software is installed in.

use serde_json::Value;

use crate::config::Structure;

/// TRE_G15 (professions): the VIHF's first role.
pub const PROFESSION_SYSTEM: &str = "1.2.250.1.71.1.2.7";
/// TRE_R01 (specialties): a doctor's second role.
pub const SPECIALTY_SYSTEM: &str = "1.2.250.1.71.4.2.5";
/// TRE_G05 (CNOP sections): a pharmacist's second role.
pub const SECTION_SYSTEM: &str = "TRE_G05";

/// The logged-in professional, as the VIHF and the XDS `author` write them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Professional {
    /// IdNatPS (`8` + RPPS): the VIHF's NameID, the author's id.
    pub national_id: String,
    /// Family name (exercise name).
    pub family_name: String,
    /// Given name.
    pub given_name: String,
    /// TRE_G15 profession code.
    pub profession: String,
    /// Second role: specialty (doctors) or CNOP section (pharmacists), with its system.
    pub second_role: Option<(String, &'static str)>,
    /// Structure national id (`Identifiant_Structure`, `authorInstitution`).
    pub structure_id: String,
    /// Structure name.
    pub structure_name: String,
    /// Structure activity sector (`SAxx`).
    pub sector: String,
}

impl Professional {
    /// From PSC's UserInfo claims, in `structure` (the activity there when the claims list
    /// one, the configured values otherwise).
    pub fn from_userinfo(userinfo: &Value, structure: &Structure) -> Option<Self> {
        let national_id = userinfo["SubjectNameID"].as_str()?.to_string();
        let exercise = &userinfo["SubjectRefPro"]["exercices"][0];
        let profession = exercise["codeProfession"].as_str()?.to_string();
        let activities = exercise["activities"].as_array();
        let activity = activities.and_then(|list| {
            list.iter().find(|a| {
                a["identifiantTechniqueDeLaStructure"].as_str() == Some(&structure.national_id)
            })
        });
        let second_role = match profession.as_str() {
            "10" => exercise["codeSavoirFaire"]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(|s| (s.to_string(), SPECIALTY_SYSTEM)),
            "21" => activity
                .and_then(|a| a["codeSectionPharmacien"].as_str())
                .filter(|s| !s.is_empty())
                .map(|s| (s.to_string(), SECTION_SYSTEM)),
            _ => None,
        };
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        Some(Self {
            family_name: exercise["nomDexercice"]
                .as_str()
                .or(userinfo["family_name"].as_str())
                .unwrap_or_default()
                .to_uppercase(),
            given_name: exercise["prenomDexercice"]
                .as_str()
                .or(userinfo["given_name"].as_str())
                .unwrap_or_default()
                .to_string(),
            national_id,
            profession,
            second_role,
            structure_id: structure.national_id.clone(),
            structure_name: activity
                .map(|a| text(&a["raisonSocialeSite"]))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| structure.name.clone()),
            sector: activity
                .map(|a| text(&a["codeSecteurDactivite"]))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| structure.activity_sector.clone()),
        })
    }

    /// XDS `authorPerson` (XCN).
    pub fn author_person(&self) -> String {
        format!(
            "{}^{}^{}^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS",
            self.national_id, self.family_name, self.given_name
        )
    }

    /// XDS `authorSpecialty`: `G15_<profession>[/<specialty>]` in 1.2.250.1.213.1.1.4.5.
    pub fn author_specialty(&self) -> String {
        match &self.second_role {
            Some((s, SPECIALTY_SYSTEM)) => {
                format!("G15_{}/{s}^^1.2.250.1.213.1.1.4.5", self.profession)
            }
            _ => format!("G15_{}^^1.2.250.1.213.1.1.4.5", self.profession),
        }
    }

    /// XDS `authorInstitution` (XON).
    pub fn author_institution(&self) -> String {
        format!(
            "{}^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^{}",
            self.structure_name, self.structure_id
        )
    }
}
