//! Fuzzing the LDIF reader (issue 13, proptest on stable): LDIF-shaped lines in any order
//! (records, folds, base64, comments, change-record and ldapsearch trailer lines, the
//! Samba and AD quirks), whole or cut, in UTF-8 or UTF-16, and plain noise; then the
//! directory section derived from whatever was read. Nothing may panic or overflow the
//! stack; an error names a line of the input.
//!
//! `ATA2ATP_FUZZ_CASES=100000 cargo test --release --test fuzz_ldif` runs longer.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::path::Path;

use ata2atp::directory::{DirectorySnapshot, ldif, read};
use proptest::prelude::*;

fn dn() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("DC=example,DC=test".to_string()),
        Just("CN=Domain Admins,CN=Users,DC=example,DC=test".to_string()),
        Just("CN=Partitions,CN=Configuration,DC=example,DC=test".to_string()),
        Just(
            "CN=NTDS Settings,CN=DC1,CN=Servers,CN=S,CN=Sites,CN=Configuration,DC=example,DC=test"
                .to_string()
        ),
        Just("DC=DomainDnsZones,DC=example,DC=test".to_string()),
        Just("@ROOTDSE".to_string()),
        Just(String::new()),
        "(CN|OU|DC)=[a-z\\\\, ]{0,8}(,DC=[a-z]{1,3}){0,3}",
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        dn().prop_map(|d| format!("dn: {d}")),
        Just("dn:: Q049YixEQz14".to_string()),
        Just("version: 1".to_string()),
        Just("objectClass: group".to_string()),
        Just("objectClass: crossRef".to_string()),
        Just("objectClass: nTDSDSA".to_string()),
        Just("objectClass: domainDNS".to_string()),
        Just("objectClass: computer".to_string()),
        Just("systemFlags: 3".to_string()),
        Just("systemFlags: 5".to_string()),
        Just("msDS-isRODC: TRUE".to_string()),
        Just("userAccountControl: 532480".to_string()),
        Just("primaryGroupID: 516".to_string()),
        dn().prop_map(|d| format!("nCName: {d}")),
        dn().prop_map(|d| format!("member: {d}")),
        dn().prop_map(|d| format!("serverReference: {d}")),
        Just("objectSid:: AQUAAAAAAAUVAAAAAQAAAAIAAAADAAAAAAIAAA==".to_string()),
        Just("objectSid: S-1-5-21-1-2-3".to_string()),
        Just("objectSid: S-1-99999999999999999999".to_string()),
        Just("objectGUID: f28780cd-c87a-4a71-9f4c-15d66464bab8".to_string()),
        Just("objectSid:: !!!".to_string()),
        Just("jpegPhoto:< file:///etc/passwd".to_string()),
        Just("changetype: add".to_string()),
        Just("changetype: modify".to_string()),
        Just("control: 1.2.3 true".to_string()),
        Just("-".to_string()),
        Just("# base <DC=example,DC=test> with scope subtree".to_string()),
        Just("# comment".to_string()),
        Just("search: 2".to_string()),
        Just("result: 0 Success".to_string()),
        Just("result: 32 No such object".to_string()),
        Just("result: 4 Size limit exceeded".to_string()),
        Just("ref: ldap://x/DC=y".to_string()),
        Just(String::new()),
        "[ ]?[a-zA-Z;=.-]{0,12}:{0,2} ?\\PC{0,30}",
        "\\PC{0,40}",
    ]
}

fn file() -> impl Strategy<Value = (Vec<u8>, bool)> {
    (
        prop::collection::vec(line(), 0..60),
        any::<bool>(),
        any::<bool>(),
        any::<u8>(),
    )
        .prop_map(|(lines, crlf, utf16, cut)| {
            let sep = if crlf { "\r\n" } else { "\n" };
            let text = lines.join(sep);
            let mut bytes = if utf16 {
                let mut b = vec![0xFF, 0xFE];
                for u in text.encode_utf16() {
                    b.extend_from_slice(&u.to_le_bytes());
                }
                b
            } else {
                text.into_bytes()
            };
            // Sometimes cut anywhere, even inside a UTF-8 or UTF-16 character.
            if cut % 4 == 0 && !bytes.is_empty() {
                let at = usize::from(cut) * 7 % bytes.len();
                bytes.truncate(at);
            }
            (bytes, crlf)
        })
}

fn check(bytes: &[u8]) {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    match ldif::parse(bytes, Path::new("fuzz.ldif")) {
        Ok(f) => {
            let mut snap = DirectorySnapshot::default();
            for e in f.entries {
                snap.insert(e);
            }
            let _ = read::derive(&snap);
        }
        Err(e) => {
            assert!(e.line <= lines, "line {} of {lines}: {e}", e.line);
            assert!(e.to_string().starts_with("fuzz.ldif:"), "{e}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: support::fuzz::cases(3000), ..ProptestConfig::default() })]

    #[test]
    fn ldif_shaped_input_never_panics((bytes, _) in file()) {
        check(&bytes);
    }

    #[test]
    fn noise_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes);
    }
}

/// Issue 13.1: no recursion on input depth. A chain of 100,000 nested groups (each the
/// only member of the next) and a cycle are expanded without overflowing the stack.
#[test]
fn deeply_nested_groups_do_not_overflow_the_stack() {
    const DEPTH: usize = 100_000;
    let mut text = String::from(
        "dn: DC=example,DC=test\nobjectClass: domainDNS\nobjectSid: S-1-5-21-1-2-3\n\n\
         dn: CN=Domain Admins,CN=Users,DC=example,DC=test\nobjectClass: group\n\
         objectSid: S-1-5-21-1-2-3-512\nmember: CN=g0,DC=example,DC=test\n\n",
    );
    for i in 0..DEPTH {
        text.push_str(&format!(
            "dn: CN=g{i},DC=example,DC=test\nobjectClass: group\nmember: CN=g{},DC=example,DC=test\n\n",
            i + 1
        ));
    }
    // The last one points back at the first: a cycle.
    text.push_str(&format!(
        "dn: CN=g{DEPTH},DC=example,DC=test\nobjectClass: group\nmember: CN=g0,DC=example,DC=test\n"
    ));
    let f = ldif::parse(text.as_bytes(), Path::new("deep.ldif")).unwrap();
    let mut snap = DirectorySnapshot::default();
    for e in f.entries {
        snap.insert(e);
    }
    let dir = read::derive(&snap);
    let da = dir
        .privileged_groups
        .iter()
        .find(|g| g.name == "Domain Admins")
        .unwrap();
    assert_eq!(da.members.len(), DEPTH + 1);
}
