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
