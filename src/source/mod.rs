//! Reading inputs with their positions: every byte certgate reasons about is held here once, so that
//! any finding can point back at the file, line and column it came from.
//!
//! - [`text`]: byte offsets to 1-based lines and character columns.
//! - [`yaml`]: YAML text to a spanned value tree, resolved the way Helm reads values.

pub mod chart;
pub mod confine;
pub mod endpoint;
pub mod files;
pub mod git;
pub mod input;
pub mod location;
pub mod pem;
pub mod secret;
pub mod suppress;
pub mod text;
pub mod value;
pub mod yaml;

pub use input::{Input, InputProblem, InputRole, ProblemKind};
pub use location::Location;

use std::sync::{Arc, OnceLock};

use text::LineIndex;

/// Identifies one source text in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub usize);

/// A byte range `start..end` in a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// An empty span at `offset`.
    pub fn point(offset: usize) -> Self {
        Span {
            start: offset,
            end: offset,
        }
    }
}

/// One source text and how to locate offsets in it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name shown to users: the path as given, or `CHART.tgz!/NAME/values.yaml`.
    pub name: String,
    pub text: String,
    /// Built on first use: most sources (certificates, clean values) are never located in.
    index: OnceLock<LineIndex>,
    /// The key material in `text`, found on first use ([`secret::scan`]).
    secrets: OnceLock<secret::Found>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
            index: OnceLock::new(),
            secrets: OnceLock::new(),
        }
    }

    /// Where `text` holds key material, by what it is (the loader adds where it is expected).
    pub fn secrets(&self) -> &secret::Found {
        self.secrets.get_or_init(|| secret::scan(&self.text))
    }

    /// 1-based line and character column of byte `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines().line_col(&self.text, offset)
    }

    pub fn lines(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }
}

/// Every source text of a run, addressed by [`SourceId`]. Sources are shared, so a unit's map can
/// start as a cheap copy of the run's (config and rule files) and keep their ids valid.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    sources: Vec<Arc<Source>>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, source: Source) -> SourceId {
        self.sources.push(Arc::new(source));
        SourceId(self.sources.len() - 1)
    }

    /// Room for `n` more sources without growing.
    pub fn reserve(&mut self, n: usize) {
        self.sources.reserve_exact(n);
    }

    pub fn get(&self, id: SourceId) -> &Source {
        &self.sources[id.0]
    }

    /// The shared source behind `id`, for a report that must outlive the map.
    pub fn shared(&self, id: SourceId) -> Arc<Source> {
        Arc::clone(&self.sources[id.0])
    }

    /// Keep the sources in `keep` only; the others become one shared empty source (their ids stay
    /// valid, nothing points at them). A report needs only the texts its findings quote.
    pub fn keep_only(&mut self, keep: &[SourceId]) {
        static DROPPED: std::sync::OnceLock<Arc<Source>> = std::sync::OnceLock::new();
        let dropped = DROPPED.get_or_init(|| Arc::new(Source::new("", "")));
        for (i, s) in self.sources.iter_mut().enumerate() {
            if !keep.contains(&SourceId(i)) && !s.text.is_empty() {
                *s = Arc::clone(dropped);
            }
        }
        // Nothing points past the last kept source.
        let len = keep
            .iter()
            .map(|id| id.0 + 1)
            .max()
            .unwrap_or(0)
            .min(self.sources.len());
        self.sources.truncate(len);
        self.sources.shrink_to_fit();
    }

    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &Source)> {
        self.sources.iter().enumerate().map(|(i, s)| (SourceId(i), s.as_ref()))
    }
}
