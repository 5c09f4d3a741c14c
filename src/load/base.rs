//! `--base REV`: the previous desired state is the same values files as git holds them at a
//! revision. Git is asked as early as the run knows the files, so that its processes run while the
//! units read their other files ([`BasePrefetch`] for the run, [`BaseFiles`] for one unit).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::reader::{Limits, Reader, display_path};
use super::{Context, UnitSpec};
use crate::helm::coalesce::merge_into;
use crate::model::unit::Given;
use crate::source::files::{sha256_hex, utf8_text};
use crate::source::value::{Node, Origin};
use crate::source::{Input, InputRole, ProblemKind, Source};

/// Files at a git revision, asked for as soon as the run knows them: a few units' files each by
/// its own `git cat-file` started early; in a run of more units, through the run's batches
/// ([`crate::source::git::Batches`]).
#[derive(Default)]
pub struct BasePrefetch {
    /// Started before the units, by (revision, path).
    started: std::sync::Mutex<HashMap<(String, PathBuf), crate::source::git::PendingShow>>,
    /// Whether the run has more than [`PREFETCH_MAX`] units with `--base`.
    batching: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for BasePrefetch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BasePrefetch")
    }
}

/// How many units (or changed files) of a run have their `--base` files asked for before the
/// units start, each by its own git process: the pre-commit case. A larger run asks a
/// `git cat-file --batch` per directory: thousands of git starts would cost seconds.
pub const PREFETCH_MAX: usize = 4;

impl BasePrefetch {
    /// Start git on `path` at `rev`, unless it was already asked for.
    pub fn start(&self, rev: &str, path: &Path, limits: &Limits) {
        let mut map = self.started.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry((rev.to_string(), same_file_key(path)))
            .or_insert_with(|| crate::source::git::start_show(rev, path, limits.max_file_bytes));
    }

