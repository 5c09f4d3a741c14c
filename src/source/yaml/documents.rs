//! The documents of a values file, as Helm 4 splits it.
//!
//! Helm 2 and 3 unmarshal a values file with go-yaml, which reads its first document and ignores
//! the rest. Helm 4 reads every document and merges them in order (`loader.LoadValues`, helm/helm
//! `pkg/chart/v2/loader/load.go`), splitting the text with Kubernetes' `utilyaml.YAMLReader`
//! (k8s.io/apimachinery `pkg/util/yaml/decoder.go`): a line that starts with `---` ends a document,
//! may carry only spaces or a `# comment` after the dashes (anything else is a syntax error), and
//! the split is textual, whatever the YAML around it says.

use std::ops::Range;

/// One document of the text, or the separator line that is an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// The byte range of a document's text (separator lines excluded).
    Document(Range<usize>),
    /// A separator line with content after `---` (`--- a: 1`): the byte range of that line.
    BadSeparator(Range<usize>),
}

/// Split `text` into its documents as `YAMLReader` does; documents with no content (only blank
/// lines and comments) are left out, as they merge nothing.
pub fn split(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut at = 0;
    let push = |parts: &mut Vec<Part>, range: Range<usize>| {
        if has_content(&text[range.clone()]) {
            parts.push(Part::Document(range));
        }
    };
    for line in text.split_inclusive('\n') {
        let end = at + line.len();
        if let Some(rest) = line.strip_prefix("---") {
            let rest = rest.trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                parts.push(Part::BadSeparator(at..end));
            }
            push(&mut parts, start..at);
            start = end;
        }
        at = end;
    }
    push(&mut parts, start..text.len());
    parts
}

/// Whether a document holds anything but blank lines and comments.
fn has_content(doc: &str) -> bool {
    doc.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#') && t != "..."
    })
}

/// `text` with everything outside `keep` blanked (newlines kept), so that one document parses on
/// its own with every span still pointing into the whole file.
pub fn masked(text: &str, keep: &Range<usize>) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if keep.contains(&i) || c == '\n' {
            out.push(c);
        } else {
            // One space per byte keeps every later offset where it was.
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(text: &str) -> Vec<&str> {
        split(text)
            .into_iter()
            .map(|p| match p {
                Part::Document(r) => &text[r],
                Part::BadSeparator(_) => "<bad separator>",
            })
            .collect()
    }

    #[test]
    fn documents_split_at_lines_starting_with_three_dashes() {
        assert_eq!(docs("a: 1\n---\nb: 2\n"), ["a: 1\n", "b: 2\n"]);
        assert_eq!(docs("---\na: 1\n--- # two\nb: 2"), ["a: 1\n", "b: 2"]);
        // Empty and comment-only documents merge nothing.
        assert_eq!(docs("# head\n---\n\n---\na: 1\n---\n# tail\n"), ["a: 1\n"]);
        // Only a line that starts with the dashes separates.
        assert_eq!(docs("a: |\n  ---\n  x\n"), ["a: |\n  ---\n  x\n"]);
        assert_eq!(docs("--- a: 1\nb: 2\n"), ["<bad separator>", "b: 2\n"]);
    }

    #[test]
    fn a_masked_document_keeps_its_offsets() {
        let text = "a: é\n---\nb: 2\n";
        let parts = split(text);
        let Part::Document(second) = &parts[1] else {
            panic!("{parts:?}")
        };
        let m = masked(text, second);
        assert_eq!(m.len(), text.len());
        assert_eq!(&m[second.clone()], "b: 2\n");
        assert_eq!(m.trim(), "b: 2");
    }
}
