//! `leaf_server_usage`: the server certificate is an end-entity certificate for TLS servers: not a
//! CA, and when it lists extended key usages, serverAuth is among them; so is every intermediate
//! on its path that lists them.

use serde::Deserialize;

use super::{Check, Emit, Hit, Kind};
use crate::crypto::eku_excludes_server_auth;
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "leaf_server_usage",
    summary: "The server certificate is not a CA and may serve TLS.",
    params: "(none)",
    build: super::build::<LeafServerUsage>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeafServerUsage {}

impl Check for LeafServerUsage {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let m = &unit.material;
        let Some(leaf) = m.leaf() else { return };
        let mut why = Vec::new();
        if leaf.cert.ca() == Some(true) {
            why.push("it is a CA certificate (basicConstraints CA=true)");
        }
        if eku_excludes_server_auth(&leaf.cert) {
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
        // Clients require serverAuth of every intermediate that restricts its extended key usage
        // (rustls-webpki, Go; OpenSSL with -purpose sslserver).
        for c in m.chain.iter().flat_map(|chain| &chain.eku_problems) {
            let Some(cert) = m.at(*c) else { continue };
            emit.hit(Hit {
                location: cert.location.clone(),
                path: Some("tls.cert".into()),
                block: Some(cert.block),
                message: format!(
                    "the intermediate {} restricts its extended key usage without serverAuth: clients refuse the server certificates it issues",
                    cert.cert.subject
                ),
            });
        }
    }
}
