//! The algorithms of a certificate, named as OpenSSL names them: the subject's key (kind, size,
//! curve) and the signature algorithm with its hash (and, for RSASSA-PSS, its parameters).

use std::fmt;

use super::{der, oid, oid_name};

/// The subject's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyInfo {
    pub kind: PublicKeyKind,
    /// The whole SubjectPublicKeyInfo, DER (what `openssl x509 -pubkey` prints as PEM).
    pub spki_der: Vec<u8>,
    /// The key bits themselves (the BIT STRING's content): an RSAPublicKey, an EC point, or the 32
    /// bytes of an Ed25519 key.
    pub(crate) key: Vec<u8>,
}

impl PublicKeyInfo {
    /// Key size in bits: RSA modulus length, EC field size, 256 for Ed25519, 0 when unknown.
    pub fn bits(&self) -> u32 {
        match &self.kind {
            PublicKeyKind::Rsa { bits } => *bits,
            PublicKeyKind::Ec { curve } => curve.bits().unwrap_or(0),
            PublicKeyKind::Ed25519 => 256,
            PublicKeyKind::Other(_) => 0,
        }
    }

    /// CG309: RSA under 2048 bits, EC under 256 bits. Unknown sizes are not called weak here.
    pub fn is_weak(&self) -> bool {
        match &self.kind {
            PublicKeyKind::Rsa { bits } => *bits < 2048,
            PublicKeyKind::Ec { curve } => curve.bits().is_some_and(|b| b < 256),
            PublicKeyKind::Ed25519 | PublicKeyKind::Other(_) => false,
        }
    }

    /// The RSA modulus and public exponent, without leading zeros.
    pub(crate) fn rsa_components(&self) -> Option<(&[u8], &[u8])> {
        let mut seq = der::Tlvs::new(der::single(&self.key, der::SEQUENCE)?);
        let n = der::unsigned(seq.expect(der::INTEGER)?)?;
        let e = der::unsigned(seq.expect(der::INTEGER)?)?;
        seq.is_empty().then_some((n, e))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKeyKind {
    Rsa {
        bits: u32,
    },
    Ec {
        curve: EcCurve,
    },
    Ed25519,
    /// Any other algorithm (DSA, Ed448, X25519, GOST…), as its dotted OID.
    Other(String),
}

impl PublicKeyKind {
    /// The report's `key_type`: `RSA`, `EC`, `Ed25519`, or the OID.
    pub fn name(&self) -> String {
        match self {
            PublicKeyKind::Rsa { .. } => "RSA".into(),
            PublicKeyKind::Ec { .. } => "EC".into(),
            PublicKeyKind::Ed25519 => "Ed25519".into(),
            PublicKeyKind::Other(oid) => oid_name(oid).map_or_else(|| oid.clone(), str::to_string),
        }
    }
}

impl fmt::Display for PublicKeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublicKeyKind::Rsa { bits } => write!(f, "RSA-{bits}"),
            PublicKeyKind::Ec { curve } => write!(f, "EC {curve}"),
            other => f.write_str(&other.name()),
        }
    }
}

/// A named elliptic curve.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EcCurve {
    P256,
    P384,
    P521,
    /// Any other curve, as its dotted OID (or `explicit` for explicit parameters).
    Other(String),
}

impl EcCurve {
    pub(crate) fn from_oid(oid: &str) -> Self {
        match oid {
            oid::P256 => EcCurve::P256,
            oid::P384 => EcCurve::P384,
            oid::P521 => EcCurve::P521,
            other => EcCurve::Other(other.to_string()),
        }
    }

    /// NIST name, or the OpenSSL short name for a few others, or the OID.
    pub fn name(&self) -> &str {
        match self {
            EcCurve::P256 => "P-256",
            EcCurve::P384 => "P-384",
            EcCurve::P521 => "P-521",
            EcCurve::Other(oid) => oid_name(oid).unwrap_or(oid),
        }
    }

    /// Field size in bits, when known.
    pub fn bits(&self) -> Option<u32> {
        match self {
            EcCurve::P256 => Some(256),
            EcCurve::P384 => Some(384),
            EcCurve::P521 => Some(521),
            EcCurve::Other(oid) => match oid.as_str() {
                oid::P192 => Some(192),
                oid::P224 => Some(224),
                oid::SECP256K1 => Some(256),
                _ => None,
            },
        }
    }
}

