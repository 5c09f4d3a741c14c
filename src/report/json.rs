//! The JSON report (SPEC §4, `schemas/report.schema.json`): keys in the contract's order, one object
//! for one release unit, an array for several.
//!
//! The report is printed here by hand, byte for byte as serde_json's pretty printer prints the
//! `Report` structs of the tests, which are the reference: serde_json escapes a string one byte at a
//! time, and a 10,000-unit report is 44 MB, 30 MB of it strings and keys. Here a string is tested
//! for a character to escape eight bytes at a time ([`needs_escape`]) and, as nearly all are,
//! copied whole. The tests hold the printer to serde_json on reports with every field filled in.

use std::io::Write as _;

use crate::engine::{Finding, UnitReport};

/// Render the reports: pretty-printed, with a final newline.
pub fn render(reports: &[UnitReport]) -> String {
    let mut out = Vec::new();
    // Writing plain structs of strings and numbers into memory cannot fail.
    let _ = write(reports, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Write the reports to `w` as they are printed, without holding the whole document in memory
/// (10,000 units make a report of tens of megabytes). The reports are printed on every core while
/// this thread writes the finished ones in order; the bytes are those of serde_json's pretty
/// printer for the whole array.
pub fn write(reports: &[UnitReport], w: &mut impl std::io::Write) -> std::io::Result<()> {
    /// Serialized reports waiting to be written at most: a few megabytes of JSON.
    const WINDOW: usize = 512;
    let mut w = std::io::BufWriter::new(w);
    match reports {
        [one] => {
            let mut out = Vec::with_capacity(8 << 10);
            Printer::new(&mut out, 0).report(one);
            w.write_all(&out)?;
        }
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

/// One report as an element of the pretty-printed array: indented one level, without the comma
/// and line break that separate it from the one before.
fn array_element(r: &UnitReport) -> Vec<u8> {
    // A unit's report is a few kilobytes; one allocation instead of a dozen regrowths.
    let mut out = Vec::with_capacity(8 << 10);
    out.extend_from_slice(INDENT);
    Printer::new(&mut out, 1).report(r);
    out
}

/// One level of indentation, as serde_json's pretty printer writes it.
const INDENT: &[u8] = b"  ";

/// Prints JSON values as serde_json's `PrettyFormatter` does: each array element and object key on
/// its own line, indented two spaces a level; `[]` and `{}` when empty; `": "` after a key.
struct Printer<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
    /// Nothing printed yet in the innermost array or object.
    first: bool,
}

impl<'o> Printer<'o> {
    fn new(out: &'o mut Vec<u8>, depth: usize) -> Self {
        Printer {
            out,
            depth,
            first: true,
        }
    }

    fn report(&mut self, r: &UnitReport) {
        self.open(b'{');
        self.key("version");
        self.number(1);
        self.key("tool");
        self.object(|p| p.strings(&[("name", "certgate"), ("version", env!("CARGO_PKG_VERSION"))]));
        self.field("now", &r.now);
        self.key("inputs");
        self.list(&r.inputs, |p, input| {
            p.object(|p| p.strings(&[("role", &input.role), ("path", &input.path), ("sha256", &input.sha256)]));
        });
        self.key("findings");
        self.list(&r.findings, |p, f| p.finding(r, f));
        self.key("suppressed");
        self.list(&r.suppressed, |p, s| {
            p.object(|p| {
                p.key("finding");
                p.finding(r, &s.finding);
                p.field("reason", &s.reason);
                p.key("until");
                p.optional(s.until.as_deref());
            });
        });
        let impact = &r.client_impact;
        self.key("client_impact");
        self.object(|p| {
            p.strings(&[
                ("verdict", impact.verdict.as_str()),
                ("scenario", impact.scenario.as_str()),
                ("reason", &impact.reason),
            ]);
        });
        self.key("certificates");
        self.list(&r.certificates, |p, c| {
            p.object(|p| {
                p.strings(&[
                    ("role", &c.role),
                    ("source", &c.source),
                    ("subject", &c.subject),
                    ("issuer", &c.issuer),
                    ("serial", &c.serial),
                    ("sha256", &c.sha256),
                    ("not_before", &c.not_before),
                    ("not_after", &c.not_after),
                ]);
                p.key("days_left");
                p.number(c.days_left);
                p.field("key_type", &c.key_type);
                p.key("key_bits");
                p.number(c.key_bits);
                p.field("signature_algorithm", &c.signature_algorithm);
            });
        });
        self.key("upgrade_command");
        self.optional(r.upgrade_command());
        let summary = r.summary();
        self.key("summary");
        self.object(|p| {
            for (name, n) in [
                ("error", summary.error),
                ("warning", summary.warning),
                ("info", summary.info),
                ("suppressed", summary.suppressed),
            ] {
                p.key(name);
                p.number(n);
            }
        });
        self.close(b'}');
    }

    /// A finding, placed at its file, line and column (SPEC §4).
    fn finding(&mut self, r: &UnitReport, f: &Finding) {
        let placed = r.place(&f.location);
        self.object(|p| {
            p.strings(&[
                ("code", &f.code),
                ("name", &f.name),
                ("severity", f.severity.as_str()),
                ("message", &f.message),
            ]);
            p.key("file");
            p.optional(placed.file.as_deref());
            for (name, n) in [("line", placed.line), ("column", placed.column)] {
                p.key(name);
                p.optional_number(n);
            }
            p.key("path");
            p.optional(f.path.as_deref());
            p.key("block");
            p.optional_number(f.block);
            p.key("origin");
            p.optional(placed.origin.as_deref());
            p.field("help", &f.help);
        });
    }

    fn open(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.depth += 1;
        self.first = true;
    }

    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if !self.first {
            self.new_line();
        }
        self.out.push(bracket);
        self.first = false;
    }

    /// Start the next element of an array, or the next key of an object.
    fn next(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.new_line();
        self.first = false;
    }

    fn new_line(&mut self) {
        self.out.push(b'\n');
        for _ in 0..self.depth {
            self.out.extend_from_slice(INDENT);
        }
    }

    /// A key of the report: one of the names above, none of which needs escaping.
    fn key(&mut self, name: &'static str) {
        self.next();
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\": ");
    }

    fn field(&mut self, name: &'static str, value: &str) {
        self.key(name);
        self.string(value);
    }

    /// Keys whose values are all strings, in order.
    fn strings(&mut self, fields: &[(&'static str, &str)]) {
        for (name, value) in fields {
            self.field(name, value);
        }
    }

    fn object(&mut self, body: impl FnOnce(&mut Self)) {
        self.open(b'{');
        body(self);
        self.close(b'}');
    }

    fn list<T>(&mut self, items: &[T], mut item: impl FnMut(&mut Self, &T)) {
        self.open(b'[');
        for t in items {
            self.next();
            item(self, t);
        }
        self.close(b']');
    }

    fn number(&mut self, n: impl std::fmt::Display) {
        // Writing into memory cannot fail.
        let _ = write!(self.out, "{n}");
    }

    fn optional(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.out.extend_from_slice(b"null"),
        }
    }

    fn optional_number(&mut self, n: Option<usize>) {
        match n {
            Some(n) => self.number(n),
            None => self.out.extend_from_slice(b"null"),
        }
    }

    /// A string in quotes, escaped as serde_json escapes it: `\"` `\\` `\b` `\f` `\n` `\r` `\t`,
    /// `\u00XX` (lowercase) for the other control characters, everything else as it is.
    fn string(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.out.push(b'"');
        if !needs_escape(bytes) {
            self.out.extend_from_slice(bytes);
        } else {
            let mut run = 0;
            for (i, &b) in bytes.iter().enumerate() {
                if !escaped(b) {
                    continue;
                }
                self.out.extend_from_slice(&bytes[run..i]);
                run = i + 1;
                match b {
                    b'"' => self.out.extend_from_slice(b"\\\""),
                    b'\\' => self.out.extend_from_slice(b"\\\\"),
                    0x08 => self.out.extend_from_slice(b"\\b"),
                    0x0c => self.out.extend_from_slice(b"\\f"),
                    b'\n' => self.out.extend_from_slice(b"\\n"),
                    b'\r' => self.out.extend_from_slice(b"\\r"),
                    b'\t' => self.out.extend_from_slice(b"\\t"),
                    _ => {
                        const HEX: &[u8; 16] = b"0123456789abcdef";
                        self.out.extend_from_slice(b"\\u00");
                        self.out.push(HEX[usize::from(b >> 4)]);
                        self.out.push(HEX[usize::from(b & 0xf)]);
                    }
                }
            }
            self.out.extend_from_slice(&bytes[run..]);
        }
        self.out.push(b'"');
    }
}

/// Whether JSON needs this byte of a string escaped: a quote, a backslash, a control character.
fn escaped(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether any byte of `bytes` is [`escaped`], eight bytes at a time: a report's strings are a few
/// dozen bytes, too short for the compiler's vectors. Word arithmetic (the "has a byte less than"
/// and "has a zero byte" tests) may mark bytes after a true match, never without one.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut eight = [0; 8];
        eight.copy_from_slice(word);
        let x = u64::from_le_bytes(eight);
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH != 0;
        if control || has_zero(x ^ (ONES * u64::from(b'"'))) || has_zero(x ^ (ONES * u64::from(b'\\'))) {
            return true;
        }
    }
    words.remainder().iter().any(|&b| escaped(b))
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;
    use crate::engine::{Approval, Finding, Summary, Suppressed};
    use crate::model::impact::{ClientImpact, Scenario, Verdict};
    use crate::model::material::{CertState, CertificateInfo};
    use crate::rules::Severity;
    use crate::source::{Input, Location};
    use crate::source::{Source, Span};

    // The reference: the report as serde structs, printed by serde_json. The printer above must
    // give the same bytes.
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
            upgrade_command: r.upgrade_command(),
            summary: r.summary(),
        }
    }

    /// Several units as serde_json prints a sequence, the reference for [`write`].
    struct Units<'a>(&'a [UnitReport]);

    impl Serialize for Units<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(self.0.iter().map(report))
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
                role: "values".into(),
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
                serde_json::to_string_pretty(&report(&reports[0])).unwrap()
            } else {
                serde_json::to_string_pretty(&Units(&reports)).unwrap()
            } + "\n";
            assert_eq!(render(&reports), expected, "{n} reports");
        }
    }

    proptest::proptest! {
        /// The word-at-a-time test says what a byte loop says, on any bytes.
        #[test]
        fn needs_escape_is_exact(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            proptest::prop_assert_eq!(needs_escape(&bytes), bytes.iter().any(|&b| escaped(b)));
        }
    }

    /// Every byte a string can hold (as a character of its own, and inside a longer string) is
    /// printed as serde_json prints it.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for c in (0..=0x7f_u8).map(char::from).chain(['é', '\u{2028}', '🔐']) {
            let at_every_place = (0..17).map(|n| format!("{}{c}{}", "x".repeat(n), "y".repeat(16 - n)));
            for s in [
                c.to_string(),
                format!("ab{c}cd{c}{c}"),
                format!("{}{c}", "x".repeat(70)),
            ]
            .into_iter()
            .chain(at_every_place)
            {
                let mut ours = Vec::new();
                Printer::new(&mut ours, 0).string(&s);
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    serde_json::to_string(&s).unwrap(),
                    "{s:?}"
                );
            }
        }
    }
}
