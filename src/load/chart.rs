//! The chart archive (`--chart`): read once per run for every unit that names it, its identity
//! from `Chart.yaml` and its default values; and the part of those defaults one unit can see a
//! difference in.

use std::collections::HashMap;
use std::path::Path;

use super::UnitSpec;
use super::reader::{Limits, Reader};
use crate::helm::strvals::HelmVersion;
use crate::model::unit::{Chart, Given};
use crate::source::chart::read_chart;
use crate::source::files::{ReadError, read_limited, sha256_hex};
use crate::source::value::{Mapping, Node, Origin, Value};
use crate::source::yaml;
use crate::source::{Input, InputProblem, InputRole, Location, ProblemKind, Source, SourceMap, Span};

/// A chart archive read once for every unit that names it: many units share one chart.
#[derive(Debug, Clone)]
pub struct Preloaded {
    pub chart: Option<Chart>,
    pub problems: Vec<InputProblem>,
    pub inputs: Vec<Input>,
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
        let mut r = Reader::new(limits, &spec.base_dir, std::mem::take(base), spec.helm);
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

/// The unit's chart (`--chart`): the run's preloaded copy, or read now.
pub(super) fn for_unit(
    r: &mut Reader,
    charts: &HashMap<String, Preloaded>,
    given: Option<&Given<String>>,
) -> Option<Chart> {
    let given = given?;
    match charts.get(&r.display(&given.value)) {
        Some(pre) => {
            r.problems.extend(pre.problems.iter().cloned());
            r.inputs.extend(pre.inputs.iter().cloned());
            pre.chart.clone()
        }
        None => load_chart(r, given),
    }
}

/// The chart's defaults one unit can tell apart, copied: under what the previous and proposed
/// values set, the certificate settings, and the paths the rules read. The chart's whole values,
/// copied twice per unit, would cost more than the rest of the unit.
pub(super) fn defaults_seen(
    chart: Option<&Chart>,
    rule_paths: &[String],
    proposed: &Node,
    previous: Option<&Node>,
) -> Node {
    let Some(c) = chart else {
        return Node::empty_map(Origin::Synthetic);
    };
    let mut wants = Wants::default();
    for path in CERTIFICATE_PATHS
        .iter()
        .copied()
        .chain(rule_paths.iter().map(String::as_str))
    {
        wants.path(path);
    }
    wants.tree(proposed);
    if let Some(p) = previous {
        wants.tree(p);
    }
    wants.prune(&c.defaults)
}

fn load_chart(r: &mut Reader, given: &Given<String>) -> Option<Chart> {
    if !r.confined(InputRole::Chart, given) {
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
        role: InputRole::Chart,
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
    chart_of(r, &display, files)
}

/// The chart's identity from `Chart.yaml` and its defaults from `values.yaml`; `None` after
/// recording why the chart cannot be used.
fn chart_of(r: &mut Reader, display: &str, files: crate::source::chart::ChartFiles) -> Option<Chart> {
    let chart_id = r.sources.add(Source::new(
        format!("{display}!/{}/Chart.yaml", files.dir),
        files.chart_yaml,
    ));
    let meta = yaml::load(&r.sources.get(chart_id).text, chart_id, &r.limits.yaml);
    let Some(meta) = meta.root.filter(|_| meta.problems.is_empty()) else {
        r.problem(
            ProblemKind::ChartUnusable,
            Location::File {
                path: display.to_string(),
            },
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
            r.parse_values(id, InputRole::Chart, true)?
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::testing::{arg, dir, place, problems};
    use crate::source::chart::tests::tgz;

    fn yaml(sources: &mut SourceMap, name: &str, text: &str) -> Node {
        let id = sources.add(Source::new(name, text));
        yaml::load(text, id, &yaml::Limits::default()).root.expect("yaml")
    }

    fn keys(node: &Node) -> Vec<String> {
        node.as_map()
            .map(|m| m.iter().map(|e| e.key.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_unit_sees_the_defaults_under_what_it_sets_and_what_the_rules_read() {
        let mut sources = SourceMap::new();
        let defaults = "tls:\n  type: selfsigned\nproxy:\n  x: 1\nkafka:\n  replicas: 3\n  config:\n    a: 1\n    b: 2\nzookeeper:\n  replicas: 3\nui:\n  port: 1\n";
        let chart = Chart {
            name: "c".into(),
            version: "1".into(),
            app_version: None,
            defaults: std::sync::Arc::new(yaml(&mut sources, "values.yaml", defaults)),
            location: Location::Run,
        };
        let proposed = yaml(&mut sources, "new.yaml", "kafka:\n  config:\n    a: 5\n");
        let previous = yaml(&mut sources, "old.yaml", "zookeeper: {}\n");
        let seen = defaults_seen(Some(&chart), &["ui.port".to_string()], &proposed, Some(&previous));
        assert_eq!(keys(&seen), ["tls", "proxy", "kafka", "zookeeper", "ui"]);
        let kafka = seen.lookup("kafka").expect("kafka");
        assert_eq!(keys(kafka), ["config"], "only what the values set under kafka");
        assert_eq!(keys(kafka.lookup("config").expect("config")), ["a"]);
        // An empty mapping sets nothing under it: no default under it can differ between the states.
        assert_eq!(keys(seen.lookup("zookeeper").expect("zookeeper")), Vec::<String>::new());
        let tls = seen.lookup("tls.type").expect("tls.type");
        assert_eq!(place(&sources, &Location::of(&tls.origin)), "values.yaml:2:9");
        assert!(
            defaults_seen(None, &[], &proposed, None)
                .as_map()
                .is_some_and(|m| m.iter().count() == 0)
        );
    }

    #[test]
    fn the_chart_archive_gives_its_identity_and_defaults() {
        let archive = tgz(&[
            (
                "es/Chart.yaml",
                "name: ibm-eventstreams-prod\nversion: 1.4.0\nappVersion: 2019.4.1\n",
            ),
            ("es/values.yaml", "tls:\n  type: selfsigned\n"),
        ]);
        let nameless = tgz(&[("es/Chart.yaml", "version: 1.4.0\n")]);
        let d = dir(&[("es.tgz", &archive), ("nameless.tgz", &nameless)]);
        let limits = Limits::default();
        let mut r = Reader::new(&limits, d.path(), SourceMap::new(), None);
        let chart = load_chart(&mut r, &arg("--chart", "es.tgz")).expect("a chart");
        assert_eq!(
            (
                chart.name.as_str(),
                chart.version.as_str(),
                chart.app_version.as_deref()
            ),
            ("ibm-eventstreams-prod", "1.4.0", Some("2019.4.1"))
        );
        assert_eq!(place(&r.sources, &chart.location), "es.tgz!/es/Chart.yaml:2:10");
        let tls = chart.defaults.lookup("tls.type").expect("tls.type");
        assert_eq!(
            place(&r.sources, &Location::of(&tls.origin)),
            "es.tgz!/es/values.yaml:2:9"
        );
        assert!(load_chart(&mut r, &arg("--chart", "nameless.tgz")).is_none());
        assert!(load_chart(&mut r, &arg("--chart", "missing.tgz")).is_none());
        let found: Vec<String> = problems(&r.sources, &r.problems);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[0],
            "nameless.tgz!/es/Chart.yaml:1:1: nameless.tgz: Chart.yaml lacks a name or version"
        );
        assert!(
            found[1].starts_with("missing.tgz: the chart archive missing.tgz ")
                && found[1].ends_with(" (give the chart archive the release was installed from)"),
            "{found:?}"
        );
        assert_eq!(r.inputs.iter().filter(|i| i.role == InputRole::Chart).count(), 2);
    }
}
