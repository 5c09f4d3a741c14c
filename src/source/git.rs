//! Asking the real `git`: files as they were at a revision (`--base REV`: the previous desired
//! state in a pull request, `origin/main`, or a pre-commit hook, `HEAD`), and whether a file is
//! tracked (CG210). One process per file for a few files; [`Batches`] for a run of many.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};

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
    let dir = git_dir(path.parent().unwrap_or(Path::new("")));
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

/// The directory to run git in: `.` for the empty path (a file named without a directory).
fn git_dir(dir: &Path) -> &Path {
    if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }
}

/// `path` (as given, relative to `dir`) in the form a batch can be asked about surely: plain names
/// only, under `dir` and in its repository. `None` for an absolute path, `..` (git resolves it by
/// the text, the file system through symbolic links), a name a request line cannot carry, a
/// directory on the way that is a symbolic link, holds a repository of its own, or is missing.
pub fn batch_path(dir: &Path, path: &str) -> Option<String> {
    if path.contains(['\n', '\r', '\0']) {
        return None;
    }
    let mut names = Vec::new();
    for part in Path::new(path).components() {
        match part {
            Component::Normal(name) => names.push(name.to_str()?),
            Component::CurDir => {}
            _ => return None,
        }
    }
    let (_file, dirs) = names.split_last()?;
    let mut here = dir.to_path_buf();
    for name in dirs {
        here.push(name);
        let is_plain_dir = std::fs::symlink_metadata(&here).is_ok_and(|m| m.is_dir());
        if !is_plain_dir || std::fs::symlink_metadata(here.join(".git")).is_ok() {
            return None;
        }
    }
    Some(names.join("/"))
}

/// One `git cat-file --batch` process, asked about many files: a CI run over a large repository
/// asks about a file or two per release unit, and each git start costs milliseconds (10,000 units
/// took half a minute with a git process per file). Paths are relative to the directory git runs
/// in (`REV:./PATH`, `:./PATH`) and must come from [`batch_path`].
///
/// The batch answers only what it can answer surely; anything else (a path git does not have, an
/// unknown revision, not a repository, git gone) is `None`, and the caller asks the per-file
/// functions ([`show`], [`tracked`]), whose answers say why.
pub struct Batch {
    child: Option<Child>,
    io: Option<(ChildStdin, BufReader<ChildStdout>)>,
    /// Whether each revision asked about names a commit, once known.
    commits: HashMap<String, bool>,
    /// The tree of the batch's directory at each revision asked about (`None`: not there).
    roots: HashMap<String, Option<String>>,
    /// Trees read so far, by object id: a path is looked up by walking them, so that a
    /// directory of 10,000 units is read once, not once per file (git walks it per request).
    trees: HashMap<String, Tree>,
}

/// A tree's entries: name, then mode and object id (hex).
type Tree = HashMap<Vec<u8>, (u32, String)>;

/// The largest tree the batch reads (a directory of about a million entries).
const TREE_LIMIT: u64 = 64 << 20;

/// What git printed for one object name.
enum Reply {
    Missing,
    /// The object's id (hex) and type, and its content when it was kept (not over the limit).
    Found {
        oid: String,
        kind: String,
        body: Option<Vec<u8>>,
    },
}

impl Batch {
    /// Start git in `dir`. Starting never fails: a batch that could not start answers `None`.
    pub fn start(dir: &Path) -> Batch {
        let child = Command::new("git")
            .arg("-C")
            .arg(git_dir(dir))
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let (child, io) = match child {
            Ok(mut child) => {
                let io = child.stdin.take().zip(child.stdout.take().map(BufReader::new));
                (Some(child), io)
            }
            Err(_) => (None, None),
        };
        Batch {
            child,
            io,
            commits: HashMap::new(),
            roots: HashMap::new(),
            trees: HashMap::new(),
        }
    }

