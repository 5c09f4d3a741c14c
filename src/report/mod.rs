//! The one report model every renderer reads: findings with locations, suppressions, the client
//! impact verdict, the certificate inventory with each certificate's state, and the approved
//! command or why there is none.
//!
//! Checks produce [`Finding`]s; the engine sorts them once; renderers (one file per format) turn a
//! [`UnitReport`] into text and decide nothing.

pub mod audit;
pub mod github;
mod html;
pub mod json;
pub mod junit;
mod markdown;
pub mod sarif;
pub mod text;

use std::borrow::Cow;

use serde::Serialize;

use crate::model::plan::NoCommand;
use crate::model::value::Origin;
use crate::source::{SourceId, SourceMap, Span};

/// User text (a key, a value, a file name, a release name, an origin, a reason) made safe to place
/// in a line of the `text` and `github` outputs; every piece of it those renderers print goes
/// through here.
///
/// The GitHub Actions runner reads each line a step prints (a line ends at `\n` or `\r`) as a
/// workflow command when, after leading white space, it starts with `::` (`::error …`,
/// `::stop-commands::TOKEN`, which silences every later one), and wherever it holds `##[`, the
/// older form (`##[stop-commands]TOKEN`): actions/runner `src/Runner.Common/ActionCommand.cs`,
/// `TryParseV2` (`message.TrimStart()`, `StartsWith("::")`) and `TryParse`
/// (`message.IndexOf("##[")`), both tried by `ActionCommandManager.TryProcessCommand`.
/// So user text never brings a line break of its own: each control character (C0, DEL, C1) and
/// the Unicode line and paragraph separators are written visibly (`\n`, `\r`, `\t`, `\u{1b}`);
/// the first `:` of a leading `::` (after white space) is written `\u{3a}`, for a renderer that
/// starts a line with the text; and the first `#` of every `##[` is written `\u{23}`. Clean text
/// is returned as it is.
pub fn one_line(s: &str) -> Cow<'_, str> {
    let indent = s.len() - s.trim_start().len();
    let leading = s[indent..].starts_with("::");
    if !leading && !s.contains("##[") && !s.chars().any(breaks_line) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.char_indices() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if breaks_line(c) || (i == indent && leading) || (c == '#' && s[i..].starts_with("##[")) => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Source lines a code frame quotes, made safe as [`one_line`] makes user text: the first `#` of
/// every `##[` is written `\u{23}`, and `lo..hi`, a byte range of `text`, is moved to the same
/// characters in the result. The rest is left to the frame: each quoted line follows a gutter
/// (`4 |`), so none starts a line, and annotate-snippets draws control characters as pictures
/// (`␍`, its `normalize_whitespace`).
pub fn quote_source(text: &str, lo: usize, hi: usize) -> (Cow<'_, str>, usize, usize) {
    if !text.contains("##[") {
        return (Cow::Borrowed(text), lo, hi);
    }
    const ESCAPE: &str = "\\u{23}";
    let mut out = String::with_capacity(text.len() + ESCAPE.len());
    let (mut new_lo, mut new_hi) = (lo, hi);
    for (i, c) in text.char_indices() {
        if c == '#' && text[i..].starts_with("##[") {
            out.push_str(ESCAPE);
            let grown = ESCAPE.len() - 1;
            if i < lo {
                new_lo += grown;
            }
            if i < hi {
                new_hi += grown;
            }
        } else {
            out.push(c);
        }
    }
    (Cow::Owned(out), new_lo, new_hi)
}

/// Characters [`one_line`] writes visibly: control characters and the Unicode line and paragraph
/// separators, which some viewers break lines at.
fn breaks_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// How serious a finding is; ordered so that `Error > Warning > Info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// Where a finding points.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    /// A span in a source text: file, line and column.
    Span { source: SourceId, span: Span },
    /// A whole file with no position in it (missing, unreadable, not UTF-8).
    File { path: String },
    /// A command-line argument: `--set KEY=…`, `--release NAME`, `--command`.
    Arg { origin: String },
    /// The run as a whole (CG004, CG404, CG503).
    Run,
}

