//! A minimal DER reader for the few structures certgate reads itself: the private key formats
//! (PKCS#8, PKCS#1, SEC1) and an RSA public key. Certificates go through `x509-parser`; keys don't,
//! because it has no private key parser and `ring` only reads the PKCS#8 it writes.
//!
//! Every read is bounds-checked and returns `None` on anything unexpected: no panics on any input.

/// Universal tags used here.
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OID: u8 = 0x06;
pub(crate) const SEQUENCE: u8 = 0x30;

/// Context-specific tags `[0]` and `[1]`, constructed (EXPLICIT, as SEC1 uses them) or primitive
/// (IMPLICIT, as PKCS#8 v2 uses `[1]` for the public key).
pub(crate) const CONTEXT_0_CONSTRUCTED: u8 = 0xa0;
pub(crate) const CONTEXT_1_CONSTRUCTED: u8 = 0xa1;
pub(crate) const CONTEXT_1_PRIMITIVE: u8 = 0x81;

/// One tag-length-value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
}

/// Reads consecutive TLVs from a byte slice.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlvs<'a> {
    data: &'a [u8],
}

impl<'a> Tlvs<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Tlvs { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// What is left to read.
    #[cfg(test)]
    pub fn remaining(&self) -> &'a [u8] {
        self.data
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// The next TLV. Only single-byte tags and definite lengths (DER); lengths in non-minimal form
    /// are accepted, as OpenSSL accepts them in keys.
    pub fn read(&mut self) -> Option<Tlv<'a>> {
        let (&tag, rest) = self.data.split_first()?;
        if tag & 0x1f == 0x1f {
            return None; // high tag number form: never used by the structures read here
        }
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return None; // indefinite length (BER) or absurd
            }
            let len = rest[..n].iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            (len, &rest[n..])
        };
        if rest.len() < len {
            return None;
        }
        let (value, rest) = rest.split_at(len);
        self.data = rest;
        Some(Tlv { tag, value })
    }

    /// The next TLV's value if it has `tag`.
    pub fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        if self.peek_tag()? != tag {
            return None;
        }
        self.read().map(|tlv| tlv.value)
    }

    /// The next TLV's value if it has `tag`; nothing consumed otherwise.
    pub fn optional(&mut self, tag: u8) -> Option<&'a [u8]> {
        if self.peek_tag() == Some(tag) {
            self.read().map(|tlv| tlv.value)
        } else {
            None
        }
    }
}

/// Read exactly one TLV with `tag` spanning all of `data`.
pub(crate) fn single(data: &[u8], tag: u8) -> Option<&[u8]> {
    let mut reader = Tlvs::new(data);
    let value = reader.expect(tag)?;
    reader.is_empty().then_some(value)
}

/// A non-negative INTEGER's magnitude without leading zero bytes (`None` for a negative one).
pub(crate) fn unsigned(value: &[u8]) -> Option<&[u8]> {
    if value.first().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    let start = value.iter().position(|&b| b != 0).unwrap_or(value.len());
    Some(&value[start..])
}

/// Bit length of a big-endian magnitude.
pub(crate) fn bit_len(magnitude: &[u8]) -> u32 {
    let start = magnitude.iter().position(|&b| b != 0).unwrap_or(magnitude.len());
    let Some(&first) = magnitude.get(start) else {
        return 0;
    };
    let bytes = u32::try_from(magnitude.len() - start).unwrap_or(u32::MAX / 8);
    (bytes - 1) * 8 + (8 - first.leading_zeros())
}

/// The dotted form of an OBJECT IDENTIFIER's content bytes (`None` if malformed).
pub(crate) fn oid_string(value: &[u8]) -> Option<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    for (i, &b) in value.iter().enumerate() {
        if acc > (u64::MAX >> 7) {
            return None;
        }
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc - first * 40);
            } else {
                arcs.push(acc);
            }
            acc = 0;
        } else if i + 1 == value.len() {
            return None; // last byte still says "more"
        }
    }
    if arcs.is_empty() {
        return None;
    }
    Some(arcs.iter().map(u64::to_string).collect::<Vec<_>>().join("."))
}

/// Read an AlgorithmIdentifier: its OID (dotted) and its parameters TLV, if any.
pub(crate) fn algorithm_identifier(value: &[u8]) -> Option<(String, Option<Tlv<'_>>)> {
    let mut reader = Tlvs::new(value);
    let oid = oid_string(reader.expect(OID)?)?;
    let params = if reader.is_empty() { None } else { reader.read() };
    Some((oid, params))
}

/// The content of a BIT STRING with no unused bits.
pub(crate) fn bit_string_bytes(value: &[u8]) -> Option<&[u8]> {
    let (&unused, rest) = value.split_first()?;
    (unused == 0).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_long_lengths() {
        let data = [0x30, 0x03, 0x02, 0x01, 0x05, 0x04, 0x81, 0x01, 0xaa];
        let mut r = Tlvs::new(&data);
        let seq = r.expect(SEQUENCE).unwrap();
        assert_eq!(single(seq, INTEGER), Some(&[5u8][..]));
        assert_eq!(r.expect(OCTET_STRING), Some(&[0xaa][..]));
        assert!(r.is_empty());
    }

    #[test]
    fn rejects_truncated_and_indefinite() {
        assert!(Tlvs::new(&[0x30, 0x05, 0x00]).read().is_none());
        assert!(Tlvs::new(&[0x30, 0x80, 0x00, 0x00]).read().is_none());
        assert!(Tlvs::new(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).read().is_none());
        assert!(Tlvs::new(&[0x1f, 0x01, 0x00]).read().is_none());
        assert!(Tlvs::new(&[]).read().is_none());
        assert!(single(&[0x02, 0x01, 0x00, 0x00], INTEGER).is_none());
    }

    #[test]
    fn oids_and_integers() {
        assert_eq!(
            oid_string(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]).as_deref(),
            Some("1.2.840.113549.1.1.1")
        );
        assert_eq!(oid_string(&[0x2b, 0x65, 0x70]).as_deref(), Some("1.3.101.112"));
        assert_eq!(oid_string(&[0x2b, 0x81]), None);
        assert_eq!(oid_string(&[0xff; 20]), None);
        assert_eq!(unsigned(&[0x00, 0x80, 0x01]), Some(&[0x80, 0x01][..]));
        assert_eq!(unsigned(&[0x80]), None);
        assert_eq!(bit_len(&[0x00, 0x80, 0x01]), 16);
        assert_eq!(bit_len(&[0x01]), 1);
        assert_eq!(bit_len(&[]), 0);
    }
}
