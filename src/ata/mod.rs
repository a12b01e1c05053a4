//! Reading ATA: its MongoDB live, a mongodump folder, JSON exports and the collector
//! script's export all produce the same snapshot; `extract` turns it into the inventory.
//!
//! | module | owns |
//! |---|---|
//! | [`snapshot`] | the snapshot contract: logical collections, filters, projection, document origins, secret redaction |
//! | [`live`] | ATA's MongoDB over the wire (driver 3.0.1, read-only), server version check, error classification, round-trip count |
//! | [`bson_check`] | every BSON document's bytes checked without recursion: lengths, types, UTF-8, depth; damage named by byte |
//! | [`dump`] | mongodump folders: `.bson` / `.bson.gz`, streamed, truncation told from a clean end |
//! | [`pipeline`] | one file read on every core in the file's order: a reader thread, workers, the caller consuming |
//! | [`json`] | JSON exports in every Extended JSON dialect and mongo shell notation, streamed |
//! | [`collector`] | the read-only mongo shell script the consultant runs on the Center |
//! | [`mapping`] | where ATA keeps each setting (`mappings/ata-default.yaml`, overridable) |
//! | [`extract`] | snapshot + mapping → `inventory.ata`, `not_found` |
//!
//! Readers know formats, not meanings; only `extract` knows where ATA keeps a setting,
//! and it learns that from the mapping.

pub mod bson_check;
pub mod collector;
pub mod dump;
pub mod extract;
pub mod json;
pub mod live;
pub mod mapping;
pub mod pipeline;
pub mod snapshot;

use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::model::{CollectionInfo, Inventory, Source, SourceKind, SourceStatus};
use crate::progress::Progress;
use crate::secrets::SecretString;
use mapping::Mapping;
use snapshot::{DocOrigin, Logical, Scan, ScanOutcome, Visit};

/// ATA's database, live.
#[derive(Debug, Clone)]
pub struct MongoSource {
    /// `mongodb://host:port/…`, without a password (it goes in `password`).
    pub uri: String,
    pub password: Option<SecretString>,
    /// CA certificate (PEM) when the server uses TLS.
    pub ca_file: Option<PathBuf>,
    /// Database name; ATA's is `ATA`.
    pub database: String,
}

impl MongoSource {
    pub fn new(uri: String) -> Self {
        Self {
            uri,
            password: None,
            ca_file: None,
            database: "ATA".to_string(),
        }
    }
}

/// Where to read ATA from. Any combination may be given; later sources add to earlier.
#[derive(Debug, Clone, Default)]
pub struct AtaSources {
    pub mongo: Option<MongoSource>,
    pub dump: Option<PathBuf>,
    pub json: Vec<PathBuf>,
    /// A field-path mapping replacing the built-in one.
    pub mapping: Option<PathBuf>,
}

impl AtaSources {
    pub fn is_empty(&self) -> bool {
        self.mongo.is_none() && self.dump.is_none() && self.json.is_empty()
    }
}

/// How the file readers (dump, JSON) do their work. Both paths give the same outcome,
/// byte for byte: the fast one is tested against the reference on every fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadPath {
    /// Reading, inflating and decoding overlap on every core ([`pipeline`]); each BSON
    /// document is walked once, and of a matching one only the mapped fields are decoded.
    #[default]
    Fast,
    /// The fast path with this many worker threads and batches of about this many bytes,
    /// whatever the file's size (tests run the threads on small fixtures with it).
    Parallel { workers: usize, batch_bytes: usize },
    /// The reference: one document after another on one thread, each matching document
    /// decoded whole, then projected.
    Full,
}

impl ReadPath {
    /// Files below this size are read on the calling thread: threads cost more than
    /// they bring there.
    const PARALLEL_FROM: u64 = 1 << 20;

    /// Worker threads (0: the calling thread does everything) and batch size in bytes
    /// for a file of `size` bytes.
    pub(crate) fn plan(self, size: u64) -> (usize, usize) {
        match self {
            ReadPath::Parallel {
                workers,
                batch_bytes,
            } => (workers, batch_bytes.max(1)),
            _ if size < Self::PARALLEL_FROM => (0, dump::BLOCK),
            _ => (pipeline::cores(), dump::BLOCK),
        }
    }
}

