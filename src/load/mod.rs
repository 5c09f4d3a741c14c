//! From what the user named to a [`Unit`]: every input is read once, with limits, into sources with
//! spans; every way an input can be wrong becomes an [`InputProblem`]; then the values are resolved
//! as Helm resolves them (chart defaults ⊕ previous ⊕ proposed, SPEC §1).
//!
//! [`load_unit`] takes the steps in order; each concern has its file: `reader.rs` (files, limits,
//! YAML documents), `values.rs` (values files, `--set`, `--new-label`, the ConfigMap,
//! suppressions), `base.rs` (git `--base`), `chart.rs` (the chart archive and the defaults a unit
//! reads), `material.rs` (PEM files, values and the Secret as certificate material) and
//! `redact.rs` (what no renderer may quote).
//!
//! [`InputProblem`]: crate::source::InputProblem

mod base;
mod chart;
mod endpoint;
mod material;
mod reader;
mod redact;
mod values;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::crypto::Moment;
use crate::helm::strvals::HelmVersion;
use crate::model::unit::{Given, History, Unit};
use crate::source::{Input, InputRole, SourceMap};

pub use base::{BasePrefetch, PREFETCH_MAX};
pub use chart::{Preloaded, preload_charts};
pub use endpoint::TIMEOUT as ENDPOINT_TIMEOUT;
pub use reader::Limits;

use reader::Reader;
use values::Arguments;

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
    /// `HOST:PORT` of endpoints whose served chain is read (`--endpoint`, `endpoints:`).
    pub endpoints: Vec<Given<String>>,
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

/// Load one release unit at the context's clock; `base` holds the run's shared sources (config,
/// rule files) that locations may already point into. The order of the steps is the order of the
/// unit's sources, inputs and problems in the report.
pub fn load_unit(spec: &UnitSpec, ctx: &Context, base: &SourceMap) -> Loaded {
    let mut sources = base.clone();
    sources.reserve(8);
    let mut r = Reader::new(&ctx.limits, &spec.base_dir, sources, spec.helm);
    let (command, args) = Arguments::of(spec, r.helm);
    let chart = chart::for_unit(&mut r, &ctx.charts, args.chart.as_ref());
    // With --base, git reads the old values files while this unit reads its other files; they are
    // collected where they are first needed.
    let mut base_files = spec
        .base
        .as_ref()
        .map(|rev| base::BaseFiles::start(&r, ctx, rev, &args.values));
    let mut previous = values::read_previous(&mut r, spec);
    let mut proposed = values::read_proposed(&mut r, &args.values);
    values::apply_sets(&mut r, &mut proposed, &args.sets);
    if let Some(label) = &spec.new_label {
        if let (NewLabel::Auto, Some(files)) = (label, base_files.take()) {
            previous = Some(files.finish(&mut r));
        }
        let value = values::label_value(label, &ctx.today(), &spec.history, previous.as_ref());
        values::set_new_label(&mut proposed, &value, r.helm);
    }
    let pem_files = material::read_pem_files(&mut r, spec, &mut proposed);
    let previous_ca_file = spec
        .previous_cacert
        .as_ref()
        .and_then(|g| r.read_pem(InputRole::PreviousCacert, g));
    let configmap = values::read_configmap(&mut r, spec.configmap.as_ref());
    if let Some(files) = base_files.take() {
        previous = Some(files.finish(&mut r));
    }
    if !proposed.any && command.is_none() {
        values::nothing_proposed(&mut r);
    }

    let defaults = chart::defaults_seen(chart.as_ref(), &ctx.rule_paths, &proposed.root, previous.as_ref());
    let (running, effective) = values::resolve(&defaults, previous.as_ref(), &proposed.root, spec.base.is_some());
    let new_label = values::proposed_label(spec, &proposed.root);
    let (found, served) = material_and_served(
        &mut r,
        ctx,
        spec,
        &material::Values {
            effective: &effective,
            running: running.as_ref(),
            previous: previous.as_ref(),
            files: &proposed.files,
            given: &args.values,
        },
        &pem_files,
        previous_ca_file,
    );
    let suppressions = values::suppressions(&r);
    let unit = Unit {
        release: args.release,
        namespace: args.namespace,
        helm: r.helm,
        chart_path: args.chart.map(|g| g.value).or(args.command_chart),
        chart,
        values_files: proposed.files,
        proposed: proposed.root,
        has_proposed: proposed.any,
        previous,
        running,
        defaults,
        effective,
        configmap,
        history: spec.history.clone(),
        hostnames: spec.hostnames.clone(),
        served,
        command,
        new_label,
        problems: r.problems,
        suppressions,
        material: found.material,
        pem_files: pem_files.into_iter().map(|(id, path, _)| (id, path)).collect(),
        pem_given: material::pem_given(spec),
        secret_manifest: spec.secret.clone(),
        redacted: found.redacted,
        key_in_values: found.key_in_values,
        expiry_warning_days: ctx.expiry_warning_days,
        now: ctx.now,
        values_schema_errors: std::sync::OnceLock::new(),
        impact: std::sync::OnceLock::new(),
        command_plan: std::sync::OnceLock::new(),
        sources: r.sources,
    };
    Loaded { unit, inputs: r.inputs }
}

