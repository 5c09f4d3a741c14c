//! Scalars as go-yaml v2 resolves them (`resolve()`, YAML 1.1), and mapping keys as
//! `sigs.k8s.io/yaml` turns them into strings: the rules [`super::load`] applies to every scalar.

use saphyr_parser::{ScalarStyle, Tag};

use crate::source::value::Scalar;

/// A scalar as go-yaml v2 resolves it, before Helm's key and JSON conversions.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer above `i64::MAX` that fits `u64` (go-yaml returns a `uint64`).
    Uint(u64),
    Float(f64),
    /// A timestamp; go-yaml hands it to `interface{}` as the string it was written as.
    Timestamp(String),
    Str(String),
}

impl Resolved {
    fn short_tag(&self) -> &'static str {
        match self {
            Resolved::Null => "!!null",
            Resolved::Bool(_) => "!!bool",
            Resolved::Int(_) | Resolved::Uint(_) => "!!int",
            Resolved::Float(_) => "!!float",
            Resolved::Timestamp(_) => "!!timestamp",
            Resolved::Str(_) => "!!str",
        }
    }

    /// The value Helm holds. A `uint64` becomes a float, as it does on Helm's way through JSON.
    pub fn into_scalar(self) -> Scalar {
        match self {
            Resolved::Null => Scalar::Null,
            Resolved::Bool(b) => Scalar::Bool(b),
            Resolved::Int(i) => Scalar::Int(i),
            Resolved::Uint(u) => Scalar::Float(u as f64),
            Resolved::Float(f) => Scalar::Float(f),
            Resolved::Timestamp(s) | Resolved::Str(s) => Scalar::Str(s),
        }
    }
}

pub(super) const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// Resolve an untagged plain scalar as go-yaml v2 does (YAML 1.1).
pub fn resolve_plain(value: &str) -> Resolved {
    resolve_core(value, true)
}

/// go-yaml v2 `resolve()` for the empty tag (and, without the timestamp step, for `!!int`,
/// `!!float`, `!!bool`, `!!null`).
pub(super) fn resolve_core(input: &str, try_timestamp: bool) -> Resolved {
    let Some(&first) = input.as_bytes().first() else {
        return Resolved::Null;
    };
    let hint = match first {
        b'+' | b'-' => b'S',
        b'0'..=b'9' => b'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => b'M',
        b'.' => b'.',
        _ => return Resolved::Str(input.to_string()),
    };
    if let Some(r) = resolve_map(input) {
        return r;
    }
    match hint {
        b'.' => {
            if let Some(f) = go_parse_float_dot(input) {
                return Resolved::Float(f);
            }
        }
        b'D' | b'S' => {
            if try_timestamp && parse_timestamp(input) {
                return Resolved::Timestamp(input.to_string());
            }
            let plain: String = input.chars().filter(|&c| c != '_').collect();
            if let Some(i) = go_parse_int(&plain) {
                return Resolved::Int(i);
            }
            if let Some(u) = go_parse_uint(&plain) {
                return Resolved::Uint(u);
            }
            if yaml_style_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
                && f.is_finite()
            {
                return Resolved::Float(f);
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                if let Some(i) = parse_int_base(rest, 2) {
                    return Resolved::Int(i);
                }
                if let Some(u) = parse_uint_base(rest, 2) {
                    return Resolved::Uint(u);
                }
            } else if let Some(rest) = plain.strip_prefix("-0b")
                && let Some(i) = parse_int_base(&format!("-{rest}"), 2)
            {
                return Resolved::Int(i);
            }
        }
        _ => {}
    }
    Resolved::Str(input.to_string())
}

