//! `certgate explain CODE`: a rule's documentation, generated from its rule file.

use super::{CliError, Outcome, output};
use crate::rules::{Rule, builtin};

pub fn run(code: &str) -> Result<Outcome, CliError> {
    let code = code.trim().to_uppercase();
    let rule = builtin()
        .iter()
        .find(|r| *r.meta.code == *code || *r.meta.name == code.to_lowercase());
    let Some(rule) = rule else {
        return Err(CliError::Usage(format!("no rule {code}: `certgate rules` lists them")));
    };
    output::stdout(&explain(rule)).map_err(|e| CliError::Internal(e.to_string()))?;
    Ok(Outcome::Pass)
}

/// The documentation of one rule, as text.
pub fn explain(rule: &Rule) -> String {
    let m = &rule.meta;
    let mut out = format!(
        "{} {} ({})\n\n{}\n\nWhy\n  {}\n\nFix\n  {}\n",
        m.code,
        m.name,
        m.severity.as_str(),
        m.summary,
        m.rationale,
        m.remediation
    );
    if let Some(ex) = &m.examples {
        if let Some(bad) = &ex.bad {
            out.push_str(&format!("\nFires on\n{}", indent(bad)));
        }
        if let Some(good) = &ex.good {
            out.push_str(&format!("\nPasses\n{}", indent(good)));
        }
    }
    out.push_str(&format!("\nCheck kind\n  {}\n", m.kind));
    if let Some(uri) = &m.help_uri {
        out.push_str(&format!("\nSee\n  {uri}\n"));
    }
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}
