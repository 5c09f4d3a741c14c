//! `certgate plan`: the run of `check`, each unit's rollout plan (`engine::plan`), the client
//! trust bundles written to `--output-dir`, and the plans rendered through the run's one output
//! filter, which also knows the trust store's password.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{CliError, Format, Outcome, PlanArgs, check, output};
use crate::engine::plan::{Blocker, P12_FILE, PEM_FILE, PlanOptions, Status, UnitPlan};
use crate::engine::run::Evaluation;
use crate::report;
use crate::source::secret::Redactor;

pub fn run(args: &PlanArgs) -> Result<Outcome, CliError> {
    let targets = check::output_targets(&args.check, &[Format::Text, Format::Json, Format::Markdown])?;
    // Options of `check` that plan has no use for are refused, never silently dropped.
    if args.check.show_config || args.check.quiet {
        return Err(CliError::Usage(
            "--show-config and --quiet are options of `certgate check`, not of `certgate plan`".into(),
        ));
    }
    let (options, password) = plan_options(args)?;
    let mut evaluation = check::evaluate_planned(&args.check, Some(options))?;
    let mut plans = std::mem::take(&mut evaluation.plans);
    if let Some(dir) = &args.output_dir {
        write_bundles(dir, &mut plans);
    }
    let redactor = redactor(&evaluation, args, password.as_deref());
    let mut write_error = None;
    for (format, target) in &targets {
        let text = match format {
            Format::Json => report::plan::json(&plans),
            Format::Markdown => report::plan::markdown(&plans),
            _ => report::plan::text(&plans),
        };
        let result = output::report_to(target.as_deref(), &redactor, |w| w.write_all(text.as_bytes()));
        if let Err(e) = result {
            write_error.get_or_insert(e);
        }
    }
    if let Some(e) = write_error {
        return Err(CliError::Internal(e));
    }
    let blocked = plans.iter().any(|p| p.status == Status::Blocked);
    Ok(if blocked || evaluation.failed() {
        Outcome::Fail
    } else {
        Outcome::Pass
    })
}

/// `certgate audit`: the auditor's report of the run with each unit's rollout plan and client
/// trust bundle, the bundles written to `--output-dir` when it is given.
///
/// The audit decides the plan whether or not the files are written: the bundle's bytes are a pure
/// function of the inputs and the password (the PKCS#12 MAC salt is derived from the contents), so
/// the SHA-256 digests the report shows are those of the files `certgate plan --output-dir` writes
/// from the same inputs, and the report stays reproducible. `--output-dir` makes the report name
/// the very files handed to clients; `--truststore-password-file` makes the store's digest that
/// of the store handed out. The exit status is the check's, or 1 when a bundle cannot be written.
pub fn run_audit(args: &PlanArgs) -> Result<Outcome, CliError> {
    let targets = check::output_targets(&args.check, &[Format::Html, Format::Markdown])?;
    let (options, password) = plan_options(args)?;
    let mut evaluation = check::evaluate_planned(&args.check, Some(options))?;
    let unwritten = match &args.output_dir {
        Some(dir) => write_bundles(dir, &mut evaluation.plans),
        None => false,
    };
    let redactor = redactor(&evaluation, args, password.as_deref());
    check::write_all(&evaluation, &targets, false, &redactor)?;
    let outcome = check::outcome(evaluation);
    Ok(if unwritten { Outcome::Fail } else { outcome })
}

/// The plan's options from the command line, and the trust store's password.
fn plan_options(args: &PlanArgs) -> Result<(PlanOptions, Option<String>), CliError> {
    let password = match &args.truststore_password_file {
        Some(path) => Some(read_password(path)?),
        None => None,
    };
    let options = PlanOptions {
        password: password.clone(),
        keep_old_ca_days: args
            .keep_old_ca_days
            .unwrap_or(crate::engine::plan::DEFAULT_KEEP_OLD_CA_DAYS),
    };
    Ok((options, password))
}

/// The run's output filter, which also knows every form of the trust store's password.
fn redactor(evaluation: &Evaluation, args: &PlanArgs, password: Option<&str>) -> Redactor {
    let mut redactor = check::redactor(evaluation, &args.check);
    for form in password.map(password_forms).unwrap_or_default() {
        redactor.add_literal(&form);
    }
    redactor
}

