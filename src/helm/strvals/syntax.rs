//! The `--set` syntax: the one tokenizer of `--set`, `--set-string` and `--set-file` arguments, and
//! its inverse, the escaping that writes a key or a value so that Helm reads it back unchanged.
//!
//! Helm reads an argument (helm/helm `pkg/strvals/parser.go`) as runs of characters, each up to one
//! of a few stop characters that depend on where the parser is: `runesUntil` with the `stop` set of
//! `key`, `keyIndex`, `listItem`, `val` or `valList` ([`Place`]). A backslash makes the next
//! character part of the run, whatever it is, and a backslash at the very end is dropped. [`Lexer`]
//! is that reading, each run kept as a span (byte offsets into the argument, escapes kept), and:
//!
//! - the parser ([`super`]) reads keys, indices and values with it, unescaped ([`unescape`]);
//! - the lint of a proposed command ([`crate::helm::proposed`]) cuts an argument into its items
//!   ([`items`]) and quotes them as written;
//! - the approved command ([`crate::helm::approved`]) writes keys and values with [`push_key`] and
//!   [`push_value`], which escape exactly what these places stop at, so that Helm reads back what
//!   was written (property-tested below; against Helm's own parser in `tests/helm_oracle.rs`).

use std::borrow::Cow;
use std::ops::Range;

/// The character after it is part of the run, whatever it is (parser.go `runesUntil`).
pub const ESCAPE: char = '\\';

/// A value that starts with it is a list, `{a,b}` (parser.go `valList`).
pub const LIST_OPEN: char = '{';

/// Ends an item, and is consumed right after a list's `}` (parser.go `valList`).
pub const ITEM_SEP: char = ',';

/// Separates the segments of a key path (`tls.key`).
pub const KEY_SEP: char = '.';

/// Where the parser is in an argument: each place ends a run at its own characters, the `stop`
/// sets of parser.go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A key, segment by segment (`key`): `=` a value follows, `[` an index, `,` the next item (this
    /// key has no value), `.` a nested key.
    Key,
    /// A list index, up to its `]` (`keyIndex`).
    Index,
    /// What follows an index (`listItem`): `[` another index, `.` a nested key, `=` a value.
    AfterIndex,
    /// A value, up to the next item (`val`).
    Value,
    /// An element of a list value, up to the next element or the list's end (`valList`).
    ListElement,
    /// An item's whole key as written, up to its value or the next item. Not one of parser.go's
    /// places (it reads a key segment by segment), but in every item Helm accepts it ends where
    /// Helm's key ends: certgate's, for origins and the lint.
    ItemKey,
}

impl Place {
    /// The characters a run stops at here. All ASCII, so no byte of a multi-byte character is one.
    pub const fn stops(self) -> &'static [u8] {
        match self {
            Place::Key => b"=[,.",
            Place::Index => b"]",
            Place::AfterIndex => b"[.=",
            Place::Value => b",",
            Place::ListElement => b",}",
            Place::ItemKey => b"=,",
        }
    }

    /// Whether a run stops at `c` here.
    pub fn stops_at(self, c: char) -> bool {
        c.is_ascii() && self.stops().contains(&(c as u8))
    }
}

/// A run: where its text is in the argument (escapes kept, the stop character left out), and the
/// stop character that ended it (`None`: the argument ended).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub span: Range<usize>,
    pub stop: Option<char>,
}

/// Reads one argument as Helm's parser does, a run at a time.
#[derive(Clone, Debug)]
pub struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Self {
        Lexer { text, pos: 0 }
    }

    /// The byte offset of the next character.
    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    pub fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    /// Consume `c` if it comes next.
    pub fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            return true;
        }
        false
    }

    /// Read up to the next stop character of `place` that is not escaped, and past it (Helm's
    /// `runesUntil`).
    pub fn run(&mut self, place: Place) -> Run {
        let bytes = self.text.as_bytes();
        let stops = place.stops();
        let start = self.pos;
        let mut i = start;
        while let Some(&b) = bytes.get(i) {
            if stops.contains(&b) {
                self.pos = i + 1;
                return Run {
                    span: start..i,
                    stop: Some(char::from(b)),
                };
            }
            // An escape takes the next byte with it; when that starts a multi-byte character, the
            // bytes after it are above 0x7F, never a stop or an escape.
            i += if b == ESCAPE as u8 { 2 } else { 1 };
        }
        self.pos = bytes.len();
        Run {
            span: start..bytes.len(),
            stop: None,
        }
    }

    /// A run's text as written, escapes kept.
    pub fn raw(&self, run: &Run) -> &'a str {
        &self.text[run.span.clone()]
    }

    /// A run's text as Helm reads it ([`unescape`]).
    pub fn value(&self, run: &Run) -> Cow<'a, str> {
        unescape(self.raw(run))
    }
}

