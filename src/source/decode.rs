//! Bytes → text: UTF-8 (with or without BOM) and UTF-16 with a BOM, as YAML allows;
//! binary content and invalid UTF-8 are errors with a position.

use super::{Pos, pos_of_byte};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// A NUL byte: this is not a text file.
    Binary { at: Pos },
    /// Not valid UTF-8 at this position.
    InvalidUtf8 { at: Pos },
    /// A UTF-16 BOM followed by invalid UTF-16.
    InvalidUtf16,
}

impl DecodeError {
    pub fn pos(&self) -> Pos {
        match self {
            DecodeError::Binary { at } | DecodeError::InvalidUtf8 { at } => *at,
            DecodeError::InvalidUtf16 => Pos {
                line: 1,
                col: 1,
                byte: 0,
            },
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Binary { .. } => f.write_str("binary content (a NUL byte); not a text file"),
            DecodeError::InvalidUtf8 { .. } => f.write_str("invalid UTF-8"),
            DecodeError::InvalidUtf16 => f.write_str("invalid UTF-16 after a UTF-16 byte order mark"),
        }
    }
}

/// Decodes a manifest file. A UTF-8 BOM is dropped; UTF-16 (LE/BE, with BOM) is converted.
pub fn decode(bytes: Vec<u8>) -> Result<String, DecodeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    if let Some(nul) = memchr_nul(&bytes) {
        return Err(DecodeError::Binary {
            at: pos_of_byte(&bytes, nul),
        });
    }
    let bytes = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        DecodeError::InvalidUtf8 {
            at: pos_of_byte(e.as_bytes(), at),
        }
    })
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(0, bytes)
}

fn utf16(rest: &[u8], conv: fn([u8; 2]) -> u16) -> Result<String, DecodeError> {
    if !rest.len().is_multiple_of(2) {
        return Err(DecodeError::InvalidUtf16);
    }
    let units: Vec<u16> = rest.chunks_exact(2).map(|c| conv([c[0], c[1]])).collect();
    String::from_utf16(&units).map_err(|_| DecodeError::InvalidUtf16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_dropped() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1".to_vec()).as_deref(), Ok("a: 1"));
    }

    #[test]
    fn utf16_le_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "a: 1".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        assert_eq!(decode(bytes).as_deref(), Ok("a: 1"));
    }

    #[test]
    fn binary_and_invalid_utf8_have_positions() {
        let err = decode(b"a: 1\nb: \x00".to_vec()).unwrap_err();
        assert_eq!(
            err,
            DecodeError::Binary {
                at: Pos {
                    line: 2,
                    col: 4,
                    byte: 8
                }
            }
        );
        let err = decode(b"a: 1\nb: \xC3\x28".to_vec()).unwrap_err();
        assert_eq!(
            err,
            DecodeError::InvalidUtf8 {
                at: Pos {
                    line: 2,
                    col: 4,
                    byte: 8
                }
            }
        );
    }
}
