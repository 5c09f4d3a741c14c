//! Private key material recognised by *what* it is, wherever it sits, and the one filter that every
//! byte certgate prints goes through.
//!
//! The loader knows where keys are expected (`tls.key`, the `--key` file, a Secret's key entry) and
//! marks those spans itself. This module finds key material anywhere else:
//! - PEM blocks whose label holds `PRIVATE` (`PRIVATE KEY`, `RSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`,
//!   …), whatever their body;
//! - base64, on one line or wrapped over several (YAML block scalars, PEM bodies without their
//!   `-----BEGIN` line, `\n` escapes of a quoted string), truncated or mis-padded, that decodes to a
//!   private key in DER (PKCS#1, PKCS#8, SEC1, encrypted PKCS#8), to an OpenSSH key, or to text that
//!   holds one (the base64 of a PEM file, as `tls.key` takes it);
//! - when unsure, redact: a base64 run of 64 characters or more that decodes to nothing recognisably
//!   public (a certificate, a certificate request, a public key) is treated as key material. A run
//!   with a character dropped decodes to garbage after the drop, and garbage is not public.
//!
//! [`Redactor`] holds every such string of a run and replaces, in any text about to be printed, each
//! run of base64 characters that shares [`MATCH`] characters with one of them, or that is key
//! material by itself.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use base64::Engine as _;

use super::Span;

/// No run of this many characters of key material may appear in any output (the leak tests look
/// for 16-character runs).
pub const MATCH: usize = 16;
/// A base64 run at least this long that decodes to nothing recognisably public is key material.
const UNSURE: usize = 64;
/// Base64 of base64 of … a key: how many layers are looked through.
const MAX_DEPTH: u8 = 3;
/// What replaces key material in any output: `[redacted: N characters]`, N the length of what it
/// replaces (a message then still says how long the value was, never what it was).
pub const REPLACEMENT_START: &str = "[redacted: ";

/// Whether `gap` holds only blanks and escaped line breaks (`\n`, `\r`, `\t`).
fn only_breaks(gap: &[u8]) -> bool {
    let mut i = 0;
    while i < gap.len() {
        match gap[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'\\' if matches!(gap.get(i + 1), Some(b'n' | b'r' | b't')) => i += 2,
            _ => return false,
        }
    }
    true
}

/// Key material found in one text: where it is, and the strings it decodes to that are key
/// material as well (the PEM body inside the base64 of a PEM file), which output may show instead.
#[derive(Debug, Default, Clone)]
pub struct Found {
    /// Sorted, not overlapping.
    pub spans: Vec<Span>,
    pub decoded: Vec<String>,
    /// Base64 recognised as public (certificates, public keys): output may quote it even where it
    /// shares characters with key material (a key holds its certificate's public modulus).
    pub public: Vec<Span>,
}

impl Found {
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Whether any part of `start..end` is key material (an empty range counts as its byte).
    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        let end = end.max(start + 1);
        self.spans
            .iter()
            .any(|s| s.start < end && start < s.end.max(s.start + 1))
    }
}

/// Find the key material in `text`.
pub fn scan(text: &str) -> Found {
    let mut found = Found::default();
    scan_into(text, 0, &mut found);
    merge(&mut found.spans);
    found
}

/// Key material in command-line words: whatever holds it by what it is, and every value given to a
/// key (`--set tls.key=…`, `--set-string`, inside `--command`), which may be too short or too broken
/// to be recognised. When unsure, redact.
pub fn in_words<S: AsRef<str>>(words: &[S]) -> Vec<String> {
    let mut out = Vec::new();
    for word in words {
        let word = word.as_ref();
        let found = scan(word);
        out.extend(found.spans.iter().map(|s| word[s.start..s.end].to_string()));
        out.extend(found.decoded);
        for (at, _) in word.match_indices("key=") {
            let value: String = word[at + 4..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '\'' | '"'))
                .collect();
            out.push(value);
        }
    }
    out
}

/// Whether `text` holds key material anywhere.
pub fn holds_key_material(text: &str) -> bool {
    !scan(text).is_empty()
}

fn scan_into(text: &str, depth: u8, found: &mut Found) {
    let bytes = text.as_bytes();
    private_pem_blocks(text, &mut found.spans);
    for region in regions(bytes) {
        match classify(&region.body, depth) {
            Verdict::Secret(decoded) => {
                found.spans.push(Span::new(region.start, region.end));
                found.decoded.extend(decoded);
            }
            Verdict::Public if depth == 0 => found.public.push(Span::new(region.start, region.end)),
            Verdict::Public | Verdict::Unknown => {}
        }
    }
}

