//! Effective values: what Helm will hold after the approved command, computed as Helm coalesces.
//!
//! Helm merges values layer over layer (`chartutil.mergeValues`, `coalesceTables`): when both sides
//! hold a map for a key the maps merge key by key; otherwise the later layer's value replaces the
//! earlier one. A `null` from a later layer is kept here as a Null node (so findings can point at
//! the line that removed a key); Helm deletes such keys when it coalesces with the chart defaults,
//! and every reader of effective values treats a Null exactly like an absent key.

use crate::source::value::{Node, Scalar, Value};

/// Maps nested deeper than this are replaced rather than merged (inputs are depth-limited well below
/// it; this only bounds recursion on hostile `--set` keys).
const MAX_MERGE_DEPTH: usize = 512;

/// Merge `over` onto `base`, later wins, maps merge deeply.
pub fn merge_into(base: &mut Node, over: &Node) {
    merge_at(base, over, 0);
}

fn merge_at(base: &mut Node, over: &Node, depth: usize) {
    match (&mut base.value, &over.value) {
        (Value::Map(base_map), Value::Map(over_map)) if depth < MAX_MERGE_DEPTH => {
            for entry in over_map.iter() {
                match base_map.get_mut(&entry.key) {
                    Some(existing) if existing.as_map().is_some() && entry.node.as_map().is_some() => {
                        merge_at(existing, &entry.node, depth + 1);
                    }
                    _ => base_map.insert(entry.key.clone(), entry.key_origin.clone(), entry.node.clone()),
                }
            }
        }
        _ => *base = over.clone(),
    }
}

/// Coalesce layers in order (e.g. chart defaults, previous values, proposed values).
pub fn coalesce<'a>(first: Node, rest: impl IntoIterator<Item = &'a Node>) -> Node {
    let mut acc = first;
    for layer in rest {
        merge_into(&mut acc, layer);
    }
    acc
}

/// The node at `path`, or None when absent or removed by a `null`.
pub fn present<'a>(root: &'a Node, path: &str) -> Option<&'a Node> {
    root.lookup(path).filter(|n| !n.is_null())
}

/// When `path` is absent because one of its parents was set to `null` (`--set global.security=null`
/// removes both labels with the mapping), that parent's node and its path.
pub fn removed_with_parent<'a>(root: &'a Node, path: &str) -> Option<(&'a Node, String)> {
    let mut node = root;
    let mut walked = String::new();
    for part in path.split('.') {
        let next = node.as_map()?.get(part)?;
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(part);
        if next.is_null() {
            return (walked.len() < path.len()).then_some((next, walked));
        }
        node = next;
    }
    None
}

/// Whether two effective values are the same for Helm (Null and absent are the same; origins are
/// ignored).
pub fn same_value(a: Option<&Node>, b: Option<&Node>) -> bool {
    let a = a.filter(|n| !n.is_null());
    let b = b.filter(|n| !n.is_null());
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same_node(a, b, 0),
        _ => false,
    }
}

fn same_node(a: &Node, b: &Node, depth: usize) -> bool {
    if depth > MAX_MERGE_DEPTH {
        return false;
    }
    match (&a.value, &b.value) {
        (Value::Scalar(x), Value::Scalar(y)) => same_scalar(x, y),
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_node(p, q, depth + 1))
        }
        (Value::Map(x), Value::Map(y)) => {
            let live = |m: &crate::source::value::Mapping| m.iter().filter(|e| !e.node.is_null()).count();
            live(x) == live(y)
                && x.iter()
                    .filter(|e| !e.node.is_null())
                    .all(|e| y.get(&e.key).is_some_and(|other| same_node(&e.node, other, depth + 1)))
        }
        _ => false,
    }
}

/// Numbers compare by value whatever their representation: Helm turns file integers into floats.
fn same_scalar(x: &Scalar, y: &Scalar) -> bool {
    match (x, y) {
        (Scalar::Int(i), Scalar::Float(f)) | (Scalar::Float(f), Scalar::Int(i)) => (*i as f64) == *f,
        _ => x == y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::value::{Mapping, Origin};

    fn map(entries: &[(&str, Node)]) -> Node {
        let mut m = Mapping::new();
        for (k, v) in entries {
            m.insert((*k).to_string(), Origin::Synthetic, v.clone());
        }
        Node::new(Value::Map(m), Origin::Synthetic)
    }

    fn s(v: &str) -> Node {
        Node::scalar(Scalar::Str(v.to_string()), Origin::Synthetic)
    }

    fn null() -> Node {
        Node::scalar(Scalar::Null, Origin::Synthetic)
    }

    #[test]
    fn maps_merge_deeply_and_scalars_replace() {
        let defaults = map(&[("tls", map(&[("type", s("selfsigned")), ("key", null())]))]);
        let previous = map(&[("tls", map(&[("type", s("provided")), ("key", s("QUJD"))]))]);
        let proposed = map(&[("tls", map(&[("type", s("secret")), ("secretName", s("es-tls"))]))]);
        let eff = coalesce(defaults, [&previous, &proposed]);
        assert_eq!(eff.lookup("tls.type").and_then(Node::as_str), Some("secret"));
        // The old base64 key lingers, as it does with --reuse-values.
        assert_eq!(eff.lookup("tls.key").and_then(Node::as_str), Some("QUJD"));
        assert_eq!(eff.lookup("tls.secretName").and_then(Node::as_str), Some("es-tls"));
    }

    #[test]
    fn null_removes_and_compares_as_absent() {
        let previous = map(&[("tls", map(&[("key", s("QUJD"))]))]);
        let proposed = map(&[("tls", map(&[("key", null())]))]);
        let eff = coalesce(previous.clone(), [&proposed]);
        assert!(present(&eff, "tls.key").is_none());
        assert!(same_value(eff.lookup("tls.key"), None));
        assert!(!same_value(eff.lookup("tls.key"), previous.lookup("tls.key")));
    }

    #[test]
    fn a_label_removed_with_its_parent_names_the_parent() {
        let defaults = map(&[("global", map(&[("security", map(&[("l", s("x"))]))]))]);
        let proposed = map(&[("global", map(&[("security", null())]))]);
        let eff = coalesce(defaults.clone(), [&proposed]);
        let (node, parent) = removed_with_parent(&eff, "global.security.l").expect("removed");
        assert!(node.is_null());
        assert_eq!(parent, "global.security");
        // Removed itself, or not removed: not this.
        let own = coalesce(
            defaults.clone(),
            [&map(&[("global", map(&[("security", map(&[("l", null())]))]))])],
        );
        assert!(removed_with_parent(&own, "global.security.l").is_none());
        assert!(removed_with_parent(&defaults, "global.security.l").is_none());
    }

    #[test]
    fn a_scalar_replaces_a_map_and_back() {
        let a = map(&[("tls", map(&[("type", s("x"))]))]);
        let b = map(&[("tls", s("flat"))]);
        let eff = coalesce(a, [&b]);
        assert_eq!(eff.lookup("tls").and_then(Node::as_str), Some("flat"));
    }

    #[test]
    fn file_integers_equal_set_integers() {
        let f = Node::scalar(Scalar::Float(1234.0), Origin::Synthetic);
        let i = Node::scalar(Scalar::Int(1234), Origin::Synthetic);
        assert!(same_value(Some(&f), Some(&i)));
    }
}
