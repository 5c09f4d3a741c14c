//! The outcome of checking a release unit: findings placed in files, suppressions, the approval
//! or why there is none. The engine decides it; every format renders it.

use serde::Serialize;

use crate::model::impact::ClientImpact;
use crate::model::material::CertificateInfo;
use crate::model::plan::NoCommand;
use crate::rules::Severity;
use crate::source::{Input, Location, SourceId, SourceMap, Span};

/// A finding as the checks produce it, before it is placed in a file and line.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The rule's code, name and remediation, shared with the rule.
    pub code: std::sync::Arc<str>,
    pub name: std::sync::Arc<str>,
    pub severity: Severity,
    pub message: String,
    pub location: Location,
    /// The values path the finding is about (`tls.type`), when it is about a value.
    pub path: Option<String>,
    /// 1-based index of the PEM block in its bundle, for findings about certificate material.
    pub block: Option<usize>,
    pub help: std::sync::Arc<str>,
}

impl Finding {
    /// Whether the finding is at or above the failure threshold `fail_on`: such a finding fails the
    /// run and blocks the command (SPEC §3). The engine's approval and the JUnit report's failed
    /// test cases both ask here.
    pub fn fails_at(&self, fail_on: Severity) -> bool {
        self.severity >= fail_on
    }
}

/// A finding that an inline suppression silenced, with the reason given.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: String,
    pub until: Option<String>,
}

/// Whether the unit has an approved command and, when it has none, why (SPEC §3). The engine
/// decides it once ([`crate::engine::check`]); renderers format it, and its `Display` is the one
/// sentence every format gives for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// The command, byte for byte.
    Approved(String),
    /// Findings at or above the failure threshold block the command: how many, their codes (each
    /// once, in the report's order) and the threshold they were held to (`fail_on`).
    Blocked {
        count: usize,
        codes: Vec<std::sync::Arc<str>>,
        fail_on: Severity,
    },
    /// Nothing certificate-related changes: no command is needed.
    NothingToChange,
    /// Nothing blocks the change, but no command can be written for it.
    NotFormed(NoCommand),
}

impl Approval {
    /// The approved command, when there is one.
    pub fn command(&self) -> Option<&str> {
        match self {
            Approval::Approved(command) => Some(command),
            _ => None,
        }
    }
}

impl std::fmt::Display for Approval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Approval::Approved(_) => f.write_str("a command is approved for the change."),
            Approval::Blocked { count, codes, fail_on } => {
                let one = *count == 1;
                write!(
                    f,
                    "{count} finding{} at or above the failure threshold (fail_on: {}) block{} it (",
                    if one { "" } else { "s" },
                    fail_on.as_str(),
                    if one { "s" } else { "" },
                )?;
                for (i, code) in codes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(code)?;
                }
                f.write_str(").")
            }
            Approval::NothingToChange => f.write_str("nothing certificate-related changes: no command is needed."),
            Approval::NotFormed(why) => write!(f, "nothing blocks it, but the command cannot be formed: {why}."),
        }
    }
}

/// Counts of findings by severity, and of suppressed ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub suppressed: usize,
}

/// Everything certgate concluded about one release unit.
#[derive(Debug, Clone)]
pub struct UnitReport {
    /// The release name, when known (used to tell units apart in multi-unit output).
    pub release: Option<String>,
    pub now: String,
    pub inputs: Vec<Input>,
    /// Sorted by file, line, column, code; file-less findings last.
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    pub client_impact: ClientImpact,
    pub certificates: Vec<CertificateInfo>,
    /// The approved command, or why there is none.
    pub approval: Approval,
    pub sources: SourceMap,
    /// Spans holding private key material: renderers never quote the lines they touch.
    pub redacted: Vec<(SourceId, Span)>,
    /// Every source of the unit that holds key material (by what it is, or where it is: the spans),
    /// kept after `sources` drops the texts no finding quotes: a message may still quote a value
    /// from them, and the output filter must know it ([`crate::source::secret::Redactor`]).
    pub secrets: Vec<(std::sync::Arc<crate::source::Source>, Vec<Span>)>,
}

/// A finding placed in a file: what every renderer prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub origin: Option<String>,
}

impl UnitReport {
    /// The approved command (`upgrade_command` in JSON), when there is one.
    pub fn upgrade_command(&self) -> Option<&str> {
        self.approval.command()
    }

    pub fn summary(&self) -> Summary {
        let count = |s| self.findings.iter().filter(|f| f.severity == s).count();
        Summary {
            error: count(Severity::Error),
            warning: count(Severity::Warning),
            info: count(Severity::Info),
            suppressed: self.suppressed.len(),
        }
    }

    /// The highest severity among the (unsuppressed) findings.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Whether quoting the bytes `start..end` of `source` would show private key material.
    pub fn is_redacted(&self, source: SourceId, start: usize, end: usize) -> bool {
        self.redacted
            .iter()
            .any(|(s, span)| *s == source && span.start < end.max(start + 1) && start < span.end.max(span.start + 1))
            || self.sources.get(source).secrets().overlaps(start, end)
    }

    /// Add this report's key material to `redactor`.
    pub fn add_secrets(&self, redactor: &mut crate::source::secret::Redactor) {
        for (_, source) in self.sources.iter() {
            if !source.text.is_empty() {
                redactor.add_public(&source.text, source.secrets());
            }
        }
        for (source, spans) in &self.secrets {
            let key = std::sync::Arc::as_ptr(source) as usize;
            redactor.add_found(key, &source.text, source.secrets());
            for span in spans {
                redactor.add(&source.text[span.start..span.end]);
            }
        }
    }

    /// File, 1-based line and column (in characters) of a location.
    pub fn place(&self, location: &Location) -> Placed {
        place(&self.sources, location)
    }
}

pub fn place(sources: &SourceMap, location: &Location) -> Placed {
    match location {
        Location::Span { source, span } => {
            let src = sources.get(*source);
            let (line, column) = src.line_col(span.start);
            Placed {
                file: Some(src.name.clone()),
                line: Some(line),
                column: Some(column),
                origin: None,
            }
        }
        Location::File { path } => Placed {
            file: Some(path.clone()),
            line: None,
            column: None,
            origin: None,
        },
        Location::Arg { origin } => Placed {
            file: None,
            line: None,
            column: None,
            origin: Some(origin.clone()),
        },
        Location::Run => Placed {
            file: None,
            line: None,
            column: None,
            origin: None,
        },
    }
}

/// Sort findings by file, line, column, code, with file-less findings last (SPEC §4).
pub fn sort_findings(sources: &SourceMap, findings: &mut [Finding]) {
    findings.sort_by_cached_key(|f| {
        let p = place(sources, &f.location);
        (
            p.file.is_none(),
            p.file.unwrap_or_default(),
            p.line.unwrap_or(0),
            p.column.unwrap_or(0),
            f.code.clone(),
            p.origin.unwrap_or_default(),
            f.message.clone(),
        )
    });
}
