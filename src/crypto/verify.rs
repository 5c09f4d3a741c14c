//! Signatures and chains: whether a certificate was signed by another's key ([`verify_signed_by`]),
//! and whether a server certificate leads, through the intermediates of its bundle, up to `cacert`
//! ([`verify_chain`]) — by signatures, never by names alone (CG304), with the CA-ness of every
//! issuer (CG305), weak keys and hashes (CG309/CG310), order and stray blocks (CG314).
//!
//! Signature checks are `x509-parser`'s (`verify` feature, on `ring`). Two of its quirks shape this
//! module:
//! - it refuses RSA keys under 2048 bits with the same error as a bad signature, so key size is
//!   checked first and a weak key gets [`VerifyError::WeakKey`]; `ring`'s legacy 1024-bit algorithms
//!   then still tell whether the signature holds, where they exist (SHA-1, SHA-256, SHA-512);
//! - it cannot check P-521, SHA-512 ECDSA, DSA, Ed448, MD5 and others: those are
//!   [`VerifyError::Unsupported`], never "not signed by the CA";
//! - it hands `ring` the hash of RSASSA-PSS parameters and nothing else, and `ring` verifies PSS
//!   only with MGF1 over that hash and a salt as long as its output (`ring::rsa::padding::pss`);
//!   a signature made with other parameters fails there like a forged one, so such parameters
//!   are [`VerifyError::Unsupported`] before it is asked ([`pss_unsupported`]).
//!
//! `cacert` is the trust anchor, root or not, as OpenSSL's `-partial_chain` and Java's PKIX trust
//! anchors treat it: a chain that reaches an intermediate given as `cacert` verifies, and CG311
//! (cacert-not-root) says separately that the chart wants the root. Dates are not part of the
//! signature path; [`ChainResult::validity`] gives them for every certificate on it.

use x509_parser::certificate::X509Certificate;
use x509_parser::error::X509Error;
use x509_parser::prelude::FromDer;

use super::cert::{
    Certificate, Moment, PublicKeyKind, SignatureAlgorithm, SignatureFamily, SignatureHash, Validity, validity_at,
};
use super::clients::{RejectReason, Rejection};

/// Why a certificate's signature was not verified with an issuer's key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The issuer's key did not make this signature (including: a key of another algorithm).
    #[error("the signature does not verify with the issuer's key")]
    BadSignature,
    /// The issuer's key is too small to be trusted (RSA under 2048 bits, EC under 256): CG309.
    /// `verifies` is what a legacy check found: `Some(true)` the signature holds (the chain is
    /// intact, but weak), `Some(false)` it does not, `None` no legacy check exists for this key and
    /// hash, so nothing is known: "cannot be verified because the key is weak".
    #[error("the issuer's key is weak ({bits} bits)")]
    WeakKey { bits: u32, verifies: Option<bool> },
    /// certgate cannot check this algorithm: neither a good nor a bad signature.
    #[error("cannot check a signature made with {algorithm}")]
    Unsupported { algorithm: String },
}

/// Check `child`'s signature with `issuer`'s public key. Names are not compared here.
pub fn verify_signed_by(child: &Certificate, issuer: &Certificate) -> Result<(), VerifyError> {
    let key = &issuer.public_key;
    let family = child.signature.family();
    let unsupported = || VerifyError::Unsupported {
        algorithm: format!("{} and an {} key", child.signature.name, key.kind),
    };
    match (family, &key.kind) {
        (SignatureFamily::Other, _) | (_, PublicKeyKind::Other(_)) => return Err(unsupported()),
        (SignatureFamily::RsaPkcs1 | SignatureFamily::RsaPss, PublicKeyKind::Rsa { .. })
        | (SignatureFamily::Ecdsa, PublicKeyKind::Ec { .. })
        | (SignatureFamily::Ed25519, PublicKeyKind::Ed25519) => {}
        // A key of one algorithm cannot have made a signature of another.
        _ => return Err(VerifyError::BadSignature),
    }
    // Both were parsed from this DER already; failing now would be a bug, not a verdict.
    let (Ok((_, child_x509)), Ok((_, issuer_x509))) = (
        X509Certificate::from_der(&child.der),
        X509Certificate::from_der(&issuer.der),
    ) else {
        return Err(unsupported());
    };
    match &key.kind {
        PublicKeyKind::Rsa { bits } if *bits < 2048 => {
            return Err(VerifyError::WeakKey {
                bits: *bits,
                verifies: legacy_rsa(&child_x509, &key.key, family, child.signature.hash, *bits),
            });
        }
        // ring's RSA verification stops at 8192 bits.
        PublicKeyKind::Rsa { bits } if *bits > 8192 => return Err(unsupported()),
        PublicKeyKind::Ec { curve } => {
            if let Some(bits) = curve.bits().filter(|&b| b < 256) {
                return Err(VerifyError::WeakKey { bits, verifies: None });
            }
        }
        _ => {}
    }
    if family == SignatureFamily::RsaPss
        && let Some(algorithm) = pss_unsupported(&child.signature)
    {
        return Err(VerifyError::Unsupported { algorithm });
    }
    match child_x509.verify_signature(Some(issuer_x509.public_key())) {
        Ok(()) => Ok(()),
        Err(X509Error::SignatureUnsupportedAlgorithm) => Err(unsupported()),
        Err(_) => Err(VerifyError::BadSignature),
    }
}

