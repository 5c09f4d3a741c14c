//! The auditor's report as one self-contained HTML5 document (see [`crate::report::audit`]). Nothing in it is
//! loaded from anywhere: the CSS is inline, the timeline is inline SVG, there is no script, no font
//! and no image file, and the Content-Security-Policy meta tag (`default-src 'none'`) makes the
//! browser refuse anything else. Help URIs are plain `<a href>` links, which load nothing until
//! followed. Every piece of text from the report goes through [`escape`].

use std::fmt::Write as _;

use crate::engine::plan::TrustBundle;
use crate::engine::{Approval, UnitReport};
use crate::model::material::CertState;
use crate::model::material::CertificateInfo;
use crate::report::audit::{self, Bar, Document, HORIZON_DAYS, PlanSection, PolicySection, Timeline, Unit, date_of};
use crate::report::{Options, Report};
use crate::rules::Severity;

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const CSS: &str = "\
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;color:#1f2328;\
background:#fff;margin:0 auto;max-width:1240px;padding:24px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;border-bottom:1px solid #d0d7de;padding-bottom:4px;margin:32px 0 8px}
h3{font-size:16px;margin:20px 0 6px}
p{margin:6px 0}
.lead{color:#59636e}
table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f6f8fa;font-weight:600}
td.num,th.num{text-align:right;overflow-wrap:normal}
table.counts{width:auto;min-width:420px}
td.fp{font-size:11px;width:24ch}
td.nw{white-space:nowrap}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;font-size:12.5px}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:10px 12px;white-space:pre-wrap;\
word-break:break-all;margin:6px 0}
.fp{word-break:break-all}
.sev{display:inline-block;font-weight:600;font-size:12px;padding:0 7px;border-radius:10px;color:#fff;\
white-space:nowrap}
.sev-error{background:#cf222e}.sev-warning{background:#9a6700}.sev-info{background:#0969da}\
.sev-off{background:#6e7781}
.note{color:#59636e;font-size:12px}
.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 16px;margin:12px 0}
.card h3{margin-top:6px}
.gate{font-weight:700;font-size:15px}
.approved{color:#1a7f37}.blocked{color:#cf222e}
.state{font-weight:600;white-space:nowrap}
.state-expired{color:#cf222e}.state-expiring{color:#9a6700}.state-valid{color:#1a7f37}.state-future{color:#6639ba}
.legend{font-size:12px;color:#59636e}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;margin:0 4px 0 12px}
svg.timeline{display:block;max-width:100%;height:auto;border:1px solid #d0d7de;border-radius:6px;margin:8px 0}
footer{margin-top:32px;color:#59636e;font-size:12px}
@media print{body{padding:0}.card,table,svg.timeline{break-inside:avoid}}
";

/// The timeline's colours, by certificate state (also the legend's swatches).
fn colour(state: CertState) -> &'static str {
    match state {
        CertState::Expired => "#cf222e",
        CertState::Expiring => "#d4a72c",
        CertState::Valid => "#2da44e",
        CertState::NotYetValid => "#8250df",
    }
}

/// The CSS class of a state (the colours of the timeline's bars).
fn class(state: CertState) -> &'static str {
    match state {
        CertState::Expired => "expired",
        CertState::Expiring => "expiring",
        CertState::Valid => "valid",
        CertState::NotYetValid => "future",
    }
}

/// Escape text for HTML content and quoted attribute values (also inside inline SVG). Control
/// characters other than tab and line feed become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn sev(s: Severity) -> String {
    format!("<span class=\"sev sev-{0}\">{0}</span>", s.as_str())
}

/// A link when the URI is a web URI, else the URI as text.
fn link(uri: &str, text: &str) -> String {
    if audit::is_web_uri(uri) {
        format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
            escape(uri),
            escape(text)
        )
    } else {
        escape(text)
    }
}

/// The auditor's report of the run as one HTML5 document.
pub fn render(report: &Report, _: &Options) -> String {
    print(&audit::document(report))
}

fn print(doc: &Document) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"generator\" content=\"certgate {}\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        escape(CSP),
        env!("CARGO_PKG_VERSION"),
        escape(&doc.title)
    );
    header(&mut out, doc);
    summary(&mut out, doc);
    policy_section(&mut out, &doc.policy);
    for (i, unit) in doc.units.iter().enumerate() {
        self::unit(&mut out, doc, unit, i);
    }
    let _ = write!(
        out,
        "<footer>Written by certgate {} from the report of the run; the same inputs and clock give \
this same document byte for byte. It loads nothing and runs no script.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn header(out: &mut String, doc: &Document) {
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", escape(&doc.title));
    let clock = match doc.checked_as_of {
        Some(now) => format!("Checked as of {}. ", escape(now)),
        None => String::new(),
    };
    let units = doc.units.len();
    let _ = writeln!(
        out,
        "<p class=\"lead\">{clock}{units} release unit{} checked, {} with an approved command. \
What was checked, against which policy, with which inputs and certificates, what was suppressed and why, \
and which command was approved.</p>\n</header>",
        if units == 1 { "" } else { "s" },
        doc.approved,
    );
    if doc.units.is_empty() {
        out.push_str("<p>No release unit was checked.</p>\n");
    }
}

fn summary(out: &mut String, doc: &Document) {
    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    for (i, unit) in doc.units.iter().enumerate() {
        let (report, s) = (unit.report, &unit.summary);
        let (class, gate) = match &report.approval {
            Approval::Approved(_) => ("approved", "Approved: a command is approved for this release unit."),
            _ => ("blocked", "Not approved: no command is approved for this release unit."),
        };
        let _ = writeln!(
            out,
            "<div class=\"card\">\n<h3><a href=\"#unit-{}\">{}</a></h3>\n<p class=\"gate {class}\">{gate}</p>\n\
<p class=\"note\">Checked as of {}.</p>\n\
<table class=\"counts\">\n<tr><th class=\"num\">errors</th><th class=\"num\">warnings</th><th class=\"num\">info</th>\
<th class=\"num\">suppressed</th></tr>\n<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
<td class=\"num\">{}</td></tr>\n</table>",
            i + 1,
            escape(&unit.name),
            escape(&report.now),
            s.error,
            s.warning,
            s.info,
            s.suppressed
        );
        let ci = &report.client_impact;
        let _ = writeln!(
            out,
            "<p class=\"verdict\">Client impact verdict: {} (scenario: {}): {}</p>",
            escape(ci.verdict.as_str()),
            escape(ci.scenario.as_str()),
            escape(&ci.reason)
        );
        match &report.approval {
            Approval::Approved(command) => {
                let _ = writeln!(
                    out,
                    "<p><strong>Approved command</strong> (for exactly the inputs listed under this unit's \
Inputs):</p>\n<pre><code>{}</code></pre>",
                    escape(command)
                );
            }
            why => {
                let _ = writeln!(
                    out,
                    "<p><strong>No command approved:</strong> {}</p>",
                    escape(&why.to_string())
                );
            }
        }
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n");
}

fn policy_section(out: &mut String, policy: &PolicySection) {
    out.push_str("<section id=\"policy\">\n<h2>Policy in force</h2>\n<table>\n<tr><th>setting</th><th>value</th><th>what it does</th></tr>\n");
    for setting in &policy.settings {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(setting.name),
            escape(&setting.value),
            escape(setting.what)
        );
    }
    out.push_str("</table>\n");
    let (rules, off) = (policy.rules.len(), policy.off);
    let _ = writeln!(
        out,
        "<h3>Rules</h3>\n<p>{rules} rules in the pack, {} enabled, {off} switched off. \
The severity in force is the default unless the policy changed it.</p>",
        rules - off
    );
    if !policy.unmatched.is_empty() {
        let _ = writeln!(
            out,
            "<p>policy.rules also sets {}, which the rule pack does not hold: no effect.</p>",
            escape(&policy.unmatched.join(", "))
        );
    }
    out.push_str("<table>\n<tr><th>code</th><th>name</th><th>default</th><th>in force</th><th>summary</th></tr>\n");
    for row in &policy.rules {
        let code = match &row.help_uri {
            Some(uri) => link(uri, row.code),
            None => escape(row.code),
        };
        let effective = match row.effective {
            Some(s) => sev(s),
            None => "<span class=\"sev sev-off\">off</span>".to_string(),
        };
        let changed = row
            .changed_by
            .map(|by| format!(" <span class=\"note\">({})</span>", escape(by)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td><code>{code}</code></td><td>{}</td><td>{}</td><td>{effective}{changed}</td><td>{}</td></tr>",
            escape(row.name),
            sev(row.default),
            escape(row.summary)
        );
    }
    out.push_str("</table>\n</section>\n");
}

fn unit(out: &mut String, doc: &Document, unit: &Unit, index: usize) {
    let _ = writeln!(
        out,
        "<section id=\"unit-{}\">\n<h2>Release unit: {}</h2>",
        index + 1,
        escape(&unit.name)
    );
    suppressions(out, doc, unit);
    inputs(out, unit.report);
    certificates(out, doc, unit, index);
    findings(out, unit);
    if let Some(plan) = &unit.plan {
        rollout(out, plan);
    }
    out.push_str("</section>\n");
}

/// The rollout plan and the client trust bundle (`engine::plan`), after the findings that
/// allowed them.
fn rollout(out: &mut String, plan: &PlanSection) {
    out.push_str("<h3>Rollout plan</h3>\n");
    if !plan.steps.is_empty() {
        out.push_str(
            "<p>The steps of the approved change, in the order they must run, as \
<code>certgate plan</code> gives them: what each changes, who runs it, how to check it worked and how to roll \
it back.</p>\n",
        );
    }
    for b in &plan.blocked {
        let _ = writeln!(out, "<p><strong>No rollout plan:</strong> {}</p>", escape(b));
    }
    for n in plan.notes {
        let _ = writeln!(out, "<p class=\"note\">Note: {}</p>", escape(n));
    }
    if !plan.steps.is_empty() {
        out.push_str(
            "<table>\n<tr><th>step</th><th>what</th><th>who</th><th>run</th><th>check</th><th>roll back</th></tr>\n",
        );
    }
    for step in plan.steps {
        let not_before = step
            .not_before
            .as_ref()
            .map(|t| format!("<br>not before {}", escape(t)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><strong>{}</strong><br>{}{not_before}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            step.number,
            escape(&step.title),
            escape(&step.changes),
            escape(step.who.as_str()),
            code_lines(&step.commands),
            code_lines(&step.verify),
            code_lines(&step.rollback)
        );
    }
    if !plan.steps.is_empty() {
        out.push_str("</table>\n");
    }
    if let Some(bundle) = plan.bundle {
        trust_bundle(out, bundle, &plan.verified_against);
    }
}

/// Lines of commands or settings, each in a code span, one per line.
fn code_lines(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| format!("<code>{}</code>", escape(l)))
        .collect::<Vec<_>>()
        .join("<br>")
}

fn trust_bundle(out: &mut String, bundle: &TrustBundle, verified_against: &str) {
    out.push_str(
        "<h3>Client trust bundle</h3>\n<p>The CAs clients are given before the server switches, in bundle \
order.</p>\n<table>\n<tr><th>side</th><th>alias</th><th>subject</th><th>SHA-256</th><th>expires</th></tr>\n",
    );
    for ca in &bundle.cas {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td><code class=\"fp\">{}</code></td><td>{}</td></tr>",
            escape(ca.side),
            escape(&ca.alias),
            escape(&ca.subject),
            escape(&ca.sha256),
            escape(&ca.not_after)
        );
    }
    out.push_str(
        "</table>\n<p>The files of the bundle. Written with <code>--output-dir</code>, the JSON plan names them \
and <code>certgate verify-approval</code> re-hashes them.</p>\n<table>\n<tr><th>file</th><th>SHA-256</th>\
<th>written to</th></tr>\n",
    );
    for f in &bundle.files {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td><code class=\"fp\">{}</code></td><td>{}</td></tr>",
            escape(f.name),
            escape(&f.sha256),
            f.path.as_ref().map_or_else(
                || "not written: no --output-dir".to_string(),
                |p| format!("<code>{}</code>", escape(p))
            )
        );
    }
    let _ = writeln!(
        out,
        "</table>\n<p>PKCS#12 password: {}. Verified against the new chain and {}.</p>",
        if bundle.password { "set" } else { "none" },
        escape(verified_against)
    );
}

fn suppressions(out: &mut String, doc: &Document, unit: &Unit) {
    out.push_str("<h3>Suppressions</h3>\n");
    if !doc.suppressions_honoured {
        out.push_str(
            "<p>Inline suppressions were ignored for this run (<code>--no-suppressions</code>): every finding \
is listed under Findings as found.</p>\n",
        );
        return;
    }
    if unit.suppressed.is_empty() {
        out.push_str("<p>No finding was suppressed.</p>\n");
        return;
    }
    out.push_str(
        "<p>Findings silenced by an inline <code># certgate: ignore</code> comment, with the reason given \
there. They do not block the command.</p>\n<table>\n<tr><th>severity</th><th>code</th><th>name</th>\
<th>where</th><th>message</th><th>reason</th><th>until</th></tr>\n",
    );
    for row in &unit.suppressed {
        let (s, f) = (row.suppressed, &row.suppressed.finding);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            sev(f.severity),
            escape(&f.code),
            escape(&f.name),
            escape(&row.where_),
            escape(&f.message),
            escape(&s.reason),
            escape(s.until.as_deref().unwrap_or("no expiry"))
        );
    }
    out.push_str("</table>\n");
}

