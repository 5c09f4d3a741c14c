//! Pull requests and pre-commit: `--base REV` reads the previous values from git at REV, with the
//! real `git`, in a repository with a base commit and a change, checked as CI would check it.

mod common;

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A GitOps repository with two release units, committed, then changed in the working tree.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "user.email", "ci@example.com"]);
    git(d, &["config", "user.name", "ci"]);
    common::write_charts(d);
    std::fs::create_dir_all(d.join("deploy/es1")).unwrap();
    std::fs::create_dir_all(d.join("deploy/es2")).unwrap();
    std::fs::write(
        d.join("certgate.yaml"),
        "releases:\n  - name: es1\n    chart: ibm-eventstreams-prod-1.4.0.tgz\n    values: [deploy/es1/values.yaml]\n    history: {installed_from: \"2019.4.1\"}\n  - name: es2\n    chart: ibm-eventstreams-prod-1.4.0.tgz\n    values: [deploy/es2/values.yaml]\n",
    )
    .unwrap();
    std::fs::write(
        d.join("deploy/es1/values.yaml"),
        "global:\n  security:\n    externalCertificateLabel: ext-1\ntls:\n  type: secret\n  secretName: es1-tls\n  key: tls.key\n",
    )
    .unwrap();
    std::fs::write(
        d.join("deploy/es2/values.yaml"),
        "global:\n  security:\n    externalCertificateLabel: ext-1\n",
    )
    .unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "base"]);
    // The change under review: es1 rotates to a new Secret and drops the custom key name.
    std::fs::write(
        d.join("deploy/es1/values.yaml"),
        "global:\n  security:\n    externalCertificateLabel: ext-2\ntls:\n  type: secret\n  secretName: es1-tls-2026\n",
    )
    .unwrap();
    dir
}

fn json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = common::run_in(dir, args);
    let report =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), report)
}

#[test]
fn a_pull_request_is_checked_against_its_base() {
    let repo = repository();
    let (status, report) = json(
        repo.path(),
        &[
            "check",
            "--base",
            "HEAD",
            "--now",
            "2026-11-27T00:00:00Z",
            "--format",
            "json",
        ],
    );
    assert_eq!(status, 0, "{report:#}");
    let units = report.as_array().expect("two units");
    assert_eq!(
        units[0]["upgrade_command"],
        "helm upgrade --reuse-values --set global.security.externalCertificateLabel=ext-2 --set tls.secretName=es1-tls-2026 --set tls.key=null es1 ibm-eventstreams-prod-1.4.0.tgz --tls"
    );
    // es2 did not change.
    assert_eq!(common::finding_lines(&units[1]), vec!["CG503 -"]);
    assert_eq!(units[1]["upgrade_command"], serde_json::Value::Null);
    let inputs: Vec<&str> = units[0]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert!(inputs.contains(&"HEAD:deploy/es1/values.yaml"), "{inputs:?}");
}

#[test]
fn changed_files_select_their_release_units() {
    let repo = repository();
    let (status, report) = json(
        repo.path(),
        &[
            "check",
            "--base",
            "HEAD",
            "deploy/es1/values.yaml",
            "--now",
            "2026-11-27T00:00:00Z",
            "--format",
            "json",
        ],
    );
    assert_eq!(status, 0);
    assert!(report.is_object(), "one unit: {report:#}");
    assert!(
        report["upgrade_command"]
            .as_str()
            .unwrap()
            .ends_with(" es1 ibm-eventstreams-prod-1.4.0.tgz --tls")
    );
}

#[test]
fn a_bad_revision_is_a_finding() {
    let repo = repository();
    let (status, report) = json(
        repo.path(),
        &[
            "check",
            "--base",
            "no-such-branch",
            "deploy/es2/values.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(status, 1);
    assert_eq!(common::finding_lines(&report)[0], "CG001 (--base no-such-branch)");
}

#[test]
fn a_key_deleted_from_the_file_is_removed_with_null() {
    let repo = repository();
    let d = repo.path();
    std::fs::write(
        d.join("deploy/es1/values.yaml"),
        "global:\n  security:\n    externalCertificateLabel: ext-2\n",
    )
    .unwrap();
    let (status, report) = json(
        d,
        &["check", "--base", "HEAD", "deploy/es1/values.yaml", "--format", "json"],
    );
    // tls is gone: the chart default type selfsigned comes back, the Secret settings are removed,
    // and every client must be updated.
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(
        report["upgrade_command"],
        "helm upgrade --reuse-values --set global.security.externalCertificateLabel=ext-2 --set tls.type=selfsigned --set tls.secretName=null --set tls.key=null es1 ibm-eventstreams-prod-1.4.0.tgz --tls"
    );
    assert_eq!(report["client_impact"]["scenario"], "type-changed");
}

/// git starts on a changed file before the config is read, and again per unit: however the file
/// is named (`./deploy/...`), the report is the same, and the old file is listed as read, before
/// the values, as it was before git ran in the background.
#[test]
fn a_changed_file_read_ahead_gives_the_same_report() {
    let repo = repository();
    let run = |file: &str| {
        json(
            repo.path(),
            &[
                "check",
                "--base",
                "HEAD",
                file,
                "--now",
                "2026-11-27T00:00:00Z",
                "--format",
                "json",
            ],
        )
    };
    let (status, plain) = run("deploy/es1/values.yaml");
    assert_eq!(status, 0);
    assert_eq!(run("./deploy/es1/values.yaml"), (0, plain.clone()));
    let inputs: Vec<(&str, &str)> = plain["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["role"].as_str().unwrap(), i["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        inputs,
        [
            ("config", "certgate.yaml"),
            ("chart", "ibm-eventstreams-prod-1.4.0.tgz"),
            ("previous", "HEAD:deploy/es1/values.yaml"),
            ("values", "deploy/es1/values.yaml"),
        ]
    );
}
