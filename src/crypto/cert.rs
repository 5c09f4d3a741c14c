//! X.509 certificates as certgate reports and checks them: [`parse_certificate`] turns DER into an
//! owned [`Certificate`] (no lifetimes, so callers can keep it) with every field the CG3xx rules
//! and the JSON report's `certificates` list need, named and formatted as OpenSSL prints them.
//!
//! Parsing is `x509-parser`'s; this module only picks fields and names algorithms. Signatures are
//! checked in [`super::verify`], which re-reads the DER kept here. The algorithms (key kinds,
//! curves, signature algorithms and their hashes) are named in [`algorithm`].

mod algorithm;

pub(crate) use algorithm::SignatureFamily;
pub use algorithm::{EcCurve, PssParams, PublicKeyInfo, PublicKeyKind, SignatureAlgorithm, SignatureHash};
use algorithm::{public_key_info, signature_algorithm};

use std::net::IpAddr;

use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use x509_parser::certificate::{TbsCertificate, X509Certificate};
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

use super::der;
use super::oid;
use crate::source::files::hex;

/// Why DER is not a certificate certgate can read (CG301).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("not an X.509 certificate: {0}")]
    Malformed(String),
    #[error("{extra} bytes follow the certificate's DER")]
    TrailingData { extra: usize },
    /// A certificate extension certgate relies on is present twice or does not parse: OpenSSL refuses
    /// such a certificate in verification too.
    #[error("invalid {extension} extension: {detail}")]
    BadExtension { extension: &'static str, detail: String },
}

/// A parsed certificate. Fields are public for reading; build one with [`parse_certificate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Subject in RFC 4514 syntax, attributes in certificate order (as OpenSSL's default
    /// `-nameopt` prints them, without its spaces around `=`): `C=GB, O=Example, CN=kafka`.
    pub subject: String,
    pub issuer: String,
    /// Serial number: lowercase hex of its magnitude, no colons (`openssl x509 -serial`, lowercased).
    pub serial: String,
    /// SHA-256 of the DER: lowercase hex, no colons.
    pub sha256: String,
    /// Validity as Unix seconds, and as RFC 3339 (`2026-11-27T00:00:00Z`).
    pub not_before: i64,
    pub not_after: i64,
    pub not_before_rfc3339: String,
    pub not_after_rfc3339: String,
    /// 1, 2 or 3.
    pub version: u8,
    /// basicConstraints; `None` when the extension is absent.
    pub basic_constraints: Option<BasicConstraints>,
    /// keyUsage; `None` when the extension is absent.
    pub key_usage: Option<KeyUsage>,
    /// extendedKeyUsage; `None` when the extension is absent.
    pub extended_key_usage: Option<ExtendedKeyUsage>,
    /// subjectAltName DNS names and IP addresses, in certificate order.
    pub dns_names: Vec<String>,
    pub ip_addresses: Vec<IpAddr>,
    pub public_key: PublicKeyInfo,
    pub signature: SignatureAlgorithm,
    /// Subject and issuer are the same name (compared as OpenSSL does: case and spacing aside). A
    /// self-issued certificate is a root if its own key verifies it.
    pub is_self_issued: bool,
    /// subjectKeyIdentifier, when present.
    pub subject_key_id: Option<Vec<u8>>,
    /// authorityKeyIdentifier, when present.
    pub authority_key_id: Option<AuthorityKeyId>,
    /// The first extension marked critical that a mainstream TLS client does not process (see
    /// [`CLIENT_PROCESSED_EXTENSIONS`]), as a dotted OID.
    pub critical_unprocessed: Option<String>,
    pub(crate) der: Vec<u8>,
    /// Names in comparable form (see [`name_key`]).
    pub(crate) subject_key: String,
    pub(crate) issuer_key: String,
}

impl Certificate {
    /// The certificate's DER, exactly as given.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// basicConstraints CA flag; `None` when the extension is absent.
    pub fn ca(&self) -> Option<bool> {
        self.basic_constraints.map(|bc| bc.ca)
    }

    /// keyUsage is present and allows keyCertSign.
    pub fn key_cert_sign(&self) -> bool {
        self.key_usage.is_some_and(|ku| ku.key_cert_sign)
    }

    /// extendedKeyUsage is present and lists serverAuth (or anyExtendedKeyUsage).
    pub fn eku_server_auth(&self) -> bool {
        self.extended_key_usage
            .as_ref()
            .is_some_and(|eku| eku.server_auth || eku.any)
    }

