//! The nodes the loader keeps shared while it reads: anchored nodes, and the collections holding
//! them or an alias, share their subtrees (`Rc`) so that aliases cost no copies until the final
//! tree is built. `Shared*` types are these; every other node is built at once as a
//! [`Node`] ([`Child::Own`]).

use std::rc::Rc;

use crate::source::Span;
use crate::source::value::{Node, Origin, Scalar, Value};

/// A node an anchor shares, or one holding such a node. Aliases share the anchor's `Rc`; copies are
/// made only at the end. Every other node is built at once ([`Child::Own`]).
#[derive(Debug, Clone)]
pub(super) struct SharedNode {
    pub(super) value: SharedValue,
    /// Nodes in the final subtree (aliases counted expanded).
    pub(super) size: usize,
    /// Bytes of the strings and keys in the final subtree (aliases counted expanded).
    pub(super) bytes: usize,
    /// Collection levels in the subtree: 0 for a scalar.
    pub(super) height: usize,
}

#[derive(Debug, Clone)]
pub(super) enum SharedValue {
    Scalar(Scalar),
    Seq(Vec<SharedChild>),
    Map(Vec<SharedEntry>),
    /// A subtree built at once (nothing in it is shared), then anchored: shared as a whole.
    Built(Node),
}

impl SharedNode {
    /// A built subtree to share, measured without recursion (its nodes at their depths).
    pub(super) fn built(node: Node) -> Self {
        let (mut size, mut bytes, mut height) = (0usize, 0usize, 0usize);
        let mut todo: Vec<(&Node, usize)> = vec![(&node, 0)];
        while let Some((n, depth)) = todo.pop() {
            size = size.saturating_add(1);
            match &n.value {
                Value::Scalar(s) => bytes = bytes.saturating_add(scalar_bytes(s)),
                Value::Seq(items) => {
                    height = height.max(depth + 1);
                    todo.extend(items.iter().map(|c| (c, depth + 1)));
                }
                Value::Map(m) => {
                    height = height.max(depth + 1);
                    for e in m.iter() {
                        bytes = bytes.saturating_add(e.key.len());
                        todo.push((&e.node, depth + 1));
                    }
                }
            }
        }
        SharedNode {
            value: SharedValue::Built(node),
            size,
            bytes,
            height,
        }
    }

    pub(super) fn scalar(&self) -> Option<&Scalar> {
        match &self.value {
            SharedValue::Scalar(s)
            | SharedValue::Built(Node {
                value: Value::Scalar(s),
                ..
            }) => Some(s),
            _ => None,
        }
    }

    /// The entries of a mapping, for a merge.
    pub(super) fn entries(&self) -> Option<Vec<SharedEntry>> {
        match &self.value {
            SharedValue::Map(entries) => Some(entries.clone()),
            SharedValue::Built(node) => built_entries(node),
            _ => None,
        }
    }

    /// The items of a sequence, for a merge: where each is, and its entries if it is a mapping.
    pub(super) fn merged_items(&self) -> Option<Vec<(Span, Option<Vec<SharedEntry>>)>> {
        match &self.value {
            SharedValue::Seq(items) => Some(items.iter().map(|c| (c.span, c.node.entries())).collect()),
            SharedValue::Built(Node {
                value: Value::Seq(items),
                ..
            }) => Some(
                items
                    .iter()
                    .map(|n| (span_of_origin(&n.origin), built_entries(n)))
                    .collect(),
            ),
            _ => None,
        }
    }
}

/// The entries of a built mapping, each shared as built.
pub(super) fn built_entries(node: &Node) -> Option<Vec<SharedEntry>> {
    let map = node.as_map()?;
    Some(
        map.iter()
            .map(|e| SharedEntry {
                key: e.key.clone(),
                key_span: span_of_origin(&e.key_origin),
                child: SharedChild::built(e.node.clone()),
            })
            .collect(),
    )
}

/// A node the loader holds until its collection ends.
#[derive(Debug)]
pub(super) enum Child {
    /// Built at once: nothing else refers to it (nearly every node of nearly every file).
    Own(Node),
    /// Shared with an anchor, or holding a shared node: built at the end.
    Shared(SharedChild),
}

impl Child {
    pub(super) fn is_shared(&self) -> bool {
        matches!(self, Child::Shared(_))
    }

    /// As a node that may be shared.
    pub(super) fn share(self) -> SharedChild {
        match self {
            Child::Own(node) => SharedChild::built(node),
            Child::Shared(child) => child,
        }
    }
}

/// A node in its place: an alias copy takes the alias's span for its top node.
#[derive(Debug, Clone)]
pub(super) struct SharedChild {
    pub(super) node: Rc<SharedNode>,
    pub(super) span: Span,
}

impl SharedChild {
    pub(super) fn built(node: Node) -> Self {
        let span = span_of_origin(&node.origin);
        SharedChild {
            node: Rc::new(SharedNode::built(node)),
            span,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct SharedEntry {
    pub(super) key: String,
    pub(super) key_span: Span,
    pub(super) child: SharedChild,
}

impl crate::source::value::Key for SharedEntry {
    fn key(&self) -> &str {
        &self.key
    }
}

/// Nodes, bytes and height of a collection of `children` (each with the length of its key).
pub(super) fn measure<'a>(children: impl Iterator<Item = (usize, &'a SharedChild)>) -> (usize, usize, usize) {
    children.fold((1, 0, 1), |(size, bytes, height), (key, c)| {
        (
            size.saturating_add(c.node.size),
            bytes.saturating_add(key).saturating_add(c.node.bytes),
            height.max(c.node.height + 1),
        )
    })
}

/// What a scalar costs the byte budget of alias expansion: a string its length; the others are
/// paid for by the node budget.
pub(super) fn scalar_bytes(s: &Scalar) -> usize {
    match s {
        Scalar::Str(s) => s.len(),
        _ => 0,
    }
}

/// Where a node (or key) the loader made is in its text.
pub(super) fn span_of_origin(origin: &Origin) -> Span {
    match origin {
        Origin::File { span, .. } => *span,
        _ => Span::default(),
    }
}
