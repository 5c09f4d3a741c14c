//! The SARIF 2.1.0 report (SPEC §4): one run for all release units, one `reportingDescriptor` per
//! rule, 1-based lines and columns counted in Unicode code points, stable `partialFingerprints`, and
//! inline suppressions with their justification. Valid against the official schema
//! (`fixtures/reference/sarif-schema-2.1.0.json`, checked by `tests/formats.rs`).
//!
//! **Fingerprints.** `partialFingerprints["certgate/v1"]` is the SHA-256 (hex) of, separated by
//! U+001F: the release name, the rule code, the artifact URI, the values path (or, without one, the
//! command-line origin), the PEM block index, and an ordinal among findings that share all of these
//! (0 for the first). Line and column numbers are left out, so moving a finding down the file keeps
//! its fingerprint; the message is left out too, because messages hold dates and day counts that
//! change from one run to the next. Nothing from the file's text is hashed, so no key material.
//!
//! **Findings without a file** (from `--set`, or about the run): the origin goes into the message
//! and a logical location of kind `parameter`. GitHub code scanning rejects a whole upload that
//! holds a result without a physical location ("locationFromSarifResult: expected at least one
//! location", github/codeql-action#1738, #2459), so such a result is anchored at line 1 of the
//! unit's main input (its config file, else its first values file, else its previous values), and
//! says so with `properties.anchored: true`. Only a unit with no input file at all has none.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::impact::ClientImpact;

use crate::engine::{Finding, Placed, Suppressed, UnitReport};

use crate::source::{InputRole, Location};

use crate::engine::Policy;
use crate::report::{Options, Report};
use crate::rules::Rule;
use crate::rules::Severity;
use crate::source::Span;
use crate::source::files::sha256_hex;

const SCHEMA_URI: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The key of certgate's fingerprint; bump the version when the scheme above changes.
pub const FINGERPRINT_KEY: &str = "certgate/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    help: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Serialize)]
struct Configuration {
    #[serde(skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rule_configuration_overrides: Vec<Override>,
}

/// The policy in force differs from a rule's default (config `policy.rules`, `clients:
/// must-keep-working`, `require_previous`): SARIF's way to say so without changing the descriptor.
#[derive(Serialize)]
struct Override {
    descriptor: DescriptorRef,
    configuration: Configuration,
}

#[derive(Serialize)]
struct DescriptorRef {
    id: String,
    index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: OwnedText,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    #[serde(skip_serializing_if = "ResultProperties::is_empty")]
    properties: ResultProperties,
}

/// A one-entry fingerprint map, serialized as `{"certgate/v1": "…"}`.
struct Fingerprints(String);

impl Serialize for Fingerprints {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(FINGERPRINT_KEY, &self.0)?;
        map.end()
    }
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: String,
    #[serde(skip_serializing_if = "SuppressionProperties::is_empty")]
    properties: SuppressionProperties,
}

#[derive(Serialize, Default)]
struct SuppressionProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<String>,
}

impl SuppressionProperties {
    fn is_empty(&self) -> bool {
        self.until.is_none()
    }
}

#[derive(Serialize, Default)]
struct ResultProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    release: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    block: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
    /// The physical location is the unit's main input, not where the finding is.
    #[serde(skip_serializing_if = "Option::is_none")]
    anchored: Option<bool>,
}

impl ResultProperties {
    fn is_empty(&self) -> bool {
        self.release.is_none() && self.block.is_none() && self.origin.is_none() && self.anchored.is_none()
    }
}

/// What SARIF has no place for: each unit's verdict and approved command, for an auditor.
#[derive(Serialize)]
struct RunProperties<'a> {
    units: Vec<UnitProperties<'a>>,
}

#[derive(Serialize)]
struct UnitProperties<'a> {
    release: Option<&'a str>,
    client_impact: &'a ClientImpact,
    upgrade_command: Option<&'a str>,
}

