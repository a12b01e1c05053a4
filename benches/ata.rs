//! ATA inventory benchmark (not a test; run with `scripts/bench-ata.sh`).
//!
//! Generates a large synthetic ATA database (250,000 UniqueEntity, 100,000
//! SuspiciousActivity, 5,000 exclusions, 2,000 honeytokens and sensitive entities, 200
//! gateways) as a mongodump folder, then measures:
//! - the dump reader: full decoding of `UniqueEntity.bson` (docs/s), the same file
//!   through pymongo's C-accelerated `bson.decode_file_iter` in the same run, and the
//!   inventory's own pass over it (raw filter, validation, decoding only what matches);
//! - the whole inventory from the dump, in a child process, with its peak RSS;
//! - with `--mongo-uri`, the same data loaded into a MongoDB-wire server and the live
//!   inventory: wall time and round trips by command.
//!
//! Writes everything to the JSON file given with `--out`.
//!
//! usage: ata [--dir DIR] [--out FILE] [--python PY] [--mongo-uri URI]
//!        ata child-inventory DIR        (internal: the measured child)

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use ata2atp::ata::dump::{self, DumpFile};
use ata2atp::ata::mapping::Mapping;
use ata2atp::ata::snapshot::{Filter, Logical, Scan};
use ata2atp::ata::{AtaSources, MongoSource};

use ata2atp::model::Inventory;
use ata2atp::progress::Silent;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::spec::BinarySubtype;
use mongodb::bson::{Binary, Bson, DateTime, Document, doc};
use serde_json::json;

const ENTITIES: usize = 250_000;
const ALERTS: usize = 100_000;
const EXCLUSIONS: usize = 5_000;
const TAGGED: usize = 2_000; // honeytokens + manual sensitive
const GATEWAYS: usize = 200;

fn guid(i: usize) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", i, i * 7919)
}

/// Deterministic pseudo-random numbers (no dependency, same data every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn write_docs(path: &Path, docs: impl Iterator<Item = Document>) -> u64 {
    let mut w = BufWriter::with_capacity(1 << 20, fs::File::create(path).unwrap());
    let mut n = 0;
    for d in docs {
        d.to_writer(&mut w).unwrap();
        n += 1;
    }
    w.flush().unwrap();
    n
}

fn entity(i: usize, rng: &mut Lcg) -> Document {
    let kind = match i % 10 {
        0..=6 => "User",
        7 | 8 => "Computer",
        _ => "Group",
    };
    let name = format!("{}{i:06}", if kind == "Computer" { "WS" } else { "user" });
    let mut d = doc! {
        "_id": guid(i),
        "_t": ["UniqueEntity", "Account", kind],
        "Name": &name,
        "SamName": &name,
        "UpnName": format!("{name}@northwind.test"),
        "DistinguishedName": format!("CN={name},OU=Staff,DC=northwind,DC=test"),
        "CanonicalName": format!("northwind.test/Staff/{name}"),
        "Sid": format!("S-1-5-21-1111111111-2222222222-3333333333-{}", 10_000 + i),
        "DomainId": guid(0),
        "Description": "Synthetic entity for the ata2atp benchmark",
        "CreationTime": DateTime::from_millis(1_500_000_000_000 + (rng.next() % 100_000_000_000) as i64),
        "IsDeleted": false,
        "IsDisabled": rng.next().is_multiple_of(20),
        "IsPartial": false,
        "IsSensitive": i.is_multiple_of(125), // 2,000 automatic
        "IsHoneytoken": false,
        "CompleteSearchNames": [name.to_lowercase(), format!("{}@northwind.test", name.to_lowercase())],
    };
    if i < TAGGED / 2 {
        d.insert("IsHoneytoken", true);
    }
    d
}

fn alert(i: usize, rng: &mut Lcg) -> Document {
    let status = match i % 100 {
        0..=2 => "Open",
        3 | 4 => "Suppressed",
        5 => "Dismissed",
        _ => "Closed",
    };
    let start = 1_790_000_000_000 + (rng.next() % 5_000_000_000) as i64;
    doc! {
        "_id": ObjectId::from_bytes({ let mut b = [0u8; 12]; b[4..].copy_from_slice(&(i as u64).to_be_bytes()); b }),
        "_t": ["SuspiciousActivity", "DnsReconnaissanceSuspiciousActivity"],
        "Severity": (["Low", "Medium", "High"][i % 3]),
        "Status": status,
        "StartTime": DateTime::from_millis(start),
        "EndTime": DateTime::from_millis(start + 4000),
        "SystemCreationTime": DateTime::from_millis(start + 90_000),
        "SourceComputerId": guid((rng.next() as usize) % ENTITIES),
        "DestinationComputerIds": [guid((rng.next() as usize) % ENTITIES)],
        "RelatedUniqueEntityIds": [guid((rng.next() as usize) % ENTITIES), guid((rng.next() as usize) % ENTITIES)],
        "SourceIpAddresses": ["10.20.30.40"],
        "TitleKey": "DnsReconnaissanceSuspiciousActivityTitle",
        "DescriptionFormatKey": "DnsReconnaissanceSuspiciousActivityDescription",
        "WindowsEventId": 2007,
        "RelatedActivityCount": 3,
        "HasDetails": true,
        "DetailsRecords": [ { "Kind": "DnsQuery", "Query": "northwind.test", "Count": 12 } ],
    }
}

