//! A run: the features filtered, one World per scenario, the driver, the simulators
//! (one bench per scenario, or shared ones reset between scenarios), and the reports of
//! the run folder ([`report`]).

pub mod messages;
pub mod report;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::tag::Ext as _;
use cucumber::{World as _, event, gherkin, writer};
use futures_util::FutureExt;
use serde::Serialize;
use serde_json::Value;

use crate::bench::BenchTemplate;
use crate::control::ControlClient;
use crate::driver::SharedDriver;
use crate::world::SegurWorld;

/// Who the software is installed for: values `configure` carries.
#[derive(Debug, Clone)]
pub struct Setup {
    /// World id of the structure.
    pub structure: String,
    /// Its national id.
    pub structure_national_id: String,
    /// Its name (the VIHF's issuer, the XDS `authorInstitution`).
    pub structure_name: String,
    /// Its `SAxx` activity sector (`Secteur_Activite`, `healthcareFacilityTypeCode`).
    pub activity_sector: String,
    /// Its MSSanté application mailbox (`BAL APP`), if it has one.
    pub mssante_application: Option<String>,
    /// Its organisational mailboxes (`BAL ORG`): where answers to the application
    /// mailbox's mails go.
    pub mssante_organisational: Vec<String>,
    /// CNDA authorisation number (INSi `IDAM`).
    pub idam: String,
    /// DMP homologation number.
    pub dmp_homologation: String,
    /// MSSanté product reference (`X-MSS-NIL`).
    pub mssante_nil: String,
    /// PSC `client_id`.
    pub psc_client_id: String,
    /// PSC `client_secret`.
    pub psc_client_secret: String,
    /// PSC redirect URI.
    pub psc_redirect_uri: String,
}

impl Setup {
    /// The values of `structure` and PSC client `client_id` in `world`; the software ids
    /// are the world's last declared ones (the reference LPS's by default).
    pub fn from_world(
        world: &segur_core::world::World,
        structure: &str,
        client_id: &str,
    ) -> anyhow::Result<Self> {
        let s = world
            .structures
            .iter()
            .find(|s| s.id == structure)
            .ok_or_else(|| anyhow::anyhow!("no structure {structure:?} in the world"))?;
        let client = world
            .oidc_clients
            .iter()
            .find(|c| c.client_id == client_id)
            .ok_or_else(|| anyhow::anyhow!("no PSC client {client_id:?} in the world"))?;
        let last = |ids: &[segur_core::world::SoftwareId]| {
            ids.last().map(|i| i.number.clone()).unwrap_or_default()
        };
        Ok(Self {
            structure: s.id.clone(),
            structure_national_id: s.national_id.clone(),
            structure_name: s.name.clone(),
            activity_sector: s.activity_sector.clone(),
            mssante_application: s.mssante_applications.first().cloned(),
            mssante_organisational: s.mssante_organisational.clone(),
            idam: last(&world.software.insi_idam),
            dmp_homologation: last(&world.software.dmp_homologation),
            mssante_nil: last(&world.software.mssante_nil),
            psc_client_id: client.client_id.clone(),
            psc_client_secret: client.secret.clone().unwrap_or_default(),
            psc_redirect_uri: client.redirect_uris.first().cloned().unwrap_or_default(),
        })
    }
}

/// Where the simulators come from.
#[derive(Clone)]
pub enum Simulators {
    /// A fresh bench per scenario, on ephemeral ports (the software accepts `configure`).
    PerScenario(Box<BenchTemplate>),
    /// Running simulators at this control URL, shared: scenarios run one at a time and
    /// the bench is reset between them.
    Shared(String),
}

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every step passed.
    Passed,
    /// A step failed.
    Failed,
    /// The software lacks a function the scenario needs (or a step is unknown).
    Skipped,
}

