//! Shared helpers for the ATA tests: the canonical synthetic fixture, writers for every
//! form a consultant may bring (mongodump folder, JSON in each dialect, the collector's
//! export), and inventory normalisation so that readers can be compared.
//!
//! The fixture (`tests/fixtures/ata/canonical/*.json`, canonical Extended JSON v2) is
//! loaded with the bson crate's own Extended JSON parser, not with ata2atp's, so the
//! reader under test never grades its own homework.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ata2atp::ata::AtaSources;
use ata2atp::model::Inventory;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use mongodb::bson::{Bson, Document};
use serde_json::{Value, json};

pub const COLLECTIONS: [&str; 3] = ["SystemProfile", "UniqueEntity", "SuspiciousActivity"];

/// Secrets planted in the fixture: none may appear in any output, in any encoding.
pub const PLANTED: [&str; 6] = [
    "FIXTURE-SECRET-DSA-0001",
    "FIXTURE-SECRET-RADIUS-0002",
    "FIXTURE-SECRET-HASH-0003",
    "FIXTURE-SECRET-SMTP-0004",
    "FIXTURE-SECRET-PLAIN-0005",
    "FIXTURE-SECRET-PLAIN-0006",
];

/// Every form a planted secret could take in an output: as is, and base64-encoded.
pub fn planted_forms() -> Vec<String> {
    let mut out = Vec::new();
    for p in PLANTED {
        out.push(p.to_string());
        out.push(B64.encode(p));
        out.push(B64.encode(p).trim_end_matches('=').to_string());
        out.push(hex::encode(p));
        out.push(hex::encode_upper(p));
    }
    out.push("FIXTURE-SECRET".to_string());
    out
}

pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ata/canonical")
}

/// The canonical fixture, per collection.
pub fn canonical() -> BTreeMap<&'static str, Vec<Document>> {
    let mut out = BTreeMap::new();
    for name in COLLECTIONS {
        let text = fs::read_to_string(fixture_dir().join(format!("{name}.json"))).unwrap();
        let docs = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                match Bson::try_from(v).unwrap() {
                    Bson::Document(d) => d,
                    other => panic!("not a document: {other:?}"),
                }
            })
            .collect();
        out.insert(name, docs);
    }
    out
}

/// Writes a mongodump folder: `<dir>/ATA/<name>.bson`, with `UniqueEntity` gzipped and
/// under its plural name, and metadata files next to them.
pub fn write_dump(dir: &Path, docs: &BTreeMap<&str, Vec<Document>>) -> PathBuf {
    let db = dir.join("ATA");
    fs::create_dir_all(&db).unwrap();
    for (name, list) in docs {
        let mut bytes = Vec::new();
        for d in list {
            d.to_writer(&mut bytes).unwrap();
        }
        if *name == "UniqueEntity" {
            let f = fs::File::create(db.join("UniqueEntities.bson.gz")).unwrap();
            let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
            gz.write_all(&bytes).unwrap();
            gz.finish().unwrap();
        } else {
            fs::write(db.join(format!("{name}.bson")), bytes).unwrap();
        }
        fs::write(
            db.join(format!("{name}.metadata.json")),
            r#"{"options":{},"indexes":[]}"#,
        )
        .unwrap();
    }
    // A per-day activity collection: listed, never read.
    fs::write(db.join("KerberosAs_20261115000000.bson"), []).unwrap();
    dir.to_path_buf()
}

/// The JSON dialects a consultant may bring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// mongoexport ≥ 4.2 default: Extended JSON v2 relaxed, NDJSON.
    Relaxed,
    /// v2 canonical, as a JSON array (`--jsonArray`).
    CanonicalArray,
    /// mongoexport < 4.2: legacy strict, `$date` as milliseconds.
    LegacyNumberDates,
    /// Legacy strict with `$date` as an ISO string with `+0000`, pretty-printed.
    LegacyStringDatesPretty,
    /// mongo shell notation (`printjson`/`tojsononeline`).
    Shell,
}

pub const DIALECTS: [Dialect; 5] = [
    Dialect::Relaxed,
    Dialect::CanonicalArray,
    Dialect::LegacyNumberDates,
    Dialect::LegacyStringDatesPretty,
    Dialect::Shell,
];

