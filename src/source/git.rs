//! Reading files as they were at a git revision (`--base REV`), with the real `git`: the previous
//! desired state in a pull request (`origin/main`) or a pre-commit hook (`HEAD`).

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The content of `path` at `rev`, `Ok(None)` when the file did not exist there (a new file), or
/// the reason git could not answer (not a repository, an unknown revision).
pub fn show(rev: &str, path: &Path, limit: u64) -> Result<Option<Vec<u8>>, String> {
    start_show(rev, path, limit).wait()
}

/// A `show` under way: git runs while the caller does other work (a pre-commit run reads its
/// values and certificates meanwhile, instead of waiting the milliseconds a git start takes).
pub struct PendingShow {
    child: Result<Child, String>,
    dir: PathBuf,
    rev: String,
    limit: u64,
}

/// Start reading `path` at `rev`; [`PendingShow::wait`] gives what [`show`] gives.
pub fn start_show(rev: &str, path: &Path, limit: u64) -> PendingShow {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `REV:./NAME` is relative to the directory git runs in. One process when the file is there
    // (the pre-commit case: each git start costs milliseconds); only a failure asks git why, so
    // that "unknown revision" and "no such file there" differ.
    let child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["cat-file", "-p", &format!("{rev}:./{name}")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"));
    PendingShow {
        child,
        dir: dir.to_path_buf(),
        rev: rev.to_string(),
        limit,
    }
}

impl PendingShow {
    /// The file's content, `Ok(None)` for a file new since the revision, or why git could not say.
    pub fn wait(self) -> Result<Option<Vec<u8>>, String> {
        let PendingShow { child, dir, rev, limit } = self;
        let out = child?.wait_with_output().map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            let verify = Command::new("git")
                .arg("-C")
                .arg(&dir)
                .args(["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
                .output()
                .map_err(|e| format!("cannot run git: {e}"))?;
            if verify.status.success() {
                return Ok(None);
            }
            let inside = Command::new("git")
                .arg("-C")
                .arg(&dir)
                .args(["rev-parse", "--git-dir"])
                .output();
            return Err(match inside {
                Ok(o) if o.status.success() => format!("{rev:?} is not a revision of this repository"),
                _ => format!("{} is not inside a git repository", dir.display()),
            });
        }
        if out.stdout.len() as u64 > limit {
            return Err(format!("is larger than the limit of {limit} bytes at {rev}"));
        }
        Ok(Some(out.stdout))
    }
}

/// Many files at revisions, through one `git cat-file --batch` process: a CI run over a large
/// repository asks for a file or two per release unit, and each git start costs milliseconds
/// (10,000 units took half a minute with one `git cat-file -p` each).
///
/// Paths are relative to the directory git runs in (`REV:./PATH`). The batch answers only what
/// it can answer surely: a blob. Anything else (no such path, a directory, an unknown revision,
/// not a repository, git gone) is `None`, and the caller asks [`show`], whose answer says why.
pub struct Batch {
    child: Option<Child>,
    io: Option<(ChildStdin, BufReader<ChildStdout>)>,
}

impl Batch {
    /// Start git in `dir`. Starting never fails: a batch that could not start answers `None`.
    pub fn start(dir: &Path) -> Batch {
        let child = Command::new("git")
            .arg("-C")
            .arg(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            })
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        match child {
            Ok(mut child) => {
                let io = child.stdin.take().zip(child.stdout.take().map(BufReader::new));
                Batch { child: Some(child), io }
            }
            Err(_) => Batch { child: None, io: None },
        }
    }

    /// The blob at `REV:./path`: `Some(Ok(bytes))`, `Some(Err(..))` when it is over `limit`, or
    /// `None` when the batch cannot say (see [`Batch`]).
    pub fn blob(&mut self, rev: &str, path: &str, limit: u64) -> Option<Result<Vec<u8>, String>> {
        // One object name per line: a name with a line break cannot be asked.
        if rev.contains(['\n', '\r']) || path.contains(['\n', '\r']) {
            return None;
        }
        let answer = self.ask(rev, path, limit);
        if answer.is_err() {
            // The stream is out of step or git is gone: ask nothing more of this process.
            self.io = None;
        }
        answer.ok().flatten()
    }

    fn ask(&mut self, rev: &str, path: &str, limit: u64) -> std::io::Result<Option<Result<Vec<u8>, String>>> {
        let broken = || std::io::Error::other("git cat-file --batch stopped");
        let (stdin, stdout) = self.io.as_mut().ok_or_else(broken)?;
        stdin.write_all(format!("{rev}:./{path}\n").as_bytes())?;
        stdin.flush()?;
        let mut header = String::new();
        if stdout.read_line(&mut header)? == 0 {
            return Err(broken());
        }
        // `<oid> <type> <size>`, or `<name> missing` / `<name> ambiguous` with nothing after it.
        let mut words = header.trim_end().rsplitn(3, ' ');
        let (Some(size), Some(kind)) = (words.next(), words.next()) else {
            return Err(broken());
        };
        let Ok(size) = size.parse::<u64>() else {
            return if matches!(size, "missing" | "ambiguous") {
                Ok(None)
            } else {
                Err(broken())
            };
        };
        // The content and its closing line break are read whatever is done with them.
        let mut body = Vec::new();
        let keep = kind == "blob" && size <= limit;
        if keep {
            body.reserve_exact(usize::try_from(size).unwrap_or(0));
            stdout.take(size).read_to_end(&mut body)?;
        } else {
            std::io::copy(&mut stdout.take(size), &mut std::io::sink())?;
        }
        let mut end = [0u8; 1];
        stdout.read_exact(&mut end)?;
        if end != *b"\n" || (keep && body.len() as u64 != size) {
            return Err(broken());
        }
        Ok(match (kind, keep) {
            ("blob", true) => Some(Ok(body)),
            ("blob", false) => Some(Err(format!("is larger than the limit of {limit} bytes at {rev}"))),
            _ => None,
        })
    }
}

impl Drop for Batch {
    /// git ends when its input closes; it is waited for so that no process outlives the run.
    fn drop(&mut self) {
        self.io = None;
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        }
    }
}

