//! The inputs a run reads, as the report names them, and what can go wrong reading them.

use crate::source::Location;

/// One input file the report was computed from, with its digest (for `verify-approval`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Input {
    pub role: InputRole,
    pub path: String,
    pub sha256: String,
}

/// What an input file is to the run: its `role` in the JSON report (a contract: SPEC §4 and
/// `schemas/report.schema.json` list these names) and the words messages use for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputRole {
    /// A proposed values file (`-f`).
    Values,
    /// The running release's values (`--previous`, or the files at `--base`).
    Previous,
    /// The chart archive (`--chart`).
    Chart,
    /// The PEM files of `tls.type=provided` (`--key`, `--cert`, `--cacert`).
    Key,
    Cert,
    Cacert,
    /// The CA clients trust today (`--previous-cacert`).
    PreviousCacert,
    /// The Kubernetes Secret manifest of `tls.type=secret` (`--secret`).
    Secret,
    /// The chart's release ConfigMap (`--configmap`).
    Configmap,
    /// `certgate.yaml`.
    Config,
    /// A rule file of the policy.
    Rules,
    /// A file a `--set-file` argument reads.
    SetFile,
}

impl InputRole {
    pub const ALL: [InputRole; 12] = [
        InputRole::Values,
        InputRole::Previous,
        InputRole::Chart,
        InputRole::Key,
        InputRole::Cert,
        InputRole::Cacert,
        InputRole::PreviousCacert,
        InputRole::Secret,
        InputRole::Configmap,
        InputRole::Config,
        InputRole::Rules,
        InputRole::SetFile,
    ];

    /// The role's name in the JSON report (`previous-cacert`): its serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            InputRole::Values => "values",
            InputRole::Previous => "previous",
            InputRole::Chart => "chart",
            InputRole::Key => "key",
            InputRole::Cert => "cert",
            InputRole::Cacert => "cacert",
            InputRole::PreviousCacert => "previous-cacert",
            InputRole::Secret => "secret",
            InputRole::Configmap => "configmap",
            InputRole::Config => "config",
            InputRole::Rules => "rules",
            InputRole::SetFile => "set-file",
        }
    }

    /// What messages call such a file: "the values file new.yaml is empty".
    pub fn noun(self) -> &'static str {
        match self {
            InputRole::Values => "values file",
            InputRole::Previous => "previous values file",
            InputRole::Configmap => "ConfigMap manifest",
            InputRole::SetFile => "--set-file file",
            InputRole::Config => "config file",
            InputRole::Rules => "rule file",
            InputRole::PreviousCacert => "previous CA",
            other => other.as_str(),
        }
    }
}

/// A problem with an input found while reading it; the `input_problem` check kind turns each into a
/// finding of the rule that owns its kind (CG001, CG002, CG003, CG004, CG005, CG501).
#[derive(Debug, Clone, PartialEq)]
pub struct InputProblem {
    pub kind: ProblemKind,
    pub location: Location,
    pub message: String,
    pub path: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// Missing, unreadable, a directory, not UTF-8, empty, or over the size limit.
    Unreadable,
    /// A YAML syntax error, too deep, or too many alias expansions.
    YamlInvalid,
    DuplicateKey,
    /// No release unit or no values to check.
    NothingChecked,
    /// A rule or config file that does not match its schema.
    RuleFileInvalid,
    /// The chart archive is missing, unreadable or not a chart.
    ChartUnusable,
    /// A `--set` argument Helm cannot parse.
    SetInvalid,
    /// A values file with more than one YAML document: which of them Helm applies depends on its
    /// version.
    MultiDocument,
}

impl InputProblem {
    pub fn new(kind: ProblemKind, location: Location, message: impl Into<String>) -> Self {
        InputProblem {
            kind,
            location,
            message: message.into(),
            path: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::InputRole;

    /// The names the report prints are serde's, and exactly those the report schema allows.
    #[test]
    fn roles_are_named_as_the_report_schema_names_them() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../schemas/report.schema.json")).expect("the report schema");
        let allowed = schema
            .pointer("/$defs/report/properties/inputs/items/properties/role/enum")
            .and_then(|v| v.as_array())
            .expect("the schema's input roles");
        let mut named: Vec<&str> = allowed.iter().filter_map(|v| v.as_str()).collect();
        let mut ours: Vec<&str> = InputRole::ALL.iter().map(|r| r.as_str()).collect();
        named.sort_unstable();
        ours.sort_unstable();
        assert_eq!(ours, named);
        for role in InputRole::ALL {
            assert_eq!(serde_json::to_value(role).expect("a string"), role.as_str());
            assert_eq!(
                serde_json::from_value::<InputRole>(role.as_str().into()).ok(),
                Some(role)
            );
        }
    }
}
