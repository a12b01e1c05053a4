//! MongoDB's public BSON and Extended JSON corpus (`../shared/corpus/mongodb-specifications/
//! bson-corpus/`), read in place, and mongo-tools' test data (`../shared/corpus/mongo-tools/`):
//! every case as the corpus says, through the same code the readers use.
//!
//! - `valid`: the canonical and degenerate BSON read as a dump file; the canonical,
//!   relaxed and degenerate Extended JSON parse; canonical Extended JSON converts to
//!   exactly the canonical BSON bytes (unless the corpus marks the case lossy).
//! - `decodeErrors`: refused, naming the file and the byte offset.
//! - `parseErrors`: refused (Decimal128 strings are wrapped in `$numberDecimal`, as the
//!   corpus's README says).
//!
//! One corpus parse error is read on purpose, because a real dialect writes it (listed in
//! [`LEGACY`] with the reason); the test holds that it is read as that dialect means.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;
use support::files::corpus;

use std::path::PathBuf;

use ata2atp::ata::dump::{BsonStream, Framed};
use ata2atp::ata::json::parse_document;
use mongodb::bson::{Bson, Document};
use serde_json::Value;

/// Corpus parse errors that a real export dialect writes, so the reader reads them:
/// (file, description, why).
const LEGACY: &[(&str, &str, &str)] = &[(
    "top.json",
    "Bad $date (number, not string or hash)",
    "mongoexport 2.x (strict mode, the MongoDB of early ATA releases) writes dates as \
     {\"$date\": <milliseconds>}",
)];

/// Reads every document of `bytes` as a dump file would be read.
fn read_bson(bytes: &[u8], name: &str) -> Result<Vec<Document>, String> {
    let mut s = BsonStream::new(bytes, name.into());
    let mut out = Vec::new();
    while let Some((d, _)) = s.next_doc().map_err(|e| e.to_string())? {
        out.push(d);
    }
    Ok(out)
}

fn to_bytes(d: &Document) -> Vec<u8> {
    let mut out = Vec::new();
    d.to_writer(&mut out).expect("a parsed document serialises");
    out
}

