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
