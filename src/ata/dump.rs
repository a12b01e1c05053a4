//! mongodump folders: `<collection>.bson` and `<collection>.bson.gz` (mongodump
//! `--gzip`), read document by document.
//!
//! A `.bson` file is BSON documents back to back, each starting with its own length.
//! Before each document the reader checks for end of file, so a clean end (no byte left)
//! and a truncated file (a length prefix or a document cut short) are told apart.
//! Every document's bytes are walked completely first ([`super::bson_check`]: lengths,
//! types, UTF-8, nesting depth), then filtered on the raw bytes, and only the few that
//! match are decoded. A document damaged inside is skipped and named (file, document,
//! byte offset): the next one starts where its length says. When the framing itself is
//! lost (truncation, a length no dump writes) what was read is kept and the rest of the
//! file is named as not read; the source is partial either way. Files that are not
//! regular files (a FIFO, a device) are refused by name. `*.metadata.json` is ignored.
//!
//! `mongodump --archive` is a different, interleaved format; it is refused with a hint.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mongodb::bson::{Document, RawDocument};

use super::bson_check::Checker;
use super::mapping::Mapping;
use super::pipeline::{self, Pool};
use super::snapshot::{
    DocOrigin, Indexed, Logical, Prepared, Projection, Scan, ScanOutcome, Visit, project, raw_path,
    redact, tally_key_raw, tally_raw,
};
use super::{Error, ReadPath};
use crate::model::CollectionInfo;
use crate::progress::Progress;

/// MongoDB's maximum BSON document size (16 MiB). mongodump never writes a larger one,
/// so a larger length prefix means a damaged file or not a dump at all.
pub const MAX_BSON_SIZE: usize = 16 * 1024 * 1024;

/// One collection file of a dump.
#[derive(Debug, Clone)]
pub struct DumpFile {
    pub path: PathBuf,
    pub collection: String,
    pub gzip: bool,
    pub size_bytes: u64,
}

/// A mongodump folder.
#[derive(Debug)]
pub struct DumpFolder {
    pub root: PathBuf,
    pub files: Vec<DumpFile>,
}

impl DumpFolder {
    /// Lists the folder's collection files. `dir` may be the database folder
    /// (`dump/ATA`) or the dump root holding it (`dump`, with `database` inside).
    pub fn open(dir: &Path, database: &str, mapping: &Mapping) -> Result<Self, Error> {
        let origin = dir.display().to_string();
        if dir.is_file() {
            return Err(Error::input(
                &origin,
                None,
                "is a file, not a mongodump folder; pass the folder mongodump wrote (it holds \
                 <collection>.bson files), or use --ata-json for a JSON export (a `mongodump \
                 --archive` file is not supported: run mongodump without --archive)",
            ));
        }
        let mut files = list(dir)?;
        let mut root = dir.to_path_buf();
        if files.is_empty() {
            // The dump root: descend into the database folder.
            let sub = std::fs::read_dir(dir)
                .map_err(|e| Error::io(dir, e))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .find(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(database))
                });
            if let Some(sub) = sub {
                files = list(&sub)?;
                root = sub;
            }
        }
        if files.is_empty() {
            return Err(Error::input(
                &origin,
                None,
                &format!(
                    "holds no <collection>.bson or .bson.gz file (nor a {database} folder with \
                     them); point --ata-dump at the folder mongodump wrote for the {database} database"
                ),
            ));
        }
        files.sort_by(|a, b| a.collection.cmp(&b.collection));
        if !files
            .iter()
            .any(|f| mapping.logical_for(&f.collection).is_some())
        {
            let mut found: Vec<&str> = files.iter().map(|f| f.collection.as_str()).collect();
            found.dedup();
            let shown = if found.len() > 8 {
                format!("{}, … ({} collections)", found[..8].join(", "), found.len())
            } else {
                found.join(", ")
            };
            return Err(Error::NotAta {
                source_name: root.display().to_string(),
                found: shown,
                expected: mapping.all_names().join(", "),
            });
        }
        Ok(Self { root, files })
    }

    pub fn collections(&self) -> Vec<CollectionInfo> {
        self.files
            .iter()
            .map(|f| CollectionInfo {
                name: f.collection.clone(),
                count: None,
                size_bytes: Some(f.size_bytes),
            })
            .collect()
    }

    /// The files holding a logical collection (a dump may hold both spellings).
    pub fn files_for(&self, mapping: &Mapping, logical: Logical) -> Vec<&DumpFile> {
        self.files
            .iter()
            .filter(|f| mapping.logical_for(&f.collection) == Some(logical))
            .collect()
    }
}

