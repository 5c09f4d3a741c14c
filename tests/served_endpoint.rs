//! `certgate check --endpoint HOST:PORT` (and `endpoints:` in certgate.yaml) against real TLS
//! servers on loopback (`openssl s_server` on a free port, `common::server`): a server presenting
//! the previous values' chain (no finding), one presenting another chain (CG406 at the argument or
//! the certgate.yaml line), one whose chain the old CA does not sign (CG407), a listener that never
//! answers and a closed port (CG405, within the bound). Codes, locations and messages are checked,
//! not counts.

mod common;

use std::net::{Ipv4Addr, Ipv6Addr, TcpListener};
use std::time::{Duration, Instant};

use common::scenario::{NOW, run_json};
use common::server::{free_port, s_server};

/// The CA clients trust, the chain the previous values hold (`running`), the same host's
/// certificate changed outside Git (`outside`, same CA), one from a CA clients never got
/// (`stranger`), and the new certificate of the change (`tls`, same CA).
const CERTS: &str = "\
mkcert oldca 'Old Root CA' ca-b self 20200101000000Z 20300101000000Z ca; \
mkcert running kafka.example.com leaf oldca 20260101000000Z 20270101000000Z leaf; key leaf running; \
mkcert outside kafka.example.com other oldca 20260201000000Z 20270201000000Z leaf; key other outside; \
mkcert otherca 'Other Root CA' ca-a self 20250101000000Z 20350101000000Z ca; \
mkcert stranger kafka.example.com ec256 otherca 20260201000000Z 20270201000000Z leaf; key ec256 stranger; \
mkcert tls kafka.example.com leaf oldca 20260601000000Z 20270601000000Z leaf; key leaf tls";

/// A release with provided certificates (the previous values hold `running` and `oldca`), and a
/// change to `tls` signed by the same CA.
fn release() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::write_charts(dir.path());
    common::scenario::make_certs(dir.path(), CERTS);
    let b64 = |name: &str| {
        use base64::Engine as _;
        let pem = std::fs::read(dir.path().join(format!("{name}.pem"))).unwrap();
        base64::engine::general_purpose::STANDARD.encode(pem)
    };
    let prev = format!(
        "global:\n  security:\n    externalCertificateLabel: ext-1\ntls:\n  type: provided\n  key: placeholder\n  cert: {}\n  cacert: {}\n",
        b64("running"),
        b64("oldca")
    );
    std::fs::write(dir.path().join("prev.yaml"), prev).unwrap();
    let new = "global:\n  security:\n    externalCertificateLabel: ext-2\ntls:\n  type: provided\n";
    std::fs::write(dir.path().join("new.yaml"), new).unwrap();
    dir
}

/// `check` of the release, with `--endpoint endpoint`.
fn check_args(endpoint: &str) -> Vec<&str> {
    common::scenario::args(&[
        "--cert",
        "tls.pem",
        "--key",
        "tls.key",
        "--cacert",
        "oldca.pem",
        "-f",
        "new.yaml",
        "--endpoint",
        endpoint,
    ])
}

