//! `label_unchanged`: certificate settings change but the label that triggers regeneration does
//! not, so the chart regenerates nothing and the change silently does not happen.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::helm::coalesce::same_value;
use crate::model::plan::tls_changes;
use crate::model::unit::Unit;
use crate::source::Location;
use crate::source::value::Node;

pub const KIND: Kind = Kind {
    name: "label_unchanged",
    summary: "When the settings under `watch` change, the label at `label` changes too.",
    params: "label: the label path; watch: the settings path whose change needs a new label (tls)",
    build: super::build::<LabelUnchanged>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelUnchanged {
    label: String,
    watch: String,
}

impl Check for LabelUnchanged {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        if self.watch != "tls" || !tls_changes(unit) {
            return;
        }
        let label_changes = match &unit.running {
            Some(running) => !same_value(running.lookup(&self.label), unit.effective.lookup(&self.label)),
            // Without the running values, a label the change does not set stays as it is.
            None => unit.proposed.lookup(&self.label).is_some(),
        };
        if label_changes {
            return;
        }
        let label = unit
            .effective
            .lookup(&self.label)
            .and_then(|n| crate::helm::render::rendered(n, unit.helm));
        let message = format!(
            "{} changes but {} stays {}: nothing is regenerated and the running certificates stay in place",
            self.watch,
            self.label,
            label.map_or("as it is".to_string(), |l| format!("{l:?}")),
        );
        match unit.proposed.lookup(&self.label) {
            Some(node) => emit.value(node, &self.label, message),
            None => match first_set_leaf(unit.proposed.lookup(&self.watch)) {
                Some((node, path)) => emit.value(node, &format!("{}.{path}", self.watch), message),
                None => emit.at(Location::Run, Some(&self.label), message),
            },
        }
    }
}

/// The first leaf the proposed values set under a map, to point at the change.
fn first_set_leaf(node: Option<&Node>) -> Option<(&Node, String)> {
    let map = node?.as_map()?;
    map.iter().next().map(|e| (&e.node, e.key.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    fn cg104() -> LabelUnchanged {
        LabelUnchanged {
            label: "global.security.externalCertificateLabel".into(),
            watch: "tls".into(),
        }
    }

    const RUNNING: &str = "global:\n  security:\n    externalCertificateLabel: ext-1\ntls:\n  type: selfsigned\n";

    #[test]
    fn a_tls_change_without_a_new_label_is_reported_at_the_change() {
        let unit = Unit::builder()
            .previous(RUNNING)
            .values("tls:\n  type: secret\n  secretName: es-tls\n")
            .build();
        assert_eq!(
            hits(&cg104(), &unit),
            [
                "values.yaml:2:9 tls.type: tls changes but global.security.externalCertificateLabel stays \"ext-1\": nothing is regenerated and the running certificates stay in place"
            ]
        );
        // The label set again to what runs: the finding points at the label.
        let same = Unit::builder()
            .previous(RUNNING)
            .set("tls.type=provided")
            .set("global.security.externalCertificateLabel=ext-1")
            .build();
        assert_eq!(
            hits(&cg104(), &same),
            [
                "--set global.security.externalCertificateLabel=… global.security.externalCertificateLabel: tls changes but global.security.externalCertificateLabel stays \"ext-1\": nothing is regenerated and the running certificates stay in place"
            ]
        );
    }

    #[test]
    fn a_new_label_or_no_tls_change_is_not_reported() {
        let new_label = Unit::builder()
            .previous(RUNNING)
            .set("tls.type=provided")
            .set("global.security.externalCertificateLabel=ext-2")
            .build();
        assert_eq!(hits(&cg104(), &new_label), Vec::<String>::new());
        let no_tls_change = Unit::builder().previous(RUNNING).set("tls.type=selfsigned").build();
        assert_eq!(hits(&cg104(), &no_tls_change), Vec::<String>::new());
    }
}
