//! Private key material put where it does not belong never reaches any output: one test per way a
//! careless user or an attacker gets a key into certgate's inputs (issue "Fail closed and never
//! leak"). Each runs certgate in every format (and as an audit report), and searches standard
//! output, standard error, the `--output` file and the GitHub job summary for any 16-character run
//! of the key: of its DER in base64 (the PEM body) and of the base64 of its PEM file (as `tls.key`
//! takes it).

mod common;

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::scenario::{NOW, approved, args, codes, has, key_pem, provided, setup};

/// The PEM body of a key, on one line.
fn body(pem: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}

/// Every 16-character run of a key's material: its body, and the base64 of its PEM file without
/// the runs that encode only the `-----BEGIN`/`-----END` lines (the same for every key).
fn windows(pem: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = body(pem);
    let p = STANDARD.encode(pem);
    for (text, skip) in [(b.as_str(), 0), (p.as_str(), 44)] {
        let bytes = text.as_bytes();
        for start in skip..bytes.len().saturating_sub(16 + skip) {
            out.push(String::from_utf8_lossy(&bytes[start..start + 16]).into_owned());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `s` wrapped at 76 columns, as GNU base64 writes it, each line indented.
fn wrapped(s: &str, indent: &str) -> String {
    s.as_bytes()
        .chunks(76)
        .map(|c| format!("{indent}{}", std::str::from_utf8(c).unwrap()))
        .collect::<Vec<_>>()
        .join("\n")
}

struct Run {
    status: i32,
    report: serde_json::Value,
}

/// Run `args` in `dir` in every format, assert no output holds `pem`'s material, and return the
/// exit status and the JSON report.
fn run_all_formats(dir: &Path, args: &[&str], pem: &str) -> Run {
    let needles = windows(pem);
    let summary = dir.join("summary.md");
    let mut json = None;
    let mut status = None;
    let mut runs: Vec<Vec<String>> = Vec::new();
    for format in ["text", "json", "sarif", "junit", "github"] {
        let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        a.extend(["--format", format, "--output", "report.out", "--format", "text"].map(String::from));
        runs.push(a);
    }
    for format in ["html", "markdown"] {
        let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        a[0] = "audit".into();
        a.extend(["--format", format, "--output", "report.out"].map(String::from));
        runs.push(a);
    }
    for run in &runs {
        let _ = std::fs::remove_file(dir.join("report.out"));
        let out = common::certgate()
            .current_dir(dir)
            .args(run)
            .env("NO_COLOR", "1")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap();
        let written = std::fs::read_to_string(dir.join("report.out")).unwrap_or_default();
        let summary_text = std::fs::read_to_string(&summary).unwrap_or_default();
        for (what, text) in [
            ("stdout", String::from_utf8_lossy(&out.stdout).into_owned()),
            ("stderr", String::from_utf8_lossy(&out.stderr).into_owned()),
            ("--output", written.clone()),
            ("job summary", summary_text),
        ] {
            if let Some(n) = needles.iter().find(|n| text.contains(n.as_str())) {
                panic!("{run:?}: {what} holds key material {n:?}:\n{text}");
            }
        }
        if run.iter().any(|a| a == "json") {
            status = out.status.code();
            json = serde_json::from_str(&written).ok();
        }
    }
    Run {
        status: status.unwrap(),
        report: json.unwrap_or(serde_json::Value::Null),
    }
}

#[test]
fn a_wrapped_key_is_cg207_and_never_shown_even_when_suppressed() {
    for name in ["ed25519", "ec256", "leaf"] {
        let pem = key_pem(name);
        let dir = setup();
        let value = format!("|\n{}", wrapped(&STANDARD.encode(&pem), "    "));
        std::fs::write(dir.path().join("new.yaml"), provided(&value)).unwrap();
        let run = run_all_formats(dir.path(), &args(&["-f", "new.yaml"]), &pem);
        assert_eq!(run.status, 1, "{name}");
        assert!(
            has(&run.report, "CG207 new.yaml:6:8"),
            "{name}: {:?}",
            codes(&run.report)
        );
        assert!(!approved(&run.report));

        let suppressed = provided(&value).replace("  key: |", "  # certgate: ignore CG207 -- testing\n  key: |");
        std::fs::write(dir.path().join("new.yaml"), suppressed).unwrap();
        let run = run_all_formats(dir.path(), &args(&["-f", "new.yaml"]), &pem);
        assert!(
            has(&run.report, "suppressed CG207 new.yaml:7:8 -- testing"),
            "{name}: {:?}",
            codes(&run.report)
        );
    }
}

#[test]
fn a_wrapped_key_in_the_previous_values_or_a_secret_is_never_shown() {
    let pem = key_pem("ec256");
    let dir = setup();
    let prev = format!(
        "global:\n  security:\n    externalCertificateLabel: old1\ntls:\n  type: provided\n  key: |\n{}\n",
        wrapped(&STANDARD.encode(&pem), "    ")
    );
    std::fs::write(dir.path().join("prev.yaml"), prev).unwrap();
    std::fs::write(
        dir.path().join("new.yaml"),
        "global:\n  security:\n    externalCertificateLabel: new1\ntls:\n  type: secret\n  secretName: es-tls\n",
    )
    .unwrap();
    let run = run_all_formats(dir.path(), &args(&["-f", "new.yaml"]), &pem);
    assert!(has(&run.report, "CG205 prev.yaml:6:8"), "{:?}", codes(&run.report));
    assert!(!approved(&run.report));

    let dir = setup();
    std::fs::write(
        dir.path().join("new.yaml"),
        "global:\n  security:\n    externalCertificateLabel: new1\ntls:\n  type: secret\n  secretName: es-tls\n",
    )
    .unwrap();
    let secret = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: es-tls\ndata:\n  key: |\n{}\n  cert: Y2VydA==\n  cacert: Y2VydA==\n",
        wrapped(&STANDARD.encode(&pem), "    ")
    );
    std::fs::write(dir.path().join("secret.yaml"), secret).unwrap();
    let run = run_all_formats(dir.path(), &args(&["-f", "new.yaml", "--secret", "secret.yaml"]), &pem);
    assert_eq!(run.status, 1, "{:?}", codes(&run.report));
    assert!(!approved(&run.report));
}

#[test]
fn a_pem_body_without_its_lines_and_yaml_errors_beside_a_key_are_never_shown() {
    let pem = key_pem("ed25519");
    let b64 = STANDARD.encode(&pem);
    let cases = [
        // A PEM body pasted without -----BEGIN/-----END.
        provided(&format!("|\n{}", wrapped(&body(&pem), "    "))),
        // A syntax error on the line after a key (CG002).
        format!("{}  oops: [unclosed\n", provided(&b64)),
        // A duplicate key beside a key (CG003).
        provided(&b64).replace("  cert: Y2VydA==\n", &format!("  key: {b64}\n  cert: Y2VydA==\n")),
    ];
    for (i, text) in cases.iter().enumerate() {
        let dir = setup();
        std::fs::write(dir.path().join("new.yaml"), text).unwrap();
        let run = run_all_formats(dir.path(), &args(&["-f", "new.yaml"]), &pem);
        assert_eq!(run.status, 1, "case {i}: {:?}", codes(&run.report));
        assert!(!approved(&run.report), "case {i}");
    }
}

#[test]
fn a_key_file_given_to_the_wrong_option_is_never_shown() {
    let pem = key_pem("ec256");
    for option in [
        "-f",
        "--previous",
        "--secret",
        "--configmap",
        "--cert",
        "--cacert",
        "--previous-cacert",
    ] {
        let dir = setup();
        std::fs::write(dir.path().join("k.pem"), &pem).unwrap();
        std::fs::write(
            dir.path().join("new.yaml"),
            "global:\n  security:\n    externalCertificateLabel: new1\n",
        )
        .unwrap();
        let mut a = args(&["-f", "new.yaml"]);
        if option == "--previous" {
            a[2] = "k.pem";
        } else {
            a.extend([option, "k.pem"]);
        }
        let run = run_all_formats(dir.path(), &a, &pem);
        assert_eq!(run.status, 1, "{option}: {:?}", codes(&run.report));
        assert!(!approved(&run.report), "{option}");
    }
    // --config: a key where certgate.yaml belongs.
    let dir = setup();
    std::fs::write(dir.path().join("k.pem"), &pem).unwrap();
    let run = run_all_formats(dir.path(), &["check", "--config", "k.pem", "--now", NOW], &pem);
    assert_eq!(run.status, 1);
}

#[test]
fn values_quoted_in_messages_are_never_key_material() {
    let pem = key_pem("ed25519");
    let b64 = STANDARD.encode(&pem);
    let new = |extra: &str| format!("global:\n  security:\n    externalCertificateLabel: new1\n{extra}");
    let cases: Vec<(String, Vec<String>)> = vec![
        // A key under the wrong paths.
        (new(&format!("tls:\n  type: {b64}\n")), vec![]),
        (new(&format!("tls:\n  type: secret\n  secretName: {b64}\n")), vec![]),
        (
            format!("global:\n  security:\n    externalCertificateLabel: {b64}\n"),
            vec![],
        ),
        (new(&format!("tls:\n  {b64}: x\n")), vec![]),
        // The documented provided -> secret migration with the old one-line key lingering (CG213).
        (
            new("tls:\n  type: secret\n  secretName: es-tls\n"),
            vec!["--secret".into(), "secret.yaml".into()],
        ),
        // --command words and a bare --set.
        (
            new(""),
            vec![
                "--command".into(),
                format!(
                    "helm upgrade --reuse-values --set tls.type=provided,tls.key={b64} es1 ibm-eventstreams-prod-1.4.0.tgz --tls"
                ),
            ],
        ),
        (new(""), vec!["--set".into(), b64.clone()]),
        (
            new(""),
            vec!["--set".into(), format!("tls.key={}", &b64[..b64.len() - 1])],
        ),
        // A path that is a key (CG001) and a key pasted where a path belongs.
        (new(""), vec!["--cert".into(), b64.clone()]),
        (new(""), vec!["--key".into(), pem.clone()]),
    ];
    for (i, (values, extra)) in cases.iter().enumerate() {
        let dir = setup();
        std::fs::write(
            dir.path().join("prev.yaml"),
            format!("global:\n  security:\n    externalCertificateLabel: old1\ntls:\n  type: provided\n  key: {b64}\n  cert: Y2VydA==\n  cacert: Y2VydA==\n"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("secret.yaml"),
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: es-tls\ndata:\n  tls.crt: Y2VydA==\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("new.yaml"), values).unwrap();
        let mut a = args(&["-f", "new.yaml"]);
        a.extend(extra.iter().map(String::as_str));
        let run = run_all_formats(dir.path(), &a, &pem);
        assert_ne!(run.status, 0, "case {i}: {:?}", codes(&run.report));
        assert!(!approved(&run.report), "case {i}");
    }
}

#[test]
fn a_rule_file_that_is_a_key_is_cg005_and_never_shown() {
    let pem = key_pem("leaf");
    let dir = setup();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::write(dir.path().join("rules/org.yaml"), &pem).unwrap();
    std::fs::write(
        dir.path().join("new.yaml"),
        "global:\n  security:\n    externalCertificateLabel: new1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("certgate.yaml"),
        "releases:\n  - name: es1\n    chart: ibm-eventstreams-prod-1.4.0.tgz\n    values: [new.yaml]\n    previous: prev.yaml\nrules_dirs: [rules]\n",
    )
    .unwrap();
    let run = run_all_formats(dir.path(), &["check", ".", "--now", NOW], &pem);
    assert_eq!(run.status, 1);
    assert!(
        codes(&run.report).iter().any(|l| l.starts_with("CG005 rules/org.yaml")),
        "{:?}",
        codes(&run.report)
    );
}
