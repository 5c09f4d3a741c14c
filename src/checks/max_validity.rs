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
