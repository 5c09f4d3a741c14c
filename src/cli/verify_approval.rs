//! `certgate verify-approval REPORT.json`: re-hash the inputs a report was approved for and say
//! whether they are still what was checked. Exit 0 unchanged, 1 changed (saying which), 2 when the
//! report cannot be read.

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
    let units: Vec<&serde_json::Value> = match &json {
        serde_json::Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let mut lines = Vec::new();
    let mut changed = 0;
    let mut checked = 0;
    for unit in units {
        let inputs: Vec<Input> =
            serde_json::from_value(unit.get("inputs").cloned().unwrap_or_default()).map_err(|e| {
                CliError::Usage(format!(
                    "{} is not a certgate JSON report: inputs: {e}",
                    report.display()
                ))
            })?;
        for input in inputs {
            checked += 1;
            match current_digest(&input.path) {
                Ok(digest) if digest == input.sha256 => lines.push(format!(
                    "unchanged  {} ({})",
                    one_line(&input.path),
                    one_line(input.role.as_str())
                )),
                Ok(_) => {
                    changed += 1;
                    lines.push(format!(
                        "CHANGED    {} ({}): its sha256 differs from the approved one",
                        one_line(&input.path),
                        one_line(input.role.as_str())
                    ));
                }
                Err(e) => {
                    changed += 1;
                    lines.push(format!(
                        "CHANGED    {} ({}): {}",
                        one_line(&input.path),
                        one_line(input.role.as_str()),
                        one_line(&e)
                    ));
                }
            }
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
