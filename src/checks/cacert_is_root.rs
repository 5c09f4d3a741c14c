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
