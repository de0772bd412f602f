//! The world's data: what the TOML file holds, field by field.
//!
//! Every struct denies unknown fields so a typo in a world file is an error, not a silent
//! default.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ins::Ins;

/// The whole fictitious universe shared by the simulators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// Software ids the services accept.
    pub software: Software,
    /// Care structures (cabinets, hospitals, pharmacies, labs).
    #[serde(default)]
    pub structures: Vec<Structure>,
    /// Health professionals.
    #[serde(default)]
    pub professionals: Vec<Professional>,
    /// Patients, with their INS, DMP and mailbox state.
    #[serde(default)]
    pub patients: Vec<Patient>,
    /// OpenID Connect clients registered at Pro Santé Connect.
    #[serde(default)]
    pub oidc_clients: Vec<OidcClient>,
}

/// The LPS ids the national services accept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Software {
    /// INSi: CNDA authorisation numbers sent in `ContexteLPS/LPS/IDAM`.
    pub insi_idam: Vec<SoftwareId>,
    /// DMP: homologation numbers sent in the VIHF `LPS_ID_HOMOLOGATION_DMP`.
    pub dmp_homologation: Vec<SoftwareId>,
    /// MSSanté: product references from Convergence, sent in the `X-MSS-NIL` header.
    #[serde(default)]
    pub mssante_nil: Vec<SoftwareId>,
}

/// One accepted software id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoftwareId {
    /// The number as the LPS sends it.
    pub number: String,
    /// Which software it stands for, for reports.
    pub name: String,
}

/// A care structure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Structure {
    /// Key other entries refer to.
    pub id: String,
    /// Raison sociale.
    pub name: String,
    /// Structure national id (StructIdNat): `0`+ADELI, `1`+FINESS, `2`+SIREN, `3`+SIRET, `4`+RPPS-rang.
    pub national_id: String,
    /// FINESS number (9 characters), for establishments.
    #[serde(default)]
    pub finess: Option<String>,
    /// SIRET number (14 digits).
    #[serde(default)]
    pub siret: Option<String>,
    /// Activity sector `SAnn` (TRE_R02).
    pub activity_sector: String,
    /// Organisational MSSanté mailboxes (BAL ORG).
    #[serde(default)]
    pub mssante_organisational: Vec<String>,
    /// Applicative MSSanté mailboxes (BAL APP), reached with the structure's certificate.
    #[serde(default)]
    pub mssante_applications: Vec<String>,
}

/// A health professional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Professional {
    /// Key other entries refer to.
    pub id: String,
    /// National id: `8` followed by the RPPS number.
    pub national_id: String,
    /// `M` or `MME`.
    pub civility: String,
    /// Exercise title, e.g. `DR`.
    #[serde(default)]
    pub title: Option<String>,
    /// Family name.
    pub family_name: String,
    /// Given name.
    pub given_name: String,
    /// Profession (TRE_G15 code).
    pub profession: String,
    /// Specialty (TRE_R01 code); required for médecins.
    #[serde(default)]
    pub specialty: Option<String>,
    /// Section of the Ordre des pharmaciens (TRE_G05); required for pharmaciens.
    #[serde(default)]
    pub pharmacist_section: Option<String>,
    /// The structure they work in (a structure `id`): their first activity.
    pub structure: String,
    /// Other structures where they also practise: each is one more `activities` entry of
    /// their exercise in Pro Santé Connect's UserInfo.
    #[serde(default)]
    pub other_structures: Vec<String>,
    /// Login at Pro Santé Connect (the national id, or a BAS test account name).
    #[serde(default)]
    pub psc_login: Option<String>,
    /// Personal MSSanté mailbox (BAL PER).
    #[serde(default)]
    pub mssante: Option<String>,
}

