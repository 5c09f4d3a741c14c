//! The run: decide which release units to check (the flags' unit, PATHs, certgate.yaml), load and
//! check each, and collect their reports with the policy and rules they were checked with. The
//! command line turns its arguments into a [`Request`] and writes what [`evaluate`] returns.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::plan::{PlanOptions, UnitPlan};
use super::{Policy, UnitReport};
use crate::config::{self, Config, ConfigLoad};
use crate::crypto::Moment;
use crate::load::{BasePrefetch, Context, Limits, PREFETCH_MAX, UnitSpec, load_unit, preload_charts};
use crate::model::unit::Given;
use crate::rules::{self, Rule, Severity};
use crate::source::{Input, InputProblem, Location, ProblemKind, SourceMap};

/// What a run is asked to check and with which policy, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `--config FILE`: then no certgate.yaml is searched for.
    pub config: Option<PathBuf>,
    /// PATHs: directories whose certgate.yaml names release units, config files, and files a
    /// commit changed (which select the configured units that read them).
    pub paths: Vec<PathBuf>,
    /// The unit the flags describe (`-f`, `--set`, `--command` …).
    pub flags: UnitSpec,
    /// Whether a flag that describes a unit was given: then the flags' unit is checked.
    pub unit_flags: bool,
    /// `--base REV`: every unit's previous values are its files at that revision.
    pub base: Option<String>,
    /// `--helm`: every unit's Helm, unless its config entry names one.
    pub helm: Option<crate::helm::strvals::HelmVersion>,
    /// `--fail-on`, `--expiry-warning-days` and `--no-suppressions`, over the config's policy.
    pub fail_on: Option<Severity>,
    pub expiry_warning_days: Option<u32>,
    pub no_suppressions: bool,
    /// The run's clock (`--now`, or the time it started).
    pub now: Option<OffsetDateTime>,
    /// `certgate plan`: each unit's rollout plan is decided after its check.
    pub plan: Option<PlanOptions>,
}

/// Everything one run concluded: the reports and the policy and rules they were checked with.
pub struct Evaluation {
    pub reports: Vec<UnitReport>,
    pub policy: Policy,
    /// The organisation's own rules (`rules_dirs`), after the built-in ones.
    pub user_rules: Vec<Rule>,
    pub config: Option<Config>,
    /// PATHs that exist but that no release unit of the config reads: not checked.
    pub not_read: Vec<String>,
    /// Each report's plan, in the same order, when [`Request::plan`] asked for them.
    pub plans: Vec<UnitPlan>,
}

impl Evaluation {
    pub fn rules(&self) -> Vec<&Rule> {
        rules::builtin().iter().chain(self.user_rules.iter()).collect()
    }

    /// Whether any finding is at or above the failure threshold.
    pub fn failed(&self) -> bool {
        self.reports
            .iter()
            .any(|r| r.worst().is_some_and(|w| w >= self.policy.fail_on))
    }
}

/// The configuration a run would use (`--show-config`), without loading any unit.
pub struct Settings {
    pub config: Option<Config>,
    pub policy: Policy,
    /// The config's problems, each with where it is (`file:line:column: message`).
    pub problems: Vec<String>,
    /// As [`Evaluation::not_read`].
    pub not_read: Vec<String>,
}

/// What the run reads besides its units (config and rule files), and their problems: the first
/// unit's report carries them.
#[derive(Default)]
struct Shared {
    sources: SourceMap,
    problems: Vec<InputProblem>,
    inputs: Vec<Input>,
    not_read: Vec<String>,
}

