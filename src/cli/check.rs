//! `certgate check`: decide which release units to check (command-line flags, PATHs, certgate.yaml),
//! load and check each, render every requested format from the one report model, and write them.

use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{CheckArgs, CliError, FailOn, Format, HelmMajor, Outcome, output};
use crate::config::{self, Config, ConfigLoad};
use crate::crypto::Moment;
use crate::engine::UnitReport;
use crate::engine::{self, ChangedBy, Policy};
use crate::helm::strvals::HelmVersion;
use crate::load::{BasePrefetch, Context, Limits, NewLabel, PREFETCH_MAX, UnitSpec, load_unit, preload_charts};
use crate::model::unit::Given;
use crate::report;
use crate::rules::Severity;
use crate::rules::{self, Rule};
use crate::source::Location;
use crate::source::SourceMap;
use crate::source::secret::Redactor;
use crate::source::{InputProblem, ProblemKind};

/// Everything one run concluded: the reports and the policy and rules they were checked with.
pub struct Evaluation {
    pub reports: Vec<UnitReport>,
    pub policy: Policy,
    /// The organisation's own rules (`rules_dirs`), after the built-in ones.
    pub user_rules: Vec<Rule>,
    pub config: Option<Config>,
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

pub fn run(args: &CheckArgs) -> Result<Outcome, CliError> {
    let targets = output_targets(
        args,
        &[Format::Text, Format::Json, Format::Sarif, Format::Junit, Format::Github],
    )?;
    if args.show_config {
        let (config, policy, problems) = policy_only(args);
        let mut text = show_config(config.as_ref(), &policy, args);
        // A config that does not load gives none of its settings: say so, and fail, rather than
        // show the defaults as if they were the config's.
        if !problems.is_empty() {
            text.push_str("\nthe config has problems; no setting above comes from it:\n");
            for p in &problems {
                text.push_str(&format!("  {}\n", report::one_line(p)));
            }
        }
        let text = argv_redactor(args).scrub(&text).into_owned();
        output::stdout(&text).map_err(|e| CliError::Internal(e.to_string()))?;
        return Ok(if problems.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail
        });
    }
    let evaluation = evaluate(args)?;
    write_all(&evaluation, &targets, args.quiet, &redactor(&evaluation, args))?;
    Ok(outcome(evaluation))
}

/// `certgate audit`: the same run, rendered for an auditor (self-contained HTML, or Markdown).
pub fn run_audit(args: &CheckArgs) -> Result<Outcome, CliError> {
    let targets = output_targets(args, &[Format::Html, Format::Markdown])?;
    let evaluation = evaluate(args)?;
    write_all(&evaluation, &targets, false, &redactor(&evaluation, args))?;
    Ok(outcome(evaluation))
}

/// The exit status of a written evaluation. The process ends next, so the evaluation is not torn
/// down: freeing 10,000 units' reports one allocation at a time kept the main thread busy for ~2%
/// of a 10,000-unit run after the last byte was written; the OS takes the memory back at once.
fn outcome(evaluation: Evaluation) -> Outcome {
    let outcome = if evaluation.failed() {
        Outcome::Fail
    } else {
        Outcome::Pass
    };
    std::mem::forget(evaluation);
    outcome
}

/// The filter every output of a run goes through: the key material of every unit's inputs and of
/// the command line.
pub fn redactor(evaluation: &Evaluation, args: &CheckArgs) -> Redactor {
    let mut redactor = argv_redactor(args);
    for report in &evaluation.reports {
        report.add_secrets(&mut redactor);
    }
    redactor
}

fn argv_redactor(args: &CheckArgs) -> Redactor {
    let mut redactor = Redactor::new();
    for s in &args.argv_secrets {
        redactor.add(s);
    }
    redactor
}

