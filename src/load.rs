//! From what the user named to a [`Unit`]: every input is read once, with limits, into sources with
//! spans; every way an input can be wrong becomes an [`InputProblem`]; then the values are resolved
//! as Helm resolves them (chart defaults ⊕ previous ⊕ proposed, SPEC §1).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::crypto::Moment;
use crate::helm::coalesce::{coalesce, merge_into};
use crate::helm::proposed::lint_command;
use crate::helm::strvals::{self, HelmVersion};
use crate::model::unit::{Chart, CommandInput, EXTERNAL_LABEL, Given, History, ReleaseConfigMap, Unit, ValuesFile};
use base64::Engine as _;

use crate::helm::coalesce::present;
use crate::model::material::{self, Holder, Raw, Role, analyse};
use crate::model::unit::TlsType;
use crate::source::chart::{ArchiveLimits, read_chart};
use crate::source::files::{ReadError, read_limited, sha256_hex, utf8_text};
use crate::source::value::{Mapping, Node, Origin, Scalar, SetFlag, Value};
use crate::source::yaml::{self, ProblemKind as YamlProblemKind};
use crate::source::{Input, Location};
use crate::source::{InputProblem, ProblemKind};
use crate::source::{Source, SourceId, SourceMap, Span};

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

/// What every unit of a run is loaded with: the limits, the clock (`--now`) and the expiry window.
#[derive(Debug)]
pub struct Context {
    pub limits: Limits,
    /// The run's time (`--now` or the clock): validity is checked at this time.
    pub now: Moment,
    pub expiry_warning_days: u32,
    /// Chart archives read once for the whole run ([`preload_charts`]), by path.
    pub charts: HashMap<String, Preloaded>,
    /// Values paths the rules read beyond the certificate settings ([`crate::checks::Check::paths`]).
    pub rule_paths: Vec<String>,
    /// `--base` files git was asked for before the units started ([`BasePrefetch`]).
    pub git: BasePrefetch,
    /// One `git cat-file --batch` per directory the units are read from: old files for
    /// `--base`, and whether git tracks a values file (CG210).
    pub batches: crate::source::git::Batches,
}

/// Files at a git revision, asked for as soon as the run knows them: a few units' files each by
/// its own `git cat-file` started early; in a run of more units, through the run's batches
/// ([`crate::source::git::Batches`]).
#[derive(Default)]
pub struct BasePrefetch {
    /// Started before the units, by (revision, path).
    started: std::sync::Mutex<HashMap<(String, PathBuf), crate::source::git::PendingShow>>,
    /// Whether the run has more than [`PREFETCH_MAX`] units with `--base`.
    batching: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for BasePrefetch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BasePrefetch")
    }
}

/// How many units (or changed files) of a run have their `--base` files asked for before the
/// units start, each by its own git process: the pre-commit case. A larger run asks a
/// `git cat-file --batch` per directory: thousands of git starts would cost seconds.
pub const PREFETCH_MAX: usize = 4;

impl BasePrefetch {
    /// Start git on `path` at `rev`, unless it was already asked for.
    pub fn start(&self, rev: &str, path: &Path, limits: &Limits) {
        let mut map = self.started.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry((rev.to_string(), same_file_key(path)))
            .or_insert_with(|| crate::source::git::start_show(rev, path, limits.max_file_bytes));
    }

