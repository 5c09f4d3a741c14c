//! The code each fuzz target runs on one input, shared by the libFuzzer binaries
//! (`fuzz/fuzz_targets/*.rs`) and the regression test of the main package
//! (`tests/fuzz_regressions.rs` includes this file with `#[path]`), so a reproducer fails the same
//! way under `cargo fuzz run` and under `cargo test`.
//!
//! Only `certgate`, `serde_json`, `tempfile` and `std` are used here: the crates both packages have.
//!
//! Each function asserts nothing beyond "no panic", except cheap invariants that the documentation
//! of the code under test promises (spans inside their text, rendered JSON is JSON, an escaped
//! `--set` value reads back as itself).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use certgate::crypto::{
    Certificate, PrivateKey, ca_problems, key_matches, parse_certificate, parse_private_key, validity_at, verify_chain,
    verify_signed_by,
};
use certgate::engine::UnitReport;
use certgate::engine::{self, Policy};
use certgate::helm::approved;
use certgate::helm::argv::{self, parse_command};
use certgate::helm::proposed::lint_command;
use certgate::helm::strvals::{self, HelmVersion};
use certgate::load::{Context, Loaded, UnitSpec, load_unit};
use certgate::model::unit::Given;
use certgate::report;
use certgate::rules::{self, Rule};
use certgate::source::Location;
use certgate::source::pem::{self, DecodedKind, PemLimits};
use certgate::source::value::{Mapping, Scalar, SetFlag};
use certgate::source::yaml;
use certgate::source::{SourceId, SourceMap, Span};

/// The clock of every whole check: 2026-11-27T00:00:00Z, as the command-line cases use.
pub const NOW_UNIX: i64 = 1_795_737_600;
pub const NOW_TEXT: &str = "2026-11-27T00:00:00Z";

/// Inputs longer than this are cut: libFuzzer's `-max_len` keeps them shorter anyway, and a regression
/// file cannot make the smoke test slow.
const MAX_INPUT: usize = 256 * 1024;

/// The real chart archive of the example, and what runs today there (fixed context of a whole check).
const CHART_TGZ: &[u8] = include_bytes!("../../examples/rotation/ibm-eventstreams-prod-1.4.0.tgz");
const PREVIOUS_VALUES: &str = include_str!("../../examples/rotation/deploy/release-values.yaml");
const CONFIGMAP: &str = include_str!("../../examples/rotation/deploy/release-configmap.yaml");

/// What a target does with one input.
pub type Target = fn(&[u8]);

/// The targets, by name, as `fuzz/fuzz_targets/NAME.rs` and `fuzz/seeds/NAME/` name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("yaml_loader", yaml_loader),
    ("pem_and_certificate", pem_and_certificate),
    ("helm_set", helm_set),
    ("rule_and_config", rule_and_config),
    ("check_values", check_values),
    ("key_leak", key_leak),
];

fn text_of(data: &[u8]) -> String {
    String::from_utf8_lossy(&data[..data.len().min(MAX_INPUT)]).into_owned()
}

fn assert_span(span: Span, text: &str, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} splits a character"
    );
}

fn assert_json(text: &str, what: &str) {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        panic!("{what} is not JSON: {e}");
    }
}

// ------------------------------------------------------------------------------------------------
// Scratch files: the loaders that read paths get the input through a file on a tmpfs.

struct Scratch {
    dir: tempfile::TempDir,
    chart: PathBuf,
    previous: PathBuf,
    configmap: PathBuf,
}

fn scratch() -> &'static Scratch {
    static SCRATCH: OnceLock<Scratch> = OnceLock::new();
    SCRATCH.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::Builder::new().prefix("certgate-fuzz-").tempdir_in(shm)
        } else {
            tempfile::Builder::new().prefix("certgate-fuzz-").tempdir()
        }
        .expect("a scratch directory");
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).expect("a scratch file");
            path
        };
        let chart = write("ibm-eventstreams-prod-1.4.0.tgz", CHART_TGZ);
        let previous = write("release-values.yaml", PREVIOUS_VALUES.as_bytes());
        let configmap = write("release-configmap.yaml", CONFIGMAP.as_bytes());
        Scratch {
            dir,
            chart,
            previous,
            configmap,
        }
    })
}

