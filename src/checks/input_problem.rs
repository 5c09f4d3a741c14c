//! `input_problem`: reports the problems found while reading inputs (missing files, YAML errors,
//! duplicate keys, an unusable chart, nothing to check), one rule per kind of problem.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::model::unit::Unit;
use crate::source::ProblemKind;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    #[test]
    fn the_problems_of_its_kind_are_reported_where_they_were_found() {
        let unit = Unit::builder()
            .values("tls:\n  type: secret\n  type: provided\n")
            .values("tls: [\n")
            .build();
        assert_eq!(
            hits(
                &InputProblem {
                    problem: ProblemKind::DuplicateKey
                },
                &unit
            ),
            ["values.yaml:3:3 -: key \"type\" repeats the key at line 2; Helm keeps this later value"]
        );
        assert_eq!(
            hits(
                &InputProblem {
                    problem: ProblemKind::YamlInvalid
                },
                &unit
            ),
            ["values-2.yaml:2:1 -: while parsing a node, did not find expected node content"]
        );
        assert_eq!(
            hits(
                &InputProblem {
                    problem: ProblemKind::NothingChecked
                },
                &Unit::builder().build()
            ),
            [
                "run -: no proposed values to check: give values files (-f), --set flags, --command, or a certgate.yaml naming release units"
            ]
        );
    }

    #[test]
    fn other_kinds_of_problem_are_not_reported() {
        let unit = Unit::builder().values("tls: [\n").build();
        assert_eq!(
            hits(
                &InputProblem {
                    problem: ProblemKind::DuplicateKey
                },
                &unit
            ),
            Vec::<String>::new()
        );
        let fine = Unit::builder().values("tls:\n  type: secret\n").build();
        assert_eq!(
            hits(
                &InputProblem {
                    problem: ProblemKind::YamlInvalid
                },
                &fine
            ),
            Vec::<String>::new()
        );
    }
}
