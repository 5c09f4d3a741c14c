//! `suppression`: the inline suppressions themselves, so an auditor can trust them: a comment that
//! cannot be read (no reason, no code, a bad date), one that silences nothing, one that has lapsed.

use serde::Deserialize;

use super::{Check, Emit, Kind, Outcome};
use crate::model::unit::Unit;
use crate::report::Location;

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
