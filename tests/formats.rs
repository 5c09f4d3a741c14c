//! All formats agree (STYLE.md): one fixture rendered as JSON, SARIF, JUnit and GitHub annotations
//! carries the same findings at the same 1-based lines and character columns in every format. A
//! snapshot alone would pin a bug (cargo-deny's 0-based SARIF); this compares the formats with each
//! other and with the fixture's text. Also: the SARIF is valid against the official 2.1.0 schema,
//! and its fingerprints survive a line inserted above the findings.

use std::collections::BTreeMap;
use std::path::Path;

use certgate::engine::{Policy, check};
use certgate::engine::{Suppressed, UnitReport};
use certgate::load::{Context, UnitSpec, load_unit};
use certgate::model::unit::Given;
use certgate::report;
use certgate::rules::Severity;
use certgate::rules::{self, Rule};
use certgate::source::Location;
use certgate::source::SourceMap;
use serde_json::Value;

/// A file name with a space, so that the SARIF URI has to escape it.
const FILE: &str = "new values.yaml";

/// An invalid label with non-ASCII text before it on the same line (columns count characters), an
/// unknown key, and an invalid `tls.type`; `--set tls.secretname=…` adds a finding without a file,
/// and the missing `--previous` one about the run as a whole.
const VALUES: &str = "# Étiquette: the formats fixture\n\
global:\n  security: {ünknöwn: «x», externalCertificateLabel: my new label}\n\
tls:\n  type: Provided\n";

const SUPPRESSION_REASON: &str = "tracked in CHG-1234 <until the \"chart\" upgrade> & after";

/// A finding as every format must carry it: code, file, 1-based line and column.
type Key = (String, Option<String>, Option<u64>, Option<u64>);

fn given(v: &str) -> Given<String> {
    Given {
        value: v.to_string(),
        location: Location::Run,
    }
}

/// `units` in `format` under `policy`, against the built-in rules, as `certgate check` renders them.
fn render(format: report::Format, units: &[UnitReport], policy: &Policy) -> String {
    let rules = rules();
    let report = report::Report {
        units,
        rules: &rules,
        policy,
        plans: &[],
    };
    report::render(format, &report, &report::Options::default())
}

/// The policy with the failure threshold at `fail_on`, the rest default.
fn failing_on(fail_on: Severity) -> Policy {
    Policy {
        fail_on,
        ..Policy::default()
    }
}

fn rules() -> Vec<&'static Rule> {
    rules::builtin().iter().collect()
}

/// Check the fixture with `values` as the values file's text, and suppress its first CG211 finding
/// in the file (the renderers only show suppressions; deciding them is not theirs).
fn build(dir: &Path, values: &str) -> UnitReport {
    std::fs::write(dir.join(FILE), values).unwrap();
    let spec = UnitSpec {
        base_dir: dir.to_path_buf(),
        release: Some(given("eventstreams1")),
        values: vec![given(FILE)],
        set: vec![given("tls.secretname=es-tls")],
        ..UnitSpec::default()
    };
    let loaded = load_unit(&spec, &Context::at_unix(1_795_737_600), &SourceMap::new());
    let mut report = check(loaded, &rules(), &Policy::default(), "2026-11-27T00:00:00Z");
    let i = report
        .findings
        .iter()
        .position(|f| &*f.code == "CG211" && matches!(f.location, Location::Span { .. }))
        .expect("the fixture has an unknown key in the file");
    let finding = report.findings.remove(i);
    report.suppressed.push(Suppressed {
        finding,
        reason: SUPPRESSION_REASON.to_string(),
        until: Some("2027-01-31".to_string()),
    });
    report
}

fn sorted(mut keys: Vec<Key>) -> Vec<Key> {
    keys.sort();
    keys
}