/// Load and check every selected release unit. Fails only when the clock cannot be written as
/// RFC 3339.
pub fn evaluate(request: &Request) -> Result<Evaluation, String> {
    let now = request.now.unwrap_or_else(OffsetDateTime::now_utc);
    let now_text = now.format(&Rfc3339).map_err(|e| e.to_string())?;
    let mut shared = Shared::default();
    let limits = Limits::default();
    let git = prefetch_changed_files(request, &limits);
    let mut plan = select_units(request, &mut shared, Units::Move);
    git.start_units(plan.units.iter().flatten(), &limits);
    let policy = policy_of(plan.config.as_ref(), request);
    // The units are selected: the config's own copy of them is not needed any more.
    if let Some(c) = &mut plan.config {
        c.units = Vec::new();
    }
    let user_rules = user_rules(plan.config.as_ref(), &mut shared);
    let all_rules: Vec<&Rule> = rules::builtin().iter().chain(user_rules.iter()).collect();
    if let Some(cfg) = &plan.config {
        unknown_rule_codes(cfg, &all_rules, &mut shared.problems);
    }
    let charts = preload_charts(plan.units.iter().flatten(), &limits, &mut shared.sources);
    // The paths user rules read: the chart's defaults under them stay part of the effective values.
    let mut rule_paths: Vec<String> = all_rules.iter().flat_map(|r| r.check.paths()).collect();
    rule_paths.sort();
    rule_paths.dedup();
    let ctx = Context {
        limits,
        now: Moment::from(now),
        expiry_warning_days: policy.expiry_warning_days,
        charts,
        rule_paths,
        git,
        batches: crate::source::git::Batches::default(),
    };
    let mut specs = plan.units;
    let (reports, plans) = if specs.is_empty() && plan.only_unrelated_files && shared.problems.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        if specs.is_empty() {
            nothing_checked(&mut shared.problems);
            specs.push(None);
        }
        let run = Run {
            ctx: &ctx,
            rules: &all_rules,
            policy: &policy,
            now: &now_text,
            plan: request.plan.as_ref(),
        };
        run.check_all(specs, shared.problems, shared.inputs, &shared.sources)
    };
    Ok(Evaluation {
        reports,
        policy,
        user_rules,
        config: plan.config,
        not_read: shared.not_read,
        plans,
    })
}

/// The configuration a run would use, and the config's problems.
pub fn settings(request: &Request) -> Settings {
    let mut shared = Shared::default();
    let plan = select_units(request, &mut shared, Units::Copy);
    let policy = policy_of(plan.config.as_ref(), request);
    // Where each problem of the config is, for --show-config to say why a setting is missing.
    let problems = shared
        .problems
        .iter()
        .filter(|p| p.kind != ProblemKind::NothingChecked)
        .map(|p| {
            let at = super::place(&shared.sources, &p.location);
            match (at.file, at.line, at.column) {
                (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}: {}", p.message),
                (Some(f), _, _) => format!("{f}: {}", p.message),
                _ => p.message.clone(),
            }
        })
        .collect();
    Settings {
        config: plan.config,
        policy,
        problems,
        not_read: shared.not_read,
    }
}

/// A pre-commit hook runs `check --base HEAD FILE...`: a changed values file is wanted at HEAD, so
/// git starts on it now, while the config is read (a file no unit reads costs one git run).
fn prefetch_changed_files(request: &Request, limits: &Limits) -> BasePrefetch {
    let git = BasePrefetch::default();
    if let Some(rev) = &request.base {
        let changed = request.paths.iter().filter(|p| {
            p.extension().is_some_and(|e| e == "yaml" || e == "yml")
                && p.file_name().is_some_and(|n| n != config::FILE_NAME)
                && p.is_file()
        });
        for path in changed.take(PREFETCH_MAX) {
            git.start(rev, path, limits);
        }
    }
    git
}

/// The config's policy with the command line's settings over it.
fn policy_of(config: Option<&Config>, request: &Request) -> Policy {
    let mut policy = config.map(|c| c.policy.clone()).unwrap_or_default();
    if let Some(f) = request.fail_on {
        policy.fail_on = f;
    }
    if let Some(d) = request.expiry_warning_days {
        policy.expiry_warning_days = d;
    }
    if request.no_suppressions {
        policy.suppressions = false;
    }
    policy
}

