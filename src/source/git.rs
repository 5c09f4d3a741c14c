//! Reading files as they were at a git revision (`--base REV`), with the real `git`: the previous
//! desired state in a pull request (`origin/main`) or a pre-commit hook (`HEAD`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

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
}
