//! PEM text to blocks with their positions: the one place where certgate reads `-----BEGIN …-----`
//! armour, for `--key`/`--cert`/`--cacert` files, Secret data and decoded `tls.*` values alike.
//!
//! certgate scans PEM itself (rather than using a PEM crate) to keep, for every block, the byte span
//! from its `-----BEGIN` line to its `-----END` line and its 1-based index in the bundle, which is
//! what a finding points at (SPEC §4 "Locations"). Everything odd about the text is a [`PemProblem`]
//! with a span; what it means (an error, a warning, nothing) is the caller's decision.
//!
//! Also here: decoding a `tls.key`/`tls.cert`/`tls.cacert` value from base64 and telling what the
//! bytes are (PEM text, DER, base64 again), so that CG208 can name the usual mistakes.
//!
//! Tolerated, as OpenSSL tolerates them: indentation, CRLF line ends, trailing whitespace, a UTF-8
//! byte order mark, blank lines inside a body, RFC 1421 headers.
//!
//! Block bodies may hold private keys: nothing here prints decoded bytes (see the manual `Debug` of
//! [`PemBlock`]), problems inside a private key block point at its `-----BEGIN` line rather than at
//! the offending body line, and [`PemScan::has_private_key`] tells renderers not to quote the text.

use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::Span;

/// SPEC §4: a PEM bundle holds at most 64 blocks by default.
pub const DEFAULT_MAX_BLOCKS: usize = 64;
/// SPEC §4: a PEM bundle is at most 1 MiB by default.
pub const DEFAULT_MAX_BYTES: usize = 1024 * 1024;

/// How much PEM text is read before giving up (SPEC §4 "Limits").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PemLimits {
    pub max_bytes: usize,
    pub max_blocks: usize,
}

impl Default for PemLimits {
    fn default() -> Self {
        PemLimits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_blocks: DEFAULT_MAX_BLOCKS,
        }
    }
}

/// The label between `-----BEGIN ` and `-----`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PemLabel {
    Certificate,
    /// PKCS#8, unencrypted.
    PrivateKey,
    /// PKCS#1, OpenSSL's "traditional" RSA format.
    RsaPrivateKey,
    /// SEC1, OpenSSL's "traditional" EC format.
    EcPrivateKey,
    /// PKCS#8, encrypted with a password.
    EncryptedPrivateKey,
    /// Any other label (`CERTIFICATE REQUEST`, `TRUSTED CERTIFICATE`, `OPENSSH PRIVATE KEY`, …): not an
    /// error by itself, the caller decides.
    Other(String),
}

impl PemLabel {
    pub fn parse(label: &str) -> Self {
        match label {
            "CERTIFICATE" => PemLabel::Certificate,
            "PRIVATE KEY" => PemLabel::PrivateKey,
            "RSA PRIVATE KEY" => PemLabel::RsaPrivateKey,
            "EC PRIVATE KEY" => PemLabel::EcPrivateKey,
            "ENCRYPTED PRIVATE KEY" => PemLabel::EncryptedPrivateKey,
            other => PemLabel::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            PemLabel::Certificate => "CERTIFICATE",
            PemLabel::PrivateKey => "PRIVATE KEY",
            PemLabel::RsaPrivateKey => "RSA PRIVATE KEY",
            PemLabel::EcPrivateKey => "EC PRIVATE KEY",
            PemLabel::EncryptedPrivateKey => "ENCRYPTED PRIVATE KEY",
            PemLabel::Other(s) => s,
        }
    }

    /// Any label that holds a private key, including ones certgate cannot read (`DSA PRIVATE KEY`,
    /// `OPENSSH PRIVATE KEY`): what matters for "never print key material" and CG210.
    pub fn is_private_key(&self) -> bool {
        match self {
            PemLabel::PrivateKey | PemLabel::RsaPrivateKey | PemLabel::EcPrivateKey | PemLabel::EncryptedPrivateKey => {
                true
            }
            PemLabel::Other(s) => s.ends_with("PRIVATE KEY"),
            PemLabel::Certificate => false,
        }
    }
}

impl fmt::Display for PemLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `-----BEGIN`…`-----END` block.
#[derive(Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// 1-based position in the bundle, counting every `-----BEGIN` line.
    pub index: usize,
    /// The label of the `-----BEGIN` line.
    pub label: PemLabel,
    /// From the `-` of `-----BEGIN` to the last `-` of the `-----END` line (or, for a truncated block,
    /// to the end of its last non-blank line); indentation and line ends are outside.
    pub span: Span,
    /// The `-----BEGIN …-----` line alone, where findings about the block point.
    pub begin: Span,
    /// The decoded body; `None` when the block is truncated, encrypted with legacy PEM headers, or its
    /// body is not base64 (each has its [`PemProblem`]).
    pub der: Option<Vec<u8>>,
    /// Legacy PEM encryption (`Proc-Type: 4,ENCRYPTED`).
    pub encrypted: bool,
    /// Whether an `-----END` line closed the block.
    pub complete: bool,
}

