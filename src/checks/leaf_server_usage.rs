//! `leaf_server_usage`: the server certificate is an end-entity certificate for TLS servers: not a
//! CA, and when it lists extended key usages, serverAuth is among them; so is every intermediate
//! on its path that lists them.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::crypto::eku_excludes_server_auth;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "leaf_server_usage",
    summary: "The server certificate is not a CA and may serve TLS.",
    params: "(none)",
    build: super::build::<LeafServerUsage>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeafServerUsage {}

impl Check for LeafServerUsage {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let m = &unit.material;
        let Some(leaf) = m.leaf() else { return };
        let mut why = Vec::new();
        if leaf.cert.ca() == Some(true) {
            why.push("it is a CA certificate (basicConstraints CA=true)");
        }
        if eku_excludes_server_auth(&leaf.cert) {
            why.push("its extended key usage does not include serverAuth");
        }
        if !why.is_empty() {
            emit.hit(Hit {
                location: leaf.location.clone(),
                path: Some("tls.cert".into()),
                block: Some(leaf.block),
                message: format!("the server certificate {}: {}", leaf.cert.subject, why.join("; ")),
            });
        }
        // Clients require serverAuth of every intermediate that restricts its extended key usage
        // (rustls-webpki, Go; OpenSSL with -purpose sslserver).
        for c in m.chain.iter().flat_map(|chain| &chain.eku_problems) {
            let Some(cert) = m.at(*c) else { continue };
            emit.hit(Hit {
                location: cert.location.clone(),
                path: Some("tls.cert".into()),
                block: Some(cert.block),
                message: format!(
                    "the intermediate {} restricts its extended key usage without serverAuth: clients refuse the server certificates it issues",
                    cert.cert.subject
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca, ca_params, leaf_params};

    #[test]
    fn a_ca_as_leaf_or_a_leaf_without_server_auth_is_reported() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let mut params = leaf_params("es", &["es.example.com"]);
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let leaf = root.issue_leaf(Alg::EcP256, params);
        let unit = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build();
        assert_eq!(
            hits(&LeafServerUsage {}, &unit),
            [
                "cert.pem:1:1#1 tls.cert: the server certificate CN=es: it is a CA certificate (basicConstraints CA=true); its extended key usage does not include serverAuth"
            ]
        );
    }

    #[test]
    fn an_intermediate_restricted_to_other_usages_is_reported() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let mut params = ca_params("Client Intermediate");
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let intermediate = root.issue_ca(Alg::EcP256, params, 1);
        let leaf = intermediate.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = Unit::builder()
            .provided(
                &leaf.key_pem(),
                &(leaf.cert_pem() + &intermediate.cert_pem()),
                &root.cert_pem(),
            )
            .build();
        assert_eq!(
            hits(&LeafServerUsage {}, &unit),
            [
                "cert.pem:11:1#2 tls.cert: the intermediate CN=Client Intermediate restricts its extended key usage without serverAuth: clients refuse the server certificates it issues"
            ]
        );
    }

    #[test]
    fn a_server_certificate_is_not_reported() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let intermediate = root.intermediate(Alg::EcP256, "Test Intermediate");
        let leaf = intermediate.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = Unit::builder()
            .provided(
                &leaf.key_pem(),
                &(leaf.cert_pem() + &intermediate.cert_pem()),
                &root.cert_pem(),
            )
            .build();
        assert_eq!(hits(&LeafServerUsage {}, &unit), Vec::<String>::new());
    }
}
