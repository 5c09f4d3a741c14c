//! The auditor's report as GitHub-flavoured Markdown (see [`crate::report::audit`]): the same sections as the
//! HTML report, tables for the rules, inputs, certificates and findings, the approved command in a
//! `sh` fence, and the validity timeline as a fixed-width text drawing. Table cells go through
//! [`md_escape`] (a `|` cannot end a cell, `<` cannot start HTML).

use std::fmt::Write as _;

use crate::engine::plan::TrustBundle;
use crate::engine::{Approval, UnitReport};
use crate::model::material::CertState;
use crate::report::audit::{self, Document, PlanSection, PolicySection, Timeline, Unit, date_of};
use crate::report::github::md_escape;
use crate::report::{Options, Report};
use crate::rules::Severity;

/// Text in a code span when it can be one in a table cell, else escaped text.
fn code(s: &str) -> String {
    if s.is_empty() || s.contains(['`', '|', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        md_escape(s)
    } else {
        format!("`{s}`")
    }
}

/// A Markdown link when the URI is a web URI that needs no escaping in one, else escaped text.
fn link(uri: &str, text: &str) -> String {
    if audit::is_web_uri(uri) && !uri.contains(['(', ')', '<', '>', '|', '[', ']', '`', '\\']) {
        format!("[{}]({uri})", md_escape(text))
    } else {
        md_escape(text)
    }
}

/// A code fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// The auditor's report of the run as GitHub-flavoured Markdown.
pub fn render(report: &Report, _: &Options) -> String {
    print(&audit::document(report))
}

fn print(doc: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", md_escape(&doc.title));
    if let Some(now) = doc.checked_as_of {
        let _ = write!(out, "Checked as of {}. ", md_escape(now));
    }
    let units = doc.units.len();
    let _ = writeln!(
        out,
        "{units} release unit{} checked, {} with an approved command. What was checked, against which \
policy, with which inputs and certificates, what was suppressed and why, and which command was approved.\n",
        if units == 1 { "" } else { "s" },
        doc.approved,
    );
    summary(&mut out, doc);
    policy_section(&mut out, &doc.policy);
    for unit in &doc.units {
        let _ = writeln!(out, "## Release unit: {}\n", md_escape(&unit.name));
        suppressions(&mut out, doc, unit);
        inputs(&mut out, unit.report);
        certificates(&mut out, doc, unit);
        findings(&mut out, unit);
        if let Some(plan) = &unit.plan {
            rollout(&mut out, plan);
        }
    }
    let _ = writeln!(
        out,
        "---\n\nWritten by certgate {} from the report of the run; the same inputs and clock give this same \
document byte for byte.",
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn summary(out: &mut String, doc: &Document) {
    out.push_str("## Summary\n\n");
    if doc.units.is_empty() {
        out.push_str("No release unit was checked.\n\n");
    }
    for unit in &doc.units {
        let (report, s) = (unit.report, &unit.summary);
        let gate = match &report.approval {
            Approval::Approved(_) => "Approved: a command is approved for this release unit.",
            _ => "Not approved: no command is approved for this release unit.",
        };
        let ci = &report.client_impact;
        let _ = writeln!(
            out,
            "### {}\n\n**{gate}**\n\nChecked as of {}.\n\n\
| errors | warnings | info | suppressed |\n| ---: | ---: | ---: | ---: |\n| {} | {} | {} | {} |\n\n\
Client impact verdict: {} (scenario: {}): {}\n",
            md_escape(&unit.name),
            md_escape(&report.now),
            s.error,
            s.warning,
            s.info,
            s.suppressed,
            md_escape(ci.verdict.as_str()),
            md_escape(ci.scenario.as_str()),
            md_escape(&ci.reason)
        );
        match &report.approval {
            Approval::Approved(command) => {
                let f = fence(command);
                let _ = writeln!(
                    out,
                    "**Approved command** (for exactly the inputs listed under this unit's Inputs):\n\n{f}sh\n{command}\n{f}\n"
                );
            }
            why => {
                let _ = writeln!(out, "**No command approved:** {}\n", md_escape(&why.to_string()));
            }
        }
    }
}

fn policy_section(out: &mut String, policy: &PolicySection) {
    out.push_str("## Policy in force\n\n| setting | value | what it does |\n| --- | --- | --- |\n");
    for setting in &policy.settings {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            code(setting.name),
            md_escape(&setting.value),
            md_escape(setting.what)
        );
    }
    let (rules, off) = (policy.rules.len(), policy.off);
    let _ = writeln!(
        out,
        "\n### Rules\n\n{rules} rules in the pack, {} enabled, {off} switched off. The severity in force is the \
default unless the policy changed it.\n",
        rules - off
    );
    if !policy.unmatched.is_empty() {
        let _ = writeln!(
            out,
            "policy.rules also sets {}, which the rule pack does not hold: no effect.\n",
            md_escape(&policy.unmatched.join(", "))
        );
    }
    out.push_str("| code | name | default | in force | summary |\n| --- | --- | --- | --- | --- |\n");
    for row in &policy.rules {
        let code_cell = match &row.help_uri {
            Some(uri) => link(uri, row.code),
            None => md_escape(row.code),
        };
        let effective = row.effective.map_or("off", Severity::as_str);
        let changed = row
            .changed_by
            .map(|by| format!(" ({})", md_escape(by)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {code_cell} | {} | {} | {effective}{changed} | {} |",
            md_escape(row.name),
            row.default.as_str(),
            md_escape(row.summary)
        );
    }
    out.push('\n');
}

fn suppressions(out: &mut String, doc: &Document, unit: &Unit) {
    out.push_str("### Suppressions\n\n");
    if !doc.suppressions_honoured {
        out.push_str(
            "Inline suppressions were ignored for this run (`--no-suppressions`): every finding is listed \
under Findings as found.\n\n",
        );
        return;
    }
    if unit.suppressed.is_empty() {
        out.push_str("No finding was suppressed.\n\n");
        return;
    }
    out.push_str(
        "Findings silenced by an inline `# certgate: ignore` comment, with the reason given there. They do \
not block the command.\n\n| severity | code | name | where | message | reason | until |\n\
| --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for row in &unit.suppressed {
        let (s, f) = (row.suppressed, &row.suppressed.finding);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            f.severity.as_str(),
            md_escape(&f.code),
            md_escape(&f.name),
            code(&row.where_),
            md_escape(&f.message),
            md_escape(&s.reason),
            md_escape(s.until.as_deref().unwrap_or("no expiry"))
        );
    }
    out.push('\n');
}

fn inputs(out: &mut String, report: &UnitReport) {
    out.push_str("### Inputs\n\n");
    if report.inputs.is_empty() {
        out.push_str("No input file was read.\n\n");
        return;
    }
    out.push_str(
        "The files this report was computed from, with their SHA-256 digests. An approved command holds for \
exactly these files: `certgate verify-approval REPORT.json` (the JSON report of the same run) re-hashes each \
of them and fails, naming the file, if any changed.\n\n| role | path | SHA-256 |\n| --- | --- | --- |\n",
    );
    for input in &report.inputs {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            md_escape(input.role.as_str()),
            code(&input.path),
            code(&input.sha256)
        );
    }
    out.push('\n');
}

/// The rollout plan and the client trust bundle (`engine::plan`), after the findings that
/// allowed them.
fn rollout(out: &mut String, plan: &PlanSection) {
    out.push_str("### Rollout plan\n\n");
    if !plan.steps.is_empty() {
        out.push_str(
            "The steps of the approved change, in the order they must run, as `certgate plan` \
gives them: what each changes, who runs it, how to check it worked and how to roll it back.\n\n",
        );
    }
    for b in &plan.blocked {
        let _ = writeln!(out, "**No rollout plan:** {}\n", md_escape(b));
    }
    for n in plan.notes {
        let _ = writeln!(out, "Note: {}\n", md_escape(n));
    }
    if !plan.steps.is_empty() {
        out.push_str("| step | what | who | run | check | roll back |\n| --- | --- | --- | --- | --- | --- |\n");
    }
    for step in plan.steps {
        let not_before = step
            .not_before
            .as_ref()
            .map(|t| format!("<br>not before {}", md_escape(t)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | **{}**<br>{}{not_before} | {} | {} | {} | {} |",
            step.number,
            md_escape(&step.title),
            md_escape(&step.changes),
            step.who.as_str(),
            code_lines(&step.commands),
            code_lines(&step.verify),
            code_lines(&step.rollback)
        );
    }
    if !plan.steps.is_empty() {
        out.push('\n');
    }
    if let Some(bundle) = plan.bundle {
        trust_bundle(out, bundle, &plan.verified_against);
    }
}

/// Lines of commands or settings in one table cell, each a code span where it can be one.
fn code_lines(lines: &[String]) -> String {
    lines.iter().map(|l| code(l)).collect::<Vec<_>>().join("<br>")
}

fn trust_bundle(out: &mut String, bundle: &TrustBundle, verified_against: &str) {
    out.push_str(
        "### Client trust bundle\n\nThe CAs clients are given before the server switches, in bundle order.\n\n\
| side | alias | subject | SHA-256 | expires |\n| --- | --- | --- | --- | --- |\n",
    );
    for ca in &bundle.cas {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            ca.side,
            code(&ca.alias),
            md_escape(&ca.subject),
            code(&ca.sha256),
            md_escape(&ca.not_after)
        );
    }
    out.push_str(
        "\nThe files of the bundle. Written with `--output-dir`, the JSON plan names them and `certgate \
verify-approval` re-hashes them.\n\n| file | SHA-256 | written to |\n| --- | --- | --- |\n",
    );
    for f in &bundle.files {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            code(f.name),
            code(&f.sha256),
            f.path
                .as_deref()
                .map_or_else(|| "not written: no --output-dir".to_string(), code)
        );
    }
    let _ = writeln!(
        out,
        "\nPKCS#12 password: {}. Verified against the new chain and {}.\n",
        if bundle.password { "set" } else { "none" },
        md_escape(verified_against)
    );
}

