//! Positions in a source text: the one place where byte offsets become 1-based lines and columns.
//!
//! Spans everywhere in certgate are byte ranges into the UTF-8 text of a source. Users see lines and
//! columns; SPEC §4 fixes columns as counts of Unicode characters (SARIF `unicodeCodePoints`), so a
//! column is the number of characters from the start of the line, plus one.

/// Line starts of one text, built once per source.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the first byte of each line; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Index `text`. Lines end at `\n`; a `\r` before it belongs to the line it ends.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        // Eight bytes at a time: the bytes of a word that are `\n` are found with word arithmetic
        // (exactly: each such byte's high bit is set, and no other), then taken one bit at a time.
        // Every source is indexed, and a large certgate.yaml (2.6 MB for 10,000 units) is mostly
        // bytes that are not line breaks.
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const NEWLINES: u64 = 0x0a0a_0a0a_0a0a_0a0a;
        let mut words = text.as_bytes().chunks_exact(8);
        let mut base = 0;
        for word in &mut words {
            let mut bytes = [0; 8];
            bytes.copy_from_slice(word);
            let x = u64::from_le_bytes(bytes) ^ NEWLINES;
            // A byte of `x` is zero where the text has `\n`: its high bit ends up set.
            let mut found = !(((x & LOW7) + LOW7) | x | LOW7);
            while found != 0 {
                line_starts.push(base + found.trailing_zeros() as usize / 8 + 1);
                found &= found - 1;
            }
            base += 8;
        }
        let rest = words.remainder().iter().enumerate();
        line_starts.extend(rest.filter(|&(_, &b)| b == b'\n').map(|(j, _)| base + j + 1));
        LineIndex { line_starts }
    }

    /// Number of lines (a text without a trailing newline still has its last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 1-based line and 1-based character column of byte `offset` in `text`.
    ///
    /// An offset inside a multi-byte character counts as that character; an offset past the end is
    /// clamped to the end.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = text
            .get(start..)
            .map(|rest| rest.char_indices().take_while(|&(i, _)| start + i < offset).count())
            .unwrap_or(0);
        (line + 1, column + 1)
    }

    /// Byte range of 1-based `line`, without its line terminator.
    pub fn line_span(&self, text: &str, line: usize) -> Option<(usize, usize)> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let mut end = self.line_starts.get(line).map_or(text.len(), |next| next - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Some((start, end))
    }

    /// Byte offset of the start of 1-based `line`.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line.checked_sub(1)?).copied()
    }
}

/// Maps character indices (as YAML parsers report them) to byte offsets, built once per text.
///
/// For pure ASCII text the table is empty and the mapping is the identity.
#[derive(Debug, Clone)]
pub struct CharToByte {
    /// `bytes[i]` is the byte offset of character `i`; empty when the text is ASCII.
    bytes: Vec<usize>,
    len: usize,
}

impl CharToByte {
    pub fn new(text: &str) -> Self {
        let bytes = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().map(|(i, _)| i).collect()
        };
        CharToByte { bytes, len: text.len() }
    }

    /// Byte offset of character index `char_index` (clamped to the end of the text).
    pub fn byte(&self, char_index: usize) -> usize {
        if self.bytes.is_empty() {
            char_index.min(self.len)
        } else {
            self.bytes.get(char_index).copied().unwrap_or(self.len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The word-at-a-time search finds exactly the `\n`s a byte loop finds: any text, any
        /// length (so every place in a word and the tail), bytes next to `\n` in value (`\t`,
        /// `\x0b`, `\x8a`) included.
        #[test]
        fn line_starts_are_after_every_newline(text in "[a\n\t\x0b\r\u{8a}\u{10a}\u{0a0a}é]{0,80}") {
            let expected: Vec<usize> = std::iter::once(0)
                .chain(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1))
                .collect();
            proptest::prop_assert_eq!(LineIndex::new(&text).line_starts, expected);
        }
    }

    #[test]
    fn ascii_lines_and_columns() {
        let text = "a: 1\nbb: 2\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), (1, 1));
        assert_eq!(idx.line_col(text, 3), (1, 4));
        assert_eq!(idx.line_col(text, 5), (2, 1));
        assert_eq!(idx.line_col(text, 9), (2, 5));
        assert_eq!(idx.line_col(text, text.len()), (3, 1));
        assert_eq!(idx.line_span(text, 2), Some((5, 10)));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        // "Tama-nui-te-rā" holds a two-byte character; the comment line holds a four-byte one.
        let text = "# 🔐 rā\nlabel: rā-x\n";
        let idx = LineIndex::new(text);
        let value = text.find("rā-x").unwrap();
        assert_eq!(idx.line_col(text, value), (2, 8));
        let after = text.find("-x").unwrap();
        assert_eq!(idx.line_col(text, after), (2, 10));
        let emoji_end = text.find(" rā").unwrap();
        assert_eq!(idx.line_col(text, emoji_end), (1, 4));
    }

    #[test]
    fn crlf_line_span_excludes_carriage_return() {
        let text = "a: 1\r\nb: 2\r\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_span(text, 1), Some((0, 4)));
        assert_eq!(idx.line_col(text, 6), (2, 1));
    }

    #[test]
    fn char_to_byte_maps_multibyte_text() {
        let text = "é: ü";
        let map = CharToByte::new(text);
        assert_eq!(map.byte(0), 0);
        assert_eq!(map.byte(1), 2);
        assert_eq!(map.byte(3), 4);
        assert_eq!(map.byte(4), 6);
        assert_eq!(map.byte(99), 6);
        let ascii = CharToByte::new("abc");
        assert_eq!(ascii.byte(2), 2);
        assert_eq!(ascii.byte(10), 3);
    }
}
