//! The client trust bundle of a CA rotation: the old CA(s) and the new CA(s), for clients to
//! trust both while the server switches (issue 19: distribute it first, switch the server, drop
//! the old CA later). Two forms of the same certificates:
//! - `client-truststore.pem`: PEM (RFC 7468), what OpenSSL-based clients (librdkafka's
//!   `ssl.ca.location`) and Kafka's `ssl.truststore.type=PEM` read;
//! - `client-truststore.p12`: a PKCS#12 trust store ([`pkcs12`]), what Java clients read by
//!   default (`ssl.truststore.type` PKCS12 since Java 9).
//!
//! The bundle is verified before it is returned: the running chain and the new chain must each
//! reach one of its CAs by signature ([`verify_chain`]); one that does not is a [`BundleError`],
//! so no unverified bundle ever reaches a file. The inputs are certificates only: a private key
//! cannot be passed in, so none can come out. Writing the files is the caller's job.

mod pkcs12;

use base64::Engine as _;

use super::cert::{Certificate, Moment};
use super::verify::{BreakReason, ChainOutcome, verify_chain};

/// A chain as a server presents it: the leaf, then the intermediates (any order).
#[derive(Debug, Clone, Copy)]
pub struct Chain<'a> {
    pub leaf: &'a Certificate,
    pub intermediates: &'a [Certificate],
}

/// What the bundle is built from.
#[derive(Debug, Clone, Copy)]
pub struct BundleInput<'a> {
    /// The CA(s) clients trust today (`tls.cacert` of the previous values).
    pub old_cas: &'a [Certificate],
    /// The CA(s) of the new certificate.
    pub new_cas: &'a [Certificate],
    /// The chain the servers present today.
    pub running: Chain<'a>,
    /// The chain they will present after the upgrade.
    pub new: Chain<'a>,
    /// The PKCS#12 password, or none: Java then reads the store without checking its integrity.
    pub password: Option<&'a str>,
    /// When the chains are judged (signatures are checked whatever the dates: see [`build`]).
    pub at: Moment,
}

/// Which side of the rotation a CA of the bundle comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Old,
    New,
    /// The same CA (same SHA-256) on both sides: written once.
    Both,
}

/// One CA of the bundle, in bundle order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleEntry {
    pub side: Side,
    /// Its alias in the PKCS#12 store (`old-ca`, `new-ca`, `old-ca-2` …).
    pub alias: String,
    pub subject: String,
    /// Lowercase hex, no colons, as [`Certificate::sha256`].
    pub sha256: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
}

/// The bundle: both files' bytes and what they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientBundle {
    pub pem: String,
    pub p12: Vec<u8>,
    pub entries: Vec<BundleEntry>,
}

/// Which chain failed to verify against the bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainRole {
    Running,
    New,
}

impl std::fmt::Display for ChainRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ChainRole::Running => "the running chain",
            ChainRole::New => "the new chain",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("no old CA was given: clients would not trust the running chain during the rotation")]
    NoOldCa,
    #[error("no new CA was given: clients would not trust the new chain after the upgrade")]
    NoNewCa,
    /// An empty password file is more likely a mistake than a wish for no password.
    #[error("the trust store password is empty: give a password or none")]
    EmptyPassword,
    #[error("{chain} does not verify against the bundle's CAs: {reason}")]
    ChainDoesNotVerify { chain: ChainRole, reason: String },
}

/// Build and verify the client trust bundle.
///
/// Each CA is written once (by SHA-256 fingerprint), old CA(s) first, then new. The order does
/// not change what clients trust: OpenSSL looks anchors up by subject name in its store
/// (`X509_STORE`, see `openssl-verify(1)` "-CAfile"), and Java's `PKIXParameters` takes the
/// store's entries as a set. It is chosen for the people who read and change the file: today's
/// CA first, the addition after it, so the later step that drops the old CA removes the first
/// blocks and leaves the new CA exactly as distributed.
///
/// A chain "verifies" when its path reaches one of the bundle's CAs by signature
/// ([`ChainOutcome::Verified`]). Dates, key usages and the other reasons clients may refuse a
/// chain are the certificate rules' findings (CG3xx), judged on the unit: the bundle's question
/// is only whether it holds the CA each chain needs.
pub fn build(input: &BundleInput<'_>) -> Result<ClientBundle, BundleError> {
    if input.old_cas.is_empty() {
        return Err(BundleError::NoOldCa);
    }
    if input.new_cas.is_empty() {
        return Err(BundleError::NoNewCa);
    }
    if input.password == Some("") {
        return Err(BundleError::EmptyPassword);
    }
    let (cas, entries) = dedup(input.old_cas, input.new_cas);
    for (role, chain) in [(ChainRole::Running, input.running), (ChainRole::New, input.new)] {
        let result = verify_chain(chain.leaf, chain.intermediates, &cas, input.at);
        if result.outcome != ChainOutcome::Verified {
            return Err(BundleError::ChainDoesNotVerify {
                chain: role,
                reason: why_not(&result.outcome).to_string(),
            });
        }
    }
    let trusted: Vec<pkcs12::TrustedCert<'_>> = cas
        .iter()
        .zip(&entries)
        .map(|(ca, entry)| pkcs12::TrustedCert {
            alias: &entry.alias,
            der: ca.der(),
        })
        .collect();
    Ok(ClientBundle {
        pem: pem_text(&cas, &entries),
        p12: pkcs12::trust_store(&trusted, input.password),
        entries,
    })
}

