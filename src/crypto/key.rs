//! Private keys: which kind a PEM block holds (CG302) and whether it belongs to a certificate
//! (CG303), for the three formats OpenSSL writes: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`)
//! and SEC1 (`EC PRIVATE KEY`).
//!
//! A [`PrivateKey`] holds only the key's *public* half (RSA modulus and exponent, the EC point, the
//! Ed25519 public key), worked out while parsing: private key material never outlives
//! [`parse_private_key`], and no `Debug`, `Display` or error here can print it.
//!
//! The RSA public half is read from the key's own ASN.1 rather than through `ring`, which refuses
//! keys under 2048 bits: a weak key must still be matched to its certificate, so CG309 and CG303 can
//! both speak.

use std::fmt;

use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _};

use super::cert::{Certificate, EcCurve, PublicKeyKind};
use super::der::{self, Tlvs};
use super::oid;

/// Why a private key cannot be used (CG302). Never carries key bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Password-protected: PKCS#8 `ENCRYPTED PRIVATE KEY`, or legacy `Proc-Type: 4,ENCRYPTED` (which
    /// [`crate::source::pem`] reports on the block).
    #[error("the private key is encrypted; the chart needs it unencrypted")]
    Encrypted,
    /// A kind or form certgate cannot read or check.
    #[error("unsupported private key: {what}")]
    Unsupported { what: String },
    /// Not a well-formed key of its kind.
    #[error("invalid private key: {reason}")]
    Invalid { reason: &'static str },
}

/// How the key was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    Pkcs8,
    Pkcs1,
    Sec1,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrivateKeyKind {
    Rsa { bits: u32 },
    Ec { curve: EcCurve },
    Ed25519,
}

impl fmt::Display for PrivateKeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrivateKeyKind::Rsa { bits } => write!(f, "RSA-{bits}"),
            PrivateKeyKind::Ec { curve } => write!(f, "EC {curve}"),
            PrivateKeyKind::Ed25519 => write!(f, "Ed25519"),
        }
    }
}

/// A parsed private key, reduced to what certgate needs: its kind and its public half.
#[derive(Clone)]
pub struct PrivateKey {
    kind: PrivateKeyKind,
    format: KeyFormat,
    public: PublicHalf,
}

#[derive(Clone)]
enum PublicHalf {
    /// Modulus and exponent without leading zeros.
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// The point as stored with the key; `None` when the key file left it out.
    Ec {
        point: Option<Vec<u8>>,
    },
    Ed25519 {
        public: Vec<u8>,
    },
}

// Only the kind and format: even the public half stays out of logs, so that no one has to reason
// about which half of a key a log line shows.
impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("kind", &self.kind)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    pub fn kind(&self) -> &PrivateKeyKind {
        &self.kind
    }

    pub fn format(&self) -> KeyFormat {
        self.format
    }

    /// Key size in bits (RSA modulus, EC field, 256 for Ed25519; 0 for an unknown curve).
    pub fn bits(&self) -> u32 {
        match &self.kind {
            PrivateKeyKind::Rsa { bits } => *bits,
            PrivateKeyKind::Ec { curve } => curve.bits().unwrap_or(0),
            PrivateKeyKind::Ed25519 => 256,
        }
    }

    /// CG309: RSA under 2048 bits, EC under 256 bits.
    pub fn is_weak(&self) -> bool {
        match &self.kind {
            PrivateKeyKind::Rsa { bits } => *bits < 2048,
            PrivateKeyKind::Ec { curve } => curve.bits().is_some_and(|b| b < 256),
            PrivateKeyKind::Ed25519 => false,
        }
    }
}

const fn invalid(reason: &'static str) -> KeyError {
    KeyError::Invalid { reason }
}

