//! The patients' stays and the DPI's indicator on the feeding of historical documents
//! (DMP/HISTO.08, .09): for a month, among the stays closed that month of patients who had
//! an earlier stay less than 5 years before, the share for which at least one document of
//! such an earlier stay has reached the DMP (at the time, or in a catch-up since).

use serde::Deserialize;
use serde_json::json;

use super::dmp::fail;
use super::{Session, params, refused};
use crate::protocol::Reply;

/// One stay: from admission to discharge, `YYYYMMDD` both.
#[derive(Debug, Clone)]
pub struct Stay {
    /// Admission day.
    pub admitted: String,
    /// Discharge day: the stay is closed.
    pub discharged: String,
}

#[derive(Deserialize)]
struct Record {
    patient: String,
    admitted: String,
    discharged: String,
}

#[derive(Deserialize)]
struct Indicator {
    /// `YYYY-MM`.
    month: String,
}

/// `YYYY-MM-DD` → `YYYYMMDD`, checked.
fn day(text: &str) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format)
        .ok()
        .map(|_| text.replace('-', ""))
}

/// `YYYYMMDD` five years before `day`.
fn five_years_before(day: &str) -> String {
    let year: i32 = day.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    format!("{:04}{}", year - 5, day.get(4..).unwrap_or_default())
}

/// What the indicator says, and how it is computed (shown to the user).
const FORMULA: &str = "séjours clôturés dans le mois, d'un patient ayant eu un séjour terminé \
    moins de 5 ans avant l'admission, dont au moins un document daté d'un tel séjour a été \
    versé au DMP / ces mêmes séjours clôturés × 100";

impl Session {
    /// `stay.record`: a closed stay of a patient.
    pub(super) fn stay_record(&mut self, p: &serde_json::Value) -> Result<Reply, Reply> {
        let Record {
            patient,
            admitted,
            discharged,
        } = params(p)?;
        self.patients.get(&patient).map_err(refused)?;
        let (Some(admitted), Some(discharged)) = (day(&admitted), day(&discharged)) else {
            return Err(fail("dates de séjour invalides (AAAA-MM-JJ)"));
        };
        if discharged < admitted {
            return Err(fail("sortie avant l'admission"));
        }
        self.book
            .stays
            .entry(patient.clone())
            .or_default()
            .push(Stay {
                admitted,
                discharged,
            });
        Ok(Reply::ok(
            json!({ "patient": patient, "stays": self.book.stays[&patient].len() }),
        ))
    }

    /// `indicator.history_feed`: the month's indicator.
    pub(super) fn history_indicator(&self, p: &serde_json::Value) -> Result<Reply, Reply> {
        let Indicator { month } = params(p)?;
        let Some(prefix) = day(&format!("{month}-01")).map(|d| d[..6].to_string()) else {
            return Err(fail("mois invalide (AAAA-MM)"));
        };
        let window = !self.defects.on("history-indicator-window-ignored");
        let (mut closed, mut with_history) = (0u32, 0u32);
        for (patient, stays) in &self.book.stays {
            let documents = self.book.records.get(patient);
            for stay in stays.iter().filter(|s| s.discharged.starts_with(&prefix)) {
                let since = five_years_before(&stay.admitted);
                let earlier: Vec<&Stay> = stays
                    .iter()
                    .filter(|e| e.discharged < stay.admitted && (!window || e.discharged >= since))
                    .collect();
                if earlier.is_empty() {
                    continue;
                }
                closed += 1;
                let fed = documents.into_iter().flatten().any(|d| {
                    let created = d.created.get(..8).unwrap_or_default();
                    d.dmp_fed
                        && earlier.iter().any(|e| {
                            e.admitted.as_str() <= created && created <= e.discharged.as_str()
                        })
                });
                if fed {
                    with_history += 1;
                }
            }
        }
        let percent = if closed == 0 {
            None
        } else {
            Some((f64::from(with_history) * 100.0 / f64::from(closed) * 10.0).round() / 10.0)
        };
        Ok(Reply::ok(json!({
            "month": month,
            "closed_stays": closed,
            "with_history_fed": with_history,
            "percent": percent,
            "formula": FORMULA,
        })))
    }
}