/// Spans of PEM blocks whose label says they hold a private key: from `-----BEGIN` to the end of the
/// `-----END` line, or to the end of the text when the block is not closed.
fn private_pem_blocks(text: &str, out: &mut Vec<Span>) {
    const BEGIN: &str = "-----BEGIN ";
    let mut from = 0;
    while let Some(at) = text[from..].find(BEGIN).map(|i| from + i) {
        let label_start = at + BEGIN.len();
        let line_end = text[label_start..].find('\n').map_or(text.len(), |i| label_start + i);
        let label = &text[label_start..line_end];
        let label_end = label_start + label.find("-----").map_or(label.len(), |i| i + 5);
        let next_begin = text[label_end..].find(BEGIN).map_or(text.len(), |i| label_end + i);
        if label.contains("PRIVATE") {
            // To the end of the `-----END …-----` marker (a PEM text folded onto one line by YAML
            // has it on the same line), or over the base64 lines of a block cut short.
            let end = match text[label_end..next_begin].find("-----END") {
                Some(i) => {
                    let e = label_end + i + "-----END".len();
                    let close = text[e..].find("-----").map_or(text.len(), |j| e + j + 5);
                    let eol = text[e..].find('\n').map_or(text.len(), |j| e + j);
                    close.min(eol)
                }
                None => base64_lines_end(text, line_end),
            };
            out.push(Span::new(at, end));
            from = end.max(at + 1);
        } else {
            from = label_end.max(at + 1);
        }
        if from >= text.len() {
            break;
        }
    }
}

/// The end of the lines from `from` on that hold only base64 (with indentation, quotes and
/// escaped line breaks): the body of a PEM block whose `-----END` line is missing.
fn base64_lines_end(text: &str, line_end: usize) -> usize {
    let mut end = line_end;
    let mut at = (line_end + 1).min(text.len());
    for line in text[at..].split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '\t', '"', '\'']).len();
        let body = &line.as_bytes()[indent..];
        let b64 = body
            .iter()
            .take_while(|&&b| is_b64(b) || b == b'=' || b == b'\\')
            .count();
        if b64 == 0 {
            break;
        }
        // A line that goes on with something else ends the body: after its base64 part when that
        // is long enough to be a body line cut short by garbage, before it when it is a word
        // (`next: value`).
        let whole = line.as_bytes()[indent + b64..]
            .iter()
            .all(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\''));
        if whole || b64 >= MATCH {
            end = at + indent + b64;
        }
        if !whole {
            break;
        }
        at += line.len();
    }
    end
}

fn merge(spans: &mut Vec<Span>) {
    spans.sort();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans.drain(..) {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    *spans = out;
}

fn is_b64(b: u8) -> bool {
    B64[usize::from(b)]
}

/// The base64 alphabet without padding, as a table: every byte of every source and of every
/// output goes through [`is_b64`], and one load beats four range tests there.
const B64: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
        i += 1;
    }
    table
};

/// A maximal run of base64 characters with the padding after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    start: usize,
    /// After the padding.
    end: usize,
    /// Where the padding starts (`end` when there is none).
    pad: usize,
}

/// The runs of `bytes`, in order. Escapes (`\n`, `\u00e9`) are skipped, not read as base64: the
/// `n` of a `\n` in a quoted string does not start a run.
fn runs(bytes: &[u8]) -> impl Iterator<Item = (Run, bool)> + '_ {
    let mut i = 0;
    // Whether a line break (or an escaped one) came since the last run.
    let mut newline = false;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let b = bytes[i];
            if is_b64(b) {
                let start = i;
                while i < bytes.len() && is_b64(bytes[i]) {
                    i += 1;
                }
                let pad = i;
                while i < bytes.len() && bytes[i] == b'=' {
                    i += 1;
                }
                let broke = std::mem::take(&mut newline);
                return Some((Run { start, end: i, pad }, broke));
            }
            match b {
                b'\n' => newline = true,
                b'\\' => match bytes.get(i + 1) {
                    Some(b'n' | b'r') => {
                        newline = true;
                        i += 1;
                    }
                    Some(b'u') => i += 5,
                    Some(_) => i += 1,
                    None => {}
                },
                _ => {}
            }
            i += 1;
        }
        None
    })
}

/// Base64 that may be wrapped over several lines.
struct Region {
    start: usize,
    end: usize,
    /// The runs' characters without padding or line breaks.
    body: Vec<u8>,
}

/// Runs joined over line breaks (and indentation) into regions of at least [`MATCH`] characters;
/// a run with padding, or of another width than the lines before it, ends its region.
fn regions(bytes: &[u8]) -> Vec<Region> {
    let mut out: Vec<Region> = Vec::new();
    // The runs of the region being joined, and their length without padding.
    let mut current: Vec<Run> = Vec::new();
    let mut len = 0;
    let close = |current: &mut Vec<Run>, len: &mut usize, out: &mut Vec<Region>| {
        if *len >= MATCH
            && let (Some(first), Some(last)) = (current.first(), current.last())
        {
            let mut body = Vec::with_capacity(*len);
            for r in current.iter() {
                body.extend_from_slice(&bytes[r.start..r.pad]);
            }
            out.push(Region {
                start: first.start,
                end: last.end,
                body,
            });
        }
        current.clear();
        *len = 0;
    };
    for (run, broke) in runs(bytes) {
        // Wrapped base64 has lines of one width (the last may be shorter): a column of short
        // words is not a wrapped value.
        let width = |r: &Run| r.pad - r.start;
        let joins = current.last().is_some_and(|last| {
            last.pad == last.end
                && broke
                && width(last) >= 4
                && current.first().is_some_and(|first| width(first) == width(last))
                && bytes[last.end..run.start]
                    .iter()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\\' | b'n' | b'r'))
                && ends_line(bytes, run.end)
        });
        if !joins {
            close(&mut current, &mut len, &mut out);
        }
        len += run.pad - run.start;
        current.push(run);
    }
    close(&mut current, &mut len, &mut out);
    out
}