/// Parse the DER body of a PEM block labelled `label` (`PRIVATE KEY`, `RSA PRIVATE KEY`,
/// `EC PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`; any other label is unsupported).
pub fn parse_private_key(label: &str, der: &[u8]) -> Result<PrivateKey, KeyError> {
    match label {
        "PRIVATE KEY" => pkcs8(der),
        "RSA PRIVATE KEY" => {
            let (bits, public) = pkcs1(der)?;
            Ok(PrivateKey {
                kind: PrivateKeyKind::Rsa { bits },
                format: KeyFormat::Pkcs1,
                public,
            })
        }
        "EC PRIVATE KEY" => {
            let (curve, public) = sec1(der, None)?;
            Ok(PrivateKey {
                kind: PrivateKeyKind::Ec { curve },
                format: KeyFormat::Sec1,
                public,
            })
        }
        "ENCRYPTED PRIVATE KEY" => Err(KeyError::Encrypted),
        "DSA PRIVATE KEY" => Err(KeyError::Unsupported {
            what: "DSA keys".into(),
        }),
        "OPENSSH PRIVATE KEY" => Err(KeyError::Unsupported {
            what: "OpenSSH's key format (convert it with `ssh-keygen -p -m PKCS8 -f FILE`)".into(),
        }),
        other => Err(KeyError::Unsupported {
            what: format!("a PEM block labelled {other:?}"),
        }),
    }
}

/// PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5958):
/// `SEQUENCE { version, AlgorithmIdentifier, OCTET STRING privateKey, [0] attributes OPTIONAL,
/// [1] IMPLICIT BIT STRING publicKey OPTIONAL }`.
fn pkcs8(input: &[u8]) -> Result<PrivateKey, KeyError> {
    let seq = der::single(input, der::SEQUENCE).ok_or(invalid("not a PKCS#8 structure"))?;
    let mut r = Tlvs::new(seq);
    // An EncryptedPrivateKeyInfo under the plain label starts with its AlgorithmIdentifier.
    if r.peek_tag() == Some(der::SEQUENCE) {
        let encrypted = r
            .expect(der::SEQUENCE)
            .and_then(der::algorithm_identifier)
            .is_some_and(|(alg, _)| {
                alg == oid::PBES2 || alg.starts_with("1.2.840.113549.1.5.") || alg.starts_with("1.2.840.113549.1.12.1.")
            });
        return Err(if encrypted {
            KeyError::Encrypted
        } else {
            invalid("not a PKCS#8 structure")
        });
    }
    let version = r.expect(der::INTEGER).ok_or(invalid("PKCS#8 without a version"))?;
    if version != [0] && version != [1] {
        return Err(invalid("unknown PKCS#8 version"));
    }
    let (algorithm, params) = r
        .expect(der::SEQUENCE)
        .and_then(der::algorithm_identifier)
        .ok_or(invalid("PKCS#8 without a key algorithm"))?;
    let private = r
        .expect(der::OCTET_STRING)
        .ok_or(invalid("PKCS#8 without a private key"))?;
    let _attributes = r.optional(der::CONTEXT_0_CONSTRUCTED);
    let public_key = r.optional(der::CONTEXT_1_PRIMITIVE);
    if !r.is_empty() {
        return Err(invalid("unexpected data in PKCS#8"));
    }

    let (kind, public) = match algorithm.as_str() {
        // An RSA-PSS key holds the same RSAPrivateKey.
        oid::RSA_ENCRYPTION | oid::RSASSA_PSS => {
            let (bits, public) = pkcs1(private)?;
            (PrivateKeyKind::Rsa { bits }, public)
        }
        oid::EC_PUBLIC_KEY => {
            let curve = match params {
                Some(p) if p.tag == der::OID => {
                    EcCurve::from_oid(&der::oid_string(p.value).ok_or(invalid("malformed curve identifier"))?)
                }
                _ => {
                    return Err(KeyError::Unsupported {
                        what: "EC keys with explicit curve parameters (use a named curve)".into(),
                    });
                }
            };
            let (curve, public) = sec1(private, Some(curve))?;
            (PrivateKeyKind::Ec { curve }, public)
        }
        oid::ED25519 => (PrivateKeyKind::Ed25519, ed25519(private, public_key)?),
        other => {
            let name = match other {
                oid::ED448 => "Ed448 keys".to_string(),
                oid::X25519 | oid::X448 => "X25519/X448 keys (key agreement only, they cannot sign)".to_string(),
                oid::DSA => "DSA keys".to_string(),
                _ => format!("keys of algorithm {other}"),
            };
            return Err(KeyError::Unsupported { what: name });
        }
    };
    Ok(PrivateKey {
        kind,
        format: KeyFormat::Pkcs8,
        public,
    })
}

