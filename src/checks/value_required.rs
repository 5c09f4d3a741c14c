//! `value_required`: the value at a path must be one of a set (an organisation's policy, e.g.
//! "tls.type must be secret in production").

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::effective::present;
use crate::model::render::rendered;
use crate::model::unit::Unit;
use crate::report::Location;

pub const KIND: Kind = Kind {
    name: "value_required",
    summary: "The rendered value at `path` is one of `values`.",
    params: "path: the values path; values: the allowed strings; message: what to say; releases: only these release names (all when empty)",
    build: super::build::<ValueRequired>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueRequired {
    path: String,
    values: Vec<String>,
    message: String,
    #[serde(default)]
    releases: Vec<String>,
}

impl Check for ValueRequired {
    fn paths(&self) -> Vec<String> {
        vec![self.path.clone()]
    }

    fn run(&self, unit: &Unit, emit: &mut Emit) {
        if !self.releases.is_empty() && !unit.release.as_ref().is_some_and(|r| self.releases.contains(&r.value)) {
            return;
        }
        match present(&unit.effective, &self.path) {
            Some(node) => {
                let value = rendered(node, unit.helm).unwrap_or_default();
                if !self.values.contains(&value) {
                    emit.value(node, &self.path, format!("{}={value}: {}", self.path, self.message));
                }
            }
            None => emit.at(
                Location::Run,
                Some(&self.path),
                format!("{} is not set: {}", self.path, self.message),
            ),
        }
    }
}
