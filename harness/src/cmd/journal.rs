//! `segur-bench journal verify`.

use std::process::ExitCode;

use anyhow::Context;
use segur_core::journal::verify_file;

use crate::cli::JournalCommand;

pub fn run(command: JournalCommand) -> anyhow::Result<ExitCode> {
    match command {
        JournalCommand::Verify { file } => {
            let report =
                verify_file(&file).with_context(|| format!("reading {}", file.display()))?;
            match &report.problem {
                None => {
                    println!(
                        "{}: {} records, chain intact, head {}",
                        file.display(),
                        report.records,
                        report.head
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(problem) => {
                    println!(
                        "{}: BROKEN after {} good records: {problem}",
                        file.display(),
                        report.records
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
