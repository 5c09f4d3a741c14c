//! `certgate verify-approval REPORT.json`: re-hash the inputs a report was approved for and say
//! whether they are still what was checked. Exit 0 unchanged, 1 changed (saying which), 2 when the
//! report cannot be read. A plan (`certgate plan --format json`) is verified the same way: the
//! files of its client trust bundle written with `--output-dir`, each against its sha256.

use std::path::Path;

use super::{CliError, Outcome, output};
use crate::report::one_line;
use crate::source::Input;
use crate::source::files::{read_limited, sha256_hex};

/// Input files larger than this are not re-read (nothing certgate reads is larger).
const MAX_INPUT_BYTES: u64 = 64 << 20;

/// A report larger than this is not read: a report of 10,000 units is some tens of megabytes.
const MAX_REPORT_BYTES: u64 = 256 << 20;

pub fn run(report: &Path) -> Result<Outcome, CliError> {
    // Read like any input: a FIFO or device given as the report is refused at once, not waited on.
    let bytes = read_limited(report, MAX_REPORT_BYTES)
        .map_err(|e| CliError::Usage(format!("cannot read {}: it {e}", report.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::Usage(format!("{} is not a certgate JSON report: not UTF-8", report.display())))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| CliError::Usage(format!("{} is not a certgate JSON report: {e}", report.display())))?;
    let not_report = |what: &str, e: serde_json::Error| {
        CliError::Usage(format!(
            "{} is not a certgate JSON report: {what}: {e}",
            report.display()
        ))
    };
    // A plan (`certgate plan --format json`) lists its units under `plans`, and names no input:
    // what it approves is its client trust bundle's files.
    let plans = json.get("plans").filter(|_| json.get("tool").is_some());
    let units: Vec<&serde_json::Value> = match (&json, plans) {
        (_, Some(serde_json::Value::Array(a))) => a.iter().collect(),
        (serde_json::Value::Array(a), _) => a.iter().collect(),
        (other, _) => vec![other],
    };
    let mut lines = Vec::new();
    let (mut changed, mut checked) = (0, 0);
    for unit in units {
        let inputs: Vec<Input> = match unit.get("inputs") {
            None if plans.is_some() => Vec::new(),
            v => serde_json::from_value(v.cloned().unwrap_or_default()).map_err(|e| not_report("inputs", e))?,
        };
        let files = bundle_files(unit).map_err(|e| not_report("bundle.files", e))?;
        let approved = inputs
            .iter()
            .map(|i| (i.path.as_str(), i.sha256.as_str(), i.role.as_str()))
            .chain(
                files
                    .iter()
                    .map(|f| (f.0.as_str(), f.1.as_str(), "client trust bundle")),
            );
        for (path, sha256, role) in approved {
            checked += 1;
            let (line, same) = verify(path, sha256, role);
            changed += usize::from(!same);
            lines.push(line);
        }
        if let Some(cmd) = unit.get("upgrade_command").and_then(|c| c.as_str()) {
            lines.push(format!("approved:  {}", one_line(cmd)));
        }
    }
    if checked == 0 {
        return Err(CliError::Usage(format!(
            "{} lists no inputs to verify",
            report.display()
        )));
    }
    lines.push(if changed == 0 {
        format!("All {checked} inputs are as approved.")
    } else {
        format!("{changed} of {checked} inputs changed since approval: check again before running the command.")
    });
    output::stdout(&(lines.join("\n") + "\n")).map_err(|e| CliError::Internal(e.to_string()))?;
    Ok(if changed == 0 { Outcome::Pass } else { Outcome::Fail })
}

/// The files of a plan's client trust bundle that were written (`--output-dir`), as (path,
/// sha256); none for a report, a plan without bundle, or a bundle not written.
fn bundle_files(unit: &serde_json::Value) -> Result<Vec<(String, String)>, serde_json::Error> {
    #[derive(serde::Deserialize)]
    struct File {
        path: Option<String>,
        sha256: String,
    }
    let Some(files) = unit.get("bundle").and_then(|b| b.get("files")) else {
        return Ok(Vec::new());
    };
    let files: Vec<File> = serde_json::from_value(files.clone())?;
    Ok(files.into_iter().filter_map(|f| Some((f.path?, f.sha256))).collect())
}

/// The line for one approved file, and whether it is unchanged.
fn verify(path: &str, sha256: &str, role: &str) -> (String, bool) {
    match current_digest(path) {
        Ok(digest) if digest == sha256 => (format!("unchanged  {} ({})", one_line(path), one_line(role)), true),
        Ok(_) => (
            format!(
                "CHANGED    {} ({}): its sha256 differs from the approved one",
                one_line(path),
                one_line(role)
            ),
            false,
        ),
        Err(e) => (
            format!("CHANGED    {} ({}): {}", one_line(path), one_line(role), one_line(&e)),
            false,
        ),
    }
}

/// The digest of an input now: a file, or `REV:path` read from git.
fn current_digest(path: &str) -> Result<String, String> {
    let file = Path::new(path);
    if !file.exists()
        && let Some((rev, rel)) = path.split_once(':')
    {
        return match crate::source::git::show(rev, Path::new(rel), MAX_INPUT_BYTES)? {
            Some(bytes) => Ok(sha256_hex(&bytes)),
            None => Err(format!("not at {rev}")),
        };
    }
    read_limited(file, MAX_INPUT_BYTES)
        .map(|b| sha256_hex(&b))
        .map_err(|e| e.to_string())
}
