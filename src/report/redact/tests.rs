use sha2::{Digest, Sha256};

use super::key::KeyScheme;
use super::scrub::path_matches;
use super::*;

fn redactor() -> Redactor {
    let mut r = Redactor::new(RedactionKey::hmac(b"test key".to_vec()));
    r.alias_domain("FABRIKAM", "fabrikam.test");
    r.learn_host("FAB-DC01.fabrikam.test");
    r.learn_account("FABRIKAM\\svc-ata");
    r.learn_sid("S-1-5-21-1-2-3-1105");
    r.learn(Kind::Person, "Jo Consultant");
    r.learn_account("Domain Admins");
    r.seal();
    r
}

#[test]
fn the_same_input_gets_the_same_pseudonym_in_every_form() {
    let mut r = redactor();
    let short = r.scrub("FAB-DC01");
    assert!(short.starts_with("host-") && short.len() == 11, "{short}");
    let domain = r.scrub("fabrikam.test");
    assert_eq!(
        r.scrub("fab-dc01.FABRIKAM.test"),
        format!("{short}.{domain}")
    );
    assert_eq!(r.scrub("FABRIKAM"), domain);
    let account = r.scrub("svc-ata");
    assert_eq!(r.scrub("FABRIKAM\\svc-ata"), format!("{domain}\\{account}"));
    assert_eq!(
        r.scrub("svc-ata@fabrikam.test"),
        format!("{account}@{domain}")
    );
    assert_eq!(r.scrub("FAB-DC01$"), format!("{short}$"));
}

#[test]
fn free_text_is_scrubbed_by_word_phrase_and_pattern() {
    let mut r = redactor();
    let text = "Jo Consultant checked FAB-DC01-syslog.png on fab-dc09.fabrikam.test \
                (10.20.0.15:443, 192.168.50.0/24) for S-1-5-21-9-9-9-500, mail \
                bob@fabrikam.test; CN=x,DC=fabrikam,DC=test. Domain Admins stay. \
                Version 1.9.7576.0 stays.";
    let out = r.scrub(text);
    for gone in [
        "Jo Consultant",
        "FAB-DC01",
        "fab-dc09",
        "fabrikam",
        "10.20.0.15",
        "192.168.50.0",
        "S-1-5-21",
        "bob",
    ] {
        assert!(
            !out.to_lowercase().contains(&gone.to_lowercase()),
            "{gone} left in {out}"
        );
    }
    for kept in [
        "Domain Admins",
        "1.9.7576.0",
        ":443",
        "/24",
        "-syslog.png",
        "checked",
    ] {
        assert!(out.contains(kept), "{kept} lost in {out}");
    }
}

#[test]
fn a_word_merely_containing_a_name_is_left_alone() {
    let mut r = redactor();
    assert_eq!(r.scrub("FAB-DC010"), "FAB-DC010");
    assert_eq!(r.scrub("Jo Consultants"), "Jo Consultants");
}

#[test]
fn only_the_listed_paths_are_kept() {
    let mut r = redactor();
    let mut v = serde_json::json!({
        "meta": { "title": "FAB-DC01 report", "customer": "FAB-DC01" },
        "prerequisites": { "results": [
            { "title": "FAB-DC01 check", "evidence": [{ "key": "gateway FAB-DC01", "value": "x" }] }
        ]},
        "inventory": { "gateways": { "title": "FAB-DC01 table", "rows": [["FAB-DC01"]] } },
    });
    r.scrub_value(
        &mut v,
        &[
            "meta.title",
            "prerequisites.results.title",
            "inventory.*.title",
        ],
    );
    let text = v.to_string();
    assert_eq!(text.matches("FAB-DC01").count(), 3, "{text}");
    assert!(
        !v["prerequisites"]["results"][0]["evidence"][0]["key"]
            .as_str()
            .unwrap()
            .contains("FAB-DC01")
    );
    assert!(path_matches(
        "inventory.*.title",
        &["inventory", "x", "title"]
    ));
    assert!(!path_matches("inventory.*.title", &["inventory", "title"]));
    assert!(!path_matches("meta.title", &["meta", "title", "x"]));
}

#[test]
fn another_key_gives_other_pseudonyms() {
    let mut a = redactor();
    let mut b = Redactor::new(RedactionKey::hmac(b"other key".to_vec()));
    b.learn_host("FAB-DC01");
    b.seal();
    assert_ne!(a.scrub("FAB-DC01"), b.scrub("FAB-DC01"));
}

#[test]
fn new_keys_are_hmac_and_keys_made_before_keep_their_pseudonyms() {
    let key = RedactionKey::parse(&RedactionKey::hmac(vec![7; 32]).file_text()).unwrap();
    assert_eq!(key.scheme, KeyScheme::HmacSha256);
    // HMAC-SHA-256 of "host" 0 "fab-dc01" under the key "Jefe" (Python's hmac).
    assert_eq!(
        RedactionKey::hmac(b"Jefe".to_vec()).digest("host", "fab-dc01"),
        "6a5e4dceadc0284634ee70488cc860ecd3a0760a0077a5c58694ec9edc7c071e"
    );
    // A bare-hex key file (written before HMAC): SHA-256 over key, kind, 0, value,
    // so the engagement's earlier redacted reports and the new ones agree.
    let legacy = RedactionKey::parse("74657374206b6579\n").unwrap();
    assert_eq!(legacy.scheme, KeyScheme::LegacySha256);
    assert_eq!(legacy.file_text(), "74657374206b6579\n");
    let mut old = Sha256::new();
    old.update(b"test key");
    old.update(b"host");
    old.update([0]);
    old.update(b"fab-dc01");
    assert_eq!(
        legacy.digest("host", "fab-dc01"),
        hex::encode(old.finalize())
    );
    assert_ne!(
        legacy.digest("host", "fab-dc01"),
        RedactionKey::hmac(b"test key".to_vec()).digest("host", "fab-dc01")
    );
    assert!(RedactionKey::parse("not hex").is_none());
    assert!(RedactionKey::parse("hmac-sha256:").is_none());
}
