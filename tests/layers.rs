//! Imports run one way (CONTRIBUTING.md, "Layers"): each top-level module of `src/` may name only
//! modules on its own layer or a layer below it. The test reads every `crate::…` path outside test
//! code and fails on one that climbs, naming the file and line; the few deliberate exceptions are
//! listed here, each with its reason, and the test also fails when an exception is no longer used,
//! so the list cannot go stale.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Lowest first. A module may import its own layer and every layer before it.
const LAYERS: &[&[&str]] = &[
    // Bytes with positions, locations, the value tree; a thread pool with no knowledge of certgate.
    &["source", "parallel"],
    // What the bytes mean on their own: certificates and keys, Helm's grammar and coalescing, JSON
    // Schema validation.
    &["crypto", "helm", "schema"],
    // The facts of a release unit (the types the loader fills in).
    &["model"],
    // Reading a release unit from files, flags, git and a chart into the model.
    &["load"],
    // Every rule's judgement and message.
    &["checks"],
    // Policy as data: the rule files, which name check kinds.
    &["rules"],
    // The outcome: findings, verdict, approval; the run that selects, loads and checks the units
    // (`engine::run`), and the configuration file it selects them from.
    &["engine", "config"],
    // Formats.
    &["report"],
    // The command line, which drives everything.
    &["cli"],
];

/// `(file, imported module, why)`: imports that climb on purpose.
const EXCEPTIONS: &[(&str, &str, &str)] = &[];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level module a file of `src/` belongs to (`src/checks/mod.rs` → `checks`).
fn module_of(path: &Path, src: &Path) -> Option<String> {
    let rel = path.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Files that are test code as a whole: declared under `#[cfg(test)]` by their parent module.
fn test_only_files(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for pair in lines.windows(2) {
            if pair[0].trim() != "#[cfg(test)]" {
                continue;
            }
            let decl = pair[1].trim();
            let Some(name) = decl
                .strip_prefix("pub(crate) mod ")
                .or_else(|| decl.strip_prefix("mod "))
                .and_then(|d| d.strip_suffix(';'))
            else {
                continue;
            };
            let dir = if file.file_name().is_some_and(|n| n == "mod.rs" || n == "lib.rs") {
                file.parent().unwrap().to_path_buf()
            } else {
                file.with_extension("")
            };
            out.insert(dir.join(format!("{name}.rs")));
        }
    }
    out
}

/// The lines of `text` outside items marked `#[cfg(test)]`, with their 1-based numbers. An item
/// ends at its `;` or at the closing brace on its own indentation.
fn non_test_lines(text: &str) -> Vec<(usize, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "#[cfg(test)]" {
            let indent = &lines[i][..lines[i].len() - lines[i].trim_start().len()];
            let mut j = i + 1;
            while j < lines.len() && lines[j].trim_start().starts_with("#[") {
                j += 1;
            }
            if j < lines.len() && !lines[j].trim_end().ends_with(';') {
                while j < lines.len() && lines[j] != format!("{indent}}}") {
                    j += 1;
                }
            }
            i = j + 1;
            continue;
        }
        out.push((i + 1, lines[i]));
        i += 1;
    }
    out
}

/// Every module a line names through `crate::` (`use crate::{a, b::c}` names `a` and `b`).
fn named_modules(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or_default();
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            out.push(name);
        }
        rest = after;
    }
    out
}

#[test]
fn imports_run_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let test_only = test_only_files(&files);
    let mut climbs = Vec::new();
    let mut used_exceptions = BTreeSet::new();
    let mut unknown = BTreeSet::new();
    for file in files.iter().filter(|f| !test_only.contains(*f)) {
        let Some(from) = module_of(file, &src) else { continue };
        if from == "lib" || from == "main" {
            continue;
        }
        let from_layer = layer(&from).unwrap_or_else(|| panic!("{from} is on no layer: add it to LAYERS"));
        let rel = file.strip_prefix(src.parent().unwrap()).unwrap().display().to_string();
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in non_test_lines(&text) {
            for to in named_modules(line) {
                let Some(to_layer) = layer(&to) else {
                    unknown.insert(format!("{rel}:{n}: crate::{to}"));
                    continue;
                };
                if to_layer <= from_layer {
                    continue;
                }
                if let Some(e) = EXCEPTIONS.iter().find(|(f, m, _)| *f == rel && *m == to) {
                    used_exceptions.insert(*e);
                } else {
                    climbs.push(format!(
                        "{rel}:{n}: {from} (layer {from_layer}) imports {to} (layer {to_layer})"
                    ));
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "paths to modules on no layer:\n{}",
        Vec::from_iter(unknown).join("\n")
    );
    assert!(climbs.is_empty(), "imports against the layers:\n{}", climbs.join("\n"));
    let stale: Vec<_> = EXCEPTIONS.iter().filter(|e| !used_exceptions.contains(*e)).collect();
    assert!(stale.is_empty(), "exceptions no longer needed: {stale:?}");
}

#[test]
fn the_reader_sees_what_it_must() {
    // The test's own reading, held to lines whose answer is known.
    assert_eq!(named_modules("use crate::engine::{Approval, Finding};"), ["engine"]);
    assert_eq!(
        named_modules("use crate::{checks, model::unit::Unit};"),
        ["checks", "model"]
    );
    assert_eq!(
        named_modules("    let p = crate::report::place(x); // crate::cli"),
        ["report"]
    );
    let text = "fn a() {}\n#[cfg(test)]\nmod tests {\n    use crate::cli;\n}\nfn b() {}\n";
    let kept: Vec<usize> = non_test_lines(text).iter().map(|(n, _)| *n).collect();
    assert_eq!(kept, [1, 6]);
}