/// Render every requested format and write it through `redactor`, the one filter between certgate
/// and anything it prints; a failed write is reported after the others.
pub fn write_all(
    evaluation: &Evaluation,
    targets: &[(Format, Option<PathBuf>)],
    quiet: bool,
    redactor: &Redactor,
) -> Result<(), CliError> {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut write_error = None;
    for (format, target) in targets {
        let style = report::text::Style {
            color: color && target.is_none(),
        };
        // JSON is streamed: the report of many units is never held in memory whole.
        let text = (*format != Format::Json).then(|| render(*format, evaluation, style, quiet));
        let write = |w: &mut dyn std::io::Write| {
            let mut scrubbed = redactor.writer(w);
            match &text {
                Some(text) => scrubbed.write_all(text.as_bytes())?,
                None => report::json::write(&evaluation.reports, &mut scrubbed)?,
            }
            scrubbed.finish()
        };
        let result = match target {
            Some(path) => output::file_with(path, write).map_err(|e| format!("cannot write {}: {e}", path.display())),
            None => output::stdout_with(write).map_err(|e| format!("cannot write to standard output: {e}")),
        };
        if let Err(e) = result {
            write_error.get_or_insert(e);
        }
    }
    // In GitHub Actions, the verdict and the approved command go to the job summary as well.
    if targets.iter().any(|(f, _)| *f == Format::Github)
        && let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
    {
        let summary = report::github::step_summary(&evaluation.reports);
        let summary = redactor.scrub(&summary);
        if let Err(e) = output::append(Path::new(&path), &summary) {
            write_error.get_or_insert(format!("cannot write the job summary: {e}"));
        }
    }
    match write_error {
        Some(e) => Err(CliError::Internal(e)),
        None => Ok(()),
    }
}

fn policy_of(config: Option<&Config>, args: &CheckArgs) -> Policy {
    let mut policy = config.map(|c| c.policy.clone()).unwrap_or_default();
    if let Some(f) = args.fail_on {
        policy.fail_on = match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        };
    }
    if let Some(d) = args.expiry_warning_days {
        policy.expiry_warning_days = d;
    }
    if args.no_suppressions {
        policy.suppressions = false;
    }
    policy
}

fn policy_only(args: &CheckArgs) -> (Option<Config>, Policy, Vec<String>) {
    let mut sources = SourceMap::new();
    let mut problems = Vec::new();
    let plan = select_units(args, &mut sources, &mut problems, &mut Vec::new(), Units::Copy);
    let policy = policy_of(plan.config.as_ref(), args);
    // Where each problem of the config is, for --show-config to say why a setting is missing.
    let problems = problems
        .iter()
        .filter(|p| p.kind != ProblemKind::NothingChecked)
        .map(|p| {
            let at = crate::engine::place(&sources, &p.location);
            match (at.file, at.line, at.column) {
                (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}: {}", p.message),
                (Some(f), _, _) => format!("{f}: {}", p.message),
                _ => p.message.clone(),
            }
        })
        .collect();
    (plan.config, policy, problems)
}

