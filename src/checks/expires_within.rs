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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca};
    use crate::model::testing::UnitBuilder;

    /// The test chain at the cases' clock: the leaf has 35 days left, the CA years.
    fn chain() -> UnitBuilder {
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        Unit::builder().provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
    }

    #[test]
    fn a_certificate_expiring_within_the_window_is_reported() {
        let forty = ExpiresWithin { days: Some(40) };
        assert_eq!(
            hits(&forty, &chain().build()),
            [
                "cert.pem:1:1#1 tls.cert: the leaf certificate CN=es expires on 2027-01-01T00:00:00Z, in 35 days (within the 40-day window)"
            ]
        );
        // Without days of its own, the rule takes the policy's window.
        let policy = ExpiresWithin { days: None };
        assert_eq!(
            hits(&policy, &chain().expiry_warning_days(40).build()),
            hits(&forty, &chain().build())
        );
    }

    #[test]
    fn a_certificate_outside_the_window_or_expired_is_not_reported() {
        let policy = ExpiresWithin { days: None };
        assert_eq!(hits(&policy, &chain().build()), Vec::<String>::new());
        // An expired leaf is CG306's, not "expires within".
        let expired = chain().now("2027-01-02T00:00:00Z").build();
        assert_eq!(hits(&ExpiresWithin { days: Some(40) }, &expired), Vec::<String>::new());
    }
}