fn certificates(out: &mut String, doc: &Document, unit: &Unit) {
    let report = unit.report;
    out.push_str("### Certificates\n\n");
    if report.certificates.is_empty() {
        out.push_str(
            "No certificate was inspected for this release unit (self-generated certificates, or no \
certificate material was given), so there is no inventory and no timeline.\n\n",
        );
        return;
    }
    let window = doc.expiry_warning_days;
    let _ = writeln!(
        out,
        "Validity of each certificate as of {}; the expiry warning window is {window} days.\n",
        md_escape(&report.now)
    );
    if let Some(timeline) = &unit.timeline {
        let drawing = text_timeline(report, timeline);
        let f = fence(&drawing);
        let _ = writeln!(out, "{f}text\n{drawing}{f}\n");
    }
    out.push_str(
        "| # | role | subject | issuer | serial | not before | not after | days left | state | key | signature | SHA-256 fingerprint | source |\n\
| ---: | --- | --- | --- | --- | --- | --- | ---: | --- | --- | --- | --- | --- |\n",
    );
    for (i, c) in report.certificates.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} {} | {} | {} | {} |",
            i + 1,
            md_escape(&c.role),
            md_escape(&c.subject),
            md_escape(&c.issuer),
            code(&c.serial),
            md_escape(&c.not_before),
            md_escape(&c.not_after),
            c.days_left,
            c.state.as_str(),
            md_escape(&c.key_type),
            c.key_bits,
            md_escape(&c.signature_algorithm),
            code(&c.sha256),
            code(&c.source)
        );
    }
    out.push('\n');
}