impl fmt::Display for EcCurve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The certificate's signature algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureAlgorithm {
    /// The name `openssl x509 -text` prints (OpenSSL's long name): `sha256WithRSAEncryption`,
    /// `ecdsa-with-SHA256`, `ED25519`, `rsassaPss` (whose short name is `RSASSA-PSS`), or the dotted
    /// OID for one certgate does not name.
    pub name: String,
    pub oid: String,
    pub hash: SignatureHash,
    /// For `rsassaPss`, its parameters with their defaults applied; `None` for other algorithms,
    /// and when they do not parse (`hash` is then `Unknown`).
    pub pss: Option<PssParams>,
}

/// RSASSA-PSS-params (RFC 4055 §3.1) beyond the hash, which is [`SignatureAlgorithm::hash`]. An
/// absent field has its default: MGF1 with SHA-1, a salt of 20 bytes, trailerField 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PssParams {
    /// The hash of the mask generation function when it is MGF1 (RFC 8017 §B.2.1); `None` for
    /// another function, or parameters that do not parse.
    pub mgf1_hash: Option<SignatureHash>,
    /// In bytes.
    pub salt_length: u32,
    pub trailer_field: u32,
}

impl SignatureAlgorithm {
    /// CG310: the hash is MD2, MD4, MD5 or SHA-1.
    pub fn is_weak(&self) -> bool {
        self.hash.is_weak()
    }

