//! `value_forbidden`: the value at a path is one the policy forbids (e.g. the deprecated
//! `tls.type=provided`).

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::helm::coalesce::present;
use crate::helm::render::rendered;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    fn cg209() -> ValueForbidden {
        ValueForbidden {
            path: "tls.type".into(),
            values: vec!["provided".into()],
            message: "provided is deprecated in chart 1.4.0; prefer secret".into(),
        }
    }

    #[test]
    fn a_forbidden_value_is_reported_at_the_value() {
        let unit = Unit::builder().set("tls.type=provided").build();
        assert_eq!(
            hits(&cg209(), &unit),
            ["--set tls.type=… tls.type: tls.type=provided: provided is deprecated in chart 1.4.0; prefer secret"]
        );
    }

    #[test]
    fn another_value_or_none_is_not_reported() {
        assert_eq!(
            hits(&cg209(), &Unit::builder().set("tls.type=secret").build()),
            Vec::<String>::new()
        );
        let label_only = Unit::builder()
            .set("global.security.externalCertificateLabel=ext-2")
            .build();
        assert_eq!(hits(&cg209(), &label_only), Vec::<String>::new());
    }
}
