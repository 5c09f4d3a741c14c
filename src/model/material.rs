//! The certificate material a change hands over, from wherever the user keeps it, and what
//! cryptography says about it: certificates and keys parsed from PEM blocks, the chain verified up
//! to `cacert` by signature, the key checked against the certificate, and the new certificate
//! checked against the CA clients trust today.
//!
//! Material comes from PEM files (`--key`, `--cert`, `--cacert`, `--previous-cacert`), from the
//! base64 values themselves (`tls.key`, `tls.cert`, `tls.cacert` with `tls.type=provided`), or from
//! a Kubernetes Secret manifest (`tls.type=secret`). Everything here is computed once, when the unit
//! is loaded, as facts: what is wrong with the material is a located [`Flaw`], and which rule
//! reports it, in what words, is the check kinds' to say.

use crate::crypto::{
    Certificate, ChainCert, ChainResult, KeyError, Moment, PrivateKey, Validity, key_matches, parse_certificate,
    parse_private_key, validity_at, verify_chain,
};
use crate::source::Location;
use crate::source::pem::{
    self, Base64ValueError, DecodedKind, PemLabel, PemProblemKind, PemScan, classify_decoded, decode_value_base64,
};
use crate::source::value::{Node, Origin};
use crate::source::{SourceId, Span};

/// What a piece of material is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `tls.key`: the private key of the server certificate.
    Key,
    /// `tls.cert`: the server certificate, optionally followed by intermediates.
    Cert,
    /// `tls.cacert`: the CA root clients are given.
    CaCert,
    /// The CA clients trust today.
    PreviousCa,
}

impl Role {
    pub fn value_path(self) -> &'static str {
        match self {
            Role::Key => "tls.key",
            Role::Cert => "tls.cert",
            Role::CaCert | Role::PreviousCa => "tls.cacert",
        }
    }
}

/// Where a piece of material is held.
#[derive(Debug, Clone, PartialEq)]
pub enum Holder {
    /// A PEM file: findings point at the `-----BEGIN` line of the block.
    File { source: SourceId, path: String },
    /// A base64 value in the values, or a value of a Secret manifest: findings point at the value.
    Value { origin: Origin, name: String },
}

/// Something found wrong with a piece of material, located: the facts only. Which rule reports
/// it, and in what words, is the `material_problem` check kind's (`src/checks/material_problem.rs`).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The material it was found in; `None` for the Secret manifest as a whole.
    pub role: Option<Role>,
    pub location: Location,
    /// The PEM block it is about, counted from 0.
    pub block: Option<usize>,
    /// The values path (or Secret key) holding the material.
    pub path: Option<String>,
    pub flaw: Flaw,
}

/// What was found. `name` is how the material's holder is shown: a file's path, a values path
/// (`tls.cert`), or a Secret's value (`tls-secret.yaml:data.cert`).
#[derive(Debug, Clone, PartialEq)]
pub enum Flaw {
    /// The manifest given for the Secret has another `kind`.
    NotASecret { manifest: String },
    /// The Secret has no key `key`, which the values name for `role` (or the chart's default
    /// name, when `by_default`).
    SecretKeyMissing {
        manifest: String,
        key: String,
        role: Role,
        by_default: bool,
    },
    /// A value of the Secret's `data` is not base64.
    SecretDataNotBase64 { name: String, error: Base64ValueError },
    /// A base64 value decodes, but not to PEM text.
    ValueNotPem { name: String, decoded: Decoded },
    /// What the PEM scan found wrong around or in a block. `blockless`: the text holds no PEM
    /// block at all (then [`Flaw::NoPemBlock`] is found too).
    Pem {
        name: String,
        problem: PemProblemKind,
        role: Role,
        blockless: bool,
    },
    /// Not a single PEM block; `looks_binary` when the text has bytes that are not UTF-8 or starts
    /// with a `0` (DER's `SEQUENCE` tag read as text).
    NoPemBlock {
        name: String,
        role: Role,
        looks_binary: bool,
    },
    /// A certificate block whose DER is not a valid X.509 certificate.
    CertInvalid { name: String, block: usize, error: String },
    /// A private key block that cannot be used.
    KeyInvalid { name: String, error: String },
    /// A private key block after the first one in `tls.key`.
    SecondKey { name: String, block: usize },
    /// A private key block in a certificate bundle (`tls.cert`, `tls.cacert`).
    KeyInCertificates { name: String, block: usize },
    /// A block of another type than the role wants (`label`); `after_usable` when a usable block
    /// of the wanted type comes before it.
    UnexpectedBlock {
        name: String,
        block: usize,
        label: String,
        role: Role,
        after_usable: bool,
    },
    /// Intermediate `block` of `tls.cert` repeats a certificate of the chain.
    Duplicate { block: usize, subject: String },
    /// Intermediate `intermediate` (an index into [`Material::intermediates`]) is not on the
    /// chain from the leaf to `tls.cacert`.
    NotInChain { intermediate: usize },
    /// The intermediates are not in chain order.
    OutOfOrder,
}

