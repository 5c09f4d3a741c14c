//! The check kinds: the only rule logic written in Rust, one file each.
//!
//! A rule file (`rules/*.yaml`) names a kind and gives its parameters; the parameters deserialize
//! into the kind's struct, named for the kind (`hostname_coverage::HostnameCoverage`), which *is*
//! the check. A check reads the [`Unit`] and emits
//! hits; it never reads files, never prints, and never knows the output format. Adding a kind is one
//! new file here and one line in [`KINDS`].

use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::model::unit::Unit;
use crate::source::Location;
use crate::source::value::{Entry, Node};

pub mod algorithm_supported;
pub mod base64_value;
pub mod ca_outlives_leaf;
pub mod ca_usage;
pub mod cacert_is_root;
pub mod chart_matches_installed;
pub mod chart_min_version;
pub mod client_impact;
pub mod clients_refuse;
pub mod command_formed;
pub mod command_lint;
pub mod expires_within;
pub mod forbidden_keys;
pub mod helm3_namespace;
pub mod hostname_coverage;
pub mod input_problem;
pub mod input_used;
pub mod k8s_label_value;
pub mod key_defined_by_chart;
pub mod key_matches_cert;
pub mod label_history;
pub mod label_unchanged;
pub mod leaf_server_usage;
pub mod material_problem;
pub mod max_validity;
pub mod min_key_size;
pub mod no_change;
pub mod non_empty;
pub mod private_key_in_values;
pub mod release_name;
pub mod scalar_is_string;
pub mod served_chain;
pub mod signature_hash;
pub mod signed_by_ca;
pub mod suppression;
pub mod unrelated_change;
pub mod validity;
pub mod value_forbidden;
pub mod value_required;
pub mod values_schema;

/// A rule's check: a kind with its parameters bound.
pub trait Check: Send + Sync + std::fmt::Debug {
    fn run(&self, unit: &Unit, emit: &mut Emit);

    /// Judge the outcome once suppressions are applied (only kinds about suppressions need this).
    fn after(&self, _unit: &Unit, _outcome: &Outcome, _emit: &mut Emit) {}

    /// The values paths this check reads beyond the certificate settings (`global.security`, `tls`,
    /// `proxy`), so that the chart's defaults under them are part of the effective values.
    fn paths(&self) -> Vec<String> {
        Vec::new()
    }
}

/// What applying the suppressions did, for checks that judge the suppressions themselves.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Whether suppressions were honoured at all (`--no-suppressions` turns them off).
    pub honoured: bool,
    /// For each of `unit.suppressions`: how many findings it silenced.
    pub used: Vec<usize>,
    /// For each of `unit.suppressions`: whether its `until` date has passed.
    pub lapsed: Vec<bool>,
}

/// A built-in check kind.
pub struct Kind {
    pub name: &'static str,
    /// What the kind tests, for `certgate rules` and the documentation.
    pub summary: &'static str,
    /// Its parameters, documented where they are defined.
    pub params: &'static str,
    build: fn(&Json) -> Result<Box<dyn Check>, String>,
}

impl Kind {
    /// Bind parameters; an error names what is wrong with them.
    pub fn build(&self, params: &Json) -> Result<Box<dyn Check>, String> {
        (self.build)(params)
    }
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kind").field("name", &self.name).finish()
    }
}

/// The registry of check kinds.
pub static KINDS: &[Kind] = &[
    input_problem::KIND,
    input_used::KIND,
    command_formed::KIND,
    k8s_label_value::KIND,
    non_empty::KIND,
    scalar_is_string::KIND,
    label_unchanged::KIND,
    label_history::KIND,
    key_defined_by_chart::KIND,
    values_schema::KIND,
    base64_value::KIND,
    value_forbidden::KIND,
    value_required::KIND,
    forbidden_keys::KIND,
    client_impact::KIND,
    served_chain::KIND,
    clients_refuse::KIND,
    release_name::KIND,
    no_change::KIND,
    chart_min_version::KIND,
    command_lint::KIND,
    chart_matches_installed::KIND,
    unrelated_change::KIND,
    helm3_namespace::KIND,
    suppression::KIND,
    material_problem::KIND,
    key_matches_cert::KIND,
    signed_by_ca::KIND,
    ca_usage::KIND,
    validity::KIND,
    expires_within::KIND,
    max_validity::KIND,
    min_key_size::KIND,
    signature_hash::KIND,
    cacert_is_root::KIND,
    leaf_server_usage::KIND,
    ca_outlives_leaf::KIND,
    hostname_coverage::KIND,
    private_key_in_values::KIND,
    algorithm_supported::KIND,
];

pub fn kind(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

/// Deserialize parameters (absent = `{}`) into the kind's struct, rejecting unknown fields.
fn build<P: Check + DeserializeOwned + 'static>(params: &Json) -> Result<Box<dyn Check>, String> {
    let params = if params.is_null() {
        Json::Object(Default::default())
    } else {
        params.clone()
    };
    serde_json::from_value::<P>(params)
        .map(|p| Box::new(p) as Box<dyn Check>)
        .map_err(|e| e.to_string())
}

/// One thing a check found, before the engine stamps the rule's code, name and severity on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub location: Location,
    pub path: Option<String>,
    pub block: Option<usize>,
    pub message: String,
}

