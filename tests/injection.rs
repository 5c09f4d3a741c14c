//! No user-supplied text can start a line of certgate's output (issue "Fail closed and never
//! leak"). GitHub Actions runs every line a step prints that starts with `::` as a workflow
//! command, and `##[` as the older form of one (GitHub Docs, "Workflow commands for GitHub
//! Actions"); the pre-commit hook prints the text format, CI the github one. Key names and a
//! release name carry line breaks followed by commands; every line certgate prints must still be
//! its own.

mod common;

use std::path::Path;

use common::scenario::{NOW, has, run_json, setup};

/// Quoted keys whose names hold `\n::error::…`, `\n::stop-commands::…`, `\r##[…` and, mid-line,
/// `##[stop-commands]…`, under `global.security` (lines 4 and 5) and under `tls` (lines 8 to 10).
const VALUES: &str = r#"global:
  security:
    externalCertificateLabel: new1
    "b\n::stop-commands::x": 1
    "d\r##[error]y": 1
tls:
  type: selfsigned
  "a\n::error::pwned": 1
  "c\r\n::warning::z": 1
  "e##[stop-commands]tok": 1
"#;

const RELEASE: &str = "es\n::error::x";

fn args(format: &str) -> Vec<&str> {
    vec![
        "check",
        "--previous",
        "prev.yaml",
        "-f",
        "new.yaml",
        "--release",
        RELEASE,
        "--chart",
        "ibm-eventstreams-prod-1.4.0.tgz",
        "--now",
        NOW,
        "--format",
        format,
    ]
}

fn hostile_dir() -> tempfile::TempDir {
    let dir = setup();
    std::fs::write(dir.path().join("new.yaml"), VALUES).unwrap();
    dir
}

/// Run `args` in `dir` with the job summary going to `summary`: exit status and standard output.
fn run(dir: &Path, args: &[&str], summary: &Path) -> (i32, String, String) {
    let out = common::certgate()
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("GITHUB_STEP_SUMMARY", summary)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Every line of `text` GitHub's runner would read as a workflow command: it ends a line at `\n`
/// and at `\r`, and takes a line that starts with `::` after white space, or holds `##[` anywhere
/// (actions/runner, `ActionCommand.TryParseV2` and `TryParse`).
fn commands(text: &str) -> Vec<&str> {
    text.split(['\n', '\r'])
        .filter(|l| l.trim_start().starts_with("::") || l.contains("##["))
        .collect()
}

#[test]
fn the_findings_are_where_the_hostile_keys_are() {
    let dir = hostile_dir();
    let (code, report) = run_json(dir.path(), &args("json")[..11]);
    assert_eq!(code, 1, "{report}");
    for line in [
        "CG211 new.yaml:4:5",
        "CG211 new.yaml:5:5",
        "CG211 new.yaml:8:3",
        "CG211 new.yaml:9:3",
        "CG211 new.yaml:10:3",
        "CG502 (--release es\n::error::x)",
    ] {
        assert!(has(&report, line), "{line}: {report:#}");
    }
}

#[test]
fn text_output_has_no_line_of_user_text() {
    let dir = hostile_dir();
    let summary = dir.path().join("summary.md");
    let (code, out, err) = run(dir.path(), &args("text"), &summary);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(commands(&out), Vec::<&str>::new(), "{out}");
    assert_eq!(commands(&err), Vec::<&str>::new(), "{err}");
    assert!(!out.contains('\r'), "{out}");
    // Each hostile key is one finding on one line, at its place, written visibly.
    for (title, at) in [
        (
            r"warning[CG211]: unknown-key: b\n::stop-commands::x is not a key of global.security",
            "new.yaml:4:5",
        ),
        (
            r"warning[CG211]: unknown-key: d\r\u{23}#[error]y is not a key of global.security",
            "new.yaml:5:5",
        ),
        (
            r"warning[CG211]: unknown-key: a\n::error::pwned is not a key of tls",
            "new.yaml:8:3",
        ),
        (
            r"warning[CG211]: unknown-key: c\r\n::warning::z is not a key of tls",
            "new.yaml:9:3",
        ),
        (
            r"warning[CG211]: unknown-key: e\u{23}#[stop-commands]tok is not a key of tls",
            "new.yaml:10:3",
        ),
    ] {
        let at = format!(" --> {at}\n");
        let found = out
            .split("\n\n")
            .any(|frame| frame.lines().next().is_some_and(|l| l.starts_with(title)) && frame.contains(&at));
        assert!(found, "{title} at {at}: {out}");
    }
    assert!(out.contains(r"= note: from --release es\n::error::x"), "{out}");
    assert!(!summary.exists(), "the job summary is github format's");
}

#[test]
fn github_annotations_are_one_command_each() {
    let dir = hostile_dir();
    let summary = dir.path().join("summary.md");
    let (code, out, err) = run(dir.path(), &args("github"), &summary);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!out.contains('\r'), "{out}");
    assert_eq!(commands(&err), Vec::<&str>::new(), "{err}");
    // Every line is one of certgate's own annotations: `::error`, `::warning` or `::notice`,
    // properties with no raw `:` (escaped as `%3A`), then `::` and the data; none holds the
    // older form anywhere.
    for line in out.lines() {
        assert!(!line.contains("##["), "{line:?}");
        let rest = line
            .strip_prefix("::")
            .unwrap_or_else(|| panic!("not a command: {line:?}"));
        let (head, data) = rest.split_once("::").unwrap_or_else(|| panic!("no data: {line:?}"));
        let (command, _properties) = head.split_once(' ').unwrap_or((head, ""));
        assert!(["error", "warning", "notice"].contains(&command), "{line:?}");
        assert!(!data.is_empty(), "{line:?}");
    }
    let expected = [
        r"::warning file=new.yaml,line=4,col=5,title=CG211 unknown-key::b\n::stop-commands::x is not a key of global.security",
        r"::warning file=new.yaml,line=5,col=5,title=CG211 unknown-key::d\r\u{23}#[error]y is not a key of global.security",
        r"::warning file=new.yaml,line=8,col=3,title=CG211 unknown-key::a\n::error::pwned is not a key of tls",
        r"::warning file=new.yaml,line=9,col=3,title=CG211 unknown-key::c\r\n::warning::z is not a key of tls",
        r"::warning file=new.yaml,line=10,col=3,title=CG211 unknown-key::e\u{23}#[stop-commands]tok is not a key of tls",
    ];
    for prefix in expected {
        assert_eq!(
            out.lines().filter(|l| l.starts_with(prefix)).count(),
            1,
            "{prefix}: {out}"
        );
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("::error title=CG502 release-name-invalid::")
                && l.contains(r"(from --release es\n::error::x)%0Ahelp: ")),
        "{out}"
    );

    let md = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(commands(&md), Vec::<&str>::new(), "{md}");
    assert!(md.starts_with(r"## certgate: es\\n::error::x"), "{md}");
    assert!(
        md.contains(r"| warning | CG211 unknown-key | new.yaml:8:3 | a\\n::error::pwned is not"),
        "{md}"
    );
}