fn profiles() -> Vec<Document> {
    let enc = |m: &str| doc! { "CertificateThumbprint": "AB".repeat(20), "EncryptedBytes": Binary { subtype: BinarySubtype::Generic, bytes: m.as_bytes().to_vec() } };
    let mut conf = doc! {
        "SecretManagerConfiguration": { "CertificateThumbprint": "AB".repeat(20) },
        "CenterWebClientConfiguration": { "ServiceEndpoints": ["https://ata.northwind.test"], "ServiceCertificateThumbprints": ["AB".repeat(20)] },
        "CenterWebApplicationConfiguration": { "ServiceListeningIpEndpoint": "192.0.2.15:443" },
        "DirectoryServicesClientConfiguration": { "Credentials": [ { "UserName": "svc-ata", "Domain": "northwind.test", "PasswordEncrypted": enc("BENCH-SECRET") } ] },
        "SyslogClientConfiguration": { "IsEnabled": true, "ServerEndpoint": "siem:514", "ServerTransport": "Udp", "Serializer": "Rfc5424" },
        "MailClientConfiguration": { "IsEnabled": true, "From": "ata@northwind.test", "ServerEndpoint": "smtp:25" },
        "GatewayCommonConfiguration": { "IsRadiusEventListenerEnabled": true, "RadiusEventListenerSharedSecretEncrypted": enc("BENCH-RADIUS") },
        "UniqueEntityProcessorConfiguration": {
            "HoneytokenAccountIds": (0..TAGGED / 2).map(guid).collect::<Vec<_>>(),
            "SensitiveAccountIds": (TAGGED / 2..TAGGED).map(guid).collect::<Vec<_>>(),
        },
    };
    // 5,000 exclusions over 25 detectors: computers, accounts and subnets.
    for det in 0..25 {
        let per = EXCLUSIONS / 25;
        let base = 100_000 + det * per;
        conf.insert(
            format!("Detector{det:02}DetectorConfiguration"),
            doc! {
                "IsEnabled": det % 7 != 0,
                "ExcludedSourceComputerIds": (base..base + per / 2).map(guid).collect::<Vec<_>>(),
                "ExcludedSourceAccountIds": (base + per / 2..base + per - 10).map(guid).collect::<Vec<_>>(),
                "ExcludedSubnets": (0..10).map(|k| format!("10.{det}.{k}.0/24")).collect::<Vec<_>>(),
            },
        );
    }
    let mut out =
        vec![doc! { "_id": ObjectId::new(), "_t": "CenterSystemProfile", "Configuration": conf }];
    for g in 0..GATEWAYS {
        out.push(doc! {
            "_id": ObjectId::new(),
            "_t": ["SystemProfile", "GatewaySystemProfile"],
            "NetbiosName": format!("NW-DC{g:03}"),
            "Version": "1.9.7576.11385",
            "Status": "Running",
            "Configuration": { "DirectoryServicesResolverConfiguration": { "IsDomainSynchronizerCandidate": g % 10 == 0 } },
        });
    }
    out
}

fn generate(dir: &Path) -> BTreeMap<String, u64> {
    let db = dir.join("ATA");
    fs::create_dir_all(&db).unwrap();
    let mut sizes = BTreeMap::new();
    let marker = db.join(".complete");
    if marker.exists() {
        eprintln!("bench: reusing {}", db.display());
    } else {
        let t = Instant::now();
        let mut rng = Lcg(42);
        write_docs(&db.join("SystemProfile.bson"), profiles().into_iter());
        write_docs(
            &db.join("UniqueEntity.bson"),
            (0..ENTITIES).map(|i| entity(i, &mut rng)),
        );
        let mut rng = Lcg(7);
        write_docs(
            &db.join("SuspiciousActivity.bson"),
            (0..ALERTS).map(|i| alert(i, &mut rng)),
        );
        fs::write(&marker, b"").unwrap();
        eprintln!("bench: generated in {:.1} s", t.elapsed().as_secs_f64());
    }
    for name in ["SystemProfile", "UniqueEntity", "SuspiciousActivity"] {
        sizes.insert(
            name.to_string(),
            fs::metadata(db.join(format!("{name}.bson"))).unwrap().len(),
        );
    }
    sizes
}

