//! Opening an export: plain or gzipped, UTF-8 or UTF-16 (transcoded while streaming:
//! these files can be gigabytes).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::ata::Error;
use crate::text::{Bom, utf16_unit};

pub(super) fn open_text(path: &Path) -> Result<Box<dyn BufRead + Send>, Error> {
    crate::ata::dump::regular_file(path)?;
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let is_gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let mut reader: Box<dyn BufRead + Send> = if is_gz {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(file),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    // Windows PowerShell 5.1's `>` writes UTF-16 with a byte-order mark: a collector
    // export redirected there arrives that way.
    let head = reader.fill_buf().map_err(|e| Error::io(path, e))?;
    let big_endian = match Bom::detect(head) {
        Some(Bom::Utf16Le) => Some(false),
        Some(Bom::Utf16Be) => Some(true),
        _ => None,
    };
    if let Some(big_endian) = big_endian {
        reader.consume(2);
        reader = Box::new(BufReader::new(Utf16Reader {
            inner: reader,
            big_endian,
            pending: Vec::new(),
        }));
    }
    Ok(reader)
}

/// Transcodes UTF-16 to UTF-8 on the fly.
struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    /// Decoded bytes not handed out yet, in reverse order.
    pending: Vec<u8>,
}

impl<R: BufRead> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pending.is_empty() {
            let mut units = Vec::new();
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                return Ok(0);
            }
            let usable = chunk.len() & !1;
            if usable == 0 {
                // One odd byte at the buffer's end: take the next one to complete the unit.
                let first = chunk[0];
                self.inner.consume(1);
                let second = self.inner.fill_buf()?.first().copied().unwrap_or(0);
                self.inner.consume(1);
                units.push(utf16_unit([first, second], self.big_endian));
            } else {
                units.extend(
                    chunk[..usable]
                        .chunks_exact(2)
                        .map(|p| utf16_unit([p[0], p[1]], self.big_endian)),
                );
                self.inner.consume(usable);
            }
            // A surrogate pair cut at a chunk's end becomes U+FFFD: rare enough (emoji in
            // ATA settings) to accept.
            let text: String = char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect();
            self.pending = text.into_bytes();
            self.pending.reverse();
        }
        let n = buf.len().min(self.pending.len());
        for slot in buf.iter_mut().take(n) {
            *slot = self.pending.pop().unwrap_or(0);
        }
        Ok(n)
    }
}
