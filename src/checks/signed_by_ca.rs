//! `signed_by_ca`: the server certificate verifies up to `tls.cacert` by signature, through the
//! intermediates of its bundle; names that match prove nothing.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::crypto::{BreakReason, ChainOutcome};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "signed_by_ca",
    summary: "The certificate chain verifies up to tls.cacert by signature.",
    params: "(none)",
    build: super::build::<SignedByCa>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedByCa {}

impl Check for SignedByCa {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let m = &unit.material;
        let (Some(chain), Some(ca)) = (&m.chain, m.ca()) else {
            return;
        };
        let ChainOutcome::Broken { at, reason } = &chain.outcome else {
            return;
        };
        let Some(cert) = m.at(*at) else { return };
        let what = match reason {
            BreakReason::IssuerNotFound => format!(
                "no certificate given is its issuer ({}): tls.cacert is {}, so an intermediate is missing from tls.cert or tls.cacert is another CA",
                cert.cert.issuer, ca.cert.subject
            ),
            BreakReason::OtherRoot => format!("it is a self-signed root, not tls.cacert ({})", ca.cert.subject),
            BreakReason::BadSignature { issuer } => format!(
                "its signature does not verify with the key of {}, though the names match: a different CA with the same name",
                m.at(*issuer)
                    .map_or("its issuer".to_string(), |c| c.cert.subject.clone())
            ),
        };
        emit.hit(Hit {
            location: cert.location.clone(),
            path: Some("tls.cert".into()),
            block: Some(cert.block),
            message: format!("{} does not verify up to tls.cacert: {what}", cert.cert.subject),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca};

    fn signed_by(issuer: &Ca, cacert: &Ca) -> Unit {
        let leaf = issuer.leaf(Alg::EcP256, "es", &["es.example.com"]);
        Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &cacert.cert_pem())
            .build()
    }

    #[test]
    fn a_leaf_another_ca_signed_is_reported_at_the_certificate() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let other = Ca::new(Alg::EcP256, "Other CA");
        assert_eq!(
            hits(&SignedByCa {}, &signed_by(&other, &root)),
            [
                "cert.pem:1:1#1 tls.cert: CN=es does not verify up to tls.cacert: no certificate given is its issuer (CN=Other CA): tls.cacert is CN=Test CA, so an intermediate is missing from tls.cert or tls.cacert is another CA"
            ]
        );
        // The same name, another key: names that match prove nothing.
        let impostor = Ca::new(Alg::EcP256, "Test CA");
        assert_eq!(
            hits(&SignedByCa {}, &signed_by(&impostor, &root)),
            [
                "cert.pem:1:1#1 tls.cert: CN=es does not verify up to tls.cacert: its signature does not verify with the key of CN=Test CA, though the names match: a different CA with the same name"
            ]
        );
    }

    #[test]
    fn a_leaf_the_ca_signed_is_not_reported() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        assert_eq!(hits(&SignedByCa {}, &signed_by(&root, &root)), Vec::<String>::new());
    }
}
