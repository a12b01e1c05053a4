//! ATA's MongoDB, read live with the `mongodb` 3.0.1 driver.
//!
//! Read-only by construction: the only operations issued are `buildInfo`,
//! `listCollections`, `count` (estimated document count), `find` and `aggregate`
//! (`$match`/`$group` for alert counts). Nothing here can write.
//!
//! Why 3.0.1: it is the newest driver that accepts wire version 6 (MongoDB 3.6, what
//! ATA 1.9.3 ships). Older servers fail the driver's handshake with a wire-version
//! message; `failure::classify` turns that, and `buildInfo`'s version, into one clear "server
//! too old, read it offline" error (`failure::check_version`).
//!
//! Round trips are counted with the driver's command monitoring (every command started
//! is one request/response on the wire) and reported in the source's `error`-free
//! outcome through [`LiveReader::round_trips`]. Entities are fetched by batched `$in`
//! queries sized so that each batch comes back in one reply.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use mongodb::event::EventHandler;
use mongodb::event::command::CommandEvent;
use mongodb::options::{ClientOptions, Tls, TlsOptions};
use mongodb::{Client, Database};

mod failure;

pub use failure::redact_uri;
use failure::{check_version, classify, server_of};

use super::Error;
use super::MongoSource;
use super::mapping::Mapping;
use super::snapshot::{
    DocOrigin, Filter, Logical, Scan, ScanOutcome, Visit, id_key, redact, tally_key,
};
use crate::model::CollectionInfo;
use crate::progress::Progress;
use crate::secrets::ExposeSecret;

