//! `leaf_server_usage`: the server certificate is an end-entity certificate for TLS servers: not a
//! CA, and when it lists extended key usages, serverAuth is among them.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "leaf_server_usage",
    summary: "The server certificate is not a CA and may serve TLS.",
    params: "(none)",
    build: super::build::<Params>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

impl Check for Params {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let Some(leaf) = unit.material.leaf() else { return };
        let mut why = Vec::new();
        if leaf.cert.ca() == Some(true) {
            why.push("it is a CA certificate (basicConstraints CA=true)");
        }
        if leaf.cert.extended_key_usage.is_some() && !leaf.cert.eku_server_auth() {
            why.push("its extended key usage does not include serverAuth");
        }
        if !why.is_empty() {
            emit.hit(Hit {
                location: leaf.location.clone(),
                path: Some("tls.cert".into()),
                block: Some(leaf.block),
                message: format!("the server certificate {}: {}", leaf.cert.subject, why.join("; ")),
            });
        }
    }
}