    /// What [`show`] answers for `REV:./path`: the blob (`Some(Ok(Some(bytes)))`), no such file
    /// at a revision that exists (`Some(Ok(None))`, a new file), an error for a blob over `limit`
    /// or a revision that does not exist; `None` when the batch cannot say (then [`show`] can).
    pub fn blob(&mut self, rev: &str, path: &str, limit: u64) -> Option<Result<Option<Vec<u8>>, String>> {
        if rev.contains(['\n', '\r', '\0']) {
            return None;
        }
        let names: Vec<&str> = path.split('/').collect();
        let (file, dirs) = names.split_last()?;
        let Some(mut tree) = self.root(rev)? else {
            return self.not_there(rev);
        };
        for name in dirs {
            match self.entry(&tree, name)? {
                Some((0o40000, oid)) => tree = oid,
                // A file or a submodule where a directory should be: `show` says what git says.
                Some(_) => return None,
                None => return self.not_there(rev),
            }
        }
        let oid = match self.entry(&tree, file)? {
            // A regular or executable file, or a symbolic link (its target, as `show` prints it).
            Some((mode, oid)) if mode >> 12 == 0o10 || mode >> 12 == 0o12 => oid,
            Some(_) => return None,
            None => return self.not_there(rev),
        };
        match self.ask(&oid, limit)? {
            Reply::Found {
                kind, body: Some(body), ..
            } if kind == "blob" => Some(Ok(Some(body))),
            Reply::Found { kind, .. } if kind == "blob" => {
                Some(Err(format!("is larger than the limit of {limit} bytes at {rev}")))
            }
            Reply::Found { .. } | Reply::Missing => None,
        }
    }

    /// No such path at `rev`: a new file when `rev` is a commit, else not a revision (as `show`).
    fn not_there(&mut self, rev: &str) -> Option<Result<Option<Vec<u8>>, String>> {
        match self.is_commit(rev)? {
            true => Some(Ok(None)),
            false => Some(Err(format!("{rev:?} is not a revision of this repository"))),
        }
    }

    /// The id of the tree of the batch's directory at `rev` (`REV:./`), `Some(None)` when there
    /// is none (the directory is new, or `rev` is not a revision).
    fn root(&mut self, rev: &str) -> Option<Option<String>> {
        if let Some(known) = self.roots.get(rev) {
            return Some(known.clone());
        }
        let root = self.read_tree(&format!("{rev}:./"))?;
        self.roots.insert(rev.to_string(), root.clone());
        Some(root)
    }

    /// The entry `name` of tree `oid` (read once), `Some(None)` when it has none.
    fn entry(&mut self, oid: &str, name: &str) -> Option<Option<(u32, String)>> {
        if !self.trees.contains_key(oid) {
            self.read_tree(oid)??;
        }
        Some(self.trees.get(oid)?.get(name.as_bytes()).cloned())
    }

    /// Read the tree git names `name` into the cache: its id, `Some(None)` when git has no such
    /// object, `None` when it is not a tree or the batch cannot say.
    fn read_tree(&mut self, name: &str) -> Option<Option<String>> {
        match self.ask(name, TREE_LIMIT)? {
            Reply::Found {
                oid,
                kind,
                body: Some(body),
            } if kind == "tree" => {
                let tree = parse_tree(&body, oid.len() / 2)?;
                self.trees.insert(oid.clone(), tree);
                Some(Some(oid))
            }
            Reply::Found { .. } => None,
            Reply::Missing => Some(None),
        }
    }

    /// Whether `rev` names a commit (`REV^{commit}`), asked once per revision.
    fn is_commit(&mut self, rev: &str) -> Option<bool> {
        if let Some(known) = self.commits.get(rev) {
            return Some(*known);
        }
        let commit = matches!(
            self.ask(&format!("{rev}^{{commit}}"), 0)?,
            Reply::Found { kind, .. } if kind == "commit"
        );
        self.commits.insert(rev.to_string(), commit);
        Some(commit)
    }

    /// Whether `path` is in git's index, at any stage (a file in a merge conflict is tracked too):
    /// what `git ls-files --error-unmatch` answers. `None` when the batch cannot say.
    pub fn in_index(&mut self, path: &str) -> Option<bool> {
        for stage in ["", "1:", "2:", "3:"] {
            if let Reply::Found { .. } = self.ask(&format!(":{stage}./{path}"), 0)? {
                return Some(true);
            }
        }
        Some(false)
    }

    /// Ask for one object; `None` when the process is gone or out of step (then for good).
    fn ask(&mut self, name: &str, keep_up_to: u64) -> Option<Reply> {
        let reply = self.exchange(name, keep_up_to);
        if reply.is_err() {
            self.io = None;
        }
        reply.ok()
    }

