//! World tests: the default world loads and covers every case the scenarios need; each
//! bad file in `testdata/bad/` is refused with a message naming the file, entry and field.

use std::collections::HashSet;
use std::path::PathBuf;

use super::ins::{InsOidKind, OID_NIA};
use super::*;

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/world/testdata")
        .join(name)
}

#[test]
fn the_minimal_world_loads() {
    let world = World::load(&testdata("minimal.toml")).unwrap();
    assert_eq!(world.patients.len(), 1);
}

/// (file, fragments the message must contain).
const BAD_WORLDS: &[(&str, &[&str])] = &[
    (
        "missing_field.toml",
        &[
            "missing_field.toml",
            "missing field `family_name`",
            "professionals",
        ],
    ),
    (
        "unknown_field.toml",
        &["unknown_field.toml", "unknown field `civilty`"],
    ),
    (
        "wrong_key.toml",
        &[
            "wrong_key.toml",
            "patients[0] \"zoe\"",
            "field `ins.key`",
            "wrong key \"44\"",
            "computes to 43",
        ],
    ),
    (
        "unknown_profession.toml",
        &[
            "professionals[0] \"doc\"",
            "field `profession`",
            "unknown profession code \"17\"",
        ],
    ),
    (
        "duplicate_ins.toml",
        &[
            "patients[1] \"zoe-bis\"",
            "field `ins`",
            "duplicate INS 2751263220101",
            "\"zoe\"",
        ],
    ),
    (
        "production_oid.toml",
        &[
            "patients[0] \"zoe\"",
            "field `ins.oid`",
            "production OID 1.2.250.1.213.1.4.8",
            "1.2.250.1.213.1.4.10",
        ],
    ),
    (
        "production_rpps.toml",
        &[
            "professionals[0] \"doc\"",
            "field `national_id`",
            "looks like a production RPPS",
        ],
    ),
    (
        "dangling_reference.toml",
        &[
            "professionals[0] \"doc\"",
            "field `structure`",
            "unknown structure \"cabinet\"",
        ],
    ),
    (
        "closed_dmp_without_date.toml",
        &["patients[0] \"zoe\"", "field `dmp.closed_on`"],
    ),
    (
        "bad_lunar_date.toml",
        &["bad_lunar_date.toml", "a known day needs a known month"],
    ),
];

#[test]
fn each_bad_world_is_refused_with_a_message_that_points_at_the_mistake() {
    for (file, fragments) in BAD_WORLDS {
        let err = World::load(&testdata(&format!("bad/{file}")))
            .expect_err(file)
            .to_string();
        for fragment in *fragments {
            assert!(
                err.contains(fragment),
                "{file}: {fragment:?} not in:\n{err}"
            );
        }
    }
}

#[test]
fn a_missing_file_is_named() {
    let err = World::load(&testdata("nope.toml")).unwrap_err().to_string();
    assert!(
        err.contains("nope.toml") && err.contains("cannot read"),
        "{err}"
    );
}

