//! The evidence dossier of a run: one zip a vendor files and an evaluator checks.
//!
//! - [`collect`]: what goes in — the run's reports, the journal and its blobs, a folder of
//!   evidence files per requirement, `manifest.json`;
//! - [`evidence`]: the files behind one requirement (SOAP messages, mail sources, IHE_XDM
//!   archives, token exchanges, the INSi call log as CSV);
//! - [`html`]: `report.html`, in French, self-contained;
//! - [`seal`]: `SHA256SUMS`, its detached signature and the signer's certificate;
//! - [`verify`]: every check an evaluator runs on a dossier, naming what changed.
//!
//! The zip is written in one pass from memory: nothing is written outside the chosen file.

pub mod collect;
pub mod evidence;
pub mod html;
pub mod seal;
pub mod verify;

use std::io::Write;
use std::path::Path;

use zip::write::SimpleFileOptions;

/// Why a dossier could not be built or read, naming the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum DossierError {
    /// A file of the run folder is missing or unreadable.
    #[error("{file}: {reason}")]
    File {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// The journal's chain or a blob does not hold.
    #[error("{file}: {reason}")]
    Journal {
        /// The journal or pack file.
        file: String,
        /// Why.
        reason: String,
    },
    /// The zip could not be written or read.
    #[error("{file}: {reason}")]
    Zip {
        /// The zip.
        file: String,
        /// Why.
        reason: String,
    },
}

impl DossierError {
    /// A file problem.
    pub fn file(file: impl std::fmt::Display, reason: impl std::fmt::Display) -> Self {
        Self::File {
            file: file.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// Builds the dossier of the run in `run_dir` into `out`, sealed by `signer`; the number
/// of files written.
pub fn build(run_dir: &Path, out: &Path, signer: &seal::Signer) -> Result<usize, DossierError> {
    let run = collect::read_run(run_dir)?;
    let mut files = collect::lay_out(&run);
    seal::seal(&mut files, signer)?;
    write_zip(out, &files)?;
    Ok(files.len())
}

/// The files of a dossier, by path inside the zip, in the order written.
pub type Files = Vec<(String, Vec<u8>)>;

/// Writes `files` to `out` (created, or replaced whole).
pub fn write_zip(out: &Path, files: &Files) -> Result<(), DossierError> {
    let fail = |e: &dyn std::fmt::Display| DossierError::Zip {
        file: out.display().to_string(),
        reason: e.to_string(),
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    for (path, bytes) in files {
        zip.start_file(path.as_str(), options)
            .map_err(|e| fail(&e))?;
        zip.write_all(bytes).map_err(|e| fail(&e))?;
    }
    let bytes = zip.finish().map_err(|e| fail(&e))?.into_inner();
    // Written beside, then renamed: a reader never sees half a dossier.
    let partial = out.with_extension("zip.partial");
    std::fs::write(&partial, &bytes).map_err(|e| fail(&e))?;
    std::fs::rename(&partial, out).map_err(|e| fail(&e))
}

/// The conditions a run was played under that its reader must know, one line each, as
/// its `manifest.json` states them: a world other than the embedded one, rules disabled.
/// Empty when the run was played on the bench's own terms.
pub fn run_conditions(manifest: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(source) = manifest["world_source"].as_str()
        && source != "embedded"
    {
        out.push(format!(
            "monde personnalisé : {source} (empreinte {}), non le monde embarqué du banc",
            manifest["world_sha256"].as_str().unwrap_or("?")
        ));
    }
    let disabled: Vec<&str> = manifest["disabled_rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str())
        .collect();
    if !disabled.is_empty() {
        out.push(format!(
            "règles désactivées : {} (leurs constats n'ont pas été enregistrés)",
            disabled.join(", ")
        ));
    }
    out
}
