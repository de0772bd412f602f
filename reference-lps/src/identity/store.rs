//! The identity store: what the LPS records about each patient, and the transitions
//! between statuses. Every transition is kept in the identity's history (rule 21).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::ins::{self, Ins};
use super::{Attribute, Status, Traits, UNKNOWN_BIRTHPLACE};
use crate::insi::answer::{HistoricIns, Individual};

/// Why the LPS refused something, in the words shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One status change.
#[derive(Debug, Clone, Serialize)]
pub struct StatusChange {
    /// The new status.
    pub status: Status,
    /// Why (the user's action).
    pub reason: String,
}

/// What INSi proposed and the user has not validated yet (INS/va1.52).
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    /// The INS and the traits INSi returned.
    pub individual: Individual,
}

/// One identity.
#[derive(Debug, Clone, Serialize)]
pub struct Patient {
    /// Local id.
    pub patient: String,
    /// The strict traits.
    pub traits: Traits,
    /// The INS, once retrieved and validated by the user.
    pub ins: Option<Ins>,
    /// Former INS, from INSi's history.
    pub ins_history: Vec<HistoricIns>,
    /// RNIV status.
    pub status: Status,
    /// Doubtful / fictitious.
    pub attributes: BTreeSet<Attribute>,
    /// The identity document checked, if any.
    pub document: Option<String>,
    /// Every status the identity went through, oldest first.
    pub status_history: Vec<StatusChange>,
    /// An INSi answer waiting for the user's validation.
    pub pending: Option<Proposal>,
    /// On the identity-vigilance worklist (after a KO verification).
    pub worklist: bool,
    /// The 1st birth first name as the user typed it (rule 6: INSi's list must start
    /// with it; when it does not, the LPS alerts and keeps it).
    pub first_name: String,
    /// Used name, a complementary trait (modifiable whatever the status).
    pub used_name: Option<String>,
    /// Used first name, a complementary trait.
    pub used_first_name: Option<String>,
    /// The sender's own id, for an identity from an HL7 flow of the domain.
    pub source_id: Option<String>,
    /// The date of death the user recorded (`YYYY-MM-DD`), a complementary datum.
    pub deceased: Option<String>,
}

impl Patient {
    /// The 1st birth first name becomes the first of the birth first names.
    pub fn reset_first_name(&mut self) {
        self.first_name = self.traits.first_names.first().cloned().unwrap_or_default();
    }

    fn set_status(&mut self, status: Status, reason: &str) {
        if self.status != status {
            self.status = status;
            self.status_history.push(StatusChange {
                status,
                reason: reason.to_string(),
            });
        }
    }

    /// Whether INSi may be called for it (rule 25: not for doubtful or fictitious).
    pub fn may_call_insi(&self) -> Result<(), Refusal> {
        match self.attributes.iter().next() {
            Some(a) => Err(Refusal(format!(
                "identité {}: aucun appel au téléservice INSi n'est permis",
                match a {
                    Attribute::Douteuse => "douteuse",
                    Attribute::Fictive => "fictive",
                }
            ))),
            None => Ok(()),
        }
    }
}

/// Every identity of one session.
#[derive(Debug, Default)]
pub struct Patients {
    /// By local id.
    by_id: BTreeMap<String, Patient>,
}

