//! `value_required`: the value at a path must be one of a set (an organisation's policy, e.g.
//! "tls.type must be secret in production").

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::helm::coalesce::present;
use crate::helm::render::rendered;
use crate::model::unit::Unit;
use crate::source::Location;

pub const KIND: Kind = Kind {
    name: "value_required",
    summary: "The rendered value at `path` is one of `values`.",
    params: "path: the values path; values: the allowed strings; message: what to say; releases: only these release names (all when empty)",
    build: super::build::<ValueRequired>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueRequired {
    path: String,
    values: Vec<String>,
    message: String,
    #[serde(default)]
    releases: Vec<String>,
}

impl Check for ValueRequired {
    fn paths(&self) -> Vec<String> {
        vec![self.path.clone()]
    }

    fn run(&self, unit: &Unit, emit: &mut Emit) {
        if !self.releases.is_empty() && !unit.release.as_ref().is_some_and(|r| self.releases.contains(&r.value)) {
            return;
        }
        match present(&unit.effective, &self.path) {
            Some(node) => {
                let value = rendered(node, unit.helm).unwrap_or_default();
                if !self.values.contains(&value) {
                    emit.value(node, &self.path, format!("{}={value}: {}", self.path, self.message));
                }
            }
            None => emit.at(
                Location::Run,
                Some(&self.path),
                format!("{} is not set: {}", self.path, self.message),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    fn production_uses_secret() -> ValueRequired {
        ValueRequired {
            path: "tls.type".into(),
            values: vec!["secret".into()],
            message: "production releases use tls.type=secret".into(),
            releases: vec!["es-prod".into()],
        }
    }

    #[test]
    fn another_value_or_none_is_reported_for_the_releases_named() {
        let provided = Unit::builder()
            .release("es-prod")
            .values("tls:\n  type: provided\n")
            .build();
        assert_eq!(
            hits(&production_uses_secret(), &provided),
            ["values.yaml:2:9 tls.type: tls.type=provided: production releases use tls.type=secret"]
        );
        let unset = Unit::builder()
            .release("es-prod")
            .set("global.security.externalCertificateLabel=ext-2")
            .build();
        assert_eq!(
            hits(&production_uses_secret(), &unset),
            ["run tls.type: tls.type is not set: production releases use tls.type=secret"]
        );
    }

    #[test]
    fn the_required_value_or_another_release_is_not_reported() {
        let secret = Unit::builder().release("es-prod").set("tls.type=secret").build();
        assert_eq!(hits(&production_uses_secret(), &secret), Vec::<String>::new());
        let test_release = Unit::builder().release("es-test").set("tls.type=provided").build();
        assert_eq!(hits(&production_uses_secret(), &test_release), Vec::<String>::new());
        let no_release = Unit::builder().set("tls.type=provided").build();
        assert_eq!(hits(&production_uses_secret(), &no_release), Vec::<String>::new());
    }
}
