//! Rules are data: each file in `rules/` names a built-in check kind, its parameters and the
//! documentation `certgate explain` prints. Built-in rules are embedded at build time; users add
//! rule directories (config `rules_dirs`) with their own rules built from the same kinds.
//!
//! A rule file is read with the same spanned YAML reader as values, validated against
//! `schemas/rule.schema.json`, and its parameters against its kind; every problem is a CG005
//! finding pointing into the file, never a crash and never a silently dropped rule.

mod severity;
pub use severity::Severity;

use std::path::Path;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value as Json;

use crate::checks::{self, Check};
use crate::schema::{Schema, load_checked};
use crate::source::files::{read_limited, sha256_hex, utf8_text};
use crate::source::{Input, InputRole, Location};
use crate::source::{InputProblem, ProblemKind};
use crate::source::{Source, SourceMap};

/// The metadata and parameters of a rule, as its file gives them.
#[derive(Debug, Clone, Deserialize)]
pub struct RuleMeta {
    // Shared with every finding the rule makes (`Arc`: one copy, however many findings).
    pub code: std::sync::Arc<str>,
    pub name: std::sync::Arc<str>,
    pub severity: Severity,
    pub summary: String,
    pub rationale: String,
    pub remediation: std::sync::Arc<str>,
    pub help_uri: Option<String>,
    pub kind: String,
    #[serde(default)]
    pub params: Json,
    #[serde(default)]
    pub examples: Option<Examples>,
    #[serde(default)]
    pub escalate: Escalate,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Examples {
    pub bad: Option<String>,
    pub good: Option<String>,
}

/// Severities a rule takes when a policy setting is on.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Escalate {
    pub clients_must_keep_working: Option<Severity>,
    pub require_previous: Option<Severity>,
}

/// A rule ready to run.
#[derive(Debug)]
pub struct Rule {
    pub meta: RuleMeta,
    pub check: Box<dyn Check>,
    /// The file it came from (`rules/CG101-label-invalid.yaml` for built-in rules).
    pub file: String,
}

// The built-in rule files, embedded by build.rs: (file name, text). Only the tests read them: a run
// loads the same rules pre-parsed, from `builtin.json`.
#[cfg_attr(not(test), allow(dead_code))]
mod files {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}
#[cfg(test)]
use files::BUILTIN_RULES;

/// The built-in rules as JSON, made from `rules/*.yaml` by certgate's own YAML reader (the test
/// `builtin_json_is_current` fails when it is stale; `CERTGATE_BLESS=1 cargo test --lib rules`
/// rewrites it). Reading JSON at start-up costs a tenth of reading the YAML with spans.
const BUILTIN_JSON: &str = include_str!("builtin.json");

#[derive(Deserialize)]
struct BuiltinEntry {
    file: String,
    rule: Json,
}

/// The built-in rules, parsed once. They are checked against the rule schema by the test suite
/// (`builtin_rules_load`), not at every start: compiling the schema cost more than the whole check of
/// a unit. A built-in rule that fails to load is a bug that test catches; at run time it is left out
/// rather than crashing.
pub fn builtin() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let entries: Vec<BuiltinEntry> = serde_json::from_str(BUILTIN_JSON).unwrap_or_default();
        entries
            .into_iter()
            .filter_map(|e| {
                let at = Location::File { path: e.file.clone() };
                build_rule(&e.file, e.rule, |_| at.clone()).ok()
            })
            .collect()
    })
}

/// Parse one rule file's text; its source is added to `sources` so problems can point into it.
pub fn parse_rule(name: &str, text: &str, sources: &mut SourceMap) -> Result<Rule, Vec<InputProblem>> {
    let id = sources.add(Source::new(name, text));
    let (root, json) = load_checked(sources, id, Schema::Rule, "rule")?;
    build_rule(name, json, |field| {
        root.lookup(field)
            .map_or(Location::of(&root.origin), |n| Location::of(&n.origin))
    })
}

/// A rule from its file's content as JSON; `at(field)` locates a field of the file ("" for the
/// whole).
fn build_rule(name: &str, json: Json, at: impl Fn(&str) -> Location) -> Result<Rule, Vec<InputProblem>> {
    let problem =
        |location: Location, message: String| InputProblem::new(ProblemKind::RuleFileInvalid, location, message);
    let meta: RuleMeta = serde_json::from_value(json).map_err(|e| vec![problem(at(""), format!("{name}: {e}"))])?;
    let Some(kind) = checks::kind(&meta.kind) else {
        let known: Vec<&str> = checks::KINDS.iter().map(|k| k.name).collect();
        return Err(vec![problem(
            at("kind"),
            format!(
                "{name}: unknown check kind {:?} (known: {})",
                meta.kind,
                known.join(", ")
            ),
        )]);
    };
    let check = kind.build(&meta.params).map_err(|e| {
        vec![problem(
            at("params"),
            format!("{name}: the parameters do not fit check kind {}: {e}", kind.name),
        )]
    })?;
    Ok(Rule {
        meta,
        check,
        file: name.to_string(),
    })
}

