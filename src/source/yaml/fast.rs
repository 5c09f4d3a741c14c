//! A fast reader for the plain block YAML that values files and `certgate.yaml` are almost always
//! written in, giving exactly the events `saphyr-parser` gives for the same text.
//!
//! saphyr reads ~25 MB/s: about 7 µs for a unit's 250-byte values file, and a tenth of a second for
//! the `certgate.yaml` of 10,000 units, read before any unit can start. This reader covers a strict
//! subset of YAML and refuses everything else, so that the caller falls back to saphyr:
//!
//! - printable ASCII and line feeds only (no tab, carriage return or other character anywhere,
//!   comments included);
//! - a root block mapping at column 0; nested block mappings and sequences, including a sequence
//!   at its key's indentation and a compact mapping in a sequence entry (`- name: x`);
//! - plain scalars of "safe" characters on one line (no `&`, `*`, `!`, `|`, `>`, `?`, `#`, `\` or
//!   backquote; `:` only inside a block value and not before a space), quoted scalars on one line
//!   without escapes (`''`, `\`), and flow sequences and mappings of such scalars on one line
//!   (`[a, b]`, `{key: k, cert: "c"}`);
//! - comments and blank lines.
//!
//! An anchor, alias, tag, block scalar, multi-line or escaped scalar, document marker, directive or
//! anything it cannot place is a refusal, never a guess: [`events`] answers `Ok(false)` and the
//! caller reads the whole text again with saphyr. Spans are byte offsets (equal to saphyr's
//! character indices, since the text is ASCII). `tests` and the `yaml_loader` fuzz target compare the
//! two event streams.

use std::borrow::Cow;

use saphyr_parser::{Event, ScalarStyle};

use crate::source::Span;

/// saphyr's events for `text`, each with its byte span, handed to `emit` a line at a time.
///
/// `Ok(true)`: the whole text was read. `Ok(false)`: the text is outside the subset; events may
/// already have been emitted, and the caller must discard what it built from them. An error from
/// `emit` stops the reading and is returned.
pub fn events<'t, E>(text: &'t str, mut emit: impl FnMut(Event<'t>, Span) -> Result<(), E>) -> Result<bool, E> {
    if !printable_ascii(text) {
        return Ok(false);
    }
    let mut reader = EventReader {
        text,
        bytes: text.as_bytes(),
        frames: Vec::new(),
        pending: None,
        out: Vec::new(),
    };
    reader.push(Event::StreamStart, 0, 0);
    let mut start = 0;
    while start < text.len() {
        // `str::find` of a character searches with memchr.
        let end = text
            .get(start..)
            .and_then(|rest| rest.find('\n'))
            .map_or(text.len(), |i| start + i);
        if reader.line(start, end).is_none() {
            return Ok(false);
        }
        for (event, span) in reader.out.drain(..) {
            emit(event, span)?;
        }
        start = end + 1;
    }
    if reader.finish().is_none() {
        return Ok(false);
    }
    for (event, span) in reader.out.drain(..) {
        emit(event, span)?;
    }
    Ok(true)
}

/// Only printable ASCII and line feeds. A fold without early exit over fixed chunks, which the
/// compiler turns into vector instructions.
fn printable_ascii(text: &str) -> bool {
    text.as_bytes().chunks(256).all(|chunk| {
        chunk
            .iter()
            .fold(true, |ok, &b| ok & ((b' '..=b'~').contains(&b) | (b == b'\n')))
    })
}

/// Longest implicit key read here; YAML allows 1024 characters, and what saphyr does near that
/// limit is left to saphyr (a margin, like the refusal of any column-0 line starting `---` or
/// `...`, even where those are not document markers: refusing costs only speed).
const MAX_KEY: usize = 1000;

/// Most events one line may hold on the fast path (see [`EventReader::flow`]).
const MAX_LINE_EVENTS: usize = 4096;

#[derive(Debug, Clone, Copy)]
struct Frame {
    seq: bool,
    /// The column of the collection's keys or `-` indicators.
    indent: usize,
}