// Bodies of key blocks are private key material: print their length, never their bytes.
impl fmt::Debug for PemBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PemBlock")
            .field("index", &self.index)
            .field("label", &self.label)
            .field("span", &self.span)
            .field("begin", &self.begin)
            .field("der_len", &self.der.as_ref().map(Vec::len))
            .field("encrypted", &self.encrypted)
            .field("complete", &self.complete)
            .finish()
    }
}

/// What is wrong with a stretch of PEM text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PemProblemKind {
    /// The text is over the size limit: nothing was scanned.
    TooLarge { size: usize, max: usize },
    /// A `-----BEGIN` line past the block limit: scanning stopped there.
    TooManyBlocks { max: usize },
    /// A `-----BEGIN` line with no `-----END` before the next `-----BEGIN` or the end of the text.
    Truncated,
    /// An `-----END` line outside any block.
    EndWithoutBegin,
    /// The `-----END` label differs from the `-----BEGIN` label.
    LabelMismatch { begin: String, end: String },
    /// A boundary line that is not exactly `-----BEGIN LABEL-----`/`-----END LABEL-----`.
    MalformedBoundary,
    /// Two boundaries on one line (`-----END X----------BEGIN X-----`): the usual result of `cat`
    /// on files without a final newline. The blocks are still read.
    MissingNewline,
    /// A body line that is not base64, or a body that does not decode.
    InvalidBase64,
    /// Legacy PEM encryption (`Proc-Type: 4,ENCRYPTED` header): the body is ciphertext.
    Encrypted,
    /// Non-blank text before, between or after blocks (OpenSSL skips it silently).
    Garbage,
}

impl fmt::Display for PemProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PemProblemKind::TooLarge { size, max } => {
                write!(f, "the PEM text is {size} bytes, over the limit of {max}")
            }
            PemProblemKind::TooManyBlocks { max } => write!(f, "more than {max} PEM blocks"),
            PemProblemKind::Truncated => write!(f, "a -----BEGIN line without its -----END line"),
            PemProblemKind::EndWithoutBegin => write!(f, "an -----END line without a -----BEGIN line"),
            PemProblemKind::LabelMismatch { begin, end } => {
                write!(f, "the block begins as {begin:?} but ends as {end:?}")
            }
            PemProblemKind::MalformedBoundary => {
                write!(
                    f,
                    "a boundary line not of the form -----BEGIN LABEL----- / -----END LABEL-----"
                )
            }
            PemProblemKind::MissingNewline => write!(f, "a -----BEGIN line on the same line as an -----END"),
            PemProblemKind::InvalidBase64 => write!(f, "the block body is not valid base64"),
            PemProblemKind::Encrypted => write!(f, "the block is encrypted (Proc-Type: 4,ENCRYPTED)"),
            PemProblemKind::Garbage => write!(f, "text outside any PEM block"),
        }
    }
}

/// A problem found while scanning, located in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemProblem {
    pub kind: PemProblemKind,
    pub span: Span,
    /// The block it is about (1-based [`PemBlock::index`]), if any.
    pub block: Option<usize>,
}

/// The result of scanning one PEM text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PemScan {
    pub blocks: Vec<PemBlock>,
    /// In text order, except that a block's body problems come when the block closes.
    pub problems: Vec<PemProblem>,
    /// A boundary line names a private key. Such a text must never be quoted in a code frame
    /// (SPEC §4: no private key material in any output): point at lines and columns only.
    pub has_private_key: bool,
}

/// Scan `text` with the default limits (1 MiB, 64 blocks).
pub fn scan(text: &str) -> PemScan {
    scan_with(text, PemLimits::default())
}

/// Scan `text` into blocks and problems. Never fails: everything odd is a [`PemProblem`].
pub fn scan_with(text: &str, limits: PemLimits) -> PemScan {
    let mut scan = PemScan::default();
    // Reject by size before looking at a byte: a 10 MB bundle costs nothing.
    if text.len() > limits.max_bytes {
        scan.problems.push(PemProblem {
            kind: PemProblemKind::TooLarge {
                size: text.len(),
                max: limits.max_bytes,
            },
            span: Span::new(0, 0),
            block: None,
        });
        return scan;
    }
    let mut scanner = Scanner {
        text,
        limits,
        scan,
        open: None,
        garbage: None,
        count: 0,
    };
    scanner.run();
    scanner.scan
}

/// A block whose `-----END` has not been seen yet.
struct Open {
    index: usize,
    label: String,
    begin: Span,
    /// End of the last non-blank line, for the span of a truncated block.
    last_end: usize,
    /// Trimmed base64 lines.
    body: Vec<Span>,
    encrypted: bool,
    /// A line that is not base64, reported once the block closes (and only if it is not encrypted).
    bad_line: Option<Span>,
}

enum Boundary<'t> {
    Begin(&'t str),
    End(&'t str),
}

struct Scanner<'t> {
    text: &'t str,
    limits: PemLimits,
    scan: PemScan,
    open: Option<Open>,
    /// The garbage run since the last boundary.
    garbage: Option<Span>,
    /// `-----BEGIN` lines seen.
    count: usize,
}

