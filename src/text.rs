//! Bytes to text as Windows tools write files: UTF-8 with or without a byte-order mark,
//! or UTF-16 (little or big endian) with one. PowerShell 5.1's `>` writes UTF-16 LE,
//! `ldifde -u` too; `reg query` output pasted into Notepad may be either. Console output
//! that `cmd.exe` redirected is in a code page the file does not name:
//! [`decode_console_text`] reads its ASCII.
//!
//! The ATA JSON reader transcodes UTF-16 while streaming (its files can be gigabytes): it
//! shares [`Bom`] and [`utf16_unit`] with [`decode_text`], which everything read whole uses.

use std::string::{FromUtf8Error, FromUtf16Error};

/// Why bytes are not text.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("UTF-16 text with an odd number of bytes")]
    OddUtf16,
    #[error("not valid UTF-16: {0}")]
    InvalidUtf16(FromUtf16Error),
    /// After a UTF-8 byte-order mark; the error's bytes are those after the mark.
    #[error("not valid UTF-8 (byte {} after the byte-order mark is not)", .0.utf8_error().valid_up_to())]
    InvalidUtf8AfterBom(FromUtf8Error),
    /// Without a byte-order mark: neither UTF-8 nor marked UTF-16 (a binary file, often).
    #[error(
        "not text: neither UTF-8 (byte {} is not) nor UTF-16 with a byte-order mark",
        .0.utf8_error().valid_up_to()
    )]
    NotUtf8(FromUtf8Error),
}

/// The byte-order marks Windows tools write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bom {
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl Bom {
    /// The mark `bytes` start with, if any.
    pub fn detect(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [0xFF, 0xFE, ..] => Some(Self::Utf16Le),
            [0xFE, 0xFF, ..] => Some(Self::Utf16Be),
            [0xEF, 0xBB, 0xBF, ..] => Some(Self::Utf8),
            _ => None,
        }
    }

    /// The mark's length in bytes.
    pub fn byte_len(self) -> usize {
        match self {
            Self::Utf8 => 3,
            Self::Utf16Le | Self::Utf16Be => 2,
        }
    }
}

/// `text` with its control characters written as escapes (`\u{1b}`, `\n`): for quoting a
/// piece of the data (a field name, a few characters near an error) inside a message.
pub fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// One UTF-16 code unit from its two bytes.
pub fn utf16_unit(pair: [u8; 2], big_endian: bool) -> u16 {
    if big_endian {
        u16::from_be_bytes(pair)
    } else {
        u16::from_le_bytes(pair)
    }
}

/// Decodes `bytes` (see the module's comment); a byte-order mark is removed.
pub fn decode_text(bytes: Vec<u8>) -> Result<String, TextError> {
    let utf16 = |rest: &[u8], big_endian: bool| {
        if !rest.len().is_multiple_of(2) {
            return Err(TextError::OddUtf16);
        }
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| utf16_unit([c[0], c[1]], big_endian))
            .collect();
        String::from_utf16(&units).map_err(TextError::InvalidUtf16)
    };
    let bom = Bom::detect(&bytes);
    let rest = &bytes[bom.map_or(0, Bom::byte_len)..];
    match bom {
        Some(Bom::Utf16Le) => utf16(rest, false),
        Some(Bom::Utf16Be) => utf16(rest, true),
        Some(Bom::Utf8) => String::from_utf8(rest.to_vec()).map_err(TextError::InvalidUtf8AfterBom),
        None => String::from_utf8(bytes).map_err(TextError::NotUtf8),
    }
}

/// [`decode_text`] for a console tool's output (`auditpol`, `reg query`), which `cmd.exe`'s
/// `>` writes in the console's code page (850 on a German DC, 437 on a US one) without
/// naming it. Text that is not UTF-8 but holds no NUL byte (a binary file does) is read
/// with what is not UTF-8 as U+FFFD: ASCII, where the tools write GUIDs, numbers and
/// commas, is the same in every code page, and guessing the page would put wrong letters
/// in the report.
pub fn decode_console_text(bytes: Vec<u8>) -> Result<String, TextError> {
    match decode_text(bytes) {
        Err(TextError::NotUtf8(e)) if !e.as_bytes().contains(&0) => {
            Ok(String::from_utf8_lossy(e.as_bytes()).into_owned())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_quoted_as_escapes() {
        assert_eq!(escape_controls("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
        assert_eq!(escape_controls("Ünïcode"), "Ünïcode");
    }

    #[test]
    fn every_windows_encoding_is_read_and_broken_ones_are_told() {
        assert_eq!(decode_text(b"\xEF\xBB\xBF{}".to_vec()).unwrap(), "{}");
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("{\"a\":1}".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_text(le).unwrap(), "{\"a\":1}");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("é".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode_text(be).unwrap(), "é");
        assert!(matches!(
            decode_text(b"\xFF\xFE{".to_vec()),
            Err(TextError::OddUtf16)
        ));
        assert!(matches!(
            decode_text(b"\xC3".to_vec()),
            Err(TextError::NotUtf8(_))
        ));
        assert!(matches!(
            decode_text(b"\xEF\xBB\xBF\xC3".to_vec()),
            Err(TextError::InvalidUtf8AfterBom(_))
        ));
    }

    #[test]
    fn console_output_in_a_code_page_keeps_its_ascii() {
        // "Keine Überwachung" as code page 850 writes it (Ü is 0x9A), and as 1252 (0xDC).
        for bytes in [
            &b"Keine \x9Aberwachung\r\n"[..],
            b"Keine \xDCberwachung\r\n",
        ] {
            assert_eq!(
                decode_console_text(bytes.to_vec()).unwrap(),
                "Keine \u{FFFD}berwachung\r\n"
            );
        }
        assert_eq!(decode_console_text("Ü".into()).unwrap(), "Ü");
        // NUL bytes: binary (a BSON file), or UTF-16 without its mark. Not read as text.
        assert!(matches!(
            decode_console_text(b"\x16\x00\x00\x00\x9A".to_vec()),
            Err(TextError::NotUtf8(_))
        ));
    }
}
