//! Preloading the DMP documents of the patients in care (DMP/UX.34): for each patient
//! whose consent to the consultation is recorded (UX.08), the rights are checked (TD0.2,
//! TD0.3), the documents of the configured types searched (TD3.1) and fetched (TD3.2),
//! and kept for the configured time: shown at once when the user opens one, fetched
//! again once the time is up.

use serde::Deserialize;
use serde_json::{Value, json};

use super::dmp::fail;
use super::{Session, params};
use crate::dmp::xds::{Criteria, Found};
use crate::protocol::Reply;

/// What the site set for preloading.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PreloadSettings {
    /// The typeCodes (LOINC) preloaded.
    pub types: Vec<String>,
    /// How long a preloaded document is kept, in hours.
    pub max_hours: i64,
}

/// A preloaded document.
#[derive(Debug, Clone)]
pub struct Preloaded {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// When it was fetched (the session's clock).
    pub at: time::OffsetDateTime,
}

#[derive(Deserialize)]
struct Patients {
    patients: Vec<String>,
}

impl Session {
    /// `dmp.preload`: the documents of the patients in care, as the settings say.
    pub(super) async fn preload(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Patients { patients } = params(p)?;
        let settings = self
            .settings
            .preload
            .clone()
            .ok_or_else(|| fail("aucun préchargement paramétré (dmp_preload)"))?;
        let mut preloaded = Vec::new();
        let mut skipped = Vec::new();
        for patient in patients {
            let consented = self.book.consultation.get(&patient) == Some(&true);
            if !consented && !self.defects.on("preload-without-consent") {
                skipped.push(json!({ "patient": patient, "reason": "consentement à la consultation non recueilli" }));
                continue;
            }
            // The defect preloads as if the patient had consented.
            let assumed = !consented
                && self
                    .book
                    .consultation
                    .insert(patient.clone(), true)
                    .is_none();
            let mut found: Vec<Found> = Vec::new();
            for type_code in &settings.types {
                let search = json!({
                    "patient": patient,
                    "authorise": true,
                    "criteria": Criteria { type_code: Some(type_code.clone()), ..Criteria::default() },
                });
                let call = self.dmp_list_begin(&search).await?;
                let answer = call.send().await;
                self.dmp_list_end(call, answer)?;
                found.extend(self.book.listed.get(&patient).cloned().unwrap_or_default());
            }
            if assumed {
                self.book.consultation.remove(&patient);
            }
            if found.is_empty() {
                continue;
            }
            let now = self.now();
            for (unique_id, bytes) in self.fetch_documents(&patient, &found).await? {
                let Some(f) = found.iter().find(|f| f.unique_id == unique_id) else {
                    continue;
                };
                preloaded
                    .push(json!({ "patient": patient, "unique_id": unique_id, "title": f.title }));
                self.book
                    .preloaded
                    .insert((patient.clone(), unique_id), Preloaded { bytes, at: now });
            }
        }
        Ok(Reply::ok(
            json!({ "preloaded": preloaded, "skipped": skipped }),
        ))
    }

    /// The size of the preloaded document `unique_id` of `patient`, if it is still within
    /// its time (one whose time is up is forgotten).
    pub(super) fn preloaded(&mut self, patient: &str, unique_id: &str) -> Option<usize> {
        let key = (patient.to_string(), unique_id.to_string());
        let kept = self.book.preloaded.get(&key)?;
        let max = self.settings.preload.as_ref().map_or(0, |s| s.max_hours);
        let expired = self.now() - kept.at >= time::Duration::hours(max)
            && !self.defects.on("preload-never-expires");
        if expired {
            self.book.preloaded.remove(&key);
            return None;
        }
        Some(kept.bytes.len())
    }
}
