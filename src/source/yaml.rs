//! YAML text to a spanned value tree, read the way Helm reads a values file.
//!
//! Helm reads values with `sigs.k8s.io/yaml` (formerly `ghodss/yaml`): go-yaml v2 decodes the first
//! document into `interface{}` with YAML 1.1 scalar rules, then every mapping key is turned into a
//! string and the whole tree goes through JSON. This module follows each of those steps:
//!
//! - scalars resolve exactly as go-yaml v2's `resolve()` (`yes`/`on`/`y` are booleans, `017` is octal,
//!   `08` is a float, timestamps stay strings, `!!binary` is base64-decoded);
//! - keys are stringified as `sigs.k8s.io/yaml` does (floats with 32-bit precision, `null` keys and
//!   collection keys rejected);
//! - duplicate keys keep the last value (go-yaml v2 is not strict) and are reported;
//! - `<<` merge keys apply in document order, as go-yaml v2 applies them;
//! - aliases are expanded (Helm sees copies), under a budget of nodes and of bytes (scalars and keys)
//!   checked before anything is copied;
//! - `NaN` and infinities are rejected, because the JSON step cannot encode them.
//!
//! Nothing here recurses: events are folded with an explicit stack. A collection with nothing shared
//! in it (nearly every one) is built as soon as it ends; anchored nodes, and the collections holding
//! them or an alias, share their subtrees (`Rc`) until the end, when the final tree is built with an
//! explicit work list, so that nested anchors cost no copies.

use std::collections::HashMap;
use std::collections::hash_map::Entry as MapEntry;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use crate::source::text::{CharToByte, LineIndex};
use crate::source::value::{INDEX_FROM, Keyed, Mapping, Node, Origin, Scalar, Value};
use crate::source::{SourceId, Span};

pub mod documents;
pub mod fast;
mod scalar;
mod shared;

use scalar::{CORE_TAG_PREFIX, KeyIdentity, key_string, scalar_key};
pub use scalar::{Resolved, format_go_float, resolve_plain, resolve_scalar};
use shared::*;

/// Resource limits for reading one YAML text (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest allowed nesting of collections; the root collection is level 1.
    pub max_depth: usize,
    /// Most nodes that alias expansion may add to the tree.
    pub max_alias_nodes: usize,
    /// Most bytes of scalars and keys that alias expansion may add to the tree: a few nodes can
    /// stand for a long string, and each copy of it is a copy in memory.
    pub max_alias_bytes: usize,
    /// Most nodes (keys, scalars, collections) the text itself may hold: memory is spent per node,
    /// and 8 MiB of `[1,1,…]` or of one-letter keys would otherwise be four million of them.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 128,
            max_alias_nodes: 100_000,
            // As much again as the largest values file (8 MiB) may hold.
            max_alias_bytes: 8 << 20,
            // The chart's own values.yaml has about 400; a values file of 250,000 is no rotation.
            max_nodes: 250_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlProblemKind {
    /// The text is not YAML Helm can read (including values Helm rejects, such as `null` keys).
    Syntax,
    /// A key repeats an earlier key of the same mapping; the last value is kept.
    DuplicateKey,
    /// Nesting deeper than [`Limits::max_depth`].
    TooDeep,
    /// Alias expansion past [`Limits::max_alias_nodes`] or [`Limits::max_alias_bytes`].
    AliasLimit,
    /// More nodes than [`Limits::max_nodes`].
    TooManyNodes,
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: YamlProblemKind,
    pub span: Span,
    pub message: String,
    /// For [`YamlProblemKind::DuplicateKey`]: the span of the first occurrence of the key.
    pub related: Option<Span>,
}

/// The result of [`load`]. Whenever a problem other than [`YamlProblemKind::DuplicateKey`] is reported,
/// `root` is `None` and that problem is the only one: Helm would not read the file at all.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub root: Option<Node>,
    pub problems: Vec<Problem>,
}

/// Read the first YAML document of `text` as Helm would.
///
/// Empty text, comments only, or an empty document give `root: None` and no problems.
pub fn load(text: &str, source: SourceId, limits: &Limits) -> Loaded {
    // The loader has no panicking paths; catching guards against a bug in a parser. A panic in the
    // fast reader must not cost the user the file: saphyr reads it then.
    let fast = catch_unwind(AssertUnwindSafe(|| Loader::new(text, source, limits).run_fast()));
    if let Ok(Some(loaded)) = fast {
        return loaded;
    }
    let result = catch_unwind(AssertUnwindSafe(|| Loader::new(text, source, limits).run()));
    result.unwrap_or_else(|_| Loaded {
        root: None,
        problems: vec![Problem {
            kind: YamlProblemKind::Syntax,
            span: Span::point(0),
            message: "the YAML parser failed on this input".to_string(),
            related: None,
        }],
    })
}

// ------------------------------------------------------------------------------------------------
// The loader

#[derive(Debug)]
struct Key {
    text: String,
    span: Span,
    identity: KeyIdentity,
    merge: bool,
}

#[derive(Debug)]
enum MapItem<C> {
    Pair(Key, C),
    /// A `<<` key's value, and where it is.
    Merge(C, Span),
}

#[derive(Debug)]
enum Body {
    Seq(Vec<Child>),
    Map {
        items: Vec<MapItem<Child>>,
        key: Option<Key>,
    },
}

#[derive(Debug)]
struct Frame {
    start: usize,
    /// End of the start event, then of the last child.
    end: usize,
    anchor: usize,
    body: Body,
    /// Whether a child is shared: then this collection is shared too, until the end.
    shared: bool,
}

struct Loader<'t> {
    text: &'t str,
    source: SourceId,
    limits: Limits,
    chars: CharToByte,
    lines: Option<LineIndex>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Rc<SharedNode>>,
    alias_nodes: usize,
    alias_bytes: usize,
    /// Nodes the text itself has made so far.
    nodes: usize,
    root: Option<Child>,
    problems: Vec<Problem>,
}

fn fatal(kind: YamlProblemKind, span: Span, message: impl Into<String>) -> Problem {
    Problem {
        kind,
        span,
        message: message.into(),
        related: None,
    }
}

fn syntax(span: Span, message: impl Into<String>) -> Problem {
    fatal(YamlProblemKind::Syntax, span, message)
}

impl<'t> Loader<'t> {
    fn new(text: &'t str, source: SourceId, limits: &Limits) -> Self {
        Loader {
            text,
            source,
            limits: *limits,
            chars: CharToByte::new(text),
            lines: None,
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            alias_bytes: 0,
            nodes: 0,
            root: None,
            problems: Vec::new(),
        }
    }

    fn run(mut self) -> Loaded {
        match self.read() {
            Ok(()) => self.run_finished(),
            Err(problem) => Loaded {
                root: None,
                problems: vec![problem],
            },
        }
    }

    /// The tree of a text read without a fatal problem.
    fn run_finished(mut self) -> Loaded {
        // Only aliases and merges still share nodes now (copied for each place they fill); the
        // rest is moved into the tree.
        self.anchors.clear();
        let root = self.root.take().map(|r| self.own(r));
        // Inner mappings finish first; report in the order of the text.
        self.problems.sort_by_key(|p| p.span.start);
        Loaded {
            root,
            problems: self.problems,
        }
    }

    fn span(&self, span: saphyr_parser::Span) -> Span {
        Span::new(self.chars.byte(span.start.index()), self.chars.byte(span.end.index()))
    }

    fn line_of(&mut self, offset: usize) -> usize {
        let text = self.text;
        self.lines
            .get_or_insert_with(|| LineIndex::new(text))
            .line_col(text, offset)
            .0
    }

