//! FHIR search on the directory, sans I/O: a query string in, a `searchset` Bundle or the
//! parameter that cannot be honoured out. The parameters are those the ANS API documents
//! for its three resources (README); any other is refused rather than ignored, as a
//! client that believes it filtered must learn that it did not.
//!
//! | resource | parameters |
//! |---|---|
//! | all | `_id`, `identifier` (`[system\|]value`), `active`, `mailbox-mss` (`:contains`, `:exact`), `mailbox-mss-type` (`PER`, `ORG`, `APP`, `CAB`), `_count` (≤ 100), `_offset` |
//! | `Practitioner` | `name`, `family`, `given`, `_revinclude=PractitionerRole:practitioner` |
//! | `PractitionerRole` | `practitioner`, `organization`, `role`, `specialty`, `_include=PractitionerRole:practitioner`, `_include=PractitionerRole:organization` |
//! | `Organization` | `name`, `type`, `_revinclude=PractitionerRole:organization` |
//!
//! Strings match as FHIR says: the start of a word, ignoring case and accents, unless
//! `:exact` (the whole value, as written) or `:contains` (anywhere). Comma-separated
//! values are alternatives; repeated parameters must all hold.

use serde_json::{Value, json};

use crate::directory::Directory;
use crate::resources;

/// The page size when the client asks none.
pub const DEFAULT_COUNT: usize = 50;
/// The largest page served, whatever the client asks.
pub const MAX_COUNT: usize = 100;

/// The resources the directory serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Professionals.
    Practitioner,
    /// Their activities in structures.
    PractitionerRole,
    /// Structures.
    Organization,
}

impl Kind {
    /// The resource type named in a URL path.
    pub fn from_path(name: &str) -> Option<Self> {
        match name {
            "Practitioner" => Some(Self::Practitioner),
            "PractitionerRole" => Some(Self::PractitionerRole),
            "Organization" => Some(Self::Organization),
            _ => None,
        }
    }

    /// Its FHIR name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Practitioner => "Practitioner",
            Self::PractitionerRole => "PractitionerRole",
            Self::Organization => "Organization",
        }
    }
}

/// Why a search cannot be run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchError {
    /// The parameter at fault.
    pub parameter: String,
    /// What is wrong with it.
    pub why: String,
}

/// How a string parameter matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    /// The start of a word, case and accents ignored (FHIR's default).
    Start,
    /// Anywhere, case and accents ignored.
    Contains,
    /// The whole value, as written.
    Exact,
}

/// One condition of a search.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Criterion {
    /// `_id`.
    Id(Vec<String>),
    /// `identifier`: (system, value) alternatives.
    Identifier(Vec<(Option<String>, String)>),
    /// A string field (`name`, `family`, `given`, `mailbox-mss`).
    Text {
        field: &'static str,
        values: Vec<String>,
        how: How,
    },
    /// A coded field (`mailbox-mss-type`, `type`, `role`, `specialty`): (system, code).
    Token {
        field: &'static str,
        values: Vec<(Option<String>, String)>,
    },
    /// `active`.
    Active(bool),
    /// `practitioner` or `organization` of a role: logical ids.
    Reference {
        field: &'static str,
        ids: Vec<String>,
    },
}

/// A parsed search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// What is searched.
    pub kind: Kind,
    /// Every condition, all to hold.
    criteria: Vec<Criterion>,
    /// Page size.
    pub count: usize,
    /// Entries skipped (the page's start).
    pub offset: usize,
    /// `_include`s: `practitioner`, `organization` of the roles found.
    includes: Vec<&'static str>,
    /// `_revinclude`: the roles of the professionals or structures found.
    revinclude: bool,
    /// The parameters as received, without `_offset`: the base of the paging links.
    pairs: Vec<(String, String)>,
}

fn invalid(parameter: &str, why: impl Into<String>) -> SearchError {
    SearchError {
        parameter: parameter.to_string(),
        why: why.into(),
    }
}

/// `a,b,c` as alternatives, `system|code` split.
fn tokens(value: &str) -> Vec<(Option<String>, String)> {
    value
        .split(',')
        .map(|v| match v.split_once('|') {
            Some((s, c)) if !s.is_empty() => (Some(s.to_string()), c.to_string()),
            Some((_, c)) => (None, c.to_string()),
            None => (None, v.to_string()),
        })
        .collect()
}