/// One scenario's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioOutcome {
    /// Feature name.
    pub feature: String,
    /// Feature file.
    pub file: Option<PathBuf>,
    /// Scenario name.
    pub name: String,
    /// Line in the feature file.
    pub line: usize,
    /// Its journal tag.
    pub tag: String,
    /// Every tag (without `@`).
    pub tags: Vec<String>,
    /// REM requirement ids among the tags.
    pub requirements: Vec<String>,
    /// Couloirs among the tags.
    pub couloirs: Vec<String>,
    /// Outcome.
    pub verdict: Verdict,
    /// Why it failed or was skipped.
    pub reason: Option<String>,
    /// Journal record ids of the scenario's exchanges.
    pub exchanges: Vec<String>,
    /// The errors and warnings the simulators' rules found in those exchanges.
    pub findings: Vec<FindingNote>,
    /// Driver actions sent.
    pub actions: Vec<crate::world::ActionRecord>,
    /// Wall time, seconds.
    pub seconds: f64,
    /// When it started, RFC 3339 (system time).
    pub started_at: String,
}

/// A finding of one of the scenario's exchanges, for the reports.
#[derive(Debug, Clone, Serialize)]
pub struct FindingNote {
    /// The exchange's journal id.
    pub exchange: String,
    /// Its service and operation (`insi rechercherInsAvecTraitsIdentite`).
    pub call: String,
    /// `error` or `warning`.
    pub severity: segur_core::finding::Severity,
    /// The rule's stable name.
    pub rule: String,
    /// What it found.
    pub message: String,
}

/// How many error findings a failure reason quotes.
const QUOTED_ERRORS: usize = 5;

/// The run's shared state, captured by the hooks.
pub struct RunContext {
    /// The driver.
    pub driver: SharedDriver,
    /// The simulators.
    pub simulators: Simulators,
    /// Installation values.
    pub setup: Setup,
    /// Outcomes as scenarios finish.
    outcomes: Mutex<Vec<ScenarioOutcome>>,
    /// What the software said it is (`configure`'s result).
    software: Mutex<Option<Value>>,
    /// Called as each scenario finishes (progress bar, plain lines).
    progress: Box<dyn Fn(&ScenarioOutcome) + Send + Sync>,
}

impl std::fmt::Debug for RunContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunContext")
            .field("driver", &self.driver.describe())
            .finish()
    }
}

impl RunContext {
    /// Keeps the software's self-description from `configure`.
    pub fn note_software(&self, result: &Value) {
        let mut software = self.software.lock().unwrap_or_else(|e| e.into_inner());
        if software.is_none() {
            *software = Some(result["software"].clone());
        }
    }
}

/// What to run and how.
pub struct RunConfig {
    /// Feature files or folders.
    pub paths: Vec<PathBuf>,
    /// Only scenarios tagged with this couloir.
    pub couloir: Option<String>,
    /// Only scenarios matching this tag expression (`@INS/va1.52 or @PSC.01`).
    pub tags: Option<String>,
    /// Only scenarios whose name contains this.
    pub name: Option<String>,
    /// The driver.
    pub driver: SharedDriver,
    /// The simulators.
    pub simulators: Simulators,
    /// Installation values.
    pub setup: Setup,
    /// Rules whose findings the journal does not record (`--disable-rule`).
    pub disabled_rules: Vec<String>,
    /// Where the world came from (`embedded`, or the world file), for the provenance.
    pub world_source: String,
    /// Scenarios at once (1 with shared simulators or a manual driver).
    pub concurrency: usize,
    /// The run folder.
    pub run_dir: PathBuf,
    /// Called as each scenario finishes.
    pub progress: Box<dyn Fn(&ScenarioOutcome) + Send + Sync>,
}

/// What a run produced.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The run folder.
    pub run_dir: PathBuf,
    /// Every scenario, in the order they finished.
    pub scenarios: Vec<ScenarioOutcome>,
    /// The software's self-description.
    pub software: Option<Value>,
    /// Wall time, seconds.
    pub seconds: f64,
    /// What the evidence was produced with and when.
    pub provenance: Provenance,
}

/// What a run's evidence was produced with: the bench, the scenarios, the world, and when.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    /// `segur-bench` version.
    pub bench_version: String,
    /// SHA-256 over the feature files run (sorted by their path from the features' common
    /// folder: path, NUL, content, NUL), the same on every machine.
    pub features_sha256: String,
    /// SHA-256 of the world the simulators played, as JSON (`null` when unknown).
    pub world_sha256: Option<String>,
    /// Rules whose findings were not recorded (`--disable-rule`).
    pub disabled_rules: Vec<String>,
    /// Where the world came from: `embedded` (the bench's default world) or the world
    /// file given, so a reader knows the verdicts were earned on another world.
    pub world_source: String,
    /// Start, RFC 3339 (system time).
    pub started_at: String,
    /// End, RFC 3339.
    pub ended_at: String,
}

