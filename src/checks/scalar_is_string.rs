//! `scalar_is_string`: a value meant as a string is a YAML boolean or number, which Helm types and
//! renders differently from how it is written (`yes` → `true`, `20191101` → `2.0191101e+07`).

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::effective::present;
use crate::model::render::{rendered, type_name};
use crate::model::unit::Unit;
use crate::model::value::{Scalar, Value};

pub const KIND: Kind = Kind {
    name: "scalar_is_string",
    summary: "The value at each path is a string, not a YAML boolean or number.",
    params: "paths: values paths that must hold strings",
    build: super::build::<ScalarIsString>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalarIsString {
    paths: Vec<String>,
}

impl Check for ScalarIsString {
    fn paths(&self) -> Vec<String> {
        self.paths.clone()
    }

    fn run(&self, unit: &Unit, emit: &mut Emit) {
        for path in &self.paths {
            let Some(node) = present(&unit.effective, path) else {
                continue;
            };
            if matches!(
                node.value,
                Value::Scalar(Scalar::Bool(_) | Scalar::Int(_) | Scalar::Float(_))
            ) {
                let text = rendered(node, unit.helm).unwrap_or_default();
                emit.value(
                    node,
                    path,
                    format!(
                        "{path} is a YAML {} that Helm renders as {text:?}; quote it to make it a string",
                        type_name(node)
                    ),
                );
            }
        }
    }
}