    /// Start git on the `--base` files of the units when there are only a few (see
    /// [`PREFETCH_MAX`]); else the units ask the run's batches.
    pub fn start_units<'a>(&self, specs: impl IntoIterator<Item = &'a UnitSpec>, limits: &Limits) {
        let with_base: Vec<&UnitSpec> = specs
            .into_iter()
            .filter(|s| s.base.is_some())
            .take(PREFETCH_MAX + 1)
            .collect();
        if with_base.len() > PREFETCH_MAX {
            self.batching.store(true, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        for spec in with_base {
            let Some(rev) = &spec.base else { continue };
            for given in &spec.values {
                self.start(
                    &rev.value,
                    Path::new(&display_path(&spec.base_dir, &given.value)),
                    limits,
                );
            }
        }
    }

    pub(super) fn take(&self, rev: &str, path: &str) -> Option<crate::source::git::PendingShow> {
        let mut map = self.started.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.remove(&(rev.to_string(), same_file_key(Path::new(path))))
    }

    pub(super) fn batching(&self) -> bool {
        self.batching.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// `path` without `.` components: `./a/b.yaml` and `a/b.yaml` name the same file.
fn same_file_key(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| *c != std::path::Component::CurDir)
        .collect()
}

/// The values files as they were at revision `rev`: in a pre-commit run each file's git process
/// runs while the unit's other files are read; in a larger run the batch is asked when
/// [`BaseFiles::finish`] collects them.
pub(super) struct BaseFiles<'s> {
    rev: &'s Given<String>,
    batches: &'s crate::source::git::Batches,
    base_dir: &'s Path,
    /// Where the previous values' inputs go in the unit's list: before the values files, as read.
    inputs_at: usize,
    pending: Vec<(String, Pending)>,
}

/// One file of [`BaseFiles`]: its own git process, or a question for the run's batch.
enum Pending {
    Started(crate::source::git::PendingShow),
    /// The path relative to the unit's base directory, as [`crate::source::git::batch_path`] gives it.
    Batch(String),
}

impl<'s> BaseFiles<'s> {
    pub fn start(r: &Reader<'s>, ctx: &'s Context, rev: &'s Given<String>, files: &[Given<String>]) -> Self {
        let batching = ctx.git.batching();
        let pending = files
            .iter()
            .map(|given| {
                let display = r.display(&given.value);
                let batch = batching
                    .then(|| crate::source::git::batch_path(r.base_dir, &given.value))
                    .flatten();
                let show = match (ctx.git.take(&rev.value, &display), batch) {
                    (Some(show), _) => Pending::Started(show),
                    (None, Some(path)) => Pending::Batch(path),
                    (None, None) => Pending::Started(crate::source::git::start_show(
                        &rev.value,
                        Path::new(&display),
                        r.limits.max_file_bytes,
                    )),
                };
                (display, show)
            })
            .collect();
        BaseFiles {
            rev,
            batches: &ctx.batches,
            base_dir: r.base_dir,
            inputs_at: r.inputs.len(),
            pending,
        }
    }

    /// The files merged in order (a file new since then adds nothing); every file git cannot
    /// give is a CG001 finding at the `--base` argument.
    pub fn finish(self, r: &mut Reader) -> Node {
        let BaseFiles {
            rev,
            batches,
            base_dir,
            inputs_at,
            pending,
        } = self;
        let limit = r.limits.max_file_bytes;
        let mut previous = Node::empty_map(Origin::Synthetic);
        let mut inputs = Vec::new();
        for (display, show) in pending {
            let answer = match show {
                Pending::Started(show) => show.wait(),
                // What the batch cannot say surely, the file's own git run says.
                Pending::Batch(path) => batches
                    .with(base_dir, |b| b.blob(&rev.value, &path, limit))
                    .unwrap_or_else(|| crate::source::git::show(&rev.value, Path::new(&display), limit)),
            };
            match answer {
                Ok(None) => {}
                Ok(Some(bytes)) => {
                    let name = format!("{}:{display}", rev.value);
                    inputs.push(Input {
                        role: InputRole::Previous,
                        path: name.clone(),
                        sha256: sha256_hex(&bytes),
                    });
                    let Ok(text) = utf8_text(bytes) else {
                        r.problem(
                            ProblemKind::Unreadable,
                            rev.location.clone(),
                            format!("{name} is not UTF-8 text"),
                        );
                        continue;
                    };
                    let id = r.sources.add(Source::new(name, text));
                    if let Some(root) = r.parse_values(id, InputRole::Previous, true) {
                        merge_into(&mut previous, &root);
                    }
                }
                Err(e) => {
                    r.problem(
                        ProblemKind::Unreadable,
                        rev.location.clone(),
                        format!("--base {}: {display} {e}", rev.value),
                    );
                }
            }
        }
        let at = inputs_at.min(r.inputs.len());
        r.inputs.splice(at..at, inputs);
        previous
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::testing::{arg, dir, place, problems};
    use crate::model::testing::git;
    use crate::source::SourceMap;

    #[test]
    fn the_files_at_the_revision_are_merged_in_order_before_the_unit_s_own_inputs() {
        let d = dir(&[("a.yaml", b"x: 1\nw: 1\n"), ("b.yaml", b"w: 2\n")]);
        git(d.path(), &["init", "--quiet"]);
        git(d.path(), &["add", "--all"]);
        git(d.path(), &["commit", "--quiet", "-m", "base"]);
        std::fs::write(d.path().join("a.yaml"), "x: 9\n").expect("written");
        std::fs::write(d.path().join("new.yaml"), "z: 1\n").expect("written");
        let ctx = Context::at_unix(0);
        let limits = Limits::default();
        let mut r = Reader::new(&limits, d.path(), SourceMap::new(), None);
        let rev = arg("--base", "HEAD");
        let files = [arg("-f", "a.yaml"), arg("-f", "b.yaml"), arg("-f", "new.yaml")];
        let base = BaseFiles::start(&r, &ctx, &rev, &files);
        // The unit's own files are read while git runs; the old ones go before them in the inputs.
        r.read_text(InputRole::Values, &files[0], ProblemKind::Unreadable)
            .expect("read");
        let previous = base.finish(&mut r);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let at = |path: &str| {
            let node = previous.lookup(path).expect(path);
            let value = crate::helm::render::rendered(node, crate::helm::strvals::HelmVersion::V3);
            let location = crate::source::Location::of(&node.origin);
            // The old file's name is `REV:PATH`.
            let crate::source::Location::Span { source, .. } = &location else {
                panic!("{location:?}")
            };
            assert!(r.sources.get(*source).name.starts_with("HEAD:"));
            (value.unwrap_or_default(), place(&r.sources, &location))
        };
        assert_eq!(at("x"), ("1".to_string(), "a.yaml:1:4".to_string()));
        assert_eq!(at("w"), ("2".to_string(), "b.yaml:1:4".to_string()));
        assert!(
            previous.lookup("z").is_none(),
            "a file new since the revision adds nothing"
        );
        let inputs: Vec<String> = r
            .inputs
            .iter()
            .map(|i| {
                format!(
                    "{} {} {}",
                    i.role.as_str(),
                    i.path.starts_with("HEAD:"),
                    crate::model::testing::shown(&i.path)
                )
            })
            .collect();
        assert_eq!(
            inputs,
            ["previous true a.yaml", "previous true b.yaml", "values false a.yaml"]
        );
    }

    #[test]
    fn a_revision_git_cannot_give_is_reported_at_the_base_argument() {
        let d = dir(&[("a.yaml", b"x: 1\n")]);
        git(d.path(), &["init", "--quiet"]);
        let ctx = Context::at_unix(0);
        let limits = Limits::default();
        let mut r = Reader::new(&limits, d.path(), SourceMap::new(), None);
        let rev = arg("--base", "no-such-rev");
        let previous = BaseFiles::start(&r, &ctx, &rev, &[arg("-f", "a.yaml")]).finish(&mut r);
        assert!(previous.as_map().is_some_and(|m| m.iter().count() == 0));
        let found = problems(&r.sources, &r.problems);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("--base no-such-rev: --base no-such-rev: a.yaml "),
            "{found:?}"
        );
    }

    #[test]
    fn a_run_of_many_units_asks_the_batches_and_dot_paths_are_the_same_file() {
        let spec = |base: Option<&str>| UnitSpec {
            base: base.map(|b| arg("--base", b)),
            ..UnitSpec::default()
        };
        let few = BasePrefetch::default();
        few.start_units(&[spec(Some("HEAD")), spec(None)], &Limits::default());
        assert!(!few.batching());
        let many = BasePrefetch::default();
        let specs: Vec<UnitSpec> = (0..=PREFETCH_MAX).map(|_| spec(Some("HEAD"))).collect();
        many.start_units(&specs, &Limits::default());
        assert!(many.batching());
        assert_eq!(same_file_key(Path::new("./a/./b.yaml")), PathBuf::from("a/b.yaml"));
    }
}
