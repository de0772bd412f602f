//! The professional as Pro Santé Connect describes them, built from the world: the
//! `sub`, the id_token claims and the UserInfo claim set of the spec notes (§2.4), with
//! empty values as `""` like the real service.

use segur_core::world::{Professional, Structure, World};
use serde_json::{Value, json};

/// OID of the profession nomenclature in `SubjectRole` (TRE_G15).
const ROLE_OID: &str = "1.2.250.1.213.1.1.5.5";
/// OID of the activity sector nomenclature in `Secteur_Activite` (TRE_R02).
const SECTOR_OID: &str = "1.2.250.1.71.4.2.4";

/// Finds a professional by world id, national id or PSC login.
pub fn find<'w>(world: &'w World, who: &str) -> Option<&'w Professional> {
    world
        .professionals
        .iter()
        .find(|p| p.id == who || p.national_id == who || p.psc_login.as_deref() == Some(who))
}

/// Keycloak's federated subject: `f:<uuid>:<national id>`, the uuid stable per person.
pub fn subject(p: &Professional) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, p.national_id.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    // A version-4-shaped uuid (the digest stands for the random bits).
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    format!(
        "f:{}:{}",
        uuid::Uuid::from_bytes(bytes).hyphenated(),
        p.national_id
    )
}

/// The identity claims repeated in the id_token.
pub fn identity(p: &Professional) -> Value {
    json!({
        "sub": subject(p),
        "SubjectNameID": p.national_id,
        "preferred_username": p.psc_login.as_deref().unwrap_or(&p.national_id),
        "given_name": p.given_name.to_uppercase(),
        "family_name": p.family_name,
    })
}

/// The UserInfo claim set.
pub fn userinfo(world: &World, p: &Professional) -> Value {
    let structures: Vec<&Structure> = std::iter::once(&p.structure)
        .chain(&p.other_structures)
        .filter_map(|id| world.structure(id))
        .collect();
    let main = structures.first().copied();
    let mut claims = identity(p);
    let extra = json!({
        "email_verified": false,
        "codeCivilite": p.civility,
        "SubjectRole": [format!("{}^{ROLE_OID}", p.profession)],
        "Secteur_Activite": main.map_or(String::new(), |s| format!("{}^{SECTOR_OID}", s.activity_sector)),
        "SubjectOrganization": main.map_or("", |s| s.name.as_str()),
        "SubjectOrganizationID": main.map_or("", |s| s.national_id.as_str()),
        "Palier_Authentification": "APPPRIP3^1.2.250.1.213.1.5.1.1.1",
        "PSI_Locale": "1.2.250.1.213.1.3.1.1",
        "UITVersion": "1.0",
        "Acces_Regulation_Medicale": "FAUX",
        "Mode_Acces_Raison": "",
        "codeGenreActivite": "GENR01",
        "otherIds": [{ "identifiant": p.national_id, "origine": "RPPS", "qualite": 1 }],
        "SubjectRefPro": {
            "codeCivilite": p.civility,
            "exercices": [exercise(p, &structures)],
        },
    });
    if let (Some(claims), Value::Object(extra)) = (claims.as_object_mut(), extra) {
        claims.extend(extra);
    }
    claims
}

/// One `exercices[]` entry: the profession, its specialty, one activity per structure.
fn exercise(p: &Professional, structures: &[&Structure]) -> Value {
    let (know_how_type, know_how) = match &p.specialty {
        Some(s) => ("S", s.as_str()),
        None => ("", ""),
    };
    json!({
        "codeProfession": p.profession,
        // C: civil (the other categories are military and students).
        "codeCategorieProfessionnelle": "C",
        "codeCiviliteDexercice": p.title.as_deref().unwrap_or(""),
        "nomDexercice": p.family_name,
        "prenomDexercice": p.given_name,
        "codeTypeSavoirFaire": know_how_type,
        "codeSavoirFaire": know_how,
        "activities": structures.iter().map(|s| activity(p, s)).collect::<Vec<_>>(),
    })
}

/// One `activities[]` entry.
fn activity(p: &Professional, s: &Structure) -> Value {
    // Establishments (FINESS) employ, the others are liberal practices.
    let mode = if s.finess.is_some() { "S" } else { "L" };
    let siret = s.siret.as_deref().unwrap_or("");
    json!({
        "codeModeExercice": mode,
        "codeSecteurDactivite": s.activity_sector,
        "codeSectionPharmacien": p.pharmacist_section.as_deref().unwrap_or(""),
        "codeRole": "",
        "codeGenreActivite": "GENR01",
        "numeroSiretSite": siret,
        "numeroSirenSite": siret.get(..9).unwrap_or(""),
        "numeroFinessSite": s.finess.as_deref().unwrap_or(""),
        "numeroFinessetablissementJuridique": "",
        "identifiantTechniqueDeLaStructure": s.national_id,
        "ancienIdentifiantDeLaStructure": s.national_id,
        "autoriteDenregistrement": "",
        "raisonSocialeSite": s.name,
        "enseigneCommercialeSite": "",
        "complementDestinataire": "",
        "complementPointGeographique": "",
        "numeroVoie": "",
        "indiceRepetitionVoie": "",
        "codeTypeDeVoie": "",
        "libelleVoie": "",
        "mentionDistribution": "",
        "bureauCedex": "",
        "codePostal": "",
        "codeCommune": "",
        "codePays": "",
        "codeDepartement": "",
        "telephone": "",
        "telephone2": "",
        "telecopie": "",
        "adresseEMail": s.mssante_organisational.first().map_or("", String::as_str),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_carries_every_psc_claim_with_empty_strings_not_nulls() {
        let world = World::embedded().unwrap();
        let bertin = find(&world, "dr-bertin").unwrap();
        let claims = userinfo(&world, bertin);
        assert_eq!(claims["SubjectNameID"], "899900100003");
        assert_eq!(claims["SubjectRole"][0], "10^1.2.250.1.213.1.1.5.5");
        assert_eq!(claims["Secteur_Activite"], "SA01^1.2.250.1.71.4.2.4");
        assert!(claims["sub"].as_str().unwrap().starts_with("f:"));
        assert!(claims["sub"].as_str().unwrap().ends_with(":899900100003"));
        let exercise = &claims["SubjectRefPro"]["exercices"][0];
        assert_eq!(exercise["codeSavoirFaire"], "SM04");
        let activities = exercise["activities"].as_array().unwrap();
        assert_eq!(activities.len(), 2, "the hospital and the cabinet");
        assert_eq!(activities[0]["codeModeExercice"], "S");
        assert_eq!(activities[1]["codeModeExercice"], "L");
        assert_eq!(activities[0]["numeroFinessSite"], "0B0100016");
        assert_eq!(activities[1]["numeroFinessSite"], "");
        fn no_null(v: &Value) -> bool {
            match v {
                Value::Null => false,
                Value::Array(a) => a.iter().all(no_null),
                Value::Object(o) => o.values().all(no_null),
                _ => true,
            }
        }
        assert!(no_null(&claims));
    }

    #[test]
    fn professionals_are_found_by_id_national_id_or_login() {
        let world = World::embedded().unwrap();
        for who in ["dr-legrand", "899900100001"] {
            assert_eq!(find(&world, who).unwrap().id, "dr-legrand");
        }
        assert!(find(&world, "899999999999").is_none());
        assert_eq!(
            subject(find(&world, "dr-legrand").unwrap()),
            subject(find(&world, "dr-legrand").unwrap())
        );
    }
}