/// How long to wait for the server before calling it unreachable. Short on purpose: the
/// Center is on the consultant's network or not at all, and a hung run helps no one.
pub const SERVER_SELECTION_TIMEOUT: Duration = Duration::from_secs(8);
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Ids per `$in` query. Small enough that the reply (projected entities, ~200 bytes
/// each) fits one batch; large enough that 2,000 referenced entities take two trips.
pub const ID_BATCH: usize = 1000;

/// Oldest MongoDB the driver can talk to.
pub const MIN_VERSION: (u32, u32) = (3, 6);

/// A connected, version-checked ATA database.
pub struct LiveReader {
    client: Client,
    db: Database,
    server: String,
    pub server_version: String,
    collections: Vec<CollectionInfo>,
    /// Physical name per logical collection, as listed by the server.
    physical: BTreeMap<Logical, Vec<String>>,
    round_trips: Arc<AtomicU64>,
    commands: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl LiveReader {
    /// Connects, checks the server version and lists the collections.
    pub async fn connect(source: &MongoSource, mapping: &Mapping) -> Result<Self, Error> {
        let server = server_of(&source.uri);
        let mut options = ClientOptions::parse(&source.uri)
            .await
            .map_err(|e| Error::BadUri {
                uri: redact_uri(&source.uri),
                message: format!(
                    "{e}; expected mongodb://[user@]host[:port][/?options], e.g. \
                 mongodb://fab-ata01:27017"
                ),
            })?;
        if let Some(password) = &source.password {
            match options.credential.as_mut() {
                Some(c) => c.password = Some(password.expose_secret().to_string()),
                None => {
                    return Err(Error::BadUri {
                        uri: redact_uri(&source.uri),
                        message: "a password was given but the URI names no user; write \
                                  mongodb://USER@host:port"
                            .to_string(),
                    });
                }
            }
        }
        if let Some(ca) = &source.ca_file {
            if !ca.is_file() {
                return Err(Error::io(
                    ca,
                    std::io::Error::new(std::io::ErrorKind::NotFound, "CA file not found"),
                ));
            }
            let tls = TlsOptions::builder().ca_file_path(ca.clone()).build();
            options.tls = Some(Tls::Enabled(tls));
        }
        options.app_name = Some("ata2atp".to_string());
        options
            .server_selection_timeout
            .get_or_insert(SERVER_SELECTION_TIMEOUT);
        options.connect_timeout.get_or_insert(CONNECT_TIMEOUT);
        let round_trips = Arc::new(AtomicU64::new(0));
        let commands: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
        let (counter, names) = (round_trips.clone(), commands.clone());
        options.command_event_handler = Some(EventHandler::callback(move |ev: CommandEvent| {
            if let CommandEvent::Started(started) = ev {
                counter.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut names) = names.lock() {
                    *names.entry(started.command_name).or_default() += 1;
                }
            }
        }));
        let client = Client::with_options(options).map_err(|e| classify(&server, &e))?;
        let db = client.database(&source.database);
        let info = db
            .run_command(doc! { "buildInfo": 1 })
            .await
            .map_err(|e| classify(&server, &e))?;
        let version = info.get_str("version").unwrap_or("unknown").to_string();
        check_version(&server, &version)?;
        let names = db
            .list_collection_names()
            .await
            .map_err(|e| classify(&server, &e))?;
        let per_day = regex::Regex::new(r"^[A-Za-z]+_\d{8,14}$").map_err(|e| Error::Server {
            server: server.clone(),
            message: e.to_string(),
        })?;
        let mut collections = Vec::new();
        let mut physical: BTreeMap<Logical, Vec<String>> = BTreeMap::new();
        let mut sorted = names;
        sorted.sort();
        for name in sorted {
            // Per-day activity collections are many and large; naming them is enough.
            let count = if per_day.is_match(&name) {
                None
            } else {
                db.collection::<Document>(&name)
                    .estimated_document_count()
                    .await
                    .ok()
            };
            if let Some(l) = mapping.logical_for(&name) {
                physical.entry(l).or_default().push(name.clone());
            }
            collections.push(CollectionInfo {
                name,
                count,
                size_bytes: None,
            });
        }
        if !collections
            .iter()
            .any(|c| mapping.logical_for(&c.name) == Some(Logical::SystemProfile))
        {
            return Err(Error::Server {
                server,
                message: format!(
                    "database {} has no SystemProfile collection (it has {} collections); ATA's \
                     database is named ATA, in capitals: check --ata-database",
                    source.database,
                    collections.len()
                ),
            });
        }
        Ok(Self {
            client,
            db,
            server,
            server_version: version,
            collections,
            physical,
            round_trips,
            commands,
        })
    }

    pub fn provides(&self, logical: Logical) -> bool {
        self.physical.contains_key(&logical)
    }

    pub fn collections(&self) -> Vec<CollectionInfo> {
        self.collections.clone()
    }

    /// Requests sent to the server so far (each a round trip).
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    /// Commands sent so far, by name (`find`, `getMore`, `aggregate`…): the evidence
    /// that the reader only reads.
    pub fn commands(&self) -> BTreeMap<String, u64> {
        self.commands.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Runs one scan: the tally as one `aggregate`, the documents as `find`s, with `$in`
    /// lists cut into batches.
    pub async fn scan(
        &mut self,
        scan: &Scan,
        progress: &dyn Progress,
        visit: &mut Visit<'_>,
    ) -> Result<ScanOutcome, Error> {
        let mut outcome = ScanOutcome::default();
        let names = self
            .physical
            .get(&scan.collection)
            .cloned()
            .unwrap_or_default();
        for name in names {
            let task = format!("ATA {} from {}", scan.collection, self.server);
            progress.start(&task, None);
            let coll = self.db.collection::<Document>(&name);
            if let Some(field) = &scan.tally {
                let pipeline =
                    vec![doc! { "$group": { "_id": format!("${field}"), "n": { "$sum": 1 } } }];
                let mut cursor = coll
                    .aggregate(pipeline)
                    .await
                    .map_err(|e| classify(&self.server, &e))?;
                let tally = outcome.tally.get_or_insert_with(BTreeMap::new);
                while let Some(d) = cursor
                    .try_next()
                    .await
                    .map_err(|e| classify(&self.server, &e))?
                {
                    let key = tally_key(d.get("_id"));
                    let n = match d.get("n") {
                        Some(Bson::Int32(n)) => *n as u64,
                        Some(Bson::Int64(n)) => *n as u64,
                        Some(Bson::Double(n)) => *n as u64,
                        _ => 0,
                    };
                    *tally.entry(key).or_default() += n;
                }
            }
            let origin: Arc<str> = Arc::from(format!(
                "{}/{}.{name}",
                redact_uri(&format!("mongodb://{}", self.server)),
                self.db.name()
            ));
            let mut index = 0u64;
            let mut seen: HashSet<String> = HashSet::new();
            for (query, batch) in queries(&scan.filter) {
                let projection = scan.projection.as_ref().map(|p| {
                    let mut d = Document::new();
                    for path in p {
                        d.insert(path.clone(), 1);
                    }
                    d
                });
                let mut find = coll.find(query);
                if let Some(p) = projection {
                    find = find.projection(p);
                }
                if let Some(n) = batch {
                    // The whole batch in the first reply: one round trip per batch.
                    find = find.batch_size(n as u32 + 1);
                } else {
                    find = find.batch_size(1000);
                }
                let mut cursor = find.await.map_err(|e| classify(&self.server, &e))?;
                while let Some(mut d) = cursor
                    .try_next()
                    .await
                    .map_err(|e| classify(&self.server, &e))?
                {
                    progress.checkpoint()?;
                    // The same document may answer two parts of an `$or` split in batches.
                    if let Some(key) = d.get("_id").and_then(id_key)
                        && !seen.insert(key)
                    {
                        continue;
                    }
                    index += 1;
                    redact(&mut d);
                    outcome.matched += 1;
                    visit(
                        d,
                        &DocOrigin {
                            source: origin.clone(),
                            index,
                            line: None,
                            offset: None,
                        },
                    )?;
                }
            }
            progress.finish(&task, &format!("{index} documents"));
        }
        Ok(outcome)
    }

    /// Closes the client's connections.
    pub async fn close(self) {
        self.client.shutdown().await;
    }
}

/// The `find` queries for a filter: `$in` lists longer than [`ID_BATCH`] are cut into
/// batches; each query comes with its batch size when it is an id batch.
pub fn queries(filter: &Filter) -> Vec<(Document, Option<usize>)> {
    match filter {
        Filter::IdIn(path, ids) if ids.len() > ID_BATCH => split_ids(path, ids),
        Filter::IdIn(_, ids) if ids.is_empty() => Vec::new(),
        Filter::IdIn(_, ids) => vec![(filter.to_query(), Some(ids.len()))],
        Filter::Or(alts) => {
            let mut out = Vec::new();
            let mut rest = Vec::new();
            for alt in alts {
                match alt {
                    Filter::IdIn(path, ids) if !ids.is_empty() => out.extend(split_ids(path, ids)),
                    Filter::IdIn(..) => {}
                    other => rest.push(other.clone()),
                }
            }
            if !rest.is_empty() {
                out.insert(0, (Filter::Or(rest).to_query(), None));
            }
            out
        }
        other => vec![(other.to_query(), None)],
    }
}

fn split_ids(path: &str, ids: &BTreeMap<String, Bson>) -> Vec<(Document, Option<usize>)> {
    let all: Vec<(&String, &Bson)> = ids.iter().collect();
    all.chunks(ID_BATCH)
        .map(|chunk| {
            let batch: BTreeMap<String, Bson> = chunk
                .iter()
                .map(|(k, v)| ((*k).clone(), (*v).clone()))
                .collect();
            (
                Filter::IdIn(path.to_string(), batch).to_query(),
                Some(chunk.len()),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_lists_are_batched() {
        let ids: BTreeMap<String, Bson> = (0..2500)
            .map(|i| (format!("{i:05}"), Bson::String(format!("{i:05}"))))
            .collect();
        let f = Filter::Or(vec![
            Filter::IdIn("_id".into(), ids),
            Filter::IsTrue("IsHoneytoken".into()),
        ]);
        let q = queries(&f);
        assert_eq!(q.len(), 4);
        assert_eq!(q[0].1, None);
        assert_eq!(q.iter().filter_map(|(_, b)| *b).sum::<usize>(), 2500);
    }
}
