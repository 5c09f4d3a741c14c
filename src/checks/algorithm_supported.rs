//! `algorithm_supported`: certgate can prove what it approves. A link of the chain signed with an
//! algorithm certgate cannot verify (P-521/SHA-512, DSA, Ed448, RSA-PSS with a salt length other
//! than the hash's), or a key whose match with the certificate cannot be checked, is reported as
//! such, never as "not signed by the CA".

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::crypto::{KeyError, VerifyError};
use crate::model::material::Role;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "algorithm_supported",
    summary: "Every signature and key of the material can be verified by certgate.",
    params: "(none)",
    build: super::build::<AlgorithmSupported>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlgorithmSupported {}

impl Check for AlgorithmSupported {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let m = &unit.material;
        if let Some(chain) = &m.chain {
            for link in &chain.links {
                let Err(VerifyError::Unsupported { algorithm }) = &link.result else {
                    continue;
                };
                let Some(child) = m.at(link.child) else { continue };
                emit.hit(Hit {
                    location: child.location.clone(),
                    path: Some("tls.cert".into()),
                    block: Some(child.block),
                    message: format!(
                        "the signature on {} cannot be verified: certgate does not support {algorithm}, so the chain is unproven (not shown to be broken)",
                        child.cert.subject
                    ),
                });
            }
        }
        if let Some(Err(KeyError::Unsupported { what })) = &m.key_match
            && let Some((location, block)) = m.item(Role::Key).and_then(|k| k.key_location.clone())
        {
            emit.hit(Hit {
                location,
                path: Some("tls.key".into()),
                block: Some(block),
                message: format!("whether the private key belongs to the certificate cannot be checked: {what}"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca, pem, pss_fixtures};

    #[test]
    fn a_signature_certgate_cannot_verify_is_reported_as_unproven() {
        // RSA-PSS with OpenSSL's longest salt: ring verifies only a salt as long as the hash.
        let pss = pss_fixtures();
        let unit = Unit::builder()
            .set("tls.type=provided")
            .cert(&pem("CERTIFICATE", &pss.salt_max_leaf))
            .cacert(&pem("CERTIFICATE", &pss.salt_max))
            .build();
        assert_eq!(
            hits(&AlgorithmSupported {}, &unit),
            [
                "cert.pem:1:1#1 tls.cert: the signature on CN=kafka.example.com cannot be verified: certgate does not support RSASSA-PSS with a salt length of 222 (not the 32 bytes of its sha256 hash: OpenSSL and Java clients accept it, Go's crypto/x509 and rustls refuse it), so the chain is unproven (not shown to be broken)"
            ]
        );
    }

    #[test]
    fn a_chain_certgate_verifies_is_not_reported() {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let unit = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build();
        assert_eq!(hits(&AlgorithmSupported {}, &unit), Vec::<String>::new());
    }
}
