//! Checks a parsed world: references resolve, codes exist, INS keys compute, nothing
//! looks like a production identifier where a test one is required.
//!
//! Every problem names the entry (`patients[3] "tchitchi-catarina"`) and the field, and
//! all problems are reported at once so a world file is fixed in one pass.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::codes;
use super::ins::is_ins_name;
use super::ins::{Ins, InsOidKind, key_of};
use super::model::{
    ClientAuthMethod, DmpState, Opposition, Patient, Professional, Structure, World,
};

/// Identities the CNAM publishes for the INSi qualification, answered there with the
/// production OIDs (`.8` NIR, `.9` NIA): insi-psc.md §1.8 and the CNDA answers in
/// `fixtures/insi/responses`. Only these may carry a production OID in a world.
pub const PUBLISHED_QUALIFICATION_MATRICULES: &[&str] = &[
    "297022A020778", // ADRTROIS DOMINIQUE
    "160012B020777", // ADRTROIS TOUSSAINT
    "2360663220836", // TCHITCHI CATARINA
    "1090763220834", // ECETINSI PIERRE-ALAIN (active)
    "2090763220834", // ECETINSI PIERRE-ALAIN (history)
    "2090663220123", // ECETINSI PIERRE-ALAIN (history)
    "1090763220888", // PROVISOIRE MATRICULE (NIA, CNDA 2.05)
    "180032B020401", // CORSE ANTHONY (CNDA 2.08 cas 1)
    "1810363220456", // HERMANN GATIEN (CNDA 2.08 cas 2)
    "2810363220456", // HERMANN GATIEN (history, CNDA 2.08 cas 2)
    "2070585756270", // PATB-QUATRE LAURENCE (DMP kit sample answer)
];

/// One thing wrong in a world file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The entry, e.g. `patients[3] "tchitchi-catarina"`.
    pub entry: String,
    /// The field within the entry, dotted (`ins.key`).
    pub field: String,
    /// What is wrong and, where it helps, what would be right.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: field `{}`: {}",
            self.entry, self.field, self.message
        )
    }
}

struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn report(&mut self, entry: &str, field: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            entry: entry.to_string(),
            field: field.to_string(),
            message: message.into(),
        });
    }
}