/// What a base64 value decodes to, when it is not PEM text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded {
    /// DER (a certificate or key not PEM-encoded).
    Der,
    /// More base64: the value was encoded twice.
    Base64,
    /// This many bytes of something else.
    Bytes(usize),
    /// Bytes that are not UTF-8 text.
    NotText,
}

/// A parsed certificate and where it is.
#[derive(Debug, Clone)]
pub struct CertAt {
    pub cert: Certificate,
    pub location: Location,
    pub block: usize,
    /// `new.yaml:tls.cert`, `tls.crt`, `tls-secret.yaml:data.cacert`: for the inventory.
    pub source: String,
}

/// One piece of material.
#[derive(Debug, Clone)]
pub struct Item {
    pub role: Role,
    pub holder: Holder,
    pub certs: Vec<CertAt>,
    pub key: Option<PrivateKey>,
    /// Where the key is, for findings about it.
    pub key_location: Option<(Location, usize)>,
}

/// All the material of a unit and what was found about it.
#[derive(Debug, Clone, Default)]
pub struct Material {
    pub items: Vec<Item>,
    pub problems: Vec<Problem>,
    /// The new chain: leaf and intermediates from `tls.cert`, up to `tls.cacert`.
    pub chain: Option<ChainResult>,
    /// The new leaf against the CA clients trust today (same chain, previous CA as the anchor).
    pub continuity: Option<ChainResult>,
    /// Whether the private key belongs to the leaf.
    pub key_match: Option<Result<bool, KeyError>>,
    /// For each root of `tls.cacert`, in order ([`Material::roots`]): whether it is self-signed
    /// (self-issued, and its own key does not refute its signature: see `self_signed`).
    pub roots_self_signed: Vec<bool>,
    /// The time the run checks validity at (to the nanosecond `--now` gives).
    pub now: Moment,
}

impl Material {
    pub fn item(&self, role: Role) -> Option<&Item> {
        self.items.iter().find(|i| i.role == role)
    }

    pub fn leaf(&self) -> Option<&CertAt> {
        self.item(Role::Cert)?.certs.first()
    }

    pub fn intermediates(&self) -> &[CertAt] {
        self.item(Role::Cert).map_or(&[], |i| i.certs.get(1..).unwrap_or(&[]))
    }

    /// The first root of `tls.cacert`.
    pub fn ca(&self) -> Option<&CertAt> {
        self.roots().first()
    }

    /// Every root of `tls.cacert`: each is a trust anchor (old and new CA side by side during a CA
    /// rotation).
    pub fn roots(&self) -> &[CertAt] {
        self.item(Role::CaCert).map_or(&[], |i| &i.certs)
    }

    pub fn previous_ca(&self) -> Option<&CertAt> {
        self.item(Role::PreviousCa)?.certs.first()
    }

    /// The certificate a chain position names.
    pub fn at(&self, c: ChainCert) -> Option<&CertAt> {
        match c {
            ChainCert::Leaf => self.leaf(),
            ChainCert::Intermediate(i) => self.intermediates().get(i),
            ChainCert::Ca(i) => self.roots().get(i),
        }
    }