impl Location {
    /// The location of a value with this origin. A `--set` value is named by its key only: the
    /// value may be key material (SPEC §4, "value redacted if secret").
    pub fn of(origin: &Origin) -> Location {
        match origin {
            Origin::File { source, span } => Location::Span {
                source: *source,
                span: *span,
            },
            Origin::Flag { flag, key } => Location::Arg {
                origin: format!("{} {key}=…", flag.as_flag()),
            },
            Origin::Synthetic => Location::Run,
        }
    }
}

/// A finding as the checks produce it, before it is placed in a file and line.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule's code, name and remediation, shared with the rule.
    pub code: std::sync::Arc<str>,
    pub name: std::sync::Arc<str>,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// The values path the finding is about (`tls.type`), when it is about a value.
    pub path: Option<String>,
    /// 1-based index of the PEM block in its bundle, for findings about certificate material.
    pub block: Option<usize>,
    pub help: std::sync::Arc<str>,
}

/// A finding that an inline suppression silenced, with the reason given.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: String,
    pub until: Option<String>,
}

/// The client impact verdict (SPEC §2, CG4xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    None,
    ClientsMustUpdate,
    Unknown,
}

/// The documentation scenario that decided the verdict (SPEC §4 lists the names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    NoExternalChange,
    SelfsignedNewInstall,
    SelfsignedFirstChangeAfterUpgrade,
    SelfsignedLaterChangeAfterUpgrade,
    SameCa,
    CaChanged,
    TypeChanged,
    PreviousUnknown,
}

impl Verdict {
    /// The verdict's word in every format (`clients-must-update`): its serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::None => "none",
            Verdict::ClientsMustUpdate => "clients-must-update",
            Verdict::Unknown => "unknown",
        }
    }
}

impl Scenario {
    /// The scenario's word in every format (`ca-changed`): its serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::NoExternalChange => "no-external-change",
            Scenario::SelfsignedNewInstall => "selfsigned-new-install",
            Scenario::SelfsignedFirstChangeAfterUpgrade => "selfsigned-first-change-after-upgrade",
            Scenario::SelfsignedLaterChangeAfterUpgrade => "selfsigned-later-change-after-upgrade",
            Scenario::SameCa => "same-ca",
            Scenario::CaChanged => "ca-changed",
            Scenario::TypeChanged => "type-changed",
            Scenario::PreviousUnknown => "previous-unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientImpact {
    pub verdict: Verdict,
    pub scenario: Scenario,
    pub reason: String,
}

/// One input file the report was computed from, with its digest (for `verify-approval`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Input {
    pub role: String,
    pub path: String,
    pub sha256: String,
}

/// How a certificate of the inventory stands at the run's time, under the policy's expiry window:
/// what CG306 (expired), CG307 (expiring) and CG308 (not yet valid) judge, decided by the engine
/// ([`crate::model::material::state_at`]) so that no renderer works it out again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertState {
    Expired,
    /// Valid, with less than the expiry warning window left (`expiry_warning_days`).
    Expiring,
    Valid,
    NotYetValid,
}

impl CertState {
    /// The state's words in every format that shows it (the audit report).
    pub fn as_str(self) -> &'static str {
        match self {
            CertState::Expired => "expired",
            CertState::Expiring => "expiring",
            CertState::Valid => "valid",
            CertState::NotYetValid => "not yet valid",
        }
    }
}

/// One certificate of the inventory (filled in by the certificate checks).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertificateInfo {
    pub role: String,
    pub source: String,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub sha256: String,
    pub not_before: String,
    pub not_after: String,
    pub days_left: i64,
    pub key_type: String,
    pub key_bits: u32,
    pub signature_algorithm: String,
    /// Not a key of the JSON report, whose keys are a contract (SPEC §4): `days_left` is its
    /// reading of the same fact.
    #[serde(skip)]
    pub state: CertState,
}

/// Whether the unit has an approved command and, when it has none, why (SPEC §3). The engine
/// decides it once ([`crate::engine::check`]); renderers format it, and its `Display` is the one
/// sentence every format gives for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// The command, byte for byte.
    Approved(String),
    /// Findings at or above the failure threshold block the command: how many, their codes (each
    /// once, in the report's order) and the threshold they were held to (`fail_on`).
    Blocked {
        count: usize,
        codes: Vec<std::sync::Arc<str>>,
        fail_on: Severity,
    },
    /// Nothing certificate-related changes: no command is needed.
    NothingToChange,
    /// Nothing blocks the change, but no command can be written for it.
    NotFormed(NoCommand),
}

