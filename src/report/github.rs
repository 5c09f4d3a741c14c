//! GitHub Actions output (SPEC §4): workflow-command annotations, one per finding
//! (`::error file=…,line=…,col=…,title=CG101 label-invalid::message`), and the Markdown for
//! `$GITHUB_STEP_SUMMARY`: per release unit, the counts, the client impact and the approved command.
//!
//! Escaping follows `@actions/core` (`toolkit/packages/core/src/command.ts`): in the message `%`,
//! `\r` and `\n` are percent-encoded; in properties `:` and `,` as well. A line break in the message
//! cannot therefore start a workflow command of its own. User text goes through [`one_line`] first,
//! so its own control characters show as `\n` and the like; the `%0A` that remain are certgate's
//! line breaks between the message, a suppression's reason and the help.

use std::fmt::Write as _;

use crate::engine::{Approval, Finding, UnitReport};

use crate::rules::Severity;

use crate::report::{Options, Report, one_line};

/// One annotation per finding, in the report's order; then each suppressed finding as a notice
/// that names its suppression and reason (every suppression appears in every format).
pub fn render(report: &Report, _: &Options) -> String {
    let reports = report.units;
    let mut out = String::new();
    for report in reports {
        for f in &report.findings {
            out.push_str(&annotation(report, f, reports.len() > 1, None));
        }
        for s in &report.suppressed {
            let note = format!(
                "suppressed: {}{}",
                s.reason,
                s.until.as_ref().map_or(String::new(), |u| format!(" (until {u})"))
            );
            out.push_str(&annotation(report, &s.finding, reports.len() > 1, Some(&note)));
        }
    }
    out
}

fn annotation(report: &UnitReport, f: &Finding, name_release: bool, suppressed: Option<&str>) -> String {
    let command = match (f.severity, suppressed) {
        (_, Some(_)) => "notice",
        (Severity::Error, None) => "error",
        (Severity::Warning, None) => "warning",
        (Severity::Info, None) => "notice",
    };
    let placed = report.place(&f.location);
    let mut properties = Vec::new();
    if let Some(file) = &placed.file {
        properties.push(format!("file={}", escape_property(&one_line(file))));
        if let (Some(line), Some(col)) = (placed.line, placed.column) {
            properties.push(format!("line={line}"));
            properties.push(format!("col={col}"));
        }
    }
    let mut title = format!("{} {}", one_line(&f.code), one_line(&f.name));
    if suppressed.is_some() {
        title.push_str(" (suppressed)");
    }
    if name_release && let Some(release) = &report.release {
        let _ = write!(title, " ({})", one_line(release));
    }
    properties.push(format!("title={}", escape_property(&title)));

    let mut message = one_line(&f.message).into_owned();
    if let Some(origin) = &placed.origin {
        let _ = write!(message, " (from {})", one_line(origin));
    }
    if let Some(block) = f.block {
        let _ = write!(message, " (PEM block {block})");
    }
    if let Some(note) = suppressed {
        let _ = write!(message, "\n{}", one_line(note));
    }
    let _ = write!(message, "\nhelp: {}", one_line(&f.help));
    format!("::{command} {}::{}\n", properties.join(","), escape_data(&message))
}

/// Escape a workflow command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Markdown for `$GITHUB_STEP_SUMMARY`: per unit, the counts, the client impact verdict and its
/// reason, the findings, and the approved command or why there is none.
pub fn step_summary(reports: &[UnitReport]) -> String {
    let mut out = String::new();
    for report in reports {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "## certgate: {}\n",
            report.release.as_deref().map_or("release unit".to_string(), md_escape)
        );
        let s = report.summary();
        let _ = writeln!(
            out,
            "| errors | warnings | info | suppressed |\n| ---: | ---: | ---: | ---: |\n| {} | {} | {} | {} |\n",
            s.error, s.warning, s.info, s.suppressed
        );
        let ci = &report.client_impact;
        let _ = writeln!(
            out,
            "**Client impact:** `{}` ({}): {}\n",
            ci.verdict.as_str(),
            ci.scenario.as_str(),
            md_escape(&ci.reason)
        );
        if !report.findings.is_empty() {
            out.push_str("| severity | code | where | message |\n| --- | --- | --- | --- |\n");
            for f in &report.findings {
                let _ = writeln!(
                    out,
                    "| {} | {} {} | {} | {} |",
                    f.severity.as_str(),
                    md_escape(&f.code),
                    md_escape(&f.name),
                    md_escape(&where_(report, f)),
                    md_escape(&f.message)
                );
            }
            out.push('\n');
        }
        match &report.approval {
            Approval::Approved(cmd) => {
                let fence = "`".repeat(longest_backtick_run(cmd).max(2) + 1);
                let _ = writeln!(out, "**Approved command:**\n\n{fence}sh\n{cmd}\n{fence}");
            }
            why => {
                let _ = writeln!(out, "**No command approved:** {}", md_escape(&why.to_string()));
            }
        }
    }
    out
}

