//! The string Helm renders for a value, as the chart's `{{ .Values.x | quote }}` prints it.
//!
//! Certificate labels are rendered into Kubernetes metadata labels, so label checks run on this
//! string, not on the YAML text. Helm reads values files through JSON, so every number from a file
//! is a float64 and Go's `%v` prints `20191101` as `2.0191101e+07`. Integers from `--set` stay
//! integers in Helm 3; Helm 2 sends them to Tiller as YAML, which reads them back as float64.

use super::value::{Node, Origin, Scalar, Value};
use crate::helm::strvals::HelmVersion;
use crate::source::yaml::format_go_float;

/// What the label renders as; `None` for null (sprig's `quote` prints nothing for nil).
pub fn rendered(node: &Node, helm: HelmVersion) -> Option<String> {
    match &node.value {
        Value::Scalar(s) => render_scalar(s, &node.origin, helm),
        Value::Seq(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|n| rendered(n, helm).unwrap_or_else(|| "<nil>".into()))
                .collect();
            Some(format!("[{}]", parts.join(" ")))
        }
        Value::Map(m) => {
            // Go prints maps with sorted keys: map[a:1 b:2].
            let mut parts: Vec<String> = m
                .iter()
                .map(|e| {
                    format!(
                        "{}:{}",
                        e.key,
                        rendered(&e.node, helm).unwrap_or_else(|| "<nil>".into())
                    )
                })
                .collect();
            parts.sort();
            Some(format!("map[{}]", parts.join(" ")))
        }
    }
}

fn render_scalar(s: &Scalar, origin: &Origin, helm: HelmVersion) -> Option<String> {
    match s {
        Scalar::Null => None,
        Scalar::Bool(b) => Some(b.to_string()),
        Scalar::Str(s) => Some(s.clone()),
        Scalar::Float(f) => Some(format_go_float(*f)),
        Scalar::Int(i) => {
            let kept_as_int = helm != HelmVersion::V2 && matches!(origin, Origin::Flag { .. });
            Some(if kept_as_int {
                i.to_string()
            } else {
                format_go_float(*i as f64)
            })
        }
    }
}

/// A short description of a value's YAML type, for messages.
pub fn type_name(node: &Node) -> &'static str {
    match &node.value {
        Value::Scalar(Scalar::Null) => "null",
        Value::Scalar(Scalar::Bool(_)) => "boolean",
        Value::Scalar(Scalar::Int(_)) | Value::Scalar(Scalar::Float(_)) => "number",
        Value::Scalar(Scalar::Str(_)) => "string",
        Value::Seq(_) => "list",
        Value::Map(_) => "map",
    }
}
