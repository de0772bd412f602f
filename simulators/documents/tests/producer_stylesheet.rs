//! The bench's producer stylesheet renders what a reader must see: each ANS example made
//! self-presentable is transformed by an independent XSLT processor (`xsltproc`, Debian's
//! xsltproc; `.ci/run` installs it), and the HTML holds the title, and every section's
//! title and narrative text.

use std::process::Command;

use segur_documents::cda::presentation::{html_text, shown, wrap};

fn example(name: &str) -> String {
    let path = format!("{}/../../fixtures/cda/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn xsltproc_renders_every_section_of_a_self_presentable_example() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in [
        "VSM_1.4_2022.01.xml",
        "BIO-CR-BIO_2024.01_Microbiologie_V2.xml",
        "IMG_CR_IMG_2024.01.xml",
        "DOC_NON_STRUCTURE_CDA-R2-N1.xml",
    ] {
        let wrapped = wrap(&example(name)).expect("a ClinicalDocument");
        let file = dir.path().join(name);
        std::fs::write(&file, &wrapped).expect("write");
        let output = Command::new("xsltproc")
            .arg(&file)
            .arg(&file)
            .output()
            .expect("xsltproc (Debian package xsltproc) must be installed");
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let page = html_text(&String::from_utf8_lossy(&output.stdout));
        let expected = shown(wrapped.as_bytes(), None).expect("readable");
        assert!(page.contains(&expected.title), "{name}: title missing");
        for (title, text) in &expected.sections {
            assert!(
                page.contains(title.as_str()),
                "{name}: section {title:?} missing"
            );
            // The narrative's words, in order, whatever the markup between them.
            let words: Vec<&str> = text.split(' ').take(12).collect();
            assert!(
                page.contains(&words.join(" ")) || words.iter().all(|w| page.contains(w)),
                "{name}: narrative of {title:?} missing: {words:?}"
            );
        }
        if let Some(media) = &expected.media_type {
            assert!(page.contains(media.as_str()), "{name}: {media} missing");
        }
    }
}
