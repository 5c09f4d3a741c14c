//! Helm's `--set` parser (helm/helm `pkg/strvals/parser.go`), reimplemented over the value tree.
//!
//! This file owns the grammar of `--set`, `--set-string` and `--set-file` arguments and how they are
//! written into an existing [`Mapping`] (Helm's `ParseInto`: leaves are overwritten, maps merged).
//! Two behaviours are kept apart, because certgate must predict what the Helm that runs the command
//! will do:
//!
//! - [`HelmVersion::V2`]: Helm v2.16.12 (what ICP / Event Streams 2019.4 ships with);
//! - [`HelmVersion::V3`]: Helm HEAD (the parser Helm 3 and later converged on).
//!
//! The grammar, in short: comma-separated `key=value` items; keys are dotted paths (`a.b.c`) with
//! list indices (`a[0].b`, `a[0][1]`); a backslash makes the next character literal (`\,` `\=` `\.`,
//! a trailing backslash is dropped); a value starting with `{` is a list `{a,b}`; with `--set` a
//! value is typed (`true`/`false`/`null` in any case, integers), with `--set-string` it stays a
//! string, with `--set-file` it is the content of the file it names. How the characters are read,
//! and how a key or value is escaped to be read back unchanged, is [`syntax`]: this parser, the
//! approved command and the lint of a proposed one all go through it.
//!
//! Where Helm would panic or exhaust memory, certgate returns an error instead: negative indices and
//! type mismatches (`a=1,a.b=2`) in Helm 2, a Helm 2 nested index that stores a list into itself,
//! indices above Helm 3's cap of 65536 (in both modes), nesting deeper than [`MAX_DEPTH`], and more
//! than [`MAX_NEW_ELEMENTS`] list slots created or copied by one argument.
//!
//! Every node the parser creates (leaves, maps, lists, the nulls padding a list) has the origin
//! `Origin::Flag { flag, key }`, `key` being the item's key as written (`tls.key`, `a\.b[0]`), cut
//! at [`MAX_ORIGIN_KEY_CHARS`]. Maps and lists that already existed keep their origin.

pub mod syntax;

use std::collections::HashSet;
use std::fmt;

use crate::source::value::{Entry, Mapping, Node, Origin, Scalar, SetFlag, Value};
pub use syntax::{EmptySegment, escape_key, escape_value, push_key, push_value, unescape};
use syntax::{Lexer, Place};

/// Helm's major version, for the behaviours that differ between Helm 2 and Helm 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HelmVersion {
    /// Helm 2 (v2.16.12): Tiller, `--tls`.
    V2,
    /// Helm 3 (the parser at helm/helm HEAD, which Helm 3 converged on).
    V3,
    /// Helm 4: Helm 3's parser and upgrade; values files with several documents are merged.
    V4,
}

impl HelmVersion {
    pub fn major(self) -> u8 {
        match self {
            HelmVersion::V2 => 2,
            HelmVersion::V3 => 3,
            HelmVersion::V4 => 4,
        }
    }

    /// `2`, `3` or `4` (also `v2`, `v3`, `v4`) to a version.
    pub fn from_major(s: &str) -> Option<Self> {
        match s.trim().trim_start_matches(['v', 'V']) {
            "2" => Some(HelmVersion::V2),
            "3" => Some(HelmVersion::V3),
            "4" => Some(HelmVersion::V4),
            _ => None,
        }
    }
}

impl fmt::Display for HelmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Helm {}", self.major())
    }
}

/// Helm 3's `MaxIndex`: the largest list index `--set` accepts. Helm 2 had no cap (and would try to
/// allocate); certgate applies this one in both modes.
pub const MAX_INDEX: i64 = 65536;

/// Helm 3's `MaxNestedNameLevel`: at most this many dots in one key (Helm 2: no limit).
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// certgate's own cap on recursion (dots plus list indices in one key), in both modes: Go grows
/// its stack, a Rust thread does not.
pub const MAX_DEPTH: usize = 256;

/// certgate's own cap on the list slots one argument may create (`a[65536]=1,b[65536]=1,…` would
/// otherwise make a few kilobytes of input allocate gigabytes).
pub const MAX_NEW_ELEMENTS: usize = 1 << 20;

/// Origins keep at most this many characters of the key as written (then `…`).
pub const MAX_ORIGIN_KEY_CHARS: usize = 256;

/// A `--set` argument Helm would reject (or crash on). Compare by presence, not by text: the
/// wording follows Helm's where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrvalsError {
    pub message: String,
}

impl fmt::Display for StrvalsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StrvalsError {}

/// Parse one `--set` / `--set-string` argument into a new mapping.
pub fn parse(input: &str, flag: SetFlag, helm: HelmVersion) -> Result<Mapping, StrvalsError> {
    let mut m = Mapping::new();
    parse_into(input, flag, helm, &mut m)?;
    Ok(m)
}

/// Parse one `--set` or `--set-string` argument into `into`, as Helm's `ParseInto` /
/// `ParseIntoString` do: leaves are overwritten, maps merged, lists indexed.
///
/// `into` is left unchanged when the argument is rejected (Helm stops there anyway). For
/// [`SetFlag::SetFile`] use [`set_file`], which needs a way to read the files.
pub fn parse_into(input: &str, flag: SetFlag, helm: HelmVersion, into: &mut Mapping) -> Result<(), StrvalsError> {
    let typed = match flag {
        SetFlag::Set => true,
        SetFlag::SetString => false,
        SetFlag::SetFile => {
            return Err(StrvalsError {
                message: "--set-file needs its files read: use strvals::set_file".into(),
            });
        }
    };
    let mut reader =
        |rs: String| -> Result<Scalar, String> { Ok(if typed { typed_value(&rs) } else { Scalar::Str(rs) }) };
    run_atomic(input, flag, helm, &mut reader, into)
}

