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
/// (10,000 units make a report of tens of megabytes). The reports are serialized on every core
/// while this thread writes the finished ones in order; the bytes are those of serde_json's pretty
/// printer for the whole array.
pub fn write(reports: &[UnitReport], w: &mut impl std::io::Write) -> std::io::Result<()> {
    use std::io::Write as _;
    /// Serialized reports waiting to be written at most: a few megabytes of JSON.
    const WINDOW: usize = 512;
    let mut w = std::io::BufWriter::new(w);
    match reports {
        [one] => report(one).serialize(&mut serde_json::Serializer::with_formatter(&mut w, Pretty::default()))?,
        [] => w.write_all(b"[]")?,
        _ => {
            w.write_all(b"[\n")?;
            let mut first = true;
            crate::parallel::stream(reports, WINDOW, array_element, |element| {
                if !std::mem::take(&mut first) {
                    w.write_all(b",\n")?;
                }
                w.write_all(&element)
            })?;
            w.write_all(b"\n]")?;
        }
    }
    w.write_all(b"\n")?;
    w.flush()
}

/// One report as an element of a pretty-printed array, indented as the printer indents it there:
/// the array of just that report, without its `[\n` and `\n]`.
fn array_element(r: &UnitReport) -> Vec<u8> {
    // A unit's report is a few kilobytes; one allocation instead of a dozen regrowths.
    let mut pretty = Vec::with_capacity(8 << 10);
    pretty.extend_from_slice(INDENT);
    let mut ser = serde_json::Serializer::with_formatter(
        &mut pretty,
        Pretty {
            depth: 1,
            has_value: false,
        },
    );
    // Writing plain structs of strings and numbers into memory cannot fail.
    let _ = report(r).serialize(&mut ser);
    pretty
}

/// The indentation of one level, as serde_json's pretty printer writes it.
const INDENT: &[u8] = b"  ";

/// serde_json's `PrettyFormatter` (two spaces), starting at a given depth, so that a report is
/// printed straight as an element of the array; and writing a line's indentation in one piece
/// rather than one level at a time (a report has ~100 lines). The test below holds it to
/// serde_json's bytes.
#[derive(Default)]
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    fn new_line<W: ?Sized + std::io::Write>(&self, w: &mut W, comma: bool) -> std::io::Result<()> {
        /// A comma, a line break and the indentation of the deepest line a report has, and more.
        const LINE: &[u8] = b",\n                                ";
        let spaces = self.depth * INDENT.len();
        match LINE.get(usize::from(!comma)..2 + spaces) {
            Some(line) => w.write_all(line),
            None => {
                w.write_all(if comma { b",\n" } else { b"\n" })?;
                (0..self.depth).try_for_each(|_| w.write_all(INDENT))
            }
        }
    }

    fn end<W: ?Sized + std::io::Write>(&mut self, w: &mut W, close: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.new_line(w, false)?;
        }
        w.write_all(close)
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.end(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.new_line(w, !first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.end(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.new_line(w, !first)
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
    use super::*;
    use crate::report::{Finding, Input, Location, Severity};

    /// Several units as serde_json prints a sequence, the reference for [`write`].
    struct Units<'a>(&'a [UnitReport]);

    impl Serialize for Units<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(report))
        }
    }

    fn unit(i: usize) -> UnitReport {
        let findings = (0..i % 3)
            .map(|j| Finding {
                code: format!("CG10{j}").into(),
                name: "label-invalid".into(),
                severity: Severity::Error,
                message: format!("unit {i}: a message with a line break\nand \"quotes\""),
                location: Location::Arg {
                    origin: format!("--set k{j}=v"),
                },
                path: Some("global.security.externalCertificateLabel".into()),
                block: None,
                help: "fix it".into(),
            })
            .collect();
        let command = i
            .is_multiple_of(2)
            .then(|| format!("helm upgrade --reuse-values es-{i} chart.tgz --tls"));
        UnitReport {
            inputs: (0..i % 2)
                .map(|_| Input {
                    role: "values".into(),
                    path: format!("u{i}/values.yaml"),
                    sha256: "00".repeat(32),
                })
                .collect(),
            ..crate::report::test_report(&format!("es-{i}"), findings, command)
        }
    }

    /// Batched and parallel, the bytes are serde_json's for the whole array: across a batch
    /// boundary, with empty and non-empty lists, strings with escapes, one unit and none.
    #[test]
    fn writes_what_serde_json_prints_for_the_array() {
        for n in [0, 1, 2, 3, 511, 512, 513, 1100] {
            let reports: Vec<UnitReport> = (0..n).map(unit).collect();
            let expected = if n == 1 {
                serde_json::to_string_pretty(&report(&reports[0])).unwrap()
            } else {
                serde_json::to_string_pretty(&Units(&reports)).unwrap()
            } + "\n";
            assert_eq!(render(&reports), expected, "{n} reports");
        }
    }

    /// Deeper than the indentation written in one piece, and with empty arrays and objects.
    #[test]
    fn the_printer_indents_any_depth_as_serde_json_does() {
        let mut value = serde_json::json!({"a": [], "b": {}, "c": [1, {"d": null}]});
        for depth in 0..20 {
            value = serde_json::json!({ format!("k{depth}"): [value, "s"], "e": [] });
        }
        let mut ours = Vec::new();
        value
            .serialize(&mut serde_json::Serializer::with_formatter(
                &mut ours,
                Pretty::default(),
            ))
            .unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
    }
}
