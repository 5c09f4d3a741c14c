//! Runs the rules over a loaded release unit and decides the outcome: findings with their final
//! severities, sorted once; the client impact verdict; and the approved command, printed only when
//! nothing is at or above the failure threshold and something certificate-related changes. The
//! run over every unit a command line or config names is [`run`].

mod outcome;
pub mod plan;
pub mod run;
pub use outcome::{Approval, Finding, Placed, Summary, Suppressed, UnitReport, place, sort_findings};

use std::collections::BTreeMap;

use crate::checks::Outcome;
use crate::load::Loaded;
pub use crate::model::plan::NoCommand;
use crate::model::unit::Unit;
use crate::rules::Rule;
use crate::rules::Severity;
use crate::source::Location;

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

/// What set a rule's severity in force away from its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangedBy {
    /// An entry of config `policy.rules` that switches the rule off or sets its severity.
    Override,
    /// `clients: must-keep-working`, through the rule's `escalate`.
    ClientsMustKeepWorking,
    /// `require_previous: true`, through the rule's `escalate`.
    RequirePrevious,
}

impl ChangedBy {
    /// The setting's name as the config spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangedBy::Override => "policy.rules",
            ChangedBy::ClientsMustKeepWorking => "clients: must-keep-working",
            ChangedBy::RequirePrevious => "require_previous",
        }
    }
}

/// A rule as the policy runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InForce {
    /// None when the rule is switched off.
    pub severity: Option<Severity>,
    /// What changed the severity from the rule's default, when something did.
    pub changed_by: Option<ChangedBy>,
}

impl Policy {
    /// How `rule` runs under this policy: an entry of `policy.rules` (`off` or a severity) decides
    /// outright; otherwise each policy setting the rule's `escalate` names raises it (never lowers
    /// it), and the raise that gave the final severity is what changed it (the first, on a tie).
    pub fn in_force(&self, rule: &Rule) -> InForce {
        let meta = &rule.meta;
        match self.rules.get(&*meta.code) {
            Some(RuleSetting::Off) => {
                return InForce {
                    severity: None,
                    changed_by: Some(ChangedBy::Override),
                };
            }
            Some(RuleSetting::Severity(s)) => {
                return InForce {
                    severity: Some(*s),
                    changed_by: Some(ChangedBy::Override),
                };
            }
            Some(RuleSetting::On) | None => {}
        }
        let escalations = [
            (
                self.clients_must_keep_working,
                meta.escalate.clients_must_keep_working,
                ChangedBy::ClientsMustKeepWorking,
            ),
            (
                self.require_previous,
                meta.escalate.require_previous,
                ChangedBy::RequirePrevious,
            ),
        ];
        let mut in_force = InForce {
            severity: Some(meta.severity),
            changed_by: None,
        };
        for (on, to, by) in escalations {
            if let (true, Some(to)) = (on, to)
                && in_force.severity.is_some_and(|s| to > s)
            {
                in_force = InForce {
                    severity: Some(to),
                    changed_by: Some(by),
                };
            }
        }
        in_force
    }

    /// The severity `rule` reports with under this policy, or None when it is switched off.
    pub fn severity_of(&self, rule: &Rule) -> Option<Severity> {
        self.in_force(rule).severity
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
        message: bounded(hit.message),
        location: hit.location,
        path: hit.path,
        block: hit.block,
        help: rule.meta.remediation.clone(),
    }));
}

/// The most characters of a finding's message any format prints. Messages quote what the inputs
/// hold (subjects, names, values), and a hostile certificate can hold thousands of RDNs or names
/// (x509-limbo has a subject of 2,048 RDNs): a message stays a line a person reads, in every
/// format, and says how much it left out. Real messages stay far below it.
const MAX_MESSAGE: usize = 2_000;

fn bounded(message: String) -> String {
    let Some((cut, _)) = message.char_indices().nth(MAX_MESSAGE) else {
        return message;
    };
    let left = message[cut..].chars().count();
    format!("{}… ({left} more characters)", &message[..cut])
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
    let Loaded { unit, inputs } = loaded;
    check_unit(&unit, inputs, rules, policy, now)
}

