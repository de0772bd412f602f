//! One module per command.

mod checklist;
mod demo;
mod dossier;
mod journal;
mod pki;
mod recheck;
mod run;
mod serve;
mod world;

use std::process::ExitCode;

use anyhow::Context;
use segur_core::world::World;

use crate::cli::{Cli, Command, WorldArg};

/// Runs a command.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Pki(command) => pki::run(command),
        Command::Journal(command) => journal::run(command),
        Command::World(command) => world::run(command),
        Command::Dossier(args) => dossier::build(args),
        Command::Verify(args) => dossier::verify(args),
        Command::Checklist(args) => checklist::run(args),
        Command::Recheck(args) => recheck::run(args),
    }
}

/// The world named on the command line, or the embedded default.
pub fn load_world(arg: &WorldArg) -> anyhow::Result<World> {
    match &arg.world {
        Some(path) => World::load(path).context("loading the world"),
        None => World::embedded().context("loading the embedded world"),
    }
}

/// Prints to stdout; a closed pipe (`segur-bench pki show | head`) ends quietly.
pub fn print_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