/// SARIF's level for a severity (SARIF has no "info": `note` is its lowest reporting level).
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Render all units as one SARIF log with one run, pretty-printed, with a final newline.
pub fn render(report: &Report, _: &Options) -> String {
    let (reports, rules, policy) = (report.units, report.rules, report.policy);
    let index: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (&*r.meta.code, i)).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut results = Vec::new();
    for report in reports {
        for (finding, suppressed) in in_place_order(report) {
            results.push(result(report, finding, suppressed, &index, &mut seen));
        }
    }
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "certgate",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: descriptors(rules, policy),
                },
            },
            invocations: [Invocation {
                execution_successful: true,
                rule_configuration_overrides: overrides(rules, policy),
            }],
            column_kind: "unicodeCodePoints",
            results,
            properties: RunProperties {
                units: reports
                    .iter()
                    .map(|r| UnitProperties {
                        release: r.release.as_deref(),
                        client_impact: &r.client_impact,
                        upgrade_command: r.upgrade_command(),
                    })
                    .collect(),
            },
        }],
    };
    // Serializing plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

/// The rules of the run as SARIF rule descriptors, at their default severities.
fn descriptors<'a>(rules: &[&'a Rule], policy: &Policy) -> Vec<Descriptor<'a>> {
    rules
        .iter()
        .map(|r| Descriptor {
            id: &r.meta.code,
            name: &r.meta.name,
            short_description: Text { text: &r.meta.summary },
            full_description: Text {
                text: &r.meta.rationale,
            },
            help: Text {
                text: &r.meta.remediation,
            },
            help_uri: policy.help_uri(r),
            default_configuration: Configuration {
                enabled: None,
                level: level(r.meta.severity),
            },
        })
        .collect()
}

/// Where the policy runs a rule at another severity than its default, or not at all.
fn overrides(rules: &[&Rule], policy: &Policy) -> Vec<Override> {
    rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let configuration = match policy.severity_of(r) {
                Some(s) if s == r.meta.severity => return None,
                Some(s) => Configuration {
                    enabled: None,
                    level: level(s),
                },
                None => Configuration {
                    enabled: Some(false),
                    level: level(r.meta.severity),
                },
            };
            Some(Override {
                descriptor: DescriptorRef {
                    id: r.meta.code.to_string(),
                    index: i,
                },
                configuration,
            })
        })
        .collect()
}

/// Findings and suppressed findings together, in the report's order (file, line, column, code;
/// file-less last), so that suppressing one finding does not renumber the ordinals of the others.
fn in_place_order(report: &UnitReport) -> Vec<(&Finding, Option<&Suppressed>)> {
    let mut all: Vec<(&Finding, Option<&Suppressed>)> = report
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(report.suppressed.iter().map(|s| (&s.finding, Some(s))))
        .collect();
    all.sort_by_cached_key(|(f, _)| {
        let p = report.place(&f.location);
        (
            p.file.is_none(),
            p.file.unwrap_or_default(),
            p.line.unwrap_or(0),
            p.column.unwrap_or(0),
            f.code.clone(),
        )
    });
    all
}

fn result(
    report: &UnitReport,
    f: &Finding,
    suppressed: Option<&Suppressed>,
    index: &HashMap<&str, usize>,
    seen: &mut HashMap<String, usize>,
) -> SarifResult {
    let placed = report.place(&f.location);
    let uri = placed.file.as_deref().map(file_uri);
    let anchor = if uri.is_none() { anchor(report) } else { None };
    let locations = locations(report, f, &placed, uri.as_deref(), anchor.as_deref());
    let message = match &placed.origin {
        Some(origin) => format!("{} (from {origin})", f.message),
        None => f.message.clone(),
    };
    let key = [
        report.release.as_deref().unwrap_or(""),
        &f.code,
        uri.as_deref().unwrap_or(""),
        f.path.as_deref().or(placed.origin.as_deref()).unwrap_or(""),
        &f.block.map_or(String::new(), |b| b.to_string()),
    ]
    .join("\u{1f}");
    let ordinal = seen.entry(key.clone()).or_insert(0);
    let fingerprint = sha256_hex(format!("{key}\u{1f}{ordinal}").as_bytes());
    *ordinal += 1;

    SarifResult {
        rule_id: f.code.to_string(),
        rule_index: index.get(&*f.code).copied(),
        level: level(f.severity),
        message: OwnedText { text: message },
        locations,
        partial_fingerprints: Fingerprints(fingerprint),
        suppressions: suppressed
            .map(|s| Suppression {
                kind: "inSource",
                justification: s.reason.clone(),
                properties: SuppressionProperties { until: s.until.clone() },
            })
            .into_iter()
            .collect(),
        properties: ResultProperties {
            release: report.release.clone(),
            block: f.block,
            origin: placed.origin.clone(),
            anchored: anchor.is_some().then_some(true),
        },
    }
}

