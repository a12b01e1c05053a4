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
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mongodb::bson::{Document, RawDocument};

use super::Error;
use super::bson_check;
use super::mapping::Mapping;
use super::snapshot::{
    DocOrigin, Logical, Scan, ScanOutcome, Visit, project, raw_path, redact, tally_key_raw,
};
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

/// Reads BSON documents one after another from any reader.
pub struct BsonStream<R> {
    reader: R,
    origin: Arc<str>,
    index: u64,
    /// Byte offset (in the decompressed stream) where the current document starts.
    offset: u64,
    /// Byte offset where the next document starts.
    next_offset: u64,
    buf: Vec<u8>,
}

/// One document as framed by its length prefix: checked, or damaged inside. A damaged
/// document costs only itself: the next one starts where its length says.
pub enum Framed<'a> {
    Doc(&'a RawDocument),
    Damaged(String),
}

impl<R: BufRead> BsonStream<R> {
    pub fn new(reader: R, origin: Arc<str>) -> Self {
        Self {
            reader,
            origin,
            index: 0,
            offset: 0,
            next_offset: 0,
            buf: Vec::with_capacity(64 * 1024),
        }
    }

    fn here(&self) -> DocOrigin {
        DocOrigin {
            source: self.origin.clone(),
            index: self.index,
            line: None,
            offset: Some(self.offset),
        }
    }

    fn fail(&self, message: String) -> Error {
        Error::input(&self.origin, Some(&self.here()), &message)
    }

    /// The next document's bytes, framed and checked. `None` at a clean end of file; an
    /// error when the framing itself is lost (truncation, a length no dump writes), since
    /// nothing after that point can be found.
    pub fn next_raw(&mut self) -> Result<Option<(Framed<'_>, DocOrigin)>, Error> {
        let origin = self.origin.clone();
        if self
            .reader
            .fill_buf()
            .map_err(|e| Error::io_str(&origin, e))?
            .is_empty()
        {
            return Ok(None);
        }
        self.index += 1;
        self.offset = self.next_offset;
        let mut len_bytes = [0u8; 4];
        let got =
            read_full(&mut self.reader, &mut len_bytes).map_err(|e| Error::io_str(&origin, e))?;
        if got < 4 {
            return Err(self.fail(format!(
                "the file ends inside the length of this document ({got} of 4 bytes): it was \
                 truncated; copy the dump again (after {} complete documents)",
                self.index - 1
            )));
        }
        let len = i32::from_le_bytes(len_bytes);
        if len < 5 {
            return Err(self.fail(format!(
                "declares a length of {len} bytes, below BSON's minimum of 5: the file is damaged or \
                 not a mongodump .bson file"
            )));
        }
        let len = len as usize;
        if len > MAX_BSON_SIZE {
            return Err(self.fail(format!(
                "declares a length of {len} bytes, above MongoDB's 16 MiB document limit: the file \
                 is damaged or not a mongodump .bson file (a `mongodump --archive` file is not \
                 supported: dump to a folder instead)"
            )));
        }
        self.buf.clear();
        self.buf.extend_from_slice(&len_bytes);
        self.buf.resize(len, 0);
        let got = read_full(&mut self.reader, &mut self.buf[4..])
            .map_err(|e| Error::io_str(&origin, e))?;
        if got < len - 4 {
            return Err(self.fail(format!(
                "is cut off: it declares {len} bytes but the file ends after {}; the file was \
                 truncated (copy the dump again)",
                got + 4
            )));
        }
        self.next_offset = self.offset + len as u64;
        let here = self.here();
        if let Err(d) = bson_check::check(&self.buf) {
            let at = self.offset + d.offset as u64;
            return Ok(Some((
                Framed::Damaged(format!("the document is damaged at byte {at}: {d}")),
                here,
            )));
        }
        match RawDocument::from_bytes(&self.buf) {
            Ok(raw) => Ok(Some((Framed::Doc(raw), here))),
            Err(e) => Ok(Some((
                Framed::Damaged(format!(
                    "the document is damaged (at byte {}): {e}",
                    self.offset
                )),
                here,
            ))),
        }
    }

    /// The next document, decoded; a damaged one is an error. `None` at a clean end.
    pub fn next_doc(&mut self) -> Result<Option<(Document, DocOrigin)>, Error> {
        let origin_name = self.origin.clone();
        match self.next_raw()? {
            None => Ok(None),
            Some((Framed::Damaged(m), origin)) => {
                Err(Error::input(&origin_name, Some(&origin), &m))
            }
            Some((Framed::Doc(raw), origin)) => {
                let doc = decode(raw, &origin)
                    .map_err(|m| Error::input(&origin_name, Some(&origin), &m))?;
                Ok(Some((doc, origin)))
            }
        }
    }
}

/// Decodes a document [`bson_check::check`] passed (so its depth is bounded).
pub fn decode(raw: &RawDocument, origin: &DocOrigin) -> Result<Document, String> {
    Document::try_from(raw).map_err(|e| {
        format!(
            "the document is damaged (at byte {}): {e}",
            origin.offset.unwrap_or(0)
        )
    })
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // A gzip stream cut short reports UnexpectedEof: that is a truncation too.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Opens a dump file for streaming.
pub fn open_stream(file: &DumpFile) -> Result<BsonStream<Box<dyn BufRead + Send>>, Error> {
    regular_file(&file.path)?;
    let f = File::open(&file.path).map_err(|e| Error::io(&file.path, e))?;
    let reader: Box<dyn BufRead + Send> = if file.gzip {
        Box::new(BufReader::with_capacity(
            1 << 17,
            flate2::read::MultiGzDecoder::new(f),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 17, f))
    };
    Ok(BsonStream::new(
        reader,
        Arc::from(file.path.display().to_string()),
    ))
}

/// Scans one dump file; returns the outcome and the number of documents in the file.
pub fn scan_file(
    file: &DumpFile,
    scan: &Scan,
    progress: &dyn Progress,
    visit: &mut Visit<'_>,
) -> Result<(ScanOutcome, u64), Error> {
    let task = format!(
        "ATA {} from {}",
        scan.collection,
        file.path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    progress.start(&task, None);
    let mut stream = open_stream(file)?;
    let origin_name = stream.origin.clone();
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
                    .push(Error::input(&origin_name, Some(&origin), &m).to_string());
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