fn json_keys(report: &UnitReport) -> Vec<Key> {
    let json: Value = serde_json::from_str(&render(
        report::Format::Json,
        std::slice::from_ref(report),
        &Policy::default(),
    ))
    .unwrap();
    let keys = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().map(str::to_string),
                f["line"].as_u64(),
                f["column"].as_u64(),
            )
        })
        .collect();
    sorted(keys)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn uri_to_file(uri: &str) -> String {
    // Only unreserved characters, sub-delimiters, `/`, `:` (after the scheme) and escapes.
    assert!(
        uri.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@:%".contains(&c)),
        "{uri} is not an escaped URI"
    );
    percent_decode(uri.strip_prefix("file://").unwrap_or(uri))
}

fn sarif_keys(sarif: &Value, suppressed: bool) -> Vec<Key> {
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let keys = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some() == suppressed)
        .map(|r| {
            let code = r["ruleId"].as_str().unwrap().to_string();
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], r["ruleId"], "ruleIndex points at the rule");
            // A file-less finding is anchored at the unit's main input for GitHub; it has no place.
            if r["properties"]["anchored"] == true {
                assert_eq!(r["locations"][0]["physicalLocation"]["region"]["startLine"], 1);
                return (code, None, None, None);
            }
            let physical = &r["locations"][0]["physicalLocation"];
            (
                code,
                physical["artifactLocation"]["uri"].as_str().map(uri_to_file),
                physical["region"]["startLine"].as_u64(),
                physical["region"]["startColumn"].as_u64(),
            )
        })
        .collect();
    sorted(keys)
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#10;", "\n")
        .replace("&#13;", "\r")
        .replace("&#9;", "\t")
        .replace("&amp;", "&")
}

/// The text of every `<tag …>…</tag>` element.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i..];
        let start = after.find('>').unwrap() + 1;
        let end = after.find(&close).unwrap();
        out.push(&after[start..end]);
        rest = &after[end..];
    }
    out
}

/// Tags open and close in order, attribute values are quoted, and no raw `<` or `&` is left over.
fn assert_well_formed(xml: &str) {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .unwrap();
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find(['<', '&']) {
        rest = &rest[i..];
        if rest.starts_with('&') {
            let end = rest.find(';').expect("entity ends");
            let entity = &rest[1..end];
            assert!(
                ["lt", "gt", "amp", "quot", "apos", "#10", "#13", "#9"].contains(&entity),
                "entity {entity}"
            );
            rest = &rest[end + 1..];
            continue;
        }
        let end = rest.find('>').expect("tag ends");
        let tag = &rest[1..end];
        assert!(!tag.contains('<'), "raw < in {tag}");
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes in {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "closing {name}");
        } else if !tag.ends_with('/') {
            stack.push(tag.split(' ').next().unwrap().to_string());
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

/// `[where: ]severity[CODE] …` lines of the JUnit failure and system-out texts.
fn junit_keys(xml: &str, suppressed: bool) -> Vec<Key> {
    let mut keys = Vec::new();
    let texts = elements(xml, "failure").into_iter().chain(elements(xml, "system-out"));
    for text in texts {
        for line in xml_unescape(text).lines() {
            if line.starts_with(' ') {
                continue;
            }
            let (is_suppressed, line) = match line.strip_prefix("suppressed: ") {
                Some(l) => (true, l),
                None => (false, line),
            };
            if is_suppressed != suppressed {
                continue;
            }
            let at = ["error[", "warning[", "info["]
                .iter()
                .filter_map(|s| {
                    line.match_indices(s)
                        .map(|(i, _)| i)
                        .find(|&i| i == 0 || line[..i].ends_with(": "))
                })
                .min()
                .unwrap_or_else(|| panic!("no severity in {line:?}"));
            let code = line[at..]
                .split('[')
                .nth(1)
                .unwrap()
                .split(']')
                .next()
                .unwrap()
                .to_string();
            let place = line[..at].strip_suffix(": ").unwrap_or("");
            let key = if place.is_empty() || place.starts_with("--") {
                (code, None, None, None)
            } else {
                let parts: Vec<&str> = place.rsplitn(3, ':').collect();
                match parts.as_slice() {
                    [col, line, file] if col.parse::<u64>().is_ok() => {
                        (code, Some(file.to_string()), line.parse().ok(), col.parse().ok())
                    }
                    _ => (code, Some(place.to_string()), None, None),
                }
            };
            keys.push(key);
        }
    }
    sorted(keys)
}

fn github_unescape(s: &str) -> String {
    s.replace("%2C", ",")
        .replace("%3A", ":")
        .replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
}

/// The annotations of findings (`suppressed: false`) or of suppressed findings (notices titled
/// "(suppressed)").
fn github_keys(annotations: &str, suppressed: bool) -> Vec<Key> {
    let keys = annotations
        .lines()
        .filter(|line| line.contains(" (suppressed)::") == suppressed)
        .map(|line| {
            let rest = line.strip_prefix("::").unwrap();
            let (command, rest) = rest.split_once(' ').unwrap();
            assert!(["error", "warning", "notice"].contains(&command), "{command}");
            let (props, message) = rest.split_once("::").unwrap();
            assert!(!message.contains('\n') && !message.is_empty());
            let props: BTreeMap<&str, String> = props
                .split(',')
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap();
                    (k, github_unescape(v))
                })
                .collect();
            (
                props["title"].split(' ').next().unwrap().to_string(),
                props.get("file").cloned(),
                props.get("line").map(|l| l.parse().unwrap()),
                props.get("col").map(|c| c.parse().unwrap()),
            )
        })
        .collect();
    sorted(keys)
}