/// All the problems of a world; empty when it is sound.
pub fn check(world: &World) -> Vec<Problem> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    check_software(&mut c, world);
    let structures = check_unique_ids(
        &mut c,
        "structures",
        world.structures.iter().map(|s| s.id.as_str()),
    );
    let professionals = check_unique_ids(
        &mut c,
        "professionals",
        world.professionals.iter().map(|p| p.id.as_str()),
    );
    let patients = check_unique_ids(
        &mut c,
        "patients",
        world.patients.iter().map(|p| p.id.as_str()),
    );
    let mut mailboxes = HashMap::new();
    for (i, s) in world.structures.iter().enumerate() {
        let entry = format!("structures[{i}] {:?}", s.id);
        check_structure(&mut c, &entry, s);
        for address in s
            .mssante_organisational
            .iter()
            .chain(&s.mssante_applications)
        {
            check_mailbox(&mut c, &mut mailboxes, &entry, "mssante", address);
        }
    }
    for (i, p) in world.professionals.iter().enumerate() {
        let entry = format!("professionals[{i}] {:?}", p.id);
        check_professional(&mut c, &entry, p, &structures);
        if let Some(address) = &p.mssante {
            check_mailbox(&mut c, &mut mailboxes, &entry, "mssante", address);
        }
    }
    let mut seen_ins: HashMap<(String, String), String> = HashMap::new();
    for (i, p) in world.patients.iter().enumerate() {
        let entry = format!("patients[{i}] {:?}", p.id);
        check_patient(&mut c, &entry, p, &professionals, &patients);
        let all_ins = p
            .ins
            .iter()
            .map(|ins| ("ins", ins.clone()))
            .chain(p.ins_history.iter().map(|h| ("ins_history", h.ins())));
        for (field, ins) in all_ins {
            let key = (ins.matricule.clone(), ins.oid.clone());
            if let Some(other) = seen_ins.get(&key) {
                if other != &p.id {
                    c.report(
                        &entry,
                        field,
                        format!(
                            "duplicate INS {}: already held by patient {other:?}",
                            ins.matricule
                        ),
                    );
                }
            } else {
                seen_ins.insert(key, p.id.clone());
            }
        }
    }
    let mut client_ids = HashSet::new();
    for (i, client) in world.oidc_clients.iter().enumerate() {
        let entry = format!("oidc_clients[{i}] {:?}", client.client_id);
        if !client_ids.insert(client.client_id.as_str()) {
            c.report(&entry, "client_id", "duplicate client_id");
        }
        if client.secret.is_none() && client.structure.is_none() {
            c.report(
                &entry,
                "secret",
                "a client needs a secret or a structure certificate to authenticate",
            );
        }
        if let Some(s) = &client.structure
            && !structures.contains(s.as_str())
        {
            c.report(&entry, "structure", format!("unknown structure {s:?}"));
        }
        for method in &client.auth_methods {
            let usable = match method {
                ClientAuthMethod::ClientSecretBasic | ClientAuthMethod::ClientSecretPost => {
                    client.secret.is_some()
                }
                ClientAuthMethod::TlsClientAuth => client.structure.is_some(),
            };
            if !usable {
                c.report(
                    &entry,
                    "auth_methods",
                    format!(
                        "{} needs a {}",
                        method.as_str(),
                        if *method == ClientAuthMethod::TlsClientAuth {
                            "structure"
                        } else {
                            "secret"
                        }
                    ),
                );
            }
        }
        for uri in &client.redirect_uris {
            if !(uri.starts_with("http://") || uri.starts_with("https://")) || uri.contains('#') {
                c.report(
                    &entry,
                    "redirect_uris",
                    format!("{uri:?} is not an absolute http(s) URI without fragment"),
                );
            }
        }
    }
    c.problems
}

fn check_software(c: &mut Checker, world: &World) {
    for (field, ids) in [
        ("insi_idam", &world.software.insi_idam),
        ("dmp_homologation", &world.software.dmp_homologation),
    ] {
        let mut seen = HashSet::new();
        for (i, id) in ids.iter().enumerate() {
            let entry = format!("software.{field}[{i}]");
            if id.number.trim().is_empty() {
                c.report(&entry, "number", "must not be empty");
            } else if !seen.insert(id.number.as_str()) {
                c.report(
                    &entry,
                    "number",
                    format!("duplicate number {:?}", id.number),
                );
            }
        }
    }
}

fn check_unique_ids<'a>(
    c: &mut Checker,
    table: &str,
    ids: impl Iterator<Item = &'a str>,
) -> HashSet<&'a str> {
    let mut seen = HashSet::new();
    for (i, id) in ids.enumerate() {
        let entry = format!("{table}[{i}] {id:?}");
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            c.report(
                &entry,
                "id",
                "ids are lower-case letters, digits and hyphens",
            );
        }
        if !seen.insert(id) {
            c.report(&entry, "id", format!("duplicate id {id:?}"));
        }
    }
    seen
}

fn check_structure(c: &mut Checker, entry: &str, s: &Structure) {
    let id = &s.national_id;
    let (prefix, rest) = id.split_at(id.len().min(1));
    match prefix {
        "1" => match &s.finess {
            Some(finess) if finess == rest => {}
            Some(finess) => c.report(entry, "national_id", format!("a FINESS-based id is 1 + FINESS: expected 1{finess}")),
            None => c.report(entry, "finess", "a national id starting with 1 is FINESS-based: give `finess`"),
        },
        "3" => match &s.siret {
            Some(siret) if siret == rest => {}
            Some(siret) => c.report(entry, "national_id", format!("a SIRET-based id is 3 + SIRET: expected 3{siret}")),
            None => c.report(entry, "siret", "a national id starting with 3 is SIRET-based: give `siret`"),
        },
        "0" | "2" | "4" if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()) => {}
        _ => c.report(entry, "national_id", format!(
            "{id:?} is not a structure national id (0+ADELI, 1+FINESS, 2+SIREN, 3+SIRET or 4+RPPS-rang)"
        )),
    }
    if let Some(finess) = &s.finess
        && (finess.len() != 9
            || !finess
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'A' || b == b'B'))
    {
        c.report(
            entry,
            "finess",
            format!("{finess:?} is not a 9-character FINESS"),
        );
    }
    if let Some(siret) = &s.siret
        && (siret.len() != 14 || !siret.bytes().all(|b| b.is_ascii_digit()))
    {
        c.report(entry, "siret", format!("{siret:?} is not a 14-digit SIRET"));
    }
    if !codes::is_sector_code(&s.activity_sector) {
        c.report(
            entry,
            "activity_sector",
            format!(
                "{:?} is not an activity sector code (SA + 2 digits)",
                s.activity_sector
            ),
        );
    }
}

