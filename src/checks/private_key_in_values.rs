//! `private_key_in_values`: a private key written into a values file that git tracks sits in the
//! repository's history for good, readable by everyone who can clone it.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "private_key_in_values",
    summary: "No private key is embedded in a values file that git tracks.",
    params: "(none)",
    build: super::build::<PrivateKeyInValues>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateKeyInValues {}

impl Check for PrivateKeyInValues {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        // An untracked file can be kept out of the repository; a tracked one is already in it.
        if let Some(key) = unit.key_in_values.as_ref().filter(|k| k.tracked) {
            emit.at(
                key.location.clone(),
                Some("tls.key"),
                format!(
                    "{} holds a private key and git tracks it: the key stays in the repository's history",
                    key.file
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;
    use crate::crypto::test_support::{Alg, Ca};
    use crate::model::testing::UnitBuilder;

    fn key_in_values() -> UnitBuilder {
        use base64::Engine as _;
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let key = base64::engine::general_purpose::STANDARD.encode(leaf.key_pem());
        Unit::builder().values(&format!("tls:\n  type: provided\n  key: {key}\n"))
    }

    #[test]
    fn a_key_in_a_values_file_git_tracks_is_reported_at_the_key() {
        assert_eq!(
            hits(&PrivateKeyInValues {}, &key_in_values().tracked_by_git().build()),
            [
                "values.yaml:3:8 tls.key: values.yaml holds a private key and git tracks it: the key stays in the repository's history"
            ]
        );
    }

    #[test]
    fn a_key_in_an_untracked_file_or_a_pem_file_is_not_reported() {
        assert_eq!(
            hits(&PrivateKeyInValues {}, &key_in_values().build()),
            Vec::<String>::new()
        );
        let root = Ca::new(Alg::EcP256, "Test CA");
        let leaf = root.leaf(Alg::EcP256, "es", &["es.example.com"]);
        let pem_file = Unit::builder()
            .provided(&leaf.key_pem(), &leaf.cert_pem(), &root.cert_pem())
            .tracked_by_git()
            .build();
        assert_eq!(hits(&PrivateKeyInValues {}, &pem_file), Vec::<String>::new());
    }
}
