//! Framing a BSON stream: documents cut from a file by their length prefixes, in large
//! blocks for the parallel scan ([`Framer`], [`Batch`]) or one at a time
//! ([`BsonStream`]), a clean end told apart from a truncated file.

use std::io::Read;
use std::sync::Arc;

use mongodb::bson::RawDocument;

use super::*;

/// Bytes read from a file at a time: about the size of one batch of documents. Small
/// enough that the batches in flight (a few per worker) stay in the cores' caches
/// between the reader's copy and the worker's walk: measured on the benchmark's dump
/// (scripts/bench-ata.sh, `child-inventory-with`), 256 KiB beat 1 MiB by about a tenth
/// and 64 KiB was slower again (more hand-offs).
pub(crate) const BLOCK: usize = 256 * 1024;

/// Bytes read at a time by the one-document-at-a-time [`BsonStream`].
const STREAM_BLOCK: usize = 64 * 1024;

/// One document's place in a [`Batch`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    pub(super) start: usize,
    pub(super) len: usize,
    /// 1-based number in the file, and the byte offset (decompressed) it starts at.
    pub(super) index: u64,
    pub(super) offset: u64,
}

/// Whole documents cut from a file, and how the file ended if it ended here.
pub(crate) struct Batch {
    pub(super) bytes: Vec<u8>,
    pub(super) frames: Vec<Frame>,
    /// The framing is lost (truncation, a length no dump writes) or the file could not
    /// be read further: nothing comes after this batch.
    pub(super) end: Option<Error>,
}

/// Cuts a BSON stream into documents by their length prefixes, reading large blocks.
/// Before each document it knows whether a byte is left, so a clean end (none) and a
/// truncated file (a length prefix or a document cut short) are told apart.
pub(crate) struct Framer<R> {
    reader: R,
    pub(super) origin: Arc<str>,
    /// Bytes read past the last whole document: the start of the next one.
    carry: Vec<u8>,
    /// Documents framed so far, and the offset where the next one starts.
    index: u64,
    offset: u64,
    /// No more input: the end of the file, or `error`.
    eof: bool,
    error: Option<std::io::Error>,
    /// The end has been told.
    done: bool,
}

impl<R: Read> Framer<R> {
    pub fn new(reader: R, origin: Arc<str>) -> Self {
        Self {
            reader,
            origin,
            carry: Vec::new(),
            index: 0,
            offset: 0,
            eof: false,
            error: None,
            done: false,
        }
    }

    fn origin_at(&self, index: u64, offset: u64) -> DocOrigin {
        DocOrigin {
            source: self.origin.clone(),
            index,
            line: None,
            offset: Some(offset),
        }
    }

    /// An error about the document after the last one framed.
    fn fail(&self, message: String) -> Error {
        Error::input(
            &self.origin,
            Some(&self.origin_at(self.index + 1, self.offset)),
            &message,
        )
    }

    /// The next batch: the whole documents filling about `target` bytes (a larger
    /// document comes whole), in `bytes` (a spare buffer), then how the file ended if it
    /// ended. `None` once the end has been told.
    pub fn next_batch(&mut self, mut bytes: Vec<u8>, target: usize) -> Option<Batch> {
        if self.done {
            return None;
        }
        bytes.clear();
        bytes.append(&mut self.carry);
        let mut frames = Vec::new();
        let mut pos = 0;
        let end = 'read: loop {
            while let Some(head) = bytes.get(pos..pos + 4) {
                let declared = i32::from_le_bytes([head[0], head[1], head[2], head[3]]);
                let len = match declared_len(declared) {
                    Ok(len) => len,
                    Err(m) => break 'read Some(self.fail(m)),
                };
                if bytes.len() - pos < len {
                    break;
                }
                self.index += 1;
                frames.push(Frame {
                    start: pos,
                    len,
                    index: self.index,
                    offset: self.offset,
                });
                pos += len;
                self.offset += len as u64;
            }
            if pos >= target {
                break None;
            }
            let rest = bytes.len() - pos;
            if self.eof {
                break match self.error.take() {
                    // A gzip stream cut short ends like a truncated file, except where a
                    // document would start: there the read error itself is told.
                    Some(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && rest > 0 => {
                        Some(self.truncated(&bytes[pos..]))
                    }
                    Some(e) => Some(Error::io_str(&self.origin, e)),
                    None if rest > 0 => Some(self.truncated(&bytes[pos..])),
                    None => None,
                };
            }
            // Read on: up to the target, or to the end of a document larger than it.
            let needed = match bytes.get(pos..pos + 4) {
                // A length the loop above found valid (5 bytes to 16 MiB).
                Some(head) => (i32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize)
                    .saturating_sub(rest),
                None => 4 - rest,
            };
            let want = target.saturating_sub(bytes.len()).max(needed);
            bytes.reserve(want);
            let before = bytes.len();
            let read = (&mut self.reader).take(want as u64).read_to_end(&mut bytes);
            let got = bytes.len() - before;
            match read {
                Ok(_) if got == want => {}
                Ok(_) => self.eof = true,
                Err(e) => {
                    self.eof = true;
                    self.error = Some(e);
                }
            }
        };
        self.carry.extend_from_slice(&bytes[pos..]);
        bytes.truncate(pos);
        // Without an end to tell, a batch holds a document unless the file ended cleanly.
        self.done = end.is_some() || frames.is_empty();
        if self.done && end.is_none() {
            return None;
        }
        Some(Batch { bytes, frames, end })
    }

