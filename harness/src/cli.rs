//! The command line.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// segur-bench plays the national services a French health software talks to (INSi, DMP,
/// MSSanté, Pro Santé Connect) on this machine, offline, checks every exchange against the
/// specifications and keeps tamper-evident evidence for the Ségur referencing dossier.
#[derive(Parser, Debug)]
#[command(
    name = "segur-bench",
    version,
    propagate_version = true,
    after_help = "\
Examples:
  segur-bench serve                          start every simulator and the control API
  segur-bench serve --port-base 0 --endpoints-file endpoints.json
                                             ephemeral ports, URLs written for your tests
  segur-bench pki show                       list the test certificates and their files
  segur-bench journal verify .segur-bench/journal/journal.jsonl

Logs go to stderr, filtered by RUST_LOG (e.g. RUST_LOG=debug)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the control API and every registered simulator, until Ctrl-C.
    Serve(ServeArgs),
    /// The test PKI: a fictitious IGC-Santé and the certificates to import in your software.
    #[command(subcommand)]
    Pki(PkiCommand),
    /// The journal of exchanges.
    #[command(subcommand)]
    Journal(JournalCommand),
    /// The fictitious world (patients, professionals, structures).
    #[command(subcommand)]
    World(WorldCommand),
}

/// Where the bench's files live.
#[derive(Args, Debug, Clone)]
pub struct WorldArg {
    /// World file (TOML) replacing the embedded default world.
    #[arg(long, value_name = "FILE", env = "SEGUR_BENCH_WORLD")]
    pub world: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub world: WorldArg,
    /// Address every listener binds to. Loopback by default: the simulators hold test
    /// credentials and accept anything a test sends.
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    pub bind: IpAddr,
    /// Control API port; each simulator listens at this base plus its own offset.
    /// 0 picks ephemeral ports for everything (read them from --endpoints-file).
    #[arg(long, default_value_t = 8440, value_name = "PORT")]
    pub port_base: u16,
    /// Write the endpoints as JSON to this file once every listener is ready:
    /// {"control": URL, "pki_dir": PATH, "services": {NAME: {ENDPOINT: URL}}}.
    #[arg(long, value_name = "FILE")]
    pub endpoints_file: Option<PathBuf>,
    /// Folder of the test PKI (created, or reused while still valid).
    #[arg(long, default_value = segur_core::pki::DEFAULT_DIR, value_name = "DIR")]
    pub pki_dir: PathBuf,
    /// Folder of the journal (continued if it verifies).
    #[arg(long, default_value = ".segur-bench/journal", value_name = "DIR")]
    pub journal_dir: PathBuf,
    /// INSi CPx door: `strict` refuses an assertion whose signature does not verify or
    /// whose certificate is not a card of the test PKI (as the real service refuses a bad
    /// signature); `lenient` journals the failure and answers anyway (rehearsing with a
    /// real test CPS card, which the bench cannot trust).
    #[arg(long, value_enum, default_value_t = SignatureMode::Strict, value_name = "MODE")]
    pub insi_signatures: SignatureMode,
    /// INSi verification operation (absent from the public WSDL): `search` answers the
    /// bench's action urn:ServiceIdentiteCertifiee:1.0.0:verifierInsAvecTraitsIdentite
    /// with a traits search and journals OK/KO against the INS supplied; `off` answers
    /// wsa:ActionNotSupported, as WSDL 1.5.0 would.
    #[arg(long, value_enum, default_value_t = VerifyMode::Search, value_name = "MODE")]
    pub insi_verify: VerifyMode,
    /// PSC access token lifetime in seconds (PSC: 120). Lifetimes follow the bench
    /// clock: `POST /api/v1/clock/advance` reaches an expiry without waiting.
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub psc_access_token: u64,
    /// PSC refresh token lifetime in seconds (PSC: 1800), never beyond the SSO session.
    #[arg(long, default_value_t = 1800, value_name = "SECONDS")]
    pub psc_refresh_token: u64,
    /// PSC SSO session maximum in seconds (PSC: 4 h = 14400).
    #[arg(long, default_value_t = 14400, value_name = "SECONDS")]
    pub psc_sso_max: u64,
    /// PSC SSO session idle limit in seconds (PSC: 30 min = 1800).
    #[arg(long, default_value_t = 1800, value_name = "SECONDS")]
    pub psc_sso_idle: u64,
}

/// How the INSi CPx door treats assertion signatures.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureMode {
    /// Refuse what does not verify (as the real service).
    Strict,
    /// Journal what does not verify, answer anyway.
    Lenient,
}

/// Whether the INSi verification operation is offered.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyMode {
    /// Verify = search by traits + compare with the INS supplied.
    Search,
    /// No verification operation (WSDL 1.5.0).
    Off,
}

#[derive(Subcommand, Debug)]
pub enum PkiCommand {
    /// Create the test PKI (or reuse it while it fits the world and stays valid).
    Init {
        #[command(flatten)]
        world: WorldArg,
        /// Folder to write it to.
        #[arg(long, default_value = segur_core::pki::DEFAULT_DIR, value_name = "DIR")]
        dir: PathBuf,
        /// Issue a new PKI even if the existing one is still good.
        #[arg(long)]
        force: bool,
    },
    /// List every credential: name, purpose, subject, validity, files.
    Show {
        /// Folder of the PKI.
        #[arg(long, default_value = segur_core::pki::DEFAULT_DIR, value_name = "DIR")]
        dir: PathBuf,
        /// Print index.json instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum JournalCommand {
    /// Re-check a journal's hash chain; exits 1 at the first edited, removed or truncated record.
    Verify {
        /// The journal file (journal.jsonl).
        #[arg(
            value_name = "FILE",
            default_value = ".segur-bench/journal/journal.jsonl"
        )]
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum WorldCommand {
    /// Check a world file and summarise it; exits 1 with every problem found.
    Check {
        #[command(flatten)]
        world: WorldArg,
    },
    /// Print the embedded default world (a starting point for your own).
    Default,
}
