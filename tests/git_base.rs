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

/// An empty repository on branch main, with the chart archives written (not committed).
fn new_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "user.email", "ci@example.com"]);
    git(d, &["config", "user.name", "ci"]);
    common::write_charts(d);
    dir
}

/// A GitOps repository with two release units, committed, then changed in the working tree.
fn repository() -> tempfile::TempDir {
    let dir = new_repository();
    let d = dir.path();
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

/// A repository of six release units: more than the pre-commit case reads file by file, so the
/// run asks one `git cat-file --batch` for the old files. es1 rotates, es2 is unchanged, es3's
/// values file is new since the base.
fn six_units() -> tempfile::TempDir {
    let dir = new_repository();
    let d = dir.path();
    let mut config = String::from("releases:\n");
    for i in 1..=6 {
        std::fs::create_dir_all(d.join(format!("deploy/es{i}"))).unwrap();
        config.push_str(&format!(
            "  - name: es{i}\n    chart: ibm-eventstreams-prod-1.4.0.tgz\n    values: [deploy/es{i}/values.yaml]\n    history: {{installed_from: \"2019.4.1\"}}\n"
        ));
        if i != 3 {
            std::fs::write(
                d.join(format!("deploy/es{i}/values.yaml")),
                format!("global:\n  security:\n    externalCertificateLabel: ext-{i}\ntls:\n  type: secret\n  secretName: es{i}-tls\n"),
            )
            .unwrap();
        }
    }
    std::fs::write(d.join("certgate.yaml"), config).unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "base"]);
    std::fs::write(
        d.join("deploy/es1/values.yaml"),
        "global:\n  security:\n    externalCertificateLabel: ext-1b\ntls:\n  type: secret\n  secretName: es1-tls-2026\n",
    )
    .unwrap();
    std::fs::write(
        d.join("deploy/es3/values.yaml"),
        "global:\n  security:\n    externalCertificateLabel: ext-3\ntls:\n  type: secret\n  secretName: es3-tls\n",
    )
    .unwrap();
    dir
}

