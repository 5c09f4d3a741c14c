//! Where rendered reports go: standard output (a closed pipe stops quietly), or a file written whole
//! or not at all (a temporary file in the same directory, then renamed over the target).

use std::io::Write;
use std::path::Path;

/// Write `text` to standard output; a reader that went away (`head`, a closed pipe) is not an error.
pub fn stdout(text: &str) -> std::io::Result<()> {
    stdout_with(|w| w.write_all(text.as_bytes()))
}

/// Write to standard output through `write`; a reader that went away is not an error.
pub fn stdout_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Write to `path` atomically through `write`: readers see the old file or the whole new one. A
/// target that exists and is not a regular file (`/dev/null`, a FIFO, `/dev/stdout`) is written in
/// place: renaming over it would replace the device with a file.
pub fn file_with(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let mut target = std::fs::OpenOptions::new().write(true).open(path)?;
        write(&mut target)?;
        return target.flush();
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".certgate-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
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
