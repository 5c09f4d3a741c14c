//! Certificate material: what the CG3xx rules know about certificates and keys, by cryptography
//! rather than by names.
//!
//! - [`cert`]: DER to an owned [`Certificate`] (names, serial, fingerprint, dates, extensions, key
//!   and signature algorithm) and [`validity_at`], at a [`Moment`].
//! - [`key`]: private keys (PKCS#8, PKCS#1, SEC1) and whether one belongs to a certificate. A
//!   [`PrivateKey`] keeps only its public half: no private key material outlives parsing.
//! - [`verify`]: one signature ([`verify_signed_by`]) and a whole bundle ([`verify_chain`]), telling a
//!   bad signature from one that cannot be checked (unsupported algorithm, weak key).
//!
//! Parsing PEM text into blocks is [`crate::source::pem`]'s job; this module takes DER.

pub mod bundle;
pub mod cert;
pub mod clients;
mod der;
pub mod key;
pub mod verify;

#[cfg(test)]
pub(crate) mod test_support;

pub use cert::{
    BasicConstraints, CertError, Certificate, EcCurve, ExtendedKeyUsage, KeyUsage, Moment, PssParams, PublicKeyInfo,
    PublicKeyKind, SignatureAlgorithm, SignatureHash, Validity, parse_certificate, validity_at,
};
pub use clients::{ClientPath, RejectReason, Rejection};
pub use key::{KeyError, KeyFormat, PrivateKey, PrivateKeyKind, key_matches, parse_private_key};
pub use verify::{
    BreakReason, CaProblem, ChainCert, ChainOutcome, ChainResult, Link, VerifyError, ca_problems,
    eku_excludes_server_auth, verify_chain, verify_signed_by,
};

/// Dotted object identifiers certgate recognises.
pub(crate) mod oid {
    // Public key algorithms.
    pub const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
    pub const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
    pub const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
    pub const ED25519: &str = "1.3.101.112";
    pub const ED448: &str = "1.3.101.113";
    pub const X25519: &str = "1.3.101.110";
    pub const X448: &str = "1.3.101.111";
    pub const DSA: &str = "1.2.840.10040.4.1";

    // Named curves.
    pub const P192: &str = "1.2.840.10045.3.1.1";
    pub const P224: &str = "1.3.132.0.33";
    pub const P256: &str = "1.2.840.10045.3.1.7";
    pub const P384: &str = "1.3.132.0.34";
    pub const P521: &str = "1.3.132.0.35";
    pub const SECP256K1: &str = "1.3.132.0.10";

    // Signature algorithms.
    pub const MD2_RSA: &str = "1.2.840.113549.1.1.2";
    pub const MD4_RSA: &str = "1.2.840.113549.1.1.3";
    pub const MD5_RSA: &str = "1.2.840.113549.1.1.4";
    pub const SHA1_RSA: &str = "1.2.840.113549.1.1.5";
    pub const SHA1_RSA_OIW: &str = "1.3.14.3.2.29";
    pub const SHA256_RSA: &str = "1.2.840.113549.1.1.11";
    pub const SHA384_RSA: &str = "1.2.840.113549.1.1.12";
    pub const SHA512_RSA: &str = "1.2.840.113549.1.1.13";
    pub const SHA224_RSA: &str = "1.2.840.113549.1.1.14";
    pub const ECDSA_SHA1: &str = "1.2.840.10045.4.1";
    pub const ECDSA_SHA224: &str = "1.2.840.10045.4.3.1";
    pub const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
    pub const ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
    pub const ECDSA_SHA512: &str = "1.2.840.10045.4.3.4";
    pub const DSA_SHA1: &str = "1.2.840.10040.4.3";
    pub const DSA_SHA224: &str = "2.16.840.1.101.3.4.3.1";
    pub const DSA_SHA256: &str = "2.16.840.1.101.3.4.3.2";

    // The mask generation function of RSASSA-PSS parameters (RFC 8017 §B.2.1).
    pub const MGF1: &str = "1.2.840.113549.1.1.8";

    // Digests (in RSASSA-PSS parameters).
    pub const MD5: &str = "1.2.840.113549.2.5";
    pub const SHA1: &str = "1.3.14.3.2.26";
    pub const SHA224: &str = "2.16.840.1.101.3.4.2.4";
    pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";
    pub const SHA384: &str = "2.16.840.1.101.3.4.2.2";
    pub const SHA512: &str = "2.16.840.1.101.3.4.2.3";

    // Encrypted PKCS#8 under a "PRIVATE KEY" label.
    pub const PBES2: &str = "1.2.840.113549.1.5.13";
}
