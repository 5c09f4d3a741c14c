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
use crate::source::{Input, InputProblem, Location, ProblemKind, Source, SourceMap, Span};

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

/// The unit's chart: the run's preloaded copy, or read now.
pub(super) fn for_unit(r: &mut Reader, charts: &HashMap<String, Preloaded>, given: &Given<String>) -> Option<Chart> {
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
