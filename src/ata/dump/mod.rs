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

mod frame;

use frame::check_frame;
pub(crate) use frame::{BLOCK, Batch, Framer};
pub use frame::{BsonStream, Framed};

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
                Some(e) => {
                    if let Err(e) = outcome.cut_short(e) {
                        failure = Some(e);
                    }
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
    while let Some((framed, origin)) = outcome.next(stream.next_raw())? {
        progress.checkpoint()?;
        count += 1;
        if count.is_multiple_of(10_000) {
            progress.advance(&task, 10_000);
        }
        let raw = match framed {
            Framed::Doc(raw) => raw,
            Framed::Damaged(m) => {
                outcome.skip(&origin_name, Some(&origin), &m);
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
                outcome.skip(&origin_name, Some(&origin), &m.to_string());
                continue;
            }
        };
        outcome.matched += 1;
        visit(scan.keep(doc), &origin)?;
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
