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
            // Go's fmt prints a map in the order of its keys (`map[a:1 a-:2]`), not of the
            // `key:value` texts, where `a-:2` would come first (`-` sorts before `:`).
            let mut entries: Vec<_> = m.iter().collect();
            entries.sort_by(|a, b| a.key.cmp(&b.key));
            let parts: Vec<String> = entries
                .iter()
                .map(|e| {
                    format!(
                        "{}:{}",
                        e.key,
                        rendered(&e.node, helm).unwrap_or_else(|| "<nil>".into())
                    )
                })
                .collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::value::{Mapping, SetFlag};

    fn map(entries: &[(&str, Scalar)], origin: &Origin) -> Node {
        let mut m = Mapping::new();
        for (k, v) in entries {
            m.insert(k.to_string(), origin.clone(), Node::scalar(v.clone(), origin.clone()));
        }
        Node::new(Value::Map(m), origin.clone())
    }

    #[test]
    fn maps_print_in_the_order_of_their_keys() {
        // As Go prints them (and Helm renders them): `a` before `a-`, though `a-:` sorts before `a:`.
        let node = map(
            &[("a-", Scalar::Int(2)), ("a", Scalar::Int(1)), ("A", Scalar::Null)],
            &Origin::Synthetic,
        );
        assert_eq!(
            rendered(&node, HelmVersion::V3).as_deref(),
            Some("map[A:<nil> a:1 a-:2]")
        );
        let flag = Origin::Flag {
            flag: SetFlag::Set,
            key: "v".into(),
        };
        let node = map(&[("10", Scalar::Int(20191101)), ("9", Scalar::Bool(true))], &flag);
        assert_eq!(
            rendered(&node, HelmVersion::V3).as_deref(),
            Some("map[10:20191101 9:true]")
        );
        assert_eq!(
            rendered(&node, HelmVersion::V2).as_deref(),
            Some("map[10:2.0191101e+07 9:true]")
        );
    }
}
