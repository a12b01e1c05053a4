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

mod extended;
mod file;
mod shell;
mod split;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mongodb::bson::{Bson, Document};

pub use extended::{ExtJsonError, ext_to_bson};
pub use shell::shell_to_json;
pub use split::{MAX_TEXT_DEPTH, ParseError, Parsed, Splitter, parse_document};

use super::Error;
use super::mapping::Mapping;
use super::snapshot::{Logical, Scan, ScanOutcome, Visit, get_path, tally_key};
use crate::model::CollectionInfo;
use crate::progress::Progress;
use file::open_text;

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

    /// Streams the documents of `scan.collection` that pass its filter, one after another
    /// on the calling thread; also returns how many documents of that collection the file
    /// holds. JSON has this one read path (a dump also has a fast one: [`ReadPath`]).
    ///
    /// [`ReadPath`]: crate::ata::ReadPath
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
        while let Some((parsed, origin)) = outcome.next(splitter.next_parsed())? {
            progress.checkpoint()?;
            let doc = match parsed {
                Ok(doc) => doc,
                Err(m) => {
                    // Counted among the file's documents, named, and skipped.
                    count += 1;
                    outcome.skip(&self.origin, Some(&origin), &m.to_string());
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
            outcome.matched += 1;
            visit(scan.keep(doc), &origin)?;
        }
        if let Some(h) = collector {
            if !seen_trailer {
                outcome.skip(
                    &self.origin,
                    None,
                    "the collector export ends before its last line: the file is incomplete \
                     (the script was interrupted or the copy was cut); run the collector again",
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

/// Reads every document of a small JSON text (tests, the demo).
pub fn parse_all(text: &str, origin: &str) -> Result<Vec<Document>, Error> {
    let mut s = Splitter::new(text.as_bytes(), Arc::from(origin));
    let mut out = Vec::new();
    while let Some((d, _)) = s.next_doc()? {
        out.push(d);
    }
    Ok(out)
}
