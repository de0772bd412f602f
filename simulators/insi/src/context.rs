//! The SOAP headers every INSi call carries: `ContexteLPS` (which software calls),
//! `ContexteBAM` (insurance context), `wsa:MessageID` and `wsa:Action`.
//!
//! What the XSDs require and the service refuses without is refused the same way; what it
//! tolerates (a `Version` other than `01_00`, a missing software name) only leaves a
//! finding.

use segur_core::finding::Finding;
use segur_core::soap::{Envelope, WSA};
use segur_core::world::World;
use segur_core::xml::Element;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::fault::InsiFault;
use crate::rules;

/// `ContexteLPS` namespace.
pub const CTXLPS: &str = "urn:siram:lps:ctxlps";
/// `ContexteBAM` namespace.
pub const CTXBAM: &str = "urn:siram:bam:ctxbam";

/// What the headers say about the call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// `ContexteLPS/LPS/IDAM`: the software's CNDA authorisation number.
    pub idam: Option<String>,
    /// `ContexteLPS/LPS/Nom`.
    pub lps_name: Option<String>,
    /// `ContexteLPS/LPS/Version`.
    pub lps_version: Option<String>,
    /// `ContexteLPS/LPS/Instance`.
    pub lps_instance: Option<String>,
    /// `ContexteLPS/Emetteur`.
    pub emitter: Option<String>,
}

/// Reads the WS-Addressing headers; they are needed before anything can be refused.
pub fn addressing(envelope: &Envelope) -> (Option<String>, Option<String>) {
    let text = |local| {
        envelope
            .header_block(WSA, local)
            .map(|e| e.text().trim().to_string())
            .filter(|t| !t.is_empty())
    };
    (text("MessageID"), text("Action"))
}

/// Checks `ContexteLPS` and `ContexteBAM` (and that a `wsa:MessageID`, read by
/// [`addressing`], was there), adding findings; refuses what the service refuses.
pub fn check(
    envelope: &Envelope,
    message_id: Option<&str>,
    world: &World,
    findings: &mut Vec<Finding>,
) -> Result<Context, InsiFault> {
    if message_id.is_none() {
        findings.push(
            rules::MESSAGE_ID
                .finding("no wsa:MessageID: the service cannot echo it in a fault, so the LPS cannot correlate errors")
                .at("Header/MessageID"),
        );
    }
    let mut ctx = Context::default();
    check_lps(envelope, world, &mut ctx, findings)?;
    check_bam(envelope, findings)?;
    Ok(ctx)
}

fn refuse_lps(findings: &mut Vec<Finding>, message: String, fault: InsiFault) -> InsiFault {
    findings.push(rules::CTXLPS.finding(message).at("Header/ContexteLPS"));
    fault
}

fn check_lps(
    envelope: &Envelope,
    world: &World,
    ctx: &mut Context,
    findings: &mut Vec<Finding>,
) -> Result<(), InsiFault> {
    let Some(lps) = envelope.header_block(CTXLPS, "ContexteLPS") else {
        return Err(refuse_lps(
            findings,
            "no ContexteLPS header: the service cannot tell which software calls".into(),
            InsiFault::unknown_software("En-tête ContexteLPS absent."),
        ));
    };
    required_parts(
        lps,
        CTXLPS,
        "ContexteLPS",
        "01_00",
        findings,
        &rules::CTXLPS,
    )?;
    ctx.emitter = lps.child_text(CTXLPS, "Emetteur");
    let software = lps.child(CTXLPS, "LPS");
    let text = |local| software.and_then(|s| s.child_text(CTXLPS, local));
    ctx.idam = text("IDAM").filter(|t| !t.is_empty());
    ctx.lps_name = text("Nom").filter(|t| !t.is_empty());
    ctx.lps_version = text("Version").filter(|t| !t.is_empty());
    ctx.lps_instance = text("Instance").filter(|t| !t.is_empty());
    let Some(idam) = &ctx.idam else {
        return Err(refuse_lps(
            findings,
            "no ContexteLPS/LPS/IDAM: the software's CNDA authorisation number is required".into(),
            InsiFault::unknown_software("Numéro d'autorisation du logiciel absent."),
        ));
    };
    if !world.software.insi_idam.iter().any(|s| &s.number == idam) {
        let known: Vec<&str> = world
            .software
            .insi_idam
            .iter()
            .map(|s| s.number.as_str())
            .collect();
        return Err(refuse_lps(
            findings,
            format!(
                "IDAM {idam:?} is not an authorisation number the service accepts (this world accepts: {})",
                known.join(", ")
            ),
            InsiFault::unknown_software("Numéro d'autorisation du logiciel inconnu."),
        ));
    }
    if let Some(r) = software
        .and_then(|s| s.child(CTXLPS, "IDAM"))
        .and_then(|i| i.attr("R"))
        .filter(|r| *r != "4")
    {
        findings.push(
            rules::CONTEXT_TOLERATED
                .finding(format!("IDAM R={r:?}: every known client sends R=\"4\""))
                .at("Header/ContexteLPS/LPS/IDAM"),
        );
    }
    for (value, part) in [
        (&ctx.lps_name, "Nom"),
        (&ctx.lps_version, "Version"),
        (&ctx.lps_instance, "Instance"),
    ] {
        if value.is_none() {
            findings.push(
                rules::CONTEXT_TOLERATED
                    .finding(format!(
                        "ContexteLPS/LPS/{part} is missing: the CNAM's traces cannot name the software's {}",
                        match part {
                            "Nom" => "name",
                            "Version" => "version",
                            _ => "installation",
                        }
                    ))
                    .at(format!("Header/ContexteLPS/LPS/{part}")),
            );
        }
    }
    Ok(())
}

