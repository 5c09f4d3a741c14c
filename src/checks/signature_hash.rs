//! `signature_hash`: no certificate handed over is signed with a broken hash (MD5, SHA-1). A root's
//! self-signature protects nothing and is exempt, as browsers and OpenSSL's security levels treat it.

use serde::Deserialize;

use super::validity::path_of;
use super::{Check, Emit, Hit, Kind};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "signature_hash",
    summary: "No non-root certificate is signed with a forbidden hash.",
    params: "forbidden: hash names (md2, md4, md5, sha1)",
    build: super::build::<SignatureHash>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureHash {
    forbidden: Vec<String>,
}

impl Check for SignatureHash {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        for (role, c) in unit.material.used_certs() {
            if c.cert.is_self_issued {
                continue;
            }
            let hash = c.cert.signature.hash.name();
            if self.forbidden.iter().any(|f| f.eq_ignore_ascii_case(hash)) {
                emit.hit(Hit {
                    location: c.location.clone(),
                    path: Some(path_of(role).into()),
                    block: Some(c.block),
                    message: format!(
                        "the {role} certificate {} is signed with {} ({hash}), which can be forged",
                        c.cert.subject, c.cert.signature.name
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca};

    fn chain() -> Unit {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .build()
    }

    #[test]
    fn a_certificate_signed_with_a_forbidden_hash_is_reported_but_not_the_roots_self_signature() {
        // rcgen signs with SHA-256 only: forbidding it shows the leaf reported and the root exempt.
        let sha256 = SignatureHash {
            forbidden: vec!["SHA256".into()],
        };
        assert_eq!(
            hits(&sha256, &chain()),
            [
                "cert.pem:1:1#1 tls.cert: the leaf certificate CN=es is signed with ecdsa-with-SHA256 (sha256), which can be forged"
            ]
        );
    }

    #[test]
    fn hashes_not_forbidden_are_not_reported() {
        let cg310 = SignatureHash {
            forbidden: vec!["md2".into(), "md4".into(), "md5".into(), "sha1".into()],
        };
        assert_eq!(hits(&cg310, &chain()), Vec::<String>::new());
    }
}
