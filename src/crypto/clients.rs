//! The chain as a TLS client judges it: RFC 5280 §6 path validation by `rustls-webpki`, the
//! verifier rustls clients run. It builds paths with backtracking over every candidate issuer (with
//! budgets for signature checks and build calls), enforces name constraints, refuses unknown
//! critical extensions, requires serverAuth through the chain, and checks basicConstraints,
//! pathLenConstraint and keyUsage of every issuer; any root of `tls.cacert` may be the anchor.
//!
//! certgate does not write this by hand: `rustls-webpki` is maintained for exactly this job, and on
//! the x509-limbo suite it agrees with the expected verdict on 99.4% of the server cases
//! (tests/x509_limbo.md). What it leaves out is checked around it, in [`super::verify`]: the trust
//! anchor's own validity and CA-ness (webpki takes an anchor's name and key only, RFC 5280 §6.1.1
//! (d)), and located findings for each certificate.

use std::time::Duration;

use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use webpki::{EndEntityCert, Error};

use super::cert::Certificate;
use super::verify::ChainCert;

/// Why clients refuse the chain, in certgate's terms. `detail` is webpki's own word for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub reason: RejectReason,
    pub detail: String,
}

/// The classes of webpki's errors that certgate reports differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectReason {
    /// No path from the leaf to a root of `tls.cacert` (missing intermediate, another CA).
    NoPath,
    /// A signature on every candidate path fails (a different key with the same name, a weak key).
    BadSignature,
    /// A signature algorithm or key clients do not support (SHA-1, MD5, RSA under 2048 bits, P-521).
    UnsupportedAlgorithm,
    Expired,
    NotYetValid,
    /// The leaf is a CA certificate.
    CaAsLeaf,
    /// An issuer on the path is not a CA, lacks keyCertSign, or its pathLenConstraint is exceeded.
    IssuerNotCa,
    /// The leaf or an intermediate has an extended key usage without serverAuth.
    ExtendedKeyUsage,
    /// A name of the leaf is outside what an issuer's nameConstraints permit, or is excluded; `by`
    /// is the first certificate above the leaf found with the extension.
    NameConstraints {
        by: Option<ChainCert>,
    },
    /// A certificate on the path has a critical extension clients do not know; `at` is the first
    /// certificate found with one, `oid` the extension.
    CriticalExtension {
        at: Option<(ChainCert, String)>,
    },
    /// OpenSSL does not take `at`'s issuer for its issuer, though names and signature match: the
    /// authorityKeyIdentifier names another key, serial or issuer (`X509_check_akid`), or the
    /// issuer's subject is empty. `why` says which.
    Linkage {
        at: ChainCert,
        why: String,
    },
    /// The certificate's encoding or a field breaks RFC 5280 in a way clients refuse (bad DER,
    /// a duplicate extension, a serial number over 20 bytes, an empty EKU, an invalid SAN).
    Malformed,
    /// Path building gave up: too many candidate paths or signatures, or too deep.
    TooComplex,
}

/// The path clients build: intermediates (indexes into the bundle, leaf side first) and the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPath {
    pub intermediates: Vec<usize>,
    pub root: usize,
}

/// Validate `leaf` through `intermediates` to any of `roots` at Unix time `at`, for serverAuth.
pub fn verify(
    leaf: &Certificate,
    intermediates: &[Certificate],
    roots: &[Certificate],
    at: i64,
) -> Result<ClientPath, Rejection> {
    let root_ders: Vec<CertificateDer<'_>> = roots.iter().map(|r| CertificateDer::from(r.der())).collect();
    // A root webpki cannot read cannot anchor anything; the others still can. `index` maps an
    // anchor back to its root.
    let (anchors, index): (Vec<TrustAnchor<'_>>, Vec<usize>) = root_ders
        .iter()
        .enumerate()
        .filter_map(|(i, der)| webpki::anchor_from_trusted_cert(der).ok().map(|a| (a, i)))
        .unzip();
    let intermediate_ders: Vec<CertificateDer<'_>> =
        intermediates.iter().map(|c| CertificateDer::from(c.der())).collect();
    let leaf_der = CertificateDer::from(leaf.der());
    let reject = |e: Error| Rejection {
        reason: classify(&e),
        detail: format!("{e:?}"),
    };
    let ee = EndEntityCert::try_from(&leaf_der).map_err(reject)?;
    let time = UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(at).unwrap_or(0)));
    let path = ee
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &anchors,
            &intermediate_ders,
            time,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        )
        .map_err(reject)?;
    let root = anchors
        .iter()
        .position(|a| std::ptr::eq(a, path.anchor()))
        .and_then(|i| index.get(i).copied())
        .unwrap_or(0);
    let mut used = vec![false; intermediates.len()];
    let mut on_path = Vec::new();
    for cert in path.intermediate_certificates() {
        let der = cert.der();
        if let Some(i) = (0..intermediates.len()).find(|&i| !used[i] && intermediates[i].der() == der.as_ref()) {
            used[i] = true;
            on_path.push(i);
        }
    }
    Ok(ClientPath {
        intermediates: on_path,
        root,
    })
}

/// webpki's error, in the classes certgate reports. `Error` is non-exhaustive: a kind added later
/// is still a rejection (Malformed), never an acceptance.
fn classify(e: &Error) -> RejectReason {
    #[allow(deprecated)]
    match e {
        Error::UnknownIssuer => RejectReason::NoPath,
        Error::InvalidSignatureForPublicKey | Error::SignatureAlgorithmMismatch => RejectReason::BadSignature,
        Error::UnsupportedSignatureAlgorithm
        | Error::UnsupportedSignatureAlgorithmContext(_)
        | Error::UnsupportedSignatureAlgorithmForPublicKey
        | Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => RejectReason::UnsupportedAlgorithm,
        Error::CertExpired { .. } => RejectReason::Expired,
        Error::CertNotValidYet { .. } => RejectReason::NotYetValid,
        Error::CaUsedAsEndEntity => RejectReason::CaAsLeaf,
        Error::EndEntityUsedAsCa | Error::PathLenConstraintViolated => RejectReason::IssuerNotCa,
        Error::RequiredEkuNotFound | Error::RequiredEkuNotFoundContext(_) | Error::EmptyEkuExtension => {
            RejectReason::ExtendedKeyUsage
        }
        Error::NameConstraintViolation => RejectReason::NameConstraints { by: None },
        Error::UnsupportedCriticalExtension => RejectReason::CriticalExtension { at: None },
        Error::MaximumPathDepthExceeded
        | Error::MaximumSignatureChecksExceeded
        | Error::MaximumPathBuildCallsExceeded
        | Error::MaximumNameConstraintComparisonsExceeded => RejectReason::TooComplex,
        _ => RejectReason::Malformed,
    }
}
