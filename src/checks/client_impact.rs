//! `client_impact`: reports the client impact verdict when it is one of the given scenarios or
//! verdicts (CG401–CG404: the CA changes, the type changes, the first change after an upgrade, or
//! impact that cannot be decided).

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::impact::{Scenario, Verdict};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "client_impact",
    summary: "The change's client impact is not one of the given scenarios or verdicts.",
    params: "scenarios: scenario names that fire (ca-changed, type-changed, ...); verdicts: verdicts that fire (unknown)",
    build: super::build::<ClientImpact>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientImpact {
    #[serde(default)]
    scenarios: Vec<Scenario>,
    #[serde(default)]
    verdicts: Vec<Verdict>,
}

impl Check for ClientImpact {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let impact = unit.impact();
        if self.scenarios.contains(&impact.scenario) || self.verdicts.contains(&impact.verdict) {
            emit.run(impact.reason.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    fn scenarios(s: &[Scenario]) -> ClientImpact {
        ClientImpact {
            scenarios: s.to_vec(),
            verdicts: Vec::new(),
        }
    }

    fn type_change() -> Unit {
        Unit::builder()
            .previous("global:\n  security:\n    externalCertificateLabel: ext-1\ntls:\n  type: selfsigned\n")
            .values("global:\n  security:\n    externalCertificateLabel: ext-2\ntls:\n  type: secret\n  secretName: es-tls\n")
            .build()
    }

    #[test]
    fn the_impact_is_reported_when_its_scenario_or_verdict_is_named() {
        assert_eq!(
            hits(&scenarios(&[Scenario::TypeChanged]), &type_change()),
            [
                "run -: tls.type changes from selfsigned to secret: \"If you change the certificate type, for example, from self-generated to provided, you will need to update your clients.\""
            ]
        );
        let unknown = ClientImpact {
            scenarios: Vec::new(),
            verdicts: vec![Verdict::Unknown],
        };
        let no_previous = Unit::builder().set("tls.type=secret").build();
        assert_eq!(
            hits(&unknown, &no_previous),
            [
                "run -: the running release's values are not known: give --previous (helm get values RELEASE -o yaml) or --base REV to decide"
            ]
        );
    }

    #[test]
    fn another_scenario_is_not_reported() {
        assert_eq!(
            hits(&scenarios(&[Scenario::CaChanged]), &type_change()),
            Vec::<String>::new()
        );
    }
}
