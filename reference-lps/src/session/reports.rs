//! The reports a technical platform validates (an imaging report in a RIS, a biology
//! report in an SGL): produced in their volet with the recipients and the prescriber of
//! the request, and fed to the DMP by default at validation, unless the user blocks it
//! (`DMP/va1.12`, `.13`, `.22`; `DOC/va1.15`–`.17`, `.26`–`.30`). A partial biology
//! report is replaced by the complete one (`DMP/va1.15`).

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};

use super::dmp::Fed;
use super::{Session, params, refused};
use crate::cda::{self, Kind, Party};
use crate::identity::Status;
use crate::protocol::Reply;

#[derive(Deserialize)]
struct Validate {
    patient: String,
    kind: Kind,
    title: String,
    /// The user blocks the feeding of the DMP for this report (an expertise, an
    /// examination outside the DMP's scope).
    #[serde(default)]
    block_dmp: bool,
    /// Masking and visibility chosen for the DMP (TRE_A07 codes).
    #[serde(default)]
    visibility: Vec<String>,
    /// A partial biology report: results still to come.
    #[serde(default)]
    partial: bool,
    /// The prescriber of the request.
    #[serde(default)]
    referrer: Option<Party>,
    /// Whom the report goes to.
    #[serde(default)]
    recipients: Vec<Party>,
    /// An examination was validated by an automatic process, without a biologist's
    /// review (DOC/va1.18).
    #[serde(default)]
    auto_validated: bool,
    /// The LOINC codes of the examinations covered by the laboratory's accreditation
    /// (DOC/va1.29).
    #[serde(default)]
    accredited: Vec<String>,
    /// Sent with the laboratory's stylesheet (a self-presentable report, DOC/va1.25).
    #[serde(default)]
    self_presentable: bool,
}

#[derive(Deserialize)]
struct Complete {
    patient: String,
    document: String,
    #[serde(default)]
    title: Option<String>,
}

impl Session {
    /// `report.validate`: the report produced, and fed to the DMP unless blocked, the
    /// patient opposed it, or the identity is not qualified.
    pub(super) async fn report_validate(&mut self, p: &Value) -> Result<Reply, Reply> {
        let v: Validate = params(p)?;
        let who = self.professional()?;
        let patient = self.patients.get(&v.patient).map_err(refused)?.clone();
        let recipients = if self.defects.on("report-without-recipients") {
            Vec::new()
        } else {
            v.recipients
        };
        let referrer = v.referrer.map(|mut r| {
            if self.defects.on("referrer-without-mailbox") {
                r.mssante = None;
            }
            r
        });
        let kind = match v.kind {
            Kind::CrBioN1 if self.defects.on("cr-bio-always-n3") => Kind::CrBio,
            Kind::CrImg if self.defects.on("cr-img-typed-as-consultation") => Kind::Cr,
            k => k,
        };
        let (mentions, accredited) = self.report_mentions(v.auto_validated, &v.accredited);
        let document = cda::Document {
            recipients: recipients.clone(),
            referrer: referrer.clone(),
            partial: v.partial,
            mentions,
            accredited,
            self_presentable: v.self_presentable && !self.defects.on("report-without-stylesheet"),
            ..self.document(kind, &v.title, &patient, &who)
        };
        let bytes = cda::build(&document);
        let unique_id = document.unique_id();
        // Kept as written: the user reads it from the record (DOC/va1.23).
        if !self.defects.on("report-not-kept") {
            self.book
                .produced
                .insert((v.patient.clone(), unique_id.clone()), bytes.clone());
        }
        let cda_b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let blocked = v.block_dmp && !self.defects.on("dmp-block-ignored");
        let why_not = if blocked {
            Some("alimentation du DMP bloquée par l'utilisateur")
        } else if self.defects.on("report-not-fed-at-validation") {
            Some("envoi au DMP non déclenché")
        } else if self.book.feeding_opposed.contains(&v.patient) {
            Some("le patient s'est opposé à l'alimentation de son DMP")
        } else if patient.status != Status::Qualifiee {
            Some("INS non qualifiée : pas d'alimentation du DMP")
        } else {
            None
        };
        let type_code = kind.type_code().0;
        if let Some(reason) = why_not {
            self.record_local(
                &v.patient,
                &unique_id,
                &v.title,
                type_code,
                document.date,
                false,
            );
            let mailed = self.mail_report(&patient, document.clone()).await?;
            return Ok(Reply::ok(json!({
                "unique_id": unique_id, "fed": false, "reason": reason, "cda": cda_b64, "mailed": mailed,
            })));
        }
        if self.pfi().is_some() {
            let pfi = self
                .transmit(super::pfi::Outgoing {
                    document: &document,
                    bytes: &bytes,
                    visibility: &v.visibility,
                })
                .await?;
            return Ok(Reply::ok(json!({
                "unique_id": unique_id, "fed": true, "pfi": pfi, "cda": cda_b64,
            })));
        }
        let (_, cx) = self.dmp_patient(&v.patient)?;
        let visibility = if self.defects.on("report-visibility-ignored") {
            Vec::new()
        } else {
            v.visibility
        };
        let fed = Fed {
            entry: self.entry(&document, &cx, &bytes, visibility, false),
            kind,
            set_id: document.set_id.clone(),
            version: 1,
            parties: (recipients, referrer),
        };
        self.send_feed(&who, &cx, &fed, bytes, None).await?;
        self.record_local(
            &v.patient,
            &unique_id,
            &v.title,
            type_code,
            document.date,
            true,
        );
        let mailed = self.mail_report(&patient, document.clone()).await?;
        let shown = json!({
            "unique_id": unique_id, "entry_uuid": fed.entry.entry_uuid, "fed": true, "cda": cda_b64, "mailed": mailed,
        });
        self.book.fed.insert(unique_id, fed);
        Ok(Reply::ok(shown))
    }