fn sarif_of(reports: &[UnitReport]) -> Value {
    serde_json::from_str(&render(report::Format::Sarif, reports, &Policy::default())).unwrap()
}

fn assert_valid_sarif(sarif: &Value) {
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/reference/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not match the 2.1.0 schema:\n{}",
        errors.join("\n")
    );
}

#[test]
fn every_format_carries_the_same_findings_at_the_same_places() {
    let dir = tempfile::tempdir().unwrap();
    let report = build(dir.path(), VALUES);
    let reports = std::slice::from_ref(&report);
    let file = dir.path().join(FILE).to_string_lossy().into_owned();

    let json = json_keys(&report);
    let sarif = sarif_of(reports);
    let xml = render(report::Format::Junit, reports, &failing_on(Severity::Error));
    let annotations = render(report::Format::Github, reports, &Policy::default());
    assert_well_formed(&xml);

    assert_eq!(sarif_keys(&sarif, false), json, "SARIF vs JSON");
    assert_eq!(junit_keys(&xml, false), json, "JUnit vs JSON\n{xml}");
    assert_eq!(github_keys(&annotations, false), json, "GitHub vs JSON\n{annotations}");

    // What the fixture was written to produce, at the places its text says.
    let line_col = |line: usize, needle: &str| {
        let text = VALUES.lines().nth(line - 1).unwrap();
        let byte = text.find(needle).unwrap();
        (
            Some(line as u64),
            Some(text[..byte].chars().count() as u64 + 1),
            byte as u64 + 1,
        )
    };
    let at =
        |code: &str, (line, col, _): (Option<u64>, Option<u64>, u64)| (code.to_string(), Some(file.clone()), line, col);
    let label = line_col(3, "my new label");
    assert_ne!(
        label.1,
        Some(label.2),
        "the fixture has non-ASCII text before the label"
    );
    assert!(json.contains(&at("CG101", label)), "{json:?}");
    assert!(json.contains(&at("CG201", line_col(5, "Provided"))), "{json:?}");
    assert!(
        json.contains(&("CG211".to_string(), None, None, None)),
        "the --set finding has no file: {json:?}"
    );
    assert!(json.iter().any(|k| k.0 == "CG404"), "a finding about the run: {json:?}");

    // The suppressed finding: in every format that shows suppressions, with the same place.
    let json_report: Value = serde_json::from_str(&render(report::Format::Json, reports, &Policy::default())).unwrap();
    let suppressed = &json_report["suppressed"][0]["finding"];
    let suppressed_key = (
        "CG211".to_string(),
        Some(file.clone()),
        suppressed["line"].as_u64(),
        suppressed["column"].as_u64(),
    );
    assert_eq!(suppressed_key, at("CG211", line_col(3, "ünknöwn")));
    assert_eq!(sarif_keys(&sarif, true), vec![suppressed_key.clone()]);
    assert_eq!(junit_keys(&xml, true), vec![suppressed_key.clone()]);
    assert_eq!(github_keys(&annotations, true), vec![suppressed_key]);
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r.get("suppressions").is_some())
        .unwrap();
    assert_eq!(result["suppressions"][0]["kind"], "inSource");
    assert_eq!(result["suppressions"][0]["justification"], SUPPRESSION_REASON);
    assert_eq!(result["suppressions"][0]["properties"]["until"], "2027-01-31");
    assert_eq!(
        result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "global.security.ünknöwn"
    );

    // SARIF specifics: valid, one descriptor per rule, levels, logical locations, origins.
    assert_valid_sarif(&sarif);
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let descriptors = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(descriptors.len(), rules().len());
    for (d, r) in descriptors.iter().zip(rules()) {
        assert_eq!(d["id"], &*r.meta.code);
        assert_eq!(d["name"], &*r.meta.name);
        assert_eq!(d["help"]["text"], &*r.meta.remediation);
        assert_eq!(d["helpUri"].as_str(), r.meta.help_uri.as_deref());
    }
    for r in run["results"].as_array().unwrap() {
        let f = report
            .findings
            .iter()
            .chain(report.suppressed.iter().map(|s| &s.finding))
            .find(|f| r["ruleId"] == *f.code && r["message"]["text"].as_str().unwrap().starts_with(&f.message))
            .unwrap();
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        assert_eq!(r["level"], level);
        let logical = &r["locations"][0]["logicalLocations"];
        if let Some(path) = &f.path {
            assert_eq!(logical[0]["fullyQualifiedName"], path.as_str());
            assert_eq!(logical[0]["kind"], "member");
        }
        if let Location::Arg { origin } = &f.location {
            assert_eq!(r["properties"]["anchored"], true, "anchored at the unit's main input");
            assert!(
                logical
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["kind"] == "parameter" && l["fullyQualifiedName"] == origin.as_str())
            );
            assert!(r["message"]["text"].as_str().unwrap().contains(origin.as_str()));
        }
    }

    let summary = report::github::step_summary(reports);
    assert!(summary.contains("## certgate: eventstreams1"), "{summary}");
    assert!(summary.contains("**No command approved:**"), "{summary}");
    assert!(summary.contains("CG101"), "{summary}");
}

