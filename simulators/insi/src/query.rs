//! What the LPS asks: the body of the request, read into a query.
//!
//! `RECSANSVITALE` (traits), `RECVITALE` (Vitale card) and, for verification, the
//! `RequeteUnitaire/IndividuVerifie` shape with an `INSFourni` (insi-psc.md §1.2), whose
//! namespace is not public: it is matched on local names.

use segur_core::finding::Finding;
use segur_core::world::Ins;
use segur_core::world::ins::is_ins_name;
use segur_core::xml::Element;
use serde::Serialize;

use crate::rules;

/// Namespace of `RECSANSVITALE`.
pub const REC_SANS: &str = "http://www.cnamts.fr/INSiRecSans";
/// Namespace of `RECVITALE`.
pub const REC_VIT: &str = "http://www.cnamts.fr/INSiRecVit";

/// Identity traits as the LPS sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TraitsQuery {
    /// `NomNaissance`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_name: Option<String>,
    /// Each `Prenom` element (one name, or a space-separated list).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub first_names: Vec<String>,
    /// `Sexe`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// `DateNaissance`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// `LieuNaissance` (COG).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birthplace: Option<String>,
}

/// A Vitale card search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VitaleQuery {
    /// `MatriculeIndividu/NumIdentifiant`: the beneficiary's own NIR, when on the card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beneficiary_nir: Option<String>,
    /// `MatriculeOD/NumIdentifiant`: the NIR of the insured person who opens the rights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub od_nir: Option<String>,
    /// `NomNaissance`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_name: Option<String>,
    /// `DateNaissance`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// `RangNaissance`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<String>,
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Query {
    /// Search by traits.
    Traits(TraitsQuery),
    /// Search with a Vitale card.
    Vitale(VitaleQuery),
    /// Verify `supplied` against `traits`.
    Verify {
        /// The INS the LPS holds.
        supplied: Ins,
        /// The traits it holds.
        traits: TraitsQuery,
    },
}

/// Reads the body payload; `Err` says why it is not an INSi request body.
/// Why a body is refused, and the rule that says so (journaled with the fault).
#[derive(Debug, Clone)]
pub struct Refused {
    /// The rule broken.
    pub rule: &'static segur_core::finding::Rule,
    /// In words, for the fault's detail and the finding.
    pub why: String,
}

impl From<&str> for Refused {
    fn from(why: &str) -> Self {
        Self {
            rule: &rules::SOAP_MALFORMED,
            why: why.to_string(),
        }
    }
}

impl From<String> for Refused {
    fn from(why: String) -> Self {
        Self {
            rule: &rules::SOAP_MALFORMED,
            why,
        }
    }
}

fn missing_traits(why: String) -> Refused {
    Refused {
        rule: &rules::TRAITS_MISSING,
        why,
    }
}

pub fn read(payload: &Element, findings: &mut Vec<Finding>) -> Result<Query, Refused> {
    if payload.is(REC_SANS, "RECSANSVITALE") {
        let t = |local| payload.child_text(REC_SANS, local);
        let query = TraitsQuery {
            birth_name: t("NomNaissance"),
            first_names: payload
                .children_named(REC_SANS, "Prenom")
                .map(|p| p.text().trim().to_string())
                .collect(),
            sex: t("Sexe"),
            birth_date: t("DateNaissance"),
            birthplace: t("LieuNaissance"),
        };
        check_traits(&query, findings)?;
        return Ok(Query::Traits(query));
    }
    if payload.is(REC_VIT, "RECVITALE") {
        let matricule = |local| {
            payload
                .child(REC_VIT, local)
                .and_then(|m| m.child_text(REC_VIT, "NumIdentifiant"))
        };
        let query = VitaleQuery {
            beneficiary_nir: matricule("MatriculeIndividu"),
            od_nir: matricule("MatriculeOD"),
            birth_name: payload.child_text(REC_VIT, "NomNaissance"),
            birth_date: payload.child_text(REC_VIT, "DateNaissance"),
            rank: payload.child_text(REC_VIT, "RangNaissance"),
        };
        if query.beneficiary_nir.is_none() && query.od_nir.is_none() {
            return Err(missing_traits(
                "Vitale search without MatriculeIndividu nor MatriculeOD: nothing to search on"
                    .into(),
            ));
        }
        return Ok(Query::Vitale(query));
    }
    if payload.name == "RequeteUnitaire" {
        return read_verification(payload, findings);
    }
    Err(format!(
        "the Body holds {} where RECSANSVITALE ({REC_SANS}), RECVITALE ({REC_VIT}) or RequeteUnitaire is expected",
        payload.expanded_name()
    )
    .into())
}

