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