/// ATA could not be read. Every message names what failed (file, document number and
/// byte offset, server, field), what was expected, and what to do next. A value of an
/// unexpected type is no error: it costs its item only (see [`extract`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file that is not what it should be: damaged, truncated, not an export.
    #[error("{source_name}{}: {message}", doc.as_ref().map(|d| format!(", {d}")).unwrap_or_default())]
    Input {
        source_name: String,
        /// "document 3 (line 12)".
        doc: Option<String>,
        message: String,
    },

    /// A dump folder or export that holds none of ATA's collections.
    #[error(
        "{source_name}: not an ATA database: found {found}; none of ATA's collections ({expected}) \
         is there. Point at the dump or export of the Center's ATA database (a file named \
         after its collection, e.g. UniqueEntity.json, or the folder mongodump wrote for ATA)"
    )]
    NotAta {
        source_name: String,
        found: String,
        expected: String,
    },

    #[error("could not read {}: {source}{}", path.display(), io_hint(source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("mapping {0}")]
    MappingYaml(crate::yaml::YamlError),

    #[error("mapping {origin}: {message}")]
    Mapping { origin: String, message: String },

    /// The MongoDB URI itself is wrong.
    #[error("--ata-mongo {uri}: {message}")]
    BadUri { uri: String, message: String },

    /// Nothing listens, the name does not resolve, or the network refuses.
    #[error(
        "no MongoDB answered at {server} ({message}): is the Center's MongoDB reachable from \
         here? It listens on the Center only (127.0.0.1:27017) by default: from another \
         machine use an SSH tunnel, or run `ata2atp collector ata-mongo` on the Center"
    )]
    Unreachable { server: String, message: String },

    #[error(
        "no MongoDB answered at {server} within {seconds} s ({message}): is the Center's \
         MongoDB reachable from here? Check firewalls and that mongod runs (service \
         \"MongoDB\" on the Center; it listens on the Center only by default); or take a \
         mongodump / the collector script's export instead"
    )]
    Timeout {
        server: String,
        seconds: u64,
        message: String,
    },

    #[error(
        "ATA's MongoDB at {server} refused the credentials: {message}. Check the user in the \
         URI, the password given with --ata-mongo-password-env/-file, and the auth database \
         (add ?authSource=admin to the URI if the user lives in admin)"
    )]
    Auth { server: String, message: String },

    #[error(
        "TLS to ATA's MongoDB at {server} failed: {message}. Pass the CA that signed the \
         server's certificate with --ata-mongo-ca-file, or drop tls=true if the server does \
         not use TLS"
    )]
    Tls { server: String, message: String },

    #[error(
        "ATA's MongoDB at {server} is version {version}; this tool reads MongoDB 3.6 or newer \
         live (ATA 1.9.3 ships 3.6.18). Read it offline instead: a mongodump folder \
         (--ata-dump), JSON exports such as the Center's SystemProfile_*.json backups \
         (--ata-json), or the export of `ata2atp collector ata-mongo` run on the Center"
    )]
    ServerTooOld { server: String, version: String },

    /// The server answered a command with an error.
    #[error("ATA's MongoDB at {server}: {message}")]
    Server { server: String, message: String },

    /// The run was stopped (Ctrl-C, Esc in the TUI); nothing was written.
    #[error("interrupted")]
    Interrupted(#[from] crate::progress::Cancelled),
}

fn io_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "; check the path",
        std::io::ErrorKind::PermissionDenied => "; check the file's permissions",
        _ => "",
    }
}

impl Error {
    /// Input for bad input files or mapping, source when a server could not be read.
    pub fn kind(&self) -> crate::kind::ErrorKind {
        use crate::kind::ErrorKind;
        match self {
            Error::Input { .. }
            | Error::Io { .. }
            | Error::MappingYaml(_)
            | Error::Mapping { .. }
            | Error::BadUri { .. } => ErrorKind::Input,
            Error::Unreachable { .. }
            | Error::Timeout { .. }
            | Error::Auth { .. }
            | Error::Tls { .. }
            | Error::ServerTooOld { .. }
            | Error::NotAta { .. }
            | Error::Server { .. } => ErrorKind::Source,
            Error::Interrupted(_) => ErrorKind::Interrupted,
        }
    }