/// A run's text as Helm reads it: each escape removed and the character after it kept; an escape at
/// the very end dropped.
pub fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains(ESCAPE) {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == ESCAPE {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One `key=value` item of an argument, as spans of it (escapes kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The key, up to its `=` (or up to the `,` or the end that leaves it without a value).
    pub key: Range<usize>,
    /// The value, `None` when the key has no `=`. A list keeps its braces (`{a,b}`, or `{a,b` when
    /// it is not closed).
    pub value: Option<Range<usize>>,
    /// The value is a list: it starts with an unescaped `{`.
    pub list: bool,
}

/// Cut an argument into its items as Helm's parser goes through them: a key ends at an unescaped `=`
/// or `,`; a list runs to its unescaped `}` (and takes a `,` right after it); any other value runs to
/// the next unescaped `,`.
pub fn items(arg: &str) -> Vec<Item> {
    let mut lex = Lexer::new(arg);
    let mut items = Vec::new();
    while !lex.at_end() {
        let key = lex.run(Place::ItemKey);
        if key.stop != Some('=') {
            items.push(Item {
                key: key.span,
                value: None,
                list: false,
            });
            continue;
        }
        let start = lex.pos();
        let list = lex.eat(LIST_OPEN);
        let end = if list {
            while lex.run(Place::ListElement).stop == Some(',') {}
            let end = lex.pos();
            lex.eat(ITEM_SEP);
            end
        } else {
            lex.run(Place::Value).span.end
        };
        items.push(Item {
            key: key.span,
            value: Some(start..end),
            list,
        });
    }
    items
}

/// Write `s` as the value of an item (what follows `KEY=`) so that Helm reads back exactly `s`: an
/// escape before the escape character and before each character a value stops at ([`Place::Value`]),
/// and before a leading `{`, which would start a list. Every other character stands for itself.
///
/// Typing (`true`, `1234` under `--set`) is not a matter of syntax: Helm types the text it read, so
/// such a value needs `--set-string` (`crate::helm::approved::needs_set_string`).
pub fn push_value(out: &mut String, s: &str) {
    let special = |c: char| c == ESCAPE || Place::Value.stops_at(c);
    if !s.starts_with(LIST_OPEN) && !s.contains(special) {
        out.push_str(s);
        return;
    }
    for (i, c) in s.chars().enumerate() {
        if special(c) || (i == 0 && c == LIST_OPEN) {
            out.push(ESCAPE);
        }
        out.push(c);
    }
}

/// [`push_value`] into a new string.
pub fn escape_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_value(&mut out, s);
    out
}

/// A key path with an empty segment (`a..b`, `.a`, `a.`, or the empty path): Helm's parser sets no
/// empty key (parser.go `set`), so no argument can address it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmptySegment;

/// Write a dotted key path (`tls.key`) so that Helm reads its segments back as the keys they name:
/// `.` separates the segments and is written as is; within a segment, an escape before the escape
/// character and before each other character a key stops at ([`Place::Key`]).
pub fn push_key(out: &mut String, path: &str) -> Result<(), EmptySegment> {
    if path.is_empty() || path.starts_with(KEY_SEP) || path.ends_with(KEY_SEP) || path.contains("..") {
        return Err(EmptySegment);
    }
    let special = |c: char| c == ESCAPE || (c != KEY_SEP && Place::Key.stops_at(c));
    if !path.contains(special) {
        out.push_str(path);
        return Ok(());
    }
    for c in path.chars() {
        if special(c) {
            out.push(ESCAPE);
        }
        out.push(c);
    }
    Ok(())
}

/// [`push_key`] into a new string.
pub fn escape_key(path: &str) -> Result<String, EmptySegment> {
    let mut out = String::with_capacity(path.len() + 4);
    push_key(&mut out, path)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::strvals::{self, HelmVersion};
    use crate::source::value::{Mapping, Node, Scalar, SetFlag};
    use proptest::prelude::*;

    const HELMS: [HelmVersion; 3] = [HelmVersion::V2, HelmVersion::V3, HelmVersion::V4];

    fn runs<'t>(text: &'t str, places: &[Place]) -> Vec<(&'t str, String, Option<char>)> {
        let mut lex = Lexer::new(text);
        places
            .iter()
            .map(|p| {
                let r = lex.run(*p);
                (lex.raw(&r), lex.value(&r).into_owned(), r.stop)
            })
            .collect()
    }

    #[test]
    fn runs_stop_where_helm_stops() {
        assert_eq!(
            runs(
                "a\\.b.c[0]=x\\,y,z",
                &[Place::Key, Place::Key, Place::Index, Place::AfterIndex, Place::Value]
            ),
            vec![
                ("a\\.b", "a.b".to_string(), Some('.')),
                ("c", "c".to_string(), Some('[')),
                ("0", "0".to_string(), Some(']')),
                ("", String::new(), Some('=')),
                ("x\\,y", "x,y".to_string(), Some(',')),
            ]
        );
        // A trailing escape is dropped; an escaped multi-byte character is kept whole.
        assert_eq!(runs("é\\", &[Place::Value]), vec![("é\\", "é".to_string(), None)]);
        assert_eq!(runs("\\é,", &[Place::Value]), vec![("\\é", "é".to_string(), Some(','))]);
        assert_eq!(
            runs("a\\}b,c}", &[Place::ListElement, Place::ListElement]),
            vec![
                ("a\\}b", "a}b".to_string(), Some(',')),
                ("c", "c".to_string(), Some('}'))
            ]
        );
    }

    fn item_texts(arg: &str) -> Vec<(&str, Option<&str>, bool)> {
        items(arg)
            .into_iter()
            .map(|i| (&arg[i.key], i.value.map(|v| &arg[v]), i.list))
            .collect()
    }

    #[test]
    fn items_as_written() {
        assert_eq!(
            item_texts("a={x,y},b=c\\,d,e,f={g\\}h},i={j,k"),
            vec![
                ("a", Some("{x,y}"), true),
                ("b", Some("c\\,d"), false),
                ("e", None, false),
                ("f", Some("{g\\}h}"), true),
                // Not closed: the list runs to the end (Helm rejects it).
                ("i", Some("{j,k"), true),
            ]
        );
        assert_eq!(
            item_texts("a={x}b=1,c=\\{d},=e,"),
            vec![
                ("a", Some("{x}"), true),
                ("b", Some("1"), false),
                ("c", Some("\\{d}"), false),
                ("", Some("e"), false),
            ]
        );
        assert_eq!(item_texts("k="), vec![("k", Some(""), false)]);
        assert_eq!(item_texts(",x"), vec![("", None, false), ("x", None, false)]);
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_value("a,b\\c"), "a\\,b\\\\c");
        assert_eq!(escape_value("{a,b}"), "\\{a\\,b}");
        assert_eq!(escape_value("x{y}"), "x{y}");
        assert_eq!(escape_value("a=b.c[0]"), "a=b.c[0]");
        assert_eq!(escape_value(""), "");
        assert_eq!(escape_key("a.b=c,d[0]").as_deref(), Ok("a.b\\=c\\,d\\[0]"));
        assert_eq!(escape_key("a\\b").as_deref(), Ok("a\\\\b"));
        for bad in ["", ".", "a..b", ".a", "a."] {
            assert_eq!(escape_key(bad), Err(EmptySegment), "{bad:?}");
        }
    }

    /// The string `--set-string` (and `--set`, when it does not type it) reads from `arg` at `k`.
    fn read_back(arg: &str, flag: SetFlag, helm: HelmVersion) -> Result<Mapping, String> {
        strvals::parse(arg, flag, helm).map_err(|e| format!("{helm} {} {arg:?}: {e}", flag.as_flag()))
    }

    fn string_at<'m>(m: &'m Mapping, path: &[&str]) -> Option<&'m str> {
        let (last, maps) = path.split_last()?;
        let mut here = m;
        for k in maps {
            here = here.get(k).and_then(Node::as_map)?;
        }
        match &here.get(last)?.value {
            crate::source::value::Value::Scalar(Scalar::Str(s)) => Some(s.as_str()),
            _ => None,
        }
    }

    /// Strings with every character the grammar gives a meaning, spaces at either end, nothing at
    /// all, and any Unicode (NUL and control characters included).
    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[{}\\[\\],=.\\\\ a]{0,12}",
            " {0,2}[{\\\\]?[a-z{}\\[\\],=.\\\\é日]{0,8}[\\\\,]? {0,2}",
            "\\PC{0,16}",
            any::<String>(),
            prop::sample::select(vec![
                "", "{", "}", "{}", "{a,b}", "\\", "\\\\", ",", "=", ".", " ", "true", "null", "0"
            ])
            .prop_map(String::from),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// The escaper is the inverse of the parser: `k=<escaped s>` gives back exactly `s`, as a
        /// string, in every Helm version, and the item ends where it was written to end.
        #[test]
        fn escaped_values_read_back_exactly(s in any_text()) {
            let escaped = escape_value(&s);
            let arg = format!("k={escaped}");
            for helm in HELMS {
                let m = read_back(&arg, SetFlag::SetString, helm).map_err(TestCaseError::fail)?;
                prop_assert_eq!(string_at(&m, &["k"]), Some(s.as_str()), "{} {:?}", helm, arg);
                prop_assert_eq!(m.len(), 1);
                if strvals::typed(&s).is_none() {
                    let m = read_back(&arg, SetFlag::Set, helm).map_err(TestCaseError::fail)?;
                    prop_assert_eq!(string_at(&m, &["k"]), Some(s.as_str()), "{} {:?}", helm, arg);
                }
                let more = format!("{arg},j=x");
                let m = read_back(&more, SetFlag::SetString, helm).map_err(TestCaseError::fail)?;
                prop_assert_eq!(string_at(&m, &["k"]), Some(s.as_str()), "{} {:?}", helm, more);
                prop_assert_eq!(string_at(&m, &["j"]), Some("x"), "{} {:?}", helm, more);
            }
            // The tokenizer reads the escaped value as one run, and the lint as one item.
            let mut lex = Lexer::new(&escaped);
            let run = lex.run(Place::Value);
            prop_assert_eq!(run.stop, None);
            prop_assert_eq!(lex.value(&run), s.as_str());
            prop_assert_eq!(
                items(&arg),
                vec![Item { key: 0..1, value: Some(2..arg.len()), list: false }]
            );
        }

        /// A dotted path of non-empty segments (any characters but `.`), escaped, sets exactly those
        /// nested keys.
        #[test]
        fn escaped_keys_read_back_exactly(
            segments in prop::collection::vec("[^.]{1,6}|[{}\\[\\],=\\\\ a]{1,4}", 1..4),
            s in any_text(),
        ) {
            let path = segments.join(".");
            let arg = format!("{}={}", escape_key(&path).expect("no empty segment"), escape_value(&s));
            let keys: Vec<&str> = segments.iter().map(String::as_str).collect();
            for helm in HELMS {
                let m = read_back(&arg, SetFlag::SetString, helm).map_err(TestCaseError::fail)?;
                prop_assert_eq!(string_at(&m, &keys), Some(s.as_str()), "{} {:?}", helm, arg);
                prop_assert_eq!(m.len(), 1);
            }
            let one = items(&arg);
            prop_assert_eq!(one.len(), 1);
            prop_assert_eq!(unescape(&arg[one[0].key.clone()]), path.as_str());
        }

        /// Whatever the argument, the lint's items are spans of it, in order, on character boundaries.
        #[test]
        fn items_are_spans_of_the_argument(arg in "[ab{},=\\\\.é]{0,24}|\\PC{0,24}") {
            let mut end = 0;
            for item in items(&arg) {
                prop_assert!(item.key.start >= end && item.key.end <= arg.len());
                prop_assert!(arg.get(item.key.clone()).is_some());
                end = item.key.end;
                if let Some(v) = item.value {
                    prop_assert!(v.start > end && v.end <= arg.len());
                    prop_assert!(arg.get(v.clone()).is_some());
                    prop_assert_eq!(arg[v.clone()].starts_with(LIST_OPEN), item.list);
                    end = v.end;
                }
            }
        }
    }
}