fn peak_rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The measured child: one inventory from the dump, then its own peak RSS.
fn child_inventory(dir: &Path) {
    let t = Instant::now();
    let inv = runtime().block_on(async {
        let mut inv = Inventory::new(chrono::Utc::now());
        let sources = AtaSources {
            dump: Some(dir.to_path_buf()),
            ..AtaSources::default()
        };
        ata2atp::ata::collect_into(&sources, &mut inv, &Silent)
            .await
            .unwrap();
        inv
    });
    let secs = t.elapsed().as_secs_f64();
    let a = &inv.ata;
    println!(
        "{}",
        json!({
            "seconds": secs,
            "peak_rss_mib": peak_rss_kib().map(|k| k as f64 / 1024.0),
            "exclusions": a.exclusions.len(),
            "honeytokens": a.honeytokens.len(),
            "sensitive": a.sensitive.len(),
            "gateways": a.gateways.len(),
            "open_alerts": a.alerts.open.len(),
            "suppressed_alerts": a.alerts.suppressed.len(),
            "alerts_total": a.alerts.total(),
        })
    );
}

fn pymongo(python: &str, file: &Path) -> serde_json::Value {
    let code = r#"
import sys, time, bson
t = time.perf_counter(); n = 0
with open(sys.argv[1], 'rb') as f:
    for _ in bson.decode_file_iter(f):
        n += 1
s = time.perf_counter() - t
import json; print(json.dumps({"docs": n, "seconds": s, "docs_per_s": n / s, "c_extension": bson.has_c(), "pymongo": __import__("pymongo").version}))
"#;
    match Command::new(python).arg("-c").arg(code).arg(file).output() {
        Ok(o) if o.status.success() => {
            serde_json::from_slice(&o.stdout).unwrap_or(json!({"error": "unreadable output"}))
        }
        Ok(o) => json!({ "error": String::from_utf8_lossy(&o.stderr).trim().to_string() }),
        Err(e) => json!({ "error": format!("{python}: {e}") }),
    }
}

fn live(uri: &str, dir: &Path) -> serde_json::Value {
    match std::panic::catch_unwind(|| live_inner(uri, dir)) {
        Ok(v) => v,
        Err(_) => json!({ "error": "the live run failed (see stderr)" }),
    }
}

fn live_inner(uri: &str, dir: &Path) -> serde_json::Value {
    runtime().block_on(async {
        let db_name = format!("ata2atp_bench_{}", std::process::id());
        let client = mongodb::Client::with_uri_str(uri).await.unwrap();
        let db = client.database(&db_name);
        let t = Instant::now();
        for name in ["SystemProfile", "UniqueEntity", "SuspiciousActivity"] {
            let file = DumpFile {
                path: dir.join("ATA").join(format!("{name}.bson")),
                collection: name.into(),
                gzip: false,
                size_bytes: 0,
            };
            let mut stream = dump::open_stream(&file).unwrap();
            let coll = db.collection::<Document>(name);
            let mut batch = Vec::with_capacity(2000);
            while let Some((d, _)) = stream.next_doc().unwrap() {
                batch.push(d);
                if batch.len() == 2000 {
                    coll.insert_many(std::mem::take(&mut batch)).await.unwrap();
                }
            }
            if !batch.is_empty() {
                coll.insert_many(batch).await.unwrap();
            }
        }
        let load_s = t.elapsed().as_secs_f64();
        eprintln!("bench: loaded into {uri} database {db_name} in {load_s:.1} s");

        let mut source = MongoSource::new(uri.to_string());
        source.database = db_name.clone();
        let sources = AtaSources {
            mongo: Some(source),
            ..AtaSources::default()
        };
        let counter = RoundTrips::default();
        let t = Instant::now();
        let mut inv = Inventory::new(chrono::Utc::now());
        ata2atp::ata::collect_into(&sources, &mut inv, &counter)
            .await
            .unwrap();
        let inventory_s = t.elapsed().as_secs_f64();
        let _ = db.drop().await; // the benchmark's own database on the throwaway server
        json!({
            "load_seconds": load_s,
            "inventory_seconds": inventory_s,
            "round_trips": counter.0.lock().unwrap().clone(),
            "open_alerts": inv.ata.alerts.open.len(),
            "honeytokens": inv.ata.honeytokens.len(),
            "exclusions": inv.ata.exclusions.len(),
        })
    })
}

