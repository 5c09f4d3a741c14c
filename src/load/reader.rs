//! Reading the files a unit names: each once, within its size limit, into the unit's source map
//! with its digest recorded as an [`Input`]; every way a file can be unreadable or not the YAML it
//! must be becomes an [`InputProblem`] at the file, or at the config line that names it.

use std::path::Path;

use crate::helm::coalesce::merge_into;
use crate::helm::strvals::HelmVersion;
use crate::model::unit::Given;
use crate::source::chart::ArchiveLimits;
use crate::source::files::{read_limited, sha256_hex, utf8_text};
use crate::source::value::{Node, Origin, Scalar, Value};
use crate::source::yaml::{self, YamlProblemKind};
use crate::source::{Input, InputProblem, InputRole, Location, ProblemKind, Source, SourceId, SourceMap, Span};

/// Input limits (SPEC §4; configurable).
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_chart_bytes: u64,
    /// A PEM file or bundle.
    pub max_pem_bytes: u64,
    pub yaml: yaml::Limits,
    pub archive: ArchiveLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 8 << 20,
            max_chart_bytes: 16 << 20,
            max_pem_bytes: 1 << 20,
            yaml: yaml::Limits::default(),
            archive: ArchiveLimits::default(),
        }
    }
}

/// Reads inputs into one source map, recording digests and problems.
pub(super) struct Reader<'a> {
    pub limits: &'a Limits,
    pub base_dir: &'a Path,
    pub sources: SourceMap,
    pub inputs: Vec<Input>,
    pub problems: Vec<InputProblem>,
    /// The Helm version that will read the values files.
    pub helm: HelmVersion,
}

impl<'a> Reader<'a> {
    /// A reader for a unit of `base_dir`, adding to `sources`.
    pub fn new(limits: &'a Limits, base_dir: &'a Path, sources: SourceMap, helm: Option<HelmVersion>) -> Self {
        Reader {
            limits,
            base_dir,
            sources,
            inputs: Vec::new(),
            problems: Vec::new(),
            helm: helm.unwrap_or(HelmVersion::V2),
        }
    }

    /// Whether a path may be read: one that `certgate.yaml` names (located in it) must stay inside
    /// the config's directory ([`crate::source::confine`]); a path from the command line is the
    /// user's own. Records why not.
    pub fn confined(&mut self, role: InputRole, given: &Given<String>) -> bool {
        if !matches!(given.location, Location::Span { .. }) {
            return true;
        }
        match crate::source::confine::escapes(self.base_dir, &given.value) {
            None => true,
            Some(why) => {
                self.problem(
                    ProblemKind::Unreadable,
                    given.location.clone(),
                    format!(
                        "the {} {:?} {why}: a config names files inside its own repository only; not read",
                        role.noun(),
                        given.value
                    ),
                );
                false
            }
        }
    }

    /// Read a PEM file (a bundle up to the PEM size limit); `None` after recording why not.
    pub fn read_pem(&mut self, role: InputRole, given: &Given<String>) -> Option<SourceId> {
        if !self.confined(role, given) {
            return None;
        }
        let display = self.display(&given.value);
        let at = Self::unreadable_at(given, &display);
        let bytes = match read_limited(Path::new(&display), self.limits.max_pem_bytes) {
            Ok(b) => b,
            Err(e) => {
                self.problem(
                    ProblemKind::Unreadable,
                    at,
                    format!("the {} file {display} {e}", role.noun()),
                );
                return None;
            }
        };
        self.inputs.push(Input {
            role,
            path: display.clone(),
            sha256: sha256_hex(&bytes),
        });
        // A binary (DER) file is read too: it holds no PEM block, which CG208 reports.
        let text = utf8_text(bytes.clone()).unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
        Some(self.sources.add(Source::new(display, text)))
    }

    pub fn display(&self, path: &str) -> String {
        display_path(self.base_dir, path)
    }

    pub fn problem(&mut self, kind: ProblemKind, location: Location, message: String) {
        self.problems.push(InputProblem::new(kind, location, message));
    }

