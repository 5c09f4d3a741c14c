//! What the wire says: the certificate chain a TLS server presents today, read with a TLS
//! handshake (rustls, on the `ring` provider certgate already has) and nothing more.
//!
//! - Every chain is accepted ([`RecordingVerifier`]): certgate judges it afterwards with its own
//!   verifier, against the CA it chooses, so the handshake must not stop at the first problem
//!   (an expired leaf, another CA: exactly what certgate must report). The server's handshake
//!   signature is still checked, so the chain comes from a server holding the leaf's key.
//! - No application data is sent: the handshake, then a close_notify alert (RFC 8446 §6.1).
//! - Time is bounded: name resolution, connection and handshake share one deadline.
//! - Failures are values ([`EndpointError`]): refused, timed out, not TLS, handshake failure,
//!   for findings to name; never a silent fallback.

use std::io;
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};

/// The stage a connection attempt stopped at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Resolve,
    Connect,
    Handshake,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::Resolve => "resolving the name",
            Stage::Connect => "connecting",
            Stage::Handshake => "the TLS handshake",
        })
    }
}

/// Why no chain was read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("`{name}` is not a host name or IP address for TLS")]
    InvalidServerName { name: String },
    #[error("cannot resolve `{host}`: {detail}")]
    Resolve { host: String, detail: String },
    #[error("connection refused by {addr}")]
    Refused { addr: SocketAddr },
    #[error("cannot connect to {addr}: {detail}")]
    Unreachable { addr: SocketAddr, detail: String },
    #[error("timed out during {stage} after {}ms", .after.as_millis())]
    TimedOut { stage: Stage, after: Duration },
    /// The peer answered with something that is not a TLS record (an HTTP or plain Kafka port).
    #[error("{addr} does not speak TLS: {detail}")]
    NotTls { addr: SocketAddr, detail: String },
    /// The peer closed the connection before the handshake completed.
    #[error("{addr} closed the connection during the TLS handshake")]
    Closed { addr: SocketAddr },
    /// The handshake failed; `chain` is what the server presented before it did (empty if it
    /// presented none), as a server that requires a client certificate fails after sending its
    /// own.
    #[error("TLS handshake with {addr} failed: {detail}")]
    HandshakeFailed {
        addr: SocketAddr,
        detail: String,
        chain: Vec<Vec<u8>>,
    },
}

/// Connect to `host`:`port` (a name, an IPv4 or an IPv6 literal, with or without brackets),
/// complete a TLS handshake as `server_name` (sent as SNI when it is a DNS name, RFC 6066 §3),
/// and return the chain the server presented, leaf first, each certificate's DER as sent.
/// Resolution, connection and handshake all end within `timeout`.
pub fn fetch_chain(host: &str, port: u16, server_name: &str, timeout: Duration) -> Result<Vec<Vec<u8>>, EndpointError> {
    let start = Instant::now();
    let deadline = start + timeout;
    let name = unbracket(server_name);
    let name = ServerName::try_from(name.to_string()).map_err(|_| EndpointError::InvalidServerName {
        name: server_name.to_string(),
    })?;
    let addrs = resolve(unbracket(host), port, deadline, start)?;
    let (mut sock, addr) = connect(&addrs, deadline, start)?;
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let mut conn =
        ClientConnection::new(config(Arc::clone(&recorded)), name).map_err(|e| EndpointError::HandshakeFailed {
            addr,
            detail: e.to_string(),
            chain: Vec::new(),
        })?;
    let chain = || std::mem::take(&mut *recorded.lock().unwrap_or_else(PoisonError::into_inner));
    while conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out(Stage::Handshake, start));
        }
        // Both calls refuse a zero duration; `left` is not zero here.
        let _ = sock.set_read_timeout(Some(left));
        let _ = sock.set_write_timeout(Some(left));
        if let Err(e) = conn.complete_io(&mut sock) {
            return Err(handshake_error(e, addr, start, chain()));
        }
    }
    // Nothing but the alert that closes the connection (RFC 8446 §6.1); its failure changes nothing.
    conn.send_close_notify();
    let _ = conn.complete_io(&mut sock);
    Ok(chain())
}

/// `[::1]` → `::1`: the bracketed form of IPv6 literals in URLs and `HOST:PORT` (RFC 3986 §3.2.2).
fn unbracket(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

/// The addresses of `host`. An IP literal needs no resolution; a name is resolved on a thread
/// so that a resolver that hangs cannot hold certgate past `deadline` (the thread is left to
/// finish on its own).
fn resolve(host: &str, port: u16, deadline: Instant, start: Instant) -> Result<Vec<SocketAddr>, EndpointError> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let name = host.to_string();
    std::thread::spawn(move || {
        let _ = tx.send((name.as_str(), port).to_socket_addrs().map(Iterator::collect::<Vec<_>>));
    });
    let left = deadline.saturating_duration_since(Instant::now());
    match rx.recv_timeout(left) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(EndpointError::Resolve {
            host: host.to_string(),
            detail: "no address".into(),
        }),
        Ok(Err(e)) => Err(EndpointError::Resolve {
            host: host.to_string(),
            detail: e.to_string(),
        }),
        Err(_) => Err(timed_out(Stage::Resolve, start)),
    }
}