/// Parse one `--set-file` argument (`key=path,…`) into `into`: each value names a file whose
/// content becomes the value, as a string (Helm's `ParseIntoFile`). `read` gets the path as Helm
/// would see it (escapes removed) and returns the content or a message.
///
/// A quirk kept from Helm: `key=` with nothing after it sets the empty string without reading.
pub fn set_file(
    input: &str,
    helm: HelmVersion,
    read: impl Fn(&str) -> Result<String, String>,
    into: &mut Mapping,
) -> Result<(), StrvalsError> {
    let mut reader = |rs: String| -> Result<Scalar, String> { read(&rs).map(Scalar::Str) };
    run_atomic(input, SetFlag::SetFile, helm, &mut reader, into)
}

/// The type `--set` gives a value (Helm's `typedVal`): `true`/`false`/`null` in any letter case,
/// `0`, and base-10 integers that fit 64 bits and do not start with `0`; everything else is a string.
pub fn typed_value(s: &str) -> Scalar {
    typed(s).unwrap_or_else(|| Scalar::Str(s.to_string()))
}

/// [`typed_value`] when it is not a string, without copying the string otherwise.
pub fn typed(s: &str) -> Option<Scalar> {
    if eq_fold(s, "true") {
        return Some(Scalar::Bool(true));
    }
    if eq_fold(s, "false") {
        return Some(Scalar::Bool(false));
    }
    if eq_fold(s, "null") {
        return Some(Scalar::Null);
    }
    if s == "0" {
        return Some(Scalar::Int(0));
    }
    // Helm's rule: a leading zero keeps it a string (`007`, `00009`), but a sign does not
    // (`-7`, `+7` are integers: Go's ParseInt accepts the sign).
    if !s.is_empty() && !s.starts_with('0') {
        return s.parse::<i64>().ok().map(Scalar::Int);
    }
    None
}

/// Go's `strings.EqualFold` against an ASCII lowercase word: ASCII case folding, plus the two
/// non-ASCII letters Unicode folds onto ASCII ones (`ſ` → `s`, Kelvin sign `K` → `k`).
fn eq_fold(s: &str, word: &str) -> bool {
    let mut a = s.chars();
    let mut b = word.chars();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(ca), Some(cb)) => {
                let same =
                    ca.to_ascii_lowercase() == cb || (cb == 's' && ca == '\u{17F}') || (cb == 'k' && ca == '\u{212A}');
                if !same {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The JSON form of a mapping (Int and Float as numbers, Null as null).
pub fn to_json(m: &Mapping) -> serde_json::Value {
    serde_json::Value::Object(m.iter().map(|e| (e.key.clone(), node_to_json(&e.node))).collect())
}

/// The JSON form of a node (NaN and infinities become null).
pub fn node_to_json(n: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &n.value {
        Value::Scalar(Scalar::Null) => J::Null,
        Value::Scalar(Scalar::Bool(b)) => J::Bool(*b),
        Value::Scalar(Scalar::Int(i)) => J::Number((*i).into()),
        Value::Scalar(Scalar::Float(f)) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Scalar(Scalar::Str(s)) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(node_to_json).collect()),
        Value::Map(m) => to_json(m),
    }
}

type Reader<'r> = dyn FnMut(String) -> Result<Scalar, String> + 'r;

fn run_atomic(
    input: &str,
    flag: SetFlag,
    helm: HelmVersion,
    reader: &mut Reader<'_>,
    into: &mut Mapping,
) -> Result<(), StrvalsError> {
    let mut p = Parser {
        lex: Lexer::new(input),
        helm,
        flag,
        reader,
        key_text: std::sync::Arc::from(""),
        new_elements: 0,
        journal: Journal::default(),
    };
    // Written in place, and put back if rejected: a copy of `into` for each argument would make
    // many `--set` arguments cost the square of their number.
    let result = p.run(into);
    if result.is_err() {
        p.journal.undo(into);
    }
    result
}

/// What an argument has changed in the mapping it writes into, to put it back if the argument is
/// rejected: Helm stops there, certgate goes on reading the other arguments against the values as
/// they were. Each slot (a key of a map that was there before) is written down the first time it
/// changes, with what it held; whatever is below a slot is put back with it. A list is changed in
/// place, so its slot keeps a copy of it.
#[derive(Default)]
struct Journal {
    /// The keys from the root to the map being written into; `None` inside a map or list the
    /// argument is still making, which is not in the mapping yet.
    path: Option<Vec<String>>,
    /// Each slot (path and key) and what it held, in the order they first changed.
    undo: Vec<(Vec<String>, Option<Entry>)>,
    seen: HashSet<Vec<String>>,
}

impl Journal {
    /// Where `key` of the current map is, the first time it changes.
    fn first_change(&mut self, key: &str) -> Option<Vec<String>> {
        let mut slot = self.path.as_ref()?.clone();
        slot.push(key.to_string());
        self.seen.insert(slot.clone()).then_some(slot)
    }

    /// `key` of the current map held `old` (`None`: it was not there) before it changed.
    fn changed(&mut self, key: &str, old: Option<Entry>) {
        if let Some(slot) = self.first_change(key) {
            self.undo.push((slot, old));
        }
    }

    /// `key` of `map`, the current map, is about to change in place: keep a copy of it.
    fn keep(&mut self, map: &Mapping, key: &str) {
        if self.path.is_some()
            && let Some(entry) = map.entry(key)
        {
            let old = entry.clone();
            self.changed(key, Some(old));
        }
    }

    /// Put every slot back, the latest first, so that each finds the map it was in as it was then.
    /// A slot whose map is gone was inside a slot put back after it, which restores it whole.
    fn undo(self, root: &mut Mapping) {
        'slots: for (slot, old) in self.undo.into_iter().rev() {
            let Some((key, path)) = slot.split_last() else { continue };
            let mut map = &mut *root;
            for k in path {
                match map.get_mut(k).map(|n| &mut n.value) {
                    Some(Value::Map(inner)) => map = inner,
                    _ => continue 'slots,
                }
            }
            match old {
                Some(e) => {
                    map.replace(e.key, e.key_origin, e.node);
                }
                None => {
                    map.remove(key);
                }
            }
        }
    }
}

