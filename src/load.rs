//! From what the user named to a [`Unit`]: every input is read once, with limits, into sources with
//! spans; every way an input can be wrong becomes an [`InputProblem`]; then the values are resolved
//! as Helm resolves them (chart defaults ⊕ previous ⊕ proposed, SPEC §1).

use std::path::{Path, PathBuf};

use crate::helm::commandline::lint_command;
use crate::helm::strvals::{self, HelmVersion};
use crate::model::effective::{coalesce, merge_into};
use crate::model::unit::{Chart, CommandInput, EXTERNAL_LABEL, Given, History, ReleaseConfigMap, Unit, ValuesFile};
use crate::model::value::{Mapping, Node, Origin, SetFlag, Value};
use crate::model::{InputProblem, ProblemKind};
use crate::report::{Input, Location};
use crate::source::chart::{ArchiveLimits, read_chart};
use crate::source::files::{ReadError, read_limited, sha256_hex, utf8_text};
use crate::source::yaml::{self, ProblemKind as YamlProblemKind};
use crate::source::{Source, SourceId, SourceMap, Span};

/// Input limits (SPEC §4; configurable).
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_chart_bytes: u64,
    pub yaml: yaml::Limits,
    pub archive: ArchiveLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 8 << 20,
            max_chart_bytes: 16 << 20,
            yaml: yaml::Limits::default(),
            archive: ArchiveLimits::default(),
        }
    }
}

/// `--new-label`: a label to propose, or `auto`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewLabel {
    Auto,
    Value(String),
}

/// What one release unit is made of, as the command line or `certgate.yaml` named it. Paths are as
/// the user gave them, joined to `base_dir` (the config's directory) when relative.
#[derive(Debug, Clone, Default)]
pub struct UnitSpec {
    pub base_dir: PathBuf,
    pub release: Option<Given<String>>,
    pub namespace: Option<String>,
    pub helm: Option<HelmVersion>,
    pub chart: Option<Given<String>>,
    pub values: Vec<Given<String>>,
    pub set: Vec<Given<String>>,
    pub set_string: Vec<Given<String>>,
    pub set_file: Vec<Given<String>>,
    pub previous: Option<Given<String>>,
    /// `--base REV`: the previous desired state is the same values files at this git revision.
    pub base: Option<Given<String>>,
    pub configmap: Option<Given<String>>,
    pub history: History,
    pub hostnames: Vec<String>,
    pub command: Option<String>,
    pub new_label: Option<NewLabel>,
}

/// A loaded unit and the inputs it was computed from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub unit: Unit,
    pub inputs: Vec<Input>,
}

/// Reads inputs into one source map, recording digests and problems.
struct Reader<'a> {
    limits: &'a Limits,
    base_dir: &'a Path,
    sources: SourceMap,
    inputs: Vec<Input>,
    problems: Vec<InputProblem>,
}

