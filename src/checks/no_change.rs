//! `no_change`: nothing certificate-related changes, so no command is needed.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::plan::changes_certificates;
use crate::model::unit::Unit;
use crate::source::ProblemKind;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    const RUNNING: &str =
        "global:\n  security:\n    externalCertificateLabel: ext-1\ntls:\n  type: secret\n  secretName: es-tls\n";

    #[test]
    fn values_that_change_no_certificate_setting_are_reported() {
        let unit = Unit::builder()
            .previous(RUNNING)
            .values("tls:\n  type: secret\nreplicas: 3\n")
            .build();
        assert_eq!(
            hits(&NoChange {}, &unit),
            [
                "run -: nothing certificate-related changes (no certificate label or tls setting differs from what runs): no command is needed"
            ]
        );
    }

    #[test]
    fn a_change_nothing_or_unreadable_values_are_not_reported() {
        let label = Unit::builder()
            .previous(RUNNING)
            .set("global.security.externalCertificateLabel=ext-2")
            .build();
        assert_eq!(hits(&NoChange {}, &label), Vec::<String>::new());
        // Nothing proposed is CG004's.
        assert_eq!(
            hits(&NoChange {}, &Unit::builder().previous(RUNNING).build()),
            Vec::<String>::new()
        );
        // Values that could not be read may change anything.
        let unreadable = Unit::builder().previous(RUNNING).values("tls: [\n").build();
        assert_eq!(hits(&NoChange {}, &unreadable), Vec::<String>::new());
    }
}
