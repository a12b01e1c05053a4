//! JSON exports of ATA's database, in every dialect met in the field, streamed.
//!
//! - **Layout**: newline-delimited (mongoexport's default, the Center's
//!   `SystemProfile_<timestamp>.json` backups, the collector script), a JSON array
//!   (`mongoexport --jsonArray`), or pretty-printed documents one after another
//!   (`mongoexport --pretty`, `printjson`). [`Splitter`] finds document boundaries by
//!   brace matching, so no layout needs the whole file in memory.
//! - **Dialect**: MongoDB Extended JSON v2 canonical and relaxed, the legacy "strict" v1
//!   of mongoexport < 4.2 (`$date` as a number or a `+0000` string, `$binary` with a
//!   sibling `$type`), and mongo shell notation as printed by the 3.x shell
//!   (`ObjectId("…")`, `ISODate("…")`, `NumberLong(…)`, `BinData(n,"…")`, `UUID("…")`,
//!   `Timestamp(a,b)`…). Shell notation is first rewritten into Extended JSON
//!   ([`shell_to_json`]); then one converter ([`ext_to_bson`]) accepts every `$` form
//!   at once, so a file may even mix dialects.
//! - **Strictness**: Extended JSON type wrappers are as strict as MongoDB's corpus says
//!   (`{"$oid": …, "other": 1}` is refused, with the field named), except `$date` as a
//!   number of milliseconds, which mongoexport 2.x wrote. Nesting is bounded
//!   ([`MAX_TEXT_DEPTH`]) before any parser recurses. An error inside a secret's value
//!   names the field and the offset, never the value.
//! - **Damage**: a document that cannot be parsed is skipped and named (file, document,
//!   line, byte); a file whose structure is lost keeps what was read before.
//! - **REST-style exports** write `Id`/`Type` for `_id`/`_t`; they read as the database's.
//! - **Collection**: taken from the file name (`SystemProfile_20261115040000.json` →
//!   SystemProfile, `ATA.UniqueEntity.json`, `UniqueEntity.json`), or from the documents'
//!   `_t` when the name says nothing; the collector script's export names each
//!   document's collection itself (see [`super::collector`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::spec::BinarySubtype;
use mongodb::bson::{Binary, Bson, DateTime, Document, Regex, Timestamp};
use serde_json::Value;

use super::Error;
use super::mapping::Mapping;
use super::snapshot::{
    DocOrigin, Logical, Scan, ScanOutcome, Visit, get_path, project, redact, tally_key,
};
use crate::model::CollectionInfo;
use crate::progress::Progress;

/// MongoDB's maximum document size; a "document" larger than this in a text file means
/// the splitter lost its way (an unbalanced brace), so it stops instead of eating memory.
const MAX_TEXT_DOC: usize = 64 * 1024 * 1024;

/// First key of the collector script's header line.
pub const COLLECTOR_HEADER: &str = "ata2atp_collector";
/// First key of the collector script's last line.
pub const COLLECTOR_TRAILER: &str = "ata2atp_collector_end";

/// Lines the mongo shell prints before a script's output without `--quiet`.
const SHELL_BANNER: &[&str] = &[
    "MongoDB shell version",
    "connecting to:",
    "MongoDB server version",
    "Implicit session",
    "WARNING",
];

const NOT_AN_EXPORT: &str = "the file does not start with a JSON document or array: it is not a MongoDB \
     export (give mongoexport output, a SystemProfile_*.json backup or the collector's export)";

/// One JSON file given with `--ata-json`.
#[derive(Debug)]
pub struct JsonFile {
    pub path: PathBuf,
    origin: Arc<str>,
    kind: JsonKind,
}

#[derive(Debug)]
enum JsonKind {
    /// A plain export of one collection.
    Export {
        collection: Option<Logical>,
        physical: String,
    },
    /// The collector script's export: many collections, with counts and tallies.
    Collector(CollectorHeader),
}

/// What the collector script's header line says.
#[derive(Debug, Clone, Default)]
pub struct CollectorHeader {
    pub server_version: Option<String>,
    pub collections: Vec<CollectionInfo>,
    /// `"<collection>.<field>"` → value → count.
    pub tallies: BTreeMap<String, BTreeMap<String, u64>>,
}

impl JsonFile {
    /// Opens `path`, reads its first document to recognise the collector's export and to
    /// name the collection when the file name does not.
    pub fn open(path: &Path, mapping: &Mapping) -> Result<Self, Error> {
        let origin: Arc<str> = Arc::from(path.display().to_string());
        let mut splitter = Splitter::new(open_text(path)?, origin.clone());
        let first = match splitter.next_parsed()? {
            Some((Ok(mut doc), origin)) => {
                rest_aliases(&mut doc);
                (doc, origin)
            }
            // An unparsable first document: scanning skips and names it; the file's name
            // must say the collection then.
            Some((Err(_), origin)) => (Document::new(), origin),
            None => {
                return Err(Error::input(
                    &origin,
                    None,
                    "the file is empty (no document); export the collection again, e.g. \
                     `mongoexport --db ATA --collection SystemProfile --out SystemProfile.json`",
                ));
            }
        };
        if first.0.contains_key(COLLECTOR_HEADER) {
            let header =
                parse_header(&first.0).map_err(|m| Error::input(&origin, Some(&first.1), &m))?;
            return Ok(Self {
                path: path.to_path_buf(),
                origin,
                kind: JsonKind::Collector(header),
            });
        }
        let physical = collection_from_file_name(path);
        let mut collection = mapping.logical_for(&physical);
        if collection.is_none() {
            // The name says nothing (renamed file): the type discriminator usually does.
            collection = guess_from_type(&first.0);
        }
        if collection.is_none() {
            return Err(Error::NotAta {
                source_name: origin.to_string(),
                found: format!(
                    "collection `{physical}` (cannot tell which collection this export holds: \
                     its name is none of ATA's and its first document's _t does not say)"
                ),
                expected: mapping.all_names().join(", "),
            });
        }
        Ok(Self {
            path: path.to_path_buf(),
            origin,
            kind: JsonKind::Export {
                collection,
                physical,
            },
        })
    }

    pub fn is_collector(&self) -> bool {
        matches!(self.kind, JsonKind::Collector(_))
    }

    pub fn server_version(&self) -> Option<String> {
        match &self.kind {
            JsonKind::Collector(h) => h.server_version.clone(),
            JsonKind::Export { .. } => None,
        }
    }

    /// The collections this file holds, with counts when the file says.
    pub fn collections(&self) -> Vec<CollectionInfo> {
        match &self.kind {
            JsonKind::Collector(h) => h.collections.clone(),
            JsonKind::Export { physical, .. } => vec![CollectionInfo {
                name: physical.clone(),
                count: None,
                size_bytes: None,
            }],
        }
    }