    /// Where a file that cannot be read is reported: at the config line naming it, or the file.
    pub fn unreadable_at(given: &Given<String>, display: &str) -> Location {
        match &given.location {
            Location::Span { .. } => given.location.clone(),
            _ => Location::File {
                path: display.to_string(),
            },
        }
    }

    /// Read a file as text; `None` after recording why not.
    pub fn read_text(&mut self, role: InputRole, given: &Given<String>, kind: ProblemKind) -> Option<SourceId> {
        if !self.confined(role, given) {
            return None;
        }
        let display = self.display(&given.value);
        let at = Self::unreadable_at(given, &display);
        let bytes = match read_limited(Path::new(&display), self.limits.max_file_bytes) {
            Ok(b) => b,
            Err(e) => {
                let what = if kind == ProblemKind::ChartUnusable {
                    "chart archive"
                } else {
                    role.noun()
                };
                self.problem(kind, at, format!("the {what} {display} {e}"));
                return None;
            }
        };
        self.inputs.push(Input {
            role,
            path: display.clone(),
            sha256: sha256_hex(&bytes),
        });
        match utf8_text(bytes) {
            Ok(text) => Some(self.sources.add(Source::new(display, text))),
            Err(offset) => {
                // Point at the first bad byte: the text up to it is valid and locates the line.
                let bytes = std::fs::read(&display).unwrap_or_default();
                let lossy = String::from_utf8_lossy(&bytes).into_owned();
                let valid = String::from_utf8_lossy(&bytes[..offset.min(bytes.len())]).len();
                let id = self.sources.add(Source::new(display.clone(), lossy));
                let location = Location::Span {
                    source: id,
                    span: Span::new(valid, valid + 1),
                };
                self.problem(
                    kind,
                    location,
                    format!(
                        "the {} {display} is not UTF-8 text (first invalid byte at offset {offset})",
                        role.noun()
                    ),
                );
                None
            }
        }
    }

    /// Parse a values document: a mapping, or nothing (`null`, `{}`, comments only).
    /// A `-f` values file as the Helm version reads it: Helm 2 and 3 the first YAML document, Helm 4
    /// every document merged in order ([`yaml::documents`]). A file with several documents is
    /// reported either way: which of them Helm applies depends on its version.
    fn load_documents(&mut self, id: SourceId) -> yaml::Loaded {
        use yaml::documents::{Part, masked, split};
        // Shared, not copied: the text stays borrowed while problems are recorded on `self`.
        let source = self.sources.shared(id);
        let (text, name) = (&source.text, &source.name);
        let parts = split(text);
        let docs: Vec<_> = parts
            .iter()
            .filter_map(|p| match p {
                Part::Document(r) => Some(r.clone()),
                Part::BadSeparator(_) => None,
            })
            .collect();
        let at = |offset: usize| Location::Span {
            source: id,
            span: Span::point(offset),
        };
        if self.helm != HelmVersion::V4 {
            if let Some(second) = docs.get(1) {
                self.problem(
                    ProblemKind::MultiDocument,
                    at(second.start),
                    format!("{name} holds {} YAML documents: {} reads only the first, so this one and any after it are ignored (Helm 4 merges them all)", docs.len(), self.helm),
                );
            }
            return yaml::load(text, id, &self.limits.yaml);
        }
        if let Some(Part::BadSeparator(line)) = parts.iter().find(|p| matches!(p, Part::BadSeparator(_))) {
            return yaml::Loaded {
                root: None,
                problems: vec![yaml::Problem {
                    kind: yaml::YamlProblemKind::Syntax,
                    span: Span::new(line.start, line.end.saturating_sub(1).max(line.start)),
                    message: "Helm 4 reads a line starting with --- as a document separator, which may only be followed by a comment".into(),
                    related: None,
                }],
            };
        }
        if docs.len() < 2 {
            return yaml::load(text, id, &self.limits.yaml);
        }
        self.problem(
            ProblemKind::MultiDocument,
            at(docs[1].start),
            format!("{name} holds {} YAML documents: Helm 4 merges them in order, later wins (Helm 2 and 3 would read only the first)", docs.len()),
        );
        let mut merged: Option<Node> = None;
        let mut problems = Vec::new();
        for doc in &docs {
            let one = yaml::load(&masked(text, doc), id, &self.limits.yaml);
            problems.extend(one.problems);
            match (&mut merged, one.root) {
                (_, None) => {}
                (None, Some(root)) => merged = Some(root),
                (Some(m), Some(root)) => merge_into(m, &root),
            }
        }
        yaml::Loaded { root: merged, problems }
    }