/// The organisation's own rules, from the config's `rules_dirs`.
fn user_rules(config: Option<&Config>, shared: &mut Shared) -> Vec<Rule> {
    let mut user_rules = Vec::new();
    let Some(cfg) = config else {
        return user_rules;
    };
    for dir in &cfg.rules_dirs {
        if let Some(why) = crate::source::confine::escapes(&cfg.dir, dir) {
            shared.problems.push(InputProblem::new(
                ProblemKind::RuleFileInvalid,
                Location::File { path: cfg.path.clone() },
                format!("{}: rules_dirs names {dir:?}, which {why}: a config names directories inside its own repository only; not read", cfg.path),
            ));
            continue;
        }
        let path = cfg.dir.join(dir);
        let (rules, problems, inputs) = rules::load_dir(&path, &path.to_string_lossy(), &mut shared.sources);
        user_rules.extend(rules);
        shared.problems.extend(problems);
        shared.inputs.extend(inputs);
    }
    user_rules
}

/// A `policy.rules` entry for a code no rule has.
fn unknown_rule_codes(cfg: &Config, all_rules: &[&Rule], problems: &mut Vec<InputProblem>) {
    for (code, location) in &cfg.rule_locations {
        if !all_rules.iter().any(|r| *r.meta.code == **code) {
            problems.push(InputProblem::new(
                ProblemKind::RuleFileInvalid,
                location.clone(),
                format!(
                    "{}: policy.rules sets {code}, but no rule has that code (`certgate rules` lists them)",
                    cfg.path
                ),
            ));
        }
    }
}

/// No unit was selected: say so, unless the run already says why nothing was checked (PATHs no
/// unit reads).
fn nothing_checked(problems: &mut Vec<InputProblem>) {
    if !problems
        .iter()
        .any(|p| p.kind == ProblemKind::NothingChecked && p.location == Location::Run)
    {
        problems.push(InputProblem::new(
            ProblemKind::NothingChecked,
            Location::Run,
            "no release unit to check: give values (-f, --set, --command), or a directory whose certgate.yaml names release units",
        ));
    }
}

/// What every unit of a run is checked with.
struct Run<'a> {
    ctx: &'a Context,
    rules: &'a [&'a Rule],
    policy: &'a Policy,
    now: &'a str,
    plan: Option<&'a PlanOptions>,
}

/// A unit to load: `None` stands for "nothing was asked for".
type Slot = std::sync::Mutex<Option<Box<UnitSpec>>>;

impl Run<'_> {
    /// Load and check each unit; the first carries the run's own problems and inputs.
    fn check_all(
        &self,
        specs: Vec<Option<UnitSpec>>,
        problems: Vec<InputProblem>,
        inputs: Vec<Input>,
        sources: &SourceMap,
    ) -> (Vec<UnitReport>, Vec<UnitPlan>) {
        // Release units are independent: check them in parallel, keeping their order.
        let run_shared = std::sync::Mutex::new(Some((problems, inputs)));
        // Each spec is taken (and freed) when its unit is loaded: 10,000 of them add up.
        // (`extend`, not `collect`: collecting in place would keep the specs' large buffer alive.)
        let mut slots: Vec<Slot> = Vec::with_capacity(specs.len());
        slots.extend(specs.into_iter().map(|s| std::sync::Mutex::new(s.map(Box::new))));
        let check_one = |i: usize, slot: &Slot| {
            let spec = slot.lock().ok().and_then(|mut s| s.take()).map(|b| *b);
            let empty = UnitSpec::default();
            let mut loaded = load_unit(spec.as_ref().unwrap_or(&empty), self.ctx, sources);
            if spec.is_none() {
                // Nothing was asked for: the unit exists only to carry the run's problems.
                loaded.unit.problems.retain(|p| p.kind != ProblemKind::NothingChecked);
            }
            if i == 0
                && let Some((mut problems, mut inputs)) = run_shared.lock().ok().and_then(|mut g| g.take())
            {
                loaded.unit.problems.append(&mut problems);
                inputs.append(&mut loaded.inputs);
                loaded.inputs = inputs;
            }
            let report = super::check_unit(&loaded.unit, loaded.inputs, self.rules, self.policy, self.now);
            let plan = self.plan.map(|o| super::plan::decide(&loaded.unit, &report, o));
            (report, plan)
        };
        let checked = crate::parallel::map(&slots, check_one);
        let mut reports = Vec::with_capacity(checked.len());
        let mut plans = Vec::new();
        for (report, plan) in checked {
            reports.push(report);
            plans.extend(plan);
        }
        (reports, plans)
    }
}

