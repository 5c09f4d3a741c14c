//! The value tree every input becomes: YAML files, `--set` flags and chart defaults alike.
//!
//! A [`Node`] is a value plus where it came from ([`Origin`]), so that a finding about any effective
//! value can name the file, line and column (or the flag) that set it. Mappings keep insertion order
//! and the origin of each key.

pub mod de;
pub mod json;

use std::collections::HashMap;

use crate::source::{SourceId, Span};

/// A scalar as Helm holds it after reading.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    /// An integer. From a YAML file Helm turns it into a float (see `model::render`); from `--set`
    /// Helm 3 keeps it an integer.
    Int(i64),
    Float(f64),
    Str(String),
}

/// Which flag set a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SetFlag {
    Set,
    SetString,
    SetFile,
}

impl SetFlag {
    pub fn as_flag(self) -> &'static str {
        match self {
            SetFlag::Set => "--set",
            SetFlag::SetString => "--set-string",
            SetFlag::SetFile => "--set-file",
        }
    }
}

/// Where a node (or a mapping key) came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// A span in a source text (a values file, a chart's values.yaml, a manifest).
    File { source: SourceId, span: Span },
    /// A command-line flag: `--set KEY=…`. `key` is the whole key path as written (shared by every
    /// node the argument makes: a list index of 65,536 makes as many).
    Flag { flag: SetFlag, key: std::sync::Arc<str> },
    /// Made by certgate itself (e.g. an empty map standing for a missing file).
    Synthetic,
}

impl Origin {
    pub fn file(source: SourceId, span: Span) -> Self {
        Origin::File { source, span }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Mapping),
}

/// One `key: value` pair of a mapping, with the key's own origin (for findings about the key).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_origin: Origin,
    pub node: Node,
}

/// Items with string keys, in insertion order, found by key: small ones (the vast majority) by a
/// scan, and from [`INDEX_FROM`] items on through a hash index, so that a hostile file with
/// 100,000 keys (or a merge of a large mapping) costs linear time, not quadratic.
#[derive(Debug, Clone)]
pub struct Keyed<T> {
    items: Vec<T>,
    /// Boxed: `None` in nearly every mapping, and 8 bytes instead of 48 in each.
    #[allow(clippy::box_collection)]
    index: Option<Box<HashMap<String, usize>>>,
}

/// The size from which [`Keyed`] keeps a hash index of its keys (a scan up to it).
pub const INDEX_FROM: usize = 16;

/// What [`Keyed`] finds its items by.
pub trait Key {
    fn key(&self) -> &str;
}

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Keyed {
            items: Vec::new(),
            index: None,
        }
    }
}

impl<T: Key> Keyed<T> {
    pub fn with_capacity(n: usize) -> Self {
        Keyed {
            items: Vec::with_capacity(n),
            index: None,
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn into_vec(self) -> Vec<T> {
        self.items
    }

    pub fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.items.iter().position(|e| e.key() == key),
        }
    }

    pub fn get(&self, key: &str) -> Option<&T> {
        self.position(key).and_then(|i| self.items.get(i))
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut T> {
        let i = self.position(key)?;
        self.items.get_mut(i)
    }

    /// Add `item`, or replace the item with its key where that one stands (a Go map has no order
    /// to lose, and Helm's YAML keeps the first place).
    pub fn upsert(&mut self, item: T) {
        self.replace(item);
    }

    /// [`Self::upsert`], returning the item replaced.
    pub fn replace(&mut self, item: T) -> Option<T> {
        if let Some(i) = self.position(item.key()) {
            return Some(std::mem::replace(&mut self.items[i], item));
        }
        if let Some(index) = &mut self.index {
            index.insert(item.key().to_string(), self.items.len());
        }
        self.items.push(item);
        if self.index.is_none() && self.items.len() > INDEX_FROM {
            self.index = Some(Box::new(
                self.items
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.key().to_string(), i))
                    .collect(),
            ));
        }
        None
    }

    pub fn remove(&mut self, key: &str) -> Option<T> {
        let i = self.position(key)?;
        let item = self.items.remove(i);
        if let Some(index) = &mut self.index {
            index.remove(key);
            for e in &self.items[i..] {
                if let Some(j) = index.get_mut(e.key()) {
                    *j -= 1;
                }
            }
        }
        Some(item)
    }
}

impl Key for Entry {
    fn key(&self) -> &str {
        &self.key
    }
}

/// An ordered mapping with string keys (Helm turns every key into a string).
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    entries: Keyed<Entry>,
}

impl PartialEq for Mapping {
    fn eq(&self, other: &Self) -> bool {
        self.entries.items == other.entries.items
    }
}

impl Mapping {
    pub fn new() -> Self {
        Self::default()
    }

    /// A mapping with room for `n` entries (a YAML mapping knows its size before it is built).
    pub fn with_capacity(n: usize) -> Self {
        Mapping {
            entries: Keyed::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Entry> {
        self.entries.iter()
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.node)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries.get_mut(key).map(|e| &mut e.node)
    }

    /// Insert or replace `key`; a replaced key keeps its position, as a Go map has none to lose.
    pub fn insert(&mut self, key: String, key_origin: Origin, node: Node) {
        self.entries.upsert(Entry { key, key_origin, node });
    }

    /// [`Self::insert`], returning the entry replaced (its key's origin and its node).
    pub fn replace(&mut self, key: String, key_origin: Origin, node: Node) -> Option<Entry> {
        self.entries.replace(Entry { key, key_origin, node })
    }

    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        self.entries.remove(key)
    }

    /// The entries, in order, taken out of the mapping.
    pub fn into_entries(self) -> Vec<Entry> {
        self.entries.into_vec()
    }
}

impl Node {
    pub fn new(value: Value, origin: Origin) -> Self {
        Node { value, origin }
    }

    pub fn scalar(s: Scalar, origin: Origin) -> Self {
        Node {
            value: Value::Scalar(s),
            origin,
        }
    }

    pub fn empty_map(origin: Origin) -> Self {
        Node {
            value: Value::Map(Mapping::new()),
            origin,
        }
    }

    pub fn as_map(&self) -> Option<&Mapping> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The string, if this node is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(Scalar::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Scalar(Scalar::Null))
    }

    /// Look up a dotted path of plain keys (`global.security.externalCertificateLabel`).
    pub fn lookup(&self, path: &str) -> Option<&Node> {
        self.lookup_entry(path).map(|e| &e.node)
    }

    /// The mapping entry at a dotted path, with its key's origin.
    pub fn lookup_entry(&self, path: &str) -> Option<&Entry> {
        // Rules look up a few dozen short paths per unit: a byte search for `.` is several times
        // cheaper than `str::split`'s pattern machinery here.
        let (first, mut rest) = split_dot(path);
        let mut entry = self.as_map()?.entry(first)?;
        while let Some(tail) = rest {
            let (part, next) = split_dot(tail);
            entry = entry.node.as_map()?.entry(part)?;
            rest = next;
        }
        Some(entry)
    }
}

/// `a.b.c` → (`a`, Some(`b.c`)); `a` → (`a`, None).
fn split_dot(path: &str) -> (&str, Option<&str>) {
    match path.bytes().position(|b| b == b'.') {
        Some(i) => (&path[..i], Some(&path[i + 1..])),
        None => (path, None),
    }
}
