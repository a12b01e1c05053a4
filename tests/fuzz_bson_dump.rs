//! Fuzzing the BSON dump reader (issue 13): arbitrary bytes, and valid dumps with bytes
//! flipped, cut or inserted, read as a dump file. Every outcome is documents or an error
//! naming the file and byte offset; never a panic, a hang or a stack overflow. And the
//! fast read path (issue 18) yields exactly what the reference path yields from them.
//!
//! The number of cases comes from `ATA2ATP_FUZZ_CASES` (default: a few seconds in a debug
//! build); run longer with e.g. `ATA2ATP_FUZZ_CASES=200000 cargo test --release --test
//! fuzz_bson_dump`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use ata2atp::ata::ReadPath;
use ata2atp::ata::dump::{BsonStream, Framed};
use ata2atp::ata::snapshot::{Filter, Logical, Scan};
use mongodb::bson::{Binary, Bson, Document, doc, spec::BinarySubtype};
use proptest::prelude::*;

/// A dump of ATA-like documents: a profile with nested settings, an entity, an alert.
fn seed() -> Vec<u8> {
    let docs: Vec<Document> = vec![
        doc! { "_id": 1, "_t": ["SystemProfile", "CenterSystemProfile"], "Configuration": {
        "MailClientConfiguration": { "IsEnabled": true, "ServerEndpoint": "smtp:25",
            "AuthenticationAccountPasswordEncrypted": { "CertificateThumbprint": "AB",
                "EncryptedBytes": Binary { subtype: BinarySubtype::Generic, bytes: vec![1, 2, 3] } } },
        "DnsReconnaissanceDetectorConfiguration": { "IsEnabled": false, "ExcludedSubnets": ["10.0.0.0/8"] } } },
        doc! { "_id": "c0ffee00-0000-4000-8000-000000000001", "_t": "User", "Name": "honey", "IsHoneytoken": true },
        doc! { "_id": 3, "_t": "DnsReconnaissanceSuspiciousActivity", "Status": "Open", "Severity": Bson::Int64(2),
        "StartTime": mongodb::bson::DateTime::from_millis(1_700_000_000_000), "Scores": [1.5, Bson::Null, { "x": Bson::Decimal128("1.5".parse().unwrap()) }] },
    ];
    let mut out = Vec::new();
    for d in docs {
        d.to_writer(&mut out).unwrap();
    }
    out
}

/// Reads everything, as the dump reader does: framed documents, damaged ones skipped.
fn read_all(bytes: &[u8]) -> Result<(usize, usize), String> {
    let mut s = BsonStream::new(bytes, "fuzz.bson".into());
    let (mut read, mut damaged) = (0, 0);
    loop {
        match s.next_raw() {
            Ok(Some((Framed::Doc(raw), o))) => {
                // Decoding what passed the check must work too.
                ata2atp::ata::dump::decode(raw, &o).map_err(|e| e.to_string())?;
                read += 1;
            }
            Ok(Some((Framed::Damaged(m), _))) => {
                assert!(m.contains("at byte"), "damage names no byte: {m}");
                damaged += 1;
            }
            Ok(None) => return Ok((read, damaged)),
            Err(e) => {
                let e = e.to_string();
                assert!(e.contains("fuzz.bson") && e.contains("byte "), "{e}");
                return Err(e);
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Cut(usize),
    Insert(usize, Vec<u8>),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        any::<usize>().prop_map(Edit::Cut),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Edit::Insert(i, b)),
    ]
}

/// The scans extraction makes of each collection, on the seed's fields.
fn scans() -> [Scan; 3] {
    let ids = [("1".to_string(), Bson::Int32(1))].into_iter().collect();
    [
        Scan {
            collection: Logical::SystemProfile,
            filter: Filter::All,
            projection: None,
            tally: None,
        },
        Scan {
            collection: Logical::SuspiciousActivity,
            filter: Filter::StrIn("Status".into(), vec!["Open".into()]),
            projection: Some(vec![
                "_t".into(),
                "Severity".into(),
                "StartTime".into(),
                "Scores.x".into(),
            ]),
            tally: Some("Status".into()),
        },
        Scan {
            collection: Logical::UniqueEntity,
            filter: Filter::Or(vec![
                Filter::IdIn("_id".into(), ids),
                Filter::IsTrue("IsHoneytoken".into()),
                Filter::IsTrue(
                    "Configuration.DnsReconnaissanceDetectorConfiguration.IsEnabled".into(),
                ),
            ]),
            projection: Some(vec![
                "_t".into(),
                "Name".into(),
                "Configuration.MailClientConfiguration".into(),
            ]),
            tally: Some("Configuration.MailClientConfiguration.IsEnabled".into()),
        },
    ]
}

/// A damaged seed as a dump file: what the fast path yields equals the reference's.
fn paths_agree(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.bson");
    std::fs::write(&path, bytes).unwrap();
    for scan in scans() {
        let want = support::ata::dump_scan_trace(&path, &scan, ReadPath::Full);
        for read in [
            ReadPath::Fast,
            ReadPath::Parallel {
                workers: 2,
                batch_bytes: 1,
            },
            ReadPath::Parallel {
                workers: 1,
                batch_bytes: 200,
            },
        ] {
            let got = support::ata::dump_scan_trace(&path, &scan, read);
            assert!(
                got == want,
                "{read:?}, {scan:?}:\nfast: {got}\nfull: {want}"
            );
        }
    }
}

fn damage(edits: Vec<Edit>) -> Vec<u8> {
    let mut bytes = seed();
    for e in edits {
        let n = bytes.len().max(1);
        match e {
            Edit::Flip(i, b) => {
                let i = i % n;
                if i < bytes.len() {
                    bytes[i] ^= b | 1;
                }
            }
            Edit::Cut(i) => bytes.truncate(i % n),
            Edit::Insert(i, b) => {
                let i = i % n;
                bytes.splice(i..i, b);
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: support::fuzz::cases(2_000), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = read_all(&bytes);
    }

    #[test]
    fn damaged_dumps_never_panic(edits in proptest::collection::vec(edit(), 1..6)) {
        let _ = read_all(&damage(edits));
    }
}

proptest! {
    // Each case writes a file and scans it three times on four paths: fewer cases.
    #![proptest_config(ProptestConfig { cases: support::fuzz::cases(2_000) / 4, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn damaged_dumps_read_the_same_on_the_fast_path(edits in proptest::collection::vec(edit(), 1..6)) {
        paths_agree(&damage(edits));
    }
}

#[test]
fn the_seed_reads_the_same_on_the_fast_path() {
    paths_agree(&seed());
    let mut twice = seed();
    twice.extend(seed());
    paths_agree(&twice);
}

#[test]
fn the_seed_reads_whole() {
    assert_eq!(read_all(&seed()), Ok((3, 0)));
}
