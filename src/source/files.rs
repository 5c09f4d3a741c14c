//! Reading input files with limits: a file is read whole, at most `limit` bytes, or not at all, and
//! every way it can fail is a typed error that becomes a CG001 finding, never a panic.

use std::fmt;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Missing,
    Directory,
    /// A FIFO, socket or device: reading one may wait forever or never end.
    NotRegular,
    TooLarge {
        limit: u64,
    },
    /// Permission denied or any other I/O error, with the system's words.
    Io(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Missing => write!(f, "no such file"),
            ReadError::Directory => write!(f, "is a directory, not a file"),
            ReadError::NotRegular => write!(f, "is not a regular file (a FIFO, socket or device)"),
            ReadError::TooLarge { limit } => write!(f, "is larger than the limit of {} bytes", limit),
            ReadError::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

/// Whether `meta` is of a file certgate reads: a regular file (a symbolic link is followed first).
fn regular(meta: &std::fs::Metadata) -> Result<(), ReadError> {
    if meta.is_dir() {
        Err(ReadError::Directory)
    } else if meta.is_file() {
        Ok(())
    } else {
        Err(ReadError::NotRegular)
    }
}

/// Read at most `limit` bytes of `path`; a longer file is an error, not a truncated read.
///
/// Only regular files are read: opening a FIFO waits until something writes to it (fifo(7)), and a
/// device may never end or have side effects when opened. The kind is checked by name before
/// opening, and again on the opened handle, since the name may have been replaced in between;
/// `O_NONBLOCK` makes that open return at once even if a FIFO took the name (open(2): "O_RDONLY
/// ... with O_NONBLOCK: open() returns without delay"), and changes nothing for a regular file.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    use std::os::unix::fs::OpenOptionsExt;
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::Missing,
        _ => ReadError::Io(e.to_string()),
    };
    regular(&std::fs::metadata(path).map_err(io)?)?;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(io)?;
    let meta = file.metadata().map_err(|e| ReadError::Io(e.to_string()))?;
    regular(&meta)?;
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    // `take` bounds a file that grows while it is read.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| match e.raw_os_error() {
            Some(21) => ReadError::Directory,
            _ => ReadError::Io(e.to_string()),
        })?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of `bytes` (a digest, a serial number). Every input file of a run has its digest
/// printed, so this is on the hot path: no formatting machinery per byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// The text of `bytes` if it is UTF-8 (a leading byte-order mark is dropped), or the byte offset of
/// the first invalid sequence.
pub fn utf8_text(bytes: Vec<u8>) -> Result<String, usize> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| e.utf8_error().valid_up_to())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_within_the_limit_and_refuses_past_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v.yaml");
        std::fs::write(&p, b"a: 1\n").unwrap();
        assert_eq!(read_limited(&p, 5).unwrap(), b"a: 1\n");
        assert_eq!(read_limited(&p, 4), Err(ReadError::TooLarge { limit: 4 }));
        assert_eq!(read_limited(&dir.path().join("none"), 10), Err(ReadError::Missing));
        assert_eq!(read_limited(dir.path(), 10), Err(ReadError::Directory));
    }

    #[test]
    fn devices_fifos_and_sockets_are_refused_without_waiting() {
        assert_eq!(read_limited(Path::new("/dev/zero"), 1024), Err(ReadError::NotRegular));
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        // Nothing ever writes to it: a blocking open would never return.
        assert_eq!(read_limited(&fifo, 1024), Err(ReadError::NotRegular));
        let socket = dir.path().join("socket");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        assert_eq!(read_limited(&socket, 1024), Err(ReadError::NotRegular));
        // A symbolic link to a regular file is read.
        std::fs::write(dir.path().join("v.yaml"), "a: 1\n").unwrap();
        std::os::unix::fs::symlink("v.yaml", dir.path().join("link.yaml")).unwrap();
        assert_eq!(read_limited(&dir.path().join("link.yaml"), 10).unwrap(), b"a: 1\n");
    }

    #[test]
    fn utf8_and_bom() {
        assert_eq!(utf8_text(b"\xEF\xBB\xBFa: 1".to_vec()).unwrap(), "a: 1");
        assert_eq!(utf8_text(b"a: \xff".to_vec()), Err(3));
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
