//! In GitHub Actions (`--format github` with GITHUB_STEP_SUMMARY set), the verdict and the approved
//! command go to the job summary, appended after earlier steps' parts.

mod common;

#[test]
fn the_job_summary_gets_the_approved_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::write_charts(d);
    std::fs::write(d.join("prev.yaml"), "tls:\n  type: selfsigned\n").unwrap();
    let summary = d.join("summary.md");
    std::fs::write(&summary, "# earlier step\n").unwrap();
    let out = common::certgate()
        .current_dir(d)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args([
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
            "github",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("# earlier step\n"), "{text}");
    assert!(
        text.contains("helm upgrade --reuse-values --set global.security.externalCertificateLabel=ext-2 eventstreams1 ibm-eventstreams-prod-1.4.0.tgz --tls"),
        "{text}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("::notice title=CG404"));
}