    pub fn parse_values(&mut self, id: SourceId, role: InputRole, allow_empty_file: bool) -> Option<Node> {
        let name = self.sources.get(id).name.clone();
        if src_is_empty(&self.sources, id) && !allow_empty_file {
            self.problem(
                ProblemKind::Unreadable,
                Location::File { path: name.clone() },
                format!("the {} {name} is empty: a failed redirection leaves an empty file; `helm get values` prints `null` or `{{}}` for a release without values", role.noun()),
            );
            return None;
        }
        let loaded = match role {
            InputRole::Values => self.load_documents(id),
            _ => yaml::load(&self.sources.get(id).text, id, &self.limits.yaml),
        };
        let mut fatal = false;
        for p in &loaded.problems {
            let kind = match p.kind {
                YamlProblemKind::DuplicateKey => ProblemKind::DuplicateKey,
                _ => {
                    fatal = true;
                    ProblemKind::YamlInvalid
                }
            };
            self.problem(
                kind,
                Location::Span {
                    source: id,
                    span: p.span,
                },
                p.message.clone(),
            );
        }
        if fatal {
            return None;
        }
        match loaded.root {
            // A proposed values file that holds only comments or `null` proposes nothing, like an
            // empty one: the usual cause is the same (a file written by a step that failed).
            None
            | Some(Node {
                value: Value::Scalar(Scalar::Null),
                ..
            }) if role == InputRole::Values => {
                self.problem(
                    ProblemKind::Unreadable,
                    Location::File { path: name.clone() },
                    format!("the values file {name} holds no values (only comments or null): nothing is proposed; a file written by a step that failed is the usual cause"),
                );
                None
            }
            // An empty document (comments only, `---`) sets nothing, like `{}`.
            None => Some(Node::empty_map(Origin::file(id, Span::point(0)))),
            Some(n) if n.is_null() => Some(Node::empty_map(n.origin)),
            Some(n) if n.as_map().is_some() => Some(n),
            Some(n) => {
                let what = crate::helm::render::type_name(&n);
                self.problem(
                    ProblemKind::YamlInvalid,
                    Location::of(&n.origin),
                    format!("a values file must hold a mapping of keys to values, but {name} holds a {what}"),
                );
                None
            }
        }
    }
}

fn src_is_empty(sources: &SourceMap, id: SourceId) -> bool {
    sources.get(id).text.is_empty()
}

