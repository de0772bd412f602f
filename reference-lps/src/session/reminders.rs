//! Reminders to update the volet de synthèse médicale (DOC/va1.11, va1.13): the site sets
//! after how many months a patient's latest VSM is due for an update (`settings.set
//! vsm_reminder`), and the user lists the VSMs due (`vsm.reminders`) — the latest VSM of
//! each record, when it is older than the rule allows. Changing the rule changes the list.

use serde_json::{Value, json};

use super::Session;
use crate::cda::Kind;
use crate::protocol::Reply;

/// The months after which a VSM is due, when the defect ignores the site's rule.
const FIXED_MONTHS: u32 = 12;

/// `YYYYMMDD` of the day `months` calendar months before `today` (the day clamped to the
/// month's length).
fn months_before(today: time::Date, months: u32) -> String {
    let total = today.year() * 12 + i32::from(u8::from(today.month())) - 1 - months as i32;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let month = time::Month::try_from(month as u8).unwrap_or(time::Month::January);
    let day = today.day().min(time::util::days_in_month(month, year));
    format!("{year:04}{:02}{day:02}", u8::from(month))
}

impl Session {
    /// `vsm.reminders`: the VSMs due for an update under the site's rule.
    pub(super) fn vsm_reminders(&self) -> Result<Reply, Reply> {
        let months = if self.defects.on("vsm-reminder-rule-ignored") {
            Some(FIXED_MONTHS)
        } else {
            self.settings.vsm_reminder_months
        };
        let Some(months) = months else {
            return Ok(Reply::ok(json!({ "after_months": null, "due": [] })));
        };
        let limit = months_before(self.now().date(), months);
        let vsm = Kind::Vsm.type_code().0;
        let mut due: Vec<Value> = Vec::new();
        for (patient, record) in &self.book.records {
            // The latest VSM of the record is the one to update.
            let Some(latest) = record
                .iter()
                .filter(|e| e.type_code == vsm)
                .max_by(|a, b| a.created.cmp(&b.created))
            else {
                continue;
            };
            if latest
                .created
                .get(..8)
                .is_some_and(|day| day < limit.as_str())
            {
                due.push(json!({
                    "patient": patient,
                    "unique_id": latest.unique_id,
                    "title": latest.title,
                    "created": latest.created,
                }));
            }
        }
        due.sort_by(|a, b| a["created"].as_str().cmp(&b["created"].as_str()));
        Ok(Reply::ok(json!({ "after_months": months, "due": due })))
    }
}

#[cfg(test)]
mod tests {
    use super::months_before;
    use time::macros::date;

    #[test]
    fn months_are_counted_on_the_calendar() {
        let cases = [
            (date!(2026 - 12 - 07), 6, "20260607"),
            (date!(2026 - 03 - 31), 1, "20260228"),
            (date!(2026 - 01 - 15), 13, "20241215"),
            (date!(2024 - 05 - 31), 3, "20240229"),
        ];
        for (today, months, expected) in cases {
            assert_eq!(months_before(today, months), expected, "{today} - {months}");
        }
    }
}
