//! A PKCS#12 trust store (RFC 7292) of trusted certificates only, in the shape Java reads as
//! `trustedCertEntry`s. PKCS#12 is Java's default `keystore.type` since Java 9 (JEP 229); Kafka
//! clients read it with `ssl.truststore.type=PKCS12`, and with the default `JKS` too, since a JKS
//! keystore loads a PKCS#12 file (`keystore.type.compat=true` in `java.security`).
//!
//! Written by hand, with the DER writer below, because no crate writes what Java needs here:
//! `p12-keystore` 0.4 (the one that sets Oracle's trusted-key-usage attribute) always encrypts
//! the certificates with the password and always adds a MAC, so a store meant to be read without
//! a password holds nothing for Java (it skips encrypted contents it has no password for), and it
//! adds 38 crates, two of them pre-releases (`cms`, `pkcs12`). What is written:
//!
//! ```text
//! PFX { version 3,
//!       authSafe ContentInfo { data, AuthenticatedSafe {
//!           ContentInfo { data, SafeContents { CertBag, … } } } },   -- not encrypted
//!       macData { HMAC-SHA-256, salt, 10000 } }                      -- only with a password
//! ```
//!
//! - Certificates are public: they are not encrypted (RFC 7292 §4.1 allows plain `data`
//!   contents), so Java reads them with or without a password. With a password the MAC protects
//!   their integrity (RFC 7292 §5, Appendix B key derivation, SHA-256); without one there is no
//!   `macData`, which Java reads as "integrity not checked" and Kafka allows ("If a password is
//!   not set, trust store file configured will still be used, but integrity checking is
//!   disabled", `ssl.truststore.password`).
//! - Each certificate bag carries `friendlyName` (its alias) and Oracle's trusted-key-usage
//!   attribute (2.16.840.1.113894.746875.1.1) set to anyExtendedKeyUsage, without which Java's
//!   `sun.security.pkcs12.PKCS12KeyStore` skips the certificate (`keytool -list` shows no entry
//!   for it) rather than make it a `trustedCertEntry` (its `TrustedKeyUsage_id`; OpenSSL 3.2 writes the same attribute with
//!   `openssl pkcs12 -export -jdktrust anyExtendedKeyUsage`, `openssl-pkcs12(1)`).
//! - No key bag can be written: the only input is certificates' DER.
//! - The bytes are deterministic: the MAC salt is derived from the contents, so the same CAs and
//!   password give the same file, and an approval can name the file's SHA-256.

use ring::{digest, hmac};

/// MAC iterations: Java's default `keystore.pkcs12.macIterationCount` (10000, `java.security`);
/// OpenSSL writes 2048 (`PKCS12_DEFAULT_ITER`) and reads either.
const MAC_ITERATIONS: u32 = 10_000;

mod oid {
    /// PKCS#7 `data` (RFC 2315 §14).
    pub const DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    /// PKCS#12 `certBag` (RFC 7292 §4.2.3): 1.2.840.113549.1.12.10.1.3.
    pub const CERT_BAG: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x03];
    /// PKCS#9 `x509Certificate` certificate type (RFC 7292 §4.2.3): 1.2.840.113549.1.9.22.1.
    pub const X509_CERTIFICATE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x16, 0x01];
    /// PKCS#9 `friendlyName` (RFC 2985 §5.5.1): 1.2.840.113549.1.9.20.
    pub const FRIENDLY_NAME: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x14];
    /// Oracle's trusted key usage: 2.16.840.1.113894.746875.1.1.
    pub const ORACLE_TRUSTED_KEY_USAGE: &[u8] =
        &[0x60, 0x86, 0x48, 0x01, 0x86, 0xf9, 0x66, 0xad, 0xca, 0x7b, 0x01, 0x01];
    /// anyExtendedKeyUsage (RFC 5280 §4.2.1.12): 2.5.29.37.0.
    pub const ANY_EXTENDED_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25, 0x00];
    /// SHA-256 (RFC 5754 §2.2): 2.16.840.1.101.3.4.2.1.
    pub const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
}