/// Parses the query string of a search on `kind`.
pub fn parse(kind: Kind, query: &str) -> Result<Search, SearchError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|e| invalid("(query)", format!("not a URL-encoded query: {e}")))?;
    let mut search = Search {
        kind,
        criteria: Vec::new(),
        count: DEFAULT_COUNT,
        offset: 0,
        includes: Vec::new(),
        revinclude: false,
        pairs: pairs
            .iter()
            .filter(|(n, _)| n != "_offset")
            .cloned()
            .collect(),
    };
    for (name, value) in &pairs {
        let (base, modifier) = match name.split_once(':') {
            Some((b, m)) => (b, Some(m)),
            None => (name.as_str(), None),
        };
        let text_how = || match modifier {
            None => Ok(How::Start),
            Some("contains") => Ok(How::Contains),
            Some("exact") => Ok(How::Exact),
            Some(other) => Err(invalid(
                name,
                format!("the modifier :{other} is not supported (:contains, :exact)"),
            )),
        };
        let no_modifier = || match modifier {
            None => Ok(()),
            Some(m) => Err(invalid(name, format!("the modifier :{m} is not supported"))),
        };
        if value.is_empty() {
            return Err(invalid(name, "an empty value"));
        }
        let criterion = match (kind, base) {
            (_, "_id") => {
                no_modifier()?;
                Criterion::Id(value.split(',').map(str::to_string).collect())
            }
            (_, "identifier") => {
                no_modifier()?;
                Criterion::Identifier(tokens(value))
            }
            (_, "active") => {
                no_modifier()?;
                match value.as_str() {
                    "true" => Criterion::Active(true),
                    "false" => Criterion::Active(false),
                    _ => return Err(invalid(name, "active is true or false")),
                }
            }
            (_, "mailbox-mss") => Criterion::Text {
                field: "mailbox-mss",
                values: value.split(',').map(str::to_string).collect(),
                how: text_how()?,
            },
            (_, "mailbox-mss-type") => {
                no_modifier()?;
                Criterion::Token {
                    field: "mailbox-mss-type",
                    values: tokens(value),
                }
            }
            (_, "_count") => {
                no_modifier()?;
                let n: usize = value
                    .parse()
                    .map_err(|_| invalid(name, "_count is a non-negative integer"))?;
                search.count = n.min(MAX_COUNT);
                continue;
            }
            (_, "_offset") => {
                no_modifier()?;
                search.offset = value
                    .parse()
                    .map_err(|_| invalid(name, "_offset is a non-negative integer"))?;
                continue;
            }
            (_, "_format") => {
                if !matches!(
                    value.as_str(),
                    "json" | "application/json" | "application/fhir+json"
                ) {
                    return Err(invalid(name, "the directory answers JSON only"));
                }
                continue;
            }
            (Kind::Practitioner | Kind::Organization, "name")
            | (Kind::Practitioner, "family" | "given") => Criterion::Text {
                field: match base {
                    "family" => "family",
                    "given" => "given",
                    _ => "name",
                },
                values: value.split(',').map(str::to_string).collect(),
                how: text_how()?,
            },
            (Kind::Organization, "type") | (Kind::PractitionerRole, "role" | "specialty") => {
                no_modifier()?;
                Criterion::Token {
                    field: match base {
                        "type" => "type",
                        "role" => "role",
                        _ => "specialty",
                    },
                    values: tokens(value),
                }
            }
            (Kind::PractitionerRole, "practitioner" | "organization") => {
                no_modifier()?;
                let wanted = if base == "practitioner" {
                    "Practitioner/"
                } else {
                    "Organization/"
                };
                Criterion::Reference {
                    field: if base == "practitioner" {
                        "practitioner"
                    } else {
                        "organization"
                    },
                    ids: value
                        .split(',')
                        .map(|v| v.strip_prefix(wanted).unwrap_or(v).to_string())
                        .collect(),
                }
            }
            (Kind::PractitionerRole, "_include") => {
                match value.as_str() {
                    "PractitionerRole:practitioner" => search.includes.push("practitioner"),
                    "PractitionerRole:organization" => search.includes.push("organization"),
                    _ => {
                        return Err(invalid(
                            name,
                            format!(
                                "cannot include {value:?} (PractitionerRole:practitioner, PractitionerRole:organization)"
                            ),
                        ));
                    }
                }
                continue;
            }
            (Kind::Practitioner, "_revinclude") | (Kind::Organization, "_revinclude") => {
                let expected = if kind == Kind::Practitioner {
                    "PractitionerRole:practitioner"
                } else {
                    "PractitionerRole:organization"
                };
                if value != expected {
                    return Err(invalid(
                        name,
                        format!("cannot revinclude {value:?} ({expected})"),
                    ));
                }
                search.revinclude = true;
                continue;
            }
            _ => {
                return Err(invalid(
                    name,
                    format!("unknown search parameter for {}", kind.name()),
                ));
            }
        };
        search.criteria.push(criterion);
    }
    Ok(search)
}

