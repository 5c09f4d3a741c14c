//! `non_empty`: a value that must be a unique, non-empty string is empty or null.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::helm::coalesce::{present, removed_with_parent};
use crate::helm::render::manifest_text;
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
    use crate::checks::testing::hits;

    fn labels() -> NonEmpty {
        NonEmpty {
            paths: vec![
                "global.security.externalCertificateLabel".into(),
                "global.security.internalCertificateLabel".into(),
            ],
        }
    }

    fn run(sets: &[&str]) -> Vec<String> {
        let unit = sets.iter().fold(Unit::builder(), |b, s| b.set(s)).build();
        hits(&labels(), &unit)
    }

    #[test]
    fn a_label_removed_with_its_parent_is_empty() {
        for parent in ["global.security", "global"] {
            assert_eq!(
                run(&[
                    "global.security.externalCertificateLabel=ext-2",
                    &format!("{parent}=null"),
                ]),
                [
                    format!(
                        "--set {parent}=… {parent}: {parent} is null: Helm removes it, and global.security.externalCertificateLabel with it, so the label renders empty"
                    ),
                    format!(
                        "--set {parent}=… {parent}: {parent} is null: Helm removes it, and global.security.internalCertificateLabel with it, so the label renders empty"
                    ),
                ],
                "{parent}"
            );
        }
    }

    #[test]
    fn null_and_empty_labels_are_reported_and_absent_ones_are_not() {
        assert_eq!(
            run(&[
                "global.security.externalCertificateLabel=null",
                "global.security.internalCertificateLabel=",
            ]),
            [
                "--set global.security.externalCertificateLabel=… global.security.externalCertificateLabel: global.security.externalCertificateLabel is null: Helm removes the key and renders an empty label",
                "--set global.security.internalCertificateLabel=… global.security.internalCertificateLabel: global.security.internalCertificateLabel is empty",
            ]
        );
        // Helm's engine deletes `<no value>` from what it renders: Kubernetes gets an empty label.
        assert_eq!(
            run(&["global.security.externalCertificateLabel=<no value>"]),
            [
                "--set global.security.externalCertificateLabel=… global.security.externalCertificateLabel: global.security.externalCertificateLabel is empty"
            ]
        );
        assert_eq!(run(&["tls.type=secret"]), Vec::<String>::new());
        assert_eq!(
            run(&["global.security.externalCertificateLabel=ext-2"]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_label_the_chart_does_not_have_is_not_missing() {
        // uiCertificateLabel: most charts do not define it; removing its parent removes nothing.
        let ui = NonEmpty {
            paths: vec!["global.security.uiCertificateLabel".into()],
        };
        let unit = |chart_defaults: &str| {
            Unit::builder()
                .chart("ibm-eventstreams-prod", "1.4.0", chart_defaults)
                .set("global.security=null")
                .build()
        };
        let without = unit("global:\n  security:\n    externalCertificateLabel: ext-1\n");
        assert_eq!(hits(&ui, &without), Vec::<String>::new());
        let with = unit("global:\n  security:\n    uiCertificateLabel: ui-1\n");
        assert_eq!(
            hits(&ui, &with),
            [
                "--set global.security=… global.security: global.security is null: Helm removes it, and global.security.uiCertificateLabel with it, so the label renders empty"
            ]
        );
    }
}
