//! `client_impact`: reports the client impact verdict when it is one of the given scenarios or
//! verdicts (CG401–CG404: the CA changes, the type changes, the first change after an upgrade, or
//! impact that cannot be decided).

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::unit::Unit;
use crate::report::{Scenario, Verdict};

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