#[test]
fn fingerprints_survive_a_line_inserted_above() {
    let dir = tempfile::tempdir().unwrap();
    let before = sarif_of(&[build(dir.path(), VALUES)]);
    let after = sarif_of(&[build(dir.path(), &format!("# a comment added later\n{VALUES}"))]);
    let by_fingerprint = |sarif: &Value| -> BTreeMap<String, (String, Option<u64>)> {
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        let map: BTreeMap<_, _> = results
            .iter()
            .map(|r| {
                let fingerprint = r["partialFingerprints"][report::sarif::FINGERPRINT_KEY]
                    .as_str()
                    .unwrap()
                    .to_string();
                assert_eq!(fingerprint.len(), 64);
                let anchored = r["properties"]["anchored"] == true;
                let line = r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .filter(|_| !anchored);
                (fingerprint, (r["ruleId"].as_str().unwrap().to_string(), line))
            })
            .collect();
        assert_eq!(map.len(), results.len(), "fingerprints are unique");
        map
    };
    let (before, after) = (by_fingerprint(&before), by_fingerprint(&after));
    assert_eq!(before.len(), after.len());
    let mut moved = 0;
    for (fingerprint, (code, line)) in &before {
        let (code_after, line_after) = after
            .get(fingerprint)
            .unwrap_or_else(|| panic!("{code} lost its fingerprint"));
        assert_eq!(code, code_after);
        assert_eq!(line.map(|l| l + 1), *line_after, "{code} moved down one line");
        moved += usize::from(line.is_some());
    }
    assert!(moved >= 3, "findings in the file moved: {moved}");
}

