//! `material_problem`: reports what was found wrong with certificate material while reading it (not
//! PEM, not X.509, an unusable key, a key missing from the Secret, a disordered bundle), one rule
//! per kind of problem.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::model::material::ProblemKind;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "material_problem",
    summary: "Certificate material reads as what it must be.",
    params: "problem: one of not-pem, cert-unparseable, key-unusable, secret-key-missing, bundle-disorder",
    build: super::build::<MaterialProblem>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialProblem {
    problem: ProblemKind,
}

impl Check for MaterialProblem {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        for p in unit.material.problems.iter().filter(|p| p.kind == self.problem) {
            emit.hit(Hit {
                location: p.location.clone(),
                path: p.path.clone(),
                block: p.block,
                message: p.message.clone(),
            });
        }
    }
}
