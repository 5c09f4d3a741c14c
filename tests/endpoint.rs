//! `source::endpoint::fetch_chain` against real servers on loopback: `openssl s_server` started
//! here on a free port with certificates from tests/certs/mkcert.sh, a listener that never
//! answers, a port nothing listens on, and a peer that answers in plain text. Each server is
//! killed when its test ends (the `Drop` of `common::server::Server`), passing or failing.

mod common;

use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::time::{Duration, Instant};

use certgate::source::endpoint::{EndpointError, Stage, fetch_chain};
use certgate::source::pem;
use common::server::{free_port, s_server, s_server_with};

/// Two chains with the same host name: the one the cluster should serve, and another.
const CERTS: &str = "\
mkcert ca 'Root CA' ca-a self 20250101000000Z 20350101000000Z ca; \
mkcert inter 'Intermediate CA' inter ca 20250101000000Z 20340101000000Z ca; \
mkcert leaf kafka.example.com leaf inter 20260601000000Z 20270601000000Z leaf; key leaf leaf; \
mkcert otherca 'Other Root CA' ca-b self 20250101000000Z 20350101000000Z ca; \
mkcert otherint 'Other Intermediate CA' other otherca 20250101000000Z 20340101000000Z ca; \
mkcert otherleaf kafka.example.com ec256 otherint 20260601000000Z 20270601000000Z leaf; key ec256 otherleaf";

const TIMEOUT: Duration = Duration::from_secs(10);

fn certs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::scenario::make_certs(dir.path(), CERTS);
    dir
}

fn der(dir: &Path, name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(dir.join(format!("{name}.pem"))).unwrap();
    pem::scan(&text).blocks[0].der.clone().unwrap()
}

#[test]
fn the_served_chain_comes_back_byte_for_byte() {
    let dir = certs();
    let server = s_server(dir.path(), "leaf", "inter.pem", Ipv4Addr::LOCALHOST.into());
    let chain = fetch_chain("127.0.0.1", server.port, "kafka.example.com", TIMEOUT).unwrap();
    assert_eq!(chain, [der(dir.path(), "leaf"), der(dir.path(), "inter")]);
}

#[test]
fn a_server_presenting_another_chain_returns_that_chain() {
    let dir = certs();
    let server = s_server(dir.path(), "otherleaf", "otherint.pem", Ipv4Addr::LOCALHOST.into());
    let chain = fetch_chain("localhost", server.port, "kafka.example.com", TIMEOUT).unwrap();
    assert_eq!(chain, [der(dir.path(), "otherleaf"), der(dir.path(), "otherint")]);
    assert_ne!(chain[0], der(dir.path(), "leaf"));
}

#[test]
fn an_ipv6_literal_with_or_without_brackets_is_reached() {
    let dir = certs();
    let server = s_server(dir.path(), "leaf", "inter.pem", Ipv6Addr::LOCALHOST.into());
    for host in ["::1", "[::1]"] {
        let chain = fetch_chain(host, server.port, "kafka.example.com", TIMEOUT).unwrap();
        assert_eq!(chain[0], der(dir.path(), "leaf"), "{host}");
    }
    // An address as the server name: no SNI is sent (RFC 6066 §3), the chain still comes back.
    let chain = fetch_chain("::1", server.port, "[::1]", TIMEOUT).unwrap();
    assert_eq!(chain.len(), 2);
}

#[test]
fn a_listener_that_never_answers_times_out_within_the_bound() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accept, hold the connection open, say nothing.
    let holder = std::thread::spawn(move || listener.accept().map(|(sock, _)| sock));
    let bound = Duration::from_secs(1);
    let start = Instant::now();
    let err = fetch_chain("127.0.0.1", port, "kafka.example.com", bound).unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(
            err,
            EndpointError::TimedOut {
                stage: Stage::Handshake,
                ..
            }
        ),
        "{err:?}"
    );
    // The slack is for a loaded machine; without the bound the handshake would wait forever.
    assert!(took >= bound && took < bound + Duration::from_secs(1), "{took:?}");
    drop(holder.join());
}

#[test]
fn a_closed_port_is_refused() {
    let port = free_port(Ipv4Addr::LOCALHOST.into());
    let err = fetch_chain("127.0.0.1", port, "kafka.example.com", TIMEOUT).unwrap_err();
    assert_eq!(
        err,
        EndpointError::Refused {
            addr: SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port)
        }
    );
}

#[test]
fn a_peer_that_answers_in_plain_text_is_not_tls() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let _ = sock.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        std::thread::sleep(Duration::from_millis(200));
    });
    let err = fetch_chain("127.0.0.1", port, "kafka.example.com", TIMEOUT).unwrap_err();
    assert!(matches!(err, EndpointError::NotTls { .. }), "{err:?}");
    peer.join().unwrap();
}

#[test]
fn a_server_with_nothing_in_common_is_a_handshake_failure() {
    let dir = certs();
    // RSA key exchange only: no cipher suite rustls offers (it has forward-secret ones only).
    let server = s_server_with(
        dir.path(),
        "leaf",
        "inter.pem",
        Ipv4Addr::LOCALHOST.into(),
        &["-tls1_2", "-cipher", "AES128-SHA"],
    );
    let err = fetch_chain("127.0.0.1", server.port, "kafka.example.com", TIMEOUT).unwrap_err();
    assert!(
        matches!(&err, EndpointError::HandshakeFailed { chain, .. } if chain.is_empty()),
        "{err:?}"
    );
}

#[test]
fn a_server_requiring_a_client_certificate_still_shows_its_chain() {
    let dir = certs();
    // TLS 1.2: the server refuses the handshake after sending its chain (`-Verify`: a client
    // certificate is required, `openssl-s_server(1)`); the chain comes with the failure.
    let server = s_server_with(
        dir.path(),
        "leaf",
        "inter.pem",
        Ipv4Addr::LOCALHOST.into(),
        &["-tls1_2", "-Verify", "1"],
    );
    let err = fetch_chain("127.0.0.1", server.port, "kafka.example.com", TIMEOUT).unwrap_err();
    let EndpointError::HandshakeFailed { chain, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(chain, &[der(dir.path(), "leaf"), der(dir.path(), "inter")]);
}
