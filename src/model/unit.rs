//! A release unit: everything one `helm upgrade` acts on, loaded and resolved, ready for the checks.

use crate::helm::coalesce::present;
use crate::helm::strvals::HelmVersion;
use crate::source::InputProblem;
use crate::source::Location;
use crate::source::SourceMap;
use crate::source::value::Node;

/// The paths of the certificate settings, in the order the approved command sets them (SPEC §3).
pub const COMMAND_ORDER: [&str; 7] = [
    "global.security.externalCertificateLabel",
    "global.security.internalCertificateLabel",
    "tls.type",
    "tls.secretName",
    "tls.key",
    "tls.cert",
    "tls.cacert",
];

/// The certificate settings the chart reads as unset when they are empty: it reads the Secret's key
/// names with `default "key"` (and `"cert"`, `"cacert"`), and its pre-upgrade job tests each of them
/// with `if`, for which an empty string is false (`eventstreams_chart_facts.json`:
/// `secret_key_defaults`, `pre_upgrade_job`). An empty value is how a Helm 3 command removes one of
/// them in one upgrade ([`crate::model::plan::command`]).
pub const EMPTY_IS_UNSET: [&str; 4] = ["tls.secretName", "tls.key", "tls.cert", "tls.cacert"];

pub const EXTERNAL_LABEL: &str = "global.security.externalCertificateLabel";
pub const INTERNAL_LABEL: &str = "global.security.internalCertificateLabel";
pub const UI_LABEL: &str = "global.security.uiCertificateLabel";

/// A value given on the command line or in the config, with where it was given.
#[derive(Debug, Clone, PartialEq)]
pub struct Given<T> {
    pub value: T,
    pub location: Location,
}

/// The chart archive: its identity and default values.
#[derive(Debug, Clone)]
pub struct Chart {
    pub name: String,
    pub version: String,
    pub app_version: Option<String>,
    /// `values.yaml` of the chart, located in `CHART.tgz!/NAME/values.yaml`; shared by every unit
    /// that names the chart.
    pub defaults: std::sync::Arc<Node>,
    pub location: Location,
}

/// The chart's release ConfigMap: current and previous certificate labels (SPEC §1).
#[derive(Debug, Clone, Default)]
pub struct ReleaseConfigMap {
    pub external: Option<Node>,
    pub previous_external: Option<Node>,
    pub internal: Option<Node>,
    pub previous_internal: Option<Node>,
    /// The installed chart version, when the ConfigMap's labels name it (`chart: NAME-VERSION`).
    pub chart_version: Option<String>,
}

/// How the release came to be (config `history:`), which decides the client impact scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// The Event Streams version first installed (`2019.2.1`), when known.
    pub installed_from: Option<String>,
    /// Whether external certificates were changed since the upgrade to 2019.4.1.
    pub external_changed_since_upgrade: Option<bool>,
    /// Labels used before, which a new label must not reuse.
    pub labels: Vec<String>,
}

/// One proposed values file.
#[derive(Debug, Clone)]
pub struct ValuesFile {
    pub path: String,
    pub root: Option<Node>,
}

/// The `--command` under review: the proposed command line and what it parsed to.
#[derive(Debug, Clone)]
pub struct CommandInput {
    pub text: String,
    pub lint: crate::helm::proposed::Lint,
}

