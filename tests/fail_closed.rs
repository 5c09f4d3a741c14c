//! Input certgate cannot fully interpret, where it matters, is an error finding and blocks the
//! command (issue "Fail closed and never leak"): each test is a case the landed binary approved.

mod common;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::scenario::{approved, args, codes, has, key_pem, make_certs, provided, run_json, setup};

#[test]
fn base64_with_a_dropped_character_or_wrong_padding_is_cg207_and_no_command() {
    let b64 = STANDARD.encode(key_pem("ec256"));
    assert!(b64.ends_with('=') || b64.len().is_multiple_of(4));
    let broken = [
        format!("{}{}", &b64[..40], &b64[41..]),
        b64.trim_end_matches('=').to_string(),
        format!("{b64}=="),
    ];
    for (i, value) in broken.iter().enumerate() {
        if value == &b64 {
            continue;
        }
        let dir = setup();
        std::fs::write(dir.path().join("new.yaml"), provided(value)).unwrap();
        let (status, report) = run_json(dir.path(), &args(&["-f", "new.yaml"]));
        assert_eq!(status, 1, "case {i}: {:?}", codes(&report));
        assert!(has(&report, "CG207 new.yaml:6:8"), "case {i}: {:?}", codes(&report));
        assert!(!approved(&report), "case {i}");
    }
}

#[test]
fn a_key_that_is_not_a_key_name_is_never_put_on_the_command_line() {
    // With tls.type=secret, tls.key names the Secret's key; a key pasted there is CG205, and the
    // command never carries it, even when a rule is switched off.
    let dir = setup();
    std::fs::write(
        dir.path().join("new.yaml"),
        "global:\n  security:\n    externalCertificateLabel: new1\ntls:\n  type: secret\n  secretName: es-tls\n",
    )
    .unwrap();
    let b64 = STANDARD.encode(key_pem("ed25519"));
    let set = format!("tls.key={}", &b64[..b64.len() - 2]);
    let (status, report) = run_json(dir.path(), &args(&["-f", "new.yaml", "--set", &set]));
    assert_eq!(status, 1, "{:?}", codes(&report));
    assert!(!approved(&report));
    assert!(
        codes(&report).iter().any(|c| c.starts_with("CG205 ")),
        "{:?}",
        codes(&report)
    );
}

#[test]
fn pem_files_without_the_blocks_their_role_needs_are_errors() {
    for option in ["--cert", "--cacert", "--key"] {
        let dir = setup();
        make_certs(
            dir.path(),
            "mkcert ca \"Root CA\" ca-a self 20250101000000Z 20350101000000Z ca; SAN=DNS:kafka.example.com mkcert tls kafka.example.com leaf ca 20260601000000Z 20270601000000Z leaf; key leaf tls",
        );
        std::fs::write(dir.path().join("notes.txt"), "this is the certificate, trust me\n").unwrap();
        std::fs::write(
            dir.path().join("new.yaml"),
            "global:\n  security:\n    externalCertificateLabel: new1\ntls:\n  type: provided\n",
        )
        .unwrap();
        let mut files = vec![("--key", "tls.key"), ("--cert", "tls.pem"), ("--cacert", "ca.pem")];
        for f in &mut files {
            if f.0 == option {
                f.1 = "notes.txt";
            }
        }
        let mut a = args(&["-f", "new.yaml"]);
        for (o, f) in &files {
            a.extend([*o, *f]);
        }
        let (status, report) = run_json(dir.path(), &a);
        assert_eq!(status, 1, "{option}: {:?}", codes(&report));
        assert!(has(&report, "CG208 notes.txt:1:1"), "{option}: {:?}", codes(&report));
        assert!(!approved(&report), "{option}");
    }
}