/// The units a run checks, and the config in force.
struct Plan {
    config: Option<Config>,
    /// `None` stands for "nothing was asked for".
    units: Vec<Option<UnitSpec>>,
    /// Files were given and none belongs to a release unit: nothing to check, and nothing wrong.
    only_unrelated_files: bool,
}

/// How [`select_units`] takes the units of a config.
#[derive(Clone, Copy, PartialEq)]
enum Units {
    /// Out of the config, which then lists none: a run needs them once, and 10,000 take a while
    /// to copy.
    Move,
    /// A copy, so that the config still lists them (`--show-config`).
    Copy,
}

impl Units {
    fn take(self, c: &mut Config) -> Vec<UnitSpec> {
        match self {
            Units::Move => std::mem::take(&mut c.units),
            Units::Copy => c.units.clone(),
        }
    }
}

/// The configs a run reads: the one in force (`--config`, or found by walking up), those of
/// directory PATHs, and the PATHs that are neither (changed files).
struct Configs {
    config: Option<Config>,
    dir_configs: Vec<Config>,
    loose_files: Vec<String>,
}

fn load_config(path: &Path, shared: &mut Shared) -> Option<Config> {
    let ConfigLoad {
        config,
        problems,
        input,
    } = config::load(path, &mut shared.sources);
    shared.problems.extend(problems);
    shared.inputs.extend(input);
    config
}

fn read_configs(request: &Request, shared: &mut Shared) -> Configs {
    let mut config = request.config.as_deref().and_then(|path| load_config(path, shared));
    // Whether a config file was named (and read, well or badly): then none is searched for.
    let mut config_named = request.config.is_some();
    let mut dir_configs = Vec::new();
    let mut loose_files = Vec::new();
    for path in &request.paths {
        if path.is_dir() {
            let file = join_clean(path, config::FILE_NAME);
            if file.is_file() {
                config_named = true;
                dir_configs.extend(load_config(&file, shared));
            } else {
                shared.problems.push(InputProblem::new(
                    ProblemKind::NothingChecked,
                    Location::File {
                        path: path.to_string_lossy().into_owned(),
                    },
                    format!(
                        "{} holds no {}: nothing names its release units",
                        path.display(),
                        config::FILE_NAME
                    ),
                ));
            }
        } else if path.file_name().is_some_and(|n| n == config::FILE_NAME) {
            config_named = true;
            dir_configs.extend(load_config(path, shared));
        } else {
            loose_files.push(path.to_string_lossy().into_owned());
        }
    }
    if !config_named && let Some(found) = std::env::current_dir().ok().and_then(|d| config::discover(&d)) {
        let rel = found
            .strip_prefix(std::env::current_dir().unwrap_or_default())
            .map(Path::to_path_buf)
            .unwrap_or(found.clone());
        config = load_config(&rel, shared);
    }
    Configs {
        config,
        dir_configs,
        loose_files,
    }
}