impl Approval {
    /// The approved command, when there is one.
    pub fn command(&self) -> Option<&str> {
        match self {
            Approval::Approved(command) => Some(command),
            _ => None,
        }
    }
}

impl std::fmt::Display for Approval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Approval::Approved(_) => f.write_str("a command is approved for the change."),
            Approval::Blocked { count, codes, fail_on } => {
                let one = *count == 1;
                write!(
                    f,
                    "{count} finding{} at or above the failure threshold (fail_on: {}) block{} it (",
                    if one { "" } else { "s" },
                    fail_on.as_str(),
                    if one { "s" } else { "" },
                )?;
                for (i, code) in codes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(code)?;
                }
                f.write_str(").")
            }
            Approval::NothingToChange => f.write_str("nothing certificate-related changes: no command is needed."),
            Approval::NotFormed(why) => write!(f, "nothing blocks it, but the command cannot be formed: {why}."),
        }
    }
}

/// Counts of findings by severity, and of suppressed ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub suppressed: usize,
}

/// Everything certgate concluded about one release unit.
#[derive(Debug, Clone)]
pub struct UnitReport {
    /// The release name, when known (used to tell units apart in multi-unit output).
    pub release: Option<String>,
    pub now: String,
    pub inputs: Vec<Input>,
    /// Sorted by file, line, column, code; file-less findings last.
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    pub client_impact: ClientImpact,
    pub certificates: Vec<CertificateInfo>,
    /// The approved command, or why there is none.
    pub approval: Approval,
    pub sources: SourceMap,
    /// Spans holding private key material: renderers never quote the lines they touch.
    pub redacted: Vec<(SourceId, Span)>,
    /// Every source of the unit that holds key material (by what it is, or where it is: the spans),
    /// kept after `sources` drops the texts no finding quotes: a message may still quote a value
    /// from them, and the output filter must know it ([`crate::source::secret::Redactor`]).
    pub secrets: Vec<(std::sync::Arc<crate::source::Source>, Vec<Span>)>,
}

/// A finding placed in a file: what every renderer prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub origin: Option<String>,
}

impl UnitReport {
    /// The approved command (`upgrade_command` in JSON), when there is one.
    pub fn upgrade_command(&self) -> Option<&str> {
        self.approval.command()
    }

    pub fn summary(&self) -> Summary {
        let count = |s| self.findings.iter().filter(|f| f.severity == s).count();
        Summary {
            error: count(Severity::Error),
            warning: count(Severity::Warning),
            info: count(Severity::Info),
            suppressed: self.suppressed.len(),
        }
    }

    /// The highest severity among the (unsuppressed) findings.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Whether quoting the bytes `start..end` of `source` would show private key material.
    pub fn is_redacted(&self, source: SourceId, start: usize, end: usize) -> bool {
        self.redacted
            .iter()
            .any(|(s, span)| *s == source && span.start < end.max(start + 1) && start < span.end.max(span.start + 1))
            || self.sources.get(source).secrets().overlaps(start, end)
    }

    /// Add this report's key material to `redactor`.
    pub fn add_secrets(&self, redactor: &mut crate::source::secret::Redactor) {
        for (_, source) in self.sources.iter() {
            if !source.text.is_empty() {
                redactor.add_public(&source.text, source.secrets());
            }
        }
        for (source, spans) in &self.secrets {
            let key = std::sync::Arc::as_ptr(source) as usize;
            redactor.add_found(key, &source.text, source.secrets());
            for span in spans {
                redactor.add(&source.text[span.start..span.end]);
            }
        }
    }

    /// File, 1-based line and column (in characters) of a location.
    pub fn place(&self, location: &Location) -> Placed {
        place(&self.sources, location)
    }
}