/// What a unit's report says, without the run's own inputs (the config), which only the first
/// unit of a whole-repository run carries.
fn unit_verdict(unit: &serde_json::Value) -> serde_json::Value {
    let inputs: Vec<&serde_json::Value> = unit["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["role"] != "config")
        .collect();
    serde_json::json!({
        "inputs": inputs,
        "findings": unit["findings"],
        "client_impact": unit["client_impact"],
        "upgrade_command": unit["upgrade_command"],
    })
}

/// The batch gives each unit what its own git run gives: the same old files, the same report.
#[test]
fn many_units_read_through_one_batch_as_each_alone() {
    let repo = six_units();
    fn args(file: Option<&str>) -> Vec<&str> {
        let mut a = vec![
            "check",
            "--base",
            "HEAD",
            "--now",
            "2026-11-27T00:00:00Z",
            "--format",
            "json",
        ];
        a.extend(file);
        a
    }
    let (status, all) = json(repo.path(), &args(None));
    assert_eq!(status, 0, "{all:#}");
    let units = all.as_array().expect("six units");
    assert_eq!(units.len(), 6);
    assert_eq!(
        units[0]["upgrade_command"],
        "helm upgrade --reuse-values --set global.security.externalCertificateLabel=ext-1b --set tls.secretName=es1-tls-2026 es1 ibm-eventstreams-prod-1.4.0.tgz --tls"
    );
    assert_eq!(common::finding_lines(&units[1]), vec!["CG503 -"]);
    let read = |unit: &serde_json::Value| -> Vec<String> {
        unit["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["role"] == "previous")
            .map(|i| i["path"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(read(&units[1]), ["HEAD:deploy/es2/values.yaml"]);
    // es3's file is new: nothing was read at HEAD, and that is not a problem.
    assert_eq!(read(&units[2]), Vec::<String>::new());
    assert!(!common::finding_lines(&units[2]).iter().any(|l| l.starts_with("CG001")));
    for (i, unit) in units.iter().enumerate() {
        let file = format!("deploy/es{}/values.yaml", i + 1);
        let (_, alone) = json(repo.path(), &args(Some(&file)));
        assert_eq!(unit_verdict(unit), unit_verdict(&alone), "es{}", i + 1);
    }
}

/// A revision the repository does not have: every unit says so, as each unit alone does, and
/// the batch found it out once.
#[test]
fn a_bad_revision_is_a_finding_in_every_unit_of_a_batch() {
    let repo = six_units();
    let (bin, path) = logging_git();
    let out = common::certgate()
        .current_dir(repo.path())
        .env("PATH", path)
        .args(["check", "--base", "no-such-branch", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(git_runs(&bin), ["-C . cat-file --batch"]);
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for (i, unit) in all.as_array().expect("six units").iter().enumerate() {
        assert_eq!(
            common::finding_lines(unit)[0],
            "CG001 (--base no-such-branch)",
            "{unit:#}"
        );
        let file = format!("deploy/es{}/values.yaml", i + 1);
        let (_, alone) = json(
            repo.path(),
            &["check", "--base", "no-such-branch", &file, "--format", "json"],
        );
        assert_eq!(unit_verdict(unit), unit_verdict(&alone), "es{}", i + 1);
    }
}

/// A directory holding a `git` that logs its arguments to `git.log` beside it, then runs the real
/// one; put it first on PATH to count the git processes a run starts.
fn logging_git() -> (tempfile::TempDir, String) {
    let real = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let bin = tempfile::tempdir().unwrap();
    let log = bin.path().join("git.log");
    let wrapper = bin.path().join("git");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real.trim()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default());
    (bin, path)
}

fn git_runs(bin: &tempfile::TempDir) -> Vec<String> {
    std::fs::read_to_string(bin.path().join("git.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn many_units_start_git_once_not_once_per_file() {
    let repo = six_units();
    let (bin, path) = logging_git();
    let out = common::certgate()
        .current_dir(repo.path())
        .env("PATH", path)
        .args([
            "check",
            "--base",
            "HEAD",
            "--now",
            "2026-11-27T00:00:00Z",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // One batch for the six files, es3's new one included (HEAD exists, the file did not).
    assert_eq!(git_runs(&bin), ["-C . cat-file --batch"]);
}

/// CG210 asks whether git tracks the values file holding a key: the run's batch answers for
/// the files in the config's repository; the verdicts are what each file's own git run gives.
#[test]
fn many_units_with_keys_in_values_ask_one_batch_whether_git_tracks_them() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/provided-values-base64-tracked-by-git-cg210");
    let repo = common::prepare_case(&case).unwrap();
    let d = repo.path();
    let mut config = String::from("releases:\n");
    for i in 1..=8 {
        std::fs::create_dir_all(d.join(format!("u{i}"))).unwrap();
        std::fs::copy(d.join("new.yaml"), d.join(format!("u{i}/values.yaml"))).unwrap();
        config.push_str(&format!(
            "  - name: es{i}\n    chart: ibm-eventstreams-prod-1.4.0.tgz\n    values: [./u{i}/values.yaml]\n    previous: prev.yaml\n"
        ));
    }
    std::fs::write(d.join("certgate.yaml"), config).unwrap();
    // u3 and u7 are not tracked; u8 sits in a repository of its own, which tracks it.
    git(d, &["add", "u1", "u2", "u4", "u5", "u6"]);
    git(&d.join("u8"), &["init", "-q"]);
    git(&d.join("u8"), &["add", "values.yaml"]);

    let (bin, path) = logging_git();
    let out = common::certgate()
        .current_dir(d)
        .env("PATH", path)
        .args(["check", "--now", "2026-11-27T00:00:00Z", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cg210: Vec<bool> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|u| common::finding_lines(u).iter().any(|l| l.starts_with("CG210")))
        .collect();
    assert_eq!(cg210, [true, true, false, true, true, true, false, true]);
    // One batch for the files in the config's repository; u8, in a repository of its own, asked
    // alone (units are checked in parallel: the order of the two may vary).
    let mut runs = git_runs(&bin);
    runs.sort();
    assert_eq!(
        runs,
        [
            "-C . cat-file --batch",
            "-C ./u8 ls-files --error-unmatch -- values.yaml"
        ]
    );
}

/// The pre-commit hook's run: `check --base HEAD --` and the changed files. A file no unit reads
/// is ignored (the README promises it: a hook gets every changed YAML file); a PATH that does not
/// exist is CG001 at that path, and with nothing else given nothing was checked (CG004).
#[test]
fn changed_files_no_unit_reads_pass_but_missing_paths_are_findings() {
    let repo = repository();
    let d = repo.path();
    std::fs::write(d.join("notes.yaml"), "title: unrelated\n").unwrap();
    let base = ["check", "--base", "HEAD", "--format", "json", "--"];
    let run = |paths: &[&str]| {
        let mut args = base.to_vec();
        args.extend(paths);
        json(d, &args)
    };

    let (status, report) = run(&["notes.yaml"]);
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(report, serde_json::json!([]), "{report:#}");

    let (status, report) = run(&["missing.yaml"]);
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(
        common::finding_lines(&report),
        ["CG001 missing.yaml", "CG004 -"],
        "{report:#}"
    );
    assert!(
        report["findings"][1]["message"]
            .as_str()
            .unwrap()
            .contains("no release unit in the config reads missing.yaml"),
        "{report:#}"
    );

    let (status, report) = run(&["notes.yaml", "deploy/es9/values.yaml"]);
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(
        common::finding_lines(&report),
        ["CG001 deploy/es9/values.yaml", "CG004 -"],
        "{report:#}"
    );

    // With a unit selected, the missing PATH is still a finding, and the unit is checked.
    let (status, report) = run(&["missing.yaml", "deploy/es1/values.yaml"]);
    assert_eq!(status, 1, "{report:#}");
    let lines = common::finding_lines(&report);
    assert!(lines.contains(&"CG001 missing.yaml".to_string()), "{lines:?}");
    assert!(!lines.iter().any(|l| l.starts_with("CG004")), "{lines:?}");
    // One unit's report (an object, not an array of units): es1's.
    assert!(report["findings"].is_array(), "{report:#}");
}

/// Without `--base`, PATHs that no unit of the config reads leave nothing checked: CG004, not a
/// pass.
#[test]
fn paths_no_unit_reads_without_base_are_nothing_checked() {
    let repo = repository();
    let d = repo.path();
    std::fs::write(d.join("notes.yaml"), "title: unrelated\n").unwrap();
    let (status, report) = json(d, &["check", "--format", "json", "notes.yaml"]);
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(common::finding_lines(&report), ["CG004 -"], "{report:#}");
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no release unit in the config reads notes.yaml"),
        "{report:#}"
    );
}

/// A config that names no release unit cannot make a run of changed files pass.
#[test]
fn a_config_without_units_checks_nothing() {
    let repo = repository();
    let d = repo.path();
    std::fs::write(d.join("certgate.yaml"), "releases: []\n").unwrap();
    let (status, report) = json(
        d,
        &[
            "check",
            "--base",
            "HEAD",
            "--format",
            "json",
            "--",
            "deploy/es1/values.yaml",
        ],
    );
    assert_eq!(status, 1, "{report:#}");
    assert!(
        common::finding_lines(&report).contains(&"CG004 -".to_string()),
        "{report:#}"
    );
}
