//! `k8s_label_value`: the string Helm renders for a value must be a valid Kubernetes label value,
//! exactly as apimachinery's `IsValidLabelValue` decides (at most 63 bytes, `[A-Za-z0-9._-]`,
//! alphanumeric at both ends). The empty string is valid here; `non_empty` reports it.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::helm::coalesce::present;
use crate::helm::render::manifest_text;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "k8s_label_value",
    summary: "The rendered value at each path is a valid Kubernetes label value.",
    params: "paths: values paths whose rendered string becomes a Kubernetes label value",
    build: super::build::<K8sLabelValue>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct K8sLabelValue {
    paths: Vec<String>,
}

impl Check for K8sLabelValue {
    fn paths(&self) -> Vec<String> {
        self.paths.clone()
    }

    fn run(&self, unit: &Unit, emit: &mut Emit) {
        for path in &self.paths {
            let Some(node) = present(&unit.effective, path) else {
                continue;
            };
            // The text Kubernetes gets: what the template prints, less Helm's `<no value>`.
            let Some(text) = manifest_text(node, unit.helm) else {
                continue;
            };
            if let Some(why) = label_value_problem(&text) {
                emit.value(
                    node,
                    path,
                    format!("{path} renders as {text:?}, which is not a valid Kubernetes label value: {why}"),
                );
            }
        }
    }
}

/// Why `value` is not a valid Kubernetes label value, or None when it is.
pub fn label_value_problem(value: &str) -> Option<String> {
    let mut problems = Vec::new();
    if value.len() > 63 {
        problems.push(format!("it is {} bytes long, over the limit of 63", value.len()));
    }
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        problems.push(format!("{c:?} is not allowed (only letters, digits, '-', '_' and '.')"));
    }
    let alnum_ends = |c: Option<char>| c.is_none_or(|c| c.is_ascii_alphanumeric());
    if !alnum_ends(value.chars().next()) || !alnum_ends(value.chars().last()) {
        problems.push("it must start and end with a letter or digit".to_string());
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use serde_json::Value;

    /// Every vector from Kubernetes' own validation tests (reference/vectors/k8s_label_values.json).
    #[test]
    fn kubernetes_label_value_vectors() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/reference/vectors/k8s_label_values.json"
        ))
        .expect("reference vectors");
        let v: Value = serde_json::from_str(&text).unwrap();
        let strings = |k: &str| {
            v[k].as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        let valid = [strings("valid"), strings("_supplementary_valid")].concat();
        let invalid = [strings("invalid"), strings("_supplementary_invalid")].concat();
        assert!(valid.len() >= 14 && invalid.len() >= 11);
        for s in valid {
            assert_eq!(label_value_problem(&s), None, "{s:?} is valid");
        }
        for s in invalid {
            assert!(label_value_problem(&s).is_some(), "{s:?} is invalid");
        }
    }

    #[test]
    fn explains_each_reason() {
        assert!(label_value_problem("my label").unwrap().contains("' '"));
        assert!(label_value_problem(&"a".repeat(64)).unwrap().contains("64 bytes"));
        assert!(label_value_problem("-x").unwrap().contains("start and end"));
        assert!(label_value_problem("2.0191101e+07").unwrap().contains("'+'"));
    }

    fn labels() -> K8sLabelValue {
        K8sLabelValue {
            paths: vec![
                "global.security.externalCertificateLabel".into(),
                "global.security.internalCertificateLabel".into(),
            ],
        }
    }

    fn label_values(external: &str) -> Unit {
        Unit::builder()
            .values(&format!(
                "global:\n  security:\n    externalCertificateLabel: {external}\n"
            ))
            .build()
    }

    #[test]
    fn a_label_helm_renders_invalid_is_reported_at_its_value() {
        assert_eq!(
            hits(&labels(), &label_values("my label")),
            [
                "values.yaml:3:31 global.security.externalCertificateLabel: global.security.externalCertificateLabel renders as \"my label\", which is not a valid Kubernetes label value: ' ' is not allowed (only letters, digits, '-', '_' and '.')"
            ]
        );
        // What Kubernetes gets is what Helm prints: a YAML number in exponent form.
        assert_eq!(
            hits(&labels(), &label_values("20191101")),
            [
                "values.yaml:3:31 global.security.externalCertificateLabel: global.security.externalCertificateLabel renders as \"2.0191101e+07\", which is not a valid Kubernetes label value: '+' is not allowed (only letters, digits, '-', '_' and '.')"
            ]
        );
    }

    #[test]
    fn valid_and_absent_labels_are_not_reported() {
        assert_eq!(hits(&labels(), &label_values("ext-2.a_b")), Vec::<String>::new());
        assert_eq!(hits(&labels(), &label_values("\"20191101\"")), Vec::<String>::new());
    }
}