/// A key whose value was not on its line: a nested collection or an empty scalar, decided by the
/// next line with content.
#[derive(Debug, Clone, Copy)]
struct Pending {
    colon: usize,
    indent: usize,
}

/// Reading one text into events, line by line: the collections open at this point (frames) and a
/// key whose value the next line decides (pending).
struct EventReader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    frames: Vec<Frame>,
    pending: Option<Pending>,
    /// The events of the line being read, handed out once the line is read whole.
    out: Vec<(Event<'t>, Span)>,
}

/// Characters of a plain scalar after its first one, in every context.
fn is_safe(b: u8) -> bool {
    SAFE[usize::from(b)]
}

/// [`is_safe`] as a table: letters, digits and `_./+=~()$^;<>@%-`.
const SAFE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'_' | b'.'
                    | b'/'
                    | b'+'
                    | b'='
                    | b'~'
                    | b'('
                    | b')'
                    | b'$'
                    | b'^'
                    | b';'
                    | b'<'
                    | b'>'
                    | b'@'
                    | b'%'
                    | b'-'
            );
        b += 1;
    }
    table
};

impl<'t> EventReader<'t> {
    fn push(&mut self, event: Event<'t>, start: usize, end: usize) {
        self.out.push((event, Span::new(start, end)));
    }

    fn scalar(&mut self, start: usize, end: usize) {
        let value = self.text.get(start..end).unwrap_or_default();
        self.push(
            Event::Scalar(Cow::Borrowed(value), ScalarStyle::Plain, 0, None),
            start,
            end,
        );
    }

    fn open(&mut self, seq: bool, indent: usize, at: usize) {
        self.frames.push(Frame { seq, indent });
        let event = if seq {
            Event::SequenceStart(0, None)
        } else {
            Event::MappingStart(0, None)
        };
        self.push(event, at, at);
    }