fn select_units(request: &Request, shared: &mut Shared, how: Units) -> Plan {
    let Configs {
        mut config,
        mut dir_configs,
        loose_files,
    } = read_configs(request, shared);
    let mut units: Vec<Option<UnitSpec>> = Vec::new();
    for c in &mut dir_configs {
        units.extend(how.take(c).into_iter().map(|u| Some(with_run_flags(u, request))));
    }
    // Changed files (pre-commit) select the configured units they belong to.
    let (mut unmatched, config_reads_files) = changed_file_units(request, config.as_ref(), loose_files, &mut units);
    let mut only_unrelated_files = false;
    if config.is_some() && !unmatched.is_empty() {
        let selected = Selected {
            any_unit: !units.is_empty(),
            config_reads_files,
        };
        only_unrelated_files = unmatched_files(request, &unmatched, selected, shared);
        unmatched.clear();
    }
    if request.unit_flags || !unmatched.is_empty() {
        let mut spec = request.flags.clone();
        spec.values.extend(unmatched.into_iter().map(|f| Given {
            location: Location::File { path: f.clone() },
            value: f,
        }));
        units.insert(0, Some(spec));
    } else if request.paths.is_empty()
        && let Some(c) = &mut config
    {
        units.extend(how.take(c).into_iter().map(|u| Some(with_run_flags(u, request))));
    }
    let config = config.or_else(|| dir_configs.into_iter().next());
    Plan {
        config,
        units,
        only_unrelated_files,
    }
}

/// The configured units each changed file belongs to, added once each (by release); returns the
/// files no unit reads, and whether the config's units read any file at all.
fn changed_file_units(
    request: &Request,
    config: Option<&Config>,
    loose_files: Vec<String>,
    units: &mut Vec<Option<UnitSpec>>,
) -> (Vec<String>, bool) {
    let mut unmatched = Vec::new();
    // Each configured unit's files, listed once for all the changed files.
    let unit_files: Vec<(&UnitSpec, Vec<PathBuf>)> = match config {
        Some(c) if !loose_files.is_empty() => c.units.iter().map(|u| (u, u.files())).collect(),
        _ => Vec::new(),
    };
    for file in loose_files {
        let selected: Vec<UnitSpec> = unit_files
            .iter()
            .filter(|(_, files)| files.iter().any(|f| same_path(f, Path::new(&file))))
            .map(|(u, _)| (*u).clone())
            .collect();
        if selected.is_empty() {
            unmatched.push(file);
        }
        for u in selected {
            let u = with_run_flags(u, request);
            let key = u.release.as_ref().map(|r| r.value.clone());
            if !units
                .iter()
                .flatten()
                .any(|x| x.release.as_ref().map(|r| r.value.clone()) == key)
            {
                units.push(Some(u));
            }
        }
    }
    (unmatched, !unit_files.is_empty())
}

/// What the changed files selected.
#[derive(Clone, Copy)]
struct Selected {
    /// A unit was selected (a directory's, or one a changed file belongs to).
    any_unit: bool,
    /// The config's units read files at all.
    config_reads_files: bool,
}

/// With a config, a changed file no unit reads is none of certgate's business when the run
/// compares against a revision (`--base`): a pre-commit hook passes every changed YAML file, and
/// the README promises that files no unit reads are ignored. A PATH that does not exist was never
/// a changed file (pre-commit passes only the files a commit adds or modifies), and a run without
/// `--base` that checks none of its PATHs checked nothing: both are findings. (Without a config, a
/// file PATH is a values file.) Returns whether only unrelated files were given.
fn unmatched_files(request: &Request, unmatched: &[String], selected: Selected, shared: &mut Shared) -> bool {
    let mut all_exist = true;
    for file in unmatched {
        if Path::new(file).exists() {
            shared.not_read.push(file.clone());
        } else {
            all_exist = false;
            shared.problems.push(InputProblem::new(
                ProblemKind::Unreadable,
                Location::File { path: file.clone() },
                format!("the PATH {file} does not exist (no such file), so no release unit reads it"),
            ));
        }
    }
    if !selected.any_unit && !request.unit_flags {
        let only_unrelated_files = request.base.is_some() && all_exist && selected.config_reads_files;
        if !only_unrelated_files {
            shared.problems.push(InputProblem::new(
                ProblemKind::NothingChecked,
                Location::Run,
                format!(
                    "nothing was checked: no release unit in the config reads {}",
                    unmatched.join(", ")
                ),
            ));
        }
        return only_unrelated_files;
    }
    false
}