/// The user rules in `dir` (`*.yaml`, `*.yml`, in name order), with the problems of those that do not
/// load and the digests of the files read.
pub fn load_dir(dir: &Path, display: &str, sources: &mut SourceMap) -> (Vec<Rule>, Vec<InputProblem>, Vec<Input>) {
    let mut rules = Vec::new();
    let mut problems = Vec::new();
    let mut inputs = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            let p = InputProblem::new(
                ProblemKind::RuleFileInvalid,
                Location::File { path: display.into() },
                format!("rule directory {display} cannot be read: {e}"),
            );
            return (rules, vec![p], inputs);
        }
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    for path in files {
        let name = format!(
            "{display}/{}",
            path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
        );
        // Only regular files are read: a symlink loop, a directory or a FIFO named *.yaml is reported
        // (opening a FIFO would wait forever for a writer), and so is a link out of the directory.
        let leaves = path
            .file_name()
            .and_then(|n| crate::source::confine::escapes(dir, &n.to_string_lossy()));
        let not_regular = match std::fs::metadata(&path) {
            _ if leaves.is_some() => leaves.map(|why| format!("{why}: not read")),
            Ok(m) if m.is_file() => None,
            Ok(_) => Some("is not a regular file".to_string()),
            Err(e) => Some(format!("cannot be read: {e}")),
        };
        if let Some(why) = not_regular {
            problems.push(InputProblem::new(
                ProblemKind::RuleFileInvalid,
                Location::File { path: name.clone() },
                format!("rule file {name} {why}"),
            ));
            continue;
        }
        let text = match read_limited(&path, 8 << 20).map_err(|e| e.to_string()).and_then(|b| {
            inputs.push(Input {
                role: InputRole::Rules,
                path: name.clone(),
                sha256: sha256_hex(&b),
            });
            utf8_text(b).map_err(|_| "is not UTF-8 text".to_string())
        }) {
            Ok(t) => t,
            Err(e) => {
                problems.push(InputProblem::new(
                    ProblemKind::RuleFileInvalid,
                    Location::File { path: name.clone() },
                    format!("rule file {name} {e}"),
                ));
                continue;
            }
        };
        match parse_rule(&name, &text, sources) {
            Ok(rule) => rules.push(rule),
            Err(p) => problems.extend(p),
        }
    }
    (rules, problems, inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_load() {
        let mut sources = SourceMap::new();
        for (name, text) in BUILTIN_RULES {
            let rule = parse_rule(name, text, &mut sources).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(
                name.starts_with(&format!("{}-{}", rule.meta.code, rule.meta.name)),
                "{name} is named for its code and name"
            );
        }
        assert_eq!(builtin().len(), BUILTIN_RULES.len());
    }

    /// `builtin.json` is exactly what certgate's YAML reader makes of `rules/*.yaml`.
    #[test]
    fn builtin_json_is_current() {
        let mut sources = SourceMap::new();
        let entries: Vec<Json> = BUILTIN_RULES
            .iter()
            .map(|(name, text)| {
                let id = sources.add(Source::new(*name, *text));
                let (_, json) =
                    load_checked(&sources, id, Schema::Rule, "rule").unwrap_or_else(|e| panic!("{name}: {e:?}"));
                serde_json::json!({"file": format!("rules/{name}"), "rule": json})
            })
            .collect();
        let mut want = serde_json::to_string_pretty(&entries).unwrap();
        want.push('\n');
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules/builtin.json");
        if std::env::var_os("CERTGATE_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        assert!(
            BUILTIN_JSON == want,
            "src/rules/builtin.json is stale: run CERTGATE_BLESS=1 cargo test --lib rules"
        );
        // And it loads into the same rules as the files.
        let parsed: Vec<String> = builtin().iter().map(|r| format!("{:?}", r.meta)).collect();
        let from_files: Vec<String> = BUILTIN_RULES
            .iter()
            .map(|(name, text)| format!("{:?}", parse_rule(name, text, &mut sources).unwrap().meta))
            .collect();
        assert_eq!(parsed, from_files);
    }

    #[test]
    fn codes_and_names_are_unique() {
        let rules = builtin();
        let mut codes: Vec<&str> = rules.iter().map(|r| &*r.meta.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), rules.len());
        let mut names: Vec<&str> = rules.iter().map(|r| &*r.meta.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), rules.len());
    }

    #[test]
    fn a_bad_rule_file_is_located() {
        let mut sources = SourceMap::new();
        let text = "code: CG999\nname: x\nseverity: fatal\nsummary: s\nrationale: r\nremediation: m\nkind: non_empty\n";
        let err = parse_rule("bad.yaml", text, &mut sources).unwrap_err();
        let Location::Span { source, span } = &err[0].location else {
            panic!("{err:?}")
        };
        assert_eq!(sources.get(*source).line_col(span.start), (3, 11));
        let text = "code: CG999\nname: x\nseverity: error\nsummary: s\nrationale: r\nremediation: m\nkind: nope\n";
        let err = parse_rule("bad.yaml", text, &mut sources).unwrap_err();
        assert!(err[0].message.contains("unknown check kind"));
        let text = "code: CG999\nname: x\nseverity: error\nsummary: s\nrationale: r\nremediation: m\nkind: non_empty\nparams: {pahts: []}\n";
        let err = parse_rule("bad.yaml", text, &mut sources).unwrap_err();
        assert!(err[0].message.contains("pahts"), "{err:?}");
    }
}