impl Patients {
    /// Creates an identity (rule 5: the five strict traits are required; rule 1: the birth
    /// name in capitals without diacritics, hyphen and apostrophe allowed).
    pub fn create(&mut self, traits: Traits) -> Result<&Patient, Refusal> {
        let missing: Vec<&str> = [
            ("nom de naissance", traits.birth_name.trim().is_empty()),
            (
                "premier prénom de naissance",
                traits.first_names.iter().all(|f| f.trim().is_empty()),
            ),
            ("sexe", traits.sex.trim().is_empty()),
            ("date de naissance", traits.birth_date.trim().is_empty()),
            ("lieu de naissance", traits.birthplace.trim().is_empty()),
        ]
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect();
        if !missing.is_empty() {
            return Err(Refusal(format!(
                "trait(s) obligatoire(s) manquant(s) : {}",
                missing.join(", ")
            )));
        }
        if !traits
            .birth_name
            .chars()
            .all(|c| c.is_ascii_uppercase() || matches!(c, ' ' | '-' | '\''))
        {
            return Err(Refusal(format!(
                "nom de naissance {:?} : majuscules sans diacritiques, tiret et apostrophe seuls permis",
                traits.birth_name
            )));
        }
        if !date_is_plausible(&traits.birth_date) {
            return Err(Refusal(format!(
                "date de naissance {:?} invalide",
                traits.birth_date
            )));
        }
        let id = format!("P{:04}", self.by_id.len() + 1);
        let patient = Patient {
            patient: id.clone(),
            traits,
            ins: None,
            ins_history: Vec::new(),
            status: Status::Provisoire,
            attributes: BTreeSet::new(),
            document: None,
            status_history: vec![StatusChange {
                status: Status::Provisoire,
                reason: "création".into(),
            }],
            pending: None,
            worklist: false,
            first_name: String::new(),
            used_name: None,
            used_first_name: None,
            source_id: None,
            deceased: None,
        };
        let mut patient = patient;
        patient.reset_first_name();
        Ok(self.by_id.entry(id).or_insert(patient))
    }

    /// The identity `id`.
    pub fn get(&self, id: &str) -> Result<&Patient, Refusal> {
        self.by_id
            .get(id)
            .ok_or_else(|| Refusal(format!("aucune identité {id:?}")))
    }

    /// The identity `id`, to change it.
    pub fn get_mut(&mut self, id: &str) -> Result<&mut Patient, Refusal> {
        self.by_id
            .get_mut(id)
            .ok_or_else(|| Refusal(format!("aucune identité {id:?}")))
    }

    /// Every identity, by local id.
    pub fn all(&self) -> impl Iterator<Item = &Patient> {
        self.by_id.values()
    }

    /// Removes an identity (an HL7 deletion of the domain).
    pub fn remove(&mut self, id: &str) -> Option<Patient> {
        self.by_id.remove(id)
    }

    /// Local search on the birth date and the start of the birth or used name (rule 17),
    /// blind to apostrophes, hyphens, spaces, accents and cedillas. `used_names` off (a
    /// defect) looks at the birth name only; `keep_diacritics` (a defect) compares
    /// accented letters as they are.
    pub fn search(
        &self,
        birth_date: Option<&str>,
        name: Option<&str>,
        used_names: bool,
        keep_diacritics: bool,
    ) -> Vec<&Patient> {
        let fold = |s: &str| -> String {
            let s = if keep_diacritics {
                s.to_string()
            } else {
                fold_diacritics(s)
            };
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
                .to_uppercase()
        };
        self.by_id
            .values()
            .filter(|p| birth_date.is_none_or(|d| p.traits.birth_date == d))
            .filter(|p| {
                name.is_none_or(|n| {
                    let typed = fold(n);
                    fold(&p.traits.birth_name).starts_with(&typed)
                        || (used_names
                            && p.used_name
                                .as_deref()
                                .is_some_and(|u| fold(u).starts_with(&typed)))
                })
            })
            .collect()
    }

    /// The identity whose INS number (matricule and key) is `number`.
    pub fn by_ins(&self, number: &str) -> Vec<&Patient> {
        self.by_id
            .values()
            .filter(|p| p.ins.as_ref().is_some_and(|i| i.number() == number))
            .collect()
    }

    /// Keeps INSi's answer until the user validates it; with `apply_at_once` (a
    /// defect), overwrites the traits straight away.
    pub fn propose(
        &mut self,
        id: &str,
        individual: Individual,
        apply_at_once: bool,
    ) -> Result<(), Refusal> {
        let patient = self.get_mut(id)?;
        let proposal = Proposal { individual };
        patient.pending = Some(proposal.clone());
        if apply_at_once {
            let _ = apply(patient, false, false);
            // The user's validation then confirms what is already written.
            patient.pending = Some(proposal);
        }
        Ok(())
    }

