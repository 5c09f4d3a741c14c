//! Command-line cases as files: each folder in `tests/cases/` holds the arguments (`args`, one per
//! line), the inputs, the expected exit status, findings (`CODE FILE:LINE:COL`) and approved command
//! (`expected`), and the text output (`stdout`). Every case runs twice: as written (text output
//! compared byte for byte) and with `--format json` (the report validated against
//! `schemas/report.schema.json`, findings and command compared). A case with a `server` file runs
//! against a real TLS server on loopback (`common::server::for_case`).
//!
//! Each case runs in a temporary copy of its folder holding the chart archives built from the real
//! chart (see `common::write_charts`). `CERTGATE_BLESS=1` rewrites `expected` and `stdout` from the
//! actual output: review the diff before committing it.

mod common;

use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

fn report_validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schemas/report.schema.json")).expect("report schema is JSON");
    jsonschema::validator_for(&schema).expect("report schema compiles")
}

struct Expected {
    exit: i32,
    findings: Vec<String>,
    command: Option<String>,
    verdict: Option<String>,
}

fn parse_expected(text: &str) -> Expected {
    let mut exit = -1;
    let mut findings = Vec::new();
    let mut command = None;
    let mut verdict = None;
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        if let Some(code) = line.strip_prefix("exit ") {
            exit = code.trim().parse().expect("exit status");
        } else if let Some(v) = line.strip_prefix("verdict: ") {
            verdict = Some(v.to_string());
        } else if let Some(cmd) = line.strip_prefix("command: ") {
            command = (cmd != "null").then(|| cmd.to_string());
        } else {
            findings.push(line.to_string());
        }
    }
    Expected {
        exit,
        findings,
        command,
        verdict,
    }
}

fn render_expected(exit: i32, findings: &[String], command: Option<&str>, verdict: Option<&str>) -> String {
    let mut out = format!("exit {exit}\n");
    if let Some(v) = verdict {
        out.push_str(&format!("verdict: {v}\n"));
    }
    for f in findings {
        out.push_str(f);
        out.push('\n');
    }
    out.push_str(&format!("command: {}\n", command.unwrap_or("null")));
    out
}

fn run_case(case: &Path, validator: &jsonschema::Validator, bless: bool) -> Result<(), String> {
    let tmp = common::prepare_case(case)?;
    let server = common::server::for_case(case, tmp.path())?;
    let args_text = std::fs::read_to_string(case.join("args")).map_err(|e| format!("args: {e}"))?;
    let args_text = common::server::with_port(&args_text, server.as_ref());
    let args: Vec<&str> = args_text.lines().filter(|l| !l.starts_with('#')).collect();
    // The port is the kernel's choice: the output says `{PORT}` where it says the server's address.
    let unport = |text: String| match &server {
        Some(s) => text.replace(&format!("127.0.0.1:{}", s.port), "127.0.0.1:{PORT}"),
        None => text,
    };

    let text = common::run_in(tmp.path(), &args);
    let status = text.status.code().unwrap_or(-1);
    let stdout = unport(String::from_utf8_lossy(&text.stdout).into_owned());
    let stderr = String::from_utf8_lossy(&text.stderr).into_owned();
    if stderr.contains("panicked") {
        return Err(format!("panicked:\n{stderr}"));
    }

    let mut json_args = args.clone();
    let wants_json = args.first() == Some(&"check")
        && !args
            .iter()
            .any(|a| a.starts_with("--format") || *a == "--show-config" || *a == "--quiet")
        && status != 2;
    json_args.extend(["--format", "json"]);
    let (findings, command, verdict) = if wants_json {
        let out = common::run_in(tmp.path(), &json_args);
        if out.status.code() != Some(status) {
            return Err(format!(
                "--format json exits {:?}, text exits {status}",
                out.status.code()
            ));
        }
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).map_err(|e| format!("JSON report does not parse: {e}"))?;
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if !errors.is_empty() {
            return Err(format!("JSON report does not match the schema: {errors:?}"));
        }
        let command = match &report {
            serde_json::Value::Array(_) => None,
            r => r["upgrade_command"].as_str().map(str::to_string),
        };
        // The client impact verdict and the documentation scenario that decided it.
        let verdict = match &report {
            serde_json::Value::Array(_) => None,
            r => Some(format!(
                "{} ({})",
                r["client_impact"]["verdict"].as_str().unwrap_or("?"),
                r["client_impact"]["scenario"].as_str().unwrap_or("?")
            )),
        };
        let findings = common::finding_lines(&report).into_iter().map(unport).collect();
        (findings, command, verdict)
    } else {
        (Vec::new(), None, None)
    };

    if bless {
        std::fs::write(case.join("stdout"), &stdout).map_err(|e| e.to_string())?;
        std::fs::write(
            case.join("expected"),
            render_expected(status, &findings, command.as_deref(), verdict.as_deref()),
        )
        .map_err(|e| e.to_string())?;
        return Ok(());
    }
    let expected =
        parse_expected(&std::fs::read_to_string(case.join("expected")).map_err(|e| format!("expected: {e}"))?);
    let mut problems = Vec::new();
    if status != expected.exit {
        problems.push(format!("exit {status}, expected {}\nstderr: {stderr}", expected.exit));
    }
    if wants_json {
        if findings != expected.findings {
            problems.push(format!(
                "findings:\n  got      {findings:?}\n  expected {:?}",
                expected.findings
            ));
        }
        if command != expected.command {
            problems.push(format!(
                "command:\n  got      {command:?}\n  expected {:?}",
                expected.command
            ));
        }
        if verdict != expected.verdict {
            problems.push(format!(
                "verdict:\n  got      {verdict:?}\n  expected {:?}",
                expected.verdict
            ));
        }
    }
    let want_stdout = std::fs::read_to_string(case.join("stdout")).map_err(|e| format!("stdout: {e}"))?;
    if stdout != want_stdout {
        problems.push(format!(
            "stdout differs:\n--- expected\n{want_stdout}\n--- got\n{stdout}"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn command_line_cases() {
    let bless = std::env::var_os("CERTGATE_BLESS").is_some();
    let validator = report_validator();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            run_case(case, &validator, bless)
                .err()
                .map(|e| format!("case {}:\n{e}", case.file_name().unwrap().to_string_lossy()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Every rule of the built-in pack fires in at least one command-line case (STYLE: "a registry test
/// that every rule has a test case").
#[test]
fn every_rule_has_a_case() {
    let mut seen = std::collections::BTreeSet::new();
    for case in common::cases() {
        let Ok(text) = std::fs::read_to_string(case.join("expected")) else {
            continue;
        };
        for finding in parse_expected(&text).findings {
            let finding = finding.trim_start_matches("suppressed ");
            if let Some(code) = finding.split_whitespace().next().filter(|c| c.starts_with("CG")) {
                seen.insert(code.to_string());
            }
        }
    }
    let missing: Vec<&str> = certgate::rules::builtin()
        .iter()
        .map(|r| &*r.meta.code)
        .filter(|code| !seen.contains(*code))
        .collect();
    assert!(missing.is_empty(), "rules without a command-line case: {missing:?}");
}
