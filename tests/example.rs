//! The shipped example: the README's main command works on it, its chart archive is the real chart,
//! and the same inputs and `--now` give byte-identical output.

mod common;

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_example_is_approved() {
    let out = common::run_in(root(), &["check", "examples/rotation", "--now", "2026-11-27T00:00:00Z"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some(
            "helm upgrade --reuse-values --set global.security.externalCertificateLabel=ext-20261127-1 eventstreams1 ibm-eventstreams-prod-1.4.0.tgz --tls"
        )
    );
}

#[test]
fn the_example_chart_is_the_real_chart() {
    let bytes = std::fs::read(root().join("examples/rotation/ibm-eventstreams-prod-1.4.0.tgz")).unwrap();
    let files = certgate::source::chart::read_chart(&bytes, Default::default()).unwrap();
    let reference = common::reference_chart_dir();
    assert_eq!(files.dir, "ibm-eventstreams-prod");
    assert_eq!(
        files.chart_yaml,
        std::fs::read_to_string(reference.join("Chart.yaml")).unwrap()
    );
    assert_eq!(
        files.values_yaml.unwrap(),
        std::fs::read_to_string(reference.join("values.yaml")).unwrap()
    );
}

#[test]
fn output_is_byte_identical_across_runs() {
    for format in ["text", "json"] {
        let args = [
            "check",
            "examples/rotation",
            "--now",
            "2026-11-27T00:00:00Z",
            "--format",
            format,
        ];
        let first = common::run_in(root(), &args);
        let second = common::run_in(root(), &args);
        assert!(!first.stdout.is_empty());
        assert_eq!(first.stdout, second.stdout, "{format}");
    }
}