    /// The user validates INSi's answer: traits and INS replace the local ones; the
    /// status becomes Récupérée, or Qualifiée when a document was checked (rule 20).
    /// `qualify_anyway` (a defect) skips the document.
    /// `joined_first_names` (a defect) keeps INSi's `ListePrenom` as one first name.
    /// The second value tells whether the 1st first name typed disagrees with INSi's
    /// list (rule 6). `overwrite_first_name` (a defect) takes INSi's without a word.
    pub fn accept(
        &mut self,
        id: &str,
        qualify_anyway: bool,
        joined_first_names: bool,
        overwrite_first_name: bool,
    ) -> Result<(&Patient, bool), Refusal> {
        let patient = self.get_mut(id)?;
        if patient.pending.is_none() {
            return Err(Refusal(
                "aucune réponse INSi en attente de validation".into(),
            ));
        }
        let mut incoherent = apply(patient, qualify_anyway, joined_first_names);
        if overwrite_first_name && incoherent {
            patient.reset_first_name();
            incoherent = false;
        }
        Ok((patient, incoherent))
    }

    /// A high-trust identity document was checked (rule 20); a low-trust one (carte
    /// Vitale, driving licence) is refused. `any_document` (a defect) takes any.
    /// `high_trust` is the site's list (rule 19); `auto_validation` off, the document is
    /// recorded and the user validates by hand ([`Patients::validate`]).
    pub fn validate_document(
        &mut self,
        id: &str,
        document: &str,
        high_trust: &[String],
        auto_validation: bool,
        any_document: bool,
    ) -> Result<&Patient, Refusal> {
        if !high_trust.iter().any(|h| h == document) && !any_document {
            return Err(Refusal(format!(
                "{document:?} n'est pas une pièce à haut niveau de confiance ({})",
                high_trust.join(", ")
            )));
        }
        let patient = self.get_mut(id)?;
        patient.document = Some(document.to_string());
        if patient.attributes.is_empty() && auto_validation {
            let status = if patient.ins.is_some() {
                Status::Qualifiee
            } else {
                Status::Validee
            };
            patient.set_status(status, "pièce d'identité contrôlée");
        }
        Ok(patient)
    }

    /// The user validates the identity by hand, on the document recorded (rule 19).
    pub fn validate(&mut self, id: &str) -> Result<&Patient, Refusal> {
        let patient = self.get_mut(id)?;
        if patient.document.is_none() {
            return Err(Refusal(
                "aucun justificatif d'identité enregistré : l'identité ne peut être validée".into(),
            ));
        }
        if !patient.attributes.is_empty() {
            return Err(Refusal(
                "identité douteuse ou fictive : pas de validation".into(),
            ));
        }
        let status = if patient.ins.is_some() {
            Status::Qualifiee
        } else {
            Status::Validee
        };
        patient.set_status(status, "validation manuelle sur justificatif");
        Ok(patient)
    }

    /// Sets the status (a flow from the domain, a trusted sender).
    pub fn set_status(&mut self, id: &str, status: Status, reason: &str) -> Result<(), Refusal> {
        self.get_mut(id)?.set_status(status, reason);
        Ok(())
    }

    /// Marks the identity doubtful or fictitious: the status drops to Provisoire (rule
    /// 21), its history stays. `keep_status` (a defect) leaves it.
    pub fn mark(
        &mut self,
        id: &str,
        attribute: Attribute,
        keep_status: bool,
    ) -> Result<&Patient, Refusal> {
        let patient = self.get_mut(id)?;
        patient.attributes.insert(attribute);
        if !keep_status {
            patient.set_status(Status::Provisoire, "identité douteuse ou fictive");
        }
        Ok(patient)
    }

    /// A KO verification: the INS is removed and the status drops; the identity goes to
    /// the worklist (rule 49). `keep` (a defect) changes nothing.
    pub fn verification_failed(&mut self, id: &str, keep: bool) -> Result<&Patient, Refusal> {
        let patient = self.get_mut(id)?;
        if !keep {
            patient.ins = None;
            patient.ins_history.clear();
            patient.worklist = true;
            let status = if patient.document.is_some() {
                Status::Validee
            } else {
                Status::Provisoire
            };
            patient.set_status(status, "vérification INSi KO");
        }
        Ok(patient)
    }
}