    pub(crate) fn input(source: &str, doc: Option<&DocOrigin>, message: &str) -> Self {
        Error::Input {
            source_name: source.to_string(),
            doc: doc.map(DocOrigin::place),
            message: message.to_string(),
        }
    }

    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn io_str(origin: &str, source: std::io::Error) -> Self {
        Error::Io {
            path: PathBuf::from(origin),
            source,
        }
    }

    /// True for failures of a server (the run may go on with what was read).
    fn is_server(&self) -> bool {
        self.kind() == crate::kind::ErrorKind::Source && !matches!(self, Error::NotAta { .. })
    }
}

/// One opened source of ATA data.
pub(crate) enum Reader {
    Live(Box<live::LiveReader>),
    Dump(dump::DumpFolder),
    Json(json::JsonFile),
}

/// A reader with its bookkeeping for `sources[]`.
pub(crate) struct OpenSource {
    pub reader: Reader,
    pub source: Source,
    /// Documents counted per physical collection while scanning.
    pub counted: Vec<(String, u64)>,
    pub path: ReadPath,
}

impl OpenSource {
    pub fn provides(&self, mapping: &Mapping, logical: Logical) -> bool {
        match &self.reader {
            Reader::Live(l) => l.provides(logical),
            Reader::Dump(d) => !d.files_for(mapping, logical).is_empty(),
            Reader::Json(j) => j.provides(logical),
        }
    }

    /// Scans one logical collection. A server failure marks the source partial and
    /// yields nothing instead of stopping the run: what was read is kept.
    pub async fn scan(
        &mut self,
        mapping: &Mapping,
        scan: &Scan,
        progress: &dyn Progress,
        visit: &mut Visit<'_>,
    ) -> Result<ScanOutcome, Error> {
        let result = match &mut self.reader {
            Reader::Live(l) => l.scan(scan, progress, visit).await,
            Reader::Dump(d) => {
                let mut total = ScanOutcome::default();
                for file in d.files_for(mapping, scan.collection) {
                    let (outcome, count) =
                        dump::scan_file_with(file, scan, progress, visit, self.path)?;
                    self.counted.push((file.collection.clone(), count));
                    total.matched += outcome.matched;
                    total.skipped.extend(outcome.skipped);
                    merge_tally(&mut total.tally, outcome.tally);
                }
                Ok(total)
            }
            Reader::Json(j) => j
                .scan(mapping, scan, progress, visit)
                .map(|(outcome, count)| {
                    if let Some(name) = j.physical_name() {
                        self.counted.push((name.to_string(), count));
                    }
                    outcome
                }),
        };
        match result {
            Ok(o) => {
                self.source.records = Some(self.source.records.unwrap_or(0) + o.matched);
                // Every scan of a file meets the same damage: it is told once.
                for what in &o.skipped {
                    self.mark_partial(&format!("not read: {what}"));
                }
                Ok(o)
            }
            Err(e) if e.is_server() => {
                self.mark_partial(&format!("{}: {e}", scan.collection));
                Ok(ScanOutcome::default())
            }
            Err(e) => Err(e),
        }
    }

    /// Marks the source as read only in part, saying what was not read.
    pub fn mark_partial(&mut self, what: &str) {
        self.source.status = SourceStatus::Partial;
        self.source.error = Some(match self.source.error.take() {
            Some(prev) if prev.contains(what) => prev,
            Some(prev) => format!("{prev}; {what}"),
            None => what.to_string(),
        });
    }

    pub fn collections(&self) -> Vec<CollectionInfo> {
        let mut list = match &self.reader {
            Reader::Live(l) => l.collections(),
            Reader::Dump(d) => d.collections(),
            Reader::Json(j) => j.collections(),
        };
        for (name, count) in &self.counted {
            if let Some(c) = list.iter_mut().find(|c| &c.name == name) {
                c.count = Some(*count);
            }
        }
        list
    }
}