#[test]
fn a_ca_bundle_holding_the_ca_key_is_an_error() {
    let dir = setup();
    make_certs(
        dir.path(),
        "mkcert ca \"Root CA\" ca-a self 20250101000000Z 20350101000000Z ca; SAN=DNS:kafka.example.com mkcert tls kafka.example.com leaf ca 20260601000000Z 20270601000000Z leaf; key leaf tls",
    );
    let ca = std::fs::read_to_string(dir.path().join("ca.pem")).unwrap();
    let ca_key = key_pem("ca-a");
    std::fs::write(dir.path().join("ca-bundle.pem"), format!("{ca}{ca_key}")).unwrap();
    std::fs::write(
        dir.path().join("new.yaml"),
        "global:\n  security:\n    externalCertificateLabel: new1\ntls:\n  type: provided\n",
    )
    .unwrap();
    let a = args(&[
        "-f",
        "new.yaml",
        "--key",
        "tls.key",
        "--cert",
        "tls.pem",
        "--cacert",
        "ca-bundle.pem",
    ]);
    let (status, report) = run_json(dir.path(), &a);
    assert_eq!(status, 1, "{:?}", codes(&report));
    let line = ca.lines().count() + 1;
    assert!(
        has(&report, &format!("CG208 ca-bundle.pem:{line}:1")),
        "{:?}",
        codes(&report)
    );
    assert!(!approved(&report));
}

#[test]
fn a_secret_whose_string_data_holds_no_pem_is_an_error() {
    let dir = setup();
    std::fs::write(
        dir.path().join("new.yaml"),
        "global:\n  security:\n    externalCertificateLabel: new1\ntls:\n  type: secret\n  secretName: es-tls\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("secret.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: es-tls\nstringData:\n  key: not a key\n  cert: not a certificate\n  cacert: not a certificate either\n",
    )
    .unwrap();
    let (status, report) = run_json(dir.path(), &args(&["-f", "new.yaml", "--secret", "secret.yaml"]));
    assert_eq!(status, 1, "{:?}", codes(&report));
    for at in ["6:8", "7:9", "8:11"] {
        assert!(has(&report, &format!("CG208 secret.yaml:{at}")), "{:?}", codes(&report));
    }
    assert!(
        !codes(&report).iter().any(|c| c.starts_with("CG314")),
        "{:?}",
        codes(&report)
    );
    assert!(!approved(&report));
}

#[test]
fn an_unusable_previous_cacert_is_a_finding_not_a_question() {
    let dir = setup();
    std::fs::write(dir.path().join("old-ca.pem"), key_pem("ca-a")).unwrap();
    std::fs::write(
        dir.path().join("new.yaml"),
        "global:\n  security:\n    externalCertificateLabel: new1\n",
    )
    .unwrap();
    let (status, report) = run_json(
        dir.path(),
        &args(&["-f", "new.yaml", "--previous-cacert", "old-ca.pem"]),
    );
    assert_eq!(status, 1, "{:?}", codes(&report));
    assert!(has(&report, "CG208 old-ca.pem:1:1"), "{:?}", codes(&report));
}

