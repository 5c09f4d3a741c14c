//! `signature_hash`: no certificate handed over is signed with a broken hash (MD5, SHA-1). A root's
//! self-signature protects nothing and is exempt, as browsers and OpenSSL's security levels treat it.

use serde::Deserialize;

use super::validity::path_of;
use super::{Check, Emit, Hit, Kind};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "signature_hash",
    summary: "No non-root certificate is signed with a forbidden hash.",
    params: "forbidden: hash names (md2, md4, md5, sha1)",
    build: super::build::<SignatureHash>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureHash {
    forbidden: Vec<String>,
}

impl Check for SignatureHash {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        for (role, c) in unit.material.used_certs() {
            if c.cert.is_self_issued {
                continue;
            }
            let hash = c.cert.signature.hash.name();
            if self.forbidden.iter().any(|f| f.eq_ignore_ascii_case(hash)) {
                emit.hit(Hit {
                    location: c.location.clone(),
                    path: Some(path_of(role).into()),
                    block: Some(c.block),
                    message: format!(
                        "the {role} certificate {} is signed with {} ({hash}), which can be forged",
                        c.cert.subject, c.cert.signature.name
                    ),
                });
            }
        }
    }
}
