//! `ca_usage`: `tls.cacert` and every intermediate on the path may issue certificates: a v3
//! certificate needs basicConstraints CA=true, and a keyUsage extension must allow keyCertSign
//! (a v1 root without extensions is accepted, as OpenSSL accepts it).

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::crypto::{CaProblem, ChainCert, ca_problems};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "ca_usage",
    summary: "CA certificates are marked as CAs.",
    params: "(none)",
    build: super::build::<CaUsage>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaUsage {}

impl Check for CaUsage {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let m = &unit.material;
        let problems: Vec<(ChainCert, CaProblem)> = match &m.chain {
            Some(chain) => chain.ca_problems.clone(),
            None => m
                .roots()
                .iter()
                .enumerate()
                .flat_map(|(i, ca)| ca_problems(&ca.cert).into_iter().map(move |p| (ChainCert::Ca(i), p)))
                .collect(),
        };
        for (at, problem) in problems {
            let Some(cert) = m.at(at) else { continue };
            let why = match problem {
                CaProblem::NotCa => "has no basicConstraints CA=true".to_string(),
                CaProblem::NoKeyCertSign => "has a keyUsage without keyCertSign".to_string(),
                CaProblem::PathLenExceeded { max, below } => {
                    format!("allows {max} CA certificates below it but has {below}")
                }
            };
            let path = if matches!(at, ChainCert::Ca(_)) {
                "tls.cacert"
            } else {
                "tls.cert"
            };
            emit.hit(Hit {
                location: cert.location.clone(),
                path: Some(path.into()),
                block: Some(cert.block),
                message: format!(
                    "{} is used as a CA but {why}: clients reject certificates it signs",
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
    use crate::crypto::test_support::{Alg, Ca, ca_params};

    #[test]
    fn a_ca_without_basic_constraints_ca_is_reported() {
        let mut params = ca_params("Not A CA");
        params.is_ca = rcgen::IsCa::ExplicitNoCa;
        let root = Ca::with_params(Alg::EcP256, params, 0);
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build();
        assert_eq!(
            hits(&CaUsage {}, &unit),
            [
                "ca.pem:1:1#1 tls.cacert: CN=Not A CA is used as a CA but has no basicConstraints CA=true: clients reject certificates it signs"
            ]
        );
    }

    #[test]
    fn a_ca_marked_as_one_is_not_reported() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build();
        assert_eq!(hits(&CaUsage {}, &unit), Vec::<String>::new());
    }
}