/// Whether nothing but blanks, a closing quote or an escaped line break follows `at` on its line:
/// a line of a wrapped value holds nothing else (`cert:` on the line after a value does not
/// continue it).
fn ends_line(bytes: &[u8], at: usize) -> bool {
    bytes[at..]
        .iter()
        .take_while(|&&b| b != b'\n')
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'"' | b'\''))
        || bytes[at..].starts_with(b"\\n")
}

enum Verdict {
    /// Key material, with the key material it decodes to.
    Secret(Vec<String>),
    /// Recognisably public: a certificate, a certificate request or a public key (in DER or PEM).
    Public,
    /// Too short to judge and recognisably nothing: not redacted by what it is, and not exempt
    /// from redaction when it matches key material seen elsewhere.
    Unknown,
}

/// Decode base64 leniently: no padding needed, a dangling last character dropped, trailing bits
/// allowed. Whatever a run was cut or mis-padded to, its prefix still decodes.
fn decode_lenient(body: &[u8]) -> Option<Vec<u8>> {
    const ENGINE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let usable = if body.len() % 4 == 1 {
        &body[..body.len() - 1]
    } else {
        body
    };
    ENGINE.decode(usable).ok()
}

fn classify(body: &[u8], depth: u8) -> Verdict {
    let long = body.len() >= UNSURE;
    // A digest (sha256 hex, a git object name) is hex: printing one shows nothing secret.
    if body.len() <= 64 && body.iter().all(u8::is_ascii_hexdigit) {
        return Verdict::Unknown;
    }
    // The first 48 bytes tell DER apart from text; only text (a PEM file) is decoded whole.
    let Some(head) = decode_lenient(&body[..body.len().min(64)]) else {
        return if long {
            Verdict::Secret(Vec::new())
        } else {
            Verdict::Unknown
        };
    };
    if looks_like_text(&head) {
        let Some(decoded) = decode_lenient(body) else {
            return Verdict::Secret(Vec::new());
        };
        let text = String::from_utf8_lossy(&decoded);
        if text.contains("PRIVATE KEY") || text.contains("openssh-key-v1") {
            let mut inner = Found::default();
            if depth < MAX_DEPTH {
                scan_into(&text, depth + 1, &mut inner);
            }
            // All of it is key material, however much of it a scan can still place (a character
            // dropped in the base64 leaves the rest of the PEM text garbage).
            let mut strings = secret_strings(&text, &inner);
            if let Some(bad) = decoded.iter().position(|&b| !printable(b)) {
                strings.extend(repairs(body, bad));
            }
            strings.push(text.into_owned());
            return Verdict::Secret(strings);
        }
        if depth < MAX_DEPTH {
            let mut inner = Found::default();
            scan_into(&text, depth + 1, &mut inner);
            if !inner.is_empty() {
                return Verdict::Secret(secret_strings(&text, &inner));
            }
        }
        return if text.contains("-----BEGIN ") {
            Verdict::Public
        } else {
            Verdict::Unknown
        };
    }
    match der_kind(&head) {
        DerKind::Key => Verdict::Secret(Vec::new()),
        // Public, unless more follows the certificate than its own length (a key appended to it).
        DerKind::Public if der_ends_within(body) => Verdict::Public,
        DerKind::Public => Verdict::Secret(Vec::new()),
        DerKind::Unknown if long => Verdict::Secret(Vec::new()),
        DerKind::Unknown => Verdict::Unknown,
    }
}

fn printable(b: u8) -> bool {
    b == b'\n' || b == b'\r' || b == b'\t' || (0x20..0x7f).contains(&b)
}

/// The PEM texts `body` (the base64 of a PEM key) decodes to once the character dropped or added
/// near the decoded byte `bad` is put back or taken out: after such a character every byte
/// decodes shifted, so the key body that follows would be known to no one. Every candidate that
/// decodes to printable text is kept (one of them is the key; the others differ from it in a
/// character or two).
fn repairs(body: &[u8], bad: usize) -> Vec<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let around = bad * 4 / 3;
    let mut out = Vec::new();
    let mut candidate = Vec::with_capacity(body.len() + 1);
    for at in around.saturating_sub(8)..(around + 4).min(body.len()) {
        let variants = ALPHABET.iter().map(Some).chain(std::iter::once(None));
        for c in variants {
            candidate.clear();
            candidate.extend_from_slice(&body[..at]);
            if let Some(&c) = c {
                candidate.push(c);
            }
            let rest = if c.is_some() { at } else { at + 1 };
            candidate.extend_from_slice(&body[rest.min(body.len())..]);
            if let Some(d) = decode_lenient(&candidate)
                && d.iter().all(|&b| printable(b))
            {
                out.push(String::from_utf8_lossy(&d).into_owned());
            }
        }
        if out.len() > 256 {
            break;
        }
    }
    out
}

