//! The formats: one renderer per file, each turning the engine's outcome
//! ([`UnitReport`](crate::engine::UnitReport): findings placed in files, suppressions, the client
//! impact verdict, the certificate inventory, the approval or why there is none) into text. A
//! renderer formats and decides nothing; what they share for that is here (user text made safe for
//! a line, source lines made safe for a code frame).
//!
//! Every format has the same entry, `FORMAT::render(&Report, &Options) -> String`, and the command
//! line reaches them all through [`render`] (or [`write`], which streams the JSON of many units).
//! The two audit documents are printed from one document model ([`audit::Document`]).

pub mod audit;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod plan;
pub mod sarif;
pub mod text;

use std::borrow::Cow;

use crate::engine::plan::UnitPlan;
use crate::engine::{Policy, UnitReport};
use crate::rules::Rule;

/// What every format renders: the reports of the run's units, the rules the run held them to,
/// and the policy in force.
#[derive(Clone, Copy)]
pub struct Report<'a> {
    pub units: &'a [UnitReport],
    pub rules: &'a [&'a Rule],
    pub policy: &'a Policy,
    /// Each unit's rollout plan, in the units' order, when the run decided them (`certgate
    /// audit` and `certgate plan`); empty otherwise. Only the audit documents print them.
    pub plans: &'a [UnitPlan],
}

/// How to print, for the formats that have a choice (the text format; the others ignore it).
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Colour: only on a terminal, and never with `NO_COLOR`.
    pub color: bool,
    /// Only the approved commands.
    pub quiet: bool,
}

/// The output formats (SPEC §4): those of `certgate check`, then the audit documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Github,
    Html,
    Markdown,
}

/// The report in `format`.
pub fn render(format: Format, report: &Report, options: &Options) -> String {
    let render = match format {
        Format::Text => text::render,
        Format::Json => json::render,
        Format::Sarif => sarif::render,
        Format::Junit => junit::render,
        Format::Github => github::render,
        Format::Html => html::render,
        Format::Markdown => markdown::render,
    };
    render(report, options)
}

/// Write the report in `format` to `w`. JSON is streamed as each unit is printed: the report of
/// many units is never held in memory whole.
pub fn write(
    format: Format,
    report: &Report,
    options: &Options,
    w: &mut crate::source::secret::Scrubbed<'_>,
) -> std::io::Result<()> {
    use std::io::Write as _;
    match format {
        Format::Json => json::write(report.units, w),
        _ => w.write_all(render(format, report, options).as_bytes()),
    }
}

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

/// `units` in `format` under the default policy, with no rule list, as plain text: for the
/// renderers' tests.
#[cfg(test)]
pub(crate) fn test_render(format: Format, units: &[UnitReport]) -> String {
    let policy = Policy::default();
    let report = Report {
        units,
        rules: &[],
        policy: &policy,
        plans: &[],
    };
    render(format, &report, &Options::default())
}

/// A report of `release` with these findings and this decision, the rest empty: for the
/// renderers' tests.
#[cfg(test)]
pub(crate) fn test_report(
    release: &str,
    findings: Vec<crate::engine::Finding>,
    approval: crate::engine::Approval,
) -> crate::engine::UnitReport {
    use crate::model::impact::{ClientImpact, Scenario, Verdict};
    use crate::source::SourceMap;
    crate::engine::UnitReport {
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
    use super::{Format, one_line, quote_source, test_render, test_report};
    use crate::engine::Approval;
    use crate::model::impact::{Scenario, Verdict};
    use crate::model::plan::NoCommand;
    use crate::rules::Severity;

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
            let md = test_render(Format::Markdown, &reports);
            assert!(md.contains(&format!("**No command approved:** {md_why}\n")), "{md}");
            let html = test_render(Format::Html, &reports);
            let html_why = super::html::escape(&why);
            assert!(
                html.contains(&format!("<strong>No command approved:</strong> {html_why}</p>")),
                "{html}"
            );
            // The text format says why only when the command cannot be formed (a blocked command
            // is told by its findings, nothing to change by CG503's).
            let text = test_render(Format::Text, &reports);
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
