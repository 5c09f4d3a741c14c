//! `signed_by_ca`: the server certificate verifies up to `tls.cacert` by signature, through the
//! intermediates of its bundle; names that match prove nothing.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::crypto::{BreakReason, ChainOutcome};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "signed_by_ca",
    summary: "The certificate chain verifies up to tls.cacert by signature.",
    params: "(none)",
    build: super::build::<SignedByCa>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedByCa {}

impl Check for SignedByCa {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let m = &unit.material;
        let (Some(chain), Some(ca)) = (&m.chain, m.ca()) else {
            return;
        };
        let ChainOutcome::Broken { at, reason } = &chain.outcome else {
            return;
        };
        let Some(cert) = m.at(*at) else { return };
        let what = match reason {
            BreakReason::IssuerNotFound => format!(
                "no certificate given is its issuer ({}): tls.cacert is {}, so an intermediate is missing from tls.cert or tls.cacert is another CA",
                cert.cert.issuer, ca.cert.subject
            ),
            BreakReason::OtherRoot => format!("it is a self-signed root, not tls.cacert ({})", ca.cert.subject),
            BreakReason::BadSignature { issuer } => format!(
                "its signature does not verify with the key of {}, though the names match: a different CA with the same name",
                m.at(*issuer)
                    .map_or("its issuer".to_string(), |c| c.cert.subject.clone())
            ),
        };
        emit.hit(Hit {
            location: cert.location.clone(),
            path: Some("tls.cert".into()),
            block: Some(cert.block),
            message: format!("{} does not verify up to tls.cacert: {what}", cert.cert.subject),
        });
    }
}
