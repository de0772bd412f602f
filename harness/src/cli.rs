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
  segur-bench demo                           the whole suite against the built-in reference LPS
  segur-bench run --driver http://127.0.0.1:8700 --couloir LGC
                                             your software behind driver protocol v1 (harness/DRIVER.md)
  segur-bench run --driver-cmd \"my-lps --driver-stdio\" --tags '@INS/va1.52'
  segur-bench run --manual --name 'Recherche par traits'
                                             you perform each action; answers become attestations
  segur-bench serve                          start every simulator and the control API
  segur-bench serve --port-base 0 --endpoints-file endpoints.json
                                             ephemeral ports, URLs written for your tests
  segur-bench pki show                       list the test certificates and their files
  segur-bench journal verify .segur-bench/journal/journal.jsonl
  segur-bench dossier runs/<run> -o dossier.zip   sealed evidence of a run
  segur-bench verify dossier.zip                   what changed since it was sealed
  segur-bench checklist --couloir LGC --vague 2    what the bench covers, what stays outside
  segur-bench recheck runs/<run>                   today's rules on a recorded run

Logs go to stderr, filtered by RUST_LOG (e.g. RUST_LOG=debug)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the REM scenarios against your software through a driver.
    Run(RunArgs),
    /// Run every shipped scenario against the built-in reference LPS, with a summary.
    Demo(DemoArgs),
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
    /// Package a run folder as a sealed evidence dossier (zip), for the referencing file.
    Dossier(DossierArgs),
    /// Check a dossier: signature, every file's hash, the journal's chain and bodies.
    Verify(VerifyArgs),
    /// Every REM requirement of a couloir with its coverage by the bench, as CSV and HTML.
    Checklist(ChecklistArgs),
    /// Re-run today's rules on a recorded run (folder or dossier) and list what differs.
    Recheck(RecheckArgs),
}

#[derive(Args, Debug)]
#[command(after_help = "\
Re-checked today: the MSSanté operator's checks of every submitted message (X-MSS-*
headers, IHE_XDM and its CDA, recipients and visibility, threading), and the DMP's checks
of every VIHF (attributes, NameID, patient, validity at the record's time, signature and
its certificate, with the test PKI of --pki-dir). Exchanges whose rules depend on the
session's state at the time (tokens, DMP records, INSi's answers) are counted, not re-run.
Exit code 0 when nothing differs, 1 otherwise.

Examples:
  segur-bench recheck runs/20261122T221049-ef1add
  segur-bench recheck dossier.zip --world my-world.toml")]
pub struct RecheckArgs {
    /// A run folder, or a dossier zip (verified first).
    #[arg(value_name = "RUN_DIR|FILE.zip")]
    pub input: PathBuf,
    /// Folder of the test PKI that signed the run's VIHFs.
    #[arg(long, default_value = segur_core::pki::DEFAULT_DIR, value_name = "DIR")]
    pub pki_dir: PathBuf,
    #[command(flatten)]
    pub world: WorldArg,
}

