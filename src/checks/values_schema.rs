//! `values_schema`: the effective values against `schemas/values.schema.json`, the certificate part
//! of the Event Streams values with the chart's `tls.type` → required/forbidden field rules.
//!
//! Each constraint in the schema carries the rule code it belongs to (`x-certgate-rule`) and its
//! message (`x-certgate-message`); a rule of this kind reports the violations tagged with its own
//! code, once per value, at the value (or, for a missing field, at the `tls.type` that requires it;
//! for an unknown key, at the key).

use serde::Deserialize;

use super::{Check, Emit, Kind};
use crate::model::unit::Unit;
use crate::schema::{ErrorKind, Schema, SchemaError, annotation};
use crate::source::Location;
use crate::source::value::json::{Located, locate};

pub const KIND: Kind = Kind {
    name: "values_schema",
    summary: "The effective values satisfy the constraints of schemas/values.schema.json tagged with this rule's code.",
    params: "suggest: true follows a value outside its constraint's enum with the nearest allowed value (default false); the schema's x-certgate-rule annotations say which constraint belongs to which rule",
    build: super::build::<ValuesSchema>,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValuesSchema {
    /// Whether a value its constraint's `enum` does not allow is followed by the nearest value it
    /// does allow ("did you mean provided?"): for a rule whose allowed values a typo misses
    /// (tls.type's), the list staying in the schema.
    #[serde(default)]
    suggest: bool,
}

impl Check for ValuesSchema {
    fn run(&self, unit: &Unit, emit: &mut Emit) {
        // A constraint can fail for several branches of the schema at one value: one finding each.
        let mut seen: Vec<String> = Vec::new();
        for error in unit.values_schema_errors() {
            let code = annotation(Schema::Values, &error.schema, "x-certgate-rule").and_then(|v| v.as_str());
            if code != Some(emit.code()) {
                continue;
            }
            let message = annotation(Schema::Values, &error.schema, "x-certgate-message")
                .and_then(|v| v.as_str())
                .unwrap_or("does not match the chart's rules");
            let Some(here) = locate(&unit.effective, &error.instance) else {
                continue;
            };
            let failed = Failed { error, here, message };
            match &error.kind {
                ErrorKind::Additional(keys) => additional(&failed, keys, &mut seen, emit),
                ErrorKind::Required(field) => required(unit, &failed, field, &mut seen, emit),
                _ => self.invalid(unit, &failed, &mut seen, emit),
            }
        }
    }
}

/// One failed constraint, located in the effective values, with the rule's message for it.
struct Failed<'a> {
    error: &'a SchemaError,
    here: Located<'a>,
    message: &'a str,
}

/// Keys the schema does not know: each named at its key, with the nearest known key.
fn additional(f: &Failed, keys: &[String], seen: &mut Vec<String>, emit: &mut Emit) {
    let Some(map) = f.here.node.as_map() else { return };
    let known = known_keys(&f.error.schema);
    for key in keys {
        let Some(entry) = map.entry(key) else { continue };
        // Helm drops keys set to null: nothing lingers to warn about.
        if entry.node.is_null() {
            continue;
        }
        let path = format!("{}.{key}", f.here.path);
        if seen.contains(&path) {
            continue;
        }
        seen.push(path.clone());
        let hint = nearest(key, &known).map_or(String::new(), |k| format!("; did you mean {k}?"));
        emit.key(entry, &path, format!("{key} {}{hint}", f.message));
    }
}

/// A missing field: at the value that requires it (`x-certgate-at`, the `tls.type`), else at
/// the mapping that lacks it. A field given as a PEM file is not missing.
fn required(unit: &Unit, f: &Failed, field: &str, seen: &mut Vec<String>, emit: &mut Emit) {
    let path = format!("{}.{field}", f.here.path);
    if seen.contains(&path) || unit.pem_given.contains(&path.as_str()) {
        return;
    }
    seen.push(path.clone());
    let at = annotation(Schema::Values, &f.error.schema, "x-certgate-at").and_then(|v| v.as_str());
    let target = at.and_then(|k| f.here.node.as_map()?.get(k));
    let msg = format!("{path} is missing: {}", f.message);
    match target {
        Some(node) => emit.value(node, &path, msg),
        None => emit.at(Location::of(&f.here.node.origin), Some(&path), msg),
    }
}

impl ValuesSchema {
    /// A value the schema refuses: quoted (by length only where it may be key material), with the
    /// nearest allowed value when the rule asks for a suggestion.
    fn invalid(&self, unit: &Unit, f: &Failed, seen: &mut Vec<String>, emit: &mut Emit) {
        let here = &f.here;
        if seen.contains(&here.path) {
            return;
        }
        seen.push(here.path.clone());
        // A null is a missing field (Helm drops it): point at the tls.type requiring it.
        let at = annotation(Schema::Values, &f.error.schema, "x-certgate-at").and_then(|v| v.as_str());
        let parent = f
            .error
            .instance
            .split_last()
            .and_then(|(_, p)| locate(&unit.effective, p));
        let requiring = at.zip(parent).and_then(|(at, p)| p.node.as_map()?.get(at));
        if here.node.is_null() && unit.pem_given.contains(&here.path.as_str()) {
            return;
        }
        if let (true, Some(node)) = (here.node.is_null(), requiring) {
            emit.value(node, &here.path, format!("{} is missing: {}", here.path, f.message));
            return;
        }
        let value = match crate::helm::render::rendered(here.node, unit.helm) {
            Some(s) if is_secret_path(&here.path) => format!("{} ({} characters)", here.path, s.chars().count()),
            Some(s) => format!("{} is {s:?}", here.path),
            None => format!("{} is null", here.path),
        };
        let hint = if self.suggest {
            here.node
                .as_str()
                .and_then(|s| nearest(s, &allowed_values(&f.error.schema)))
                .map_or(String::new(), |k| format!("; did you mean {k}?"))
        } else {
            String::new()
        };
        emit.value(here.node, &here.path, format!("{value}: {}{hint}", f.message));
    }
}