/// The pre-commit hook runs `certgate check --base HEAD --` and pre-commit appends the changed
/// files' names: after `--`, a committed file named `--config=evil.yaml` is a PATH. Read as an
/// option, it would swap certgate.yaml for `evil.yaml`, which turns CG101 off.
#[test]
fn a_file_named_like_an_option_after_the_separator_is_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::write_charts(d);
    std::fs::write(
        d.join("certgate.yaml"),
        "releases:\n  - name: es1\n    chart: ibm-eventstreams-prod-1.4.0.tgz\n    values: [values.yaml]\n",
    )
    .unwrap();
    std::fs::write(
        d.join("values.yaml"),
        "global:\n  security:\n    externalCertificateLabel: my label\n",
    )
    .unwrap();
    let evil = "releases:\n  - name: es1\n    chart: ibm-eventstreams-prod-1.4.0.tgz\n    values: [values.yaml]\npolicy:\n  rules: {CG101: off}\n";
    std::fs::write(d.join("evil.yaml"), evil).unwrap();
    std::fs::write(d.join("--config=evil.yaml"), evil).unwrap();

    let run = |args: &[&str]| {
        let mut a = vec!["check", "--now", NOW, "--format", "json"];
        a.extend(args);
        let out = common::run_in(d, &a);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (
            out.status.code().unwrap(),
            report,
            String::from_utf8(out.stderr).unwrap(),
        )
    };

    let (code, report, err) = run(&["--", "--config=evil.yaml", "values.yaml"]);
    assert_eq!(code, 1, "{report:#}{err}");
    assert_eq!(
        common::finding_lines(&report),
        ["CG101 values.yaml:3:31", "CG404 -"],
        "{report:#}"
    );
    let inputs = report["inputs"].as_array().unwrap();
    assert!(
        inputs
            .iter()
            .any(|i| i["role"] == "config" && i["path"] == "certgate.yaml"),
        "{report:#}"
    );
    assert!(!inputs.iter().any(|i| i["path"] == "evil.yaml"), "{report:#}");
    assert!(
        err.contains("--config=evil.yaml is not read by any release unit"),
        "{err}"
    );

    // Without the separator it is the option, and CG101 is gone: why the hook passes `--`.
    let (code, report, _) = run(&["--config=evil.yaml", "values.yaml"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(common::finding_lines(&report), ["CG404 -"], "{report:#}");
}