/// DER tags used here (X.690 §8).
mod tag {
    pub const INTEGER: u8 = 0x02;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const BMP_STRING: u8 = 0x1e;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
    /// `[0] EXPLICIT`, constructed.
    pub const CONTEXT_0: u8 = 0xa0;
}

/// One trusted certificate: its alias (Java lists it under that name) and its DER.
pub struct TrustedCert<'a> {
    pub alias: &'a str,
    pub der: &'a [u8],
}

/// The PKCS#12 file trusting `certs`, with a MAC under `password` when one is given.
pub fn trust_store(certs: &[TrustedCert<'_>], password: Option<&str>) -> Vec<u8> {
    let bags: Vec<u8> = certs.iter().flat_map(cert_bag).collect();
    let safe_contents = tlv(tag::SEQUENCE, &bags);
    let authenticated_safe = tlv(tag::SEQUENCE, &content_info_data(&safe_contents));
    let mut pfx = integer(3);
    pfx.extend(content_info_data(&authenticated_safe));
    if let Some(password) = password {
        pfx.extend(mac_data(&authenticated_safe, password));
    }
    tlv(tag::SEQUENCE, &pfx)
}

/// `SafeBag { certBag, [0] CertBag { x509Certificate, [0] OCTET STRING }, attributes }`.
fn cert_bag(cert: &TrustedCert<'_>) -> Vec<u8> {
    let cert_value = tlv(tag::CONTEXT_0, &tlv(tag::OCTET_STRING, cert.der));
    let cert_bag = sequence(&[tlv(tag::OID, oid::X509_CERTIFICATE), cert_value]);
    let friendly_name = attribute(oid::FRIENDLY_NAME, &bmp_string(cert.alias));
    let trusted = attribute(
        oid::ORACLE_TRUSTED_KEY_USAGE,
        &tlv(tag::OID, oid::ANY_EXTENDED_KEY_USAGE),
    );
    // A SET OF is sorted by encoding in DER (X.690 §11.6).
    let mut attributes = [friendly_name, trusted];
    attributes.sort();
    sequence(&[
        tlv(tag::OID, oid::CERT_BAG),
        tlv(tag::CONTEXT_0, &cert_bag),
        tlv(tag::SET, &attributes.concat()),
    ])
}

/// `PKCS12Attribute { attrId, SET { value } }`.
fn attribute(id: &[u8], value: &[u8]) -> Vec<u8> {
    sequence(&[tlv(tag::OID, id), tlv(tag::SET, value)])
}

/// `ContentInfo { data, [0] EXPLICIT OCTET STRING }` (RFC 2315 §7).
fn content_info_data(content: &[u8]) -> Vec<u8> {
    let explicit = tlv(tag::CONTEXT_0, &tlv(tag::OCTET_STRING, content));
    sequence(&[tlv(tag::OID, oid::DATA), explicit])
}

/// `MacData { DigestInfo { sha256, mac }, macSalt, iterations }` over the AuthenticatedSafe
/// (RFC 7292 §4, §5.1: the MAC covers the content octets of `authSafe`).
fn mac_data(authenticated_safe: &[u8], password: &str) -> Vec<u8> {
    // Derived from the contents rather than random, so that the file is reproducible (the salt
    // only has to differ between stores to defeat precomputation, RFC 7292 §5.1).
    let seed = [b"certgate pkcs12 mac salt".as_slice(), authenticated_safe].concat();
    let seed = digest::digest(&digest::SHA256, &seed);
    let salt = &seed.as_ref()[..16];
    let key = pkcs12_kdf(password, salt, 3, MAC_ITERATIONS);
    let mac = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), authenticated_safe);
    let algorithm = sequence(&[tlv(tag::OID, oid::SHA256), tlv(tag::NULL, &[])]);
    let digest_info = sequence(&[algorithm, tlv(tag::OCTET_STRING, mac.as_ref())]);
    sequence(&[digest_info, tlv(tag::OCTET_STRING, salt), integer(MAC_ITERATIONS)])
}

