//! `certgate.yaml`: the release units of a repository and the policy they are checked with
//! (SPEC §5), read with spans and validated by `schemas/config.schema.json`, so every mistake in it
//! is a CG005 finding at its line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::engine::{Policy, RuleSetting};
use crate::helm::strvals::HelmVersion;
use crate::load::UnitSpec;
use crate::model::unit::{Given, History};
use crate::rules::Severity;
use crate::schema::{Schema, load_checked_with};
use crate::source::files::{read_limited, sha256_hex, utf8_text};
use crate::source::value::{Node, Value};
use crate::source::{Input, InputRole, Location};
use crate::source::{InputProblem, ProblemKind};
use crate::source::{Source, SourceId, SourceMap};

pub const FILE_NAME: &str = "certgate.yaml";

#[derive(Debug, Clone, Default, Deserialize)]
struct RawConfig {
    #[serde(default)]
    releases: Vec<RawRelease>,
    #[serde(default)]
    policy: RawPolicy,
    #[serde(default)]
    rules_dirs: Vec<String>,
    #[serde(default)]
    help_uri_base: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct RawRelease {
    name: String,
    namespace: Option<String>,
    chart: Option<String>,
    helm: Option<u8>,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    set: Vec<String>,
    #[serde(default)]
    set_string: Vec<String>,
    previous: Option<String>,
    #[serde(default)]
    certificates: RawCertificates,
    secret: Option<String>,
    configmap: Option<String>,
    #[serde(default)]
    history: RawHistory,
    #[serde(default)]
    hostnames: Vec<String>,
    #[serde(default)]
    endpoints: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawCertificates {
    pub key: Option<String>,
    pub cert: Option<String>,
    pub cacert: Option<String>,
    pub previous_cacert: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct RawHistory {
    installed_from: Option<String>,
    external_changed_since_upgrade: Option<bool>,
    #[serde(default)]
    labels: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct RawPolicy {
    fail_on: Option<Severity>,
    expiry_warning_days: Option<u32>,
    clients: Option<String>,
    require_previous: Option<bool>,
    #[serde(default)]
    rules: BTreeMap<String, serde_json::Value>,
}

/// A loaded configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file as shown to users.
    pub path: String,
    /// Its directory: relative paths in it are relative to this.
    pub dir: PathBuf,
    pub units: Vec<UnitSpec>,
    pub policy: Policy,
    /// Where each policy setting came from (`certgate.yaml:12`), for `--show-config`.
    pub policy_origins: BTreeMap<String, String>,
    /// Where each `policy.rules` entry is, to report one that names no rule.
    pub rule_locations: BTreeMap<String, Location>,
    pub rules_dirs: Vec<String>,
}

/// The outcome of reading a config file: the config (when usable), its problems and digest.
#[derive(Debug)]
pub struct ConfigLoad {
    pub config: Option<Config>,
    pub problems: Vec<InputProblem>,
    pub input: Option<Input>,
}

/// The node at `path` (mapping keys, sequence indices) under `node`.
fn node_at<'a>(node: &'a Node, path: &[&str]) -> Option<&'a Node> {
    path.iter().try_fold(node, |here, seg| match &here.value {
        Value::Map(m) => m.entry(seg).map(|e| &e.node),
        Value::Seq(items) => items.get(seg.parse::<usize>().ok()?),
        Value::Scalar(_) => None,
    })
}

/// The release units of a config: `root` is its tree, where each setting is located.
fn release_units(releases: &[RawRelease], root: &Node, dir: &Path) -> Vec<UnitSpec> {
    // Each release's settings are located from its own node: 10,000 releases make 80,000 of them.
    let items: &[Node] = match root.as_map().and_then(|m| m.entry("releases")).map(|e| &e.node.value) {
        Some(Value::Seq(items)) => items,
        _ => &[],
    };
    let mut units = Vec::with_capacity(releases.len());
    for (i, r) in releases.iter().enumerate() {
        let item = items.get(i).unwrap_or(root);
        let given = |value: &str, path: &[&str]| Given {
            value: value.to_string(),
            location: Location::of(&node_at(item, path).unwrap_or(item).origin),
        };
        let history = History {
            installed_from: r.history.installed_from.clone(),
            external_changed_since_upgrade: r.history.external_changed_since_upgrade,
            labels: r.history.labels.clone(),
        };
        let spec = UnitSpec {
            base_dir: dir.to_path_buf(),
            release: Some(given(&r.name, &["name"])),
            namespace: r.namespace.clone(),
            helm: r.helm.and_then(|h| HelmVersion::from_major(&h.to_string())),
            chart: r.chart.as_ref().map(|c| given(c, &["chart"])),
            values: r
                .values
                .iter()
                .enumerate()
                .map(|(j, v)| given(v, &["values", &j.to_string()]))
                .collect(),
            set: r
                .set
                .iter()
                .enumerate()
                .map(|(j, v)| given(v, &["set", &j.to_string()]))
                .collect(),
            set_string: r
                .set_string
                .iter()
                .enumerate()
                .map(|(j, v)| given(v, &["set_string", &j.to_string()]))
                .collect(),
            set_file: Vec::new(),
            previous: r.previous.as_ref().map(|p| given(p, &["previous"])),
            base: None,
            configmap: r.configmap.as_ref().map(|p| given(p, &["configmap"])),
            key: r.certificates.key.as_ref().map(|p| given(p, &["certificates", "key"])),
            cert: r
                .certificates
                .cert
                .as_ref()
                .map(|p| given(p, &["certificates", "cert"])),
            cacert: r
                .certificates
                .cacert
                .as_ref()
                .map(|p| given(p, &["certificates", "cacert"])),
            previous_cacert: r
                .certificates
                .previous_cacert
                .as_ref()
                .map(|p| given(p, &["certificates", "previous_cacert"])),
            secret: r.secret.as_ref().map(|p| given(p, &["secret"])),
            history,
            hostnames: r.hostnames.clone(),
            endpoints: r
                .endpoints
                .iter()
                .enumerate()
                .map(|(j, e)| given(e, &["endpoints", &j.to_string()]))
                .collect(),
            command: None,
            new_label: None,
        };
        units.push(spec);
    }
    units
}

/// Find `certgate.yaml` in `start` or the nearest directory above it.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
}

