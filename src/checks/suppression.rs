//! `suppression`: the inline suppressions themselves, so an auditor can trust them: a comment that
//! cannot be read (no reason, no code, a bad date), one that silences nothing, one that has lapsed.

use serde::Deserialize;

use super::{Check, Emit, Kind, Outcome};
use crate::model::unit::Unit;
use crate::source::Location;

pub const KIND: Kind = Kind {
    name: "suppression",
    summary: "Inline suppressions are well-formed, used, and not lapsed.",
    params: "problem: invalid (unreadable comment), unused (silences nothing), or lapsed (its until date passed)",
    build: super::build::<Suppression>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    problem: Problem,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Problem {
    Invalid,
    Unused,
    Lapsed,
}

impl Check for Suppression {
    fn run(&self, _unit: &Unit, _emit: &mut Emit) {}

    fn after(&self, unit: &Unit, outcome: &Outcome, emit: &mut Emit) {
        if !outcome.honoured {
            return;
        }
        for (i, s) in unit.suppressions.iter().enumerate() {
            let at = Location::Span {
                source: s.source,
                span: s.span,
            };
            let codes = s.codes.join(", ");
            let lapsed = outcome.lapsed.get(i).copied().unwrap_or(false);
            let used = outcome.used.get(i).copied().unwrap_or(0);
            match (&self.problem, &s.problem) {
                (Problem::Invalid, Some(why)) => {
                    emit.at(at, None, format!("this suppression {why}; it silences nothing"))
                }
                (Problem::Lapsed, None) if lapsed => emit.at(
                    at,
                    None,
                    format!(
                        "the suppression of {codes} lapsed after {}: its findings are reported again",
                        s.until.as_deref().unwrap_or("?")
                    ),
                ),
                (Problem::Unused, None) if !lapsed && used == 0 => emit.at(
                    at,
                    None,
                    format!(
                        "this suppression of {codes} silences nothing on line {}: remove it",
                        s.target_line
                    ),
                ),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{hits, hits_after};

    const VALUES: &str = "tls:\n  type: provided # certgate: ignore CG209 -- migrating next quarter\n  # certgate: ignore CG207 until 2020-01-01 -- old\n  cert: abc\n  key: x # certgate: ignore -- no code\n";

    fn outcome(used: Vec<usize>, lapsed: Vec<bool>) -> Outcome {
        Outcome {
            honoured: true,
            used,
            lapsed,
        }
    }

    #[test]
    fn each_problem_is_reported_at_the_comment() {
        let unit = Unit::builder().values(VALUES).build();
        let after = outcome(vec![0, 0, 0], vec![false, true, false]);
        let check = |problem| Suppression { problem };
        assert_eq!(
            hits_after(&check(Problem::Invalid), &unit, &after),
            ["values.yaml:5:10 -: this suppression names no rule code to ignore; it silences nothing"]
        );
        assert_eq!(
            hits_after(&check(Problem::Unused), &unit, &after),
            ["values.yaml:2:18 -: this suppression of CG209 silences nothing on line 2: remove it"]
        );
        assert_eq!(
            hits_after(&check(Problem::Lapsed), &unit, &after),
            ["values.yaml:3:3 -: the suppression of CG207 lapsed after 2020-01-01: its findings are reported again"]
        );
        // The kind judges the outcome only: before suppressions are applied it says nothing.
        assert_eq!(hits(&check(Problem::Invalid), &unit), Vec::<String>::new());
    }

    #[test]
    fn used_suppressions_and_ignored_ones_are_not_reported() {
        let unit = Unit::builder().values(VALUES).build();
        let used = outcome(vec![1, 0, 0], vec![false, true, false]);
        assert_eq!(
            hits_after(
                &Suppression {
                    problem: Problem::Unused
                },
                &unit,
                &used
            ),
            Vec::<String>::new()
        );
        // --no-suppressions: the comments are not read as suppressions at all.
        let off = Outcome {
            honoured: false,
            ..used
        };
        for problem in [Problem::Invalid, Problem::Unused, Problem::Lapsed] {
            assert_eq!(hits_after(&Suppression { problem }, &unit, &off), Vec::<String>::new());
        }
    }
}