fn check_professional(c: &mut Checker, entry: &str, p: &Professional, structures: &HashSet<&str>) {
    let rpps = p.national_id.strip_prefix('8').unwrap_or_default();
    if rpps.len() != 11 || !rpps.bytes().all(|b| b.is_ascii_digit()) {
        c.report(
            entry,
            "national_id",
            format!("{:?} is not 8 followed by an 11-digit RPPS", p.national_id),
        );
    } else if !rpps.starts_with("99") {
        c.report(entry, "national_id", format!(
            "{:?} looks like a production RPPS: fictitious professionals use the 99xxxxxxxxx range of the ANS test cards (e.g. 899900012345)",
            p.national_id
        ));
    }
    if !matches!(p.civility.as_str(), "M" | "MME") {
        c.report(
            entry,
            "civility",
            format!("{:?}: expected M or MME", p.civility),
        );
    }
    if codes::label(codes::PROFESSIONS, &p.profession).is_none() {
        c.report(
            entry,
            "profession",
            format!("unknown profession code {:?} (TRE_G15)", p.profession),
        );
    }
    match (&p.specialty, p.profession.as_str()) {
        (Some(s), codes::MEDECIN) if codes::label(codes::SPECIALTIES, s).is_none() => {
            c.report(
                entry,
                "specialty",
                format!("unknown specialty code {s:?} (TRE_R01)"),
            );
        }
        (None, codes::MEDECIN) => c.report(
            entry,
            "specialty",
            "a médecin needs a specialty (TRE_R01): the VIHF carries it as second role",
        ),
        (Some(_), profession) if profession != codes::MEDECIN => {
            c.report(
                entry,
                "specialty",
                "only médecins carry a TRE_R01 specialty here",
            );
        }
        _ => {}
    }
    match (&p.pharmacist_section, p.profession.as_str()) {
        (Some(s), codes::PHARMACIEN) if codes::label(codes::PHARMACIST_SECTIONS, s).is_none() => {
            c.report(
                entry,
                "pharmacist_section",
                format!("unknown section {s:?} (TRE_G05)"),
            );
        }
        (None, codes::PHARMACIEN) => c.report(
            entry,
            "pharmacist_section",
            "a pharmacien needs a section (TRE_G05): the VIHF carries it as second role",
        ),
        (Some(_), profession) if profession != codes::PHARMACIEN => {
            c.report(
                entry,
                "pharmacist_section",
                "only pharmaciens have a section",
            );
        }
        _ => {}
    }
    for s in std::iter::once(&p.structure).chain(&p.other_structures) {
        if !structures.contains(s.as_str()) {
            c.report(entry, "structure", format!("unknown structure {s:?}"));
        }
    }
}

/// Upper-case INS name: letters with `-`, `--`, `'` or a space between them.
fn is_cog(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5
        && (b.iter().all(u8::is_ascii_digit)
            || (b[0] == b'2'
                && matches!(b[1], b'A' | b'B')
                && b[2..].iter().all(u8::is_ascii_digit)))
}