fn local<'a>(e: &'a Element, name: &str) -> Option<&'a Element> {
    e.elements().find(|c| c.name == name)
}

fn local_text(e: &Element, name: &str) -> Option<String> {
    local(e, name).map(|c| c.text().trim().to_string())
}

fn read_verification(payload: &Element, findings: &mut Vec<Finding>) -> Result<Query, Refused> {
    let individual =
        local(payload, "IndividuVerifie").ok_or("RequeteUnitaire has no IndividuVerifie")?;
    let supplied = local(individual, "INSFourni").ok_or("IndividuVerifie has no INSFourni")?;
    let id = local(supplied, "IdIndividu").ok_or("INSFourni has no IdIndividu")?;
    // An INS is its matricule, its key and its OID: a verification compares all three.
    let ins = Ins {
        matricule: local_text(id, "NumIdentifiant").ok_or("IdIndividu has no NumIdentifiant")?,
        key: local_text(id, "Cle")
            .filter(|k| !k.is_empty())
            .ok_or("IdIndividu has no Cle: the INS supplied is matricule, key and OID")?,
        oid: local_text(supplied, "OID")
            .filter(|o| !o.is_empty())
            .ok_or("INSFourni has no OID: the INS supplied is matricule, key and OID")?,
    };
    let traits = local(individual, "TraitsIdentiteIndividu")
        .ok_or("IndividuVerifie has no TraitsIdentiteIndividu")?;
    let mut first_names: Vec<String> = traits
        .elements()
        .filter(|c| c.name == "Prenom")
        .map(|p| p.text().trim().to_string())
        .collect();
    if first_names.is_empty()
        && let Some(list) = local_text(traits, "ListePrenom")
    {
        first_names.push(list);
    }
    let query = TraitsQuery {
        birth_name: local_text(traits, "NomNaissance"),
        first_names,
        sex: local_text(traits, "Sexe"),
        birth_date: local_text(traits, "DateNaissance"),
        birthplace: local_text(traits, "LieuNaissance"),
    };
    check_traits(&query, findings)?;
    Ok(Query::Verify {
        supplied: ins,
        traits: query,
    })
}

/// Formats are noted; missing mandatory traits refuse the query (INSi searches on birth
/// name, a first name, sex and birth date, and answers nothing without them).
fn check_traits(q: &TraitsQuery, findings: &mut Vec<Finding>) -> Result<(), Refused> {
    let missing: Vec<&str> = [
        ("NomNaissance", q.birth_name.is_none()),
        ("Sexe", q.sex.is_none()),
        ("DateNaissance", q.birth_date.is_none()),
        ("Prenom", q.first_names.is_empty()),
    ]
    .into_iter()
    .filter_map(|(n, m)| m.then_some(n))
    .collect();
    if !missing.is_empty() {
        return Err(missing_traits(format!(
            "traits search without {}: INSi is asked with birth name, first name, sex and birth date",
            missing.join(", ")
        )));
    }
    let mut names: Vec<(&str, &str)> = Vec::new();
    if let Some(n) = &q.birth_name {
        names.push(("NomNaissance", n));
    }
    for p in &q.first_names {
        names.push(("Prenom", p));
    }
    for (element, value) in names {
        if !is_ins_name(value) {
            findings.push(
                rules::TRAITS_FORMAT
                    .finding(format!(
                        "{element} {value:?} is not in the INS format (upper case A-Z without accents; -, --, ' or space between words)"
                    ))
                    .at(format!("Body/{element}")),
            );
        }
    }
    if let Some(sex) = &q.sex
        && !matches!(sex.as_str(), "M" | "F")
    {
        findings.push(
            rules::TRAITS_FORMAT
                .finding(format!("Sexe {sex:?}: INSi knows M and F"))
                .at("Body/Sexe"),
        );
    }
    if let Some(date) = &q.birth_date
        && date.parse::<segur_core::world::LunarDate>().is_err()
    {
        findings.push(
            rules::TRAITS_FORMAT
                .finding(format!(
                    "DateNaissance {date:?} is not YYYY-MM-DD (00 allowed for an unknown day or month)"
                ))
                .at("Body/DateNaissance"),
        );
    }
    Ok(())
}
