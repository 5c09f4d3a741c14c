//! `value_forbidden`: the value at a path is one the policy forbids (e.g. the deprecated
//! `tls.type=provided`).

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::effective::present;
use crate::model::render::rendered;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "value_forbidden",
    summary: "The rendered value at `path` is not one of `values`.",
    params: "path: the values path; values: the forbidden strings; message: what to say (the value is appended)",
    build: super::build::<ValueForbidden>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueForbidden {
    path: String,
    values: Vec<String>,
    message: String,
}

impl Check for ValueForbidden {
    fn paths(&self) -> Vec<String> {
        vec![self.path.clone()]
    }

    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let Some(node) = present(&unit.effective, &self.path) else {
            return;
        };
        let Some(value) = rendered(node, unit.helm) else { return };
        if self.values.contains(&value) {
            emit.value(node, &self.path, format!("{}={value}: {}", self.path, self.message));
        }
    }
}
