//! `scalar_is_string`: a value meant as a string is a YAML boolean or number, which Helm types and
//! renders differently from how it is written (`yes` → `true`, `20191101` → `2.0191101e+07`).

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::helm::coalesce::present;
use crate::helm::render::{rendered, type_name};
use crate::model::unit::Unit;
use crate::source::value::{Scalar, Value};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    fn external() -> ScalarIsString {
        ScalarIsString {
            paths: vec!["global.security.externalCertificateLabel".into()],
        }
    }

    fn label(value: &str) -> Unit {
        Unit::builder()
            .values(&format!(
                "global:\n  security:\n    externalCertificateLabel: {value}\n"
            ))
            .build()
    }

    #[test]
    fn a_number_or_boolean_label_is_reported_with_what_helm_renders() {
        assert_eq!(
            hits(&external(), &label("20191101")),
            [
                "values.yaml:3:31 global.security.externalCertificateLabel: global.security.externalCertificateLabel is a YAML number that Helm renders as \"2.0191101e+07\"; quote it to make it a string"
            ]
        );
        assert_eq!(
            hits(&external(), &label("yes")),
            [
                "values.yaml:3:31 global.security.externalCertificateLabel: global.security.externalCertificateLabel is a YAML boolean that Helm renders as \"true\"; quote it to make it a string"
            ]
        );
    }

    #[test]
    fn a_string_is_not_reported() {
        assert_eq!(hits(&external(), &label("\"20191101\"")), Vec::<String>::new());
        assert_eq!(hits(&external(), &label("ext-2")), Vec::<String>::new());
    }
}