fn list(dir: &Path) -> Result<Vec<DumpFile>, Error> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let (collection, gzip) = if let Some(c) = name.strip_suffix(".bson.gz") {
            (c, true)
        } else if let Some(c) = name.strip_suffix(".bson") {
            (c, false)
        } else {
            continue; // *.metadata.json, prelude.json, anything else
        };
        let size_bytes = regular_file(&path)?;
        out.push(DumpFile {
            collection: collection.to_string(),
            path,
            gzip,
            size_bytes,
        });
    }
    Ok(out)
}

/// The size of `path`, refusing anything that is not a regular file (a FIFO or a device
/// in place of a dump file would block the reader forever or never end). Symbolic links
/// to regular files are followed.
pub fn regular_file(path: &Path) -> Result<u64, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::input(
            &path.display().to_string(),
            None,
            "is not a regular file (a pipe, a device or a folder): ata2atp reads dump and export \
             files only; copy the data into a file first",
        ));
    }
    Ok(meta.len())
}

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
struct Frame {
    start: usize,
    len: usize,
    /// 1-based number in the file, and the byte offset (decompressed) it starts at.
    index: u64,
    offset: u64,
}

/// Whole documents cut from a file, and how the file ended if it ended here.
pub(crate) struct Batch {
    bytes: Vec<u8>,
    frames: Vec<Frame>,
    /// The framing is lost (truncation, a length no dump writes) or the file could not
    /// be read further: nothing comes after this batch.
    end: Option<Error>,
}