/// The texts of `found`'s spans in `text`, and what they decode to.
fn secret_strings(text: &str, found: &Found) -> Vec<String> {
    let mut out: Vec<String> = found.spans.iter().map(|s| text[s.start..s.end].to_string()).collect();
    out.extend(found.decoded.iter().cloned());
    out
}

/// Printable text, judged on its start (a run with a character dropped decodes to garbage after
/// the drop, and is judged by what comes before it).
fn looks_like_text(decoded: &[u8]) -> bool {
    let head = &decoded[..decoded.len().min(64)];
    !head.is_empty()
        && head
            .iter()
            .all(|&b| b == b'\n' || b == b'\r' || b == b'\t' || (0x20..0x7f).contains(&b))
}

enum DerKind {
    /// A private key: `SEQUENCE { INTEGER version, … }` (PKCS#1, PKCS#8, SEC1, DSA) or
    /// `SEQUENCE { AlgorithmIdentifier, OCTET STRING }` (encrypted PKCS#8), or an OpenSSH key.
    Key,
    /// A certificate or certificate request (`SEQUENCE { SEQUENCE { [0] | INTEGER …`), or a public
    /// key (`SEQUENCE { AlgorithmIdentifier, BIT STRING }`).
    Public,
    Unknown,
}

/// What DER (possibly cut short) starts like. The layouts are RFC 8017 A.1.2, RFC 5958 §2 and
/// RFC 5915 §3 for keys, RFC 5280 §4.1 and RFC 2986 §4 for certificates and requests.
fn der_kind(d: &[u8]) -> DerKind {
    if d.starts_with(b"openssh-key-v1") {
        return DerKind::Key;
    }
    let Some((0x30, outer, _)) = tlv(d) else {
        return DerKind::Unknown;
    };
    match tlv(outer) {
        Some((0x02, _, _)) => DerKind::Key,
        Some((0x30, first, after)) => match first.first() {
            Some(0xa0 | 0x02) => DerKind::Public,
            Some(0x06) => match after.first() {
                Some(0x03) => DerKind::Public,
                Some(0x04) => DerKind::Key,
                _ => DerKind::Unknown,
            },
            _ => DerKind::Unknown,
        },
        _ => DerKind::Unknown,
    }
}

/// Whether the DER that `body` decodes to ends where its outer element says it does (a run cut
/// short is fine: it shows less, not more).
fn der_ends_within(body: &[u8]) -> bool {
    let Some(der) = decode_lenient(body) else {
        return false;
    };
    // Trailing bits of a mis-padded run decode to at most two stray bytes.
    tlv(&der).is_some_and(|(_, _, rest)| rest.len() <= 2)
}

/// Whether a run of output is by itself recognisably public: the base64 of a certificate, a public
/// key, or a PEM file holding only those. It is printed whole even when it shares characters with
/// key material (a certificate and a PKCS#8 key share the DER of `rsaEncryption`, the base64 of
/// `-----BEGIN ` is the same for both).
fn is_public(run: &[u8]) -> bool {
    let Some(der) = decode_lenient(run) else {
        return false;
    };
    if looks_like_text(&der) {
        let text = String::from_utf8_lossy(&der);
        return text.contains("-----BEGIN ") && !text.contains("PRIVATE") && scan(&text).is_empty();
    }
    matches!(der_kind(&der), DerKind::Public) && tlv(&der).is_some_and(|(_, _, rest)| rest.len() <= 2)
}

/// One tag-length-value, its content cut to what is there: `(tag, content, rest)`.
fn tlv(d: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, d) = d.split_first()?;
    let (&first, d) = d.split_first()?;
    let (len, d) = if first < 0x80 {
        (usize::from(first), d)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || d.len() < n {
            return None;
        }
        let len = d[..n].iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &d[n..])
    };
    let cut = len.min(d.len());
    Some((tag, &d[..cut], &d[cut..]))
}

/// A hasher for 12-byte blocks that are already random: base64 of key material.
#[derive(Default)]
struct BlockHasher(u64);

impl Hasher for BlockHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u128(&mut self, n: u128) {
        let folded = (n as u64) ^ ((n >> 64) as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        self.0 = folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (folded >> 29);
    }
}

/// Blocks of this many characters are indexed every [`STRIDE`] characters: any run of [`MATCH`]
/// characters of a secret holds a whole indexed block (`BLOCK + STRIDE <= MATCH + 1`).
const BLOCK: usize = 12;
const STRIDE: usize = 4;

