//! What `helm upgrade --reuse-values` leaves a release holding, per Helm version: the model the
//! approved command is proven against before it is printed.
//!
//! Three value layers meet in an upgrade with `--reuse-values`: the installed chart's defaults, the
//! release's stored values (`helm get values`), and the command's overrides (`-f` files, then
//! `--set`). The versions combine them differently, and the difference decides whether `--set K=null`
//! removes `K`:
//!
//! - **Helm 2** (v2.16, `pkg/tiller/release_update.go` `reuseValues`): the stored values take the
//!   overrides in with `Values.MergeInto` (a `null` is kept as a value), and the chart's values become
//!   the installed chart's defaults coalesced with the stored values. Rendering then coalesces the
//!   two (`chartutil.coalesceValues`), where a `null` override deletes the key: `K=null` removes `K`.
//! - **Helm 3 and 4** (`pkg/action/upgrade.go` `reuseValues`): the overrides are coalesced over the
//!   stored values (`chartutil.CoalesceTables(newVals, current.Config)`), which already deletes a key
//!   the overrides set to `null` *from the overrides*; the chart's values are again the installed
//!   defaults coalesced with the stored values, so at rendering the stored value comes back. `K=null`
//!   leaves the release holding its old `K` for this upgrade, and drops it from the stored values so
//!   that the *next* upgrade falls back to the chart default (helm/helm#30765). A key the stored
//!   values do not hold is removed as in Helm 2.
//!
//! Coalescing (`coalesceTablesFullKey` in Helm 3, `coalesceTables` in Helm 2): the higher layer wins;
//! where both hold a mapping they coalesce key by key; a `null` in the higher layer deletes the key
//! when the lower layer holds it, and stays a `null` when it does not. Readers of the result treat a
//! `null` like an absent key, as templates do.

use super::HelmVersion;
use crate::helm::coalesce::merge_into;
use crate::source::value::{Node, Origin, Value};

/// Mappings nested deeper than this are taken whole (inputs are depth-limited well below it).
const MAX_DEPTH: usize = 512;

/// The values a release holds after `helm upgrade --reuse-values` with `overrides`, over the
/// installed chart's `defaults` and the release's stored values `stored`.
pub fn reuse_values(helm: HelmVersion, defaults: &Node, stored: &Node, overrides: &Node) -> Node {
    // The chart's values at rendering: the installed chart's defaults coalesced with the stored
    // values (both versions: `CoalesceValues(current.Chart, current.Config)`).
    let chart_values = coalesce(stored.clone(), defaults);
    let user = match helm {
        HelmVersion::V2 => {
            let mut user = stored.clone();
            merge_into(&mut user, overrides);
            user
        }
        _ => coalesce(overrides.clone(), stored),
    };
    coalesce(user, &chart_values)
}

/// Coalesce `lower` under `higher`: the higher layer wins, mappings coalesce key by key, and a
/// `null` in the higher layer deletes a key the lower layer holds.
pub fn coalesce(mut higher: Node, lower: &Node) -> Node {
    coalesce_at(&mut higher, lower, 0);
    higher
}

fn coalesce_at(higher: &mut Node, lower: &Node, depth: usize) {
    let (Value::Map(dst), Value::Map(src)) = (&mut higher.value, &lower.value) else {
        return;
    };
    if depth > MAX_DEPTH {
        return;
    }
    for entry in src.iter() {
        match dst.get_mut(&entry.key) {
            None => dst.insert(entry.key.clone(), entry.key_origin.clone(), entry.node.clone()),
            Some(d) if d.is_null() => {
                dst.remove(&entry.key);
            }
            Some(d) => {
                if d.as_map().is_some() && entry.node.as_map().is_some() {
                    coalesce_at(d, &entry.node, depth + 1);
                }
                // Otherwise the higher layer's value stands (Helm warns "cannot overwrite table
                // with non table" or "destination ... is a table" and keeps it).
            }
        }
    }
}

/// An empty mapping: the stored values of a release with none, or no overrides.
pub fn empty() -> Node {
    Node::empty_map(Origin::Synthetic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::coalesce::present;
    use crate::source::value::{Mapping, Scalar};

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

    fn defaults() -> Node {
        map(&[(
            "tls",
            map(&[("type", s("selfsigned")), ("key", null()), ("secretName", null())]),
        )])
    }

    fn key(v: &Node) -> Option<&str> {
        present(v, "tls.key").and_then(Node::as_str)
    }

    #[test]
    fn a_null_override_removes_a_stored_key_in_helm_2_and_keeps_it_for_one_upgrade_in_helm_3() {
        let stored = map(&[("tls", map(&[("type", s("provided")), ("key", s("QUJD"))]))]);
        let overrides = map(&[("tls", map(&[("type", s("secret")), ("key", null())]))]);
        let v2 = reuse_values(HelmVersion::V2, &defaults(), &stored, &overrides);
        assert_eq!(key(&v2), None);
        let v3 = reuse_values(HelmVersion::V3, &defaults(), &stored, &overrides);
        assert_eq!(key(&v3), Some("QUJD"), "helm/helm#30765");
        for v in [&v2, &v3] {
            assert_eq!(present(v, "tls.type").and_then(Node::as_str), Some("secret"));
        }
        // An empty value is held as given by both.
        let empty_key = map(&[("tls", map(&[("key", s(""))]))]);
        for helm in [HelmVersion::V2, HelmVersion::V3] {
            assert_eq!(key(&reuse_values(helm, &defaults(), &stored, &empty_key)), Some(""));
        }
    }

    #[test]
    fn a_null_override_of_a_key_the_release_does_not_store_removes_the_default_in_both() {
        let stored = map(&[("other", s("x"))]);
        let overrides = map(&[("tls", map(&[("type", null())]))]);
        for helm in [HelmVersion::V2, HelmVersion::V3] {
            let v = reuse_values(helm, &defaults(), &stored, &overrides);
            assert!(present(&v, "tls.type").is_none(), "{helm}");
            assert_eq!(present(&v, "other").and_then(Node::as_str), Some("x"));
        }
    }

    #[test]
    fn a_parent_set_to_null_removes_its_children_only_where_the_release_does_not_store_it() {
        let overrides = map(&[("tls", null())]);
        let stored = map(&[("tls", map(&[("type", s("provided"))]))]);
        let v3 = reuse_values(HelmVersion::V3, &defaults(), &stored, &overrides);
        assert_eq!(present(&v3, "tls.type").and_then(Node::as_str), Some("provided"));
        let v2 = reuse_values(HelmVersion::V2, &defaults(), &stored, &overrides);
        assert!(present(&v2, "tls").is_none());
        let v3_fresh = reuse_values(HelmVersion::V3, &defaults(), &empty(), &overrides);
        assert!(present(&v3_fresh, "tls").is_none());
    }

    #[test]
    fn overrides_win_and_mappings_merge_key_by_key() {
        let stored = map(&[("tls", map(&[("type", s("provided")), ("key", s("QUJD"))]))]);
        let overrides = map(&[("tls", map(&[("type", s("secret")), ("secretName", s("es-tls"))]))]);
        for helm in [HelmVersion::V2, HelmVersion::V3] {
            let v = reuse_values(helm, &defaults(), &stored, &overrides);
            assert_eq!(present(&v, "tls.secretName").and_then(Node::as_str), Some("es-tls"));
            assert_eq!(key(&v), Some("QUJD"), "reused: the old base64 value lingers");
        }
    }
}
