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
    // Walk the path from the real root one component at a time. The real root holds no symbolic
    // link, so a component that is not one keeps the walk inside and costs one `lstat`; only a link
    // is resolved in full. (Resolving the whole path with `canonicalize` instead reads every
    // component from `/` again for every file of every unit.)
    let mut at = root_real.clone();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            // `link/..` is the parent of the link's target, as the kernel reads it.
            Component::ParentDir => {
                at.pop();
                if !at.starts_with(&root_real) {
                    return Some(LINK_OUTSIDE.into());
                }
            }
            Component::Normal(name) => {
                let next = at.join(name);
                if known_directory(&next) {
                    at = next;
                    continue;
                }
                match std::fs::symlink_metadata(&next) {
                    // What does not exist is inside as far as its existing part goes.
                    Err(_) => return None,
                    Ok(meta) if meta.file_type().is_symlink() => match std::fs::canonicalize(&next) {
                        Ok(target) if target.starts_with(&root_real) => at = target,
                        Ok(_) => return Some(LINK_OUTSIDE.into()),
                        // A link to nowhere or a loop: it cannot be read, and it does not stay
                        // inside either.
                        Err(_) => return Some("is a symbolic link that cannot be followed".into()),
                    },
                    Ok(meta) => {
                        if meta.is_dir() {
                            remember_directory(&next);
                        }
                        at = next;
                    }
                }
            }
            Component::RootDir | Component::Prefix(_) => return Some("is an absolute path".into()),
        }
    }
    None
}

const LINK_OUTSIDE: &str = "is a symbolic link (or under one) to a place outside the repository";

/// Real directories (no symbolic link on their path) already walked through this run. The units
/// of a repository share their directories, and each `lstat` reads every component from `/`.
fn directories() -> &'static std::sync::Mutex<std::collections::HashSet<PathBuf>> {
    static SEEN: std::sync::OnceLock<std::sync::Mutex<std::collections::HashSet<PathBuf>>> = std::sync::OnceLock::new();
    SEEN.get_or_init(Default::default)
}

fn known_directory(path: &Path) -> bool {
    directories().lock().is_ok_and(|seen| seen.contains(path))
}

fn remember_directory(path: &Path) {
    if let Ok(mut seen) = directories().lock() {
        seen.insert(path.to_path_buf());
    }
}

/// The real path of `root`, worked out once per run: every file a repository names is confined to
/// the same root, and resolving it costs a `readlink` per component.
fn real(root: &Path) -> Option<PathBuf> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static REAL: OnceLock<Mutex<HashMap<PathBuf, Option<PathBuf>>>> = OnceLock::new();
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    let cache = REAL.get_or_init(Default::default);
    if let Some(known) = cache.lock().ok().and_then(|m| m.get(root).cloned()) {
        return known;
    }
    let resolved = std::fs::canonicalize(root).ok();
    if let Ok(mut m) = cache.lock() {
        m.insert(root.to_path_buf(), resolved.clone());
    }
    resolved
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
        // Through a link that stays inside, then out of it: `..` is the parent of the target.
        std::os::unix::fs::symlink(&root, root.join("deploy/top")).unwrap();
        assert_eq!(escapes(&root, "deploy/top/deploy/values.yaml"), None);
        assert!(
            escapes(&root, "deploy/top/../outside.key")
                .unwrap()
                .contains("symbolic link")
        );
        assert_eq!(
            escapes(&root, "deploy/values.yaml/under-a-file"),
            None,
            "reading says what it is"
        );
    }
}