fn inputs(out: &mut String, report: &UnitReport) {
    out.push_str("<h3>Inputs</h3>\n");
    if report.inputs.is_empty() {
        out.push_str("<p>No input file was read.</p>\n");
        return;
    }
    out.push_str(
        "<p>The files this report was computed from, with their SHA-256 digests. An approved command holds \
for exactly these files: <code>certgate verify-approval REPORT.json</code> (the JSON report of the same \
run) re-hashes each of them and fails, naming the file, if any changed.</p>\n\
<table>\n<tr><th>role</th><th>path</th><th>SHA-256</th></tr>\n",
    );
    for input in &report.inputs {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td><code class=\"fp\">{}</code></td></tr>",
            escape(input.role.as_str()),
            escape(&input.path),
            escape(&input.sha256)
        );
    }
    out.push_str("</table>\n");
}

fn certificates(out: &mut String, doc: &Document, unit: &Unit, index: usize) {
    let report = unit.report;
    out.push_str("<h3>Certificates</h3>\n");
    if report.certificates.is_empty() {
        out.push_str(
            "<p>No certificate was inspected for this release unit (self-generated certificates, or no \
certificate material was given), so there is no inventory and no timeline.</p>\n",
        );
        return;
    }
    let window = doc.expiry_warning_days;
    let _ = writeln!(
        out,
        "<p>Validity of each certificate as of {} (the dashed line); the shaded band is the expiry warning \
window of {window} days. Bars that run past an edge (more than {} years from now) end in an arrow; \
their real dates are in the labels and the table.</p>",
        escape(&report.now),
        HORIZON_DAYS / 365
    );
    out.push_str("<p class=\"legend\">");
    for state in [
        CertState::Valid,
        CertState::Expiring,
        CertState::Expired,
        CertState::NotYetValid,
    ] {
        let _ = write!(
            out,
            "<span class=\"swatch\" style=\"background:{}\"></span>{}",
            colour(state),
            state.as_str()
        );
    }
    out.push_str("</p>\n");
    match &unit.timeline {
        Some(timeline) => svg(out, unit, timeline, index, window),
        None => out.push_str("<p>No certificate has dates that can be placed on a timeline.</p>\n"),
    }
    out.push_str(
        "<table>\n<tr><th class=\"num\">#</th><th>role</th><th>subject and issuer</th><th>validity</th>\
<th class=\"num\">days left</th><th>state</th><th>key and signature</th><th>serial</th><th>SHA-256 fingerprint</th>\
<th>source</th></tr>\n",
    );
    for (i, c) in report.certificates.iter().enumerate() {
        let state = c.state;
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}<br><span class=\"note\">issued by {}</span></td>\
<td class=\"nw\">{}<br>to {}</td><td class=\"num\">{}</td><td><span class=\"state state-{}\">{}</span></td><td>{} {}<br>\
<span class=\"note\">{}</span></td><td><code>{}</code></td><td class=\"fp\"><code class=\"fp\">{}</code></td>\
<td><code>{}</code></td></tr>",
            i + 1,
            escape(&c.role),
            escape(&c.subject),
            escape(&c.issuer),
            escape(&c.not_before),
            escape(&c.not_after),
            c.days_left,
            class(state),
            state.as_str(),
            escape(&c.key_type),
            c.key_bits,
            escape(&c.signature_algorithm),
            escape(&c.serial),
            escape(&c.sha256),
            escape(&c.source)
        );
    }
    out.push_str("</table>\n");
}