    /// Whether this certificate's issuer name is `issuer`'s subject name.
    pub fn issued_by_name(&self, issuer: &Certificate) -> bool {
        self.issuer_key == issuer.subject_key
    }
}

/// An authorityKeyIdentifier (RFC 5280 §4.2.1.1): what the certificate says of its issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityKeyId {
    pub key_id: Option<Vec<u8>>,
    /// The first directoryName of authorityCertIssuer, in comparable form (see `name_key`).
    pub issuer_name: Option<String>,
    /// authorityCertSerialNumber, as [`Certificate::serial`] prints a serial.
    pub serial: Option<String>,
}

/// Extensions that both OpenSSL (`X509_supported_extension`, crypto/x509/v3_purp.c) and
/// rustls-webpki (`Cert::from_der`) process when critical: keyUsage, subjectAltName,
/// basicConstraints, nameConstraints, extKeyUsage. RFC 5280 §4.2: "A certificate-using system
/// MUST reject the certificate if it encounters a critical extension it does not recognize", so
/// any other critical extension makes one of them refuse the chain (OpenSSL refuses a critical
/// authorityKeyIdentifier or cRLDistributionPoints, webpki a critical certificatePolicies).
pub const CLIENT_PROCESSED_EXTENSIONS: [&str; 5] = ["2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.30", "2.5.29.37"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BasicConstraints {
    pub ca: bool,
    pub path_len: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyUsage {
    pub digital_signature: bool,
    pub key_encipherment: bool,
    pub key_agreement: bool,
    pub key_cert_sign: bool,
    pub crl_sign: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedKeyUsage {
    pub server_auth: bool,
    pub client_auth: bool,
    /// anyExtendedKeyUsage.
    pub any: bool,
    /// Other purposes, as dotted OIDs.
    pub other: Vec<String>,
}

/// Where a moment falls in a certificate's validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Validity {
    NotYetValid,
    Valid,
    Expired,
}

/// A time to judge certificates at: Unix seconds and the nanoseconds past them (`--now` may have a
/// fraction, the clock has one). Certificate times are whole seconds (RFC 5280 §4.1.2.5.1 and
/// §4.1.2.5.2: seconds always present, never fractions), so a moment compares exactly with one
/// through the whole second at or before it ([`Moment::floor`]) or at or after it
/// ([`Moment::ceil`]): for a whole second `t`, `t > moment` iff `t > floor`, and `t < moment` iff
/// `t < ceil`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Moment {
    secs: i64,
    /// Below 1_000_000_000.
    nanos: u32,
}

impl Moment {
    /// `secs` Unix seconds and `nanos` nanoseconds after them (a billion or more carry into
    /// seconds).
    pub fn new(secs: i64, nanos: u32) -> Moment {
        const BILLION: u32 = 1_000_000_000;
        Moment {
            secs: secs.saturating_add(i64::from(nanos / BILLION)),
            nanos: nanos % BILLION,
        }
    }

    /// The whole second at or before this moment: its Unix seconds, fraction dropped.
    pub fn floor(self) -> i64 {
        self.secs
    }

    /// The whole second at or after this moment.
    pub fn ceil(self) -> i64 {
        if self.nanos == 0 {
            self.secs
        } else {
            self.secs.saturating_add(1)
        }
    }

    /// Whether the moment falls between two whole seconds.
    pub fn has_fraction(self) -> bool {
        self.nanos != 0
    }

    /// The whole seconds from this moment to the whole second `t`, rounded down (negative once `t`
    /// is past): `floor(t - moment)`, which is `t - ceil`.
    pub fn seconds_until(self, t: i64) -> i64 {
        t.saturating_sub(self.ceil())
    }
}

impl From<i64> for Moment {
    fn from(secs: i64) -> Moment {
        Moment { secs, nanos: 0 }
    }
}

impl From<time::OffsetDateTime> for Moment {
    fn from(t: time::OffsetDateTime) -> Moment {
        Moment::new(t.unix_timestamp(), t.nanosecond())
    }
}

/// Validity of `cert` at `at` (Unix seconds, or a [`Moment`] with a fraction). Both bounds are
/// inclusive (RFC 5280 §4.1.2.5: valid "from notBefore through notAfter, inclusive"), as OpenSSL's
/// `X509_cmp_time` makes them: not yet valid while `at` is before notBefore, expired once it is
/// past notAfter, however little (12:00:00.5 is past a notAfter of 12:00:00).
pub fn validity_at(cert: &Certificate, at: impl Into<Moment>) -> Validity {
    let at = at.into();
    if at.floor() < cert.not_before {
        Validity::NotYetValid
    } else if at.ceil() > cert.not_after {
        Validity::Expired
    } else {
        Validity::Valid
    }
}

/// Parse one DER certificate. Trailing bytes are refused: the fingerprint must be of exactly what
/// was given.
pub fn parse_certificate(der: &[u8]) -> Result<Certificate, CertError> {
    let (rest, x509) = X509Certificate::from_der(der).map_err(|e| CertError::Malformed(e.to_string()))?;
    if !rest.is_empty() {
        return Err(CertError::TrailingData { extra: rest.len() });
    }
    let tbs = &x509.tbs_certificate;

    let subject = name_string(tbs.subject());
    let issuer = name_string(tbs.issuer());
    let subject_key = name_key(&subject);
    let issuer_key = name_key(&issuer);

    let not_before = tbs.validity().not_before.to_datetime();
    let not_after = tbs.validity().not_after.to_datetime();

    let (basic_constraints, key_usage, extended_key_usage) = usages(tbs)?;
    let (dns_names, ip_addresses) = alt_names(tbs)?;
    let ids = ExtensionFacts::of(tbs);

    let is_self_issued = subject_key == issuer_key;
    Ok(Certificate {
        serial: serial_hex(x509.raw_serial()),
        sha256: hex(&Sha256::digest(der)),
        not_before: not_before.unix_timestamp(),
        not_after: not_after.unix_timestamp(),
        not_before_rfc3339: rfc3339(not_before),
        not_after_rfc3339: rfc3339(not_after),
        // X509Version is 0-based; a v4 would be malformed, but don't wrap around on it.
        version: u8::try_from(tbs.version().0.saturating_add(1)).unwrap_or(u8::MAX),
        basic_constraints,
        key_usage,
        extended_key_usage,
        dns_names,
        ip_addresses,
        public_key: public_key_info(tbs.public_key()),
        signature: signature_algorithm(&x509.signature_algorithm),
        is_self_issued,
        subject_key_id: ids.subject_key_id,
        authority_key_id: ids.authority_key_id,
        critical_unprocessed: ids.critical_unprocessed,
        subject,
        issuer,
        subject_key,
        issuer_key,
        der: der.to_vec(),
    })
}

/// The error for an extension x509-parser could not read.
fn bad(extension: &'static str) -> impl Fn(x509_parser::error::X509Error) -> CertError {
    move |e| CertError::BadExtension {
        extension,
        detail: e.to_string(),
    }
}

/// basicConstraints, keyUsage and extendedKeyUsage, each when present.
type Usages = (Option<BasicConstraints>, Option<KeyUsage>, Option<ExtendedKeyUsage>);

fn usages(tbs: &TbsCertificate<'_>) -> Result<Usages, CertError> {
    let basic_constraints = tbs
        .basic_constraints()
        .map_err(bad("basicConstraints"))?
        .map(|ext| BasicConstraints {
            ca: ext.value.ca,
            path_len: ext.value.path_len_constraint,
        });
    let key_usage = tbs.key_usage().map_err(bad("keyUsage"))?.map(|ext| KeyUsage {
        digital_signature: ext.value.digital_signature(),
        key_encipherment: ext.value.key_encipherment(),
        key_agreement: ext.value.key_agreement(),
        key_cert_sign: ext.value.key_cert_sign(),
        crl_sign: ext.value.crl_sign(),
    });
    let extended_key_usage = tbs
        .extended_key_usage()
        .map_err(bad("extendedKeyUsage"))?
        .map(|ext| ExtendedKeyUsage {
            server_auth: ext.value.server_auth,
            client_auth: ext.value.client_auth,
            any: ext.value.any,
            other: ext.value.other.iter().map(|o| o.to_id_string()).collect(),
        });
    Ok((basic_constraints, key_usage, extended_key_usage))
}

/// The DNS names and IP addresses of the subjectAltName.
fn alt_names(tbs: &TbsCertificate<'_>) -> Result<(Vec<String>, Vec<IpAddr>), CertError> {
    let mut dns_names = Vec::new();
    let mut ip_addresses = Vec::new();
    if let Some(san) = tbs.subject_alternative_name().map_err(bad("subjectAltName"))? {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(dns) => dns_names.push((*dns).to_string()),
                GeneralName::IPAddress(bytes) => ip_addresses.extend(ip_from_bytes(bytes)),
                _ => {}
            }
        }
    }
    Ok((dns_names, ip_addresses))
}

