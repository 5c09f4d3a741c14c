//! Limits and failure modes (SPEC §4): a closed pipe, a write that fails (no half-written report),
//! too many PEM blocks, and what a walk over rule directories meets: symlink loops, directories and
//! FIFOs named like rule files.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

fn example_args() -> Vec<&'static str> {
    vec!["check", "examples/rotation", "--now", "2026-11-27T00:00:00Z"]
}

/// Run `script` with bash in `dir` (for `ulimit` and `umask`, which apply to certgate only when a
/// shell sets them before exec): the exit status and standard error.
fn bash_in(dir: &std::path::Path, script: &str) -> (Option<i32>, String) {
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Run certgate in `dir` under a reader that goes away after the first byte (like `| head -c1`):
/// that byte, the exit status and standard error.
fn read_one_byte_then_close(dir: &std::path::Path, args: &[&str]) -> (u8, Option<i32>, String) {
    let mut child = common::certgate()
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut one = [0u8; 1];
    stdout.read_exact(&mut one).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    (
        one[0],
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_stops_quietly_and_keeps_the_status() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let args = [example_args(), vec!["--format", "sarif"]].concat();
    let (_, status, stderr) = read_one_byte_then_close(root, &args);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status, Some(0), "the computed status, not a pipe error: {stderr}");
}

#[test]
fn a_failed_write_leaves_no_half_written_report() {
    // A file size limit makes writes fail as a full disk does (SIGXFSZ ignored, so write() fails).
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.json");
    std::fs::write(&target, "the previous report\n").unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = format!(
        "trap '' XFSZ; ulimit -f 1; exec {} check examples/rotation --now 2026-11-27T00:00:00Z --format sarif --output {}",
        env!("CARGO_BIN_EXE_certgate"),
        target.display()
    );
    let (status, stderr) = bash_in(root, &script);
    assert_eq!(status, Some(2), "a write error is certgate failing: {stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "the previous report\n",
        "the old report is intact"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind: {left:?}");
}

#[test]
fn more_than_64_pem_blocks_are_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::write_charts(d);
    let certs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/certs");
    let script = format!(
        "source {}/mkcert.sh; mkcert ca 'Example Root CA' ca-a self 20250101000000Z 20350101000000Z ca; \
         mkcert one kafka.example.com leaf ca 20260601000000Z 20270601000000Z leaf; key leaf tls; \
         for i in $(seq 1 70); do cat one.pem; done > tls.pem",
        certs.display()
    );
    let ok = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(d)
        .env("CERTS_HOME", &certs)
        .status()
        .unwrap();
    assert!(ok.success());
    std::fs::write(
        d.join("new.yaml"),
        "global:\n  security:\n    externalCertificateLabel: ext-2\ntls:\n  type: provided\n",
    )
    .unwrap();
    let out = common::run_in(
        d,
        &[
            "check", "-f", "new.yaml", "--key", "tls.key", "--cert", "tls.pem", "--cacert", "ca.pem", "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = common::finding_lines(&report);
    // The 65th block starts at line 65 * 20 + 1 (each certificate is 20 lines).
    assert!(lines.iter().any(|l| l == "CG301 tls.pem:1281:1"), "{lines:?}");
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("more than 64 PEM blocks")),
        "{messages:?}"
    );
}

#[test]
fn rule_directories_with_loops_directories_fifos_and_unreadable_files_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rules = d.join("policy");
    std::fs::create_dir(&rules).unwrap();
    std::os::unix::fs::symlink("loop.yaml", rules.join("loop.yaml")).unwrap();
    std::fs::create_dir(rules.join("dir.yaml")).unwrap();
    // A file that cannot be read even as root (CI runs as root, so a mode of 000 would not do):
    // reading /proc/self/mem at offset 0 fails with EIO.
    std::os::unix::fs::symlink("/proc/self/mem", rules.join("mem.yaml")).unwrap();
    let fifo = Command::new("mkfifo").arg(rules.join("fifo.yaml")).status().unwrap();
    assert!(fifo.success());
    std::fs::write(
        d.join("certgate.yaml"),
        "releases:\n  - name: es\n    values: [v.yaml]\nrules_dirs: [policy, missing]\n",
    )
    .unwrap();
    std::fs::write(
        d.join("v.yaml"),
        "global:\n  security:\n    externalCertificateLabel: ext-2\n",
    )
    .unwrap();
    let out = common::run_in(d, &["check", ".", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = common::finding_lines(&report);
    for expected in [
        "CG005 missing",
        "CG005 policy/dir.yaml",
        "CG005 policy/fifo.yaml",
        "CG005 policy/loop.yaml",
        "CG005 policy/mem.yaml",
    ] {
        assert!(lines.iter().any(|l| l == expected), "{expected} in {lines:?}");
    }
    // A link out of the rule directory is not followed at all (it points at /proc/self/mem).
    let mem = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "policy/mem.yaml")
        .unwrap();
    let message = mem["message"].as_str().unwrap();
    assert!(message.contains("outside the repository: not read"), "{message}");
}

/// A repository of `n` release units with a values file each; the label of unit `i` is invalid
/// when `bad(i)` (CG101 at its values file's line 3).
fn many_units(d: &std::path::Path, n: usize, bad: impl Fn(usize) -> bool) {
    common::write_charts(d);
    let mut config = String::from("releases:\n");
    for i in 0..n {
        let label = if bad(i) { "Bad_Label_" } else { "ext-2" };
        std::fs::write(
            d.join(format!("v{i}.yaml")),
            format!("global:\n  security:\n    externalCertificateLabel: {label}\n"),
        )
        .unwrap();
        config.push_str(&format!(
            "  - name: es{i}\n    chart: ibm-eventstreams-prod-1.4.0.tgz\n    values: [v{i}.yaml]\n"
        ));
    }
    std::fs::write(d.join("certgate.yaml"), config).unwrap();
}

#[test]
fn a_report_of_many_units_is_in_order_and_the_same_in_every_target() {
    // Several units' reports are serialized on every core and written in order.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    many_units(d, 40, |i| i % 3 == 0);
    let out = common::run_in(
        d,
        &[
            "check",
            ".",
            "--now",
            "2026-11-27T00:00:00Z",
            "--format",
            "json",
            "--output",
            "a.json",
            "--format",
            "json",
            "--output",
            "b.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let first = std::fs::read(d.join("a.json")).unwrap();
    assert_eq!(first, std::fs::read(d.join("b.json")).unwrap(), "byte for byte");
    let report: serde_json::Value = serde_json::from_slice(&first).unwrap();
    let units = report.as_array().unwrap();
    assert_eq!(units.len(), 40);
    for (i, unit) in units.iter().enumerate() {
        let lines = common::finding_lines(unit);
        let bad = lines.contains(&format!("CG101 v{i}.yaml:3:31"));
        assert_eq!(bad, i % 3 == 0, "unit {i}, in order: {lines:?}");
    }
}

#[test]
fn a_closed_pipe_in_a_long_report_of_many_units_keeps_the_status() {
    // 300 units make a report far longer than a pipe holds: the reader leaves while certgate is
    // still writing it; certgate stops writing and exits with the status of every unit.
    // Only the last unit fails: the status is 1 only if it counts though its report was not read.
    for (last_is_bad, status) in [(true, 1), (false, 0)] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        many_units(d, 300, |i| last_is_bad && i == 299);
        let (first, code, stderr) =
            read_one_byte_then_close(d, &["check", ".", "--now", "2026-11-27T00:00:00Z", "--format", "json"]);
        assert_eq!(first, b'[');
        assert!(
            !stderr.contains("panicked") && !stderr.contains("cannot write"),
            "{stderr}"
        );
        assert_eq!(code, Some(status), "the computed status: {stderr}");
    }
}

#[test]
fn a_failed_write_of_a_report_of_many_units_leaves_no_half_written_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    many_units(d, 100, |i| i % 3 == 0);
    std::fs::write(d.join("report.json"), "the previous report\n").unwrap();
    // The JSON report (~180 KB) outgrows the file size limit; the GitHub annotations after it
    // (~45 KB) do not, and are written: a failed target does not stop the others.
    let script = format!(
        "trap '' XFSZ; ulimit -f 64; exec {} check . --now 2026-11-27T00:00:00Z --format json --output report.json --format github --output report.txt",
        env!("CARGO_BIN_EXE_certgate"),
    );
    let (status, stderr) = bash_in(d, &script);
    assert_eq!(status, Some(2), "a write error is certgate failing: {stderr}");
    assert!(stderr.contains("cannot write report.json"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(d.join("report.json")).unwrap(),
        "the previous report\n"
    );
    let annotations = std::fs::read_to_string(d.join("report.txt")).unwrap();
    assert!(
        annotations.contains("::error file=v99.yaml,line=3,col=31,title=CG101"),
        "the other target is written whole: {annotations:.300}"
    );
    let temporary: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(temporary.is_empty(), "no temporary file is left behind: {temporary:?}");
}

#[test]
fn a_report_file_gets_the_permissions_a_shell_redirection_would_give_it() {
    // A new report: 0666 less the umask. A replaced report: its own mode, whatever the umask, less
    // the special bits.
    use std::os::unix::fs::PermissionsExt;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (umask, new_mode) in [("027", 0o640), ("002", 0o664)] {
        let dir = tempfile::tempdir().unwrap();
        let (new, old) = (dir.path().join("new.json"), dir.path().join("old.sarif"));
        std::fs::write(&old, "the previous report\n").unwrap();
        // Set-group-ID too, which the new report does not inherit.
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o2604)).unwrap();
        let script = format!(
            "umask {umask}; exec {} check examples/rotation --now 2026-11-27T00:00:00Z --format json --output {} --format sarif --output {}",
            env!("CARGO_BIN_EXE_certgate"),
            new.display(),
            old.display()
        );
        let (status, stderr) = bash_in(root, &script);
        assert_eq!(status, Some(0), "{stderr}");
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode(&new), new_mode, "umask {umask}: a new report");
        assert_eq!(mode(&old), 0o604, "umask {umask}: the replaced report keeps its mode");
        assert!(
            std::fs::read_to_string(&old)
                .unwrap()
                .contains("\"version\": \"2.1.0\"")
        );
    }
}

