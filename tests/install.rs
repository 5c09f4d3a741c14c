//! What users expect of an installed command: --version, --help with examples, shell completions
//! and a man page generated from the command definitions.

mod common;

use std::process::Command;

fn stdout(args: &[&str]) -> String {
    let out = common::certgate().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn version_and_help() {
    assert_eq!(
        stdout(&["--version"]),
        format!("certgate {}\n", env!("CARGO_PKG_VERSION"))
    );
    let help = stdout(&["--help"]);
    assert!(
        help.contains("Examples:") && help.contains("certgate check examples/rotation"),
        "{help}"
    );
    let check = stdout(&["check", "--help"]);
    for flag in [
        "--values",
        "--set-string",
        "--previous",
        "--base",
        "--chart",
        "--new-label",
        "--fail-on",
        "--command",
    ] {
        assert!(check.contains(flag), "{flag} missing from check --help");
    }
}

#[test]
fn bash_completions_are_valid_bash() {
    let script = stdout(&["completions", "bash"]);
    assert!(script.contains("verify-approval"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("certgate.bash");
    std::fs::write(&path, script).unwrap();
    let ok = Command::new("bash").arg("-n").arg(&path).status().unwrap();
    assert!(ok.success());
}

#[test]
fn man_page_names_every_subcommand() {
    let man = stdout(&["man"]);
    assert!(man.starts_with(".ie") && man.contains(".TH certgate 1"));
    for sub in ["check", "explain", "rules", "verify\\-approval"] {
        assert!(man.contains(sub), "{sub}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = common::certgate()
        .args(["check", "--fail-on", "fatal"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = common::certgate().args(["explain", "CG999"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = common::certgate()
        .args(["check", "--output", "x.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn schemas_are_published_for_editors() {
    for (name, file) in [
        ("config", "config.schema.json"),
        ("rule", "rule.schema.json"),
        ("values", "values.schema.json"),
        ("report", "report.schema.json"),
        ("plan", "plan.schema.json"),
    ] {
        let printed = stdout(&["schema", name]);
        let shipped = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("schemas")
                .join(file),
        )
        .unwrap();
        assert_eq!(printed, shipped, "{name}");
        let _: serde_json::Value = serde_json::from_str(&printed).unwrap();
    }
}