/// Applies INSi's answer the user validated; `true` when the 1st first name typed is not
/// the start of INSi's list (rule 6: the LPS alerts and keeps the typed one).
fn apply(patient: &mut Patient, qualify_anyway: bool, joined_first_names: bool) -> bool {
    let Some(Proposal { individual }) = patient.pending.take() else {
        return false;
    };
    let t = individual.traits;
    let first_names: Vec<String> = if t.first_names.trim().is_empty() {
        t.first_name.into_iter().collect()
    } else if joined_first_names {
        vec![t.first_names.clone()]
    } else {
        t.first_names.split(' ').map(str::to_string).collect()
    };
    patient.traits = Traits {
        birth_name: t.birth_name,
        first_names,
        sex: t.sex,
        birth_date: t.birth_date,
        // An empty or absent birthplace stays what the LPS knew: never invent a COG.
        birthplace: t
            .birthplace
            .filter(|b| !b.is_empty())
            .unwrap_or_else(|| patient.traits.birthplace.clone()),
    };
    let incoherent = !patient.first_name.is_empty()
        && patient.traits.first_names.first() != Some(&patient.first_name);
    if !incoherent {
        patient.reset_first_name();
    }
    patient.ins = Some(individual.active);
    patient.ins_history = individual.history;
    let status = if patient.document.is_some() || qualify_anyway {
        Status::Qualifiee
    } else {
        Status::Recuperee
    };
    patient.set_status(status, "INS récupéré par le téléservice INSi");
    incoherent
}

/// Upper-case letters without their accents or cedilla (the French diacritics), so a
/// search typed `François` finds `FRANCOIS`.
pub fn fold_diacritics(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' | 'Ä' => 'A',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'E',
            'î' | 'ï' | 'Î' | 'Ï' => 'I',
            'ô' | 'ö' | 'Ô' | 'Ö' => 'O',
            'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => 'U',
            'ÿ' | 'Ÿ' => 'Y',
            'ç' | 'Ç' => 'C',
            other => other,
        })
        .collect()
}

/// `YYYY-MM-DD` with a month 00-12 and a day 00-31 (00: unknown, as lunar dates are
/// recorded locally).
fn date_is_plausible(date: &str) -> bool {
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    matches!((num(y, 4), num(m, 2), num(d, 2)), (Some(_), Some(m), Some(d)) if m <= 12 && d <= 31)
}

/// Whether the INSi traits of an answer may be imported (rules 11 and 12).
pub fn importable(
    individual: &Individual,
    check_key: bool,
    allow_00: bool,
    allow_empty: bool,
) -> Result<(), Refusal> {
    let t = &individual.traits;
    if !allow_empty {
        let first_names_empty = t.first_names.trim().is_empty()
            && t.first_name.as_deref().is_none_or(|f| f.trim().is_empty());
        for (label, empty) in [
            ("nom de naissance", t.birth_name.trim().is_empty()),
            ("prénoms", first_names_empty),
            ("sexe", t.sex.trim().is_empty()),
        ] {
            if empty {
                return Err(Refusal(format!(
                    "réponse INSi refusée : {label} vide, l'identité ne peut pas être importée"
                )));
            }
        }
    }
    if !allow_00 {
        let parts: Vec<&str> = t.birth_date.split('-').collect();
        if parts.len() == 3 && (parts[1] == "00" || parts[2] == "00") {
            return Err(Refusal(format!(
                "réponse INSi refusée : date de naissance {} (jour ou mois 00)",
                t.birth_date
            )));
        }
    }
    if check_key && !ins::key_is_valid(&individual.active) {
        return Err(Refusal(format!(
            "réponse INSi refusée : la clé {} ne correspond pas au matricule {}",
            individual.active.key, individual.active.matricule
        )));
    }
    Ok(())
}

/// The birthplace to send INSi: none when unknown.
pub fn birthplace_for_query(traits: &Traits) -> Option<&str> {
    (traits.birthplace != UNKNOWN_BIRTHPLACE).then_some(traits.birthplace.as_str())
}
