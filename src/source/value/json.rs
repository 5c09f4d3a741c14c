//! Between the value tree and JSON: schemas validate JSON, findings need spans, so a schema error's
//! instance path is walked back to the node (or key) it names.

use serde_json::{Map, Number, Value as Json};

use crate::source::value::{Entry, Node, Scalar, Value};

/// The JSON form of a node (NaN and infinities become null, as JSON has no spelling for them).
pub fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Scalar(Scalar::Null) => Json::Null,
        Value::Scalar(Scalar::Bool(b)) => Json::Bool(*b),
        Value::Scalar(Scalar::Int(i)) => Json::Number((*i).into()),
        Value::Scalar(Scalar::Float(f)) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Scalar(Scalar::Str(s)) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(m) => Json::Object(
            m.iter()
                .map(|e| (e.key.clone(), to_json(&e.node)))
                .collect::<Map<_, _>>(),
        ),
    }
}

/// What a JSON pointer names in the tree: the node, and the mapping entry holding it (for keys).
pub struct Located<'a> {
    pub node: &'a Node,
    pub entry: Option<&'a Entry>,
    /// The dotted values path (`tls.type`), list indices as `[0]`.
    pub path: String,
}

/// Walk the segments of a JSON pointer (already unescaped) from `root`.
pub fn locate<'a>(root: &'a Node, segments: &[String]) -> Option<Located<'a>> {
    let mut here = Located {
        node: root,
        entry: None,
        path: String::new(),
    };
    for seg in segments {
        match &here.node.value {
            Value::Map(m) => {
                let entry = m.entry(seg)?;
                let path = if here.path.is_empty() {
                    seg.clone()
                } else {
                    format!("{}.{seg}", here.path)
                };
                here = Located {
                    node: &entry.node,
                    entry: Some(entry),
                    path,
                };
            }
            Value::Seq(items) => {
                let i: usize = seg.parse().ok()?;
                let path = format!("{}[{i}]", here.path);
                here = Located {
                    node: items.get(i)?,
                    entry: None,
                    path,
                };
            }
            Value::Scalar(_) => return None,
        }
    }
    Some(here)
}

/// Split a JSON pointer (`/tls/type`) into unescaped segments.
pub fn pointer_segments(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}
