//! Document boundaries in a stream of JSON text, and one document's text to BSON.

use std::io::BufRead;
use std::sync::Arc;

use mongodb::bson::{Bson, Document};
use serde_json::Value;

use super::extended::{ExtJsonError, ext_to_bson};
use super::shell::{ShellError, shell_to_json};
use super::{MAX_TEXT_DOC, NOT_AN_EXPORT, SHELL_BANNER};
use crate::ata::Error;
use crate::ata::snapshot::DocOrigin;

/// Why one document's text is not a document. The messages name the place (byte, field)
/// and never quote a secret; the file and document are added by [`Error::input`].
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error(
        "invalid UTF-8 at byte {at} (byte {within} of the document); the file is damaged or in \
         another encoding (re-export it; mongoexport writes UTF-8)"
    )]
    InvalidUtf8 { at: u64, within: usize },
    #[error(
        "nested deeper than {MAX_TEXT_DEPTH} levels at byte {0} of the document (ATA's \
         documents are a few levels deep): the file is damaged or hostile"
    )]
    TooDeep(usize),
    /// Mongo shell notation that cannot be rewritten.
    #[error(transparent)]
    Shell(#[from] ShellError),
    #[error(
        "not valid JSON ({0}); the file is damaged, or not an export in a dialect ata2atp reads"
    )]
    NotJson(serde_json::Error),
    /// An Extended JSON value that is malformed.
    #[error(transparent)]
    Extended(#[from] ExtJsonError),
    #[error("the document is not a JSON object")]
    NotAnObject,
}

/// One document's text, parsed, or why it could not be.
pub type Parsed = Result<Document, ParseError>;

