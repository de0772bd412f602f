//! The PDF a mail joins beside its IHE_XDM archive (DOC/va1.01, DOC/va1.10): a PDF/A-1
//! (the structural clauses of ISO 19005-1 level B, `segur_documents::pdfa`), named in
//! `.pdf`, the very PDF the archive's level-1 CDA carries (ECO.2.1.5 of the MSSanté client
//! référentiel), showing the patient's INS as the CDA does. Read from the message the
//! operator received (`l'opérateur a reçu un message pour …` chooses it).

use cucumber::then;
use mail_parser::MimeHeaders;
use segur_documents::xdm::{self, XdmLimits};

use super::mss::parsed;
use crate::world::{SegurWorld, StepFailure, fail, fail_if};

/// The PDF joined to the chosen message: its file name (empty when it has none) and bytes.
fn joined_pdf(world: &SegurWorld) -> Result<(String, Vec<u8>), StepFailure> {
    let message = parsed(world)?;
    let pdfs: Vec<(String, Vec<u8>)> = message
        .attachments()
        .filter(|p| {
            p.is_content_type("application", "pdf")
                || p.attachment_name()
                    .is_some_and(|n| n.to_ascii_lowercase().ends_with(".pdf"))
        })
        .map(|p| {
            (
                p.attachment_name().unwrap_or_default().to_string(),
                p.contents().to_vec(),
            )
        })
        .collect();
    match <[_; 1]>::try_from(pdfs) {
        Ok([one]) => Ok(one),
        Err(pdfs) if pdfs.is_empty() => fail("le message ne joint aucun PDF"),
        Err(pdfs) => fail(format!(
            "le message joint {} PDF pour un document : {}",
            pdfs.len(),
            pdfs.iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[then("le PDF joint au message est un PDF/A-1")]
async fn is_pdfa(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let (name, bytes) = joined_pdf(world)?;
    let report = segur_documents::pdfa::check(&bytes);
    fail_if(!report.conforms(), || {
        format!(
            "{name:?} n'est pas un PDF/A-1 (ISO 19005-1, niveau B) :\n  {}",
            report
                .findings
                .iter()
                .map(|f| format!("{} : {}", f.rule, f.message))
                .collect::<Vec<_>>()
                .join("\n  ")
        )
    })
}

/// ECO.2.1.6 names the file; its text is not among the facts the bench gathered, so the
/// step checks what every reading of it implies (a name, in `.pdf`, no path) and the
/// evaluator reads the name itself in the evidence (the journal's SMTP DATA).
#[then("le PDF joint au message porte un nom de fichier en .pdf")]
async fn named_pdf(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let (name, _) = joined_pdf(world)?;
    fail_if(name.is_empty(), || {
        "le PDF joint n'a pas de nom de fichier (Content-Disposition filename)".into()
    })?;
    fail_if(!name.to_ascii_lowercase().ends_with(".pdf"), || {
        format!("le PDF joint est nommé {name:?}, sans l'extension .pdf")
    })?;
    fail_if(name.contains(['/', '\\']), || {
        format!("le nom du PDF joint, {name:?}, contient un chemin")
    })
}

#[then("le PDF joint au message est celui du CDA N1 de son archive IHE_XDM")]
async fn same_as_cda(world: &mut SegurWorld) -> Result<(), StepFailure> {
    let (name, bytes) = joined_pdf(world)?;
    let message = parsed(world)?;
    let zip = message
        .attachments()
        .find(|p| p.attachment_name() == Some("IHE_XDM.ZIP"))
        .map(|p| p.contents().to_vec())
        .ok_or_else(|| {
            StepFailure::Failed("le message ne joint pas d'archive IHE_XDM.ZIP".into())
        })?;
    let report = xdm::check(&zip, &XdmLimits::default());
    let carried: Vec<&[u8]> = report
        .documents
        .iter()
        .filter_map(|d| d.pdf.as_deref())
        .collect();
    fail_if(carried.is_empty(), || {
        "l'archive ne contient aucun CDA de niveau 1 portant un PDF".into()
    })?;
    fail_if(!carried.contains(&bytes.as_slice()), || {
        format!(
            "{name:?} ({} octets) n'est pas le PDF que porte le CDA N1 de l'archive ({} octets) : ECO.2.1.5 veut le même",
            bytes.len(),
            carried[0].len()
        )
    })
}

#[then(expr = "le PDF joint au message porte l'INS de {string}")]
async fn carries_ins(world: &mut SegurWorld, alias: String) -> Result<(), StepFailure> {
    let (name, bytes) = joined_pdf(world)?;
    let patient = world.world_patients.get(&alias).cloned().ok_or_else(|| {
        StepFailure::Failed(format!(
            "{alias:?} n'a pas été créée d'après un patient du monde"
        ))
    })?;
    let ins = super::ins_number(&world.control()?.patient(&patient).await?["ins"]);
    let text = segur_documents::pdf::read(&bytes)
        .ok_or_else(|| StepFailure::Failed(format!("{name:?} n'est pas un PDF lisible")))?;
    // The matricule may be printed in groups (`2 84 05 ...`): digits are compared.
    let digits: String = text
        .all()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    fail_if(ins.is_empty() || !digits.contains(&ins), || {
        format!(
            "{name:?} n'affiche pas l'INS {ins} du patient (le texte lu : {:?})",
            text.all()
        )
    })
}