/// Where checks put what they find.
#[derive(Debug)]
pub struct Emit {
    /// Shared with the rule: every rule runs twice per unit (`run`, `after`), 10,000 units a run.
    code: std::sync::Arc<str>,
    hits: Vec<Hit>,
}

impl Emit {
    pub fn new(code: &std::sync::Arc<str>) -> Self {
        Emit {
            code: code.clone(),
            hits: Vec::new(),
        }
    }

    /// The code of the rule being run (the values schema tags each constraint with one).
    pub fn code(&self) -> &str {
        &self.code
    }

    /// A finding about a value: points at the value node.
    pub fn value(&mut self, node: &Node, path: &str, message: impl Into<String>) {
        self.at(Location::of(&node.origin), Some(path), message);
    }

    /// A finding about a key (unknown, duplicate, forbidden): points at the key.
    pub fn key(&mut self, entry: &Entry, path: &str, message: impl Into<String>) {
        self.at(Location::of(&entry.key_origin), Some(path), message);
    }

    /// A finding about the run as a whole.
    pub fn run(&mut self, message: impl Into<String>) {
        self.at(Location::Run, None, message);
    }

    pub fn at(&mut self, location: Location, path: Option<&str>, message: impl Into<String>) {
        self.hits.push(Hit {
            location,
            path: path.map(str::to_string),
            block: None,
            message: message.into(),
        });
    }

    pub fn hit(&mut self, hit: Hit) {
        self.hits.push(hit);
    }

    pub fn into_hits(self) -> Vec<Hit> {
        self.hits
    }
}

/// What a check finds, for the check kinds' unit tests: the check run as the engine runs it (an
/// [`Emit`] for the rule's code), each hit as one line a test compares whole. Units come from
/// [`Unit::builder`].
#[cfg(test)]
pub(crate) mod testing {
    use super::{Check, Emit, Hit, Outcome};
    use crate::model::testing::{describe, shown};
    use crate::model::unit::Unit;

    /// What `check` emits on `unit`, for a rule whose code no constraint of the values schema
    /// carries.
    pub fn hits(check: &dyn Check, unit: &Unit) -> Vec<String> {
        hits_as("CG000", check, unit)
    }

    /// What `check` emits on `unit` as the rule `code`.
    pub fn hits_as(code: &str, check: &dyn Check, unit: &Unit) -> Vec<String> {
        let mut emit = Emit::new(&std::sync::Arc::from(code));
        check.run(unit, &mut emit);
        lines(unit, emit)
    }

    /// What `check` emits on `unit` once the suppressions were applied with `outcome`.
    pub fn hits_after(check: &dyn Check, unit: &Unit, outcome: &Outcome) -> Vec<String> {
        let mut emit = Emit::new(&std::sync::Arc::from("CG000"));
        check.after(unit, outcome, &mut emit);
        lines(unit, emit)
    }

    /// Each hit as `WHERE[#BLOCK] PATH: MESSAGE` (`-` for no path), with the unit's temporary
    /// directory taken out: `cert.pem:1:1#0 tls.cert: the server certificate …`.
    fn lines(unit: &Unit, emit: Emit) -> Vec<String> {
        emit.into_hits()
            .into_iter()
            .map(
                |Hit {
                     location,
                     path,
                     block,
                     message,
                 }| {
                    format!(
                        "{}{} {}: {}",
                        describe(unit, &location),
                        block.map_or(String::new(), |b| format!("#{b}")),
                        path.as_deref().unwrap_or("-"),
                        shown(&message)
                    )
                },
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::KINDS;

    /// `hostname_coverage` → `HostnameCoverage`.
    fn camel(kind: &str) -> String {
        kind.split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// A rule of each kind, as shipped (built-in, or the example policy for kinds only users
    /// configure), is the kind's own struct: a reader finds `HostnameCoverage` in
    /// `hostname_coverage.rs`, and no two kinds share a name.
    #[test]
    fn each_kind_is_a_struct_named_for_it() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policy/rules");
        let mut sources = crate::source::SourceMap::new();
        let (examples, problems, _) = crate::rules::load_dir(&dir, "examples/policy/rules", &mut sources);
        assert!(problems.is_empty(), "{problems:?}");
        let shipped: Vec<&crate::rules::Rule> = crate::rules::builtin().iter().chain(&examples).collect();
        for kind in KINDS {
            let rule = shipped
                .iter()
                .find(|r| r.meta.kind == kind.name)
                .unwrap_or_else(|| panic!("no built-in or example rule of kind {}", kind.name));
            let debug = format!("{:?}", rule.check);
            let name = debug.split([' ', '{', '(']).next().unwrap_or_default();
            assert_eq!(name, camel(kind.name), "the struct of kind {}", kind.name);
        }
    }

    /// A kind comes with tests that run it as the engine does, on a unit from `Unit::builder()`
    /// ([`super::testing`]): the tests of a file name that module only to use it.
    #[test]
    fn each_kind_is_run_by_its_own_tests() {
        for kind in KINDS {
            let path = format!("{}/src/checks/{}.rs", env!("CARGO_MANIFEST_DIR"), kind.name);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(
                text.contains("use crate::checks::testing::"),
                "{path} has no test through checks::testing"
            );
        }
    }
}
