//! Terminology tables the world is checked against: professions (TRE_G15), specialties
//! (TRE_R01), pharmacist sections (TRE_G05) and activity sectors (TRE_R02 / JDV_J61).
//!
//! Only codes attested in the public artefacts (the DMP kit messages, the ANS CDA and XDM
//! examples, see `fixtures/SOURCES.md`) or in the ANS nomenclatures' well-known heads are
//! listed; a world that needs another code adds it here with its source.

/// TRE_G15 professions: OID of the code system in the VIHF role.
pub const PROFESSION_OID: &str = "1.2.250.1.71.1.2.7";
/// TRE_R01 specialties: OID of the code system in the VIHF role.
pub const SPECIALTY_OID: &str = "1.2.250.1.71.4.2.5";
/// JDV_J61 / TRE_R02 activity sectors: OID used in `Secteur_Activite`.
pub const SECTOR_OID: &str = "1.2.250.1.71.4.2.4";

/// TRE_G15 profession codes and their labels.
pub const PROFESSIONS: &[(&str, &str)] = &[
    ("10", "Médecin"),
    ("21", "Pharmacien"),
    ("40", "Chirurgien-dentiste"),
    ("50", "Sage-femme"),
    ("60", "Infirmier"),
    ("70", "Masseur-kinésithérapeute"),
    ("80", "Pédicure-podologue"),
    ("91", "Orthophoniste"),
    ("92", "Orthoptiste"),
];

/// The profession code of a médecin: the VIHF then needs a specialty as second role.
pub const MEDECIN: &str = "10";
/// The profession code of a pharmacien: the VIHF then needs a CNOP section as second role.
pub const PHARMACIEN: &str = "21";

/// TRE_R01 specialties seen in the DMP kit and ANS examples (médecins, "(SM)" qualifications).
pub const SPECIALTIES: &[(&str, &str)] = &[
    ("SM03", "Biologie médicale"),
    ("SM04", "Cardiologie et maladies vasculaires"),
    ("SM19", "Gynécologie médicale"),
    ("SM26", "Qualifié en médecine générale"),
    ("SM27", "Médecine interne"),
    ("SM35", "Oncologie, option onco-hématologie"),
    ("SM38", "Ophtalmologie"),
    ("SM44", "Radio-diagnostic"),
    ("SM54", "Médecine générale"),
    ("SM55", "Radio-diagnostic et radio-thérapie"),
];

/// TRE_G05 sections of the Ordre des pharmaciens.
pub const PHARMACIST_SECTIONS: &[(&str, &str)] = &[
    ("A", "Pharmacien titulaire d'officine"),
    ("D", "Pharmacien adjoint et autres"),
    ("G", "Pharmacien biologiste"),
    ("H", "Pharmacien des établissements de santé"),
];

/// Activity sectors with a label attested in the public artefacts. Other `SAnn` codes are
/// accepted by format (the table is not public in full).
pub const SECTORS: &[(&str, &str)] = &[
    ("SA01", "Etablissement public de santé"),
    ("SA04", "Etablissement privé non PSPH"),
    ("SA07", "Cabinet individuel"),
    ("SA08", "Cabinet de groupe"),
    ("SA24", "Organisme de sécurité sociale"),
    ("SA25", "Laboratoire de biologie médicale"),
];

/// The label of a code in a table.
pub fn label(table: &[(&'static str, &'static str)], code: &str) -> Option<&'static str> {
    table.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// Whether a string is shaped like an activity sector code (`SA` and two digits).
pub fn is_sector_code(code: &str) -> bool {
    code.len() == 4 && code.starts_with("SA") && code[2..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_found_by_code() {
        assert_eq!(label(PROFESSIONS, "60"), Some("Infirmier"));
        assert_eq!(
            label(SPECIALTIES, "SM26"),
            Some("Qualifié en médecine générale")
        );
        assert_eq!(label(PROFESSIONS, "99"), None);
    }

    #[test]
    fn sector_codes_are_checked_by_shape() {
        for ok in ["SA01", "SA33"] {
            assert!(is_sector_code(ok), "{ok}");
        }
        for bad in ["SA1", "SB01", "SA0A", "sa01", ""] {
            assert!(!is_sector_code(bad), "{bad}");
        }
    }
}
