//! Inline suppressions: `# certgate: ignore CG209 -- reason` in a YAML file, on the line of the
//! finding (a trailing comment) or on its own line just above it. A reason is required; an optional
//! `until YYYY-MM-DD` makes it lapse after that day. Scanning is text-only: a comment is a `#` that
//! starts a line or follows whitespace, outside quotes.

use super::{SourceId, SourceMap, Span};

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub source: SourceId,
    /// The comment, from `#` to the end of the line.
    pub span: Span,
    /// The 1-based line whose findings it silences.
    pub target_line: usize,
    pub codes: Vec<String>,
    pub reason: Option<String>,
    /// `YYYY-MM-DD`, the last day it applies.
    pub until: Option<String>,
    /// What is wrong with it, if anything (then it silences nothing).
    pub problem: Option<String>,
}

const MARKER: &str = "certgate:";

/// Every suppression comment in `source`.
pub fn scan(sources: &SourceMap, source: SourceId) -> Vec<Suppression> {
    let src = sources.get(source);
    let mut out = Vec::new();
    let mut offset = 0;
    for (i, line) in src.text.split_inclusive('\n').enumerate() {
        let line_no = i + 1;
        let start = offset;
        offset += line.len();
        let Some(hash) = comment_start(line) else { continue };
        let comment = line[hash + 1..].trim_end_matches(['\n', '\r']);
        let Some(rest) = comment.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        let own_line = line[..hash].trim().is_empty();
        let span = Span::new(start + hash, start + line.trim_end_matches(['\n', '\r']).len());
        let target_line = if own_line { line_no + 1 } else { line_no };
        out.push(parse(rest, source, span, target_line));
    }
    out
}

/// The byte index of the `#` that starts a comment in `line`, if any (not inside quotes).
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '#' && (i == 0 || prev.is_whitespace()) => return Some(i),
            None => {}
        }
        prev = c;
    }
    None
}

fn parse(rest: &str, source: SourceId, span: Span, target_line: usize) -> Suppression {
    let mut s = Suppression {
        source,
        span,
        target_line,
        codes: Vec::new(),
        reason: None,
        until: None,
        problem: None,
    };
    let (head, reason) = match rest.split_once("--") {
        Some((h, r)) => (h, Some(r.trim())),
        None => (rest, None),
    };
    s.reason = reason.filter(|r| !r.is_empty()).map(str::to_string);
    let mut words = head.split_whitespace();
    if words.next() != Some("ignore") {
        s.problem =
            Some("a certgate comment must read `certgate: ignore CODE[,CODE] [until YYYY-MM-DD] -- reason`".into());
        return s;
    }
    let mut until_next = false;
    for w in words {
        if until_next {
            s.until = Some(w.to_string());
            until_next = false;
        } else if w == "until" {
            until_next = true;
        } else {
            s.codes
                .extend(w.split(',').filter(|c| !c.is_empty()).map(str::to_string));
        }
    }
    s.problem = if s.codes.is_empty() {
        Some("names no rule code to ignore".into())
    } else if let Some(bad) = s.codes.iter().find(|c| !is_code(c)) {
        Some(format!("{bad:?} is not a rule code (like CG209)"))
    } else if until_next || s.until.as_deref().is_some_and(|u| !is_date(u)) {
        Some("`until` needs a date, YYYY-MM-DD".into())
    } else if s.reason.is_none() {
        Some("gives no reason: write `-- why this is acceptable` after the codes".into())
    } else {
        None
    };
    s
}

fn is_code(c: &str) -> bool {
    let letters = c.chars().take_while(|ch| ch.is_ascii_uppercase()).count();
    (2..=8).contains(&letters) && c.len() == letters + 3 && c[letters..].chars().all(|ch| ch.is_ascii_digit())
}

fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn scan_text(text: &str) -> Vec<Suppression> {
        let mut sources = SourceMap::new();
        let id = sources.add(Source::new("v.yaml", text));
        scan(&sources, id)
    }

    #[test]
    fn own_line_comment_targets_the_next_line_and_trailing_its_own() {
        let s = scan_text(
            "tls:\n  # certgate: ignore CG209 -- migrating to secret in Q1\n  type: provided\n  key: x  # certgate: ignore CG207,CG210 until 2027-03-31 -- test data\n",
        );
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].target_line, s[0].codes.clone(), s[0].problem.clone()),
            (3, vec!["CG209".to_string()], None)
        );
        assert_eq!(s[0].reason.as_deref(), Some("migrating to secret in Q1"));
        assert_eq!(s[1].target_line, 4);
        assert_eq!(s[1].codes, vec!["CG207", "CG210"]);
        assert_eq!(s[1].until.as_deref(), Some("2027-03-31"));
    }

    #[test]
    fn a_reason_is_required_and_codes_and_dates_are_checked() {
        assert!(
            scan_text("# certgate: ignore CG209\n")
                .pop()
                .unwrap()
                .problem
                .unwrap()
                .contains("reason")
        );
        assert!(
            scan_text("# certgate: ignore cg209 -- r\n")
                .pop()
                .unwrap()
                .problem
                .unwrap()
                .contains("not a rule code")
        );
        assert!(
            scan_text("# certgate: ignore CG209 until soon -- r\n")
                .pop()
                .unwrap()
                .problem
                .unwrap()
                .contains("date")
        );
        assert!(
            scan_text("# certgate: skip CG209 -- r\n")
                .pop()
                .unwrap()
                .problem
                .is_some()
        );
    }

    #[test]
    fn hashes_inside_values_are_not_comments() {
        assert!(scan_text("a: \"# certgate: ignore CG209 -- x\"\nb: c#certgate: ignore CG1 -- x\n").is_empty());
    }
}
