//! The auditor's report (`certgate audit`, SPEC §1 and §4): what was checked, against which policy,
//! with which inputs and certificates, what was suppressed and why, and which command was approved.
//! [`crate::report::html`] prints it as one self-contained HTML5 document (inline CSS and SVG, no
//! script, nothing loaded from anywhere, enforced by its Content-Security-Policy);
//! [`crate::report::markdown`] prints the same document as GitHub-flavoured Markdown.
//!
//! This file lays the document out once for both ([`Document`]): the sections, their rows, and the
//! scale of the validity timeline; the two formats only print it. Like every renderer it decides
//! nothing: whether a command was approved and why not ([`crate::engine::Approval`]), each
//! certificate's state ([`crate::model::material::CertState`]) and each rule's severity under the
//! policy ([`Policy::in_force`]) come from the engine. Both are pure functions of the report, so the
//! same report gives the same bytes; the only time in them is the report's own `now`.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime};

use crate::engine::plan::{Blocker, Status, Step, TrustBundle, UnitPlan};
use crate::engine::{ChangedBy, Policy, RuleSetting};
use crate::engine::{Finding, Summary, Suppressed, UnitReport};
use crate::model::material::CertState;
use crate::report::Report;
use crate::rules::Rule;
use crate::rules::Severity;

/// The auditor's report, laid out once for both formats: a header, a summary card per unit, the
/// policy in force, then each unit's suppressions, inputs, certificates and findings.
pub struct Document<'a> {
    /// `certgate audit report`, with the release's name when there is one unit.
    pub title: String,
    /// The time every unit was checked as of, when they all share one.
    pub checked_as_of: Option<&'a str>,
    /// How many units have an approved command.
    pub approved: usize,
    pub policy: PolicySection<'a>,
    /// Whether inline suppressions were honoured (`--no-suppressions` ignores them).
    pub suppressions_honoured: bool,
    /// The expiry warning window, in days (the shaded band of the timeline).
    pub expiry_warning_days: u32,
    pub units: Vec<Unit<'a>>,
}

/// The policy in force: its settings, and the rules as it runs them.
pub struct PolicySection<'a> {
    pub settings: Vec<Setting>,
    pub rules: Vec<RuleRow<'a>>,
    /// How many rules the policy switches off.
    pub off: usize,
    /// Entries of `policy.rules` that name no rule in the pack, as `CODE (setting)`: an auditor
    /// should see an override that had no effect.
    pub unmatched: Vec<String>,
}

/// One setting of the policy: its name, its value in words, and what it does.
pub struct Setting {
    pub name: &'static str,
    pub value: String,
    pub what: &'static str,
}

/// One rule as the policy runs it.
pub struct RuleRow<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub default: Severity,
    /// None when the policy switches the rule off.
    pub effective: Option<Severity>,
    /// What changed the severity from the default, when something did.
    pub changed_by: Option<&'static str>,
    pub summary: &'a str,
    pub help_uri: Option<String>,
}

/// One release unit: its summary card and its sections.
pub struct Unit<'a> {
    /// The heading: the release name, else the unit's position among several.
    pub name: String,
    pub report: &'a UnitReport,
    pub summary: Summary,
    pub suppressed: Vec<SuppressedRow<'a>>,
    /// The validity timeline of the unit's certificates, when any can be placed on one.
    pub timeline: Option<Timeline>,
    pub findings: Vec<FindingRow<'a>>,
    /// The rollout plan the engine decided, when it has steps or a client trust bundle.
    pub plan: Option<PlanSection<'a>>,
}

/// A unit's rollout plan (`engine::plan`) as the audit shows it: the steps in order, what the
/// plan could not settle, and the client trust bundle of a CA rotation.
pub struct PlanSection<'a> {
    pub steps: &'a [Step],
    pub notes: &'a [String],
    pub bundle: Option<&'a TrustBundle>,
    /// Why an approved command has no plan (the bundle could not be built or written), each as
    /// `[CODE] message`; empty otherwise (a plan blocked by findings is under Findings).
    pub blocked: Vec<String>,
    /// What the bundle was verified against besides the new chain.
    pub verified_against: String,
}

