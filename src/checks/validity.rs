//! `validity`: every certificate handed over (leaf, intermediates, CA) is within its validity
//! period at `--now`: not expired, not yet to come.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::crypto::{self, validity_at};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "validity",
    summary: "No certificate is expired (or, with state: not-yet-valid, not valid yet) at the run's time.",
    params: "state: expired or not-yet-valid",
    build: super::build::<Validity>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validity {
    state: State,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
enum State {
    Expired,
    NotYetValid,
}

impl Check for Validity {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let m = &unit.material;
        for (role, c) in m.used_certs() {
            let message = match (validity_at(&c.cert, unit.now), &self.state) {
                (crypto::Validity::Expired, State::Expired) => {
                    format!(
                        "the {role} certificate {} expired on {}",
                        c.cert.subject, c.cert.not_after_rfc3339
                    )
                }
                (crypto::Validity::NotYetValid, State::NotYetValid) => {
                    format!(
                        "the {role} certificate {} is not valid before {}",
                        c.cert.subject, c.cert.not_before_rfc3339
                    )
                }
                _ => continue,
            };
            emit.hit(Hit {
                location: c.location.clone(),
                path: Some(path_of(role).into()),
                block: Some(c.block),
                message,
            });
        }
    }
}

/// The values path that holds a certificate of this inventory role.
pub fn path_of(role: &str) -> &'static str {
    if role == "ca" { "tls.cacert" } else { "tls.cert" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca};

    /// The test chain (CA 2024 to 2034, leaf 2025 to 2027) at `now`.
    fn chain_at(now: &str) -> Unit {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .now(now)
            .build()
    }

    #[test]
    fn a_certificate_outside_its_validity_is_reported_by_the_rule_of_its_state() {
        let expired = Validity { state: State::Expired };
        let not_yet = Validity {
            state: State::NotYetValid,
        };
        assert_eq!(
            hits(&expired, &chain_at("2027-06-01T00:00:00Z")),
            ["cert.pem:1:1#1 tls.cert: the leaf certificate CN=es expired on 2027-01-01T00:00:00Z"]
        );
        assert_eq!(
            hits(&not_yet, &chain_at("2024-06-01T00:00:00Z")),
            ["cert.pem:1:1#1 tls.cert: the leaf certificate CN=es is not valid before 2025-01-01T00:00:00Z"]
        );
        assert_eq!(hits(&expired, &chain_at("2024-06-01T00:00:00Z")), Vec::<String>::new());
    }

    #[test]
    fn certificates_within_their_validity_are_not_reported() {
        let unit = chain_at("2026-11-27T00:00:00Z");
        assert_eq!(hits(&Validity { state: State::Expired }, &unit), Vec::<String>::new());
        assert_eq!(
            hits(
                &Validity {
                    state: State::NotYetValid
                },
                &unit
            ),
            Vec::<String>::new()
        );
    }
}