/// Journal service of the bench's own records (the conditions of a run).
pub const BENCH_SERVICE: &str = "bench";

/// Journals, before any scenario, the conditions the verdicts are earned under: the world
/// (its source and fingerprint), the rules disabled, the scenarios' fingerprint.
fn journal_conditions(
    journal: &segur_core::journal::Journal,
    provenance: &Provenance,
) -> anyhow::Result<()> {
    let conditions = serde_json::json!({
        "world": { "source": provenance.world_source, "sha256": provenance.world_sha256 },
        "disabled_rules": provenance.disabled_rules,
        "features_sha256": provenance.features_sha256,
        "bench_version": provenance.bench_version,
    });
    let body = serde_json::to_vec(&conditions).unwrap_or_default();
    journal.append(
        segur_core::journal::Exchange::new(BENCH_SERVICE, "run-start").request(
            segur_core::journal::Payload::new(body)
                .content_type("application/json")
                .summary(conditions),
        ),
    )?;
    Ok(())
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The SHA-256 of every `.feature` file under `paths`, sorted by their path from `root`.
fn features_sha256(paths: &[PathBuf], root: &Path) -> String {
    use sha2::{Digest, Sha256};
    let mut files = Vec::new();
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
            }
        } else if p.extension().is_some_and(|e| e == "feature") {
            files.push(p);
        }
    }
    files.sort();
    files.dedup();
    let mut hash = Sha256::new();
    for f in files {
        let relative = f.strip_prefix(root).unwrap_or(&f);
        hash.update(relative.to_string_lossy().as_bytes());
        hash.update([0]);
        hash.update(std::fs::read(&f).unwrap_or_default());
        hash.update([0]);
    }
    hex::encode(hash.finalize())
}

/// The SHA-256 of a world's JSON form.
pub fn world_sha256(world: &Value) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(world.to_string().as_bytes()))
}

impl RunReport {
    /// Scenarios with this verdict.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.scenarios
            .iter()
            .filter(|s| s.verdict == verdict)
            .count()
    }
}

/// The couloirs a tag may name.
pub const COULOIRS: &[&str] = &["LGC", "DPI", "PFI", "LGO", "SGL", "BIO", "RIS", "DUI", "DB"];

/// Whether a tag is a REM requirement id (`INS/va1.52`, `PSC.01`, `DMP/UX.14`).
pub fn is_requirement(tag: &str) -> bool {
    tag.contains('/')
        || tag.split_once('.').is_some_and(|(head, tail)| {
            head.chars().all(|c| c.is_ascii_uppercase())
                && tail.chars().all(|c| c.is_ascii_digit())
                && !tail.is_empty()
        })
}

fn all_tags(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> Vec<String> {
    feature
        .tags
        .iter()
        .chain(rule.iter().flat_map(|r| &r.tags))
        .chain(&scenario.tags)
        .map(|t| t.trim_start_matches('@').to_string())
        .collect()
}

/// Every scenario of `feature`, with the rule it sits in, if any.
fn scenarios_of(
    feature: &gherkin::Feature,
) -> impl Iterator<Item = (Option<&gherkin::Rule>, &gherkin::Scenario)> {
    feature.scenarios.iter().map(|s| (None, s)).chain(
        feature
            .rules
            .iter()
            .flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s))),
    )
}

/// How a scenario proves the requirements it is tagged with, weakest first: the tag
/// `@preuve-attestée` (a person's word and evidence file, `--manual`), `@preuve-logiciel`
/// (what the software reports it shows, checked by the bench), or by default the
/// exchanges the bench received and judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Proof {
    /// Attested by the operator with the REM's evidence.
    Attested,
    /// Reported by the software through the driver, checked by the bench.
    Software,
    /// Checked on the exchanges the simulators received.
    Exchange,
}

