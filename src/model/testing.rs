//! Release units for unit tests: `Unit::builder()`, made the way `certgate check` makes them.
//!
//! The builder writes what a test gives (values files, previous values, a chart, PEM files, a
//! Secret or ConfigMap manifest) into a temporary directory and loads it with
//! [`crate::load::load_unit`], as the command line would name it. The effective values, the
//! material and its analysis, suppressions and input problems are therefore the loader's own, not
//! a second copy of its decisions, and no test lists `Unit`'s fields: a regrouping of them changes
//! the loader, not the tests.
//!
//! Names in what the unit holds (sources, messages) start with the temporary directory; [`shown`]
//! takes it out, so tests compare `values.yaml:2:9`.

use crate::crypto::Moment;
use crate::helm::strvals::HelmVersion;
use crate::load::{Context, NewLabel, UnitSpec, load_unit};
use crate::model::unit::{Given, History, Unit};
use crate::source::Location;
use crate::source::SourceMap;

/// The command-line cases' clock, 2026-11-27T00:00:00Z: the test certificates (valid 2025 to
/// 2027) are valid then, and the leaf expires 35 days later.
pub const NOW: i64 = 1_795_737_600;

/// The start of the builder's temporary directories' names, which [`shown`] recognises.
const DIR_PREFIX: &str = "certgate-unit-";

/// What a unit is made of, before it is loaded. Nothing is given by default: no values, no
/// release, Helm 2 (the loader's default), the clock [`NOW`], a 30-day expiry window, and the
/// paths every built-in rule reads ([`crate::checks::Check::paths`]) kept from a chart's defaults.
#[derive(Debug, Default)]
pub struct UnitBuilder {
    spec: UnitSpec,
    /// Files written into the unit's directory: (name, content).
    files: Vec<(String, Vec<u8>)>,
    now: Option<Moment>,
    expiry_warning_days: Option<u32>,
    reads: Vec<String>,
    tracked: bool,
}

impl Unit {
    pub fn builder() -> UnitBuilder {
        UnitBuilder::default()
    }
}

/// A flag's value, located as the command line locates it.
fn arg(flag: &str, value: &str) -> Given<String> {
    Given {
        value: value.to_string(),
        location: Location::Arg {
            origin: format!("{flag} {value}"),
        },
    }
}

/// A `--set` argument, located by its key only, as the command line does (the value may be key
/// material).
fn set_arg(flag: &str, value: &str) -> Given<String> {
    let key = value.split('=').next().unwrap_or_default();
    Given {
        value: value.to_string(),
        location: Location::Arg {
            origin: format!("{flag} {key}=…"),
        },
    }
}

impl UnitBuilder {
    /// A file in the unit's directory, for what a flag names (`--set-file`, `--command -f`).
    pub fn file(mut self, name: &str, content: impl Into<Vec<u8>>) -> Self {
        self.files.push((name.to_string(), content.into()));
        self
    }

    /// A proposed values file (`-f`), named `values.yaml`, then `values-2.yaml`, ….
    pub fn values(self, yaml: &str) -> Self {
        let name = match self.spec.values.len() {
            0 => "values.yaml".to_string(),
            n => format!("values-{}.yaml", n + 1),
        };
        self.values_file(&name, yaml)
    }

    /// A proposed values file (`-f`) named `name`.
    pub fn values_file(mut self, name: &str, yaml: &str) -> Self {
        self.spec.values.push(arg("-f", name));
        self.file(name, yaml)
    }

    /// `--set KEY=VALUE`.
    pub fn set(mut self, key_value: &str) -> Self {
        self.spec.set.push(set_arg("--set", key_value));
        self
    }

    /// `--set-string KEY=VALUE`.
    pub fn set_string(mut self, key_value: &str) -> Self {
        self.spec.set_string.push(set_arg("--set-string", key_value));
        self
    }

    /// `--set-file KEY=FILE`, with FILE written.
    pub fn set_file(mut self, key: &str, file: &str, content: &str) -> Self {
        self.spec.set_file.push(set_arg("--set-file", &format!("{key}={file}")));
        self.file(file, content)
    }

    /// The running release's values (`--previous previous.yaml`).
    pub fn previous(mut self, yaml: &str) -> Self {
        self.spec.previous = Some(arg("--previous", "previous.yaml"));
        self.file("previous.yaml", yaml)
    }

