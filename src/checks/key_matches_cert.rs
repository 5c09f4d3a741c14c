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