    /// Start git on the `--base` files of the units when there are only a few (see
    /// [`PREFETCH_MAX`]); else the units ask the run's batches.
    pub fn start_units<'a>(&self, specs: impl IntoIterator<Item = &'a UnitSpec>, limits: &Limits) {
        let with_base: Vec<&UnitSpec> = specs
            .into_iter()
            .filter(|s| s.base.is_some())
            .take(PREFETCH_MAX + 1)
            .collect();
        if with_base.len() > PREFETCH_MAX {
            self.batching.store(true, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        for spec in with_base {
            let Some(rev) = &spec.base else { continue };
            for given in &spec.values {
                self.start(
                    &rev.value,
                    Path::new(&display_path(&spec.base_dir, &given.value)),
                    limits,
                );
            }
        }
    }

    fn take(&self, rev: &str, path: &str) -> Option<crate::source::git::PendingShow> {
        let mut map = self.started.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.remove(&(rev.to_string(), same_file_key(Path::new(path))))
    }

    fn batching(&self) -> bool {
        self.batching.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// `path` without `.` components: `./a/b.yaml` and `a/b.yaml` name the same file.
fn same_file_key(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| *c != std::path::Component::CurDir)
        .collect()
}

/// A chart archive read once for every unit that names it: many units share one chart.
#[derive(Debug, Clone)]
pub struct Preloaded {
    pub chart: Option<Chart>,
    pub problems: Vec<InputProblem>,
    pub inputs: Vec<Input>,
}

impl Context {
    pub fn at_unix(now: i64) -> Self {
        Context {
            limits: Limits::default(),
            now: Moment::from(now),
            expiry_warning_days: 30,
            charts: HashMap::new(),
            rule_paths: Vec::new(),
            git: BasePrefetch::default(),
            batches: crate::source::git::Batches::default(),
        }
    }

    /// `YYYYMMDD` of `now`, for `--new-label auto`: the day of the whole second it falls in.
    pub fn today(&self) -> String {
        time::OffsetDateTime::from_unix_timestamp(self.now.floor())
            .map(|t| format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day()))
            .unwrap_or_default()
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
    /// PEM files standing for tls.key, tls.cert and tls.cacert (`tls.type=provided`).
    pub key: Option<Given<String>>,
    pub cert: Option<Given<String>>,
    pub cacert: Option<Given<String>>,
    /// The CA clients trust today, when the previous values do not hold it.
    pub previous_cacert: Option<Given<String>>,
    /// A Kubernetes Secret manifest (`tls.type=secret`).
    pub secret: Option<Given<String>>,
    pub history: History,
    pub hostnames: Vec<String>,
    pub command: Option<String>,
    pub new_label: Option<NewLabel>,
}

impl UnitSpec {
    /// The files the unit reads (chart, previous values, Secret, ConfigMap, values, PEM files), as
    /// paths from the working directory: a pre-commit hook's changed files select units by them.
    pub fn files(&self) -> Vec<PathBuf> {
        let singles = [&self.chart, &self.previous, &self.secret, &self.configmap];
        let pems = [&self.key, &self.cert, &self.cacert, &self.previous_cacert];
        singles
            .into_iter()
            .flatten()
            .chain(&self.values)
            .chain(pems.into_iter().flatten())
            .map(|g| self.base_dir.join(&g.value))
            .collect()
    }
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
    /// The Helm version that will read the values files.
    helm: HelmVersion,
}

impl Reader<'_> {
    /// Whether a path may be read: one that `certgate.yaml` names (located in it) must stay inside
    /// the config's directory ([`crate::source::confine`]); a path from the command line is the
    /// user's own. Records why not.
    fn confined(&mut self, role: &str, given: &Given<String>) -> bool {
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
                        role_noun(role),
                        given.value
                    ),
                );
                false
            }
        }
    }

    /// Read a PEM file (a bundle up to the PEM size limit); `None` after recording why not.
    fn read_pem(&mut self, role: &str, given: &Given<String>) -> Option<SourceId> {
        if !self.confined(role, given) {
            return None;
        }
        let display = self.display(&given.value);
        let at = Self::unreadable_at(given, &display);
        let bytes = match read_limited(Path::new(&display), self.limits.max_pem_bytes) {
            Ok(b) => b,
            Err(e) => {
                self.problem(ProblemKind::Unreadable, at, format!("the {role} file {display} {e}"));
                return None;
            }
        };
        let input_role = match role {
            "previous CA" => "previous-cacert",
            other => other,
        };
        self.inputs.push(Input {
            role: input_role.to_string(),
            path: display.clone(),
            sha256: sha256_hex(&bytes),
        });
        // A binary (DER) file is read too: it holds no PEM block, which CG208 reports.
        let text = utf8_text(bytes.clone()).unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
        Some(self.sources.add(Source::new(display, text)))
    }

    fn display(&self, path: &str) -> String {
        display_path(self.base_dir, path)
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
                    kind: yaml::ProblemKind::Syntax,
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
        let loaded = match role {
            "values" => self.load_documents(id),
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
            }) if role == "values" => {
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

/// Load one release unit at the context's clock; `base` holds the run's shared sources (config,
/// rule files) that locations may already point into.
pub fn load_unit(spec: &UnitSpec, ctx: &Context, base: &SourceMap) -> Loaded {
    let limits = &ctx.limits;
    let mut sources = base.clone();
    sources.reserve(8);
    let mut r = Reader {
        limits,
        base_dir: &spec.base_dir,
        sources,
        inputs: Vec::new(),
        problems: Vec::new(),
        helm: spec.helm.unwrap_or(HelmVersion::V2),
    };
    let helm = r.helm;

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

    let chart = chart_path
        .as_ref()
        .and_then(|given| match ctx.charts.get(&r.display(&given.value)) {
            Some(pre) => {
                r.problems.extend(pre.problems.iter().cloned());
                r.inputs.extend(pre.inputs.iter().cloned());
                pre.chart.clone()
            }
            None => load_chart(&mut r, given),
        });

    // With --base, git reads the old values files while this unit reads its other files; they are
    // collected where they are first needed.
    let mut base_files = spec
        .base
        .as_ref()
        .map(|rev| BaseFiles::start(&r, ctx, rev, &values_given));
    let mut previous = match &spec.base {
        Some(_) => None,
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
                NewLabel::Auto => {
                    if let Some(files) = base_files.take() {
                        previous = Some(files.finish(&mut r));
                    }
                    auto_label(&ctx.today(), &spec.history, previous.as_ref())
                }
            };
            let _ = strvals::parse_into(
                &format!("{EXTERNAL_LABEL}={}", strvals::escape_value(&value)),
                SetFlag::SetString,
                helm,
                map,
            );
        }
    }

    // PEM files stand for tls.key/tls.cert/tls.cacert: their base64 goes into the proposed values
    // (as the approved command's "$(base64 -w0 < FILE)" will put it), located at the file.
    let mut pem_files: Vec<(SourceId, String, Role)> = Vec::new();
    for (role, given) in [
        (Role::Key, &spec.key),
        (Role::Cert, &spec.cert),
        (Role::CaCert, &spec.cacert),
    ] {
        let Some(given) = given else { continue };
        has_proposed = true;
        let Some(id) = r.read_pem(role_name(role), given) else {
            continue;
        };
        let src = r.sources.get(id);
        let encoded = base64::engine::general_purpose::STANDARD.encode(src.text.as_bytes());
        let origin = Origin::file(id, Span::point(0));
        // Merged like a --set-file: over the files and flags, keeping the rest of `tls`.
        let mut tls = Mapping::new();
        let key = role.value_path().trim_start_matches("tls.").to_string();
        tls.insert(key, origin.clone(), Node::scalar(Scalar::Str(encoded), origin.clone()));
        let mut overlay = Mapping::new();
        overlay.insert("tls".into(), origin.clone(), Node::new(Value::Map(tls), origin.clone()));
        merge_into(&mut proposed, &Node::new(Value::Map(overlay), origin));
        pem_files.push((id, src.name.clone(), role));
    }
    let previous_ca_file = spec.previous_cacert.as_ref().and_then(|g| r.read_pem("previous CA", g));

    let configmap = spec.configmap.as_ref().and_then(|given| {
        let id = r.read_text("configmap", given, ProblemKind::Unreadable)?;
        let root = r.parse_values(id, "configmap", false)?;
        Some(read_configmap(&root))
    });

    if let Some(files) = base_files.take() {
        previous = Some(files.finish(&mut r));
    }
    let previous = previous;

    if !has_proposed && command.is_none() {
        r.problem(
            ProblemKind::NothingChecked,
            Location::Run,
            "no proposed values to check: give values files (-f), --set flags, --command, or a certgate.yaml naming release units".into(),
        );
    }

    // Only the defaults this unit can tell apart are copied: under what the previous and proposed
    // values set, the certificate settings, and the paths the rules read. Copying the whole chart's
    // values twice per unit was a third of the work of a run.
    let defaults = match &chart {
        Some(c) => {
            let mut wants = Wants::default();
            for path in CERTIFICATE_PATHS
                .iter()
                .copied()
                .chain(ctx.rule_paths.iter().map(String::as_str))
            {
                wants.path(path);
            }
            wants.tree(&proposed);
            if let Some(p) = &previous {
                wants.tree(p);
            }
            wants.prune(&c.defaults)
        }
        None => Node::empty_map(Origin::Synthetic),
    };
    // Each state starts from its own copy of the chart's defaults (the preloaded tree is shared).
    let running = previous.as_ref().map(|p| coalesce(defaults.clone(), [p]));
    // With --base both states are complete files: the new one does not sit on top of the old.
    let layers: Vec<&Node> = if spec.base.is_some() {
        vec![&proposed]
    } else {
        previous.iter().chain([&proposed]).collect()
    };
    let effective = coalesce(defaults.clone(), layers);
    let new_label = spec.new_label.as_ref().and_then(|_| {
        proposed
            .lookup(EXTERNAL_LABEL)
            .and_then(Node::as_str)
            .map(str::to_string)
    });

    let secret = spec.secret.as_ref().and_then(|given| {
        let id = r.read_text("secret", given, ProblemKind::Unreadable)?;
        r.parse_values(id, "secret", false)
    });
    let (raws, problems) = gather_material(
        &r.sources,
        &effective,
        running.as_ref(),
        &pem_files,
        previous_ca_file,
        secret.as_ref(),
    );
    let redacted = redactions(
        &r.sources,
        &raws,
        [previous.as_ref(), secret.as_ref()]
            .into_iter()
            .flatten()
            .chain(values_files.iter().filter_map(|f| f.root.as_ref())),
        secret.as_ref(),
    );
    let material = analyse(raws, problems, ctx.now);
    let key_in_tracked_values = tracked_key_file(&effective, &values_given, &values_files, &r.sources, |given| {
        crate::source::git::batch_path(&spec.base_dir, given)
            .and_then(|path| ctx.batches.with(&spec.base_dir, |b| b.in_index(&path)))
            .unwrap_or_else(|| crate::source::git::tracked(Path::new(&display_path(&spec.base_dir, given))))
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
        defaults,
        effective,
        configmap,
        history: spec.history.clone(),
        hostnames: spec.hostnames.clone(),
        command,
        new_label,
        problems: r.problems,
        suppressions,
        material,
        pem_files: pem_files.into_iter().map(|(id, path, _)| (id, path)).collect(),
        pem_given: [
            (Role::Key, &spec.key),
            (Role::Cert, &spec.cert),
            (Role::CaCert, &spec.cacert),
        ]
        .iter()
        .filter(|(_, g)| g.is_some())
        .map(|(role, _)| role.value_path())
        .collect(),
        secret_manifest: spec.secret.clone(),
        redacted,
        key_in_tracked_values,
        expiry_warning_days: ctx.expiry_warning_days,
        now: ctx.now,
        values_schema_errors: std::sync::OnceLock::new(),
        impact: std::sync::OnceLock::new(),
        command_plan: std::sync::OnceLock::new(),
    };
    Loaded { unit, inputs: r.inputs }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Key => "key",
        Role::Cert => "cert",
        Role::CaCert => "cacert",
        Role::PreviousCa => "previous CA",
    }
}