/// A patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    /// Key other entries refer to.
    pub id: String,
    /// Where a published test identity comes from (CNDA case, TLSI fixture...); absent
    /// for the bench's own fictitious patients.
    #[serde(default)]
    pub source: Option<String>,
    /// Identity traits as INSi knows them.
    pub traits: Traits,
    /// The active INS; absent for a patient unknown to INSi.
    #[serde(default)]
    pub ins: Option<Ins>,
    /// The key of `ins` is wrong on purpose (as in CNDA test 2.08); the world refuses an
    /// inconsistent key unless this says so.
    #[serde(default)]
    pub ins_key_known_wrong: bool,
    /// Former INS, newest first.
    #[serde(default)]
    pub ins_history: Vec<HistoricIns>,
    /// What a Vitale card lookup needs.
    #[serde(default)]
    pub vitale: Option<Vitale>,
    /// State of the patient's DMP.
    #[serde(default)]
    pub dmp: Dmp,
    /// Oppositions the patient expressed.
    #[serde(default)]
    pub oppositions: Vec<Opposition>,
    /// Legal representatives of a minor (patient ids).
    #[serde(default)]
    pub legal_representatives: Vec<String>,
    /// Whether the patient activated Mon espace santé (and so has a reachable mailbox).
    #[serde(default = "yes")]
    pub mes_activated: bool,
    /// How INSi answers about this patient.
    #[serde(default)]
    pub insi: InsiBehaviour,
}

fn yes() -> bool {
    true
}

/// The INS traits ("traits stricts").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traits {
    /// Nom de naissance, upper case.
    pub birth_name: String,
    /// Birth first names in order, upper case; the first is the "premier prénom".
    pub first_names: Vec<String>,
    /// Nom utilisé, when different from the birth name.
    #[serde(default)]
    pub used_name: Option<String>,
    /// Prénom utilisé, when different from the first birth first name.
    #[serde(default)]
    pub used_first_name: Option<String>,
    /// `M`, `F` or `I` (indéterminé).
    pub sex: String,
    /// Birth date, possibly "lunar" (`00` day or month).
    pub birth_date: LunarDate,
    /// INSEE COG of the birth commune, or `99` + country code for a birth abroad.
    pub birthplace: String,
}

/// A former INS with its validity dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoricIns {
    /// The 13-character matricule.
    pub matricule: String,
    /// Its key.
    pub key: String,
    /// Its OID.
    pub oid: String,
    /// First day of validity, when INSi gives it.
    #[serde(default)]
    pub start: Option<String>,
    /// Last day of validity, when INSi gives it.
    #[serde(default)]
    pub end: Option<String>,
    /// The key is wrong on purpose (CNDA 2.08).
    #[serde(default)]
    pub key_known_wrong: bool,
}

impl HistoricIns {
    /// The INS part.
    pub fn ins(&self) -> Ins {
        Ins {
            matricule: self.matricule.clone(),
            key: self.key.clone(),
            oid: self.oid.clone(),
        }
    }
}

/// What a Vitale card carries for this patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vitale {
    /// NIR of the insured person who opens the rights ("ouvrant droit"), 13 characters.
    pub nir_od: String,
    /// Key of that NIR.
    pub nir_od_key: String,
    /// Birth rank among the beneficiaries (1 for the first).
    pub rank: u8,
}

/// A patient's DMP.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dmp {
    /// Absent, open or closed.
    #[serde(default)]
    pub state: DmpState,
    /// When it was opened.
    #[serde(default)]
    pub opened_on: Option<String>,
    /// When it was closed (closed DMPs only).
    #[serde(default)]
    pub closed_on: Option<String>,
    /// Why it was closed (closed DMPs only).
    #[serde(default)]
    pub closed_reason: Option<String>,
    /// Professionals the patient authorised (ids).
    #[serde(default)]
    pub authorised: Vec<String>,
    /// Professionals the patient blocked (ids).
    #[serde(default)]
    pub blocked: Vec<String>,
    /// The médecin traitant (a professional id).
    #[serde(default)]
    pub treating_doctor: Option<String>,
}

/// Whether the patient has a DMP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DmpState {
    /// Never created.
    #[default]
    Absent,
    /// Open and usable.
    Open,
    /// Closed: reading and feeding are refused.
    Closed,
}

/// An opposition the patient expressed on their DMP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Opposition {
    /// Opposes the feeding of the DMP by professionals.
    Feeding,
    /// Opposes consultation by professionals.
    Consultation,
    /// Opposes access in "bris de glace" mode.
    BreakGlass,
    /// Opposes access by the SAMU's Centre 15.
    Centre15,
    /// Refuses messages from professionals in the Mon espace santé mailbox: an operator
    /// bounces mail to their `@patient.mssante.fr` address.
    Messaging,
}