    /// The chart (`--chart NAME-VERSION.tgz`) with `values.yaml` as its default values.
    pub fn chart(mut self, name: &str, version: &str, defaults: &str) -> Self {
        let file = format!("{name}-{version}.tgz");
        let chart_yaml = format!("apiVersion: v1\nname: {name}\nversion: {version}\nappVersion: 2019.4.1\n");
        let tgz = crate::source::chart::tests::tgz(&[
            (&format!("{name}/Chart.yaml"), &chart_yaml),
            (&format!("{name}/values.yaml"), defaults),
        ]);
        self.spec.chart = Some(arg("--chart", &file));
        self.file(&file, tgz)
    }

    /// The chart path as given, without writing it (`--chart` naming a missing file).
    pub fn chart_path(mut self, path: &str) -> Self {
        self.spec.chart = Some(arg("--chart", path));
        self
    }

    /// The release ConfigMap manifest (`--configmap configmap.yaml`).
    pub fn configmap(mut self, yaml: &str) -> Self {
        self.spec.configmap = Some(arg("--configmap", "configmap.yaml"));
        self.file("configmap.yaml", yaml)
    }

    /// The private key's PEM file (`--key key.pem`).
    pub fn key(mut self, pem: &str) -> Self {
        self.spec.key = Some(arg("--key", "key.pem"));
        self.file("key.pem", pem)
    }

    /// The server certificate's PEM file, leaf first (`--cert cert.pem`).
    pub fn cert(mut self, pem: &str) -> Self {
        self.spec.cert = Some(arg("--cert", "cert.pem"));
        self.file("cert.pem", pem)
    }

    /// The CA's PEM file (`--cacert ca.pem`).
    pub fn cacert(mut self, pem: &str) -> Self {
        self.spec.cacert = Some(arg("--cacert", "ca.pem"));
        self.file("ca.pem", pem)
    }

    /// The CA clients trust today (`--previous-cacert previous-ca.pem`).
    pub fn previous_cacert(mut self, pem: &str) -> Self {
        self.spec.previous_cacert = Some(arg("--previous-cacert", "previous-ca.pem"));
        self.file("previous-ca.pem", pem)
    }

    /// `tls.type=provided` with the key, certificate and CA as PEM files: your own certificates, the
    /// usual way.
    pub fn provided(self, key: &str, cert: &str, cacert: &str) -> Self {
        self.set("tls.type=provided").key(key).cert(cert).cacert(cacert)
    }

    /// The Secret manifest (`--secret secret.yaml`).
    pub fn secret(mut self, yaml: &str) -> Self {
        self.spec.secret = Some(arg("--secret", "secret.yaml"));
        self.file("secret.yaml", yaml)
    }

    /// `--release NAME`.
    pub fn release(mut self, name: &str) -> Self {
        self.spec.release = Some(arg("--release", name));
        self
    }

    /// `--namespace NS`.
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.spec.namespace = Some(namespace.to_string());
        self
    }

    /// The Helm version that reads the values (`--helm`).
    pub fn helm(mut self, helm: HelmVersion) -> Self {
        self.spec.helm = Some(helm);
        self
    }

    /// External hostnames clients use (config `hostnames:`).
    pub fn hostnames(mut self, hostnames: &[&str]) -> Self {
        self.spec.hostnames = hostnames.iter().map(|h| h.to_string()).collect();
        self
    }

    /// How the release came to be (config `history:`).
    pub fn history(mut self, history: History) -> Self {
        self.spec.history = history;
        self
    }

    /// The proposed command under review (`--command`).
    pub fn command(mut self, command: &str) -> Self {
        self.spec.command = Some(command.to_string());
        self
    }

    /// `--new-label LABEL` (`auto` for a dated one).
    pub fn new_label(mut self, label: &str) -> Self {
        self.spec.new_label = Some(match label {
            "auto" => NewLabel::Auto,
            other => NewLabel::Value(other.to_string()),
        });
        self
    }

    /// The run's time (`--now`), as RFC 3339.
    pub fn now(mut self, rfc3339: &str) -> Self {
        let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|e| panic!("{rfc3339}: {e}"));
        self.now = Some(Moment::from(t.unix_timestamp()));
        self
    }

    /// The expiry warning window (`--expiry-warning-days`).
    pub fn expiry_warning_days(mut self, days: u32) -> Self {
        self.expiry_warning_days = Some(days);
        self
    }

    /// A values path a rule reads beyond the built-in rules' (a user rule's), kept from the chart's
    /// defaults.
    pub fn reads(mut self, path: &str) -> Self {
        self.reads.push(path.to_string());
        self
    }

    /// Make the unit's directory a git repository that tracks every file in it.
    pub fn tracked_by_git(mut self) -> Self {
        self.tracked = true;
        self
    }

    /// Load the unit. The directory goes when this returns: a loaded unit holds what it read.
    pub fn build(mut self) -> Unit {
        let dir = tempfile::Builder::new()
            .prefix(DIR_PREFIX)
            .tempdir()
            .expect("a temporary directory");
        for (name, content) in &self.files {
            std::fs::write(dir.path().join(name), content).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        if self.tracked {
            git(dir.path(), &["init", "--quiet"]);
            git(dir.path(), &["add", "--all"]);
        }
        self.spec.base_dir = dir.path().to_path_buf();
        let mut ctx = Context::at_unix(NOW);
        if let Some(now) = self.now {
            ctx.now = now;
        }
        if let Some(days) = self.expiry_warning_days {
            ctx.expiry_warning_days = days;
        }
        ctx.rule_paths = crate::rules::builtin()
            .iter()
            .flat_map(|r| r.check.paths())
            .chain(self.reads)
            .collect();
        load_unit(&self.spec, &ctx, &SourceMap::new()).unit
    }
}

