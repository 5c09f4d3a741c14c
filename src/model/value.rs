//! The value tree every input becomes: YAML files, `--set` flags and chart defaults alike.
//!
//! A [`Node`] is a value plus where it came from ([`Origin`]), so that a finding about any effective
//! value can name the file, line and column (or the flag) that set it. Mappings keep insertion order
//! and the origin of each key.

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

/// An ordered mapping with string keys (Helm turns every key into a string). Small mappings (the
/// vast majority) are searched in order; past [`INDEX_FROM`] entries a hash index is kept, so a
/// hostile file with 100,000 keys costs linear time, not quadratic.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    entries: Vec<Entry>,
    /// Boxed: `None` in nearly every mapping, and 8 bytes instead of 48 in each.
    #[allow(clippy::box_collection)]
    index: Option<Box<HashMap<String, usize>>>,
}

/// The size from which a mapping keeps a hash index of its keys.
const INDEX_FROM: usize = 16;

impl PartialEq for Mapping {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Mapping {
    pub fn new() -> Self {
        Self::default()
    }

    /// A mapping with room for `n` entries (a YAML mapping knows its size before it is built).
    pub fn with_capacity(n: usize) -> Self {
        Mapping {
            entries: Vec::with_capacity(n),
            index: None,
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

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|e| e.key == key),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.node)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.position(key).and_then(|i| self.entries.get(i))
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        let i = self.position(key)?;
        self.entries.get_mut(i).map(|e| &mut e.node)
    }

    /// Insert or replace `key`; a replaced key keeps its position, as a Go map has none to lose.
    pub fn insert(&mut self, key: String, key_origin: Origin, node: Node) {
        if let Some(e) = self.position(&key).and_then(|i| self.entries.get_mut(i)) {
            e.key_origin = key_origin;
            e.node = node;
            return;
        }
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), self.entries.len());
        }
        self.entries.push(Entry { key, key_origin, node });
        if self.index.is_none() && self.entries.len() > INDEX_FROM {
            self.index = Some(Box::new(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.key.clone(), i))
                    .collect(),
            ));
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        let i = self.position(key)?;
        let entry = self.entries.remove(i);
        if let Some(index) = &mut self.index {
            index.remove(key);
            for e in &self.entries[i..] {
                if let Some(j) = index.get_mut(&e.key) {
                    *j -= 1;
                }
            }
        }
        Some(entry)
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
        let mut parts = path.split('.');
        let first = parts.next()?;
        let mut entry = self.as_map()?.entry(first)?;
        for part in parts {
            entry = entry.node.as_map()?.entry(part)?;
        }
        Some(entry)
    }
}
