//! The IHE_XDM archive a health document travels in by MSSanté (IHE ITI-32, CI-SIS
//! "IHE_XDM" profile): `README.TXT` and `INDEX.HTM` at the root, the document and its
//! `METADATA.XML` under `IHE_XDM/SUBSET01/`, every name an upper-case ISO 9660 8.3 name.

use std::io::Write;

use zip::write::SimpleFileOptions;

use super::MssFailure;
use crate::dmp::professional::Professional;
use crate::dmp::xds::{self, Entry};

/// The archive's file name as attached to the mail.
pub const ATTACHMENT: &str = "IHE_XDM.ZIP";
/// The subset folder.
const SUBSET: &str = "IHE_XDM/SUBSET01";
/// The document's file in the subset.
const DOCUMENT: &str = "DOC0001.XML";

/// What goes into one archive.
pub struct Archive<'a> {
    /// Who sends it (the submission set's author, README's sender).
    pub by: &'a Professional,
    /// The patient id of the submission set (the INS as CX, or the local id).
    pub patient: &'a str,
    /// The document's metadata; its `hash` is the CDA's SHA-1.
    pub entry: &'a Entry,
    /// The CDA.
    pub cda: &'a [u8],
    /// Submission time, `YYYYMMDDHHMMSS`.
    pub now: &'a str,
    /// The software's name and version, for README.TXT.
    pub software: &'a str,
    /// Lower-case file names (the `xdm-lowercase-names` defect).
    pub lower_case: bool,
}

impl Archive<'_> {
    /// The zip's bytes.
    pub fn build(&self) -> Result<Vec<u8>, MssFailure> {
        let name = |n: &str| {
            if self.lower_case {
                n.to_ascii_lowercase()
            } else {
                n.to_string()
            }
        };
        let metadata = xds::xdm_metadata(
            self.by,
            self.patient,
            self.now,
            &[(self.entry, &name(DOCUMENT))],
        );
        let (readme, index) = (self.readme(), self.index());
        let files: [(String, &[u8]); 4] = [
            (name("README.TXT"), readme.as_bytes()),
            (name("INDEX.HTM"), index.as_bytes()),
            (name(&format!("{SUBSET}/METADATA.XML")), metadata.as_bytes()),
            (name(&format!("{SUBSET}/{DOCUMENT}")), self.cda),
        ];
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let failed = |e: &dyn std::fmt::Display| MssFailure(format!("archive IHE_XDM : {e}"));
        for (path, bytes) in files {
            out.start_file(path, options).map_err(|e| failed(&e))?;
            out.write_all(bytes).map_err(|e| failed(&e))?;
        }
        Ok(out.finish().map_err(|e| failed(&e))?.into_inner())
    }

    fn readme(&self) -> String {
        let by = self.by;
        format!(
            "Emetteur : Dr {} {} ({})\r\nApplication : {}\r\n\r\nCette archive IHE_XDM contient un document de sante au format CDA R2.\r\nOuvrir INDEX.HTM pour la parcourir.\r\n\r\nArborescence :\r\n  README.TXT\r\n  INDEX.HTM\r\n  {SUBSET}/METADATA.XML\r\n  {SUBSET}/{DOCUMENT}\r\n",
            by.given_name, by.family_name, by.structure_name, self.software
        )
    }

    fn index(&self) -> String {
        format!(
            "<!DOCTYPE html>\r\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>IHE_XDM</title></head><body><h1>{}</h1><ul><li><a href=\"README.TXT\">README.TXT</a></li><li><a href=\"{SUBSET}/{DOCUMENT}\">{DOCUMENT}</a></li><li><a href=\"{SUBSET}/METADATA.XML\">METADATA.XML</a></li></ul></body></html>\r\n",
            crate::xml::text(&self.entry.title)
        )
    }
}