fn where_(report: &UnitReport, f: &Finding) -> String {
    let p = report.place(&f.location);
    match (p.file, p.line, p.column, p.origin) {
        (Some(file), Some(line), Some(col), _) => format!("{file}:{line}:{col}"),
        (Some(file), ..) => file,
        (None, _, _, Some(origin)) => origin,
        _ => "(run)".to_string(),
    }
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Escape text for a Markdown table cell or paragraph: control characters are written visibly by
/// [`one_line`] (so `\n` in a key shows as `\n`), then Markdown punctuation gets a backslash, `<`
/// and `>` become entities (GitHub would read HTML).
pub fn md_escape(s: &str) -> String {
    let s = one_line(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Location;

    fn report(findings: Vec<Finding>, command: Option<&str>) -> UnitReport {
        let approval = command.map_or(Approval::NothingToChange, |c| Approval::Approved(c.to_string()));
        crate::report::test_report("es_1", findings, approval)
    }

    fn finding(code: &str, severity: Severity, location: Location) -> Finding {
        Finding {
            code: code.into(),
            name: "some-rule".into(),
            severity,
            message: "100% wrong,\nreally".into(),
            location,
            path: None,
            block: None,
            help: "fix it".into(),
        }
    }

    #[test]
    fn step_summary_shows_the_approved_command_in_a_fence() {
        let cmd = "helm upgrade --reuse-values --set global.security.externalCertificateLabel=ext-1 es es.tgz --tls";
        let md = step_summary(&[report(Vec::new(), Some(cmd))]);
        assert!(md.starts_with("## certgate: es\\_1\n"), "{md}");
        assert!(md.contains("| 0 | 0 | 0 | 0 |"), "{md}");
        assert!(md.contains("**Client impact:** `none` (same-ca)"), "{md}");
        assert!(md.contains(&format!("```sh\n{cmd}\n```\n")), "{md}");
    }

    #[test]
    fn step_summary_says_why_no_command() {
        // The threshold is the one the engine held the findings to: the summary is not told it.
        let mut blocked = report(vec![finding("CG101", Severity::Warning, Location::Run)], None);
        blocked.approval = Approval::Blocked {
            count: 1,
            codes: vec!["CG101".into()],
            fail_on: Severity::Warning,
        };
        let md = step_summary(&[blocked]);
        assert!(
            md.contains(
                "**No command approved:** 1 finding at or above the failure threshold (fail\\_on: warning) blocks \
                 it (CG101)."
            ),
            "{md}"
        );
        let unchanged = report(Vec::new(), None);
        assert!(
            step_summary(&[unchanged])
                .contains("**No command approved:** nothing certificate-related changes: no command is needed."),
        );
    }

    #[test]
    fn a_finding_without_a_file_has_no_position() {
        let r = report(
            vec![finding(
                "CG211",
                Severity::Warning,
                Location::Arg {
                    origin: "--set tls.x=…".into(),
                },
            )],
            None,
        );
        assert_eq!(
            crate::report::test_render(crate::report::Format::Github, &[r]),
            "::warning title=CG211 some-rule::100%25 wrong,\\nreally (from --set tls.x=…)%0Ahelp: fix it\n"
        );
    }

    /// A key, file name or release name with a line break in it stays on its annotation's line,
    /// written visibly; certgate's own line break before the help is GitHub's `%0A`.
    #[test]
    fn user_text_cannot_start_a_workflow_command() {
        let mut f = finding(
            "CG211",
            Severity::Warning,
            Location::File {
                path: "a\n::error::x.yaml".into(),
            },
        );
        f.message = "tls.a\n::stop-commands::t\r::error::y is unknown".into();
        let mut r = report(vec![f.clone(), f], None);
        r.release = Some("es\n::error::z".into());
        let out = crate::report::test_render(crate::report::Format::Github, &[r.clone(), r]);
        assert_eq!(out.lines().count(), 4, "{out}");
        for line in out.lines() {
            assert_eq!(
                line,
                "::warning file=a\\n%3A%3Aerror%3A%3Ax.yaml,title=CG211 some-rule (es\\n%3A%3Aerror%3A%3Az)::\
                 tls.a\\n::stop-commands::t\\r::error::y is unknown%0Ahelp: fix it"
            );
        }
    }

    #[test]
    fn message_escapes_percent_and_line_breaks() {
        assert_eq!(escape_data("100% done\r\nnext: a,b"), "100%25 done%0D%0Anext: a,b");
        // A line break cannot smuggle in a command of its own.
        assert_eq!(escape_data("x\n::set-env name=A::1"), "x%0A::set-env name=A::1");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(
            escape_property("chart.tgz!/es/values.yaml,x:y%\n"),
            "chart.tgz!/es/values.yaml%2Cx%3Ay%25%0A"
        );
        // `%` is escaped first, so an existing `%2C` is not read back as a comma.
        assert_eq!(escape_property("%2C"), "%252C");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(
            md_escape("a | b <script> *x*\nnext\r"),
            "a \\| b &lt;script&gt; \\*x\\*\\\\nnext\\\\r"
        );
    }

    #[test]
    fn fence_is_longer_than_any_backticks_in_the_command() {
        assert_eq!(longest_backtick_run("helm upgrade"), 0);
        assert_eq!(longest_backtick_run("a ```` b ` c"), 4);
    }
}
