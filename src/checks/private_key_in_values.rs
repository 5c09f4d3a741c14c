//! `private_key_in_values`: a private key written into a values file that git tracks sits in the
//! repository's history for good, readable by everyone who can clone it.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "private_key_in_values",
    summary: "No private key is embedded in a values file that git tracks.",
    params: "(none)",
    build: super::build::<PrivateKeyInValues>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateKeyInValues {}

impl Check for PrivateKeyInValues {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        if let Some((location, file)) = &unit.key_in_tracked_values {
            emit.at(
                location.clone(),
                Some("tls.key"),
                format!("{file} holds a private key and git tracks it: the key stays in the repository's history"),
            );
        }
    }
}