/// Catches the "N round trips" line collect_into reports.
#[derive(Default)]
struct RoundTrips(std::sync::Mutex<Option<String>>);
impl ata2atp::progress::Progress for RoundTrips {
    fn start(&self, _: &str, _: Option<u64>) {}
    fn advance(&self, _: &str, _: u64) {}
    fn finish(&self, task: &str, outcome: &str) {
        if task == "ATA MongoDB" {
            *self.0.lock().unwrap() = Some(outcome.to_string());
        }
    }
}

fn main() {
    let all: Vec<String> = std::env::args().skip(1).collect();
    if all.first().map(String::as_str) == Some("child-inventory") {
        child_inventory(Path::new(&all[1]));
        return;
    }
    if !common::under_cargo_bench("ata") {
        return;
    }
    let args: Vec<String> = all.into_iter().filter(|a| a != "--bench").collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = opt("--dir")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench/ata-dump"));
    let out = opt("--out")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench/ata.json"));
    let python = opt("--python").unwrap_or_else(|| "python3".into());
    let sizes = generate(&dir);
    let ue = dir.join("ATA/UniqueEntity.bson");

    // Full decode, best of three, and pymongo's in the same run, alternating.
    let mut rust_best = f64::MAX;
    let mut py_runs = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let n = dump::decode_all(&ue).unwrap();
        rust_best = rust_best.min(t.elapsed().as_secs_f64());
        assert_eq!(n as usize, ENTITIES);
        py_runs.push(pymongo(&python, &ue));
    }
    let py_best = py_runs
        .iter()
        .filter_map(|r| r.get("seconds").and_then(|s| s.as_f64()))
        .fold(f64::MAX, f64::min);

    // The inventory's own pass over UniqueEntity: what it really does with the file.
    let mapping = Mapping::builtin().unwrap();
    let ids: BTreeMap<String, Bson> = (0..TAGGED)
        .chain(100_000..100_000 + EXCLUSIONS)
        .map(|i| (guid(i), Bson::String(guid(i))))
        .collect();
    let scan = Scan {
        collection: Logical::UniqueEntity,
        filter: Filter::Or(vec![
            Filter::IdIn("_id".into(), ids),
            Filter::IsTrue("IsHoneytoken".into()),
            Filter::IsTrue("IsSensitive".into()),
        ]),
        projection: Some(vec![
            "_id".into(),
            "_t".into(),
            "Name".into(),
            "Sid".into(),
            "IsHoneytoken".into(),
            "IsSensitive".into(),
        ]),
        tally: None,
    };
    let _ = &mapping;
    let file = DumpFile {
        path: ue.clone(),
        collection: "UniqueEntity".into(),
        gzip: false,
        size_bytes: 0,
    };
    let mut scan_best = f64::MAX;
    let mut matched = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let (o, _) = dump::scan_file(&file, &scan, &Silent, &mut |_, _| Ok(())).unwrap();
        scan_best = scan_best.min(t.elapsed().as_secs_f64());
        matched = o.matched;
    }

    // The whole inventory in a child process, for an honest peak RSS.
    let child = Command::new(std::env::current_exe().unwrap())
        .arg("child-inventory")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        child.status.success(),
        "{}",
        String::from_utf8_lossy(&child.stderr)
    );
    let inventory: serde_json::Value = serde_json::from_slice(&child.stdout).unwrap();

    let live = opt("--mongo-uri").map(|uri| live(&uri, &dir));

    let docs = ENTITIES as f64;
    let result = json!({
        "generated": { "unique_entities": ENTITIES, "suspicious_activities": ALERTS, "exclusions": EXCLUSIONS,
                        "honeytokens_and_sensitive": TAGGED, "gateways": GATEWAYS, "bytes": sizes },
        "machine": { "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0) },
        "dump_reader": {
            "file": ue.display().to_string(),
            "full_decode_docs_per_s": docs / rust_best,
            "full_decode_mb_per_s": sizes["UniqueEntity"] as f64 / rust_best / 1e6,
            "inventory_scan_docs_per_s": docs / scan_best,
            "inventory_scan_matched": matched,
        },
        "pymongo_decode_file_iter": {
            "best_docs_per_s": if py_best < f64::MAX { json!(docs / py_best) } else { json!(null) },
            "runs": py_runs,
        },
        "ratio_full_decode_vs_pymongo": if py_best < f64::MAX { json!(py_best / rust_best) } else { json!(null) },
        "ratio_inventory_scan_vs_pymongo": if py_best < f64::MAX { json!(py_best / scan_best) } else { json!(null) },
        "inventory_from_dump": inventory,
        "live": live,
    });
    fs::create_dir_all(out.parent().unwrap()).unwrap();
    fs::write(&out, serde_json::to_string_pretty(&result).unwrap()).unwrap();
    println!("{}", serde_json::to_string_pretty(&result).unwrap());
    eprintln!("bench: written to {}", out.display());
}