/// How INSi answers about a patient: the variants seen between the CNDA test answers and
/// the live qualification service (insi-psc.md §1.6), so a scenario can check that the
/// LPS copes with each. `style` sets the defaults; the other fields override one aspect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsiBehaviour {
    /// False: INSi has no record of this patient (answer `01`) even on exact traits.
    #[serde(default = "yes")]
    pub known: bool,
    /// `live` (as the qualification service answers) or `cnda` (as the CNDA files).
    #[serde(default)]
    pub style: InsiStyle,
    /// Whether `INSHISTO` repeats the active INS, as some CNDA answers do.
    #[serde(default)]
    pub repeat_active_in_history: bool,
    /// Namespace prefixes of the answer; default from `style`.
    #[serde(default)]
    pub prefixes: Option<InsiPrefixes>,
    /// Where `DateDeb`/`DateFin` of historical INS go; default from `style`.
    #[serde(default)]
    pub dates: Option<InsiDates>,
    /// Whether `TIQ/Prenom` (the first first name) is given; default from `style`
    /// (absent live, present in the CNDA files).
    #[serde(default)]
    pub tiq_first_name: Option<bool>,
    /// `TIQ` elements sent empty (`NomNaissance`, `Prenom`, `ListePrenom`, `Sexe`,
    /// `DateNaissance`, `LieuNaissance`): an LPS must not store an empty trait as if known.
    #[serde(default)]
    pub empty_traits: Vec<String>,
    /// `TIQ` elements left out altogether (the DMP kit's sample answer has no
    /// `ListePrenom`): the LPS must cope with a missing optional trait.
    #[serde(default)]
    pub absent_traits: Vec<String>,
}

/// The layout of an INSi answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InsiStyle {
    /// As the live qualification service answers.
    #[default]
    Live,
    /// As the CNDA test-case files are written.
    Cnda,
}

/// The namespace prefixes an INSi answer uses (all are the same XML to a correct parser).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InsiPrefixes {
    /// `env:Body`, `RESULTAT` in the default namespace (live qualification answers).
    Live,
    /// `S:Body`, `RESULTAT` in the default namespace (CNDA files).
    Cnda,
    /// `env:Body`, every `RESULTAT` element prefixed `ns2:` (DMP kit sample answer).
    Kit,
}

/// Where the validity dates of a historical INS are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsiDates {
    /// After `OID`, as the XSD says (live answers).
    AfterOid,
    /// Before `IdIndividu`, as the CNDA files do (this breaks the XSD order).
    CndaOrder,
    /// Not given.
    Absent,
}

impl Default for InsiBehaviour {
    fn default() -> Self {
        Self {
            known: true,
            style: InsiStyle::default(),
            repeat_active_in_history: false,
            prefixes: None,
            dates: None,
            tiq_first_name: None,
            empty_traits: Vec::new(),
            absent_traits: Vec::new(),
        }
    }
}

impl InsiBehaviour {
    /// The prefixes in effect.
    pub fn effective_prefixes(&self) -> InsiPrefixes {
        self.prefixes.unwrap_or(match self.style {
            InsiStyle::Live => InsiPrefixes::Live,
            InsiStyle::Cnda => InsiPrefixes::Cnda,
        })
    }

    /// The dates layout in effect.
    pub fn effective_dates(&self) -> InsiDates {
        self.dates.unwrap_or(match self.style {
            InsiStyle::Live => InsiDates::AfterOid,
            InsiStyle::Cnda => InsiDates::CndaOrder,
        })
    }

    /// Whether `TIQ/Prenom` is given.
    pub fn effective_tiq_first_name(&self) -> bool {
        self.tiq_first_name.unwrap_or(self.style == InsiStyle::Cnda)
    }
}

/// The `TIQ` elements, in XSD order: what `empty_traits` may name.
pub const TIQ_ELEMENTS: &[&str] = &[
    "NomNaissance",
    "Prenom",
    "ListePrenom",
    "Sexe",
    "DateNaissance",
    "LieuNaissance",
];

/// A client registered at Pro Santé Connect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcClient {
    /// `client_id`.
    pub client_id: String,
    /// Display name.
    pub name: String,
    /// Secret for `client_secret_basic` / `client_secret_post`; absent for mTLS-only clients.
    #[serde(default)]
    pub secret: Option<String>,
    /// Registered redirect URIs.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// The structure whose certificate authenticates it (`tls_client_auth`).
    #[serde(default)]
    pub structure: Option<String>,
    /// Whether it may use CIBA.
    #[serde(default)]
    pub ciba: bool,
    /// How it may authenticate at the token endpoint. Empty: what its credentials allow
    /// (`client_secret_basic` and `client_secret_post` with a secret, `tls_client_auth`
    /// with a structure).
    #[serde(default)]
    pub auth_methods: Vec<ClientAuthMethod>,
    /// How UserInfo answers it: JSON or a signed JWT (`application/jwt`).
    #[serde(default)]
    pub userinfo: UserinfoFormat,
    /// Whether it is a resource server (an API the LPS's tokens are presented to), which
    /// may introspect any token; another client may introspect only its own tokens.
    #[serde(default)]
    pub resource_server: bool,
}