    /// Every new certificate (not the previous CA) with its inventory role.
    pub fn new_certs(&self) -> Vec<(&'static str, &CertAt)> {
        let mut out: Vec<(&'static str, &CertAt)> = Vec::new();
        out.extend(self.leaf().map(|c| ("leaf", c)));
        out.extend(self.intermediates().iter().map(|c| ("intermediate", c)));
        out.extend(self.roots().iter().map(|c| ("ca", c)));
        out
    }

    /// The new certificates clients use, with their inventory role: the leaf, the intermediates on
    /// the path and the root it reaches (every root when it reaches none). Blocks off the path are
    /// CG314's (not used, so not expired or weak for anyone); without a chain to judge, every new
    /// certificate.
    pub fn used_certs(&self) -> Vec<(&'static str, &CertAt)> {
        let Some(chain) = &self.chain else {
            return self.new_certs();
        };
        chain
            .used()
            .into_iter()
            .filter_map(|c| {
                let role = match c {
                    ChainCert::Leaf => "leaf",
                    ChainCert::Intermediate(_) => "intermediate",
                    ChainCert::Ca(_) => "ca",
                };
                self.at(c).map(|cert| (role, cert))
            })
            .collect()
    }

    /// The certificate inventory of the report, each certificate's state judged with the policy's
    /// expiry window (`expiry_warning_days`).
    pub fn inventory(&self, window_days: u32) -> Vec<CertificateInfo> {
        let mut all = self.new_certs();
        all.extend(self.previous_ca().map(|c| ("previous-ca", c)));
        all.into_iter()
            .map(|(role, c)| CertificateInfo {
                role: role.to_string(),
                source: c.source.clone(),
                subject: c.cert.subject.clone(),
                issuer: c.cert.issuer.clone(),
                serial: c.cert.serial.clone(),
                sha256: c.cert.sha256.clone(),
                not_before: c.cert.not_before_rfc3339.clone(),
                not_after: c.cert.not_after_rfc3339.clone(),
                days_left: self.now.seconds_until(c.cert.not_after).div_euclid(86_400),
                key_type: key_type(&c.cert),
                key_bits: c.cert.public_key.bits(),
                signature_algorithm: c.cert.signature.name.clone(),
                state: state_at(&c.cert, self.now, window_days),
            })
            .collect()
    }
}

/// How `cert` stands at `now`, as the rules judge it: expired or not yet valid as CG306 and CG308
/// see it ([`validity_at`], both bounds inclusive), and expiring when less than `window_days` of
/// whole seconds are left, as CG307 (`expires_within`) counts them.
pub fn state_at(cert: &Certificate, now: Moment, window_days: u32) -> CertState {
    match validity_at(cert, now) {
        Validity::Expired => CertState::Expired,
        Validity::NotYetValid => CertState::NotYetValid,
        Validity::Valid if now.seconds_until(cert.not_after) < i64::from(window_days) * 86_400 => CertState::Expiring,
        Validity::Valid => CertState::Valid,
    }
}

fn key_type(cert: &Certificate) -> String {
    use crate::crypto::PublicKeyKind;
    match &cert.public_key.kind {
        PublicKeyKind::Rsa { .. } => "RSA".into(),
        PublicKeyKind::Ec { .. } => "EC".into(),
        PublicKeyKind::Ed25519 => "Ed25519".into(),
        other => other.name(),
    }
}

/// Material as the loader found it, before parsing: PEM text and where it is held.
#[derive(Debug, Clone)]
pub struct Raw {
    pub role: Role,
    pub holder: Holder,
    /// The PEM text (for a file, the file's text: spans are offsets into it).
    pub text: String,
    /// The name shown in the inventory.
    pub source: String,
}

/// A base64 value (`tls.cert` of provided values, `data.cert` of a Secret) to PEM text; what it
/// decodes to otherwise is recorded as [`Flaw::ValueNotPem`]. A value that is not base64 at all
/// is CG207's, and is skipped here.
pub fn decode_value(role: Role, node: &Node, name: &str, source: &str, problems: &mut Vec<Problem>) -> Option<Raw> {
    let text = node.as_str()?;
    let bytes = decode_value_base64(text).ok()?;
    let decoded = match classify_decoded(&bytes) {
        DecodedKind::Pem => None,
        DecodedKind::Empty => return None,
        DecodedKind::Der => Some(Decoded::Der),
        DecodedKind::Base64 => Some(Decoded::Base64),
        DecodedKind::Other => Some(Decoded::Bytes(bytes.len())),
    };
    let text = match decoded {
        None => String::from_utf8(bytes).map_err(|_| Decoded::NotText),
        Some(d) => Err(d),
    };
    let text = match text {
        Ok(text) => text,
        Err(decoded) => {
            problems.push(Problem {
                role: Some(role),
                location: Location::of(&node.origin),
                block: None,
                path: Some(name.to_string()),
                flaw: Flaw::ValueNotPem {
                    name: name.to_string(),
                    decoded,
                },
            });
            return None;
        }
    };
    Some(Raw {
        role,
        holder: Holder::Value {
            origin: node.origin.clone(),
            name: name.to_string(),
        },
        text,
        source: source.to_string(),
    })
}

/// Parse every piece of material and analyse the chain, the key and continuity at `now`.
pub fn analyse(raws: Vec<Raw>, mut problems: Vec<Problem>, now: Moment) -> Material {
    let mut items = Vec::new();
    for raw in raws {
        items.push(parse_item(raw, &mut problems));
    }
    let mut material = Material {
        items,
        problems,
        now,
        ..Material::default()
    };
    // Everything is decided from the parsed items first, by reference, then stored.
    let m = &material;
    let leaf = m.leaf().map(|c| &c.cert);
    let certs = |c: &[CertAt]| -> Vec<Certificate> { c.iter().map(|c| c.cert.clone()).collect() };
    let intermediates = certs(m.intermediates());
    let roots = certs(m.roots());
    let previous = m.item(Role::PreviousCa).map(|i| certs(&i.certs)).unwrap_or_default();
    let chain = leaf.filter(|_| !roots.is_empty()).map(|leaf| {
        let chain = verify_chain(leaf, &intermediates, &roots, now);
        let disorder = bundle_problems(m, &chain);
        (chain, disorder)
    });
    // In a rotation that keeps the CA, the CA clients trust today is the new one, certificate for
    // certificate: the path to it is the one just verified, not a second verification (a
    // signature check per link, the costliest step of a unit).
    let same_anchors = previous.len() == roots.len() && previous.iter().zip(&roots).all(|(p, r)| p.sha256 == r.sha256);
    let continuity = leaf.filter(|_| !previous.is_empty()).map(|leaf| match &chain {
        Some((chain, _)) if same_anchors => chain.clone(),
        _ => verify_chain(leaf, &intermediates, &previous, now),
    });
    let roots_self_signed = m.roots().iter().map(|ca| self_signed(&ca.cert)).collect();
    let key_match = leaf
        .zip(m.item(Role::Key).and_then(|i| i.key.as_ref()))
        .map(|(leaf, key)| key_matches(key, leaf));
    if let Some((chain, disorder)) = chain {
        material.problems.extend(disorder);
        material.chain = Some(chain);
    }
    material.continuity = continuity;
    material.roots_self_signed = roots_self_signed;
    material.key_match = key_match;
    material
}

/// Whether a CA certificate signs itself, for CG311: self-issued, and its self-signature not shown
/// to be false. One certgate cannot check (an algorithm it does not verify, such as RSASSA-PSS with
/// OpenSSL's longest salt; a weak key without a legacy check) is no evidence against a root, whose
/// self-signature clients do not rely on: they trust the certificate itself. Many units share a
/// CA, and the answer is a signature verification, so it is remembered for the run by the
/// certificate's fingerprint.
fn self_signed(cert: &Certificate) -> bool {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static SEEN: OnceLock<Mutex<HashMap<String, bool>>> = OnceLock::new();
    if !cert.is_self_issued {
        return false;
    }
    let seen = SEEN.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(known) = seen.lock().ok().and_then(|m| m.get(&cert.sha256).copied()) {
        return known;
    }
    use crate::crypto::VerifyError;
    let refuted = matches!(
        crate::crypto::verify_signed_by(cert, cert),
        Err(VerifyError::BadSignature
            | VerifyError::WeakKey {
                verifies: Some(false),
                ..
            })
    );
    let verdict = !refuted;
    if let Ok(mut m) = seen.lock() {
        m.insert(cert.sha256.clone(), verdict);
    }
    verdict
}

/// Duplicates, unrelated blocks, and intermediates out of order in `tls.cert` (CG314's).
fn bundle_problems(material: &Material, chain: &ChainResult) -> Vec<Problem> {
    let intermediates = material.intermediates();
    let at = |i: usize, flaw: Flaw| {
        let c = intermediates.get(i)?;
        Some(Problem {
            role: Some(Role::Cert),
            location: c.location.clone(),
            block: Some(c.block),
            path: Some("tls.cert".into()),
            flaw,
        })
    };
    let mut out = Vec::new();
    for &i in &chain.duplicates {
        let flaw = intermediates.get(i).map(|c| Flaw::Duplicate {
            block: c.block,
            subject: c.cert.subject.clone(),
        });
        out.extend(flaw.and_then(|flaw| at(i, flaw)));
    }
    out.extend(
        chain
            .unused
            .iter()
            .filter_map(|&i| at(i, Flaw::NotInChain { intermediate: i })),
    );
    if chain.out_of_order {
        out.extend(at(0, Flaw::OutOfOrder));
    }
    out
}

/// Where block `block` of an item is: its `-----BEGIN` line in a file, else the value holding it.
fn block_location(holder: &Holder, begin: Span) -> Location {
    match holder {
        Holder::File { source, .. } => Location::Span {
            source: *source,
            span: begin,
        },
        Holder::Value { origin, .. } => Location::of(origin),
    }
}

/// Parse one piece of material: its certificates or its key, and what is wrong with its blocks.
fn parse_item(raw: Raw, problems: &mut Vec<Problem>) -> Item {
    let scan: PemScan = pem::scan(&raw.text);
    let name = match &raw.holder {
        Holder::File { path, .. } => path.clone(),
        Holder::Value { name, .. } => name.clone(),
    };
    let at = |span: Span| block_location(&raw.holder, span);
    let problem = |location: Location, block: Option<usize>, flaw: Flaw| Problem {
        role: Some(raw.role),
        location,
        block,
        path: Some(raw.role.value_path().to_string()),
        flaw,
    };
    let blockless = scan.blocks.is_empty();
    for p in &scan.problems {
        let flaw = Flaw::Pem {
            name: name.clone(),
            problem: p.kind.clone(),
            role: raw.role,
            blockless,
        };
        problems.push(problem(at(p.span), p.block, flaw));
    }
    if blockless {
        let looks_binary = raw.text.contains('\u{fffd}') || raw.text.starts_with('0');
        let flaw = Flaw::NoPemBlock {
            name: name.clone(),
            role: raw.role,
            looks_binary,
        };
        problems.push(problem(at(Span::point(0)), None, flaw));
    }
    let mut item = Item {
        role: raw.role,
        holder: raw.holder.clone(),
        certs: Vec::new(),
        key: None,
        key_location: None,
    };
    for block in &scan.blocks {
        let Some(der) = block.der.as_ref().filter(|_| block.complete && !block.encrypted) else {
            continue;
        };
        let location = at(block.begin);
        if let Some(flaw) = parse_block(&mut item, &name, &raw.source, &block.label, block.index, der, &location) {
            problems.push(problem(location, Some(block.index), flaw));
        }
    }
    item
}

/// Add block `index` (its `label` and `der`) to `item` when it is what the item's role wants;
/// else what is wrong with it.
fn parse_block(
    item: &mut Item,
    name: &str,
    source: &str,
    label: &PemLabel,
    index: usize,
    der: &[u8],
    location: &Location,
) -> Option<Flaw> {
    let name = name.to_string();
    let wants_key = item.role == Role::Key;
    match (label, wants_key) {
        (PemLabel::Certificate, false) => match parse_certificate(der) {
            Ok(cert) => {
                item.certs.push(CertAt {
                    cert,
                    location: location.clone(),
                    block: index,
                    source: source.to_string(),
                });
                None
            }
            Err(e) => Some(Flaw::CertInvalid {
                name,
                block: index,
                error: e.to_string(),
            }),
        },
        (label, true) if label.is_private_key() => {
            if item.key.is_some() {
                return Some(Flaw::SecondKey { name, block: index });
            }
            match parse_private_key(label.as_str(), der) {
                Ok(key) => {
                    item.key = Some(key);
                    item.key_location = Some((location.clone(), index));
                    None
                }
                Err(e) => Some(Flaw::KeyInvalid {
                    name,
                    error: e.to_string(),
                }),
            }
        }
        (label, false) if label.is_private_key() => Some(Flaw::KeyInCertificates { name, block: index }),
        (label, _) => Some(Flaw::UnexpectedBlock {
            name,
            block: index,
            label: label.as_str().to_string(),
            role: item.role,
            after_usable: item.key.is_some() || !item.certs.is_empty(),
        }),
    }
}

/// A private key written in a proposed values file (`tls.key`), as CG210 judges it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyInValues {
    /// The value holding the key.
    pub location: Location,
    /// The values file, as shown.
    pub file: String,
    /// Whether git tracks the file (in its index).
    pub tracked: bool,
}

