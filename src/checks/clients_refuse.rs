//! `clients_refuse`: TLS clients accept the chain. When they refuse it for a reason no other check
//! shows with a located finding (a broken signature is CG304's, an expired certificate CG306's, a
//! non-CA issuer CG305's, …), the rule whose `reasons` name that reason reports it.
//!
//! The verdict is rustls-webpki's (src/crypto/clients.rs); this module decides only which rule
//! reports it, so that a refused chain is never approved and never reported twice.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::crypto::{ChainOutcome, ChainResult, RejectReason, Rejection, Validity, eku_excludes_server_auth};
use crate::model::material::{CertAt, Material};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "clients_refuse",
    summary: "TLS clients accept the certificate chain (name constraints, critical extensions, RFC 5280 encoding, path building).",
    params: "reasons: name-constraints, critical-extension, other (what clients refuse the chain for that this rule reports)",
    build: super::build::<ClientsRefuse>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientsRefuse {
    reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Reason {
    /// A leaf name outside an issuer's nameConstraints.
    NameConstraints,
    /// A critical extension clients do not know.
    CriticalExtension,
    /// Anything else no located finding explains.
    Other,
}

impl Check for ClientsRefuse {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let m = &unit.material;
        let (Some(rejection), Some(leaf)) = (unexplained(m), m.leaf()) else {
            return;
        };
        let reason = match rejection.reason {
            RejectReason::NameConstraints { .. } => Reason::NameConstraints,
            RejectReason::CriticalExtension { .. } => Reason::CriticalExtension,
            _ => Reason::Other,
        };
        if !self.reasons.contains(&reason) {
            return;
        }
        let (at, message) = refusal(m, leaf, rejection);
        emit.hit(Hit {
            location: at.location.clone(),
            path: Some("tls.cert".into()),
            block: Some(at.block),
            message,
        });
    }
}

/// The certificate a refusal is reported at, and the message saying why clients refuse.
fn refusal<'a>(m: &'a Material, leaf: &'a CertAt, rejection: &Rejection) -> (&'a CertAt, String) {
    let names = || {
        let mut names: Vec<String> = leaf.cert.dns_names.clone();
        names.extend(leaf.cert.ip_addresses.iter().map(ToString::to_string));
        if names.is_empty() {
            format!("no subjectAltName; subject {}", leaf.cert.subject)
        } else {
            names.join(", ")
        }
    };
    match &rejection.reason {
        RejectReason::NameConstraints { by } => (
            leaf,
            format!(
                "clients refuse {}: its names ({}) are outside the names {} may certify (nameConstraints), or excluded by them",
                leaf.cert.subject,
                names(),
                by.and_then(|c| m.at(c))
                    .map_or_else(|| "an issuing CA".to_string(), |c| c.cert.subject.clone())
            ),
        ),
        RejectReason::CriticalExtension { at: Some((c, oid)) } => {
            let cert = m.at(*c).unwrap_or(leaf);
            (
                cert,
                format!(
                    "clients refuse the chain: {} has a critical extension they do not know ({oid})",
                    cert.cert.subject
                ),
            )
        }
        RejectReason::CriticalExtension { at: None } => (
            leaf,
            "clients refuse the chain: a certificate on it has a critical extension they do not know".to_string(),
        ),
        RejectReason::Linkage { at, why } => {
            let cert = m.at(*at).unwrap_or(leaf);
            (
                cert,
                format!(
                    "OpenSSL clients (librdkafka among them) find no issuer for {}: {why}",
                    cert.cert.subject
                ),
            )
        }
        RejectReason::TooComplex => (
            leaf,
            format!(
                "clients give up building a path from {} to tls.cacert: too many candidate issuers or too deep ({})",
                leaf.cert.subject, rejection.detail
            ),
        ),
        _ => (
            leaf,
            format!(
                "clients refuse the chain of {}: {} (rustls-webpki: {})",
                leaf.cert.subject,
                describe(&rejection.reason),
                rejection.detail
            ),
        ),
    }
}

