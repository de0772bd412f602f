//! The patient services: HL7v3 ([`hl7v3`]: TD0.2 existence test and TD1.3a read, TD1.1
//! creation, TD1.3b/TD1.4 update and closure) and the `PatientsSpecific` operations
//! ([`specific`]: TD0.4 list, TD1.5a/b/d web account), plus the habilitations
//! ([`habilitations`]: TD0.3, TD1.6).

pub mod habilitations;
pub mod hl7v3;
pub mod specific;

use segur_core::xml::escape;

/// `<status>DMPOk</status><context>…</context>` inside an `output`, in `ns` (`ns1`).
pub fn status_output(status: &str, context: &str, extra: &str) -> String {
    format!(
        "<ns1:output>{extra}<ns1:status>{}</ns1:status><ns1:context>{}</ns1:context></ns1:output>",
        escape(status),
        escape(context)
    )
}

/// `YYYYMMDDHHMMSS` of a time.
pub fn hl7_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
