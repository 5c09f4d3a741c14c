//! `unrelated_change`: the proposed values change keys outside the certificate labels and `tls`.
//! The approved command does the rotation and nothing else, so these are left out of it.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::plan::unrelated_changes;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "unrelated_change",
    summary: "The change touches only certificate labels and tls.",
    params: "(none)",
    build: super::build::<Params>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

impl Check for Params {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        for (path, node) in unrelated_changes(unit) {
            emit.value(
                &node,
                &path,
                format!("{path} changes, but it is not a certificate setting: the approved command leaves it out"),
            );
        }
    }
}