/// A file holding `bytes`, removed when dropped; one name per thread (the regression test runs
/// targets on several threads), reused from one input to the next.
struct ScratchFile(PathBuf);

impl ScratchFile {
    fn new(name: &str, bytes: &[u8]) -> ScratchFile {
        let thread = format!("{:?}", std::thread::current().id());
        let thread: String = thread.chars().filter(char::is_ascii_digit).collect();
        let path = scratch().dir.path().join(format!("t{thread}-{name}"));
        std::fs::write(&path, bytes).expect("a scratch file");
        ScratchFile(path)
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn given(value: &str) -> Given<String> {
    Given {
        value: value.to_string(),
        location: Location::Arg {
            origin: format!("fuzz {value}"),
        },
    }
}

// ------------------------------------------------------------------------------------------------
// yaml_loader

/// `source::yaml::load` with the default limits and with tight ones; the tree through JSON.
pub fn yaml_loader(data: &[u8]) {
    let text = text_of(data);
    // The loader's fast reader, whenever it reads a text whole, gives exactly saphyr's events.
    if let Err(difference) = yaml::fast::compare_with_saphyr(&text) {
        panic!("{difference}");
    }
    let tight = yaml::Limits {
        max_depth: 6,
        max_alias_nodes: 64,
        max_alias_bytes: 256,
        max_nodes: 512,
    };
    for limits in [yaml::Limits::default(), tight] {
        let loaded = yaml::load(&text, SourceId(0), &limits);
        for p in &loaded.problems {
            assert_span(p.span, &text, "yaml problem");
            if let Some(r) = p.related {
                assert_span(r, &text, "yaml problem (related)");
            }
        }
        // Documented on `Loaded`: a problem other than a duplicate key stands alone, with no tree.
        if loaded
            .problems
            .iter()
            .any(|p| p.kind != yaml::YamlProblemKind::DuplicateKey)
        {
            assert!(loaded.root.is_none(), "a tree next to a fatal problem");
            assert_eq!(loaded.problems.len(), 1, "a fatal problem not alone");
        }
        if let Some(root) = &loaded.root {
            let _ = certgate::source::value::json::to_json(root);
        }
    }
    // Scalar resolution on its own, line by line (cheap; the loader calls it with context).
    for line in text.lines().take(16) {
        if let yaml::Resolved::Float(f) = yaml::resolve_plain(line.trim()) {
            let _ = yaml::format_go_float(f);
        }
    }
}

// ------------------------------------------------------------------------------------------------
// pem_and_certificate

const KEY_LABELS: [&str; 4] = [
    "PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
];

/// PEM scanning, value base64 decoding and classification; every block body (and the raw input)
/// as a certificate and as each kind of private key; then what the rules do with what parsed:
/// validity, CA problems, signatures between the certificates, the chain, key against certificate.
pub fn pem_and_certificate(data: &[u8]) {
    let data = &data[..data.len().min(MAX_INPUT)];
    let text = text_of(data);
    let mut certs: Vec<Certificate> = Vec::new();
    let mut keys: Vec<PrivateKey> = Vec::new();

    let mut ders: Vec<(Option<String>, Vec<u8>)> = Vec::new();
    scan_blocks(&text, PemLimits::default(), &mut ders);
    scan_blocks(
        &text,
        PemLimits {
            max_bytes: 4096,
            max_blocks: 2,
        },
        &mut Vec::new(),
    );

    // The input as a tls.* value: one line of base64, then what the decoded bytes are.
    let decoded = pem::decode_value_base64(&text);
    if let Ok(bytes) = &decoded {
        match pem::classify_decoded(bytes) {
            DecodedKind::Pem => scan_blocks(&String::from_utf8_lossy(bytes), PemLimits::default(), &mut ders),
            DecodedKind::Der => ders.push((None, bytes.clone())),
            _ => {}
        }
    }
    let _ = pem::classify_decoded(data);
    // The raw input as DER too, so the fuzzer reaches the DER parsers without the PEM armour.
    ders.push((None, data.to_vec()));

    for (label, der) in ders.iter().take(16) {
        if let Ok(cert) = parse_certificate(der) {
            certs.push(cert);
        }
        match label {
            Some(label) => {
                if let Ok(key) = parse_private_key(label, der) {
                    keys.push(key);
                }
            }
            None => {
                for label in KEY_LABELS {
                    if let Ok(key) = parse_private_key(label, der) {
                        keys.push(key);
                    }
                }
            }
        }
    }

    for cert in certs.iter().take(8) {
        let _ = validity_at(cert, NOW_UNIX);
        let _ = validity_at(cert, i64::MIN);
        let _ = validity_at(cert, i64::MAX);
        let _ = ca_problems(cert);
        let _ = (
            cert.ca(),
            cert.key_cert_sign(),
            cert.eku_server_auth(),
            cert.der().len(),
        );
        let _ = format!("{cert:?}");
        for issuer in certs.iter().take(8) {
            let _ = cert.issued_by_name(issuer);
            let _ = verify_signed_by(cert, issuer);
        }
        for key in keys.iter().take(8) {
            let _ = key_matches(key, cert);
        }
    }
    if let Some(leaf) = certs.first()
        && certs.len() > 1
    {
        // The last certificate, and the one before it when there are four or more, as roots:
        // several trust anchors, as a CA rotation gives.
        let roots = if certs.len() > 3 {
            certs.len() - 2
        } else {
            certs.len() - 1
        };
        let middle = &certs[1..roots];
        let chain = verify_chain(leaf, middle, &certs[roots..], NOW_UNIX);
        let _ = (chain.path(), chain.weak_links().count(), chain.is_clean());
    }
    for key in keys.iter().take(8) {
        let _ = (key.kind(), key.format(), key.bits(), key.is_weak());
    }
}

fn scan_blocks(text: &str, limits: PemLimits, ders: &mut Vec<(Option<String>, Vec<u8>)>) {
    let scan = pem::scan_with(text, limits);
    for p in &scan.problems {
        assert_span(p.span, text, "pem problem");
        let _ = p.kind.to_string();
    }
    for block in &scan.blocks {
        assert_span(block.span, text, "pem block");
        assert_span(block.begin, text, "pem block begin");
        let _ = format!("{block:?}");
        if let Some(der) = &block.der {
            ders.push((Some(block.label.as_str().to_string()), der.clone()));
        }
    }
}

// ------------------------------------------------------------------------------------------------
// helm_set

const HELM: [HelmVersion; 2] = [HelmVersion::V2, HelmVersion::V3];

/// Helm's `--set` grammar: the input as one argument of each flag, in both Helm versions; each line
/// as successive arguments into one mapping; the input as a whole command line, and as the value of
/// a `--set` word in a well-formed command. The escaping of the approved command reads back.
pub fn helm_set(data: &[u8]) {
    let text = text_of(data);
    for helm in HELM {
        for flag in [SetFlag::Set, SetFlag::SetString] {
            if let Ok(m) = strvals::parse(&text, flag, helm) {
                json_of_mapping(&m);
            }
            // Line by line into one mapping, as repeated --set flags merge.
            let mut into = Mapping::new();
            for line in text.lines().take(8) {
                let _ = strvals::parse_into(line, flag, helm, &mut into);
            }
            json_of_mapping(&into);
        }
        let mut into = Mapping::new();
        let read = |path: &str| {
            if path.starts_with('!') {
                Err(format!("cannot read {path}"))
            } else {
                Ok(format!("content of {path}"))
            }
        };
        if strvals::set_file(&text, helm, read, &mut into).is_ok() {
            json_of_mapping(&into);
        }

        // The input as a command line.
        command_line(&text, helm);
        // The input as the argument of --set / --set-string / --set-file in a well-formed command.
        for flag in ["--set", "--set-string", "--set-file"] {
            let cmd = format!(
                "helm upgrade --reuse-values {flag} {} eventstreams1 ibm-eventstreams-prod-1.4.0.tgz --tls",
                approved::shell_quote(&text)
            );
            command_line(&cmd, helm);
        }

        // The approved command's escaping: `k=<escaped>` gives back exactly the value.
        let word = format!("k={}", strvals::escape_value(&text));
        let m = strvals::parse(&word, SetFlag::SetString, helm)
            .unwrap_or_else(|e| panic!("{helm}: --set-string {word:?} is rejected: {e}"));
        let back = m.get("k").and_then(|n| n.as_str());
        assert_eq!(back, Some(text.as_str()), "{helm}: --set-string {word:?}");
        if !approved::needs_set_string(&text) {
            let m = strvals::parse(&word, SetFlag::Set, helm)
                .unwrap_or_else(|e| panic!("{helm}: --set {word:?} is rejected: {e}"));
            let back = m.get("k").and_then(|n| n.as_scalar());
            assert_eq!(back, Some(&Scalar::Str(text.clone())), "{helm}: --set {word:?}");
        }
    }
    let _ = strvals::escape_key(&text);
    let _ = strvals::typed_value(&text);
    let _ = argv::file_ref(&text);
}

/// The mapping as Helm hands it on (a serde_json value: printing it cannot fail to be JSON).
fn json_of_mapping(m: &Mapping) {
    let _ = strvals::to_json(m);
}

/// `lint_command` (which parses the command with `parse_command` first), the command lint's
/// judgement of it, and what the parsed command offers.
fn command_line(cmd: &str, helm: HelmVersion) {
    let lint = lint_command(cmd, helm);
    let issues = certgate::checks::command_lint::issues(&lint);
    let _ = (issues.len(), format!("{issues:?}"));
    if let Some(parsed) = &lint.parsed {
        let _ = (parsed.program(), parsed.release(), parsed.chart(), parsed.namespace());
        json_of_mapping(&parsed.values);
        let files = parsed.apply_set_files(|path| {
            if path.is_empty() {
                Err("empty path".into())
            } else {
                Ok(path.chars().rev().collect())
            }
        });
        if let Ok(m) = files {
            json_of_mapping(&m);
        }
        for word in parsed.words.iter().take(32) {
            let _ = argv::file_ref(word);
        }
    }
}

// ------------------------------------------------------------------------------------------------
// rule_and_config

/// The input as a rule file (and, when it parses, that rule run over a fixed unit and explained),
/// and as a `certgate.yaml` (and, when it loads, its policy over the built-in rules and every
/// renderer that reads the policy).
pub fn rule_and_config(data: &[u8]) {
    let text = text_of(data);
    let mut sources = SourceMap::new();
    if let Ok(rule) = rules::parse_rule("rules/FUZZ.yaml", &text, &mut sources) {
        let _ = certgate::cli::explain::explain(&rule);
        let policy = Policy::default();
        let report = engine::check(fixed_unit().clone(), &[&rule], &policy, NOW_TEXT);
        render_all(&[report], &[&rule], &policy);
    }

    let file = ScratchFile::new("certgate.yaml", text.as_bytes());
    let mut sources = SourceMap::new();
    let load = certgate::config::load(&file.0, &mut sources);
    for p in &load.problems {
        let _ = engine::place(&sources, &p.location);
    }
    if let Some(config) = load.config {
        // The config's own units name files anywhere: they are not read here.
        let _ = (
            config.units.len(),
            config.units.iter().map(|u| u.files().len()).sum::<usize>(),
            config.rules_dirs.len(),
        );
        let builtin: Vec<&Rule> = rules::builtin().iter().collect();
        for rule in &builtin {
            let _ = (config.policy.severity_of(rule), config.policy.help_uri(rule));
        }
        let report = engine::check(fixed_unit().clone(), &builtin, &config.policy, NOW_TEXT);
        render_all(&[report], &builtin, &config.policy);
    }
}

/// A unit loaded once (the example's change), that fuzzed rules and policies are checked against.
fn fixed_unit() -> &'static Loaded {
    static UNIT: OnceLock<Loaded> = OnceLock::new();
    UNIT.get_or_init(|| {
        let s = scratch();
        let spec = UnitSpec {
            release: Some(given("eventstreams1")),
            chart: Some(given(&s.chart.to_string_lossy())),
            previous: Some(given(&s.previous.to_string_lossy())),
            configmap: Some(given(&s.configmap.to_string_lossy())),
            set: vec![given(
                "global.security.externalCertificateLabel=upgraded,tls.type=provided",
            )],
            set_string: vec![given("tls.cert=bm90IGEgY2VydA==")],
            ..UnitSpec::default()
        };
        load_unit(&spec, &Context::at_unix(NOW_UNIX), &SourceMap::new())
    })
}

// ------------------------------------------------------------------------------------------------
// check_values

/// A whole check over the input as a values file, rendered in every format. The rest of the unit
/// is fixed, and chosen by the input's length modulo 8 so that one run covers each; the chart
/// archive is read once, as a run reads it for all its units (`load::preload_charts`), and a quarter
/// of the inputs go with it:
///
/// | len % 8 | Helm | chart archive | previous values | release ConfigMap |
/// | ------- | ---- | ------------- | --------------- | ----------------- |
/// | 0       | 2    | example's     | example's       | example's         |
/// | 1       | 3, `--namespace es` | example's | example's | -           |
/// | 2       | 2    | -             | example's       | example's         |
/// | 3       | 3, `--namespace es` | - | example's     | -                 |
/// | 4, 6    | 2    | -             | 4 only          | -                 |
/// | 5, 7    | 3    | -             | 5 only          | -                 |
pub fn check_values(data: &[u8]) {
    let data = &data[..data.len().min(MAX_INPUT)];
    let values = ScratchFile::new("values.yaml", data);
    let s = scratch();
    let mode = data.len() % 8;
    let helm = if mode.is_multiple_of(2) {
        HelmVersion::V2
    } else {
        HelmVersion::V3
    };
    let path = |p: &Path| given(&p.to_string_lossy());
    let spec = UnitSpec {
        release: Some(given("eventstreams1")),
        namespace: matches!(mode, 1 | 3).then(|| "es".to_string()),
        helm: Some(helm),
        chart: (mode < 2).then(|| path(&s.chart)),
        values: vec![given(&values.0.to_string_lossy())],
        previous: (mode < 6).then(|| path(&s.previous)),
        configmap: matches!(mode, 0 | 2).then(|| path(&s.configmap)),
        ..UnitSpec::default()
    };
    let (ctx, base) = preloaded();
    let loaded = load_unit(&spec, ctx, base);
    let builtin: Vec<&Rule> = rules::builtin().iter().collect();
    let policy = Policy::default();
    let report = engine::check(loaded, &builtin, &policy, NOW_TEXT);
    // The approved command is what the gate hands over: it must read back as a Helm command.
    if let Some(cmd) = report.upgrade_command() {
        let parsed = parse_command(cmd, helm).unwrap_or_else(|e| panic!("approved command {cmd:?}: {e}"));
        assert!(
            parsed.set_errors.is_empty(),
            "approved command {cmd:?}: {:?}",
            parsed.set_errors
        );
    }
    let hit = hit_rules(&builtin, &report);
    render_all(&[report], &hit, &policy);
}

/// The rules `report` made findings of: renderers get these only, since the rest of the catalogue
/// renders the same for every input (and holds no input text), and would take most of each
/// execution.
fn hit_rules<'r>(rules: &[&'r Rule], report: &UnitReport) -> Vec<&'r Rule> {
    rules
        .iter()
        .copied()
        .filter(|r| {
            let code = &*r.meta.code;
            report.findings.iter().any(|f| &*f.code == code)
                || report.suppressed.iter().any(|s| &*s.finding.code == code)
        })
        .collect()
}

