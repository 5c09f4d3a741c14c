//! The approved command does in Helm what was checked (issue "Approve only what Helm will really
//! do"): each test is a case the landed binary got wrong, with the Helm behaviour it now follows.
//! The differential tests against Helm's own code are in tests/helm_oracle.rs.

mod common;

use common::scenario::{approved, args, codes, has, make_certs, run_json, setup};

const CERTS: &str = "mkcert ca \"Root CA\" ca-a self 20250101000000Z 20350101000000Z ca; SAN=DNS:kafka.example.com mkcert tls kafka.example.com leaf ca 20260601000000Z 20270601000000Z leaf; key leaf tls";

fn command(report: &serde_json::Value) -> &str {
    report["upgrade_command"].as_str().unwrap_or("")
}

#[test]
fn labels_removed_through_their_parent_are_empty_labels_and_no_command() {
    for (set, origin) in [
        ("global.security=null", "--set global.security=…"),
        ("global=null", "--set global=…"),
        // With a tls change too: the labels would stay the running ones (CG104's failure).
        (
            "tls.type=secret,tls.secretName=es-tls,global.security=null",
            "--set global.security=…",
        ),
    ] {
        let dir = setup();
        let (status, report) = run_json(dir.path(), &args(&["--set", set]));
        assert_eq!(status, 1, "{set}: {:?}", codes(&report));
        assert!(!approved(&report), "{set}");
        let cg102: Vec<&serde_json::Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "CG102")
            .collect();
        assert_eq!(
            cg102.len(),
            2,
            "{set}: both labels, not the chart's absent UI label: {cg102:?}"
        );
        for f in cg102 {
            assert_eq!(f["origin"], origin, "{set}");
            assert_eq!(f["severity"], "error");
        }
    }
}

#[test]
fn removals_under_helm_3_and_4_are_empty_values_the_chart_reads_as_unset() {
    // The documented provided → secret migration: the old base64 values must go. Helm 2 removes
    // a key set to null; Helm 3 and 4 keep a stored key for that upgrade (helm/helm#30765).
    let prev = "global:\n  security:\n    externalCertificateLabel: old1\n    internalCertificateLabel: int1\ntls:\n  type: provided\n  key: QUJD\n  cert: REVG\n  cacert: R0hJ\n";
    let new = "global:\n  security:\n    externalCertificateLabel: new1\ntls:\n  type: secret\n  secretName: es-tls\n  key: null\n  cert: null\n  cacert: null\n";
    for (helm, tail) in [
        (
            "2",
            "--set tls.key=null --set tls.cert=null --set tls.cacert=null es1 ibm-eventstreams-prod-1.4.0.tgz --tls",
        ),
        (
            "3",
            "--set tls.key= --set tls.cert= --set tls.cacert= es1 ibm-eventstreams-prod-1.4.0.tgz --namespace es",
        ),
        (
            "4",
            "--set tls.key= --set tls.cert= --set tls.cacert= es1 ibm-eventstreams-prod-1.4.0.tgz --namespace es",
        ),
    ] {
        let dir = setup();
        std::fs::write(dir.path().join("prev.yaml"), prev).unwrap();
        std::fs::write(dir.path().join("new.yaml"), new).unwrap();
        let (status, report) = run_json(
            dir.path(),
            &args(&["-f", "new.yaml", "--helm", helm, "--namespace", "es"]),
        );
        assert_eq!(status, 0, "Helm {helm}: {:?}", codes(&report));
        assert!(command(&report).ends_with(tail), "Helm {helm}: {}", command(&report));
    }
}

#[test]
fn a_stored_setting_helm_3_cannot_remove_in_one_upgrade_has_no_command() {
    // tls.type has no empty form the chart reads as unset: under Helm 3 `tls.type=null` would
    // leave the running type. The type moving to nothing is CG201's too; with CG201 off, the
    // command is still refused, by CG509.
    let dir = setup();
    std::fs::write(dir.path().join("certgate.yaml"), "policy:\n  rules: {CG201: off}\n").unwrap();
    let (_, report) = run_json(
        dir.path(),
        &args(&[
            "--config",
            "certgate.yaml",
            "--helm",
            "3",
            "--namespace",
            "es",
            "--set",
            "global.security.externalCertificateLabel=new1,tls.type=null",
        ]),
    );
    assert!(!approved(&report), "{}", command(&report));
    let cg509 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CG509")
        .unwrap_or_else(|| panic!("{:?}", codes(&report)));
    let message = cg509["message"].as_str().unwrap();
    assert!(message.contains("tls.type") && message.contains("30765"), "{message}");
    // Helm 2 removes it: the same change gets its command there.
    let (_, report) = run_json(
        dir.path(),
        &args(&[
            "--config",
            "certgate.yaml",
            "--set",
            "global.security.externalCertificateLabel=new1,tls.type=null",
        ]),
    );
    assert!(command(&report).contains("--set tls.type=null"), "{:?}", codes(&report));
}