/// The findings of `codes`: `CODE WHERE: MESSAGE`, WHERE the file and line or the origin.
fn findings(report: &serde_json::Value, codes: &[&str]) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| codes.contains(&f["code"].as_str().unwrap()))
        .map(|f| {
            let at = match (f["file"].as_str(), f["line"].as_u64()) {
                (Some(file), Some(line)) => format!("{file}:{line}"),
                _ => f["origin"].as_str().unwrap_or("-").to_string(),
            };
            format!(
                "{} {at}: {}",
                f["code"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

const SERVED: &[&str] = &["CG405", "CG406", "CG407"];

#[test]
fn a_server_presenting_the_previous_chain_gives_no_finding() {
    let dir = release();
    let server = s_server(dir.path(), "running", "oldca.pem", Ipv4Addr::LOCALHOST.into());
    let (_, report) = run_json(dir.path(), &check_args(&format!("127.0.0.1:{}", server.port)));
    assert_eq!(findings(&report, SERVED), Vec::<String>::new());
    assert_eq!(report["client_impact"]["scenario"], "same-ca");
    // What the wire serves is public, and printed through the same filter: still, no key.
    assert!(!report.to_string().contains("PRIVATE KEY"));
}

#[test]
fn an_ipv6_endpoint_in_brackets_is_read() {
    let dir = release();
    let server = s_server(dir.path(), "running", "oldca.pem", Ipv6Addr::LOCALHOST.into());
    let (_, report) = run_json(dir.path(), &check_args(&format!("[::1]:{}", server.port)));
    assert_eq!(findings(&report, SERVED), Vec::<String>::new());
}

#[test]
fn a_server_presenting_another_chain_is_reported_at_the_argument() {
    let dir = release();
    let server = s_server(dir.path(), "outside", "oldca.pem", Ipv4Addr::LOCALHOST.into());
    let endpoint = format!("127.0.0.1:{}", server.port);
    let (_, report) = run_json(dir.path(), &check_args(&endpoint));
    let found = findings(&report, SERVED);
    assert_eq!(found.len(), 1, "{found:?}");
    let prefix = format!("CG406 --endpoint {endpoint}: {endpoint} serves CN=kafka.example.com, sha256 ");
    assert!(found[0].starts_with(&prefix), "{found:?}");
    assert!(
        found[0]
            .contains("not the server certificate of the previous values (prev.yaml:tls.cert: CN=kafka.example.com")
            && found[0]
                .ends_with("the cluster was changed outside Git, or the previous values are not the running release's"),
        "{found:?}"
    );
}

#[test]
fn a_server_presenting_another_chain_is_reported_at_its_certgate_yaml_line() {
    let dir = release();
    let server = s_server(dir.path(), "outside", "oldca.pem", Ipv4Addr::LOCALHOST.into());
    let config = format!(
        "releases:\n  - name: es1\n    chart: ibm-eventstreams-prod-1.4.0.tgz\n    values: [new.yaml]\n    previous: prev.yaml\n    certificates: {{key: tls.key, cert: tls.pem, cacert: oldca.pem}}\n    endpoints:\n      - 127.0.0.1:{}\n",
        server.port
    );
    std::fs::write(dir.path().join("certgate.yaml"), config).unwrap();
    let (_, report) = run_json(dir.path(), &["check", ".", "--now", NOW]);
    let found = findings(&report, SERVED);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(&format!(
            "CG406 certgate.yaml:8: 127.0.0.1:{} serves CN=kafka.example.com, ",
            server.port
        )),
        "{found:?}"
    );
}

#[test]
fn a_chain_the_old_ca_does_not_sign_is_an_error() {
    let dir = release();
    let server = s_server(dir.path(), "stranger", "otherca.pem", Ipv4Addr::LOCALHOST.into());
    let endpoint = format!("127.0.0.1:{}", server.port);
    let (status, report) = run_json(dir.path(), &check_args(&endpoint));
    assert_eq!(status, 1);
    let found = findings(&report, &["CG407"]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(&format!("CG407 --endpoint {endpoint}: the chain {endpoint} serves (CN=kafka.example.com, "))
            && found[0].ends_with("does not verify against the CA clients trust today (CN=Old Root CA): clients that trust only that CA cannot connect to it now"),
        "{found:?}"
    );
    assert_eq!(report["upgrade_command"], serde_json::Value::Null);
}

#[test]
fn a_listener_that_never_answers_is_an_error_within_the_bound() {
    let dir = release();
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accept the one run's connection, hold it open, say nothing.
    let holder = std::thread::spawn(move || listener.accept().map(|(sock, _)| sock));
    let start = Instant::now();
    let (status, report) = run_json(dir.path(), &check_args(&format!("127.0.0.1:{port}")));
    let took = start.elapsed();
    assert_eq!(status, 1);
    let found = findings(&report, SERVED);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(&format!(
            "CG405 --endpoint 127.0.0.1:{port}: cannot read the chain served at 127.0.0.1:{port}: timed out during the TLS handshake after "
        )),
        "{found:?}"
    );
    let bound = certgate::load::ENDPOINT_TIMEOUT;
    assert!(took >= bound && took < bound + Duration::from_secs(5), "{took:?}");
    assert_eq!(report["upgrade_command"], serde_json::Value::Null);
    drop(holder.join());
}

#[test]
fn a_closed_port_is_an_error() {
    let dir = release();
    let port = free_port(Ipv4Addr::LOCALHOST.into());
    let (status, report) = run_json(dir.path(), &check_args(&format!("127.0.0.1:{port}")));
    assert_eq!(status, 1);
    assert_eq!(
        findings(&report, SERVED),
        [format!(
            "CG405 --endpoint 127.0.0.1:{port}: cannot read the chain served at 127.0.0.1:{port}: connection refused by 127.0.0.1:{port}; what runs today is not known, so the change is not checked against it"
        )]
    );
}