/// The key identifiers, and the first critical extension no client processes.
struct ExtensionFacts {
    subject_key_id: Option<Vec<u8>>,
    authority_key_id: Option<AuthorityKeyId>,
    critical_unprocessed: Option<String>,
}

impl ExtensionFacts {
    fn of(tbs: &TbsCertificate<'_>) -> Self {
        let mut facts = ExtensionFacts {
            subject_key_id: None,
            authority_key_id: None,
            critical_unprocessed: None,
        };
        for ext in tbs.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(kid) => facts.subject_key_id = Some(kid.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(aki) => {
                    facts.authority_key_id = Some(AuthorityKeyId {
                        key_id: aki.key_identifier.as_ref().map(|k| k.0.to_vec()),
                        issuer_name: aki.authority_cert_issuer.as_ref().and_then(|names| {
                            names.iter().find_map(|n| match n {
                                GeneralName::DirectoryName(name) => Some(name_key(&name_string(name))),
                                _ => None,
                            })
                        }),
                        serial: aki.authority_cert_serial.map(serial_hex),
                    });
                }
                _ => {}
            }
            let oid = ext.oid.to_id_string();
            if ext.critical
                && facts.critical_unprocessed.is_none()
                && !CLIENT_PROCESSED_EXTENSIONS.contains(&oid.as_str())
            {
                facts.critical_unprocessed = Some(oid);
            }
        }
        facts
    }
}

