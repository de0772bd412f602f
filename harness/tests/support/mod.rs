//! What the command-line tests share: the binary, its output, a demo run.

#![allow(dead_code)] // Each test file uses its own part.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `segur-bench`, run from the project's root (where `features/` is).
pub fn bench() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_segur-bench"));
    command.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    command
}

/// Stdout then stderr, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `segur-bench demo` with `args` into `tmp/<name>/` (the PKI in `tmp/pki`), which
/// must pass; its run folder.
pub fn demo(tmp: &Path, name: &str, args: &[&str]) -> PathBuf {
    let (run, output) = demo_any(tmp, name, args);
    assert!(output.status.success(), "{}", text(&output));
    run
}

/// As [`demo`], whatever the scenarios' verdicts: the run folder and the command's output.
pub fn demo_any(tmp: &Path, name: &str, args: &[&str]) -> (PathBuf, Output) {
    let runs = tmp.join(name);
    let output = bench()
        .arg("demo")
        .args(args)
        .arg("--runs-dir")
        .arg(&runs)
        .arg("--pki-dir")
        .arg(tmp.join("pki"))
        .output()
        .expect("segur-bench demo");
    let run = std::fs::read_dir(&runs)
        .unwrap_or_else(|e| panic!("{}: {e}\n{}", runs.display(), text(&output)))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_dir())
        .expect("a run folder");
    (run, output)
}
