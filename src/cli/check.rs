//! `certgate check` and `certgate audit`: the arguments turned into a run ([`crate::engine::run`]),
//! and every requested format rendered from the one report model and written.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{CheckArgs, CliError, FailOn, Format, HelmMajor, Outcome, output};
use crate::config::Config;
use crate::engine::plan::PlanOptions;
use crate::engine::run::{self, Evaluation, Request};
use crate::engine::{ChangedBy, Policy};
use crate::helm::strvals::HelmVersion;
use crate::load::{NewLabel, UnitSpec};
use crate::model::unit::Given;
use crate::report;
use crate::rules::{self, Severity};
use crate::source::Location;
use crate::source::secret::Redactor;

pub fn run(args: &CheckArgs) -> Result<Outcome, CliError> {
    let targets = output_targets(
        args,
        &[Format::Text, Format::Json, Format::Sarif, Format::Junit, Format::Github],
    )?;
    if args.show_config {
        let run::Settings {
            config,
            policy,
            problems,
            not_read,
        } = run::settings(&request(args));
        say_not_read(&not_read, args);
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

/// The exit status of a written evaluation. The process ends next, so the evaluation is not torn
/// down: freeing 10,000 units' reports one allocation at a time kept the main thread busy for ~2%
/// of a 10,000-unit run after the last byte was written; the OS takes the memory back at once.
pub(super) fn outcome(evaluation: Evaluation) -> Outcome {
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
    let rules = evaluation.rules();
    let run = report::Report {
        units: &evaluation.reports,
        rules: &rules,
        policy: &evaluation.policy,
        plans: &evaluation.plans,
    };
    for (format, target) in targets {
        let options = report::Options {
            color: color && target.is_none(),
            quiet,
        };
        let result = output::report_to(target.as_deref(), redactor, |w| {
            report::write(report_format(*format), &run, &options, w)
        });
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

/// Load and check every selected release unit ([`run::evaluate`]).
pub fn evaluate(args: &CheckArgs) -> Result<Evaluation, CliError> {
    evaluate_planned(args, None)
}

/// [`evaluate`], with each unit's rollout plan decided when `plan` asks for it (`certgate plan`).
pub fn evaluate_planned(args: &CheckArgs, plan: Option<PlanOptions>) -> Result<Evaluation, CliError> {
    refuse_contradictions(args)?;
    let request = Request {
        now: Some(parse_now(args.now.as_deref())?),
        plan,
        ..request(args)
    };
    let evaluation = run::evaluate(&request).map_err(CliError::Internal)?;
    say_not_read(&evaluation.not_read, args);
    Ok(evaluation)
}

/// What the arguments ask a run to check, and with which policy (the clock aside).
fn request(args: &CheckArgs) -> Request {
    Request {
        config: args.config.clone(),
        paths: args.paths.clone(),
        flags: cli_unit(args),
        unit_flags: has_unit_flags(args),
        base: args.base.clone(),
        helm: args.helm.map(helm_version),
        fail_on: args.fail_on.map(|f| match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }),
        expiry_warning_days: args.expiry_warning_days,
        no_suppressions: args.no_suppressions,
        now: None,
        plan: None,
    }
}

/// Files a commit changed that no configured unit reads are not checked; say so on standard error.
fn say_not_read(not_read: &[String], args: &CheckArgs) {
    let redactor = argv_redactor(args);
    for file in not_read {
        let line = format!(
            "certgate: {} is not read by any release unit in the config; not checked\n",
            report::one_line(file)
        );
        let _ = output::stderr(&redactor.scrub(&line));
    }
}

/// The renderer's name for a `--format`.
fn report_format(format: Format) -> report::Format {
    match format {
        Format::Text => report::Format::Text,
        Format::Json => report::Format::Json,
        Format::Sarif => report::Format::Sarif,
        Format::Junit => report::Format::Junit,
        Format::Github => report::Format::Github,
        Format::Html => report::Format::Html,
        Format::Markdown => report::Format::Markdown,
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
        || !args.endpoint.is_empty()
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
        endpoints: args.endpoint.iter().map(|e| arg("--endpoint", e)).collect(),
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
    let origin = |key: &str, cli: bool| origin(config, key, cli);
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
    out.push_str(&rule_settings(config, policy));
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

/// Where a setting comes from: the command line, the config (file and line), or the default.
fn origin(config: Option<&Config>, key: &str, cli: bool) -> String {
    if cli {
        return "command line".into();
    }
    config
        .and_then(|c| c.policy_origins.get(key).cloned())
        .unwrap_or_else(|| "default".into())
}

/// Each built-in rule's setting in force and where it comes from, one line each.
fn rule_settings(config: Option<&Config>, policy: &Policy) -> String {
    let mut out = String::new();
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
            origin(config, &key, false)
        } else {
            match in_force.changed_by {
                Some(ChangedBy::ClientsMustKeepWorking) => {
                    format!("{} (clients: must-keep-working)", origin(config, "clients", false))
                }
                Some(ChangedBy::RequirePrevious) => {
                    format!("{} (require_previous: true)", origin(config, "require_previous", false))
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
        let moment = crate::crypto::Moment::from(parse_now(Some("2026-11-27T00:00:00.5Z")).unwrap());
        assert_eq!((moment.floor(), moment.ceil()), (1_795_737_600, 1_795_737_601));
        assert!(matches!(parse_now(Some("yesterday")), Err(CliError::Usage(_))));
    }
}