    pub(crate) fn family(&self) -> SignatureFamily {
        match self.oid.as_str() {
            oid::MD2_RSA
            | oid::MD4_RSA
            | oid::MD5_RSA
            | oid::SHA1_RSA
            | oid::SHA1_RSA_OIW
            | oid::SHA224_RSA
            | oid::SHA256_RSA
            | oid::SHA384_RSA
            | oid::SHA512_RSA => SignatureFamily::RsaPkcs1,
            oid::RSASSA_PSS => SignatureFamily::RsaPss,
            oid::ECDSA_SHA1 | oid::ECDSA_SHA224 | oid::ECDSA_SHA256 | oid::ECDSA_SHA384 | oid::ECDSA_SHA512 => {
                SignatureFamily::Ecdsa
            }
            oid::ED25519 => SignatureFamily::Ed25519,
            _ => SignatureFamily::Other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureFamily {
    RsaPkcs1,
    RsaPss,
    Ecdsa,
    Ed25519,
    Other,
}

/// The digest a signature algorithm signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureHash {
    Md2,
    Md4,
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    /// EdDSA signs the message itself.
    Intrinsic,
    Unknown,
}

impl SignatureHash {
    pub fn is_weak(self) -> bool {
        matches!(
            self,
            SignatureHash::Md2 | SignatureHash::Md4 | SignatureHash::Md5 | SignatureHash::Sha1
        )
    }

    /// The digest's length in bytes; `None` for EdDSA and unknown hashes.
    pub fn output_len(self) -> Option<u32> {
        match self {
            SignatureHash::Md2 | SignatureHash::Md4 | SignatureHash::Md5 => Some(16),
            SignatureHash::Sha1 => Some(20),
            SignatureHash::Sha224 => Some(28),
            SignatureHash::Sha256 => Some(32),
            SignatureHash::Sha384 => Some(48),
            SignatureHash::Sha512 => Some(64),
            SignatureHash::Intrinsic | SignatureHash::Unknown => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SignatureHash::Md2 => "md2",
            SignatureHash::Md4 => "md4",
            SignatureHash::Md5 => "md5",
            SignatureHash::Sha1 => "sha1",
            SignatureHash::Sha224 => "sha224",
            SignatureHash::Sha256 => "sha256",
            SignatureHash::Sha384 => "sha384",
            SignatureHash::Sha512 => "sha512",
            SignatureHash::Intrinsic => "intrinsic",
            SignatureHash::Unknown => "unknown",
        }
    }

    fn from_digest_oid(oid: &str) -> Self {
        match oid {
            oid::MD5 => SignatureHash::Md5,
            oid::SHA1 => SignatureHash::Sha1,
            oid::SHA224 => SignatureHash::Sha224,
            oid::SHA256 => SignatureHash::Sha256,
            oid::SHA384 => SignatureHash::Sha384,
            oid::SHA512 => SignatureHash::Sha512,
            _ => SignatureHash::Unknown,
        }
    }
}

impl fmt::Display for SignatureHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub(super) fn public_key_info(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> PublicKeyInfo {
    let algorithm = spki.algorithm.algorithm.to_id_string();
    let key = spki.subject_public_key.data.to_vec();
    let kind = match algorithm.as_str() {
        // An RSA-PSS key is an RSA key restricted to PSS: same RSAPublicKey inside.
        oid::RSA_ENCRYPTION | oid::RSASSA_PSS => {
            let bits = der::single(&key, der::SEQUENCE)
                .and_then(|seq| der::Tlvs::new(seq).expect(der::INTEGER))
                .map_or(0, der::bit_len);
            PublicKeyKind::Rsa { bits }
        }
        oid::EC_PUBLIC_KEY => {
            let curve = match spki.algorithm.parameters.as_ref().map(|p| p.as_oid()) {
                Some(Ok(curve)) => EcCurve::from_oid(&curve.to_id_string()),
                // specifiedCurve / implicitCurve: explicit parameters, which no one should use.
                _ => EcCurve::Other("explicit".into()),
            };
            PublicKeyKind::Ec { curve }
        }
        oid::ED25519 => PublicKeyKind::Ed25519,
        other => PublicKeyKind::Other(other.to_string()),
    };
    PublicKeyInfo {
        kind,
        spki_der: spki.raw.to_vec(),
        key,
    }
}

pub(super) fn signature_algorithm(alg: &x509_parser::x509::AlgorithmIdentifier<'_>) -> SignatureAlgorithm {
    let oid = alg.algorithm.to_id_string();
    let mut pss = None;
    let (name, hash) = match oid.as_str() {
        oid::MD2_RSA => ("md2WithRSAEncryption", SignatureHash::Md2),
        oid::MD4_RSA => ("md4WithRSAEncryption", SignatureHash::Md4),
        oid::MD5_RSA => ("md5WithRSAEncryption", SignatureHash::Md5),
        oid::SHA1_RSA => ("sha1WithRSAEncryption", SignatureHash::Sha1),
        oid::SHA1_RSA_OIW => ("sha1WithRSA", SignatureHash::Sha1),
        oid::SHA224_RSA => ("sha224WithRSAEncryption", SignatureHash::Sha224),
        oid::SHA256_RSA => ("sha256WithRSAEncryption", SignatureHash::Sha256),
        oid::SHA384_RSA => ("sha384WithRSAEncryption", SignatureHash::Sha384),
        oid::SHA512_RSA => ("sha512WithRSAEncryption", SignatureHash::Sha512),
        oid::RSASSA_PSS => match pss_params(alg) {
            Some((hash, params)) => {
                pss = Some(params);
                ("rsassaPss", hash)
            }
            None => ("rsassaPss", SignatureHash::Unknown),
        },
        oid::ECDSA_SHA1 => ("ecdsa-with-SHA1", SignatureHash::Sha1),
        oid::ECDSA_SHA224 => ("ecdsa-with-SHA224", SignatureHash::Sha224),
        oid::ECDSA_SHA256 => ("ecdsa-with-SHA256", SignatureHash::Sha256),
        oid::ECDSA_SHA384 => ("ecdsa-with-SHA384", SignatureHash::Sha384),
        oid::ECDSA_SHA512 => ("ecdsa-with-SHA512", SignatureHash::Sha512),
        oid::ED25519 => ("ED25519", SignatureHash::Intrinsic),
        oid::ED448 => ("ED448", SignatureHash::Intrinsic),
        oid::DSA_SHA1 => ("dsaWithSHA1", SignatureHash::Sha1),
        oid::DSA_SHA224 => ("dsa_with_SHA224", SignatureHash::Sha224),
        oid::DSA_SHA256 => ("dsa_with_SHA256", SignatureHash::Sha256),
        _ => ("", SignatureHash::Unknown),
    };
    SignatureAlgorithm {
        name: if name.is_empty() { oid.clone() } else { name.to_string() },
        oid,
        hash,
        pss,
    }
}

/// The hash and the other RSASSA-PSS parameters, their absent fields (or all of them, absent
/// parameters) meaning the RFC 4055 §3.1 defaults; `None` when they do not parse.
fn pss_params(alg: &x509_parser::x509::AlgorithmIdentifier<'_>) -> Option<(SignatureHash, PssParams)> {
    let Some(params) = alg.parameters.as_ref() else {
        let defaults = PssParams {
            mgf1_hash: Some(SignatureHash::Sha1),
            salt_length: 20,
            trailer_field: 1,
        };
        return Some((SignatureHash::Sha1, defaults));
    };
    let pss = x509_parser::signature_algorithm::RsaSsaPssParams::try_from(params).ok()?;
    let hash = SignatureHash::from_digest_oid(&pss.hash_algorithm_oid().to_id_string());
    let mgf1_hash = pss
        .mask_gen_algorithm()
        .ok()
        .filter(|mgf| mgf.mgf.to_id_string() == oid::MGF1)
        .map(|mgf| SignatureHash::from_digest_oid(&mgf.hash.to_id_string()));
    let params = PssParams {
        mgf1_hash,
        salt_length: pss.salt_length(),
        trailer_field: pss.trailer_field(),
    };
    Some((hash, params))
}