/// Why a chain's path does not reach the bundle, in the words of [`ChainOutcome`].
fn why_not(outcome: &ChainOutcome) -> &'static str {
    match outcome {
        ChainOutcome::Verified => "it verifies",
        ChainOutcome::Unverifiable => "a signature on its path cannot be checked",
        ChainOutcome::Broken { reason, .. } => match reason {
            BreakReason::IssuerNotFound => {
                "its path reaches a certificate whose issuer is neither in the chain nor in the bundle"
            }
            BreakReason::OtherRoot => "it ends at a root that is not in the bundle",
            BreakReason::BadSignature { .. } => "a CA of the bundle has the issuer's name but not its key",
        },
    }
}

/// The CAs once each, old first, with their entries.
fn dedup(old: &[Certificate], new: &[Certificate]) -> (Vec<Certificate>, Vec<BundleEntry>) {
    let mut cas: Vec<Certificate> = Vec::new();
    let mut sides: Vec<Side> = Vec::new();
    for (side, ca) in old
        .iter()
        .map(|c| (Side::Old, c))
        .chain(new.iter().map(|c| (Side::New, c)))
    {
        match cas.iter().position(|c| c.sha256 == ca.sha256) {
            Some(i) if sides[i] != side => sides[i] = Side::Both,
            Some(_) => {}
            None => {
                cas.push(ca.clone());
                sides.push(side);
            }
        }
    }
    let mut count = [0usize; 3];
    let entries = cas
        .iter()
        .zip(&sides)
        .map(|(ca, &side)| {
            let (slot, name) = match side {
                Side::Old => (0, "old-ca"),
                Side::New => (1, "new-ca"),
                Side::Both => (2, "ca"),
            };
            count[slot] += 1;
            let alias = match count[slot] {
                1 => name.to_string(),
                n => format!("{name}-{n}"),
            };
            BundleEntry {
                side,
                alias,
                subject: ca.subject.clone(),
                sha256: ca.sha256.clone(),
                not_after: ca.not_after_rfc3339.clone(),
            }
        })
        .collect();
    (cas, entries)
}

