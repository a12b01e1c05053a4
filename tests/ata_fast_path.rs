//! The fast read path (issue 18: reading, inflating and decoding on every core, each BSON
//! document walked once, only the mapped fields decoded) gives what the reference path
//! (one thread, every matching document decoded whole) gives, byte for byte: the same
//! inventory from the fixture in every form and every damaged form of it, and the same
//! documents, origins, messages, counts and tallies from every scan of the public
//! corpus's dump files.
//!
//! Each comparison runs the fast path as it runs for a consultant and with the threads
//! forced on the small fixtures (one, two and three workers, batches of one document and
//! of a few), so that the batch boundaries fall everywhere.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use ata2atp::ata::snapshot::{Filter, Logical, Scan};
use ata2atp::ata::{AtaSources, ReadPath};
use mongodb::bson::{Bson, Document, doc};
use support::ata::*;
use support::files::corpus;

const FAST: [ReadPath; 4] = [
    ReadPath::Fast,
    ReadPath::Parallel {
        workers: 1,
        batch_bytes: 1,
    },
    ReadPath::Parallel {
        workers: 2,
        batch_bytes: 300,
    },
    ReadPath::Parallel {
        workers: 3,
        batch_bytes: 4096,
    },
];

async fn assert_inventories_agree(label: &str, sources: AtaSources) {
    let want = inventory_text(&collect_with(sources.clone(), ReadPath::Full).await);
    for path in FAST {
        let got = inventory_text(&collect_with(sources.clone(), path).await);
        if got != want {
            let diff: Vec<String> = got
                .lines()
                .zip(want.lines())
                .enumerate()
                .filter(|(_, (a, b))| a != b)
                .take(8)
                .map(|(i, (a, b))| format!("line {}: fast {a:?}\n          full {b:?}", i + 1))
                .collect();
            panic!(
                "{label}, {path:?}: the inventory differs from the full decode's:\n{}\n\
                 (fast {} lines, full {} lines)",
                diff.join("\n"),
                got.lines().count(),
                want.lines().count()
            );
        }
    }
}

fn bson_bytes(docs: &[Document]) -> Vec<u8> {
    let mut out = Vec::new();
    for d in docs {
        d.to_writer(&mut out).unwrap();
    }
    out
}

/// Where the n-th document of a `.bson` file starts.
fn doc_start(bytes: &[u8], n: usize) -> usize {
    let mut at = 0;
    for _ in 0..n {
        at += i32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    }
    at
}

/// The fixture as a dump, and damaged in each way a copied dump is met damaged.
fn dump_forms(root: &Path) -> Vec<(String, PathBuf)> {
    let docs = canonical();
    let mut out = Vec::new();
    let mut form = |name: &str, edit: &dyn Fn(&Path)| {
        let dir = root.join(name);
        write_dump(&dir, &docs);
        edit(&dir.join("ATA"));
        out.push((name.to_string(), dir));
    };
    form("as written", &|_| {});
    form("uncompressed", &|db| {
        fs::remove_file(db.join("UniqueEntities.bson.gz")).unwrap();
        fs::write(
            db.join("UniqueEntity.bson"),
            bson_bytes(&canonical()["UniqueEntity"]),
        )
        .unwrap();
    });
    form("truncated inside a document", &|db| {
        let p = db.join("SuspiciousActivity.bson");
        let b = fs::read(&p).unwrap();
        fs::write(&p, &b[..b.len() - 7]).unwrap();
    });
    form("truncated inside a length", &|db| {
        let p = db.join("SuspiciousActivity.bson");
        let mut b = fs::read(&p).unwrap();
        b.extend_from_slice(&[9, 0]);
        fs::write(&p, b).unwrap();
    });
    form("a length no dump writes", &|db| {
        let p = db.join("SuspiciousActivity.bson");
        let mut b = fs::read(&p).unwrap();
        let at = doc_start(&b, 2);
        b[at..at + 4].copy_from_slice(&3i32.to_le_bytes());
        fs::write(&p, b).unwrap();
    });
    form("damaged inside documents", &|db| {
        let p = db.join("SystemProfile.bson");
        let mut b = fs::read(&p).unwrap();
        // A string's bytes no longer UTF-8 in the second profile, a type byte no BSON
        // knows in the third.
        let at = doc_start(&b, 1);
        let s = b[at..].windows(3).position(|w| w == b"_t\0").unwrap() + at;
        b[s + 3 + 4 + 4 + 2] = 0xff;
        let at = doc_start(&b, 2);
        b[at + 4] = 0x42;
        fs::write(&p, b).unwrap();
    });
    form("gzip cut inside the data", &|db| {
        let p = db.join("UniqueEntities.bson.gz");
        let b = fs::read(&p).unwrap();
        fs::write(&p, &b[..b.len() * 2 / 3]).unwrap();
    });
    form("gzip without its trailer", &|db| {
        let p = db.join("UniqueEntities.bson.gz");
        let b = fs::read(&p).unwrap();
        fs::write(&p, &b[..b.len() - 8]).unwrap();
    });
    form("gzip that is not", &|db| {
        fs::write(db.join("UniqueEntities.bson.gz"), b"not gzip at all").unwrap();
    });
    form("empty files", &|db| {
        fs::write(db.join("SuspiciousActivity.bson"), b"").unwrap();
        fs::write(db.join("UniqueEntities.bson.gz"), b"").unwrap();
    });
    form("a repeated field name", &|db| {
        // An honeytoken whose name field comes twice (MongoDB stores what a driver sends):
        // the full decode keeps the last value in the first one's place.
        let mut list = canonical()["UniqueEntity"].clone();
        list.push(doc! {
            "_id": "dddddddd-0000-4000-8000-000000000001",
            "_t": ["UniqueEntity", "Account", "User"],
            "Name": "First Name",
            "Sid": "S-1-5-21-1-2-3-7777",
            "Namf": "Second Name",
            "IsHoneytoken": true,
            "Sie": { "inner": 1 },
        });
        let mut b = bson_bytes(&list);
        for (from, to) in [(&b"Namf\0"[..], &b"Name\0"[..]), (b"Sie\0", b"Sid\0")] {
            let at = b.windows(from.len()).position(|w| w == from).unwrap();
            b[at..at + from.len()].copy_from_slice(to);
        }
        fs::remove_file(db.join("UniqueEntities.bson.gz")).unwrap();
        fs::write(db.join("UniqueEntity.bson"), b).unwrap();
    });
    out
}