/// The PEM files that hold private keys: no renderer may quote their text. (A text test, not a
/// second PEM scan: it errs only towards redacting more.)
pub fn key_sources(raws: &[Raw]) -> Vec<SourceId> {
    raws.iter()
        .filter_map(|r| match &r.holder {
            Holder::File { source, .. } if holds_private_key(&r.text) => Some(*source),
            _ => None,
        })
        .collect()
}

/// Whether a string value is a private key, or the base64 of one (without decoding more than needed
/// to tell).
pub fn holds_private_key(s: &str) -> bool {
    if s.contains("PRIVATE KEY") {
        return true;
    }
    s.len() > 40
        && decode_value_base64(s.trim())
            .ok()
            .is_some_and(|b| b.windows(11).any(|w| w == b"PRIVATE KEY"))
}

/// How a certificate of the inventory stands at the run's time, under the policy's expiry window:
/// what CG306 (expired), CG307 (expiring) and CG308 (not yet valid) judge, decided by the engine
/// ([`crate::model::material::state_at`]) so that no renderer works it out again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertState {
    Expired,
    /// Valid, with less than the expiry warning window left (`expiry_warning_days`).
    Expiring,
    Valid,
    NotYetValid,
}

impl CertState {
    /// The state's words in every format that shows it (the audit report).
    pub fn as_str(self) -> &'static str {
        match self {
            CertState::Expired => "expired",
            CertState::Expiring => "expiring",
            CertState::Valid => "valid",
            CertState::NotYetValid => "not yet valid",
        }
    }
}