/// The first `max` characters of `s`, with an ellipsis when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// The drawing's size, in SVG units: the labels on the left, the plot on the right.
const WIDTH: i64 = 1000;
const LABEL: i64 = 300;
const PLOT: i64 = WIDTH - LABEL - 24;
const TOP: i64 = 30;
const ROW: i64 = 38;
const BOTTOM: i64 = 30;

/// The validity timeline: one bar per certificate, on integer coordinates (so the bytes never
/// depend on float formatting).
fn svg(out: &mut String, unit: &Unit, t: &Timeline, index: usize, window_days: u32) {
    let report = unit.report;
    let rows = report.certificates.len() as i64;
    let height = TOP + rows * ROW + BOTTOM;
    let x = |time: i64| LABEL + t.x(time, PLOT);
    let plot_bottom = TOP + rows * ROW;
    let _ = writeln!(
        out,
        "<svg class=\"timeline\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\" \
aria-labelledby=\"timeline-{index}\" font-family=\"system-ui, sans-serif\" font-size=\"12\">\n\
<title id=\"timeline-{index}\">Certificate validity timeline of {}, as of {}</title>\n\
<rect x=\"{LABEL}\" y=\"{TOP}\" width=\"{PLOT}\" height=\"{}\" fill=\"#f6f8fa\" stroke=\"#d0d7de\"/>",
        escape(&unit.name),
        escape(&report.now),
        rows * ROW
    );
    if let Some(now) = t.now {
        let (from, to) = (x(now), x(now.saturating_add(i64::from(window_days) * 86_400)));
        if to > from {
            let _ = writeln!(
                out,
                "<rect x=\"{from}\" y=\"{TOP}\" width=\"{}\" height=\"{}\" fill=\"#fff1c2\"><title>expiry warning window: \
{window_days} days</title></rect>",
                to - from,
                rows * ROW
            );
        }
    }
    for (time, label) in t.ticks() {
        let tx = x(time);
        let _ = writeln!(
            out,
            "<line x1=\"{tx}\" y1=\"{TOP}\" x2=\"{tx}\" y2=\"{plot_bottom}\" stroke=\"#d0d7de\"/>\
<text x=\"{tx}\" y=\"{}\" text-anchor=\"middle\" fill=\"#59636e\">{}</text>",
            plot_bottom + 18,
            escape(&label)
        );
    }
    for (i, (c, bar)) in report.certificates.iter().zip(&t.bars).enumerate() {
        svg_bar(out, t, TOP + i as i64 * ROW, c, bar);
    }
    if let Some(now) = t.now {
        let nx = x(now);
        let anchor = if nx > WIDTH - 90 {
            "end"
        } else if nx < LABEL + 60 {
            "start"
        } else {
            "middle"
        };
        let _ = writeln!(
            out,
            "<line x1=\"{nx}\" y1=\"{}\" x2=\"{nx}\" y2=\"{plot_bottom}\" stroke=\"#1f2328\" stroke-width=\"2\" \
stroke-dasharray=\"5 3\"/>\n<text x=\"{nx}\" y=\"{}\" text-anchor=\"{anchor}\" font-weight=\"600\" fill=\"#1f2328\">now {}</text>",
            TOP - 4,
            TOP - 10,
            escape(&date_of(now))
        );
    }
    out.push_str("</svg>\n");
}