/// Each CA as a `CERTIFICATE` block (RFC 7468 §2: 64-character lines), preceded by a comment
/// line naming it. Text outside the encapsulation boundaries is allowed and ignored by readers
/// (RFC 7468 §2 "explanatory text"; `openssl-verify(1)` reads such files with `-CAfile`).
fn pem_text(cas: &[Certificate], entries: &[BundleEntry]) -> String {
    let mut out = String::new();
    for (ca, entry) in cas.iter().zip(entries) {
        let side = match entry.side {
            Side::Old => "old CA",
            Side::New => "new CA",
            Side::Both => "old and new CA",
        };
        out.push_str(&format!(
            "# {side} {}: subject {}, SHA-256 {}, expires {}\n",
            entry.alias,
            one_line(&entry.subject),
            colons(&entry.sha256),
            entry.not_after
        ));
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        let body = base64::engine::general_purpose::STANDARD.encode(ca.der());
        for line in body.as_bytes().chunks(64) {
            out.push_str(std::str::from_utf8(line).unwrap_or_default());
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out
}

/// A subject may hold any character (a CN with a line break): the comment stays one line, so it
/// can never start a line a PEM reader would take for a boundary.
fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

/// `AB:CD:…`, as `openssl x509 -fingerprint -sha256` and `keytool -list` print fingerprints.
fn colons(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|p| std::str::from_utf8(p).unwrap_or_default().to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::parse_certificate;
    use crate::crypto::test_support::{Alg, Ca, date};

    struct Pki {
        ca: Certificate,
        inter: Certificate,
        leaf: Certificate,
    }

    fn pki(name: &str) -> Pki {
        let root = Ca::new(Alg::EcP256, &format!("{name} Root CA"));
        let inter = root.intermediate(Alg::EcP256, &format!("{name} Intermediate"));
        let leaf = inter.leaf(Alg::EcP256, "kafka.example.com", &["kafka.example.com"]);
        Pki {
            ca: parse_certificate(&root.der).unwrap(),
            inter: parse_certificate(&inter.der).unwrap(),
            leaf: parse_certificate(&leaf.der).unwrap(),
        }
    }

    fn chain(p: &Pki) -> Chain<'_> {
        Chain {
            leaf: &p.leaf,
            intermediates: std::slice::from_ref(&p.inter),
        }
    }

    fn input<'a>(
        old: &'a Pki,
        new: &'a Pki,
        old_cas: &'a [Certificate],
        new_cas: &'a [Certificate],
    ) -> BundleInput<'a> {
        BundleInput {
            old_cas,
            new_cas,
            running: chain(old),
            new: chain(new),
            password: None,
            at: date(2026).into(),
        }
    }

    #[test]
    fn old_ca_first_then_new_each_with_its_comment_line() {
        let (old, new) = (pki("Old"), pki("New"));
        let (o, n) = ([old.ca.clone()], [new.ca.clone()]);
        let bundle = build(&input(&old, &new, &o, &n)).unwrap();
        let sides: Vec<(Side, &str)> = bundle.entries.iter().map(|e| (e.side, e.alias.as_str())).collect();
        assert_eq!(sides, [(Side::Old, "old-ca"), (Side::New, "new-ca")]);
        let comments: Vec<&str> = bundle.pem.lines().filter(|l| l.starts_with('#')).collect();
        assert_eq!(comments.len(), 2);
        assert!(
            comments[0].starts_with("# old CA old-ca: subject CN=Old Root CA, SHA-256 "),
            "{}",
            comments[0]
        );
        assert!(comments[0].ends_with(&format!(", expires {}", old.ca.not_after_rfc3339)));
        assert!(comments[1].contains(&colons(&new.ca.sha256)));
        let blocks = crate::source::pem::scan(&bundle.pem);
        let ders: Vec<Vec<u8>> = blocks.blocks.iter().map(|b| b.der.clone().unwrap()).collect();
        assert_eq!(ders, [old.ca.der().to_vec(), new.ca.der().to_vec()]);
    }

    #[test]
    fn a_ca_on_both_sides_or_twice_is_written_once() {
        let old = pki("Same");
        let (o, n) = ([old.ca.clone(), old.ca.clone()], [old.ca.clone()]);
        let bundle = build(&input(&old, &old, &o, &n)).unwrap();
        assert_eq!(bundle.entries.len(), 1);
        assert_eq!(bundle.entries[0].side, Side::Both);
        assert_eq!(bundle.pem.matches("BEGIN CERTIFICATE").count(), 1);
    }

    #[test]
    fn a_chain_the_bundle_does_not_anchor_is_an_error_not_a_bundle() {
        let (old, new, third) = (pki("Old"), pki("New"), pki("Third"));
        // The new chain is from a third CA: the bundle of old and new CA does not hold its root.
        let (o, n) = ([old.ca.clone()], [new.ca.clone()]);
        let err = build(&input(&old, &third, &o, &n)).unwrap_err();
        assert!(
            matches!(
                err,
                BundleError::ChainDoesNotVerify {
                    chain: ChainRole::New,
                    ..
                }
            ),
            "{err}"
        );
        let err = build(&input(&third, &new, &o, &n)).unwrap_err();
        assert!(
            matches!(
                err,
                BundleError::ChainDoesNotVerify {
                    chain: ChainRole::Running,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn an_expired_running_chain_still_gets_its_bundle() {
        // Expiry is a finding of its own (CG3xx); the bundle's question is only which CA each
        // chain needs, and a rotation is often done because the running chain expires.
        let (old, new) = (pki("Old"), pki("New"));
        let (o, n) = ([old.ca.clone()], [new.ca.clone()]);
        let mut i = input(&old, &new, &o, &n);
        i.at = date(2040).into();
        assert_eq!(build(&i).unwrap().entries.len(), 2);
    }

    #[test]
    fn missing_cas_and_an_empty_password_are_refused() {
        let (old, new) = (pki("Old"), pki("New"));
        let (o, n) = ([old.ca.clone()], [new.ca.clone()]);
        assert_eq!(build(&input(&old, &new, &[], &n)), Err(BundleError::NoOldCa));
        assert_eq!(build(&input(&old, &new, &o, &[])), Err(BundleError::NoNewCa));
        let mut i = input(&old, &new, &o, &n);
        i.password = Some("");
        assert_eq!(build(&i), Err(BundleError::EmptyPassword));
    }

    #[test]
    fn a_subject_with_a_line_break_stays_on_its_comment_line() {
        assert_eq!(
            one_line("CN=a\n-----BEGIN CERTIFICATE-----"),
            "CN=a?-----BEGIN CERTIFICATE-----"
        );
    }
}
