//! `expires_within`: a certificate handed over expires within the warning window (config
//! `expiry_warning_days`, `--expiry-warning-days`, default 30), so the rotation buys little time.

use serde::Deserialize;

use super::validity::path_of;
use super::{Check, Emit, Hit, Kind};
use crate::crypto::{Validity, validity_at};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "expires_within",
    summary: "No valid certificate expires within the warning window.",
    params: "days: the window (default: the policy's expiry_warning_days)",
    build: super::build::<ExpiresWithin>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpiresWithin {
    #[serde(default)]
    days: Option<u32>,
}

impl Check for ExpiresWithin {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let m = &unit.material;
        let days = self.days.unwrap_or(unit.expiry_warning_days);
        for (role, c) in m.used_certs() {
            if validity_at(&c.cert, unit.now) != Validity::Valid {
                continue;
            }
            // Whole seconds, rounded down: less than the window exactly when the time left is.
            let left = unit.now.seconds_until(c.cert.not_after);
            if left < i64::from(days) * 86_400 {
                emit.hit(Hit {
                    location: c.location.clone(),
                    path: Some(path_of(role).into()),
                    block: Some(c.block),
                    message: format!(
                        "the {role} certificate {} expires on {}, in {} days (within the {days}-day window)",
                        c.cert.subject,
                        c.cert.not_after_rfc3339,
                        left / 86_400
                    ),
                });
            }
        }
    }
}
