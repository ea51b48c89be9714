//! Reading inputs without trusting them: only regular files, never more than the size
//! limit plus one byte, and a stream (stdin) under the same limit. A FIFO, a device or a
//! socket is refused before anything is read from it, so `/dev/zero` cannot exhaust memory
//! and a FIFO cannot hang the run.

use super::{DecodeError, decode};
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why an input could not be read as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The operating system's error, as text.
    Io(String),
    /// Not a regular file: what it is (`a FIFO`, `a character device` …).
    Special(&'static str),
    /// Larger than the limit: its size when known, else at least this many bytes.
    TooLarge(u64),
    Decode(DecodeError),
    /// The file is not the one that was linted any more (it changed on disk).
    Changed,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => f.write_str(e),
            ReadError::Special(what) => write!(f, "not a regular file ({what})"),
            ReadError::TooLarge(n) => write!(f, "larger than the size limit ({n} bytes or more)"),
            ReadError::Decode(e) => write!(f, "{e}"),
            ReadError::Changed => f.write_str("changed since it was linted"),
        }
    }
}

/// What a path that is not a regular file or a directory is.
pub fn special_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() || t.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a file or a directory")
}

/// Opens a regular file for reading without blocking on a FIFO (one swapped in after the
/// caller looked is refused here, after opening, from the open handle).
fn open(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

/// The bytes of a regular file, at most `limit` of them.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| ReadError::Io(e.to_string()))?;
    if meta.is_dir() {
        return Err(ReadError::Io("is a directory".to_string()));
    }
    if let Some(what) = special_kind(&meta) {
        return Err(ReadError::Special(what));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let file = open(path).map_err(|e| ReadError::Io(e.to_string()))?;
    let meta = file.metadata().map_err(|e| ReadError::Io(e.to_string()))?;
    if let Some(what) = special_kind(&meta).or(meta.is_dir().then_some("a directory")) {
        return Err(ReadError::Special(what));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(meta.len()));
    }
    // Sized once: read into a buffer that holds the file as it was, in one or two reads.
    read_into(file, limit, Vec::with_capacity(meta.len() as usize + 1))
}

/// At most `limit` bytes of a stream; more is an error, and nothing past `limit + 1` is
/// read.
pub fn read_stream(stream: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_into(stream, limit, Vec::new())
}

/// [`read_stream`], into `bytes` (empty, with room for what is expected).
fn read_into(stream: impl Read, limit: u64, mut bytes: Vec<u8>) -> Result<Vec<u8>, ReadError> {
    stream
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Io(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// A regular file decoded as text (see [`decode`]), with the fingerprint of its bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<(String, u64), ReadError> {
    let bytes = read_file(path, limit)?;
    let print = fingerprint(&bytes);
    decode(bytes).map(|t| (t, print)).map_err(ReadError::Decode)
}

/// A fast hash of a file's bytes: renderers show a file's lines only when they are the
/// bytes that were linted (masks and positions were computed on those).
pub fn fingerprint(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_stop_one_byte_past_the_limit() {
        let mut zeros = std::io::repeat(0);
        assert_eq!(
            read_stream(&mut zeros, 10),
            Err(ReadError::TooLarge(11)),
            "an endless stream is cut at the limit"
        );
        assert_eq!(read_stream(&b"abc"[..], 3).as_deref(), Ok(&b"abc"[..]));
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_refused_before_reading() {
        assert_eq!(
            read_file(Path::new("/dev/zero"), 10),
            Err(ReadError::Special("a character device"))
        );
    }
}