/// Values under these paths may be key material and are never quoted in messages.
fn is_secret_path(path: &str) -> bool {
    matches!(path, "tls.key" | "tls.cert" | "tls.cacert")
}

/// The property names the schema object at `schema_path` (an additionalProperties error) declares.
fn known_keys(schema_path: &[String]) -> Vec<&'static str> {
    let mut node = Schema::Values.document();
    for seg in schema_path.iter().take(schema_path.len().saturating_sub(1)) {
        match node.get(seg) {
            Some(n) => node = n,
            None => return Vec::new(),
        }
    }
    node.get("properties")
        .and_then(|p| p.as_object())
        .map_or_else(Vec::new, |m| m.keys().map(String::as_str).collect())
}

/// The strings of the `enum` keyword at `schema_path` (an enum error's): none for another keyword.
fn allowed_values(schema_path: &[String]) -> Vec<&'static str> {
    if schema_path.last().map(String::as_str) != Some("enum") {
        return Vec::new();
    }
    let mut node = Schema::Values.document();
    for seg in schema_path {
        match node.get(seg) {
            Some(n) => node = n,
            None => return Vec::new(),
        }
    }
    node.as_array()
        .map_or_else(Vec::new, |a| a.iter().filter_map(|v| v.as_str()).collect())
}

/// The closest candidate to `word` when it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::hits_as;

    #[test]
    fn suggests_the_nearest_key() {
        let keys = ["type", "secretName", "key", "cert", "cacert"];
        assert_eq!(nearest("secretname", &keys), Some("secretName"));
        assert_eq!(nearest("cacrt", &keys), Some("cacert"));
        assert_eq!(nearest("replicas", &keys), None);
        assert_eq!(
            nearest("Provided", &["selfsigned", "provided", "secret"]),
            Some("provided")
        );
    }

    #[test]
    fn a_rule_reports_the_violations_tagged_with_its_code_at_the_value() {
        let unit = Unit::builder()
            .values("tls:\n  type: Provided\n  secretname: es-tls\n")
            .build();
        let said = "values.yaml:2:9 tls.type: tls.type is \"Provided\": tls.type must be exactly selfsigned, provided or secret: the chart compares case-sensitively and any other value silently configures no certificates";
        assert_eq!(
            hits_as("CG201", &ValuesSchema { suggest: true }, &unit),
            [format!("{said}; did you mean provided?")]
        );
        assert_eq!(hits_as("CG201", &ValuesSchema { suggest: false }, &unit), [said]);
        // An unknown key is CG211's, reported at the key with the nearest known one.
        assert_eq!(
            hits_as("CG211", &ValuesSchema { suggest: false }, &unit),
            ["values.yaml:3:3 tls.secretname: secretname is not a key of tls in the chart; did you mean secretName?"]
        );
    }

    #[test]
    fn values_the_schema_allows_are_not_reported() {
        let unit = Unit::builder().values("tls:\n  type: selfsigned\n").build();
        let check = ValuesSchema { suggest: true };
        for code in ["CG201", "CG202", "CG203", "CG204", "CG205", "CG206", "CG211", "CG214"] {
            assert_eq!(hits_as(code, &check, &unit), Vec::<String>::new(), "{code}");
        }
        // A violation is reported by the rule it is tagged with, not by every rule of the kind.
        let typo = Unit::builder().values("tls:\n  type: Provided\n").build();
        assert_eq!(hits_as("CG211", &check, &typo), Vec::<String>::new());
        // Nothing near enough to suggest.
        let far = Unit::builder().values("tls:\n  type: letsencrypt\n").build();
        assert_eq!(
            hits_as("CG201", &check, &far),
            [
                "values.yaml:2:9 tls.type: tls.type is \"letsencrypt\": tls.type must be exactly selfsigned, provided or secret: the chart compares case-sensitively and any other value silently configures no certificates"
            ]
        );
    }

    /// The built-in rules as shipped: only CG201 asks for the hint, and its rule file says so.
    #[test]
    fn the_built_in_tls_type_rule_suggests_and_the_others_do_not() {
        let unit = Unit::builder()
            .values("tls:\n  type: Secret\n  secretName: es-tls\n")
            .build();
        let rule = |code: &str| {
            let rule = crate::rules::builtin()
                .iter()
                .find(|r| &*r.meta.code == code)
                .unwrap_or_else(|| panic!("{code}"));
            hits_as(code, rule.check.as_ref(), &unit)
        };
        assert_eq!(
            rule("CG201"),
            [
                "values.yaml:2:9 tls.type: tls.type is \"Secret\": tls.type must be exactly selfsigned, provided or secret: the chart compares case-sensitively and any other value silently configures no certificates; did you mean secret?"
            ]
        );
        for r in crate::rules::builtin().iter().filter(|r| r.meta.kind == KIND.name) {
            let suggests = format!("{:?}", r.check).contains("suggest: true");
            assert_eq!(suggests, &*r.meta.code == "CG201", "{}", r.meta.code);
        }
    }
}
