//! Feeding the DMP in bulk with the documents the record already held (DMP/HISTO.06):
//! documents written before the software fed the DMP are kept in the record ("hold");
//! a bulk feed sends those of the period and types chosen, one at a time at a chosen
//! pace, and sets aside, with the reason, those of a deceased patient, of an identity
//! whose INS is not qualified, of a patient who opposed the feeding, and those already
//! fed.

use serde::Deserialize;
use serde_json::{Value, json};

use super::dmp::{Fed, fail};
use super::{Session, params};
use crate::cda::{self, Kind};
use crate::identity::Status;
use crate::protocol::Reply;

/// A document written in the record and not sent to the DMP.
#[derive(Debug, Clone)]
pub struct Held {
    /// Local patient id.
    pub patient: String,
    /// The volet.
    pub kind: Kind,
    /// Title.
    pub title: String,
    /// Its business date.
    pub date: time::OffsetDateTime,
    /// The CDA id it was written with (kept: the document does not change when sent).
    pub id: String,
    /// Whether a bulk feed has sent it since.
    pub fed: bool,
}

#[derive(Deserialize)]
struct History {
    /// Documents dated from (`YYYY-MM-DD`).
    since: String,
    /// Up to (`YYYY-MM-DD`), included.
    #[serde(default)]
    until: Option<String>,
    /// The volets to send (`cr`, `vsm`…); all when absent.
    #[serde(default)]
    types: Option<Vec<Kind>>,
    /// The highest pace, documents per second.
    #[serde(default)]
    max_per_second: Option<f64>,
}

impl Session {
    /// `dmp.feed` with `hold`: the document is written in the record, not sent.
    pub(super) fn hold(
        &mut self,
        patient: &str,
        kind: Kind,
        title: &str,
        date: time::OffsetDateTime,
    ) -> Result<Reply, Reply> {
        let id = cda::new_id();
        let unique_id = cda::unique_id(&id);
        self.record_local(patient, &unique_id, title, kind.type_code().0, date, false);
        self.book.held.push(Held {
            patient: patient.to_string(),
            kind,
            title: title.to_string(),
            date,
            id,
            fed: false,
        });
        Ok(Reply::ok(
            json!({ "unique_id": unique_id, "title": title, "held": true }),
        ))
    }

    /// Why a held document is not sent, if it is not.
    fn set_aside(
        &self,
        held: &Held,
        from: &str,
        to: Option<&str>,
        types: Option<&[Kind]>,
    ) -> Option<&'static str> {
        let patient = self.patients.get(&held.patient).ok()?;
        let day = super::dmp::day(held.date);
        if patient.deceased.is_some() && !self.defects.on("history-feeds-deceased") {
            Some("décès")
        } else if patient.status != Status::Qualifiee {
            Some("INS non qualifiée")
        } else if self.book.feeding_opposed.contains(&held.patient) {
            Some("opposition")
        } else if held.fed {
            Some("déjà envoyé")
        } else if day.as_str() < from || to.is_some_and(|t| day.as_str() > t) {
            Some("hors période")
        } else if types.is_some_and(|t| !t.contains(&held.kind)) {
            Some("type")
        } else {
            None
        }
    }

    /// `dmp.feed_history`: every document of the records considered; those that pass the
    /// filters sent (TD2.1), one at a time, no faster than asked.
    pub(super) async fn feed_history(&mut self, p: &Value) -> Result<Reply, Reply> {
        let History {
            since,
            until,
            types,
            max_per_second,
        } = params(p)?;
        let pause = match max_per_second {
            Some(rate) if rate > 0.0 => Some(std::time::Duration::from_secs_f64(1.0 / rate)),
            Some(rate) => {
                return Err(fail(format!(
                    "vitesse invalide : {rate} documents par seconde"
                )));
            }
            None => None,
        };
        let who = self.professional()?;
        let mut fed = Vec::new();
        let mut skipped = Vec::new();
        // Documents fed one by one earlier (`dmp.feed`) were sent with success already.
        for (patient, entries) in &self.book.records {
            for e in entries.iter().filter(|e| e.origin == "local" && e.dmp_fed) {
                if !self
                    .book
                    .held
                    .iter()
                    .any(|h| cda::unique_id(&h.id) == e.unique_id)
                {
                    skipped.push(json!({ "patient": patient, "unique_id": e.unique_id, "title": e.title, "reason": "déjà envoyé" }));
                }
            }
        }
        let mut last: Option<std::time::Instant> = None;
        for i in 0..self.book.held.len() {
            let held = self.book.held[i].clone();
            let unique_id = cda::unique_id(&held.id);
            if let Some(reason) = self.set_aside(&held, &since, until.as_deref(), types.as_deref())
            {
                skipped.push(json!({ "patient": held.patient, "unique_id": unique_id, "title": held.title, "reason": reason }));
                continue;
            }
            if let (Some(pause), Some(last)) = (pause, last)
                && !self.defects.on("history-pace-ignored")
            {
                tokio::time::sleep(pause.saturating_sub(last.elapsed())).await;
            }
            last = Some(std::time::Instant::now());
            let (patient, cx) = self.dmp_patient(&held.patient)?;
            let document = cda::Document {
                date: held.date,
                set_id: held.id.clone(),
                id: held.id.clone(),
                ..self.document(held.kind, &held.title, &patient, &who)
            };
            let bytes = cda::build(&document);
            let entry = Fed {
                entry: self.entry(&document, &cx, &bytes, Vec::new(), false),
                kind: held.kind,
                set_id: document.set_id.clone(),
                version: 1,
                parties: Default::default(),
            };
            self.send_feed(&who, &cx, &entry, bytes, None).await?;
            self.book.held[i].fed = true;
            if let Some(e) = self
                .book
                .records
                .get_mut(&held.patient)
                .and_then(|r| r.iter_mut().find(|e| e.unique_id == unique_id))
            {
                e.dmp_fed = true;
            }
            self.book.fed.insert(unique_id.clone(), entry);
            fed.push(
                json!({ "patient": held.patient, "unique_id": unique_id, "title": held.title }),
            );
        }
        Ok(Reply::ok(json!({ "fed": fed, "skipped": skipped })))
    }
}