/// [`check`], leaving the unit to the caller (`certgate plan` reads its certificates after).
pub fn check_unit(
    unit: &Unit,
    mut inputs: Vec<crate::source::Input>,
    rules: &[&Rule],
    policy: &Policy,
    now: &str,
) -> UnitReport {
    let found = findings(unit, rules, policy);
    let (mut found, mut suppressed, outcome) =
        apply_suppressions(unit, found, now.get(..10).unwrap_or(now), policy.suppressions);
    for (rule, severity) in enabled(rules, policy) {
        let mut emit = crate::checks::Emit::new(&rule.meta.code);
        rule.check.after(unit, &outcome, &mut emit);
        stamp(rule, severity, emit, &mut found);
    }
    sort_findings(&unit.sources, &mut found);
    found.dedup();
    suppressed.sort_by_cached_key(|s| {
        let p = crate::engine::place(&unit.sources, &s.finding.location);
        (p.file, p.line, p.column, s.finding.code.clone())
    });
    let approval = approval(unit, &found, policy.fail_on);
    let secrets = unit_secrets(unit);
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
        client_impact: crate::checks::client_impact::judge(unit.impact()),
        certificates: unit.material.inventory(policy.expiry_warning_days),
        approval,
        redacted: unit.redacted.clone(),
        sources,
        secrets,
    }
}