#[derive(Args, Debug)]
#[command(after_help = "\
Requirements come from fixtures/rem/requirements-ids.csv (the ANS REM workbooks); obsolete
ones are left out. Coverage: `scenario` when a feature under --features is tagged with the
requirement id (with the run's verdict when --run is given), `outside` when its evidence
stays outside the bench (CNDA certificate, pentest form, video...).

Examples:
  segur-bench checklist --couloir LGC
  segur-bench checklist --couloir DPI --vague 2 --profile Général --run runs/<run> -o out/")]
pub struct ChecklistArgs {
    /// The couloir (REM): LGC, DPI, PFI, BIO, RIS, DB.
    #[arg(long, value_name = "COULOIR")]
    pub couloir: String,
    /// Only the requirements of this vague (1 or 2).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=2))]
    pub vague: Option<u8>,
    /// Only these profiles (repeatable), e.g. 'Général', 'BAL PER-ORG'.
    #[arg(long = "profile", value_name = "PROFILE")]
    pub profiles: Vec<String>,
    /// A run folder whose verdicts fill the checklist.
    #[arg(long, value_name = "RUN_DIR")]
    pub run: Option<PathBuf>,
    /// The scenarios that count as coverage.
    #[arg(long, default_value = "features", value_name = "DIR")]
    pub features: PathBuf,
    /// Where checklist-<COULOIR>.csv and .html are written.
    #[arg(short, long, default_value = ".", value_name = "DIR")]
    pub output_dir: PathBuf,
}

#[derive(Args, Debug)]
#[command(after_help = "\
The zip holds manifest.json (bench, scenarios and world fingerprints, the software, the
times, each requirement's verdict, scenarios, exchanges and evidence files), the run's
reports (summary.json, junit.xml, cucumber.json, messages.ndjson), the journal and its
blobs, evidence/<requirement>/<evidence id>/ (SOAP messages, mail sources, IHE_XDM archives,
token exchanges, insi-calls.csv, attested screenshots), checklist/ (per couloir of the run),
report.html (in French, self-contained), SHA256SUMS, SHA256SUMS.sig and SIGNER.pem.

Examples:
  segur-bench dossier runs/20261122T221049-ef1add -o dossier.zip
  segur-bench dossier runs/… -o dossier.zip --key my-key.pem --cert my-chain.pem")]
pub struct DossierArgs {
    /// The run folder (`runs/<time>-<id>`).
    #[arg(value_name = "RUN_DIR")]
    pub run_dir: PathBuf,
    /// The zip to write (replaced if it exists).
    #[arg(short, long, value_name = "FILE.zip")]
    pub output: PathBuf,
    /// The signer's private key (PKCS#8 PEM, ECDSA P-256 or RSA); default: the test PKI's first
    /// structure signature certificate.
    #[arg(long, value_name = "KEY.pem", requires = "cert")]
    pub key: Option<PathBuf>,
    /// The signer's certificate chain (PEM, leaf first).
    #[arg(long, value_name = "CHAIN.pem", requires = "key")]
    pub cert: Option<PathBuf>,
    /// Folder of the test PKI.
    #[arg(long, default_value = segur_core::pki::DEFAULT_DIR, value_name = "DIR")]
    pub pki_dir: PathBuf,
}

#[derive(Args, Debug)]
#[command(after_help = "\
Exit code 0 when the dossier is intact, 1 with the list of what changed otherwise.

Examples:
  segur-bench verify dossier.zip
  segur-bench verify dossier.zip --signer-sha256 3f2a…   (a signer outside the test PKI)")]
pub struct VerifyArgs {
    /// The dossier.
    #[arg(value_name = "FILE.zip")]
    pub dossier: PathBuf,
    /// Trust only the signer certificate with this SHA-256 (hex of its DER) instead of the
    /// test PKI.
    #[arg(long, value_name = "HEX")]
    pub signer_sha256: Option<String>,
    /// Folder of the test PKI whose certificates are trusted.
    #[arg(long, default_value = segur_core::pki::DEFAULT_DIR, value_name = "DIR")]
    pub pki_dir: PathBuf,
}

/// Where the bench's files live.
#[derive(Args, Debug, Clone)]
pub struct WorldArg {
    /// World file (TOML) replacing the embedded default world.
    #[arg(long, value_name = "FILE", env = "SEGUR_BENCH_WORLD")]
    pub world: Option<PathBuf>,
}

/// What to run and where the results go (shared by `run` and `demo`).
#[derive(Args, Debug, Clone)]
pub struct SelectArgs {
    /// Only scenarios tagged with this couloir (LGC, DPI, PFI, LGO, SGL, BIO, RIS, DUI, DB).
    #[arg(long, value_name = "COULOIR")]
    pub couloir: Option<String>,
    /// Only scenarios matching this tag expression, e.g. '@INS/va1.52 or @PSC.01', 'not @CIBA'.
    #[arg(long, value_name = "EXPR")]
    pub tags: Option<String>,
    /// Only scenarios whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// Exit non-zero when a scenario is skipped (the software lacks a function), not only
    /// when one fails: for a CI that must play every scenario it selects.
    #[arg(long)]
    pub fail_on_skip: bool,
    /// Folder where each run gets its own folder (`<time>-<id>/`).
    #[arg(long, default_value = "runs", value_name = "DIR")]
    pub runs_dir: PathBuf,
    /// Scenarios at once (each with its own simulators on ephemeral ports).
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub parallel: usize,
    /// Folder of the test PKI (created, or reused while still valid).
    #[arg(long, default_value = segur_core::pki::DEFAULT_DIR, value_name = "DIR")]
    pub pki_dir: PathBuf,
    /// Keys of the software's credentials: `rsa-2048` as IGC-Santé issues them (a PKI of
    /// the other kind in the folder is issued again).
    #[arg(long, value_enum, default_value_t = PkiKeys::EcdsaP256, value_name = "KEYS")]
    pub pki_keys: PkiKeys,
    /// World id of the structure the software is installed in.
    #[arg(long, default_value = "cabinet-lilas", value_name = "ID")]
    pub structure: String,
    /// Do not record this rule's findings (repeatable), as a bench without it would run;
    /// the run says so, and `segur-bench recheck` shows what the rule changes.
    #[arg(long = "disable-rule", value_name = "RULE")]
    pub disable_rules: Vec<String>,
    /// The software's PSC client registration (an `oidc_clients` entry of the world).
    #[arg(
        long,
        default_value = "segur-bench-reference-lps",
        value_name = "CLIENT_ID"
    )]
    pub psc_client: String,
    #[command(flatten)]
    pub world: WorldArg,
}

