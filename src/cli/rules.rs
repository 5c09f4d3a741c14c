//! `certgate rules [--format json]`: the rule catalogue, generated from the rule files.

use serde::Serialize;

use super::{CliError, ListFormat, Outcome, output};
use crate::checks::KINDS;
use crate::rules::Severity;
use crate::rules::builtin;

#[derive(Serialize)]
struct RuleEntry<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    summary: &'a str,
    rationale: &'a str,
    remediation: &'a str,
    help_uri: Option<&'a str>,
    kind: &'a str,
    params: &'a serde_json::Value,
}

#[derive(Serialize)]
struct KindEntry {
    name: &'static str,
    summary: &'static str,
    params: &'static str,
}

#[derive(Serialize)]
struct Catalogue<'a> {
    rules: Vec<RuleEntry<'a>>,
    check_kinds: Vec<KindEntry>,
}

pub fn run(format: ListFormat) -> Result<Outcome, CliError> {
    let rules = builtin();
    let text = match format {
        ListFormat::Json => {
            let catalogue = Catalogue {
                rules: rules
                    .iter()
                    .map(|r| RuleEntry {
                        code: &r.meta.code,
                        name: &r.meta.name,
                        severity: r.meta.severity,
                        summary: &r.meta.summary,
                        rationale: &r.meta.rationale,
                        remediation: &r.meta.remediation,
                        help_uri: r.meta.help_uri.as_deref(),
                        kind: &r.meta.kind,
                        params: &r.meta.params,
                    })
                    .collect(),
                check_kinds: KINDS
                    .iter()
                    .map(|k| KindEntry {
                        name: k.name,
                        summary: k.summary,
                        params: k.params,
                    })
                    .collect(),
            };
            serde_json::to_string_pretty(&catalogue).map_err(|e| CliError::Internal(e.to_string()))? + "\n"
        }
        ListFormat::Text => {
            let mut out = String::new();
            for r in rules {
                out.push_str(&format!(
                    "{}  {:<32} {:<8} {}\n",
                    r.meta.code,
                    r.meta.name,
                    r.meta.severity.as_str(),
                    r.meta.summary
                ));
            }
            out
        }
    };
    output::stdout(&text).map_err(|e| CliError::Internal(e.to_string()))?;
    Ok(Outcome::Pass)
}
