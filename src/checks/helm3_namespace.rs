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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    #[test]
    fn helm_3_without_a_namespace_is_reported() {
        let unit = Unit::builder().helm(HelmVersion::V3).set("tls.type=secret").build();
        assert_eq!(
            hits(&Helm3Namespace {}, &unit),
            [
                "run -: Helm 3 without --namespace acts in the current kube context's namespace: give --namespace (or namespace: in certgate.yaml)"
            ]
        );
    }

    #[test]
    fn helm_2_or_a_namespace_is_not_reported() {
        let v2 = Unit::builder().helm(HelmVersion::V2).set("tls.type=secret").build();
        assert_eq!(hits(&Helm3Namespace {}, &v2), Vec::<String>::new());
        let named = Unit::builder()
            .helm(HelmVersion::V3)
            .namespace("es")
            .set("tls.type=secret")
            .build();
        assert_eq!(hits(&Helm3Namespace {}, &named), Vec::<String>::new());
    }
}
