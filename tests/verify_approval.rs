//! `certgate verify-approval`: the inputs of an approved report are re-hashed; a change is named.

mod common;

#[test]
fn unchanged_inputs_pass_and_a_changed_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::write_charts(d);
    std::fs::write(d.join("prev.yaml"), "tls:\n  type: selfsigned\n").unwrap();
    let check = [
        "check",
        "--previous",
        "prev.yaml",
        "--release",
        "eventstreams1",
        "--chart",
        "ibm-eventstreams-prod-1.4.0.tgz",
        "--set",
        "global.security.externalCertificateLabel=ext-2",
        "--format",
        "json",
        "--output",
        "report.json",
    ];
    assert_eq!(common::run_in(d, &check).status.code(), Some(0));
    let ok = common::run_in(d, &["verify-approval", "report.json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("All 2 inputs are as approved."));

    std::fs::write(d.join("prev.yaml"), "tls:\n  type: provided\n").unwrap();
    let changed = common::run_in(d, &["verify-approval", "report.json"]);
    let stdout = String::from_utf8_lossy(&changed.stdout);
    assert_eq!(changed.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("CHANGED    prev.yaml (previous)"), "{stdout}");
    assert!(
        stdout.contains("unchanged  ibm-eventstreams-prod-1.4.0.tgz (chart)"),
        "{stdout}"
    );

    std::fs::remove_file(d.join("prev.yaml")).unwrap();
    let gone = common::run_in(d, &["verify-approval", "report.json"]);
    assert_eq!(gone.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gone.stdout).contains("CHANGED    prev.yaml (previous): no such file"));
}

#[test]
fn an_unreadable_report_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), "not json").unwrap();
    assert_eq!(
        common::run_in(dir.path(), &["verify-approval", "bad.json"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        common::run_in(dir.path(), &["verify-approval", "missing.json"])
            .status
            .code(),
        Some(2)
    );
}