/// A name in RFC 4514 syntax, attributes in certificate order (OpenSSL's default order), RDNs
/// joined by ", " and multi-valued RDNs by " + ".
fn name_string(name: &X509Name<'_>) -> String {
    name.iter_rdn()
        .map(|rdn| rdn.iter().map(attribute_string).collect::<Vec<_>>().join(" + "))
        .collect::<Vec<_>>()
        .join(", ")
}

fn attribute_string(attr: &AttributeTypeAndValue<'_>) -> String {
    let oid = attr.attr_type().to_id_string();
    let key = oid_name(&oid).map_or_else(|| oid.clone(), str::to_string);
    let value = attr.attr_value();
    let data = value.data;
    use x509_parser::der_parser::asn1_rs::Tag;
    let text = match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::NumericString | Tag::VisibleString => {
            Some(String::from_utf8_lossy(data).into_owned())
        }
        // BMPString is UTF-16BE; T61String is, in practice, Latin-1 (OpenSSL reads it so).
        Tag::BmpString => {
            let units: Vec<u16> = data
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]))
                .collect();
            Some(String::from_utf16_lossy(&units))
        }
        Tag::T61String => Some(data.iter().map(|&b| char::from(b)).collect()),
        Tag::UniversalString => Some(
            data.chunks(4)
                .map(|c| {
                    let mut b = [0u8; 4];
                    b[..c.len()].copy_from_slice(c);
                    char::from_u32(u32::from_be_bytes(b)).unwrap_or(char::REPLACEMENT_CHARACTER)
                })
                .collect(),
        ),
        _ => None,
    };
    match text {
        Some(text) => format!("{key}={}", escape_rfc4514(&text)),
        // RFC 4514 §2.4: a value that is not a string is written as '#' and its hex.
        None => format!("{key}=#{}", hex(data)),
    }
}