pub fn place(sources: &SourceMap, location: &Location) -> Placed {
    match location {
        Location::Span { source, span } => {
            let src = sources.get(*source);
            let (line, column) = src.line_col(span.start);
            Placed {
                file: Some(src.name.clone()),
                line: Some(line),
                column: Some(column),
                origin: None,
            }
        }
        Location::File { path } => Placed {
            file: Some(path.clone()),
            line: None,
            column: None,
            origin: None,
        },
        Location::Arg { origin } => Placed {
            file: None,
            line: None,
            column: None,
            origin: Some(origin.clone()),
        },
        Location::Run => Placed {
            file: None,
            line: None,
            column: None,
            origin: None,
        },
    }
}

/// Sort findings by file, line, column, code, with file-less findings last (SPEC §4).
pub fn sort_findings(sources: &SourceMap, findings: &mut [Finding]) {
    findings.sort_by_cached_key(|f| {
        let p = place(sources, &f.location);
        (
            p.file.is_none(),
            p.file.unwrap_or_default(),
            p.line.unwrap_or(0),
            p.column.unwrap_or(0),
            f.code.clone(),
            p.origin.unwrap_or_default(),
            f.message.clone(),
        )
    });
}

/// A report of `release` with these findings and this decision, the rest empty: for the
/// renderers' tests.
#[cfg(test)]
pub(crate) fn test_report(release: &str, findings: Vec<Finding>, approval: Approval) -> UnitReport {
    UnitReport {
        release: Some(release.into()),
        now: "2026-11-27T00:00:00Z".into(),
        inputs: Vec::new(),
        findings,
        suppressed: Vec::new(),
        client_impact: ClientImpact {
            verdict: Verdict::None,
            scenario: Scenario::SameCa,
            reason: "the new certificate is signed by the running CA".into(),
        },
        certificates: Vec::new(),
        approval,
        redacted: Vec::new(),
        secrets: Vec::new(),
        sources: SourceMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Approval, Scenario, Severity, Verdict, one_line, quote_source, test_report};
    use crate::model::plan::NoCommand;

    #[test]
    fn each_decision_reads_as_one_sentence() {
        let blocked = |count, codes: &[&str], fail_on| Approval::Blocked {
            count,
            codes: codes.iter().map(|&c| c.into()).collect(),
            fail_on,
        };
        assert_eq!(
            blocked(1, &["CG101"], Severity::Error).to_string(),
            "1 finding at or above the failure threshold (fail_on: error) blocks it (CG101)."
        );
        assert_eq!(
            blocked(3, &["CG101", "CG205"], Severity::Info).to_string(),
            "3 findings at or above the failure threshold (fail_on: info) block it (CG101, CG205)."
        );
        assert_eq!(
            Approval::NothingToChange.to_string(),
            "nothing certificate-related changes: no command is needed."
        );
        assert_eq!(
            Approval::NotFormed(NoCommand::Unsafe("tls.x cannot be passed with --set".into())).to_string(),
            "nothing blocks it, but the command cannot be formed: tls.x cannot be passed with --set."
        );
    }

    /// The text, the job summary and both audit documents give the engine's decision in the same
    /// words, whatever the policy they are handed: the threshold is the decision's own.
    #[test]
    fn every_format_gives_the_same_reason() {
        let policy = crate::engine::Policy::default();
        let decisions = [
            Approval::Blocked {
                count: 1,
                codes: vec!["CG510".into()],
                fail_on: Severity::Warning,
            },
            Approval::NothingToChange,
            Approval::NotFormed(NoCommand::Missing("no release name (--release)")),
        ];
        for approval in decisions {
            let why = approval.to_string();
            let not_formed = matches!(approval, Approval::NotFormed(_));
            let reports = [test_report("es1", Vec::new(), approval)];
            let md_why = super::github::md_escape(&why);
            let summary = super::github::step_summary(&reports);
            assert!(
                summary.contains(&format!("**No command approved:** {md_why}\n")),
                "{summary}"
            );
            let md = super::audit::markdown(&reports, &[], &policy);
            assert!(md.contains(&format!("**No command approved:** {md_why}\n")), "{md}");
            let html = super::audit::html(&reports, &[], &policy);
            let html_why = super::html::escape(&why);
            assert!(
                html.contains(&format!("<strong>No command approved:</strong> {html_why}</p>")),
                "{html}"
            );
            // The text format says why only when the command cannot be formed (a blocked command
            // is told by its findings, nothing to change by CG503's).
            let text = super::text::render(&reports, super::text::Style::default(), false);
            assert_eq!(
                text.contains(&format!("No command approved: {why}\n")),
                not_formed,
                "{text}"
            );
            assert!(!text.contains("Approved command"), "{text}");
        }
    }

    #[test]
    fn one_line_writes_control_characters_visibly() {
        assert_eq!(one_line("a\n::error::pwned"), "a\\n::error::pwned");
        assert_eq!(
            one_line("a\r\n\tb\u{1b}[31m\u{7f}\u{85}\u{2028}"),
            "a\\r\\n\\tb\\u{1b}[31m\\u{7f}\\u{85}\\u{2028}"
        );
        assert!(matches!(
            one_line("tls.secretName: ünïcode, 100% :: ## #[ #"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    /// Text a renderer may put at the start of a line cannot start a workflow command there.
    #[test]
    fn one_line_breaks_a_leading_workflow_command() {
        assert_eq!(one_line("::error::x"), "\\u{3a}:error::x");
        assert_eq!(one_line("  ::error::x"), "  \\u{3a}:error::x");
        assert_eq!(one_line("\u{3000}::error::x"), "\u{3000}\\u{3a}:error::x");
        assert_eq!(one_line("a ::error::x"), "a ::error::x");
        assert_eq!(one_line(":a"), ":a");
        assert_eq!(one_line("#x ## [y] #[z]"), "#x ## [y] #[z]");
        for text in ["::a\n##[b\r::c", "\n::x", "\u{2029}##[y", " \t::z", "\u{85}::w"] {
            let shown = one_line(text);
            assert_eq!(shown.split(['\n', '\r']).count(), 1, "{shown}");
            assert!(!shown.trim_start().starts_with("::"), "{shown}");
            assert!(!shown.contains("##["), "{shown}");
        }
    }

    #[test]
    fn quote_source_breaks_old_form_commands_and_keeps_the_span() {
        let text = "a: 1\n  \"e##[stop-commands]t\": 1\n";
        let (lo, hi) = (7, 28);
        assert_eq!(&text[lo..hi], "\"e##[stop-commands]t\"");
        let (shown, lo, hi) = quote_source(text, lo, hi);
        assert_eq!(&shown[lo..hi], "\"e\\u{23}#[stop-commands]t\"");
        assert!(!shown.contains("##["), "{shown}");
        assert!(matches!(
            quote_source("a: '#[x] ## ['", 0, 1).0,
            std::borrow::Cow::Borrowed(_)
        ));
    }

    /// The runner reads `##[` anywhere in a line as a command (its older form), so every one in
    /// user text is broken, wherever it stands.
    #[test]
    fn one_line_breaks_every_old_form_command() {
        assert_eq!(one_line("##[error]x"), "\\u{23}#[error]x");
        assert_eq!(one_line("key a##[stop-commands]t"), "key a\\u{23}#[stop-commands]t");
        assert_eq!(one_line("###[x] ##[y"), "#\\u{23}#[x] \\u{23}#[y");
        assert_eq!(one_line("##\u{0}[x"), "##\\u{0}[x");
    }

    /// Every verdict and scenario of the contract (SPEC §4) reads back as the word it is written as,
    /// and `as_str` gives serde's name: the JSON report prints `as_str`, the schema checks serde's.
    #[test]
    fn verdict_and_scenario_words_are_their_serde_names() {
        for word in ["none", "clients-must-update", "unknown"] {
            let v: Verdict = serde_json::from_value(serde_json::json!(word)).unwrap();
            assert_eq!(v.as_str(), word);
            assert_eq!(serde_json::to_value(v).unwrap(), word);
        }
        let scenarios = [
            "no-external-change",
            "selfsigned-new-install",
            "selfsigned-first-change-after-upgrade",
            "selfsigned-later-change-after-upgrade",
            "same-ca",
            "ca-changed",
            "type-changed",
            "previous-unknown",
        ];
        for word in scenarios {
            let s: Scenario = serde_json::from_value(serde_json::json!(word)).unwrap();
            assert_eq!(s.as_str(), word);
            assert_eq!(serde_json::to_value(s).unwrap(), word);
        }
    }
}
