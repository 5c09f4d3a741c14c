//! JSON Schemas shipped in `schemas/`, compiled into Rust at build time, and their errors in a form that
//! can be mapped back to YAML spans. This is the only module that uses the `jsonschema` crate.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value as Json;

use crate::source::Location;
use crate::source::value::Node;
use crate::source::value::json::{locate, pointer_segments, to_json};
use crate::source::{InputProblem, ProblemKind};
use crate::source::{SourceId, SourceMap, yaml};

/// The schemas certgate ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    Rule,
    Values,
    Config,
    Report,
    /// `certgate plan --format json`.
    Plan,
}

impl Schema {
    /// The schema document, embedded at build time.
    pub fn text(self) -> &'static str {
        match self {
            Schema::Rule => include_str!("../schemas/rule.schema.json"),
            Schema::Values => include_str!("../schemas/values.schema.json"),
            Schema::Config => include_str!("../schemas/config.schema.json"),
            Schema::Report => include_str!("../schemas/report.schema.json"),
            Schema::Plan => include_str!("../schemas/plan.schema.json"),
        }
    }

    /// The parsed schema document.
    pub fn document(self) -> &'static Json {
        static DOCS: [OnceLock<Json>; 5] = [const { OnceLock::new() }; 5];
        DOCS[self as usize].get_or_init(|| serde_json::from_str(self.text()).unwrap_or(Json::Null))
    }
}

/// The shipped schemas as Rust, generated at build time by `jsonschema`'s `validator` macro: a
/// run compiles no schema.
mod compiled {
    #[jsonschema::validator(path = "schemas/rule.schema.json", methods = { is_valid = false, validate = false })]
    pub struct Rule;
    #[jsonschema::validator(path = "schemas/values.schema.json", methods = { is_valid = false, validate = false })]
    pub struct Values;
    #[jsonschema::validator(path = "schemas/config.schema.json", methods = { is_valid = false, validate = false })]
    pub struct Config;
    #[jsonschema::validator(path = "schemas/report.schema.json", methods = { is_valid = false, validate = false })]
    pub struct Report;
    #[jsonschema::validator(path = "schemas/plan.schema.json", methods = { is_valid = false, validate = false })]
    pub struct Plan;
}

/// What kind of violation, where knowing it changes what the finding points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A required property is missing from the object at the instance path.
    Required(String),
    /// Properties the schema does not allow, in the object at the instance path.
    Additional(Vec<String>),
    /// `enum` or `const` did not match.
    Enum,
    Other,
}

/// One schema violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// Segments of the instance path (the value that failed).
    pub instance: Vec<String>,
    /// Segments of the schema path (the keyword that failed).
    pub schema: Vec<String>,
    pub kind: ErrorKind,
    pub message: String,
}

/// Validate `instance`; an empty list means valid.
pub fn validate(schema: Schema, instance: &Json) -> Vec<SchemaError> {
    match schema {
        Schema::Rule => compiled::Rule::iter_errors(instance)
            .map(|e| schema_error(&e))
            .collect(),
        Schema::Values => compiled::Values::iter_errors(instance)
            .map(|e| schema_error(&e))
            .collect(),
        Schema::Config => compiled::Config::iter_errors(instance)
            .map(|e| schema_error(&e))
            .collect(),
        Schema::Report => compiled::Report::iter_errors(instance)
            .map(|e| schema_error(&e))
            .collect(),
        Schema::Plan => compiled::Plan::iter_errors(instance)
            .map(|e| schema_error(&e))
            .collect(),
    }
}

/// One of `jsonschema`'s errors, in the form certgate maps back to YAML.
fn schema_error(e: &jsonschema::ValidationError<'_>) -> SchemaError {
    let kind = match e.kind() {
        ValidationErrorKind::Required { property } => {
            ErrorKind::Required(property.as_str().map_or_else(|| property.to_string(), str::to_string))
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => ErrorKind::Additional(unexpected.clone()),
        ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. } => ErrorKind::Enum,
        _ => ErrorKind::Other,
    };
    SchemaError {
        instance: pointer_segments(e.instance_path().as_str()),
        schema: pointer_segments(e.schema_path().as_str()),
        kind,
        message: e.to_string(),
    }
}

/// A YAML file of certgate's own (a rule, `certgate.yaml`) read and checked against its schema: the
/// tree (for locations) and its JSON, or every problem as a CG005 finding at its line. An empty file
/// is an empty mapping.
pub fn load_checked(
    sources: &SourceMap,
    id: SourceId,
    schema: Schema,
    what: &str,
) -> Result<(Node, Json), Vec<InputProblem>> {
    let root = load_tree(sources, id)?;
    let json = to_json(&root);
    let errors = validate(schema, &json);
    if errors.is_empty() {
        return Ok((root, json));
    }
    Err(schema_problems(sources, id, what, &root, &errors))
}

/// The text size from which [`load_checked_with`] validates on a core of its own.
const VALIDATE_APART_FROM: usize = 64 << 10;

/// [`load_checked`] for a caller that reads the tree itself (`then`, e.g. serde straight from the
/// nodes) and needs no JSON: `then` runs while the tree is validated, on another core when the text
/// is large, so that a 10,000-unit `certgate.yaml` costs its validation no wall time. What `then`
/// made is returned only when the tree is valid.
pub fn load_checked_with<T>(
    sources: &SourceMap,
    id: SourceId,
    schema: Schema,
    what: &str,
    then: impl FnOnce(&Node) -> T,
) -> Result<(Node, T), Vec<InputProblem>> {
    let root = load_tree(sources, id)?;
    let check = || validate(schema, &to_json(&root));
    let apart = sources.get(id).text.len() >= VALIDATE_APART_FROM && crate::parallel::cores() > 1;
    let (errors, made) = if apart {
        std::thread::scope(|scope| {
            let errors = scope.spawn(check);
            let made = then(&root);
            (errors.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), made)
        })
    } else {
        (check(), then(&root))
    };
    if errors.is_empty() {
        return Ok((root, made));
    }
    Err(schema_problems(sources, id, what, &root, &errors))
}

