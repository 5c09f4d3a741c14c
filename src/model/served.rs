//! What the wire says: the chain each endpoint of a unit (`--endpoint HOST:PORT`, `endpoints:`
//! in certgate.yaml) presents today, read by the loader with a TLS handshake, and the facts the
//! served-chain rules judge: why nothing was read, the previous values' server certificate to
//! compare with, and the served chain verified against the CA clients trust today.

use crate::crypto::{ChainOutcome, ChainResult};
use crate::model::material::CertAt;
use crate::model::unit::Given;

/// One endpoint and what it served.
#[derive(Debug, Clone)]
pub struct Served {
    /// `HOST:PORT` as given, located at the `--endpoint` argument or the certgate.yaml line.
    pub endpoint: Given<String>,
    /// The name the handshake was made for (SNI when it is a DNS name).
    pub server_name: String,
    /// What was read, or why nothing was.
    pub outcome: Result<ServedChain, String>,
}

/// The chain an endpoint presented, leaf first, each certificate located at its block in the
/// source holding the served chain as PEM text.
#[derive(Debug, Clone)]
pub struct ServedChain {
    pub certs: Vec<CertAt>,
    /// Certificates sent that are not X.509 certgate can read (counted, not used).
    pub unreadable: usize,
    /// The server certificate the previous values hold (`tls.cert` of `provided` values), when
    /// they hold one: the chain the cluster should serve if nothing changed outside Git.
    pub previous_leaf: Option<CertAt>,
    /// The served chain against the CA clients trust today (`--previous-cacert` or the previous
    /// `tls.cacert`), when that CA is known from anywhere but the wire.
    pub against_previous_ca: Option<(String, ChainResult)>,
}

impl ServedChain {
    pub fn leaf(&self) -> Option<&CertAt> {
        self.certs.first()
    }

    /// Whether the served server certificate is another one than the previous values' (compared
    /// by the SHA-256 of its DER).
    pub fn differs_from_previous(&self) -> Option<(&CertAt, &CertAt)> {
        let (served, previous) = (self.leaf()?, self.previous_leaf.as_ref()?);
        (served.cert.sha256 != previous.cert.sha256).then_some((served, previous))
    }

    /// The CA clients trust today (its subject) when the served chain breaks before reaching it.
    pub fn untrusted(&self) -> Option<&str> {
        let (ca, result) = self.against_previous_ca.as_ref()?;
        matches!(result.outcome, ChainOutcome::Broken { .. }).then_some(ca.as_str())
    }
}