/// The certificate material the change hands over, by certificate type (SPEC §1): PEM files or the
/// base64 values for `provided`, the Secret manifest for `secret`; and the CA clients trust today.
fn gather_material(
    sources: &SourceMap,
    effective: &Node,
    running: Option<&Node>,
    pem_files: &[(SourceId, String, Role)],
    previous_ca_file: Option<SourceId>,
    secret: Option<&Node>,
) -> (Vec<Raw>, Vec<material::Problem>) {
    let mut raws = Vec::new();
    let mut problems = Vec::new();
    let new_type = present(effective, "tls.type")
        .and_then(Node::as_str)
        .and_then(TlsType::parse);
    let file_raw = |id: SourceId, role: Role| {
        let src = sources.get(id);
        Raw {
            role,
            holder: Holder::File {
                source: id,
                path: src.name.clone(),
            },
            text: src.text.clone(),
            source: src.name.clone(),
        }
    };
    match new_type {
        Some(TlsType::Provided) => {
            for role in [Role::Key, Role::Cert, Role::CaCert] {
                let Some(node) = present(effective, role.value_path()) else {
                    continue;
                };
                let from_file = match &node.origin {
                    Origin::File { source, .. } => pem_files.iter().find(|(id, _, _)| id == source),
                    _ => None,
                };
                match from_file {
                    Some((id, _, _)) => raws.push(file_raw(*id, role)),
                    None => {
                        let shown = format!("{}:{}", origin_name(sources, &node.origin), role.value_path());
                        raws.extend(material::decode_value(
                            role,
                            node,
                            role.value_path(),
                            &shown,
                            &mut problems,
                        ));
                    }
                }
            }
        }
        Some(TlsType::Secret) => {
            if let Some(secret) = secret {
                secret_material(sources, effective, secret, &mut raws, &mut problems);
            }
        }
        _ => {}
    }
    match previous_ca_file {
        Some(id) => raws.push(file_raw(id, Role::PreviousCa)),
        None => {
            let running_type = running
                .and_then(|r| present(r, "tls.type"))
                .and_then(Node::as_str)
                .and_then(TlsType::parse);
            if let (Some(TlsType::Provided), Some(node)) =
                (running_type, running.and_then(|r| present(r, "tls.cacert")))
            {
                let shown = format!("{}:tls.cacert", origin_name(sources, &node.origin));
                // A previous value that does not decode is the running release's old problem, not this change's.
                raws.extend(material::decode_value(
                    Role::PreviousCa,
                    node,
                    "the previous tls.cacert",
                    &shown,
                    &mut Vec::new(),
                ));
            }
        }
    }
    (raws, problems)
}

