//! Bad input never crashes and never passes silently: every unreadable, malformed, hostile or empty
//! input is a finding with a location and exit status 1 (SPEC §4, Limits).

mod common;

use std::path::Path;

/// Run `check -f FILE` on `content` written to a fresh directory; return the exit status and the
/// JSON findings as `CODE FILE:LINE:COL`.
fn check_values(name: &str, content: &[u8]) -> (i32, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), content).unwrap();
    run(
        dir.path(),
        &["check", "-f", name, "--now", "2026-11-27T00:00:00Z", "--format", "json"],
    )
}

fn run(dir: &Path, args: &[&str]) -> (i32, Vec<String>) {
    let out = common::run_in(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (out.status.code().unwrap_or(-1), common::finding_lines(&report))
}

#[test]
fn binary_bytes_are_a_finding() {
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let (status, findings) = check_values("random.yaml", &bytes);
    assert_eq!(status, 1);
    assert!(findings[0].starts_with("CG001 random.yaml:"), "{findings:?}");
}

#[test]
fn nul_bytes_in_utf8_are_a_yaml_error() {
    let (status, findings) = check_values("nul.yaml", b"global:\n  security:\x00\x00\n");
    assert_eq!(status, 1);
    assert!(
        findings.iter().any(|f| f.starts_with("CG002 nul.yaml:2:")),
        "{findings:?}"
    );
}

#[test]
fn an_alias_bomb_is_rejected() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", [prev.as_str(); 9].join(", ")));
    }
    let (status, findings) = check_values("bomb.yaml", text.as_bytes());
    assert_eq!(status, 1);
    assert_eq!(
        findings.iter().filter(|f| f.starts_with("CG002 bomb.yaml:")).count(),
        1,
        "{findings:?}"
    );
}

#[test]
fn fifty_megabytes_of_yaml_are_over_the_limit() {
    let line = "key: value value value value value value value value value value value\n";
    let text = line.repeat(50 * 1024 * 1024 / line.len() + 1);
    assert!(text.len() > 50 * 1024 * 1024);
    let (status, findings) = check_values("huge.yaml", text.as_bytes());
    assert_eq!(status, 1);
    // The change is not known (CG404) when its values file could not be read.
    assert_eq!(findings, vec!["CG001 huge.yaml", "CG404 -"]);
}

#[test]
fn ten_thousand_levels_of_nesting_are_rejected() {
    // Indented block mappings this deep would pass the size limit first; compact sequences do not.
    let block = format!("a:\n{}x\n", "- ".repeat(10_000));
    let (status, findings) = check_values("deep.yaml", block.as_bytes());
    assert_eq!(status, 1);
    assert!(
        findings.iter().any(|f| f.starts_with("CG002 deep.yaml:2:")),
        "{findings:?}"
    );
    let indented: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    let (status, findings) = check_values("indented.yaml", indented.as_bytes());
    assert_eq!(status, 1);
    assert!(
        findings.iter().any(|f| f.starts_with("CG002 indented.yaml:129:")),
        "{findings:?}"
    );

    let flow = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let (status, findings) = check_values("flow.yaml", flow.as_bytes());
    assert_eq!(status, 1);
    assert!(
        findings.iter().any(|f| f.starts_with("CG002 flow.yaml:1:")),
        "{findings:?}"
    );
}

#[test]
fn a_hundred_thousand_keys_load() {
    let text: String = (0..100_000).map(|i| format!("k{i}: v\n")).collect();
    let (status, findings) = check_values("wide.yaml", text.as_bytes());
    // Nothing certificate-related changes, and nothing is wrong with the file.
    assert_eq!(status, 0, "{findings:?}");
    assert!(
        findings
            .iter()
            .all(|f| f.starts_with("CG507") || f.starts_with("CG503")),
        "{:?}",
        &findings[..3]
    );
}

#[test]
fn an_empty_previous_file_is_a_finding_but_null_is_an_empty_release() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.yaml"), "").unwrap();
    std::fs::write(dir.path().join("null.yaml"), "null\n").unwrap();
    std::fs::write(dir.path().join("braces.yaml"), "{}\n").unwrap();
    let set = "global.security.externalCertificateLabel=ext-1";
    let (status, findings) = run(
        dir.path(),
        &["check", "--previous", "empty.yaml", "--set", set, "--format", "json"],
    );
    assert_eq!((status, findings[0].as_str()), (1, "CG001 empty.yaml"));
    for ok in ["null.yaml", "braces.yaml"] {
        let (status, findings) = run(
            dir.path(),
            &["check", "--previous", ok, "--set", set, "--format", "json"],
        );
        assert_eq!(status, 0, "{ok}: {findings:?}");
    }
}

#[test]
fn unreadable_inputs_of_every_role_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("adir")).unwrap();
    let (status, findings) = run(
        dir.path(),
        &[
            "check",
            "-f",
            "adir",
            "--previous",
            "nope.yaml",
            "--configmap",
            "cm.yaml",
            "--chart",
            "adir",
            "--format",
            "json",
        ],
    );
    assert_eq!(status, 1);
    assert_eq!(
        findings,
        vec![
            "CG001 adir",
            "CG501 adir",
            "CG001 cm.yaml",
            "CG001 nope.yaml",
            "CG404 -"
        ]
    );
}