fn check_ins(c: &mut Checker, entry: &str, field: &str, ins: &Ins, known_wrong: bool) {
    match key_of(&ins.matricule) {
        Err(e) => c.report(entry, &format!("{field}.matricule"), format!("{:?}: {e}", ins.matricule)),
        Ok(expected) if expected == ins.key && known_wrong => c.report(
            entry,
            &format!("{field}.key"),
            "the key is marked as known wrong but it is correct: remove the mark",
        ),
        Ok(expected) if expected != ins.key && !known_wrong => c.report(
            entry,
            &format!("{field}.key"),
            format!(
                "wrong key {:?} for {}: it computes to {expected} (mark the INS `key_known_wrong` if that is the point)",
                ins.key, ins.matricule
            ),
        ),
        Ok(_) => {}
    }
    match InsOidKind::of(&ins.oid) {
        None => c.report(entry, &format!("{field}.oid"), format!("{:?} is not an INS OID (…1.4.8 NIR, .9 NIA, .10 test, .11 demo)", ins.oid)),
        Some(kind) if kind.is_production() && !PUBLISHED_QUALIFICATION_MATRICULES.contains(&ins.matricule.as_str()) => c.report(
            entry,
            &format!("{field}.oid"),
            format!(
                "production OID {} on a fictitious identity: use the test OID {} (only the published qualification identities keep {})",
                ins.oid,
                super::ins::OID_TEST,
                ins.oid
            ),
        ),
        Some(_) => {}
    }
}

fn check_patient(
    c: &mut Checker,
    entry: &str,
    p: &Patient,
    professionals: &HashSet<&str>,
    patients: &HashSet<&str>,
) {
    let t = &p.traits;
    let tiq_names = p
        .insi
        .empty_traits
        .iter()
        .map(|n| ("insi.empty_traits", n))
        .chain(
            p.insi
                .absent_traits
                .iter()
                .map(|n| ("insi.absent_traits", n)),
        );
    for (field, name) in tiq_names {
        if !super::model::TIQ_ELEMENTS.contains(&name.as_str()) {
            c.report(
                entry,
                field,
                format!(
                    "{name:?} is not a TIQ element (one of {})",
                    super::model::TIQ_ELEMENTS.join(", ")
                ),
            );
        }
    }
    if !is_ins_name(&t.birth_name) {
        c.report(
            entry,
            "traits.birth_name",
            format!(
                "{:?} is not an INS name (upper case A-Z, separated by -, --, ' or a space)",
                t.birth_name
            ),
        );
    }
    if t.first_names.is_empty() {
        c.report(entry, "traits.first_names", "at least one birth first name");
    }
    for name in &t.first_names {
        if !is_ins_name(name) {
            c.report(
                entry,
                "traits.first_names",
                format!(
                    "{name:?} is not an INS name (upper case A-Z, separated by -, --, ' or a space)"
                ),
            );
        }
    }
    if !matches!(t.sex.as_str(), "M" | "F" | "I") {
        c.report(
            entry,
            "traits.sex",
            format!("{:?}: expected M, F or I", t.sex),
        );
    }
    if !is_cog(&t.birthplace) {
        c.report(
            entry,
            "traits.birthplace",
            format!(
                "{:?} is not a COG code (5 digits, 2A/2B + 3 digits, or 99 + country)",
                t.birthplace
            ),
        );
    }
    match &p.ins {
        Some(ins) => check_ins(c, entry, "ins", ins, p.ins_key_known_wrong),
        None if p.ins_key_known_wrong => c.report(entry, "ins_key_known_wrong", "no INS to mark"),
        None if !p.ins_history.is_empty() => {
            c.report(entry, "ins_history", "a history needs an active INS")
        }
        None => {}
    }
    for (i, h) in p.ins_history.iter().enumerate() {
        check_ins(
            c,
            entry,
            &format!("ins_history[{i}]"),
            &h.ins(),
            h.key_known_wrong,
        );
    }
    if let Some(v) = &p.vitale {
        match key_of(&v.nir_od) {
            Err(e) => c.report(entry, "vitale.nir_od", format!("{:?}: {e}", v.nir_od)),
            Ok(k) if k != v.nir_od_key => c.report(
                entry,
                "vitale.nir_od_key",
                format!("wrong key {:?}: {} computes to {k}", v.nir_od_key, v.nir_od),
            ),
            Ok(_) => {}
        }
        if v.rank == 0 {
            c.report(entry, "vitale.rank", "birth ranks start at 1");
        }
    }
    let dmp = &p.dmp;
    match dmp.state {
        DmpState::Closed if dmp.closed_on.is_none() || dmp.closed_reason.is_none() => {
            c.report(
                entry,
                "dmp.closed_on",
                "a closed DMP needs `closed_on` and `closed_reason`",
            );
        }
        DmpState::Open | DmpState::Absent
            if dmp.closed_on.is_some() || dmp.closed_reason.is_some() =>
        {
            c.report(
                entry,
                "dmp.state",
                "`closed_on`/`closed_reason` only go with state = \"closed\"",
            );
        }
        DmpState::Absent
            if !dmp.authorised.is_empty()
                || !dmp.blocked.is_empty()
                || dmp.treating_doctor.is_some()
                // Refusing messages concerns the Mon espace santé mailbox, not the DMP.
                || p.oppositions.iter().any(|o| *o != Opposition::Messaging) =>
        {
            c.report(entry, "dmp.state", "authorisations, blocks, a médecin traitant or oppositions need a DMP (state open or closed)");
        }
        _ => {}
    }
    if p.dmp.state != DmpState::Absent && p.ins.is_none() {
        c.report(
            entry,
            "dmp.state",
            "a DMP is indexed by the INS: give the patient an `ins`",
        );
    }
    for (field, ids) in [
        ("dmp.authorised", &dmp.authorised),
        ("dmp.blocked", &dmp.blocked),
    ] {
        for id in ids {
            if !professionals.contains(id.as_str()) {
                c.report(entry, field, format!("unknown professional {id:?}"));
            }
        }
    }
    if let Some(both) = dmp.authorised.iter().find(|a| dmp.blocked.contains(a)) {
        c.report(
            entry,
            "dmp.blocked",
            format!("{both:?} cannot be both authorised and blocked"),
        );
    }
    if let Some(doctor) = &dmp.treating_doctor
        && !professionals.contains(doctor.as_str())
    {
        c.report(
            entry,
            "dmp.treating_doctor",
            format!("unknown professional {doctor:?}"),
        );
    }
    for rep in &p.legal_representatives {
        if rep == &p.id {
            c.report(
                entry,
                "legal_representatives",
                "a patient cannot represent themself",
            );
        } else if !patients.contains(rep.as_str()) {
            c.report(
                entry,
                "legal_representatives",
                format!("unknown patient {rep:?}"),
            );
        }
    }
}