    /// The mentions a report carries and the results marked accredited: the automatic
    /// validation text when an examination was validated so (DOC/va1.18); the
    /// accreditation statement and the `*` key when an examination is accredited, and
    /// neither when none is (DOC/va1.29).
    fn report_mentions(
        &self,
        auto_validated: bool,
        accredited: &[String],
    ) -> (Vec<String>, Vec<String>) {
        let mut mentions = Vec::new();
        if auto_validated
            && !self.defects.on("auto-validation-unmentioned")
            && let Some(text) = &self.settings.auto_validation_notice
        {
            mentions.push(text.clone());
        }
        let cofrac = !accredited.is_empty() || self.defects.on("accreditation-always-mentioned");
        if cofrac && let Some(statement) = &self.settings.accreditation {
            mentions.push(statement.clone());
            mentions.push(
                "Seuls les résultats précédés du signe * sont couverts par l'accréditation.".into(),
            );
        }
        (mentions, accredited.to_vec())
    }

    /// `report.complete`: the complete biology report replaces the partial one in the
    /// DMP (RPLC, same `setId`, next version).
    pub(super) async fn report_complete(&mut self, p: &Value) -> Result<Reply, Reply> {
        let c: Complete = params(p)?;
        let who = self.professional()?;
        let (patient, cx) = self.dmp_patient(&c.patient)?;
        let old = self.fed(&c.document)?;
        let title = c.title.unwrap_or_else(|| old.entry.title.clone());
        // The defect sends the complete report as a document of its own.
        let alone = self.defects.on("complete-report-not-replacing");
        let fresh = self.document(old.kind, &title, &patient, &who);
        let mut version = cda::Document {
            set_id: if alone {
                fresh.set_id.clone()
            } else {
                old.set_id.clone()
            },
            version: if alone { 1 } else { old.version + 1 },
            replaces: (!alone).then(|| c.document.clone()),
            recipients: old.parties.0.clone(),
            referrer: old.parties.1.clone(),
            ..fresh
        };
        // The complete report says which partial one it cancels and replaces (MSS/va1.35).
        if !alone && !self.defects.on("replacement-without-mention") {
            version.mentions.push(format!(
                "Annule et remplace le compte rendu partiel « {} » (version {})",
                old.entry.title, old.version
            ));
        }
        let bytes = cda::build(&version);
        let unique_id = version.unique_id();
        let fed = Fed {
            entry: self.entry(&version, &cx, &bytes, old.entry.visibility.clone(), false),
            kind: old.kind,
            set_id: version.set_id.clone(),
            version: version.version,
            parties: old.parties.clone(),
        };
        let replaces = (!alone).then(|| old.entry.entry_uuid.clone());
        self.send_feed(&who, &cx, &fed, bytes, replaces).await?;
        let mailed = self.mail_report(&patient, version.clone()).await?;
        let shown = json!({ "unique_id": unique_id, "entry_uuid": fed.entry.entry_uuid, "replaces": c.document, "mailed": mailed });
        if alone {
            self.record_local(
                &c.patient,
                &unique_id,
                &title,
                old.kind.type_code().0,
                version.date,
                true,
            );
        } else {
            self.book.fed.remove(&c.document);
            self.replace_in_record(&c.patient, &c.document, &unique_id, &title);
        }
        self.book.fed.insert(unique_id, fed);
        Ok(Reply::ok(shown))
    }
}
