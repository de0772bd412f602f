//! Who an address is: the world's PER, ORG and APP mailboxes, the patients' Mon espace
//! santé mailboxes (`<INS>@patient.mssante.fr`), and everything outside the trust space.

use segur_core::world::{Opposition, World};
use serde::Serialize;

/// The domain of the patients' Mon espace santé mailboxes.
pub const PATIENT_DOMAIN: &str = "patient.mssante.fr";

/// The type of a mailbox (TRE_R257-TypeBAL), or a patient's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MailboxKind {
    /// A professional's personal mailbox.
    Per {
        /// The professional's world id.
        professional: String,
        /// Their national id (what a PSC token names).
        national_id: String,
    },
    /// A structure's organisational mailbox.
    Org {
        /// The structure's world id.
        structure: String,
    },
    /// A structure's applicative mailbox (software, reached by certificate).
    App {
        /// The structure's world id.
        structure: String,
        /// The structure's national id (the OU of its certificates).
        national_id: String,
    },
    /// A patient's Mon espace santé mailbox.
    Patient {
        /// The patient's world id.
        patient: String,
        /// The 15-character INS number.
        ins: String,
    },
}

impl MailboxKind {
    /// `PER`, `ORG`, `APP` or `PATIENT`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Per { .. } => "PER",
            Self::Org { .. } => "ORG",
            Self::App { .. } => "APP",
            Self::Patient { .. } => "PATIENT",
        }
    }
}

/// Where a recipient address leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A mailbox of the world that receives mail.
    Mailbox(MailboxKind),
    /// A patient address that cannot receive: the mail bounces (DSN) with this reason.
    PatientUnreachable(&'static str),
    /// Inside the trust space, but no such mailbox.
    Unknown,
    /// Not an MSSanté domain: refused with `550 5.7.1`.
    OutsideTrustSpace,
}

/// Whether `domain` belongs to the MSSanté trust space.
pub fn in_trust_space(domain: &str) -> bool {
    let domain = domain.to_ascii_lowercase();
    domain == "mssante.fr" || domain.ends_with(".mssante.fr")
}

/// Where `address` leads in `world`.
pub fn resolve(world: &World, address: &str) -> Route {
    let address = address.trim().to_ascii_lowercase();
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Route::OutsideTrustSpace;
    };
    if !in_trust_space(domain) {
        return Route::OutsideTrustSpace;
    }
    if domain == PATIENT_DOMAIN {
        return resolve_patient(world, local);
    }
    for p in &world.professionals {
        if p.mssante
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case(&address))
        {
            return Route::Mailbox(MailboxKind::Per {
                professional: p.id.clone(),
                national_id: p.national_id.clone(),
            });
        }
    }
    for s in &world.structures {
        if s.mssante_organisational
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&address))
        {
            return Route::Mailbox(MailboxKind::Org {
                structure: s.id.clone(),
            });
        }
        if s.mssante_applications
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&address))
        {
            return Route::Mailbox(MailboxKind::App {
                structure: s.id.clone(),
                national_id: s.national_id.clone(),
            });
        }
    }
    Route::Unknown
}

fn resolve_patient(world: &World, local: &str) -> Route {
    let Some(patient) = world.patients.iter().find(|p| {
        // Corsican INS carry 2A/2B: the address is compared without case.
        p.ins
            .as_ref()
            .is_some_and(|i| i.number().eq_ignore_ascii_case(local))
    }) else {
        return Route::Unknown;
    };
    if !patient.mes_activated {
        return Route::PatientUnreachable("the patient did not activate Mon espace santé");
    }
    if patient.oppositions.contains(&Opposition::Messaging) {
        return Route::PatientUnreachable(
            "the patient refused messages from professionals in Mon espace santé",
        );
    }
    Route::Mailbox(MailboxKind::Patient {
        patient: patient.id.clone(),
        ins: patient.ins.as_ref().map(|i| i.number()).unwrap_or_default(),
    })
}

/// The mailbox a professional (by national id) may open with a PSC token: their PER
/// mailbox, or an ORG mailbox of a structure they practise in.
pub fn professional_may_open(world: &World, national_id: &str, address: &str) -> bool {
    let Some(p) = world
        .professionals
        .iter()
        .find(|p| p.national_id == national_id)
    else {
        return false;
    };
    if p.mssante
        .as_deref()
        .is_some_and(|a| a.eq_ignore_ascii_case(address))
    {
        return true;
    }
    std::iter::once(&p.structure)
        .chain(&p.other_structures)
        .filter_map(|id| world.structures.iter().find(|s| &s.id == id))
        .any(|s| {
            s.mssante_organisational
                .iter()
                .any(|a| a.eq_ignore_ascii_case(address))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_resolve_as_the_trust_space_says() {
        let world = World::embedded().expect("embedded world");
        let cases: &[(&str, &str)] = &[
            ("jean.legrand@medecin.mssante.fr", "PER"),
            ("JEAN.LEGRAND@Medecin.MSSante.fr", "PER"),
            ("secretariat@cabinet-lilas.mssante.fr", "ORG"),
            ("lgc@cabinet-lilas.mssante.fr", "APP"),
            ("nobody@medecin.mssante.fr", "unknown"),
            ("someone@gmail.com", "outside"),
            ("no-at-sign", "outside"),
            ("279035121518989@patient.mssante.fr", "PATIENT"),
            ("180017512345660@patient.mssante.fr", "unknown"),
            // Corsican INS (adrtrois-dominique, 2A): written either case.
            ("297022A02077878@patient.mssante.fr", "PATIENT"),
            ("297022a02077878@patient.mssante.fr", "PATIENT"),
        ];
        for (address, expected) in cases {
            let got = match resolve(&world, address) {
                Route::Mailbox(kind) => kind.label().to_string(),
                Route::Unknown => "unknown".into(),
                Route::OutsideTrustSpace => "outside".into(),
                Route::PatientUnreachable(_) => "unreachable".into(),
            };
            assert_eq!(&got, expected, "{address}");
        }
    }

    #[test]
    fn patient_mailboxes_follow_activation_and_refusal() {
        let world = World::embedded().expect("embedded world");
        let number = |id: &str| {
            let p = world.patients.iter().find(|p| p.id == id).unwrap();
            format!("{}@{PATIENT_DOMAIN}", p.ins.as_ref().unwrap().number())
        };
        assert!(matches!(
            resolve(&world, &number("lambert-julie")),
            Route::Mailbox(MailboxKind::Patient { .. })
        ));
        assert!(matches!(
            resolve(&world, &number("moreau-andre")),
            Route::PatientUnreachable(why) if why.contains("activate")
        ));
        assert!(matches!(
            resolve(&world, &number("petit-louis")),
            Route::PatientUnreachable(why) if why.contains("refused")
        ));
    }
}