#[test]
fn paths_in_a_config_that_leave_the_repository_are_not_read() {
    let top = tempfile::tempdir().unwrap();
    let outside = top.path().join("outside");
    let repo = top.path().join("repo");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(repo.join("deploy")).unwrap();
    std::fs::create_dir_all(repo.join("policy")).unwrap();
    common::write_charts(&repo);
    let marker = "outsidemarker: TOPSECRET-0123456789\n";
    std::fs::write(outside.join("values.yaml"), marker).unwrap();
    std::fs::write(outside.join("rule.yaml"), marker).unwrap();
    std::os::unix::fs::symlink(outside.join("values.yaml"), repo.join("deploy/linked.yaml")).unwrap();
    std::os::unix::fs::symlink(outside.join("rule.yaml"), repo.join("policy/linked.yaml")).unwrap();
    let abs = outside.join("values.yaml");
    std::fs::write(
        repo.join("certgate.yaml"),
        format!(
            "releases:\n  - name: es1\n    chart: ibm-eventstreams-prod-1.4.0.tgz\n    values: [../outside/values.yaml, deploy/linked.yaml]\n    previous: {}\n    secret: deploy/../../outside/values.yaml\nrules_dirs: [policy, ../outside]\n",
            abs.display()
        ),
    )
    .unwrap();
    let out = common::run_in(
        &repo,
        &["check", ".", "--now", common::scenario::NOW, "--format", "json"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("TOPSECRET"), "{text}");
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let lines = codes(&report);
    for expected in [
        "CG001 certgate.yaml:4:14",
        "CG001 certgate.yaml:4:38",
        "CG001 certgate.yaml:5:15",
        "CG001 certgate.yaml:6:13",
        "CG005 certgate.yaml",
        "CG005 policy/linked.yaml",
    ] {
        assert!(lines.iter().any(|l| l == expected), "{expected} in {lines:?}");
    }
    assert!(!approved(&report));
    let inputs = report[0]["inputs"].to_string() + &report["inputs"].to_string();
    assert!(!inputs.contains("outside"), "{inputs}");
}

#[test]
fn contradictory_or_empty_options_are_refused_not_dropped() {
    let dir = setup();
    std::fs::write(
        dir.path().join("new.yaml"),
        "global:\n  security:\n    externalCertificateLabel: new1\n",
    )
    .unwrap();
    for (extra, says) in [
        (vec!["--base", "HEAD"], "--previous and --base"),
        (vec!["--namespace", ""], "--namespace needs a namespace name"),
        (vec!["--namespace", " "], "--namespace needs a namespace name"),
    ] {
        let mut a = args(&["-f", "new.yaml"]);
        a.extend(extra.iter());
        let out = common::run_in(dir.path(), &a);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(out.stdout.is_empty());
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{extra:?}");
    }
}

#[test]
fn show_config_with_a_config_that_does_not_load_fails_and_says_why() {
    let dir = setup();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "policy: {fail_on: bogus}\nhelp_uri_base: \"javascript:alert(1)\"\n",
    )
    .unwrap();
    let out = common::run_in(dir.path(), &["check", "--config", "bad.yaml", "--show-config"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("the config has problems; no setting above comes from it"),
        "{text}"
    );
    assert!(text.contains("bad.yaml:1:19:"), "{text}");
    assert!(
        text.contains("bad.yaml:2:16:") && text.contains("javascript:"),
        "{text}"
    );
    // A help_uri_base that is not an http(s) address is CG005 in a check too.
    std::fs::write(
        dir.path().join("certgate.yaml"),
        "releases:\n  - name: es1\n    values: [v.yaml]\nhelp_uri_base: \"javascript:alert(1)\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("v.yaml"),
        "global:\n  security:\n    externalCertificateLabel: new1\n",
    )
    .unwrap();
    let (status, report) = run_json(dir.path(), &["check", "."]);
    assert_eq!(status, 1);
    assert!(has(&report, "CG005 certgate.yaml:4:16"), "{:?}", codes(&report));
}

#[test]
fn a_scalar_where_the_chart_has_a_mapping_is_cg214_for_tls_global_and_global_security() {
    for (values, at, path) in [
        (
            "global:\n  security:\n    externalCertificateLabel: new1\ntls: secret\n",
            "4:6",
            "tls",
        ),
        ("global:\n  security: \"x\"\n", "2:13", "global.security"),
        ("global: x\n", "1:9", "global"),
    ] {
        let dir = setup();
        std::fs::write(dir.path().join("new.yaml"), values).unwrap();
        let (status, report) = run_json(dir.path(), &args(&["-f", "new.yaml"]));
        assert_eq!(status, 1, "{path}: {:?}", codes(&report));
        assert!(
            has(&report, &format!("CG214 new.yaml:{at}")),
            "{path}: {:?}",
            codes(&report)
        );
        assert!(
            !codes(&report).iter().any(|c| c.starts_with("CG211")),
            "{path}: {:?}",
            codes(&report)
        );
        assert!(!approved(&report), "{path}");
    }
}