    /// Whether this file can answer scans of `logical`.
    pub fn provides(&self, logical: Logical) -> bool {
        match &self.kind {
            JsonKind::Collector(_) => true,
            JsonKind::Export { collection, .. } => *collection == Some(logical),
        }
    }

    /// The collection a plain export holds, as named by its file.
    pub fn physical_name(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::Export { physical, .. } => Some(physical),
            JsonKind::Collector(_) => None,
        }
    }

    /// Streams the documents of `scan.collection` that pass its filter; also returns how
    /// many documents of that collection the file holds.
    pub fn scan(
        &self,
        mapping: &Mapping,
        scan: &Scan,
        progress: &dyn Progress,
        visit: &mut Visit<'_>,
    ) -> Result<(ScanOutcome, u64), Error> {
        let task = format!("ATA {} from {}", scan.collection, self.file_name());
        progress.start(&task, None);
        let mut splitter = Splitter::new(open_text(&self.path)?, self.origin.clone());
        let mut outcome = ScanOutcome::default();
        let mut tally: BTreeMap<String, u64> = BTreeMap::new();
        let collector = match &self.kind {
            JsonKind::Collector(h) => Some(h),
            JsonKind::Export { .. } => None,
        };
        let mut seen_trailer = false;
        let mut count = 0u64;
        loop {
            let (parsed, origin) = match splitter.next_parsed() {
                Ok(Some(next)) => next,
                Ok(None) => break,
                // The file's structure is lost from here (cut off, damaged between
                // documents): what was read is kept, the rest is named as not read.
                Err(e @ Error::Input { .. }) => {
                    outcome
                        .skipped
                        .push(format!("{e}; the rest of this file is not read"));
                    break;
                }
                Err(e) => return Err(e),
            };
            progress.checkpoint()?;
            let doc = match parsed {
                Ok(doc) => doc,
                Err(m) => {
                    // Counted among the file's documents, named, and skipped.
                    count += 1;
                    outcome
                        .skipped
                        .push(Error::input(&self.origin, Some(&origin), &m).to_string());
                    continue;
                }
            };
            let doc = match collector {
                None => {
                    let mut doc = doc;
                    rest_aliases(&mut doc);
                    doc
                }
                Some(_) => {
                    if doc.contains_key(COLLECTOR_HEADER) {
                        continue;
                    }
                    if doc.contains_key(COLLECTOR_TRAILER) {
                        seen_trailer = true;
                        continue;
                    }
                    let name = match doc.get("collection") {
                        Some(Bson::String(s)) => s.clone(),
                        _ => {
                            return Err(Error::input(
                                &self.origin,
                                Some(&origin),
                                "this line of the collector export has no \"collection\" name; \
                                 the file was edited or is not the collector's output",
                            ));
                        }
                    };
                    if mapping.logical_for(&name) != Some(scan.collection) {
                        continue;
                    }
                    match doc.get("document") {
                        Some(Bson::Document(d)) => d.clone(),
                        _ => {
                            return Err(Error::input(
                                &self.origin,
                                Some(&origin),
                                "this line of the collector export has no \"document\"",
                            ));
                        }
                    }
                }
            };
            if collector.is_none() && !doc.contains_key("_id") {
                return Err(Error::input(
                    &self.origin,
                    Some(&origin),
                    "this document has no _id, so the file is not a MongoDB export; give \
                     mongoexport output, a SystemProfile_*.json backup from the Center's Backup \
                     folder, or the export of `ata2atp collector ata-mongo`",
                ));
            }
            count += 1;
            if count.is_multiple_of(10_000) {
                progress.advance(&task, 10_000);
            }
            if collector.is_none()
                && let Some(field) = &scan.tally
            {
                *tally.entry(tally_key(get_path(&doc, field))).or_default() += 1;
            }
            if !scan.filter.matches(&doc) {
                continue;
            }
            let mut doc = match &scan.projection {
                Some(p) => project(doc, p),
                None => doc,
            };
            redact(&mut doc);
            outcome.matched += 1;
            visit(doc, &origin)?;
        }
        if let Some(h) = collector {
            if !seen_trailer {
                outcome.skipped.push(
                    Error::input(
                        &self.origin,
                        None,
                        "the collector export ends before its last line: the file is incomplete \
                         (the script was interrupted or the copy was cut); run the collector again",
                    )
                    .to_string(),
                );
            }
            if let Some(field) = &scan.tally {
                outcome.tally = h
                    .tallies
                    .get(&format!("{}.{field}", scan.collection))
                    .cloned();
            }
        } else if scan.tally.is_some() {
            outcome.tally = Some(tally);
        }
        progress.finish(&task, &format!("{count} documents"));
        Ok((outcome, count))
    }

    fn file_name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.origin.to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
}

/// REST-style exports (ATA's console API, its PowerShell module) write `Id` and `Type`
/// where the database writes `_id` and `_t`; such a document reads as the database's.
/// A document that has `_id`/`_t` keeps them (a stored `Type` field is data then).
fn rest_aliases(doc: &mut Document) {
    for (rest, db) in [("Id", "_id"), ("Type", "_t")] {
        if !doc.contains_key(db)
            && let Some(v) = doc.remove(rest)
        {
            doc.insert(db, v);
        }
    }
}