/// go-yaml v2's `resolveMap`: the exact spellings of booleans, null and the special floats.
pub(super) fn resolve_map(s: &str) -> Option<Resolved> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Resolved::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Resolved::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
pub(super) fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go `strconv.ParseFloat` for a text starting with `.`: `.digits[e[sign]digits]`, underscores only
/// between digits, and an error (not infinity) when out of range.
pub(super) fn go_parse_float_dot(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' {
            let before = i > 0 && b[i - 1].is_ascii_digit();
            let after = b.get(i + 1).is_some_and(u8::is_ascii_digit);
            if !before || !after {
                return None;
            }
        }
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    let rest = plain.strip_prefix('.')?;
    let mant_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    if mant_len == 0 {
        return None;
    }
    let exp = &rest[mant_len..];
    if !exp.is_empty() {
        let e = exp.strip_prefix(['e', 'E'])?;
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !e.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    plain.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Go `strconv.ParseUint(s, 0, 64)` after the base prefix: digits of `base`, no sign.
pub(super) fn parse_digits(s: &str, base: u32) -> Option<u64> {
    let mut n: u64 = 0;
    for c in s.chars() {
        let d = c.to_digit(36)?;
        if d >= base {
            return None;
        }
        n = n.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Go `strconv.ParseUint(s, 0, 64)`: `0x`/`0o`/`0b` prefixes, a leading `0` means octal.
pub(super) fn go_parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let (digits, base) = if b[0] == b'0' {
        if b.len() >= 3 {
            match b[1].to_ascii_lowercase() {
                b'x' => (&s[2..], 16),
                b'o' => (&s[2..], 8),
                b'b' => (&s[2..], 2),
                _ => (&s[1..], 8),
            }
        } else {
            (&s[1..], 8)
        }
    } else {
        (s, 10)
    };
    parse_digits(digits, base)
}

/// Go `strconv.ParseInt(s, 0, 64)`.
pub(super) fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    signed(neg, go_parse_uint(rest)?)
}

pub(super) fn signed(neg: bool, u: u64) -> Option<i64> {
    if neg {
        if u <= 1 << 63 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// Go `strconv.ParseInt(s, base, 64)` for an explicit base (sign allowed, no prefix).
pub(super) fn parse_int_base(s: &str, base: u32) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest.is_empty() {
        return None;
    }
    signed(neg, parse_digits(rest, base)?)
}

/// Go `strconv.ParseUint(s, base, 64)` for an explicit base.
pub(super) fn parse_uint_base(s: &str, base: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    parse_digits(s, base)
}

/// go-yaml v2 `parseTimestamp`: `2006-1-2`, `2006-1-2 15:4:5.999999999`, or
/// `2006-1-2T15:4:5.999999999Z07:00` (also with a lower-case `t`), with calendar checks.
pub(super) fn parse_timestamp(s: &str) -> bool {
    let mut c = Cursor { s, i: 0 };
    if !c.date() {
        return false;
    }
    if c.done() {
        return true;
    }
    let zone = match c.next() {
        Some(b'T' | b't') => true,
        Some(b' ') => false,
        _ => return false,
    };
    if !c.time() {
        return false;
    }
    if !zone {
        return c.done();
    }
    c.zone()
}

/// A position in a timestamp being read, in the layout elements Go's `time.Parse` uses.
struct Cursor<'a> {
    s: &'a str,
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek();
        self.i += usize::from(b.is_some());
        b
    }

    fn eat(&mut self, want: u8) -> bool {
        let ok = self.peek() == Some(want);
        self.i += usize::from(ok);
        ok
    }

    fn done(&self) -> bool {
        self.i == self.s.len()
    }

    /// 1 or 2 digits, as Go's non-padded layout elements (`1`, `2`, `15`) take.
    fn num(&mut self) -> Option<u32> {
        let start = self.i;
        while self.i - start < 2 && self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
        (self.i > start).then(|| self.s[start..self.i].parse().ok())?
    }

    /// Exactly 2 digits (`07:00`).
    fn exact2(&mut self) -> Option<u32> {
        let b = self.s.as_bytes();
        if self.i + 2 <= b.len() && b[self.i].is_ascii_digit() && b[self.i + 1].is_ascii_digit() {
            self.i += 2;
            self.s[self.i - 2..self.i].parse().ok()
        } else {
            None
        }
    }

    /// `2006-1-2`, a day that exists in its month.
    fn date(&mut self) -> bool {
        let b = self.s.as_bytes();
        let year_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        if year_len != 4 || b.get(4) != Some(&b'-') {
            return false;
        }
        let year: u32 = self.s[..4].parse().unwrap_or(0);
        self.i = 5;
        let Some(month) = self.num() else { return false };
        if !self.eat(b'-') {
            return false;
        }
        let Some(day) = self.num() else { return false };
        let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        day != 0 && day <= days
    }

    /// `15:4:5`, with an optional fraction `.999999999`.
    fn time(&mut self) -> bool {
        let Some(h) = self.num() else { return false };
        if !self.eat(b':') {
            return false;
        }
        let Some(m) = self.num() else { return false };
        if !self.eat(b':') {
            return false;
        }
        let Some(sec) = self.num() else { return false };
        if h > 23 || m > 59 || sec > 59 {
            return false;
        }
        let b = self.s.as_bytes();
        if self.peek() == Some(b'.') && b.get(self.i + 1).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.i += 1;
            }
        }
        true
    }

    /// `Z07:00`: `Z`, or a sign and `hh:mm`, ending the text.
    fn zone(&mut self) -> bool {
        match self.next() {
            Some(b'Z') => self.done(),
            Some(b'+' | b'-') => {
                let Some(zh) = self.exact2() else { return false };
                if !self.eat(b':') {
                    return false;
                }
                let Some(zm) = self.exact2() else { return false };
                zh <= 23 && zm <= 59 && self.done()
            }
            _ => false,
        }
    }
}