fn describe(reason: &RejectReason) -> &'static str {
    match reason {
        RejectReason::NoPath => "no path from it to a root of tls.cacert",
        RejectReason::BadSignature => "a signature on every path to tls.cacert fails",
        RejectReason::UnsupportedAlgorithm => "a signature algorithm or key on the path is one clients do not accept",
        RejectReason::Expired => "a certificate on the path is expired",
        RejectReason::NotYetValid => "a certificate on the path is not valid yet",
        RejectReason::CaAsLeaf => "it is a CA certificate",
        RejectReason::IssuerNotCa => "an issuer on the path may not issue certificates",
        RejectReason::ExtendedKeyUsage => "a certificate on the path does not allow serverAuth",
        RejectReason::Malformed => "a certificate breaks RFC 5280's encoding rules",
        RejectReason::NameConstraints { .. }
        | RejectReason::CriticalExtension { .. }
        | RejectReason::Linkage { .. }
        | RejectReason::TooComplex => "the path breaks RFC 5280",
    }
}

/// Why clients refuse the new chain, when no located finding of another check shows it: the
/// refusal certgate must still report. `None` when clients accept the chain, or when the located
/// facts the other checks report (a broken or unprovable link, a weak key or signature, validity,
/// a non-CA issuer, the server usage) account for the reason they give.
pub fn unexplained(m: &Material) -> Option<&Rejection> {
    let chain = m.chain.as_ref()?;
    let rejection = chain.clients.as_ref().err()?;
    (!explained(m, chain, &rejection.reason)).then_some(rejection)
}

fn explained(m: &Material, chain: &ChainResult, reason: &RejectReason) -> bool {
    let leaf = m.leaf().map(|c| &c.cert);
    let signatures = || {
        chain.outcome != ChainOutcome::Verified
            || chain.links.iter().any(|l| l.result.is_err())
            || !chain.weak_keys.is_empty()
            || !chain.weak_signatures.is_empty()
    };
    match reason {
        RejectReason::NoPath | RejectReason::BadSignature | RejectReason::UnsupportedAlgorithm => signatures(),
        RejectReason::Expired | RejectReason::NotYetValid => chain.validity.iter().any(|(_, v)| *v != Validity::Valid),
        RejectReason::CaAsLeaf => leaf.is_some_and(|l| l.ca() == Some(true)),
        RejectReason::IssuerNotCa => !chain.ca_problems.is_empty(),
        RejectReason::ExtendedKeyUsage => leaf.is_some_and(eku_excludes_server_auth) || !chain.eku_problems.is_empty(),
        RejectReason::NameConstraints { .. }
        | RejectReason::CriticalExtension { .. }
        | RejectReason::Linkage { .. }
        | RejectReason::Malformed
        | RejectReason::TooComplex => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca, ca_params};

    fn reasons(r: &[Reason]) -> ClientsRefuse {
        ClientsRefuse { reasons: r.to_vec() }
    }

    /// A leaf for es.example.com under a CA that may certify example.org only.
    fn outside_name_constraints() -> Unit {
        let mut params = ca_params("Constrained CA");
        params.name_constraints = Some(rcgen::NameConstraints {
            permitted_subtrees: vec![rcgen::GeneralSubtree::DnsName("example.org".into())],
            excluded_subtrees: Vec::new(),
        });
        let root = Ca::with_params(Alg::EcP256, params, 0);
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build()
    }

    #[test]
    fn a_refusal_is_reported_by_the_rule_that_names_its_reason() {
        assert_eq!(
            hits(&reasons(&[Reason::NameConstraints]), &outside_name_constraints()),
            [
                "cert.pem:1:1#1 tls.cert: clients refuse CN=es: its names (es.example.com) are outside the names CN=Constrained CA may certify (nameConstraints), or excluded by them"
            ]
        );
    }

    #[test]
    fn a_refusal_for_another_reason_or_an_accepted_chain_is_not_reported() {
        let others = reasons(&[Reason::CriticalExtension, Reason::Other]);
        assert_eq!(hits(&others, &outside_name_constraints()), Vec::<String>::new());
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let accepted = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build();
        let all = reasons(&[Reason::NameConstraints, Reason::CriticalExtension, Reason::Other]);
        assert_eq!(hits(&all, &accepted), Vec::<String>::new());
        // Refused for a reason another check reports where it is (an expired leaf is CG306's).
        let expired = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .now("2027-06-01T00:00:00Z")
            .build();
        assert_eq!(hits(&all, &expired), Vec::<String>::new());
    }
}
