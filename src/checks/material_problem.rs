//! `material_problem`: reports what was found wrong with certificate material while reading it (not
//! PEM, not X.509, an unusable key, a key missing from the Secret, a disordered bundle), one rule
//! per kind of problem.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::model::material::ProblemKind;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "material_problem",
    summary: "Certificate material reads as what it must be.",
    params: "problem: one of not-pem, cert-unparseable, key-unusable, secret-key-missing, bundle-disorder",
    build: super::build::<MaterialProblem>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialProblem {
    problem: ProblemKind,
}

impl Check for MaterialProblem {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        for p in unit.material.problems.iter().filter(|p| p.kind == self.problem) {
            emit.hit(Hit {
                location: p.location.clone(),
                path: p.path.clone(),
                block: p.block,
                message: p.message.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca};

    fn problem(problem: ProblemKind) -> MaterialProblem {
        MaterialProblem { problem }
    }

    #[test]
    fn the_problems_of_its_kind_are_reported_where_they_were_found() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let unit = Unit::builder()
            .provided(
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                "not a certificate\n",
                &root.cert_pem(),
            )
            .build();
        assert_eq!(
            hits(&problem(ProblemKind::NotPem), &unit),
            ["cert.pem:1:1 tls.cert: cert.pem holds no PEM block: expected a certificate"]
        );
        assert_eq!(
            hits(&problem(ProblemKind::KeyUnusable), &unit),
            ["key.pem:1:1#1 tls.key: key.pem: invalid private key: not a PKCS#8 structure"]
        );
        // A Secret without the key the values name.
        let secret = Unit::builder()
            .set("tls.type=secret")
            .set("tls.secretName=es-tls")
            .secret("kind: Secret\ndata:\n  key: AAAA\n")
            .build();
        assert_eq!(
            hits(&problem(ProblemKind::SecretKeyMissing), &secret),
            [
                "secret.yaml:3:3 tls.cert: secret.yaml has no key \"cert\" (tls.cert names it, by default): the chart's certificate job cannot read the certificate",
                "secret.yaml:3:3 tls.cacert: secret.yaml has no key \"cacert\" (tls.cacert names it, by default): the chart's certificate job cannot read the CA certificate",
            ]
        );
    }

    #[test]
    fn usable_material_or_other_kinds_of_problem_are_not_reported() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build();
        for kind in [
            ProblemKind::NotPem,
            ProblemKind::CertUnparseable,
            ProblemKind::KeyUnusable,
            ProblemKind::SecretKeyMissing,
            ProblemKind::BundleDisorder,
        ] {
            assert_eq!(hits(&problem(kind), &unit), Vec::<String>::new(), "{kind:?}");
        }
    }
}