impl Proof {
    /// The tag of a scenario proven by what the software reports.
    pub const SOFTWARE_TAG: &str = "preuve-logiciel";
    /// The tag of a scenario proven by an operator's attestation.
    pub const ATTESTED_TAG: &str = "preuve-attestée";

    /// The proof of a scenario with `tags` (without `@`).
    pub fn of_tags<'t>(tags: impl IntoIterator<Item = &'t str>) -> Self {
        let mut proof = Self::Exchange;
        for tag in tags {
            let tag = tag.trim_start_matches('@');
            if tag == Self::ATTESTED_TAG {
                return Self::Attested;
            }
            if tag == Self::SOFTWARE_TAG {
                proof = Self::Software;
            }
        }
        proof
    }

    /// Its name in the checklist (`exchange`, `software`, `attested`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Exchange => "exchange",
            Self::Software => "software",
            Self::Attested => "attested",
        }
    }
}

/// The requirement ids the scenarios of the `.feature` files under `root` are tagged
/// with (feature, rule and scenario tags) → the scenario names; files that do not parse are
/// left out.
pub fn requirements_of_features(
    root: &Path,
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    proofs_of_features(root)
        .into_iter()
        .map(|(id, scenarios)| (id, scenarios.into_keys().collect()))
        .collect()
}

/// How one scenario proves a requirement, and for which couloirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tagging {
    /// Exchange, software or attestation.
    pub proof: Proof,
    /// The couloir tags of the scenario (`LGC`, `RIS`…): a requirement id such as
    /// `DMP/va1.09` means one thing in the RIS REM and another elsewhere, so a scenario
    /// proves it only for the couloirs it names. Empty: every couloir.
    pub couloirs: std::collections::BTreeSet<String>,
}

impl Tagging {
    /// The tagging of a scenario with `tags` (without `@`).
    pub fn of_tags(tags: &[String]) -> Self {
        Self {
            proof: Proof::of_tags(tags.iter().map(String::as_str)),
            couloirs: tags
                .iter()
                .filter(|t| COULOIRS.contains(&t.as_str()))
                .cloned()
                .collect(),
        }
    }

    /// Whether the scenario speaks for `couloir`.
    pub fn covers(&self, couloir: &str) -> bool {
        self.couloirs.is_empty()
            || self
                .couloirs
                .iter()
                .any(|c| c.eq_ignore_ascii_case(couloir))
    }
}

/// As [`requirements_of_features`], with how each scenario proves the requirement.
pub fn proofs_of_features(
    root: &Path,
) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, Tagging>> {
    let mut out: std::collections::BTreeMap<String, std::collections::BTreeMap<String, Tagging>> =
        Default::default();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
            }
            continue;
        }
        if p.extension().is_none_or(|e| e != "feature") {
            continue;
        }
        let Ok(feature) = gherkin::Feature::parse_path(&p, gherkin::GherkinEnv::default()) else {
            continue;
        };
        let scenarios = scenarios_of(&feature);
        for (rule, scenario) in scenarios {
            let tags = all_tags(&feature, rule, scenario);
            let tagging = Tagging::of_tags(&tags);
            for tag in tags {
                if is_requirement(&tag) {
                    out.entry(tag)
                        .or_default()
                        .insert(scenario.name.clone(), tagging.clone());
                }
            }
        }
    }
    out
}

/// What a failed step said: the step's own message, without cucumber's wrapping.
fn step_error(error: &event::StepError) -> String {
    match error {
        event::StepError::Panic(info) => info
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_else(|| error.to_string()),
        other => other.to_string(),
    }
}

/// The journal tag of a scenario: its name and line, unique in a run.
pub fn scenario_tag(scenario: &gherkin::Scenario) -> String {
    format!("{} (l.{})", scenario.name, scenario.position.line)
}

