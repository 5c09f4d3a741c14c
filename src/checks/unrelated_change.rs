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