    fn exchange(&mut self, name: &str, keep_up_to: u64) -> std::io::Result<Reply> {
        let broken = || std::io::Error::other("git cat-file --batch stopped");
        let (stdin, stdout) = self.io.as_mut().ok_or_else(broken)?;
        stdin.write_all(format!("{name}\n").as_bytes())?;
        stdin.flush()?;
        let mut header = String::new();
        if stdout.read_line(&mut header)? == 0 {
            return Err(broken());
        }
        // `<oid> <type> <size>`, or `<name> missing` / `<name> ambiguous` with nothing after it.
        let mut words = header.trim_end().rsplitn(3, ' ');
        let (Some(size), Some(kind), oid) = (words.next(), words.next(), words.next()) else {
            return Err(broken());
        };
        let Ok(size) = size.parse::<u64>() else {
            return if matches!(size, "missing" | "ambiguous") {
                Ok(Reply::Missing)
            } else {
                Err(broken())
            };
        };
        // The content and its closing line break are read whatever is done with them.
        let mut content = stdout.take(size);
        let body = if size <= keep_up_to {
            let mut body = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            content.read_to_end(&mut body)?;
            if body.len() as u64 != size {
                return Err(broken());
            }
            Some(body)
        } else {
            std::io::copy(&mut content, &mut std::io::sink())?;
            None
        };
        let mut end = [0u8; 1];
        stdout.read_exact(&mut end)?;
        if end != *b"\n" {
            return Err(broken());
        }
        Ok(Reply::Found {
            oid: oid.unwrap_or_default().to_string(),
            kind: kind.to_string(),
            body,
        })
    }
}

/// A tree object's entries (`MODE NAME\0OID`, the id in `hash_len` raw bytes); `None` when it
/// is not what git writes.
fn parse_tree(mut body: &[u8], hash_len: usize) -> Option<Tree> {
    if hash_len == 0 {
        return None;
    }
    let mut tree = Tree::new();
    while !body.is_empty() {
        let space = body.iter().position(|&b| b == b' ')?;
        let mode = u32::from_str_radix(std::str::from_utf8(&body[..space]).ok()?, 8).ok()?;
        let rest = &body[space + 1..];
        let nul = rest.iter().position(|&b| b == 0)?;
        let name = rest[..nul].to_vec();
        let oid = super::files::hex(rest.get(nul + 1..nul + 1 + hash_len)?);
        tree.insert(name, (mode, oid));
        body = &rest[nul + 1 + hash_len..];
    }
    Some(tree)
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

/// The run's batch processes, one per directory units are read from, started on first use. At
/// most [`Batches::ALIVE`] run at once (the least recently used one ends for a new one), so that
/// a run over hundreds of directories does not hold hundreds of processes and pipes open.
#[derive(Default)]
pub struct Batches(Mutex<Vec<(PathBuf, Arc<Mutex<Batch>>)>>);

impl std::fmt::Debug for Batches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Batches")
    }
}

impl Batches {
    pub const ALIVE: usize = 8;

    /// `ask` the batch of `dir`; the pool is locked only to find it, the batch while it answers.
    pub fn with<T>(&self, dir: &Path, ask: impl FnOnce(&mut Batch) -> Option<T>) -> Option<T> {
        let (batch, ended) = {
            let mut pool = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            let batch = match pool.iter().position(|(d, _)| d == dir) {
                Some(i) => pool.remove(i).1,
                None => Arc::new(Mutex::new(Batch::start(dir))),
            };
            pool.insert(0, (dir.to_path_buf(), Arc::clone(&batch)));
            let keep = pool.len().min(Self::ALIVE);
            let ended = pool.split_off(keep);
            (batch, ended)
        };
        // An ended batch is waited for outside the pool's lock (or by whoever still asks it).
        drop(ended);
        let mut batch = batch.lock().unwrap_or_else(PoisonError::into_inner);
        ask(&mut batch)
    }
}