/// The context and shared sources of a run whose units name the scratch chart archive.
fn preloaded() -> &'static (Context, SourceMap) {
    static PRELOADED: OnceLock<(Context, SourceMap)> = OnceLock::new();
    PRELOADED.get_or_init(|| {
        let spec = UnitSpec {
            chart: Some(given(&scratch().chart.to_string_lossy())),
            ..UnitSpec::default()
        };
        let mut ctx = Context::at_unix(NOW_UNIX);
        let mut base = SourceMap::new();
        ctx.charts = certgate::load::preload_charts([&spec], &ctx.limits, &mut base);
        (ctx, base)
    })
}

/// Every renderer of `src/report`, as `certgate check` and `certgate audit` call them (text in
/// colour for every other input: the styling is the only difference).
fn render_all(reports: &[UnitReport], rules: &[&Rule], policy: &Policy) {
    let color = reports.iter().map(|r| r.findings.len()).sum::<usize>() % 2 == 1;
    let run = report::Report {
        units: reports,
        rules,
        policy,
        plans: &[],
    };
    let plain = report::Options::default();
    let _ = report::render(report::Format::Text, &run, &report::Options { color, quiet: false });
    let _ = report::render(
        report::Format::Text,
        &run,
        &report::Options {
            color: false,
            quiet: true,
        },
    );
    assert_json(&report::render(report::Format::Json, &run, &plain), "the JSON report");
    assert_json(&report::render(report::Format::Sarif, &run, &plain), "the SARIF report");
    for format in [
        report::Format::Junit,
        report::Format::Github,
        report::Format::Html,
        report::Format::Markdown,
    ] {
        let _ = report::render(format, &run, &plain);
    }
    let _ = report::github::step_summary(reports);
}