/// What makes an RSASSA-PSS signature one `ring` cannot check, named for CG316: parameters other
/// than MGF1 over the signature's hash, a salt as long as that hash's output and trailerField 1.
/// `None` when they are those (or do not parse: x509-parser then refuses them itself).
///
/// Such signatures are valid (RFC 4055 §3.1 lets the salt length and the MGF1 hash vary), and TLS
/// clients part ways on them: OpenSSL and Java verify any of these parameters; Go's crypto/x509
/// (`getSignatureAlgorithmFromAI`) and rustls (webpki's fixed `RSA_PSS_*` encodings) accept only
/// MGF1 over the same hash with a salt of the hash's length. `openssl req`/`x509`/`ca` with
/// `-sigopt rsa_padding_mode:pss` and no `rsa_pss_saltlen` sign, in OpenSSL 3.0, with the longest
/// salt the key allows (key bytes - hash bytes - 2: 222 for RSA-2048 and SHA-256).
fn pss_unsupported(sig: &SignatureAlgorithm) -> Option<String> {
    let pss = sig.pss.as_ref()?;
    let hash = sig.hash;
    let clients = "OpenSSL and Java clients accept it, Go's crypto/x509 and rustls refuse it";
    if pss.trailer_field != 1 {
        // RFC 4055 §3.1: "The value MUST be 1"; OpenSSL refuses another (RSA_R_INVALID_TRAILER).
        return Some(format!(
            "RSASSA-PSS with trailerField {} (RFC 4055 allows only 1)",
            pss.trailer_field
        ));
    }
    let Some(mgf1_hash) = pss.mgf1_hash else {
        return Some("RSASSA-PSS with a mask generation function other than MGF1".into());
    };
    if mgf1_hash != hash {
        return Some(format!(
            "RSASSA-PSS with MGF1 over {mgf1_hash} for a {hash} signature ({clients})"
        ));
    }
    let len = hash.output_len()?;
    (pss.salt_length != len).then(|| {
        format!(
            "RSASSA-PSS with a salt length of {} (not the {len} bytes of its {hash} hash: {clients})",
            pss.salt_length
        )
    })
}

/// Verify a PKCS#1 v1.5 signature made with an RSA key of 1024 to 2047 bits, with the legacy
/// algorithms `ring` keeps for that (SHA-1, SHA-256 and SHA-512 only). `None` when there is none.
fn legacy_rsa(
    child: &X509Certificate<'_>,
    issuer_key: &[u8],
    family: SignatureFamily,
    hash: SignatureHash,
    bits: u32,
) -> Option<bool> {
    use ring::signature;
    if bits < 1024 || family != SignatureFamily::RsaPkcs1 {
        return None;
    }
    let alg: &'static dyn signature::VerificationAlgorithm = match hash {
        SignatureHash::Sha1 => &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        SignatureHash::Sha256 => &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        SignatureHash::Sha512 => &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        _ => return None,
    };
    let key = signature::UnparsedPublicKey::new(alg, issuer_key);
    Some(
        key.verify(child.tbs_certificate.as_ref(), &child.signature_value.data)
            .is_ok(),
    )
}

/// Why a certificate may not issue others (CG305), as OpenSSL's `check_ca` decides, except that
/// a v3 certificate without basicConstraints is never a CA here (OpenSSL tolerates one whose keyUsage
/// allows keyCertSign; SPEC CG305 does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaProblem {
    /// basicConstraints is absent or says CA=false. A v1 self-issued root has no extensions at all
    /// and is accepted, as OpenSSL accepts it.
    NotCa,
    /// keyUsage is present without keyCertSign.
    NoKeyCertSign,
    /// More CA certificates below it on the path than its pathLenConstraint allows.
    PathLenExceeded { max: u32, below: u32 },
}

/// What stops `cert` from issuing certificates, path length aside. Empty: it may.
pub fn ca_problems(cert: &Certificate) -> Vec<CaProblem> {
    let mut problems = Vec::new();
    let is_ca = match cert.basic_constraints {
        Some(bc) => bc.ca,
        // OpenSSL's V1_ROOT: version 1 and self-issued.
        None => cert.version == 1 && cert.is_self_issued,
    };
    if !is_ca {
        problems.push(CaProblem::NotCa);
    }
    if cert.key_usage.is_some_and(|ku| !ku.key_cert_sign) {
        problems.push(CaProblem::NoKeyCertSign);
    }
    problems
}

/// A certificate's place among [`verify_chain`]'s arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChainCert {
    Leaf,
    /// Index into the `intermediates` slice (bundle order).
    Intermediate(usize),
    /// Index into the `roots` slice: a root of `tls.cacert` (bundle order).
    Ca(usize),
}

/// One step of the path: `child` was checked against `issuer`'s key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub child: ChainCert,
    pub issuer: ChainCert,
    /// `Ok` or `WeakKey { verifies: Some(true) }`: the signature holds. `Unsupported` or
    /// `WeakKey { verifies: None }`: taken on its name, unproven. Otherwise the link that broke.
    pub result: Result<(), VerifyError>,
}

