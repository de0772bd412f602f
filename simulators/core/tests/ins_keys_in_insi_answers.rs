//! The INS key rule against the real INSi answers in `fixtures/insi/responses` (CNAM
//! qualification and CNDA test cases): every INS there computes its key, except the two of
//! CNDA test 2.08 cas 2, which are wrong on purpose; and the default world agrees with them.

use std::path::PathBuf;

use segur_core::world::World;
use segur_core::world::ins::key_of;

fn answers() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/insi/responses");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "fixtures missing in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

/// Text of every `<tag>…</tag>` or `<ns:tag>…</ns:tag>` in a document.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let Some(end) = rest.find('>') else { break };
        let name = &rest[..end];
        let local = name.rsplit(':').next().unwrap_or(name);
        if !name.starts_with('/') && local == tag {
            let text = &rest[end + 1..];
            out.push(&text[..text.find('<').unwrap_or(text.len())]);
        }
    }
    out
}

#[test]
fn every_ins_in_the_insi_answers_computes_its_key_except_cnda_2_08_cas_2() {
    let mut checked = 0;
    for (file, xml) in answers() {
        let numbers = elements(&xml, "NumIdentifiant");
        let keys = elements(&xml, "Cle");
        assert_eq!(numbers.len(), keys.len(), "{file}");
        for (number, key) in numbers.iter().zip(&keys) {
            let computed = key_of(number).unwrap_or_else(|e| panic!("{file}: {number}: {e}"));
            let deliberate = file == "TEST_2.08_cas2.xml";
            assert_eq!(
                computed != *key,
                deliberate,
                "{file}: {number} key {key}, computes to {computed}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 12, "only {checked} INS checked");
}

#[test]
fn the_default_world_carries_the_ins_of_the_insi_answers() {
    let world = World::embedded().unwrap();
    let mut found = 0;
    for (file, xml) in answers() {
        let numbers = elements(&xml, "NumIdentifiant");
        let keys = elements(&xml, "Cle");
        if let (Some(number), Some(key)) = (numbers.first(), keys.first()) {
            let patient = world
                .patient_by_ins(number)
                .unwrap_or_else(|| panic!("{file}: INS {number} is not in the default world"));
            assert_eq!(patient.ins.as_ref().unwrap().key, *key, "{file}");
            found += 1;
        }
    }
    assert!(found >= 8, "{found}");
}