#[test]
fn a_values_file_the_command_needs_may_not_bring_unrelated_changes() {
    let dir = setup();
    make_certs(dir.path(), CERTS);
    let b64 = |f: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(dir.path().join(f)).unwrap())
    };
    let material = format!(
        "global:\n  security:\n    externalCertificateLabel: new1\ntls:\n  type: provided\n  key: {}\n  cert: {}\n  cacert: {}\n",
        b64("tls.key"),
        b64("tls.pem"),
        b64("ca.pem")
    );
    // kafka.brokers changes (3 → 5); the second key is the chart's default, so no change.
    std::fs::write(
        dir.path().join("new.yaml"),
        format!("{material}kafka:\n  brokers: 5\n  resources:\n    requests:\n      cpu: 1000m\n"),
    )
    .unwrap();
    let (status, report) = run_json(dir.path(), &args(&["-f", "new.yaml"]));
    assert_eq!(status, 1, "{:?}", codes(&report));
    assert!(!approved(&report));
    assert!(has(&report, "CG511 new.yaml:10:12"), "{:?}", codes(&report));
    assert!(
        !codes(&report).iter().any(|c| c.starts_with("CG507 ")),
        "reported once, as carried: {:?}",
        codes(&report)
    );
    // The same material and the broker change in a second file the command does not need: the
    // change is left out (CG507) and the rotation is approved with -f of the material alone.
    std::fs::write(dir.path().join("new.yaml"), &material).unwrap();
    std::fs::write(dir.path().join("other.yaml"), "kafka:\n  brokers: 5\n").unwrap();
    let (status, report) = run_json(dir.path(), &args(&["-f", "new.yaml", "-f", "other.yaml"]));
    assert_eq!(status, 0, "{:?}", codes(&report));
    assert!(has(&report, "CG507 other.yaml:2:12"), "{:?}", codes(&report));
    assert!(
        command(&report).starts_with("helm upgrade --reuse-values -f new.yaml --set"),
        "{}",
        command(&report)
    );
}

#[test]
fn a_key_with_a_dot_in_its_name_is_one_key() {
    let dir = setup();
    let (status, report) = run_json(
        dir.path(),
        &args(&[
            "--set",
            "global.security.externalCertificateLabel=new1",
            "--set",
            r"q\.r=x",
        ]),
    );
    assert_eq!(status, 0);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CG507")
        .unwrap_or_else(|| panic!("{:?}", codes(&report)));
    assert_eq!(f["path"], r"q\.r");
    assert_eq!(f["origin"], r"--set q\.r=…");
}

#[test]
fn a_set_key_starting_with_a_hyphen_is_a_key_as_in_helm() {
    let dir = setup();
    let (status, report) = run_json(
        dir.path(),
        &args(&[
            "--set",
            "-a=1",
            "--set-string",
            "-b=x",
            "--set",
            "global.security.externalCertificateLabel=new1",
        ]),
    );
    assert_eq!(status, 0, "{:?}", codes(&report));
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "CG507")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["-a", "-b"]);
}

#[test]
fn a_pem_path_the_command_cannot_quote_is_a_finding_in_every_format() {
    let dir = setup();
    make_certs(dir.path(), CERTS);
    std::fs::rename(dir.path().join("tls.key"), dir.path().join("tls\"key.pem")).unwrap();
    std::fs::write(
        dir.path().join("new.yaml"),
        "global:\n  security:\n    externalCertificateLabel: new1\ntls:\n  type: provided\n",
    )
    .unwrap();
    let base = args(&[
        "-f",
        "new.yaml",
        "--key",
        "tls\"key.pem",
        "--cert",
        "tls.pem",
        "--cacert",
        "ca.pem",
    ]);
    let (status, report) = run_json(dir.path(), &base);
    assert_eq!(status, 1, "{:?}", codes(&report));
    assert!(has(&report, "CG509 -"), "{:?}", codes(&report));
    assert!(!approved(&report));
    for format in ["sarif", "github", "junit", "text"] {
        let mut a = base.clone();
        a.extend(["--format", format]);
        let out = common::run_in(dir.path(), &a);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("CG509"), "{format}: {text}");
        assert!(
            !text.contains("es1 ibm-eventstreams-prod-1.4.0.tgz --tls"),
            "{format}: {text}"
        );
    }
}

#[test]
fn multi_document_values_files_are_read_per_helm_version_and_reported() {
    let new =
        "global:\n  security:\n    externalCertificateLabel: new1\n---\ntls:\n  type: secret\n  secretName: es-tls\n";
    for (helm, type_changes) in [("2", false), ("3", false), ("4", true)] {
        let dir = setup();
        std::fs::write(dir.path().join("new.yaml"), new).unwrap();
        let (status, report) = run_json(
            dir.path(),
            &args(&["-f", "new.yaml", "--helm", helm, "--namespace", "es"]),
        );
        assert_eq!(status, 0, "Helm {helm}: {:?}", codes(&report));
        assert!(has(&report, "CG010 new.yaml:5:1"), "Helm {helm}: {:?}", codes(&report));
        assert_eq!(
            command(&report).contains("--set tls.type=secret"),
            type_changes,
            "Helm {helm}: {}",
            command(&report)
        );
    }
}
