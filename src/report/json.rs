//! The JSON report (SPEC §4, `schemas/report.schema.json`): keys in the contract's order, one object
//! for one release unit, an array for several.
//!
//! The structs below are the report: each key of the contract is one field, in the contract's
//! order, and serde_json prints them. A new field of the report is a field here (or of `Input`,
//! `ClientImpact`, `CertificateInfo` or `Summary`, which derive `Serialize`) and a key in the schema.

use std::io::Write as _;

use serde::Serialize;

use crate::engine::{Finding, Summary, UnitReport};
use crate::model::impact::ClientImpact;
use crate::model::material::CertificateInfo;
use crate::report::{Options, Report};
use crate::rules::Severity;
use crate::source::Input;
use crate::source::secret::Scrubbed;

/// One release unit's report, as the contract lays it out.
#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    now: &'a str,
    inputs: &'a [Input],
    findings: Findings<'a>,
    suppressed: SuppressedList<'a>,
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

/// A finding placed at its file, line and column (SPEC §4).
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

impl<'a> JsonReport<'a> {
    fn of(r: &'a UnitReport) -> Self {
        JsonReport {
            version: 1,
            tool: Tool {
                name: "certgate",
                version: env!("CARGO_PKG_VERSION"),
            },
            now: &r.now,
            inputs: &r.inputs,
            findings: Findings(r),
            suppressed: SuppressedList(r),
            client_impact: &r.client_impact,
            certificates: &r.certificates,
            upgrade_command: r.upgrade_command(),
            summary: r.summary(),
        }
    }
}

impl<'a> JsonFinding<'a> {
    fn of(r: &UnitReport, f: &'a Finding) -> Self {
        let placed = r.place(&f.location);
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
}

/// A unit's findings, placed one by one as they are printed (no list of them is built).
struct Findings<'a>(&'a UnitReport);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        s.collect_seq(r.findings.iter().map(|f| JsonFinding::of(r, f)))
    }
}

/// A unit's suppressed findings, with the reason and expiry of each suppression.
struct SuppressedList<'a>(&'a UnitReport);

impl Serialize for SuppressedList<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        s.collect_seq(r.suppressed.iter().map(|x| JsonSuppressed {
            finding: JsonFinding::of(r, &x.finding),
            reason: &x.reason,
            until: x.until.as_deref(),
        }))
    }
}

/// Render the reports: pretty-printed, with a final newline.
pub fn render(report: &Report, _: &Options) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail, and every value of the report is a string, a number or null.
    let _ = stream(report.units, &mut out, array_element, |w, e| w.write_all(&e));
    String::from_utf8(out).unwrap_or_default()
}

/// Write the reports to `w` as they are printed, without holding the whole document in memory
/// (10,000 units make a report of tens of megabytes). The reports are printed on every core while
/// this thread writes the finished ones in order; the bytes are those of serde_json's pretty
/// printer for the whole array.
pub fn write(reports: &[UnitReport], w: &mut Scrubbed<'_>) -> std::io::Result<()> {
    // Each unit's JSON is scrubbed where it is printed, on every core, instead of the whole stream
    // on the writer's thread alone (a tenth of a large run's time).
    let redactor = w.redactor();
    stream(reports, w, |r| redactor.clean(&array_element(r)), Scrubbed::write_clean)
}

/// The document of `reports` into `w`: one report as an object, several as an array whose
/// elements are printed on every core by `element` and written in order by `put`.
fn stream<W: std::io::Write, E: Send>(
    reports: &[UnitReport],
    w: &mut W,
    element: impl Fn(&UnitReport) -> E + Sync,
    put: impl Fn(&mut W, E) -> std::io::Result<()>,
) -> std::io::Result<()> {
    /// Serialized reports waiting to be written at most: a few megabytes of JSON.
    const WINDOW: usize = 512;
    match reports {
        [one] => w.write_all(&print(one, 0))?,
        [] => w.write_all(b"[]")?,
        _ => {
            w.write_all(b"[\n")?;
            let mut first = true;
            crate::parallel::stream(reports, WINDOW, element, |e| {
                if !std::mem::take(&mut first) {
                    w.write_all(b",\n")?;
                }
                put(w, e)
            })?;
            w.write_all(b"\n]")?;
        }
    }
    w.write_all(b"\n")
}

/// One report as an element of the pretty-printed array: indented one level, without the comma
/// and line break that separate it from the one before.
fn array_element(r: &UnitReport) -> Vec<u8> {
    print(r, 1)
}

/// One report pretty-printed as it stands `depth` levels deep in the document, from its own
/// indentation to its closing brace.
fn print(r: &UnitReport, depth: usize) -> Vec<u8> {
    // A unit's report is a few kilobytes; one allocation instead of a dozen regrowths.
    let mut out = Vec::with_capacity(8 << 10);
    out.extend(INDENT.repeat(depth));
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, Pretty::at(depth));
    // The report holds strings, numbers, nulls, lists and structs: nothing serde_json can refuse,
    // and a Vec takes every byte.
    let _ = JsonReport::of(r).serialize(&mut serializer);
    out
}

/// One level of indentation, as serde_json's pretty printer writes it.
const INDENT: &[u8] = b"  ";

