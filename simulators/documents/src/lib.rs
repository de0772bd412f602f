//! Checks on the health documents the national services carry, shared by the simulators
//! that receive them (the DMP on every ITI-41, MSSanté on every `IHE_XDM.ZIP`):
//!
//! - [`cda`]: the CDA R2 header as the CI-SIS requires it ("structuration minimale"),
//!   the INS traits rule, the level-1 templateIds and the VSM specifics;
//! - [`xdm`]: IHE_XDM archives (tree, 8.3 names, `METADATA.XML`, hash and size);
//! - [`ebrim`]: the ebRIM 3.0 metadata (submission sets, document entries, associations)
//!   that both ITI-41 requests and `METADATA.XML` carry;
//! - [`hl7`]: the INS in the PID segment of HL7 v2 messages (PID-3, PID-32);
//! - [`pdf`]: the text a PDF shows and where (a mention, the foot of a page);
//! - [`pdfa`]: whether a PDF is a PDF/A-1 (ISO 19005-1 level B, its structural clauses);
//! - [`ucum`]: whether a unit is written in UCUM's syntax;
//! - [`rules`]: every check's rule, with the REM requirements it serves.
//!
//! Sans I/O: bytes in, facts and findings out. Nothing here refuses anything; each caller
//! decides what a finding means for its answer.

pub mod cda;
pub mod ebrim;
pub mod hl7;
pub mod pdf;
pub mod pdfa;
pub mod rules;
pub mod text;
pub mod ucum;
pub mod xdm;

/// SHA-1 of `bytes`, lower-case hex: the XDS `hash` slot's form.
pub fn sha1_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
        bytes,
    ))
}
