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
        let first = match splitter.next_doc()? {
            Some(d) => d,
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
            return Err(Error::input(
                &origin,
                None,
                &format!(
                    "cannot tell which collection this export holds: its name ({physical}) is \
                     none of {} and its first document's _t does not say; name the file after \
                     its collection, e.g. UniqueEntity.json",
                    mapping.all_names().join(", ")
                ),
            ));
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
        while let Some((doc, origin)) = splitter.next_doc()? {
            progress.checkpoint()?;
            let doc = match collector {
                None => doc,
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
                return Err(Error::input(
                    &self.origin,
                    None,
                    "the collector export ends before its last line: the file is incomplete \
                     (the script was interrupted or the copy was cut); run the collector again",
                ));
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

fn open_text(path: &Path) -> Result<Box<dyn BufRead + Send>, Error> {
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

/// Finds document boundaries in a stream of JSON text: top-level objects separated by
/// white space, or the elements of one top-level array.
pub struct Splitter<R> {
    reader: R,
    origin: Arc<str>,
    line: u64,
    in_array: Option<bool>,
    array_closed: bool,
    index: u64,
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
            buf: Vec::new(),
        }
    }

    /// The next document, decoded, with its origin. `None` at a clean end.
    pub fn next_doc(&mut self) -> Result<Option<(Document, DocOrigin)>, Error> {
        let Some(start_line) = self.next_raw()? else {
            return Ok(None);
        };
        let origin = DocOrigin {
            source: self.origin.clone(),
            index: self.index,
            line: Some(start_line),
        };
        let text = std::str::from_utf8(&self.buf).map_err(|e| {
            Error::input(
                &self.origin,
                Some(&origin),
                &format!(
                    "invalid UTF-8 at byte {} of the document; the file is damaged or in another \
                     encoding (re-export it; mongoexport writes UTF-8)",
                    e.valid_up_to()
                ),
            )
        })?;
        let doc =
            parse_document(text).map_err(|m| Error::input(&self.origin, Some(&origin), &m))?;
        Ok(Some((doc, origin)))
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
                        let origin = DocOrigin {
                            source: self.origin.clone(),
                            index: 1,
                            line: Some(self.line.saturating_sub(1)),
                        };
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
                    let origin = DocOrigin {
                        source: self.origin.clone(),
                        index: self.index + 1,
                        line: Some(self.line),
                    };
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
                let origin = DocOrigin {
                    source: self.origin.clone(),
                    index: self.index,
                    line: Some(start_line),
                };
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
            if done {
                return Ok(Some(start_line));
            }
            if self.buf.len() > MAX_TEXT_DOC {
                let origin = DocOrigin {
                    source: self.origin.clone(),
                    index: self.index,
                    line: Some(start_line),
                };
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

/// Parses one document in any dialect.
pub fn parse_document(text: &str) -> Result<Document, String> {
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
}

impl ShellParser<'_> {
    fn err(&self, what: &str) -> String {
        let line = self.text[..self.i.min(self.text.len())]
            .matches('\n')
            .count();
        let snippet: String = self.text[self.i.min(self.text.len())..]
            .chars()
            .take(30)
            .collect();
        format!(
            "mongo shell notation: {what} (line {} of the document, near `{snippet}`)",
            line + 1
        )
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
                _ => {
                    // Copy a run of plain bytes (numbers, punctuation, multi-byte text).
                    let start = self.i;
                    self.i += 1;
                    while self.i < self.s.len() && !self.is_special(self.s[self.i]) {
                        self.i += 1;
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
                if quote == b'"' {
                    out.push_str(&self.text[start..self.i]);
                } else {
                    content.push_str(&self.text[start + 1..self.i - 1]);
                    out.push_str(&serde_json::to_string(&content).map_err(|e| e.to_string())?);
                }
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

/// Converts Extended JSON (any version) into BSON.
pub fn ext_to_bson(v: Value) -> Result<Bson, String> {
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
        Value::Array(a) => Bson::Array(a.into_iter().map(ext_to_bson).collect::<Result<_, _>>()?),
        Value::Object(map) => {
            if let Some(special) = special_form(&map)? {
                return Ok(special);
            }
            let mut d = Document::new();
            for (k, v) in map {
                d.insert(k, ext_to_bson(v)?);
            }
            Bson::Document(d)
        }
    })
}

type Map = serde_json::Map<String, Value>;

fn str_of<'a>(v: &'a Value, what: &str) -> Result<&'a str, String> {
    v.as_str()
        .ok_or_else(|| format!("{what} must be a string, found {v}"))
}

/// The `$`-forms of every Extended JSON version; `None` for an ordinary object.
fn special_form(map: &Map) -> Result<Option<Bson>, String> {
    let Some(first) = map.keys().find(|k| k.starts_with('$')) else {
        return Ok(None);
    };
    let get = |k: &str| map.get(k);
    let only = |n: usize| map.len() == n;
    Ok(Some(match first.as_str() {
        "$oid" if only(1) => {
            let s = str_of(&map["$oid"], "$oid")?;
            Bson::ObjectId(
                ObjectId::parse_str(s)
                    .map_err(|_| format!("`{s}` is not an ObjectId (24 hex digits)"))?,
            )
        }
        "$date" if only(1) => Bson::DateTime(parse_date(&map["$date"])?),
        "$numberLong" if only(1) => Bson::Int64(number_text(&map["$numberLong"], "$numberLong")?),
        "$numberInt" if only(1) => {
            let n = number_text(&map["$numberInt"], "$numberInt")?;
            Bson::Int32(
                i32::try_from(n).map_err(|_| format!("$numberInt {n} does not fit 32 bits"))?,
            )
        }
        "$numberDouble" if only(1) => {
            let s = match &map["$numberDouble"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Bson::Double(match s.as_str() {
                "Infinity" => f64::INFINITY,
                "-Infinity" => f64::NEG_INFINITY,
                "NaN" => f64::NAN,
                _ => s
                    .parse()
                    .map_err(|_| format!("$numberDouble `{s}` is not a number"))?,
            })
        }
        "$numberDecimal" if only(1) => {
            let s = str_of(&map["$numberDecimal"], "$numberDecimal")?;
            Bson::Decimal128(
                s.parse()
                    .map_err(|_| format!("$numberDecimal `{s}` is not a decimal"))?,
            )
        }
        "$binary" | "$type" if get("$binary").is_some() => match (get("$binary"), get("$type")) {
            // Legacy: {"$binary": "<base64>", "$type": "<hex>"}.
            (Some(Value::String(data)), Some(t)) if only(2) => {
                let t = match t {
                    Value::String(s) => u8::from_str_radix(s, 16)
                        .map_err(|_| format!("$type `{s}` is not hexadecimal"))?,
                    Value::Number(n) => n
                        .as_u64()
                        .and_then(|n| u8::try_from(n).ok())
                        .ok_or("bad $type")?,
                    _ => return Err("$type must be a hexadecimal string".to_string()),
                };
                binary(data, t)?
            }
            // v2: {"$binary": {"base64": "...", "subType": "<hex>"}}.
            (Some(Value::Object(inner)), None) if only(1) => {
                let data = str_of(inner.get("base64").ok_or("$binary needs base64")?, "base64")?;
                let t = str_of(
                    inner.get("subType").ok_or("$binary needs subType")?,
                    "subType",
                )?;
                binary(
                    data,
                    u8::from_str_radix(t, 16)
                        .map_err(|_| format!("subType `{t}` is not hexadecimal"))?,
                )?
            }
            _ => {
                return Err(
                    "$binary is neither the legacy {$binary, $type} nor the v2 {$binary: {base64, subType}} form"
                        .into(),
                );
            }
        },
        "$uuid" if only(1) => {
            let s = str_of(&map["$uuid"], "$uuid")?;
            let bytes =
                hex::decode(s.replace('-', "")).map_err(|_| format!("`{s}` is not a UUID"))?;
            if bytes.len() != 16 {
                return Err(format!("`{s}` is not a UUID (16 bytes)"));
            }
            Bson::Binary(Binary {
                subtype: BinarySubtype::Uuid,
                bytes,
            })
        }
        "$timestamp" if only(1) => {
            let inner = map["$timestamp"]
                .as_object()
                .ok_or("$timestamp must be {t, i}")?;
            let part = |k: &str| -> Result<u32, String> {
                inner
                    .get(k)
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| format!("$timestamp.{k} must be a 32-bit number"))
            };
            Bson::Timestamp(Timestamp {
                time: part("t")?,
                increment: part("i")?,
            })
        }
        "$regularExpression" if only(1) => {
            let inner = map["$regularExpression"]
                .as_object()
                .ok_or("$regularExpression must be {pattern, options}")?;
            let pattern = inner
                .get("pattern")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let options = inner
                .get("options")
                .and_then(Value::as_str)
                .unwrap_or_default();
            regex(pattern, options)
        }
        "$regex" | "$options" if get("$regex").is_some_and(Value::is_string) => {
            let pattern = get("$regex").and_then(Value::as_str).unwrap_or_default();
            let options = get("$options").and_then(Value::as_str).unwrap_or_default();
            regex(pattern, options)
        }
        "$minKey" if only(1) => Bson::MinKey,
        "$maxKey" if only(1) => Bson::MaxKey,
        "$undefined" if only(1) => Bson::Undefined,
        "$symbol" if only(1) => Bson::Symbol(str_of(&map["$symbol"], "$symbol")?.to_string()),
        "$code" if only(1) => Bson::JavaScriptCode(str_of(&map["$code"], "$code")?.to_string()),
        // Anything else ($ref/$id DBRefs, operators in a query someone exported): a
        // plain document.
        _ => return Ok(None),
    }))
}

fn regex(pattern: &str, options: &str) -> Bson {
    // BSON wants the options sorted.
    let mut opts: Vec<char> = options.chars().collect();
    opts.sort_unstable();
    Bson::RegularExpression(Regex {
        pattern: pattern.to_string(),
        options: opts.into_iter().collect(),
    })
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

fn number_text(v: &Value, what: &str) -> Result<i64, String> {
    match v {
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("{what} `{s}` is not an integer")),
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| format!("{what} {n} is not an integer")),
        other => Err(format!("{what} must be a string, found {other}")),
    }
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
            Some(n) => Ok(DateTime::from_millis(number_text(n, "$date.$numberLong")?)),
            None => Err("$date must be a string, a number or {$numberLong}".to_string()),
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
