//! `forbidden_keys`: keys that try to supply something the chart only generates itself (internal
//! certificates "can only be self-generated, they cannot be provided").

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::unit::Unit;

pub const KIND: Kind = Kind {
    name: "forbidden_keys",
    summary: "No key under `under` whose name contains `name_contains`, other than those in `except`.",
    params: "scopes: a list of {under: values path, name_contains: case-insensitive text, except: allowed key names}",
    build: super::build::<ForbiddenKeys>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForbiddenKeys {
    scopes: Vec<Scope>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scope {
    under: String,
    name_contains: String,
    #[serde(default)]
    except: Vec<String>,
}

impl Check for ForbiddenKeys {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        for scope in &self.scopes {
            let Some(map) = unit.effective.lookup(&scope.under).and_then(|n| n.as_map()) else {
                continue;
            };
            let needle = scope.name_contains.to_lowercase();
            for entry in map.iter() {
                if entry.node.is_null()
                    || scope.except.contains(&entry.key)
                    || !entry.key.to_lowercase().contains(&needle)
                {
                    continue;
                }
                let path = format!("{}.{}", scope.under, entry.key);
                emit.key(
                    entry,
                    &path,
                    format!("{path} tries to supply internal certificates, which can only be self-generated"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits;

    fn cg212() -> ForbiddenKeys {
        ForbiddenKeys {
            scopes: vec![
                Scope {
                    under: "tls".into(),
                    name_contains: "internal".into(),
                    except: Vec::new(),
                },
                Scope {
                    under: "global.security".into(),
                    name_contains: "internal".into(),
                    except: vec!["internalCertificateLabel".into(), "tlsInternal".into()],
                },
            ],
        }
    }

    #[test]
    fn a_key_supplying_internal_certificates_is_reported_at_the_key() {
        let unit = Unit::builder()
            .values("tls:\n  type: provided\n  InternalCert: abc\nglobal:\n  security:\n    internalKey: def\n")
            .build();
        assert_eq!(
            hits(&cg212(), &unit),
            [
                "values.yaml:3:3 tls.InternalCert: tls.InternalCert tries to supply internal certificates, which can only be self-generated",
                "values.yaml:6:5 global.security.internalKey: global.security.internalKey tries to supply internal certificates, which can only be self-generated",
            ]
        );
    }

    #[test]
    fn excepted_null_and_other_keys_are_not_reported() {
        let unit = Unit::builder()
            .values("tls:\n  type: provided\n  internalCert: null\nglobal:\n  security:\n    internalCertificateLabel: int-2\n    tlsInternal: enabled\n")
            .build();
        assert_eq!(hits(&cg212(), &unit), Vec::<String>::new());
    }
}