/// RFC 4514 §2.4 escaping of an attribute value.
fn escape_rfc4514(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
            out.push(c);
        } else if c.is_control() {
            out.push_str(&format!("\\{:02X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The comparable form of a name: OpenSSL compares names case-insensitively with spaces collapsed
/// (`X509_NAME_cmp` on the canonical encoding).
pub(crate) fn name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// OpenSSL's short names for the attribute types, curves and key types certgate may print.
fn oid_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "serialNumber",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "street",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "title",
        "2.5.4.17" => "postalCode",
        "2.5.4.42" => "GN",
        "2.5.4.43" => "initials",
        "2.5.4.44" => "generationQualifier",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.65" => "pseudonym",
        "2.5.4.97" => "organizationIdentifier",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        "1.2.840.113549.1.9.1" => "emailAddress",
        oid::P192 => "prime192v1",
        oid::P224 => "secp224r1",
        oid::SECP256K1 => "secp256k1",
        oid::DSA => "DSA",
        oid::ED448 => "Ed448",
        oid::X25519 => "X25519",
        oid::X448 => "X448",
        _ => return None,
    })
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

/// Lowercase hex of the serial's magnitude: the sign-padding zero byte DER adds before a high bit is
/// not part of the number, and OpenSSL does not print it.
fn serial_hex(raw: &[u8]) -> String {
    let start = raw.iter().position(|&b| b != 0).unwrap_or(raw.len().saturating_sub(1));
    hex(&raw[start..])
}

/// RFC 3339 in UTC; certificate times are whole seconds, so this is `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339(t: time::OffsetDateTime) -> String {
    // Formatting fails only outside years 0..=9999, which ASN.1 times cannot express.
    t.format(&Rfc3339).unwrap_or_else(|_| t.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_support::*;

    #[test]
    fn reads_the_fields_of_an_rcgen_leaf() {
        let ca = Ca::new(Alg::EcP256, "Test Root");
        let leaf = ca.leaf(Alg::EcP256, "kafka.example.com", &["kafka.example.com", "10.0.0.1"]);
        let cert = parse_certificate(&leaf.der).unwrap();
        assert_eq!(cert.subject, "CN=kafka.example.com");
        assert_eq!(cert.issuer, "CN=Test Root");
        assert!(!cert.is_self_issued);
        assert_eq!(cert.version, 3);
        assert_eq!(cert.ca(), None);
        assert!(cert.eku_server_auth());
        assert_eq!(cert.dns_names, vec!["kafka.example.com"]);
        assert_eq!(cert.ip_addresses, vec!["10.0.0.1".parse::<IpAddr>().unwrap()]);
        assert_eq!(cert.public_key.kind, PublicKeyKind::Ec { curve: EcCurve::P256 });
        assert_eq!(cert.public_key.bits(), 256);
        assert_eq!(cert.signature.name, "ecdsa-with-SHA256");
        assert_eq!(cert.signature.hash, SignatureHash::Sha256);
        assert_eq!(cert.sha256, hex(&Sha256::digest(&leaf.der)));
        assert_eq!(cert.sha256.len(), 64);
        assert_eq!(cert.not_before_rfc3339, "2025-01-01T00:00:00Z");
        assert_eq!(cert.not_after_rfc3339, "2027-01-01T00:00:00Z");
        assert_eq!(cert.not_before, 1735689600);
        assert!(
            !cert.serial.is_empty()
                && cert
                    .serial
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );

        let root = parse_certificate(&ca.der).unwrap();
        assert!(root.is_self_issued);
        assert_eq!(root.ca(), Some(true));
        assert!(root.key_cert_sign());
        assert_eq!(root.basic_constraints.unwrap().path_len, None);
        assert!(cert.issued_by_name(&root));
    }

    #[test]
    fn names_key_kinds_and_signature_algorithms() {
        for (alg, kind, sig) in [
            (
                Alg::Rsa2048,
                PublicKeyKind::Rsa { bits: 2048 },
                "sha256WithRSAEncryption",
            ),
            (
                Alg::Rsa3072,
                PublicKeyKind::Rsa { bits: 3072 },
                "sha256WithRSAEncryption",
            ),
            (
                Alg::EcP384,
                PublicKeyKind::Ec { curve: EcCurve::P384 },
                "ecdsa-with-SHA384",
            ),
            (Alg::Ed25519, PublicKeyKind::Ed25519, "ED25519"),
        ] {
            let ca = Ca::new(alg, "Root");
            let cert = parse_certificate(&ca.der).unwrap();
            assert_eq!(cert.public_key.kind, kind);
            assert_eq!(cert.signature.name, sig);
            assert!(!cert.public_key.is_weak());
            assert!(!cert.signature.is_weak());
        }
    }

    #[test]
    fn reads_rsassa_pss_parameters() {
        let pss = pss_fixtures();
        for (der, mgf1, salt) in [
            (&pss.salt_digest, SignatureHash::Sha256, 32),
            (&pss.salt_max, SignatureHash::Sha256, 222),
            (&pss.mgf1_sha1, SignatureHash::Sha1, 32),
        ] {
            let cert = parse_certificate(der).unwrap();
            assert_eq!(cert.signature.name, "rsassaPss");
            assert_eq!(cert.signature.hash, SignatureHash::Sha256);
            assert_eq!(
                cert.signature.pss,
                Some(PssParams {
                    mgf1_hash: Some(mgf1),
                    salt_length: salt,
                    trailer_field: 1
                })
            );
        }
        let rsa = parse_certificate(&Ca::new(Alg::Rsa2048, "Root").der).unwrap();
        assert_eq!(rsa.signature.pss, None);
    }

    #[test]
    fn validity_bounds_are_inclusive() {
        let ca = Ca::new(Alg::EcP256, "Root");
        let cert = parse_certificate(&ca.der).unwrap();
        assert_eq!(validity_at(&cert, cert.not_before - 1), Validity::NotYetValid);
        assert_eq!(validity_at(&cert, cert.not_before), Validity::Valid);
        assert_eq!(validity_at(&cert, cert.not_after), Validity::Valid);
        assert_eq!(validity_at(&cert, cert.not_after + 1), Validity::Expired);
    }

    #[test]
    fn validity_at_a_fraction_of_a_second() {
        const HALF: u32 = 500_000_000;
        let ca = Ca::new(Alg::EcP256, "Root");
        let cert = parse_certificate(&ca.der).unwrap();
        let (nb, na) = (cert.not_before, cert.not_after);
        // Half a second before notBefore is before it; half a second after notAfter is past it.
        assert_eq!(validity_at(&cert, Moment::new(nb - 1, HALF)), Validity::NotYetValid);
        assert_eq!(validity_at(&cert, Moment::new(nb, 0)), Validity::Valid);
        assert_eq!(validity_at(&cert, Moment::new(nb, HALF)), Validity::Valid);
        assert_eq!(validity_at(&cert, Moment::new(na - 1, HALF)), Validity::Valid);
        assert_eq!(validity_at(&cert, Moment::new(na, 0)), Validity::Valid);
        assert_eq!(validity_at(&cert, Moment::new(na, HALF)), Validity::Expired);
        assert_eq!(validity_at(&cert, Moment::new(na, 1)), Validity::Expired);
        assert_eq!(
            validity_at(&cert, Moment::new(nb - 1, 999_999_999)),
            Validity::NotYetValid
        );
    }

    #[test]
    fn moments_round_to_whole_seconds_both_ways() {
        let whole = Moment::from(100);
        assert_eq!((whole.floor(), whole.ceil(), whole.has_fraction()), (100, 100, false));
        let half = Moment::new(100, 500_000_000);
        assert_eq!((half.floor(), half.ceil(), half.has_fraction()), (100, 101, true));
        // Before 1970 the fraction still counts up from the whole second below.
        let before_epoch = Moment::new(-2, 250_000_000);
        assert_eq!((before_epoch.floor(), before_epoch.ceil()), (-2, -1));
        assert_eq!(Moment::new(7, 2_500_000_000), Moment::new(9, 500_000_000));
        // Whole seconds left, rounded down: 0.5 s before t is 0 whole seconds; 0.5 s after, -1.
        assert_eq!(half.seconds_until(101), 0);
        assert_eq!(half.seconds_until(100), -1);
        assert_eq!(whole.seconds_until(100), 0);
        assert_eq!(half.seconds_until(100 + 86_400), 86_399);
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(-1_500_000_000).unwrap();
        assert_eq!(Moment::from(t), Moment::new(-2, 500_000_000));
    }

    #[test]
    fn refuses_garbage_and_trailing_data() {
        let ca = Ca::new(Alg::EcP256, "Root");
        let mut der = ca.der.clone();
        der.push(0);
        assert_eq!(parse_certificate(&der), Err(CertError::TrailingData { extra: 1 }));
        assert!(matches!(parse_certificate(&[]), Err(CertError::Malformed(_))));
        assert!(matches!(parse_certificate(b"-----BEGIN"), Err(CertError::Malformed(_))));
        for cut in [1, 10, 100, ca.der.len() - 1] {
            assert!(parse_certificate(&ca.der[..cut]).is_err());
        }
    }

    #[test]
    fn escapes_and_compares_names() {
        assert_eq!(escape_rfc4514("a,b+c"), "a\\,b\\+c");
        assert_eq!(escape_rfc4514(" #x "), "\\ #x\\ ");
        assert_eq!(name_key("CN=Kafka  Root"), name_key("cn=kafka root"));
        assert_eq!(serial_hex(&[0x00, 0x80, 0x01]), "8001");
        assert_eq!(serial_hex(&[0x00]), "00");
        assert_eq!(serial_hex(&[]), "");
    }
}