/// A finding, where it is, and the help URI of its rule.
pub struct FindingRow<'a> {
    pub finding: &'a Finding,
    /// `file:line:column`, a file, a command-line origin, or the run; with its PEM block.
    pub where_: String,
    pub help_uri: Option<String>,
}

/// A suppressed finding, with where it is.
pub struct SuppressedRow<'a> {
    pub suppressed: &'a Suppressed,
    pub where_: String,
}

/// Lay out the auditor's report of a run.
pub fn document<'a>(report: &Report<'a>) -> Document<'a> {
    let (units, rules, policy) = (report.units, report.rules, report.policy);
    let title = match units {
        [one] => format!("certgate audit report: {}", unit_name(one, 0)),
        _ => "certgate audit report".to_string(),
    };
    let checked_as_of = units
        .first()
        .map(|u| u.now.as_str())
        .filter(|first| units.iter().all(|u| u.now == *first));
    Document {
        title,
        checked_as_of,
        approved: units.iter().filter(|r| r.upgrade_command().is_some()).count(),
        policy: policy_section(rules, policy),
        suppressions_honoured: policy.suppressions,
        expiry_warning_days: policy.expiry_warning_days,
        units: units
            .iter()
            .enumerate()
            .map(|(i, r)| unit(r, i, rules, policy, report.plans.get(i)))
            .collect(),
    }
}

fn unit<'a>(
    report: &'a UnitReport,
    index: usize,
    rules: &[&Rule],
    policy: &Policy,
    plan: Option<&'a UnitPlan>,
) -> Unit<'a> {
    Unit {
        name: unit_name(report, index),
        report,
        summary: report.summary(),
        suppressed: report
            .suppressed
            .iter()
            .map(|s| SuppressedRow {
                suppressed: s,
                where_: where_(report, &s.finding),
            })
            .collect(),
        timeline: Timeline::new(report),
        findings: report
            .findings
            .iter()
            .map(|f| FindingRow {
                finding: f,
                where_: where_(report, f),
                help_uri: help_uri(rules, policy, &f.code),
            })
            .collect(),
        plan: plan.and_then(|p| plan_section(report, p)),
    }
}

/// The plan's section, when there is something to carry out or an approved command has no plan:
/// a plan blocked by findings has its reasons under Findings, and a unit with nothing to change
/// has no step.
fn plan_section<'a>(report: &UnitReport, plan: &'a UnitPlan) -> Option<PlanSection<'a>> {
    let approved = report.upgrade_command().is_some();
    let blocked: Vec<String> = if approved && plan.status == Status::Blocked {
        plan.blocked.iter().map(blocker_text).collect()
    } else {
        Vec::new()
    };
    (!plan.steps.is_empty() || plan.bundle.is_some() || !blocked.is_empty()).then_some(PlanSection {
        steps: &plan.steps,
        notes: &plan.notes,
        bundle: plan.bundle.as_ref(),
        blocked,
        verified_against: plan
            .bundle
            .as_ref()
            .and_then(|b| b.running_chain.clone())
            .unwrap_or_else(|| "the old CA (the running chain is not known)".to_string()),
    })
}

fn blocker_text(b: &Blocker) -> String {
    match &b.code {
        Some(code) => format!("[{code}] {}", b.message),
        None => b.message.clone(),
    }
}

/// The heading of a release unit: its release name, else its position among several.
fn unit_name(report: &UnitReport, index: usize) -> String {
    match &report.release {
        Some(release) => release.clone(),
        None => format!("release unit {}", index + 1),
    }
}

fn policy_section<'a>(rules: &[&'a Rule], policy: &Policy) -> PolicySection<'a> {
    let rows = rule_rows(rules, policy);
    PolicySection {
        settings: settings(policy),
        off: rows.iter().filter(|r| r.effective.is_none()).count(),
        rules: rows,
        unmatched: unmatched_overrides(rules, policy),
    }
}

