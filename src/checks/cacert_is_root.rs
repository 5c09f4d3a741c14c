//! `cacert_is_root`: the chart asks for "the Certificate Authority Root Certificate"; an
//! intermediate as `tls.cacert` works only for clients that also hold the root. Every certificate
//! of `tls.cacert` is a trust anchor (old and new CA side by side during a CA rotation), so each
//! is held to it.

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
        let m = &unit.material;
        for (ca, _) in m.roots().iter().zip(&m.roots_self_signed).filter(|(_, root)| !**root) {
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

    /// Old and new CA side by side: each is an anchor, and an intermediate after a root is
    /// reported at its own block.
    #[test]
    fn every_certificate_of_tls_cacert_is_held_to_being_a_root() {
        let old = Ca::new(Alg::EcP256, "Old CA");
        let root = Ca::new(Alg::EcP256, "Test CA");
        let intermediate = root.intermediate(Alg::EcP256, "Test Intermediate");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let both = format!("{}{}", old.cert_pem(), root.cert_pem());
        let unit = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &both)
            .build();
        assert_eq!(hits(&CacertIsRoot {}, &unit), Vec::<String>::new());
        let with_intermediate = format!("{}{}", root.cert_pem(), intermediate.cert_pem());
        let unit = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &with_intermediate)
            .build();
        let lines = root.cert_pem().lines().count() + 1;
        assert_eq!(
            hits(&CacertIsRoot {}, &unit),
            [format!(
                "ca.pem:{lines}:1#2 tls.cacert: tls.cacert (CN=Test Intermediate) is not a self-signed root: it is issued by CN=Test CA"
            )]
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