/// Whether git tracks `path` (false outside a repository or when git is missing).
pub fn tracked(path: &Path) -> bool {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["ls-files", "--error-unmatch", "--", &name])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Which files git tracks, for a run of many units: [`tracked`] starts git once per file, and a
/// run over thousands of units that keep their key in a values file (CG210) cannot afford that.
/// The first few files are asked one by one (a one-unit run should not list a whole repository);
/// after them, each base directory's tracked files are listed once (`git ls-files -z`).
#[derive(Debug, Default)]
pub struct Tracked {
    asked: AtomicUsize,
    /// By directory: its tracked files relative to it, or `None` when git could not list them.
    lists: Mutex<HashMap<PathBuf, Option<HashSet<PathBuf>>>>,
}

impl Tracked {
    /// How many files are asked one by one before the lists are used.
    pub const ONE_BY_ONE: usize = 4;

    /// Whether git tracks `path` (as given, relative to `base_dir`), as [`tracked`] answers it.
    pub fn is_tracked(&self, base_dir: &Path, path: &str) -> bool {
        let full = if base_dir.as_os_str().is_empty() {
            PathBuf::from(path)
        } else {
            base_dir.join(path)
        };
        if self.asked.fetch_add(1, Ordering::Relaxed) < Self::ONE_BY_ONE {
            return tracked(&full);
        }
        match self.listed(base_dir, path) {
            Some(answer) => answer,
            None => tracked(&full),
        }
    }

    /// The list's answer, when it is sure: a listed file is tracked; an unlisted one is not,
    /// unless a repository nested below `base_dir` holds it (its own `git` run then says).
    fn listed(&self, base_dir: &Path, path: &str) -> Option<bool> {
        let mut relative = PathBuf::new();
        for part in Path::new(path).components() {
            match part {
                Component::Normal(p) => relative.push(p),
                Component::CurDir => {}
                _ => return None,
            }
        }
        let mut lists = self.lists.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let list = lists
            .entry(base_dir.to_path_buf())
            .or_insert_with(|| list_tracked(base_dir));
        if list.as_ref()?.contains(&relative) {
            return Some(true);
        }
        let mut dir = base_dir.to_path_buf();
        for part in relative.parent()?.components() {
            dir.push(part);
            if dir.join(".git").exists() {
                return None;
            }
        }
        Some(false)
    }
}