impl Scanner<'_> {
    fn run(&mut self) {
        let mut pos = 0;
        while pos < self.text.len() {
            let line_end = self.text[pos..].find('\n').map_or(self.text.len(), |i| pos + i);
            if !self.line(pos, line_end) {
                return;
            }
            pos = line_end + 1;
        }
        self.flush_garbage();
        if let Some(open) = self.open.take() {
            self.close_truncated(open);
        }
    }

    /// Handle the line `start..end` (without its `\n`). Returns false to stop scanning.
    fn line(&mut self, start: usize, end: usize) -> bool {
        let Some((mut s, e)) = trim(self.text, start, end) else {
            return true; // blank line: ends nothing (blank lines may separate headers from the body)
        };
        loop {
            let line = &self.text[s..e];
            let Some((found, len, well_formed)) = boundary(line) else {
                self.content(Span::new(s, e));
                return true;
            };
            let here = Span::new(s, s + len);
            if !well_formed {
                self.problem(PemProblemKind::MalformedBoundary, here, None);
            }
            if !self.boundary(found, here) {
                return false;
            }
            // Text after the boundary on the same line: another boundary glued to it (`cat` of files
            // without a final newline), or garbage.
            let rest_start = s + len;
            let Some((rs, _)) = trim(self.text, rest_start, e) else {
                return true;
            };
            if let Some((_, next_len, _)) = boundary(&self.text[rs..e]) {
                self.problem(PemProblemKind::MissingNewline, Span::new(rs, rs + next_len), None);
            }
            s = rs;
        }
    }

    fn boundary(&mut self, boundary: Boundary<'_>, here: Span) -> bool {
        self.flush_garbage();
        let (Boundary::Begin(label) | Boundary::End(label)) = &boundary;
        if label.ends_with("PRIVATE KEY") {
            self.scan.has_private_key = true;
        }
        match boundary {
            Boundary::Begin(label) => {
                if let Some(open) = self.open.take() {
                    self.close_truncated(open);
                }
                self.count += 1;
                if self.count > self.limits.max_blocks {
                    let max = self.limits.max_blocks;
                    self.problem(PemProblemKind::TooManyBlocks { max }, here, None);
                    return false;
                }
                self.open = Some(Open {
                    index: self.count,
                    label: label.to_string(),
                    begin: here,
                    last_end: here.end,
                    body: Vec::new(),
                    encrypted: false,
                    bad_line: None,
                });
            }
            Boundary::End(label) => match self.open.take() {
                Some(open) => self.close(open, label, here),
                None => self.problem(PemProblemKind::EndWithoutBegin, here, None),
            },
        }
        true
    }

    /// A non-blank line that is not a boundary.
    fn content(&mut self, span: Span) {
        let line = &self.text[span.start..span.end];
        let Some(open) = self.open.as_mut() else {
            self.garbage = Some(match self.garbage {
                Some(g) => Span::new(g.start, span.end),
                None => span,
            });
            return;
        };
        open.last_end = span.end;
        // RFC 1421 headers come before any base64 line; base64 has no ':'.
        if open.body.is_empty() && open.bad_line.is_none() && line.contains(':') {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            if name.trim().eq_ignore_ascii_case("Proc-Type") && value.to_ascii_uppercase().contains("ENCRYPTED") {
                open.encrypted = true;
                let index = open.index;
                self.problem(PemProblemKind::Encrypted, span, Some(index));
            }
            return;
        }
        if open.bad_line.is_none() && !line.bytes().all(is_base64_byte) {
            open.bad_line = Some(span);
        }
        open.body.push(span);
    }

    fn close(&mut self, open: Open, end_label: &str, end: Span) {
        if end_label != open.label {
            self.problem(
                PemProblemKind::LabelMismatch {
                    begin: open.label.clone(),
                    end: end_label.to_string(),
                },
                end,
                Some(open.index),
            );
        }
        let der = if open.encrypted { None } else { self.decode_body(&open) };
        self.scan.blocks.push(PemBlock {
            index: open.index,
            label: PemLabel::parse(&open.label),
            span: Span::new(open.begin.start, end.end),
            begin: open.begin,
            der,
            encrypted: open.encrypted,
            complete: true,
        });
    }

    fn close_truncated(&mut self, open: Open) {
        let span = Span::new(open.begin.start, open.last_end);
        let at = self.body_span(&open, span);
        self.problem(PemProblemKind::Truncated, at, Some(open.index));
        self.scan.blocks.push(PemBlock {
            index: open.index,
            label: PemLabel::parse(&open.label),
            span,
            begin: open.begin,
            der: None,
            encrypted: open.encrypted,
            complete: false,
        });
    }

    /// Decode the body lines, or report the line that is not base64.
    fn decode_body(&mut self, open: &Open) -> Option<Vec<u8>> {
        if let Some(bad) = open.bad_line {
            let at = self.body_span(open, bad);
            self.problem(PemProblemKind::InvalidBase64, at, Some(open.index));
            return None;
        }
        let mut joined = String::new();
        // Where each line starts in `joined`, to point a decoding error at its line.
        let mut starts = Vec::with_capacity(open.body.len());
        for span in &open.body {
            starts.push((joined.len(), *span));
            joined.push_str(&self.text[span.start..span.end]);
        }
        match PEM_BODY.decode(joined.as_bytes()) {
            Ok(bytes) => Some(bytes),
            Err(err) => {
                let at = match err {
                    base64::DecodeError::InvalidByte(i, _) | base64::DecodeError::InvalidLastSymbol(i, _) => Some(i),
                    base64::DecodeError::InvalidLength(_) | base64::DecodeError::InvalidPadding => None,
                };
                let span = match at {
                    Some(i) => starts
                        .iter()
                        .rev()
                        .find(|(s, _)| *s <= i)
                        .map(|(_, span)| *span)
                        .unwrap_or(open.begin),
                    // A length or padding error is about the end of the body.
                    None => open.body.last().copied().unwrap_or(open.begin),
                };
                let at = self.body_span(open, span);
                self.problem(PemProblemKind::InvalidBase64, at, Some(open.index));
                None
            }
        }
    }

    /// Where a problem inside a block's body points: at `span`, except in a private key block,
    /// where it points at the `-----BEGIN` line so that no code frame ever quotes key material.
    fn body_span(&self, open: &Open, span: Span) -> Span {
        if PemLabel::parse(&open.label).is_private_key() {
            open.begin
        } else {
            span
        }
    }

    fn flush_garbage(&mut self) {
        if let Some(span) = self.garbage.take() {
            self.problem(PemProblemKind::Garbage, span, None);
        }
    }

    fn problem(&mut self, kind: PemProblemKind, span: Span, block: Option<usize>) {
        self.scan.problems.push(PemProblem { kind, span, block });
    }
}

