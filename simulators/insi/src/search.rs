//! Matching a query against the world's patients, as the service does: birth name, any
//! one of the birth first names, sex, birth date (lunar dates included), birthplace when
//! given; Vitale searches on the NIR, birth date and rank.

use segur_core::world::{LunarDate, Patient, World};

use crate::query::{TraitsQuery, VitaleQuery};

/// The `CodeCR` of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// `00`: exactly one identity.
    Found,
    /// `01`: none.
    NotFound,
    /// `02`: several (traits searches only).
    Several,
}

impl Code {
    /// `CodeCR`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Found => "00",
            Self::NotFound => "01",
            Self::Several => "02",
        }
    }

    /// `LibelleCR`, exactly as the service writes it (unaccented).
    pub fn label(self) -> &'static str {
        match self {
            Self::Found => "OK",
            Self::NotFound => "Aucune identite trouvee",
            Self::Several => "Plusieurs identites trouvees",
        }
    }
}

/// What a search found.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The answer's code.
    pub code: Code,
    /// The identity, for `00`.
    pub patient: Option<Patient>,
    /// How many identities matched.
    pub matches: usize,
}

impl Outcome {
    fn from_matches(mut matches: Vec<&Patient>) -> Self {
        let n = matches.len();
        match n {
            0 => Self {
                code: Code::NotFound,
                patient: None,
                matches: 0,
            },
            1 => Self {
                code: Code::Found,
                patient: matches.pop().cloned(),
                matches: 1,
            },
            _ => Self {
                code: Code::Several,
                patient: None,
                matches: n,
            },
        }
    }
}

fn searchable(world: &World) -> impl Iterator<Item = &Patient> {
    world
        .patients
        .iter()
        .filter(|p| p.insi.known && p.ins.is_some())
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn same_date(query: &str, date: &LunarDate) -> bool {
    query.parse::<LunarDate>().is_ok_and(|q| q == *date)
}

/// Whether the patient's traits answer the query.
pub fn matches_traits(p: &Patient, q: &TraitsQuery) -> bool {
    let t = &p.traits;
    q.birth_name
        .as_deref()
        .is_none_or(|n| same(n, &t.birth_name))
        && q.sex.as_deref().is_none_or(|s| same(s, &t.sex))
        && q.birth_date
            .as_deref()
            .is_none_or(|d| same_date(d, &t.birth_date))
        && q.birthplace
            .as_deref()
            .is_none_or(|c| same(c, &t.birthplace))
        && q.first_names.iter().all(|asked| {
            t.first_names.iter().any(|f| same(asked, f)) || same(asked, &t.first_names.join(" "))
        })
}

/// Search by traits.
pub fn by_traits(world: &World, q: &TraitsQuery) -> Outcome {
    Outcome::from_matches(searchable(world).filter(|p| matches_traits(p, q)).collect())
}

/// Search with the data of a Vitale card.
pub fn by_vitale(world: &World, q: &VitaleQuery) -> Outcome {
    if q.beneficiary_nir.is_none() && q.od_nir.is_none() {
        return Outcome::from_matches(Vec::new());
    }
    let found = searchable(world)
        .filter(|p| {
            let nir_matches = match (&q.beneficiary_nir, &q.od_nir) {
                (Some(own), _) if p.ins.as_ref().is_some_and(|i| same(own, &i.matricule)) => true,
                (_, Some(od)) => p.vitale.as_ref().is_some_and(|v| same(od, &v.nir_od)),
                _ => false,
            };
            nir_matches
                && q.birth_date
                    .as_deref()
                    .is_none_or(|d| same_date(d, &p.traits.birth_date))
                && q.birth_name
                    .as_deref()
                    .is_none_or(|n| same(n, &p.traits.birth_name))
                && q.rank.as_deref().is_none_or(|r| {
                    let rank = p.vitale.as_ref().map_or(1, |v| v.rank);
                    r.trim().parse::<u8>().is_ok_and(|r| r == rank)
                })
        })
        .collect::<Vec<_>>();
    // 02 belongs to the traits search only: a card names one beneficiary, and INSi answers
    // 01 when the card's data do not single one out.
    Outcome::from_matches(if found.len() > 1 { Vec::new() } else { found })
}
