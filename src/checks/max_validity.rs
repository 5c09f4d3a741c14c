//! `max_validity`: an organisation's limit on certificate lifetime (for instance the 398 days
//! browsers accept for server certificates).

use serde::Deserialize;

use super::validity::path_of;
use super::{Check, Emit, Hit, Kind};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "max_validity",
    summary: "No certificate of the given roles is valid for longer than `days`.",
    params: "days: the longest validity allowed; roles: leaf, intermediate, ca (default: leaf)",
    build: super::build::<MaxValidity>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaxValidity {
    days: u32,
    #[serde(default = "leaf_only")]
    roles: Vec<String>,
}

fn leaf_only() -> Vec<String> {
    vec!["leaf".into()]
}

impl Check for MaxValidity {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        for (role, c) in unit.material.new_certs() {
            if !self.roles.iter().any(|r| r == role) {
                continue;
            }
            let lifetime = (c.cert.not_after - c.cert.not_before) / 86_400;
            if lifetime > i64::from(self.days) {
                emit.hit(Hit {
                    location: c.location.clone(),
                    path: Some(path_of(role).into()),
                    block: Some(c.block),
                    message: format!(
                        "the {role} certificate {} is valid for {lifetime} days, over the {} allowed",
                        c.cert.subject, self.days
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
    fn a_certificate_of_the_roles_valid_too_long_is_reported() {
        let browsers = MaxValidity {
            days: 398,
            roles: leaf_only(),
        };
        assert_eq!(
            hits(&browsers, &chain()),
            ["cert.pem:1:1#1 tls.cert: the leaf certificate CN=es is valid for 730 days, over the 398 allowed"]
        );
        let cas = MaxValidity {
            days: 3000,
            roles: vec!["ca".into()],
        };
        assert_eq!(
            hits(&cas, &chain()),
            ["ca.pem:1:1#1 tls.cacert: the ca certificate CN=Test CA is valid for 3653 days, over the 3000 allowed"]
        );
    }

    #[test]
    fn a_certificate_within_the_limit_is_not_reported() {
        let two_years = MaxValidity {
            days: 731,
            roles: leaf_only(),
        };
        assert_eq!(hits(&two_years, &chain()), Vec::<String>::new());
    }
}