/// Run certgate in `dir`, killing it if it has not finished after a minute (a guard against a run
/// that waits forever, not a timing assertion): its output, or `None` if it had to be killed.
fn run_or_kill(dir: &std::path::Path, args: &[&str]) -> Option<std::process::Output> {
    let mut child = common::certgate()
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Some(child.wait_with_output().unwrap())
}

fn mkfifo(path: &std::path::Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn fifos_given_as_input_files_are_findings_not_waits() {
    // Nothing ever opens these FIFOs for writing: a read that opened one would wait forever.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for name in ["values.yaml", "tls.key", "prev.yaml", "config.yaml"] {
        mkfifo(&d.join(name));
    }
    std::fs::write(
        d.join("certgate.yaml"),
        "releases:\n  - name: es\n    values: [v.yaml]\n",
    )
    .unwrap();
    let args = [
        "check",
        "-f",
        "values.yaml",
        "--key",
        "tls.key",
        "--previous",
        "prev.yaml",
        "--now",
        "2026-11-27T00:00:00Z",
        "--format",
        "json",
    ];
    let out = run_or_kill(d, &args).expect("certgate returns instead of waiting on a FIFO");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = common::finding_lines(&report);
    for expected in ["CG001 values.yaml", "CG001 tls.key", "CG001 prev.yaml"] {
        assert!(lines.iter().any(|l| l == expected), "{expected} in {lines:?}");
    }
    for f in report["findings"].as_array().unwrap() {
        if f["code"] == "CG001" {
            let message = f["message"].as_str().unwrap();
            assert!(message.contains("not a regular file"), "{message}");
        }
    }
    // A config file that is a FIFO.
    let out = run_or_kill(d, &["check", "--config", "config.yaml", "--format", "json"])
        .expect("certgate returns instead of waiting on a FIFO");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("not a regular file") || stderr.contains("not a regular file"),
        "{stdout} {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn verify_approval_refuses_a_fifo_report_and_names_an_input_that_became_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    mkfifo(&d.join("report.json"));
    let out = run_or_kill(d, &["verify-approval", "report.json"]).expect("no wait on a FIFO report");
    assert_eq!(out.status.code(), Some(2), "an unreadable report is an error");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("report.json") && stderr.contains("not a regular file"),
        "{stderr}"
    );

    // An approved input replaced by a FIFO has changed.
    std::fs::write(
        d.join("v.yaml"),
        "global:\n  security:\n    externalCertificateLabel: ext-2\n",
    )
    .unwrap();
    let check = [
        "check",
        "-f",
        "v.yaml",
        "--now",
        "2026-11-27T00:00:00Z",
        "--format",
        "json",
        "--output",
        "ok.json",
    ];
    let out = common::run_in(d, &check);
    assert!(d.join("ok.json").exists(), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_file(d.join("v.yaml")).unwrap();
    mkfifo(&d.join("v.yaml"));
    let out = run_or_kill(d, &["verify-approval", "ok.json"]).expect("no wait on a FIFO input");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("CHANGED    v.yaml (values): is not a regular file"),
        "{stdout}"
    );
}

