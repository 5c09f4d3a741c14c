//! `key_matches_cert`: the private key belongs to the server certificate (their public keys are the
//! same), or the chart's pods start with a certificate they cannot serve.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::model::material::Role;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "key_matches_cert",
    summary: "The private key's public half is the server certificate's public key.",
    params: "(none)",
    build: super::build::<KeyMatchesCert>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyMatchesCert {}

impl Check for KeyMatchesCert {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let m = &unit.material;
        let (Some(Ok(false)), Some(leaf)) = (&m.key_match, m.leaf()) else {
            return;
        };
        let Some((location, block)) = m.item(Role::Key).and_then(|k| k.key_location.clone()) else {
            return;
        };
        emit.hit(Hit {
            location,
            path: Some("tls.key".into()),
            block: Some(block),
            message: format!(
                "the private key does not belong to the certificate ({}): their public keys differ",
                leaf.cert.subject
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca};

    #[test]
    fn a_key_of_another_certificate_is_reported_at_the_key() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        // EC keys are generated afresh for each certificate.
        let other = root.leaf(Alg::EcP256, "other", &["other.example.com"]);
        let unit = Unit::builder()
            .provided(&other.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build();
        assert_eq!(
            hits(&KeyMatchesCert {}, &unit),
            [
                "key.pem:1:1#1 tls.key: the private key does not belong to the certificate (CN=es): their public keys differ"
            ]
        );
    }

    #[test]
    fn the_certificates_own_key_is_not_reported() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build();
        assert_eq!(hits(&KeyMatchesCert {}, &unit), Vec::<String>::new());
    }
}