fn default_world() -> World {
    World::embedded().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_default_world_is_big_enough() {
    let w = default_world();
    assert!(w.patients.len() >= 30, "{} patients", w.patients.len());
    assert!(w.professionals.len() >= 10);
    assert!(w.structures.len() >= 4);
    let professions: HashSet<&str> = w
        .professionals
        .iter()
        .map(|p| p.profession.as_str())
        .collect();
    for code in ["10", "21", "40", "50", "60", "70"] {
        assert!(
            professions.contains(code),
            "no professional with profession {code}"
        );
    }
    let specialties: HashSet<&str> = w
        .professionals
        .iter()
        .filter_map(|p| p.specialty.as_deref())
        .collect();
    assert!(
        specialties.contains("SM26") && specialties.len() >= 2,
        "a GP and a specialist"
    );
    let sectors: HashSet<&str> = w
        .structures
        .iter()
        .map(|s| s.activity_sector.as_str())
        .collect();
    for sector in ["SA01", "SA25"] {
        assert!(sectors.contains(sector), "hospital and lab");
    }
    assert!(w.structures.iter().any(|s| s.finess.is_some()));
}

/// The published identities of insi-psc.md §1.8 with their real traits and INS.
#[test]
fn the_default_world_holds_the_published_test_identities() {
    let w = default_world();
    let published: &[(&str, &str, &str, &str, &str, &str)] = &[
        (
            "ADRTROIS",
            "DOMINIQUE",
            "1997-02-26",
            "2A020",
            "297022A020778",
            "78",
        ),
        (
            "ADRTROIS",
            "TOUSSAINT",
            "1960-01-01",
            "2B020",
            "160012B020777",
            "13",
        ),
        (
            "TCHITCHI",
            "CATARINA",
            "1936-06-21",
            "63220",
            "2360663220836",
            "56",
        ),
        (
            "ECETINSI",
            "PIERRE-ALAIN",
            "2009-07-14",
            "63220",
            "1090763220834",
            "89",
        ),
        (
            "PROVISOIRE",
            "MATRICULE",
            "2009-07-01",
            "63220",
            "1090763220888",
            "35",
        ),
        (
            "CORSE",
            "ANTHONY",
            "1980-03-02",
            "2B020",
            "180032B020401",
            "23",
        ),
        (
            "HERMANN",
            "GATIEN",
            "1981-03-24",
            "63220",
            "1810363220456",
            "60",
        ),
    ];
    for (name, first, date, place, matricule, key) in published {
        let p = w
            .patients
            .iter()
            .find(|p| p.traits.birth_name == *name && p.traits.first_names[0] == *first)
            .unwrap_or_else(|| panic!("{name} {first} missing"));
        assert_eq!(p.traits.birth_date.to_string(), *date);
        assert_eq!(p.traits.birthplace, *place);
        let ins = p.ins.as_ref().unwrap();
        assert_eq!(
            (ins.matricule.as_str(), ins.key.as_str()),
            (*matricule, *key)
        );
    }
    for (name, first) in [
        ("ADRUN", "ZOE"),
        ("NESSI", "MICHELANGELO"),
        ("PATB-QUATRE", "LAURENCE"),
    ] {
        assert!(
            w.patients
                .iter()
                .any(|p| p.traits.birth_name == name && p.traits.first_names[0] == first)
        );
    }
    assert!(w.patients.iter().any(|p| p.traits.birth_name == "HOUILLES"));
    assert!(w.patients.iter().any(|p| p.traits.birth_name == "ADRDEUX"));
}

#[test]
fn the_default_world_covers_every_case() {
    let w = default_world();
    let any = |what: &str, f: &dyn Fn(&Patient) -> bool| {
        assert!(w.patients.iter().any(f), "no patient for: {what}");
    };
    any("Corsica 2A", &|p| p.traits.birthplace.starts_with("2A"));
    any("Corsica 2B", &|p| p.traits.birthplace.starts_with("2B"));
    any("born abroad", &|p| p.traits.birthplace.starts_with("99"));
    any("hyphen", &|p| {
        p.traits
            .first_names
            .iter()
            .chain([&p.traits.birth_name])
            .any(|n| n.contains('-') && !n.contains("--"))
    });
    any("double hyphen", &|p| p.traits.birth_name.contains("--"));
    any("apostrophe", &|p| p.traits.birth_name.contains('\''));
    any("space in a name", &|p| p.traits.birth_name.contains(' '));
    any("several first names", &|p| p.traits.first_names.len() > 1);
    any("lunar birth date", &|p| p.traits.birth_date.is_lunar());
    any("NIA", &|p| p.ins.as_ref().is_some_and(|i| i.oid == OID_NIA));
    any("INS with history", &|p| !p.ins_history.is_empty());
    any("wrong key", &|p| {
        p.ins.as_ref().is_some_and(|i| !i.key_is_consistent())
    });
    any("no DMP", &|p| p.dmp.state == DmpState::Absent);
    any("closed DMP", &|p| p.dmp.state == DmpState::Closed);
    for opposition in [
        Opposition::Feeding,
        Opposition::Consultation,
        Opposition::BreakGlass,
        Opposition::Centre15,
        Opposition::Messaging,
    ] {
        any(&format!("{opposition:?}"), &|p| {
            p.oppositions.contains(&opposition)
        });
    }
    any("minor with legal representatives", &|p| {
        p.traits.birth_date.year >= 2009 && !p.legal_representatives.is_empty()
    });
    any("did not activate Mon espace santé", &|p| !p.mes_activated);
    any("blocked professional", &|p| !p.dmp.blocked.is_empty());
    any("unknown to INSi", &|p| !p.insi.known);
    // Homonyms: two patients share birth name, first first name, sex and birth date.
    let mut seen = HashSet::new();
    let homonyms = w.patients.iter().any(|p| {
        let t = &p.traits;
        !seen.insert((
            t.birth_name.clone(),
            t.first_names[0].clone(),
            t.sex.clone(),
            t.birth_date,
        ))
    });
    assert!(homonyms, "no homonyms for INSi code 02");
    // Every fictitious INS uses a test OID.
    for p in w.patients.iter().filter(|p| p.source.is_none()) {
        if let Some(ins) = &p.ins {
            assert_eq!(InsOidKind::of(&ins.oid), Some(InsOidKind::Test), "{}", p.id);
        }
    }
}

#[test]
fn changes_are_checked_and_refused_changes_leave_the_world_alone() {
    let mut w = default_world();
    let before = w.clone();
    let closed = Dmp {
        state: DmpState::Closed,
        closed_on: Some("2026-01-01".into()),
        closed_reason: Some("Décès".into()),
        ..w.patient("petit-louis").unwrap().dmp.clone()
    };
    w.change_patient(
        "petit-louis",
        PatientChange {
            dmp: Some(closed),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        w.patient("petit-louis").unwrap().dmp.state,
        DmpState::Closed
    );

    let mut w2 = before.clone();
    let bad = Dmp {
        blocked: vec!["nobody".into()],
        ..before.patient("roux-claire").unwrap().dmp.clone()
    };
    let err = w2
        .change_patient(
            "roux-claire",
            PatientChange {
                dmp: Some(bad),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("unknown professional \"nobody\""),
        "{err}"
    );
    assert_eq!(w2, before);
    assert_eq!(
        w2.change_patient("nobody", PatientChange::default()),
        Err(ChangeError::UnknownPatient("nobody".into()))
    );
}

#[test]
fn lookups() {
    let w = default_world();
    assert_eq!(
        w.patient_by_ins("297022A020778").unwrap().id,
        "adrtrois-dominique"
    );
    assert_eq!(
        w.patient_by_ins("297022A02077878").unwrap().id,
        "adrtrois-dominique"
    );
    assert_eq!(
        w.professional_by_national_id("899900100001").unwrap().id,
        "dr-legrand"
    );
    assert!(w.structure("ch-valbourg").is_some());
}
