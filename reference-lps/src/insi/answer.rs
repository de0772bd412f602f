//! Reading INSi's `RESULTAT` (namespace `http://www.cnamts.fr/INSiResultat`, elements
//! matched on local names: the kit and the live service prefix them differently) and its
//! SOAP faults.

use quick_xml::Reader;
use quick_xml::events::Event;
use serde::Serialize;

use crate::identity::Ins;

/// The traits INSi returned (`TIQ`). Absent elements read as empty.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AnswerTraits {
    /// `NomNaissance`.
    pub birth_name: String,
    /// `Prenom` (first first name), when sent.
    pub first_name: Option<String>,
    /// `ListePrenom`: every first name, space-separated.
    pub first_names: String,
    /// `Sexe`.
    pub sex: String,
    /// `DateNaissance`.
    pub birth_date: String,
    /// `LieuNaissance`, when sent.
    pub birthplace: Option<String>,
}

/// A former INS (`INSHISTO`).
#[derive(Debug, Clone, Serialize)]
pub struct HistoricIns {
    /// The INS.
    pub ins: Ins,
    /// `DateDeb`, when sent.
    pub start: Option<String>,
    /// `DateFin`, when sent.
    pub end: Option<String>,
}

/// The identity of a `00` answer (`INDIVIDU`).
#[derive(Debug, Clone, Serialize)]
pub struct Individual {
    /// `INSACTIF`.
    pub active: Ins,
    /// `INSHISTO`, in order.
    pub history: Vec<HistoricIns>,
    /// `TIQ`.
    pub traits: AnswerTraits,
}

/// An answer.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// `CodeCR`: 00, 01 or 02.
    pub code: String,
    /// `LibelleCR`.
    pub label: String,
    /// The identity, for 00.
    pub individual: Option<Individual>,
}

/// Why an answer could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    /// A SOAP fault.
    #[error("INSi a répondu par une erreur {code}: {reason}")]
    Fault {
        /// The service's error code (`siram:…` subcode or detail code).
        code: String,
        /// The fault reason.
        reason: String,
    },
    /// Not a readable answer.
    #[error("réponse INSi illisible: {0}")]
    Malformed(String),
}

#[derive(Default)]
struct Building {
    matricule: String,
    key: String,
    oid: String,
    start: Option<String>,
    end: Option<String>,
}

impl Building {
    fn ins(&mut self) -> Ins {
        let b = std::mem::take(self);
        Ins {
            matricule: b.matricule,
            key: b.key,
            oid: b.oid,
        }
    }
}