/// The policy's settings in words, with what each does.
fn settings(policy: &Policy) -> Vec<Setting> {
    let setting = |name, value, what| Setting { name, value, what };
    vec![
        setting(
            "fail_on",
            policy.fail_on.as_str().to_string(),
            "findings at or above this severity fail the run and block the approved command",
        ),
        setting(
            "expiry_warning_days",
            format!("{} days", policy.expiry_warning_days),
            "certificates expiring within this window are reported (CG307) and drawn as expiring",
        ),
        setting(
            "clients",
            if policy.clients_must_keep_working {
                "must-keep-working"
            } else {
                "may-change"
            }
            .to_string(),
            "must-keep-working raises the client-impact rules (CG401 to CG403) to errors",
        ),
        setting(
            "require_previous",
            policy.require_previous.to_string(),
            "true makes a run without the running release's values (--previous or --base) an error",
        ),
        setting(
            "inline suppressions",
            if policy.suppressions {
                "honoured"
            } else {
                "ignored (--no-suppressions)"
            }
            .to_string(),
            "# certgate: ignore CODE -- reason comments in values files",
        ),
        setting(
            "help_uri_base",
            policy
                .help_uri_base
                .clone()
                .unwrap_or_else(|| "none: each rule's own help URI".to_string()),
            "where each rule's help link points",
        ),
    ]
}

fn rule_rows<'a>(rules: &[&'a Rule], policy: &Policy) -> Vec<RuleRow<'a>> {
    rules
        .iter()
        .map(|rule| {
            let meta = &rule.meta;
            let in_force = policy.in_force(rule);
            RuleRow {
                code: &meta.code,
                name: &meta.name,
                default: meta.severity,
                effective: in_force.severity,
                changed_by: in_force.changed_by.map(ChangedBy::as_str),
                summary: &meta.summary,
                help_uri: policy.help_uri(rule),
            }
        })
        .collect()
}

/// Entries of `policy.rules` that name no rule in the pack, as `CODE (setting)`.
fn unmatched_overrides(rules: &[&Rule], policy: &Policy) -> Vec<String> {
    policy
        .rules
        .iter()
        .filter(|(code, _)| !rules.iter().any(|r| *r.meta.code == **code))
        .map(|(code, setting)| {
            let setting = match setting {
                RuleSetting::Off => "off",
                RuleSetting::On => "on",
                RuleSetting::Severity(s) => s.as_str(),
            };
            format!("{code} ({setting})")
        })
        .collect()
}

/// The help URI of the rule behind a finding, if the rule is known and has one.
fn help_uri(rules: &[&Rule], policy: &Policy, code: &str) -> Option<String> {
    rules
        .iter()
        .find(|r| &*r.meta.code == code)
        .and_then(|r| policy.help_uri(r))
}

/// Only `http(s)` URIs become links; anything else (a `javascript:` help URI in a user's rule file)
/// is shown as text.
pub(super) fn is_web_uri(uri: &str) -> bool {
    let lower = uri.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")) && !uri.chars().any(char::is_whitespace)
}

/// Where a finding is: `file:line:column`, a file, a command-line origin, or the run; with its PEM
/// block when it has one.
fn where_(report: &UnitReport, f: &Finding) -> String {
    let p = report.place(&f.location);
    let mut out = match (p.file, p.line, p.column, p.origin) {
        (Some(file), Some(line), Some(col), _) => format!("{file}:{line}:{col}"),
        (Some(file), ..) => file,
        (None, _, _, Some(origin)) => origin,
        _ => "(the run)".to_string(),
    };
    if let Some(block) = f.block {
        out.push_str(&format!(" (PEM block {block})"));
    }
    out
}

const DAY: i64 = 86_400;

/// Seconds since the epoch of an RFC 3339 time (a fraction dropped); None when it does not parse.
pub(super) fn parse_time(s: &str) -> Option<i64> {
    OffsetDateTime::parse(s, &Rfc3339).ok().map(|t| t.unix_timestamp())
}

/// `YYYY-MM-DD` of a time (UTC).
pub(super) fn date_of(t: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(t) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        Err(_) => "?".to_string(),
    }
}

/// How far from `now` the timeline reaches on either side. A CA valid until 9999 or a certificate
/// from 1950 would otherwise squeeze a one-year leaf into a pixel: such bars run off the edge and
/// are drawn as clipped, with their real dates in the label.
pub(super) const HORIZON_DAYS: i64 = 3_653;

