//! The real chart: its values.yaml (ibm-eventstreams-prod 1.4.0) loads as chart defaults and as
//! previous values with nothing at warning or above, and the documentation's example is approved.

mod common;

#[test]
fn real_chart_values_as_defaults_and_previous_raise_nothing() {
    let dir = tempfile::tempdir().unwrap();
    common::write_charts(dir.path());
    std::fs::copy(
        common::reference_chart_dir().join("values.yaml"),
        dir.path().join("previous.yaml"),
    )
    .unwrap();
    let out = common::run_in(
        dir.path(),
        &[
            "check",
            "--chart",
            "ibm-eventstreams-prod-1.4.0.tgz",
            "--previous",
            "previous.yaml",
            "--release",
            "eventstreams1",
            "--set",
            "global.security.externalCertificateLabel=upgradedlabel1",
            "--now",
            "2026-11-27T00:00:00Z",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for f in report["findings"].as_array().unwrap() {
        assert_eq!(f["severity"], "info", "{f}");
    }
    assert_eq!(
        report["upgrade_command"],
        "helm upgrade --reuse-values --set global.security.externalCertificateLabel=upgradedlabel1 eventstreams1 ibm-eventstreams-prod-1.4.0.tgz --tls"
    );
}

#[test]
fn real_chart_values_as_the_proposed_file_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    common::write_charts(dir.path());
    std::fs::copy(
        common::reference_chart_dir().join("values.yaml"),
        dir.path().join("values.yaml"),
    )
    .unwrap();
    let out = common::run_in(
        dir.path(),
        &[
            "check",
            "--chart",
            "ibm-eventstreams-prod-1.4.0.tgz",
            "--previous",
            "values.yaml",
            "-f",
            "values.yaml",
            "--format",
            "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(common::finding_lines(&report), vec!["CG503 -"]);
    assert_eq!(report["upgrade_command"], serde_json::Value::Null);
}