/// Go `base64.StdEncoding.DecodeString`: padding required, `\r` and `\n` ignored.
pub(super) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let chars: Vec<u8> = s.bytes().filter(|&c| c != b'\r' && c != b'\n').collect();
    if !chars.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    let quanta = chars.len() / 4;
    for (q, quad) in chars.chunks(4).enumerate() {
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && q + 1 != quanta) {
            return None;
        }
        let mut n: u32 = 0;
        for &c in &quad[..4 - pad] {
            n = (n << 6) | val(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

/// Bytes to a string the way Go's `encoding/json` writes them: each invalid byte becomes U+FFFD.
pub(super) fn go_json_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = &after[1..];
            }
        }
    }
}

/// Resolve a scalar with its style and tag as go-yaml v2 decodes it into `interface{}`.
///
/// Quoted and block scalars are strings unless tagged; `!!str` is a string; `!!int`, `!!float`,
/// `!!bool`, `!!null`, `!!timestamp` must fit their tag (an integer fits `!!float`); `!!binary` is
/// base64-decoded; any other tag gives the text as a string. The error is go-yaml's message.
pub fn resolve_scalar(value: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Resolved, String> {
    let Some(tag) = tag else {
        return Ok(if style == ScalarStyle::Plain {
            resolve_plain(value)
        } else {
            Resolved::Str(value.to_string())
        });
    };
    // `!` alone is the non-specific tag: go-yaml treats it like any unknown tag.
    let full = format!("{}{}", tag.handle, tag.suffix);
    let Some(core) = full.strip_prefix(CORE_TAG_PREFIX) else {
        return Ok(Resolved::Str(value.to_string()));
    };
    let resolved = match core {
        "str" => return Ok(Resolved::Str(value.to_string())),
        "binary" => {
            return decode_base64(value)
                .map(|bytes| Resolved::Str(go_json_string(&bytes)))
                .ok_or_else(|| "!!binary value contains invalid base64 data".to_string());
        }
        "int" | "float" | "bool" | "null" => resolve_core(value, false),
        "timestamp" => resolve_core(value, true),
        _ => return Ok(Resolved::Str(value.to_string())),
    };
    let fits = matches!(
        (core, &resolved),
        ("int", Resolved::Int(_) | Resolved::Uint(_))
            | ("float", Resolved::Float(_))
            | ("bool", Resolved::Bool(_))
            | ("null", Resolved::Null)
            | ("timestamp", Resolved::Timestamp(_))
    );
    if fits {
        return Ok(resolved);
    }
    if core == "float"
        && let Resolved::Int(i) = resolved
    {
        return Ok(Resolved::Float(i as f64));
    }
    Err(format!(
        "cannot decode {} `{}` as a !!{}",
        resolved.short_tag(),
        value,
        core
    ))
}

// ------------------------------------------------------------------------------------------------
// Go float formatting

/// Go's `fmt` `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`): shortest digits, exponent
/// form when the decimal exponent is below -4 or at least 6 (`20191101` → `2.0191101e+07`).
pub fn format_go_float(f: f64) -> String {
    format_g_shortest(f, false)
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, or with `bits32` `strconv.FormatFloat(f, 'g', -1, 32)`.
pub(super) fn format_g_shortest(f: f64, bits32: bool) -> String {
    let f32v = f as f32;
    let (nan, inf, zero, neg) = if bits32 {
        (f32v.is_nan(), f32v.is_infinite(), f32v == 0.0, f32v.is_sign_negative())
    } else {
        (f.is_nan(), f.is_infinite(), f == 0.0, f.is_sign_negative())
    };
    if nan {
        return "NaN".to_string();
    }
    if inf {
        return if neg { "-Inf" } else { "+Inf" }.to_string();
    }
    if zero {
        return if neg { "-0" } else { "0" }.to_string();
    }
    // Rust's `{:e}` prints the shortest digits that round-trip, like Go's shortest mode.
    let sci = if bits32 {
        format!("{:e}", f32v.abs())
    } else {
        format!("{:e}", f.abs())
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    let nd = digits.len() as i64;
    let dp = exp + 1;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
    } else if dp <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-dp) as usize));
        out.push_str(&digits);
    } else if dp >= nd {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (dp - nd) as usize));
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
    out
}