#[test]
fn a_long_string_aliased_many_times_is_a_finding_at_the_alias_past_the_limit() {
    // Within the node limit (1,000 aliases) and the file limit (1 MiB), but 1,000 copies of the
    // string would be a gigabyte: the ninth copy passes the 8 MiB of expansion allowed.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = format!(
        "big: &a \"{}\"\ncopies: [{}]\n",
        "x".repeat(1 << 20),
        ["*a"; 1000].join(", ")
    );
    std::fs::write(d.join("v.yaml"), &text).unwrap();
    let script = format!(
        "ulimit -v {}; exec {} check -f v.yaml --now 2026-11-27T00:00:00Z --format json --output report.json",
        256 * 1024,
        env!("CARGO_BIN_EXE_certgate")
    );
    let (status, stderr) = bash_in(d, &script);
    assert_eq!(status, Some(1), "within 256 MiB of address space: {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("report.json")).unwrap()).unwrap();
    let line2 = text.lines().nth(1).unwrap();
    let ninth = line2.match_indices("*a").nth(8).unwrap().0 + 1;
    // CG404: the values file that failed leaves the change unknown.
    assert_eq!(
        common::finding_lines(&report),
        vec![format!("CG002 v.yaml:2:{ninth}"), "CG404 -".to_string()]
    );
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("alias expansion limit"), "{message}");
}