impl Link {
    /// The signature was checked and holds (with a strong key or not).
    pub fn holds(&self) -> bool {
        matches!(
            self.result,
            Ok(())
                | Err(VerifyError::WeakKey {
                    verifies: Some(true),
                    ..
                })
        )
    }

    /// Nothing could be checked for this link.
    pub fn unchecked(&self) -> bool {
        matches!(
            self.result,
            Err(VerifyError::Unsupported { .. } | VerifyError::WeakKey { verifies: None, .. })
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainOutcome {
    /// Every link up to a root of `tls.cacert` holds by signature (some may hold with weak keys:
    /// see [`ChainResult::weak_keys`]).
    Verified,
    /// The path reaches a root, but at least one link could not be checked (unsupported algorithm,
    /// or a weak key beyond legacy verification) and was followed by name: nothing shows the chain
    /// broken, nothing proves it whole.
    Unverifiable,
    /// The path stops at `at`.
    Broken { at: ChainCert, reason: BreakReason },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakReason {
    /// No given certificate (intermediates, `tls.cacert`) has `at`'s issuer as its subject: an
    /// intermediate is missing, or `tls.cacert` is another CA.
    IssuerNotFound,
    /// `at` is self-issued but is not a root of `tls.cacert`: the chain ends at another root.
    OtherRoot,
    /// Certificates named as the issuer exist, but the key of none of them verifies `at` (the first
    /// one tried, roots first, is `issuer`): a different CA with the same name, or tampering.
    BadSignature { issuer: ChainCert },
}

/// Everything [`verify_chain`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainResult {
    /// What TLS clients conclude ([`super::clients`]): the located facts below explain a rejection
    /// when they can, and the path is theirs when they accept.
    pub clients: Result<(), Rejection>,
    pub outcome: ChainOutcome,
    /// The path, leaf first; when broken by a bad signature, the failed link is last.
    pub links: Vec<Link>,
    /// The intermediates on the path do not come in path order in the bundle (CG314).
    pub out_of_order: bool,
    /// Intermediates not on the path (CG314), duplicates excluded.
    pub unused: Vec<usize>,
    /// Intermediates that repeat the leaf, a root or an earlier intermediate (CG314).
    pub duplicates: Vec<usize>,
    /// CA problems of every issuer on the path, and of every root when none was reached (CG305).
    pub ca_problems: Vec<(ChainCert, CaProblem)>,
    /// Validity at the time given of the certificates clients use: the leaf, every intermediate on
    /// the path and the root reached (every root when none was).
    pub validity: Vec<(ChainCert, Validity)>,
    /// Certificates on the path (and the roots) whose own key is weak (CG309).
    pub weak_keys: Vec<ChainCert>,
    /// Certificates on the path signed with MD5 or SHA-1, except a self-issued top (CG310: a root's
    /// self-signature protects nothing).
    pub weak_signatures: Vec<ChainCert>,
    /// Intermediates on the path whose extended key usage does not allow serverAuth (CG312):
    /// clients require it through the chain.
    pub eku_problems: Vec<ChainCert>,
}

impl ChainResult {
    /// The certificates on the path, leaf first, the root last if reached.
    pub fn path(&self) -> Vec<ChainCert> {
        let mut path = vec![ChainCert::Leaf];
        path.extend(
            self.links
                .iter()
                .filter(|l| l.holds() || l.unchecked())
                .map(|l| l.issuer),
        );
        path
    }

    /// The root the path reached.
    pub fn root(&self) -> Option<ChainCert> {
        self.path().last().copied().filter(|c| matches!(c, ChainCert::Ca(_)))
    }

    /// The certificates clients use, leaf first: the path and the root reached, or every root when
    /// none was. [`ChainResult::validity`] lists exactly these.
    pub fn used(&self) -> Vec<ChainCert> {
        self.validity.iter().map(|(c, _)| *c).collect()
    }

    /// Links whose issuer key is weak (held or not).
    pub fn weak_links(&self) -> impl Iterator<Item = &Link> {
        self.links
            .iter()
            .filter(|l| matches!(l.result, Err(VerifyError::WeakKey { .. })))
    }

    /// What a strict verifier accepts: clients accept it, verified by signature up to a root,
    /// every issuer a CA, every certificate valid at the time given, no weak key or weak
    /// signature on the path.
    pub fn is_clean(&self) -> bool {
        self.clients.is_ok()
            && self.outcome == ChainOutcome::Verified
            && self.links.iter().all(|l| l.result.is_ok())
            && self.ca_problems.is_empty()
            && self.validity.iter().all(|(_, v)| *v == Validity::Valid)
            && self.weak_keys.is_empty()
            && self.weak_signatures.is_empty()
            && self.eku_problems.is_empty()
    }
}

/// The certificates a chain is verified from, addressed by [`ChainCert`].
#[derive(Clone, Copy)]
struct Bundle<'a> {
    leaf: &'a Certificate,
    intermediates: &'a [Certificate],
    roots: &'a [Certificate],
}

impl<'a> Bundle<'a> {
    fn get(&self, c: ChainCert) -> &'a Certificate {
        match c {
            ChainCert::Leaf => self.leaf,
            ChainCert::Intermediate(i) => self.intermediates.get(i).unwrap_or(self.leaf),
            ChainCert::Ca(i) => self.roots.get(i).unwrap_or(self.leaf),
        }
    }

    /// Every possible issuer: the intermediates, then the roots.
    fn issuers(&self) -> impl Iterator<Item = ChainCert> {
        (0..self.intermediates.len())
            .map(ChainCert::Intermediate)
            .chain((0..self.roots.len()).map(ChainCert::Ca))
    }

    /// Intermediates that repeat the leaf, a root or an earlier intermediate.
    fn duplicates(&self) -> Vec<usize> {
        let (leaf, roots, intermediates) = (self.leaf, self.roots, self.intermediates);
        (0..intermediates.len())
            .filter(|&i| {
                let c = &intermediates[i];
                c.sha256 == leaf.sha256
                    || roots.iter().any(|r| r.sha256 == c.sha256)
                    || intermediates[..i].iter().any(|p| p.sha256 == c.sha256)
            })
            .collect()
    }

    /// The first certificate of `among` with a critical extension clients do not process.
    fn critical_unprocessed(&self, among: impl IntoIterator<Item = ChainCert>) -> Option<(ChainCert, String)> {
        among
            .into_iter()
            .find_map(|c| self.get(c).critical_unprocessed.clone().map(|oid| (c, oid)))
    }
}

/// Verify `leaf` through `intermediates` (any order) up to any of `roots`, and report everything
/// about the path at Unix time `at`.
///
/// The path is the one clients build ([`super::clients::verify`]) when they accept the chain.
/// When they refuse it, certgate builds its own to say where it breaks: at each step the
/// candidates are the certificates whose subject is the current certificate's issuer (roots first,
/// then unused intermediates, in bundle order); the first whose key verifies the signature is
/// taken, and one that cannot be checked only if none verifies.
pub fn verify_chain(
    leaf: &Certificate,
    intermediates: &[Certificate],
    roots: &[Certificate],
    at: impl Into<Moment>,
) -> ChainResult {
    let at: Moment = at.into();
    let bundle = Bundle {
        leaf,
        intermediates,
        roots,
    };
    let duplicates = bundle.duplicates();
    // Clients compare whole seconds; the fraction is in the validity facts below.
    let clients = super::clients::verify(leaf, intermediates, roots, at.floor());
    let (outcome, links) = match &clients {
        Ok(path) => {
            let mut chain: Vec<ChainCert> = vec![ChainCert::Leaf];
            chain.extend(path.intermediates.iter().map(|&i| ChainCert::Intermediate(i)));
            chain.push(ChainCert::Ca(path.root));
            // Every signature was verified by the client's own checks: not again.
            let links = chain
                .windows(2)
                .map(|w| Link {
                    child: w[0],
                    issuer: w[1],
                    result: Ok(()),
                })
                .collect();
            (ChainOutcome::Verified, links)
        }
        Err(_) => build_path(bundle, &duplicates),
    };
    let clients = match clients {
        Ok(_) => openssl_refusal(bundle, &links).map_or(Ok(()), Err),
        Err(rejection) => Err(locate(bundle, rejection)),
    };
    let mut result = ChainResult {
        clients,
        outcome,
        links,
        out_of_order: false,
        unused: Vec::new(),
        duplicates,
        ca_problems: Vec::new(),
        validity: Vec::new(),
        weak_keys: Vec::new(),
        weak_signatures: Vec::new(),
        eku_problems: Vec::new(),
    };
    place_intermediates(&mut result, intermediates.len());
    path_facts(&mut result, bundle, at);
    result
}

/// webpki does not say which certificate it refused: find it, for the finding's location.
fn locate(bundle: Bundle<'_>, mut rejection: Rejection) -> Rejection {
    match &mut rejection.reason {
        RejectReason::CriticalExtension { at } => {
            *at = bundle.critical_unprocessed(std::iter::once(ChainCert::Leaf).chain(bundle.issuers()));
        }
        RejectReason::NameConstraints { by } => {
            *by = bundle
                .issuers()
                .find(|&c| has_extension(bundle.get(c), NAME_CONSTRAINTS));
        }
        _ => {}
    }
    rejection
}

/// What webpki accepts and OpenSSL (librdkafka's verifier) refuses on the path `links` make: a
/// critical extension it does not process, on any certificate it uses, the root included; and
/// issuer linkage ([`linkage_problem`]).
fn openssl_refusal(bundle: Bundle<'_>, links: &[Link]) -> Option<Rejection> {
    let path: Vec<ChainCert> = std::iter::once(ChainCert::Leaf)
        .chain(links.iter().map(|l| l.issuer))
        .collect();
    if let Some(at) = bundle.critical_unprocessed(path.iter().copied()) {
        return Some(Rejection {
            reason: RejectReason::CriticalExtension { at: Some(at) },
            detail: "OpenSSL: unhandled critical extension".into(),
        });
    }
    linkage_problem(&path, |c| bundle.get(c)).map(|(at, why)| Rejection {
        reason: RejectReason::Linkage { at, why },
        detail: "OpenSSL: unable to get issuer certificate".into(),
    })
}

/// Which intermediates the path leaves out, and whether it takes them out of bundle order.
fn place_intermediates(result: &mut ChainResult, count: usize) {
    let on_path: Vec<usize> = result
        .path()
        .iter()
        .filter_map(|c| match c {
            ChainCert::Intermediate(i) => Some(*i),
            _ => None,
        })
        .collect();
    result.out_of_order = on_path.windows(2).any(|w| w[0] > w[1]);
    result.unused = (0..count)
        .filter(|i| !on_path.contains(i) && !result.duplicates.contains(i))
        .collect();
}

/// The facts about every certificate clients use: the path, plus every root when the path
/// reaches none.
fn path_facts(result: &mut ChainResult, bundle: Bundle<'_>, at: Moment) {
    let path = result.path();
    let mut checked = path.clone();
    if result.root().is_none() {
        checked.extend((0..bundle.roots.len()).map(ChainCert::Ca));
    }
    for &c in &checked {
        let cert = bundle.get(c);
        result.validity.push((c, validity_at(cert, at)));
        if cert.public_key.is_weak() {
            result.weak_keys.push(c);
        }
        if cert.signature.is_weak() && !cert.is_self_issued {
            result.weak_signatures.push(c);
        }
        if c != ChainCert::Leaf {
            result.ca_problems.extend(ca_problems(cert).into_iter().map(|p| (c, p)));
        }
        if matches!(c, ChainCert::Intermediate(_)) && eku_excludes_server_auth(cert) {
            result.eku_problems.push(c);
        }
    }
    // pathLenConstraint, as OpenSSL counts it: for the issuer at depth d >= 2, the certificates at
    // depths 1..d that are not self-issued.
    for (depth, &c) in path.iter().enumerate().skip(2) {
        let Some(max) = bundle.get(c).basic_constraints.and_then(|bc| bc.path_len) else {
            continue;
        };
        let below = path[1..depth]
            .iter()
            .filter(|&&p| !bundle.get(p).is_self_issued)
            .count();
        let below = u32::try_from(below).unwrap_or(u32::MAX);
        if below > max {
            result.ca_problems.push((c, CaProblem::PathLenExceeded { max, below }));
        }
    }
}

/// `cert` has an extended key usage without serverAuth. anyExtendedKeyUsage does not stand in for
/// it: OpenSSL's `-purpose sslserver` and rustls-webpki both require serverAuth itself (RFC 5280
/// §4.2.1.12 leaves anyExtendedKeyUsage to the application).
pub fn eku_excludes_server_auth(cert: &Certificate) -> bool {
    cert.extended_key_usage.as_ref().is_some_and(|eku| !eku.server_auth)
}

/// What one step of [`build_path`] found for the certificate it stands at.
enum Step {
    /// The issuer whose key verifies the signature, or else one that cannot be checked
    /// (`proven` false).
    Next { link: Link, proven: bool },
    /// The path stops here (with the failed link, when a signature did not verify).
    Stop { link: Option<Link>, reason: BreakReason },
}

/// certgate's own path, to locate what breaks a chain clients refuse: greedy, by names then
/// signatures (see [`verify_chain`]).
fn build_path(bundle: Bundle<'_>, duplicates: &[usize]) -> (ChainOutcome, Vec<Link>) {
    let mut used = vec![false; bundle.intermediates.len()];
    for &i in duplicates {
        used[i] = true;
    }
    let mut links = Vec::new();
    let mut current = ChainCert::Leaf;
    let mut unproven = false;
    loop {
        match step(bundle, current, &used) {
            Step::Stop { link, reason } => {
                links.extend(link);
                return (ChainOutcome::Broken { at: current, reason }, links);
            }
            Step::Next { link, proven } => {
                unproven |= !proven;
                let next = link.issuer;
                links.push(link);
                match next {
                    ChainCert::Intermediate(i) => {
                        used[i] = true;
                        current = next;
                    }
                    _ if unproven => return (ChainOutcome::Unverifiable, links),
                    _ => return (ChainOutcome::Verified, links),
                }
            }
        }
    }
}

/// One step up from `current`: the candidates are the roots, then the unused intermediates, whose
/// subject is `current`'s issuer; the first whose key verifies is taken.
fn step(bundle: Bundle<'_>, current: ChainCert, used: &[bool]) -> Step {
    let cur = bundle.get(current);
    let candidates = bundle.issuers().filter(|&c| match c {
        ChainCert::Intermediate(i) => !used[i] && bundle.get(c).sha256 != cur.sha256,
        _ => true,
    });
    // Roots first, in bundle order; then the intermediates.
    let (mut roots, intermediates): (Vec<ChainCert>, Vec<ChainCert>) = candidates
        .filter(|&c| cur.issued_by_name(bundle.get(c)))
        .partition(|c| matches!(c, ChainCert::Ca(_)));
    roots.extend(intermediates);
    if roots.is_empty() {
        let reason = if cur.is_self_issued {
            BreakReason::OtherRoot
        } else {
            BreakReason::IssuerNotFound
        };
        return Step::Stop { link: None, reason };
    }
    let (mut unchecked, mut failed) = (None, None);
    for candidate in roots {
        let link = Link {
            child: current,
            issuer: candidate,
            result: verify_signed_by(cur, bundle.get(candidate)),
        };
        if link.holds() {
            return Step::Next { link, proven: true };
        } else if link.unchecked() {
            unchecked = unchecked.or(Some(link));
        } else {
            failed = failed.or(Some(link));
        }
    }
    match (unchecked, failed) {
        (Some(link), _) => Step::Next { link, proven: false },
        (None, Some(link)) => {
            let issuer = link.issuer;
            Step::Stop {
                link: Some(link),
                reason: BreakReason::BadSignature { issuer },
            }
        }
        // Unreachable: there was at least one candidate, and each is one of the three.
        (None, None) => Step::Stop {
            link: None,
            reason: BreakReason::IssuerNotFound,
        },
    }
}

/// Where OpenSSL would not link the path: for each certificate and the next one up (the root
/// with itself, as OpenSSL checks a self-signed root), `X509_check_akid` (crypto/x509/v3_purp.c):
/// an authorityKeyIdentifier whose keyIdentifier is not the issuer's subjectKeyIdentifier, whose
/// serial is not the issuer's serial, or whose directoryName is not the issuer's issuer; and an
/// issuer with an empty subject (RFC 5280 §4.1.2.6: a CA's subject "MUST be a non-empty
/// distinguished name").
fn linkage_problem<'a>(path: &[ChainCert], get: impl Fn(ChainCert) -> &'a Certificate) -> Option<(ChainCert, String)> {
    let mut pairs: Vec<(ChainCert, ChainCert)> = path.windows(2).map(|w| (w[0], w[1])).collect();
    if let Some(&top) = path.last().filter(|&&c| c != ChainCert::Leaf && get(c).is_self_issued) {
        pairs.push((top, top));
    }
    for (child, issuer) in pairs {
        let (c, i) = (get(child), get(issuer));
        if child != issuer && i.subject.is_empty() {
            return Some((
                issuer,
                "a CA on the path has an empty subject, so it cannot be named as an issuer".into(),
            ));
        }
        let Some(aki) = &c.authority_key_id else { continue };
        let whose = if child == issuer { "its own" } else { "its issuer's" };
        if let (Some(kid), Some(skid)) = (&aki.key_id, &i.subject_key_id)
            && kid != skid
        {
            return Some((
                child,
                format!("its authorityKeyIdentifier is not {whose} subjectKeyIdentifier"),
            ));
        }
        if aki.serial.as_ref().is_some_and(|serial| *serial != i.serial) {
            return Some((
                child,
                format!("its authorityKeyIdentifier names another serial number than {whose}"),
            ));
        }
        if aki.issuer_name.as_ref().is_some_and(|name| *name != i.issuer_key) {
            return Some((
                child,
                format!("its authorityKeyIdentifier names another issuer than {whose}"),
            ));
        }
    }
    None
}