/// `path` as given, under the config's directory when relative.
pub(super) fn display_path(base_dir: &Path, path: &str) -> String {
    if base_dir.as_os_str().is_empty() || Path::new(path).is_absolute() {
        path.to_string()
    } else {
        base_dir.join(path).to_string_lossy().into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::testing::{arg, dir, place, problems};

    #[test]
    fn a_file_that_is_not_utf8_is_reported_at_its_first_bad_byte() {
        let d = dir(&[("values.yaml", b"a: 1\nb: caf\xe9\n")]);
        let limits = Limits::default();
        let mut r = Reader::new(&limits, d.path(), SourceMap::new(), None);
        assert_eq!(
            r.read_text(InputRole::Values, &arg("-f", "values.yaml"), ProblemKind::Unreadable),
            None
        );
        assert_eq!(
            problems(&r.sources, &r.problems),
            ["values.yaml:2:7: the values file values.yaml is not UTF-8 text (first invalid byte at offset 11)"]
        );
        // Its digest is recorded all the same: the input was read.
        assert_eq!(r.inputs.len(), 1);
        assert_eq!(r.inputs[0].role, InputRole::Values);
    }

    #[test]
    fn a_values_file_holds_a_mapping() {
        let d = dir(&[("list.yaml", b"- a\n- b\n"), ("empty.yaml", b"# nothing\n")]);
        let limits = Limits::default();
        let mut r = Reader::new(&limits, d.path(), SourceMap::new(), None);
        let list = r
            .read_text(InputRole::Values, &arg("-f", "list.yaml"), ProblemKind::Unreadable)
            .expect("read");
        assert_eq!(r.parse_values(list, InputRole::Values, false), None);
        // Comments only: nothing proposed in a values file; an empty mapping in a previous one.
        let empty = r
            .read_text(InputRole::Values, &arg("-f", "empty.yaml"), ProblemKind::Unreadable)
            .expect("read");
        assert_eq!(r.parse_values(empty, InputRole::Values, false), None);
        let previous = r
            .parse_values(empty, InputRole::Previous, false)
            .expect("an empty mapping");
        assert_eq!(previous.as_map().map(|m| m.iter().count()), Some(0));
        assert_eq!(
            problems(&r.sources, &r.problems),
            [
                "list.yaml:1:1: a values file must hold a mapping of keys to values, but list.yaml holds a list",
                "empty.yaml: the values file empty.yaml holds no values (only comments or null): nothing is proposed; a file written by a step that failed is the usual cause",
            ]
        );
    }

    #[test]
    fn helm_3_reads_the_first_document_and_helm_4_merges_them() {
        let text = b"a: 1\nb: 1\n---\nb: 2\n";
        let d = dir(&[("values.yaml", text)]);
        let limits = Limits::default();
        for (helm, b, problem) in [
            (
                HelmVersion::V3,
                1,
                "values.yaml:4:1: values.yaml holds 2 YAML documents: Helm 3 reads only the first, so this one and any after it are ignored (Helm 4 merges them all)",
            ),
            (
                HelmVersion::V4,
                2,
                "values.yaml:4:1: values.yaml holds 2 YAML documents: Helm 4 merges them in order, later wins (Helm 2 and 3 would read only the first)",
            ),
        ] {
            let mut r = Reader::new(&limits, d.path(), SourceMap::new(), Some(helm));
            let id = r
                .read_text(InputRole::Values, &arg("-f", "values.yaml"), ProblemKind::Unreadable)
                .expect("read");
            let root = r.parse_values(id, InputRole::Values, false).expect("a mapping");
            let at = |path: &str| root.lookup(path).and_then(|n| crate::helm::render::rendered(n, helm));
            assert_eq!(at("a").as_deref(), Some("1"), "{helm}");
            assert_eq!(at("b"), Some(b.to_string()), "{helm}");
            assert_eq!(problems(&r.sources, &r.problems), [problem]);
        }
    }

    #[test]
    fn a_config_names_files_inside_its_own_directory_only() {
        let d = dir(&[]);
        let limits = Limits::default();
        let mut r = Reader::new(&limits, d.path(), SourceMap::new(), None);
        let config = r
            .sources
            .add(Source::new("certgate.yaml", "values: [../outside.yaml]\n"));
        let given = Given {
            value: "../outside.yaml".to_string(),
            location: Location::Span {
                source: config,
                span: Span::new(9, 24),
            },
        };
        assert_eq!(r.read_text(InputRole::Values, &given, ProblemKind::Unreadable), None);
        assert_eq!(r.problems.len(), 1);
        assert_eq!(place(&r.sources, &r.problems[0].location), "certgate.yaml:1:10");
        assert!(
            r.problems[0]
                .message
                .starts_with("the values file \"../outside.yaml\" "),
            "{}",
            r.problems[0].message
        );
        // The same path on the command line is the user's own to name.
        assert!(r.confined(InputRole::Values, &arg("-f", "../outside.yaml")));
    }
}
