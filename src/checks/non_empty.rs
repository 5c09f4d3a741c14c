//! `non_empty`: a value that must be a unique, non-empty string is empty or null.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::render::rendered;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "non_empty",
    summary: "The value at each path, when the values hold it, is not empty or null.",
    params: "paths: values paths that must not be empty or null",
    build: super::build::<Params>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    paths: Vec<String>,
}

impl Check for Params {
    fn paths(&self) -> Vec<String> {
        self.paths.clone()
    }

    fn run(&self, unit: &Unit, emit: &mut Emit) {
        for path in &self.paths {
            let Some(node) = unit.effective.lookup(path) else {
                continue;
            };
            match rendered(node, unit.helm) {
                None => emit.value(
                    node,
                    path,
                    format!("{path} is null: Helm removes the key and renders an empty label"),
                ),
                Some(s) if s.is_empty() => emit.value(node, path, format!("{path} is empty")),
                Some(_) => {}
            }
        }
    }
}