/// Load and check every selected release unit.
pub fn evaluate(args: &CheckArgs) -> Result<Evaluation, CliError> {
    refuse_contradictions(args)?;
    let now = parse_now(args.now.as_deref())?;
    let now_text = now.format(&Rfc3339).map_err(|e| CliError::Internal(e.to_string()))?;

    // The run's shared sources: config and rule files, so every unit can point into them.
    let mut base = SourceMap::new();
    let mut run_problems: Vec<InputProblem> = Vec::new();
    let mut run_inputs = Vec::new();
    let limits = Limits::default();
    // A pre-commit hook runs `check --base HEAD FILE...`: a changed values file is wanted at HEAD,
    // so git starts on it now, while the config is read (a file no unit reads costs one git run).
    let git = BasePrefetch::default();
    if let Some(rev) = &args.base {
        let changed = args.paths.iter().filter(|p| {
            p.extension().is_some_and(|e| e == "yaml" || e == "yml")
                && p.file_name().is_some_and(|n| n != config::FILE_NAME)
                && p.is_file()
        });
        for path in changed.take(PREFETCH_MAX) {
            git.start(rev, path, &limits);
        }
    }
    let mut plan = select_units(args, &mut base, &mut run_problems, &mut run_inputs, Units::Move);
    git.start_units(plan.units.iter().flatten(), &limits);
    let policy = policy_of(plan.config.as_ref(), args);
    // The units are selected: the config's own copy of them is not needed any more.
    if let Some(c) = &mut plan.config {
        c.units = Vec::new();
    }

    // Built-in rules, then the organisation's own.
    let mut user_rules: Vec<Rule> = Vec::new();
    if let Some(cfg) = &plan.config {
        for dir in &cfg.rules_dirs {
            if let Some(why) = crate::source::confine::escapes(&cfg.dir, dir) {
                run_problems.push(InputProblem::new(
                    ProblemKind::RuleFileInvalid,
                    Location::File { path: cfg.path.clone() },
                    format!("{}: rules_dirs names {dir:?}, which {why}: a config names directories inside its own repository only; not read", cfg.path),
                ));
                continue;
            }
            let path = cfg.dir.join(dir);
            let (rules, problems, inputs) = rules::load_dir(&path, &path.to_string_lossy(), &mut base);
            user_rules.extend(rules);
            run_problems.extend(problems);
            run_inputs.extend(inputs);
        }
    }
    let all_rules: Vec<&Rule> = rules::builtin().iter().chain(user_rules.iter()).collect();
    if let Some(cfg) = &plan.config {
        for (code, location) in &cfg.rule_locations {
            if !all_rules.iter().any(|r| *r.meta.code == **code) {
                run_problems.push(InputProblem::new(
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

    let charts = preload_charts(plan.units.iter().flatten(), &limits, &mut base);
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
    if specs.is_empty() && plan.only_unrelated_files && run_problems.is_empty() {
        return Ok(Evaluation {
            reports: Vec::new(),
            policy,
            user_rules,
            config: plan.config,
        });
    }
    if specs.is_empty() {
        // Unless the run already says why nothing was checked (PATHs no unit reads).
        if !run_problems
            .iter()
            .any(|p| p.kind == ProblemKind::NothingChecked && p.location == Location::Run)
        {
            run_problems.push(InputProblem::new(
                ProblemKind::NothingChecked,
                Location::Run,
                "no release unit to check: give values (-f, --set, --command), or a directory whose certgate.yaml names release units",
            ));
        }
        specs.push(None);
    }
    // Release units are independent: check them in parallel, keeping their order.
    let run_shared = std::sync::Mutex::new(Some((run_problems, run_inputs)));
    // Each spec is taken (and freed) when its unit is loaded: 10,000 of them add up.
    // (`extend`, not `collect`: collecting in place would keep the specs' large buffer alive.)
    let mut slots: Vec<std::sync::Mutex<Option<Box<UnitSpec>>>> = Vec::with_capacity(specs.len());
    slots.extend(specs.into_iter().map(|s| std::sync::Mutex::new(s.map(Box::new))));
    let specs = slots;
    let check_one = |i: usize, slot: &std::sync::Mutex<Option<Box<UnitSpec>>>| {
        let spec = slot.lock().ok().and_then(|mut s| s.take()).map(|b| *b);
        let empty = UnitSpec::default();
        let mut loaded = load_unit(spec.as_ref().unwrap_or(&empty), &ctx, &base);
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
        engine::check(loaded, &all_rules, &policy, &now_text)
    };
    let reports = crate::parallel::map(&specs, check_one);
    Ok(Evaluation {
        reports,
        policy,
        user_rules,
        config: plan.config,
    })
}

fn render(format: Format, evaluation: &Evaluation, style: report::text::Style, quiet: bool) -> String {
    let reports = &evaluation.reports;
    match format {
        Format::Text => report::text::render(reports, style, quiet),
        Format::Json => report::json::render(reports),
        Format::Sarif => report::sarif::render(reports, &evaluation.rules(), &evaluation.policy),
        Format::Junit => report::junit::render(reports, &evaluation.rules(), evaluation.policy.fail_on),
        Format::Github => report::github::render(reports),
        Format::Html => report::audit::html(reports, &evaluation.rules(), &evaluation.policy),
        Format::Markdown => report::audit::markdown(reports, &evaluation.rules(), &evaluation.policy),
    }
}

/// Pair each `--format` with the `--output` that follows it; a format without one goes to standard
/// output (at most one may).
pub fn output_targets(args: &CheckArgs, allowed: &[Format]) -> Result<Vec<(Format, Option<PathBuf>)>, CliError> {
    if let Some(f) = args.format.iter().find(|f| !allowed.contains(f)) {
        let names: Vec<String> = allowed.iter().map(|a| format!("{a:?}").to_lowercase()).collect();
        return Err(CliError::Usage(format!(
            "--format {} is not one of {}",
            format!("{f:?}").to_lowercase(),
            names.join(", ")
        )));
    }
    if args.format.is_empty() {
        if !args.output.is_empty() {
            return Err(CliError::Usage("--output needs a --format before it".into()));
        }
        return Ok(vec![(allowed[0], None)]);
    }
    let mut targets: Vec<(Format, Option<PathBuf>)> = args.format.iter().map(|f| (*f, None)).collect();
    for (j, out) in args.output.iter().enumerate() {
        let pos = args.output_positions.get(j).copied().unwrap_or(usize::MAX);
        let owner = args.format_positions.iter().rposition(|&p| p < pos);
        let Some(owner) = owner else {
            return Err(CliError::Usage(format!(
                "--output {} needs a --format before it",
                out.display()
            )));
        };
        if targets[owner].1.is_some() {
            return Err(CliError::Usage(
                format!("--format {:?} has two --output files", targets[owner].0).to_lowercase(),
            ));
        }
        targets[owner].1 = Some(out.clone());
    }
    if targets.iter().filter(|(_, t)| t.is_none()).count() > 1 {
        return Err(CliError::Usage(
            "only one --format may go to standard output; give the others --output FILE".into(),
        ));
    }
    Ok(targets)
}

/// Options that cannot all be meant are refused, never one of them silently dropped.
fn refuse_contradictions(args: &CheckArgs) -> Result<(), CliError> {
    if args.previous.is_some() && args.base.is_some() {
        return Err(CliError::Usage(
            "--previous and --base both say what runs today (a file from helm get values, or the same files at a git revision): give one".into(),
        ));
    }
    if args.namespace.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(CliError::Usage(
            "--namespace needs a namespace name (an empty one makes Helm 3 use the kube context's namespace)".into(),
        ));
    }
    Ok(())
}

fn parse_now(now: Option<&str>) -> Result<OffsetDateTime, CliError> {
    let t = match now {
        Some(s) => OffsetDateTime::parse(s, &Rfc3339).map_err(|e| {
            CliError::Usage(format!(
                "--now {s:?} is not an RFC 3339 time (e.g. 2026-11-27T00:00:00Z): {e}"
            ))
        })?,
        None => OffsetDateTime::now_utc(),
    };
    // Kept to the nanosecond: certificates are judged at this exact time (crypto::Moment), and
    // the report prints a fraction of a second when there is one (RFC 3339 §5.6 time-secfrac).
    Ok(t.to_offset(time::UtcOffset::UTC))
}

/// The units a run checks, and the config in force.
struct Plan {
    config: Option<Config>,
    /// `None` stands for "nothing was asked for".
    units: Vec<Option<UnitSpec>>,
    /// Files were given and none belongs to a release unit: nothing to check, and nothing wrong.
    only_unrelated_files: bool,
}

fn has_unit_flags(args: &CheckArgs) -> bool {
    !args.values.is_empty()
        || !args.set.is_empty()
        || !args.set_string.is_empty()
        || !args.set_file.is_empty()
        || args.previous.is_some()
        || args.command.is_some()
        || args.chart.is_some()
        || args.release.is_some()
        || args.configmap.is_some()
        || args.new_label.is_some()
        || args.key.is_some()
        || args.cert.is_some()
        || args.cacert.is_some()
        || args.secret.is_some()
        || args.previous_cacert.is_some()
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

fn select_units(
    args: &CheckArgs,
    base: &mut SourceMap,
    problems: &mut Vec<InputProblem>,
    inputs: &mut Vec<crate::source::Input>,
    how: Units,
) -> Plan {
    let take = |c: &mut Config| match how {
        Units::Move => std::mem::take(&mut c.units),
        Units::Copy => c.units.clone(),
    };
    let mut load_config = |path: &Path, base: &mut SourceMap, problems: &mut Vec<InputProblem>| -> Option<Config> {
        let ConfigLoad {
            config,
            problems: p,
            input,
        } = config::load(path, base);
        problems.extend(p);
        inputs.extend(input);
        config
    };
    let mut config: Option<Config> = None;
    // Whether a config file was named (and read, well or badly): then none is searched for.
    let mut config_named = args.config.is_some();
    let mut units: Vec<Option<UnitSpec>> = Vec::new();
    let mut loose_files: Vec<String> = Vec::new();
    if let Some(path) = &args.config {
        config = load_config(path, base, problems);
    }
    let mut dir_configs: Vec<Config> = Vec::new();
    for path in &args.paths {
        if path.is_dir() {
            let file = join_clean(path, config::FILE_NAME);
            if file.is_file() {
                config_named = true;
                if let Some(c) = load_config(&file, base, problems) {
                    dir_configs.push(c);
                }
            } else {
                problems.push(InputProblem::new(
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
            if let Some(c) = load_config(path, base, problems) {
                dir_configs.push(c);
            }
        } else {
            loose_files.push(path.to_string_lossy().into_owned());
        }
    }
    if !config_named && let Some(found) = std::env::current_dir().ok().and_then(|d| config::discover(&d)) {
        let rel = found
            .strip_prefix(std::env::current_dir().unwrap_or_default())
            .map(Path::to_path_buf)
            .unwrap_or(found.clone());
        config = load_config(&rel, base, problems);
    }
    for c in &mut dir_configs {
        units.extend(take(c).into_iter().map(|mut u| {
            apply_global_flags(&mut u, args);
            Some(u)
        }));
    }
    // Changed files (pre-commit) select the configured units they belong to.
    let mut unmatched = Vec::new();
    // Each configured unit's files, listed once for all the changed files.
    let unit_files: Vec<(&UnitSpec, Vec<PathBuf>)> = match &config {
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
        for mut u in selected {
            apply_global_flags(&mut u, args);
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
    // With a config, a changed file no unit reads is none of certgate's business when the run
    // compares against a revision (`--base`): a pre-commit hook passes every changed YAML file, and
    // the README promises that files no unit reads are ignored. A PATH that does not exist was
    // never a changed file (pre-commit passes only the files a commit adds or modifies), and a run
    // without `--base` that checks none of its PATHs checked nothing: both are findings. Without a
    // config, a file PATH is a values file.
    let mut only_unrelated_files = false;
    if config.is_some() && !unmatched.is_empty() {
        let mut all_exist = true;
        for file in &unmatched {
            if Path::new(file).exists() {
                eprintln!(
                    "certgate: {} is not read by any release unit in the config; not checked",
                    report::one_line(file)
                );
            } else {
                all_exist = false;
                problems.push(InputProblem::new(
                    ProblemKind::Unreadable,
                    Location::File { path: file.clone() },
                    format!("the PATH {file} does not exist (no such file), so no release unit reads it"),
                ));
            }
        }
        if units.is_empty() && !has_unit_flags(args) {
            only_unrelated_files = args.base.is_some() && all_exist && !unit_files.is_empty();
            if !only_unrelated_files {
                problems.push(InputProblem::new(
                    ProblemKind::NothingChecked,
                    Location::Run,
                    format!(
                        "nothing was checked: no release unit in the config reads {}",
                        unmatched.join(", ")
                    ),
                ));
            }
        }
        unmatched.clear();
    }
    if has_unit_flags(args) || !unmatched.is_empty() {
        let mut spec = cli_unit(args);
        spec.values.extend(unmatched.into_iter().map(|f| Given {
            location: Location::File { path: f.clone() },
            value: f,
        }));
        units.insert(0, Some(spec));
    } else if args.paths.is_empty()
        && let Some(c) = &mut config
    {
        units.extend(take(c).into_iter().map(|mut u| {
            apply_global_flags(&mut u, args);
            Some(u)
        }));
    }
    let config = config.or_else(|| dir_configs.into_iter().next());
    Plan {
        config,
        units,
        only_unrelated_files,
    }
}

/// `dir/name`, without a leading `./` (so `certgate check .` names `certgate.yaml`, not `./certgate.yaml`).
pub fn join_clean(dir: &Path, name: &str) -> PathBuf {
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

/// Flags that apply to every unit, including configured ones.
fn apply_global_flags(unit: &mut UnitSpec, args: &CheckArgs) {
    if let Some(rev) = &args.base {
        unit.base = Some(Given {
            value: rev.clone(),
            location: Location::Arg {
                origin: format!("--base {rev}"),
            },
        });
    }
    if let Some(h) = args.helm {
        unit.helm.get_or_insert(helm_version(h));
    }
}

fn helm_version(h: HelmMajor) -> HelmVersion {
    match h {
        HelmMajor::V2 => HelmVersion::V2,
        HelmMajor::V3 => HelmVersion::V3,
        HelmMajor::V4 => HelmVersion::V4,
    }
}

/// The unit the command-line flags describe.
fn cli_unit(args: &CheckArgs) -> UnitSpec {
    let arg = |flag: &str, value: &str| Given {
        value: value.to_string(),
        location: Location::Arg {
            origin: format!("{flag} {value}"),
        },
    };
    let set_arg = |flag: &str, value: &str| {
        let key = value.split('=').next().unwrap_or_default();
        Given {
            value: value.to_string(),
            location: Location::Arg {
                origin: format!("{flag} {key}=…"),
            },
        }
    };
    UnitSpec {
        base_dir: PathBuf::new(),
        release: args.release.as_deref().map(|r| arg("--release", r)),
        namespace: args.namespace.clone(),
        helm: args.helm.map(helm_version),
        chart: args.chart.as_deref().map(|c| arg("--chart", c)),
        values: args.values.iter().map(|v| arg("-f", v)).collect(),
        set: args.set.iter().map(|v| set_arg("--set", v)).collect(),
        set_string: args.set_string.iter().map(|v| set_arg("--set-string", v)).collect(),
        set_file: args.set_file.iter().map(|v| set_arg("--set-file", v)).collect(),
        previous: args.previous.as_deref().map(|p| arg("--previous", p)),
        base: args.base.as_deref().map(|b| arg("--base", b)),
        configmap: args.configmap.as_deref().map(|p| arg("--configmap", p)),
        key: args.key.as_deref().map(|p| arg("--key", p)),
        cert: args.cert.as_deref().map(|p| arg("--cert", p)),
        cacert: args.cacert.as_deref().map(|p| arg("--cacert", p)),
        previous_cacert: args.previous_cacert.as_deref().map(|p| arg("--previous-cacert", p)),
        secret: args.secret.as_deref().map(|p| arg("--secret", p)),
        history: Default::default(),
        hostnames: Vec::new(),
        command: args.command.clone(),
        new_label: args.new_label.as_deref().map(|l| {
            if l == "auto" {
                NewLabel::Auto
            } else {
                NewLabel::Value(l.to_string())
            }
        }),
    }
}

/// `--show-config`: the effective configuration and where each setting came from.
fn show_config(config: Option<&Config>, policy: &Policy, args: &CheckArgs) -> String {
    let origin = |key: &str, cli: bool| -> String {
        if cli {
            return "command line".into();
        }
        config
            .and_then(|c| c.policy_origins.get(key).cloned())
            .unwrap_or_else(|| "default".into())
    };
    let mut out = String::new();
    out.push_str(&format!(
        "config: {}\n",
        config.map_or("(none found)".to_string(), |c| c.path.clone())
    ));
    out.push_str(&format!(
        "fail_on: {}  # {}\n",
        policy.fail_on.as_str(),
        origin("fail_on", args.fail_on.is_some())
    ));
    out.push_str(&format!(
        "expiry_warning_days: {}  # {}\n",
        policy.expiry_warning_days,
        origin("expiry_warning_days", args.expiry_warning_days.is_some())
    ));
    out.push_str(&format!(
        "clients: {}  # {}\n",
        if policy.clients_must_keep_working {
            "must-keep-working"
        } else {
            "may-change"
        },
        origin("clients", false)
    ));
    out.push_str(&format!(
        "require_previous: {}  # {}\n",
        policy.require_previous,
        origin("require_previous", false)
    ));
    out.push_str(&format!(
        "help_uri_base: {}  # {}\n",
        policy.help_uri_base.as_deref().unwrap_or("null"),
        origin("help_uri_base", false)
    ));
    out.push_str("rules:\n");
    for rule in rules::builtin() {
        let in_force = policy.in_force(rule);
        let setting = match in_force.severity {
            None => "off".to_string(),
            Some(s) => s.as_str().to_string(),
        };
        let key = format!("rules.{}", rule.meta.code);
        // An entry of policy.rules is where the setting comes from (`on` included); otherwise the
        // policy setting that raised the rule, if one did.
        let from = if config.is_some_and(|c| c.policy_origins.contains_key(&key)) {
            origin(&key, false)
        } else {
            match in_force.changed_by {
                Some(ChangedBy::ClientsMustKeepWorking) => {
                    format!("{} (clients: must-keep-working)", origin("clients", false))
                }
                Some(ChangedBy::RequirePrevious) => {
                    format!("{} (require_previous: true)", origin("require_previous", false))
                }
                Some(by @ ChangedBy::Override) => by.as_str().to_string(),
                None => "default".to_string(),
            }
        };
        out.push_str(&format!(
            "  {}: {}  # {} {}\n",
            rule.meta.code, setting, rule.meta.name, from
        ));
    }
    if let Some(c) = config {
        out.push_str(&format!("rules_dirs: [{}]\n", c.rules_dirs.join(", ")));
        out.push_str("releases:\n");
        for u in &c.units {
            out.push_str(&format!(
                "  - {}\n",
                u.release.as_ref().map_or("?", |r| r.value.as_str())
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_keeps_its_fraction_and_prints_it_only_when_there_is_one() {
        let text = |s: &str| parse_now(Some(s)).unwrap().format(&Rfc3339).unwrap();
        assert_eq!(text("2026-11-27T00:00:00Z"), "2026-11-27T00:00:00Z");
        assert_eq!(text("2026-11-27T00:00:00.5Z"), "2026-11-27T00:00:00.5Z");
        assert_eq!(text("2026-11-27T02:00:00.250+02:00"), "2026-11-27T00:00:00.25Z");
        let moment = Moment::from(parse_now(Some("2026-11-27T00:00:00.5Z")).unwrap());
        assert_eq!((moment.floor(), moment.ceil()), (1_795_737_600, 1_795_737_601));
        assert!(matches!(parse_now(Some("yesterday")), Err(CliError::Usage(_))));
    }
}
