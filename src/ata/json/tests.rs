//! Unit tests of the JSON reader: dialects, strictness, damage, file names.

use mongodb::bson::oid::ObjectId;
use mongodb::bson::spec::BinarySubtype;
use mongodb::bson::{Binary, DateTime, Timestamp, doc};

use super::*;

fn one(text: &str) -> Document {
    parse_document(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[test]
fn every_dialect_gives_the_same_document() {
    let expected = doc! {
        "_id": ObjectId::parse_str("5a81996afab0a7c0de000001").unwrap(),
        "When": DateTime::from_millis(1_518_442_858_000),
        "Big": 5_000_000_000i64,
        "Small": 7,
        "Bytes": Binary { subtype: BinarySubtype::Generic, bytes: b"DEMO".to_vec() },
        "Guid": Binary { subtype: BinarySubtype::Uuid, bytes: hex::decode("5719cd9456254924b637ebf7b7ccfca2").unwrap() },
        "Ts": Timestamp { time: 1, increment: 2 },
    };
    let canonical = r#"{"_id":{"$oid":"5a81996afab0a7c0de000001"},"When":{"$date":{"$numberLong":"1518442858000"}},"Big":{"$numberLong":"5000000000"},"Small":{"$numberInt":"7"},"Bytes":{"$binary":{"base64":"REVNTw==","subType":"00"}},"Guid":{"$binary":{"base64":"VxnNlFYlSSS2N+v3t8z8og==","subType":"04"}},"Ts":{"$timestamp":{"t":1,"i":2}}}"#;
    let relaxed = r#"{"_id":{"$oid":"5a81996afab0a7c0de000001"},"When":{"$date":"2018-02-12T13:40:58Z"},"Big":5000000000,"Small":7,"Bytes":{"$binary":{"base64":"REVNTw==","subType":"00"}},"Guid":{"$uuid":"5719cd94-5625-4924-b637-ebf7b7ccfca2"},"Ts":{"$timestamp":{"t":1,"i":2}}}"#;
    let legacy_num = r#"{"_id":{"$oid":"5a81996afab0a7c0de000001"},"When":{"$date":1518442858000},"Big":{"$numberLong":"5000000000"},"Small":7,"Bytes":{"$binary":"REVNTw==","$type":"00"},"Guid":{"$binary":"VxnNlFYlSSS2N+v3t8z8og==","$type":"04"},"Ts":{"$timestamp":{"t":1,"i":2}}}"#;
    let legacy_str = r#"{"_id":{"$oid":"5a81996afab0a7c0de000001"},"When":{"$date":"2018-02-12T13:40:58.000+0000"},"Big":{"$numberLong":"5000000000"},"Small":7,"Bytes":{"$binary":"REVNTw==","$type":"0"},"Guid":{"$binary":"VxnNlFYlSSS2N+v3t8z8og==","$type":"4"},"Ts":{"$timestamp":{"t":1,"i":2}}}"#;
    let shell = r#"{ "_id" : ObjectId("5a81996afab0a7c0de000001"), "When" : ISODate("2018-02-12T13:40:58Z"),
        "Big" : NumberLong("5000000000"), "Small" : NumberInt(7), "Bytes" : BinData(0,"REVNTw=="),
        "Guid" : UUID("5719cd94-5625-4924-b637-ebf7b7ccfca2"), "Ts" : Timestamp(1, 2) }"#;
    for text in [canonical, relaxed, legacy_num, legacy_str, shell] {
        assert_eq!(one(text), expected, "{text}");
    }
}

#[test]
fn shell_notation_leaves_strings_alone() {
    let d = one(
        r#"{ "a" : "ObjectId(\"x\") and /not a regex/", b: NumberLong(5), "c": new Date(0), "r": /ab+c/i, "m": MinKey, "n": -Infinity }"#,
    );
    assert_eq!(d.get_str("a").unwrap(), "ObjectId(\"x\") and /not a regex/");
    assert_eq!(d.get_i64("b").unwrap(), 5);
    assert_eq!(d.get_datetime("c").unwrap().timestamp_millis(), 0);
    assert!(matches!(d.get("r"), Some(Bson::RegularExpression(r)) if r.pattern == "ab+c"));
    assert_eq!(d.get("m"), Some(&Bson::MinKey));
    assert_eq!(d.get_f64("n").unwrap(), f64::NEG_INFINITY);
}

proptest::proptest! {
    /// Whatever a file holds, parsing ends in a document or an error, never a panic.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse_document(&text);
        let _ = parse_all(&text, "fuzz.json");
    }

    #[test]
    fn shell_like_text_never_panics(text in r#"[{}\[\]():,"'/\\a-zA-Z0-9 .\-é]{0,120}"#) {
        let _ = parse_document(&text);
        let _ = parse_all(&text, "fuzz.json");
    }
}

#[test]
fn malformed_wrappers_are_refused_with_the_field_named() {
    for (text, field) in [
        (r#"{"a": {"b": {"$numberDecimal": "E01"}}}"#, "field a.b"),
        (r#"{"a": [1, {"$numberDecimal": "."}]}"#, "field a.1"),
        (r#"{"x": {"$numberDecimal": ""}}"#, "field x"),
        (
            r#"{"x": {"$oid": "56e1fc72e0c917e9c4714161", "unrelated": true}}"#,
            "field x",
        ),
    ] {
        let e = parse_document(text).unwrap_err().to_string();
        assert!(e.contains(field), "{text}: {e}");
    }
    // Zeros with an exponent beyond Decimal128's range are zeros, clamped.
    for text in [
        "0E+2147483647",
        "-0E-2147483647",
        "0.000E+99999999999999999999",
    ] {
        let d = parse_document(&format!(r#"{{"d": {{"$numberDecimal": "{text}"}}}}"#));
        assert!(d.is_ok(), "{text}: {d:?}");
    }
}

#[test]
fn unknown_shell_functions_are_named() {
    let e = parse_document(r#"{ "a": Frobnicate(1) }"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("Frobnicate"), "{e}");
}

#[test]
fn splitter_reads_ndjson_arrays_and_pretty_documents() {
    for text in [
        "{\"_id\":1}\n{\"_id\":2}\n",
        "[{\"_id\":1},\n{\"_id\":2}]",
        "{\n  \"_id\" : 1\n}\n{\n  \"_id\" : 2, \"s\": \"}{\"\n}\n",
    ] {
        let docs = parse_all(text, "t").unwrap();
        assert_eq!(docs.len(), 2, "{text}");
    }
    let err = parse_all("{\"_id\":1}\n{\"_id\":", "t.json")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("t.json") && err.contains("document 2") && err.contains("cut off"),
        "{err}"
    );
    let err = parse_all("hello", "t.json").unwrap_err().to_string();
    assert!(err.contains("not a MongoDB export"), "{err}");
}

#[test]
fn file_names_name_collections() {
    for (file, coll) in [
        ("SystemProfile_20261115040000.json", "SystemProfile"),
        ("UniqueEntity.json", "UniqueEntity"),
        ("ATA.SuspiciousActivity.json.gz", "SuspiciousActivity"),
        ("/x/y/SystemProfiles.json", "SystemProfiles"),
    ] {
        assert_eq!(collection_from_file_name(Path::new(file)), coll);
    }
}