/// A finding's location: its file and region, or the anchor file's first line for a file-less
/// finding; its values path and command-line origin as logical locations. None when it has none
/// of these.
fn locations(
    report: &UnitReport,
    f: &Finding,
    placed: &Placed,
    uri: Option<&str>,
    anchor: Option<&str>,
) -> Vec<SarifLocation> {
    let mut location = SarifLocation::default();
    if let Some(uri) = uri {
        location.physical_location = Some(PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri.to_string() },
            region: region(report, &f.location, placed),
        });
    } else if let Some(anchor) = anchor {
        location.physical_location = Some(PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: anchor.to_string(),
            },
            region: Some(Region {
                start_line: 1,
                start_column: 1,
                end_line: None,
                end_column: None,
            }),
        });
    }
    if let Some(path) = &f.path {
        location.logical_locations.push(LogicalLocation {
            fully_qualified_name: path.clone(),
            kind: "member",
        });
    }
    if let Some(origin) = &placed.origin {
        location.logical_locations.push(LogicalLocation {
            fully_qualified_name: origin.clone(),
            kind: "parameter",
        });
    }
    if location.physical_location.is_some() || !location.logical_locations.is_empty() {
        vec![location]
    } else {
        Vec::new()
    }
}

/// The URI of the file a file-less finding is anchored at, for viewers that need a file.
fn anchor(report: &UnitReport) -> Option<String> {
    [InputRole::Config, InputRole::Values, InputRole::Previous]
        .iter()
        .find_map(|role| report.inputs.iter().find(|i| i.role == *role && !i.path.contains(':')))
        .map(|i| file_uri(&i.path))
}

/// The region of a span: start from [`UnitReport::place`]; the end, exclusive as SARIF wants it,
/// placed the same way. A span that ends with its line's newline ends at the end of that line.
fn region(report: &UnitReport, location: &Location, placed: &Placed) -> Option<Region> {
    let (start_line, start_column) = (placed.line?, placed.column?);
    let mut region = Region {
        start_line,
        start_column,
        end_line: None,
        end_column: None,
    };
    if let Location::Span { source, span } = location
        && span.end > span.start
    {
        let text = &report.sources.get(*source).text;
        let mut end = span.end.min(text.len());
        if text.as_bytes().get(..end).is_some_and(|b| b.ends_with(b"\n")) && end - 1 > span.start {
            end -= 1;
        }
        let end = report.place(&Location::Span {
            source: *source,
            span: Span::point(end),
        });
        if let (Some(l), Some(c)) = (end.line, end.column)
            && (l, c) > (start_line, start_column)
        {
            region.end_line = Some(l);
            region.end_column = Some(c);
        }
    }
    Some(region)
}

/// A file name as a SARIF `artifactLocation.uri` (RFC 3986): a relative path stays a relative
/// reference (leading `./` dropped, `:` escaped so it cannot read as a scheme), an absolute path
/// becomes a `file://` URI; every byte outside the unreserved set, `/` and the sub-delimiters
/// (`!` of `CHART.tgz!/NAME/values.yaml` included) is percent-encoded as UTF-8.
pub fn file_uri(file: &str) -> String {
    let file = if cfg!(windows) {
        file.replace('\\', "/")
    } else {
        file.to_string()
    };
    let drive = |s: &str| {
        let b = s.as_bytes();
        b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
    };
    if file.starts_with('/') {
        format!("file://{}", escape_path(&file, true))
    } else if cfg!(windows) && drive(&file) {
        format!("file:///{}", escape_path(&file, true))
    } else {
        let mut rest = file.as_str();
        while let Some(r) = rest.strip_prefix("./") {
            rest = r.trim_start_matches('/');
        }
        escape_path(rest, false)
    }
}

