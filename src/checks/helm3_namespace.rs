//! `helm3_namespace`: a Helm 3 command without `--namespace` acts on the current kube context's
//! namespace, which may not be the release's.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::helm::strvals::HelmVersion;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "helm3_namespace",
    summary: "A Helm 3 or 4 command names the release's namespace.",
    params: "(none)",
    build: super::build::<Helm3Namespace>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Helm3Namespace {}

impl Check for Helm3Namespace {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        if unit.helm != HelmVersion::V2 && unit.namespace.is_none() {
            emit.run(format!("{} without --namespace acts in the current kube context's namespace: give --namespace (or namespace: in certgate.yaml)", unit.helm));
        }
    }
}