/// `dir/name`, without a leading `./` (so `certgate check .` names `certgate.yaml`, not `./certgate.yaml`).
fn join_clean(dir: &Path, name: &str) -> PathBuf {
    if dir.as_os_str().is_empty() || dir == Path::new(".") {
        PathBuf::from(name)
    } else {
        dir.join(name)
    }
}

fn same_path(a: &Path, b: &Path) -> bool {
    let norm = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.components().collect());
    norm(a) == norm(b)
}

/// A configured unit with the flags that apply to every unit (`--base`, `--helm`).
fn with_run_flags(mut unit: UnitSpec, request: &Request) -> UnitSpec {
    if let Some(rev) = &request.base {
        unit.base = Some(Given {
            value: rev.clone(),
            location: Location::Arg {
                origin: format!("--base {rev}"),
            },
        });
    }
    if let Some(h) = request.helm {
        unit.helm.get_or_insert(h);
    }
    unit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_settles_the_policy_over_the_config() {
        let request = Request {
            fail_on: Some(Severity::Warning),
            expiry_warning_days: Some(7),
            no_suppressions: true,
            ..Request::default()
        };
        let policy = policy_of(None, &request);
        assert_eq!(
            (policy.fail_on, policy.expiry_warning_days, policy.suppressions),
            (Severity::Warning, 7, false)
        );
        let default = policy_of(None, &Request::default());
        assert_eq!(default.fail_on, Policy::default().fail_on);
        assert!(default.suppressions);
    }

    #[test]
    fn run_flags_apply_to_every_unit_but_a_unit_keeps_its_helm() {
        use crate::helm::strvals::HelmVersion;
        let request = Request {
            base: Some("HEAD".into()),
            helm: Some(HelmVersion::V3),
            ..Request::default()
        };
        let unit = with_run_flags(UnitSpec::default(), &request);
        assert_eq!(unit.base.map(|b| b.value), Some("HEAD".to_string()));
        assert_eq!(unit.helm, Some(HelmVersion::V3));
        let own = UnitSpec {
            helm: Some(HelmVersion::V2),
            ..UnitSpec::default()
        };
        assert_eq!(with_run_flags(own, &request).helm, Some(HelmVersion::V2));
    }

    #[test]
    fn changed_files_no_unit_reads() {
        let missing = "no/such/values.yaml".to_string();
        let here = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml").to_string();
        let nothing = Selected {
            any_unit: false,
            config_reads_files: true,
        };
        // Under --base, files that exist and that no unit reads are not certgate's business.
        let base = Request {
            base: Some("HEAD".into()),
            ..Request::default()
        };
        let mut shared = Shared::default();
        assert!(unmatched_files(
            &base,
            std::slice::from_ref(&here),
            nothing,
            &mut shared
        ));
        assert_eq!((shared.not_read.len(), shared.problems.len()), (1, 0));
        // A PATH that does not exist, or a run without --base, checked nothing.
        let mut shared = Shared::default();
        assert!(!unmatched_files(&base, &[here.clone(), missing], nothing, &mut shared));
        let kinds: Vec<ProblemKind> = shared.problems.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [ProblemKind::Unreadable, ProblemKind::NothingChecked]);
        let mut shared = Shared::default();
        assert!(!unmatched_files(&Request::default(), &[here], nothing, &mut shared));
        assert_eq!(shared.problems[0].kind, ProblemKind::NothingChecked);
    }

    #[test]
    fn a_directory_path_is_cleaned_of_its_dot() {
        assert_eq!(
            join_clean(Path::new("."), "certgate.yaml"),
            PathBuf::from("certgate.yaml")
        );
        assert_eq!(
            join_clean(Path::new("a"), "certgate.yaml"),
            PathBuf::from("a/certgate.yaml")
        );
    }
}