/// How to reach the software under test: exactly one (none with `--list`).
#[derive(Args, Debug, Clone)]
#[group(required = false, multiple = false)]
pub struct DriverArgs {
    /// The software's driver endpoint: the harness POSTs each action to URL/v1/actions.
    #[arg(long, value_name = "URL")]
    pub driver: Option<String>,
    /// A command the harness spawns (through sh -c), one JSON request per line on its
    /// stdin, one reply per line on its stdout.
    #[arg(long, value_name = "CMD")]
    pub driver_cmd: Option<String>,
    /// A person performs each action; the harness prints the instruction in French,
    /// shows the exchanges as they arrive, reads the answers from stdin and records them
    /// as attestations.
    #[arg(long)]
    pub manual: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Feature files or folders (default: features/).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print the scenarios the selection (paths, --couloir, --tags, --name) would run,
    /// one per line with its file, line and tags, and stop: no driver, no simulator.
    #[arg(long)]
    pub list: bool,
    #[command(flatten)]
    pub driver: DriverArgs,
    /// Use the simulators of a running `segur-bench serve` at this control URL instead of
    /// starting them: scenarios run one at a time, the bench is reset between them. For a
    /// software configured once, by hand, with the fixed endpoints `serve` prints.
    #[arg(long, value_name = "URL")]
    pub control_url: Option<String>,
    #[command(flatten)]
    pub select: SelectArgs,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Turn on a catalogued defect of the reference LPS (repeatable; see
    /// reference-lps/DEFECTS.md) and watch the scenarios catch it.
    #[arg(long = "defect", value_name = "NAME")]
    pub defects: Vec<String>,
    #[command(flatten)]
    pub select: SelectArgs,
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
    /// Keys of the software's credentials: `rsa-2048` as IGC-Santé issues them (a PKI of
    /// the other kind in the folder is issued again).
    #[arg(long, value_enum, default_value_t = PkiKeys::EcdsaP256, value_name = "KEYS")]
    pub pki_keys: PkiKeys,
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

/// The keys of the test PKI's credentials for the software (structures, INSi, cards).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PkiKeys {
    /// ECDSA P-256 (small, fast; what every TLS stack of this decade reads).
    #[default]
    EcdsaP256,
    /// RSA-2048, as IGC-Santé issues them (for a software whose crypto is RSA only).
    #[value(name = "rsa-2048")]
    Rsa2048,
}

impl From<PkiKeys> for segur_core::pki::KeyAlgorithm {
    fn from(keys: PkiKeys) -> Self {
        match keys {
            PkiKeys::EcdsaP256 => Self::EcdsaP256,
            PkiKeys::Rsa2048 => Self::Rsa2048,
        }
    }
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
        /// Keys of the software's credentials: `rsa-2048` as IGC-Santé issues them.
        #[arg(long, value_enum, default_value_t = PkiKeys::EcdsaP256, value_name = "KEYS")]
        keys: PkiKeys,
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