/// PKCS#1 RSAPrivateKey: `SEQUENCE { version, n, e, d, p, q, dp, dq, qinv, ... }`. Only n and e are
/// kept; the rest must be there (a public key alone is not a private key).
fn pkcs1(input: &[u8]) -> Result<(u32, PublicHalf), KeyError> {
    let seq = der::single(input, der::SEQUENCE).ok_or(invalid("not an RSA private key structure"))?;
    let mut r = Tlvs::new(seq);
    let mut integers = Vec::with_capacity(9);
    while r.peek_tag() == Some(der::INTEGER) {
        integers.push(r.expect(der::INTEGER).ok_or(invalid("malformed RSA private key"))?);
    }
    if integers.len() == 2 {
        return Err(invalid("this is an RSA public key, not a private key"));
    }
    if integers.len() < 9 {
        return Err(invalid("an RSA private key is missing some of its numbers"));
    }
    if integers[0] != [0] && integers[0] != [1] {
        return Err(invalid("unknown RSA private key version"));
    }
    let n = der::unsigned(integers[1]).ok_or(invalid("negative RSA modulus"))?;
    let e = der::unsigned(integers[2]).ok_or(invalid("negative RSA exponent"))?;
    if n.is_empty() || e.is_empty() {
        return Err(invalid("zero RSA modulus or exponent"));
    }
    Ok((
        der::bit_len(n),
        PublicHalf::Rsa {
            n: n.to_vec(),
            e: e.to_vec(),
        },
    ))
}

/// SEC1 ECPrivateKey (RFC 5915): `SEQUENCE { version 1, OCTET STRING privateKey,
/// [0] ECParameters OPTIONAL, [1] BIT STRING publicKey OPTIONAL }`. In PKCS#8 the curve comes from
/// the outer AlgorithmIdentifier (`outer`) and `[0]` is usually left out.
fn sec1(input: &[u8], outer: Option<EcCurve>) -> Result<(EcCurve, PublicHalf), KeyError> {
    let seq = der::single(input, der::SEQUENCE).ok_or(invalid("not an EC private key structure"))?;
    let mut r = Tlvs::new(seq);
    if r.expect(der::INTEGER) != Some(&[1][..]) {
        return Err(invalid("unknown EC private key version"));
    }
    let scalar = r
        .expect(der::OCTET_STRING)
        .ok_or(invalid("EC private key without its scalar"))?;
    let inner = match r.optional(der::CONTEXT_0_CONSTRUCTED) {
        None => None,
        Some(params) => match der::single(params, der::OID) {
            Some(curve) => Some(EcCurve::from_oid(
                &der::oid_string(curve).ok_or(invalid("malformed curve identifier"))?,
            )),
            None => {
                return Err(KeyError::Unsupported {
                    what: "EC keys with explicit curve parameters (use a named curve)".into(),
                });
            }
        },
    };
    let point = match r.optional(der::CONTEXT_1_CONSTRUCTED) {
        None => None,
        Some(wrapped) => Some(
            der::single(wrapped, der::BIT_STRING)
                .and_then(der::bit_string_bytes)
                .ok_or(invalid("malformed EC public key in the private key"))?
                .to_vec(),
        ),
    };
    if !r.is_empty() {
        return Err(invalid("unexpected data in the EC private key"));
    }
    let curve = match (outer, inner) {
        (Some(a), Some(b)) if a != b => return Err(invalid("the EC key names two different curves")),
        (Some(curve), _) | (None, Some(curve)) => curve,
        (None, None) => return Err(invalid("EC private key without its curve")),
    };
    if let Some(point) = &point {
        check_ec_pair(&curve, scalar, point)?;
    }
    Ok((curve, PublicHalf::Ec { point }))
}