/// Read and validate a config file into `sources`.
pub fn load(path: &Path, sources: &mut SourceMap) -> ConfigLoad {
    let display = path.to_string_lossy().into_owned();
    let fail = |message: String, location: Location| ConfigLoad {
        config: None,
        problems: vec![InputProblem::new(ProblemKind::RuleFileInvalid, location, message)],
        input: None,
    };
    let bytes = match read_limited(path, 8 << 20) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                format!("the config file {display} {e}"),
                Location::File { path: display.clone() },
            );
        }
    };
    let input = Input {
        role: InputRole::Config,
        path: display.clone(),
        sha256: sha256_hex(&bytes),
    };
    let Ok(text) = utf8_text(bytes) else {
        let mut load = fail(
            format!("the config file {display} is not UTF-8 text"),
            Location::File { path: display.clone() },
        );
        load.input = Some(input);
        return load;
    };
    let id = sources.add(Source::new(display.clone(), text));
    let mut load = parse(id, sources, path);
    load.input = Some(input);
    load
}

fn parse(id: SourceId, sources: &SourceMap, path: &Path) -> ConfigLoad {
    let display = sources.get(id).name.clone();
    let problem =
        |location: Location, message: String| InputProblem::new(ProblemKind::RuleFileInvalid, location, message);
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    // serde reads the settings straight from the tree, and the units are made, while the tree is
    // validated (the results are used only if it is valid).
    let read = |root: &Node| {
        RawConfig::deserialize(root).map(|raw| {
            let units = release_units(&raw.releases, root, &dir);
            (raw, units)
        })
    };
    let (root, made) = match load_checked_with(sources, id, Schema::Config, "config", read) {
        Ok(checked) => checked,
        Err(problems) => {
            return ConfigLoad {
                config: None,
                problems,
                input: None,
            };
        }
    };
    let (raw, units) = match made {
        Ok(made) => made,
        Err(e) => {
            return ConfigLoad {
                config: None,
                problems: vec![problem(Location::of(&root.origin), format!("{display}: {e}"))],
                input: None,
            };
        }
    };
    let located = Located {
        root: &root,
        sources,
        display: &display,
    };
    let (policy, policy_origins, rule_locations) = read_policy(&raw, &located);
    let config = Config {
        path: display,
        dir,
        units,
        policy,
        policy_origins,
        rule_locations,
        rules_dirs: raw.rules_dirs,
    };
    ConfigLoad {
        config: Some(config),
        problems: Vec::new(),
        input: None,
    }
}

