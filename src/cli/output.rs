//! Where rendered reports go: standard output (a closed pipe stops quietly), or a file written whole
//! or not at all (a temporary file in the same directory, then renamed over the target).

use std::io::Write;
use std::path::Path;

/// Write `text` to standard output; a reader that went away (`head`, a closed pipe) is not an error.
pub fn stdout(text: &str) -> std::io::Result<()> {
    stdout_with(|w| w.write_all(text.as_bytes()))
}

/// Write `text` to standard error (messages, never reports); a closed pipe is not an error.
pub fn stderr(text: &str) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    match err.write_all(text.as_bytes()).and_then(|()| err.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Write to standard output through `write`; a reader that went away is not an error.
pub fn stdout_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Write a report to `target` (a file, atomically, or standard output when `None`) through the
/// output filter: `write` gets the filtering writer, so nothing it writes reaches the target
/// unscrubbed. The error is the sentence the command line prints.
pub fn report_to(
    target: Option<&Path>,
    redactor: &crate::source::secret::Redactor,
    write: impl FnOnce(&mut crate::source::secret::Scrubbed<'_>) -> std::io::Result<()>,
) -> Result<(), String> {
    let through = |w: &mut dyn Write| {
        let mut scrubbed = redactor.writer(w);
        write(&mut scrubbed)?;
        scrubbed.finish()
    };
    match target {
        Some(path) => file_with(path, through).map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => stdout_with(through).map_err(|e| format!("cannot write to standard output: {e}")),
    }
}

/// Write to `path` atomically through `write`: readers see the old file or the whole new one. A
/// target that exists and is not a regular file (`/dev/null`, a FIFO, `/dev/stdout`) is written in
/// place: renaming over it would replace the device with a file.
///
/// The report gets the permissions a shell's `> FILE` would give it: those of the file it
/// replaces, or for a new file 0666 less the umask; not the 0600 of a temporary file, which would
/// hide a CI artifact or an auditor's report from the group that reads it.
pub fn file_with(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let existing = std::fs::metadata(path).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        let mut target = std::fs::OpenOptions::new().write(true).open(path)?;
        write(&mut target)?;
        return target.flush();
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".certgate-").suffix(".tmp");
    #[cfg(unix)]
    if existing.is_none() {
        // Created with this mode, so the kernel takes the umask off it, as for `> FILE`.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    #[cfg(unix)]
    if let Some(old) = existing {
        // Set, not created with: the replaced file's mode, whatever the umask; without set-user-ID,
        // set-group-ID and sticky bits, which a write through `>` would not keep either.
        use std::os::unix::fs::PermissionsExt;
        let mode = old.permissions().mode() & 0o777;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    write(tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Write `text` to `path` atomically: readers see the old file or the whole new one, never a part.
pub fn file(path: &Path, text: &str) -> std::io::Result<()> {
    file_with(path, |w| w.write_all(text.as_bytes()))
}

/// Append `text` to `path` (GitHub's job summary file collects every step's part).
pub fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_is_replaced_whole_and_no_temporary_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        std::fs::write(&target, "old").unwrap();
        file(&target, "new whole report\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new whole report\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_device_or_fifo_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        file(&fifo, "through the pipe\n").unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe\n");
        assert!(
            std::fs::metadata(&fifo).unwrap().file_type().is_fifo(),
            "the FIFO is still a FIFO"
        );
        file(Path::new("/dev/null"), "discarded").unwrap();
        assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
    }

    #[test]
    fn a_missing_directory_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("nope").join("report.json");
        assert!(file(&target, "x").is_err());
        assert!(!target.exists());
    }
}
