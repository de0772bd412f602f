//! Filing the documents received by MSSanté: into the patient's record with the
//! metadata of their CDA header (MSS/va1.28), on its own when the site allows it and the
//! INS and birth traits match a qualified identity strictly (MSS/UX.07); the worklist of
//! those still to treat with their CDA metadata (MSS/UX.09, va1.25); those filed on
//! their own over a period (MSS/UX.40); and the counts by document type (MSS/UX.16).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::records::RecordEntry;
use super::{Session, params};
use crate::identity::Status;
use crate::mss::cda_header::CdaHeader;
use crate::mss::received::Xdm;
use crate::protocol::Reply;

/// A document filed from mail.
#[derive(Debug, Clone, Serialize)]
pub struct Filed {
    /// The local patient.
    pub patient: String,
    /// `uniqueId`.
    pub unique_id: String,
    /// Title.
    pub title: String,
    /// typeCode (LOINC).
    pub type_code: String,
    /// When (LPS clock, unix time).
    pub at: i64,
    /// Filed on its own (`true`) or by a user.
    pub automatic: bool,
}

/// What was filed, and how.
#[derive(Default)]
pub struct Filing {
    /// Every document filed from mail, in order.
    pub filed: Vec<Filed>,
}

#[derive(Deserialize)]
struct Period {
    /// How many days back from now.
    days: u32,
}

/// `YYYYMMDDHHMMSS` of a CDA `effectiveTime` (its time zone dropped).
fn record_time(effective: &str) -> String {
    effective
        .chars()
        .take_while(char::is_ascii_digit)
        .take(14)
        .collect()
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

impl Session {
    /// The qualified identity every document of `xdm` belongs to strictly: the INS (number
    /// and an INS root) and the birth name, first given name, birth date and sex its CDA
    /// carries equal to the identity's (MSS/UX.07).
    pub(super) fn strict_identity(&self, xdm: &Xdm) -> Option<String> {
        let ins = xdm.ins.as_deref()?;
        let patient = self.patients.all().find(|p| {
            p.status == Status::Qualifiee && p.ins.as_ref().is_some_and(|i| i.number() == ins)
        })?;
        let loose = self.defects.on("mss-auto-integration-loose");
        let matches = |h: &CdaHeader| {
            let t = &patient.traits;
            h.patient.ins.as_deref() == Some(ins)
                && (loose
                    || (h.patient.birth_name.eq_ignore_ascii_case(&t.birth_name)
                        && t.first_names
                            .first()
                            .is_some_and(|f| f.eq_ignore_ascii_case(&h.patient.first_name))
                        && digits(&h.patient.birth_date) == digits(&t.birth_date)
                        && h.patient.sex.eq_ignore_ascii_case(&t.sex)))
        };
        let all = !xdm.documents.is_empty()
            && xdm
                .documents
                .iter()
                .all(|d| d.intact && d.header.as_ref().is_some_and(matches));
        all.then(|| patient.patient.clone())
    }

    /// Files the documents of `xdm` into `patient`'s record, with the type and date of
    /// their CDA header; what the user is shown of them.
    pub(super) fn file_documents(
        &mut self,
        patient: &str,
        xdm: &Xdm,
        automatic: bool,
    ) -> Vec<Value> {
        let now = self.now();
        let stamp = crate::dmp::xds::dtm(now);
        let mut shown = Vec::new();
        for d in &xdm.documents {
            let header = d.header.clone().unwrap_or_default();
            let (type_code, created) = if self.defects.on("integrated-without-cda-metadata") {
                (String::new(), stamp.clone())
            } else {
                let code = if header.type_code.is_empty() {
                    d.type_code.clone()
                } else {
                    header.type_code.clone()
                };
                (code, record_time(&header.created))
            };
            self.mail_integrated(patient, &d.unique_id, &d.title);
            let record = self.book.records.entry(patient.to_string()).or_default();
            if !record.iter().any(|e| e.unique_id == d.unique_id) {
                record.push(RecordEntry {
                    unique_id: d.unique_id.clone(),
                    title: d.title.clone(),
                    type_code: type_code.clone(),
                    created,
                    origin: "MSSanté",
                    dmp_fed: false,
                });
            }
            self.filing.filed.push(Filed {
                patient: patient.to_string(),
                unique_id: d.unique_id.clone(),
                title: d.title.clone(),
                type_code: d.type_code.clone(),
                at: now.unix_timestamp(),
                automatic,
            });
            shown.push(
                json!({ "unique_id": d.unique_id, "title": d.title, "type_code": d.type_code }),
            );
        }
        shown
    }

    /// `mss.auto_integrated`: the documents filed on their own in the last `days` days.
    pub(super) fn mss_auto_integrated(&self, p: &Value) -> Result<Reply, Reply> {
        let Period { days } = params(p)?;
        let since = self.now().unix_timestamp() - i64::from(days) * 86_400;
        let ignore_period = self.defects.on("auto-integrated-period-ignored");
        let documents: Vec<&Filed> = self
            .filing
            .filed
            .iter()
            .filter(|f| f.automatic && (ignore_period || f.at >= since))
            .collect();
        Ok(Reply::ok(json!({ "days": days, "documents": documents })))
    }

    /// `mss.integration_stats`: by typeCode, the documents filed on their own and by a
    /// user in the last `days` days, and those still waiting in the worklist now.
    pub(super) fn mss_integration_stats(&self, p: &Value) -> Result<Reply, Reply> {
        let Period { days } = params(p)?;
        let since = self.now().unix_timestamp() - i64::from(days) * 86_400;
        let mut by_type: BTreeMap<String, [u32; 3]> = BTreeMap::new();
        for f in self.filing.filed.iter().filter(|f| f.at >= since) {
            let automatic = f.automatic || self.defects.on("integration-stats-miscounted");
            by_type.entry(f.type_code.clone()).or_default()[usize::from(!automatic)] += 1;
        }
        for (_, d) in self.waiting_documents() {
            by_type.entry(d.type_code.clone()).or_default()[2] += 1;
        }
        let stats: Vec<Value> = by_type
            .iter()
            .map(|(code, [auto, manual, pending])| {
                json!({ "type_code": code, "automatic": auto, "manual": manual, "not_integrated": pending })
            })
            .collect();
        Ok(Reply::ok(json!({ "days": days, "by_type": stats })))
    }
}
