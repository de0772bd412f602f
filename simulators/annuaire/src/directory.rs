//! What the directory holds: the world's professionals, their activities in its
//! structures and their MSSanté mailboxes, with the changes a scenario made since (a
//! professional renamed, a mailbox moved or closed). Sans I/O: the world in, entries out.

use std::collections::{BTreeMap, BTreeSet};

use segur_core::world::World;

/// A professional as the directory publishes them (`Practitioner`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Practitioner {
    /// Logical id: `003-` and the national id, as the ANS API names its Practitioners.
    pub id: String,
    /// National id (`8` + RPPS).
    pub national_id: String,
    /// `M` or `MME`.
    pub civility: String,
    /// Exercise title (`DR`), if any.
    pub title: Option<String>,
    /// Family name of exercise.
    pub family: String,
    /// Given name of exercise.
    pub given: String,
    /// Profession (TRE_G15).
    pub profession: String,
    /// Their personal mailbox (BAL PER), unless they have none or it was closed.
    pub mailbox: Option<String>,
}

impl Practitioner {
    /// The RPPS number: the national id without its leading `8`.
    pub fn rpps(&self) -> &str {
        self.national_id
            .strip_prefix('8')
            .unwrap_or(&self.national_id)
    }
}

/// An activity of a professional in a structure (`PractitionerRole`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Logical id: `005-`, the professional's and the structure's national ids.
    pub id: String,
    /// The `Practitioner` id.
    pub practitioner: String,
    /// The `Organization` id.
    pub organization: String,
    /// Profession (TRE_G15).
    pub profession: String,
    /// Specialty (TRE_R38 savoir-faire), for médecins.
    pub specialty: Option<String>,
    /// Mode of exercise (TRE_R23): `L` libéral in a cabinet, `S` salaried elsewhere.
    pub mode: &'static str,
}

/// A structure (`Organization`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// Logical id: `001-` and the national id.
    pub id: String,
    /// Structure national id.
    pub national_id: String,
    /// FINESS, for establishments.
    pub finess: Option<String>,
    /// SIRET.
    pub siret: Option<String>,
    /// Raison sociale.
    pub name: String,
    /// Activity sector (TRE_R02 `SAnn`).
    pub sector: String,
    /// Its mailboxes: organisational (`ORG`) and applicative (`APP`), open ones only.
    pub mailboxes: Vec<(String, &'static str)>,
}

/// What a scenario changed in the directory since the world was read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// National id → (family, given) the professional now practises under.
    pub renamed: BTreeMap<String, (String, String)>,
    /// National id → their personal mailbox now (`None`: they have none any more).
    pub mailbox: BTreeMap<String, Option<String>>,
    /// Mailboxes closed (lower case): the directory no longer lists them.
    pub closed: BTreeSet<String>,
}

/// The whole directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    /// Every professional.
    pub practitioners: Vec<Practitioner>,
    /// Every activity.
    pub roles: Vec<Role>,
    /// Every structure.
    pub organizations: Vec<Organization>,
}

/// The `Practitioner` id of a national id.
pub fn practitioner_id(national_id: &str) -> String {
    format!("003-{national_id}")
}

/// The `Organization` id of a structure national id.
pub fn organization_id(national_id: &str) -> String {
    format!("001-{national_id}")
}