/// Everything the checks of one release unit read.
#[derive(Debug, Clone)]
pub struct Unit {
    pub sources: SourceMap,
    pub release: Option<Given<String>>,
    pub namespace: Option<String>,
    pub helm: HelmVersion,
    pub chart: Option<Chart>,
    /// The chart path as the user gave it, for the approved command.
    pub chart_path: Option<String>,
    pub values_files: Vec<ValuesFile>,
    /// The overrides of this change: `-f` files, then `--set`, `--set-string`, `--set-file`.
    pub proposed: Node,
    /// Whether the proposed overrides hold anything at all (files or flags).
    pub has_proposed: bool,
    /// The running release's own values (`--previous`), when known.
    pub previous: Option<Node>,
    /// Installed chart defaults ⊕ previous values: what runs today.
    pub running: Option<Node>,
    /// The installed chart's defaults, as far as this unit reads them (empty without a chart).
    pub defaults: Node,
    /// Installed chart defaults ⊕ previous ⊕ proposed: what Helm will hold (SPEC §1).
    pub effective: Node,
    pub configmap: Option<ReleaseConfigMap>,
    pub history: History,
    pub hostnames: Vec<String>,
    /// The chain each endpoint serves today (`--endpoint`), or why it was not read.
    pub served: Vec<crate::model::served::Served>,
    pub command: Option<CommandInput>,
    /// The external label proposed by `--new-label`, if any (already applied to `proposed`).
    pub new_label: Option<String>,
    pub problems: Vec<InputProblem>,
    /// Inline suppression comments in the proposed and previous values files.
    pub suppressions: Vec<crate::source::suppress::Suppression>,
    /// The certificate material and what cryptography says about it.
    pub material: crate::model::material::Material,
    /// PEM files given for tls.key/tls.cert/tls.cacert (`--key` ...): the command refers to them.
    pub pem_files: Vec<(crate::source::SourceId, String)>,
    /// The values paths a PEM file was named for, read or not: a file that cannot be read is CG001's,
    /// not a missing value.
    pub pem_given: Vec<&'static str>,
    /// The Secret manifest given (`--secret`), read or not: with another `tls.type` than `secret`
    /// the chart never reads it.
    pub secret_manifest: Option<Given<String>>,
    /// Spans that hold private key material: no renderer may quote them.
    pub redacted: Vec<(crate::source::SourceId, crate::source::Span)>,
    /// The private key written in a proposed values file: where, the file, and whether git tracks
    /// it.
    pub key_in_values: Option<crate::model::material::KeyInValues>,
    /// Certificates expiring within this many days are reported (CG307).
    pub expiry_warning_days: u32,
    /// The run's time, fraction and all, which the checks judge certificates at (`material.now`
    /// holds its whole seconds only).
    pub now: crate::crypto::Moment,
    /// The effective values' violations of `schemas/values.schema.json`, computed on first use: seven
    /// rules report from them.
    pub values_schema_errors: std::sync::OnceLock<Vec<crate::schema::SchemaError>>,
    /// The facts the change's client impact rests on, gathered on first use: four rules and the
    /// report read them.
    pub impact: std::sync::OnceLock<crate::model::impact::Basis>,
    /// The approved command (if the findings allow it), formed and proven on first use: two rules
    /// and the engine read it.
    pub command_plan: std::sync::OnceLock<Result<Option<crate::model::plan::Planned>, crate::model::plan::NoCommand>>,
}

/// The three certificate types the chart knows (`tls.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsType {
    Selfsigned,
    Provided,
    Secret,
}

impl TlsType {
    pub fn parse(s: &str) -> Option<TlsType> {
        match s {
            "selfsigned" => Some(TlsType::Selfsigned),
            "provided" => Some(TlsType::Provided),
            "secret" => Some(TlsType::Secret),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TlsType::Selfsigned => "selfsigned",
            TlsType::Provided => "provided",
            TlsType::Secret => "secret",
        }
    }

    /// Your own certificates (`provided`, `secret`) as opposed to self-generated ones.
    pub fn is_own(self) -> bool {
        !matches!(self, TlsType::Selfsigned)
    }
}

/// The part of the values the values schema describes (`global.security`, `tls`), as JSON: the
/// rest of the chart's values are not converted for nothing.
fn schema_view(effective: &Node) -> serde_json::Value {
    use crate::source::value::json::to_json;
    let mut root = serde_json::Map::new();
    if let Some(global) = effective.lookup("global") {
        let view = match global.as_map() {
            Some(m) => {
                let mut g = serde_json::Map::new();
                if let Some(security) = m.get("security") {
                    g.insert("security".into(), to_json(security));
                }
                serde_json::Value::Object(g)
            }
            None => to_json(global),
        };
        root.insert("global".into(), view);
    }
    if let Some(tls) = effective.lookup("tls") {
        root.insert("tls".into(), to_json(tls));
    }
    serde_json::Value::Object(root)
}

impl Unit {
    /// The effective values against the values schema, validated once per unit.
    pub fn values_schema_errors(&self) -> &[crate::schema::SchemaError] {
        self.values_schema_errors
            .get_or_init(|| crate::schema::validate(crate::schema::Schema::Values, &schema_view(&self.effective)))
    }

    /// The facts of the change's client impact ([`crate::model::impact::assess`]), gathered once
    /// per unit.
    pub fn impact(&self) -> &crate::model::impact::Basis {
        self.impact.get_or_init(|| crate::model::impact::assess(self))
    }

    /// The command that carries out this change ([`crate::model::plan::command`]), formed once per
    /// unit.
    pub fn command_plan(&self) -> &Result<Option<crate::model::plan::Planned>, crate::model::plan::NoCommand> {
        self.command_plan.get_or_init(|| crate::model::plan::command(self))
    }

    /// The certificate type Helm will use.
    pub fn new_type(&self) -> Option<TlsType> {
        present(&self.effective, "tls.type")
            .and_then(Node::as_str)
            .and_then(TlsType::parse)
    }

    /// The certificate type that runs today, when the previous values are known.
    pub fn running_type(&self) -> Option<TlsType> {
        self.running
            .as_ref()
            .and_then(|r| present(r, "tls.type"))
            .and_then(Node::as_str)
            .and_then(TlsType::parse)
    }
}