// ------------------------------------------------------------------------------------------------
// Keys

/// Which Go value a key was before it became a string: keys equal as strings but different as Go
/// values are different keys to go-yaml, and `sigs.k8s.io/yaml` then keeps one of them at random.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum KeyIdentity {
    Str,
    Int,
    Bool,
    Float(u64),
}

/// `sigs.k8s.io/yaml`'s key conversion: strings as they are, integers in decimal, booleans as
/// `true`/`false`, floats as `FormatFloat(f, 'g', -1, 32)` (with `.inf`, `-.inf`, `.nan`).
pub(super) fn key_string(r: &Resolved) -> Result<(String, KeyIdentity), String> {
    Ok(match r {
        Resolved::Str(s) | Resolved::Timestamp(s) => (s.clone(), KeyIdentity::Str),
        Resolved::Int(i) => (i.to_string(), KeyIdentity::Int),
        Resolved::Bool(b) => (b.to_string(), KeyIdentity::Bool),
        Resolved::Float(f) => (float_key(*f), KeyIdentity::Float(f.to_bits())),
        Resolved::Null => {
            return Err(
                "a null key: Helm cannot turn it into a string (unsupported map key of type <nil>)".to_string(),
            );
        }
        Resolved::Uint(u) => {
            return Err(format!(
                "the key {u} is too large: Helm cannot turn it into a string (unsupported map key of type uint64)"
            ));
        }
    })
}

pub(super) fn float_key(f: f64) -> String {
    match format_g_shortest(f, true).as_str() {
        "+Inf" => ".inf".to_string(),
        "-Inf" => "-.inf".to_string(),
        "NaN" => ".nan".to_string(),
        s => s.to_string(),
    }
}

pub(super) fn scalar_key(s: &Scalar) -> Result<(String, KeyIdentity), String> {
    let r = match s {
        Scalar::Null => Resolved::Null,
        Scalar::Bool(b) => Resolved::Bool(*b),
        Scalar::Int(i) => Resolved::Int(*i),
        Scalar::Float(f) => Resolved::Float(*f),
        Scalar::Str(s) => Resolved::Str(s.clone()),
    };
    key_string(&r)
}

#[cfg(test)]
mod tests {
    use super::parse_timestamp;

    /// go-yaml v2's four layouts, with Go's calendar and clock checks.
    #[test]
    fn timestamps_are_the_layouts_go_yaml_tries() {
        for yes in [
            "2001-12-14",
            "2001-1-2",
            "2000-02-29",
            "2001-12-14t21:59:43.10Z",
            "2001-12-14T21:59:43-05:00",
            "2001-12-14T1:2:3+14:30",
            "2001-12-14 21:59:43.10",
            "2001-12-14 21:59:43",
        ] {
            assert!(parse_timestamp(yes), "{yes}");
        }
        for no in [
            "01-12-14",
            "2001-12",
            "2001/12/14",
            "1900-02-29",
            "2001-13-01",
            "2001-04-31",
            "2001-12-00",
            "2001-12-14X",
            "2001-12-14T24:00:00Z",
            "2001-12-14T21:60:00Z",
            "2001-12-14T21:59:43",
            "2001-12-14T21:59:43+5:00",
            "2001-12-14T21:59:43+05",
            "2001-12-14 21:59:43Z",
            "2001-12-14T21:59:43.Z",
            "2001-123-14",
        ] {
            assert!(!parse_timestamp(no), "{no}");
        }
    }
}
