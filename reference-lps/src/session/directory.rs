//! The software's own directory of professionals, fed from the Annuaire Santé
//! (ANN/va1.01 to va1.06): the user searches a correspondent's MSSanté address in the
//! national API (`directory.search`); the public extraction is integrated on demand
//! (`directory.import`) and on the schedule the site set (`directory_refresh`), each
//! professional created or brought up to date; `directory.lookup` shows what the
//! software knows of one.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::dmp::fail;
use super::{Session, params};
use crate::annuaire::Known;
use crate::protocol::Reply;

/// What the software integrated.
#[derive(Debug, Default)]
pub struct Directory {
    /// National id → the professional as last integrated.
    pub known: BTreeMap<String, Known>,
    /// When the extraction was last integrated (the software's clock).
    pub last_import: Option<time::OffsetDateTime>,
    /// How often the extraction is integrated on its own (`directory_refresh`).
    pub every_hours: Option<u32>,
}

/// How often the software integrates the extraction when the site sets nothing, and
/// what the `directory-refresh-setting-ignored` defect always uses: weekly.
const DEFAULT_HOURS: u32 = 24 * 7;

#[derive(Deserialize)]
struct Search {
    family_name: String,
    #[serde(default)]
    given_name: Option<String>,
}

#[derive(Deserialize)]
struct Lookup {
    national_id: String,
}

impl Session {
    fn annuaire(&self) -> Result<&crate::annuaire::AnnuaireClient, Reply> {
        self.annuaire
            .as_ref()
            .ok_or_else(|| fail("aucun Annuaire Santé configuré"))
    }

    /// `directory.search`: the correspondents of that name, with their MSSanté addresses.
    pub(super) async fn directory_search(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Search {
            family_name,
            given_name,
        } = params(p)?;
        let found = self
            .annuaire()?
            .search(&family_name, given_name.as_deref())
            .await
            .map_err(fail)?;
        Ok(Reply::ok(json!({ "results": found })))
    }

    /// `directory.import`: the extraction downloaded and integrated.
    pub(super) async fn directory_import(&mut self) -> Result<Reply, Reply> {
        let (file, rows) = self.annuaire()?.extraction().await.map_err(fail)?;
        let liberal_only = self.defects.on("directory-import-liberal-only");
        let creates_only = self.defects.on("directory-import-creates-only");
        let (mut created, mut updated) = (0, 0);
        for professional in crate::annuaire::professionals(&rows, liberal_only) {
            match self.directory.known.get_mut(&professional.national_id) {
                None => {
                    created += 1;
                    self.directory
                        .known
                        .insert(professional.national_id.clone(), professional);
                }
                Some(_) if creates_only => {}
                Some(known) => {
                    if *known != professional {
                        updated += 1;
                        *known = professional;
                    }
                }
            }
        }
        self.directory.last_import = Some(self.now());
        Ok(Reply::ok(json!({
            "file": file,
            "created": created,
            "updated": updated,
            "count": self.directory.known.len(),
        })))
    }

    /// `directory.lookup`: what the software knows of a professional.
    pub(super) fn directory_lookup(&self, p: &Value) -> Result<Reply, Reply> {
        let Lookup { national_id } = params(p)?;
        let known = self.directory.known.get(&national_id).ok_or_else(|| {
            fail(format!(
                "{national_id} n'est pas dans l'annuaire du logiciel"
            ))
        })?;
        Ok(Reply::ok(json!(known)))
    }

    /// `directory_refresh`: `{"every_hours": n}`.
    pub(super) fn set_directory_refresh(&mut self, value: &Value) -> Result<(), Reply> {
        let hours = value["every_hours"]
            .as_u64()
            .and_then(|h| u32::try_from(h).ok())
            .filter(|h| *h > 0)
            .ok_or_else(|| fail("directory_refresh : every_hours (heures, > 0) manque"))?;
        self.directory.every_hours = Some(hours);
        Ok(())
    }

    /// Integrates the extraction again when the period the site set has passed since the
    /// last time (the software's scheduler, run when its clock moves).
    pub(super) async fn directory_refresh_if_due(&mut self) {
        let Some(last) = self.directory.last_import else {
            return;
        };
        if self.annuaire.is_none() {
            return;
        }
        let hours = if self.defects.on("directory-refresh-setting-ignored") {
            DEFAULT_HOURS
        } else {
            self.directory.every_hours.unwrap_or(DEFAULT_HOURS)
        };
        if self.now() - last >= time::Duration::hours(i64::from(hours))
            && let Err(e) = self.directory_import().await
        {
            tracing::warn!(error = ?e, "the scheduled directory integration failed");
        }
    }
}
