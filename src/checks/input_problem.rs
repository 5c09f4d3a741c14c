//! `input_problem`: reports the problems found while reading inputs (missing files, YAML errors,
//! duplicate keys, an unusable chart, nothing to check), one rule per kind of problem.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::model::ProblemKind;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "input_problem",
    summary: "An input could not be read or parsed as certgate reads it (fail closed, never a silent pass).",
    params: "problem: one of unreadable, yaml-invalid, duplicate-key, nothing-checked, rule-file-invalid, chart-unusable, multi-document",
    build: super::build::<InputProblem>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputProblem {
    /// Which kind of input problem this rule reports.
    problem: ProblemKind,
}

impl Check for InputProblem {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        for p in unit.problems.iter().filter(|p| p.kind == self.problem) {
            emit.hit(Hit {
                location: p.location.clone(),
                path: p.path.clone(),
                block: None,
                message: p.message.clone(),
            });
        }
    }
}