/// The timeline in fixed-width text: one line per certificate, `|` at now, `<`/`>` where a bar runs
/// past the edge.
fn text_timeline(report: &UnitReport, t: &Timeline) -> String {
    const LABEL: usize = 36;
    const WIDTH: i64 = 60;
    let col = |time: i64| t.x(time, WIDTH - 1) as usize;
    let mut out = String::new();
    let (from, to) = (date_of(t.lo), date_of(t.hi));
    let gap = (WIDTH as usize).saturating_sub(from.chars().count() + to.chars().count());
    let _ = writeln!(out, "{:LABEL$}{from}{:gap$}{to}", "", "");
    if let Some(now) = t.now {
        let _ = writeln!(out, "{:LABEL$}{:pad$}v now {}", "", "", date_of(now), pad = col(now));
    }
    for (c, bar) in report.certificates.iter().zip(&t.bars) {
        let mut line = vec!['.'; WIDTH as usize];
        let mark = match bar.state {
            CertState::Valid => '=',
            CertState::Expiring => '~',
            CertState::Expired => 'x',
            CertState::NotYetValid => '+',
        };
        let (a, b) = (col(bar.start.unwrap_or(t.lo)), col(bar.end.unwrap_or(t.hi)));
        for cell in &mut line[a..=b.max(a)] {
            *cell = mark;
        }
        if let Some(now) = t.now {
            line[col(now)] = '|';
        }
        if bar.start.is_none_or(|s| !t.contains(s)) {
            line[0] = '<';
        }
        if bar.end.is_none_or(|e| !t.contains(e)) {
            line[WIDTH as usize - 1] = '>';
        }
        let mut label: String = format!("{}: {}", c.role, c.subject).chars().take(LABEL - 2).collect();
        label = label.replace(['\n', '\r'], " ");
        let bar: String = line.into_iter().collect();
        let _ = writeln!(out, "{label:LABEL$}{bar}");
    }
    let _ = writeln!(
        out,
        "\n{:LABEL$}= valid  ~ expiring  x expired  + not yet valid  | now  < > past the edge",
        ""
    );
    out
}

