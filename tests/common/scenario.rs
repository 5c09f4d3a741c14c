//! A release unit written from scratch in a temporary directory: the real chart, previous values
//! of a self-signed release, and helpers to run certgate on it and read its JSON report.

use std::path::Path;

pub const NOW: &str = "2026-11-27T00:00:00Z";

/// A fixed private key of tests/certs/keys (`leaf`: RSA 2048, `ec256`, `ed25519`, `ca-a`, …).
pub fn key_pem(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/certs/keys")
        .join(format!("{name}.key"));
    std::fs::read_to_string(path).unwrap()
}

/// A directory with the chart archives and `prev.yaml` (a self-signed release, labels old1/int1).
pub fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    super::write_charts(dir.path());
    std::fs::write(
        dir.path().join("prev.yaml"),
        "global:\n  security:\n    externalCertificateLabel: old1\n    internalCertificateLabel: int1\ntls:\n  type: selfsigned\n",
    )
    .unwrap();
    dir
}

/// `check --previous prev.yaml --release es1 --chart … --now NOW`, then `extra`.
pub fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "check",
        "--previous",
        "prev.yaml",
        "--release",
        "es1",
        "--chart",
        "ibm-eventstreams-prod-1.4.0.tgz",
        "--now",
        NOW,
    ];
    a.extend(extra);
    a
}

/// Values moving to `tls.type=provided` with `key_value` as `tls.key` (line 6).
pub fn provided(key_value: &str) -> String {
    format!(
        "global:\n  security:\n    externalCertificateLabel: new1\ntls:\n  type: provided\n  key: {key_value}\n  cert: Y2VydA==\n  cacert: Y2VydA==\n"
    )
}

/// The exit status and the JSON report of `args` run in `dir`.
pub fn run_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["--format", "json"]);
    let out = super::run_in(dir, &a);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}

pub fn codes(report: &serde_json::Value) -> Vec<String> {
    super::finding_lines(report)
}

/// Whether the report has the finding `CODE FILE:LINE:COL` (or `CODE -`).
pub fn has(report: &serde_json::Value, line: &str) -> bool {
    codes(report).iter().any(|l| l == line)
}

/// Whether any unit of the report has an approved command.
pub fn approved(report: &serde_json::Value) -> bool {
    let units: Vec<&serde_json::Value> = match report {
        serde_json::Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    units.iter().any(|u| u["upgrade_command"].is_string())
}

/// Certificates made by the real openssl with the repository's fixed keys (tests/certs/mkcert.sh).
pub fn make_certs(dir: &Path, script: &str) {
    let certs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/certs");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -euo pipefail; source {}/mkcert.sh; {script}",
            certs.display()
        ))
        .current_dir(dir)
        .env("CERTS_HOME", &certs)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
