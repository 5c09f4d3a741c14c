//! certgate's hot functions, one at a time, in ns per iteration (`cargo bench --bench hot`).
//!
//! A plain `harness = false` bench timed with `std::time::Instant`: each function is warmed up, then
//! run in samples of about 100 ms; the median sample is reported (and the fastest, for noise). The
//! certificates are made at start with tests/certs/mkcert.sh (openssl, fixed keys and dates), like
//! the test suite's; the values are the chart's own values.yaml and a rotation like bench/gen.py's.
//!
//!     cargo bench --bench hot [-- FILTER]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use certgate::crypto::{Certificate, key_matches, parse_certificate, parse_private_key, verify_chain};
use certgate::engine::{self, Policy};
use certgate::helm::coalesce::coalesce;
use certgate::helm::strvals::{self, HelmVersion};
use certgate::load::{Context, UnitSpec, load_unit, preload_charts};
use certgate::model::unit::Given;
use certgate::rules;
use certgate::schema::{Schema, validate};
use certgate::source::Location;
use certgate::source::chart::{ArchiveLimits, read_chart};
use certgate::source::pem::{self, PemLabel};
use certgate::source::value::json::to_json;
use certgate::source::value::{Node, SetFlag};
use certgate::source::{SourceId, SourceMap, yaml};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const CHART_VALUES: &str = "fixtures/reference/eventstreams-chart-1.4.0/values.yaml";
const CHART_TGZ: &str = "examples/rotation/ibm-eventstreams-prod-1.4.0.tgz";
/// 2026-11-27T00:00:00Z.
const NOW: i64 = 1_795_737_600;
const NOW_TEXT: &str = "2026-11-27T00:00:00Z";

const PROPOSED: &str =
    "global:\n  security:\n    externalCertificateLabel: ext-20261127-1\ntls:\n  type: provided\n  secretName: null\n";
const PREVIOUS: &str = "global:\n  security:\n    externalCertificateLabel: ext-20260301-1\nlicense: accept\ntls:\n  type: secret\n  secretName: es-tls\n";
const SET: &str = "global.security.externalCertificateLabel=ext-20261127-1,tls.type=provided,tls.secretName=null";

/// The allocator the certgate binary runs with (src/main.rs), so that what is measured here
/// allocates as certgate does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Bench {
    filter: Option<String>,
    sample: Duration,
    samples: usize,
}

impl Bench {
    /// Time `f`; print `name  median ns/iter  (best ...)`.
    fn run<R>(&self, name: &str, mut f: impl FnMut() -> R) {
        if self.filter.as_ref().is_some_and(|flt| !name.contains(flt.as_str())) {
            return;
        }
        // Warm up, and find how many iterations make one sample.
        let mut iters: u64 = 1;
        loop {
            let start = Instant::now();
            for _ in 0..iters {
                black_box(f());
            }
            let took = start.elapsed();
            if took >= self.sample / 4 {
                let scale = self.sample.as_secs_f64() / took.as_secs_f64().max(1e-9);
                iters = ((iters as f64 * scale).ceil() as u64).max(1);
                break;
            }
            iters *= 4;
        }
        let mut per_iter: Vec<f64> = (0..self.samples)
            .map(|_| {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(f());
                }
                start.elapsed().as_nanos() as f64 / iters as f64
            })
            .collect();
        per_iter.sort_by(f64::total_cmp);
        println!(
            "{name:<44} {:>14} ns/iter  (best {:>12}, {iters} iters x {} samples)",
            group(per_iter[per_iter.len() / 2]),
            group(per_iter[0]),
            self.samples
        );
    }
}

