//! The endpoint input (`--endpoint HOST:PORT`, `endpoints:` in certgate.yaml): the chain each
//! endpoint presents today, read with [`crate::source::endpoint::fetch_chain`], kept as a source
//! of PEM text (so findings point at its blocks and the redaction filter scans it like every other
//! input), and the facts the served-chain rules judge ([`crate::model::served`]).
//!
//! When the values do not hold the CA clients trust today (no `--previous-cacert`, no previous
//! `provided` `tls.cacert`), the CA certificates the server sends after its leaf stand for it:
//! the continuity rules (CG401, CG404) then judge the new certificate against what runs.

use std::time::Duration;

use base64::Engine as _;

use super::UnitSpec;
use super::reader::Reader;
use crate::crypto::{Certificate, Moment, parse_certificate, verify_chain};
use crate::helm::coalesce::present;
use crate::model::material::{self, CertAt, Holder, Material, Raw, Role};
use crate::model::served::{Served, ServedChain};
use crate::model::unit::TlsType;
use crate::source::endpoint::{EndpointError, fetch_chain, host_of};
use crate::source::value::{Node, Origin};
use crate::source::{Location, Source, SourceId, Span};

/// How long one endpoint may take, name resolution, connection and handshake together. A TLS
/// handshake is two round trips: well under a second from anywhere a release is managed from, so
/// 5 s leaves room for a slow resolver and a loaded server, while a pre-commit hook or a CI job
/// waiting on an endpoint that never answers still ends within seconds (the finding then says so).
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The values path whose host clients use from outside the cluster (the chart's external endpoint).
const EXTERNAL_ENDPOINT: &str = "proxy.externalEndpoint";

/// What the endpoints of a unit served, and the source each served chain is held in.
pub(super) struct Fetched {
    pub served: Vec<Served>,
    sources: Vec<Option<SourceId>>,
}

impl Fetched {
    /// The CA certificates the first endpoint that sent any presented after its leaf, as material
    /// standing for the CA clients trust today.
    pub fn ca_raw(&self, r: &Reader) -> Option<Raw> {
        self.served.iter().zip(&self.sources).find_map(|(s, id)| {
            let (chain, id) = (s.outcome.as_ref().ok()?, id.as_ref()?);
            let first_ca = chain.certs.get(1)?;
            let Location::Span { span, .. } = first_ca.location else {
                return None;
            };
            let src = r.sources.get(*id);
            Some(Raw {
                role: Role::PreviousCa,
                holder: Holder::Value {
                    origin: Origin::file(*id, span),
                    name: src.name.clone(),
                },
                text: src.text[span.start..].to_string(),
                source: src.name.clone(),
            })
        })
    }

    /// Whether `material`'s CA clients trust today came from the wire.
    fn ca_from_wire(&self, material: &Material) -> bool {
        material.item(Role::PreviousCa).is_some_and(|i| match &i.holder {
            Holder::Value {
                origin: Origin::File { source, .. },
                ..
            } => self.sources.contains(&Some(*source)),
            _ => false,
        })
    }
}

/// Connect to each endpoint of `spec` and read the chain it presents. The handshake is made for
/// the external hostname the values configure (`proxy.externalEndpoint`, running then proposed),
/// else the unit's first configured hostname, else the endpoint's own host.
pub(super) fn fetch(r: &mut Reader, spec: &UnitSpec, running: Option<&Node>, effective: &Node) -> Fetched {
    let configured = [running, Some(effective)]
        .into_iter()
        .flatten()
        .find_map(|v| present(v, EXTERNAL_ENDPOINT).and_then(Node::as_str).map(host_of))
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .or_else(|| spec.hostnames.first().cloned());
    let mut fetched = Fetched {
        served: Vec::new(),
        sources: Vec::new(),
    };
    for given in &spec.endpoints {
        let (outcome, server_name) = match split_endpoint(&given.value) {
            Ok((host, port)) => {
                let name = configured.clone().unwrap_or_else(|| host.to_string());
                (fetch_chain(host, port, &name, TIMEOUT).or_else(chain_despite), name)
            }
            Err(e) => (Err(e), String::new()),
        };
        let outcome = match outcome {
            Ok(ders) => {
                let id = r
                    .sources
                    .add(Source::new(format!("served by {}", given.value), pem_text(&ders)));
                fetched.sources.push(Some(id));
                Ok(served_chain(r, id, &ders))
            }
            Err(e) => {
                fetched.sources.push(None);
                Err(e)
            }
        };
        fetched.served.push(Served {
            endpoint: given.clone(),
            server_name,
            outcome,
        });
    }
    fetched
}

/// A failed handshake that still showed the server's chain (a server that requires a client
/// certificate fails after sending its own) has told what it serves: the chain is used.
fn chain_despite(e: EndpointError) -> Result<Vec<Vec<u8>>, String> {
    match e {
        EndpointError::HandshakeFailed { chain, .. } if !chain.is_empty() => Ok(chain),
        other => Err(other.to_string()),
    }
}

/// Once the material is analysed: the previous values' server certificate to compare each served
/// chain with, and each served chain against the CA clients trust today when that CA is not
/// itself from the wire.
pub(super) fn judge_facts(
    fetched: &mut Fetched,
    r: &Reader,
    running: Option<&Node>,
    material: &Material,
    now: Moment,
) -> Vec<Served> {
    let previous_leaf = previous_leaf(r, running);
    let previous_ca = (!fetched.ca_from_wire(material))
        .then(|| material.item(Role::PreviousCa))
        .flatten()
        .filter(|i| !i.certs.is_empty());
    for served in &mut fetched.served {
        let Ok(chain) = &mut served.outcome else { continue };
        chain.previous_leaf = previous_leaf.clone();
        let (Some(leaf), Some(ca)) = (chain.certs.first(), previous_ca) else {
            continue;
        };
        let rest: Vec<Certificate> = chain.certs[1..].iter().map(|c| c.cert.clone()).collect();
        let anchors: Vec<Certificate> = ca.certs.iter().map(|c| c.cert.clone()).collect();
        let result = verify_chain(&leaf.cert, &rest, &anchors, now);
        chain.against_previous_ca = Some((ca.certs[0].cert.subject.clone(), result));
    }
    std::mem::take(&mut fetched.served)
}

/// The server certificate of the running release's values, when they are `provided` ones.
fn previous_leaf(r: &Reader, running: Option<&Node>) -> Option<CertAt> {
    let running = running?;
    let kind = present(running, "tls.type")
        .and_then(Node::as_str)
        .and_then(TlsType::parse);
    let node = present(running, "tls.cert").filter(|_| kind == Some(TlsType::Provided))?;
    let shown = match &node.origin {
        Origin::File { source, .. } => format!("{}:tls.cert", r.sources.get(*source).name),
        _ => "the previous tls.cert".into(),
    };
    let mut ignored = Vec::new();
    let raw = material::decode_value(Role::Cert, node, "the previous tls.cert", &shown, &mut ignored)?;
    let scan = crate::source::pem::scan(&raw.text);
    let block = scan.blocks.iter().find(|b| b.der.is_some())?;
    Some(CertAt {
        cert: parse_certificate(block.der.as_deref()?).ok()?,
        location: Location::of(&node.origin),
        block: block.index,
        source: shown,
    })
}

/// Each certificate sent, parsed and located at its block of the served chain's source.
fn served_chain(r: &Reader, id: SourceId, ders: &[Vec<u8>]) -> ServedChain {
    let text = &r.sources.get(id).text;
    let name = r.sources.get(id).name.clone();
    let begins: Vec<usize> = text.match_indices("-----BEGIN").map(|(i, _)| i).collect();
    let mut certs = Vec::new();
    let mut unreadable = 0;
    for (index, der) in ders.iter().enumerate() {
        match parse_certificate(der) {
            Ok(cert) => certs.push(CertAt {
                cert,
                location: Location::Span {
                    source: id,
                    span: Span::point(begins.get(index).copied().unwrap_or(0)),
                },
                block: index,
                source: name.clone(),
            }),
            Err(_) => unreadable += 1,
        }
    }
    ServedChain {
        certs,
        unreadable,
        previous_leaf: None,
        against_previous_ca: None,
    }
}

/// The chain as PEM text, leaf first (RFC 7468 §2: base64 lines of 64 characters).
fn pem_text(ders: &[Vec<u8>]) -> String {
    let mut out = String::new();
    for der in ders {
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out
}

/// `HOST:PORT`, `[IPv6]:PORT` → host and port; anything else is said in words.
pub(super) fn split_endpoint(endpoint: &str) -> Result<(&str, u16), String> {
    let malformed = || format!("`{endpoint}` is not HOST:PORT (an IPv6 address goes in brackets: [::1]:9093)");
    let (host, port) = match endpoint.strip_prefix('[') {
        Some(rest) => {
            let (addr, port) = rest.split_once("]:").ok_or_else(malformed)?;
            (&endpoint[..addr.len() + 2], port)
        }
        None => endpoint.rsplit_once(':').ok_or_else(malformed)?,
    };
    if host.is_empty() || (!host.starts_with('[') && host.contains(':')) {
        return Err(malformed());
    }
    match port.parse::<u16>() {
        Ok(p) if p != 0 && port.bytes().all(|b| b.is_ascii_digit()) => Ok((host, p)),
        _ => Err(malformed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_split_into_host_and_port() {
        assert_eq!(
            split_endpoint("kafka.example.com:9093"),
            Ok(("kafka.example.com", 9093))
        );
        assert_eq!(split_endpoint("127.0.0.1:443"), Ok(("127.0.0.1", 443)));
        assert_eq!(split_endpoint("[::1]:9093"), Ok(("[::1]", 9093)));
        for bad in [
            "kafka",
            "::1:9093",
            "kafka:",
            "kafka:0",
            "kafka:+1",
            ":9093",
            "[::1]9093",
            "k:70000",
        ] {
            let err = split_endpoint(bad).unwrap_err();
            assert!(err.contains("is not HOST:PORT"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_chain_is_written_as_pem_blocks_that_scan_back_to_the_same_der() {
        let ders = vec![vec![0x30, 0x03, 0x02, 0x01, 0x01], (0..200u8).collect()];
        let text = pem_text(&ders);
        let scan = crate::source::pem::scan(&text);
        let back: Vec<Vec<u8>> = scan.blocks.iter().filter_map(|b| b.der.clone()).collect();
        assert_eq!(back, ders);
        assert!(text.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
    }
}