fn hash(b: &[u8]) -> u64 {
    let mut h = BlockHasher::default();
    h.write(b);
    h.finish()
}

fn block(b: &[u8]) -> u128 {
    let mut k = [0u8; 16];
    k[..BLOCK].copy_from_slice(&b[..BLOCK]);
    u128::from_le_bytes(k)
}

/// Every piece of key material a run has seen, and the filter that keeps it out of what is printed.
#[derive(Default)]
pub struct Redactor {
    blocks: HashSet<u128, BuildHasherDefault<BlockHasher>>,
    /// Whether some indexed block is all hex digits: if none is, a hex run of output (a sha256)
    /// cannot match and is not looked up.
    hex: bool,
    /// Sources already added, by address (a run's config is shared by every unit).
    seen: HashSet<usize>,
    /// Hashes of the runs of public base64 in the texts output quotes (lines of a certificate).
    public: HashSet<u64>,
    /// Secrets that are not key material (a trust store's password): redacted wherever they
    /// appear, whole, whatever characters they hold.
    literals: Vec<String>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Remember `secret` (any text that is key material): its base64 runs, and the runs joined
    /// as a wrapped block joins them.
    pub fn add(&mut self, secret: &str) {
        let bytes = secret.as_bytes();
        let mut joined = Vec::new();
        for (run, _) in runs(bytes) {
            let body = &bytes[run.start..run.pad];
            self.index(body);
            joined.extend_from_slice(body);
        }
        self.index(&joined);
    }

    /// Remember a secret that is not key material (a password), redacted wherever its exact text
    /// appears. The base64 runs of [`Redactor::add`] would miss a short or punctuated password.
    pub fn add_literal(&mut self, secret: &str) {
        if !secret.is_empty() && !self.literals.iter().any(|l| l == secret) {
            self.literals.push(secret.to_string());
        }
    }

    /// Remember the key material of a text once, however many reports share it.
    pub fn add_found(&mut self, key: usize, text: &str, found: &Found) {
        if !self.seen.insert(key) {
            return;
        }
        for s in &found.spans {
            self.add(&text[s.start..s.end]);
        }
        for d in &found.decoded {
            self.add(d);
        }
    }

    /// Remember the public base64 of a text that output may quote (a code frame's lines): a run
    /// of output equal to one of its lines is printed even if it shares characters with a key.
    pub fn add_public(&mut self, text: &str, found: &Found) {
        for span in &found.public {
            let bytes = &text.as_bytes()[span.start..span.end];
            for (run, _) in runs(bytes) {
                self.public.insert(hash(&bytes[run.start..run.pad]));
            }
        }
    }

