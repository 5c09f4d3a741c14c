//! `input_used`: an input given for a certificate type the change does not have is read by no one.
//! A Secret manifest (`--secret`) with `tls.type=provided` or `selfsigned` is not what the chart
//! deploys, so checking it says nothing about the release; the user meant one of the two.

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::unit::{TlsType, Unit};

pub const KIND: Kind = Kind {
    name: "input_used",
    summary: "Every certificate input given is one the change's tls.type reads.",
    params: "(none)",
    build: super::build::<InputUsed>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputUsed {}

impl Check for InputUsed {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        let Some(secret) = &unit.secret_manifest else {
            return;
        };
        if let Some(t) = unit.new_type().filter(|t| *t != TlsType::Secret) {
            emit.at(
                secret.location.clone(),
                Some("tls.type"),
                format!(
                    "the Secret manifest {} is given, but tls.type is {}: the chart does not read a Secret for it, so the manifest was not checked",
                    secret.value,
                    t.as_str()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    /// What the check finds with a Secret manifest given and `tls.type` set.
    fn with_secret(tls_type: &str) -> Vec<String> {
        let unit = Unit::builder()
            .set(&format!("tls.type={tls_type}"))
            .secret("kind: Secret\n")
            .build();
        hits(&InputUsed {}, &unit)
    }

    #[test]
    fn a_secret_with_another_type_is_reported_and_with_secret_it_is_not() {
        let said = |t: &str| {
            format!(
                "--secret secret.yaml tls.type: the Secret manifest secret.yaml is given, but tls.type is {t}: the chart does not read a Secret for it, so the manifest was not checked"
            )
        };
        assert_eq!(with_secret("provided"), [said("provided")]);
        assert_eq!(with_secret("selfsigned"), [said("selfsigned")]);
        assert_eq!(with_secret("secret"), Vec::<String>::new());
    }
}
