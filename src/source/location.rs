//! Where a finding points: a span of a source, a whole file, a command-line argument, or the run.

use crate::source::value::Origin;
use crate::source::{SourceId, Span};

/// Where a finding points.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    /// A span in a source text: file, line and column.
    Span { source: SourceId, span: Span },
    /// A whole file with no position in it (missing, unreadable, not UTF-8).
    File { path: String },
    /// A command-line argument: `--set KEY=…`, `--release NAME`, `--command`.
    Arg { origin: String },
    /// The run as a whole (CG004, CG404, CG503).
    Run,
}

impl Location {
    /// The location of a value with this origin. A `--set` value is named by its key only: the
    /// value may be key material (SPEC §4, "value redacted if secret").
    pub fn of(origin: &Origin) -> Location {
        match origin {
            Origin::File { source, span } => Location::Span {
                source: *source,
                span: *span,
            },
            Origin::Flag { flag, key } => Location::Arg {
                origin: format!("{} {key}=…", flag.as_flag()),
            },
            Origin::Synthetic => Location::Run,
        }
    }
}