/// The files git tracks under `dir`, relative to it.
fn list_tracked(dir: &Path) -> Option<HashSet<PathBuf>> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["ls-files", "-z"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    Some(
        out.stdout
            .split(|&b| b == 0)
            .filter(|name| !name.is_empty())
            .map(|name| PathBuf::from(String::from_utf8_lossy(name).into_owned()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git").arg("-C").arg(dir).args(args).output().unwrap();
        assert!(
            ok.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
    }

    #[test]
    fn reads_a_file_at_a_revision() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q"]);
        git(d, &["config", "user.email", "t@example.com"]);
        git(d, &["config", "user.name", "t"]);
        std::fs::create_dir(d.join("deploy")).unwrap();
        std::fs::write(d.join("deploy/v.yaml"), "a: 1\n").unwrap();
        git(d, &["add", "."]);
        git(d, &["commit", "-qm", "base"]);
        std::fs::write(d.join("deploy/v.yaml"), "a: 2\n").unwrap();
        assert_eq!(
            show("HEAD", &d.join("deploy/v.yaml"), 100).unwrap(),
            Some(b"a: 1\n".to_vec())
        );
        assert_eq!(show("HEAD", &d.join("deploy/new.yaml"), 100).unwrap(), None);
        assert!(
            show("nope", &d.join("deploy/v.yaml"), 100)
                .unwrap_err()
                .contains("not a revision")
        );
        assert!(show("HEAD", &d.join("deploy/v.yaml"), 2).unwrap_err().contains("limit"));
        let outside = tempfile::tempdir().unwrap();
        assert!(
            show("HEAD", &outside.path().join("v.yaml"), 100)
                .unwrap_err()
                .contains("not inside")
        );
    }

    #[test]
    fn a_batch_answers_blobs_and_leaves_the_rest_to_show() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q"]);
        git(d, &["config", "user.email", "t@example.com"]);
        git(d, &["config", "user.name", "t"]);
        std::fs::create_dir(d.join("deploy")).unwrap();
        std::fs::write(d.join("deploy/v.yaml"), "a: 1\n").unwrap();
        std::fs::write(d.join("deploy/big.yaml"), "b: 12345678901234567890\n").unwrap();
        std::fs::write(d.join("deploy/empty.yaml"), "").unwrap();
        git(d, &["add", "."]);
        git(d, &["commit", "-qm", "base"]);
        std::fs::write(d.join("deploy/v.yaml"), "a: 2\n").unwrap();

        let mut batch = Batch::start(d);
        assert_eq!(batch.blob("HEAD", "deploy/v.yaml", 100), Some(Ok(b"a: 1\n".to_vec())));
        assert_eq!(
            batch.blob("HEAD", "deploy/../deploy/v.yaml", 100),
            Some(Ok(b"a: 1\n".to_vec()))
        );
        assert_eq!(batch.blob("HEAD", "deploy/empty.yaml", 100), Some(Ok(Vec::new())));
        // Over the limit: said so, and the content is skipped, so the next answer is in step.
        let big = batch.blob("HEAD", "deploy/big.yaml", 10).unwrap().unwrap_err();
        assert!(big.contains("limit of 10 bytes at HEAD"), "{big}");
        assert_eq!(batch.blob("HEAD", "deploy/v.yaml", 100), Some(Ok(b"a: 1\n".to_vec())));
        // Not surely a blob: a new file, a directory, an unknown revision, a name on two lines.
        assert_eq!(batch.blob("HEAD", "deploy/new.yaml", 100), None);
        assert_eq!(batch.blob("HEAD", "deploy", 100), None);
        assert_eq!(batch.blob("nope", "deploy/v.yaml", 100), None);
        assert_eq!(batch.blob("HEAD", "deploy/v.yaml\nHEAD:./deploy/big.yaml", 100), None);
        assert_eq!(batch.blob("HEAD", "deploy/v.yaml", 100), Some(Ok(b"a: 1\n".to_vec())));

        // Outside a repository git stops at once: every question is left to `show`.
        let outside = tempfile::tempdir().unwrap();
        let mut lost = Batch::start(outside.path());
        assert_eq!(lost.blob("HEAD", "v.yaml", 100), None);
        assert_eq!(lost.blob("HEAD", "v.yaml", 100), None);
    }

    #[test]
    fn tracked_files_listed_once_answer_as_each_file_asked_alone() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q"]);
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        std::fs::create_dir_all(d.join("nested")).unwrap();
        for f in [
            "top.yaml",
            "a/b/deep.yaml",
            "a/untracked.yaml",
            "nested/inner.yaml",
            "name with space.yaml",
        ] {
            std::fs::write(d.join(f), "x: 1\n").unwrap();
        }
        git(d, &["add", "top.yaml", "a/b/deep.yaml", "name with space.yaml"]);
        git(&d.join("nested"), &["init", "-q"]);
        git(&d.join("nested"), &["add", "inner.yaml"]);

        let cache = Tracked::default();
        for _ in 0..Tracked::ONE_BY_ONE {
            assert!(cache.is_tracked(d, "top.yaml"));
        }
        let asked = [
            ("top.yaml", true),
            ("./a/b/deep.yaml", true),
            ("a/./b/deep.yaml", true),
            ("name with space.yaml", true),
            ("a/untracked.yaml", false),
            ("a/missing.yaml", false),
            // In a repository of its own: the list cannot say, the file's own git run does.
            ("nested/inner.yaml", true),
            // Outside the listed directory: asked alone.
            ("a/../top.yaml", true),
        ];
        for (path, expected) in asked {
            assert_eq!(cache.is_tracked(d, path), expected, "{path}");
            assert_eq!(tracked(&d.join(path)), expected, "{path}, asked alone");
        }
        assert_eq!(cache.lists.lock().unwrap().len(), 1);
        // Outside any repository: nothing is tracked.
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("v.yaml"), "x: 1\n").unwrap();
        assert!(!cache.is_tracked(outside.path(), "v.yaml"));
    }
}
