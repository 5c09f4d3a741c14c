//! Runs the rules over a loaded release unit and decides the outcome: findings with their final
//! severities, sorted once; the client impact verdict; and the approved command, printed only when
//! nothing is at or above the failure threshold and something certificate-related changes.

use std::collections::BTreeMap;

use crate::checks::Outcome;
use crate::load::Loaded;
pub use crate::model::plan::NoCommand;
use crate::model::unit::Unit;
use crate::report::{Finding, Location, Severity, Suppressed, UnitReport, sort_findings};
use crate::rules::Rule;

/// A rule's setting in config `policy.rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSetting {
    Off,
    On,
    Severity(Severity),
}

/// The policy in force for a run.
#[derive(Debug, Clone)]
pub struct Policy {
    pub fail_on: Severity,
    pub expiry_warning_days: u32,
    pub clients_must_keep_working: bool,
    pub require_previous: bool,
    pub rules: BTreeMap<String, RuleSetting>,
    pub help_uri_base: Option<String>,
    /// Whether inline suppressions apply (`--no-suppressions` turns them off, for auditors).
    pub suppressions: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            fail_on: Severity::Error,
            expiry_warning_days: 30,
            clients_must_keep_working: false,
            require_previous: false,
            rules: BTreeMap::new(),
            help_uri_base: None,
            suppressions: true,
        }
    }
}

impl Policy {
    /// The severity `rule` reports with under this policy, or None when it is switched off.
    pub fn severity_of(&self, rule: &Rule) -> Option<Severity> {
        let mut severity = rule.meta.severity;
        let raise = |s: &mut Severity, to: Option<Severity>, on: bool| {
            if let (true, Some(to)) = (on, to) {
                *s = (*s).max(to);
            }
        };
        raise(
            &mut severity,
            rule.meta.escalate.clients_must_keep_working,
            self.clients_must_keep_working,
        );
        raise(
            &mut severity,
            rule.meta.escalate.require_previous,
            self.require_previous,
        );
        match self.rules.get(&*rule.meta.code) {
            Some(RuleSetting::Off) => None,
            Some(RuleSetting::Severity(s)) => Some(*s),
            Some(RuleSetting::On) | None => Some(severity),
        }
    }

    /// The help URI of a rule: `<help_uri_base>/<code>` when configured, else the rule's own.
    pub fn help_uri(&self, rule: &Rule) -> Option<String> {
        match &self.help_uri_base {
            Some(base) => Some(format!("{}/{}", base.trim_end_matches('/'), rule.meta.code)),
            None => rule.meta.help_uri.clone(),
        }
    }
}

/// The severity of each enabled rule under this policy.
fn enabled<'r>(rules: &[&'r Rule], policy: &Policy) -> Vec<(&'r Rule, Severity)> {
    rules
        .iter()
        .filter_map(|r| policy.severity_of(r).map(|s| (*r, s)))
        .collect()
}

fn stamp(rule: &Rule, severity: Severity, emit: crate::checks::Emit, out: &mut Vec<Finding>) {
    out.extend(emit.into_hits().into_iter().map(|hit| Finding {
        code: rule.meta.code.clone(),
        name: rule.meta.name.clone(),
        severity,
        message: hit.message,
        location: hit.location,
        path: hit.path,
        block: hit.block,
        help: rule.meta.remediation.clone(),
    }));
}

/// Run every enabled rule over the unit.
pub fn findings(unit: &Unit, rules: &[&Rule], policy: &Policy) -> Vec<Finding> {
    let mut out = Vec::new();
    for (rule, severity) in enabled(rules, policy) {
        let mut emit = crate::checks::Emit::new(&rule.meta.code);
        rule.check.run(unit, &mut emit);
        stamp(rule, severity, emit, &mut out);
    }
    out
}