/// The common folder of the paths, to hand to the parser (which takes one).
fn common_root(paths: &[PathBuf]) -> PathBuf {
    let mut root = match paths.first() {
        Some(p) if p.is_dir() => p.clone(),
        Some(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => PathBuf::from("features"),
    };
    for p in paths.iter().skip(1) {
        while !p.starts_with(&root) {
            if !root.pop() {
                return PathBuf::from(".");
            }
        }
    }
    root
}

/// Which scenarios a run plays: those of the feature files under `paths`, with the
/// couloir's tag, matching the tag expression, whose name holds `name`.
#[derive(Clone)]
pub struct Selection {
    /// Feature files or folders, canonical.
    paths: Vec<PathBuf>,
    /// A couloir tag (`LGC`), any case.
    couloir: Option<String>,
    /// A tag expression (`@INS/va1.52 or @PSC.01`).
    tags: Option<TagOperation>,
    /// Part of the scenario's name.
    name: Option<String>,
}

impl Selection {
    /// A selection; a tag expression that does not parse is an error naming it.
    pub fn new(
        paths: Vec<PathBuf>,
        couloir: Option<String>,
        tags: Option<&str>,
        name: Option<String>,
    ) -> anyhow::Result<Self> {
        let tags = match tags {
            Some(expr) => Some(
                expr.parse()
                    .map_err(|e| anyhow::anyhow!("--tags {expr:?} is not a tag expression: {e}"))?,
            ),
            None => None,
        };
        Ok(Self {
            paths,
            couloir,
            tags,
            name,
        })
    }

    /// Whether the run plays this scenario.
    pub fn matches(
        &self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
    ) -> bool {
        let in_paths = feature
            .path
            .as_ref()
            .is_none_or(|p| self.paths.iter().any(|s| p.starts_with(s)));
        let tags = all_tags(feature, rule, scenario);
        in_paths
            && self
                .couloir
                .as_ref()
                .is_none_or(|c| tags.iter().any(|t| t.eq_ignore_ascii_case(c)))
            && self
                .name
                .as_ref()
                .is_none_or(|n| scenario.name.contains(n.as_str()))
            && self.tags.as_ref().is_none_or(|e| e.eval(tags.iter()))
    }
}

/// A scenario a selection plays (each example of an outline on its own).
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    /// Its feature file.
    pub file: PathBuf,
    /// Its line (an example's row for an outline).
    pub line: usize,
    /// Its name, placeholders filled in.
    pub name: String,
    /// Its tags and its rule's and feature's, without `@`.
    pub tags: Vec<String>,
}

