//! `min_key_size`: keys strong enough: RSA at least `rsa` bits, EC at least `ec` bits (certificates
//! handed over, and the private key).

use serde::Deserialize;

use super::validity::path_of;
use super::{Check, Emit, Hit, Kind};
use crate::crypto::{PrivateKeyKind, PublicKeyKind};
use crate::model::material::Role;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "min_key_size",
    summary: "RSA and EC keys are at least the given sizes.",
    params: "rsa: least RSA modulus bits (2048); ec: least EC curve bits (256)",
    build: super::build::<MinKeySize>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinKeySize {
    rsa: u32,
    ec: u32,
}

impl MinKeySize {
    fn too_small(&self, rsa: Option<u32>, ec: Option<u32>) -> Option<String> {
        match (rsa, ec) {
            (Some(bits), _) if bits < self.rsa => Some(format!("RSA-{bits}, under {} bits", self.rsa)),
            (_, Some(bits)) if bits < self.ec => Some(format!("a {bits}-bit EC key, under {} bits", self.ec)),
            _ => None,
        }
    }
}

impl Check for MinKeySize {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let m = &unit.material;
        for (role, c) in m.used_certs() {
            let (rsa, ec) = match &c.cert.public_key.kind {
                PublicKeyKind::Rsa { bits } => (Some(*bits), None),
                PublicKeyKind::Ec { curve } => (None, curve.bits()),
                _ => (None, None),
            };
            if let Some(why) = self.too_small(rsa, ec) {
                emit.hit(Hit {
                    location: c.location.clone(),
                    path: Some(path_of(role).into()),
                    block: Some(c.block),
                    message: format!("the {role} certificate {} has a weak key: {why}", c.cert.subject),
                });
            }
        }
        // The private key matters on its own only when no certificate shows the same key.
        if m.leaf().is_some() {
            return;
        }
        let Some(item) = m.item(Role::Key) else { return };
        let (Some(key), Some((location, block))) = (&item.key, &item.key_location) else {
            return;
        };
        let (rsa, ec) = match key.kind() {
            PrivateKeyKind::Rsa { bits } => (Some(*bits), None),
            PrivateKeyKind::Ec { curve } => (None, curve.bits()),
            PrivateKeyKind::Ed25519 => (None, None),
        };
        if let Some(why) = self.too_small(rsa, ec) {
            emit.hit(Hit {
                location: location.clone(),
                path: Some("tls.key".into()),
                block: Some(*block),
                message: format!("the private key is weak: {why}"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca, pem};
    use crate::model::testing::UnitBuilder;

    fn chain(alg: Alg) -> UnitBuilder {
        let root = Ca::new(alg, "Test CA");
        let leaf = root.leaf(alg, "es", &["es.example.com"]);
        Unit::builder().provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
    }

    #[test]
    fn keys_under_the_sizes_are_reported() {
        let strict = MinKeySize { rsa: 3072, ec: 384 };
        assert_eq!(
            hits(&strict, &chain(Alg::EcP256).build()),
            [
                "cert.pem:1:1#1 tls.cert: the leaf certificate CN=es has a weak key: a 256-bit EC key, under 384 bits",
                "ca.pem:1:1#1 tls.cacert: the ca certificate CN=Test CA has a weak key: a 256-bit EC key, under 384 bits",
            ]
        );
        assert_eq!(
            hits(&strict, &chain(Alg::Rsa2048).build()),
            [
                "cert.pem:1:1#1 tls.cert: the leaf certificate CN=es has a weak key: RSA-2048, under 3072 bits",
                "ca.pem:1:1#1 tls.cacert: the ca certificate CN=Test CA has a weak key: RSA-2048, under 3072 bits",
            ]
        );
        // A private key without its certificate is judged on its own.
        let key_only = Unit::builder()
            .set("tls.type=provided")
            .key(&pem("PRIVATE KEY", &Alg::Rsa2048.key(2).serialize_der()))
            .build();
        assert_eq!(
            hits(&strict, &key_only),
            ["key.pem:1:1#1 tls.key: the private key is weak: RSA-2048, under 3072 bits"]
        );
    }

    #[test]
    fn keys_of_the_sizes_are_not_reported() {
        let cg309 = MinKeySize { rsa: 2048, ec: 256 };
        assert_eq!(hits(&cg309, &chain(Alg::EcP256).build()), Vec::<String>::new());
        assert_eq!(hits(&cg309, &chain(Alg::Rsa2048).build()), Vec::<String>::new());
    }
}