/// The unit's certificate material and what its endpoints serve: a served chain stands for the CA
/// clients trust today when the values hold none, and is judged against the material read.
fn material_and_served(
    r: &mut Reader,
    ctx: &Context,
    spec: &UnitSpec,
    values: &material::Values,
    pem_files: &[material::PemFile],
    previous_ca_file: Option<crate::source::SourceId>,
) -> (material::Found, Vec<crate::model::served::Served>) {
    let mut fetched = endpoint::fetch(r, spec, values.running, values.effective);
    let served_ca = fetched.ca_raw(r);
    let found = material::find(r, ctx, spec, values, pem_files, previous_ca_file, served_ca);
    let served = endpoint::judge_facts(&mut fetched, r, values.running, &found.material, ctx.now);
    (found, served)
}

/// What the loader's unit tests share: a directory of files, and locations as a reader says them.
#[cfg(test)]
mod testing {
    use crate::model::testing::shown;
    use crate::model::unit::Given;
    use crate::source::{InputProblem, Location, SourceMap};

    /// A temporary directory holding `files`, named as [`shown`] recognises.
    pub fn dir(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::Builder::new()
            .prefix("certgate-unit-")
            .tempdir()
            .expect("a temporary directory");
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).expect("written");
        }
        dir
    }

    /// A path named on the command line.
    pub fn arg(flag: &str, value: &str) -> Given<String> {
        Given {
            value: value.to_string(),
            location: Location::Arg {
                origin: format!("{flag} {value}"),
            },
        }
    }

    /// `values.yaml:2:9`, a file's name, an argument, or `run`.
    pub fn place(sources: &SourceMap, location: &Location) -> String {
        match location {
            Location::Span { source, span } => {
                let src = sources.get(*source);
                let (line, col) = src.line_col(span.start);
                format!("{}:{line}:{col}", shown(&src.name))
            }
            Location::File { path } => shown(path),
            Location::Arg { origin } => origin.clone(),
            Location::Run => "run".to_string(),
        }
    }

    /// Each problem as `WHERE: MESSAGE`, without the temporary directory.
    pub fn problems(sources: &SourceMap, problems: &[InputProblem]) -> Vec<String> {
        problems
            .iter()
            .map(|p| format!("{}: {}", place(sources, &p.location), shown(&p.message)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{arg, dir, problems};
    use super::*;
    use crate::source::value::Node;

    #[test]
    fn a_unit_is_read_in_its_steps_and_resolved_as_helm_resolves_it() {
        let d = dir(&[
            (
                "previous.yaml",
                b"tls:\n  type: selfsigned\nglobal:\n  security:\n    externalCertificateLabel: ext-20261127-1\n",
            ),
            ("values.yaml", b"tls:\n  type: secret\n  secretName: es-tls\n"),
        ]);
        let spec = UnitSpec {
            base_dir: d.path().to_path_buf(),
            previous: Some(arg("--previous", "previous.yaml")),
            values: vec![arg("-f", "values.yaml")],
            set: vec![arg("--set", "tls.secretName=other")],
            new_label: Some(NewLabel::Auto),
            ..UnitSpec::default()
        };
        let loaded = load_unit(&spec, &Context::at_unix(1_795_737_600), &SourceMap::new());
        let unit = &loaded.unit;
        assert!(unit.problems.is_empty(), "{:?}", unit.problems);
        let effective = |path: &str| unit.effective.lookup(path).and_then(Node::as_str).map(str::to_string);
        assert_eq!(effective("tls.type").as_deref(), Some("secret"));
        assert_eq!(effective("tls.secretName").as_deref(), Some("other"));
        assert_eq!(unit.new_label.as_deref(), Some("ext-20261127-2"));
        assert_eq!(
            unit.running
                .as_ref()
                .and_then(|r| r.lookup("tls.type"))
                .and_then(Node::as_str),
            Some("selfsigned")
        );
        let roles: Vec<&str> = loaded.inputs.iter().map(|i| i.role.as_str()).collect();
        assert_eq!(roles, ["previous", "values"]);
        assert!(unit.has_proposed);
    }

    #[test]
    fn nothing_proposed_is_a_problem_of_the_run() {
        let loaded = load_unit(&UnitSpec::default(), &Context::at_unix(0), &SourceMap::new());
        assert_eq!(
            problems(&loaded.unit.sources, &loaded.unit.problems),
            [
                "run: no proposed values to check: give values files (-f), --set flags, --command, or a certgate.yaml naming release units"
            ]
        );
        assert!(!loaded.unit.has_proposed);
    }
}