/// Upper case, accents dropped: how FHIR compares strings by default.
fn fold(text: &str) -> String {
    text.chars()
        .map(|c| segur_core::text::base_letter(c).to_ascii_uppercase())
        .collect()
}

fn text_matches(candidate: &str, wanted: &str, how: How) -> bool {
    match how {
        How::Exact => candidate == wanted,
        How::Contains => fold(candidate).contains(&fold(wanted)),
        How::Start => {
            let (c, w) = (fold(candidate), fold(wanted));
            c.starts_with(&w)
                || c.match_indices(&w)
                    .any(|(at, _)| c[..at].chars().last().is_some_and(|p| !p.is_alphanumeric()))
        }
    }
}

fn token_matches(codings: &[(String, String)], wanted: &[(Option<String>, String)]) -> bool {
    wanted.iter().any(|(system, code)| {
        codings
            .iter()
            .any(|(s, c)| c == code && system.as_ref().is_none_or(|w| w == s))
    })
}

/// The strings and codes of a resource a criterion looks at.
fn texts(resource: &Value, field: &str) -> Vec<String> {
    let strings = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    match field {
        "mailbox-mss" => resources::mailboxes(resource)
            .into_iter()
            .map(|(m, _)| m)
            .collect(),
        "name" if resource["resourceType"] == "Organization" => strings(&resource["name"]),
        "name" => resource["name"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|n| {
                let mut all = strings(&n["family"]);
                all.extend(strings(&n["given"]));
                all
            })
            .collect(),
        "family" | "given" => resource["name"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|n| strings(&n[field]))
            .collect(),
        _ => Vec::new(),
    }
}

fn codings(resource: &Value, field: &str) -> Vec<(String, String)> {
    let from = |concepts: &Value| -> Vec<(String, String)> {
        concepts
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["coding"].as_array().into_iter().flatten())
            .filter_map(|c| {
                Some((
                    c["system"].as_str()?.to_string(),
                    c["code"].as_str()?.to_string(),
                ))
            })
            .collect()
    };
    match field {
        "mailbox-mss-type" => resources::mailboxes(resource)
            .into_iter()
            .map(|(_, kind)| (resources::TYPE_BAL.to_string(), kind))
            .collect(),
        "type" => from(&resource["type"]),
        "role" => from(&resource["code"]),
        "specialty" => from(&resource["specialty"]),
        _ => Vec::new(),
    }
}

fn holds(resource: &Value, criterion: &Criterion) -> bool {
    match criterion {
        Criterion::Id(ids) => ids.iter().any(|id| resource["id"] == id.as_str()),
        Criterion::Identifier(wanted) => {
            let have: Vec<(String, String)> = resource["identifier"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| {
                    Some((
                        i["system"].as_str()?.to_string(),
                        i["value"].as_str()?.to_string(),
                    ))
                })
                .collect();
            token_matches(&have, wanted)
        }
        Criterion::Text { field, values, how } => {
            let have = texts(resource, field);
            values
                .iter()
                .any(|w| have.iter().any(|h| text_matches(h, w, *how)))
        }
        Criterion::Token { field, values } => token_matches(&codings(resource, field), values),
        Criterion::Active(active) => resource["active"].as_bool() == Some(*active),
        Criterion::Reference { field, ids } => {
            let reference = resource[*field]["reference"].as_str().unwrap_or_default();
            ids.iter().any(|id| {
                reference
                    .rsplit('/')
                    .next()
                    .is_some_and(|r| r == id.as_str())
            })
        }
    }
}

/// Every resource of `kind` in the directory.
pub fn all(directory: &Directory, kind: Kind) -> Vec<Value> {
    match kind {
        Kind::Practitioner => directory
            .practitioners
            .iter()
            .map(resources::practitioner)
            .collect(),
        Kind::PractitionerRole => directory.roles.iter().map(resources::role).collect(),
        Kind::Organization => directory
            .organizations
            .iter()
            .map(resources::organization)
            .collect(),
    }
}