/// Padding as OpenSSL writes it, but extra bits in the last symbol tolerated as OpenSSL's decoder does.
const PEM_BODY: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// `start..end` without surrounding whitespace (including `\r` and a byte order mark); `None` if blank.
fn trim(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let line = text.get(start..end)?;
    let is_space = |c: char| c.is_whitespace() || c == '\u{feff}';
    let trimmed_start = line.trim_start_matches(is_space);
    if trimmed_start.is_empty() {
        return None;
    }
    let s = start + (line.len() - trimmed_start.len());
    let e = s + trimmed_start.trim_end_matches(is_space).len();
    Some((s, e))
}

/// Recognise a boundary at the start of `line`: its kind and label, its length in bytes, and whether
/// it is well formed (`-----BEGIN LABEL-----`, one space, five dashes at each end).
fn boundary(line: &str) -> Option<(Boundary<'_>, usize, bool)> {
    let (rest, begin) = if let Some(rest) = line.strip_prefix("-----BEGIN") {
        (rest, true)
    } else if let Some(rest) = line.strip_prefix("-----END") {
        (rest, false)
    } else {
        return None;
    };
    let prefix_len = line.len() - rest.len();
    // RFC 7468 labels may hold single hyphens: the label ends at the first run of five dashes (or,
    // in a malformed line, at the first dash).
    let label_len = rest.find("-----").or_else(|| rest.find('-')).unwrap_or(rest.len());
    let after = &rest[label_len..];
    let run = after.bytes().take_while(|&b| b == b'-').count();
    // Ten dashes may be this boundary's five and the next one's: `-----END X----------BEGIN X-----`.
    let glued = run > 5 && (after[5..].starts_with("-----BEGIN") || after[5..].starts_with("-----END"));
    let dashes = if glued { 5 } else { run };
    let len = prefix_len + label_len + dashes;
    let raw_label = &rest[..label_len];
    let label = raw_label.trim();
    let well_formed = dashes == 5 && raw_label.strip_prefix(' ') == Some(label);
    let kind = if begin {
        Boundary::Begin(label)
    } else {
        Boundary::End(label)
    };
    Some((kind, len, well_formed))
}

/// Why a `tls.key`/`tls.cert`/`tls.cacert` value does not decode as one line of standard base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Base64ValueError {
    /// Valid base64 followed by line breaks or spaces: `base64` without `-w0`, or a YAML block
    /// scalar `|` that keeps its final newline.
    #[error("the base64 ends with a line break or whitespace")]
    TrailingWhitespace,
    /// A line break inside: GNU `base64` wraps at 76 columns unless given `-w0`.
    #[error("the base64 is wrapped over several lines (at byte {offset})")]
    LineWrapped { offset: usize },
    /// A character outside the standard alphabet (`-`/`_` of the URL-safe one, a space, PEM text).
    #[error("{character:?} at byte {offset} is not a standard base64 character")]
    InvalidCharacter { offset: usize, character: char },
    /// Not a multiple of four characters with its `=` padding.
    #[error("the base64 is {len} characters long: not a whole number of 4-character groups with '=' padding")]
    InvalidLength { len: usize },
}

