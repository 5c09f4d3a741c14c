//! `unrelated_change`: the change touches keys outside the certificate labels and `tls`. The
//! approved command does the rotation and nothing else: such keys are either left out of it, or,
//! when a values file the command needs for its key material sets them, carried by it.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::plan::unrelated_changes;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "unrelated_change",
    summary: "The change touches only certificate labels and tls.",
    params: "carried: false reports keys the approved command leaves out, true keys it would change too (through a values file it passes with -f)",
    build: super::build::<UnrelatedChange>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnrelatedChange {
    carried: bool,
}

impl Check for UnrelatedChange {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let carried = match unit.command_plan() {
            Ok(Some(planned)) => planned.carried.as_slice(),
            _ => &[],
        };
        if self.carried {
            for c in carried {
                let change = match (&c.before, &c.after) {
                    (Some(b), Some(a)) => format!("from {b:?} to {a:?}"),
                    (None, Some(a)) => format!("to {a:?}"),
                    (Some(b), None) => format!("from {b:?} to no value"),
                    (None, None) => "its value".into(),
                };
                emit.value(
                    &c.node,
                    &c.path,
                    format!(
                        "the approved command passes -f {} for its key material, and that file also changes {} {change}, which is not a certificate setting",
                        c.file, c.path
                    ),
                );
            }
            return;
        }
        for (path, node) in unrelated_changes(unit) {
            if carried.iter().any(|c| c.path == path) {
                continue;
            }
            emit.value(
                &node,
                &path,
                format!("{path} changes, but it is not a certificate setting: the approved command leaves it out"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    const RUNNING: &str =
        "global:\n  security:\n    externalCertificateLabel: ext-1\ntls:\n  type: selfsigned\nreplicas: 1\n";

    #[test]
    fn a_key_outside_the_certificate_settings_is_reported_where_it_is_set() {
        let unit = Unit::builder()
            .release("es1")
            .chart("ibm-eventstreams-prod", "1.4.0", "{}")
            .previous(RUNNING)
            .values("global:\n  security:\n    externalCertificateLabel: ext-2\nreplicas: 3\n")
            .build();
        assert_eq!(
            hits(&UnrelatedChange { carried: false }, &unit),
            [
                "values.yaml:4:11 replicas: replicas changes, but it is not a certificate setting: the approved command leaves it out"
            ]
        );
        assert_eq!(hits(&UnrelatedChange { carried: true }, &unit), Vec::<String>::new());
    }

    #[test]
    fn a_key_the_command_carries_with_its_key_material_is_the_other_rules() {
        use base64::Engine as _;
        let key = base64::engine::general_purpose::STANDARD
            .encode(crate::crypto::test_support::Alg::EcP256.key(2).serialize_pem());
        let unit = Unit::builder()
            .release("es1")
            .chart("ibm-eventstreams-prod", "1.4.0", "{}")
            .previous(RUNNING)
            .values(&format!(
                "global:\n  security:\n    externalCertificateLabel: ext-2\ntls:\n  type: provided\n  key: {key}\nreplicas: 3\n"
            ))
            .build();
        assert_eq!(
            hits(&UnrelatedChange { carried: true }, &unit),
            [
                "values.yaml:7:11 replicas: the approved command passes -f values.yaml for its key material, and that file also changes replicas from \"1\" to \"3\", which is not a certificate setting"
            ]
        );
        assert_eq!(hits(&UnrelatedChange { carried: false }, &unit), Vec::<String>::new());
    }

    #[test]
    fn a_value_set_again_to_what_runs_is_not_reported() {
        let unit = Unit::builder()
            .previous(RUNNING)
            .values("global:\n  security:\n    externalCertificateLabel: ext-2\nreplicas: 1\n")
            .build();
        assert_eq!(hits(&UnrelatedChange { carried: false }, &unit), Vec::<String>::new());
    }
}