/// Check with `ring` that the stored public point is the scalar's (P-256 and P-384, uncompressed
/// points): a key whose two halves disagree would match the certificate by its point yet sign
/// nothing the certificate verifies. `ring` derives the point and compares; anything it rejects
/// for other reasons (say, no system randomness) is no evidence and is ignored.
fn check_ec_pair(curve: &EcCurve, scalar: &[u8], point: &[u8]) -> Result<(), KeyError> {
    let (alg, len): (&'static signature::EcdsaSigningAlgorithm, usize) = match curve {
        EcCurve::P256 => (&signature::ECDSA_P256_SHA256_ASN1_SIGNING, 32),
        EcCurve::P384 => (&signature::ECDSA_P384_SHA384_ASN1_SIGNING, 48),
        _ => return Ok(()),
    };
    if point.len() != 1 + 2 * len || point.first() != Some(&0x04) {
        return Ok(());
    }
    // Older OpenSSL wrote the scalar without leading zeros; ring wants it at full length.
    let significant = &scalar[scalar.iter().position(|&b| b != 0).unwrap_or(scalar.len())..];
    if significant.len() > len {
        return Err(invalid("the EC private scalar is longer than the curve allows"));
    }
    let mut padded = vec![0u8; len];
    padded[len - significant.len()..].copy_from_slice(significant);
    let rng = ring::rand::SystemRandom::new();
    match EcdsaKeyPair::from_private_key_and_public_key(alg, &padded, point, &rng) {
        Ok(_) => Ok(()),
        Err(e) if e.to_string() == "InconsistentComponents" => Err(invalid(
            "the public key stored in the EC private key does not belong to it",
        )),
        Err(e) if e.to_string() == "InvalidComponent" => Err(invalid("the EC private scalar is out of range")),
        Err(_) => Ok(()),
    }
}

/// RFC 8410: the private key is an OCTET STRING holding the 32-byte seed. The public key is derived
/// with `ring`; PKCS#8 v2 may also store it, and then both must agree.
fn ed25519(private: &[u8], stored_public: Option<&[u8]>) -> Result<PublicHalf, KeyError> {
    let seed = der::single(private, der::OCTET_STRING).ok_or(invalid("malformed Ed25519 private key"))?;
    if seed.len() != 32 {
        return Err(invalid("an Ed25519 private key is 32 bytes"));
    }
    let pair = Ed25519KeyPair::from_seed_unchecked(seed).map_err(|_| invalid("malformed Ed25519 private key"))?;
    let public = pair.public_key().as_ref().to_vec();
    if let Some(stored) = stored_public
        && der::bit_string_bytes(stored) != Some(public.as_slice())
    {
        return Err(invalid(
            "the public key stored with the Ed25519 key does not belong to it",
        ));
    }
    Ok(PublicHalf::Ed25519 { public })
}

/// Whether `key` is the private half of `cert`'s public key (CG303). Keys of another algorithm or
/// curve simply do not match. An EC key stored without its public point cannot be checked.
pub fn key_matches(key: &PrivateKey, cert: &Certificate) -> Result<bool, KeyError> {
    let cert_key = &cert.public_key;
    match (&key.public, &cert_key.kind) {
        (PublicHalf::Rsa { n, e }, PublicKeyKind::Rsa { .. }) => Ok(cert_key
            .rsa_components()
            .is_some_and(|(cn, ce)| cn == n.as_slice() && ce == e.as_slice())),
        (PublicHalf::Ec { point }, PublicKeyKind::Ec { curve }) => {
            if !matches!(&key.kind, PrivateKeyKind::Ec { curve: c } if c == curve) {
                return Ok(false);
            }
            let Some(point) = point else {
                return Err(KeyError::Unsupported {
                    what: "an EC private key stored without its public key: certgate cannot derive it to compare \
                           (re-export it with `openssl pkey`)"
                        .into(),
                });
            };
            Ok(same_point(point, &cert_key.key))
        }
        (PublicHalf::Ed25519 { public }, PublicKeyKind::Ed25519) => Ok(public.as_slice() == cert_key.key.as_slice()),
        _ => Ok(false),
    }
}