    fn scan_error(&self, e: &ScanError) -> Problem {
        let index = e.marker().index();
        let start = self.chars.byte(index);
        let span = Span::new(start, self.chars.byte(index + 1));
        if e.info() == "recursion limit exceeded" {
            // saphyr stops at 255 nested flow collections, before it yields a single event.
            let message = if self.limits.max_depth < 255 {
                format!("the YAML nests deeper than {} levels (limit)", self.limits.max_depth)
            } else {
                "the YAML nests more than 255 flow collections, more than the parser reads".to_string()
            };
            return fatal(YamlProblemKind::TooDeep, span, message);
        }
        syntax(span, e.info())
    }

    /// Read the text with [`fast::events`]; `None` when the text is outside its subset or the
    /// events end in a problem, so that saphyr reads it again and reports exactly as it would.
    fn run_fast(mut self) -> Option<Loaded> {
        match fast::events(self.text, |event, span| self.event(event, span)) {
            Ok(true) => Some(self.run_finished()),
            Ok(false) | Err(_) => None,
        }
    }

    fn read(&mut self) -> Result<(), Problem> {
        let mut parser = Parser::new_from_str(self.text);
        while let Some(next) = parser.next_event() {
            let (event, raw) = next.map_err(|e| self.scan_error(&e))?;
            // go-yaml's Unmarshal reads the first document only.
            if matches!(event, Event::StreamEnd | Event::DocumentEnd) {
                break;
            }
            let span = self.span(raw);
            self.event(event, span)?;
        }
        Ok(())
    }