/// Decode a `tls.*` value as the chart's job does: one line, standard alphabet, `=` padding.
pub fn decode_value_base64(s: &str) -> Result<Vec<u8>, Base64ValueError> {
    let content = s.trim_end_matches(|c: char| c.is_ascii_whitespace());
    if let Some(offset) = content.find(['\n', '\r']) {
        return Err(Base64ValueError::LineWrapped { offset });
    }
    // `^[A-Za-z0-9+/]*={0,3}$`: any character other than the alphabet, or '=' not at the end.
    let body = content.trim_end_matches('=');
    if let Some((offset, character)) = content
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || (c == '=' && i >= body.len())))
    {
        return Err(Base64ValueError::InvalidCharacter { offset, character });
    }
    if content.len() != s.len() {
        return Err(Base64ValueError::TrailingWhitespace);
    }
    // Go's base64.StdEncoding (what Helm and Kubernetes decode with) also ignores extra bits in
    // the last symbol; it insists on padding.
    VALUE_BASE64
        .decode(content)
        .map_err(|_| Base64ValueError::InvalidLength { len: content.len() })
}

const VALUE_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// What decoded value bytes are, so CG208 can say more than "not PEM".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodedKind {
    Empty,
    /// Text holding a `-----BEGIN` line: scan it with [`scan`].
    Pem,
    /// One DER structure (an ASN.1 SEQUENCE spanning exactly the bytes): the base64 of a `.der` file
    /// instead of a PEM file.
    Der,
    /// Base64 text again: the value was encoded twice.
    Base64,
    Other,
}

/// Tell what the bytes decoded from a `tls.*` value are.
pub fn classify_decoded(bytes: &[u8]) -> DecodedKind {
    if bytes.is_empty() {
        return DecodedKind::Empty;
    }
    if bytes.windows(10).any(|w| w == b"-----BEGIN") {
        return DecodedKind::Pem;
    }
    if der_sequence_len(bytes) == Some(bytes.len()) {
        return DecodedKind::Der;
    }
    let text = bytes.iter().filter(|b| !b.is_ascii_whitespace()).count();
    if text >= 4 && bytes.iter().all(|&b| is_base64_byte(b) || b.is_ascii_whitespace()) {
        return DecodedKind::Base64;
    }
    DecodedKind::Other
}

