//! `segur-bench dossier` and `segur-bench verify` as a user runs them, on a real run: an
//! intact dossier is accepted; one byte changed in any file, a file removed or added, a
//! signature by another key, each is refused with the file named; a broken run folder or
//! zip is a clear error, never a panic, and nothing is written outside the output.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Output;

mod support;

use support::{bench, text};

/// A demo run of a few scenarios (INSi SOAP, PSC tokens, an MSSanté mail with IHE_XDM).
fn demo_run(tmp: &Path) -> PathBuf {
    support::demo(
        tmp,
        "runs",
        &["--tags", "@INS/va1.52 or @MSS/va1.01 or @PSC.08"],
    )
}

fn dossier(tmp: &Path, run: &Path, out: &Path, signer: Option<(&Path, &Path)>) -> Output {
    let mut command = bench();
    command
        .arg("dossier")
        .arg(run)
        .arg("-o")
        .arg(out)
        .arg("--pki-dir")
        .arg(tmp.join("pki"));
    if let Some((key, cert)) = signer {
        command.arg("--key").arg(key).arg("--cert").arg(cert);
    }
    command.output().expect("segur-bench dossier")
}

fn verify(tmp: &Path, zip: &Path) -> Output {
    bench()
        .arg("verify")
        .arg(zip)
        .arg("--pki-dir")
        .arg(tmp.join("pki"))
        .output()
        .expect("segur-bench verify")
}

fn entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).expect("zip")).expect("zip");
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).expect("entry");
            let name = f.name().expect("name").to_string();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).expect("read");
            (name, bytes)
        })
        .collect()
}

fn rewrite(zip: &Path, files: &[(String, Vec<u8>)]) {
    let mut out = zip::ZipWriter::new(std::fs::File::create(zip).expect("create"));
    for (name, bytes) in files {
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .expect("start");
        out.write_all(bytes).expect("write");
    }
    out.finish().expect("finish");
}

/// A PKI credential's key and chain files.
fn credential(tmp: &Path, name: &str) -> (PathBuf, PathBuf) {
    let index: serde_json::Value = serde_json::from_slice(
        &std::fs::read(tmp.join("pki").join("index.json")).expect("PKI index"),
    )
    .expect("index JSON");
    let entry = index["credentials"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == name))
        .expect("credential");
    let file = |k: &str| {
        tmp.join("pki")
            .join(entry["files"][k].as_str().expect("file"))
    };
    (file("key"), file("chain"))
}

