//! `certgate audit` with the rollout plan and the client trust bundle (issue 19, item 4), and
//! `certgate verify-approval` over the bundle's files: the ca-changed case of
//! `tests/plan_cases`, its certificates made by its `setup.sh`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

fn case_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plan_cases/ca-changed")
}

/// The case's arguments with `plan` replaced by `command`, then `extra`.
fn args(command: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = std::fs::read_to_string(case_dir().join("args"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    args[0] = command.to_string();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn run(dir: &Path, args: &[String]) -> Output {
    let all: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::run_in(dir, &all);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    out
}

/// A certificate's SHA-256 as `openssl` gives it, lowercase hex without colons.
fn fingerprint(dir: &Path, pem: &str) -> String {
    let out = std::process::Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in", pem])
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let hex = text.trim().rsplit('=').next().unwrap();
    hex.replace(':', "").to_ascii_lowercase()
}

/// The audit of the case in `format`, with `extra` options, and its exit status.
fn audit(dir: &Path, format: &str, extra: &[&str]) -> (i32, String) {
    let mut e = vec!["--format", format];
    e.extend(extra);
    let out = run(dir, &args("audit", &e));
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn the_audit_of_a_ca_rotation_shows_its_steps_and_both_cas_with_fingerprints() {
    let tmp = common::prepare_case(&case_dir()).unwrap();
    let dir = tmp.path();
    let (old, new) = (fingerprint(dir, "oldca.pem"), fingerprint(dir, "ca.pem"));
    assert_eq!((old.len(), new.len()), (64, 64));
    for format in ["html", "markdown"] {
        let (status, doc) = audit(dir, format, &[]);
        std::fs::write(format!("/tmp/g/audit.{format}"), &doc).ok();
        assert_eq!(status, 0, "{doc}");
        for heading in ["Rollout plan", "Client trust bundle"] {
            assert_eq!(doc.matches(heading).count(), 1, "{format}: {heading}");
        }
        // The four phases in order, with who runs them, what to check, and how to roll back.
        let at = |s: &str| doc.find(s).unwrap_or_else(|| panic!("{format}: no {s:?}"));
        let titles = [
            "Give every client the trust bundle of the old and the new CA",
            "Check that every client trusts the bundle",
            "Run the approved command",
            "Drop the old CA from the clients",
        ];
        assert!(
            titles.windows(2).all(|w| at(w[0]) < at(w[1])),
            "{format}: steps out of order"
        );
        for s in [
            "client owners",
            "platform team",
            "helm upgrade --reuse-values",
            "helm rollback eventstreams1 PREVIOUS_REVISION --tls",
            "keytool -list -keystore client-truststore.p12",
            "not before 2026-12-27T00:00:00Z",
        ] {
            at(s);
        }
        // Both CAs, with their sides, subjects and fingerprints, the old one first.
        let bundle = &doc[at("Client trust bundle")..];
        let (o, n) = (bundle.find(&old), bundle.find(&new));
        assert!(
            o.is_some() && n.is_some() && o < n,
            "{format}: both CAs, the old one first: {bundle}"
        );
        for s in [
            "old",
            "new",
            "CN=Old Root CA",
            "CN=Example Root CA",
            "2030-01-01T00:00:00Z",
        ] {
            assert!(bundle.contains(s), "{format}: {s}");
        }
        // The files, with their digests, said not to be written without --output-dir.
        at("client-truststore.pem");
        at("client-truststore.p12");
        at("not written: no --output-dir");
        at("PKCS#12 password: none");
    }
}

/// Characters HTML and Markdown each escape their own way (`&`, `"`, `<`, `_`, `|`).
const PASSWORD: &str = "Tr0ub_4dor&3\"<au|dit>";

/// Every 8-character run of the password as given and as each audit format escapes it.
fn password_windows() -> Vec<String> {
    let html = PASSWORD
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    let md = PASSWORD.replace('_', "\\_").replace('|', "\\|");
    let mut out = Vec::new();
    for form in [PASSWORD.to_string(), html, md] {
        let chars: Vec<char> = form.chars().collect();
        out.extend(chars.windows(8).map(|w| w.iter().collect::<String>()));
    }
    out
}

#[test]
fn the_trust_store_password_never_reaches_the_audit() {
    let tmp = common::prepare_case(&case_dir()).unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("pw.txt"), format!("{PASSWORD}\n")).unwrap();
    // Also typed where a value belongs: the audit quotes an invalid label in its finding.
    let label = format!("global.security.externalCertificateLabel={PASSWORD}");
    for extra in [&[][..], &["--set", label.as_str()][..]] {
        for format in ["html", "markdown"] {
            let mut e = vec!["--truststore-password-file", "pw.txt", "--output-dir", "out"];
            e.extend(extra);
            e.extend(["--output", "audit.out"]);
            let mut all = vec!["--format", format];
            all.extend(e);
            let out = run(dir, &args("audit", &all));
            let written = std::fs::read_to_string(dir.join("audit.out")).unwrap();
            let texts = [
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
                written.clone(),
            ];
            for w in password_windows() {
                for t in &texts {
                    assert!(!t.contains(&w), "{format} {extra:?}: {w:?} in {t}");
                }
            }
            if extra.is_empty() {
                assert!(written.contains("PKCS#12 password: set"), "{format}: {written}");
            } else {
                // The label's finding was there to leak it, and was filtered.
                assert!(written.contains("[redacted: "), "{format}: {written}");
            }
        }
    }
}

/// `certgate verify-approval FILE` in `dir`: its exit status and standard output.
fn verify_approval(dir: &Path, file: &str) -> (i32, String) {
    let out = run(dir, &["verify-approval".to_string(), file.to_string()]);
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn verify_approval_re_hashes_the_bundle_a_plan_wrote() {
    let tmp = common::prepare_case(&case_dir()).unwrap();
    let dir = tmp.path();
    let plan = args(
        "plan",
        &["--output-dir", "out", "--format", "json", "--output", "plan.json"],
    );
    assert_eq!(run(dir, &plan).status.code(), Some(0));
    let (status, out) = verify_approval(dir, "plan.json");
    assert_eq!(status, 0, "{out}");
    for f in ["out/client-truststore.pem", "out/client-truststore.p12"] {
        assert!(out.contains(&format!("unchanged  {f} (client trust bundle)")), "{out}");
    }
    assert!(out.contains("All 2 inputs are as approved."), "{out}");

    // One byte more in the PKCS#12 store: named, the PEM still as approved.
    let p12 = dir.join("out/client-truststore.p12");
    let mut bytes = std::fs::read(&p12).unwrap();
    bytes.push(0);
    std::fs::write(&p12, &bytes).unwrap();
    let (status, out) = verify_approval(dir, "plan.json");
    assert_eq!(status, 1, "{out}");
    assert!(
        out.contains("CHANGED    out/client-truststore.p12 (client trust bundle): its sha256 differs"),
        "{out}"
    );
    assert!(out.contains("unchanged  out/client-truststore.pem"), "{out}");
    assert!(out.contains("1 of 2 inputs changed since approval"), "{out}");

    // A missing file is a changed input (SPEC: exit 1, saying which), as a missing values file is.
    std::fs::remove_file(&p12).unwrap();
    let (status, out) = verify_approval(dir, "plan.json");
    assert_eq!(status, 1, "{out}");
    assert!(
        out.contains("CHANGED    out/client-truststore.p12 (client trust bundle): "),
        "{out}"
    );
}

#[test]
fn a_plan_that_wrote_no_file_has_nothing_to_verify() {
    let tmp = common::prepare_case(&case_dir()).unwrap();
    let dir = tmp.path();
    let plan = args("plan", &["--format", "json", "--output", "plan.json"]);
    assert_eq!(run(dir, &plan).status.code(), Some(0));
    let out = run(dir, &["verify-approval".to_string(), "plan.json".to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lists no inputs to verify"));
}

#[test]
fn the_audit_names_the_bundle_files_it_wrote_with_their_digests() {
    let tmp = common::prepare_case(&case_dir()).unwrap();
    let dir = tmp.path();
    let (status, doc) = audit(dir, "markdown", &["--output-dir", "out"]);
    assert_eq!(status, 0, "{doc}");
    for name in ["client-truststore.pem", "client-truststore.p12"] {
        let bytes = std::fs::read(dir.join("out").join(name)).unwrap();
        let digest = certgate::source::files::sha256_hex(&bytes);
        let row = format!("| `{name}` | `{digest}` | `out/{name}` |");
        assert!(doc.contains(&row), "{row} not in {doc}");
    }
    assert!(!doc.contains("not written"), "{doc}");
}

#[test]
fn an_audit_whose_bundle_cannot_be_written_says_so_and_fails() {
    let tmp = common::prepare_case(&case_dir()).unwrap();
    let dir = tmp.path();
    // A file where the directory should be: nothing can be written under it.
    std::fs::write(dir.join("out"), "not a directory").unwrap();
    let (status, doc) = audit(dir, "html", &["--output-dir", "out"]);
    assert_eq!(status, 1, "{doc}");
    assert!(
        doc.contains("<strong>No rollout plan:</strong> the client trust bundle cannot be written to out"),
        "{doc}"
    );
    assert!(!doc.contains("Client trust bundle"), "{doc}");
    assert_eq!(std::fs::read_to_string(dir.join("out")).unwrap(), "not a directory");
}