/// The scale of the validity timeline: one bar per certificate on a linear time axis.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub lo: i64,
    pub hi: i64,
    pub now: Option<i64>,
    pub bars: Vec<Bar>,
}

#[derive(Debug, Clone)]
pub struct Bar {
    /// None when the date does not parse (the bar then starts or ends at the edge).
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub state: CertState,
}

impl Timeline {
    /// The timeline of a unit's certificates, or None when there is nothing to place.
    pub(super) fn new(report: &UnitReport) -> Option<Timeline> {
        if report.certificates.is_empty() {
            return None;
        }
        let now = parse_time(&report.now);
        let bars: Vec<Bar> = report
            .certificates
            .iter()
            .map(|c| Bar {
                start: parse_time(&c.not_before),
                end: parse_time(&c.not_after),
                state: c.state,
            })
            .collect();
        let times = bars.iter().flat_map(|b| [b.start, b.end]).chain([now]).flatten();
        let (mut lo, mut hi) = times.fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
        if lo > hi {
            return None;
        }
        if let Some(now) = now {
            lo = lo.max(now - HORIZON_DAYS * DAY);
            hi = hi.min(now + HORIZON_DAYS * DAY);
        }
        // At least a month wide, and a little room on both sides for the clipped-end marks.
        let min_span = 30 * DAY;
        if hi - lo < min_span {
            let grow = (min_span - (hi - lo)) / 2;
            lo -= grow;
            hi += grow;
        }
        let pad = (hi - lo) / 40;
        Some(Timeline {
            lo: lo - pad,
            hi: hi + pad,
            now,
            bars,
        })
    }

    /// The position of `t` on an axis `width` units long, clamped to the axis.
    pub(super) fn x(&self, t: i64, width: i64) -> i64 {
        let t = t.clamp(self.lo, self.hi);
        let offset = i128::from(t - self.lo) * i128::from(width) / i128::from(self.hi - self.lo);
        offset as i64
    }

    pub(super) fn contains(&self, t: i64) -> bool {
        (self.lo..=self.hi).contains(&t)
    }