/// Total length of the DER SEQUENCE at the start of `bytes` (header included), if its header is sane.
fn der_sequence_len(bytes: &[u8]) -> Option<usize> {
    let (&tag, rest) = bytes.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 || rest.len() < n {
        return None; // indefinite length is BER, not DER; over 4 GiB is not a certificate
    }
    let len = rest[..n].iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    len.checked_add(2 + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT_BODY: &str = "MIIBszCCAVmgAwIBAgIUJ3b1\nAAECAwQ=\n";

    fn cert(label: &str) -> String {
        format!("-----BEGIN {label}-----\n{CERT_BODY}-----END {label}-----\n")
    }

    fn kinds(scan: &PemScan) -> Vec<PemProblemKind> {
        scan.problems.iter().map(|p| p.kind.clone()).collect()
    }

    #[test]
    fn reads_blocks_with_spans_and_indices() {
        let text = format!("{}\n{}", cert("CERTIFICATE"), cert("PRIVATE KEY"));
        let scan = scan(&text);
        assert_eq!(kinds(&scan), vec![]);
        assert_eq!(scan.blocks.len(), 2);
        let first = &scan.blocks[0];
        assert_eq!(first.index, 1);
        assert_eq!(first.label, PemLabel::Certificate);
        assert_eq!(&text[first.span.start..first.span.end], cert("CERTIFICATE").trim_end());
        assert_eq!(&text[first.begin.start..first.begin.end], "-----BEGIN CERTIFICATE-----");
        assert_eq!(first.der.as_deref().map(<[u8]>::len), Some(23));
        let second = &scan.blocks[1];
        assert_eq!(second.index, 2);
        assert_eq!(second.label, PemLabel::PrivateKey);
        assert!(second.label.is_private_key());
        assert!(text[second.span.start..].starts_with("-----BEGIN PRIVATE KEY-----"));
    }

    #[test]
    fn tolerates_indentation_crlf_trailing_whitespace_and_bom() {
        let text = "\u{feff}  -----BEGIN CERTIFICATE-----  \r\n    MIIBszCCAVmgAwIBAgIUJ3b1\t\r\n\r\n    AAECAwQ=\r\n  -----END CERTIFICATE-----\r\n";
        let scan = scan(text);
        assert_eq!(kinds(&scan), vec![]);
        let block = &scan.blocks[0];
        assert_eq!(block.der.as_deref().map(<[u8]>::len), Some(23));
        assert_eq!(&text[block.begin.start..block.begin.end], "-----BEGIN CERTIFICATE-----");
        assert_eq!(block.span.start, "\u{feff}  ".len());
        assert!(text[..block.span.end].ends_with("-----END CERTIFICATE-----"));
    }

    #[test]
    fn reports_truncated_blocks_and_keeps_going() {
        let text = format!("-----BEGIN CERTIFICATE-----\n{CERT_BODY}\n{}", cert("CERTIFICATE"));
        let scan = scan(&text);
        assert_eq!(kinds(&scan), vec![PemProblemKind::Truncated]);
        assert_eq!(scan.problems[0].block, Some(1));
        assert_eq!(scan.problems[0].span.start, 0);
        assert!(text[..scan.problems[0].span.end].ends_with("AAECAwQ="));
        assert_eq!(scan.blocks.len(), 2);
        assert!(!scan.blocks[0].complete && scan.blocks[0].der.is_none());
        assert!(scan.blocks[1].complete && scan.blocks[1].der.is_some());

        let cut = &cert("CERTIFICATE")[..40];
        let scan = super::scan(cut);
        assert_eq!(kinds(&scan), vec![PemProblemKind::Truncated]);
    }

    #[test]
    fn reports_label_mismatch_at_the_end_line() {
        let text = format!("-----BEGIN CERTIFICATE-----\n{CERT_BODY}-----END PRIVATE KEY-----\n");
        let scan = scan(&text);
        assert_eq!(
            kinds(&scan),
            vec![PemProblemKind::LabelMismatch {
                begin: "CERTIFICATE".into(),
                end: "PRIVATE KEY".into()
            }]
        );
        let span = scan.problems[0].span;
        assert_eq!(&text[span.start..span.end], "-----END PRIVATE KEY-----");
    }

    #[test]
    fn reports_invalid_base64_at_its_line() {
        let text = "-----BEGIN CERTIFICATE-----\nMIIBszCC\nAV*gAwIB\n-----END CERTIFICATE-----\n";
        let scan = scan(text);
        assert_eq!(kinds(&scan), vec![PemProblemKind::InvalidBase64]);
        let span = scan.problems[0].span;
        assert_eq!(&text[span.start..span.end], "AV*gAwIB");
        assert_eq!(scan.blocks[0].der, None);

        let text = "-----BEGIN CERTIFICATE-----\nMIIBszCC\nAVm=gAwI\n-----END CERTIFICATE-----\n";
        let scan = super::scan(text);
        assert_eq!(kinds(&scan), vec![PemProblemKind::InvalidBase64]);
        assert_eq!(
            &text[scan.problems[0].span.start..scan.problems[0].span.end],
            "AVm=gAwI"
        );

        let text = "-----BEGIN CERTIFICATE-----\nMIIBszC\n-----END CERTIFICATE-----\n";
        assert_eq!(kinds(&super::scan(text)), vec![PemProblemKind::InvalidBase64]);
    }

    #[test]
    fn reports_garbage_around_and_between_blocks_once_per_run() {
        let text = format!(
            "Bag Attributes\n  friendlyName: x\n{}\nsubject=CN = x\n\nmore\n{}trailing\n",
            cert("CERTIFICATE"),
            cert("CERTIFICATE")
        );
        let scan = scan(&text);
        assert_eq!(kinds(&scan), vec![PemProblemKind::Garbage; 3]);
        let spans: Vec<&str> = scan.problems.iter().map(|p| &text[p.span.start..p.span.end]).collect();
        assert_eq!(
            spans,
            vec![
                "Bag Attributes\n  friendlyName: x",
                "subject=CN = x\n\nmore",
                "trailing"
            ]
        );
        assert_eq!(scan.blocks.len(), 2);
    }

    #[test]
    fn reports_legacy_encryption() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,0123456789ABCDEF\n\nMIIBszCC\n-----END RSA PRIVATE KEY-----\n";
        let scan = scan(text);
        assert_eq!(kinds(&scan), vec![PemProblemKind::Encrypted]);
        let span = scan.problems[0].span;
        assert_eq!(&text[span.start..span.end], "Proc-Type: 4,ENCRYPTED");
        assert!(scan.blocks[0].encrypted);
        assert_eq!(scan.blocks[0].der, None);
        assert_eq!(scan.blocks[0].label, PemLabel::RsaPrivateKey);
    }

    #[test]
    fn problems_inside_private_keys_point_at_the_begin_line() {
        let text = "-----BEGIN PRIVATE KEY-----\nMIIBszCC\nAV*gAwIB\n-----END PRIVATE KEY-----\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n";
        let scan = scan(text);
        assert!(scan.has_private_key);
        assert_eq!(
            kinds(&scan),
            vec![PemProblemKind::InvalidBase64, PemProblemKind::Truncated]
        );
        let quoted: Vec<&str> = scan.problems.iter().map(|p| &text[p.span.start..p.span.end]).collect();
        assert_eq!(
            quoted,
            vec!["-----BEGIN PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----"]
        );
        assert!(!super::scan(&cert("CERTIFICATE")).has_private_key);
    }

    #[test]
    fn unknown_labels_are_blocks_too() {
        let scan = scan(&cert("CERTIFICATE REQUEST"));
        assert_eq!(kinds(&scan), vec![]);
        assert_eq!(scan.blocks[0].label, PemLabel::Other("CERTIFICATE REQUEST".into()));
        assert!(PemLabel::parse("OPENSSH PRIVATE KEY").is_private_key());
        assert!(!PemLabel::parse("CERTIFICATE").is_private_key());
    }

    #[test]
    fn end_without_begin_and_malformed_boundaries() {
        let scan = scan("-----END CERTIFICATE-----\n");
        assert_eq!(kinds(&scan), vec![PemProblemKind::EndWithoutBegin]);

        let text = format!("-----BEGIN CERTIFICATE----\n{CERT_BODY}-----END  CERTIFICATE-----\n");
        let scan = super::scan(&text);
        assert_eq!(kinds(&scan), vec![PemProblemKind::MalformedBoundary; 2]);
        assert_eq!(scan.blocks[0].label, PemLabel::Certificate);
        assert!(scan.blocks[0].der.is_some());
    }

    #[test]
    fn glued_boundaries_are_read_and_reported() {
        let one = cert("CERTIFICATE");
        let text = format!("{}{}", one.trim_end(), one);
        let scan = scan(&text);
        assert_eq!(kinds(&scan), vec![PemProblemKind::MissingNewline]);
        assert_eq!(scan.blocks.len(), 2);
        assert!(scan.blocks.iter().all(|b| b.der.is_some()));
        assert_eq!(scan.blocks[1].span.start, one.trim_end().len());
    }

    #[test]
    fn a_bundle_over_the_size_limit_is_refused_whole() {
        // How fast the refusal is, is measured in `benches/hot.rs`, not timed here.
        let big = "A".repeat(10 * 1024 * 1024);
        let scan = scan(&big);
        assert_eq!(
            kinds(&scan),
            vec![PemProblemKind::TooLarge {
                size: 10 * 1024 * 1024,
                max: DEFAULT_MAX_BYTES
            }]
        );
        assert!(scan.blocks.is_empty());

        let many = cert("CERTIFICATE").repeat(1000);
        let scan = super::scan(&many);
        assert_eq!(scan.blocks.len(), DEFAULT_MAX_BLOCKS);
        assert_eq!(kinds(&scan), vec![PemProblemKind::TooManyBlocks { max: 64 }]);
        let span = scan.problems[0].span;
        assert_eq!(&many[span.start..span.end], "-----BEGIN CERTIFICATE-----");
        assert_eq!(span.start, cert("CERTIFICATE").len() * 64);

        let limits = PemLimits {
            max_bytes: 100,
            max_blocks: 1,
        };
        assert!(matches!(
            scan_with(&many, limits).problems[0].kind,
            PemProblemKind::TooLarge { .. }
        ));
    }

    #[test]
    fn debug_never_prints_the_body() {
        let scan = scan(&cert("PRIVATE KEY"));
        let debug = format!("{:?}", scan);
        assert!(debug.contains("der_len: Some(23)"));
        assert!(!debug.contains("48, 130"), "{debug}");
    }

    #[test]
    fn hostile_text_never_panics() {
        let samples = [
            "-----BEGIN",
            "-----END",
            "-----BEGIN-----",
            "-----BEGIN ----------END -----",
            "-----BEGIN \u{e9}\u{e9}-----\n\u{e9}\n-----END \u{e9}\u{e9}-----",
            "-----BEGIN X-----\n:\n-----END X-----",
            "\r\r\r\n\n-----BEGIN X-----\r",
            "\u{feff}",
            "-----BEGIN X-----\n====\n-----END X-----\n",
        ];
        for s in samples {
            let scan = scan(s);
            for p in &scan.problems {
                assert!(p.span.end <= s.len() && s.is_char_boundary(p.span.start) && s.is_char_boundary(p.span.end));
            }
        }
    }

    #[test]
    fn value_base64_errors_name_the_cause() {
        assert_eq!(decode_value_base64("LS0tLS0="), Ok(b"-----".to_vec()));
        assert_eq!(decode_value_base64(""), Ok(vec![]));
        assert_eq!(
            decode_value_base64("LS0tLS0=\n"),
            Err(Base64ValueError::TrailingWhitespace)
        );
        assert_eq!(
            decode_value_base64("LS0t\nLS0=\n"),
            Err(Base64ValueError::LineWrapped { offset: 4 })
        );
        assert_eq!(
            decode_value_base64("LS0t\r\nLS0="),
            Err(Base64ValueError::LineWrapped { offset: 4 })
        );
        assert_eq!(
            decode_value_base64("ab-c"),
            Err(Base64ValueError::InvalidCharacter {
                offset: 2,
                character: '-'
            })
        );
        assert_eq!(
            decode_value_base64("ab=c"),
            Err(Base64ValueError::InvalidCharacter {
                offset: 2,
                character: '='
            })
        );
        assert_eq!(
            decode_value_base64("abcde"),
            Err(Base64ValueError::InvalidLength { len: 5 })
        );
        assert_eq!(
            decode_value_base64("LS0tLS0"),
            Err(Base64ValueError::InvalidLength { len: 7 })
        );
        // Extra bits in the last symbol, as Go's decoder allows.
        assert_eq!(decode_value_base64("LS0tLS1="), Ok(b"-----".to_vec()));
    }

    #[test]
    fn classifies_decoded_values() {
        assert_eq!(classify_decoded(b""), DecodedKind::Empty);
        assert_eq!(classify_decoded(cert("CERTIFICATE").as_bytes()), DecodedKind::Pem);
        assert_eq!(classify_decoded(&[0x30, 0x03, 0x02, 0x01, 0x00]), DecodedKind::Der);
        let mut long = vec![0x30, 0x82, 0x01, 0x00];
        long.extend(std::iter::repeat_n(0u8, 256));
        assert_eq!(classify_decoded(&long), DecodedKind::Der);
        assert_eq!(classify_decoded(&long[..100]), DecodedKind::Other);
        assert_eq!(classify_decoded(b"LS0tLS1CRUdJTiBD\n"), DecodedKind::Base64);
        assert_eq!(classify_decoded(&[0xff, 0x00, 0x13]), DecodedKind::Other);
        assert_eq!(
            classify_decoded(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
            DecodedKind::Other
        );
    }

    /// Whether `bytes` (a SEQUENCE tag first) is one definite-length structure spanning them
    /// exactly (X.690 §8.1.3: short form under 0x80, else 1 to 4 length bytes here).
    fn sequence_spans(bytes: &[u8]) -> bool {
        match bytes.get(1) {
            Some(&n) if n < 0x80 => bytes.len() == 2 + usize::from(n),
            Some(&n) if (0x81..=0x84).contains(&n) => {
                let k = usize::from(n & 0x7f);
                bytes.get(2..2 + k).is_some_and(|len| {
                    bytes.len() as u64 == 2 + k as u64 + len.iter().fold(0u64, |a, &b| a << 8 | u64::from(b))
                })
            }
            _ => false,
        }
    }

    /// The kind of decoded bytes, read independently of `classify_decoded`: nothing, PEM text, a
    /// DER SEQUENCE spanning them exactly, base64 text again, or none of these.
    fn expected_kind(bytes: &[u8]) -> DecodedKind {
        if bytes.is_empty() {
            DecodedKind::Empty
        } else if bytes.windows(10).any(|w| w == b"-----BEGIN") {
            DecodedKind::Pem
        } else if bytes[0] == 0x30 && sequence_spans(bytes) {
            DecodedKind::Der
        } else if bytes.iter().filter(|b| !b.is_ascii_whitespace()).count() >= 4
            && bytes
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b"+/=".contains(&b) || b.is_ascii_whitespace())
        {
            DecodedKind::Base64
        } else {
            DecodedKind::Other
        }
    }

    #[test]
    fn base64_that_reads_as_a_der_header_spanning_it_is_der() {
        // 58 bytes encode to 80 characters starting `0N`: 0x30 (SEQUENCE) and 0x4e (78 bytes).
        use base64::Engine as _;
        let mut bytes = vec![0xd0, 0xd0];
        bytes.resize(58, 0);
        let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
        assert!(encoded.starts_with("0N") && encoded.len() == 80);
        assert_eq!(classify_decoded(encoded.as_bytes()), DecodedKind::Der);
    }

    proptest::proptest! {
        #[test]
        fn scanning_pem_like_text_never_panics(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "-----BEGIN ", "-----END ", "CERTIFICATE", "PRIVATE KEY", "-----", "-", "\n", "\r\n", " ", "\t",
                "MIIB", "AAEC", "=", "==", ":", "Proc-Type: 4,ENCRYPTED", "\u{e9}", "\u{feff}", "\u{1f600}",
            ]),
            0..60,
        )) {
            let text: String = parts.concat();
            let scan = scan_with(&text, PemLimits { max_bytes: 4096, max_blocks: 4 });
            for span in scan.problems.iter().map(|p| p.span).chain(scan.blocks.iter().flat_map(|b| [b.span, b.begin])) {
                proptest::prop_assert!(span.start <= span.end && span.end <= text.len());
                proptest::prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            }
            for (i, block) in scan.blocks.iter().enumerate() {
                proptest::prop_assert_eq!(block.index, i + 1);
            }
        }

        #[test]
        fn any_text_scans(text in ".{0,300}") {
            let _ = scan(&text);
            let _ = decode_value_base64(&text);
        }

        #[test]
        fn base64_of_random_bytes_round_trips_and_classifies(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            use base64::Engine as _;
            let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
            proptest::prop_assert_eq!(decode_value_base64(&encoded), Ok(bytes.clone()));
            proptest::prop_assert_eq!(classify_decoded(&bytes), expected_kind(&bytes));
            // The same bytes inside a short-form SEQUENCE are one DER structure (a `.der` file),
            // and their base64 is base64 again (a value encoded twice).
            if bytes.len() < 128 && !bytes.windows(10).any(|w| w == b"-----BEGIN") {
                let mut der = vec![0x30, bytes.len() as u8];
                der.extend_from_slice(&bytes);
                proptest::prop_assert_eq!(classify_decoded(&der), DecodedKind::Der);
            }
            // Base64 text is base64 again, unless its first characters happen to read as a DER
            // header whose length is exactly the text's (`0N` and 80 characters): DER is tried
            // first.
            if encoded.len() >= 4 {
                let kind = classify_decoded(encoded.as_bytes());
                proptest::prop_assert_eq!(kind, expected_kind(encoded.as_bytes()));
                proptest::prop_assert!(matches!(kind, DecodedKind::Base64 | DecodedKind::Der));
            }
        }
    }
}
