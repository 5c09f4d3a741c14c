//! Snapshots of every output format (STYLE.md: "insta snapshots for rendered output … one snapshot
//! per output format over a shared fixture"): a few command-line cases of `tests/cases/`, each run
//! as written in text, json, sarif, junit and github (`certgate check`) and html and markdown
//! (`certgate audit`), the whole output pinned in `tests/snapshots/CASE.FORMAT.snap`.
//!
//! The cases cover a clean approval, errors that block the command, warnings only, suppressions
//! with reasons, a private key where a certificate belongs (the redaction), and several units from
//! one configuration. `tests/formats.rs` checks that the formats agree with each other; these pin
//! every byte of each, so a change to a renderer shows as a diff to review.
//!
//! Each case runs in a temporary copy of its folder (as `tests/cases.rs` runs it), with `--now`
//! in its arguments and relative paths, so no output depends on the clock or the directory. A new
//! or changed snapshot fails the test: review it with `cargo insta review`, or write them all with
//! `INSTA_UPDATE=always cargo test --test snapshots` and read the diff.

mod common;

use std::path::Path;

/// The cases, each named for what it shows.
const CASES: [&str; 7] = [
    // A clean approval: no finding, a command approved.
    "secret-approved-same-ca",
    // Files given as flags, a warning, and the approved command that passes them.
    "provided-files-same-ca-approved",
    // An error finding blocks the command.
    "cg101-label-invalid",
    // Warnings only: the command is approved, a certificate expires within the window.
    "cg307-cert-expires-soon",
    // A suppressed finding with its reason.
    "suppressions-with-reasons",
    // A private key where a certificate belongs: its lines are never quoted.
    "private-key-never-shown-in-frames",
    // Several release units from one configuration file.
    "config-directory-units",
];

/// The formats of `certgate check`, then those of `certgate audit`.
const CHECK_FORMATS: [&str; 5] = ["text", "json", "sarif", "junit", "github"];
const AUDIT_FORMATS: [&str; 2] = ["html", "markdown"];

/// Standard output of certgate in `dir` with `args`, as a string. The exit status is the case's
/// own, which `tests/cases.rs` holds it to.
fn output(dir: &Path, args: &[&str]) -> String {
    let out = common::certgate()
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        // The github format also appends the job summary there when it is set (as in CI).
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("certgate runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{stderr}");
    String::from_utf8(out.stdout).expect("the output is UTF-8")
}

/// Pieces of every private key the case made (`*.key`): each line of its PEM body, and a piece of
/// the whole file in base64 (as a values file carries it) past the header every key shares. No
/// output may hold any of them.
fn key_material(dir: &Path) -> Vec<String> {
    use base64::Engine as _;
    let mut pieces = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "key") {
            continue;
        }
        let pem = std::fs::read_to_string(&path).unwrap();
        pieces.extend(
            pem.lines()
                .filter(|l| !l.starts_with("-----") && l.len() >= 16)
                .map(str::to_string),
        );
        let encoded = base64::engine::general_purpose::STANDARD.encode(&pem);
        pieces.push(encoded[64..128].to_string());
    }
    pieces
}

fn snapshot_case(name: &str) {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases").join(name);
    let tmp = common::prepare_case(&case).unwrap();
    let text = std::fs::read_to_string(case.join("args")).unwrap();
    let args: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(args.first(), Some(&"check"), "{name}: a case of `certgate check`");
    let temp_dir = tmp.path().to_string_lossy().into_owned();
    let secrets = key_material(tmp.path());
    let formats = CHECK_FORMATS
        .iter()
        .map(|f| ("check", f))
        .chain(AUDIT_FORMATS.iter().map(|f| ("audit", f)));
    for (command, format) in formats {
        let mut run = vec![command];
        run.extend(&args[1..]);
        run.extend(["--format", format]);
        let out = output(tmp.path(), &run);
        // The github format prints nothing for a unit without findings: that is pinned too.
        assert!(
            !out.contains(&temp_dir),
            "{name}: {format} names the temporary directory"
        );
        for secret in &secrets {
            assert!(
                !out.contains(secret.as_str()),
                "{name}: {format} shows private key material"
            );
        }
        insta::with_settings!({
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("certgate {command} … --format {format} (tests/cases/{name})"),
        }, {
            insta::assert_snapshot!(format!("{name}.{format}"), out);
        });
    }
}

#[test]
fn secret_approved_same_ca() {
    snapshot_case(CASES[0]);
}

#[test]
fn provided_files_same_ca_approved() {
    snapshot_case(CASES[1]);
}

#[test]
fn cg101_label_invalid() {
    snapshot_case(CASES[2]);
}

#[test]
fn cg307_cert_expires_soon() {
    snapshot_case(CASES[3]);
}

#[test]
fn suppressions_with_reasons() {
    snapshot_case(CASES[4]);
}

#[test]
fn private_key_never_shown_in_frames() {
    snapshot_case(CASES[5]);
}

#[test]
fn config_directory_units() {
    snapshot_case(CASES[6]);
}

/// Every snapshot file belongs to a case and a format above: a renamed case leaves none behind.
#[test]
fn no_snapshot_is_orphaned() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let expected: Vec<String> = CASES
        .iter()
        .flat_map(|case| {
            CHECK_FORMATS
                .iter()
                .chain(&AUDIT_FORMATS)
                .map(move |format| format!("{case}.{format}.snap"))
        })
        .collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        // insta's own files for a changed snapshot awaiting review (`cargo insta review`).
        if file.ends_with(".snap.new") || file.ends_with(".pending-snap") {
            continue;
        }
        assert!(
            expected.contains(&file),
            "tests/snapshots/{file} belongs to no case and format"
        );
    }
}