/// Where a config's settings are, by path (`policy/fail_on`).
struct Located<'a> {
    root: &'a Node,
    sources: &'a SourceMap,
    display: &'a str,
}

impl Located<'_> {
    fn at(&self, p: &str) -> Location {
        let segments: Vec<&str> = p.split('/').collect();
        Location::of(&node_at(self.root, &segments).unwrap_or(self.root).origin)
    }

    /// `certgate.yaml:12`, for `--show-config`.
    fn line_of(&self, p: &str) -> String {
        match self.at(p) {
            Location::Span { source, span } => {
                format!("{}:{}", self.display, self.sources.get(source).line_col(span.start).0)
            }
            _ => self.display.to_string(),
        }
    }
}

/// The config's policy, where each of its settings came from, and where each `policy.rules` entry is.
fn read_policy(raw: &RawConfig, located: &Located) -> (Policy, BTreeMap<String, String>, BTreeMap<String, Location>) {
    let mut policy = Policy::default();
    let mut policy_origins = BTreeMap::new();
    let line_of = |p: &str| located.line_of(p);
    if let Some(f) = raw.policy.fail_on {
        policy.fail_on = f;
        policy_origins.insert("fail_on".into(), line_of("policy/fail_on"));
    }
    if let Some(d) = raw.policy.expiry_warning_days {
        policy.expiry_warning_days = d;
        policy_origins.insert("expiry_warning_days".into(), line_of("policy/expiry_warning_days"));
    }
    if let Some(c) = &raw.policy.clients {
        policy.clients_must_keep_working = c == "must-keep-working";
        policy_origins.insert("clients".into(), line_of("policy/clients"));
    }
    if let Some(r) = raw.policy.require_previous {
        policy.require_previous = r;
        policy_origins.insert("require_previous".into(), line_of("policy/require_previous"));
    }
    let mut rule_locations = BTreeMap::new();
    for (code, setting) in &raw.policy.rules {
        rule_locations.insert(code.clone(), located.at(&format!("policy/rules/{code}")));
        let Some(s) = rule_setting(setting) else { continue };
        policy.rules.insert(code.clone(), s);
        policy_origins.insert(format!("rules.{code}"), line_of(&format!("policy/rules/{code}")));
    }
    if let Some(base) = &raw.help_uri_base {
        policy.help_uri_base = Some(base.clone());
        policy_origins.insert("help_uri_base".into(), line_of("help_uri_base"));
    }
    (policy, policy_origins, rule_locations)
}

/// A `policy.rules` entry: `off`/`false`, `on`/`true`, or a severity; anything else sets nothing.
fn rule_setting(setting: &serde_json::Value) -> Option<RuleSetting> {
    match setting {
        serde_json::Value::Bool(false) => Some(RuleSetting::Off),
        serde_json::Value::Bool(true) => Some(RuleSetting::On),
        serde_json::Value::String(s) if s == "off" => Some(RuleSetting::Off),
        serde_json::Value::String(s) if s == "on" => Some(RuleSetting::On),
        serde_json::Value::String(s) => Severity::parse(s).map(RuleSetting::Severity),
        _ => None,
    }
}