/// Run `git` in `dir`, as a fixed author with signing off (so a commit needs no configuration),
/// and fail the test with git's message when it fails.
pub(crate) fn git(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `text` without the builder's temporary directories: `/tmp/certgate-unit-Ab12/values.yaml` is
/// `values.yaml`.
pub fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(DIR_PREFIX) {
        // The directory starts after the last space or quote before its name.
        let head = &rest[..at];
        let start = head.rfind([' ', '"', '(', '\'']).map_or(0, |i| i + 1);
        out.push_str(&head[..start]);
        let after = &rest[at..];
        rest = after.find('/').map_or("", |slash| &after[slash + 1..]);
    }
    out.push_str(rest);
    out
}

/// Where a location points, as a reader says it: `values.yaml:2:9` (line and column, 1-based), a
/// file's name, a command-line argument, or `run`.
pub fn describe(unit: &Unit, location: &Location) -> String {
    match location {
        Location::Span { source, span } => {
            let src = unit.sources.get(*source);
            let (line, col) = src.line_col(span.start);
            format!("{}:{line}:{col}", shown(&src.name))
        }
        Location::File { path } => shown(path),
        Location::Arg { origin } => origin.clone(),
        Location::Run => "run".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_takes_the_temporary_directory_out() {
        let dir = std::env::temp_dir().join("certgate-unit-Ab12");
        let path = dir.join("values.yaml").to_string_lossy().into_owned();
        assert_eq!(shown(&path), "values.yaml");
        assert_eq!(
            shown(&format!("the values file {path} holds (\"{path}\")")),
            "the values file values.yaml holds (\"values.yaml\")"
        );
        assert_eq!(shown("values.yaml"), "values.yaml");
    }

    #[test]
    fn the_builder_loads_what_it_is_given() {
        let unit = Unit::builder()
            .chart(
                "ibm-eventstreams-prod",
                "1.4.0",
                "tls:\n  type: selfsigned\nreplicas: 3\n",
            )
            .previous("global:\n  security:\n    externalCertificateLabel: ext-1\n")
            .values("tls:\n  type: secret\n")
            .set("tls.secretName=es-tls")
            .release("es1")
            .build();
        assert!(unit.problems.is_empty(), "{:?}", unit.problems);
        assert_eq!(unit.new_type(), Some(crate::model::unit::TlsType::Secret));
        assert_eq!(unit.running_type(), Some(crate::model::unit::TlsType::Selfsigned));
        let at = |path: &str| {
            let node = unit.effective.lookup(path).expect(path);
            describe(&unit, &Location::of(&node.origin))
        };
        assert_eq!(at("tls.type"), "values.yaml:2:9");
        assert_eq!(at("tls.secretName"), "--set tls.secretName=…");
        assert_eq!(at("global.security.externalCertificateLabel"), "previous.yaml:3:31");
        assert_eq!(
            describe(&unit, &unit.release.as_ref().unwrap().location),
            "--release es1"
        );
    }
}
