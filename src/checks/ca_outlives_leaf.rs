//! `ca_outlives_leaf`: a CA (or intermediate) that expires before the certificate it signed cuts
//! the chain short: the leaf's later validity is worth nothing.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "ca_outlives_leaf",
    summary: "Every CA in the chain is valid at least as long as the server certificate.",
    params: "(none)",
    build: super::build::<CaOutlivesLeaf>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaOutlivesLeaf {}

impl Check for CaOutlivesLeaf {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let m = &unit.material;
        let Some(leaf) = m.leaf() else { return };
        // The issuers clients use: an unused block's dates break nothing (CG314 names it).
        let issuers = m.used_certs().into_iter().filter_map(|(role, c)| match role {
            "intermediate" => Some(("intermediate", "tls.cert", c)),
            "ca" => Some(("CA", "tls.cacert", c)),
            _ => None,
        });
        for (role, path, c) in issuers {
            if c.cert.not_after < leaf.cert.not_after {
                emit.hit(Hit {
                    location: c.location.clone(),
                    path: Some(path.into()),
                    block: Some(c.block),
                    message: format!(
                        "the {role} {} expires on {}, before the server certificate it signs ({})",
                        c.cert.subject, c.cert.not_after_rfc3339, leaf.cert.not_after_rfc3339
                    ),
                });
            }
        }
    }
}
