//! Fuzzing the readers of issue 16 (convention of issue 13): the security descriptor
//! decoder (binary `nTSecurityDescriptor` and SDDL text) and the auditpol CSV reader never
//! panic, and what they accept survives a round trip.
//! Cases: `ATA2ATP_FUZZ_CASES` (default 256 per property, well under 10 s in a debug build).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use ata2atp::directory::security_descriptor::{SecurityDescriptor, parse_ace};
use ata2atp::hosts::auditpol;
use proptest::prelude::*;

/// A valid SACL-only descriptor, to mutate.
fn seed() -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode("AQAQiAAAAAAAAAAAFAAAAAAAAAAEAFgAAwAAAAJAFAAgAAwAAQEAAAAAAAEAAAAAAkAYAAABAAABAgAAAAAABSAAAAAgAgAAAkAkAAABAAABBQAAAAAABRUAAACK6Mjmlx/iYV5qt4MBAgAA")
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(support::fuzz::cases(256)))]

    #[test]
    fn any_bytes_decode_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = SecurityDescriptor::from_bytes(&bytes);
    }

    #[test]
    fn a_mutated_descriptor_decodes_or_fails_cleanly(at in 0usize..84, value in any::<u8>(), cut in 0usize..90) {
        let mut b = seed();
        let i = at % b.len();
        b[i] = value;
        b.truncate(cut.min(b.len()));
        if let Ok(sd) = SecurityDescriptor::from_bytes(&b) {
            // Whatever decodes prints as SDDL that parses back to the same entries.
            for ace in sd.sacl.iter().flatten().chain(sd.dacl.iter().flatten()) {
                if let Ok(back) = parse_ace(&ace.to_sddl()) {
                    prop_assert_eq!(back.mask, ace.mask);
                    prop_assert_eq!(back.flags, ace.flags);
                }
            }
        }
    }

    #[test]
    fn any_sddl_text_parses_or_fails_cleanly(text in "[OGDS:()A-Z0-9;x,éü\u{2019}-]{0,80}") {
        let _ = SecurityDescriptor::from_sddl(&text);
    }

    #[test]
    fn any_csv_reads_or_fails_cleanly(lines in proptest::collection::vec("[A-Za-z0-9 {},.\"äé-]{0,60}", 0..8)) {
        let _ = auditpol::parse(&lines.join("\r\n"), "fuzz.csv", "fuzz");
    }
}