fn origin_name(sources: &SourceMap, origin: &Origin) -> String {
    match origin {
        Origin::File { source, .. } => sources.get(*source).name.clone(),
        Origin::Flag { flag, key } => format!("{} {key}", flag.as_flag()),
        Origin::Synthetic => "values".into(),
    }
}

/// The key, certificate and CA of a Secret manifest, under the key names the values give
/// (`tls.key`, `tls.cert`, `tls.cacert`, defaulting to `key`, `cert`, `cacert` as the chart does).
fn secret_material(
    sources: &SourceMap,
    effective: &Node,
    secret: &Node,
    raws: &mut Vec<Raw>,
    problems: &mut Vec<material::Problem>,
) {
    let manifest = origin_name(sources, &secret.origin);
    let at_root = Location::of(&secret.origin);
    if secret.lookup("kind").and_then(Node::as_str) != Some("Secret") {
        problems.push(material::Problem {
            kind: material::ProblemKind::SecretKeyMissing,
            location: secret
                .lookup("kind")
                .map_or(at_root.clone(), |n| Location::of(&n.origin)),
            block: None,
            path: None,
            message: format!(
                "{manifest} is not a Secret manifest (kind: Secret), as `kubectl get secret NAME -o yaml` prints one"
            ),
        });
        return;
    }
    for (role, default) in [(Role::Key, "key"), (Role::Cert, "cert"), (Role::CaCert, "cacert")] {
        let name = present(effective, role.value_path())
            .and_then(|n| crate::helm::render::rendered(n, HelmVersion::V3))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| default.to_string());
        let data = secret
            .lookup("data")
            .and_then(Node::as_map)
            .and_then(|m| m.entry(&name));
        let string_data = secret
            .lookup("stringData")
            .and_then(Node::as_map)
            .and_then(|m| m.entry(&name));
        match (string_data, data) {
            (Some(e), _) => {
                let Some(text) = e.node.as_str() else { continue };
                let shown = format!("{manifest}:stringData.{name}");
                raws.push(Raw {
                    role,
                    holder: Holder::Value {
                        origin: e.node.origin.clone(),
                        name: shown.clone(),
                    },
                    text: text.to_string(),
                    source: shown,
                });
            }
            (None, Some(e)) => {
                let shown = format!("{manifest}:data.{name}");
                if let Err(err) = e
                    .node
                    .as_str()
                    .map(crate::source::pem::decode_value_base64)
                    .unwrap_or(Ok(Vec::new()))
                {
                    problems.push(material::Problem {
                        kind: material::ProblemKind::NotPem,
                        location: Location::of(&e.node.origin),
                        block: None,
                        path: Some(format!("data.{name}")),
                        message: format!("{shown} is not base64 as Kubernetes stores Secret data: {err}"),
                    });
                    continue;
                }
                raws.extend(material::decode_value(role, &e.node, &shown, &shown, problems));
            }
            (None, None) => {
                let at = secret
                    .lookup("data")
                    .or_else(|| secret.lookup("stringData"))
                    .map_or(at_root.clone(), |n| Location::of(&n.origin));
                problems.push(material::Problem {
                    kind: material::ProblemKind::SecretKeyMissing,
                    location: at,
                    block: None,
                    path: Some(role.value_path().to_string()),
                    message: format!(
                        "{manifest} has no key {name:?} ({} names it{}): the chart's certificate job cannot read the {}",
                        role.value_path(),
                        if name == default { ", by default" } else { "" },
                        match role { Role::Key => "private key", Role::Cert => "certificate", _ => "CA certificate" },
                    ),
                });
            }
        }
    }
}