/// Cuts a BSON stream into documents by their length prefixes, reading large blocks.
/// Before each document it knows whether a byte is left, so a clean end (none) and a
/// truncated file (a length prefix or a document cut short) are told apart.
pub(crate) struct Framer<R> {
    reader: R,
    origin: Arc<str>,
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
fn check_frame<'b>(
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
    framer: Framer<R>,
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

/// A document the check passed but the decoder refused: the reader skips it with these
/// words (the file is named by the caller).
#[derive(Debug, thiserror::Error)]
#[error("the document is damaged (at byte {offset}): {detail}")]
pub struct Undecodable {
    pub offset: u64,
    pub detail: String,
}

/// Decodes a document [`super::bson_check::check`] passed (so its depth is bounded).
pub fn decode(raw: &RawDocument, origin: &DocOrigin) -> Result<Document, Undecodable> {
    Document::try_from(raw).map_err(|e| Undecodable {
        offset: origin.offset.unwrap_or(0),
        detail: e.to_string(),
    })
}

/// Opens a dump file's bytes (inflated when gzipped).
fn open_reader(file: &DumpFile) -> Result<Box<dyn Read + Send>, Error> {
    regular_file(&file.path)?;
    let f = File::open(&file.path).map_err(|e| Error::io(&file.path, e))?;
    Ok(if file.gzip {
        Box::new(flate2::read::MultiGzDecoder::new(f))
    } else {
        Box::new(f)
    })
}

/// Opens a dump file for streaming.
pub fn open_stream(file: &DumpFile) -> Result<BsonStream<Box<dyn Read + Send>>, Error> {
    Ok(BsonStream::new(
        open_reader(file)?,
        Arc::from(file.path.display().to_string()),
    ))
}

fn task_name(scan: &Scan, file: &DumpFile) -> String {
    format!(
        "ATA {} from {}",
        scan.collection,
        file.path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    )
}

/// What a worker made of one batch: the matching documents decoded and the damaged ones
/// named, in the file's order.
struct Scanned {
    docs: u64,
    items: Vec<Item>,
    tally: BTreeMap<String, u64>,
    end: Option<Error>,
}

enum Item {
    Matched(Document, DocOrigin),
    Skipped(String),
}

/// Scans one dump file; returns the outcome and the number of documents in the file.
pub fn scan_file(
    file: &DumpFile,
    scan: &Scan,
    progress: &dyn Progress,
    visit: &mut Visit<'_>,
) -> Result<(ScanOutcome, u64), Error> {
    scan_file_with(file, scan, progress, visit, ReadPath::Fast)
}

/// [`scan_file`] on the given path. The fast one reads, checks and decodes on every core
/// ([`pipeline`]): each document is walked once, by the check, which indexes its top
/// level; the filter and the tally read their fields from that index, and of a matching
/// document only the projected fields are decoded. Every outcome (documents, their order,
/// counts, tallies, messages) is the reference path's.
pub fn scan_file_with(
    file: &DumpFile,
    scan: &Scan,
    progress: &dyn Progress,
    visit: &mut Visit<'_>,
    path: ReadPath,
) -> Result<(ScanOutcome, u64), Error> {
    if path == ReadPath::Full {
        return scan_file_full(file, scan, progress, visit);
    }
    let (workers, block) = path.plan(file.size_bytes);
    let task = task_name(scan, file);
    progress.start(&task, None);
    let origin: Arc<str> = Arc::from(file.path.display().to_string());
    let mut framer = Framer::new(open_reader(file)?, origin.clone());
    let pool = Pool::default();
    let mut outcome = ScanOutcome::default();
    let mut tally: BTreeMap<String, u64> = BTreeMap::new();
    let mut count = 0u64;
    let mut failure = None;
    let projection = scan.projection.as_deref().map(Projection::new);
    let filter = Prepared::new(&scan.filter);
    pipeline::run(
        workers,
        // A cancel stops the reader thread at its next batch; the consumer below turns it
        // into `Interrupted` before it hands anything more to the visitor.
        || {
            if progress.is_cancelled() {
                return None;
            }
            framer.next_batch(pool.take(), block)
        },
        Checker::default,
        |checker, batch| {
            scan_batch(
                checker,
                batch,
                scan,
                &filter,
                projection.as_ref(),
                &origin,
                &pool,
            )
        },
        |done: Scanned| {
            if let Err(c) = progress.checkpoint() {
                failure = Some(c.into());
                return false;
            }
            let before = count;
            count += done.docs;
            for _ in before / 10_000..count / 10_000 {
                progress.advance(&task, 10_000);
            }
            for (k, v) in done.tally {
                *tally.entry(k).or_default() += v;
            }
            for item in done.items {
                match item {
                    Item::Matched(doc, origin) => {
                        outcome.matched += 1;
                        if let Err(e) = visit(doc, &origin) {
                            failure = Some(e);
                            return false;
                        }
                    }
                    Item::Skipped(m) => outcome.skipped.push(m),
                }
            }
            match done.end {
                None => true,
                // The framing is lost (truncated, a length no dump writes): what was read
                // is kept, the rest of the file is named as not read.
                Some(e @ Error::Input { .. }) => {
                    outcome
                        .skipped
                        .push(format!("{e}; the rest of this file is not read"));
                    false
                }
                Some(e) => {
                    failure = Some(e);
                    false
                }
            }
        },
    );
    if let Some(e) = failure {
        return Err(e);
    }
    // The reader may have stopped on a cancel after the consumer's last check.
    progress.checkpoint()?;
    if scan.tally.is_some() {
        outcome.tally = Some(tally);
    }
    progress.finish(&task, &format!("{count} documents"));
    Ok((outcome, count))
}

/// One batch of [`scan_file_with`]'s fast path, on a worker thread.
fn scan_batch(
    checker: &mut Checker,
    batch: Batch,
    scan: &Scan,
    filter: &Prepared<'_>,
    projection: Option<&Projection>,
    origin: &Arc<str>,
    pool: &Pool,
) -> Scanned {
    let mut out = Scanned {
        docs: batch.frames.len() as u64,
        items: Vec::new(),
        tally: BTreeMap::new(),
        end: batch.end,
    };
    for f in &batch.frames {
        let here = || DocOrigin {
            source: origin.clone(),
            index: f.index,
            line: None,
            offset: Some(f.offset),
        };
        let skipped = |here: &DocOrigin, m: &str| {
            Item::Skipped(Error::input(origin, Some(here), m).to_string())
        };
        let bytes = &batch.bytes[f.start..f.start + f.len];
        let raw = match check_frame(checker, bytes, f.offset, true) {
            Ok(raw) => raw,
            Err(m) => {
                out.items.push(skipped(&here(), &m));
                continue;
            }
        };
        let doc = Indexed {
            raw,
            top: &checker.top,
        };
        if let Some(field) = &scan.tally {
            tally_raw(&mut out.tally, doc.path(field));
        }
        if !filter.matches(&doc) {
            continue;
        }
        let here = here();
        let decoded = match (&scan.projection, projection) {
            (Some(paths), Some(tree)) => match tree.apply_indexed(&doc) {
                Ok(Some(d)) => Ok(d),
                // A repeated field name, or bytes the decoder refuses: the full decode
                // says what it makes of them.
                Ok(None) | Err(_) => decode(raw, &here).map(|d| project(d, paths)),
            },
            _ => decode(raw, &here),
        };
        let mut doc = match decoded {
            Ok(d) => d,
            Err(m) => {
                out.items.push(skipped(&here, &m.to_string()));
                continue;
            }
        };
        redact(&mut doc);
        out.items.push(Item::Matched(doc, here));
    }
    pool.give(batch.bytes);
    out
}

/// The reference path: one document after another on the calling thread, every matching
/// document decoded whole, then projected. The fast path is tested and measured against
/// it.
pub fn scan_file_full(
    file: &DumpFile,
    scan: &Scan,
    progress: &dyn Progress,
    visit: &mut Visit<'_>,
) -> Result<(ScanOutcome, u64), Error> {
    let task = task_name(scan, file);
    progress.start(&task, None);
    let mut stream = open_stream(file)?;
    let origin_name = stream.framer.origin.clone();
    let mut outcome = ScanOutcome::default();
    let mut tally: BTreeMap<String, u64> = BTreeMap::new();
    let mut count = 0u64;
    loop {
        let (framed, origin) = match stream.next_raw() {
            Ok(Some(next)) => next,
            Ok(None) => break,
            // The framing is lost (truncated, a length no dump writes): what was read is
            // kept, the rest of the file is named as not read.
            Err(e @ Error::Input { .. }) => {
                outcome
                    .skipped
                    .push(format!("{e}; the rest of this file is not read"));
                break;
            }
            Err(e) => return Err(e),
        };
        progress.checkpoint()?;
        count += 1;
        if count.is_multiple_of(10_000) {
            progress.advance(&task, 10_000);
        }
        let raw = match framed {
            Framed::Doc(raw) => raw,
            Framed::Damaged(m) => {
                outcome
                    .skipped
                    .push(Error::input(&origin_name, Some(&origin), &m).to_string());
                continue;
            }
        };
        if let Some(field) = &scan.tally {
            *tally
                .entry(tally_key_raw(raw_path(raw, field)))
                .or_default() += 1;
        }
        if !scan.filter.matches_raw(raw) {
            continue;
        }
        let doc = match decode(raw, &origin) {
            Ok(d) => d,
            Err(m) => {
                outcome
                    .skipped
                    .push(Error::input(&origin_name, Some(&origin), &m.to_string()).to_string());
                continue;
            }
        };
        let mut doc = match &scan.projection {
            Some(p) => project(doc, p),
            None => doc,
        };
        redact(&mut doc);
        outcome.matched += 1;
        visit(doc, &origin)?;
    }
    if scan.tally.is_some() {
        outcome.tally = Some(tally);
    }
    progress.finish(&task, &format!("{count} documents"));
    Ok((outcome, count))
}

/// Decodes every document of a `.bson` file, doing nothing else: the benchmark's
/// baseline against pymongo's `decode_file_iter`.
pub fn decode_all(path: &Path) -> Result<u64, Error> {
    let file = DumpFile {
        path: path.to_path_buf(),
        collection: String::new(),
        gzip: path.extension().is_some_and(|e| e == "gz"),
        size_bytes: 0,
    };
    let mut stream = open_stream(&file)?;
    let mut n = 0;
    while let Some((doc, _)) = stream.next_doc()? {
        std::hint::black_box(&doc);
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use mongodb::bson::doc;

    use super::*;

    fn bytes(docs: &[Document]) -> Vec<u8> {
        let mut out = Vec::new();
        for d in docs {
            d.to_writer(&mut out).unwrap();
        }
        out
    }

    fn read_all(data: &[u8]) -> Result<Vec<Document>, String> {
        let mut s = BsonStream::new(data, Arc::from("X.bson"));
        let mut out = Vec::new();
        while let Some((d, _)) = s.next_doc().map_err(|e| e.to_string())? {
            out.push(d);
        }
        Ok(out)
    }

    #[test]
    fn clean_end_and_truncation_are_told_apart() {
        let data = bytes(&[doc! {"_id": 1, "a": "x"}, doc! {"_id": 2, "a": "y"}]);
        assert_eq!(read_all(&data).unwrap().len(), 2);
        let cut = &data[..data.len() - 3];
        let e = read_all(cut).unwrap_err();
        assert!(e.contains("document 2") && e.contains("truncated"), "{e}");
        let e = read_all(&data[..data.len() / 2 + 2]).unwrap_err();
        assert!(e.contains("X.bson"), "{e}");
    }

    proptest::proptest! {
        /// Damaged bytes end in an error, never a panic.
        #[test]
        fn arbitrary_bytes_never_panic(mut data in proptest::collection::vec(proptest::num::u8::ANY, 0..300), cut in 0usize..300) {
            let valid = bytes(&[doc! {"_id": 1, "a": "x", "b": [1, {"c": true}]}]);
            data.splice(0..0, valid);
            let _ = read_all(&data);
            let _ = read_all(&data[..cut.min(data.len())]);
        }
    }

    #[test]
    fn a_length_lie_and_bad_utf8_are_reported() {
        let mut data = bytes(&[doc! {"_id": 1, "a": "xyz"}]);
        data[0] += 3;
        data.extend_from_slice(&[0, 0, 0]);
        let e = read_all(&data).unwrap_err();
        assert!(e.contains("document 1"), "{e}");
        let mut data = bytes(&[doc! {"_id": 1, "a": "xyz"}]);
        let pos = data.windows(3).position(|w| w == b"xyz").unwrap();
        data[pos] = 0xff;
        let e = read_all(&data).unwrap_err();
        assert!(e.contains("document 1") && e.contains("damaged"), "{e}");
    }
}
