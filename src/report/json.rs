//! The JSON report (SPEC §4, `schemas/report.schema.json`): keys in the contract's order, one object
//! for one release unit, an array for several.

use serde::Serialize;

use super::{CertificateInfo, ClientImpact, Finding, Input, Severity, Summary, UnitReport};

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    now: &'a str,
    inputs: &'a [Input],
    findings: Vec<JsonFinding<'a>>,
    suppressed: Vec<JsonSuppressed<'a>>,
    client_impact: &'a ClientImpact,
    certificates: &'a [CertificateInfo],
    upgrade_command: Option<&'a str>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: &'a str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    path: Option<&'a str>,
    block: Option<usize>,
    origin: Option<String>,
    help: &'a str,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    finding: JsonFinding<'a>,
    reason: &'a str,
    until: Option<&'a str>,
}

fn finding<'a>(report: &UnitReport, f: &'a Finding) -> JsonFinding<'a> {
    let placed = report.place(&f.location);
    JsonFinding {
        code: &f.code,
        name: &f.name,
        severity: f.severity,
        message: &f.message,
        file: placed.file,
        line: placed.line,
        column: placed.column,
        path: f.path.as_deref(),
        block: f.block,
        origin: placed.origin,
        help: &f.help,
    }
}

fn report(r: &UnitReport) -> Report<'_> {
    Report {
        version: 1,
        tool: Tool {
            name: "certgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        now: &r.now,
        inputs: &r.inputs,
        findings: r.findings.iter().map(|f| finding(r, f)).collect(),
        suppressed: r
            .suppressed
            .iter()
            .map(|s| JsonSuppressed {
                finding: finding(r, &s.finding),
                reason: &s.reason,
                until: s.until.as_deref(),
            })
            .collect(),
        client_impact: &r.client_impact,
        certificates: &r.certificates,
        upgrade_command: r.upgrade_command.as_deref(),
        summary: r.summary(),
    }
}

/// Render the reports: pretty-printed, with a final newline.
pub fn render(reports: &[UnitReport]) -> String {
    let mut out = Vec::new();
    // Writing plain structs of strings and numbers into memory cannot fail.
    let _ = write(reports, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Write the reports to `w` as they are serialized, without holding the whole document in memory
/// (10,000 units make a report of tens of megabytes).
pub fn write(reports: &[UnitReport], w: &mut impl std::io::Write) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut w = std::io::BufWriter::new(w);
    if let [one] = reports {
        serde_json::to_writer_pretty(&mut w, &report(one))?;
    } else {
        serde_json::to_writer_pretty(&mut w, &Units(reports))?;
    }
    w.write_all(b"\n")?;
    w.flush()
}

/// Several units, serialized one at a time.
struct Units<'a>(&'a [UnitReport]);

impl Serialize for Units<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(report))
    }
}