/// The scenarios `selection` plays, in file and line order, without running them. A
/// feature file that does not parse is an error naming it.
pub fn list(selection: &Selection) -> anyhow::Result<Vec<Listed>> {
    use cucumber::feature::Ext as _;
    let mut files = Vec::new();
    let mut stack = selection.paths.clone();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p)?.filter_map(|e| e.ok().map(|e| e.path())));
        } else if p.extension().is_some_and(|e| e == "feature") {
            files.push(p);
        }
    }
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let feature = gherkin::Feature::parse_path(&file, gherkin::GherkinEnv::default())
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
            .expand_examples()
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        let scenarios = scenarios_of(&feature);
        for (rule, scenario) in scenarios {
            if selection.matches(&feature, rule, scenario) {
                out.push(Listed {
                    file: file.clone(),
                    line: scenario.position.line,
                    name: scenario.name.clone(),
                    tags: all_tags(&feature, rule, scenario),
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(out)
}

/// Runs the features and writes the run folder.
pub async fn run(config: RunConfig) -> anyhow::Result<RunReport> {
    let started = Instant::now();
    let started_at = now_rfc3339();
    std::fs::create_dir_all(&config.run_dir)?;
    let context = Arc::new(RunContext {
        driver: config.driver.clone(),
        simulators: config.simulators.clone(),
        setup: config.setup.clone(),
        outcomes: Mutex::new(Vec::new()),
        software: Mutex::new(None),
        progress: config.progress,
    });
    let concurrency = match (&config.simulators, config.driver.interactive()) {
        (Simulators::PerScenario(_), false) => config.concurrency.max(1),
        _ => 1,
    };

    let canonical: Vec<PathBuf> = config
        .paths
        .iter()
        .map(|p| {
            p.canonicalize()
                .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
        })
        .collect::<anyhow::Result<_>>()?;
    let root = common_root(&canonical);
    let world_sha256 = match &config.simulators {
        Simulators::PerScenario(template) => serde_json::to_value(&template.world)
            .ok()
            .map(|w| world_sha256(&w)),
        Simulators::Shared(url) => ControlClient::new(url)
            .world()
            .await
            .ok()
            .map(|w| world_sha256(&w)),
    };
    let provenance = Provenance {
        bench_version: env!("CARGO_PKG_VERSION").to_string(),
        features_sha256: features_sha256(&canonical, &root),
        world_sha256,
        disabled_rules: config.disabled_rules.clone(),
        world_source: config.world_source.clone(),
        started_at,
        ended_at: String::new(),
    };
    if let Simulators::PerScenario(template) = &config.simulators {
        journal_conditions(&template.journal, &provenance)?;
    }
    let selection = Selection::new(
        canonical.clone(),
        config.couloir.clone(),
        config.tags.as_deref(),
        config.name.clone(),
    )?;
    let filter =
        move |feature: &gherkin::Feature,
              rule: Option<&gherkin::Rule>,
              scenario: &gherkin::Scenario| { selection.matches(feature, rule, scenario) };

    let json_file = std::fs::File::create(config.run_dir.join("cucumber.json"))?;
    let before_ctx = context.clone();
    let after_ctx = context.clone();
    let cucumber = SegurWorld::cucumber()
        .with_writer(writer::Json::new(json_file))
        .with_default_cli()
        .max_concurrent_scenarios(concurrency)
        .before(move |feature, rule, scenario, world| {
            let ctx = before_ctx.clone();
            async move {
                prepare(ctx, feature, rule, scenario, world).await;
            }
            .boxed_local()
        })
        .after(move |feature, rule, scenario, finished, world| {
            let ctx = after_ctx.clone();
            async move {
                conclude(ctx, feature, rule, scenario, finished, world).await;
            }
            .boxed_local()
        });
    cucumber.filter_run(root, filter).await;

    let scenarios =
        std::mem::take(&mut *context.outcomes.lock().unwrap_or_else(|e| e.into_inner()));
    let report = RunReport {
        run_dir: config.run_dir.clone(),
        scenarios,
        software: context
            .software
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone(),
        seconds: started.elapsed().as_secs_f64(),
        provenance: Provenance {
            ended_at: now_rfc3339(),
            ..provenance
        },
    };
    report::write(&report)?;
    messages::write(&report)?;
    Ok(report)
}

async fn prepare(
    ctx: Arc<RunContext>,
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
    world: &mut SegurWorld,
) {
    let tag = scenario_tag(scenario);
    world.started = Some(Instant::now());
    world.started_at = Some(time::OffsetDateTime::now_utc());
    world.tags = all_tags(feature, rule, scenario);
    world.requirements = world
        .tags
        .iter()
        .filter(|t| is_requirement(t))
        .cloned()
        .collect();
    world.session = uuid::Uuid::new_v4().to_string();
    world.tag = tag.clone();
    match &ctx.simulators {
        Simulators::PerScenario(template) => match template.start(&tag).await {
            Ok(bench) => {
                world.control = Some(ControlClient::new(&bench.control_url));
                world.control_url = Some(bench.control_url.clone());
                world.bench = Some(bench);
            }
            Err(e) => tracing::error!(scenario = %tag, error = %e, "cannot start the simulators"),
        },
        Simulators::Shared(url) => {
            let control = ControlClient::new(url);
            if let Err(e) = control.reset().await {
                tracing::error!(error = %e, "cannot reset the shared simulators");
            }
            if let Err(e) = control.set_scenario(&tag).await {
                tracing::error!(error = %e, "cannot tag the shared journal");
            }
            world.control = Some(control);
            world.control_url = Some(url.clone());
        }
    }
    world.run = Some(ctx);
}

/// Why a scenario whose steps all passed is failed all the same.
pub const UNEARNED: &str = "verdict non gagné : aucune étape n'a jugé un échange reçu par le \
     banc (le logiciel n'a appelé aucun service simulé, ou le scénario ne vérifie que ce \
     que le logiciel déclare sans être marqué @preuve-logiciel ni l'avoir confronté aux \
     faits du banc)";

async fn conclude(
    ctx: Arc<RunContext>,
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
    finished: &event::ScenarioFinished,
    world: Option<&mut SegurWorld>,
) {
    let tag = scenario_tag(scenario);
    let (mut verdict, mut reason) = match finished {
        event::ScenarioFinished::StepPassed => (Verdict::Passed, None),
        event::ScenarioFinished::StepSkipped => (
            Verdict::Skipped,
            Some("une étape ne correspond à aucune définition".to_string()),
        ),
        event::ScenarioFinished::StepFailed(_, _, error) => {
            (Verdict::Failed, Some(step_error(error)))
        }
        event::ScenarioFinished::BeforeHookFailed(_) => (
            Verdict::Failed,
            Some("la préparation du scénario a échoué".to_string()),
        ),
    };
    let mut exchanges = Vec::new();
    let mut findings = Vec::new();
    let mut actions = Vec::new();
    let mut seconds = 0.0;
    let mut started_at = String::new();
    if let Some(world) = world {
        seconds = world.started.map_or(0.0, |t| t.elapsed().as_secs_f64());
        started_at = world
            .started_at
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default();
        if let Some(why) = world.unsupported.take() {
            verdict = Verdict::Skipped;
            reason = Some(format!("non pris en charge par le logiciel: {why}"));
        } else if verdict == Verdict::Passed && !world.earned() {
            verdict = Verdict::Failed;
            reason = Some(UNEARNED.to_string());
        }
        if let Some(control) = &world.control
            && let Ok(records) = control.journal(&[("scenario", tag.clone())]).await
        {
            for r in &records {
                for f in &r.findings {
                    if matches!(
                        f.severity,
                        segur_core::finding::Severity::Error
                            | segur_core::finding::Severity::Warning
                    ) {
                        findings.push(FindingNote {
                            exchange: r.id.clone(),
                            call: format!("{} {}", r.service, r.operation),
                            severity: f.severity,
                            rule: f.rule.clone(),
                            message: f.message.clone(),
                        });
                    }
                }
            }
            exchanges = records.into_iter().map(|r| r.id).collect();
        }
        // A failure tells what the bench's rules found, beside what the step saw.
        if verdict == Verdict::Failed {
            let errors: Vec<String> = findings
                .iter()
                .filter(|f| f.severity == segur_core::finding::Severity::Error)
                .map(|f| format!("{} {} — {} ({})", f.rule, f.message, f.call, f.exchange))
                .collect();
            if !errors.is_empty() {
                let mut text = reason.take().unwrap_or_default();
                text.push_str("\nAnomalies relevées par le banc :");
                for e in errors.iter().take(QUOTED_ERRORS) {
                    text.push_str("\n  ");
                    text.push_str(e);
                }
                if errors.len() > QUOTED_ERRORS {
                    text.push_str(&format!(
                        "\n  … et {} autre(s)",
                        errors.len() - QUOTED_ERRORS
                    ));
                }
                reason = Some(text);
            }
        }
        actions = std::mem::take(&mut world.actions);
        let request = crate::driver::Request::new(&world.session, "session.end", Value::Null);
        let context = crate::driver::Context {
            control_url: world.control_url.clone(),
            scenario: tag.clone(),
        };
        // Best effort: a software without sessions may not know the action.
        if !ctx.driver.interactive() {
            let _ = ctx.driver.send(&request, &context).await;
        }
        if let Some(bench) = world.bench.take() {
            bench.shutdown().await;
        }
    }
    let tags = all_tags(feature, rule, scenario);
    let outcome = ScenarioOutcome {
        feature: feature.name.clone(),
        file: feature.path.clone(),
        name: scenario.name.clone(),
        line: scenario.position.line,
        tag,
        requirements: tags.iter().filter(|t| is_requirement(t)).cloned().collect(),
        couloirs: tags
            .iter()
            .filter(|t| COULOIRS.contains(&t.as_str()))
            .cloned()
            .collect(),
        tags,
        verdict,
        reason,
        exchanges,
        findings,
        actions,
        seconds,
        started_at,
    };
    (ctx.progress)(&outcome);
    ctx.outcomes
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(outcome);
}