/// How a step of the parser ended when it did not simply succeed. Helm signals the end of input
/// with `io.EOF` through the same channel as errors; `Eof` is that signal.
enum Halt {
    Eof,
    Fail(String),
}

type Step = Result<(), Halt>;

fn fail(msg: impl Into<String>) -> Step {
    Err(Halt::Fail(msg.into()))
}

/// What Helm's `valList` returns besides a list.
enum ListErr {
    Eof,
    NotList,
    Fail(String),
}

struct Parser<'s, 'a, 'r> {
    lex: Lexer<'s>,
    helm: HelmVersion,
    flag: SetFlag,
    reader: &'a mut Reader<'r>,
    /// The key of the item being parsed, as written (for origins).
    key_text: std::sync::Arc<str>,
    new_elements: usize,
    journal: Journal,
}

impl Parser<'_, '_, '_> {
    fn run(&mut self, data: &mut Mapping) -> Result<(), StrvalsError> {
        self.journal.path = Some(Vec::new());
        loop {
            self.set_key_text();
            match self.key(data, 0, 0) {
                Ok(()) => continue,
                Err(Halt::Eof) => return Ok(()),
                Err(Halt::Fail(message)) => return Err(StrvalsError { message }),
            }
        }
    }

    fn origin(&self) -> Origin {
        Origin::Flag {
            flag: self.flag,
            key: self.key_text.clone(),
        }
    }

    /// The next item's key as written ([`Place::ItemKey`]), kept in origins, cut at
    /// [`MAX_ORIGIN_KEY_CHARS`] (every node shares it).
    fn set_key_text(&mut self) {
        let mut ahead = self.lex.clone();
        let key = ahead.run(Place::ItemKey);
        let raw = ahead.raw(&key);
        self.key_text = match raw.char_indices().nth(MAX_ORIGIN_KEY_CHARS) {
            Some((cut, _)) => format!("{}…", &raw[..cut]).into(),
            None => raw.into(),
        };
    }

    fn node(&self, value: Value) -> Node {
        Node::new(value, self.origin())
    }

    /// Helm's `runesUntil`: the next run of `place`, unescaped, and the stop character that ended it
    /// (`None`: the input ended).
    fn runes_until(&mut self, place: Place) -> (String, Option<char>) {
        let run = self.lex.run(place);
        (self.lex.value(&run).into_owned(), run.stop)
    }

    /// `set()`: an empty key is silently not set (Helm's rule).
    fn set(&mut self, data: &mut Mapping, key: &str, node: Node) {
        if key.is_empty() {
            return;
        }
        let old = data.replace(key.to_string(), self.origin(), node);
        self.journal.changed(key, old);
    }

    fn read_value(&mut self, rs: String) -> Result<Scalar, String> {
        (self.reader)(rs)
    }

    fn key(&mut self, data: &mut Mapping, level: usize, depth: usize) -> Step {
        if depth > MAX_DEPTH {
            return fail(format!("key nested deeper than {MAX_DEPTH} levels"));
        }
        let (k, last) = self.runes_until(Place::Key);
        match last {
            None if k.is_empty() => Err(Halt::Eof),
            None => fail(format!("key {k:?} has no value")),
            Some('[') => self.key_list(data, &k, level, depth),
            Some('=') => self.key_value(data, &k),
            Some(',') => fail(format!("key {k:?} has no value (cannot end with ,)")),
            Some('.') => self.key_map(data, &k, level, depth),
            Some(c) => fail(format!("parse error: unexpected token {c:?}")),
        }
    }

    /// `key[`: the list at `k`, and the item after the index (`case last == '['` of Helm's `key`).
    fn key_list(&mut self, data: &mut Mapping, k: &str, level: usize, depth: usize) -> Step {
        let i = self.key_index()?;
        // Find or create the target list; a non-list there is a type-assertion panic in Go.
        // An existing list is taken out and put back (with its origin), not copied, but
        // for the journal; below it, nothing is journaled.
        if matches!(data.get(k).map(|n| &n.value), Some(Value::Seq(_))) {
            self.journal.keep(data, k);
        }
        let (list, existed) = match data.get_mut(k) {
            None => (Vec::new(), false),
            Some(node) => match &mut node.value {
                Value::Seq(l) => (std::mem::take(l), true),
                _ => {
                    let msg = not_a("list", k, node);
                    return fail(msg);
                }
            },
        };
        let path = self.journal.path.take();
        let (list, r) = self.list_item(list, i, level, depth + 1);
        self.journal.path = path;
        match data.get_mut(k) {
            Some(node) if existed => node.value = Value::Seq(list),
            _ => {
                let n = self.node(Value::Seq(list));
                self.set(data, k, n);
            }
        }
        r
    }

    /// `key=`: a list in braces or a value (`case last == '='` of Helm's `key`).
    fn key_value(&mut self, data: &mut Mapping, k: &str) -> Step {
        match self.val_list() {
            Ok(vl) => {
                let n = self.node(Value::Seq(vl));
                self.set(data, k, n);
                Ok(())
            }
            // `key=` at the very end: the empty string, not run through the value reader.
            Err(ListErr::Eof) => {
                let n = self.node(Value::Scalar(Scalar::Str(String::new())));
                self.set(data, k, n);
                Err(Halt::Eof)
            }
            Err(ListErr::NotList) => {
                let (rs, _) = self.runes_until(Place::Value);
                match self.read_value(rs) {
                    Ok(s) => {
                        let n = self.node(Value::Scalar(s));
                        self.set(data, k, n);
                        Ok(())
                    }
                    Err(e) => fail(e),
                }
            }
            Err(ListErr::Fail(m)) => fail(m),
        }
    }

    /// `key.`: the map at `k`, and the key inside it (`case last == '.'` of Helm's `key`).
    fn key_map(&mut self, data: &mut Mapping, k: &str, level: usize, depth: usize) -> Step {
        let level = level + 1;
        if self.helm != HelmVersion::V2 && level > MAX_NESTED_NAME_LEVEL {
            return fail(format!(
                "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
            ));
        }
        match data.get_mut(k) {
            // An existing map is merged into in place (a Go map is a reference).
            Some(node) => match &mut node.value {
                Value::Map(inner) => {
                    if let Some(path) = &mut self.journal.path {
                        path.push(k.to_string());
                    }
                    let r = self.key(inner, level, depth + 1);
                    if let Some(path) = &mut self.journal.path {
                        path.pop();
                    }
                    self.key_map_result(k, r, inner.is_empty())
                }
                _ => {
                    let msg = not_a("map", k, node);
                    fail(msg)
                }
            },
            None => {
                let mut inner = Mapping::new();
                let path = self.journal.path.take();
                let r = self.key(&mut inner, level, depth + 1);
                self.journal.path = path;
                let empty = inner.is_empty();
                if !empty {
                    let n = self.node(Value::Map(inner));
                    self.set(data, k, n);
                }
                self.key_map_result(k, r, empty)
            }
        }
    }

    /// After recursing into `k.`: Helm 2 rejects an empty map whatever happened inside; Helm 3 only
    /// when the inside succeeded (so `a.` at the very end is accepted by Helm 3 and sets nothing).
    fn key_map_result(&self, k: &str, r: Step, empty: bool) -> Step {
        let reject = match self.helm {
            HelmVersion::V2 => empty,
            HelmVersion::V3 | HelmVersion::V4 => empty && r.is_ok(),
        };
        if reject {
            return fail(format!("key map {k:?} has no value"));
        }
        r
    }

    /// Helm's `keyIndex`: the text up to `]`, as Go's `strconv.Atoi` reads it (optional sign).
    fn key_index(&mut self) -> Result<i64, Halt> {
        let (v, last) = self.runes_until(Place::Index);
        if last.is_none() {
            return match self.helm {
                // Helm 3 wraps this io.EOF with %w, so its parse loop still sees the end of input and
                // stops without an error (`a[0` sets nothing); Helm 2 formats it into a plain error.
                HelmVersion::V3 | HelmVersion::V4 => Err(Halt::Eof),
                HelmVersion::V2 => Err(Halt::Fail("error parsing index: EOF".into())),
            };
        }
        v.parse::<i64>().map_err(|_| {
            Halt::Fail(format!(
                "error parsing index: strconv.Atoi: parsing {v:?}: invalid syntax"
            ))
        })
    }

    /// Helm's `listItem`: what follows `name[i]`. Returns the list (changed or not) and how it ended.
    fn list_item(&mut self, list: Vec<Node>, i: i64, level: usize, depth: usize) -> (Vec<Node>, Step) {
        if depth > MAX_DEPTH {
            return (list, fail(format!("key nested deeper than {MAX_DEPTH} levels")));
        }
        if self.helm != HelmVersion::V2 && i < 0 {
            return (list, fail(format!("negative {i} index not allowed")));
        }
        let (k, last) = self.runes_until(Place::AfterIndex);
        if !k.is_empty() {
            return (list, fail(format!("unexpected data at end of array index: {k:?}")));
        }
        match last {
            None => (list, Err(Halt::Eof)),
            Some('=') => self.list_item_value(list, i),
            Some('[') => {
                let next_i = match self.key_index() {
                    Ok(n) => n,
                    Err(h) => return (list, Err(h)),
                };
                match self.helm {
                    HelmVersion::V3 | HelmVersion::V4 => self.nested_list(list, i, next_i, level, depth),
                    HelmVersion::V2 => self.nested_list_v2(list, next_i, level, depth),
                }
            }
            Some('.') => self.list_item_map(list, i, level, depth),
            Some(c) => (list, fail(format!("parse error: unexpected token {c:?}"))),
        }
    }

    /// `name[i]=`: a list in braces or a value at `i` (`case last == '='` of Helm's `listItem`).
    fn list_item_value(&mut self, list: Vec<Node>, i: i64) -> (Vec<Node>, Step) {
        match self.val_list() {
            Ok(vl) => self.set_index(list, i, Value::Seq(vl)),
            Err(ListErr::Eof) => self.set_index(list, i, Value::Scalar(Scalar::Str(String::new()))),
            Err(ListErr::NotList) => {
                let (rs, _) = self.runes_until(Place::Value);
                match self.read_value(rs) {
                    Ok(s) => self.set_index(list, i, Value::Scalar(s)),
                    Err(e) => (list, fail(e)),
                }
            }
            Err(ListErr::Fail(m)) => (list, fail(m)),
        }
    }

    /// `name[i][j]` in Helm 3: the list at `i`, and the item at `j` in it (`case last == '['` of
    /// Helm's `listItem`).
    fn nested_list(
        &mut self,
        mut list: Vec<Node>,
        i: i64,
        next_i: i64,
        level: usize,
        depth: usize,
    ) -> (Vec<Node>, Step) {
        // An existing nested list is taken out; on failure it goes back as the inner
        // call left it (Go changes it in place too).
        let mut crt = Vec::new();
        let mut taken = None;
        if let Some(u) = usize::try_from(i).ok().filter(|u| *u < list.len()) {
            match &mut list[u].value {
                Value::Scalar(Scalar::Null) => {}
                Value::Seq(l) => {
                    crt = std::mem::take(l);
                    taken = Some(u);
                }
                _ => {
                    let msg = not_a("list", &format!("[{i}]"), &list[u]);
                    return (list, fail(msg));
                }
            }
        }
        let (list2, r) = self.list_item(crt, next_i, level, depth + 1);
        if r.is_err() {
            if let Some(u) = taken {
                list[u].value = Value::Seq(list2);
            }
            return (list, r);
        }
        self.set_index(list, i, Value::Seq(list2))
    }

    /// `name[i][j]` in Helm 2 (v2.16.12), whose `listItem` passes the list itself down.
    fn nested_list_v2(&mut self, list: Vec<Node>, next_i: i64, level: usize, depth: usize) -> (Vec<Node>, Step) {
        // Helm 2 quirk (v2.16.12): the inner index shadows the outer one, so
        // `a[i][j]` descends into the same list with `j` and stores the result at
        // `j`; `i` is never used. Go passes the same slice down; certgate copies it
        // and follows where Go's slice would or would not have been reallocated.
        let len = list.len();
        if let Err(e) = self.charge(count_nodes(&list)) {
            return (list, Err(e));
        }
        let (list2, r) = self.list_item(list.clone(), next_i, level, depth + 1);
        if list2.len() != len {
            // The inner call grew (reallocated) its list: a separate value.
            let (list, r2) = self.set_index(list, next_i, Value::Seq(list2));
            return (list, r2.and(r));
        }
        // Nothing grew: in Go, `list2` is `list` itself, possibly changed in place.
        if usize::try_from(next_i).is_ok_and(|j| j < len) {
            // Storing a slice into its own backing array: the list contains
            // itself, and Helm 2 overflows its stack when it marshals the values.
            return (
                list,
                fail(format!(
                    "Helm 2 would store list {next_i} into itself (`[{next_i}]` into an existing \
                     list) and crash"
                )),
            );
        }
        if let Err(e) = self.charge(count_nodes(&list2)) {
            return (list, Err(e));
        }
        let base = list2.clone();
        let (list, r2) = self.set_index(base, next_i, Value::Seq(list2));
        (list, r2.and(r))
    }

    /// `name[i].`: the map at `i`, and the key inside it (`case last == '.'` of Helm's `listItem`).
    fn list_item_map(&mut self, mut list: Vec<Node>, i: i64, level: usize, depth: usize) -> (Vec<Node>, Step) {
        let Ok(idx) = usize::try_from(i) else {
            // Only reachable in Helm 2, where `list[i]` with i < 0 panics.
            return (list, fail(format!("index out of range [{i}]")));
        };
        if idx < list.len() {
            // Indices out of order: whatever is there that is not a map becomes one.
            if !matches!(list[idx].value, Value::Map(_)) {
                list[idx] = self.node(Value::Map(Mapping::new()));
            }
            let r = match &mut list[idx].value {
                Value::Map(inner) => self.key(inner, level, depth + 1),
                _ => fail("internal: list item is not a map"),
            };
            (list, r)
        } else {
            let mut inner = Mapping::new();
            let r = self.key(&mut inner, level, depth + 1);
            match self.helm {
                HelmVersion::V3 | HelmVersion::V4 => {
                    if r.is_err() {
                        return (list, r);
                    }
                    self.set_index(list, i, Value::Map(inner))
                }
                HelmVersion::V2 => {
                    let (list, r2) = self.set_index(list, i, Value::Map(inner));
                    (list, r2.and(r))
                }
            }
        }
    }

    /// Helm's `setIndex`: grow the list with nulls as needed and put `value` at `i`.
    fn set_index(&mut self, mut list: Vec<Node>, i: i64, value: Value) -> (Vec<Node>, Step) {
        let Ok(idx) = usize::try_from(i) else {
            let msg = match self.helm {
                HelmVersion::V3 | HelmVersion::V4 => format!("negative {i} index not allowed"),
                // Helm 2 panics here.
                HelmVersion::V2 => format!("index out of range [{i}]"),
            };
            return (list, fail(msg));
        };
        if i > MAX_INDEX {
            return (
                list,
                fail(format!(
                    "index of {i} is greater than maximum supported index of {MAX_INDEX}"
                )),
            );
        }
        if list.len() <= idx {
            if let Err(e) = self.charge(idx + 1 - list.len()) {
                return (list, Err(e));
            }
            let pad = self.node(Value::Scalar(Scalar::Null));
            list.resize(idx + 1, pad);
        }
        list[idx] = self.node(value);
        (list, Ok(()))
    }

    /// Count list elements created (or copied) against [`MAX_NEW_ELEMENTS`].
    fn charge(&mut self, n: usize) -> Step {
        self.new_elements = self.new_elements.saturating_add(n);
        if self.new_elements > MAX_NEW_ELEMENTS {
            return fail(format!(
                "more than {MAX_NEW_ELEMENTS} list elements created or copied by one argument"
            ));
        }
        Ok(())
    }

    /// Helm's `valList`: a value starting with `{` is a list up to `}` (a `,` right after it is
    /// consumed; anything else after it starts the next key).
    fn val_list(&mut self) -> Result<Vec<Node>, ListErr> {
        if self.lex.at_end() {
            return Err(ListErr::Eof);
        }
        if !self.lex.eat(syntax::LIST_OPEN) {
            return Err(ListErr::NotList);
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.runes_until(Place::ListElement);
            match last {
                None => return Err(ListErr::Fail("list must terminate with '}'".into())),
                Some('}') => {
                    self.lex.eat(syntax::ITEM_SEP);
                    let v = self.read_value(rs).map_err(ListErr::Fail)?;
                    list.push(self.node(Value::Scalar(v)));
                    return Ok(list);
                }
                Some(_) => {
                    let v = self.read_value(rs).map_err(ListErr::Fail)?;
                    list.push(self.node(Value::Scalar(v)));
                }
            }
        }
    }
}

