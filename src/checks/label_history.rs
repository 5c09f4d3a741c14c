//! `label_history`: a new label repeats one used before (the ConfigMap's previous label, or a
//! label in the configured history), which is ambiguous with a rollback.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::helm::coalesce::same_value;
use crate::helm::render::rendered;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "label_history",
    summary: "A changed label is not one used before.",
    params: "label: the label path; which: external or internal (selects the ConfigMap's previous label)",
    build: super::build::<LabelHistory>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelHistory {
    label: String,
    which: Which,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Which {
    External,
    Internal,
}

impl Check for LabelHistory {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let Some(node) = unit.proposed.lookup(&self.label).filter(|n| !n.is_null()) else {
            return;
        };
        if let Some(running) = &unit.running
            && same_value(running.lookup(&self.label), Some(node))
        {
            return;
        }
        let Some(new) = rendered(node, unit.helm) else { return };
        let previous = unit.configmap.as_ref().and_then(|c| match self.which {
            Which::External => c.previous_external.as_ref(),
            Which::Internal => c.previous_internal.as_ref(),
        });
        if previous
            .filter(|p| !p.is_null())
            .and_then(|p| rendered(p, unit.helm))
            .as_deref()
            == Some(new.as_str())
        {
            emit.value(
                node,
                &self.label,
                format!(
                    "{new:?} is the previous label in the release ConfigMap: reusing it is ambiguous with a rollback"
                ),
            );
        } else if matches!(self.which, Which::External) && unit.history.labels.contains(&new) {
            emit.value(
                node,
                &self.label,
                format!("{new:?} was used before (history.labels): choose a label never used"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::model::testing::UnitBuilder;
    use crate::model::unit::History;

    fn cg105() -> LabelHistory {
        LabelHistory {
            label: "global.security.externalCertificateLabel".into(),
            which: Which::External,
        }
    }

    const CONFIGMAP: &str =
        "kind: ConfigMap\ndata:\n  externalCertificateLabel: ext-1\n  previousExternalCertificateLabel: ext-0\n";

    fn proposing(label: &str) -> UnitBuilder {
        Unit::builder()
            .configmap(CONFIGMAP)
            .previous("global:\n  security:\n    externalCertificateLabel: ext-1\n")
            .set(&format!("global.security.externalCertificateLabel={label}"))
    }

    #[test]
    fn a_label_used_before_is_reported() {
        assert_eq!(
            hits(&cg105(), &proposing("ext-0").build()),
            [
                "--set global.security.externalCertificateLabel=… global.security.externalCertificateLabel: \"ext-0\" is the previous label in the release ConfigMap: reusing it is ambiguous with a rollback"
            ]
        );
        let history = History {
            labels: vec!["ext-old".into()],
            ..History::default()
        };
        assert_eq!(
            hits(&cg105(), &proposing("ext-old").history(history).build()),
            [
                "--set global.security.externalCertificateLabel=… global.security.externalCertificateLabel: \"ext-old\" was used before (history.labels): choose a label never used"
            ]
        );
    }

    #[test]
    fn a_label_never_used_or_unchanged_is_not_reported() {
        assert_eq!(hits(&cg105(), &proposing("ext-2").build()), Vec::<String>::new());
        // Set again to what runs: not a new label at all.
        assert_eq!(hits(&cg105(), &proposing("ext-1").build()), Vec::<String>::new());
    }
}
