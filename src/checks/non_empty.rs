//! `non_empty`: a value that must be a unique, non-empty string is empty or null.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::effective::{present, removed_with_parent};
use crate::model::render::manifest_text;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "non_empty",
    summary: "The value at each path, when the values hold it, is not empty or null.",
    params: "paths: values paths that must not be empty or null",
    build: super::build::<NonEmpty>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NonEmpty {
    paths: Vec<String>,
}

impl Check for NonEmpty {
    fn paths(&self) -> Vec<String> {
        self.paths.clone()
    }

    fn run(&self, unit: &Unit, emit: &mut Emit) {
        for path in &self.paths {
            let Some(node) = unit.effective.lookup(path) else {
                // Only a value that was there goes with its parent: a path the chart and the
                // release are known not to hold (uiCertificateLabel on most charts) was never set.
                let before = unit.running.as_ref().unwrap_or(&unit.defaults);
                let known_absent = (unit.running.is_some() || unit.chart.is_some()) && present(before, path).is_none();
                if known_absent {
                    continue;
                }
                if let Some((node, parent)) = removed_with_parent(&unit.effective, path) {
                    emit.value(
                        node,
                        &parent,
                        format!("{parent} is null: Helm removes it, and {path} with it, so the label renders empty"),
                    );
                }
                continue;
            };
            match manifest_text(node, unit.helm) {
                None => emit.value(
                    node,
                    path,
                    format!("{path} is null: Helm removes the key and renders an empty label"),
                ),
                Some(s) if s.is_empty() => emit.value(node, path, format!("{path} is empty")),
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{given, messages, unit};
    use crate::load::UnitSpec;

    fn labels() -> NonEmpty {
        NonEmpty {
            paths: vec![
                "global.security.externalCertificateLabel".into(),
                "global.security.internalCertificateLabel".into(),
            ],
        }
    }

    fn run(sets: &[&str]) -> Vec<String> {
        let spec = UnitSpec {
            set: sets.iter().map(|s| given(s)).collect(),
            ..UnitSpec::default()
        };
        messages(&labels(), &unit(&spec))
    }

    #[test]
    fn a_label_removed_with_its_parent_is_empty() {
        for parent in ["global.security", "global"] {
            let m = run(&[
                "global.security.externalCertificateLabel=ext-2",
                &format!("{parent}=null"),
            ]);
            assert_eq!(m.len(), 2, "{parent}: {m:?}");
            assert!(m[0].starts_with(&format!("{parent} is null")), "{m:?}");
            assert!(m[0].contains("externalCertificateLabel"), "{m:?}");
            assert!(m[1].contains("internalCertificateLabel"), "{m:?}");
        }
    }

    #[test]
    fn null_and_empty_labels_are_reported_and_absent_ones_are_not() {
        let m = run(&[
            "global.security.externalCertificateLabel=null",
            "global.security.internalCertificateLabel=",
        ]);
        assert_eq!(
            m,
            [
                "global.security.externalCertificateLabel is null: Helm removes the key and renders an empty label",
                "global.security.internalCertificateLabel is empty",
            ]
        );
        // Helm's engine deletes `<no value>` from what it renders: Kubernetes gets an empty label.
        assert_eq!(
            run(&["global.security.externalCertificateLabel=<no value>"]),
            ["global.security.externalCertificateLabel is empty"]
        );
        assert!(run(&["tls.type=secret"]).is_empty());
        assert!(run(&["global.security.externalCertificateLabel=ext-2"]).is_empty());
    }
}