/// Move the findings that a valid, unlapsed suppression names on their line into `suppressed`.
fn apply_suppressions(
    unit: &Unit,
    found: Vec<Finding>,
    today: &str,
    honoured: bool,
) -> (Vec<Finding>, Vec<Suppressed>, Outcome) {
    let lapsed: Vec<bool> = unit
        .suppressions
        .iter()
        .map(|s| s.until.as_deref().is_some_and(|u| u < today))
        .collect();
    let mut outcome = Outcome {
        honoured,
        used: vec![0; unit.suppressions.len()],
        lapsed,
    };
    if !honoured {
        return (found, Vec::new(), outcome);
    }
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    for f in found {
        let hit = match &f.location {
            Location::Span { source, span } => {
                let line = unit.sources.get(*source).line_col(span.start).0;
                unit.suppressions.iter().enumerate().position(|(i, s)| {
                    s.source == *source
                        && s.target_line == line
                        && s.problem.is_none()
                        && !outcome.lapsed[i]
                        && s.codes.iter().any(|c| **c == *f.code)
                })
            }
            _ => None,
        };
        match hit {
            Some(i) => {
                outcome.used[i] += 1;
                let s = &unit.suppressions[i];
                suppressed.push(Suppressed {
                    finding: f,
                    reason: s.reason.clone().unwrap_or_default(),
                    until: s.until.clone(),
                });
            }
            None => kept.push(f),
        }
    }
    (kept, suppressed, outcome)
}

/// Check one loaded unit and decide its outcome.
pub fn check(loaded: Loaded, rules: &[&Rule], policy: &Policy, now: &str) -> UnitReport {
    let Loaded { unit, mut inputs } = loaded;
    let found = findings(&unit, rules, policy);
    let (mut found, mut suppressed, outcome) =
        apply_suppressions(&unit, found, now.get(..10).unwrap_or(now), policy.suppressions);
    for (rule, severity) in enabled(rules, policy) {
        let mut emit = crate::checks::Emit::new(&rule.meta.code);
        rule.check.after(&unit, &outcome, &mut emit);
        stamp(rule, severity, emit, &mut found);
    }
    sort_findings(&unit.sources, &mut found);
    found.dedup();
    suppressed.sort_by_cached_key(|s| {
        let p = crate::report::place(&unit.sources, &s.finding.location);
        (p.file, p.line, p.column, s.finding.code.clone())
    });
    let blocked = found.iter().any(|f| f.severity >= policy.fail_on);
    let (upgrade_command, command_note) = if blocked {
        (None, None)
    } else {
        match approved_command(&unit) {
            Ok(command) => (command, None),
            Err(why) => (None, Some(format!("no command: {why}"))),
        }
    };
    let secrets = unit_secrets(&unit);
    // The report keeps only the texts its findings point into (the PEM files and values of 10,000
    // units would otherwise stay in memory until the end of the run).
    let mut sources = unit.sources.clone();
    let mut keep: Vec<crate::source::SourceId> = found
        .iter()
        .chain(suppressed.iter().map(|s| &s.finding))
        .filter_map(|f| match f.location {
            Location::Span { source, .. } => Some(source),
            _ => None,
        })
        .collect();
    keep.sort();
    keep.dedup();
    sources.keep_only(&keep);
    // Reports live until the end of the run: no spare capacity in them.
    inputs.shrink_to_fit();
    found.shrink_to_fit();
    suppressed.shrink_to_fit();
    UnitReport {
        release: unit.release.as_ref().map(|r| r.value.clone()),
        now: now.to_string(),
        inputs,
        findings: found,
        suppressed,
        client_impact: unit.impact().clone(),
        certificates: unit.material.inventory(),
        upgrade_command,
        command_note,
        redacted: unit.redacted.clone(),
        sources,
        secrets,
    }
}

/// The unit's sources that hold key material, by what it is or where the loader found it.
fn unit_secrets(unit: &Unit) -> Vec<(std::sync::Arc<crate::source::Source>, Vec<crate::source::Span>)> {
    unit.sources
        .iter()
        .filter_map(|(id, source)| {
            let spans: Vec<_> = unit
                .redacted
                .iter()
                .filter(|(s, _)| *s == id)
                .map(|(_, span)| *span)
                .collect();
            (!spans.is_empty() || !source.secrets().is_empty()).then(|| (unit.sources.shared(id), spans))
        })
        .collect()
}

/// The one command that carries out exactly the checked change ([`crate::model::plan::command`]);
/// `Ok(None)` when nothing changes; `Err` with the reason when the command cannot be formed.
pub fn approved_command(unit: &Unit) -> Result<Option<String>, NoCommand> {
    unit.command_plan().clone().map(|planned| planned.map(|p| p.command))
}