    fn close(&mut self, at: usize) {
        if let Some(top) = self.frames.pop() {
            let event = if top.seq { Event::SequenceEnd } else { Event::MappingEnd };
            self.push(event, at, at);
        }
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    fn skip_spaces(&self, mut i: usize, end: usize) -> usize {
        while i < end && self.bytes[i] == b' ' {
            i += 1;
        }
        i
    }

    /// Whether a plain scalar may start at `i`: not an indicator, and `-` only before a safe
    /// character.
    fn starts_plain(&self, i: usize, end: usize) -> bool {
        match self.byte(i) {
            Some(b'-') => i + 1 < end && self.byte(i + 1).is_some_and(is_safe),
            Some(b) => b.is_ascii_alphanumeric() || b"_./+=~()$^;<".contains(&b),
            None => false,
        }
    }

    /// One line, `start..end` without its line feed.
    fn line(&mut self, start: usize, end: usize) -> Option<()> {
        let c = self.skip_spaces(start, end);
        let indent = c - start;
        if c == end || self.bytes[c] == b'#' {
            return Some(());
        }
        let content = &self.bytes[c..end];
        if indent == 0 && (content.starts_with(b"---") || content.starts_with(b"...")) {
            return None;
        }
        let dash = content[0] == b'-' && content.get(1).is_none_or(|&b| b == b' ');
        if self.frames.is_empty() {
            // The first line with content. The root must be a block mapping at column 0 (other
            // documents go to saphyr); it stays open until the end of the text.
            if indent != 0 || dash {
                return None;
            }
            self.push(Event::DocumentStart(false), c, c);
            self.open(false, 0, c);
            return self.key(c, end, 0);
        }
        if let Some(pending) = self.pending.take() {
            if indent > pending.indent {
                self.open(dash, indent, c);
                return if dash {
                    self.entry(start, c, end)
                } else {
                    self.key(c, end, indent)
                };
            }
            if indent == pending.indent && dash {
                // A sequence at its key's indentation; saphyr places its start at the first
                // entry's content, not at the `-`.
                let first = self.skip_spaces(c + 1, end);
                self.open(true, indent, first);
                return self.entry(start, c, end);
            }
            self.scalar(pending.colon, pending.colon);
        }
        while let Some(top) = self.frames.last().copied() {
            let parent = self
                .frames
                .len()
                .checked_sub(2)
                .and_then(|i| self.frames.get(i))
                .copied();
            let indentless_ends =
                top.seq && top.indent == indent && !dash && parent.is_some_and(|p| !p.seq && p.indent == indent);
            if top.indent > indent || indentless_ends {
                self.close(c);
            } else {
                break;
            }
        }
        let top = self.frames.last().copied()?;
        match (top.seq, dash) {
            _ if top.indent != indent => None,
            (false, false) => self.key(c, end, indent),
            (true, true) => self.entry(start, c, end),
            _ => None,
        }
    }

    /// The end of an implicit key starting at `i` (the position of its `:`), if one starts there.
    fn key_end(&self, i: usize, end: usize) -> Option<usize> {
        if !self.starts_plain(i, end) {
            return None;
        }
        let mut k = i + 1;
        while k < end && is_safe(self.bytes[k]) {
            k += 1;
        }
        (self.colon_at(k, end) && k - i <= MAX_KEY).then_some(k)
    }

    /// The `:` of an implicit key, plain or quoted, starting at `i`, if one starts there.
    fn key_colon(&self, i: usize, end: usize) -> Option<usize> {
        match self.quote_close(i, end) {
            Some(close) => (close + 1 - i <= MAX_KEY && self.colon_at(close + 1, end)).then_some(close + 1),
            None => self.key_end(i, end),
        }
    }

    /// `key: value` in the block mapping at column `indent`, starting at `c`.
    fn key(&mut self, c: usize, end: usize, indent: usize) -> Option<()> {
        let colon = self.key_colon(c, end)?;
        if self.bytes[c] == b'\'' || self.bytes[c] == b'"' {
            self.quoted(c, colon - 1, end);
        } else {
            self.scalar(c, colon);
        }
        self.value(colon, end, indent)
    }

    /// A key's `:` at `k`: followed by a space or the end of the line.
    fn colon_at(&self, k: usize, end: usize) -> bool {
        self.byte(k) == Some(b':') && (k + 1 == end || self.byte(k + 1) == Some(b' '))
    }

    /// The closing quote of a quoted scalar opening at `i` and closing on its line, without
    /// escapes (`''` in single quotes, `\` in double quotes).
    fn quote_close(&self, i: usize, end: usize) -> Option<usize> {
        let quote = self.byte(i).filter(|&q| q == b'\'' || q == b'"')?;
        let close = i + 1 + self.bytes.get(i + 1..end)?.iter().position(|&b| b == quote)?;
        let escaped = if quote == b'"' {
            self.bytes[i + 1..close].contains(&b'\\')
        } else {
            self.byte(close + 1) == Some(b'\'')
        };
        (!escaped).then_some(close)
    }

    /// The quoted scalar `i..=close`. saphyr ends its span where it found the next token.
    fn quoted(&mut self, i: usize, close: usize, end: usize) {
        let style = if self.bytes[i] == b'"' {
            ScalarStyle::DoubleQuoted
        } else {
            ScalarStyle::SingleQuoted
        };
        let value = self.text.get(i + 1..close).unwrap_or_default();
        let span_end = self.indicator_end(close, end);
        self.push(Event::Scalar(Cow::Borrowed(value), style, 0, None), i, span_end);
    }

    /// A quoted scalar `i..=close` that is a block value: only a comment may follow it.
    fn quoted_value(&mut self, i: usize, close: usize, end: usize) -> Option<()> {
        self.quoted(i, close, end);
        self.rest_is_comment(close + 1, end)
    }

    /// Nothing but spaces from `i` to the end of the line, or a comment after a space.
    fn rest_is_comment(&self, i: usize, end: usize) -> Option<()> {
        let after = self.skip_spaces(i, end);
        (after == end || (after > i && self.byte(after) == Some(b'#'))).then_some(())
    }

    /// What follows a key's `:`.
    fn value(&mut self, colon: usize, end: usize, indent: usize) -> Option<()> {
        let i = self.skip_spaces(colon + 1, end);
        if i == end || self.bytes[i] == b'#' {
            // Nothing on this line: the next line with content decides.
            self.pending = Some(Pending { colon, indent });
            return Some(());
        }
        match self.bytes[i] {
            b'[' => self.flow(i, end, true),
            b'{' => self.flow(i, end, false),
            b'\'' | b'"' => {
                let close = self.quote_close(i, end)?;
                self.quoted_value(i, close, end)
            }
            _ => self.plain(i, end),
        }
    }

    /// A sequence entry: the `-` at `c` on the line starting at `start`.
    fn entry(&mut self, start: usize, c: usize, end: usize) -> Option<()> {
        let i = self.skip_spaces(c + 1, end);
        match self.byte(i) {
            // An entry whose value is on the next lines, or a nested entry on the same line.
            _ if i == end => None,
            Some(b'#') => None,
            Some(b'-') if i + 1 == end || self.byte(i + 1) == Some(b' ') => None,
            Some(b'[') => self.flow(i, end, true),
            Some(b'{') => self.flow(i, end, false),
            _ if self.key_colon(i, end).is_some() => {
                // A compact mapping: its keys line up with this one.
                self.open(false, i - start, i);
                self.key(i, end, i - start)
            }
            Some(b'\'' | b'"') => {
                let close = self.quote_close(i, end)?;
                self.quoted_value(i, close, end)
            }
            _ => self.plain(i, end),
        }
    }

    /// A plain scalar in block context from `i` to the end of the line or a comment.
    fn plain(&mut self, i: usize, end: usize) -> Option<()> {
        if !self.starts_plain(i, end) {
            return None;
        }
        let mut k = i + 1;
        let mut last = k;
        while k < end {
            match self.bytes[k] {
                b' ' if self.byte(k + 1) == Some(b'#') => break,
                b' ' => k += 1,
                b':' if k + 1 < end && is_safe(self.bytes[k + 1]) => {
                    k += 1;
                    last = k;
                }
                b',' => {
                    k += 1;
                    last = k;
                }
                b if is_safe(b) => {
                    k += 1;
                    last = k;
                }
                _ => return None,
            }
        }
        self.scalar(i, last);
        Some(())
    }

    /// A flow sequence (`[`) or mapping (`{`) of plain scalars, whole on this line.
    fn flow(&mut self, open: usize, end: usize, seq: bool) -> Option<()> {
        let close = if seq { b']' } else { b'}' };
        let start = if seq {
            Event::SequenceStart(0, None)
        } else {
            Event::MappingStart(0, None)
        };
        self.push(start, open, self.indicator_end(open, end));
        let mut i = self.skip_spaces(open + 1, end);
        if self.byte(i) != Some(close) {
            loop {
                if !seq {
                    let colon = self.flow_scalar(i, end)?;
                    if colon - i > MAX_KEY || self.byte(colon) != Some(b':') || self.byte(colon + 1) != Some(b' ') {
                        return None;
                    }
                    i = self.skip_spaces(colon + 1, end);
                }
                let value_end = self.flow_scalar(i, end)?;
                // A line's events are held until the line ends: a flow collection of more items
                // than this is left to saphyr, which hands each event over as it reads it.
                if self.out.len() > MAX_LINE_EVENTS {
                    return None;
                }
                i = self.skip_spaces(value_end, end);
                match self.byte(i) {
                    Some(b',') if i < end => {
                        i = self.skip_spaces(i + 1, end);
                        if self.byte(i) == Some(close) {
                            return None;
                        }
                    }
                    Some(b) if b == close && i < end => break,
                    _ => return None,
                }
            }
        }
        let event = if seq { Event::SequenceEnd } else { Event::MappingEnd };
        self.push(event, i, self.indicator_end(i, end));
        self.rest_is_comment(i + 1, end)
    }

    /// saphyr ends a flow indicator's span where it found the next token: past the spaces after
    /// it, and past a comment to the end of the line.
    fn indicator_end(&self, i: usize, end: usize) -> usize {
        let after = self.skip_spaces(i + 1, end);
        if after > i + 1 && self.byte(after) == Some(b'#') {
            end
        } else {
            after
        }
    }

    /// A plain or quoted scalar in flow context at `i`, pushed; returns its end.
    fn flow_scalar(&mut self, i: usize, end: usize) -> Option<usize> {
        if let Some(close) = self.quote_close(i, end) {
            self.quoted(i, close, end);
            return Some(close + 1);
        }
        if !self.starts_plain(i, end) {
            return None;
        }
        let mut k = i + 1;
        while k < end && is_safe(self.bytes[k]) {
            k += 1;
        }
        self.scalar(i, k);
        Some(k)
    }

    /// The end of the text: a pending key's empty value, then every open collection closes.
    fn finish(&mut self) -> Option<()> {
        if self.frames.is_empty() {
            // Only comments and blank lines.
            return None;
        }
        let len = self.text.len();
        if let Some(pending) = self.pending.take() {
            self.scalar(pending.colon, pending.colon);
        }
        while !self.frames.is_empty() {
            self.close(len);
        }
        self.push(Event::DocumentEnd, len, len);
        self.push(Event::StreamEnd, len, len);
        Some(())
    }
}

/// saphyr's own events for `text` up to its first error, with byte spans: what [`events`] must
/// give whenever it reads a text whole (the tests and the `yaml_loader` fuzz target compare them).
pub fn saphyr_events(text: &str) -> Result<Vec<(Event<'_>, Span)>, saphyr_parser::ScanError> {
    let chars = crate::source::text::CharToByte::new(text);
    let mut out = Vec::new();
    for next in saphyr_parser::Parser::new_from_str(text) {
        let (event, span) = next?;
        out.push((
            event,
            Span::new(chars.byte(span.start.index()), chars.byte(span.end.index())),
        ));
    }
    Ok(out)
}

/// For the tests and the `yaml_loader` fuzz target: `Ok(true)` when [`events`] reads `text` whole
/// and gives saphyr's events, `Ok(false)` when it refuses the text, `Err` saying what differs.
pub fn compare_with_saphyr(text: &str) -> Result<bool, String> {
    let Some(fast) = collect(text) else {
        return Ok(false);
    };
    match saphyr_events(text) {
        Ok(reference) if reference == fast => Ok(true),
        Ok(reference) => Err(format!(
            "the fast reader's events differ from saphyr's for {text:?}:\n fast: {fast:?}\n saphyr: {reference:?}"
        )),
        Err(e) => Err(format!("the fast reader read {text:?}, which saphyr rejects: {e}")),
    }
}

/// [`events`] collected, or `None` when the text is outside the subset.
pub fn collect(text: &str) -> Option<Vec<(Event<'_>, Span)>> {
    let mut out = Vec::new();
    let read = events(text, |event, span| {
        out.push((event, span));
        Ok::<(), std::convert::Infallible>(())
    });
    matches!(read, Ok(true)).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read with both; when the fast reader reads the text, its events must be saphyr's.
    fn compare(text: &str) -> bool {
        compare_with_saphyr(text).unwrap_or_else(|difference| panic!("{difference}"))
    }

    #[test]
    fn reads_values_and_config_files_as_saphyr_does() {
        for text in [
            "# c\nglobal:\n  security:\n    # x\n    externalCertificateLabel: ext-1  # t\ntls:\n  type: provided\n  secretName: null\nempty:\nlast: v\n",
            "releases:\n  - name: es-0\n    helm: 2\n    values: [a.yaml, b.yaml]\n    certificates: {key: k, cert: c}\n    e: []\n  - name: x\nlist:\n- a\n- b\nz: {}\n",
            "a: 1\n# end",
            "a: 1\n\n  \n",
            "a: 1   ",
            "empty: # c\nb:   \nk:    v   w   # c\n",
            "a:\n  - k:\n  - j: 1\n    l:\nb: x",
            "a: b:c\nd: http://x.y/z\ne: -1\nf: a,b\ng: ~\n<<: {x: y}\n",
            "a:\n  b:\n    c:\n  d: 1\n",
            "a:\n- x\n- y:\n  z: 1\nb: [ a ,b ]  # c\n",
            "a:\n  - x\n  -   y\n",
            "key: value\n  # an indented comment\nother: 1\n",
            "a: 'x y'\nb: \"p q\"  # c\nc: ''\nd: \"\"\n'k': v\n\"k2\": w\ne: [\"a\", 'b']\nf: {'k': \"v, w\"}\n",
            "l:\n  - 'a: b'\n  - \"# not a comment\"\n  - 'k': v\n",
        ] {
            assert!(compare(text), "the fast reader refused {text:?}");
        }
    }

    #[test]
    fn refuses_what_it_does_not_read_exactly() {
        for text in [
            "",
            "# only a comment\n",
            "- a\n- b\n",
            "  a: 1\n",
            "scalar\n",
            "a: 'it''s'\n",
            "a: \"say \\\"hi\\\"\"\n",
            "a: 'open\n  close'\n",
            "a: 'x'y\n",
            "a: 'x'#c\n",
            "'a' : 1\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n  text\n",
            "a: >\n  text\n",
            "a: multi\n  line\n",
            "a:\n  value on the next line\n",
            "a:\tb\n",
            "a: 1\r\n",
            "a: ä\n",
            "# ä\na: 1\n",
            "---\na: 1\n",
            "a: 1\n...\n",
            "%YAML 1.2\n---\na: 1\n",
            "? a\n: b\n",
            "a: b: c\n",
            "a: x #c\n  b: 1\n",
            "a: 1\n b: 2\n",
            "a: [x, [y]]\n",
            "a: [x,]\n",
            "a: [x\n",
            "a: {x:y}\n",
            "a: [x]#c\n",
            "a:\n  -\n    b: 1\n",
            "a:\n  - - x\n",
            "a: #\n  - x\n   - y\n",
            "a b: 1\n",
            "a:b\n",
        ] {
            assert!(!compare(text), "the fast reader read {text:?}");
        }
    }

    /// Random documents near the subset's edges, from a fixed seed: whatever the fast reader reads
    /// must be read exactly as saphyr reads it, and it must read a good share of them.
    #[test]
    fn reads_random_block_documents_as_saphyr_does() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut read, total) = (0, 20_000);
        for _ in 0..total {
            let mut text = String::new();
            let keys = 1 + rng.below(4);
            mapping(&mut rng, &mut text, 0, keys, 3);
            if rng.below(4) == 0 {
                text.pop();
            }
            if compare(&text) {
                read += 1;
            }
        }
        eprintln!("fast reader: {read} of {total} random documents");
        assert!(
            read * 4 > total,
            "the fast reader read only {read} of {total} documents"
        );
    }

    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }

        /// Mostly what the subset holds, sometimes what it refuses.
        fn value(&mut self) -> &'static str {
            const IN: &[&str] = &[
                "v",
                "a b",
                "a  b  ",
                "a:b",
                "-1",
                "x #c",
                "~",
                "a,b",
                "[a, b]",
                "[ a ,b ]  # c",
                "{k: v, j: w}",
                "http://h:1/p",
                "[]",
                "{ k: v }",
                "null",
                "x@y",
                "1.5e3",
                "(a)",
                "<<",
                "a>b",
                "'q'",
                "\"q\"",
                "'a # b'",
                "\"a: b\"",
                "\"x\" # c",
                "'x'  ",
                "['a', \"b\" , c]",
                "{'k': \"v\"}",
                "''",
                "\"\"",
            ];
            const EDGE: &[&str] = &[
                ":",
                "- x",
                "'it''s'",
                "\"a\\\"b\"",
                "'x'y",
                "\"x\"#c",
                "'open",
                "{k: v,}",
                "[a,]",
                "a #",
                "a:",
                "a: b",
                "&x v",
                "*x",
                "!t v",
                "|",
                ">",
                "v#x",
                "[a]#c",
                "-",
                "--",
                "...",
                "@x",
                "%x",
                "[a, [b]]",
                "{a:b}",
                "a\tb",
                "ä",
            ];
            if self.below(8) == 0 {
                self.pick(EDGE)
            } else {
                self.pick(IN)
            }
        }

        fn key(&mut self) -> &'static str {
            const KEYS: &[&str] = &[
                "a", "tls", "key-1", "<<", "x.y", "-k", "ext_1/2", "type", "'k'", "\"k 2\"", "a b", "k:", "?", "'k' ",
            ];
            KEYS[self.below(KEYS.len()).min(self.below(KEYS.len()))]
        }

        /// A line ending: mostly a plain one, sometimes with spaces, a comment or a blank line.
        fn eol(&mut self) -> &'static str {
            self.pick(&["\n", "\n", "\n", "\n", " \n", "  # c\n", "\n\n", "\n  # x\n", "\n# y\n"])
        }

        /// Indentation, now and then one space off.
        fn indent(&mut self, indent: usize) -> String {
            let off = match self.below(30) {
                0 => indent + 1,
                1 => indent.saturating_sub(1),
                _ => indent,
            };
            " ".repeat(off)
        }
    }

    fn mapping(rng: &mut Rng, text: &mut String, indent: usize, keys: usize, depth: usize) {
        for _ in 0..keys {
            text.push_str(&rng.indent(indent));
            text.push_str(rng.key());
            text.push(':');
            node(rng, text, indent, depth);
        }
    }

    /// What follows a key's `:` or an entry's `- `, at the collection's `indent`.
    fn node(rng: &mut Rng, text: &mut String, indent: usize, depth: usize) {
        match rng.below(if depth == 0 { 2 } else { 6 }) {
            0 => {
                let eol = rng.eol();
                text.push_str(eol);
            }
            1 | 2 => {
                text.push(' ');
                text.push_str(rng.value());
                let eol = rng.eol();
                text.push_str(eol);
            }
            3 => {
                text.push('\n');
                let inner = indent + [1, 2, 2, 4][rng.below(4)];
                let keys = 1 + rng.below(3);
                mapping(rng, text, inner, keys, depth - 1);
            }
            _ => {
                text.push('\n');
                let inner = indent + [0, 2, 2, 3][rng.below(4)];
                for _ in 0..1 + rng.below(3) {
                    text.push_str(&rng.indent(inner));
                    text.push('-');
                    if rng.below(3) == 0 {
                        text.push(' ');
                        let keys = 1 + rng.below(2);
                        let mut entry = String::new();
                        mapping(rng, &mut entry, inner + 2, keys, depth - 1);
                        text.push_str(entry.trim_start_matches(' '));
                    } else {
                        text.push(' ');
                        text.push_str(rng.value());
                        let eol = rng.eol();
                        text.push_str(eol);
                    }
                }
            }
        }
    }

    /// A review's hand-made cases near every edge of the subset, one per line (`\n`, `\t`, `\s` for
    /// a line feed, a tab, a space): each is read as saphyr reads it, or refused.
    #[test]
    fn reads_the_edge_cases_as_saphyr_does() {
        let mut read = 0;
        let cases = include_str!("fast_cases.txt");
        for line in cases.lines() {
            let text = line.replace("\\n", "\n").replace("\\t", "\t").replace("\\s", " ");
            if compare(&text) {
                read += 1;
            }
        }
        assert!(read * 2 > cases.lines().count(), "only {read} read");
    }

    #[test]
    fn reads_every_values_file_in_the_repository_as_saphyr_does() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut read = 0;
        let mut seen = 0;
        let mut dirs = vec![root.join("tests"), root.join("examples"), root.join("rules")];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    let Ok(text) = std::fs::read_to_string(&path) else {
                        continue;
                    };
                    seen += 1;
                    if compare(&text) {
                        read += 1;
                    }
                }
            }
        }
        // Most fixtures are plain block YAML; the rest (quotes, block scalars, hostile input) are
        // saphyr's. Both counts are printed with `--nocapture`.
        eprintln!("fast reader: {read} of {seen} YAML files in the repository");
        assert!(seen > 50 && read * 3 > seen, "{read} of {seen}");
    }
}