/// Spans no renderer may quote: PEM files holding a private key, every YAML string value that is
/// (or is the base64 of) a private key, and, by where they are whatever they look like, every
/// `tls.key` value and every value of the Secret manifest's `data` and `stringData` (a key cut
/// short or in a form certgate does not know is still a key; when unsure, redact).
fn redactions<'a>(
    sources: &SourceMap,
    raws: &[Raw],
    roots: impl Iterator<Item = &'a Node>,
    secret: Option<&Node>,
) -> Vec<(SourceId, Span)> {
    let mut out: Vec<(SourceId, Span)> = material::key_sources(raws)
        .into_iter()
        .map(|id| (id, Span::new(0, sources.get(id).text.len())))
        .collect();
    let mut by_place: Vec<&Node> = Vec::new();
    if let Some(secret) = secret {
        for field in ["data", "stringData"] {
            if let Some(map) = secret.lookup(field).and_then(Node::as_map) {
                by_place.extend(map.iter().map(|e| &e.node));
            }
        }
    }
    let roots: Vec<&Node> = roots.collect();
    // A Secret's key name (`tls.key` with tls.type=secret) is short and shows nothing.
    let key_name = |s: &str| s.len() < 16 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
    by_place.extend(
        roots
            .iter()
            .filter_map(|r| r.lookup("tls.key"))
            .filter(|n| n.as_str().is_some_and(|s| !key_name(s))),
    );
    for node in by_place {
        if let (Value::Scalar(Scalar::Str(_)), Origin::File { source, span }) = (&node.value, &node.origin) {
            out.push((*source, *span));
        }
    }
    let roots = roots.into_iter();
    for root in roots {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match &node.value {
                Value::Map(m) => stack.extend(m.iter().map(|e| &e.node)),
                Value::Seq(items) => stack.extend(items.iter()),
                Value::Scalar(Scalar::Str(s)) if material::holds_private_key(s) => {
                    if let Origin::File { source, span } = node.origin {
                        out.push((source, span));
                    }
                }
                Value::Scalar(_) => {}
            }
        }
    }
    out
}