/// Writes one file per collection in `dialect`; returns the paths. File names vary the
/// way they do in the field.
pub fn write_json(
    dir: &Path,
    docs: &BTreeMap<&str, Vec<Document>>,
    dialect: Dialect,
) -> Vec<PathBuf> {
    fs::create_dir_all(dir).unwrap();
    let mut paths = Vec::new();
    for (name, list) in docs {
        let file = match (*name, dialect) {
            ("SystemProfile", _) => "SystemProfile_20261115040000.json".to_string(),
            (n, Dialect::Relaxed) => format!("ATA.{n}.json"),
            (n, _) => format!("{n}.json"),
        };
        let mut text = String::new();
        match dialect {
            Dialect::Relaxed => {
                for d in list {
                    text.push_str(&Bson::Document(d.clone()).into_relaxed_extjson().to_string());
                    text.push('\n');
                }
            }
            Dialect::CanonicalArray => {
                let all: Vec<Value> = list
                    .iter()
                    .map(|d| Bson::Document(d.clone()).into_canonical_extjson())
                    .collect();
                text = serde_json::to_string_pretty(&Value::Array(all)).unwrap();
            }
            Dialect::LegacyNumberDates => {
                for d in list {
                    text.push_str(&legacy(&Bson::Document(d.clone()), false).to_string());
                    text.push('\n');
                }
            }
            Dialect::LegacyStringDatesPretty => {
                for d in list {
                    text.push_str(
                        &serde_json::to_string_pretty(&legacy(&Bson::Document(d.clone()), true))
                            .unwrap(),
                    );
                    text.push('\n');
                }
            }
            Dialect::Shell => {
                for d in list {
                    text.push_str(&shell(&Bson::Document(d.clone())));
                    text.push('\n');
                }
            }
        }
        let path = dir.join(file);
        fs::write(&path, text).unwrap();
        paths.push(path);
    }
    paths
}

/// Legacy strict mode (mongoexport before 4.2).
pub fn legacy(v: &Bson, string_dates: bool) -> Value {
    match v {
        Bson::Document(d) => Value::Object(
            d.iter()
                .map(|(k, v)| (k.clone(), legacy(v, string_dates)))
                .collect(),
        ),
        Bson::Array(a) => Value::Array(a.iter().map(|v| legacy(v, string_dates)).collect()),
        Bson::ObjectId(o) => json!({ "$oid": o.to_hex() }),
        Bson::DateTime(d) if string_dates => {
            let t = chrono::DateTime::from_timestamp_millis(d.timestamp_millis()).unwrap();
            json!({ "$date": t.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string() })
        }
        Bson::DateTime(d) => json!({ "$date": d.timestamp_millis() }),
        Bson::Int64(i) => json!({ "$numberLong": i.to_string() }),
        Bson::Int32(i) => json!(i),
        Bson::Binary(b) => {
            json!({ "$binary": B64.encode(&b.bytes), "$type": format!("{:02x}", u8::from(b.subtype)) })
        }
        Bson::Timestamp(t) => json!({ "$timestamp": { "t": t.time, "i": t.increment } }),
        Bson::String(s) => json!(s),
        Bson::Boolean(b) => json!(b),
        Bson::Null => Value::Null,
        Bson::Double(f) => json!(f),
        other => other.clone().into_relaxed_extjson(),
    }
}