    fn index(&mut self, body: &[u8]) {
        if body.len() < MATCH {
            return;
        }
        let mut at = 0;
        while at + BLOCK <= body.len() {
            let b = &body[at..at + BLOCK];
            self.hex |= b.iter().all(u8::is_ascii_hexdigit);
            self.blocks.insert(block(b));
            at += STRIDE;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty() && self.literals.is_empty()
    }

    fn matches(&self, run: &[u8]) -> bool {
        if run.len() < BLOCK || self.blocks.is_empty() {
            return false;
        }
        if !self.hex && run.iter().all(u8::is_ascii_hexdigit) {
            return false;
        }
        run.windows(BLOCK).any(|w| self.blocks.contains(&block(w)))
    }

    /// `text` with every run of key material replaced by `[redacted: N characters]`: runs sharing [`MATCH`]
    /// characters with a remembered secret, and runs that are key material by what they are.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let bytes = text.as_bytes();
        let mut cut: Vec<Span> = runs(bytes)
            .map(|(r, _)| r)
            .filter(|r| {
                let run = &bytes[r.start..r.pad];
                self.matches(run) && !self.public.contains(&hash(run)) && !is_public(run)
            })
            .map(|r| Span::new(r.start, r.end))
            .collect();
        cut.extend(
            scan(text)
                .spans
                .into_iter()
                .flat_map(|s| run_spans(bytes, s))
                .filter(|s| !self.public.contains(&hash(trim_pad(&bytes[s.start..s.end])))),
        );
        for literal in &self.literals {
            cut.extend(
                text.match_indices(literal.as_str())
                    .map(|(i, l)| Span::new(i, i + l.len())),
            );
        }
        if cut.is_empty() {
            return Cow::Borrowed(text);
        }
        merge(&mut cut);
        // Runs of one value that only blanks or escaped line breaks separate (a PEM folded onto one
        // line, the lines of a wrapped value) are replaced as one, with how long they were.
        let mut joined: Vec<Span> = Vec::with_capacity(cut.len());
        for s in cut {
            match joined.last_mut() {
                Some(last) if only_breaks(&bytes[last.end..s.start]) => last.end = s.end,
                _ => joined.push(s),
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for s in joined {
            out.push_str(&text[at..s.start]);
            let n = text[s.start..s.end].chars().filter(|c| !c.is_whitespace()).count();
            out.push_str(&format!("{REPLACEMENT_START}{n} characters]"));
            at = s.end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// A writer that scrubs everything written through it before passing it on to `inner`; call
    /// [`Scrubbed::finish`] at the end.
    pub fn writer<'a>(&'a self, inner: &'a mut dyn std::io::Write) -> Scrubbed<'a> {
        Scrubbed {
            redactor: self,
            inner,
            pending: Vec::new(),
        }
    }
}

fn trim_pad(run: &[u8]) -> &[u8] {
    let keep = run.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
    &run[..keep]
}

/// The base64 runs inside `span` of key material found by scanning output: only the runs are
/// replaced, so the text around them (quotes, escapes, line structure) stays well formed.
fn run_spans(bytes: &[u8], span: Span) -> impl Iterator<Item = Span> + '_ {
    // Words shorter than a match (`BEGIN`, `PRIVATE`, `KEY` of the armour) show nothing.
    runs(&bytes[span.start..span.end])
        .filter(|(r, _)| r.end - r.start >= MATCH)
        .map(move |(r, _)| Span::new(span.start + r.start, span.start + r.end))
}

/// A streaming writer through a [`Redactor`]: it holds back the text after the last line break, so
/// that no run is scrubbed in two halves.
pub struct Scrubbed<'a> {
    redactor: &'a Redactor,
    inner: &'a mut dyn std::io::Write,
    pending: Vec<u8>,
}

/// Output the filter has scrubbed already. Only [`Redactor::clean`] makes one, so output scrubbed
/// away from the writer (a unit's JSON, on the thread that rendered it) still reaches the stream
/// only through the filter ([`Scrubbed::write_clean`]).
pub struct Clean(Vec<u8>);

impl Redactor {
    /// `chunk` scrubbed, to be written with [`Scrubbed::write_clean`].
    pub fn clean(&self, chunk: &[u8]) -> Clean {
        Clean(self.scrub(&String::from_utf8_lossy(chunk)).into_owned().into_bytes())
    }
}

impl<'a> Scrubbed<'a> {
    /// The filter this writer goes through, for scrubbing chunks elsewhere ([`Redactor::clean`]).
    pub fn redactor(&self) -> &'a Redactor {
        self.redactor
    }

    /// Write `chunk`, scrubbed already, after what is held back. A chunk is scrubbed on its own, so
    /// no region may run into or out of it: its first and last lines must hold no base64 (a JSON
    /// element's `{` and `}` lines). One that does is held back and scrubbed again with its
    /// neighbours, which changes nothing in text already scrubbed.
    pub fn write_clean(&mut self, chunk: Clean) -> std::io::Result<()> {
        let bytes = chunk.0;
        let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
        let last = bytes.rsplit(|&b| b == b'\n').next().unwrap_or_default();
        if first.iter().chain(last).any(|&b| is_b64(b)) {
            return std::io::Write::write_all(self, &bytes);
        }
        let n = self.pending.len();
        self.emit(n)?;
        self.inner.write_all(&bytes)
    }

    fn emit(&mut self, upto: usize) -> std::io::Result<()> {
        let chunk: Vec<u8> = self.pending.drain(..upto).collect();
        let text = String::from_utf8_lossy(&chunk);
        self.inner.write_all(self.redactor.scrub(&text).as_bytes())
    }

    /// Scrub and write what is held back.
    pub fn finish(mut self) -> std::io::Result<()> {
        let n = self.pending.len();
        self.emit(n)?;
        self.inner.flush()
    }
}

impl std::io::Write for Scrubbed<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        // A PEM block or a wrapped base64 value spans lines: cut only where a blank line or a
        // line that holds no base64 ends, which no region crosses. Short of one, hold on.
        if self.pending.len() >= 1 << 16
            && let Some(cut) = safe_cut(&self.pending)
        {
            self.emit(cut)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The end of the last line, in `bytes`, after which no region continues: a line break followed by
/// a line without base64 characters (in JSON: `},`, `]`, a key alone).
fn safe_cut(bytes: &[u8]) -> Option<usize> {
    let mut end = bytes.len();
    while let Some(nl) = bytes[..end].iter().rposition(|&b| b == b'\n') {
        let line = &bytes[nl + 1..end];
        if end < bytes.len() && !line.iter().any(|&b| is_b64(b)) {
            return Some(end + 1);
        }
        end = nl;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    const RSA_DER_PREFIX: &[u8] = &[0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00];

    fn fake_key_der(n: usize) -> Vec<u8> {
        let mut d = RSA_DER_PREFIX.to_vec();
        let mut x: u32 = 0x1234_5678;
        while d.len() < n {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            d.push((x >> 16) as u8);
        }
        d
    }

    fn pem(label: &str, der: &[u8]) -> String {
        let b64 = STANDARD.encode(der);
        let body: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", body.join("\n"))
    }

    #[test]
    fn a_pem_private_key_block_is_found_whatever_its_body() {
        let text = format!("a: 1\n{}b: 2\n", pem("EC PRIVATE KEY", b"not even der"));
        let found = scan(&text);
        assert_eq!(found.spans.len(), 1);
        let s = found.spans[0];
        assert!(text[s.start..s.end].starts_with("-----BEGIN EC PRIVATE KEY-----"));
        assert!(text[s.start..s.end].ends_with("-----END EC PRIVATE KEY-----"));
        assert!(!text[..s.start].contains("BEGIN"));
    }

    #[test]
    fn a_pem_key_folded_onto_one_line_or_cut_short_ends_where_its_text_does() {
        let p = pem("PRIVATE KEY", &fake_key_der(300));
        let folded = format!("message: \"{}\" and then some words", p.replace('\n', " "));
        let s = scan(&folded).spans[0];
        assert!(
            folded[s.end..].starts_with(" \" and then some words"),
            "{}",
            &folded[s.end..]
        );
        let cut: String = p.lines().take(3).map(|l| format!("{l}\n")).collect();
        let text = format!("{cut}next: value\nmore: words\n");
        let s = scan(&text).spans[0];
        assert_eq!(&text[s.end..], "\nnext: value\nmore: words\n");
    }

    #[test]
    fn a_key_under_a_certificate_label_and_a_headerless_body_are_found_by_their_der() {
        let der = fake_key_der(600);
        assert!(holds_key_material(&pem("CERTIFICATE", &der)));
        let p = pem("PRIVATE KEY", &der);
        let body: String = p
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(|l| format!("    {l}\n"))
            .collect();
        assert!(holds_key_material(&body), "a PEM body without its BEGIN/END lines");
    }

    #[test]
    fn base64_of_a_pem_key_is_found_on_one_line_wrapped_truncated_or_mis_padded() {
        let value = STANDARD.encode(pem("PRIVATE KEY", &fake_key_der(300)));
        assert!(holds_key_material(&format!("tls:\n  key: {value}\n")));
        let wrapped: Vec<&str> = value
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        assert!(holds_key_material(&format!(
            "  key: |\n    {}\n",
            wrapped.join("\n    ")
        )));
        let dropped = format!("{}{}", &value[..40], &value[41..]);
        assert!(holds_key_material(&dropped), "one character dropped");
        let no_pad = value.trim_end_matches('=');
        assert!(holds_key_material(no_pad));
        assert!(holds_key_material(&format!("{value}==")));
        let escaped = format!("\"{}\"", pem("PRIVATE KEY", &fake_key_der(300)).replace('\n', "\\n"));
        assert!(
            holds_key_material(&escaped.replace("PRIVATE KEY", "X")),
            "a quoted PEM body"
        );
    }

    #[test]
    fn certificates_public_keys_labels_and_digests_are_not_key_material() {
        // SEQUENCE { SEQUENCE { [0] { INTEGER 2 } … } }: a certificate's start.
        let mut cert = vec![
            0x30, 0x82, 0x03, 0x00, 0x30, 0x82, 0x02, 0x00, 0xa0, 0x03, 0x02, 0x01, 0x02,
        ];
        cert.resize(700, 0x41);
        assert!(!holds_key_material(&pem("CERTIFICATE", &cert)));
        assert!(!holds_key_material(&STANDARD.encode(pem("CERTIFICATE", &cert))));
        // SEQUENCE { SEQUENCE { OID … } BIT STRING }: a public key.
        let mut spki = vec![
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
        ];
        spki.extend([
            0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ]);
        spki.resize(91, 7);
        assert!(!holds_key_material(&STANDARD.encode(&spki)));
        for harmless in [
            "externalCertificateLabel: upgradedlabel1",
            "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "helm upgrade --reuse-values --set tls.key=\"$(base64 -w0 < deploy/es/tls.key)\" es chart.tgz",
            "ext-20261206-1 internal-cert-initial-id",
        ] {
            assert!(!holds_key_material(harmless), "{harmless}");
        }
    }

    #[test]
    fn a_long_run_that_decodes_to_nothing_public_is_redacted_when_unsure() {
        let garbage = STANDARD.encode([0x13u8; 60]);
        assert!(holds_key_material(&garbage));
        assert!(
            !holds_key_material(&garbage[..40]),
            "short runs are not judged on garbage"
        );
    }

    #[test]
    fn the_redactor_replaces_any_run_sharing_16_characters_with_a_secret() {
        let key = STANDARD.encode(fake_key_der(200));
        let mut r = Redactor::new();
        r.add(&key);
        for start in [0, 1, 2, 3, 17, key.len() - 16] {
            let piece = &key[start..start + 16];
            let out = r.scrub(&format!("message: \"value {piece} here\"")).into_owned();
            assert_eq!(out, "message: \"value [redacted: 16 characters] here\"", "at {start}");
        }
        assert_eq!(r.scrub("nothing to see").as_ref(), "nothing to see");
        // A run shorter than an indexed block cannot match.
        let out = r.scrub(&key[5..16]);
        assert_eq!(out.as_ref(), &key[5..16]);
    }

    #[test]
    fn a_pem_key_folded_onto_one_line_is_replaced_as_one_value_with_its_length() {
        let p = pem("PRIVATE KEY", &fake_key_der(300));
        let folded = format!(
            "rules/org.yaml does not match the rule schema: \"{}\" is not an object",
            p.trim_end().replace('\n', " ")
        );
        let out = Redactor::new().scrub(&folded).into_owned();
        let body: usize = p.lines().filter(|l| !l.starts_with("-----")).map(str::len).sum();
        assert_eq!(
            out,
            format!(
                "rules/org.yaml does not match the rule schema: \"-----BEGIN PRIVATE KEY----- [redacted: {body} characters] -----END PRIVATE KEY-----\" is not an object"
            )
        );
    }

    #[test]
    fn a_short_fragment_of_a_known_key_is_redacted_even_in_a_text_with_public_base64() {
        // A fuzzed values file held 43 characters of a key, cut out of its middle: too short to
        // judge by what it is, so it must not count as public where it matches a key seen elsewhere.
        let key = STANDARD.encode(fake_key_der(120));
        let fragment = &key[5..48];
        let frame = format!("{fragment}\nglobal: {{}}\n");
        let mut r = Redactor::new();
        r.add(&key);
        r.add_public(&frame, &scan(&frame));
        assert!(!r.scrub(&frame).contains(&fragment[..16]), "{}", r.scrub(&frame));
    }

    #[test]
    fn scrubbing_keeps_json_escapes_whole() {
        let p = pem("PRIVATE KEY", &fake_key_der(300));
        let json = serde_json::to_string(&p).unwrap();
        let out = Redactor::new().scrub(&json).into_owned();
        assert!(serde_json::from_str::<String>(&out).is_ok(), "{out}");
        assert!(!out.contains(&STANDARD.encode(fake_key_der(300))[20..36]));
    }

    /// Elements scrubbed on their own and written clean give what scrubbing the stream gives; a
    /// chunk a run could cross into is scrubbed again with what is held back.
    #[test]
    fn clean_chunks_are_what_the_stream_would_have_been() {
        use std::io::Write as _;
        let key = STANDARD.encode(fake_key_der(600));
        let mut r = Redactor::new();
        r.add(&key);
        let elements = [format!("  {{\n    \"m\": \"{key}\"\n  }}"), "  {\n  }".to_string()];
        let mut clean = Vec::new();
        let mut w = r.writer(&mut clean);
        w.write_all(b"[\n").unwrap();
        w.write_clean(r.clean(elements[0].as_bytes())).unwrap();
        w.write_all(b",\n").unwrap();
        w.write_clean(r.clean(elements[1].as_bytes())).unwrap();
        w.write_all(b"\n]\n").unwrap();
        w.finish().unwrap();
        let whole = format!("[\n{}\n]\n", elements.join(",\n"));
        let mut streamed = Vec::new();
        let mut w = r.writer(&mut streamed);
        w.write_all(whole.as_bytes()).unwrap();
        w.finish().unwrap();
        assert_eq!(String::from_utf8(clean).unwrap(), String::from_utf8(streamed).unwrap());

        // The held-back text ends in the first half of the key and the chunk starts with the rest:
        // the chunk is held back and the key scrubbed whole, as one run of its length.
        let (head, tail) = key.split_at(key.len() / 2);
        let mut out = Vec::new();
        let mut w = r.writer(&mut out);
        w.write_all(head.as_bytes()).unwrap();
        w.write_clean(Clean(tail.as_bytes().to_vec())).unwrap();
        w.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("[redacted: {} characters]", key.len())
        );
    }

    #[test]
    fn the_streaming_writer_scrubs_across_write_boundaries() {
        let key = STANDARD.encode(fake_key_der(3000));
        let mut r = Redactor::new();
        r.add(&key);
        let text = format!("{}\n\"{key}\"\n{}\n", "x\n".repeat(40_000), "}\n".repeat(40_000));
        let mut out = Vec::new();
        let mut w = r.writer(&mut out);
        for chunk in text.as_bytes().chunks(1000) {
            std::io::Write::write_all(&mut w, chunk).unwrap();
        }
        w.finish().unwrap();
        let out = String::from_utf8(out).unwrap();
        let replaced = format!("\"[redacted: {} characters]\"", key.len());
        assert!(out.contains(&replaced), "{replaced}");
        assert!(!out.contains(&key[100..116]));
        assert_eq!(out.len(), text.len() - key.len() + replaced.len() - 2);
    }

    #[test]
    fn a_literal_secret_is_redacted_wherever_it_appears_whole() {
        let mut r = Redactor::new();
        r.add_literal("ch@nge it");
        assert!(!r.is_empty());
        assert_eq!(
            r.scrub("password ch@nge it, again ch@nge it\n"),
            "password [redacted: 8 characters], again [redacted: 8 characters]\n"
        );
        assert_eq!(r.scrub("ch@nge"), "ch@nge");
    }
}