// ------------------------------------------------------------------------------------------------
// key_leak

/// The repository's fixed keys (tests/certs/keys): RSA 2048, EC P-256, Ed25519.
const KEYS: [&str; 3] = [
    include_str!("../../tests/certs/keys/leaf.key"),
    include_str!("../../tests/certs/keys/ec256.key"),
    include_str!("../../tests/certs/keys/ed25519.key"),
];

/// Every 16-character run of each key's material: its PEM body (the DER in base64), and the base64
/// of its PEM file without the runs that encode only the `-----BEGIN`/`-----END` lines.
fn key_windows() -> &'static [std::collections::HashSet<Vec<u8>>; 3] {
    static WINDOWS: OnceLock<[std::collections::HashSet<Vec<u8>>; 3]> = OnceLock::new();
    WINDOWS.get_or_init(|| {
        KEYS.map(|pem| {
            let mut set = std::collections::HashSet::new();
            let body = pem_body(pem);
            let b64 = b64(pem.as_bytes());
            for (text, skip) in [(body.as_bytes(), 0), (b64.as_bytes(), 44)] {
                for start in skip..text.len().saturating_sub(16 + skip) {
                    set.insert(text[start..start + 16].to_vec());
                }
            }
            set
        })
    })
}

fn pem_body(pem: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

/// Standard base64 with padding (RFC 4648 §4).
fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn wrap(s: &str, width: usize) -> String {
    s.as_bytes()
        .chunks(width)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// One form of a key, as users paste it: PEM, a PEM body without its lines, DER or PEM in base64 on
/// one line or wrapped, and base64 with a character dropped, its padding missing or doubled.
fn key_form(pem: &str, form: u8, at: usize) -> String {
    let body = pem_body(pem);
    let of_pem = b64(pem.as_bytes());
    match form % 9 {
        0 => pem.to_string(),
        1 => wrap(&body, 64),
        2 => body,
        3 => of_pem,
        4 => wrap(&of_pem, 76),
        5 => {
            let i = at % of_pem.len();
            format!("{}{}", &of_pem[..i], &of_pem[i + 1..])
        }
        6 => of_pem.trim_end_matches('=').to_string(),
        7 => format!("{of_pem}=="),
        _ => {
            let keep = body.len() / 2 + at % (body.len() / 2);
            body[..keep].to_string()
        }
    }
}

/// `value` as a YAML value at `indent`: a block scalar when it spans lines.
fn yaml_value(value: &str, indent: &str) -> String {
    if value.contains('\n') {
        let lines: Vec<String> = value.lines().map(|l| format!("{indent}  {l}")).collect();
        format!("|\n{}", lines.join("\n"))
    } else {
        value.to_string()
    }
}

/// A generated private key (one of three algorithms, in one of nine forms) put in one of a dozen
/// places of an otherwise fuzzed release unit (values keys and values, `--set`, `--command`, a
/// Secret, the previous values, a file given to the wrong option, broken YAML around it). Every
/// format is rendered and put through the run's redactor, as `certgate check` writes it, and no
/// output may hold 16 characters of the key's material.
pub fn key_leak(data: &[u8]) {
    let data = &data[..data.len().min(MAX_INPUT)];
    let byte = |i: usize| data.get(i).copied().unwrap_or(0);
    let which = usize::from(byte(0) % 3);
    let at = usize::from(byte(3)) * 7 + usize::from(byte(4));
    let key = key_form(KEYS[which], byte(1), at);
    let junk = text_of(data.get(5..).unwrap_or_default());
    let one_line = key.replace('\n', "");
    let s = scratch();
    let helm = if byte(3) % 2 == 0 {
        HelmVersion::V2
    } else {
        HelmVersion::V3
    };
    let mut values = String::from("global:\n  security:\n    externalCertificateLabel: ext-fuzz-1\n");
    let mut spec = UnitSpec {
        release: Some(given("eventstreams1")),
        namespace: Some("es".into()),
        helm: Some(helm),
        chart: Some(given(&s.chart.to_string_lossy())),
        previous: Some(given(&s.previous.to_string_lossy())),
        ..UnitSpec::default()
    };
    let mut words: Vec<String> = Vec::new();
    let mut extra_files: Vec<ScratchFile> = Vec::new();
    let mut file = |name: &str, text: &str| {
        let f = ScratchFile::new(name, text.as_bytes());
        let path = f.0.to_string_lossy().into_owned();
        extra_files.push(f);
        path
    };
    match byte(2) % 12 {
        0 => values.push_str(&format!("tls:\n  type: provided\n  key: {}\n", yaml_value(&key, "  "))),
        1 => {
            let path = ["externalCertificateLabel", "internalCertificateLabel"][usize::from(byte(3) % 2)];
            values = format!("global:\n  security:\n    {path}: {}\n", yaml_value(&key, "    "));
        }
        2 => values.push_str(&format!("tls:\n  {one_line}: x\n  type: {}\n", yaml_value(&key, "  "))),
        3 => words.push(format!("tls.key={key}")),
        4 => words.push(key.clone()),
        5 => {
            spec.command = Some(format!(
                "helm upgrade --reuse-values --set tls.type=provided,tls.key={one_line} eventstreams1 chart.tgz --tls"
            ));
            words.push(spec.command.clone().unwrap_or_default());
        }
        6 => {
            let secret = format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: es-tls\ndata:\n  key: {}\nstringData:\n  cert: {}\n",
                b64(key.as_bytes()),
                yaml_value(&key, "  ")
            );
            values.push_str("tls:\n  type: secret\n  secretName: es-tls\n");
            spec.secret = Some(given(&file("secret.yaml", &secret)));
        }
        7 => {
            let previous = format!(
                "global:\n  security:\n    externalCertificateLabel: old\ntls:\n  type: provided\n  key: {}\n",
                yaml_value(&key, "  ")
            );
            spec.previous = Some(given(&file("previous.yaml", &previous)));
            values.push_str("tls:\n  type: secret\n  secretName: es-tls\n");
        }
        8 => {
            let path = file("wrong.pem", &key);
            match byte(3) % 5 {
                0 => spec.values.push(given(&path)),
                1 => spec.secret = Some(given(&path)),
                2 => spec.configmap = Some(given(&path)),
                3 => spec.cert = Some(given(&path)),
                _ => spec.previous_cacert = Some(given(&path)),
            }
        }
        9 => values.push_str(&format!("tls:\n  key: {}\n  cert: [unclosed\n", yaml_value(&key, "  "))),
        10 => values.push_str(&format!("tls:\n  key: a\n  key: {}\n", yaml_value(&key, "  "))),
        _ => {
            // A key pasted where a path belongs (`--key "$(cat tls.key)"`).
            spec.key = Some(given(&key));
            words.push(key.clone());
        }
    }
    let values = format!("{junk}\n{values}");
    let values_file = ScratchFile::new("values.yaml", values.as_bytes());
    spec.values.insert(0, given(&values_file.0.to_string_lossy()));
    if spec.command.is_none() && spec.key.is_none() {
        let flags = if byte(3) % 2 == 0 {
            &mut spec.set
        } else {
            &mut spec.set_string
        };
        flags.extend(words.iter().map(|w| given(w)));
    }
    let (ctx, base) = preloaded();
    let loaded = load_unit(&spec, ctx, base);
    let builtin: Vec<&Rule> = rules::builtin().iter().collect();
    let policy = Policy::default();
    let report = engine::check(loaded, &builtin, &policy, NOW_TEXT);
    let mut redactor = certgate::source::secret::Redactor::new();
    for secret in certgate::source::secret::in_words(&words) {
        redactor.add(&secret);
    }
    report.add_secrets(&mut redactor);
    let hit = hit_rules(&builtin, &report);
    let reports = [report];
    let run = report::Report {
        units: &reports,
        rules: &hit,
        policy: &policy,
        plans: &[],
    };
    let plain = report::Options::default();
    let formats = [
        report::Format::Text,
        report::Format::Json,
        report::Format::Sarif,
        report::Format::Junit,
        report::Format::Github,
        report::Format::Html,
        report::Format::Markdown,
    ];
    let mut outputs: Vec<String> = formats.iter().map(|&f| report::render(f, &run, &plain)).collect();
    outputs.push(report::github::step_summary(&reports));
    let windows = &key_windows()[which];
    for (i, out) in outputs.iter().enumerate() {
        let out = redactor.scrub(out);
        if let Some(w) = leaked(out.as_bytes(), windows) {
            panic!("output {i} holds 16 characters of the key: {w:?}");
        }
    }
    drop(extra_files);
}

/// The first 16-character run of `windows` in `out`: key material is base64, so only the runs of
/// base64 characters are looked at.
fn leaked(out: &[u8], windows: &std::collections::HashSet<Vec<u8>>) -> Option<String> {
    let is_b64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
    out.split(|b| !is_b64(b))
        .filter(|run| run.len() >= 16)
        .find_map(|run| run.windows(16).find(|w| windows.contains(*w)))
        .map(|w| String::from_utf8_lossy(w).into_owned())
}