/// serde_json's `PrettyFormatter` (each array element and object key on its own line, indented
/// two spaces a level; `[]` and `{}` when empty; `": "` after a key), starting at a given depth,
/// so that an element of the array is printed on its own with the indentation it has in the whole.
/// serde_json's own starts at depth 0 and keeps its depth private.
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    fn at(depth: usize) -> Self {
        Pretty {
            depth,
            has_value: false,
        }
    }

    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.new_line(w)?;
        }
        w.write_all(bracket)
    }

    /// Before an array element or an object key: the comma after the one before, and its line.
    fn next<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.new_line(w)
    }

    fn new_line<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.depth {
            w.write_all(INDENT)?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.next(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.next(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;
    use crate::engine::{Approval, Finding, Suppressed};
    use crate::model::impact::{ClientImpact, Scenario, Verdict};
    use crate::model::material::{CertState, CertificateInfo};
    use crate::rules::Severity;
    use crate::source::{Input, Location};
    use crate::source::{Source, Span};

    /// Several units as serde_json prints a sequence at once, the reference for [`write`], which
    /// prints them one by one on every core.
    struct Units<'a>(&'a [UnitReport]);

    impl Serialize for Units<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(JsonReport::of))
        }
    }

    /// Strings a report may hold: every character JSON escapes, control characters without a
    /// short escape, DEL, non-ASCII, and a long plain string.
    const AWKWARD: [&str; 6] = [
        "a message with a line break\nand \"quotes\" and a \\ backslash",
        "\u{8}\u{c}\r\t\u{0}\u{1}\u{1f}\u{7f}",
        "é 🔐 rā – ∅",
        "",
        "plain text that is long enough to be scanned in more than one vector of bytes, twice over",
        "\"",
    ];

    fn a_finding(i: usize, j: usize, location: Location) -> Finding {
        Finding {
            code: format!("CG10{j}").into(),
            name: "label-invalid".into(),
            severity: [Severity::Error, Severity::Warning, Severity::Info][(i + j) % 3],
            message: format!("unit {i}: {}", AWKWARD[(i + j) % AWKWARD.len()]),
            location,
            path: j
                .is_multiple_of(2)
                .then(|| "global.security.externalCertificateLabel".into()),
            block: (j == 1).then_some(j + 1),
            help: AWKWARD[(i + 2 * j) % AWKWARD.len()].into(),
        }
    }

    fn unit(i: usize) -> UnitReport {
        let mut report = crate::report::test_report(&format!("es-{i}"), Vec::new(), Approval::NothingToChange);
        let source = report.sources.add(Source::new(
            format!("u{i}/values.yaml"),
            "tls:\n  type: provided\n  key: é\n",
        ));
        let locations = [
            Location::Arg {
                origin: format!("--set k{i}=…"),
            },
            Location::Span {
                source,
                span: Span::point(26),
            },
            Location::File {
                path: format!("u{i}/tls.key"),
            },
            Location::Run,
        ];
        report.findings = (0..i % 5).map(|j| a_finding(i, j, locations[j % 4].clone())).collect();
        report.suppressed = (0..i % 3)
            .map(|j| Suppressed {
                finding: a_finding(i, j + 3, locations[(j + 1) % 4].clone()),
                reason: AWKWARD[j % AWKWARD.len()].into(),
                until: (j == 1).then(|| "2027-01-01".into()),
            })
            .collect();
        report.inputs = (0..i % 3)
            .map(|j| Input {
                role: crate::source::InputRole::Values,
                path: format!("u{i}/values-{j}.yaml"),
                sha256: "0a".repeat(32),
            })
            .collect();
        report.certificates = (0..i % 3)
            .map(|j| CertificateInfo {
                role: ["leaf", "intermediate", "ca"][j].into(),
                source: format!("u{i}/tls.pem"),
                subject: format!("CN=kafka-{i}.example.com,O={}", AWKWARD[j]),
                issuer: "CN=Root \"CA\"".into(),
                serial: "9ebb89cac598838a".into(),
                sha256: "ab".repeat(32),
                not_before: "2026-06-01T00:00:00Z".into(),
                not_after: "2027-06-01T00:00:00Z".into(),
                days_left: [186, -3, 0][j],
                key_type: "RSA".into(),
                key_bits: 2048,
                signature_algorithm: "sha256WithRSAEncryption".into(),
                state: [CertState::Valid, CertState::Expired, CertState::Expiring][j],
            })
            .collect();
        report.client_impact = ClientImpact {
            verdict: [Verdict::None, Verdict::ClientsMustUpdate, Verdict::Unknown][i % 3],
            scenario: [Scenario::SameCa, Scenario::CaChanged, Scenario::PreviousUnknown][i % 3],
            reason: AWKWARD[i % AWKWARD.len()].into(),
        };
        if i.is_multiple_of(2) {
            report.approval = Approval::Approved(format!(
                "helm upgrade --reuse-values --set tls.key=\"$(base64 -w0 < u{i}/tls.key)\" es-{i} c.tgz --tls"
            ));
        }
        report
    }

    /// Batched and parallel, the bytes are serde_json's for the whole array: across a batch
    /// boundary, with empty and non-empty lists, every kind of location, strings with escapes,
    /// negative numbers and nulls, one unit and none.
    #[test]
    fn writes_what_serde_json_prints_for_the_array() {
        for n in [0, 1, 2, 3, 7, 511, 512, 513, 1100] {
            let reports: Vec<UnitReport> = (0..n).map(unit).collect();
            let expected = if n == 1 {
                serde_json::to_string_pretty(&JsonReport::of(&reports[0])).unwrap()
            } else {
                serde_json::to_string_pretty(&Units(&reports)).unwrap()
            } + "\n";
            let mut out = Vec::new();
            let redactor = crate::source::secret::Redactor::new();
            let mut w = redactor.writer(&mut out);
            write(&reports, &mut w).unwrap();
            w.finish().unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{n} reports");
        }
    }
}