pub(crate) fn merge_tally(
    into: &mut Option<std::collections::BTreeMap<String, u64>>,
    from: Option<std::collections::BTreeMap<String, u64>>,
) {
    if let Some(from) = from {
        let into = into.get_or_insert_with(Default::default);
        for (k, v) in from {
            *into.entry(k).or_default() += v;
        }
    }
}

/// Opens every source named in `sources`. Files are checked as they open (empty, not an
/// export); the live server is connected and its version checked.
pub(crate) async fn open_sources(
    sources: &AtaSources,
    mapping: &Mapping,
    progress: &dyn Progress,
    read_path: ReadPath,
) -> Result<Vec<OpenSource>, Error> {
    let mut out = Vec::new();
    let now = Some(Utc::now());
    if let Some(mongo) = &sources.mongo {
        progress.start("ATA MongoDB: connecting", None);
        let reader = live::LiveReader::connect(mongo, mapping).await;
        progress.finish(
            "ATA MongoDB: connecting",
            if reader.is_ok() {
                "connected"
            } else {
                "failed"
            },
        );
        let reader = reader?;
        let mut source = Source::ok(SourceKind::AtaMongo, live::redact_uri(&mongo.uri));
        source.server_version = Some(reader.server_version.clone());
        source.read_at = now;
        out.push(OpenSource {
            reader: Reader::Live(Box::new(reader)),
            source,
            counted: Vec::new(),
            path: read_path,
        });
    }
    if let Some(dir) = &sources.dump {
        let database = sources
            .mongo
            .as_ref()
            .map_or("ATA", |m| m.database.as_str());
        let folder = dump::DumpFolder::open(dir, database, mapping)?;
        let mut source = Source::ok(SourceKind::AtaDump, folder.root.display().to_string());
        source.read_at = now;
        out.push(OpenSource {
            reader: Reader::Dump(folder),
            source,
            counted: Vec::new(),
            path: read_path,
        });
    }
    for path in &sources.json {
        let file = json::JsonFile::open(path, mapping)?;
        let kind = if file.is_collector() {
            SourceKind::AtaCollector
        } else {
            SourceKind::AtaJson
        };
        let mut source = Source::ok(kind, path.display().to_string());
        source.read_at = now;
        source.server_version = file.server_version();
        out.push(OpenSource {
            reader: Reader::Json(file),
            source,
            counted: Vec::new(),
            path: read_path,
        });
    }
    Ok(out)
}

/// Reads every ATA source into `inventory.ata`, its sources and `not_found`.
pub async fn collect_into(
    sources: &AtaSources,
    inventory: &mut Inventory,
    progress: &dyn Progress,
) -> Result<(), Error> {
    collect_into_with(sources, inventory, progress, ReadPath::Fast).await
}

/// [`collect_into`] with the file readers on the given path (tests and the benchmark
/// compare the paths).
pub async fn collect_into_with(
    sources: &AtaSources,
    inventory: &mut Inventory,
    progress: &dyn Progress,
    path: ReadPath,
) -> Result<(), Error> {
    let mapping = Mapping::load(sources.mapping.as_deref())?;
    let mut open = open_sources(sources, &mapping, progress, path).await?;
    let extracted = extract::extract(&mut open, &mapping, progress).await?;
    for o in &mut open {
        if let Reader::Live(live) = &o.reader {
            // Every request the live path made, for the consultant who must justify the
            // load on a production Center.
            let by_command: Vec<String> = live
                .commands()
                .iter()
                .map(|(c, n)| format!("{c} {n}"))
                .collect();
            progress.finish(
                "ATA MongoDB",
                &format!(
                    "{} round trips ({})",
                    live.round_trips(),
                    by_command.join(", ")
                ),
            );
        }
    }
    inventory.ata = extracted.ata;
    inventory.not_found.extend(extracted.not_found);
    inventory.sources.extend(open.into_iter().map(|o| o.source));
    Ok(())
}

/// The read-only mongo shell script printed by `ata2atp collector ata-mongo`.
pub fn collector_script() -> String {
    match Mapping::builtin() {
        Ok(m) => collector::script(&m),
        // The built-in mapping is tested; this cannot happen in a released build.
        Err(e) => format!("// ata2atp: the built-in mapping is broken: {e}\n"),
    }
}
