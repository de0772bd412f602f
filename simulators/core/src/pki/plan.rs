//! Which credentials the bench needs, derived from the world: a server certificate per
//! service, an authentication and a signature certificate per structure, the INSi
//! `INSI-AUTO`/`INSI-MANU` certificates, a card-like certificate per professional, the
//! negative set every TLS endpoint must refuse, and two signature certificates (expired,
//! revoked) every signature check must refuse.

use serde::{Deserialize, Serialize};

use crate::world::World;

/// The services that get a server certificate (also their compose host names).
pub const SERVICES: &[&str] = &["insi", "dmp", "psc", "mssante", "annuaire", "control"];

/// What a credential is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// TLS server certificate of a simulated service.
    Server,
    /// A structure's authentication certificate (IGC-Santé ORG AUTH_CLI): mTLS clients.
    StructureAuthentication,
    /// A structure's signature certificate (ORG SIGN): signs the VIHF.
    StructureSignature,
    /// INSi client certificate (CN `INSI-AUTO` or `INSI-MANU`).
    InsiClient,
    /// A professional's card-like certificate (CPS).
    ProfessionalCard,
    /// Expired: every TLS endpoint must refuse it.
    NegativeExpired,
    /// Not yet valid.
    NegativeNotYetValid,
    /// Revoked, listed in the CRL.
    NegativeRevoked,
    /// Issued by a CA the bench does not trust.
    NegativeUnknownCa,
    /// A signature-only certificate presented for TLS client authentication.
    NegativeWrongUsage,
    /// Valid, but its CN is neither `INSI-AUTO` nor `INSI-MANU` (INSi answers DESIR_560).
    NegativeInsiCn,
    /// A signature certificate (`nonRepudiation`) of the first structure, expired: a
    /// VIHF or a submission set it signs must be refused for that reason alone.
    NegativeSignatureExpired,
    /// A signature certificate (`nonRepudiation`) of the first structure, revoked (in the
    /// CRL).
    NegativeSignatureRevoked,
}

impl Purpose {
    /// Whether it exists to be refused (by TLS, INSi or a signature check), so its
    /// dates need not be current for the PKI to be reused.
    pub fn is_negative(self) -> bool {
        self.tls_must_refuse() || self == Self::NegativeInsiCn
    }

    /// Whether a TLS endpoint must refuse this credential (the negative signature
    /// certificates too: they are no TLS client certificates, and expired or revoked).
    pub fn tls_must_refuse(self) -> bool {
        matches!(
            self,
            Self::NegativeExpired
                | Self::NegativeNotYetValid
                | Self::NegativeRevoked
                | Self::NegativeUnknownCa
                | Self::NegativeWrongUsage
                | Self::NegativeSignatureExpired
                | Self::NegativeSignatureRevoked
        )
    }
}

/// One credential to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// File stem and key in `index.json`.
    pub name: String,
    /// What it is for.
    pub purpose: Purpose,
    /// Subject common name.
    pub common_name: String,
    /// Subject organisation.
    pub organisation: String,
    /// Subject organisational unit (the structure's national id, as IGC-Santé puts it).
    pub unit: Option<String>,
    /// DNS names and IP addresses (server certificates).
    pub alt_names: Vec<String>,
}

fn planned(
    name: String,
    purpose: Purpose,
    common_name: String,
    organisation: &str,
    unit: Option<&str>,
) -> Planned {
    Planned {
        name,
        purpose,
        common_name,
        organisation: organisation.to_string(),
        unit: unit.map(str::to_string),
        alt_names: Vec::new(),
    }
}

/// Every credential the world needs, in a stable order.
pub fn plan(world: &World) -> Vec<Planned> {
    let mut out = Vec::new();
    for service in SERVICES {
        let mut p = planned(
            format!("server-{service}"),
            Purpose::Server,
            format!("{service}.segur-bench.test"),
            "segur-bench",
            None,
        );
        p.alt_names = vec![
            "localhost".into(),
            "127.0.0.1".into(),
            "::1".into(),
            (*service).into(),
        ];
        out.push(p);
    }
    for s in &world.structures {
        let unit = Some(s.national_id.as_str());
        for (suffix, purpose, common_name) in [
            ("auth", Purpose::StructureAuthentication, s.name.as_str()),
            ("sign", Purpose::StructureSignature, s.name.as_str()),
        ] {
            out.push(planned(
                format!("structure-{}-{suffix}", s.id),
                purpose,
                common_name.into(),
                &s.name,
                unit,
            ));
        }
        for (prefix, common_name) in [("insi-auto", "INSI-AUTO"), ("insi-manu", "INSI-MANU")] {
            out.push(planned(
                format!("{prefix}-{}", s.id),
                Purpose::InsiClient,
                common_name.into(),
                &s.name,
                unit,
            ));
        }
    }
    for p in &world.professionals {
        let structure = world.structure(&p.structure);
        let organisation = structure.map_or("segur-bench", |s| s.name.as_str());
        let unit = structure.map(|s| s.national_id.as_str());
        let cn = format!(
            "{}/{}/{}",
            p.national_id,
            p.family_name.to_uppercase(),
            p.given_name
        );
        out.push(planned(
            format!("card-{}", p.id),
            Purpose::ProfessionalCard,
            cn,
            organisation,
            unit,
        ));
    }
    let first = world.structures.first();
    let organisation = first.map_or("segur-bench", |s| s.name.as_str());
    let unit = first.map(|s| s.national_id.as_str());
    for (name, purpose, cn) in [
        (
            "negative-expired",
            Purpose::NegativeExpired,
            "NEGATIVE-EXPIRED",
        ),
        (
            "negative-not-yet-valid",
            Purpose::NegativeNotYetValid,
            "NEGATIVE-NOT-YET-VALID",
        ),
        (
            "negative-revoked",
            Purpose::NegativeRevoked,
            "NEGATIVE-REVOKED",
        ),
        (
            "negative-unknown-ca",
            Purpose::NegativeUnknownCa,
            "NEGATIVE-UNKNOWN-CA",
        ),
        (
            "negative-wrong-usage",
            Purpose::NegativeWrongUsage,
            "NEGATIVE-WRONG-USAGE",
        ),
        (
            "negative-insi-cn",
            Purpose::NegativeInsiCn,
            "INSI-AUTOMATIQUE",
        ),
        (
            "negative-sign-expired",
            Purpose::NegativeSignatureExpired,
            "NEGATIVE-SIGN-EXPIRED",
        ),
        (
            "negative-sign-revoked",
            Purpose::NegativeSignatureRevoked,
            "NEGATIVE-SIGN-REVOKED",
        ),
    ] {
        out.push(planned(name.into(), purpose, cn.into(), organisation, unit));
    }
    out
}