/// The values file holding the private key, when git tracks it (CG210).
/// `tracked` is asked with the file's path as given (relative to the unit's base directory).
fn tracked_key_file(
    effective: &Node,
    given: &[Given<String>],
    files: &[ValuesFile],
    sources: &SourceMap,
    tracked: impl FnOnce(&str) -> bool,
) -> Option<(Location, String)> {
    let node = present(effective, "tls.key")?;
    let Origin::File { source, .. } = &node.origin else {
        return None;
    };
    let name = &sources.get(*source).name;
    let at = files.iter().position(|f| &f.path == name)?;
    material::holds_private_key(node.as_str()?).then_some(())?;
    tracked(&given.get(at)?.value).then(|| (Location::of(&node.origin), files[at].path.clone()))
}

/// `path` as given, under the config's directory when relative.
fn display_path(base_dir: &Path, path: &str) -> String {
    if base_dir.as_os_str().is_empty() || Path::new(path).is_absolute() {
        path.to_string()
    } else {
        base_dir.join(path).to_string_lossy().into_owned()
    }
}

/// The values files as they were at revision `rev`: in a pre-commit run each file's git process
/// runs while the unit's other files are read; in a larger run the batch is asked when
/// [`BaseFiles::finish`] collects them.
struct BaseFiles<'s> {
    rev: &'s Given<String>,
    batches: &'s crate::source::git::Batches,
    base_dir: &'s Path,
    /// Where the previous values' inputs go in the unit's list: before the values files, as read.
    inputs_at: usize,
    pending: Vec<(String, Pending)>,
}

