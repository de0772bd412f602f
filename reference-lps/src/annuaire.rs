//! The reference LPS's client of the Annuaire Santé: a correspondent's MSSanté address
//! from the FHIR API (ANN/va1.05), and the professionals of the public extraction
//! `PS_LibreAcces_Personne_activite` integrated into its own directory (ANN/va1.01 to
//! va1.04). Its own reading of the API and of the file, not the bench's.

use std::collections::BTreeMap;
use std::io::Read as _;

use serde::Serialize;
use serde_json::Value;

/// The header the API reads its key from.
const KEY_HEADER: &str = "ESANTE-API-KEY";
/// The largest extraction read (the national file is far larger; the bench's is small).
const MAX_EXTRACTION: u64 = 64 * 1024 * 1024;

/// Where the directory is and the key it issued.
#[derive(Debug, Clone)]
pub struct AnnuaireClient {
    /// The FHIR API's base (`https://…/fhir/v2`).
    pub fhir: String,
    /// The extraction's URL.
    pub extraction: String,
    /// The API key (`None`: the `directory-search-without-key` defect).
    pub key: Option<String>,
    /// HTTPS, trusting the bench's CA.
    pub http: reqwest::Client,
}

/// A professional found in the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// `8` + RPPS.
    pub national_id: String,
    /// Family name of exercise.
    pub family_name: String,
    /// Given name of exercise.
    pub given_name: String,
    /// Their MSSanté mailboxes.
    pub mssante: Vec<String>,
}

/// A professional as the LPS's own directory keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Known {
    /// `8` + RPPS.
    pub national_id: String,
    /// Family name of exercise.
    pub family_name: String,
    /// Given name of exercise.
    pub given_name: String,
    /// Profession (TRE_G15).
    pub profession: String,
    /// Specialty (savoir-faire), if any.
    pub specialty: Option<String>,
    /// The structures they practise in (raison sociale).
    pub structures: Vec<String>,
}

impl AnnuaireClient {
    /// `Practitioner?family=…&given=…`: everyone matching, with their mailboxes.
    pub async fn search(&self, family: &str, given: Option<&str>) -> Result<Vec<Found>, String> {
        let mut query = vec![("family", family.to_string())];
        if let Some(g) = given {
            query.push(("given", g.to_string()));
        }
        let mut request = self
            .http
            .get(format!("{}/Practitioner", self.fhir))
            .query(&query)
            .header("accept", "application/fhir+json");
        if let Some(key) = &self.key {
            request = request.header(KEY_HEADER, key);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            let why = body["issue"][0]["diagnostics"].as_str().unwrap_or_default();
            return Err(format!("Annuaire Santé : HTTP {status} {why}"));
        }
        Ok(body["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| &e["resource"])
            .filter(|r| r["resourceType"] == "Practitioner")
            .map(found)
            .collect())
    }

    /// Downloads the extraction and reads its lines.
    pub async fn extraction(&self) -> Result<(String, Vec<BTreeMap<String, String>>), String> {
        let response = self
            .http
            .get(&self.extraction)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("extraction : HTTP {}", response.status()));
        }
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec()))
            .map_err(|e| format!("extraction : archive illisible ({e})"))?;
        let name = zip
            .file_names()
            .filter_map(Result::ok)
            .find(|n| n.starts_with("PS_LibreAcces_Personne_activite_"))
            .map(|n| n.to_string())
            .ok_or("extraction : pas de fichier PS_LibreAcces_Personne_activite")?;
        let mut text = String::new();
        zip.by_name(&name)
            .map_err(|e| e.to_string())?
            .take(MAX_EXTRACTION)
            .read_to_string(&mut text)
            .map_err(|e| format!("{name} : {e}"))?;
        Ok((name, lines(&text)))
    }
}

/// The lines of the file as column name → value.
fn lines(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut rows = text.lines().filter(|l| !l.trim().is_empty());
    let Some(header) = rows.next() else {
        return Vec::new();
    };
    let columns: Vec<&str> = header.split('|').collect();
    rows.map(|line| {
        columns
            .iter()
            .zip(line.split('|'))
            .filter(|(c, _)| !c.is_empty())
            .map(|(c, v)| (c.to_string(), v.to_string()))
            .collect()
    })
    .collect()
}

fn found(resource: &Value) -> Found {
    let national_id = resource["identifier"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["system"] == "urn:oid:1.2.250.1.71.4.2.1")
        .and_then(|i| i["value"].as_str())
        .unwrap_or_default()
        .to_string();
    let name = &resource["name"][0];
    Found {
        national_id,
        family_name: name["family"].as_str().unwrap_or_default().to_string(),
        given_name: name["given"][0].as_str().unwrap_or_default().to_string(),
        mssante: resource["telecom"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| {
                t["system"] == "email"
                    && t["value"]
                        .as_str()
                        .is_some_and(|v| v.ends_with(".mssante.fr"))
            })
            .filter_map(|t| t["value"].as_str().map(str::to_string))
            .collect(),
    }
}

/// The professionals of the extraction's lines, one per national id, their structures
/// gathered; `libéral only` (a defect) keeps the lines of mode `L`.
pub fn professionals(rows: &[BTreeMap<String, String>], liberal_only: bool) -> Vec<Known> {
    let mut out: BTreeMap<String, Known> = BTreeMap::new();
    for row in rows {
        let get = |c: &str| row.get(c).cloned().unwrap_or_default();
        if liberal_only && get("Code mode exercice") != "L" {
            continue;
        }
        let id = get("Identification nationale PP");
        if id.is_empty() {
            continue;
        }
        let entry = out.entry(id.clone()).or_insert_with(|| Known {
            national_id: id,
            family_name: get("Nom d'exercice"),
            given_name: get("Prénom d'exercice"),
            profession: get("Code profession"),
            specialty: Some(get("Code savoir-faire")).filter(|s| !s.is_empty()),
            structures: Vec::new(),
        });
        let site = get("Raison sociale site");
        if !site.is_empty() && !entry.structures.contains(&site) {
            entry.structures.push(site);
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_by_their_column_names_and_gathered_per_professional() {
        let text = "Identification nationale PP|Nom d'exercice|Prénom d'exercice|Code profession|Code savoir-faire|Code mode exercice|Raison sociale site|\r\n\
                    810001|DUPONT|Marie|10|SM26|L|Cabinet A|\r\n\
                    810001|DUPONT|Marie|10|SM26|S|Hôpital B|\r\n\
                    810002|MARTIN|Paul|60||S|Hôpital B|\r\n";
        let rows = lines(text);
        assert_eq!(rows.len(), 3);
        let all = professionals(&rows, false);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].structures, ["Cabinet A", "Hôpital B"]);
        assert_eq!(all[1].specialty, None);
        assert_eq!(professionals(&rows, true).len(), 1);
    }
}