/// Reads an INSi response body.
pub fn parse(xml: &str) -> Result<Answer, AnswerError> {
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut code = None;
    let mut label = String::new();
    let mut active: Option<Ins> = None;
    let mut history = Vec::new();
    let mut traits = AnswerTraits::default();
    let mut building = Building::default();
    let mut fault_code = String::new();
    let mut fault_reason = String::new();
    let mut in_fault = false;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name().into_inner().to_string();
                if name == "Fault" {
                    in_fault = true;
                }
                path.push(name);
                text.clear();
            }
            Ok(Event::Text(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::CData(c)) => text.push_str(&c.xml10_content()),
            Ok(Event::GeneralRef(r)) => {
                let resolved = crate::xml::reference(&r);
                match resolved {
                    Some(ch) => text.push(ch),
                    None => return Err(AnswerError::Malformed("entité inconnue".into())),
                }
            }
            Ok(Event::End(_)) => {
                let leaf = path.pop().unwrap_or_default();
                let parent = path.last().map(String::as_str).unwrap_or("");
                let value = std::mem::take(&mut text).trim().to_string();
                if in_fault {
                    match (parent, leaf.as_str()) {
                        ("Subcode", "Value") => fault_code = value,
                        ("Reason", "Text") => fault_reason = value,
                        _ => {}
                    }
                    continue;
                }
                match (parent, leaf.as_str()) {
                    (_, "INSACTIF") => active = Some(building.ins()),
                    (_, "INSHISTO") => {
                        let start = building.start.take();
                        let end = building.end.take();
                        history.push(HistoricIns {
                            ins: building.ins(),
                            start,
                            end,
                        });
                    }
                    ("CR", "CodeCR") => code = Some(value),
                    ("CR", "LibelleCR") => label = value,
                    ("IdIndividu", "NumIdentifiant") => building.matricule = value,
                    ("IdIndividu", "Cle") => building.key = value,
                    ("INSACTIF" | "INSHISTO", "OID") => building.oid = value,
                    ("INSHISTO", "DateDeb") => building.start = Some(value),
                    ("INSHISTO", "DateFin") => building.end = Some(value),
                    ("TIQ", "NomNaissance") => traits.birth_name = value,
                    ("TIQ", "Prenom") => traits.first_name = Some(value),
                    ("TIQ", "ListePrenom") => traits.first_names = value,
                    ("TIQ", "Sexe") => traits.sex = value,
                    ("TIQ", "DateNaissance") => traits.birth_date = value,
                    ("TIQ", "LieuNaissance") => traits.birthplace = Some(value),
                    _ => {}
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(AnswerError::Malformed(e.to_string())),
        }
    }
    if in_fault {
        return Err(AnswerError::Fault {
            code: fault_code,
            reason: fault_reason,
        });
    }
    let code = code.ok_or_else(|| AnswerError::Malformed("pas de CR/CodeCR".into()))?;
    let individual = match (code.as_str(), active) {
        ("00", Some(active)) => Some(Individual {
            active,
            history,
            traits,
        }),
        ("00", None) => {
            return Err(AnswerError::Malformed("CodeCR 00 sans INSACTIF".into()));
        }
        _ => None,
    };
    Ok(Answer {
        code,
        label,
        individual,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/../fixtures/insi/responses/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn reads_the_published_answers() {
        // (file, code, active matricule, key, history length, first names)
        let table = [
            ("REP_CR01.xml", "01", None, 0, ""),
            (
                "TEST_2.04_cas2.xml",
                "00",
                Some(("1090763220834", "89")),
                2,
                "PIERRE-ALAIN MURIEL FLORIANT",
            ),
            (
                "TEST_2.05.xml",
                "00",
                Some(("1090763220888", "35")),
                0,
                "MATRICULE",
            ),
            (
                "TEST_2.08_cas2.xml",
                "00",
                Some(("1810363220456", "60")),
                2,
                "GATIEN",
            ),
        ];
        for (file, code, active, history, first_names) in table {
            let answer = parse(&fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(answer.code, code, "{file}");
            match (active, &answer.individual) {
                (None, None) => {}
                (Some((matricule, key)), Some(i)) => {
                    assert_eq!(
                        (i.active.matricule.as_str(), i.active.key.as_str()),
                        (matricule, key),
                        "{file}"
                    );
                    assert_eq!(i.history.len(), history, "{file}");
                    assert_eq!(i.traits.first_names, first_names, "{file}");
                }
                (a, i) => panic!("{file}: expected {a:?}, read {i:?}"),
            }
        }
    }

    #[test]
    fn reads_the_kit_answer_with_prefixed_elements_and_no_first_name_list() {
        let answer = parse(&fixture(
            "WS_INS2_rechercherInsAvecTraitsIdentite_réponse.xml",
        ))
        .expect("kit answer");
        let individual = answer.individual.expect("00");
        assert_eq!(individual.active.matricule, "2070585756270");
        assert_eq!(individual.traits.birth_name, "PATB-QUATRE");
    }

    #[test]
    fn a_fault_is_an_error_not_an_answer() {
        let fault = r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value><soap:Subcode><soap:Value>siram:DESIR_560</soap:Value></soap:Subcode></soap:Code><soap:Reason><soap:Text xml:lang="fr">Certificat refusé</soap:Text></soap:Reason></soap:Fault></soap:Body></soap:Envelope>"#;
        match parse(fault) {
            Err(AnswerError::Fault { code, reason }) => {
                assert_eq!(code, "siram:DESIR_560");
                assert_eq!(reason, "Certificat refusé");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse("<not-closed>"),
            Err(AnswerError::Malformed(_))
        ));
    }
}