/// One file of [`BaseFiles`]: its own git process, or a question for the run's batch.
enum Pending {
    Started(crate::source::git::PendingShow),
    /// The path relative to the unit's base directory, as [`crate::source::git::batch_path`] gives it.
    Batch(String),
}

impl<'s> BaseFiles<'s> {
    fn start(r: &Reader<'s>, ctx: &'s Context, rev: &'s Given<String>, files: &[Given<String>]) -> Self {
        let batching = ctx.git.batching();
        let pending = files
            .iter()
            .map(|given| {
                let display = r.display(&given.value);
                let batch = batching
                    .then(|| crate::source::git::batch_path(r.base_dir, &given.value))
                    .flatten();
                let show = match (ctx.git.take(&rev.value, &display), batch) {
                    (Some(show), _) => Pending::Started(show),
                    (None, Some(path)) => Pending::Batch(path),
                    (None, None) => Pending::Started(crate::source::git::start_show(
                        &rev.value,
                        Path::new(&display),
                        r.limits.max_file_bytes,
                    )),
                };
                (display, show)
            })
            .collect();
        BaseFiles {
            rev,
            batches: &ctx.batches,
            base_dir: r.base_dir,
            inputs_at: r.inputs.len(),
            pending,
        }
    }

    /// The files merged in order (a file new since then adds nothing); every file git cannot
    /// give is a CG001 finding at the `--base` argument.
    fn finish(self, r: &mut Reader) -> Node {
        let BaseFiles {
            rev,
            batches,
            base_dir,
            inputs_at,
            pending,
        } = self;
        let limit = r.limits.max_file_bytes;
        let mut previous = Node::empty_map(Origin::Synthetic);
        let mut inputs = Vec::new();
        for (display, show) in pending {
            let answer = match show {
                Pending::Started(show) => show.wait(),
                // What the batch cannot say surely, the file's own git run says.
                Pending::Batch(path) => batches
                    .with(base_dir, |b| b.blob(&rev.value, &path, limit))
                    .unwrap_or_else(|| crate::source::git::show(&rev.value, Path::new(&display), limit)),
            };
            match answer {
                Ok(None) => {}
                Ok(Some(bytes)) => {
                    let name = format!("{}:{display}", rev.value);
                    inputs.push(Input {
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
        let at = inputs_at.min(r.inputs.len());
        r.inputs.splice(at..at, inputs);
        previous
    }
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
                    if matches!(given.location, Location::Span { .. })
                        && let Some(why) = crate::source::confine::escapes(&base, path)
                    {
                        return Err(format!(
                            "{path:?} {why}: a config names files inside its own repository only; not read"
                        ));
                    }
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

/// What every unit reads of the chart's defaults, whatever its values set.
const CERTIFICATE_PATHS: [&str; 3] = ["global.security", "tls", "proxy"];

/// The parts of a values tree a unit can see a difference in: a tree of keys, where a leaf wants
/// the whole subtree under it.
#[derive(Debug, Default)]
struct Wants {
    all: bool,
    keys: HashMap<String, Wants>,
}

impl Wants {
    /// Want everything under a dotted path.
    fn path(&mut self, path: &str) {
        let mut here = self;
        for key in path.split('.') {
            if here.all {
                return;
            }
            here = here.keys.entry(key.to_string()).or_default();
        }
        here.all = true;
        here.keys.clear();
    }

    /// Want every key a values tree sets (and everything under its leaves). Values trees are
    /// depth-limited when read, so the recursion is bounded.
    fn tree(&mut self, node: &Node) {
        if self.all {
            return;
        }
        match node.as_map() {
            Some(m) => {
                for e in m.iter() {
                    self.keys.entry(e.key.clone()).or_default().tree(&e.node);
                }
            }
            None => {
                self.all = true;
                self.keys.clear();
            }
        }
    }

    /// The part of `defaults` wanted.
    fn prune(&self, defaults: &Node) -> Node {
        if self.all {
            return defaults.clone();
        }
        let Some(map) = defaults.as_map() else {
            return defaults.clone();
        };
        let mut out = Mapping::new();
        for e in map.iter() {
            if let Some(w) = self.keys.get(&e.key) {
                out.insert(e.key.clone(), e.key_origin.clone(), w.prune(&e.node));
            }
        }
        Node::new(Value::Map(out), defaults.origin.clone())
    }
}

/// Read every distinct chart archive the units name, once, into the run's shared sources.
pub fn preload_charts<'a>(
    specs: impl IntoIterator<Item = &'a UnitSpec>,
    limits: &Limits,
    base: &mut SourceMap,
) -> HashMap<String, Preloaded> {
    let mut charts = HashMap::new();
    for spec in specs {
        let Some(given) = &spec.chart else { continue };
        let mut r = Reader {
            limits,
            base_dir: &spec.base_dir,
            sources: std::mem::take(base),
            inputs: Vec::new(),
            problems: Vec::new(),
            helm: spec.helm.unwrap_or(HelmVersion::V2),
        };
        let key = r.display(&given.value);
        if let std::collections::hash_map::Entry::Vacant(e) = charts.entry(key) {
            let chart = load_chart(&mut r, given);
            e.insert(Preloaded {
                chart,
                problems: r.problems,
                inputs: r.inputs,
            });
        }
        *base = r.sources;
    }
    charts
}

fn load_chart(r: &mut Reader, given: &Given<String>) -> Option<Chart> {
    if !r.confined("chart", given) {
        return None;
    }
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
            .and_then(|n| crate::helm::render::rendered(n, HelmVersion::V3))
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
        defaults: std::sync::Arc::new(defaults),
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