#[test]
fn several_units_share_one_run_and_one_junit_document() {
    let dir = tempfile::tempdir().unwrap();
    let first = build(dir.path(), VALUES);
    let mut second = first.clone();
    second.release = Some("eventstreams2".to_string());
    let reports = [first, second];
    let sarif = sarif_of(&reports);
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"].as_array().unwrap().len(), 1);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let per_unit = reports[0].findings.len() + reports[0].suppressed.len();
    assert_eq!(results.len(), 2 * per_unit);
    let fingerprints: std::collections::BTreeSet<_> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"][report::sarif::FINGERPRINT_KEY]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        fingerprints.len(),
        results.len(),
        "the same finding in two units is two results"
    );
    assert_eq!(sarif["runs"][0]["properties"]["units"].as_array().unwrap().len(), 2);

    let xml = render(report::Format::Junit, &reports, &failing_on(Severity::Error));
    assert_well_formed(&xml);
    assert_eq!(xml.matches("<testsuite ").count(), 2);
    let n = rules().len();
    assert!(
        xml.contains(&format!("<testsuites name=\"certgate\" tests=\"{}\"", 2 * n)),
        "{xml}"
    );
    // Under --fail-on info every finding fails: the failure count is the rules with findings.
    let strict = render(report::Format::Junit, &reports, &failing_on(Severity::Info));
    let codes: std::collections::BTreeSet<_> = reports[0].findings.iter().map(|f| &f.code).collect();
    assert_eq!(strict.matches("<failure ").count(), 2 * codes.len());

    let annotations = render(report::Format::Github, &reports, &Policy::default());
    assert_eq!(
        annotations.lines().count(),
        2 * (reports[0].findings.len() + reports[0].suppressed.len())
    );
    assert!(
        annotations.contains("title=CG101 label-invalid (eventstreams2)::"),
        "{annotations}"
    );
}

#[test]
fn policy_overrides_and_help_uri_base_are_valid_sarif() {
    use certgate::engine::RuleSetting;
    let dir = tempfile::tempdir().unwrap();
    let report = build(dir.path(), VALUES);
    let mut policy = Policy {
        help_uri_base: Some("https://example.com/certgate/rules/".to_string()),
        ..Policy::default()
    };
    policy.rules.insert("CG404".into(), RuleSetting::Off);
    policy
        .rules
        .insert("CG211".into(), RuleSetting::Severity(Severity::Error));
    let sarif: Value =
        serde_json::from_str(&render(report::Format::Sarif, std::slice::from_ref(&report), &policy)).unwrap();
    assert_valid_sarif(&sarif);
    let run = &sarif["runs"][0];
    let cg101 = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "CG101")
        .unwrap();
    assert_eq!(cg101["helpUri"], "https://example.com/certgate/rules/CG101");
    let overrides = run["invocations"][0]["ruleConfigurationOverrides"].as_array().unwrap();
    let by_id = |id: &str| {
        overrides
            .iter()
            .find(|o| o["descriptor"]["id"] == id)
            .unwrap_or_else(|| panic!("no override for {id}"))["configuration"]
            .clone()
    };
    assert_eq!(by_id("CG404")["enabled"], false);
    assert_eq!(by_id("CG211")["level"], "error");
    assert_eq!(overrides.len(), 2, "only rules the policy changes");
}