#[tokio::test]
async fn every_form_of_the_fixture_dump_reads_the_same_on_both_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let forms = dump_forms(tmp.path());
    assert!(forms.len() >= 10);
    for (label, dir) in forms {
        assert_inventories_agree(
            &format!("dump {label}"),
            AtaSources {
                dump: Some(dir),
                ..AtaSources::default()
            },
        )
        .await;
    }
}

/// The scans extraction makes, and a few that reach into arbitrary documents (the
/// corpus's fields are `a`, `x`, `d`, `_id`, …).
fn scans() -> Vec<Scan> {
    let ids = ["1", "c0ffee00-0000-4000-8000-000000000001", "abc"]
        .into_iter()
        .map(|k| (k.to_string(), Bson::String(k.to_string())))
        .collect();
    vec![
        Scan {
            collection: Logical::SystemProfile,
            filter: Filter::All,
            projection: None,
            tally: None,
        },
        Scan {
            collection: Logical::SuspiciousActivity,
            filter: Filter::StrIn("Status".into(), vec!["Open".into(), "x".into()]),
            projection: Some(vec!["_t".into(), "Status".into(), "a".into()]),
            tally: Some("Status".into()),
        },
        Scan {
            collection: Logical::UniqueEntity,
            filter: Filter::Or(vec![
                Filter::IdIn("_id".into(), ids),
                Filter::IsTrue("IsHoneytoken".into()),
                Filter::IsTrue("a".into()),
            ]),
            projection: Some(vec!["_t".into(), "Name".into(), "Sid".into()]),
            tally: None,
        },
        Scan {
            collection: Logical::UniqueEntity,
            filter: Filter::All,
            projection: Some(vec!["a".into(), "x.y".into(), "d.0".into(), "b.c".into()]),
            tally: Some("x".into()),
        },
        Scan {
            collection: Logical::SystemProfile,
            filter: Filter::IsTrue("x.y".into()),
            projection: Some(vec!["x.y.z".into()]),
            tally: Some("a.b".into()),
        },
    ]
}

