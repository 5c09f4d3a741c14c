//! Paths that a repository names for itself (`certgate.yaml`'s values, certificates, charts,
//! `--set-file` files and rule directories) stay inside the repository: a pull request that points
//! one at `/proc/self/environ`, at `../../secrets/tls.key`, or at a symbolic link to either must
//! not get certgate to read the file and print it. Paths the user types on the command line are
//! the user's own choice and are not confined.

use std::path::{Component, Path, PathBuf};

/// Why `path` (as written in a file under `root`) leaves `root`, or `None` when it stays inside.
/// A path that does not exist is inside as far as its existing part goes (reading it then fails
/// as missing).
pub fn escapes(root: &Path, path: &str) -> Option<String> {
    let p = Path::new(path);
    if p.is_absolute() || p.has_root() {
        return Some("is an absolute path".into());
    }
    let mut depth: usize = 0;
    for c in p.components() {
        match c {
            Component::ParentDir if depth == 0 => return Some("leaves the repository through '..'".into()),
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return Some("is an absolute path".into()),
        }
    }
    let root_real = real(root)?;
    // The longest part of the path that exists, with every symbolic link in it followed.
    let mut existing: PathBuf = root.join(p);
    loop {
        if std::fs::symlink_metadata(&existing).is_ok() {
            break;
        }
        if !existing.pop() {
            return None;
        }
    }
    match std::fs::canonicalize(&existing) {
        Ok(target) if target.starts_with(&root_real) => None,
        Ok(_) => Some("is a symbolic link (or under one) to a place outside the repository".into()),
        // A link to nowhere or a loop: it cannot be read, and it does not stay inside either.
        Err(_) => Some("is a symbolic link that cannot be followed".into()),
    }
}

fn real(root: &Path) -> Option<PathBuf> {
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    std::fs::canonicalize(root).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_parent_and_linked_paths_leave_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("deploy")).unwrap();
        std::fs::write(root.join("deploy/values.yaml"), "a: 1\n").unwrap();
        std::fs::write(dir.path().join("outside.key"), "secret\n").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.key"), root.join("deploy/tls.key")).unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("up")).unwrap();
        std::os::unix::fs::symlink("values.yaml", root.join("deploy/same.yaml")).unwrap();
        std::os::unix::fs::symlink("nowhere", root.join("dangling.yaml")).unwrap();

        assert_eq!(escapes(&root, "deploy/values.yaml"), None);
        assert_eq!(escapes(&root, "./deploy/../deploy/values.yaml"), None);
        assert_eq!(escapes(&root, "deploy/same.yaml"), None, "a link inside the repository");
        assert_eq!(escapes(&root, "deploy/missing.yaml"), None, "missing: reading says so");
        assert!(escapes(&root, "/proc/self/environ").unwrap().contains("absolute"));
        assert!(escapes(&root, "deploy/../../outside.key").unwrap().contains(".."));
        assert!(escapes(&root, "deploy/tls.key").unwrap().contains("symbolic link"));
        assert!(escapes(&root, "up/outside.key").unwrap().contains("symbolic link"));
        assert!(escapes(&root, "up/missing").unwrap().contains("symbolic link"));
        assert!(escapes(&root, "dangling.yaml").unwrap().contains("cannot be followed"));
    }
}
