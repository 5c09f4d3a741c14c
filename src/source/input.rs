//! The inputs a run reads, as the report names them, and what can go wrong reading them.

use crate::source::Location;

/// One input file the report was computed from, with its digest (for `verify-approval`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Input {
    pub role: String,
    pub path: String,
    pub sha256: String,
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