/// The resource of `kind` with logical id `id` (only that one is rendered).
pub fn read(directory: &Directory, kind: Kind, id: &str) -> Option<Value> {
    match kind {
        Kind::Practitioner => directory.practitioner(id).map(resources::practitioner),
        Kind::PractitionerRole => directory
            .roles
            .iter()
            .find(|r| r.id == id)
            .map(resources::role),
        Kind::Organization => directory.organization(id).map(resources::organization),
    }
}

impl Search {
    /// Runs the search: a `searchset` Bundle whose links start at `base`
    /// (`https://host:port/fhir/v2`). Returns the Bundle and the ids it matched on the page.
    pub fn run(&self, directory: &Directory, base: &str) -> (Value, Vec<String>) {
        let matched: Vec<Value> = all(directory, self.kind)
            .into_iter()
            .filter(|r| self.criteria.iter().all(|c| holds(r, c)))
            .collect();
        let total = matched.len();
        let page: Vec<Value> = matched
            .into_iter()
            .skip(self.offset)
            .take(self.count)
            .collect();
        let ids: Vec<String> = page
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_string))
            .collect();
        let entry = |resource: Value, mode: &str| {
            json!({
                "fullUrl": format!("{base}/{}/{}", resource["resourceType"].as_str().unwrap_or_default(), resource["id"].as_str().unwrap_or_default()),
                "resource": resource,
                "search": { "mode": mode },
            })
        };
        // The roles a `_revinclude` looks among, rendered once for the whole page.
        let roles = if self.revinclude {
            all(directory, Kind::PractitionerRole)
        } else {
            Vec::new()
        };
        let mut included: Vec<Value> = Vec::new();
        for resource in &page {
            for field in &self.includes {
                let reference = resource[*field]["reference"].as_str().unwrap_or_default();
                let (kind, id) = reference.split_once('/').unwrap_or_default();
                let Some(kind) = Kind::from_path(kind) else {
                    continue;
                };
                if let Some(found) = read(directory, kind, id)
                    && !included.contains(&found)
                {
                    included.push(found);
                }
            }
            if self.revinclude {
                let field = if self.kind == Kind::Practitioner {
                    "practitioner"
                } else {
                    "organization"
                };
                let target = format!(
                    "{}/{}",
                    self.kind.name(),
                    resource["id"].as_str().unwrap_or_default()
                );
                for role in &roles {
                    if role[field]["reference"] == target.as_str() && !included.contains(role) {
                        included.push(role.clone());
                    }
                }
            }
        }
        let link = |offset: usize| {
            let mut pairs = self.pairs.clone();
            if offset > 0 {
                pairs.push(("_offset".into(), offset.to_string()));
            }
            let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
            let sep = if query.is_empty() { "" } else { "?" };
            format!("{base}/{}{sep}{query}", self.kind.name())
        };
        let mut links = vec![json!({ "relation": "self", "url": link(self.offset) })];
        if self.count > 0 && self.offset + self.count < total {
            links.push(json!({ "relation": "next", "url": link(self.offset + self.count) }));
        }
        if self.offset > 0 {
            links.push(json!({ "relation": "previous", "url": link(self.offset.saturating_sub(self.count.max(1))) }));
        }
        let mut entries: Vec<Value> = page.into_iter().map(|r| entry(r, "match")).collect();
        entries.extend(included.into_iter().map(|r| entry(r, "include")));
        let bundle = json!({
            "resourceType": "Bundle",
            "type": "searchset",
            "total": total,
            "link": links,
            "entry": entries,
        });
        (bundle, ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::Changes;
    use segur_core::world::World;

    fn directory() -> Directory {
        Directory::of(&World::embedded().unwrap(), &Changes::default())
    }

    fn found(kind: Kind, query: &str) -> Vec<String> {
        let search = parse(kind, query).unwrap_or_else(|e| panic!("{query}: {e:?}"));
        search.run(&directory(), "https://annuaire.test/fhir/v2").1
    }

    /// Each query finds exactly these entries.
    #[test]
    fn searches_find_what_the_ans_api_would() {
        let cases: &[(Kind, &str, &[&str])] = &[
            (Kind::Practitioner, "family=legrand", &["003-899900100001"]),
            // Start of a word, accents ignored: DUPRÉ.
            (Kind::Practitioner, "name=dupre", &["003-899900100006"]),
            (Kind::Practitioner, "name=chloe", &["003-899900100005"]),
            (Kind::Practitioner, "family=EGRAND", &[]),
            (
                Kind::Practitioner,
                "family:contains=EGRAND",
                &["003-899900100001"],
            ),
            (Kind::Practitioner, "family:exact=Legrand", &[]),
            (
                Kind::Practitioner,
                "family:exact=LEGRAND",
                &["003-899900100001"],
            ),
            (
                Kind::Practitioner,
                "identifier=urn:oid:1.2.250.1.71.4.2.1|899900100002",
                &["003-899900100002"],
            ),
            (
                Kind::Practitioner,
                "identifier=99900100002",
                &["003-899900100002"],
            ),
            (
                Kind::Practitioner,
                "identifier=https://rpps.esante.gouv.fr|899900100002",
                &[],
            ),
            (
                Kind::Practitioner,
                "mailbox-mss=anne.colin@medecin.mssante.fr",
                &["003-899900100002"],
            ),
            (
                Kind::Practitioner,
                "mailbox-mss:contains=@labo-tilleuls",
                &["003-899900100005"],
            ),
            (
                Kind::Organization,
                "mailbox-mss-type=APP&name=centre",
                &["001-10B0100016"],
            ),
            (Kind::Organization, "type=SA25", &["001-10B0200014"]),
            (
                Kind::PractitionerRole,
                "practitioner=Practitioner/003-899900100003",
                &[
                    "005-899900100003-10B0100016",
                    "005-899900100003-499900100001001",
                ],
            ),
            (
                Kind::PractitionerRole,
                "organization=001-10B0200014&role=21",
                &["005-899900100007-10B0200014"],
            ),
            (
                Kind::Practitioner,
                "given=anne,sophie",
                &["003-899900100002", "003-899900100003"],
            ),
        ];
        for (kind, query, expected) in cases {
            assert_eq!(found(*kind, query), *expected, "{query}");
        }
    }

    #[test]
    fn unknown_or_unsupported_parameters_are_refused_with_their_name() {
        let cases: &[(Kind, &str, &str)] = &[
            (Kind::Practitioner, "birthdate=1970", "birthdate"),
            (
                Kind::Practitioner,
                "family:phonetic=LEGRAN",
                "family:phonetic",
            ),
            (Kind::Organization, "family=X", "family"),
            (Kind::Practitioner, "_count=lots", "_count"),
            (Kind::Practitioner, "_format=xml", "_format"),
            (
                Kind::PractitionerRole,
                "_include=PractitionerRole:location",
                "_include",
            ),
            (Kind::Practitioner, "name=", "name"),
        ];
        for (kind, query, parameter) in cases {
            let error = parse(*kind, query).expect_err(query);
            assert_eq!(error.parameter, *parameter, "{query}");
        }
    }

    #[test]
    fn pages_link_to_the_next_one_and_includes_follow_the_page() {
        let d = directory();
        let search = parse(Kind::Practitioner, "_count=4").unwrap();
        let (bundle, ids) = search.run(&d, "https://a.test/fhir/v2");
        assert_eq!(ids.len(), 4);
        assert_eq!(bundle["total"], d.practitioners.len());
        let next = bundle["link"][1]["url"].as_str().unwrap();
        assert_eq!(
            next,
            "https://a.test/fhir/v2/Practitioner?_count=4&_offset=4"
        );
        let search = parse(
            Kind::PractitionerRole,
            "practitioner=003-899900100001&_include=PractitionerRole:organization&_include=PractitionerRole:practitioner",
        )
        .unwrap();
        let (bundle, _) = search.run(&d, "https://a.test/fhir/v2");
        let modes: Vec<(&str, &str)> = bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["resource"]["resourceType"].as_str().unwrap(),
                    e["search"]["mode"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            modes,
            [
                ("PractitionerRole", "match"),
                ("Organization", "include"),
                ("Practitioner", "include")
            ]
        );
        let search = parse(
            Kind::Practitioner,
            "_id=003-899900100003&_revinclude=PractitionerRole:practitioner",
        )
        .unwrap();
        let (bundle, _) = search.run(&d, "https://a.test/fhir/v2");
        assert_eq!(bundle["entry"].as_array().unwrap().len(), 3);
    }
}
