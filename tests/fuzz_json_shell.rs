//! Fuzzing the JSON / Extended JSON / mongo shell reader (issue 13): arbitrary text, text
//! made of the notation's own tokens, and valid exports with characters changed, cut or
//! inserted. Every outcome is documents or an error naming the file and document; never a
//! panic or a stack overflow.
//!
//! The number of cases comes from `ATA2ATP_FUZZ_CASES` (default: a few seconds in a debug
//! build); run longer with e.g. `ATA2ATP_FUZZ_CASES=200000 cargo test --release --test
//! fuzz_json_shell`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use ata2atp::ata::json::parse_all;
use proptest::prelude::*;

const SEED: &str = r#"{"_id":{"$oid":"5a81996afab0a7c0de000001"},"_t":["SystemProfile","CenterSystemProfile"],"When":{"$date":{"$numberLong":"1518442858000"}},"Big":{"$numberLong":"5000000000"},"D":{"$numberDecimal":"1.5E-3"},"B":{"$binary":{"base64":"REVNTw==","subType":"00"}},"R":{"$regularExpression":{"pattern":"a+","options":"i"}},"N":1.5E-1}
{ "_id" : ObjectId("5a81996afab0a7c0de000002"), "When" : ISODate("2018-02-12T13:40:58Z"), "L" : NumberLong("5"), "I": NumberInt(7), "G": UUID("5719cd94-5625-4924-b637-ebf7b7ccfca2"), "T": Timestamp(1, 2), "PasswordEncrypted": { "CertificateThumbprint": "AB", "EncryptedBytes": BinData(0,"REVNTw==") }, r: /ab+c/i, h: HexData(0, "00ff"), b: Boolean(0x1), u: undefined, m: MinKey }
{"_id": 3, "a": [1, 2, {"b": null}], "s": "}{][\"\\"}
"#;

fn check(text: &str) {
    match parse_all(text, "fuzz.json") {
        Ok(_) => {}
        Err(e) => {
            let e = e.to_string();
            assert!(e.contains("fuzz.json"), "the error names no file: {e}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: support::fuzz::cases(2_000), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        check(&text);
    }

    #[test]
    fn notation_tokens_never_panic(text in r#"(\{|\}|\[|\]|\(|\)|:|,|"|'|/|\\|-|\.|[0-9]|[eE]|\$oid|\$date|\$numberLong|\$binary|\$regex|ObjectId|NumberLong|BinData|HexData|Boolean|new |Infinity|NaN| |a|é){0,120}"#) {
        check(&text);
    }

    #[test]
    fn damaged_exports_never_panic(at in any::<usize>(), cut in any::<bool>(), insert in "\\PC{0,4}") {
        let mut chars: Vec<char> = SEED.chars().collect();
        let i = at % chars.len();
        if cut {
            chars.truncate(i);
        } else {
            chars.splice(i..i, insert.chars());
        }
        check(&chars.into_iter().collect::<String>());
    }
}

#[test]
fn the_seed_reads_whole() {
    assert_eq!(parse_all(SEED, "seed.json").unwrap().len(), 3);
}
