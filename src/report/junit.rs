//! The JUnit XML report (SPEC §4), for CI systems that show test results: one `<testsuite>` per
//! release unit, one `<testcase>` per rule (`CG101 label-invalid`). A rule with findings at or above
//! the failure threshold (`--fail-on`) fails; findings below it, and suppressed ones, are listed in
//! the test case's `<system-out>`, so the report fails exactly when the run does.
//!
//! A test case carries one `<failure>` listing all its failing findings, one per line as
//! `file:line:col: severity[CODE] name: message`: the common JUnit schemas (Ant, Surefire) allow a
//! single `<failure>` per test case, and Jenkins and GitLab show only one.

use std::fmt::Write as _;

use crate::engine::{Finding, UnitReport};

use crate::report::{Options, Report};
use crate::rules::Rule;
use crate::rules::Severity;

/// One test case: a rule, or a code that no rule in `rules` has (a finding still gets reported).
struct Case<'a> {
    code: &'a str,
    name: &'a str,
}

/// Render all units, held to the policy's failure threshold.
pub fn render(report: &Report, _: &Options) -> String {
    let (reports, rules, fail_on) = (report.units, report.rules, report.policy.fail_on);
    let mut suites = String::new();
    let (mut tests, mut failures) = (0, 0);
    for report in reports {
        let (suite, t, f) = testsuite(report, rules, fail_on);
        suites.push_str(&suite);
        tests += t;
        failures += f;
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"certgate\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"0\">\n{suites}</testsuites>\n"
    )
}

/// One unit's suite, with its number of test cases and of failed ones.
fn testsuite(report: &UnitReport, rules: &[&Rule], fail_on: Severity) -> (String, usize, usize) {
    let release = report.release.as_deref().unwrap_or("certgate");
    let cases = cases(report, rules);
    let mut body = String::new();
    let mut failed = 0;
    for case in &cases {
        if testcase(&mut body, report, release, case, fail_on) {
            failed += 1;
        }
    }
    let mut suite = format!(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\" time=\"0\">\n    <properties>\n",
        escape_attr(release),
        cases.len()
    );
    let ci = &report.client_impact;
    let mut properties = vec![
        ("client_impact", ci.verdict.as_str().to_string()),
        ("client_impact_scenario", ci.scenario.as_str().to_string()),
        ("client_impact_reason", ci.reason.clone()),
    ];
    if let Some(cmd) = report.upgrade_command() {
        properties.push(("upgrade_command", cmd.to_string()));
    }
    for (name, value) in properties {
        let _ = writeln!(
            suite,
            "      <property name=\"{name}\" value=\"{}\"/>",
            escape_attr(&value)
        );
    }
    suite.push_str("    </properties>\n");
    suite.push_str(&body);
    suite.push_str("  </testsuite>\n");
    (suite, cases.len(), failed)
}