/// Whether git tracks `path` (false outside a repository or when git is missing).
pub fn tracked(path: &Path) -> bool {
    let dir = git_dir(path.parent().unwrap_or(Path::new("")));
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

    /// An empty repository on branch main that can commit.
    fn repository() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q", "-b", "main"]);
        git(dir.path(), &["config", "user.email", "t@example.com"]);
        git(dir.path(), &["config", "user.name", "t"]);
        dir
    }

    #[test]
    fn reads_a_file_at_a_revision() {
        let dir = repository();
        let d = dir.path();
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
    fn a_batch_answers_as_show_does_or_not_at_all() {
        let dir = repository();
        let d = dir.path();
        std::fs::create_dir(d.join("deploy")).unwrap();
        std::fs::write(d.join("deploy/v.yaml"), "a: 1\n").unwrap();
        std::fs::write(d.join("deploy/big.yaml"), "b: 12345678901234567890\n").unwrap();
        std::fs::write(d.join("deploy/empty.yaml"), "").unwrap();
        git(d, &["add", "."]);
        git(d, &["commit", "-qm", "base"]);
        std::fs::write(d.join("deploy/v.yaml"), "a: 2\n").unwrap();

        let mut batch = Batch::start(d);
        assert_eq!(
            batch.blob("HEAD", "deploy/v.yaml", 100),
            Some(Ok(Some(b"a: 1\n".to_vec())))
        );
        assert_eq!(batch.blob("HEAD", "deploy/empty.yaml", 100), Some(Ok(Some(Vec::new()))));
        // Over the limit: said so, and the content is skipped, so the next answer is in step.
        let big = batch.blob("HEAD", "deploy/big.yaml", 10).unwrap().unwrap_err();
        assert!(big.contains("limit of 10 bytes at HEAD"), "{big}");
        assert_eq!(
            batch.blob("HEAD", "deploy/v.yaml", 100),
            Some(Ok(Some(b"a: 1\n".to_vec())))
        );
        // A new file and an unknown revision: what `show` says about them.
        for (rev, path) in [
            ("HEAD", "deploy/new.yaml"),
            ("nope", "deploy/v.yaml"),
            ("nope", "deploy/new.yaml"),
        ] {
            assert_eq!(
                batch.blob(rev, path, 100),
                Some(show(rev, &d.join(path), 100)),
                "{rev}:{path}"
            );
        }
        assert_eq!(batch.blob("HEAD", "deploy/new.yaml", 100), Some(Ok(None)));
        // Not surely what `show` says: a directory, a name git would read differently.
        assert_eq!(batch.blob("HEAD", "deploy", 100), None);
        assert_eq!(batch.blob("HEAD\0", "deploy/v.yaml", 100), None);
        assert_eq!(
            batch.blob("HEAD", "deploy/v.yaml", 100),
            Some(Ok(Some(b"a: 1\n".to_vec())))
        );

        // Outside a repository git stops at once: every question is left to `show`.
        let outside = tempfile::tempdir().unwrap();
        let mut lost = Batch::start(outside.path());
        assert_eq!(lost.blob("HEAD", "v.yaml", 100), None);
        assert_eq!(lost.blob("HEAD", "v.yaml", 100), None);
    }

    /// The batch walks the trees itself (each read once): what it answers is what `show` says.
    #[test]
    fn the_batch_walks_trees_as_git_does() {
        let dir = repository();
        let d = dir.path();
        for i in 0..40 {
            std::fs::create_dir_all(d.join(format!("units/u{i}/deep"))).unwrap();
            std::fs::write(d.join(format!("units/u{i}/values.yaml")), format!("u: {i}\n")).unwrap();
            std::fs::write(d.join(format!("units/u{i}/deep/v.yaml")), format!("d: {i}\n")).unwrap();
        }
        std::os::unix::fs::symlink("units/u1/values.yaml", d.join("link.yaml")).unwrap();
        std::fs::write(d.join("run.sh"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(d.join("run.sh"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        git(d, &["add", "."]);
        git(d, &["commit", "-qm", "base"]);
        std::fs::write(d.join("units/u2/values.yaml"), "u: changed\n").unwrap();
        git(d, &["commit", "-qam", "second"]);
        // New since: files in directories that exist only in the working tree.
        std::fs::create_dir_all(d.join("units/u40")).unwrap();
        std::fs::create_dir_all(d.join("missing")).unwrap();

        let mut batch = Batch::start(d);
        let mut under_units = Batch::start(&d.join("units"));
        for rev in ["HEAD", "HEAD~1", "nope"] {
            for path in [
                "units/u0/values.yaml",
                "units/u2/values.yaml",
                "units/u39/deep/v.yaml",
                "units/u40/values.yaml",
                "link.yaml",
                "run.sh",
                "missing/x.yaml",
            ] {
                assert!(batch_path(d, path).is_some(), "{path}");
                let shown = show(rev, &d.join(path), 100);
                assert_eq!(batch.blob(rev, path, 100), Some(shown), "{rev}:{path}");
            }
            let shown = show(rev, &d.join("units/u7/deep/v.yaml"), 100);
            assert_eq!(
                under_units.blob(rev, "u7/deep/v.yaml", 100),
                Some(shown),
                "{rev}, from units/"
            );
        }
        assert_eq!(
            batch.blob("HEAD~1", "units/u2/values.yaml", 100),
            Some(Ok(Some(b"u: 2\n".to_vec())))
        );
        assert_eq!(
            batch.blob("HEAD", "link.yaml", 100),
            Some(Ok(Some(b"units/u1/values.yaml".to_vec())))
        );
        // Each tree was read once: the two roots, `units`, and the unit directories asked about.
        assert!(batch.trees.len() <= 2 + 2 * 6, "{}", batch.trees.len());
    }

    #[test]
    fn batch_paths_are_plain_names_in_the_directory_s_repository() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        std::fs::create_dir_all(d.join("nested/.git")).unwrap();
        std::os::unix::fs::symlink(d.join("a"), d.join("link")).unwrap();
        assert_eq!(batch_path(d, "v.yaml").as_deref(), Some("v.yaml"));
        assert_eq!(batch_path(d, "./a/./b/v.yaml").as_deref(), Some("a/b/v.yaml"));
        assert_eq!(batch_path(Path::new(""), "v.yaml").as_deref(), Some("v.yaml"));
        for unsure in [
            "a/../v.yaml",
            "/etc/v.yaml",
            "link/v.yaml",
            "nested/v.yaml",
            "missing/v.yaml",
            "a/v\0.yaml",
            "a/v\n.yaml",
            "",
            ".",
        ] {
            assert_eq!(batch_path(d, unsure), None, "{unsure:?}");
        }
    }

    #[test]
    fn the_index_answers_as_ls_files_does() {
        let dir = repository();
        let d = dir.path();
        std::fs::create_dir_all(d.join("a")).unwrap();
        std::fs::write(d.join("a/tracked.yaml"), "x: 1\n").unwrap();
        std::fs::write(d.join("a/conflict.yaml"), "x: 1\n").unwrap();
        std::fs::write(d.join("name with space.yaml"), "x: 1\n").unwrap();
        git(d, &["add", "."]);
        git(d, &["commit", "-qm", "base"]);
        // A merge conflict: the file is in the index only at stages 1 to 3.
        git(d, &["checkout", "-qb", "other"]);
        std::fs::write(d.join("a/conflict.yaml"), "x: 2\n").unwrap();
        git(d, &["commit", "-qam", "other"]);
        git(d, &["checkout", "-q", "main"]);
        std::fs::write(d.join("a/conflict.yaml"), "x: 3\n").unwrap();
        git(d, &["commit", "-qam", "main"]);
        let merge = Command::new("git")
            .arg("-C")
            .arg(d)
            .args(["merge", "-q", "other"])
            .output()
            .unwrap();
        assert!(!merge.status.success(), "a conflict");
        std::fs::write(d.join("a/untracked.yaml"), "x: 1\n").unwrap();

        let mut batch = Batch::start(d);
        for (path, expected) in [
            ("a/tracked.yaml", true),
            ("a/conflict.yaml", true),
            ("name with space.yaml", true),
            ("a/untracked.yaml", false),
            ("a/missing.yaml", false),
        ] {
            assert_eq!(batch.in_index(path), Some(expected), "{path}");
            assert_eq!(tracked(&d.join(path)), expected, "{path}, asked alone");
        }
        // Outside a repository the batch cannot say.
        let outside = tempfile::tempdir().unwrap();
        assert_eq!(Batch::start(outside.path()).in_index("v.yaml"), None);
    }

    #[test]
    fn batches_end_the_least_recently_used_beyond_the_limit() {
        let dirs: Vec<tempfile::TempDir> = (0..=Batches::ALIVE).map(|_| tempfile::tempdir().unwrap()).collect();
        let batches = Batches::default();
        for d in &dirs {
            git(d.path(), &["init", "-q"]);
            assert_eq!(batches.with(d.path(), |b| b.in_index("v.yaml")), Some(false));
        }
        let alive: Vec<PathBuf> = batches.0.lock().unwrap().iter().map(|(d, _)| d.clone()).collect();
        assert_eq!(alive.len(), Batches::ALIVE);
        assert!(!alive.contains(&dirs[0].path().to_path_buf()), "the first one ended");
        assert_eq!(alive[0], dirs[Batches::ALIVE].path(), "the last one asked comes first");
        // An ended one starts again when asked.
        assert_eq!(batches.with(dirs[0].path(), |b| b.in_index("v.yaml")), Some(false));
    }
}
