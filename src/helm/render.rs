//! The string Helm renders for a value, as the chart's `{{ .Values.x | quote }}` prints it.
//!
//! Certificate labels are rendered into Kubernetes metadata labels, so label checks run on this
//! string, not on the YAML text. Helm reads values files through JSON, so every number from a file
//! is a float64 and Go's `%v` prints `20191101` as `2.0191101e+07`. Integers from `--set` stay
//! integers in Helm 3; Helm 2 sends them to Tiller as YAML, which reads them back as float64.
//! [`manifest_text`] is what then reaches the manifest, once Helm's engine has deleted every
//! `<no value>`. `tests/helm_oracle.rs` holds both to Helm's own template engine.

use crate::helm::strvals::HelmVersion;
use crate::source::value::{Node, Origin, Scalar, Value};
use crate::source::yaml::format_go_float;

/// The text Helm writes into a manifest where a template prints the value: [`rendered`] with
/// every `<no value>` deleted. Go's templates print `<no value>` for a missing value, and Helm's
/// engine deletes that text from each rendered file wherever it is, a value's own text included
/// (helm/helm `pkg/engine/engine.go`, Helm 2 and 3), so a label `x<no value>y` reaches Kubernetes
/// as `xy`. [`rendered`] stays the value itself: what a command sets and what the chart's
/// templates compare.
pub fn manifest_text(node: &Node, helm: HelmVersion) -> Option<String> {
    rendered(node, helm).map(|s| s.replace("<no value>", ""))
}

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
    use crate::source::value::{Mapping, SetFlag};

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

    #[test]
    fn the_manifest_loses_every_no_value() {
        let text = |s: &str| manifest_text(&Node::scalar(Scalar::Str(s.into()), Origin::Synthetic), HelmVersion::V3);
        assert_eq!(text("x<no value>y").as_deref(), Some("xy"));
        assert_eq!(text("<no value>").as_deref(), Some(""));
        // One pass, as Go's strings.Replace: what the deletion joins stays.
        assert_eq!(text("<no <no value>value>").as_deref(), Some("<no value>"));
        let list = Node::new(
            Value::Seq(vec![
                Node::scalar(Scalar::Str("<no".into()), Origin::Synthetic),
                Node::scalar(Scalar::Str("value>".into()), Origin::Synthetic),
            ]),
            Origin::Synthetic,
        );
        assert_eq!(manifest_text(&list, HelmVersion::V3).as_deref(), Some("[]"));
        assert_eq!(rendered(&list, HelmVersion::V3).as_deref(), Some("[<no value>]"));
        assert_eq!(
            manifest_text(&Node::scalar(Scalar::Null, Origin::Synthetic), HelmVersion::V3),
            None
        );
    }
}