/// Whether the unit gets a command (SPEC §3), from its final findings (sorted, suppressions
/// applied) and the unit's own plan: findings at or above `fail_on` block it; else the plan has
/// the command, finds nothing to change, or says why it cannot be formed.
fn approval(unit: &Unit, found: &[Finding], fail_on: Severity) -> Approval {
    let mut count = 0;
    let mut codes: Vec<std::sync::Arc<str>> = Vec::new();
    for f in found.iter().filter(|f| f.fails_at(fail_on)) {
        count += 1;
        if !codes.contains(&f.code) {
            codes.push(f.code.clone());
        }
    }
    if count > 0 {
        return Approval::Blocked { count, codes, fail_on };
    }
    match approved_command(unit) {
        Ok(Some(command)) => Approval::Approved(command),
        Ok(None) => Approval::NothingToChange,
        Err(why) => Approval::NotFormed(why),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Context, UnitSpec, load_unit};
    use crate::model::unit::Given;
    use crate::source::SourceMap;

    /// A value given on the command line.
    fn given(value: &str) -> Given<String> {
        Given {
            value: value.to_string(),
            location: Location::Arg {
                origin: format!("test {value}"),
            },
        }
    }

    /// The report of `spec` under `policy`, with every built-in rule, at the command-line cases'
    /// clock; `chart` stands for the chart path as the user gave it (the archive itself is not read).
    fn report(spec: &UnitSpec, chart: Option<&str>, policy: &Policy) -> UnitReport {
        let mut loaded = load_unit(spec, &Context::at_unix(1_795_737_600), &SourceMap::new());
        loaded.unit.chart_path = chart.map(str::to_string);
        let rules: Vec<&Rule> = crate::rules::builtin().iter().collect();
        check(loaded, &rules, policy, "2026-11-27T00:00:00Z")
    }

    fn spec(release: Option<&str>, set: &[&str]) -> UnitSpec {
        UnitSpec {
            release: release.map(given),
            set: set.iter().map(|s| given(s)).collect(),
            ..UnitSpec::default()
        }
    }

    const LABEL: &str = "global.security.externalCertificateLabel=new1";

    #[test]
    fn a_message_is_bounded_and_says_how_much_it_left_out() {
        let short = "x".repeat(MAX_MESSAGE);
        assert_eq!(bounded(short.clone()), short);
        let long = format!("{short}éé{}", "y".repeat(10));
        assert_eq!(bounded(long), format!("{short}… (12 more characters)"));
    }

    /// A CA whose subject runs to thousands of characters: the finding quoting it stays bounded.
    #[test]
    fn a_hostile_subject_does_not_make_a_hostile_message() {
        use crate::crypto::test_support::{Alg, Ca};
        let root = Ca::new(Alg::EcP256, &"R".repeat(3_000));
        let intermediate = root.intermediate(Alg::EcP256, "Test Intermediate");
        let leaf = intermediate.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = crate::model::unit::Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &intermediate.cert_pem())
            .build();
        let rules: Vec<&Rule> = crate::rules::builtin().iter().collect();
        let found = findings(&unit, &rules, &Policy::default());
        let cg311 = found.iter().find(|f| &*f.code == "CG311").expect("CG311");
        assert!(
            cg311
                .message
                .starts_with("tls.cacert (CN=Test Intermediate) is not a self-signed root: it is issued by CN=RRR")
        );
        assert!(cg311.message.ends_with("more characters)"), "{}", cg311.message);
        let (kept, said) = cg311.message.split_once("… (").expect("cut");
        assert_eq!(kept.chars().count(), MAX_MESSAGE);
        let left: usize = said.trim_end_matches(" more characters)").parse().expect("a count");
        assert!(left > 1_000, "the rest of the 3,000-character issuer: {left} left out");
    }

    #[test]
    fn a_formed_command_is_approved() {
        let r = report(&spec(Some("es1"), &[LABEL]), Some("chart.tgz"), &Policy::default());
        let command =
            "helm upgrade --reuse-values --set global.security.externalCertificateLabel=new1 es1 chart.tgz --tls";
        assert_eq!(r.approval, Approval::Approved(command.into()));
        assert_eq!(r.upgrade_command(), Some(command));
    }

    /// Every finding at or above the threshold counts; each code is named once, in the report's
    /// order; the threshold is kept with the decision.
    #[test]
    fn findings_at_or_above_fail_on_block_the_command() {
        let labels = [
            "global.security.externalCertificateLabel=new 1",
            "global.security.internalCertificateLabel=new 2",
        ];
        let r = report(&spec(Some("es1"), &labels), Some("chart.tgz"), &Policy::default());
        let blocking: Vec<&str> = r
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| &*f.code)
            .collect();
        assert_eq!(blocking, ["CG101", "CG101"], "{:?}", r.findings);
        assert_eq!(
            r.approval,
            Approval::Blocked {
                count: 2,
                codes: vec!["CG101".into()],
                fail_on: Severity::Error,
            }
        );
        assert_eq!(r.upgrade_command(), None);
        assert_eq!(
            r.approval.to_string(),
            "2 findings at or above the failure threshold (fail_on: error) block it (CG101)."
        );

        // Under fail_on: warning, the warning that no release is named blocks it before it can
        // be said that the command cannot be formed.
        let policy = Policy {
            fail_on: Severity::Warning,
            ..Policy::default()
        };
        let r = report(&spec(None, &[LABEL]), Some("chart.tgz"), &policy);
        assert_eq!(
            r.approval,
            Approval::Blocked {
                count: 1,
                codes: vec!["CG510".into()],
                fail_on: Severity::Warning,
            }
        );
        assert_eq!(
            r.approval.to_string(),
            "1 finding at or above the failure threshold (fail_on: warning) blocks it (CG510)."
        );
    }

    #[test]
    fn a_change_without_a_release_name_has_no_command_and_says_why() {
        let r = report(&spec(None, &[LABEL]), Some("chart.tgz"), &Policy::default());
        assert_eq!(
            r.approval,
            Approval::NotFormed(NoCommand::Missing("no release name (--release)"))
        );
        assert_eq!(
            r.approval.to_string(),
            "nothing blocks it, but the command cannot be formed: no release name (--release)."
        );
    }

    /// "Nothing to change" is the engine's own plan, not a reading of CG503: with CG503 switched
    /// off, the decision stands and no finding says it.
    #[test]
    fn nothing_to_change_comes_from_the_plan_whatever_cg503_says() {
        let unrelated = spec(Some("es1"), &["foo=bar"]);
        let r = report(&unrelated, Some("chart.tgz"), &Policy::default());
        assert_eq!(r.approval, Approval::NothingToChange);
        assert!(r.findings.iter().any(|f| &*f.code == "CG503"), "{:?}", r.findings);

        let mut policy = Policy::default();
        policy.rules.insert("CG503".into(), RuleSetting::Off);
        let r = report(&unrelated, Some("chart.tgz"), &policy);
        assert!(r.findings.iter().all(|f| &*f.code != "CG503"), "{:?}", r.findings);
        assert_eq!(r.approval, Approval::NothingToChange);
        assert_eq!(
            r.approval.to_string(),
            "nothing certificate-related changes: no command is needed."
        );
    }

    /// A rule like CG401 with the severities and escalations given, parsed as a rule file is.
    fn rule(severity: &str, escalate: &str) -> Rule {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/CG401-ca-changed.yaml"))
            .expect("rule file");
        let text = text
            .replace("severity: warning", &format!("severity: {severity}"))
            .replace(
                "escalate: {clients_must_keep_working: error}",
                &format!("escalate: {escalate}"),
            );
        crate::rules::parse_rule("CG401-ca-changed.yaml", &text, &mut SourceMap::new()).expect("rule parses")
    }

    #[test]
    fn the_policy_says_what_set_each_severity() {
        let builtin = |code: &str| {
            crate::rules::builtin()
                .iter()
                .find(|r| &*r.meta.code == code)
                .expect("built-in rule")
        };
        let in_force = |policy: &Policy, rule: &Rule| {
            let f = policy.in_force(rule);
            (f.severity, f.changed_by)
        };
        let default = Policy::default();
        assert_eq!(in_force(&default, builtin("CG401")), (Some(Severity::Warning), None));

        let mut policy = Policy {
            clients_must_keep_working: true,
            require_previous: true,
            ..Policy::default()
        };
        assert_eq!(
            in_force(&policy, builtin("CG401")),
            (Some(Severity::Error), Some(ChangedBy::ClientsMustKeepWorking))
        );
        assert_eq!(
            in_force(&policy, builtin("CG404")),
            (Some(Severity::Error), Some(ChangedBy::RequirePrevious))
        );
        policy.rules.insert("CG401".into(), RuleSetting::Off);
        policy
            .rules
            .insert("CG404".into(), RuleSetting::Severity(Severity::Info));
        policy.rules.insert("CG402".into(), RuleSetting::On);
        assert_eq!(in_force(&policy, builtin("CG401")), (None, Some(ChangedBy::Override)));
        assert_eq!(
            in_force(&policy, builtin("CG404")),
            (Some(Severity::Info), Some(ChangedBy::Override))
        );
        assert_eq!(
            in_force(&policy, builtin("CG402")),
            (Some(Severity::Error), Some(ChangedBy::ClientsMustKeepWorking))
        );

        // The raise that gave the final severity changed it (the first, on a tie); one that does
        // not raise it changes nothing.
        let both = Policy {
            clients_must_keep_working: true,
            require_previous: true,
            ..Policy::default()
        };
        let higher_second = rule("info", "{clients_must_keep_working: warning, require_previous: error}");
        assert_eq!(
            in_force(&both, &higher_second),
            (Some(Severity::Error), Some(ChangedBy::RequirePrevious))
        );
        let tie = rule("info", "{clients_must_keep_working: error, require_previous: error}");
        assert_eq!(
            in_force(&both, &tie),
            (Some(Severity::Error), Some(ChangedBy::ClientsMustKeepWorking))
        );
        let no_raise = rule("error", "{clients_must_keep_working: warning}");
        assert_eq!(in_force(&both, &no_raise), (Some(Severity::Error), None));
        assert_eq!(both.severity_of(&no_raise), Some(Severity::Error));
    }
}