fn open_text(path: &Path) -> Result<Box<dyn BufRead + Send>, Error> {
    super::dump::regular_file(path)?;
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
    let big_endian = match head {
        [0xFF, 0xFE, ..] => Some(false),
        [0xFE, 0xFF, ..] => Some(true),
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
            let unit = |a: u8, b: u8, be: bool| {
                if be {
                    u16::from_be_bytes([a, b])
                } else {
                    u16::from_le_bytes([a, b])
                }
            };
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
                units.push(unit(first, second, self.big_endian));
            } else {
                units.extend(
                    chunk[..usable]
                        .chunks_exact(2)
                        .map(|p| unit(p[0], p[1], self.big_endian)),
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

fn parse_header(doc: &Document) -> Result<CollectorHeader, String> {
    let mut h = CollectorHeader {
        server_version: doc.get_str("server_version").ok().map(str::to_string),
        ..CollectorHeader::default()
    };
    if let Ok(list) = doc.get_array("collections") {
        for c in list {
            let Bson::Document(c) = c else { continue };
            let Ok(name) = c.get_str("name") else {
                continue;
            };
            h.collections.push(CollectionInfo {
                name: name.to_string(),
                count: c.get("count").and_then(as_u64),
                size_bytes: c.get("size").and_then(as_u64),
            });
        }
    }
    if let Ok(tallies) = doc.get_document("tallies") {
        for (key, counts) in tallies {
            let Bson::Document(counts) = counts else {
                return Err(format!("collector header: tallies.{key} is not a document"));
            };
            let counts = counts
                .iter()
                .filter_map(|(k, v)| as_u64(v).map(|n| (k.clone(), n)))
                .collect();
            h.tallies.insert(key.clone(), counts);
        }
    }
    Ok(h)
}

fn as_u64(v: &Bson) -> Option<u64> {
    match v {
        Bson::Int32(i) => u64::try_from(*i).ok(),
        Bson::Int64(i) => u64::try_from(*i).ok(),
        Bson::Double(f) if *f >= 0.0 && f.fract() == 0.0 => Some(*f as u64),
        _ => None,
    }
}

/// The collection a file name names: `SystemProfile_20261115040000.json` →
/// `SystemProfile`; `ATA.UniqueEntity.json` → `UniqueEntity`; `SuspiciousActivity.json.gz`
/// → `SuspiciousActivity`.
pub fn collection_from_file_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut stem = name.as_str();
    for ext in [".gz", ".json", ".ndjson", ".jsonl", ".txt"] {
        if stem.len() > ext.len() && stem[stem.len() - ext.len()..].eq_ignore_ascii_case(ext) {
            stem = &stem[..stem.len() - ext.len()];
        }
    }
    // `<database>.<collection>` as mongoexport users often name files.
    if let Some((_, coll)) = stem.split_once('.') {
        stem = coll;
    }
    // `_<timestamp>` (the Center's backups) or `-<date>` suffixes.
    if let Some((base, suffix)) = stem.rsplit_once(['_', '-'])
        && !suffix.is_empty()
        && suffix.chars().all(|c| c.is_ascii_digit())
    {
        stem = base;
    }
    stem.to_string()
}

/// Guesses the collection from a document's `_t`.
fn guess_from_type(doc: &Document) -> Option<Logical> {
    let types: Vec<&str> = match doc.get("_t") {
        Some(Bson::String(s)) => vec![s.as_str()],
        Some(Bson::Array(a)) => a.iter().filter_map(Bson::as_str).collect(),
        _ => return None,
    };
    for t in types.iter().rev() {
        if t.ends_with("SystemProfile") {
            return Some(Logical::SystemProfile);
        }
        if t.ends_with("SuspiciousActivity") {
            return Some(Logical::SuspiciousActivity);
        }
        if matches!(*t, "User" | "Computer" | "Group" | "Domain") {
            return Some(Logical::UniqueEntity);
        }
    }
    None
}

/// One document's text, parsed, or why it could not be.
pub type Parsed = Result<Document, String>;

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
            Some((Err(m), origin)) => Err(Error::input(&self.origin, Some(&origin), &m)),
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
            Err(e) => Err(format!(
                "invalid UTF-8 at byte {} (byte {} of the document); the file is damaged or in \
                 another encoding (re-export it; mongoexport writes UTF-8)",
                self.doc_offset + e.valid_up_to() as u64,
                e.valid_up_to()
            )),
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
/// ([`super::bson_check::MAX_DEPTH`], MongoDB's own) plus room for Extended JSON's
/// wrappers, and below serde_json's own recursion limit (128).
pub const MAX_TEXT_DEPTH: usize = super::bson_check::MAX_DEPTH + 8;

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
pub fn parse_document(text: &str) -> Result<Document, String> {
    if let Some(at) = too_deep(text) {
        return Err(format!(
            "nested deeper than {MAX_TEXT_DEPTH} levels at byte {at} of the document (ATA's \
             documents are a few levels deep): the file is damaged or hostile"
        ));
    }
    let json = shell_to_json(text)?;
    let value: Value = serde_json::from_str(&json).map_err(|e| {
        format!(
            "not valid JSON ({e}); the file is damaged, or not an export in a dialect ata2atp reads"
        )
    })?;
    match ext_to_bson(value)? {
        Bson::Document(d) => Ok(d),
        _ => Err("the document is not a JSON object".to_string()),
    }
}

/// Rewrites mongo shell notation into Extended JSON; plain JSON comes back borrowed.
pub fn shell_to_json(text: &str) -> Result<Cow<'_, str>, String> {
    if !needs_rewrite(text) {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut p = ShellParser {
        s: text.as_bytes(),
        text,
        i: 0,
        key: String::new(),
    };
    p.rewrite_until(&mut out, None)?;
    Ok(Cow::Owned(out))
}

/// True when the text has anything outside strings that plain JSON lacks (identifiers
/// other than true/false/null, regex literals, unquoted keys).
fn needs_rewrite(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while i < b.len() {
        let c = b[i];
        if in_string {
            if c == b'\\' {
                i += 1;
            } else if c == b'"' {
                in_string = false;
            }
        } else if c == b'"' {
            in_string = true;
        } else if c == b'/' || c == b'\'' {
            return true;
        } else if (c == b'e' || c == b'E') && i > 0 && b[i - 1].is_ascii_digit() {
            // A number's exponent (`1.5E-1`): plain JSON.
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            if !matches!(&text[start..i], "true" | "false" | "null") {
                return true;
            }
            continue;
        }
        i += 1;
    }
    false
}

struct ShellParser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    /// The last field name seen: the field whose value is being read.
    key: String,
}

impl ShellParser<'_> {
    fn err(&self, what: &str) -> String {
        let at = self.i.min(self.text.len());
        let line = self.text[..at].matches('\n').count() + 1;
        if is_secret_field(&self.key) {
            // Never quote a secret's value, not even a malformed one.
            return format!(
                "mongo shell notation: the value of field {} is malformed (not shown: the field \
                 holds a secret) (line {line}, byte {at} of the document)",
                self.key
            );
        }
        let snippet: String = self.text[at..]
            .chars()
            .take(30)
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        format!(
            "mongo shell notation: {what} (line {line}, byte {at} of the document, near \
             `{snippet}`)"
        )
    }

    /// Remembers `name` as the current field when a `:` follows the cursor.
    fn note_key(&mut self, name: &str) {
        let rest = &self.s[self.i..];
        let next = rest.iter().find(|c| !c.is_ascii_whitespace());
        if next == Some(&b':') {
            self.key = name.to_string();
        }
    }

    /// Copies and rewrites until the closing byte `end` at depth 0 (not consumed) or the
    /// end of input.
    fn rewrite_until(&mut self, out: &mut String, end: Option<u8>) -> Result<(), String> {
        let mut depth = 0i32;
        while self.i < self.s.len() {
            let c = self.s[self.i];
            if Some(c) == end && depth == 0 {
                return Ok(());
            }
            if c == b',' && end == Some(b')') && depth == 0 {
                return Ok(());
            }
            match c {
                b'"' | b'\'' => self.copy_string(out)?,
                b'{' | b'[' | b'(' => {
                    depth += 1;
                    out.push(char::from(c));
                    self.i += 1;
                }
                b'}' | b']' | b')' => {
                    depth -= 1;
                    out.push(char::from(c));
                    self.i += 1;
                }
                b'/' => self.regex(out)?,
                b'-' if self.text[self.i + 1..].starts_with("Infinity") => {
                    out.push_str(r#"{"$numberDouble":"-Infinity"}"#);
                    self.i += 1 + "Infinity".len();
                }
                c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => self.identifier(out)?,
                b'0' if matches!(self.s.get(self.i + 1), Some(b'x' | b'X')) => {
                    // A hexadecimal literal (`0x585`), as mongoimport reads JavaScript.
                    let start = self.i + 2;
                    let mut end = start;
                    while end < self.s.len() && self.s[end].is_ascii_hexdigit() {
                        end += 1;
                    }
                    let n = u64::from_str_radix(&self.text[start..end], 16)
                        .map_err(|_| self.err("a hexadecimal number is malformed"))?;
                    out.push_str(&n.to_string());
                    self.i = end;
                }
                _ => {
                    // Copy a run of plain bytes (numbers, punctuation, multi-byte text).
                    let start = self.i;
                    self.i += 1;
                    loop {
                        while self.i < self.s.len() && !self.is_special(self.s[self.i]) {
                            self.i += 1;
                        }
                        match self.exponent_len() {
                            Some(n) => self.i += n,
                            None => break,
                        }
                    }
                    out.push_str(&self.text[start..self.i]);
                }
            }
        }
        match end {
            None => Ok(()),
            Some(_) => Err(self.err("a call is not closed")),
        }
    }

    /// The length of a number's exponent (`E-1`, `e+18`, `e10`) at the cursor, right
    /// after a digit; `None` when there is none.
    fn exponent_len(&self) -> Option<usize> {
        let s = &self.s[self.i..];
        let after_digit = self.i > 0 && self.s[self.i - 1].is_ascii_digit();
        if !after_digit || !matches!(s.first(), Some(b'e' | b'E')) {
            return None;
        }
        let sign = usize::from(matches!(s.get(1), Some(b'+' | b'-')));
        let digits = s[1 + sign..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        (digits > 0).then_some(1 + sign + digits)
    }

    fn is_special(&self, c: u8) -> bool {
        matches!(
            c,
            b'"' | b'\'' | b'{' | b'[' | b'(' | b'}' | b']' | b')' | b'/' | b'-' | b','
        ) || c.is_ascii_alphabetic()
            || c == b'_'
            || c == b'$'
    }

    /// Copies a string literal, turning single-quoted ones into JSON strings.
    fn copy_string(&mut self, out: &mut String) -> Result<(), String> {
        let quote = self.s[self.i];
        let start = self.i;
        self.i += 1;
        let mut content = String::new();
        while self.i < self.s.len() {
            let c = self.s[self.i];
            if c == b'\\' {
                self.i += 2;
                continue;
            }
            if c == quote {
                self.i += 1;
                let inner = &self.text[start + 1..self.i - 1];
                if quote == b'"' {
                    out.push_str(&self.text[start..self.i]);
                } else {
                    content.push_str(inner);
                    out.push_str(&serde_json::to_string(&content).map_err(|e| e.to_string())?);
                }
                self.note_key(inner);
                return Ok(());
            }
            self.i += 1;
        }
        Err(self.err("a string is not closed"))
    }

    /// `/pattern/flags`.
    fn regex(&mut self, out: &mut String) -> Result<(), String> {
        self.i += 1;
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i] != b'/' {
            if self.s[self.i] == b'\\' {
                self.i += 1;
            }
            self.i += 1;
        }
        if self.i >= self.s.len() {
            return Err(self.err("a regular expression is not closed"));
        }
        let pattern = &self.text[start..self.i];
        self.i += 1;
        let fstart = self.i;
        while self.i < self.s.len() && self.s[self.i].is_ascii_alphabetic() {
            self.i += 1;
        }
        let options = &self.text[fstart..self.i];
        out.push_str(&format!(
            r#"{{"$regularExpression":{{"pattern":{},"options":{}}}}}"#,
            json_str(pattern),
            json_str(options)
        ));
        Ok(())
    }

    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn identifier(&mut self, out: &mut String) -> Result<(), String> {
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric()
                || self.s[self.i] == b'_'
                || self.s[self.i] == b'$')
        {
            self.i += 1;
        }
        let ident = &self.text[start..self.i];
        let after = self.i;
        self.skip_ws();
        // An unquoted key: `{ _id: 1 }`.
        if self.i < self.s.len() && self.s[self.i] == b':' {
            out.push_str(&json_str(ident));
            self.key = ident.to_string();
            return Ok(());
        }
        match ident {
            "true" | "false" | "null" => {
                out.push_str(ident);
                self.i = after;
                return Ok(());
            }
            "undefined" => {
                out.push_str(r#"{"$undefined":true}"#);
                self.i = after;
                return Ok(());
            }
            "NaN" | "Infinity" => {
                out.push_str(&format!(r#"{{"$numberDouble":"{ident}"}}"#));
                self.i = after;
                return Ok(());
            }
            "new" => return Ok(()), // `new Date(…)`, `new NumberLong(…)`: the call follows.
            _ => {}
        }
        let has_call = self.i < self.s.len() && self.s[self.i] == b'(';
        if !has_call {
            return match ident {
                "MinKey" => {
                    out.push_str(r#"{"$minKey":1}"#);
                    Ok(())
                }
                "MaxKey" => {
                    out.push_str(r#"{"$maxKey":1}"#);
                    Ok(())
                }
                _ => {
                    self.i = start;
                    Err(self.err(&format!("unknown word `{ident}`")))
                }
            };
        }
        self.i += 1;
        let mut args = Vec::new();
        loop {
            self.skip_ws();
            if self.i < self.s.len() && self.s[self.i] == b')' {
                self.i += 1;
                break;
            }
            let mut arg = String::new();
            self.rewrite_until(&mut arg, Some(b')'))?;
            args.push(arg.trim().to_string());
            if self.i < self.s.len() && self.s[self.i] == b',' {
                self.i += 1;
            }
        }
        let call_at = start;
        let call = shell_call(ident, &args).map_err(|m| {
            self.i = call_at;
            self.err(&m)
        })?;
        out.push_str(&call);
        Ok(())
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// The argument as a string literal or a bare number.
fn arg_text(arg: &str) -> Result<String, String> {
    match serde_json::from_str::<Value>(arg) {
        Ok(Value::String(s)) => Ok(s),
        Ok(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(format!("expected a string or a number, found `{arg}`")),
    }
}

fn shell_call(name: &str, args: &[String]) -> Result<String, String> {
    let one = || -> Result<String, String> {
        match args {
            [a] => arg_text(a),
            _ => Err(format!(
                "{name}(…) takes one argument, found {}",
                args.len()
            )),
        }
    };
    let two = || -> Result<(String, String), String> {
        match args {
            [a, b] => Ok((arg_text(a)?, arg_text(b)?)),
            _ => Err(format!(
                "{name}(…) takes two arguments, found {}",
                args.len()
            )),
        }
    };
    Ok(match name {
        "ObjectId" => format!(r#"{{"$oid":{}}}"#, json_str(&one()?)),
        "ISODate" | "Date" => {
            let v = one()?;
            if v.parse::<i64>().is_ok() {
                format!(r#"{{"$date":{{"$numberLong":"{v}"}}}}"#)
            } else {
                format!(r#"{{"$date":{}}}"#, json_str(&v))
            }
        }
        "NumberLong" => format!(r#"{{"$numberLong":"{}"}}"#, one()?),
        "NumberInt" => format!(r#"{{"$numberInt":"{}"}}"#, one()?),
        "NumberDecimal" => format!(r#"{{"$numberDecimal":"{}"}}"#, one()?),
        "BinData" => {
            let (subtype, data) = two()?;
            let subtype: u8 = subtype
                .parse()
                .map_err(|_| format!("BinData subtype `{subtype}` is not a number"))?;
            format!(
                r#"{{"$binary":{{"base64":{},"subType":"{subtype:02x}"}}}}"#,
                json_str(&data)
            )
        }
        "HexData" => {
            let (subtype, data) = two()?;
            let subtype: u8 = subtype
                .parse()
                .map_err(|_| format!("HexData subtype `{subtype}` is not a number"))?;
            let bytes =
                hex::decode(&data).map_err(|_| format!("HexData `{data}` is not hexadecimal"))?;
            format!(
                r#"{{"$binary":{{"base64":"{}","subType":"{subtype:02x}"}}}}"#,
                B64.encode(bytes)
            )
        }
        "UUID" => format!(r#"{{"$uuid":{}}}"#, json_str(&one()?)),
        // mongoimport reads `Boolean(x)` with JavaScript's truthiness of its first argument.
        "Boolean" => {
            let truthy = match args.first().map(|a| serde_json::from_str::<Value>(a)) {
                None => false,
                Some(Ok(Value::Null)) => false,
                Some(Ok(Value::Bool(b))) => b,
                Some(Ok(Value::Number(n))) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
                Some(Ok(Value::String(s))) => !s.is_empty(),
                Some(Ok(Value::Object(o))) => !o.contains_key("$undefined"),
                Some(Ok(Value::Array(_))) => true,
                Some(Err(_)) => return Err(format!("Boolean(…) of `{}` is not a value", args[0])),
            };
            truthy.to_string()
        }
        "Timestamp" => {
            let (t, i) = two()?;
            format!(r#"{{"$timestamp":{{"t":{t},"i":{i}}}}}"#)
        }
        "DBRef" => match args {
            [c, id] => format!(r#"{{"$ref":{c},"$id":{id}}}"#),
            _ => return Err("DBRef(…) takes two arguments".to_string()),
        },
        _ => return Err(format!("unknown function `{name}(…)`")),
    })
}

/// Converts Extended JSON (any version) into BSON. Errors name the field (dotted path)
/// they are in; inside a secret's value they never quote it.
pub fn ext_to_bson(v: Value) -> Result<Bson, String> {
    convert(v).map_err(|e| e.to_string())
}

/// A conversion error with the path of keys leading to it (innermost first).
struct ConvError {
    path: Vec<String>,
    message: String,
}

impl std::fmt::Display for ConvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            return f.write_str(&self.message);
        }
        let path: Vec<&str> = self.path.iter().rev().map(String::as_str).collect();
        // A secret anywhere on the path: its value is not quoted.
        if path.iter().any(|k| is_secret_field(k)) {
            return write!(
                f,
                "field {}: the value is malformed (not shown: the field holds a secret)",
                path.join(".")
            );
        }
        write!(f, "field {}: {}", path.join("."), self.message)
    }
}

impl From<String> for ConvError {
    fn from(message: String) -> Self {
        Self {
            path: Vec::new(),
            message,
        }
    }
}

impl From<&str> for ConvError {
    fn from(message: &str) -> Self {
        message.to_string().into()
    }
}

/// A key whose value is (or holds) one of ATA's secrets: errors about its value must not
/// quote it. Broader than redaction's shape rule on purpose: an error is the one place
/// the value's shape is not known yet.
fn is_secret_field(key: &str) -> bool {
    key == "EncryptedBytes" || super::snapshot::is_secret_key(key)
}

fn convert(v: Value) -> Result<Bson, ConvError> {
    Ok(match v {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                match i32::try_from(i) {
                    Ok(small) => Bson::Int32(small),
                    Err(_) => Bson::Int64(i),
                }
            } else {
                Bson::Double(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => Bson::String(s),
        Value::Array(a) => {
            let mut out = Vec::with_capacity(a.len());
            for (i, v) in a.into_iter().enumerate() {
                out.push(convert(v).map_err(|mut e| {
                    e.path.push(i.to_string());
                    e
                })?);
            }
            Bson::Array(out)
        }
        Value::Object(map) => {
            if let Some(special) = special_form(&map)? {
                return Ok(special);
            }
            let mut d = Document::new();
            for (k, v) in map {
                if k.contains('\0') {
                    return Err(ConvError::from(
                        "a field name holds a NUL character, which BSON cannot store",
                    ));
                }
                let value = convert(v).map_err(|mut e| {
                    e.path.push(k.clone());
                    e
                })?;
                d.insert(k, value);
            }
            Bson::Document(d)
        }
    })
}

type Map = serde_json::Map<String, Value>;

fn str_of<'a>(v: &'a Value, what: &str) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| format!("{what} must be a string, found {}", kind_of(v)))
}

/// A JSON value's kind, for messages (never its content: it may be a secret's).
fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The keys that make an object an Extended JSON type wrapper. An object holding one
/// must be a well-formed wrapper (MongoDB's corpus refuses `{"$oid": …, "other": 1}`).
const WRAPPERS: &[&str] = &[
    "$oid",
    "$symbol",
    "$numberInt",
    "$numberLong",
    "$numberDouble",
    "$numberDecimal",
    "$binary",
    "$code",
    "$timestamp",
    "$regularExpression",
    "$dbPointer",
    "$date",
    "$minKey",
    "$maxKey",
    "$undefined",
    "$uuid",
];

/// The `$`-forms of every Extended JSON version; `None` for an ordinary object
/// (DBRefs `{$ref, $id}`, query operators such as `{$regex: {…}}` or `{$type: "string"}`).
fn special_form(map: &Map) -> Result<Option<Bson>, String> {
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    // Legacy regular expression: {"$regex": "…", "$options": "…"}.
    if let Some(Value::String(pattern)) = map.get("$regex") {
        let options = match map.get("$options") {
            None => "",
            Some(Value::String(o)) => o,
            Some(other) => {
                return Err(format!(
                    "$options must be a string, found {}",
                    kind_of(other)
                ));
            }
        };
        if keys.iter().all(|k| *k == "$regex" || *k == "$options") {
            return regex(pattern, options).map(Some);
        }
    }
    let Some(wrapper) = keys.iter().find(|k| WRAPPERS.contains(k)).copied() else {
        return Ok(None);
    };
    let value = &map[wrapper];
    let alone = || -> Result<(), String> {
        match keys.iter().find(|k| **k != wrapper) {
            Some(extra) => Err(format!(
                "{wrapper} cannot stand beside another field ({extra})"
            )),
            None => Ok(()),
        }
    };
    Ok(Some(match wrapper {
        "$oid" => {
            alone()?;
            let s = str_of(value, "$oid")?;
            Bson::ObjectId(
                ObjectId::parse_str(s)
                    .map_err(|_| format!("`{s}` is not an ObjectId (24 hex digits)"))?,
            )
        }
        "$symbol" => {
            alone()?;
            Bson::Symbol(str_of(value, "$symbol")?.to_string())
        }
        "$numberInt" => {
            alone()?;
            let s = str_of(value, "$numberInt")?;
            Bson::Int32(
                s.parse()
                    .map_err(|_| format!("$numberInt `{s}` is not a 32-bit integer"))?,
            )
        }
        "$numberLong" => {
            alone()?;
            Bson::Int64(long_text(value, "$numberLong")?)
        }
        "$numberDouble" => {
            alone()?;
            let s = str_of(value, "$numberDouble")?;
            Bson::Double(match s {
                "Infinity" => f64::INFINITY,
                "-Infinity" => f64::NEG_INFINITY,
                "NaN" => f64::NAN,
                _ => s
                    .parse()
                    .map_err(|_| format!("$numberDouble `{s}` is not a number"))?,
            })
        }
        "$numberDecimal" => {
            alone()?;
            Bson::Decimal128(parse_decimal(str_of(value, "$numberDecimal")?)?)
        }
        "$binary" => match (value, map.get("$type")) {
            // Legacy: {"$binary": "<base64>", "$type": "<hex>"}.
            (Value::String(data), Some(t)) if keys.len() == 2 => {
                let t = str_of(t, "$type")?;
                binary(data, hex_subtype(t)?)?
            }
            // v2: {"$binary": {"base64": "...", "subType": "<hex>"}}.
            (Value::Object(inner), None) => {
                alone()?;
                if let Some(extra) = inner.keys().find(|k| *k != "base64" && *k != "subType") {
                    return Err(format!("$binary holds an unknown field {extra}"));
                }
                let data = str_of(inner.get("base64").ok_or("$binary needs base64")?, "base64")?;
                let t = str_of(
                    inner.get("subType").ok_or("$binary needs subType")?,
                    "subType",
                )?;
                binary(data, hex_subtype(t)?)?
            }
            _ => {
                return Err(
                    "$binary is neither the legacy {$binary, $type} nor the v2 {$binary: {base64, subType}} form"
                        .into(),
                );
            }
        },
        "$code" => {
            let code = str_of(value, "$code")?.to_string();
            match map.get("$scope") {
                None => {
                    alone()?;
                    Bson::JavaScriptCode(code)
                }
                Some(Value::Object(scope)) if keys.len() == 2 => {
                    match convert(Value::Object(scope.clone())).map_err(|e| e.to_string())? {
                        Bson::Document(scope) => {
                            Bson::JavaScriptCodeWithScope(mongodb::bson::JavaScriptCodeWithScope {
                                code,
                                scope,
                            })
                        }
                        _ => return Err("$scope must be a document".into()),
                    }
                }
                Some(_) if keys.len() == 2 => return Err("$scope must be a document".into()),
                Some(_) => return Err("$code with $scope cannot stand beside another field".into()),
            }
        }
        "$timestamp" => {
            alone()?;
            let inner = value.as_object().ok_or("$timestamp must be {t, i}")?;
            if inner.len() != 2 {
                return Err("$timestamp must be exactly {t, i}".into());
            }
            let part = |k: &str| -> Result<u32, String> {
                inner
                    .get(k)
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| format!("$timestamp.{k} must be a 32-bit unsigned number"))
            };
            Bson::Timestamp(Timestamp {
                time: part("t")?,
                increment: part("i")?,
            })
        }
        "$regularExpression" => {
            alone()?;
            let inner = value
                .as_object()
                .filter(|o| o.len() == 2)
                .ok_or("$regularExpression must be exactly {pattern, options}")?;
            let pattern = str_of(
                inner
                    .get("pattern")
                    .ok_or("$regularExpression needs pattern")?,
                "pattern",
            )?;
            let options = str_of(
                inner
                    .get("options")
                    .ok_or("$regularExpression needs options")?,
                "options",
            )?;
            regex(pattern, options)?
        }
        "$dbPointer" => {
            alone()?;
            let inner = value
                .as_object()
                .filter(|o| o.len() == 2)
                .ok_or("$dbPointer must be exactly {$ref, $id}")?;
            let namespace = str_of(inner.get("$ref").ok_or("$dbPointer needs $ref")?, "$ref")?;
            let id = match inner.get("$id").map(|v| convert(v.clone())) {
                Some(Ok(Bson::ObjectId(id))) => id,
                _ => return Err("$dbPointer.$id must be {$oid}".into()),
            };
            db_pointer(namespace, id)?
        }
        "$date" => {
            alone()?;
            Bson::DateTime(parse_date(value)?)
        }
        "$minKey" | "$maxKey" => {
            alone()?;
            if value.as_i64() != Some(1) || !value.is_number() {
                return Err(format!("{wrapper} must be 1"));
            }
            if wrapper == "$minKey" {
                Bson::MinKey
            } else {
                Bson::MaxKey
            }
        }
        "$undefined" => {
            alone()?;
            if value != &Value::Bool(true) {
                return Err("$undefined must be true".into());
            }
            Bson::Undefined
        }
        "$uuid" => {
            alone()?;
            let s = str_of(value, "$uuid")?;
            let groups: Vec<usize> = s.split('-').map(str::len).collect();
            let bytes = hex::decode(s.replace('-', ""))
                .ok()
                .filter(|b| b.len() == 16 && groups == [8, 4, 4, 4, 12])
                .ok_or_else(|| format!("`{s}` is not a UUID (8-4-4-4-12 hex digits)"))?;
            Bson::Binary(Binary {
                subtype: BinarySubtype::Uuid,
                bytes,
            })
        }
        _ => return Ok(None),
    }))
}

/// A DBPointer (deprecated BSON type 0x0C). The bson crate has no public constructor,
/// so it is read from its Extended JSON form, which the crate does parse.
fn db_pointer(namespace: &str, id: ObjectId) -> Result<Bson, String> {
    let ext =
        serde_json::json!({ "$dbPointer": { "$ref": namespace, "$id": { "$oid": id.to_hex() } } });
    Bson::try_from(ext).map_err(|e| format!("$dbPointer: {e}"))
}

fn hex_subtype(t: &str) -> Result<u8, String> {
    if t.is_empty() || t.len() > 2 {
        return Err(format!(
            "subType `{t}` is not one or two hexadecimal digits"
        ));
    }
    u8::from_str_radix(t, 16).map_err(|_| format!("subType `{t}` is not hexadecimal"))
}

fn regex(pattern: &str, options: &str) -> Result<Bson, String> {
    if pattern.contains('\0') || options.contains('\0') {
        return Err("a regular expression holds a NUL character, which BSON cannot store".into());
    }
    // BSON wants the options sorted.
    let mut opts: Vec<char> = options.chars().collect();
    opts.sort_unstable();
    Ok(Bson::RegularExpression(Regex {
        pattern: pattern.to_string(),
        options: opts.into_iter().collect(),
    }))
}

fn binary(data: &str, subtype: u8) -> Result<Bson, String> {
    let bytes = B64
        .decode(data)
        .map_err(|_| "binary data is not valid base64".to_string())?;
    Ok(Bson::Binary(Binary {
        subtype: BinarySubtype::from(subtype),
        bytes,
    }))
}

/// A 64-bit integer written as a string, as every Extended JSON version writes it.
fn long_text(v: &Value, what: &str) -> Result<i64, String> {
    let s = str_of(v, what)?;
    s.parse()
        .map_err(|_| format!("{what} `{s}` is not a 64-bit integer"))
}

/// A Decimal128 string as the Extended JSON specification defines it: an optional sign,
/// then `Infinity`, `Inf`, `NaN`, or digits with at most one point and an optional
/// exponent. The bson crate's parser accepts some malformed strings (`E01`, `.`, empty)
/// and refuses zeros whose exponent is out of range (`0E+2147483647`, which is zero,
/// clamped); this checks the syntax first and clamps zeros.
fn parse_decimal(s: &str) -> Result<mongodb::bson::Decimal128, String> {
    let bad = || format!("$numberDecimal `{s}` is not a decimal number");
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let lower = unsigned.to_ascii_lowercase();
    if matches!(lower.as_str(), "infinity" | "inf" | "nan") {
        return s.parse().map_err(|_| bad());
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
    if int.len() + frac.len() == 0 || !digits(int) || !digits(frac) {
        return Err(bad());
    }
    let exp: i64 = match exponent {
        None => 0,
        Some(e) => {
            let body = e.strip_prefix(['-', '+']).unwrap_or(e);
            if body.is_empty() || !digits(body) {
                return Err(bad());
            }
            // Saturate: only a zero can have a huge exponent and still be a value.
            e.parse().unwrap_or(if e.starts_with('-') {
                i64::MIN / 2
            } else {
                i64::MAX / 2
            })
        }
    };
    let is_zero = int.bytes().chain(frac.bytes()).all(|c| c == b'0');
    if is_zero {
        // Decimal128's exponent range; a zero's exponent is clamped into it.
        let e = (exp - frac.len() as i64).clamp(-6176, 6111);
        let sign = if s.starts_with('-') { "-" } else { "" };
        return format!("{sign}0E{e}").parse().map_err(|_| bad());
    }
    if exponent.is_some_and(|e| e.parse::<i16>().is_err()) {
        return Err(format!("$numberDecimal `{s}` is out of Decimal128's range"));
    }
    s.parse().map_err(|_| bad())
}

/// `$date` as v2 relaxed (ISO string), v2 canonical (`{$numberLong}`), or legacy
/// (milliseconds as a number; ISO with a `+0000` offset).
fn parse_date(v: &Value) -> Result<DateTime, String> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map(DateTime::from_millis)
            .ok_or_else(|| format!("$date {n} is not a number of milliseconds")),
        Value::Object(inner) => match inner.get("$numberLong") {
            Some(n) if inner.len() == 1 => {
                Ok(DateTime::from_millis(long_text(n, "$date.$numberLong")?))
            }
            _ => Err("$date must be a string, a number or exactly {$numberLong}".to_string()),
        },
        Value::String(s) => {
            parse_iso(s).ok_or_else(|| format!("$date `{s}` is not an ISO 8601 date"))
        }
        other => Err(format!("$date must be a string or a number, found {other}")),
    }
}

fn parse_iso(s: &str) -> Option<DateTime> {
    use chrono::{NaiveDate, NaiveDateTime};
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(DateTime::from_millis(d.timestamp_millis()));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(d) = chrono::DateTime::parse_from_str(s, fmt) {
            return Some(DateTime::from_millis(d.timestamp_millis()));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), fmt) {
            return Some(DateTime::from_millis(d.and_utc().timestamp_millis()));
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| DateTime::from_millis(d.and_utc().timestamp_millis()))
}

/// Reads every document of a small JSON text (tests, the demo).
pub fn parse_all(text: &str, origin: &str) -> Result<Vec<Document>, Error> {
    let mut s = Splitter::new(text.as_bytes(), Arc::from(origin));
    let mut out = Vec::new();
    while let Some((d, _)) = s.next_doc()? {
        out.push(d);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use mongodb::bson::doc;

    use super::*;

    fn one(text: &str) -> Document {
        parse_document(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    #[test]
    fn every_dialect_gives_the_same_document() {
        let expected = doc! {
            "_id": ObjectId::parse_str("5a81996afab0a7c0de000001").unwrap(),
            "When": DateTime::from_millis(1_518_442_858_000),
            "Big": 5_000_000_000i64,
            "Small": 7,
            "Bytes": Binary { subtype: BinarySubtype::Generic, bytes: b"DEMO".to_vec() },
            "Guid": Binary { subtype: BinarySubtype::Uuid, bytes: hex::decode("5719cd9456254924b637ebf7b7ccfca2").unwrap() },
            "Ts": Timestamp { time: 1, increment: 2 },
        };
        let canonical = r#"{"_id":{"$oid":"5a81996afab0a7c0de000001"},"When":{"$date":{"$numberLong":"1518442858000"}},"Big":{"$numberLong":"5000000000"},"Small":{"$numberInt":"7"},"Bytes":{"$binary":{"base64":"REVNTw==","subType":"00"}},"Guid":{"$binary":{"base64":"VxnNlFYlSSS2N+v3t8z8og==","subType":"04"}},"Ts":{"$timestamp":{"t":1,"i":2}}}"#;
        let relaxed = r#"{"_id":{"$oid":"5a81996afab0a7c0de000001"},"When":{"$date":"2018-02-12T13:40:58Z"},"Big":5000000000,"Small":7,"Bytes":{"$binary":{"base64":"REVNTw==","subType":"00"}},"Guid":{"$uuid":"5719cd94-5625-4924-b637-ebf7b7ccfca2"},"Ts":{"$timestamp":{"t":1,"i":2}}}"#;
        let legacy_num = r#"{"_id":{"$oid":"5a81996afab0a7c0de000001"},"When":{"$date":1518442858000},"Big":{"$numberLong":"5000000000"},"Small":7,"Bytes":{"$binary":"REVNTw==","$type":"00"},"Guid":{"$binary":"VxnNlFYlSSS2N+v3t8z8og==","$type":"04"},"Ts":{"$timestamp":{"t":1,"i":2}}}"#;
        let legacy_str = r#"{"_id":{"$oid":"5a81996afab0a7c0de000001"},"When":{"$date":"2018-02-12T13:40:58.000+0000"},"Big":{"$numberLong":"5000000000"},"Small":7,"Bytes":{"$binary":"REVNTw==","$type":"0"},"Guid":{"$binary":"VxnNlFYlSSS2N+v3t8z8og==","$type":"4"},"Ts":{"$timestamp":{"t":1,"i":2}}}"#;
        let shell = r#"{ "_id" : ObjectId("5a81996afab0a7c0de000001"), "When" : ISODate("2018-02-12T13:40:58Z"),
            "Big" : NumberLong("5000000000"), "Small" : NumberInt(7), "Bytes" : BinData(0,"REVNTw=="),
            "Guid" : UUID("5719cd94-5625-4924-b637-ebf7b7ccfca2"), "Ts" : Timestamp(1, 2) }"#;
        for text in [canonical, relaxed, legacy_num, legacy_str, shell] {
            assert_eq!(one(text), expected, "{text}");
        }
    }

    #[test]
    fn shell_notation_leaves_strings_alone() {
        let d = one(
            r#"{ "a" : "ObjectId(\"x\") and /not a regex/", b: NumberLong(5), "c": new Date(0), "r": /ab+c/i, "m": MinKey, "n": -Infinity }"#,
        );
        assert_eq!(d.get_str("a").unwrap(), "ObjectId(\"x\") and /not a regex/");
        assert_eq!(d.get_i64("b").unwrap(), 5);
        assert_eq!(d.get_datetime("c").unwrap().timestamp_millis(), 0);
        assert!(matches!(d.get("r"), Some(Bson::RegularExpression(r)) if r.pattern == "ab+c"));
        assert_eq!(d.get("m"), Some(&Bson::MinKey));
        assert_eq!(d.get_f64("n").unwrap(), f64::NEG_INFINITY);
    }

    proptest::proptest! {
        /// Whatever a file holds, parsing ends in a document or an error, never a panic.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = parse_document(&text);
            let _ = parse_all(&text, "fuzz.json");
        }

        #[test]
        fn shell_like_text_never_panics(text in r#"[{}\[\]():,"'/\\a-zA-Z0-9 .\-é]{0,120}"#) {
            let _ = parse_document(&text);
            let _ = parse_all(&text, "fuzz.json");
        }
    }

    #[test]
    fn malformed_wrappers_are_refused_with_the_field_named() {
        for (text, field) in [
            (r#"{"a": {"b": {"$numberDecimal": "E01"}}}"#, "field a.b"),
            (r#"{"a": [1, {"$numberDecimal": "."}]}"#, "field a.1"),
            (r#"{"x": {"$numberDecimal": ""}}"#, "field x"),
            (
                r#"{"x": {"$oid": "56e1fc72e0c917e9c4714161", "unrelated": true}}"#,
                "field x",
            ),
        ] {
            let e = parse_document(text).unwrap_err();
            assert!(e.contains(field), "{text}: {e}");
        }
        // Zeros with an exponent beyond Decimal128's range are zeros, clamped.
        for text in [
            "0E+2147483647",
            "-0E-2147483647",
            "0.000E+99999999999999999999",
        ] {
            let d = parse_document(&format!(r#"{{"d": {{"$numberDecimal": "{text}"}}}}"#));
            assert!(d.is_ok(), "{text}: {d:?}");
        }
    }

    #[test]
    fn unknown_shell_functions_are_named() {
        let e = parse_document(r#"{ "a": Frobnicate(1) }"#).unwrap_err();
        assert!(e.contains("Frobnicate"), "{e}");
    }

    #[test]
    fn splitter_reads_ndjson_arrays_and_pretty_documents() {
        for text in [
            "{\"_id\":1}\n{\"_id\":2}\n",
            "[{\"_id\":1},\n{\"_id\":2}]",
            "{\n  \"_id\" : 1\n}\n{\n  \"_id\" : 2, \"s\": \"}{\"\n}\n",
        ] {
            let docs = parse_all(text, "t").unwrap();
            assert_eq!(docs.len(), 2, "{text}");
        }
        let err = parse_all("{\"_id\":1}\n{\"_id\":", "t.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("t.json") && err.contains("document 2") && err.contains("cut off"),
            "{err}"
        );
        let err = parse_all("hello", "t.json").unwrap_err().to_string();
        assert!(err.contains("not a MongoDB export"), "{err}");
    }

    #[test]
    fn file_names_name_collections() {
        for (file, coll) in [
            ("SystemProfile_20261115040000.json", "SystemProfile"),
            ("UniqueEntity.json", "UniqueEntity"),
            ("ATA.SuspiciousActivity.json.gz", "SuspiciousActivity"),
            ("/x/y/SystemProfiles.json", "SystemProfiles"),
        ] {
            assert_eq!(collection_from_file_name(Path::new(file)), coll);
        }
    }
}