fn assert_scans_agree(label: &str, file: &Path) {
    for scan in scans() {
        let want = dump_scan_trace(file, &scan, ReadPath::Full);
        for path in FAST {
            let got = dump_scan_trace(file, &scan, path);
            assert!(
                got == want,
                "{label}, {path:?}, {scan:?}:\nfast: {got}\nfull: {want}"
            );
        }
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_dump_file_scans_the_same_on_both_paths() {
    let mut files = Vec::new();
    files_under(&corpus().join("mongo-tools"), &mut files);
    files.retain(|p| {
        let n = p.to_string_lossy();
        n.ends_with(".bson") || n.ends_with(".bson.gz")
    });
    assert!(files.len() >= 15, "corpus dump files: {files:?}");
    for f in &files {
        assert_scans_agree(&f.display().to_string(), f);
    }
}

/// Every case of MongoDB's BSON corpus, valid and refused, one file of documents back to
/// back per type.
#[test]
fn the_bson_corpus_scans_the_same_on_both_paths() {
    let dir = corpus().join("mongodb-specifications/bson-corpus");
    let tmp = tempfile::tempdir().unwrap();
    let mut n = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let spec: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
        let mut bytes = Vec::new();
        for (list, field) in [("valid", "canonical_bson"), ("decodeErrors", "bson")] {
            for case in spec[list].as_array().into_iter().flatten() {
                if let Some(h) = case[field].as_str() {
                    bytes.extend(hex::decode(h).unwrap());
                    n += 1;
                }
            }
        }
        let file = tmp
            .path()
            .join(format!("{}.bson", p.file_stem().unwrap().to_string_lossy()));
        fs::write(&file, &bytes).unwrap();
        assert_scans_agree(&p.display().to_string(), &file);
    }
    assert!(n > 300, "corpus cases: {n}");
}

#[test]
fn a_dump_file_scans_the_same_in_batches_of_any_size() {
    // Documents of every size around the batch target, so a batch ends before, at and
    // after each one.
    let docs: Vec<Document> = (0..60)
        .map(|i| doc! { "_id": i as i64, "Status": if i % 3 == 0 { "Open" } else { "Closed" }, "pad": "x".repeat(i * 37) })
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("SuspiciousActivity.bson");
    fs::write(&file, bson_bytes(&docs)).unwrap();
    let scan = &scans()[1];
    let want = dump_scan_trace(&file, scan, ReadPath::Full);
    for batch_bytes in [1, 7, 100, 1000, 1500, 2500, 10_000, 1 << 20] {
        for workers in [0, 1, 2] {
            let got = dump_scan_trace(
                &file,
                scan,
                ReadPath::Parallel {
                    workers,
                    batch_bytes,
                },
            );
            assert_eq!(
                got, want,
                "{workers} workers, batches of {batch_bytes} bytes"
            );
        }
    }
}

/// Renames the field `from` to `to` (the same length) in every document of `bytes`: how
/// a test makes a document repeat a field name, which a `Document` cannot hold.
fn rename(bytes: &mut [u8], from: &str, to: &str) {
    let (from, to) = (format!("{from}\0"), format!("{to}\0"));
    assert_eq!(from.len(), to.len());
    let mut at = 0;
    while let Some(n) = bytes[at..]
        .windows(from.len())
        .position(|w| w == from.as_bytes())
    {
        bytes[at + n..at + n + to.len()].copy_from_slice(to.as_bytes());
        at += n + to.len();
    }
}

#[test]
fn repeated_field_names_read_as_the_full_decode_reads_them() {
    // The first of two fields decides a filter and a tally (as a raw lookup finds it);
    // the decode keeps the last value in the first one's place, and a projection below a
    // field drops it when the last value has no fields.
    let docs = [
        doc! { "_id": 1, "Q0": { "y": 1, "z": 2 }, "a": 1, "Q1": 5, "T0": true, "T1": false, "S0": "Open", "S1": "Closed" },
        doc! { "_id": 2, "Q0": 5, "a": 1, "Q1": { "y": 1 }, "T0": false, "T1": true, "S0": "Closed", "S1": "Open" },
        doc! { "_id": 3, "a": 1, "Q0": [ { "y": 1 }, 7, { "y": { "Q0": 1, "Q1": 2 } } ], "T0": true, "Q1": [ { "z": 1 } ] },
        doc! { "_id": 4, "Q0": { "y": { "k": 1 }, "Q1": 3 }, "T0": true, "Z": { "Q0": 1, "Q1": 2 } },
    ];
    let mut bytes = bson_bytes(&docs);
    for (from, to) in [("Q1", "Q0"), ("T1", "T0"), ("S1", "S0")] {
        rename(&mut bytes, from, to);
    }
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("UniqueEntity.bson");
    fs::write(&file, bytes).unwrap();
    let projections: [&[&str]; 4] = [&["Q0.y", "a"], &["Q0"], &["Q0.y.Q0", "Z.Q0"], &["a"]];
    let filters = [
        Filter::All,
        Filter::IsTrue("T0".into()),
        Filter::StrIn("S0".into(), vec!["Open".into()]),
    ];
    for projection in projections {
        for filter in &filters {
            let scan = Scan {
                collection: Logical::UniqueEntity,
                filter: filter.clone(),
                projection: Some(projection.iter().map(|p| p.to_string()).collect()),
                tally: Some("S0".into()),
            };
            let want = dump_scan_trace(&file, &scan, ReadPath::Full);
            for path in FAST {
                let got = dump_scan_trace(&file, &scan, path);
                assert!(
                    got == want,
                    "{path:?}, {scan:?}:\nfast: {got}\nfull: {want}"
                );
            }
        }
    }
}
