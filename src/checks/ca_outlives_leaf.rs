//! `ca_outlives_leaf`: a CA (or intermediate) that expires before the certificate it signed cuts
//! the chain short: the leaf's later validity is worth nothing.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "ca_outlives_leaf",
    summary: "Every CA in the chain is valid at least as long as the server certificate.",
    params: "(none)",
    build: super::build::<CaOutlivesLeaf>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaOutlivesLeaf {}

impl Check for CaOutlivesLeaf {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let m = &unit.material;
        let Some(leaf) = m.leaf() else { return };
        // The issuers clients use: an unused block's dates break nothing (CG314 names it).
        let issuers = m.used_certs().into_iter().filter_map(|(role, c)| match role {
            "intermediate" => Some(("intermediate", "tls.cert", c)),
            "ca" => Some(("CA", "tls.cacert", c)),
            _ => None,
        });
        for (role, path, c) in issuers {
            if c.cert.not_after < leaf.cert.not_after {
                emit.hit(Hit {
                    location: c.location.clone(),
                    path: Some(path.into()),
                    block: Some(c.block),
                    message: format!(
                        "the {role} {} expires on {}, before the server certificate it signs ({})",
                        c.cert.subject, c.cert.not_after_rfc3339, leaf.cert.not_after_rfc3339
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca, ca_params, date};
    use rcgen::CertificateParams;

    /// A CA named `cn` whose validity ends the day before the test leaf's (2027-01-01).
    fn short_lived(cn: &str) -> CertificateParams {
        let mut params = ca_params(cn);
        params.not_after = date(2027) - time::Duration::days(1);
        params
    }

    #[test]
    fn a_ca_or_intermediate_expiring_before_the_leaf_is_reported() {
        let root = Ca::with_params(Alg::EcP256, short_lived("Short CA"), 0);
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build();
        assert_eq!(
            hits(&CaOutlivesLeaf {}, &unit),
            [
                "ca.pem:1:1#1 tls.cacert: the CA CN=Short CA expires on 2026-12-31T00:00:00Z, before the server certificate it signs (2027-01-01T00:00:00Z)"
            ]
        );
        let root = Ca::new(Alg::EcP256, "Test CA");
        let intermediate = root.issue_ca(Alg::EcP256, short_lived("Short Intermediate"), 1);
        let leaf = intermediate.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = Unit::builder()
            .provided(
                &leaf.key_pem(),
                &(leaf.cert_pem() + &intermediate.cert_pem()),
                &root.cert_pem(),
            )
            .build();
        assert_eq!(
            hits(&CaOutlivesLeaf {}, &unit),
            [
                "cert.pem:11:1#2 tls.cert: the intermediate CN=Short Intermediate expires on 2026-12-31T00:00:00Z, before the server certificate it signs (2027-01-01T00:00:00Z)"
            ]
        );
    }

    #[test]
    fn a_ca_valid_longer_than_the_leaf_is_not_reported() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build();
        assert_eq!(hits(&CaOutlivesLeaf {}, &unit), Vec::<String>::new());
    }
}