/// mongo shell notation, as the 3.x shell prints it.
pub fn shell(v: &Bson) -> String {
    match v {
        Bson::Document(d) => {
            let fields: Vec<String> = d
                .iter()
                .map(|(k, v)| format!("{} : {}", json!(k), shell(v)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        Bson::Array(a) => format!("[ {} ]", a.iter().map(shell).collect::<Vec<_>>().join(", ")),
        Bson::ObjectId(o) => format!("ObjectId(\"{}\")", o.to_hex()),
        Bson::DateTime(d) => {
            let t = chrono::DateTime::from_timestamp_millis(d.timestamp_millis()).unwrap();
            format!("ISODate(\"{}\")", t.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
        }
        Bson::Int64(i) => format!("NumberLong({i})"),
        Bson::Int32(i) => format!("NumberInt({i})"),
        Bson::Binary(b) if u8::from(b.subtype) == 4 => {
            let h = hex::encode(&b.bytes);
            format!(
                "UUID(\"{}-{}-{}-{}-{}\")",
                &h[0..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..]
            )
        }
        Bson::Binary(b) => format!(
            "BinData({},\"{}\")",
            u8::from(b.subtype),
            B64.encode(&b.bytes)
        ),
        Bson::Timestamp(t) => format!("Timestamp({}, {})", t.time, t.increment),
        Bson::String(s) => json!(s).to_string(),
        Bson::Boolean(b) => b.to_string(),
        Bson::Null => "null".to_string(),
        Bson::Double(f) => format!("{f:?}"),
        other => other.clone().into_relaxed_extjson().to_string(),
    }
}

/// Reads `sources` into a fresh inventory through the library.
pub async fn collect(sources: AtaSources) -> Result<Inventory, ata2atp::ata::Error> {
    let mut inv = Inventory::new(chrono::Utc::now());
    ata2atp::ata::collect_into(&sources, &mut inv, &ata2atp::progress::Silent).await?;
    Ok(inv)
}

/// The inventory of the canonical fixture read from its JSON exports, normalised: what
/// every other form of the same deployment must read to.
pub async fn reference_inventory() -> Inventory {
    let dir = fixture_dir();
    let json = ["SystemProfile", "UniqueEntity", "SuspiciousActivity"]
        .iter()
        .map(|n| dir.join(format!("{n}.json")))
        .collect();
    normalized(
        collect(AtaSources {
            json,
            ..AtaSources::default()
        })
        .await
        .unwrap(),
    )
}

/// What readers may legitimately differ in: when and from where they read, and what
/// they can say about collections. Everything the guide needs must be equal.
pub fn normalized(mut inv: Inventory) -> Inventory {
    inv.collected_at = chrono::DateTime::UNIX_EPOCH;
    inv.provenance = Default::default();
    inv.sources.clear();
    inv.ata.collections.clear();
    inv.ata.center.mongo_version = None;
    // The same not-found entries may name collections differently per reader.
    inv.not_found.sort_by(|a, b| a.item.cmp(&b.item));
    inv
}

pub use super::files::snapshot;

/// Runs the collector script under node against a stub `db` serving `fixture_dir`;
/// returns its output, or `None` when node is not installed.
pub fn run_collector_with_node(script: &str, data_dir: &Path, work: &Path) -> Option<String> {
    let node = ["node", "nodejs"].into_iter().find(|n| {
        std::process::Command::new(n)
            .arg("--version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    })?;
    let script_path = work.join("collect-ata.js");
    fs::write(&script_path, script).unwrap();
    let stub = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ata/mongo-shell-stub.js");
    let out = std::process::Command::new(node)
        .arg(stub)
        .arg(&script_path)
        .arg(data_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "collector script failed under the stub shell:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

/// Everything one dump-file scan yields, as text: the documents handed over (with where
/// they came from) in order, the outcome (matches, skipped documents with their
/// messages, tally), the document count, or the error. Two read paths agree when their
/// traces are equal.
pub fn dump_scan_trace(
    path: &Path,
    scan: &ata2atp::ata::snapshot::Scan,
    read: ata2atp::ata::ReadPath,
) -> String {
    let file = ata2atp::ata::dump::DumpFile {
        path: path.to_path_buf(),
        collection: String::new(),
        gzip: path.to_string_lossy().ends_with(".gz"),
        size_bytes: fs::metadata(path).map(|m| m.len()).unwrap_or(0),
    };
    let mut seen = String::new();
    let mut visit = |doc: Document, origin: &ata2atp::ata::snapshot::DocOrigin| {
        seen.push_str(&format!("{origin:?} {doc:?}\n"));
        Ok(())
    };
    let result = ata2atp::ata::dump::scan_file_with(
        &file,
        scan,
        &ata2atp::progress::Silent,
        &mut visit,
        read,
    );
    format!("{result:?}\n{seen}")
}

/// Inventory as YAML with the times of the run masked: two runs over the same files
/// must give this text byte for byte.
pub fn inventory_text(result: &Result<Inventory, ata2atp::ata::Error>) -> String {
    match result {
        Err(e) => format!("error: {e}"),
        Ok(inv) => {
            let mut inv = inv.clone();
            inv.collected_at = chrono::DateTime::UNIX_EPOCH;
            for s in &mut inv.sources {
                s.read_at = None;
            }
            ata2atp::yaml::to_string(&inv, "test").unwrap()
        }
    }
}

/// Reads `sources` on the given read path.
pub async fn collect_with(
    sources: AtaSources,
    read: ata2atp::ata::ReadPath,
) -> Result<Inventory, ata2atp::ata::Error> {
    let mut inv = Inventory::new(chrono::Utc::now());
    ata2atp::ata::collect_into_with(&sources, &mut inv, &ata2atp::progress::Silent, read).await?;
    Ok(inv)
}

/// A gateway known by its name only, as ATA lists one whose kind nothing says.
pub fn gateway(name: &str) -> ata2atp::model::Gateway {
    ata2atp::model::Gateway {
        id: format!("gw-{name}"),
        name: name.into(),
        kind: ata2atp::model::GatewayKind::Unknown,
        version: None,
        status: None,
        service_status: None,
        last_activity: None,
        kind_evidence: None,
        domain_synchronizer_candidate: None,
        syslog_listener: None,
        domain_controllers: Vec::new(),
    }
}