/// The password file's content with its trailing line break taken off (`echo pw > file` adds
/// one); a file that cannot be read is a usage error, as any other unreadable option.
fn read_password(path: &Path) -> Result<String, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::Usage(format!(
            "--truststore-password-file {}: cannot read it: {e}",
            report::one_line(&path.display().to_string())
        ))
    })?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    Ok(text.strip_suffix('\r').unwrap_or(text).to_string())
}

/// The password as each format may write it: as given or as a quoted message writes it (Rust's
/// `{:?}`), each as is, JSON-escaped, Markdown-escaped (the plan's and the audit's way) and
/// HTML-escaped (the audit). The filter sees the output's bytes, so each form is one it must know.
fn password_forms(password: &str) -> Vec<String> {
    let unquote = |s: String| s.get(1..s.len().saturating_sub(1)).unwrap_or_default().to_string();
    let debug = unquote(format!("{password:?}"));
    let mut forms = Vec::new();
    for text in [password.to_string(), debug] {
        forms.push(unquote(serde_json::to_string(&text).unwrap_or_default()));
        forms.push(report::plan::escape_markdown(&text));
        forms.push(report::github::md_escape(&text));
        forms.push(report::html::escape(&text));
        forms.push(text);
    }
    forms.sort();
    forms.dedup();
    forms
}

/// Write each plan's bundle: into `dir` itself when the run has one unit with a bundle, else into
/// one subdirectory per unit named for its release. A plan whose files cannot be written is
/// blocked, and leaves no file of this run behind. Whether any could not be written.
fn write_bundles(dir: &Path, plans: &mut [UnitPlan]) -> bool {
    let mut failed = false;
    let several = plans.iter().filter(|p| p.bundle.is_some()).count() > 1;
    let mut used: Vec<String> = Vec::new();
    for (i, plan) in plans.iter_mut().enumerate() {
        let Some(bundle) = &mut plan.bundle else {
            continue;
        };
        let target = if several {
            dir.join(unit_dir_name(plan.release.as_deref(), i, &mut used))
        } else {
            dir.to_path_buf()
        };
        match write_pair(&target, &bundle.built.pem, &bundle.built.p12) {
            Ok((pem, p12)) => {
                for f in &mut bundle.files {
                    let path = if f.name == PEM_FILE { &pem } else { &p12 };
                    f.path = Some(path.display().to_string());
                }
            }
            Err(e) => {
                failed = true;
                plan.status = Status::Blocked;
                plan.steps.clear();
                plan.bundle = None;
                plan.blocked.push(Blocker {
                    code: None,
                    message: format!(
                        "the client trust bundle cannot be written to {}: {e}; no file of it was left there",
                        target.display()
                    ),
                    file: None,
                    line: None,
                    column: None,
                    origin: None,
                });
            }
        }
    }
    failed
}

/// Both files, each atomically (temporary file, then rename); when the second fails, the first
/// is removed again, so the directory never holds a PEM of this run beside a store of another.
fn write_pair(dir: &Path, pem: &str, p12: &[u8]) -> std::io::Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let (pem_path, p12_path) = (dir.join(PEM_FILE), dir.join(P12_FILE));
    output::file(&pem_path, pem)?;
    if let Err(e) = output::file_with(&p12_path, |w| w.write_all(p12)) {
        let _ = std::fs::remove_file(&pem_path);
        return Err(e);
    }
    Ok((pem_path, p12_path))
}

/// A subdirectory name for a unit: its release name with every character outside
/// `[A-Za-z0-9._-]` made `_` (no separator, no `..`), `unit-N` without one, and `-2`, `-3` … for a
/// name already taken in this run.
fn unit_dir_name(release: Option<&str>, index: usize, used: &mut Vec<String>) -> String {
    let safe: String = release
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let base = if safe.is_empty() || safe.chars().all(|c| c == '.') {
        format!("unit-{}", index + 1)
    } else {
        safe
    };
    let mut name = base.clone();
    let mut n = 1;
    while used.contains(&name) {
        n += 1;
        name = format!("{base}-{n}");
    }
    used.push(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_directories_are_safe_file_names_and_distinct() {
        let mut used = Vec::new();
        assert_eq!(unit_dir_name(Some("es1"), 0, &mut used), "es1");
        assert_eq!(unit_dir_name(Some("es1"), 1, &mut used), "es1-2");
        assert_eq!(unit_dir_name(Some("../x/y"), 2, &mut used), ".._x_y");
        assert_eq!(unit_dir_name(Some(".."), 3, &mut used), "unit-4");
        assert_eq!(unit_dir_name(None, 4, &mut used), "unit-5");
    }
}