#[test]
fn the_bson_corpus_reads_as_it_says() {
    let dir = corpus().join("mongodb-specifications/bson-corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "corpus files: {}", files.len());
    let mut failures: Vec<String> = Vec::new();
    let mut cases = 0;
    let mut legacy_seen = 0;
    for file in &files {
        let fname = file.file_name().unwrap().to_string_lossy().into_owned();
        let spec: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let decimal = spec["bson_type"] == "0x13";
        let list = |k: &str| spec[k].as_array().cloned().unwrap_or_default();
        for case in list("valid") {
            cases += 1;
            let desc = case["description"].as_str().unwrap_or("?").to_string();
            let mut fail = |what: String| failures.push(format!("{fname} valid [{desc}]: {what}"));
            let cb = hex::decode(case["canonical_bson"].as_str().unwrap()).unwrap();
            match read_bson(&cb, &fname) {
                Ok(docs) if docs.len() == 1 => {}
                Ok(docs) => fail(format!("canonical BSON gave {} documents", docs.len())),
                Err(e) => fail(format!("canonical BSON refused: {e}")),
            }
            if let Some(db) = case["degenerate_bson"].as_str()
                && let Err(e) = read_bson(&hex::decode(db).unwrap(), &fname)
            {
                fail(format!("degenerate BSON refused: {e}"));
            }
            if let Some(text) = case["canonical_extjson"].as_str() {
                match parse_document(text) {
                    Ok(d) if case["lossy"] != true && to_bytes(&d) != cb => fail(format!(
                        "canonical Extended JSON {text} converts to {} instead of {}",
                        hex::encode_upper(to_bytes(&d)),
                        hex::encode_upper(&cb)
                    )),
                    Ok(_) => {}
                    Err(e) => fail(format!("canonical Extended JSON {text} refused: {e}")),
                }
            }
            for key in ["relaxed_extjson", "degenerate_extjson", "converted_extjson"] {
                if let Some(text) = case[key].as_str()
                    && let Err(e) = parse_document(text)
                {
                    fail(format!("{key} {text} refused: {e}"));
                }
            }
        }
        for case in list("decodeErrors") {
            cases += 1;
            let desc = case["description"].as_str().unwrap_or("?");
            let bytes = hex::decode(case["bson"].as_str().unwrap()).unwrap();
            match read_bson(&bytes, &fname) {
                Ok(docs) => failures.push(format!(
                    "{fname} decodeError [{desc}]: read as {} documents",
                    docs.len()
                )),
                Err(e) if !(e.contains(&fname) && e.contains("byte")) => failures.push(format!(
                    "{fname} decodeError [{desc}]: the error names no file and byte offset: {e}"
                )),
                Err(_) => {}
            }
        }
        for case in list("parseErrors") {
            cases += 1;
            let desc = case["description"].as_str().unwrap_or("?");
            let s = case["string"].as_str().unwrap();
            let text = if decimal {
                format!(r#"{{"d": {{"$numberDecimal": {}}}}}"#, Value::from(s))
            } else {
                s.to_string()
            };
            let legacy = LEGACY.iter().any(|(f, d, _)| *f == fname && *d == desc);
            match parse_document(&text) {
                Ok(d) if legacy => {
                    legacy_seen += 1;
                    assert!(
                        matches!(d.get("a"), Some(Bson::DateTime(_))),
                        "{fname} [{desc}] is read as a date: {d:?}"
                    );
                }
                Ok(d) => {
                    failures.push(format!("{fname} parseError [{desc}]: {text} read as {d:?}"))
                }
                Err(_) if legacy => failures.push(format!(
                    "{fname} [{desc}]: the legacy form is refused; it must be read"
                )),
                Err(_) => {}
            }
        }
    }
    assert_eq!(legacy_seen, LEGACY.len(), "every legacy exception was met");
    assert!(cases > 900, "only {cases} cases ran");
    assert!(
        failures.is_empty(),
        "{} of {cases} corpus cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// What each `.bson`/`.bson.gz` file of mongo-tools' test data yields when read as a dump
/// file: documents read, damaged documents skipped (each named with its byte offset), and
/// how the file ends (`None`: a clean end; else what the refusal says).
const MONGO_TOOLS_BSON: &[(&str, usize, &[&str], Option<&str>)] = &[
    ("bsondump/testdata/all_in_one_doc.bson", 1, &[], None),
    ("bsondump/testdata/all_types.bson", 20, &[], None),
    (
        "bsondump/testdata/bad_cstring.bson",
        3,
        &["document 1 (byte 0) the document is damaged at byte 41"],
        None,
    ),
    (
        "bsondump/testdata/bad_type.bson",
        3,
        &[
            "document 1 (byte 0) the document is damaged at byte 21: in field a: unknown BSON type byte 0xAA",
        ],
        None,
    ),
    ("bsondump/testdata/broken_array.bson", 20, &[], None),
    // 500 levels deep: past MongoDB's own limit of 100, which a stored document cannot pass.
    (
        "bsondump/testdata/deep_nested.bson",
        0,
        &[
            "document 1 (byte 0) the document is damaged at byte 912: in field sub.sub.sub.…(95 levels)….sub.sub: nested deeper than 100 levels",
        ],
        None,
    ),
    (
        "bsondump/testdata/invalid_field_name.bson",
        4,
        &[],
        Some("document 5 (byte 283): the file ends inside the length of this document"),
    ),
    (
        "bsondump/testdata/partial_file.bson",
        2,
        &[],
        Some("document 3 (byte 164): is cut off"),
    ),
    (
        "bsondump/testdata/random_bytes.bson",
        0,
        &[],
        Some("document 1 (byte 0): declares a length of 1625369376 bytes"),
    ),
    ("bsondump/testdata/sample.bson", 4, &[], None),
    ("mongodump/testdata/importCollection.bson", 1, &[], None),
    ("mongorestore/testdata/foodump/test/foo.bson", 1, &[], None),
    (
        "mongorestore/testdata/prelude_test/prelude_gzip/test/foo.bson.gz",
        1,
        &[],
        None,
    ),
    (
        "mongorestore/testdata/specialcharacter/db1/caf%C3%A9s.bson",
        1,
        &[],
        None,
    ),
    ("mongorestore/testdata/testdirs/db1/c1.bson", 100, &[], None),
    ("mongorestore/testdata/testdirs/db1/c2.bson", 0, &[], None),
    ("mongorestore/testdata/testdirs/db1/c4.bson", 10, &[], None),
    (
        "mongorestore/testdata/timeseries_tests/ts_dump_invalid_buckets/timeseries_test/system.buckets.foo_ts.bson",
        5,
        &[],
        None,
    ),
    (
        "mongorestore/testdata/usersdump/admin/system.users.bson",
        1,
        &[],
        None,
    ),
];

#[test]
fn mongo_tools_bson_files_read_what_is_readable() {
    let root = corpus().join("mongo-tools");
    for (name, want_read, want_damaged, want_end) in MONGO_TOOLS_BSON {
        let file = ata2atp::ata::dump::DumpFile {
            path: root.join(name),
            collection: String::new(),
            gzip: name.ends_with(".gz"),
            size_bytes: 0,
        };
        let mut s = ata2atp::ata::dump::open_stream(&file).unwrap();
        let (mut read, mut damaged, mut end) = (0, Vec::new(), None);
        loop {
            match s.next_raw() {
                Ok(Some((Framed::Doc(_), _))) => read += 1,
                Ok(Some((Framed::Damaged(m), o))) => damaged.push(format!("{} {m}", o.place())),
                Ok(None) => break,
                Err(e) => {
                    end = Some(e.to_string());
                    break;
                }
            }
        }
        assert_eq!(read, *want_read, "{name}: documents read");
        assert_eq!(damaged.len(), want_damaged.len(), "{name}: {damaged:?}");
        for (got, want) in damaged.iter().zip(want_damaged.iter()) {
            assert!(got.starts_with(want), "{name}: {got}\nwant {want}");
        }
        match (&end, want_end) {
            (None, None) => {}
            (Some(e), Some(w)) => assert!(e.contains(w) && e.contains(name), "{name}: {e}"),
            _ => panic!("{name}: ended with {end:?}, expected {want_end:?}"),
        }
    }
}

/// mongoimport's and bsondump's JSON test files, in mongoimport's dialects (Extended JSON
/// v2 and legacy, a byte-order mark, a top-level array, mongo shell notation with
/// unquoted keys, `Boolean(…)` and hexadecimal literals).
#[test]
fn mongo_tools_json_files_read_what_is_readable() {
    let root = corpus().join("mongo-tools");
    for (name, docs) in [
        ("bsondump/testdata/sample.json", 4),
        ("mongodump/testdata/importCollection.json", 1),
        ("mongoimport/testdata/test_array.json", 27),
        ("mongoimport/testdata/test_bom.json", 2),
        ("mongoimport/testdata/test_plain.json", 3),
        ("mongoimport/testdata/test_plain2.json", 10),
        ("test/qa-tests/jstests/import/testdata/basic.json", 35),
        ("test/qa-tests/jstests/import/testdata/boolean.json", 19),
        ("test/qa-tests/jstests/import/testdata/dupes.json", 34),
    ] {
        let text = std::fs::read_to_string(root.join(name)).unwrap();
        let got =
            ata2atp::ata::json::parse_all(&text, name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got.len(), docs, "{name}");
        if name.ends_with("boolean.json") {
            let b: Vec<Option<bool>> = got.iter().map(|d| d.get_bool("bool").ok()).collect();
            let t = Some(true);
            let f = Some(false);
            assert_eq!(
                b[..14],
                [t, f, t, t, t, f, f, t, f, f, t, f, t, f],
                "JavaScript truthiness"
            );
        }
        if name.ends_with("test_plain2.json") {
            assert!(
                got.iter()
                    .all(|d| matches!(d.get("timestamp"), Some(Bson::DateTime(_))))
            );
        }
    }
}