impl OidcClient {
    /// The authentication methods it may use at the token endpoint.
    pub fn effective_auth_methods(&self) -> Vec<ClientAuthMethod> {
        if !self.auth_methods.is_empty() {
            return self.auth_methods.clone();
        }
        let mut methods = Vec::new();
        if self.secret.is_some() {
            methods.extend([
                ClientAuthMethod::ClientSecretBasic,
                ClientAuthMethod::ClientSecretPost,
            ]);
        }
        if self.structure.is_some() {
            methods.push(ClientAuthMethod::TlsClientAuth);
        }
        methods
    }
}

/// A client authentication method of OAuth 2.0 (RFC 6749 §2.3, RFC 8705).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthMethod {
    /// Client id and secret in HTTP Basic.
    ClientSecretBasic,
    /// Client id and secret in the form body.
    ClientSecretPost,
    /// The structure's certificate in mutual TLS (RFC 8705 PKI method).
    TlsClientAuth,
}

impl ClientAuthMethod {
    /// The registered name (`client_secret_basic`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::TlsClientAuth => "tls_client_auth",
        }
    }
}

/// What the UserInfo endpoint returns to a client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserinfoFormat {
    /// `application/json`.
    #[default]
    Json,
    /// `application/jwt`, signed with the realm key.
    Jwt,
}

/// A birth date in which the day or the month may be unknown (`00`), as INS traits allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LunarDate {
    /// Four-digit year.
    pub year: u16,
    /// 1-12, or 0 when unknown.
    pub month: u8,
    /// 1-31, or 0 when unknown.
    pub day: u8,
}

impl LunarDate {
    /// Whether the day or the month is unknown.
    pub fn is_lunar(&self) -> bool {
        self.month == 0 || self.day == 0
    }
}

impl FromStr for LunarDate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let shape =
            || format!("{s:?} is not a date YYYY-MM-DD (00 allowed for an unknown day or month)");
        let parts: Vec<&str> = s.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(shape());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(shape());
        }
        let year: u16 = y.parse().map_err(|_| shape())?;
        let month: u8 = m.parse().map_err(|_| shape())?;
        let day: u8 = d.parse().map_err(|_| shape())?;
        if month > 12 {
            return Err(format!("{s:?}: month {month} does not exist"));
        }
        if month == 0 && day != 0 {
            return Err(format!("{s:?}: a known day needs a known month"));
        }
        if month != 0 && day != 0 {
            let m = time::Month::try_from(month).map_err(|_| shape())?;
            time::Date::from_calendar_date(i32::from(year), m, day)
                .map_err(|_| format!("{s:?}: day {day} does not exist in that month"))?;
        }
        Ok(Self { year, month, day })
    }
}

impl fmt::Display for LunarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for LunarDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LunarDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lunar_dates_parse_and_print() {
        type Expected = Result<(u16, u8, u8), &'static str>;
        let table: &[(&str, Expected)] = &[
            ("1997-02-26", Ok((1997, 2, 26))),
            ("1950-00-00", Ok((1950, 0, 0))),
            ("1950-07-00", Ok((1950, 7, 0))),
            ("1950-00-12", Err("a known day needs a known month")),
            ("1950-13-01", Err("month 13 does not exist")),
            ("2023-02-29", Err("does not exist in that month")),
            ("1950-1-1", Err("is not a date")),
            ("19500101", Err("is not a date")),
        ];
        for (input, expected) in table {
            match (input.parse::<LunarDate>(), expected) {
                (Ok(d), Ok((y, m, day))) => {
                    assert_eq!((d.year, d.month, d.day), (*y, *m, *day));
                    assert_eq!(d.to_string(), *input);
                }
                (Err(e), Err(fragment)) => assert!(e.contains(fragment), "{input}: {e}"),
                (got, _) => panic!("{input}: unexpected {got:?}"),
            }
        }
        assert!("1950-00-00".parse::<LunarDate>().unwrap().is_lunar());
    }
}
