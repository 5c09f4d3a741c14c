//! `cacert_is_root`: the chart asks for "the Certificate Authority Root Certificate"; an
//! intermediate as `tls.cacert` works only for clients that also hold the root.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "cacert_is_root",
    summary: "tls.cacert is a self-signed root.",
    params: "(none)",
    build: super::build::<CacertIsRoot>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacertIsRoot {}

impl Check for CacertIsRoot {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let Some(ca) = unit.material.ca() else { return };
        if unit.material.ca_self_signed == Some(false) {
            emit.hit(Hit {
                location: ca.location.clone(),
                path: Some("tls.cacert".into()),
                block: Some(ca.block),
                message: format!(
                    "tls.cacert ({}) is not a self-signed root: it is issued by {}",
                    ca.cert.subject, ca.cert.issuer
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca};

    #[test]
    fn an_intermediate_as_tls_cacert_is_reported() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let intermediate = root.intermediate(Alg::EcP256, "Test Intermediate");
        let leaf = intermediate.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &intermediate.cert_pem())
            .build();
        assert_eq!(
            hits(&CacertIsRoot {}, &unit),
            [
                "ca.pem:1:1#1 tls.cacert: tls.cacert (CN=Test Intermediate) is not a self-signed root: it is issued by CN=Test CA"
            ]
        );
    }

    #[test]
    fn a_self_signed_root_is_not_reported() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build();
        assert_eq!(hits(&CacertIsRoot {}, &unit), Vec::<String>::new());
    }
}
