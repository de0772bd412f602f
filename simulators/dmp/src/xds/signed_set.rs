//! The signed submission set a DMP feed carries (IHE DSG, spec notes §2): a signature
//! entry (formatCode `http://www.w3.org/2000/09/xmldsig#`) with its `signs` association to
//! the submission set, whose document is an XML-DSig signature over a manifest of every
//! document of the feed. The signature is verified, its certificate must be a signature
//! certificate of the test PKI valid at bench time, and each document's bytes must be what
//! the manifest's digest says: a feed signed before a last edit is refused.

use std::collections::HashMap;

use segur_core::finding::Severity;
use segur_core::xml::parse;
use segur_core::xmldsig::Algorithms;
use segur_core::xmldsig::dsg::{SignedManifest, verify_manifest};
use segur_documents::ebrim::{RegistryObject, RegistryObjects, association, uuid};

use super::provide::Received;
use super::response::RegistryError;
use super::validate;
use crate::config::VihfSignatures;
use crate::exchange::Ctx;
use crate::rules;

/// Checks the HasMember associations, the signature entry and its `signs` association,
/// and the signature itself against `documents` (by entry id).
pub(crate) fn check(
    ctx: &mut Ctx<'_>,
    objects: &RegistryObjects,
    documents: &HashMap<String, Received>,
    errors: &mut Vec<RegistryError>,
) {
    let Some(set) = objects.submission_set() else {
        return;
    };
    for entry in &objects.entries {
        let member = objects.associations.iter().any(|a| {
            a.kind == association::HAS_MEMBER && a.source == set.id && a.target == entry.id
        });
        if !member {
            let why = format!(
                "no HasMember association from the submission set to {}",
                entry.id
            );
            ctx.findings
                .push(rules::METADATA.finding(why.clone()).at("Association"));
            errors.push(RegistryError::new("XDSRegistryMetadataError", why).at(entry.id.clone()));
        }
    }
    let signatures: Vec<&RegistryObject> = objects
        .entries
        .iter()
        .filter(|e| validate::is_signature(e))
        .collect();
    let signing: Vec<&RegistryObject> = signatures
        .iter()
        .copied()
        .filter(|s| {
            objects
                .associations
                .iter()
                .any(|a| a.kind == association::SIGNS && a.source == s.id && a.target == set.id)
        })
        .collect();
    let problem = if signing.is_empty() {
        Some(if signatures.is_empty() {
            "the submission set is not signed: the DMP requires a signature document (formatCode http://www.w3.org/2000/09/xmldsig#) and its signs association".to_string()
        } else {
            "the signature document has no signs association to the submission set".to_string()
        })
    } else {
        signing
            .iter()
            .find_map(|s| verify(ctx, objects, s, documents).err())
    };
    let Some(why) = problem else {
        return;
    };
    let at = "Association[@associationType='signs']";
    if ctx.config.vihf_signatures == VihfSignatures::Reported {
        ctx.findings.push(
            rules::SIGNED_SUBMISSION
                .finding(format!(
                    "{why} (accepted: signatures are only reported in this run; the DMP refuses this)"
                ))
                .at(at)
                .with_severity(Severity::Warning),
        );
    } else if ctx.config.signed_submission {
        ctx.findings
            .push(rules::SIGNED_SUBMISSION.finding(why.clone()).at(at));
        errors.push(RegistryError::new("XDSRegistryMetadataError", why));
    } else {
        ctx.findings.push(
            rules::SIGNED_SUBMISSION
                .finding(format!("{why} (accepted: plain XDS registry)"))
                .at(at)
                .with_severity(Severity::Warning),
        );
    }
}

/// Verifies the signature document of `signature` and that its manifest covers every
/// other document of the feed; the reason when it does not.
fn verify(
    ctx: &Ctx<'_>,
    objects: &RegistryObjects,
    signature: &RegistryObject,
    documents: &HashMap<String, Received>,
) -> Result<(), String> {
    let Some(document) = documents.get(&signature.id) else {
        // An unresolved document is reported where the documents are read.
        return Ok(());
    };
    let text = std::str::from_utf8(&document.bytes)
        .map_err(|_| format!("the signature document {} is not UTF-8 XML", signature.id))?;
    let root = parse(text.trim_start_matches('\u{feff}'), &ctx.config.xml_limits)
        .map_err(|e| format!("the signature document {} is not XML: {e}", signature.id))?;
    let manifest = verify_manifest(&root, Algorithms::WithSha1).map_err(|e| {
        format!(
            "the submission set's signature ({}) does not verify: {e}",
            signature.id
        )
    })?;
    let certificate = &manifest.signature.certificate;
    let signer = segur_core::pki::subject_of(certificate).unwrap_or_default();
    if !segur_core::pki::has_non_repudiation(certificate) {
        return Err(format!(
            "the submission set was signed by {signer:?}, whose key usage has no nonRepudiation: an authentication key, not a signature key"
        ));
    }
    segur_core::tls::verify_signing_certificate(ctx.bench.pki(), certificate, ctx.bench.clock())
        .map_err(|e| {
            format!("the submission set's signing certificate {signer:?} is not valid in the test PKI: {e}")
        })?;
    for entry in objects
        .entries
        .iter()
        .filter(|e| !validate::is_signature(e))
    {
        let (Some(unique_id), Some(sent)) =
            (entry.external_id(uuid::UNIQUE_ID), documents.get(&entry.id))
        else {
            continue;
        };
        let reference = manifest.reference(unique_id).ok_or_else(|| {
            format!(
                "the submission set's signature does not cover the document {unique_id} (no Reference in its IHEManifest)"
            )
        })?;
        match SignedManifest::covers(reference, &sent.bytes) {
            Some(true) => {}
            Some(false) => {
                return Err(format!(
                    "the document {unique_id} is not the one that was signed: its digest differs from the IHEManifest's (signed before a last change?)"
                ));
            }
            None => {
                return Err(format!(
                    "the IHEManifest's digest of {unique_id} uses {}, neither SHA-1 nor SHA-256",
                    reference.digest_method
                ));
            }
        }
    }
    Ok(())
}