    /// Axis ticks at the first of a month, every 1, 3, 6 months or 1, 2, 5, 10… years, at most 8,
    /// labelled `YYYY-MM` or `YYYY`.
    pub(super) fn ticks(&self) -> Vec<(i64, String)> {
        const STEPS: [i64; 16] = [
            1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1_200, 2_400, 6_000, 12_000, 24_000, 60_000,
        ];
        let months = (self.hi - self.lo) / (30 * DAY);
        let step = STEPS.iter().copied().find(|s| months / s <= 8).unwrap_or(120_000);
        let Ok(first) = OffsetDateTime::from_unix_timestamp(self.lo) else {
            return Vec::new();
        };
        let index = i64::from(first.year()) * 12 + i64::from(u8::from(first.month())) - 1;
        let mut m = index.div_euclid(step) * step;
        let mut out = Vec::new();
        while out.len() < 64 {
            let (year, month) = (m.div_euclid(12), m.rem_euclid(12) + 1);
            let Some(t) = i32::try_from(year)
                .ok()
                .and_then(|y| Date::from_calendar_date(y, Month::try_from(month as u8).ok()?, 1).ok())
                .map(|d| d.midnight().assume_utc().unix_timestamp())
            else {
                break;
            };
            if t > self.hi {
                break;
            }
            if t >= self.lo {
                let label = if step < 12 {
                    format!("{year:04}-{month:02}")
                } else {
                    format!("{year:04}")
                };
                out.push((t, label));
            }
            m += step;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Approval;
    use crate::model::impact::{ClientImpact, Scenario, Verdict};
    use crate::model::material::CertificateInfo;
    use crate::source::SourceMap;

    fn cert(not_before: &str, not_after: &str, state: CertState) -> CertificateInfo {
        CertificateInfo {
            role: "leaf".into(),
            source: "values.yaml:tls.cert".into(),
            subject: "CN=kafka.example.com".into(),
            issuer: "CN=Example CA".into(),
            serial: "01".into(),
            sha256: "ab".repeat(32),
            not_before: not_before.into(),
            not_after: not_after.into(),
            days_left: 0,
            key_type: "RSA".into(),
            key_bits: 2048,
            signature_algorithm: "sha256WithRSAEncryption".into(),
            state,
        }
    }

    fn report(certificates: Vec<CertificateInfo>) -> UnitReport {
        UnitReport {
            release: None,
            now: "2026-11-27T00:00:00Z".into(),
            inputs: Vec::new(),
            findings: Vec::new(),
            suppressed: Vec::new(),
            client_impact: ClientImpact {
                verdict: Verdict::None,
                scenario: Scenario::SameCa,
                reason: "same CA".into(),
            },
            certificates,
            approval: Approval::NothingToChange,
            redacted: Vec::new(),
            secrets: Vec::new(),
            sources: SourceMap::new(),
        }
    }

    #[test]
    fn extreme_dates_keep_the_scale_around_now() {
        let r = report(vec![
            cert("1950-01-01T00:00:00Z", "9999-12-31T23:59:59Z", CertState::Valid),
            cert("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", CertState::Valid),
        ]);
        let t = Timeline::new(&r).unwrap();
        let now = t.now.unwrap();
        assert!(now - t.lo <= (HORIZON_DAYS + 200) * DAY && t.hi - now <= (HORIZON_DAYS + 200) * DAY);
        // The one-year leaf is still visible on a 720-unit axis, and the 9999 CA clamps to the edge.
        let leaf = &t.bars[1];
        assert!(t.x(leaf.end.unwrap(), 720) - t.x(leaf.start.unwrap(), 720) >= 30);
        assert_eq!(t.x(t.bars[0].end.unwrap(), 720), 720);
        assert_eq!(t.x(t.bars[0].start.unwrap(), 720), 0);
        let ticks = t.ticks();
        assert!(!ticks.is_empty() && ticks.len() <= 9, "{ticks:?}");
        assert!(ticks.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn a_timeline_without_now_or_with_one_date_still_has_width() {
        let mut r = report(vec![cert(
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:59Z",
            CertState::NotYetValid,
        )]);
        r.now = "not a time".into();
        let t = Timeline::new(&r).unwrap();
        assert!(t.hi > t.lo);
        assert!(t.ticks().len() <= 9);
        r.certificates = vec![cert("?", "?", CertState::Valid)];
        assert!(Timeline::new(&r).is_none());
        assert!(Timeline::new(&report(Vec::new())).is_none());
    }

    /// A bar is drawn in the state the engine gave its certificate, whatever the dates look like
    /// from here.
    #[test]
    fn bars_take_the_engines_states() {
        let r = report(vec![
            cert("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z", CertState::Valid),
            cert("2026-01-01T00:00:00Z", "2036-01-01T00:00:00Z", CertState::Expiring),
        ]);
        let states: Vec<CertState> = Timeline::new(&r).unwrap().bars.iter().map(|b| b.state).collect();
        assert_eq!(states, [CertState::Valid, CertState::Expiring]);
    }

    #[test]
    fn short_spans_tick_by_month() {
        let r = report(vec![cert(
            "2026-11-01T00:00:00Z",
            "2027-02-01T00:00:00Z",
            CertState::Valid,
        )]);
        let ticks = Timeline::new(&r).unwrap().ticks();
        assert_eq!(ticks.first().map(|t| t.1.as_str()), Some("2026-11"), "{ticks:?}");
    }

    /// The document holds what both formats print: one clock only when every unit shares it, the
    /// approved units counted, units named by release or position, the policy's settings in words.
    #[test]
    fn the_document_lays_out_the_run_once() {
        let mut approved = report(Vec::new());
        approved.release = Some("es1".into());
        approved.approval = Approval::Approved("helm upgrade es1 c.tgz".into());
        let mut later = report(Vec::new());
        later.now = "2026-11-28T00:00:00Z".into();
        let policy = Policy {
            suppressions: false,
            expiry_warning_days: 45,
            ..Policy::default()
        };
        let units = [approved, later];
        let run = Report {
            units: &units,
            rules: &[],
            policy: &policy,
            plans: &[],
        };
        let doc = document(&run);
        assert_eq!(doc.title, "certgate audit report");
        assert_eq!(doc.checked_as_of, None);
        assert_eq!(doc.approved, 1);
        let names: Vec<&str> = doc.units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["es1", "release unit 2"]);
        assert!(!doc.suppressions_honoured);
        assert_eq!(doc.expiry_warning_days, 45);
        let settings: Vec<(&str, &str)> = doc.policy.settings.iter().map(|s| (s.name, s.value.as_str())).collect();
        assert!(settings.contains(&("expiry_warning_days", "45 days")), "{settings:?}");
        assert!(settings.contains(&("inline suppressions", "ignored (--no-suppressions)")));

        let one = document(&Report {
            units: &units[..1],
            rules: &[],
            policy: &policy,
            plans: &[],
        });
        assert_eq!(one.title, "certgate audit report: es1");
        assert_eq!(one.checked_as_of, Some("2026-11-27T00:00:00Z"));
    }

    /// A plan whose every user-given text is hostile: both formats escape it where it is printed.
    #[test]
    fn the_plan_section_escapes_what_it_prints() {
        use crate::crypto::bundle::ClientBundle;
        use crate::engine::plan::{Actor, BundleCa, BundleFile, Phase, Status, Step, TrustBundle, UnitPlan};
        let hostile = "<script>x</script> | `a` _b_";
        let mut unit = report(Vec::new());
        unit.approval = Approval::Approved("helm upgrade es1 c.tgz".into());
        let plan = UnitPlan {
            release: None,
            verdict: Verdict::ClientsMustUpdate,
            scenario: Scenario::CaChanged,
            status: Status::Ready,
            steps: vec![Step {
                number: 1,
                phase: Phase::DistributeBundle,
                title: hostile.into(),
                changes: hostile.into(),
                who: Actor::ClientOwners,
                not_before: None,
                commands: vec![hostile.into()],
                verify: vec![hostile.into()],
                rollback: vec![hostile.into()],
            }],
            blocked: Vec::new(),
            bundle: Some(TrustBundle {
                cas: vec![BundleCa {
                    side: "old",
                    alias: "old-ca".into(),
                    subject: hostile.into(),
                    sha256: "ab".repeat(32),
                    not_after: "2030-01-01T00:00:00Z".into(),
                }],
                files: vec![BundleFile {
                    name: "client-truststore.pem",
                    path: Some(hostile.into()),
                    sha256: "cd".repeat(32),
                }],
                password: true,
                running_chain: None,
                built: ClientBundle {
                    pem: String::new(),
                    p12: Vec::new(),
                    entries: Vec::new(),
                },
            }),
            notes: vec![hostile.into()],
        };
        let policy = Policy::default();
        let units = [unit];
        let plans = [plan];
        let run = Report {
            units: &units,
            rules: &[],
            policy: &policy,
            plans: &plans,
        };
        let doc = document(&run);
        let section = doc.units[0]
            .plan
            .as_ref()
            .expect("an approved plan with steps has a section");
        assert_eq!(section.verified_against, "the old CA (the running chain is not known)");
        let html = crate::report::render(crate::report::Format::Html, &run, &Default::default());
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(html.contains(&"ab".repeat(32)) && html.contains(&"cd".repeat(32)));
        assert!(html.contains("PKCS#12 password: set."));
        let md = crate::report::render(crate::report::Format::Markdown, &run, &Default::default());
        assert!(!md.contains("<script>"), "{md}");
        // No cell of the plan's tables is cut by a `|` in the text.
        for line in md
            .lines()
            .filter(|l| l.starts_with("| 1 |") || l.starts_with("| old |"))
        {
            assert!(!line.contains(" | `a`"), "{line}");
        }
    }

    #[test]
    fn only_web_uris_are_links() {
        assert!(is_web_uri("https://ibm.github.io/event-streams/x"));
        assert!(!is_web_uri("javascript:alert(1)"));
        assert!(!is_web_uri("https://x y"));
    }
}