/// id-ce-nameConstraints (RFC 5280 §4.2.1.10).
const NAME_CONSTRAINTS: &str = "2.5.29.30";

/// Whether `cert` has the extension `oid` (dotted).
fn has_extension(cert: &Certificate, oid: &str) -> bool {
    X509Certificate::from_der(cert.der())
        .is_ok_and(|(_, x509)| x509.extensions().iter().any(|e| e.oid.to_id_string() == oid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::cert::parse_certificate;
    use crate::crypto::test_support::*;

    fn parse(der: &[u8]) -> Certificate {
        parse_certificate(der).unwrap()
    }

    const AT: i64 = 1_767_225_600; // 2026-01-01

    #[test]
    fn verifies_direct_signatures_for_every_algorithm() {
        for alg in [Alg::Rsa2048, Alg::Rsa3072, Alg::EcP256, Alg::EcP384, Alg::Ed25519] {
            let ca = Ca::new(alg, "Root");
            let leaf = ca.leaf(Alg::EcP256, "leaf", &["leaf"]);
            let (ca, leaf) = (parse(&ca.der), parse(&leaf.der));
            assert_eq!(verify_signed_by(&leaf, &ca), Ok(()), "{alg:?}");
            assert_eq!(verify_signed_by(&ca, &ca), Ok(()), "{alg:?} self-signature");
            assert_eq!(verify_signed_by(&ca, &leaf), Err(VerifyError::BadSignature), "{alg:?}");
        }
    }

    #[test]
    fn rsa_pss_verifies_with_the_hash_length_salt_and_is_unsupported_otherwise() {
        let pss = pss_fixtures();
        let digest = parse(&pss.salt_digest);
        assert_eq!(verify_signed_by(&digest, &digest), Ok(()));
        let mut forged = pss.salt_digest.clone();
        let last = forged.len() - 1;
        forged[last] ^= 1;
        assert_eq!(
            verify_signed_by(&parse(&forged), &digest),
            Err(VerifyError::BadSignature)
        );

        // OpenSSL's longest salt: valid (OpenSSL verifies it), but not what ring can check.
        let (max, leaf) = (parse(&pss.salt_max), parse(&pss.salt_max_leaf));
        for (child, issuer) in [(&max, &max), (&leaf, &max)] {
            let Err(VerifyError::Unsupported { algorithm }) = verify_signed_by(child, issuer) else {
                panic!("{}: not Unsupported", child.subject);
            };
            assert_eq!(
                algorithm,
                "RSASSA-PSS with a salt length of 222 (not the 32 bytes of its sha256 hash: OpenSSL and Java clients accept it, Go's crypto/x509 and rustls refuse it)"
            );
        }
        // Nor is a damaged one called forged: nothing about it can be checked.
        let mut damaged = pss.salt_max_leaf.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert!(matches!(
            verify_signed_by(&parse(&damaged), &max),
            Err(VerifyError::Unsupported { .. })
        ));
        let chain = verify_chain(&leaf, &[], std::slice::from_ref(&max), AT);
        assert_eq!(chain.outcome, ChainOutcome::Unverifiable);
        assert!(chain.links[0].unchecked());
        // A key of the wrong kind is still a bad signature, whatever the parameters.
        let ec = parse(&Ca::new(Alg::EcP256, "PSS Root salt max").der);
        assert_eq!(verify_signed_by(&leaf, &ec), Err(VerifyError::BadSignature));

        let mgf1 = parse(&pss.mgf1_sha1);
        assert_eq!(
            verify_signed_by(&mgf1, &mgf1),
            Err(VerifyError::Unsupported {
                algorithm: "RSASSA-PSS with MGF1 over sha1 for a sha256 signature (OpenSSL and Java clients accept it, Go's crypto/x509 and rustls refuse it)".into()
            })
        );
    }

    #[test]
    fn a_same_name_ca_with_another_key_is_a_bad_signature() {
        let real = Ca::new(Alg::EcP256, "Root");
        let fake = Ca::new(Alg::EcP256, "Root");
        let leaf = parse(&real.leaf(Alg::EcP256, "leaf", &[]).der);
        let fake = parse(&fake.der);
        assert!(leaf.issued_by_name(&fake));
        assert_eq!(verify_signed_by(&leaf, &fake), Err(VerifyError::BadSignature));
        let chain = verify_chain(&leaf, &[], std::slice::from_ref(&fake), AT);
        assert_eq!(
            chain.outcome,
            ChainOutcome::Broken {
                at: ChainCert::Leaf,
                reason: BreakReason::BadSignature {
                    issuer: ChainCert::Ca(0)
                }
            }
        );
        // A key of another algorithm cannot have signed it either.
        let rsa = parse(&Ca::new(Alg::Rsa2048, "Root").der);
        assert_eq!(verify_signed_by(&leaf, &rsa), Err(VerifyError::BadSignature));
    }

    #[test]
    fn builds_the_path_through_intermediates_in_any_order() {
        let root = Ca::new(Alg::Rsa2048, "Root");
        let mid = root.intermediate(Alg::EcP384, "Mid");
        let low = mid.intermediate(Alg::EcP256, "Low");
        let leaf = low.leaf(Alg::Ed25519, "leaf", &["leaf.example.com"]);
        let (root, mid, low, leaf) = (parse(&root.der), parse(&mid.der), parse(&low.der), parse(&leaf.der));

        let chain = verify_chain(&leaf, &[low.clone(), mid.clone()], std::slice::from_ref(&root), AT);
        assert_eq!(chain.outcome, ChainOutcome::Verified);
        assert!(chain.is_clean(), "{chain:?}");
        assert!(!chain.out_of_order);
        assert_eq!(
            chain.path(),
            vec![
                ChainCert::Leaf,
                ChainCert::Intermediate(0),
                ChainCert::Intermediate(1),
                ChainCert::Ca(0)
            ]
        );

        let chain = verify_chain(&leaf, &[mid.clone(), low.clone()], std::slice::from_ref(&root), AT);
        assert_eq!(chain.outcome, ChainOutcome::Verified);
        assert!(chain.out_of_order);

        // With the root in the bundle too: a duplicate, not part of the path.
        let chain = verify_chain(
            &leaf,
            &[low.clone(), mid.clone(), root.clone()],
            std::slice::from_ref(&root),
            AT,
        );
        assert_eq!(chain.outcome, ChainOutcome::Verified);
        assert_eq!(chain.duplicates, vec![2]);
        assert!(chain.unused.is_empty());

        // A missing intermediate.
        let chain = verify_chain(&leaf, std::slice::from_ref(&low), std::slice::from_ref(&root), AT);
        assert_eq!(
            chain.outcome,
            ChainOutcome::Broken {
                at: ChainCert::Intermediate(0),
                reason: BreakReason::IssuerNotFound
            }
        );

        // cacert is an intermediate: a trust anchor all the same (CG311 is separate).
        let chain = verify_chain(&leaf, std::slice::from_ref(&low), std::slice::from_ref(&mid), AT);
        assert_eq!(chain.outcome, ChainOutcome::Verified);
        assert!(!mid.is_self_issued);

        // Unrelated extra blocks are reported.
        let other = parse(&Ca::new(Alg::EcP256, "Other").der);
        let chain = verify_chain(
            &leaf,
            &[low.clone(), other.clone(), mid.clone()],
            std::slice::from_ref(&root),
            AT,
        );
        assert_eq!(chain.outcome, ChainOutcome::Verified);
        assert_eq!(chain.unused, vec![1]);

        // The chain leads to another root.
        let chain = verify_chain(&leaf, &[low, mid, root], std::slice::from_ref(&other), AT);
        assert_eq!(
            chain.outcome,
            ChainOutcome::Broken {
                at: ChainCert::Intermediate(2),
                reason: BreakReason::OtherRoot
            }
        );
    }

    #[test]
    fn wrong_ca_is_issuer_not_found() {
        let root = Ca::new(Alg::EcP256, "Root");
        let other = parse(&Ca::new(Alg::EcP256, "Other Root").der);
        let leaf = parse(&root.leaf(Alg::EcP256, "leaf", &[]).der);
        let chain = verify_chain(&leaf, &[], std::slice::from_ref(&other), AT);
        assert_eq!(
            chain.outcome,
            ChainOutcome::Broken {
                at: ChainCert::Leaf,
                reason: BreakReason::IssuerNotFound
            }
        );
        assert!(!chain.is_clean());
    }

    #[test]
    fn reports_issuers_that_are_not_cas() {
        let root = Ca::new(Alg::EcP256, "Root");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(rcgen::DnType::CommonName, "Not A CA");
        params.is_ca = rcgen::IsCa::ExplicitNoCa;
        params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        let not_ca = root.issue_ca(Alg::EcP256, params, 1);
        let leaf = parse(&not_ca.leaf(Alg::EcP256, "leaf", &[]).der);
        let (root, not_ca) = (parse(&root.der), parse(&not_ca.der));
        assert_eq!(ca_problems(&not_ca), vec![CaProblem::NotCa, CaProblem::NoKeyCertSign]);
        let chain = verify_chain(&leaf, &[not_ca], std::slice::from_ref(&root), AT);
        assert_eq!(chain.outcome, ChainOutcome::Verified);
        assert_eq!(
            chain.ca_problems,
            vec![
                (ChainCert::Intermediate(0), CaProblem::NotCa),
                (ChainCert::Intermediate(0), CaProblem::NoKeyCertSign)
            ]
        );
        assert!(!chain.is_clean());
    }

    #[test]
    fn path_length_constraint_counts_as_openssl_does() {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Root pathlen 0");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
        params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign];
        let root = Ca::with_params(Alg::EcP256, params, 0);
        let mid = root.intermediate(Alg::EcP256, "Mid");
        let leaf = parse(&mid.leaf(Alg::EcP256, "leaf", &[]).der);
        let direct = parse(&root.leaf(Alg::EcP256, "leaf", &[]).der);
        let (root, mid) = (parse(&root.der), parse(&mid.der));
        let chain = verify_chain(&leaf, &[mid], std::slice::from_ref(&root), AT);
        assert_eq!(
            chain.ca_problems,
            vec![(ChainCert::Ca(0), CaProblem::PathLenExceeded { max: 0, below: 1 })]
        );
        assert!(verify_chain(&direct, &[], std::slice::from_ref(&root), AT).is_clean());
    }

    #[test]
    fn reports_validity_of_every_certificate() {
        let root = Ca::new(Alg::EcP256, "Root");
        let leaf = parse(&root.leaf(Alg::EcP256, "leaf", &[]).der);
        let root = parse(&root.der);
        let late = leaf.not_after + 1;
        let chain = verify_chain(&leaf, &[], std::slice::from_ref(&root), late);
        assert_eq!(chain.outcome, ChainOutcome::Verified);
        assert_eq!(
            chain.validity,
            vec![
                (ChainCert::Leaf, Validity::Expired),
                (ChainCert::Ca(0), Validity::Valid)
            ]
        );
        assert!(!chain.is_clean());
    }

    #[test]
    fn unknown_key_algorithms_and_small_curves_are_not_bad_signatures() {
        // ring can make neither, so the issuer's key kind is edited; real P-521 and RSA-1024 chains
        // are in tests/openssl_oracle.rs.
        let root = Ca::new(Alg::EcP256, "Root");
        let leaf = parse(&root.leaf(Alg::EcP256, "leaf", &[]).der);
        let mut issuer = parse(&root.der);
        issuer.public_key.kind = PublicKeyKind::Other("1.3.101.113".into());
        assert!(matches!(
            verify_signed_by(&leaf, &issuer),
            Err(VerifyError::Unsupported { .. })
        ));
        let mut p224 = parse(&root.der);
        p224.public_key.kind = PublicKeyKind::Ec {
            curve: crate::crypto::cert::EcCurve::Other("1.3.132.0.33".into()),
        };
        assert_eq!(
            verify_signed_by(&leaf, &p224),
            Err(VerifyError::WeakKey {
                bits: 224,
                verifies: None
            })
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn damaged_certificates_never_panic(at in 0usize..4000, value in proptest::num::u8::ANY) {
            let root = Ca::new(Alg::EcP256, "Root");
            let mid = root.intermediate(Alg::Ed25519, "Mid");
            let leaf = mid.leaf(Alg::EcP384, "leaf", &["leaf"]);
            let damage = |der: &[u8]| {
                let mut der = der.to_vec();
                let i = at % der.len();
                der[i] = value;
                der
            };
            for (l, m, r) in [
                (damage(&leaf.der), mid.der.clone(), root.der.clone()),
                (leaf.der.clone(), damage(&mid.der), root.der.clone()),
                (leaf.der.clone(), mid.der.clone(), damage(&root.der)),
            ] {
                let (Ok(l), Ok(m), Ok(r)) = (parse_certificate(&l), parse_certificate(&m), parse_certificate(&r)) else {
                    continue;
                };
                let chain = verify_chain(&l, std::slice::from_ref(&m), std::slice::from_ref(&r), AT);
                let _ = (chain.is_clean(), chain.path());
                let _ = verify_signed_by(&l, &l);
            }
        }

        #[test]
        fn random_bytes_are_never_a_certificate(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            proptest::prop_assert!(parse_certificate(&bytes).is_err());
        }
    }
}