/// One certificate's row of the timeline, `y` from the top: its label, its bar, and an arrow at
/// each end that runs past the edge of the window or has no readable date there.
fn svg_bar(out: &mut String, t: &Timeline, y: i64, c: &CertificateInfo, bar: &Bar) {
    let x = |time: i64| LABEL + t.x(time, PLOT);
    let start = bar.start.unwrap_or(t.lo);
    let end = bar.end.unwrap_or(t.hi);
    let (x0, x1) = (x(start), x(end));
    let dates = format!(
        "{} to {}",
        bar.start.map_or_else(|| c.not_before.clone(), date_of),
        bar.end.map_or_else(|| c.not_after.clone(), date_of)
    );
    let colour = colour(bar.state);
    let _ = writeln!(
        out,
        "<text x=\"8\" y=\"{}\" fill=\"#1f2328\">{}</text>\n<text x=\"8\" y=\"{}\" fill=\"#59636e\" font-size=\"11\">{} · {}</text>",
        y + 16,
        escape(&truncate(&format!("{}: {}", c.role, c.subject), 44)),
        y + 31,
        escape(&truncate(&dates, 40)),
        bar.state.as_str()
    );
    let _ = writeln!(
        out,
        "<rect x=\"{x0}\" y=\"{}\" width=\"{}\" height=\"18\" rx=\"3\" fill=\"{colour}\"><title>{}: {} (not before {}, \
not after {}, {} days left, {})</title></rect>",
        y + 10,
        (x1 - x0).max(2),
        escape(&c.role),
        escape(&c.subject),
        escape(&c.not_before),
        escape(&c.not_after),
        c.days_left,
        bar.state.as_str()
    );
    if bar.start.is_none_or(|s| !t.contains(s)) {
        let _ = writeln!(
            out,
            "<path d=\"M{} {} l-9 9 l9 9 z\" fill=\"{colour}\"/>",
            LABEL - 1,
            y + 10
        );
    }
    if bar.end.is_none_or(|e| !t.contains(e)) {
        let _ = writeln!(
            out,
            "<path d=\"M{} {} l9 9 l-9 9 z\" fill=\"{colour}\"/>",
            LABEL + PLOT + 1,
            y + 10
        );
    }
}

