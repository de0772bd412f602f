//! The step library, in French, one module per theme. A step calls the driver, the
//! control API or the journal, and compares; the conformity rules live in the simulators.
//!
//! - [`setup`]: configuring the software, the world (`Étant donné`), time;
//! - [`identity`]: identities and the INSi (`Quand l'utilisateur recherche l'INS…`);
//! - [`referentiel`]: the identity repository: creation, the record, local search,
//!   modification, users and rights, the site's settings, traces;
//! - [`flows`]: identities received from other domains, bulk verification, sharing,
//!   the INSi call log;
//! - [`editions`]: what the software shows and prints of an identity;
//! - [`hl7`]: the INS in HL7 v2 messages of the identification domain;
//! - [`evidence`]: documentation handed in as evidence (`@preuve-attestée`);
//! - [`psc`]: Pro Santé Connect sessions;
//! - [`dmp`]: the patient's DMP choices, consultation, feeding, updates;
//! - [`background`]: the software usable while a slow DMP consultation runs;
//! - [`preload`]: the DMP documents preloaded for the patients in care;
//! - [`history`]: the bulk feed of the record's historical documents and its filters;
//! - [`indicator`]: the monthly indicator of stays whose historical documents reached the DMP;
//! - [`documents`]: the CDA documents the software produces;
//! - [`stylesheet`]: the stylesheet sent with them, and the sections it shows;
//! - [`mentions`]: the notices and mentions they carry, as the site set them;
//! - [`records`]: the patient's record and the DMP documents integrated into it;
//! - [`reminders`]: the reminders to update the VSM, as the site set them;
//! - [`reading`]: a CDA read from the record: header, body, narrative, stylesheet;
//! - [`updates`]: what changed in the DMP after the software integrated a document;
//! - [`pfi`]: documents handed to the establishment's PFI in HL7 v2, its acknowledgements,
//!   and the documents it hands the DPI;
//! - [`mss`]: MSSanté sending, reading, integration and receipts;
//! - [`directory`]: the Annuaire Santé: a correspondent's address, the extraction
//!   integrated on demand and on schedule;
//! - [`pdfa`]: the PDF a mail joins beside its archive: PDF/A-1, the CDA's own, the INS;
//! - [`journal`]: what the simulators received and what their rules found.

pub mod background;
pub mod directory;
pub mod dmp;
pub mod documents;
pub mod editions;
pub mod evidence;
pub mod flows;
pub mod history;
pub mod hl7;
pub mod identity;
pub mod indicator;
pub mod journal;
pub mod mail_traces;
pub mod mailboxes;
pub mod mentions;
pub mod mss;
pub mod operator_tls;
pub mod pdfa;
pub mod pfi;
pub mod preload;
pub mod psc;
pub mod reading;
pub mod records;
pub mod referentiel;
pub mod reminders;
pub mod reports;
pub mod sender;
pub mod sent_documents;
pub mod setup;
pub mod stylesheet;
pub mod updates;
pub mod worklist;

/// A status as the feature writes it (`récupérée`), as the protocol spells it (`recuperee`).
pub fn protocol_word(word: &str) -> String {
    word.to_lowercase()
        .replace(['é', 'è', 'ê'], "e")
        .replace('à', "a")
        .replace(' ', "_")
}

/// The INS number of an `{"matricule", "key"}` object: the 15 characters a software
/// shows, prints and sends.
pub fn ins_number(ins: &serde_json::Value) -> String {
    format!(
        "{}{}",
        ins["matricule"].as_str().unwrap_or_default(),
        ins["key"].as_str().unwrap_or_default()
    )
}

/// Checks a count the feature states, so a typo in a table shows.
pub fn expect_count(
    what: &str,
    expected: usize,
    seen: usize,
) -> Result<(), crate::world::StepFailure> {
    crate::world::fail_if(expected != seen, || {
        format!("{what}: {expected} attendu(s), {seen} vu(s)")
    })
}

/// The error-level findings of a check, one line each (`RULE: message`).
pub fn errors(findings: &[segur_core::finding::Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.severity == segur_core::finding::Severity::Error)
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect()
}

/// The year and month `months` calendar months before `date`'s.
pub(crate) fn months_before(date: time::Date, months: i32) -> (i32, time::Month) {
    let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 - months;
    let month = u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1);
    (
        total.div_euclid(12),
        time::Month::try_from(month).unwrap_or(time::Month::January),
    )
}