#[test]
fn an_uncovered_hostname_lists_ten_of_the_certificates_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    common::write_charts(d);
    let certs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/certs");
    let sans: Vec<String> = (0..30).map(|i| format!("DNS:h{i}.example.com")).collect();
    let script = format!(
        "source {}/mkcert.sh; mkcert ca 'Example Root CA' ca-a self 20250101000000Z 20350101000000Z ca; \
         SAN={} mkcert leaf kafka.example.com leaf ca 20260601000000Z 20270601000000Z leaf; key leaf tls",
        certs.display(),
        sans.join(",")
    );
    let ok = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(d)
        .env("CERTS_HOME", &certs)
        .status()
        .unwrap();
    assert!(ok.success());
    std::fs::write(
        d.join("certgate.yaml"),
        "releases:\n  - name: es\n    values: [v.yaml]\n    certificates: {key: tls.key, cert: leaf.pem, cacert: ca.pem}\n    \
         hostnames: [h3.example.com, a.other.example, b.other.example]\n",
    )
    .unwrap();
    std::fs::write(
        d.join("v.yaml"),
        "global:\n  security:\n    externalCertificateLabel: ext-2\ntls:\n  type: provided\n",
    )
    .unwrap();
    let out = common::run_in(d, &["check", ".", "--now", "2026-11-27T00:00:00Z", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cg315: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "CG315")
        .collect();
    assert_eq!(cg315.len(), 2, "{cg315:?}");
    for (f, host) in cg315.iter().zip(["a.other.example", "b.other.example"]) {
        assert_eq!(f["file"], "leaf.pem");
        assert_eq!(f["line"], 1);
        let message = f["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("the hostname {host} ")), "{message}");
        assert!(message.contains("h0.example.com, h1.example.com,"), "{message}");
        assert!(message.contains("h9.example.com and 20 more)"), "{message}");
        assert!(!message.contains("h10.example.com"), "{message}");
    }
}

#[test]
fn a_flow_sequence_or_a_mapping_of_millions_of_nodes_stops_at_the_node_limit_within_256_mib() {
    // Both within the 8 MiB file limit: four million `1`s, 600,000 one-line keys.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let flow = format!("a: [{}]\n", vec!["1"; 4_000_000].join(","));
    std::fs::write(d.join("flow.yaml"), &flow).unwrap();
    let keys: String = (0..600_000).map(|i| format!("k{i}: 1\n")).collect();
    std::fs::write(d.join("keys.yaml"), &keys).unwrap();
    // The 250,001st node passes the limit: after the root mapping (1), the key `a` (2) and the
    // sequence (3), that is item 249,997 (0-based) at column 5 + 2 * 249,997; in the mapping,
    // keys and values alternate from node 2, so it is the value of key 124,999 (line 125,000).
    for (file, at) in [
        ("flow.yaml", format!("1:{}", 5 + 2 * 249_997)),
        ("keys.yaml", "125000:10".to_string()),
    ] {
        let script = format!(
            "ulimit -v {}; exec {} check -f {file} --now 2026-11-27T00:00:00Z --format json --output report.json",
            256 * 1024,
            env!("CARGO_BIN_EXE_certgate")
        );
        let (status, stderr) = bash_in(d, &script);
        assert_eq!(status, Some(1), "{file} within 256 MiB of address space: {stderr}");
        let report: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("report.json")).unwrap()).unwrap();
        assert_eq!(
            common::finding_lines(&report),
            vec![format!("CG002 {file}:{at}"), "CG404 -".to_string()]
        );
        let message = report["findings"][0]["message"].as_str().unwrap();
        assert!(message.contains("more than 250000 keys and values"), "{message}");
    }
}