fn findings(out: &mut String, unit: &Unit) {
    out.push_str("<h3>Findings</h3>\n");
    if unit.findings.is_empty() {
        out.push_str("<p>No findings.</p>\n");
        return;
    }
    out.push_str(
        "<p>Sorted by file, line and column; findings about the run as a whole last. Lines and columns are \
1-based; columns count characters.</p>\n<table>\n<tr><th>severity</th><th>code</th><th>name</th><th>message</th>\
<th>where</th><th>help</th></tr>\n",
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
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}{more}</td></tr>",
            sev(f.severity),
            escape(&f.code),
            escape(&f.name),
            escape(&f.message),
            escape(&row.where_),
            escape(&f.help)
        );
    }
    out.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_quotes_and_controls() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>\u{0}\u{1b}\n"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\u{FFFD}\u{FFFD}\n"
        );
    }

    #[test]
    fn only_web_uris_become_links() {
        assert_eq!(
            link("https://e.x/a?b=1&c=2", "CG101"),
            "<a href=\"https://e.x/a?b=1&amp;c=2\" rel=\"noopener noreferrer\">CG101</a>"
        );
        assert_eq!(link("javascript:alert(1)", "CG101"), "CG101");
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate("ééééé", 5), "ééééé");
        assert_eq!(truncate("éééééé", 5), "éééé…");
    }
}