/// The test cases of a unit: every rule of the run, then each code a finding has that no rule has.
fn cases<'a>(report: &'a UnitReport, rules: &[&'a Rule]) -> Vec<Case<'a>> {
    let mut cases: Vec<Case> = rules
        .iter()
        .map(|r| Case {
            code: &r.meta.code,
            name: &r.meta.name,
        })
        .collect();
    let all = report
        .findings
        .iter()
        .chain(report.suppressed.iter().map(|s| &s.finding));
    for f in all {
        if !cases.iter().any(|c| c.code == &*f.code) {
            cases.push(Case {
                code: &f.code,
                name: &f.name,
            });
        }
    }
    cases
}

/// Write one test case into `body`; whether it failed.
fn testcase(body: &mut String, report: &UnitReport, release: &str, case: &Case, fail_on: Severity) -> bool {
    let (failing, passing): (Vec<&Finding>, Vec<&Finding>) = report
        .findings
        .iter()
        .filter(|f| &*f.code == case.code)
        .partition(|f| f.fails_at(fail_on));
    let suppressed: Vec<_> = report
        .suppressed
        .iter()
        .filter(|s| &*s.finding.code == case.code)
        .collect();
    let _ = write!(
        body,
        "    <testcase classname=\"{}\" name=\"{} {}\" time=\"0\"",
        escape_attr(release),
        escape_attr(case.code),
        escape_attr(case.name)
    );
    if failing.is_empty() && passing.is_empty() && suppressed.is_empty() {
        body.push_str("/>\n");
        return false;
    }
    body.push_str(">\n");
    if let Some(first) = failing.first() {
        let worst = failing.iter().map(|f| f.severity).max().unwrap_or(first.severity);
        let mut message = format!("{}{}", where_prefix(report, first), first.message);
        if failing.len() > 1 {
            let _ = write!(message, " (and {} more)", failing.len() - 1);
        }
        let text: String = failing.iter().map(|f| line(report, f)).collect();
        let _ = writeln!(
            body,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            escape_attr(&message),
            worst.as_str(),
            escape_text(&text)
        );
    }
    if !passing.is_empty() || !suppressed.is_empty() {
        let mut text: String = passing.iter().map(|f| line(report, f)).collect();
        for s in &suppressed {
            let until = s.until.as_ref().map_or(String::new(), |u| format!(" until {u}"));
            let _ = writeln!(
                text,
                "suppressed: {}    reason: {}{until}",
                line(report, &s.finding),
                indent(&s.reason)
            );
        }
        let _ = writeln!(body, "      <system-out>{}</system-out>", escape_text(&text));
    }
    body.push_str("    </testcase>\n");
    !failing.is_empty()
}

/// `file:line:col: `, `file: `, `--set KEY=…: ` or nothing (the run as a whole).
fn where_prefix(report: &UnitReport, f: &Finding) -> String {
    let p = report.place(&f.location);
    match (p.file, p.line, p.column, p.origin) {
        (Some(file), Some(line), Some(col), _) => format!("{file}:{line}:{col}: "),
        (Some(file), ..) => format!("{file}: "),
        (None, _, _, Some(origin)) => format!("{origin}: "),
        _ => String::new(),
    }
}

/// One finding as compilers print it, then its help, both newline-terminated; continuation lines
/// are indented so each finding starts a line of its own.
fn line(report: &UnitReport, f: &Finding) -> String {
    let block = f.block.map_or(String::new(), |b| format!(" (PEM block {b})"));
    format!(
        "{}{}[{}] {}: {}{block}\n    help: {}\n",
        where_prefix(report, f),
        f.severity.as_str(),
        f.code,
        f.name,
        indent(&f.message),
        indent(&f.help)
    )
}

fn indent(s: &str) -> String {
    s.trim_end_matches('\n').replace('\n', "\n    ")
}

/// Escape text for an XML 1.0 attribute value: markup characters, and line breaks and tabs as
/// character references (a parser turns raw ones in an attribute into spaces).
pub fn escape_attr(s: &str) -> String {
    escape(s, true)
}

/// Escape text for XML 1.0 element content: markup characters; line breaks and tabs stay as they are,
/// except `\r` (a parser would drop it from `\r\n`).
pub fn escape_text(s: &str) -> String {
    escape(s, false)
}

/// Characters XML 1.0 cannot hold at all (C0 controls other than tab and line breaks, U+FFFE,
/// U+FFFF) are written as `\u{…}`.
fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape_attr(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;"
        );
        assert_eq!(escape_text("]]> & <"), "]]&gt; &amp; &lt;");
    }

    #[test]
    fn line_breaks_survive_attribute_normalisation() {
        assert_eq!(escape_attr("a\nb\r\n\tc"), "a&#10;b&#13;&#10;&#9;c");
        assert_eq!(escape_text("a\nb\r\n\tc"), "a\nb&#13;\n\tc");
    }

    #[test]
    fn characters_xml_cannot_hold_are_spelled_out() {
        assert_eq!(escape_text("esc\u{1b}[0m nul\u{0}"), "esc\\u{1b}[0m nul\\u{0}");
        assert_eq!(escape_attr("\u{FFFF}"), "\\u{ffff}");
        // Non-ASCII text is kept as it is (the document is UTF-8).
        assert_eq!(escape_attr("étiquette ✓"), "étiquette ✓");
    }
}