fn escape_path(path: &str, keep_colon: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            )
            || (keep_colon && b == b':');
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Approval;
    use crate::model::impact::{ClientImpact, Scenario, Verdict};
    use crate::source::{Source, SourceMap};

    /// A unit with one finding about the second PEM block of a bundle in `certs/ca bundle.pem`.
    fn pem_report() -> UnitReport {
        let text = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n\
                    -----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n";
        let mut sources = SourceMap::new();
        let id = sources.add(Source::new("certs/ca bundle.pem", text));
        let start = text.find("-----BEGIN CERTIFICATE-----\nBBBB").unwrap();
        UnitReport {
            release: Some("es".into()),
            now: "2026-11-27T00:00:00Z".into(),
            inputs: Vec::new(),
            findings: vec![Finding {
                code: "CG306".into(),
                name: "cert-expired".into(),
                severity: Severity::Error,
                message: "expired".into(),
                location: Location::Span {
                    source: id,
                    span: Span::new(start, text.len()),
                },
                path: None,
                block: Some(2),
                help: "renew".into(),
            }],
            suppressed: Vec::new(),
            client_impact: ClientImpact {
                verdict: Verdict::Unknown,
                scenario: Scenario::PreviousUnknown,
                reason: "unknown".into(),
            },
            certificates: Vec::new(),
            approval: Approval::Blocked {
                count: 1,
                codes: vec!["CG306".into()],
                fail_on: Severity::Error,
            },
            redacted: Vec::new(),
            secrets: Vec::new(),
            sources,
        }
    }

    #[test]
    fn a_pem_block_finding_spans_its_block_and_names_it() {
        let sarif: serde_json::Value = serde_json::from_str(&crate::report::test_render(
            crate::report::Format::Sarif,
            &[pem_report()],
        ))
        .unwrap();
        let result = &sarif["runs"][0]["results"][0];
        assert_eq!(result["properties"]["block"], 2);
        assert!(result.get("ruleIndex").is_none(), "no rule of that code was given");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "certs/ca%20bundle.pem");
        // The span ends with the block's newline: the region ends at the end of the END line.
        assert_eq!(
            location["region"],
            serde_json::json!({"startLine": 4, "startColumn": 1, "endLine": 6, "endColumn": 26})
        );
    }

    #[test]
    fn relative_paths_stay_relative_and_are_escaped() {
        assert_eq!(file_uri("new.yaml"), "new.yaml");
        assert_eq!(file_uri("./deploy/es/values.yaml"), "deploy/es/values.yaml");
        assert_eq!(file_uri("my values.yaml"), "my%20values.yaml");
        assert_eq!(file_uri("100%.yaml"), "100%25.yaml");
        assert_eq!(file_uri("a#b?.yaml"), "a%23b%3F.yaml");
        assert_eq!(file_uri("étiquette.yaml"), "%C3%A9tiquette.yaml");
        // A colon in a relative reference would read as a scheme.
        assert_eq!(file_uri("c:d.yaml"), "c%3Ad.yaml");
        assert_eq!(
            file_uri("charts/ibm-eventstreams-prod-1.4.0.tgz!/ibm-eventstreams-prod/values.yaml"),
            "charts/ibm-eventstreams-prod-1.4.0.tgz!/ibm-eventstreams-prod/values.yaml"
        );
    }

    #[test]
    fn absolute_paths_become_file_uris() {
        assert_eq!(file_uri("/tmp/a b/new.yaml"), "file:///tmp/a%20b/new.yaml");
    }

    #[test]
    fn info_is_note() {
        assert_eq!(level(Severity::Info), "note");
        assert_eq!(level(Severity::Warning), "warning");
        assert_eq!(level(Severity::Error), "error");
    }
}