fn problem(location: Location, message: String) -> InputProblem {
    InputProblem::new(ProblemKind::RuleFileInvalid, location, message)
}

/// The YAML tree of a file of certgate's own, or its syntax problems.
fn load_tree(sources: &SourceMap, id: SourceId) -> Result<Node, Vec<InputProblem>> {
    let src = sources.get(id);
    // A certgate.yaml names every release unit of a repository (ten thousand take ~300,000
    // nodes): its own budget, four times a values file's.
    let limits = yaml::Limits {
        max_nodes: 4 * yaml::Limits::default().max_nodes,
        ..yaml::Limits::default()
    };
    let loaded = yaml::load(&src.text, id, &limits);
    if !loaded.problems.is_empty() {
        return Err(loaded
            .problems
            .iter()
            .map(|p| {
                problem(
                    Location::Span {
                        source: id,
                        span: p.span,
                    },
                    format!("{}: {}", src.name, p.message),
                )
            })
            .collect());
    }
    Ok(match loaded.root {
        Some(r) if !r.is_null() => r,
        Some(r) => Node::empty_map(r.origin),
        None => Node::empty_map(crate::source::value::Origin::file(id, Default::default())),
    })
}

/// Each schema error as a CG005 problem at its node (or, for an unknown key, at the key).
fn schema_problems(
    sources: &SourceMap,
    id: SourceId,
    what: &str,
    root: &Node,
    errors: &[SchemaError],
) -> Vec<InputProblem> {
    let name = &sources.get(id).name;
    errors
        .iter()
        .map(|e| {
            let (location, message) = match (&e.kind, locate(root, &e.instance)) {
                (ErrorKind::Additional(keys), Some(here)) => {
                    let key = keys.first().and_then(|k| here.node.as_map()?.entry(k));
                    let at = key.map_or(Location::of(&here.node.origin), |k| Location::of(&k.key_origin));
                    (at, format!("unknown key {}", keys.join(", ")))
                }
                (_, Some(here)) => (Location::of(&here.node.origin), e.message.clone()),
                (_, None) => (Location::of(&root.origin), e.message.clone()),
            };
            problem(location, format!("{name} does not match the {what} schema: {message}"))
        })
        .collect()
}

/// The value of annotation `name` on the deepest schema object along `path` that has it
/// (`x-certgate-rule`, `x-certgate-message`), walking the schema document by the path's segments.
pub fn annotation<'a>(schema: Schema, path: &[String], name: &str) -> Option<&'a Json> {
    let mut node = schema.document();
    let mut found = node.get(name);
    for seg in path {
        node = match node {
            Json::Object(m) => m.get(seg)?,
            Json::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return found,
        };
        if let Some(v) = node.get(name) {
            found = Some(v);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_compile() {
        for s in [
            Schema::Rule,
            Schema::Values,
            Schema::Config,
            Schema::Report,
            Schema::Plan,
        ] {
            assert!(!s.document().is_null(), "{s:?} is not JSON");
            assert!(
                jsonschema::validator_for(s.document()).is_ok(),
                "{s:?} does not compile"
            );
        }
    }

    /// The validators generated at build time say what the run-time compiler says of the same
    /// schema, for every YAML document of the test cases (values, configs, rules, Secrets) and
    /// every JSON report they print, under each schema: the same errors (instance path, schema path, kind and message).
    #[test]
    fn compiled_validators_agree_with_run_time_ones() {
        let mut docs = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/cases"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.file_name().is_some_and(|n| n == "stdout")
                    && let Ok(report) =
                        serde_json::from_str::<Json>(&std::fs::read_to_string(&path).unwrap_or_default())
                {
                    // A case's JSON output: a real report for the report schema.
                    docs.push((path, report));
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
                    && let Ok(text) = std::fs::read_to_string(&path)
                    && let Some(root) = yaml::load(&text, SourceId(0), &yaml::Limits::default()).root
                {
                    docs.push((path, to_json(&root)));
                }
            }
        }
        assert!(docs.len() > 100, "only {} documents", docs.len());
        let mut failing = 0;
        for schema in [
            Schema::Rule,
            Schema::Values,
            Schema::Config,
            Schema::Report,
            Schema::Plan,
        ] {
            let run_time = jsonschema::validator_for(schema.document()).unwrap();
            for (path, doc) in &docs {
                let show =
                    |e: &SchemaError| format!("{:?} | {:?} | {:?} | {}", e.instance, e.schema, e.kind, e.message);
                let mut got: Vec<String> = validate(schema, doc).iter().map(show).collect();
                let mut expected: Vec<String> = run_time.iter_errors(doc).map(|e| show(&schema_error(&e))).collect();
                // The order of errors differs (the findings are sorted anyway): compare as sets.
                got.sort();
                expected.sort();
                if got != expected {
                    failing += 1;
                    eprintln!(
                        "{schema:?} on {}:\n  run time: {expected:#?}\n  compiled: {got:#?}",
                        path.display()
                    );
                }
            }
        }
        assert_eq!(failing, 0, "compiled and run-time validators disagree (see above)");
    }
}