fn check_bam(envelope: &Envelope, findings: &mut Vec<Finding>) -> Result<(), InsiFault> {
    let Some(bam) = envelope.header_block(CTXBAM, "ContexteBAM") else {
        findings.push(
            rules::CTXBAM
                .finding("no ContexteBAM header (required by the WSDL, with an empty COUVERTURE for a traits search)")
                .at("Header/ContexteBAM"),
        );
        return Err(InsiFault::invalid_request("En-tête ContexteBAM absent."));
    };
    required_parts(
        bam,
        CTXBAM,
        "ContexteBAM",
        "01_02",
        findings,
        &rules::CTXBAM,
    )?;
    if bam.child(CTXBAM, "COUVERTURE").is_none() {
        findings.push(
            rules::CTXBAM
                .finding("ContexteBAM has no COUVERTURE (required, empty for a traits search)")
                .at("Header/ContexteBAM/COUVERTURE"),
        );
        return Err(InsiFault::invalid_request(
            "ContexteBAM/COUVERTURE absent (élément obligatoire).",
        ));
    }
    Ok(())
}

/// `Version` attribute, `Id` and `Temps` (an `xs:dateTime`): required by both contexts.
fn required_parts(
    header: &Element,
    namespace: &str,
    name: &str,
    version: &str,
    findings: &mut Vec<Finding>,
    rule: &segur_core::finding::Rule,
) -> Result<(), InsiFault> {
    let refuse = |findings: &mut Vec<Finding>, what: String| {
        findings.push(rule.finding(what.clone()).at(format!("Header/{name}")));
        InsiFault::invalid_request(&format!("{name} : {what}"))
    };
    match header.attr("Version") {
        None => return Err(refuse(findings, "the Version attribute is required".into())),
        Some(v) if v != version => findings.push(
            rules::CONTEXT_TOLERATED
                .finding(format!(
                    "{name} Version={v:?}; the schema's version is {version:?} (tolerated)"
                ))
                .at(format!("Header/{name}/@Version")),
        ),
        Some(_) => {}
    }
    match header.child_text(namespace, "Id") {
        Some(id) if !id.is_empty() => {}
        _ => return Err(refuse(findings, "Id is required".into())),
    }
    match header.child_text(namespace, "Temps") {
        Some(t) if is_xs_date_time(&t) => {}
        Some(t) => {
            return Err(refuse(
                findings,
                format!("Temps {t:?} is not an xs:dateTime"),
            ));
        }
        None => return Err(refuse(findings, "Temps is required".into())),
    }
    Ok(())
}

/// `xs:dateTime`: RFC 3339, or the same without a time zone (which the XSD type allows).
fn is_xs_date_time(text: &str) -> bool {
    OffsetDateTime::parse(text, &Rfc3339).is_ok()
        || OffsetDateTime::parse(&format!("{text}Z"), &Rfc3339).is_ok()
}
