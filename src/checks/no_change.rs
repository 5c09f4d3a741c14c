//! `no_change`: nothing certificate-related changes, so no command is needed.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::ProblemKind;
use crate::model::plan::changes_certificates;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "no_change",
    summary: "The proposed values change at least one certificate setting.",
    params: "(none)",
    build: super::build::<NoChange>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoChange {}

impl Check for NoChange {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        // Values that could not be read change nothing only in appearance: their problems say so.
        let unreadable = unit
            .problems
            .iter()
            .any(|p| !matches!(p.kind, ProblemKind::DuplicateKey | ProblemKind::MultiDocument));
        if (unit.has_proposed || unit.command.is_some()) && !unreadable && !changes_certificates(unit) {
            emit.run("nothing certificate-related changes (no certificate label or tls setting differs from what runs): no command is needed");
        }
    }
}