fn findings(out: &mut String, unit: &Unit) {
    out.push_str("### Findings\n\n");
    if unit.findings.is_empty() {
        out.push_str("No findings.\n\n");
        return;
    }
    out.push_str(
        "Sorted by file, line and column; findings about the run as a whole last. Lines and columns are \
1-based; columns count characters.\n\n| severity | code | name | message | where | help |\n\
| --- | --- | --- | --- | --- | --- |\n",
    );
    for row in &unit.findings {
        let f = row.finding;
        let more = row
            .help_uri
            .as_ref()
            .map(|uri| format!("<br>{}", link(uri, uri)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {}{more} |",
            f.severity.as_str(),
            md_escape(&f.code),
            md_escape(&f.name),
            md_escape(&f.message),
            code(&row.where_),
            md_escape(&f.help)
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_fall_back_to_escaped_text() {
        assert_eq!(code("new.yaml:3:31"), "`new.yaml:3:31`");
        assert_eq!(code("a|b"), "a \\| b".replace(' ', ""));
        assert_eq!(code("a`b"), "a\\`b");
    }

    #[test]
    fn fences_outgrow_backticks() {
        assert_eq!(fence("helm upgrade"), "```");
        assert_eq!(fence("a ```` b"), "`````");
    }

    #[test]
    fn links_only_for_plain_web_uris() {
        assert_eq!(link("https://e.x/CG101", "CG101"), "[CG101](https://e.x/CG101)");
        assert_eq!(link("https://e.x/(x)", "CG101"), "CG101");
        assert_eq!(link("javascript:x", "CG_1"), "CG\\_1");
    }
}