    fn event(&mut self, event: Event<'t>, span: Span) -> Result<(), Problem> {
        if matches!(
            event,
            Event::Scalar(..) | Event::SequenceStart(..) | Event::MappingStart(..)
        ) {
            self.nodes += 1;
            if self.nodes > self.limits.max_nodes {
                return Err(fatal(
                    YamlProblemKind::TooManyNodes,
                    span,
                    format!(
                        "the YAML holds more than {} keys and values (limit): no values file of a release is that large",
                        self.limits.max_nodes
                    ),
                ));
            }
        }
        match event {
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) | Event::StreamEnd | Event::DocumentEnd => {}
            Event::Alias(id) => self.alias(id, span)?,
            Event::Scalar(value, style, anchor, tag) => {
                self.scalar(&value, style, anchor, tag.as_deref(), span)?;
            }
            Event::SequenceStart(anchor, _) => self.start(Body::Seq(Vec::new()), anchor, span)?,
            Event::MappingStart(anchor, _) => self.start(
                Body::Map {
                    items: Vec::new(),
                    key: None,
                },
                anchor,
                span,
            )?,
            Event::SequenceEnd | Event::MappingEnd => self.end(span)?,
        }
        Ok(())
    }

    fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                body: Body::Map { key: None, .. },
                ..
            })
        )
    }

    fn scalar(
        &mut self,
        value: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), Problem> {
        if self.stack.is_empty() && value.is_empty() && style == ScalarStyle::Plain && tag.is_none() && anchor == 0 {
            // An empty document: Helm reads no values.
            return Ok(());
        }
        let span = match style {
            ScalarStyle::Literal | ScalarStyle::Folded => self.block_scalar_span(span),
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => self.quoted_span(span, style),
            _ => span,
        };
        let resolved = resolve_scalar(value, style, tag).map_err(|m| syntax(span, m))?;
        if self.expecting_key() {
            let (text, identity) = key_string(&resolved).map_err(|m| syntax(span, m))?;
            let merge = value == "<<"
                && match tag {
                    None => style == ScalarStyle::Plain,
                    Some(t) => {
                        (t.handle.is_empty() && t.suffix == "!") || (t.handle == CORE_TAG_PREFIX && t.suffix == "merge")
                    }
                };
            if anchor != 0 {
                let scalar = resolved.into_scalar();
                let node = Rc::new(SharedNode {
                    bytes: scalar_bytes(&scalar),
                    value: SharedValue::Scalar(scalar),
                    size: 1,
                    height: 0,
                });
                self.anchors.insert(anchor, node);
            }
            self.set_key(Key {
                text,
                span,
                identity,
                merge,
            });
            return Ok(());
        }
        let scalar = resolved.into_scalar();
        check_json_float(&scalar, span)?;
        if anchor == 0 {
            return self.place(Child::Own(Node::scalar(scalar, self.origin(span))), span);
        }
        let node = Rc::new(SharedNode {
            bytes: scalar_bytes(&scalar),
            value: SharedValue::Scalar(scalar),
            size: 1,
            height: 0,
        });
        self.anchors.insert(anchor, Rc::clone(&node));
        self.place(Child::Shared(SharedChild { node, span }), span)
    }

    /// saphyr's span of a quoted scalar runs over the blanks and comment after it: end it at the
    /// closing quote.
    fn quoted_span(&self, span: Span, style: ScalarStyle) -> Span {
        let quote = if style == ScalarStyle::SingleQuoted {
            b'\''
        } else {
            b'"'
        };
        let bytes = &self.text.as_bytes()[..span.end.min(self.text.len())];
        let Some(open) = (span.start..bytes.len()).find(|&i| bytes[i] == quote) else {
            return span;
        };
        let mut i = open + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if quote == b'"' => i += 2,
                b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
                c if c == quote => return Span::new(span.start, i + 1),
                _ => i += 1,
            }
        }
        span
    }

    /// saphyr's span of a block scalar starts at its first content line and runs over the trailing
    /// blank lines: start it at the `|`/`>` indicator instead, and end it at the last content.
    fn block_scalar_span(&self, span: Span) -> Span {
        let text = self.text;
        let content = text.get(span.start..span.end).unwrap_or("");
        let end = span.start + content.trim_end().len();
        if matches!(text.as_bytes().get(span.start), Some(b'&' | b'!')) {
            return Span::new(span.start, end);
        }
        let before = text[..span.start].trim_end();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let header = &before[line_start..];
        let indicator = header.char_indices().find(|&(i, c)| {
            if c != '|' && c != '>' {
                return false;
            }
            let rest = header[i + 1..].trim_start_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
            let trimmed = rest.trim_start();
            (rest.is_empty() || rest.len() != trimmed.len()) && (trimmed.is_empty() || trimmed.starts_with('#'))
        });
        match indicator {
            Some((i, _)) => Span::new(line_start + i, end),
            None => Span::new(span.start, end),
        }
    }

    fn set_key(&mut self, new: Key) {
        if let Some(Frame {
            body: Body::Map { key, .. },
            end,
            ..
        }) = self.stack.last_mut()
        {
            *end = (*end).max(new.span.end);
            *key = Some(new);
        }
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), Problem> {
        let Some(target) = self.anchors.get(&id).cloned() else {
            let name = self
                .text
                .get(span.start..span.end)
                .unwrap_or("")
                .trim_start_matches('*');
            return Err(syntax(span, format!("anchor '{name}' value contains itself")));
        };
        // Counted before anything is copied: a key copies the string, a value the whole subtree.
        let bytes = self.alias_bytes.saturating_add(target.bytes);
        if bytes > self.limits.max_alias_bytes {
            return Err(fatal(
                YamlProblemKind::AliasLimit,
                span,
                format!(
                    "aliases expand to more than {} bytes of strings and keys (alias expansion limit)",
                    self.limits.max_alias_bytes
                ),
            ));
        }
        if self.expecting_key() {
            let Some(s) = target.scalar() else {
                return Err(syntax(span, "mapping keys must be scalars"));
            };
            let (text, identity) = scalar_key(s).map_err(|m| syntax(span, m))?;
            self.alias_bytes = bytes;
            self.set_key(Key {
                text,
                span,
                identity,
                merge: false,
            });
            return Ok(());
        }
        let total = self.alias_nodes.saturating_add(target.size);
        if total > self.limits.max_alias_nodes {
            return Err(fatal(
                YamlProblemKind::AliasLimit,
                span,
                format!(
                    "aliases expand to more than {} nodes (alias expansion limit)",
                    self.limits.max_alias_nodes
                ),
            ));
        }
        if target.height > 0 && self.stack.len() + target.height > self.limits.max_depth {
            return Err(self.too_deep(span));
        }
        if let Some(s) = target.scalar() {
            check_json_float(s, span)?;
        }
        self.alias_nodes = total;
        self.alias_bytes = bytes;
        self.place(Child::Shared(SharedChild { node: target, span }), span)
    }

    fn too_deep(&self, span: Span) -> Problem {
        fatal(
            YamlProblemKind::TooDeep,
            span,
            format!("the YAML nests deeper than {} levels (limit)", self.limits.max_depth),
        )
    }

    fn start(&mut self, body: Body, anchor: usize, span: Span) -> Result<(), Problem> {
        if self.expecting_key() {
            return Err(syntax(span, "mapping keys must be scalars"));
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.too_deep(span));
        }
        self.stack.push(Frame {
            start: span.start,
            end: span.end,
            anchor,
            body,
            shared: false,
        });
        Ok(())
    }

    fn end(&mut self, span: Span) -> Result<(), Problem> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        // A flow collection ends at its bracket; a block one at its last child.
        let closes = matches!(self.text.as_bytes().get(span.start), Some(b']' | b'}'));
        let end = if closes { span.end } else { frame.end };
        let own = Span::new(frame.start, end);
        if !frame.shared {
            // Nothing in it is shared: built at once, and shared as a whole if anchored.
            let value = match frame.body {
                Body::Seq(items) => Value::Seq(items.into_iter().map(|c| self.own(c)).collect()),
                Body::Map { items, .. } => Value::Map(self.finish_own_map(items)?),
            };
            let node = Node::new(value, self.origin(own));
            if frame.anchor == 0 {
                return self.place(Child::Own(node), own);
            }
            let node = Rc::new(SharedNode::built(node));
            self.anchors.insert(frame.anchor, Rc::clone(&node));
            return self.place(Child::Shared(SharedChild { node, span: own }), own);
        }
        let value = match frame.body {
            Body::Seq(items) => SharedValue::Seq(items.into_iter().map(Child::share).collect()),
            Body::Map { items, .. } => {
                self.report_duplicates(&items);
                let items = items
                    .into_iter()
                    .map(|item| match item {
                        MapItem::Pair(key, c) => MapItem::Pair(key, c.share()),
                        MapItem::Merge(c, at) => MapItem::Merge(c.share(), at),
                    })
                    .collect();
                SharedValue::Map(self.finish_map(items)?)
            }
        };
        let (size, bytes, height) = match &value {
            SharedValue::Seq(items) => measure(items.iter().map(|c| (0, c))),
            SharedValue::Map(entries) => measure(entries.iter().map(|e| (e.key.len(), &e.child))),
            SharedValue::Scalar(_) | SharedValue::Built(_) => (1, 0, 0),
        };
        let node = Rc::new(SharedNode {
            value,
            size,
            bytes,
            height,
        });
        if frame.anchor != 0 {
            self.anchors.insert(frame.anchor, Rc::clone(&node));
        }
        self.place(Child::Shared(SharedChild { node, span: own }), own)
    }

    /// A child as a node of its own (a shared one is built, copying what is still shared).
    fn own(&self, child: Child) -> Node {
        match child {
            Child::Own(node) => node,
            Child::Shared(child) => self.build(child),
        }
    }

    /// [`Self::finish_map`] for a mapping that shares nothing: its nodes are moved into it.
    fn finish_own_map(&mut self, items: Vec<MapItem<Child>>) -> Result<Mapping, Problem> {
        self.report_duplicates(&items);
        let mut mapping = Mapping::with_capacity(items.len());
        for item in items {
            match item {
                MapItem::Pair(key, child) => {
                    let node = self.own(child);
                    mapping.insert(key.text, self.origin(key.span), node);
                }
                MapItem::Merge(child, at) => match self.own(child).value {
                    Value::Map(merged) => {
                        for e in merged.into_entries() {
                            mapping.insert(e.key, e.key_origin, e.node);
                        }
                    }
                    Value::Seq(maps) => {
                        if let Some(m) = maps.iter().find(|m| m.as_map().is_none()) {
                            return Err(syntax(span_of_origin(&m.origin), MERGE_NEEDS_MAP));
                        }
                        for m in maps.into_iter().rev() {
                            if let Value::Map(merged) = m.value {
                                for e in merged.into_entries() {
                                    mapping.insert(e.key, e.key_origin, e.node);
                                }
                            }
                        }
                    }
                    Value::Scalar(_) => return Err(syntax(at, MERGE_NEEDS_MAP)),
                },
            }
        }
        Ok(mapping)
    }

    /// Apply keys in document order as go-yaml v2 does: a repeated key replaces the earlier value,
    /// and a `<<` merge writes its mapping's entries over whatever is set so far (in a sequence of
    /// mappings, earlier mappings win); keys written after the merge replace merged ones.
    fn finish_map(&mut self, items: Vec<MapItem<SharedChild>>) -> Result<Vec<SharedEntry>, Problem> {
        let mut entries: Keyed<SharedEntry> = Keyed::with_capacity(items.len());
        for item in items {
            match item {
                MapItem::Pair(key, child) => entries.upsert(SharedEntry {
                    key: key.text,
                    key_span: key.span,
                    child,
                }),
                MapItem::Merge(value, _) => {
                    if let Some(merged) = value.node.entries() {
                        for e in merged {
                            entries.upsert(e);
                        }
                    } else if let Some(maps) = value.node.merged_items() {
                        if let Some((at, _)) = maps.iter().find(|(_, m)| m.is_none()) {
                            return Err(syntax(*at, MERGE_NEEDS_MAP));
                        }
                        for merged in maps.into_iter().rev().flat_map(|(_, m)| m) {
                            for e in merged {
                                entries.upsert(e);
                            }
                        }
                    } else {
                        return Err(syntax(value.span, MERGE_NEEDS_MAP));
                    }
                }
            }
        }
        Ok(entries.into_vec())
    }

    /// CG003: a key written twice in one mapping (merged keys are not written, so they may repeat).
    fn report_duplicates<C>(&mut self, items: &[MapItem<C>]) {
        let keys: Vec<&Key> = items
            .iter()
            .filter_map(|item| match item {
                MapItem::Pair(key, _) => Some(key),
                MapItem::Merge(..) => None,
            })
            .collect();
        // The first writing of each repeated key, found by a scan in the usual small mapping.
        let mut firsts: HashMap<&str, &Key> = HashMap::new();
        for (n, key) in keys.iter().enumerate() {
            let first = if keys.len() <= INDEX_FROM {
                keys[..n].iter().find(|k| k.text == key.text).copied()
            } else {
                match firsts.entry(key.text.as_str()) {
                    MapEntry::Occupied(first) => Some(*first.get()),
                    MapEntry::Vacant(v) => {
                        v.insert(key);
                        None
                    }
                }
            };
            let Some(first) = first else { continue };
            let line = self.line_of(first.span.start);
            let message = if first.identity == key.identity {
                format!(
                    "key \"{}\" repeats the key at line {line}; Helm keeps this later value",
                    key.text
                )
            } else {
                format!(
                    "key \"{}\" is the same as the key at line {line} once Helm turns keys into strings; Helm keeps one of the two values at random",
                    key.text
                )
            };
            self.problems.push(Problem {
                kind: YamlProblemKind::DuplicateKey,
                span: key.span,
                message,
                related: Some(first.span),
            });
        }
    }

    /// Put a finished node (whose text is `span`) where the open collection expects it.
    fn place(&mut self, child: Child, span: Span) -> Result<(), Problem> {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(child);
            return Ok(());
        };
        frame.end = frame.end.max(span.end);
        frame.shared |= child.is_shared();
        match &mut frame.body {
            Body::Seq(items) => items.push(child),
            Body::Map { items, key } => match key.take() {
                Some(k) if k.merge => items.push(MapItem::Merge(child, span)),
                Some(k) => items.push(MapItem::Pair(k, child)),
                None => return Err(syntax(span, "mapping keys must be scalars")),
            },
        }
        Ok(())
    }

    fn origin(&self, span: Span) -> Origin {
        Origin::file(self.source, span)
    }

    /// Materialise the final tree (alias copies included) with an explicit work list. A node no
    /// alias shares is moved into the tree; a shared one is copied a level at a time.
    fn build(&self, root: SharedChild) -> Node {
        enum Task {
            Visit(SharedChild),
            Seq(usize, Span),
            Map(Vec<(String, Span)>, Span),
        }
        let mut tasks = vec![Task::Visit(root)];
        let mut done: Vec<Node> = Vec::new();
        while let Some(task) = tasks.pop() {
            match task {
                Task::Visit(child) => match Rc::unwrap_or_clone(child.node).value {
                    SharedValue::Scalar(s) => {
                        done.push(Node::scalar(s, self.origin(child.span)));
                    }
                    // The top node takes the place it fills (an alias's, for a copy).
                    SharedValue::Built(node) => done.push(Node::new(node.value, self.origin(child.span))),
                    SharedValue::Seq(items) => {
                        tasks.push(Task::Seq(items.len(), child.span));
                        tasks.extend(items.into_iter().rev().map(Task::Visit));
                    }
                    SharedValue::Map(entries) => {
                        let mut keys = Vec::with_capacity(entries.len());
                        let mut children = Vec::with_capacity(entries.len());
                        for e in entries {
                            keys.push((e.key, e.key_span));
                            children.push(Task::Visit(e.child));
                        }
                        tasks.push(Task::Map(keys, child.span));
                        tasks.extend(children.into_iter().rev());
                    }
                },
                Task::Seq(n, span) => {
                    let items = done.split_off(done.len() - n);
                    done.push(Node::new(Value::Seq(items), self.origin(span)));
                }
                Task::Map(keys, span) => {
                    let values = done.split_off(done.len() - keys.len());
                    let mut mapping = Mapping::with_capacity(keys.len());
                    for ((key, key_span), node) in keys.into_iter().zip(values) {
                        mapping.insert(key, self.origin(key_span), node);
                    }
                    done.push(Node::new(Value::Map(mapping), self.origin(span)));
                }
            }
        }
        done.pop()
            .unwrap_or_else(|| Node::scalar(Scalar::Null, Origin::Synthetic))
    }
}