/// Compare two SEC1 points, either of which may be compressed: `04‖X‖Y` equals `02‖X` (Y even) or
/// `03‖X` (Y odd).
fn same_point(a: &[u8], b: &[u8]) -> bool {
    match (a.split_first(), b.split_first()) {
        (Some((&fa, ra)), Some((&fb, rb))) if fa == fb => ra == rb,
        (Some((&0x04, full)), Some((&prefix @ (0x02 | 0x03), x)))
        | (Some((&prefix @ (0x02 | 0x03), x)), Some((&0x04, full))) => {
            full.len() == 2 * x.len() && &full[..x.len()] == x && full.last().map(|y| y & 1) == Some(prefix & 1)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::cert::parse_certificate;
    use crate::crypto::test_support::*;

    #[test]
    fn parses_pkcs8_keys_of_every_supported_kind_and_matches_them() {
        for (alg, kind) in [
            (Alg::Rsa2048, PrivateKeyKind::Rsa { bits: 2048 }),
            (Alg::Rsa3072, PrivateKeyKind::Rsa { bits: 3072 }),
            (Alg::EcP256, PrivateKeyKind::Ec { curve: EcCurve::P256 }),
            (Alg::EcP384, PrivateKeyKind::Ec { curve: EcCurve::P384 }),
            (Alg::Ed25519, PrivateKeyKind::Ed25519),
        ] {
            let ca = Ca::new(alg, "Root");
            let leaf = ca.leaf(alg, "leaf", &["leaf.example.com"]);
            let key = parse_private_key("PRIVATE KEY", &leaf.key_pkcs8).unwrap();
            assert_eq!(key.kind(), &kind);
            assert_eq!(key.format(), KeyFormat::Pkcs8);
            assert!(!key.is_weak());
            let leaf_cert = parse_certificate(&leaf.der).unwrap();
            let ca_cert = parse_certificate(&ca.der).unwrap();
            assert_eq!(key_matches(&key, &leaf_cert), Ok(true), "{alg:?}");
            // Same algorithm, other key: the CA's.
            assert_eq!(key_matches(&key, &ca_cert), Ok(false), "{alg:?}");
        }
    }

    #[test]
    fn keys_of_another_kind_do_not_match() {
        let rsa = Ca::new(Alg::Rsa2048, "R");
        let ec = Ca::new(Alg::EcP256, "E");
        let ec384 = Ca::new(Alg::EcP384, "E3");
        let rsa_key = parse_private_key("PRIVATE KEY", &rsa.key_pkcs8).unwrap();
        let ec_key = parse_private_key("PRIVATE KEY", &ec.key_pkcs8).unwrap();
        assert_eq!(key_matches(&rsa_key, &parse_certificate(&ec.der).unwrap()), Ok(false));
        assert_eq!(key_matches(&ec_key, &parse_certificate(&rsa.der).unwrap()), Ok(false));
        assert_eq!(key_matches(&ec_key, &parse_certificate(&ec384.der).unwrap()), Ok(false));
    }

    #[test]
    fn reads_pkcs1_inside_pkcs8() {
        let ca = Ca::new(Alg::Rsa2048, "Root");
        let inner = pkcs8_inner(&ca.key_pkcs8);
        let key = parse_private_key("RSA PRIVATE KEY", inner).unwrap();
        assert_eq!(key.format(), KeyFormat::Pkcs1);
        assert_eq!(key.kind(), &PrivateKeyKind::Rsa { bits: 2048 });
        assert_eq!(key_matches(&key, &parse_certificate(&ca.der).unwrap()), Ok(true));
    }

    #[test]
    fn reads_sec1_with_and_without_the_public_point() {
        let (der, cert_pem) = sec1_fixture();
        let key = parse_private_key("EC PRIVATE KEY", &der).unwrap();
        assert_eq!(key.kind(), &PrivateKeyKind::Ec { curve: EcCurve::P256 });
        assert_eq!(key.format(), KeyFormat::Sec1);
        let cert = parse_certificate(&cert_pem).unwrap();
        assert_eq!(key_matches(&key, &cert), Ok(true));

        // The same key without its [1] public key: parses, cannot be matched.
        let without = sec1_without_public(&der);
        let key = parse_private_key("EC PRIVATE KEY", &without).unwrap();
        assert!(matches!(key_matches(&key, &cert), Err(KeyError::Unsupported { .. })));

        // A public point that is not the scalar's.
        let mut tampered = der.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(matches!(
            parse_private_key("EC PRIVATE KEY", &tampered),
            Err(KeyError::Invalid { .. })
        ));
    }

    #[test]
    fn compressed_points_compare() {
        let mut full = vec![0x04];
        full.extend([1u8; 32]);
        full.extend([2u8; 31]);
        full.push(3); // odd Y
        let mut compressed = vec![0x03];
        compressed.extend([1u8; 32]);
        assert!(same_point(&full, &compressed));
        assert!(same_point(&compressed, &full));
        compressed[0] = 0x02;
        assert!(!same_point(&full, &compressed));
        assert!(!same_point(&[], &full));
    }

    #[test]
    fn encrypted_unsupported_and_invalid() {
        assert_eq!(
            parse_private_key("ENCRYPTED PRIVATE KEY", &[]).unwrap_err(),
            KeyError::Encrypted
        );
        assert!(matches!(
            parse_private_key("DSA PRIVATE KEY", &[]),
            Err(KeyError::Unsupported { .. })
        ));
        assert!(matches!(
            parse_private_key("CERTIFICATE", &[]),
            Err(KeyError::Unsupported { .. })
        ));
        assert!(matches!(
            parse_private_key("PRIVATE KEY", &[]),
            Err(KeyError::Invalid { .. })
        ));
        assert!(matches!(
            parse_private_key("RSA PRIVATE KEY", &[0x30, 0x00]),
            Err(KeyError::Invalid { .. })
        ));
        // An RSA public key under the private label.
        let public = [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03];
        assert_eq!(
            parse_private_key("RSA PRIVATE KEY", &public).unwrap_err(),
            invalid("this is an RSA public key, not a private key")
        );
        // Ed448 PKCS#8 (RFC 8410 example shape).
        let mut ed448 = vec![
            0x30, 0x47, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x71, 0x04, 0x3b, 0x04, 0x39,
        ];
        ed448.extend([7u8; 57]);
        assert!(matches!(
            parse_private_key("PRIVATE KEY", &ed448),
            Err(KeyError::Unsupported { what }) if what.contains("Ed448")
        ));
    }

    #[test]
    fn truncations_never_panic() {
        let ca = Ca::new(Alg::Rsa2048, "Root");
        for cut in 0..ca.key_pkcs8.len() {
            assert!(parse_private_key("PRIVATE KEY", &ca.key_pkcs8[..cut]).is_err());
        }
        let ec = Ca::new(Alg::EcP384, "Root");
        for cut in 0..ec.key_pkcs8.len() {
            assert!(parse_private_key("PRIVATE KEY", &ec.key_pkcs8[..cut]).is_err());
        }
    }

    #[test]
    fn debug_and_errors_show_no_key_material() {
        let ca = Ca::new(Alg::Ed25519, "Root");
        let key = parse_private_key("PRIVATE KEY", &ca.key_pkcs8).unwrap();
        assert_eq!(format!("{key:?}"), "PrivateKey { kind: Ed25519, format: Pkcs8, .. }");
        let ec = Ca::new(Alg::EcP256, "Root");
        let key = parse_private_key("PRIVATE KEY", &ec.key_pkcs8).unwrap();
        assert_eq!(
            format!("{key:?}"),
            "PrivateKey { kind: Ec { curve: P256 }, format: Pkcs8, .. }"
        );
    }

    #[test]
    fn reads_an_indented_crlf_pem_key() {
        use base64::Engine as _;
        let ca = Ca::new(Alg::EcP256, "Root");
        let body = base64::engine::general_purpose::STANDARD.encode(&ca.key_pkcs8);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let text = format!(
            "  -----BEGIN PRIVATE KEY-----\r\n  {}\r\n  -----END PRIVATE KEY-----  \r\n",
            lines.join("\r\n  ")
        );
        let scan = crate::source::pem::scan(&text);
        assert!(scan.problems.is_empty(), "{:?}", scan.problems);
        let block = &scan.blocks[0];
        let key = parse_private_key(block.label.as_str(), block.der.as_deref().unwrap()).unwrap();
        assert_eq!(key_matches(&key, &parse_certificate(&ca.der).unwrap()), Ok(true));
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_are_never_a_key_and_never_panic(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
            label in proptest::sample::select(vec!["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "X"]),
        ) {
            // A key is a DER structure with a version and key fields in place; random bytes are
            // rejected, never mistaken for one.
            proptest::prop_assert!(parse_private_key(label, &bytes).is_err());
        }

        #[test]
        fn damaged_keys_never_panic(at in 0usize..2000, value in proptest::num::u8::ANY) {
            for alg in [Alg::Rsa2048, Alg::EcP256, Alg::Ed25519] {
                let ca = Ca::new(alg, "Root");
                let mut der = ca.key_pkcs8.clone();
                let i = at % der.len();
                der[i] = value;
                let cert = parse_certificate(&ca.der).unwrap();
                if let Ok(key) = parse_private_key("PRIVATE KEY", &der) {
                    let _ = key_matches(&key, &cert);
                }
                let inner = pkcs8_inner(&ca.key_pkcs8).to_vec();
                let mut inner = inner;
                let j = at % inner.len();
                inner[j] = value;
                let _ = parse_private_key("RSA PRIVATE KEY", &inner);
                let _ = parse_private_key("EC PRIVATE KEY", &inner);
            }
        }
    }
}
