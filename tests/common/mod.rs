//! Shared test helpers: chart archives built from the real chart in `fixtures/reference`, and
//! running the certgate binary.

#![allow(dead_code)]

pub mod scenario;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use flate2::Compression;
use flate2::write::GzEncoder;

/// The real ibm-eventstreams-prod 1.4.0 chart files (Chart.yaml, values.yaml).
pub fn reference_chart_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/reference/eventstreams-chart-1.4.0")
}

/// A `.tgz` as `helm package` lays it out: `NAME/Chart.yaml`, `NAME/values.yaml`.
pub fn chart_tgz(name: &str, chart_yaml: &str, values_yaml: &str) -> Vec<u8> {
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    for (file, text) in [("Chart.yaml", chart_yaml), ("values.yaml", values_yaml)] {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        builder
            .append_data(&mut header, format!("{name}/{file}"), text.as_bytes())
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

/// Write the chart archives the command-line cases use into `dir`:
/// - `ibm-eventstreams-prod-1.4.0.tgz`: the real chart;
/// - `ibm-eventstreams-prod-1.3.0.tgz`: the same with version 1.3.0 (before certificate labels);
/// - `ibm-eventstreams-icp4i-prod-1.4.0.tgz`: with `global.security.uiCertificateLabel`, as that chart has.
pub fn write_charts(dir: &Path) {
    let reference = reference_chart_dir();
    let chart = std::fs::read_to_string(reference.join("Chart.yaml")).unwrap();
    let values = std::fs::read_to_string(reference.join("values.yaml")).unwrap();
    std::fs::write(
        dir.join("ibm-eventstreams-prod-1.4.0.tgz"),
        chart_tgz("ibm-eventstreams-prod", &chart, &values),
    )
    .unwrap();
    let old = chart
        .replace("version: 1.4.0", "version: 1.3.0")
        .replace("appVersion: 2019.4.1", "appVersion: 1.3.0");
    std::fs::write(
        dir.join("ibm-eventstreams-prod-1.3.0.tgz"),
        chart_tgz("ibm-eventstreams-prod", &old, &values),
    )
    .unwrap();
    let icp4i = chart.replace("name: ibm-eventstreams-prod", "name: ibm-eventstreams-icp4i-prod");
    let ui = values.replace(
        "    internalCertificateLabel: \"internal-cert-initial-id\"\n",
        "    internalCertificateLabel: \"internal-cert-initial-id\"\n    uiCertificateLabel: \"ui-cert-initial-id\"\n",
    );
    assert_ne!(ui, values, "the reference values.yaml changed: update write_charts");
    std::fs::write(
        dir.join("ibm-eventstreams-icp4i-prod-1.4.0.tgz"),
        chart_tgz("ibm-eventstreams-icp4i-prod", &icp4i, &ui),
    )
    .unwrap();
}

pub fn certgate() -> Command {
    Command::new(env!("CARGO_BIN_EXE_certgate"))
}

/// Run certgate in `dir` with `args`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    certgate()
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("certgate runs")
}

/// Copy a directory's files (not recursively into hidden dirs) into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The findings of a JSON report (one unit or several) as `CODE FILE:LINE:COL` lines, `-` for
/// what is null.
pub fn finding_lines(report: &serde_json::Value) -> Vec<String> {
    let units: Vec<&serde_json::Value> = match report {
        serde_json::Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let line = |f: &serde_json::Value| {
        let code = f["code"].as_str().unwrap();
        let place = match (f["file"].as_str(), f["line"].as_u64(), f["column"].as_u64()) {
            (Some(file), Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            (Some(file), _, _) => file.to_string(),
            (None, _, _) => f["origin"].as_str().map_or("-".to_string(), |o| format!("({o})")),
        };
        format!("{code} {place}")
    };
    let mut lines = Vec::new();
    for unit in units {
        lines.extend(unit["findings"].as_array().unwrap().iter().map(line));
        for s in unit["suppressed"].as_array().unwrap() {
            lines.push(format!(
                "suppressed {} -- {}",
                line(&s["finding"]),
                s["reason"].as_str().unwrap()
            ));
        }
    }
    lines
}

/// A temporary copy of a command-line case folder, with the chart archives, and the certificates
/// its `setup.sh` makes (tests/certs/mkcert.sh: fixed keys and dates, so the same bytes every run
/// and nothing in the repository can expire).
pub fn prepare_case(case: &Path) -> Result<tempfile::TempDir, String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    copy_dir(case, tmp.path());
    write_charts(tmp.path());
    if case.join("setup.sh").is_file() {
        let certs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/certs");
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set -euo pipefail; source {}/mkcert.sh; source ./setup.sh",
                certs.display()
            ))
            .current_dir(tmp.path())
            .env("CERTS_HOME", &certs)
            .output()
            .map_err(|e| format!("setup.sh: {e}"))?;
        if !out.status.success() {
            return Err(format!("setup.sh failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    Ok(tmp)
}

/// The command-line cases (folders of tests/cases), sorted.
pub fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}