const MERGE_NEEDS_MAP: &str = "map merge requires map or sequence of maps as the value";

/// Helm passes values through JSON, which has no NaN or infinities: such a value fails the read.
fn check_json_float(s: &Scalar, span: Span) -> Result<(), Problem> {
    match s {
        Scalar::Float(f) if !f.is_finite() => Err(syntax(
            span,
            format!(
                "Helm cannot read the value {}: JSON has no NaN or infinity (json: unsupported value)",
                format_go_float(*f)
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::scalar::*;
    use super::*;

    const SRC: SourceId = SourceId(0);

    fn load_ok(text: &str) -> Node {
        let loaded = load(text, SRC, &Limits::default());
        assert!(
            loaded.problems.is_empty(),
            "unexpected problems for {text:?}: {:?}",
            loaded.problems
        );
        loaded.root.expect("a root node")
    }

    fn value_of(text: &str) -> Scalar {
        let root = load_ok(&format!("v: {text}\n"));
        root.get_scalar("v")
    }

    fn only_problem(text: &str) -> Problem {
        let loaded = load(text, SRC, &Limits::default());
        assert!(loaded.root.is_none(), "expected no root for {text:?}");
        assert_eq!(loaded.problems.len(), 1, "{:?}", loaded.problems);
        loaded.problems[0].clone()
    }

    fn span_of(node: &Node) -> Span {
        match node.origin {
            Origin::File { span, .. } => span,
            ref other => panic!("not a file origin: {other:?}"),
        }
    }

    fn key_span(root: &Node, key: &str) -> Span {
        match root.as_map().unwrap().entry(key).unwrap().key_origin {
            Origin::File { span, .. } => span,
            ref other => panic!("not a file origin: {other:?}"),
        }
    }

    trait GetScalar {
        fn get_scalar(&self, key: &str) -> Scalar;
    }

    impl GetScalar for Node {
        fn get_scalar(&self, key: &str) -> Scalar {
            self.lookup(key)
                .and_then(Node::as_scalar)
                .cloned()
                .unwrap_or_else(|| panic!("no scalar at {key}"))
        }
    }

    fn s(v: &str) -> Scalar {
        Scalar::Str(v.to_string())
    }

    #[test]
    fn spans_of_keys_and_values_count_bytes_and_locate_by_characters() {
        let text = "# 🔐 the rā comment\nglobal:\n  label: \"rā-x\"  # trailing\n  port: 5\nlist: [a, 'b']\n";
        let root = load_ok(text);
        let idx = LineIndex::new(text);
        let global = root.lookup_entry("global").unwrap();
        let global_key = key_span(&root, "global");
        assert_eq!(&text[global_key.start..global_key.end], "global");
        assert_eq!(idx.line_col(text, global_key.start), (2, 1));
        let label = global.node.lookup_entry("label").unwrap();
        let Origin::File { span, source } = label.key_origin else {
            panic!()
        };
        assert_eq!(source, SRC);
        assert_eq!(&text[span.start..span.end], "label");
        assert_eq!(idx.line_col(text, span.start), (3, 3));
        let v = span_of(&label.node);
        assert_eq!(&text[v.start..v.end], "\"rā-x\"");
        assert_eq!(idx.line_col(text, v.start), (3, 10));
        assert_eq!(idx.line_col(text, v.end), (3, 16));
        let n = span_of(root.lookup("global.port").unwrap());
        assert_eq!(&text[n.start..n.end], "5");
        // A block mapping runs from its first key to its last value; the root starts at its first key.
        let g = span_of(&global.node);
        assert_eq!(&text[g.start..g.end], "label: \"rā-x\"  # trailing\n  port: 5");
        let list = root.lookup("list").unwrap();
        let l = span_of(list);
        assert_eq!(&text[l.start..l.end], "[a, 'b']");
        let Value::Seq(items) = &list.value else { panic!() };
        let b = span_of(&items[1]);
        assert_eq!(&text[b.start..b.end], "'b'");
        assert_eq!(span_of(&root).start, text.find("global").unwrap());
    }

    #[test]
    fn block_scalar_spans_start_at_the_indicator() {
        let text = "cert: |-  # PEM\n  line one\n  line two\n\nnext: >\n  folded\n";
        let root = load_ok(text);
        assert_eq!(root.get_scalar("cert"), s("line one\nline two"));
        let c = span_of(root.lookup("cert").unwrap());
        assert_eq!(&text[c.start..c.end], "|-  # PEM\n  line one\n  line two");
        let n = span_of(root.lookup("next").unwrap());
        assert_eq!(&text[n.start..n.end], ">\n  folded");
        assert_eq!(root.get_scalar("next"), s("folded\n"));
    }

    #[test]
    fn every_yaml11_bool_and_null_spelling() {
        for t in ["true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON"] {
            assert_eq!(value_of(t), Scalar::Bool(true), "{t}");
        }
        for f in [
            "false", "False", "FALSE", "n", "N", "no", "No", "NO", "off", "Off", "OFF",
        ] {
            assert_eq!(value_of(f), Scalar::Bool(false), "{f}");
        }
        for n in ["~", "null", "Null", "NULL", ""] {
            assert_eq!(value_of(n), Scalar::Null, "{n:?}");
        }
        // Not in go-yaml's table: strings.
        for other in ["tRUE", "yEs", "nULL", "nil", "None", "Off!", "nan", "inf"] {
            assert_eq!(value_of(other), s(other), "{other}");
        }
    }

    #[test]
    fn integers_follow_go_parse_int_base_zero() {
        let cases: &[(&str, i64)] = &[
            ("0", 0),
            ("42", 42),
            ("+42", 42),
            ("-42", -42),
            ("0x1F", 31),
            ("0X1f", 31),
            ("-0x10", -16),
            ("017", 15),
            ("0o17", 15),
            ("0O17", 15),
            ("0b101", 5),
            ("-0b101", -5),
            ("0b-101", -5),
            ("1_000_000", 1_000_000),
            ("0x_ff", 255),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
            ("00", 0),
        ];
        for &(text, want) in cases {
            assert_eq!(value_of(text), Scalar::Int(want), "{text}");
        }
        // Above i64 but within u64: a uint64 in go-yaml, a float once Helm goes through JSON.
        assert_eq!(
            value_of("18446744073709551615"),
            Scalar::Float(18446744073709551615u64 as f64)
        );
        assert_eq!(
            value_of("0xFFFFFFFFFFFFFFFF"),
            Scalar::Float(18446744073709551615u64 as f64)
        );
        // Past u64 but still matching the float pattern: a float.
        assert_eq!(value_of("-9223372036854775809"), Scalar::Float(-9223372036854775809.0));
        for text in ["0x", "0x1FFFFFFFFFFFFFFFF", "1_0x", "12abc", "0b102", "1-2"] {
            assert_eq!(value_of(text), s(text), "{text}");
        }
    }

    #[test]
    fn floats_follow_the_yaml_style_pattern() {
        let cases: &[(&str, f64)] = &[
            ("1.5", 1.5),
            ("-1.5", -1.5),
            ("+1.5e3", 1500.0),
            ("1e3", 1000.0),
            ("1E-2", 0.01),
            ("1.", 1.0),
            (".5", 0.5),
            ("-.5", -0.5),
            (".5e1", 5.0),
            ("08", 8.0),
            ("09.5", 9.5),
            ("1_000.5", 1000.5),
            ("20191101.0", 20191101.0),
            ("1e-400", 0.0),
        ];
        for &(text, want) in cases {
            assert_eq!(value_of(text), Scalar::Float(want), "{text}");
        }
        for text in [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"] {
            assert_eq!(resolve_plain(text), Resolved::Float(f64::INFINITY), "{text}");
        }
        for text in ["-.inf", "-.Inf", "-.INF"] {
            assert_eq!(resolve_plain(text), Resolved::Float(f64::NEG_INFINITY), "{text}");
        }
        for text in [".nan", ".NaN", ".NAN"] {
            assert!(
                matches!(resolve_plain(text), Resolved::Float(f) if f.is_nan()),
                "{text}"
            );
        }
        assert_eq!(resolve_plain(".INf"), Resolved::Str(".INf".into()));
        for text in ["1e999", ".", ".e5", "1.2.3", "1e", "+1e", ".5x", "._5", "1__0x"] {
            assert_eq!(value_of(text), s(text), "{text}");
        }
    }

    #[test]
    fn timestamps_quoted_and_tagged_scalars_stay_as_written() {
        for text in [
            "2019-11-01",
            "2019-11-01T10:00:00Z",
            "2001-12-14 21:59:43.10",
            "2019-1-2",
        ] {
            assert_eq!(value_of(text), s(text), "{text}");
        }
        let root = load_ok(concat!(
            "q1: \"yes\"\n",
            "q2: 'on'\n",
            "q3: \"1234\"\n",
            "t1: !!str 1234\n",
            "t2: !!str yes\n",
            "t3: !!int \"12\"\n",
            "t4: !!float 1\n",
            "t5: !!bool \"yes\"\n",
            "t6: !!null ~\n",
            "t7: !custom 8080\n",
            "t8: !!binary aGVsbG8=\n",
            "t9: !!timestamp 2019-11-01\n",
            "b1: |\n  yes\n",
            "b2: >-\n  42\n",
        ));
        assert_eq!(root.get_scalar("q1"), s("yes"));
        assert_eq!(root.get_scalar("q2"), s("on"));
        assert_eq!(root.get_scalar("q3"), s("1234"));
        assert_eq!(root.get_scalar("t1"), s("1234"));
        assert_eq!(root.get_scalar("t2"), s("yes"));
        assert_eq!(root.get_scalar("t3"), Scalar::Int(12));
        assert_eq!(root.get_scalar("t4"), Scalar::Float(1.0));
        assert_eq!(root.get_scalar("t5"), Scalar::Bool(true));
        assert_eq!(root.get_scalar("t6"), Scalar::Null);
        assert_eq!(root.get_scalar("t7"), s("8080"));
        assert_eq!(root.get_scalar("t8"), s("hello"));
        assert_eq!(root.get_scalar("t9"), s("2019-11-01"));
        assert_eq!(root.get_scalar("b1"), s("yes\n"));
        assert_eq!(root.get_scalar("b2"), s("42"));
    }

    #[test]
    fn tags_that_do_not_fit_are_errors() {
        for (text, message) in [
            ("v: !!int 1.5\n", "cannot decode !!float `1.5` as a !!int"),
            ("v: !!bool 1\n", "cannot decode !!int `1` as a !!bool"),
            ("v: !!null x\n", "cannot decode !!str `x` as a !!null"),
            ("v: !!int 2019-01-01\n", "cannot decode !!str `2019-01-01` as a !!int"),
            (
                "v: !!float 18446744073709551615\n",
                "cannot decode !!int `18446744073709551615` as a !!float",
            ),
            ("v: !!timestamp 12\n", "cannot decode !!int `12` as a !!timestamp"),
            (
                "v: !!binary not base64!\n",
                "!!binary value contains invalid base64 data",
            ),
        ] {
            let p = only_problem(text);
            assert_eq!(p.kind, YamlProblemKind::Syntax, "{text}");
            assert_eq!(p.message, message, "{text}");
            assert_eq!(p.span.start, 3, "{text}");
        }
    }

    #[test]
    fn binary_is_decoded_like_go() {
        assert_eq!(decode_base64("aGVs\nbG8=\n").unwrap(), b"hello");
        assert_eq!(decode_base64("").unwrap(), b"");
        assert!(decode_base64("aGVsbG8").is_none());
        assert!(decode_base64("aG=sbG8=").is_none());
        assert!(decode_base64("aGVs bG8=").is_none());
        assert_eq!(go_json_string(&[b'a', 0xE2, 0x82, b'b']), "a\u{FFFD}\u{FFFD}b");
    }

    #[test]
    fn merge_keys_apply_in_document_order() {
        let text = concat!(
            "base: &base {a: 1, b: 2}\n",
            "other: &other {b: 20, c: 30}\n",
            "single:\n  <<: *base\n  b: 3\n",
            "list:\n  <<: [*other, *base]\n",
            "before:\n  a: 10\n  <<: *base\n",
            "inline:\n  <<: {x: 1}\n  w: 2\n",
        );
        let root = load_ok(text);
        assert_eq!(root.get_scalar("single.a"), Scalar::Int(1));
        assert_eq!(root.get_scalar("single.b"), Scalar::Int(3));
        // In a list of mappings the earlier mapping wins.
        assert_eq!(root.get_scalar("list.a"), Scalar::Int(1));
        assert_eq!(root.get_scalar("list.b"), Scalar::Int(20));
        assert_eq!(root.get_scalar("list.c"), Scalar::Int(30));
        // go-yaml v2 writes the merged mapping over keys set before the `<<`.
        assert_eq!(root.get_scalar("before.a"), Scalar::Int(1));
        assert_eq!(root.get_scalar("before.b"), Scalar::Int(2));
        assert_eq!(root.get_scalar("inline.x"), Scalar::Int(1));
        assert_eq!(root.get_scalar("inline.w"), Scalar::Int(2));
        assert!(root.lookup("single.<<").is_none());
        // Merged entries keep the origins of the anchored mapping.
        let single = root.lookup("single").unwrap().as_map().unwrap();
        let a = single.entry("a").unwrap();
        let Origin::File { span, .. } = a.key_origin else {
            panic!()
        };
        assert_eq!(span.start, text.find("a: 1").unwrap());
        assert_eq!(span_of(&a.node).start, text.find("1, b").unwrap());
        // A quoted `<<` is an ordinary key.
        let root = load_ok("m:\n  '<<': {a: 1}\n");
        assert!(root.lookup("m.<<.a").is_some());
    }

    /// Mappings up to INDEX_FROM keys are searched by a scan, larger ones (or ones a merge makes
    /// large) by a hash index: both give the same tree, order and CG003 findings.
    #[test]
    fn large_mappings_load_as_small_ones_do() {
        // Written keys (repeats included) are scanned up to INDEX_FROM: n = INDEX_FROM - 2 is the
        // largest mapping below that has its repeats found by the scan.
        for n in [
            3,
            INDEX_FROM - 2,
            INDEX_FROM - 1,
            INDEX_FROM,
            INDEX_FROM + 1,
            3 * INDEX_FROM,
        ] {
            // k0..k{n-1}, then k0 and the last key written again.
            let mut text: String = (0..n).map(|i| format!("k{i}: {i}\n")).collect();
            text.push_str(&format!("k0: first-again\nk{}: last-again\n", n - 1));
            let loaded = load(&text, SRC, &Limits::default());
            let root = loaded.root.unwrap();
            let keys: Vec<&str> = root.as_map().unwrap().iter().map(|e| e.key.as_str()).collect();
            let expected: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
            assert_eq!(keys, expected, "n={n}: keys keep their first place");
            assert_eq!(root.get_scalar("k0"), Scalar::Str("first-again".into()), "n={n}");
            assert_eq!(
                root.get_scalar(&format!("k{}", n - 1)),
                Scalar::Str("last-again".into())
            );
            assert_eq!(root.get_scalar("k1"), Scalar::Int(1), "n={n}");
            let dups: Vec<(usize, usize, usize)> = loaded
                .problems
                .iter()
                .map(|p| {
                    assert_eq!(p.kind, YamlProblemKind::DuplicateKey);
                    let first = p.related.unwrap().start;
                    (p.span.start, first, text[..first].lines().count() + 1)
                })
                .collect();
            let at = |needle: &str| text.find(needle).unwrap();
            let last = format!("k{}: ", n - 1);
            assert_eq!(
                dups,
                [
                    (at("k0: first-again"), 0, 1),
                    (at(&format!("k{}: last-again", n - 1)), at(&last), n),
                ],
                "n={n}"
            );
            assert!(loaded.problems[1].message.contains(&format!("at line {n};")), "n={n}");

            // A merge of an n-key mapping, with keys written before and after it.
            let anchor: Vec<String> = (0..n).map(|i| format!("m{i}: {i}")).collect();
            let text = format!(
                "a: &a {{{}}}\nb:\n  m1: before\n  <<: *a\n  m0: after\n  extra: 1\n",
                anchor.join(", ")
            );
            let root = load_ok(&text);
            let b = root.lookup("b").unwrap().as_map().unwrap();
            assert_eq!(b.len(), n + 1, "n={n}");
            assert_eq!(root.get_scalar("b.m0"), Scalar::Str("after".into()), "n={n}");
            // go-yaml v2 writes the merged mapping over keys set before the `<<`.
            assert_eq!(root.get_scalar("b.m1"), Scalar::Int(1), "n={n}");
            assert_eq!(
                root.get_scalar(&format!("b.m{}", n - 1)),
                Scalar::Int(i64::try_from(n - 1).unwrap())
            );
            let order: Vec<&str> = b.iter().map(|e| e.key.as_str()).take(3).collect();
            assert_eq!(
                order,
                ["m1", "m0", "m2"],
                "n={n}: the merge keeps the key written first in its place"
            );
        }
    }

    #[test]
    fn merge_of_an_aliased_sequence_of_mappings() {
        // The anchored sequence is built whole; its mappings merge as an inline list's would.
        let text = "l: &l [{a: 1, b: 2}, {b: 20, c: 30}]\nm:\n  <<: *l\n  c: 3\n";
        let root = load_ok(text);
        assert_eq!(root.get_scalar("m.a"), Scalar::Int(1));
        assert_eq!(root.get_scalar("m.b"), Scalar::Int(2));
        assert_eq!(root.get_scalar("m.c"), Scalar::Int(3));
        let b = root.lookup("m").unwrap().as_map().unwrap().entry("b").unwrap();
        let Origin::File { span, .. } = b.key_origin else {
            panic!()
        };
        assert_eq!(span.start, text.find("b: 2").unwrap());
        // A non-mapping item of an aliased sequence is reported where the item is.
        let text = "s: &s [{a: 1}, 2]\nm:\n  <<: *s\n";
        let p = only_problem(text);
        assert_eq!(p.message, MERGE_NEEDS_MAP);
        assert_eq!(p.span.start, text.find("2]").unwrap());
    }

    #[test]
    fn merge_of_a_non_mapping_is_an_error() {
        for text in [
            "m:\n  <<: 1\n",
            "s: &s [1]\nm:\n  <<: *s\n",
            "m:\n  <<: [{a: 1}, 2]\n",
            "m:\n  <<:\n",
        ] {
            let p = only_problem(text);
            assert_eq!(p.kind, YamlProblemKind::Syntax, "{text}");
            assert_eq!(p.message, MERGE_NEEDS_MAP, "{text}");
        }
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_and_are_reported() {
        let text = "a: 1\nb: 2\na: 3\nc:\n  x: 1\n  x: 2\na: 4\n";
        let loaded = load(text, SRC, &Limits::default());
        let root = loaded.root.unwrap();
        assert_eq!(root.get_scalar("a"), Scalar::Int(4));
        assert_eq!(root.get_scalar("c.x"), Scalar::Int(2));
        assert_eq!(root.as_map().unwrap().len(), 3);
        let first_a = Span::new(0, 1);
        let dups: Vec<_> = loaded
            .problems
            .iter()
            .map(|p| (p.kind, p.span, p.related, p.message.clone()))
            .collect();
        assert_eq!(dups.len(), 3, "{dups:?}");
        assert!(dups.iter().all(|d| d.0 == YamlProblemKind::DuplicateKey));
        let second_a = Span::new(10, 11);
        assert_eq!(dups[0].1, second_a);
        assert_eq!(dups[0].2, Some(first_a));
        assert_eq!(
            dups[0].3,
            "key \"a\" repeats the key at line 1; Helm keeps this later value"
        );
        assert_eq!(&text[dups[1].1.start..dups[1].1.end], "x");
        assert!(dups[1].3.contains("line 5"));
        assert_eq!(dups[2].2, Some(first_a));
        // The kept entry points at the key that set it.
        assert_eq!(key_span(&root, "a").start, text.rfind("a: 4").unwrap());
    }

    #[test]
    fn keys_equal_only_as_strings_are_reported_as_a_coin_toss() {
        let loaded = load("1: a\n\"1\": b\n", SRC, &Limits::default());
        assert_eq!(loaded.problems.len(), 1);
        assert!(loaded.problems[0].message.contains("at random"));
        let root = loaded.root.unwrap();
        assert_eq!(root.get_scalar("1"), s("b"));
        // Same Go value spelled differently: an ordinary duplicate.
        let loaded = load("yes: a\ntrue: b\n0x1: c\n1: d\n", SRC, &Limits::default());
        assert_eq!(loaded.problems.len(), 2);
        assert!(loaded.problems.iter().all(|p| p.message.contains("later value")));
    }

    #[test]
    fn keys_are_stringified_like_helm() {
        let root = load_ok(concat!(
            "yes: 1\n",
            "off: 2\n",
            "1: x\n",
            "0x10: y\n",
            "1.5: z\n",
            "1e6: big\n",
            "3.0: three\n",
            "0.1234567890123: f32\n",
            ".inf: inf\n",
            "-.inf: ninf\n",
            "2019-11-01: date\n",
            "\"quoted\": q\n",
            "!!str 7: seven\n",
        ));
        let keys: Vec<&str> = root.as_map().unwrap().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "true",
                "false",
                "1",
                "16",
                "1.5",
                "1e+06",
                "3",
                "0.12345679",
                ".inf",
                "-.inf",
                "2019-11-01",
                "quoted",
                "7"
            ]
        );
    }

    #[test]
    fn keys_helm_cannot_convert_are_errors() {
        for text in ["~: x\n", "null: x\n", ": x\n", "18446744073709551615: x\n"] {
            let p = only_problem(text);
            assert_eq!(p.kind, YamlProblemKind::Syntax, "{text}");
            assert!(p.message.contains("unsupported map key"), "{text}: {}", p.message);
        }
        for text in ["? [a]\n: x\n", "{[a]: x}\n", "? {a: 1}\n: x\n", "s: &s [1]\n*s : x\n"] {
            let p = only_problem(text);
            assert_eq!(p.kind, YamlProblemKind::Syntax, "{text}");
            assert_eq!(p.message, "mapping keys must be scalars", "{text}");
        }
    }

    #[test]
    fn nan_and_infinite_values_fail_like_helm_json() {
        for text in ["v: .nan\n", "v: -.inf\n", "k: &k .inf\nv: [*k]\n"] {
            let p = only_problem(text);
            assert_eq!(p.kind, YamlProblemKind::Syntax, "{text}");
            assert!(p.message.contains("JSON"), "{text}");
        }
    }

    #[test]
    fn aliases_are_copied_with_the_alias_span_on_top() {
        let text = "defs: &d\n  key: k1\n  list: [1, 2]\nuse: *d\nname: &n x\nagain: *n\n";
        let root = load_ok(text);
        let defs = root.lookup("defs").unwrap();
        let used = root.lookup("use").unwrap();
        assert_eq!(defs.value, used.value);
        let u = span_of(used);
        assert_eq!(&text[u.start..u.end], "*d");
        // Children of the copy keep the anchor's spans.
        assert_eq!(
            span_of(used.lookup("key").unwrap()),
            span_of(defs.lookup("key").unwrap())
        );
        assert_eq!(root.get_scalar("again"), s("x"));
        let a = span_of(root.lookup("again").unwrap());
        assert_eq!(&text[a.start..a.end], "*n");
        // An alias may also stand for a key.
        let root = load_ok("k: &k name\nm:\n  *k : v\n");
        assert_eq!(root.get_scalar("m.name"), s("v"));
    }

    #[test]
    fn nested_anchors_and_mixed_merges_read_as_copies() {
        // Anchored collections inside anchored collections stay shared until the end; every alias
        // still reads as a copy, and a merge may mix an inline mapping with an alias.
        let text =
            "outer: &o\n  mid: &m\n    inner: &i [1, 2]\n  tail: *i\nusem: *m\nuseo: *o\nmixed:\n  <<: [{x: 1}, *m]\n";
        let root = load_ok(text);
        let at = |path: &str| root.lookup(path).unwrap();
        assert_eq!(at("usem").value, at("outer.mid").value);
        assert_eq!(at("useo").value, at("outer").value);
        assert_eq!(at("outer.tail").value, at("outer.mid.inner").value);
        assert_eq!(at("useo.mid.inner").value, at("outer.mid.inner").value);
        assert_eq!(root.get_scalar("mixed.x"), Scalar::Int(1));
        assert_eq!(at("mixed.inner").value, at("outer.mid.inner").value);
        let u = span_of(at("useo"));
        assert_eq!(&text[u.start..u.end], "*o");
        // The copy's inner nodes keep the anchor's places.
        assert_eq!(span_of(at("useo.mid")), span_of(at("outer.mid")));
    }

    #[test]
    fn unknown_and_self_referencing_aliases_are_errors() {
        let p = only_problem("a: *nope\n");
        assert_eq!(p.kind, YamlProblemKind::Syntax);
        assert_eq!(p.span.start, 3);
        let p = only_problem("a: &x [1, *x]\n");
        assert_eq!(p.kind, YamlProblemKind::Syntax);
        assert_eq!(p.message, "anchor 'x' value contains itself");
    }

    #[test]
    fn billion_laughs_is_stopped_at_the_alias_limit() {
        let mut text =
            String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let (prev, name) = (w[0], w[1]);
            let refs = vec![format!("*{prev}"); 9].join(",");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let p = only_problem(&text);
        assert_eq!(p.kind, YamlProblemKind::AliasLimit);
        // a..e expand to 74,718 nodes; the first `*e` (66,430 more) goes past 100,000.
        assert_eq!(&text[p.span.start..p.span.end], "*e");
        assert_eq!(p.span.start, text.find("*e").unwrap());
        // Under the limit the same shape expands in full.
        let loaded = load(
            &text,
            SRC,
            &Limits {
                max_alias_nodes: 1_000,
                ..Limits::default()
            },
        );
        assert_eq!(loaded.problems[0].kind, YamlProblemKind::AliasLimit);
        let small = "a: &a [1, 2]\nb: &b [*a, *a]\nc: [*b, *b]\n";
        let root = load_ok(small);
        let Value::Seq(c) = &root.lookup("c").unwrap().value else {
            panic!()
        };
        assert_eq!(c.len(), 2);
        let exact = Limits {
            max_alias_nodes: 3 + 3 + 7 + 7,
            ..Limits::default()
        };
        assert!(load(small, SRC, &exact).root.is_some());
        let short = Limits {
            max_alias_nodes: 3 + 3 + 7 + 6,
            ..Limits::default()
        };
        assert_eq!(load(small, SRC, &short).problems[0].kind, YamlProblemKind::AliasLimit);
    }

    #[test]
    fn a_text_of_too_many_nodes_is_stopped_where_it_passes_the_limit() {
        let limits = Limits {
            max_nodes: 10,
            ..Limits::default()
        };
        // The sequence is one node, each item another: the tenth item is the eleventh node.
        let text = format!("[{}]", vec!["1"; 20].join(","));
        let loaded = load(&text, SRC, &limits);
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(loaded.problems[0].kind, YamlProblemKind::TooManyNodes);
        assert_eq!(loaded.problems[0].span.start, 19, "the tenth 1");
        assert!(load("a: [1, 2, 3]\nb: {c: d}\n", SRC, &limits).problems.is_empty());
    }

    #[test]
    fn a_long_string_aliased_is_stopped_at_the_byte_limit() {
        let limits = Limits {
            max_alias_bytes: 100,
            ..Limits::default()
        };
        // Three copies of 40 bytes fit no budget of 100: the third alias is where it stops.
        let text = format!("a: &a \"{}\"\nb: [*a, *a, *a]\n", "x".repeat(40));
        let loaded = load(&text, SRC, &limits);
        assert!(loaded.root.is_none());
        let p = &loaded.problems[0];
        assert_eq!(p.kind, YamlProblemKind::AliasLimit);
        assert_eq!(p.span.start, text.rfind("*a").unwrap());
        assert_eq!(&text[p.span.start..p.span.end], "*a");
        assert!(p.message.contains("100 bytes"), "{}", p.message);
        // Two copies fit.
        let two = format!("a: &a \"{}\"\nb: [*a, *a]\n", "x".repeat(40));
        assert!(load(&two, SRC, &limits).problems.is_empty());
        // Keys count, in a copied mapping and as an aliased key.
        let keys = format!("a: &a {{{}: 1}}\nb: [*a, *a, *a]\n", "k".repeat(40));
        assert_eq!(load(&keys, SRC, &limits).problems[0].kind, YamlProblemKind::AliasLimit);
        let key_alias = format!(
            "a: &k {}\nb: {{*k : 1}}\nc: {{*k : 1}}\nd: {{*k : 1}}\n",
            "k".repeat(40)
        );
        let p = &load(&key_alias, SRC, &limits).problems[0];
        assert_eq!(p.kind, YamlProblemKind::AliasLimit);
        assert_eq!(p.span.start, key_alias.rfind("*k").unwrap());
        // Nested anchors count expanded: `b` holds 80 bytes, and two copies of it are 160.
        let nested = format!("a: &a \"{}\"\nb: &b [*a, *a]\nc: [*b]\n", "x".repeat(40));
        let p = &load(&nested, SRC, &limits).problems[0];
        assert_eq!(p.kind, YamlProblemKind::AliasLimit);
        assert_eq!(p.span.start, nested.rfind("*b").unwrap());
    }

    #[test]
    fn a_megabyte_aliased_a_thousand_times_is_stopped_by_the_default_limits() {
        let text = format!("a: &a \"{}\"\nb: [{}]\n", "x".repeat(1 << 20), ["*a"; 1000].join(", "));
        let p = only_problem(&text);
        assert_eq!(p.kind, YamlProblemKind::AliasLimit);
        // The ninth copy passes 8 MiB.
        let ninth = text.match_indices("*a").nth(8).unwrap().0;
        assert_eq!(p.span.start, ninth);
    }

    #[test]
    fn deep_flow_sequence_is_too_deep_without_overflow() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let p = only_problem(&text);
        assert_eq!(p.kind, YamlProblemKind::TooDeep);
        // Below the parser's own ceiling the limit applies at the first node past it.
        let text = "[".repeat(200) + &"]".repeat(200);
        let p = only_problem(&text);
        assert_eq!(p.kind, YamlProblemKind::TooDeep);
        assert_eq!(p.span.start, 128);
        let ok = "[".repeat(128) + &"]".repeat(128);
        assert!(load(&ok, SRC, &Limits::default()).root.is_some());
    }

    #[test]
    fn deep_block_mapping_is_too_deep_without_overflow() {
        // 10,000 levels at one space each: 50 MB, of which the loader reads only the first levels.
        let levels = 10_000;
        let mut text = String::with_capacity(levels * (levels + 7) / 2);
        let spaces = " ".repeat(levels);
        for depth in 0..levels {
            text.push_str(&spaces[..depth]);
            text.push_str("a:\n");
        }
        let p = only_problem(&text);
        assert_eq!(p.kind, YamlProblemKind::TooDeep);
        let head = &text[..p.span.end];
        assert_eq!(LineIndex::new(head).line_col(head, p.span.start), (129, 129));
        let seqs = "- ".repeat(10_000) + "x\n";
        assert_eq!(only_problem(&seqs).kind, YamlProblemKind::TooDeep);
    }

    #[test]
    fn aliases_cannot_smuggle_depth() {
        let inner = "[".repeat(100) + &"]".repeat(100);
        let text = format!("a: &a {inner}\nb: {}*a{}\n", "[".repeat(50), "]".repeat(50));
        let p = only_problem(&text);
        assert_eq!(p.kind, YamlProblemKind::TooDeep);
        assert_eq!(&text[p.span.start..p.span.end], "*a");
    }

    #[test]
    fn syntax_errors_point_at_the_error() {
        let text = "a: 1\nb: [1, 2\nc: 3\n";
        let p = only_problem(text);
        assert_eq!(p.kind, YamlProblemKind::Syntax);
        assert!(!p.message.is_empty());
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, p.span.start).0, 3);
        let text = "é: 1\n\tb: 2\n";
        let p = only_problem(text);
        assert_eq!(p.kind, YamlProblemKind::Syntax);
        assert!(text.is_char_boundary(p.span.start) && text.is_char_boundary(p.span.end));
        let p = only_problem("a: 'unterminated\n");
        assert_eq!(p.kind, YamlProblemKind::Syntax);
    }

    #[test]
    fn empty_inputs_have_no_root() {
        for text in ["", "\n", "# only a comment\n", "---\n", "--- # c\n...\n", "  \n\n"] {
            let loaded = load(text, SRC, &Limits::default());
            assert!(loaded.root.is_none(), "{text:?}");
            assert!(loaded.problems.is_empty(), "{text:?}");
        }
        assert_eq!(load_ok("~\n").value, Value::Scalar(Scalar::Null));
        assert_eq!(load_ok("{}\n").value, Value::Map(Mapping::new()));
    }

    #[test]
    fn only_the_first_document_is_read() {
        let root = load_ok("a: 1\n---\nb: 2\n--- [\n");
        assert_eq!(root.get_scalar("a"), Scalar::Int(1));
        assert!(root.lookup("b").is_none());
        let root = load_ok("---\nx: w\n...\n---\nz: 1\n");
        assert_eq!(root.get_scalar("x"), s("w"));
    }

    #[test]
    fn format_go_float_matches_go_fmt_v() {
        let cases: &[(f64, &str)] = &[
            (20191101.0, "2.0191101e+07"),
            (443.0, "443"),
            (1e6, "1e+06"),
            (100000.0, "100000"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5, "1.5"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (0.0, "0"),
            (-0.0, "-0"),
            (18446744073709551615u64 as f64, "1.8446744073709552e+19"),
        ];
        for &(f, want) in cases {
            assert_eq!(format_go_float(f), want, "{f:?}");
        }
        assert_eq!(float_key(0.1), "0.1");
        assert_eq!(float_key(1e40), ".inf");
        assert_eq!(float_key(16777217.0), "1.6777216e+07");
    }

    #[test]
    fn timestamps_are_recognised_for_the_timestamp_tag() {
        for ok in [
            "2019-11-01",
            "2019-1-2",
            "2020-02-29",
            "2019-11-01T10:00:00Z",
            "2019-11-01t10:00:00.123+01:00",
            "2019-11-01 1:2:3.5",
        ] {
            assert!(parse_timestamp(ok), "{ok}");
        }
        for bad in [
            "2019-02-29",
            "2019-13-01",
            "19-11-01",
            "2019-11-01T10:00:00",
            "2019-11-01 10:00:00Z",
            "2019-11-01x",
        ] {
            assert!(!parse_timestamp(bad), "{bad}");
        }
    }

    #[test]
    fn arbitrary_input_never_panics() {
        let alphabet: Vec<char> = "ab1 :-?[]{},&*!|>'\"#\n\t.~<%@`é🔐\\".chars().collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3_000 {
            let len = (next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let loaded = load(&text, SRC, &Limits::default());
            for p in &loaded.problems {
                assert!(p.span.start <= p.span.end && p.span.end <= text.len(), "{text:?}");
                assert!(text.is_char_boundary(p.span.start), "{text:?}");
            }
        }
    }
}