fn check_mailbox(
    c: &mut Checker,
    seen: &mut HashMap<String, String>,
    entry: &str,
    field: &str,
    address: &str,
) {
    let Some((local, domain)) = address.split_once('@') else {
        c.report(entry, field, format!("{address:?} is not a mail address"));
        return;
    };
    if local.is_empty() || !domain.ends_with(".mssante.fr") || domain == "patient.mssante.fr" {
        c.report(entry, field, format!("{address:?}: professional mailboxes live under a *.mssante.fr domain other than patient.mssante.fr"));
    }
    if let Some(owner) = seen.insert(address.to_ascii_lowercase(), entry.to_string()) {
        c.report(
            entry,
            field,
            format!("mailbox {address:?} already belongs to {owner}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ins_names_follow_the_insi_format() {
        for ok in [
            "DE VINCI",
            "PIERRE-ALAIN",
            "MARTIN--DURAND",
            "D'ALMEIDA",
            "ZOE",
        ] {
            assert!(is_ins_name(ok), "{ok}");
        }
        for bad in [
            "de vinci", "ÉLODIE", "-ZOE", "ZOE-", "A---B", "A  B", "A-'B", "",
        ] {
            assert!(!is_ins_name(bad), "{bad}");
        }
    }

    #[test]
    fn cog_codes() {
        for ok in ["63220", "2A020", "2B020", "99350"] {
            assert!(is_cog(ok), "{ok}");
        }
        for bad in ["6322", "2C020", "A2020", "632200"] {
            assert!(!is_cog(bad), "{bad}");
        }
    }
}