/// RFC 7292 Appendix B.2 with SHA-256 (u = 32, v = 64), for a key of 32 bytes (one block, so
/// step 6.C, which prepares further blocks, is never needed). `id` 3: a MAC key (B.3). The
/// password is a BMPString with its two-byte terminator (B.1), as Java and OpenSSL encode it.
fn pkcs12_kdf(password: &str, salt: &[u8], id: u8, iterations: u32) -> [u8; 32] {
    const V: usize = 64;
    let mut pass: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    pass.extend([0, 0]);
    let stretch = |s: &[u8]| -> Vec<u8> {
        let len = s.len().div_ceil(V) * V;
        s.iter().copied().cycle().take(len).collect()
    };
    let mut input = vec![id; V];
    input.extend(stretch(salt));
    input.extend(stretch(&pass));
    let mut a = digest::digest(&digest::SHA256, &input);
    for _ in 1..iterations {
        a = digest::digest(&digest::SHA256, a.as_ref());
    }
    let mut key = [0; 32];
    key.copy_from_slice(a.as_ref());
    key
}

/// A BMPString: UTF-16 big-endian (X.680 §41). Characters beyond the BMP are replaced, as a
/// BMPString cannot hold them (aliases are certgate's own ASCII names).
fn bmp_string(s: &str) -> Vec<u8> {
    let units: Vec<u8> = s
        .chars()
        .map(|c| u16::try_from(u32::from(c)).unwrap_or(0xfffd))
        .flat_map(u16::to_be_bytes)
        .collect();
    tlv(tag::BMP_STRING, &units)
}

/// A non-negative INTEGER, minimal length, with a leading zero when the top bit is set.
fn integer(n: u32) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(3);
    let mut content = bytes[first..].to_vec();
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    tlv(tag::INTEGER, &content)
}

/// A SEQUENCE of `parts`, each already encoded.
fn sequence(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(tag::SEQUENCE, &parts.concat())
}

/// Tag, definite length (short form under 128, long form above: X.690 §8.1.3), content.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - first) as u8);
        out.extend(&bytes[first..]);
    }
    out.extend(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_use_the_short_form_under_128_and_the_long_form_above() {
        assert_eq!(tlv(0x04, &[7; 3]), [0x04, 3, 7, 7, 7]);
        assert_eq!(&tlv(0x04, &[0; 200])[..3], [0x04, 0x81, 200]);
        assert_eq!(&tlv(0x04, &[0; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn integers_are_minimal_and_non_negative() {
        assert_eq!(integer(3), [0x02, 1, 3]);
        assert_eq!(integer(10_000), [0x02, 2, 0x27, 0x10]);
        assert_eq!(integer(128), [0x02, 2, 0, 0x80]);
        assert_eq!(integer(0), [0x02, 1, 0]);
    }

    #[test]
    fn the_kdf_gives_what_openssl_gives() {
        // OpenSSL 3's PKCS12KDF takes the password as bytes, so it is given as the BMPString:
        // `openssl kdf -keylen 32 -kdfopt digest:SHA256
        //  -kdfopt hexpass:006300680061006e00670065006900740000 -kdfopt hexsalt:0102030405060708
        //  -kdfopt iter:2048 -kdfopt id:3 PKCS12KDF`
        let key = pkcs12_kdf("changeit", &[1, 2, 3, 4, 5, 6, 7, 8], 3, 2048);
        let hex: String = key.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":");
        assert_eq!(
            hex,
            "3C:26:AF:FC:9E:C7:1B:39:E0:E2:75:4F:FD:B2:D8:65:3C:AB:B0:C8:C0:12:E5:96:2C:CA:38:07:5D:84:5B:5E"
        );
    }

    #[test]
    fn the_same_certificates_and_password_give_the_same_bytes() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x01];
        let certs = [TrustedCert {
            alias: "old-ca",
            der: &der,
        }];
        assert_eq!(trust_store(&certs, Some("pw")), trust_store(&certs, Some("pw")));
        assert_ne!(trust_store(&certs, Some("pw")), trust_store(&certs, Some("other")));
        assert!(trust_store(&certs, None).len() < trust_store(&certs, Some("pw")).len());
    }
}