impl Reader<'_> {
    fn display(&self, path: &str) -> String {
        if self.base_dir.as_os_str().is_empty() || Path::new(path).is_absolute() {
            path.to_string()
        } else {
            self.base_dir.join(path).to_string_lossy().into_owned()
        }
    }

    fn problem(&mut self, kind: ProblemKind, location: Location, message: String) {
        self.problems.push(InputProblem::new(kind, location, message));
    }

    /// Where a file that cannot be read is reported: at the config line naming it, or the file.
    fn unreadable_at(given: &Given<String>, display: &str) -> Location {
        match &given.location {
            Location::Span { .. } => given.location.clone(),
            _ => Location::File {
                path: display.to_string(),
            },
        }
    }

    /// Read a file as text; `None` after recording why not.
    fn read_text(&mut self, role: &str, given: &Given<String>, kind: ProblemKind) -> Option<SourceId> {
        let display = self.display(&given.value);
        let at = Self::unreadable_at(given, &display);
        let bytes = match read_limited(Path::new(&display), self.limits.max_file_bytes) {
            Ok(b) => b,
            Err(e) => {
                let what = if kind == ProblemKind::ChartUnusable {
                    "chart archive"
                } else {
                    role_noun(role)
                };
                self.problem(kind, at, format!("the {what} {display} {e}"));
                return None;
            }
        };
        self.inputs.push(Input {
            role: role.to_string(),
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
                        role_noun(role)
                    ),
                );
                None
            }
        }
    }

    /// Parse a values document: a mapping, or nothing (`null`, `{}`, comments only).
    fn parse_values(&mut self, id: SourceId, role: &str, allow_empty_file: bool) -> Option<Node> {
        let name = self.sources.get(id).name.clone();
        if src_is_empty(&self.sources, id) && !allow_empty_file {
            self.problem(
                ProblemKind::Unreadable,
                Location::File { path: name.clone() },
                format!("the {} {name} is empty: a failed redirection leaves an empty file; `helm get values` prints `null` or `{{}}` for a release without values", role_noun(role)),
            );
            return None;
        }
        let loaded = yaml::load(&self.sources.get(id).text, id, &self.limits.yaml);
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
            // An empty document (comments only, `---`) sets nothing, like `{}`.
            None => Some(Node::empty_map(Origin::file(id, Span::point(0)))),
            Some(n) if n.is_null() => Some(Node::empty_map(n.origin)),
            Some(n) if n.as_map().is_some() => Some(n),
            Some(n) => {
                let what = crate::model::render::type_name(&n);
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

fn role_noun(role: &str) -> &str {
    match role {
        "values" => "values file",
        "previous" => "previous values file",
        "configmap" => "ConfigMap manifest",
        "set-file" => "--set-file file",
        "config" => "config file",
        "rules" => "rule file",
        other => other,
    }
}

/// Load one release unit. `today` (YYYYMMDD from `--now`) names `--new-label auto`; `base` holds the
/// run's shared sources (config, rule files) that locations may already point into.
pub fn load_unit(spec: &UnitSpec, limits: &Limits, today: &str, base: &SourceMap) -> Loaded {
    let mut r = Reader {
        limits,
        base_dir: &spec.base_dir,
        sources: base.clone(),
        inputs: Vec::new(),
        problems: Vec::new(),
    };
    let helm = spec.helm.unwrap_or(HelmVersion::V2);

    // The proposed command under review: its words name values, the release and the chart too.
    let command = spec.command.as_ref().map(|text| CommandInput {
        text: text.clone(),
        lint: lint_command(text, helm),
    });
    let mut release = spec.release.clone();
    let chart_path = spec.chart.clone();
    let mut values_given = spec.values.clone();
    let mut sets: Vec<(SetFlag, Given<String>)> = Vec::new();
    let mut namespace = spec.namespace.clone();
    // The command's chart names the archive in the approved command; only --chart is read.
    let mut command_chart = None;
    if let Some(parsed) = command.as_ref().and_then(|c| c.lint.parsed.as_ref()) {
        let at = |what: &str| Location::Arg {
            origin: format!("--command {what}"),
        };
        if release.is_none() {
            release = parsed.release().map(|value| Given {
                value: value.to_string(),
                location: at("release"),
            });
        }
        if chart_path.is_none() {
            command_chart = parsed.chart().map(str::to_string);
        }
        if namespace.is_none() {
            namespace = parsed.namespace().map(str::to_string);
        }
        values_given.extend(parsed.values_files.iter().map(|v| Given {
            value: v.text.clone(),
            location: at("-f"),
        }));
        for set in &parsed.sets {
            sets.push((
                set.flag,
                Given {
                    value: set.word.text.clone(),
                    location: at(set.flag.as_flag()),
                },
            ));
        }
    }
    sets.extend(spec.set.iter().map(|g| (SetFlag::Set, g.clone())));
    sets.extend(spec.set_string.iter().map(|g| (SetFlag::SetString, g.clone())));
    sets.extend(spec.set_file.iter().map(|g| (SetFlag::SetFile, g.clone())));
    // Helm applies --set, then --set-string, then --set-file, whatever their order on the line.
    sets.sort_by_key(|(flag, _)| *flag);

    let chart = chart_path.as_ref().and_then(|given| load_chart(&mut r, given));

    let previous = match &spec.base {
        Some(rev) => Some(read_base(&mut r, rev, &values_given)),
        None => spec.previous.as_ref().and_then(|given| {
            let id = r.read_text("previous", given, ProblemKind::Unreadable)?;
            r.parse_values(id, "previous", false)
        }),
    };

    let mut values_files = Vec::new();
    let mut proposed = Node::empty_map(Origin::Synthetic);
    for given in &values_given {
        let display = r.display(&given.value);
        let root = r
            .read_text("values", given, ProblemKind::Unreadable)
            .and_then(|id| r.parse_values(id, "values", false));
        if let Some(root) = &root {
            merge_into(&mut proposed, root);
        }
        values_files.push(ValuesFile { path: display, root });
    }
    let mut has_proposed = !values_given.is_empty();

    if let Value::Map(map) = &mut proposed.value {
        for (flag, given) in &sets {
            has_proposed = true;
            apply_set(&mut r, map, *flag, given, helm);
        }
        if let Some(label) = &spec.new_label {
            has_proposed = true;
            let value = match label {
                NewLabel::Value(v) => v.clone(),
                NewLabel::Auto => auto_label(today, &spec.history, previous.as_ref()),
            };
            let _ = strvals::parse_into(
                &format!("{EXTERNAL_LABEL}={}", strvals_escape(&value)),
                SetFlag::SetString,
                helm,
                map,
            );
        }
    }

    let configmap = spec.configmap.as_ref().and_then(|given| {
        let id = r.read_text("configmap", given, ProblemKind::Unreadable)?;
        let root = r.parse_values(id, "configmap", false)?;
        Some(read_configmap(&root))
    });

    if !has_proposed && command.is_none() {
        r.problem(
            ProblemKind::NothingChecked,
            Location::Run,
            "no proposed values to check: give values files (-f), --set flags, --command, or a certgate.yaml naming release units".into(),
        );
    }

    let defaults = chart
        .as_ref()
        .map(|c| c.defaults.clone())
        .unwrap_or_else(|| Node::empty_map(Origin::Synthetic));
    let running = previous.as_ref().map(|p| coalesce(defaults.clone(), [p]));
    // With --base both states are complete files: the new one does not sit on top of the old.
    let layers: Vec<&Node> = if spec.base.is_some() {
        vec![&proposed]
    } else {
        previous.iter().chain([&proposed]).collect()
    };
    let effective = coalesce(defaults, layers);
    let new_label = spec.new_label.as_ref().and_then(|_| {
        proposed
            .lookup(EXTERNAL_LABEL)
            .and_then(Node::as_str)
            .map(str::to_string)
    });

    // Suppression comments in the files a user edits (not in the chart's own values).
    let suppressions = r
        .sources
        .iter()
        .filter(|(_, src)| {
            r.inputs
                .iter()
                .any(|i| (i.role == "values" || i.role == "previous") && i.path == src.name)
        })
        .map(|(id, _)| id)
        .collect::<Vec<_>>()
        .into_iter()
        .flat_map(|id| crate::source::suppress::scan(&r.sources, id))
        .collect();
    let unit = Unit {
        sources: r.sources,
        release,
        namespace,
        helm,
        chart_path: chart_path.map(|g| g.value).or(command_chart),
        chart,
        values_files,
        proposed,
        has_proposed,
        previous,
        running,
        effective,
        configmap,
        history: spec.history.clone(),
        hostnames: spec.hostnames.clone(),
        command,
        new_label,
        problems: r.problems,
        suppressions,
    };
    Loaded { unit, inputs: r.inputs }
}

/// The values files as they were at revision `rev`, merged in order (a file new since then adds
/// nothing); every file git cannot give is a CG001 finding at the `--base` argument.
fn read_base(r: &mut Reader, rev: &Given<String>, files: &[Given<String>]) -> Node {
    let mut previous = Node::empty_map(Origin::Synthetic);
    for given in files {
        let display = r.display(&given.value);
        match crate::source::git::show(&rev.value, Path::new(&display), r.limits.max_file_bytes) {
            Ok(None) => {}
            Ok(Some(bytes)) => {
                let name = format!("{}:{display}", rev.value);
                r.inputs.push(Input {
                    role: "previous".into(),
                    path: name.clone(),
                    sha256: sha256_hex(&bytes),
                });
                let Ok(text) = utf8_text(bytes) else {
                    r.problem(
                        ProblemKind::Unreadable,
                        rev.location.clone(),
                        format!("{name} is not UTF-8 text"),
                    );
                    continue;
                };
                let id = r.sources.add(Source::new(name, text));
                if let Some(root) = r.parse_values(id, "previous", true) {
                    merge_into(&mut previous, &root);
                }
            }
            Err(e) => {
                r.problem(
                    ProblemKind::Unreadable,
                    rev.location.clone(),
                    format!("--base {}: {display} {e}", rev.value),
                );
            }
        }
    }
    previous
}

/// Escape a value for Helm's --set parser (a label may hold a comma or a backslash).
fn strvals_escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace(',', "\\,")
}

fn apply_set(r: &mut Reader, map: &mut Mapping, flag: SetFlag, given: &Given<String>, helm: HelmVersion) {
    let result = match flag {
        SetFlag::SetFile => {
            let base = r.base_dir.to_path_buf();
            let limit = r.limits.max_file_bytes;
            let read_inputs = std::cell::RefCell::new(Vec::new());
            let res = strvals::set_file(
                &given.value,
                helm,
                |path| {
                    let full = if base.as_os_str().is_empty() {
                        PathBuf::from(path)
                    } else {
                        base.join(path)
                    };
                    let bytes = read_limited(&full, limit).map_err(|e| format!("{} {e}", full.display()))?;
                    read_inputs.borrow_mut().push(Input {
                        role: "set-file".into(),
                        path: full.to_string_lossy().into_owned(),
                        sha256: sha256_hex(&bytes),
                    });
                    utf8_text(bytes).map_err(|_| format!("{} is not UTF-8 text", full.display()))
                },
                map,
            );
            r.inputs.extend(read_inputs.into_inner());
            res
        }
        _ => strvals::parse_into(&given.value, flag, helm, map),
    };
    if let Err(e) = result {
        let key = given.value.split('=').next().unwrap_or_default();
        let location = match &given.location {
            Location::Span { .. } => given.location.clone(),
            _ => Location::Arg {
                origin: format!("{} {key}=…", flag.as_flag()),
            },
        };
        r.problem(
            ProblemKind::SetInvalid,
            location,
            format!("Helm cannot parse {} {key}=…: {}", flag.as_flag(), e.message),
        );
    }
}

/// `ext-<YYYYMMDD>-<n>` with the smallest n ≥ 1 not in the known history (SPEC §1).
fn auto_label(today: &str, history: &History, previous: Option<&Node>) -> String {
    let mut known: Vec<String> = history.labels.clone();
    if let Some(l) = previous.and_then(|p| p.lookup(EXTERNAL_LABEL)).and_then(Node::as_str) {
        known.push(l.to_string());
    }
    (1..)
        .map(|n| format!("ext-{today}-{n}"))
        .find(|l| !known.contains(l))
        .unwrap_or_default()
}

fn load_chart(r: &mut Reader, given: &Given<String>) -> Option<Chart> {
    let display = r.display(&given.value);
    let at = Reader::unreadable_at(given, &display);
    let bytes = match read_limited(Path::new(&display), r.limits.max_chart_bytes) {
        Ok(b) => b,
        Err(e) => {
            let hint = if e == ReadError::Missing {
                " (give the chart archive the release was installed from)"
            } else {
                ""
            };
            r.problem(
                ProblemKind::ChartUnusable,
                at,
                format!("the chart archive {display} {e}{hint}"),
            );
            return None;
        }
    };
    r.inputs.push(Input {
        role: "chart".into(),
        path: display.clone(),
        sha256: sha256_hex(&bytes),
    });
    let files = match read_chart(&bytes, r.limits.archive) {
        Ok(f) => f,
        Err(e) => {
            r.problem(
                ProblemKind::ChartUnusable,
                Location::File { path: display.clone() },
                format!("{display} {e}"),
            );
            return None;
        }
    };
    let chart_id = r.sources.add(Source::new(
        format!("{display}!/{}/Chart.yaml", files.dir),
        files.chart_yaml,
    ));
    let meta = yaml::load(&r.sources.get(chart_id).text, chart_id, &r.limits.yaml);
    let Some(meta) = meta.root.filter(|_| meta.problems.is_empty()) else {
        r.problem(
            ProblemKind::ChartUnusable,
            Location::File { path: display.clone() },
            format!("{display}: Chart.yaml is not valid YAML"),
        );
        return None;
    };
    let field = |k: &str| {
        meta.lookup(k)
            .and_then(|n| crate::model::render::rendered(n, HelmVersion::V3))
    };
    let (Some(name), Some(version)) = (field("name"), field("version")) else {
        r.problem(
            ProblemKind::ChartUnusable,
            Location::of(&meta.origin),
            format!("{display}: Chart.yaml lacks a name or version"),
        );
        return None;
    };
    let defaults = match files.values_yaml {
        Some(text) => {
            let id = r
                .sources
                .add(Source::new(format!("{display}!/{}/values.yaml", files.dir), text));
            r.parse_values(id, "chart values", true)?
        }
        None => Node::empty_map(Origin::Synthetic),
    };
    Some(Chart {
        name,
        version,
        app_version: field("appVersion"),
        defaults,
        location: Location::Span {
            source: chart_id,
            span: meta.lookup("version").map_or(Span::point(0), |n| match n.origin {
                Origin::File { span, .. } => span,
                _ => Span::point(0),
            }),
        },
    })
}

/// The labels the chart keeps in its release ConfigMap, and the installed chart version from its
/// `chart` label (`ibm-eventstreams-prod-1.4.0`) when present.
fn read_configmap(root: &Node) -> ReleaseConfigMap {
    let data = |k: &str| root.lookup(&format!("data.{k}")).cloned();
    let chart_version = ["metadata.labels.chart", "metadata.labels.helm.sh/chart"]
        .iter()
        .find_map(|p| {
            let (labels, key) = p
                .rsplit_once('.')
                .map(|(a, _)| (a, p.trim_start_matches("metadata.labels.")))?;
            root.lookup(labels)?.as_map()?.get(key)?.as_str().map(str::to_string)
        })
        .and_then(|chart| chart.rsplit_once('-').map(|(_, v)| v.to_string()))
        .filter(|v| v.chars().next().is_some_and(|c| c.is_ascii_digit()));
    ReleaseConfigMap {
        external: data("externalCertificateLabel"),
        previous_external: data("previousExternalCertificateLabel"),
        internal: data("internalCertificateLabel"),
        previous_internal: data("previousInternalCertificateLabel"),
        chart_version,
    }
}