/// One certificate of the inventory (filled in by the certificate checks).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CertificateInfo {
    pub role: String,
    pub source: String,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub sha256: String,
    pub not_before: String,
    pub not_after: String,
    pub days_left: i64,
    pub key_type: String,
    pub key_bits: u32,
    pub signature_algorithm: String,
    /// Not a key of the JSON report, whose keys are a contract (SPEC §4): `days_left` is its
    /// reading of the same fact.
    #[serde(skip)]
    pub state: CertState,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_support::{Alg, Ca};

    const DAY: i64 = 86_400;

    /// The state of a certificate valid from 2024-01-01 to 2034-01-01, with a 30-day window, at
    /// the whole second `at` picks from its dates and `nanos` past it.
    fn state(at: impl Fn(&Certificate) -> i64, nanos: u32) -> CertState {
        let cert = parse_certificate(&Ca::new(Alg::EcP256, "Example Root CA").der).expect("fixture");
        state_at(&cert, Moment::new(at(&cert), nanos), 30)
    }

    #[test]
    fn states_are_the_rules_verdicts_to_the_second() {
        // Both bounds are inclusive (CG306, CG308): half a second past notAfter is expired, half
        // a second before notBefore is not yet valid.
        assert_eq!(state(|c| c.not_after, 0), CertState::Expiring);
        assert_eq!(state(|c| c.not_after, 500_000_000), CertState::Expired);
        assert_eq!(state(|c| c.not_before - 1, 500_000_000), CertState::NotYetValid);
        assert_eq!(state(|c| c.not_before, 0), CertState::Valid);
        // Expiring means less than the window left (CG307): exactly 30 days is not, one second
        // less is.
        assert_eq!(state(|c| c.not_after - 30 * DAY, 0), CertState::Valid);
        assert_eq!(state(|c| c.not_after - 30 * DAY + 1, 0), CertState::Expiring);
        // To the fraction: 30 days less half a second left is in the window, 30 days and half a
        // second is not.
        assert_eq!(state(|c| c.not_after - 30 * DAY, 500_000_000), CertState::Expiring);
        assert_eq!(state(|c| c.not_after - 30 * DAY - 1, 500_000_000), CertState::Valid);
    }

    /// Continuity against a previous CA that is the new CA reuses the chain's verification; it
    /// must be exactly what verifying against the previous CA gives, and a different previous CA
    /// is still verified on its own.
    #[test]
    fn continuity_is_the_verification_against_the_previous_ca() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let other = Ca::new(Alg::EcP256, "Other CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        for previous in [&root, &other] {
            let unit = crate::model::unit::Unit::builder()
                .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
                .previous_cacert(&previous.cert_pem())
                .build();
            let m = &unit.material;
            let certs = |c: &[CertAt]| -> Vec<Certificate> { c.iter().map(|c| c.cert.clone()).collect() };
            let prev = certs(&m.item(Role::PreviousCa).expect("previous CA").certs);
            let fresh = verify_chain(&m.leaf().expect("leaf").cert, &certs(m.intermediates()), &prev, m.now);
            assert_eq!(m.continuity.as_ref(), Some(&fresh));
            assert_eq!(fresh.is_clean(), std::ptr::eq(previous, &root));
        }
    }

    #[test]
    fn a_window_of_no_days_holds_nothing() {
        let cert = parse_certificate(&Ca::new(Alg::EcP256, "Example Root CA").der).expect("fixture");
        assert_eq!(state_at(&cert, Moment::from(cert.not_after), 0), CertState::Valid);
    }
}