/// The first address that accepts a connection before `deadline`; otherwise the last failure.
fn connect(addrs: &[SocketAddr], deadline: Instant, start: Instant) -> Result<(TcpStream, SocketAddr), EndpointError> {
    let mut last = Err(timed_out(Stage::Connect, start));
    for &addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out(Stage::Connect, start));
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(sock) => return Ok((sock, addr)),
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => last = Err(EndpointError::Refused { addr }),
            Err(e) if is_timeout(&e) => last = Err(timed_out(Stage::Connect, start)),
            Err(e) => {
                last = Err(EndpointError::Unreachable {
                    addr,
                    detail: e.to_string(),
                })
            }
        }
    }
    last
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock)
}

fn timed_out(stage: Stage, start: Instant) -> EndpointError {
    EndpointError::TimedOut {
        stage,
        after: start.elapsed(),
    }
}

/// An error of the handshake, classified. rustls reports its own errors inside
/// `io::ErrorKind::InvalidData`; a record that is not TLS is `InvalidMessage` before any
/// certificate arrived.
fn handshake_error(e: io::Error, addr: SocketAddr, start: Instant, chain: Vec<Vec<u8>>) -> EndpointError {
    if is_timeout(&e) {
        return timed_out(Stage::Handshake, start);
    }
    let tls = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match tls {
        Some(rustls::Error::InvalidMessage(m)) if chain.is_empty() => EndpointError::NotTls {
            addr,
            detail: format!("{m:?}"),
        },
        Some(other) => EndpointError::HandshakeFailed {
            addr,
            detail: other.to_string(),
            chain,
        },
        None if e.kind() == io::ErrorKind::UnexpectedEof || e.kind() == io::ErrorKind::ConnectionReset => {
            EndpointError::Closed { addr }
        }
        None => EndpointError::HandshakeFailed {
            addr,
            detail: e.to_string(),
            chain,
        },
    }
}

fn config(recorded: Arc<Mutex<Vec<Vec<u8>>>>) -> Arc<ClientConfig> {
    // Deprecated in rustls 0.23.48 for lacking post-quantum key exchange, which protects the
    // secrecy of what a connection carries; this one carries nothing but the server's own
    // (public) certificates. The alternative provider, aws-lc-rs, would add a C and assembly
    // build for no gain here.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let verifier = RecordingVerifier {
        algorithms: provider.signature_verification_algorithms,
        recorded,
    };
    let config = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        // The ring provider supports TLS 1.2 and 1.3 (the `tls12` feature is on): cannot fail.
        .unwrap_or_else(|_| unreachable!("the ring provider supports the default versions"))
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Arc::new(config)
}

/// Accepts every certificate chain and records it: certgate reads the chain here and judges it
/// later with its own verifier (`crypto::verify_chain`), so rejecting here would lose the very
/// chain a finding must describe. This is not a way to trust a server: nothing is sent over the
/// connection, and nothing read from it but the chain is used. Handshake signatures are verified
/// as rustls's own verifier does (`rustls::crypto::verify_tls1{2,3}_signature`).
#[derive(Debug)]
struct RecordingVerifier {
    algorithms: WebPkiSupportedAlgorithms,
    recorded: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.as_ref().to_vec())
            .collect();
        *self.recorded.lock().unwrap_or_else(PoisonError::into_inner) = chain;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The host of an endpoint written as `host`, `host:port` or `https://host:port/path` (the
/// values' `proxy.externalEndpoint`, a configured hostname): what a client names when it connects.
pub fn host_of(endpoint: &str) -> &str {
    let rest = endpoint.split_once("://").map_or(endpoint, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or(rest);
    // A bare IPv6 address (`::1`, `fd00::5`) has colons that are not a port's.
    if host.parse::<std::net::Ipv6Addr>().is_ok() {
        return host;
    }
    if let Some(v6) = host.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    host.rsplit_once(':')
        .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(h, _)| h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_give_their_host() {
        for (endpoint, host) in [
            ("kafka.example.com", "kafka.example.com"),
            ("kafka.example.com:443", "kafka.example.com"),
            ("https://kafka.example.com:8443/path", "kafka.example.com"),
            ("10.0.0.1:9092", "10.0.0.1"),
            ("::1", "::1"),
            ("fd00::5", "fd00::5"),
            ("[fd00::5]:9092", "fd00::5"),
            ("https://[::1]/", "::1"),
        ] {
            assert_eq!(host_of(endpoint), host, "{endpoint}");
        }
    }

    #[test]
    fn endpoints_lose_scheme_port_and_path() {
        assert_eq!(host_of("my-loadbalancer1.com"), "my-loadbalancer1.com");
        assert_eq!(host_of("https://es.example.com:9443/path"), "es.example.com");
        assert_eq!(host_of("[::1]:443"), "::1");
    }

    #[test]
    fn the_external_host_is_taken_from_the_endpoint_value() {
        assert_eq!(host_of("kafka.example.com:443"), "kafka.example.com");
        assert_eq!(host_of("https://kafka.example.com/x"), "kafka.example.com");
        assert_eq!(host_of("[fd00::5]:443"), "fd00::5");
    }

    #[test]
    fn brackets_around_ipv6_literals_are_removed() {
        assert_eq!(unbracket("[::1]"), "::1");
        assert_eq!(unbracket("::1"), "::1");
        assert_eq!(unbracket("kafka.example.com"), "kafka.example.com");
    }

    #[test]
    fn a_server_name_that_is_neither_a_name_nor_an_address_is_refused() {
        let err = fetch_chain("127.0.0.1", 1, "not a name", Duration::from_secs(1)).unwrap_err();
        assert!(matches!(err, EndpointError::InvalidServerName { .. }), "{err}");
    }
}