    /// The message for a file that ends inside a document (`rest` is what there is of it).
    fn truncated(&self, rest: &[u8]) -> Error {
        if rest.len() < 4 {
            return self.fail(format!(
                "the file ends inside the length of this document ({} of 4 bytes): it was \
                 truncated; copy the dump again (after {} complete documents)",
                rest.len(),
                self.index
            ));
        }
        let len = i32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
        self.fail(format!(
            "is cut off: it declares {len} bytes but the file ends after {}; the file was \
             truncated (copy the dump again)",
            rest.len()
        ))
    }
}

/// A document's length prefix, or why no dump writes it.
fn declared_len(len: i32) -> Result<usize, String> {
    if len < 5 {
        return Err(format!(
            "declares a length of {len} bytes, below BSON's minimum of 5: the file is damaged or \
             not a mongodump .bson file"
        ));
    }
    let len = len as usize;
    if len > MAX_BSON_SIZE {
        return Err(format!(
            "declares a length of {len} bytes, above MongoDB's 16 MiB document limit: the file \
             is damaged or not a mongodump .bson file (a `mongodump --archive` file is not \
             supported: dump to a folder instead)"
        ));
    }
    Ok(len)
}

/// Checks one framed document (see [`super::bson_check`]); the message names the byte where it
/// is damaged. With `index`, the checker also records the top-level fields.
pub(super) fn check_frame<'b>(
    checker: &mut Checker,
    bytes: &'b [u8],
    offset: u64,
    index: bool,
) -> Result<&'b RawDocument, String> {
    let checked = if index {
        checker.check_indexed(bytes)
    } else {
        checker.check(bytes)
    };
    if let Err(d) = checked {
        let at = offset + d.offset as u64;
        return Err(format!("the document is damaged at byte {at}: {d}"));
    }
    RawDocument::from_bytes(bytes)
        .map_err(|e| format!("the document is damaged (at byte {offset}): {e}"))
}

/// Reads BSON documents one after another from any reader.
pub struct BsonStream<R> {
    pub(super) framer: Framer<R>,
    batch: Option<Batch>,
    next: usize,
    checker: Checker,
}

/// One document as framed by its length prefix: checked, or damaged inside. A damaged
/// document costs only itself: the next one starts where its length says.
pub enum Framed<'a> {
    Doc(&'a RawDocument),
    Damaged(String),
}

impl<R: Read> BsonStream<R> {
    pub fn new(reader: R, origin: Arc<str>) -> Self {
        Self {
            framer: Framer::new(reader, origin),
            batch: None,
            next: 0,
            checker: Checker::default(),
        }
    }

    /// The next document's bytes, framed and checked. `None` at a clean end of file; an
    /// error when the framing itself is lost (truncation, a length no dump writes), since
    /// nothing after that point can be found.
    pub fn next_raw(&mut self) -> Result<Option<(Framed<'_>, DocOrigin)>, Error> {
        loop {
            if let Some(batch) = &mut self.batch {
                if self.next < batch.frames.len() {
                    break;
                }
                if let Some(e) = batch.end.take() {
                    return Err(e);
                }
            }
            let spare = self.batch.take().map(|b| b.bytes).unwrap_or_default();
            match self.framer.next_batch(spare, STREAM_BLOCK) {
                Some(batch) => {
                    self.batch = Some(batch);
                    self.next = 0;
                }
                None => return Ok(None),
            }
        }
        let Self {
            framer,
            batch,
            next,
            checker,
        } = self;
        // The loop above left a batch with a document in it, or returned.
        let Some(batch) = batch.as_ref() else {
            return Ok(None);
        };
        let f = batch.frames[*next];
        *next += 1;
        let here = framer.origin_at(f.index, f.offset);
        let bytes = &batch.bytes[f.start..f.start + f.len];
        let framed = match check_frame(checker, bytes, f.offset, false) {
            Ok(raw) => Framed::Doc(raw),
            Err(m) => Framed::Damaged(m),
        };
        Ok(Some((framed, here)))
    }

    /// The next document, decoded; a damaged one is an error. `None` at a clean end.
    pub fn next_doc(&mut self) -> Result<Option<(Document, DocOrigin)>, Error> {
        let origin_name = self.framer.origin.clone();
        match self.next_raw()? {
            None => Ok(None),
            Some((Framed::Damaged(m), origin)) => {
                Err(Error::input(&origin_name, Some(&origin), &m))
            }
            Some((Framed::Doc(raw), origin)) => {
                let doc = decode(raw, &origin)
                    .map_err(|m| Error::input(&origin_name, Some(&origin), &m.to_string()))?;
                Ok(Some((doc, origin)))
            }
        }
    }
}