impl Directory {
    /// The directory of `world`, with `changes` applied.
    pub fn of(world: &World, changes: &Changes) -> Self {
        let open = |address: &str| !changes.closed.contains(&address.to_ascii_lowercase());
        let organizations: Vec<Organization> = world
            .structures
            .iter()
            .map(|s| Organization {
                id: organization_id(&s.national_id),
                national_id: s.national_id.clone(),
                finess: s.finess.clone(),
                siret: s.siret.clone(),
                name: s.name.clone(),
                sector: s.activity_sector.clone(),
                mailboxes: s
                    .mssante_organisational
                    .iter()
                    .map(|m| (m.clone(), "ORG"))
                    .chain(s.mssante_applications.iter().map(|m| (m.clone(), "APP")))
                    .filter(|(m, _)| open(m))
                    .collect(),
            })
            .collect();
        let mut practitioners = Vec::new();
        let mut roles = Vec::new();
        for p in &world.professionals {
            let (family, given) = changes
                .renamed
                .get(&p.national_id)
                .cloned()
                .unwrap_or_else(|| (p.family_name.clone(), p.given_name.clone()));
            let mailbox = match changes.mailbox.get(&p.national_id) {
                Some(now) => now.clone(),
                None => p.mssante.clone(),
            }
            .filter(|m| open(m));
            let id = practitioner_id(&p.national_id);
            for structure_key in std::iter::once(&p.structure).chain(&p.other_structures) {
                let Some(s) = world.structures.iter().find(|s| &s.id == structure_key) else {
                    continue;
                };
                roles.push(Role {
                    id: format!("005-{}-{}", p.national_id, s.national_id),
                    practitioner: id.clone(),
                    organization: organization_id(&s.national_id),
                    profession: p.profession.clone(),
                    specialty: p.specialty.clone(),
                    // A cabinet (SA07 individual, SA08 group) is a libéral practice.
                    mode: if matches!(s.activity_sector.as_str(), "SA07" | "SA08") {
                        "L"
                    } else {
                        "S"
                    },
                });
            }
            practitioners.push(Practitioner {
                id,
                national_id: p.national_id.clone(),
                civility: p.civility.clone(),
                title: p.title.clone(),
                family,
                given,
                profession: p.profession.clone(),
                mailbox,
            });
        }
        Self {
            practitioners,
            roles,
            organizations,
        }
    }

    /// The professional with this logical id.
    pub fn practitioner(&self, id: &str) -> Option<&Practitioner> {
        self.practitioners.iter().find(|p| p.id == id)
    }

    /// The structure with this logical id.
    pub fn organization(&self, id: &str) -> Option<&Organization> {
        self.organizations.iter().find(|o| o.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        World::embedded().expect("default world")
    }

    #[test]
    fn every_professional_and_structure_of_the_world_is_listed_with_their_mailboxes() {
        let w = world();
        let d = Directory::of(&w, &Changes::default());
        assert_eq!(d.practitioners.len(), w.professionals.len());
        assert_eq!(d.organizations.len(), w.structures.len());
        let legrand = d.practitioner("003-899900100001").expect("Dr Legrand");
        assert_eq!(
            legrand.mailbox.as_deref(),
            Some("jean.legrand@medecin.mssante.fr")
        );
        assert_eq!(legrand.rpps(), "99900100001");
        // A professional of the world without a mailbox has none in the directory.
        let gautier = d.practitioner("003-899900100007").expect("M. Gautier");
        assert_eq!(gautier.mailbox, None);
        // Dr Bertin practises in two structures: two activities.
        let bertin_roles = d
            .roles
            .iter()
            .filter(|r| r.practitioner == "003-899900100003")
            .count();
        assert_eq!(bertin_roles, 2);
        let lilas = d.organization("001-499900100001001").expect("cabinet");
        assert_eq!(
            lilas.mailboxes,
            vec![
                ("secretariat@cabinet-lilas.mssante.fr".to_string(), "ORG"),
                ("lgc@cabinet-lilas.mssante.fr".to_string(), "APP"),
            ]
        );
    }

    #[test]
    fn changes_rename_move_and_close_mailboxes() {
        let mut changes = Changes::default();
        changes
            .renamed
            .insert("899900100002".into(), ("COLIN-MARTY".into(), "Anne".into()));
        changes.mailbox.insert(
            "899900100005".into(),
            Some("c.lemaire@medecin.mssante.fr".into()),
        );
        changes
            .closed
            .insert("jean.legrand@medecin.mssante.fr".into());
        changes
            .closed
            .insert("secretariat@cabinet-lilas.mssante.fr".into());
        let d = Directory::of(&world(), &changes);
        assert_eq!(
            d.practitioner("003-899900100002").unwrap().family,
            "COLIN-MARTY"
        );
        assert_eq!(
            d.practitioner("003-899900100005")
                .unwrap()
                .mailbox
                .as_deref(),
            Some("c.lemaire@medecin.mssante.fr")
        );
        assert_eq!(d.practitioner("003-899900100001").unwrap().mailbox, None);
        assert_eq!(
            d.organization("001-499900100001001")
                .unwrap()
                .mailboxes
                .len(),
            1
        );
    }
}