#[test]
fn a_dossier_is_verified_and_every_tampering_is_named() {
    let tmp = tempfile::tempdir().expect("tmp");
    let run = demo_run(tmp.path());
    let zip = tmp.path().join("dossier.zip");
    let built = dossier(tmp.path(), &run, &zip, None);
    assert!(built.status.success(), "{}", text(&built));
    let intact = verify(tmp.path(), &zip);
    assert!(intact.status.success(), "{}", text(&intact));
    assert!(text(&intact).contains("intact"), "{}", text(&intact));

    let original = entries(&zip);
    let names: Vec<&str> = original.iter().map(|(n, _)| n.as_str()).collect();
    for required in [
        "manifest.json",
        "report.html",
        "SHA256SUMS",
        "SHA256SUMS.sig",
        "SIGNER.pem",
        "journal/journal.jsonl",
    ] {
        assert!(
            names.contains(&required),
            "{required} missing from {names:?}"
        );
    }
    let xdm = names
        .iter()
        .find(|n| n.starts_with("evidence/MSS/va1.01/") && n.ends_with("IHE_XDM.ZIP"))
        .expect("the mail's IHE_XDM archive among the evidence");
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("evidence/INS/va1.52/") && n.ends_with("insi-calls.csv"))
    );
    let pack = names
        .iter()
        .find(|n| n.starts_with("journal/blobs/"))
        .expect("a pack");

    let tampered = tmp.path().join("tampered.zip");
    // One byte changed in each kind of file.
    for target in [
        "manifest.json",
        "report.html",
        "journal/journal.jsonl",
        xdm,
        pack,
        "SHA256SUMS",
    ] {
        let files: Vec<(String, Vec<u8>)> = original
            .iter()
            .map(|(n, b)| {
                let mut b = b.clone();
                if n == target {
                    let at = b.len() / 2;
                    b[at] ^= 0x01;
                }
                (n.clone(), b)
            })
            .collect();
        rewrite(&tampered, &files);
        let out = verify(tmp.path(), &tampered);
        assert!(
            !out.status.success(),
            "{target} changed, yet: {}",
            text(&out)
        );
        assert!(
            text(&out).contains(target),
            "{target} not named: {}",
            text(&out)
        );
    }
    // A file removed, a file added.
    let without: Vec<_> = original.iter().filter(|(n, _)| n != xdm).cloned().collect();
    rewrite(&tampered, &without);
    let out = verify(tmp.path(), &tampered);
    assert!(
        !out.status.success() && text(&out).contains(&format!("{xdm}: removed")),
        "{}",
        text(&out)
    );
    let mut with = original.clone();
    with.push(("evidence/extra.txt".into(), b"added later".to_vec()));
    rewrite(&tampered, &with);
    let out = verify(tmp.path(), &tampered);
    assert!(
        !out.status.success() && text(&out).contains("evidence/extra.txt: added"),
        "{}",
        text(&out)
    );

    // Re-signed with another key: a certificate from outside the test PKI...
    let (key, cert) = credential(tmp.path(), "negative-unknown-ca");
    let other = tmp.path().join("other.zip");
    let built = dossier(tmp.path(), &run, &other, Some((&key, &cert)));
    assert!(built.status.success(), "{}", text(&built));
    let out = verify(tmp.path(), &other);
    assert!(
        !out.status.success() && text(&out).contains("SIGNER.pem"),
        "{}",
        text(&out)
    );
    // ...or its signature put in place of the original one.
    let other_sig = entries(&other)
        .into_iter()
        .find(|(n, _)| n == "SHA256SUMS.sig")
        .expect("signature");
    let swapped: Vec<_> = original
        .iter()
        .map(|(n, b)| {
            if n == "SHA256SUMS.sig" {
                other_sig.clone()
            } else {
                (n.clone(), b.clone())
            }
        })
        .collect();
    rewrite(&tampered, &swapped);
    let out = verify(tmp.path(), &tampered);
    assert!(
        !out.status.success() && text(&out).contains("SHA256SUMS.sig"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_report_is_well_formed_and_names_every_requirement() {
    let tmp = tempfile::tempdir().expect("tmp");
    let run = demo_run(tmp.path());
    let zip = tmp.path().join("dossier.zip");
    assert!(dossier(tmp.path(), &run, &zip, None).status.success());
    let files = entries(&zip);
    let html = files
        .iter()
        .find(|(n, _)| n == "report.html")
        .map(|(_, b)| String::from_utf8(b.clone()).expect("UTF-8"))
        .expect("report.html");
    let mut reader = quick_xml::Reader::from_str(&html);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "report.html is not well-formed at {}: {e}",
                reader.buffer_position()
            ),
        }
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("summary.json")).expect("summary"))
            .expect("JSON");
    let requirements = summary["requirements"].as_object().expect("requirements");
    assert!(requirements.len() >= 3);
    for id in requirements.keys() {
        assert!(
            html.contains(&format!("<td>{id}</td>")),
            "{id} not in the report"
        );
    }
    assert!(html.contains("http://www.w3.org/1999/xhtml") && !html.contains("<script"));
}

#[test]
fn broken_runs_and_zips_are_named_errors_and_nothing_is_written_outside() {
    let tmp = tempfile::tempdir().expect("tmp");
    let run = demo_run(tmp.path());

    // A run folder whose blob pack is gone.
    let no_blob = tmp.path().join("no-blob");
    copy_dir(&run, &no_blob);
    let blobs = no_blob.join("journal").join("blobs");
    for pack in std::fs::read_dir(&blobs).expect("blobs") {
        std::fs::remove_file(pack.expect("pack").path()).expect("remove");
    }
    let out_zip = tmp.path().join("out.zip");
    let out = dossier(tmp.path(), &no_blob, &out_zip, None);
    assert!(
        !out.status.success() && text(&out).contains("pack-000001.blob"),
        "{}",
        text(&out)
    );
    assert!(!out_zip.exists());

    // A journal cut in the middle of a line.
    let truncated = tmp.path().join("truncated");
    copy_dir(&run, &truncated);
    let journal = truncated.join("journal").join("journal.jsonl");
    let bytes = std::fs::read(&journal).expect("journal");
    std::fs::write(&journal, &bytes[..bytes.len() - 40]).expect("truncate");
    let out = dossier(tmp.path(), &truncated, &out_zip, None);
    assert!(
        !out.status.success() && text(&out).contains("journal.jsonl"),
        "{}",
        text(&out)
    );
    assert!(!out_zip.exists());

    // A zip whose entry climbs out of the folder.
    let evil = tmp.path().join("sub").join("evil.zip");
    std::fs::create_dir_all(evil.parent().expect("parent")).expect("dir");
    rewrite(&evil, &[("../escaped.txt".into(), b"x".to_vec())]);
    let out = verify(tmp.path(), &evil);
    assert!(
        !out.status.success() && text(&out).contains("../escaped.txt"),
        "{}",
        text(&out)
    );
    assert!(!tmp.path().join("escaped.txt").exists());

    // Not a zip at all.
    let junk = tmp.path().join("junk.zip");
    std::fs::write(&junk, b"not a zip").expect("junk");
    let out = verify(tmp.path(), &junk);
    assert!(
        !out.status.success() && text(&out).contains("junk.zip"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("panicked"), "{}", text(&out));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("read") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}