/// Finds document boundaries in a stream of JSON text: top-level objects separated by
/// white space, or the elements of one top-level array.
pub struct Splitter<R> {
    reader: R,
    origin: Arc<str>,
    line: u64,
    in_array: Option<bool>,
    array_closed: bool,
    index: u64,
    /// Bytes consumed so far, and where the current document starts.
    pos: u64,
    doc_offset: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> Splitter<R> {
    pub fn new(reader: R, origin: Arc<str>) -> Self {
        Self {
            reader,
            origin,
            line: 1,
            in_array: None,
            array_closed: false,
            index: 0,
            pos: 0,
            doc_offset: 0,
            buf: Vec::new(),
        }
    }

    fn origin_at(&self, index: u64, line: u64, offset: u64) -> DocOrigin {
        DocOrigin {
            source: self.origin.clone(),
            index,
            line: Some(line),
            offset: Some(offset),
        }
    }

    /// The next document, decoded, with its origin; a document that cannot be parsed is
    /// an error. `None` at a clean end.
    pub fn next_doc(&mut self) -> Result<Option<(Document, DocOrigin)>, Error> {
        match self.next_parsed()? {
            None => Ok(None),
            Some((Ok(doc), origin)) => Ok(Some((doc, origin))),
            Some((Err(m), origin)) => {
                Err(Error::input(&self.origin, Some(&origin), &m.to_string()))
            }
        }
    }

    /// The next document and whether it parsed. Its boundaries are known even when its
    /// content is not, so a document that cannot be parsed costs only itself; the outer
    /// error is for a file whose structure is lost (cut off, not an export).
    pub fn next_parsed(&mut self) -> Result<Option<(Parsed, DocOrigin)>, Error> {
        let Some(start_line) = self.next_raw()? else {
            return Ok(None);
        };
        let origin = self.origin_at(self.index, start_line, self.doc_offset);
        let parsed = match std::str::from_utf8(&self.buf) {
            Err(e) => Err(ParseError::InvalidUtf8 {
                at: self.doc_offset + e.valid_up_to() as u64,
                within: e.valid_up_to(),
            }),
            Ok(text) => parse_document(text),
        };
        Ok(Some((parsed, origin)))
    }

    fn read_byte(&mut self) -> Result<Option<u8>, Error> {
        let origin = self.origin.clone();
        let available = self
            .reader
            .fill_buf()
            .map_err(|e| Error::io_str(&origin, e))?;
        let Some(&b) = available.first() else {
            return Ok(None);
        };
        self.reader.consume(1);
        self.pos += 1;
        if b == b'\n' {
            self.line += 1;
        }
        Ok(Some(b))
    }

    /// Fills `self.buf` with the next document's bytes; returns the line it starts on.
    fn next_raw(&mut self) -> Result<Option<u64>, Error> {
        self.buf.clear();
        // Skip separators up to the next `{`.
        let start_line = loop {
            let Some(b) = self.read_byte()? else {
                if self.in_array == Some(true) && !self.array_closed {
                    return Err(Error::input(
                        &self.origin,
                        None,
                        "the JSON array is not closed: the file was cut off",
                    ));
                }
                return Ok(None);
            };
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => {}
                0xEF | 0xBB | 0xBF if self.in_array.is_none() && self.index == 0 => {} // UTF-8 BOM
                b'[' if self.in_array.is_none() => self.in_array = Some(true),
                b',' if self.in_array == Some(true) && !self.array_closed => {}
                b']' if self.in_array == Some(true) && !self.array_closed => {
                    self.array_closed = true
                }
                b'{' if !self.array_closed => {
                    self.doc_offset = self.pos - 1;
                    if self.in_array.is_none() {
                        self.in_array = Some(false);
                    }
                    break self.line;
                }
                b'M' | b'c' | b'I' | b'W' if self.index == 0 && self.in_array.is_none() => {
                    // The mongo shell's banner, when --quiet was forgotten.
                    let mut line = vec![b];
                    while let Some(c) = self.read_byte()? {
                        if c == b'\n' {
                            break;
                        }
                        line.push(c);
                    }
                    let line = String::from_utf8_lossy(&line);
                    if !SHELL_BANNER.iter().any(|p| line.starts_with(p)) {
                        let origin = self.origin_at(1, self.line.saturating_sub(1), 0);
                        return Err(Error::input(&self.origin, Some(&origin), NOT_AN_EXPORT));
                    }
                }
                other => {
                    let what = if self.index == 0 {
                        "the file does not start with a JSON document or array: it is not a MongoDB \
                         export (give mongoexport output, a SystemProfile_*.json backup or the \
                         collector's export)"
                            .to_string()
                    } else {
                        format!(
                            "unexpected `{}` between documents {} and {}: the file is damaged or \
                             not a MongoDB export",
                            char::from(other).escape_default(),
                            self.index,
                            self.index + 1
                        )
                    };
                    let origin = self.origin_at(self.index + 1, self.line, self.pos - 1);
                    return Err(Error::input(&self.origin, Some(&origin), &what));
                }
            }
        };
        self.index += 1;
        self.buf.push(b'{');
        let mut depth = 1u32;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            // Work on whole buffered chunks: this loop sees every byte of the file.
            let origin = self.origin.clone();
            let chunk = self
                .reader
                .fill_buf()
                .map_err(|e| Error::io_str(&origin, e))?;
            if chunk.is_empty() {
                let origin = self.origin_at(self.index, start_line, self.doc_offset);
                return Err(Error::input(
                    &self.origin,
                    Some(&origin),
                    "the document is cut off at the end of the file (an unclosed `{`); the file \
                     is truncated: copy or export it again",
                ));
            }
            let mut used = 0;
            let mut done = false;
            for &b in chunk {
                used += 1;
                if b == b'\n' {
                    self.line += 1;
                }
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            done = true;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            self.buf.extend_from_slice(&chunk[..used]);
            self.reader.consume(used);
            self.pos += used as u64;
            if done {
                return Ok(Some(start_line));
            }
            if self.buf.len() > MAX_TEXT_DOC {
                let origin = self.origin_at(self.index, start_line, self.doc_offset);
                return Err(Error::input(
                    &self.origin,
                    Some(&origin),
                    "the document runs past 64 MB without closing: braces are unbalanced, the \
                     file is damaged or not a MongoDB export",
                ));
            }
        }
    }
}

/// Deepest nesting of `{`, `[` and `(` a text document may have: the BSON limit
/// ([`crate::ata::bson_check::MAX_DEPTH`], MongoDB's own) plus room for Extended JSON's
/// wrappers, and below serde_json's own recursion limit (128).
pub const MAX_TEXT_DEPTH: usize = crate::ata::bson_check::MAX_DEPTH + 8;

/// Where the nesting of `text` first passes [`MAX_TEXT_DEPTH`], counted without
/// recursion outside string literals, so that no parser below ever recurses deeper.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    for (i, &c) in text.as_bytes().iter().enumerate() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            b'"' | b'\'' => quote = Some(c),
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_TEXT_DEPTH {
                    return Some(i);
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Parses one document in any dialect.
pub fn parse_document(text: &str) -> Result<Document, ParseError> {
    if let Some(at) = too_deep(text) {
        return Err(ParseError::TooDeep(at));
    }
    let json = shell_to_json(text)?;
    let value: Value = serde_json::from_str(&json).map_err(ParseError::NotJson)?;
    match ext_to_bson(value)? {
        Bson::Document(d) => Ok(d),
        _ => Err(ParseError::NotAnObject),
    }
}