fn group(ns: f64) -> String {
    let s = format!("{:.0}", ns);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Certificates from tests/certs/mkcert.sh: an RSA-2048 CA and leaf, an ECDSA P-384 CA and P-256 leaf.
fn make_certs(dir: &Path) {
    let script = r#"set -euo pipefail
source "$CERTS_HOME/mkcert.sh"
mkcert ca "Bench Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert tls "kafka.example.com" leaf ca 20260601000000Z 20270601000000Z leaf
key leaf tls
mkcert ecca "Bench EC Root CA" ec384 self 20250101000000Z 20350101000000Z ca
mkcert ectls "kafka.example.com" ec256 ecca 20260601000000Z 20270601000000Z leaf
key ec256 ectls
"#;
    let status = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("CERTS_HOME", Path::new(REPO).join("tests/certs"))
        .status()
        .expect("bash");
    assert!(status.success(), "mkcert.sh failed (is openssl installed?)");
}

fn cert(text: &str) -> Certificate {
    let scan = pem::scan(text);
    let block = scan
        .blocks
        .iter()
        .find(|b| b.label == PemLabel::Certificate)
        .expect("a certificate");
    parse_certificate(block.der.as_ref().expect("der")).expect("parses")
}

fn load_yaml(text: &str) -> Node {
    yaml::load(text, SourceId(0), &yaml::Limits::default())
        .root
        .expect("YAML")
}

fn given(value: &str) -> Given<String> {
    Given {
        value: value.to_string(),
        location: Location::Arg {
            origin: value.to_string(),
        },
    }
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let b = Bench {
        filter,
        sample: Duration::from_millis(100),
        samples: 7,
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    make_certs(dir);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("cert file");
    let (ca_pem, tls_pem, tls_key) = (read("ca.pem"), read("tls.pem"), read("tls.key"));
    let (ecca_pem, ectls_pem) = (read("ecca.pem"), read("ectls.pem"));
    let chart_values = std::fs::read_to_string(Path::new(REPO).join(CHART_VALUES)).expect("chart values");
    let chart_tgz = std::fs::read(Path::new(REPO).join(CHART_TGZ)).expect("chart archive");

    println!(
        "certgate hot functions (median of {} samples of ~{:?})",
        b.samples, b.sample
    );

    // Sources.
    b.run("yaml::load chart values.yaml (13 KiB)", || load_yaml(&chart_values));
    b.run("yaml::load a unit's values.yaml", || load_yaml(PROPOSED));
    // The loader's two event sources on the same text: its fast reader, and saphyr, which it falls
    // back to for YAML outside the fast reader's subset.
    assert!(
        yaml::fast::collect(PROPOSED).is_some(),
        "the fast reader refuses the unit's values"
    );
    b.run("  its events: yaml::fast (the loader's reader)", || {
        yaml::fast::collect(PROPOSED)
    });
    b.run("  its events: saphyr-parser (the fallback)", || {
        yaml::fast::saphyr_events(PROPOSED)
    });
    // certgate.yaml is read on one thread before any unit starts: its cost is not shared by cores.
    let config = (0..10_000).fold(String::from("releases:\n"), |mut text, i| {
        text.push_str(&format!(
            "  - name: es-{i:05}\n    chart: ibm-eventstreams-prod-1.4.0.tgz\n    helm: 2\n    \
             values: [units/u{i:05}/values.yaml]\n    previous: units/u{i:05}/release-values.yaml\n    \
             certificates: {{key: units/u{i:05}/tls.key, cert: units/u{i:05}/tls.pem, cacert: units/u{i:05}/ca.pem}}\n"
        ));
        text
    });
    let config_label = format!("yaml::load a 10,000-unit certgate.yaml ({} KiB)", config.len() >> 10);
    b.run(&config_label, || load_yaml(&config));
    b.run("  its events: yaml::fast", || yaml::fast::collect(&config));
    b.run("  its events: saphyr-parser", || yaml::fast::saphyr_events(&config));
    // The whole config read: the YAML, its schema, and its 10,000 release units.
    let config_path = dir.join("certgate.yaml");
    std::fs::write(&config_path, &config).expect("write certgate.yaml");
    b.run("config::load the same certgate.yaml", || {
        certgate::config::load(&config_path, &mut SourceMap::new())
    });
    b.run("chart::read_chart (.tgz, gunzip + untar)", || {
        read_chart(&chart_tgz, ArchiveLimits::default()).expect("chart")
    });

    // Effective values.
    let defaults = load_yaml(&chart_values);
    let previous = load_yaml(PREVIOUS);
    let proposed = load_yaml(PROPOSED);
    b.run("Node::clone chart defaults", || defaults.clone());
    b.run("effective::coalesce defaults+prev+proposed", || {
        coalesce(defaults.clone(), [&previous, &proposed])
    });
    let effective = coalesce(defaults.clone(), [&previous, &proposed]);
    b.run("json::to_json effective values", || to_json(&effective));
    let json = to_json(&effective);
    b.run("schema::validate values (effective)", || {
        validate(Schema::Values, &json)
    });

    // --set.
    b.run("strvals::parse --set (3 keys)", || {
        strvals::parse(SET, SetFlag::Set, HelmVersion::V2).expect("parses")
    });

    // Certificate material.
    b.run("pem::scan + parse_certificate (RSA leaf)", || cert(&tls_pem));
    b.run("pem::scan + parse_certificate (EC leaf)", || cert(&ectls_pem));
    let key_scan = pem::scan(&tls_key);
    let key_block = key_scan.blocks.first().expect("key block");
    let key_der = key_block.der.clone().expect("der");
    let key_label = key_block.label.as_str().to_string();
    b.run("pem::scan (RSA key)", || pem::scan(&tls_key));
    b.run("parse_private_key (RSA-2048 PKCS#8)", || {
        parse_private_key(&key_label, &key_der).expect("key")
    });
    let (leaf, ca) = (cert(&tls_pem), cert(&ca_pem));
    let (ecleaf, ecca) = (cert(&ectls_pem), cert(&ecca_pem));
    b.run("verify_chain (RSA-2048 leaf -> root)", || {
        verify_chain(&leaf, &[], std::slice::from_ref(&ca), NOW)
    });
    b.run("verify_chain (P-256 leaf -> P-384 root)", || {
        verify_chain(&ecleaf, &[], std::slice::from_ref(&ecca), NOW)
    });
    let key = parse_private_key(&key_label, &key_der).expect("key");
    b.run("key_matches (RSA)", || key_matches(&key, &leaf));

    // Hostile inputs: the limits stop them early (the tests check where, this says how fast).
    let refused = |text: &str| {
        let loaded = yaml::load(text, SourceId(0), &yaml::Limits::default());
        assert!(!loaded.problems.is_empty(), "a limit stops it");
        loaded.problems.len()
    };
    let laughs = ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        .fold(
            String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"),
            |mut text, (name, prev)| {
                text.push_str(&format!(
                    "{name}: &{name} [{}]\n",
                    vec![format!("*{prev}"); 9].join(",")
                ));
                text
            },
        );
    b.run("yaml::load billion laughs (alias limit)", || refused(&laughs));
    let flow = "[".repeat(10_000) + &"]".repeat(10_000);
    b.run("yaml::load 10,000 nested [ (depth limit)", || refused(&flow));
    let block = (0..10_000).fold(String::new(), |mut text, depth| {
        text.push_str(&" ".repeat(depth));
        text.push_str("a:\n");
        text
    });
    let block_label = format!(
        "yaml::load 10,000 nested mappings, {} MB (depth limit)",
        block.len() >> 20
    );
    b.run(&block_label, || refused(&block));
    let big = "A".repeat(10 << 20);
    b.run("pem::scan 10 MiB (size limit)", || pem::scan(&big).problems.len());

    // One whole unit through the library: alone (a one-unit run reads the chart itself), and as one
    // unit of a run, whose chart archives `certgate check` reads once beforehand (`preload_charts`).
    let unit_dir = dir.join("unit");
    std::fs::create_dir(&unit_dir).expect("unit dir");
    std::fs::write(unit_dir.join("values.yaml"), PROPOSED).expect("write");
    std::fs::write(unit_dir.join("release-values.yaml"), PREVIOUS).expect("write");
    for f in ["tls.key", "tls.pem", "ca.pem"] {
        std::fs::copy(dir.join(f), unit_dir.join(f)).expect("copy");
    }
    std::fs::copy(Path::new(REPO).join(CHART_TGZ), unit_dir.join("chart.tgz")).expect("copy");
    let spec = UnitSpec {
        base_dir: PathBuf::from(&unit_dir),
        release: Some(given("eventstreams1")),
        chart: Some(given("chart.tgz")),
        helm: Some(HelmVersion::V2),
        values: vec![given("values.yaml")],
        previous: Some(given("release-values.yaml")),
        key: Some(given("tls.key")),
        cert: Some(given("tls.pem")),
        cacert: Some(given("ca.pem")),
        ..UnitSpec::default()
    };
    let ctx = Context::at_unix(NOW);
    let base = SourceMap::new();
    let all_rules: Vec<&rules::Rule> = rules::builtin().iter().collect();
    let policy = Policy::default();
    let probe = engine::check(load_unit(&spec, &ctx, &base), &all_rules, &policy, NOW_TEXT);
    let codes: Vec<&str> = probe.findings.iter().map(|f| &*f.code).collect();
    println!("  (the whole-unit case finds {codes:?})");
    b.run("load_unit (read, parse, effective, material)", || {
        load_unit(&spec, &ctx, &base)
    });
    let loaded = load_unit(&spec, &ctx, &base);
    b.run("engine::check (all rules, one loaded unit; with its clone)", || {
        engine::check(loaded.clone(), &all_rules, &policy, NOW_TEXT)
    });
    b.run("whole unit: load_unit + engine::check", || {
        engine::check(load_unit(&spec, &ctx, &base), &all_rules, &policy, NOW_TEXT)
    });
    let mut run_base = SourceMap::new();
    let mut run_ctx = Context::at_unix(NOW);
    run_ctx.charts = preload_charts([&spec], &run_ctx.limits, &mut run_base);
    b.run("whole unit of a run (chart preloaded)", || {
        engine::check(load_unit(&spec, &run_ctx, &run_base), &all_rules, &policy, NOW_TEXT)
    });
}