/// The number of nodes in a list, nested ones included.
fn count_nodes(nodes: &[Node]) -> usize {
    nodes
        .iter()
        .map(|n| {
            1 + match &n.value {
                Value::Seq(l) => count_nodes(l),
                Value::Map(m) => m.iter().map(|e| count_nodes(std::slice::from_ref(&e.node))).sum(),
                Value::Scalar(_) => 0,
            }
        })
        .sum()
}

/// The message of Go's failed type assertion (a panic in Helm 2, "unable to parse key" in Helm 3).
fn not_a(want: &str, key: &str, found: &Node) -> String {
    let found = match &found.value {
        Value::Scalar(Scalar::Null) => "nil",
        Value::Scalar(Scalar::Bool(_)) => "bool",
        Value::Scalar(Scalar::Int(_)) => "int64",
        Value::Scalar(Scalar::Float(_)) => "float64",
        Value::Scalar(Scalar::Str(_)) => "string",
        Value::Seq(_) => "list",
        Value::Map(_) => "map",
    };
    format!("unable to parse key: {key:?} holds a {found}, not a {want}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value as J;

    fn from_json(v: &J) -> Node {
        let value = match v {
            J::Null => Value::Scalar(Scalar::Null),
            J::Bool(b) => Value::Scalar(Scalar::Bool(*b)),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Scalar(Scalar::Int(i)),
                None => Value::Scalar(Scalar::Float(n.as_f64().unwrap_or(f64::NAN))),
            },
            J::String(s) => Value::Scalar(Scalar::Str(s.clone())),
            J::Array(a) => Value::Seq(a.iter().map(from_json).collect()),
            J::Object(o) => {
                let mut m = Mapping::new();
                for (k, v) in o {
                    m.insert(k.clone(), Origin::Synthetic, from_json(v));
                }
                Value::Map(m)
            }
        };
        Node::new(value, Origin::Synthetic)
    }

    fn vectors() -> Vec<J> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/reference/vectors/helm_strvals.json"
        );
        let text = std::fs::read_to_string(path).expect("vector file");
        match serde_json::from_str(&text).expect("vector json") {
            J::Array(a) => a,
            _ => panic!("vectors are not a list"),
        }
    }

    /// (expect error, expected result) for one version, from `actual_by_version` when present.
    fn expectation(case: &J, helm: HelmVersion) -> (bool, J) {
        if let Some(J::Object(by)) = case.get("actual_by_version") {
            let wanted = by.iter().find(|(k, _)| match helm {
                HelmVersion::V2 => k.as_str() == "v2.16.12",
                HelmVersion::V3 | HelmVersion::V4 => k.starts_with("HEAD"),
            });
            if let Some((_, v)) = wanted {
                if v.get("error").is_some() {
                    return (true, J::Null);
                }
                if let Some(r) = v.get("result") {
                    return (false, r.clone());
                }
            }
        }
        let err = case.get("error").and_then(J::as_bool).unwrap_or(false);
        (err, case.get("expect").cloned().unwrap_or(J::Null))
    }

    #[test]
    fn every_helm_vector() {
        let cases = vectors();
        assert!(cases.len() > 50, "expected the full vector list");
        let mut failures = Vec::new();
        for case in &cases {
            let input = case["input"].as_str().expect("input");
            let mode = case["mode"].as_str().expect("mode");
            let (flag, into) = match mode {
                "set" => (SetFlag::Set, false),
                "set-string" => (SetFlag::SetString, false),
                "set-into" => (SetFlag::Set, true),
                "set-string-into" => (SetFlag::SetString, true),
                other => panic!("unknown mode {other}"),
            };
            for helm in [HelmVersion::V2, HelmVersion::V3] {
                let mut m = Mapping::new();
                if into {
                    match from_json(&case["initial"]).value {
                        Value::Map(init) => m = init,
                        _ => panic!("initial is not a map"),
                    }
                }
                let got = parse_into(input, flag, helm, &mut m);
                let (want_err, want) = expectation(case, helm);
                match (got, want_err) {
                    (Err(_), true) => {}
                    (Ok(()), false) if to_json(&m) == want => {}
                    (got, _) => failures.push(format!(
                        "{helm} {mode} {input:?}: got {:?} / {}, want error={want_err} {want}",
                        got.err(),
                        to_json(&m)
                    )),
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    fn set(input: &str, helm: HelmVersion) -> Result<J, StrvalsError> {
        parse(input, SetFlag::Set, helm).map(|m| to_json(&m))
    }

    #[test]
    fn origins_name_the_key_as_written() {
        let m = parse("tls.key=abc,a\\.b[1].c=x", SetFlag::SetString, HelmVersion::V3).unwrap();
        let tls = m.entry("tls").unwrap();
        let want = Origin::Flag {
            flag: SetFlag::SetString,
            key: "tls.key".into(),
        };
        assert_eq!(tls.key_origin, want);
        assert_eq!(tls.node.origin, want);
        let key = tls.node.as_map().unwrap().entry("key").unwrap();
        assert_eq!(key.node.origin, want);
        assert_eq!(key.key_origin, want);
        let ab = m.get("a.b").unwrap();
        assert_eq!(
            ab.origin,
            Origin::Flag {
                flag: SetFlag::SetString,
                key: "a\\.b[1].c".into()
            }
        );
    }

    #[test]
    fn into_keeps_existing_maps_and_their_origins() {
        let mut m = Mapping::new();
        let mut tls = Mapping::new();
        tls.insert(
            "type".into(),
            Origin::Synthetic,
            Node::scalar(Scalar::Str("selfsigned".into()), Origin::Synthetic),
        );
        m.insert(
            "tls".into(),
            Origin::Synthetic,
            Node::new(Value::Map(tls), Origin::Synthetic),
        );
        parse_into("tls.key=null", SetFlag::Set, HelmVersion::V2, &mut m).unwrap();
        let tls = m.get("tls").unwrap();
        assert_eq!(tls.origin, Origin::Synthetic);
        let map = tls.as_map().unwrap();
        assert!(map.get("key").unwrap().is_null());
        assert_eq!(map.get("type").unwrap().as_str(), Some("selfsigned"));
    }

    #[test]
    fn errors_leave_the_target_unchanged() {
        let mut m = parse("a=1", SetFlag::Set, HelmVersion::V3).unwrap();
        let before = m.clone();
        assert!(parse_into("b=2,c", SetFlag::Set, HelmVersion::V3, &mut m).is_err());
        assert_eq!(m, before);
        // Changes at every level before the item Helm rejects: replaced leaves and maps, keys
        // added to existing maps, new maps, an existing list grown and changed, a new list.
        for helm in [HelmVersion::V2, HelmVersion::V3] {
            let mut m = parse("a.b.c=1,a.d=2,l[1]=x,z=0", SetFlag::Set, helm).unwrap();
            let before = m.clone();
            let rejected = "a.b.c=9,a.b.e=3,a.d.f=1";
            assert!(parse_into(rejected, SetFlag::Set, helm, &mut m).is_err());
            assert_eq!(m, before, "{helm}: {rejected}");
            let rejected = "a.b.c=9,a.b=7,n.m.o=1,l[3]=y,l[0]=w,k[2]=1,z=5,a.x.y=1,a.d=3,z.q=1";
            assert!(parse_into(rejected, SetFlag::Set, helm, &mut m).is_err());
            assert_eq!(m, before, "{helm}: {rejected}");
        }
    }

    #[test]
    fn many_arguments_into_one_map_are_each_applied_once() {
        // Each argument is written in place: 20,000 of them into one map cost no copies of it.
        let mut m = Mapping::new();
        for i in 0..20_000 {
            parse_into(&format!("global.k{i}=v"), SetFlag::Set, HelmVersion::V3, &mut m).unwrap();
            assert!(parse_into("global.k0.x=1", SetFlag::Set, HelmVersion::V3, &mut m).is_err());
        }
        assert_eq!(m.get("global").and_then(Node::as_map).map(Mapping::len), Some(20_000));
    }

    #[test]
    fn setting_into_a_non_map_is_an_error() {
        for helm in [HelmVersion::V2, HelmVersion::V3] {
            assert!(set("a=1,a.b=2", helm).is_err());
            assert!(set("a=1,a[0]=2", helm).is_err());
            assert!(set("a=null,a.b=2", helm).is_err());
        }
    }

    #[test]
    fn index_limits() {
        for helm in [HelmVersion::V2, HelmVersion::V3] {
            assert!(set("a[999999999]=x", helm).is_err());
            assert!(set("a[99999999999999999999999]=x", helm).is_err());
            assert!(set("a[65537]=x", helm).is_err());
            let ok = set("a[65536]=x", helm).unwrap();
            assert_eq!(ok["a"].as_array().unwrap().len(), 65537);
            // Many big lists in one argument hit the element budget, not the allocator.
            let many: Vec<String> = (0..40).map(|n| format!("k{n}[65536]=x")).collect();
            assert!(set(&many.join(","), helm).is_err());
        }
    }

    #[test]
    fn depth_limits() {
        let deep = format!("{}=x", vec!["a"; 32].join("."));
        assert!(set(&deep, HelmVersion::V2).is_ok());
        assert!(set(&deep, HelmVersion::V3).is_err());
        let at_limit = format!("{}=x", vec!["a"; 31].join("."));
        assert!(set(&at_limit, HelmVersion::V3).is_ok());
        let very_deep = format!("{}=x", vec!["a"; 100_000].join("."));
        assert!(set(&very_deep, HelmVersion::V2).is_err());
        let lists = format!("a{}=1", "[0]".repeat(100_000));
        for helm in [HelmVersion::V2, HelmVersion::V3] {
            assert!(set(&lists, helm).is_err());
        }
    }

    #[test]
    fn helm2_nested_index_quirk() {
        // Helm 2 stores `a[0][1]` at index 1 of the outer list, Helm 3 at index 0.
        assert_eq!(
            set("a[0][1]=x", HelmVersion::V2).unwrap(),
            serde_json::json!({"a": [null, [null, "x"]]})
        );
        assert_eq!(
            set("a[0][1]=x", HelmVersion::V3).unwrap(),
            serde_json::json!({"a": [[null, "x"]]})
        );
    }

    #[test]
    fn helm2_nested_index_into_an_existing_list() {
        // Go stores the slice into itself: Helm 2 crashes.
        assert!(set("a[0]=p,a[0][0]=y", HelmVersion::V2).is_err());
        assert!(set("a[0]=p,a[1][0]", HelmVersion::V2).is_err());
        // Grown lists are separate values; an unchanged-but-written-into one is shared.
        assert_eq!(
            set("a[0]=p,a[5][3]=x", HelmVersion::V2).unwrap(),
            serde_json::json!({"a": ["p", null, null, ["p", null, null, "x"]]})
        );
        let l3 = serde_json::json!(["p", null, null, null, null, ["p", null, null, null, null, "x"]]);
        assert_eq!(
            set("a[0]=p,a[7][3][0][5]=x", HelmVersion::V2).unwrap(),
            serde_json::json!({"a": [l3.clone(), null, null, [l3]]})
        );
    }

    #[test]
    fn long_keys_are_cut_in_origins() {
        let key = "k".repeat(1000);
        let m = parse(&format!("{key}=v"), SetFlag::Set, HelmVersion::V3).unwrap();
        match &m.get(&key).unwrap().origin {
            Origin::Flag { key, .. } => assert_eq!(key.chars().count(), MAX_ORIGIN_KEY_CHARS + 1),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn end_of_input_quirks() {
        // `a.` and `a[0` end quietly in Helm 3, and are errors in Helm 2.
        assert_eq!(set("a.", HelmVersion::V3).unwrap(), serde_json::json!({}));
        assert!(set("a.", HelmVersion::V2).is_err());
        assert_eq!(set("a[0", HelmVersion::V3).unwrap(), serde_json::json!({}));
        assert!(set("a[0", HelmVersion::V2).is_err());
    }

    #[test]
    fn typed_values() {
        assert_eq!(typed_value("TRUE"), Scalar::Bool(true));
        assert_eq!(typed_value("Null"), Scalar::Null);
        assert_eq!(typed_value("fal\u{17F}e"), Scalar::Bool(false));
        assert_eq!(typed_value("-7"), Scalar::Int(-7));
        assert_eq!(typed_value("+7"), Scalar::Int(7));
        assert_eq!(typed_value("-007"), Scalar::Int(-7));
        assert_eq!(typed_value("007"), Scalar::Str("007".into()));
        assert_eq!(typed_value(""), Scalar::Str(String::new()));
        assert_eq!(
            typed_value("99999999999999999999"),
            Scalar::Str("99999999999999999999".into())
        );
        assert_eq!(typed_value("1_000"), Scalar::Str("1_000".into()));
    }

    #[test]
    fn list_value_followed_by_more() {
        assert_eq!(
            set("a={x}b=1", HelmVersion::V3).unwrap(),
            serde_json::json!({"a": ["x"], "b": 1})
        );
        assert_eq!(
            set("a={},b=\\{x}", HelmVersion::V3).unwrap(),
            serde_json::json!({"a": [""], "b": "{x}"})
        );
    }

    proptest::proptest! {
        #[test]
        fn a_rejected_argument_changes_nothing(input in "[abl.\\[\\]=,{}\\\\0-3]{0,40}") {
            for helm in [HelmVersion::V2, HelmVersion::V3] {
                for flag in [SetFlag::Set, SetFlag::SetString] {
                    let mut m = parse("a.b=1,a.a.b=2,l[1]=x,l[2].a=1,b=0", SetFlag::Set, helm).unwrap();
                    let before = m.clone();
                    if parse_into(&input, flag, helm, &mut m).is_err() {
                        proptest::prop_assert_eq!(&m, &before, "{} {}", helm, input);
                    }
                }
            }
        }

        #[test]
        fn never_panics(input in "[ab.\\[\\]=,{}\\\\0-9-]{0,40}|\\PC{0,20}") {
            for helm in [HelmVersion::V2, HelmVersion::V3] {
                for flag in [SetFlag::Set, SetFlag::SetString] {
                    let mut m = parse("a.b=1,l[1]=x", SetFlag::Set, helm).unwrap();
                    let _ = parse_into(&input, flag, helm, &mut m);
                }
            }
        }
    }

    #[test]
    fn set_file_reads_paths() {
        let read = |p: &str| -> Result<String, String> {
            match p {
                "tls,1.key" => Ok("KEY\n".into()),
                "b" => Ok("B".into()),
                _ => Err(format!("open {p}: no such file")),
            }
        };
        let mut m = Mapping::new();
        set_file("tls.key=tls\\,1.key,x={b,b}", HelmVersion::V3, read, &mut m).unwrap();
        assert_eq!(
            to_json(&m),
            serde_json::json!({"tls": {"key": "KEY\n"}, "x": ["B", "B"]})
        );
        assert_eq!(
            m.get("tls").unwrap().origin,
            Origin::Flag {
                flag: SetFlag::SetFile,
                key: "tls.key".into()
            }
        );
        assert!(set_file("a=missing", HelmVersion::V2, read, &mut m).is_err());
        assert!(parse_into("a=b", SetFlag::SetFile, HelmVersion::V2, &mut m).is_err());
    }
}
