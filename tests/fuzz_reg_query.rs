//! Fuzzing the `reg query` / `Get-ItemProperty` reader (issue 13, proptest on stable):
//! lines of both formats in any order (key lines, subkeys, values, headers, prompts,
//! list properties and their wrapped continuations, reg's errors) and noise, in UTF-8 or
//! UTF-16LE with CRLF. Nothing may panic; every error names a line of the input; every DC
//! read has a name.
//!
//! `ATA2ATP_FUZZ_CASES=100000 cargo test --release --test fuzz_reg_query` runs longer.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

mod support;

use std::path::Path;

use proptest::prelude::*;

const FULL: &str = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full";

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(FULL.to_string()),
        Just(format!("{FULL}\\1033")),
        Just(r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Client".to_string()),
        Just(format!(r"\\DC{}\{FULL}", 7)),
        Just(r"HKLM\SOFTWARE\Other".to_string()),
        Just("    Release    REG_DWORD    0x80ff4".to_string()),
        Just("    Release    REG_SZ    x".to_string()),
        Just("    Release    REG_DWORD    0xZZ".to_string()),
        Just("    Version    REG_SZ    4.8.04084".to_string()),
        Just("    InstallPath    REG_SZ    C:\\Windows\\x : y".to_string()),
        Just("DC: FAB-DC01".to_string()),
        Just("# Host: emea-dc01.emea.test".to_string()),
        Just("C:\\> reg query \"\\\\FAB-DC02\\HKLM\\SOFTWARE\\x\" /v Release".to_string()),
        Just("PS C:\\> Get-ItemProperty 'HKLM:\\SOFTWARE\\x'".to_string()),
        Just("End of search: 1 match(es) found.".to_string()),
        Just("ERROR: The system was unable to find the specified registry key or value.".to_string()),
        Just("ERROR: Access is denied.".to_string()),
        Just("Release       : 528372".to_string()),
        Just("Release       : many".to_string()),
        Just("PSPath        : Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework".to_string()),
        Just("                Setup\\NDP\\v4\\Full".to_string()),
        Just("PSChildName   : Full".to_string()),
        Just("PSChildName   : Client".to_string()),
        Just("PSComputerName : DC8".to_string()),
        Just("PSComputerName : not a host!".to_string()),
        Just("Version       :".to_string()),
        Just(String::new()),
        "[ ]{0,6}[A-Za-z]{0,10}[ ]{0,6}:? ?\\PC{0,30}",
        "\\PC{0,40}",
    ]
}

fn check(bytes: &[u8]) {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    match ata2atp::hosts::reg_query_from_bytes(bytes, Path::new("DC1.txt"), "DC1") {
        Ok(dcs) => {
            assert!(!dcs.is_empty());
            assert!(dcs.iter().all(|d| !d.name.trim().is_empty()), "{dcs:?}");
        }
        Err(ata2atp::hosts::Error::RegQuery(e)) => {
            assert!(e.line <= lines, "line {} of {lines}: {e}", e.line);
        }
        Err(e) => assert!(e.to_string().starts_with("DC1.txt"), "{e}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: support::fuzz::cases(10000), ..ProptestConfig::default() })]

    #[test]
    fn reg_query_shaped_input_never_panics(
        lines in prop::collection::vec(line(), 0..40),
        crlf in any::<bool>(),
        utf16 in any::<bool>(),
    ) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        let bytes = if utf16 {
            let mut b = vec![0xFF, 0xFE];
            for u in text.encode_utf16() {
                b.extend_from_slice(&u.to_le_bytes());
            }
            b
        } else {
            text.into_bytes()
        };
        check(&bytes);
    }

    #[test]
    fn noise_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        check(&bytes);
    }
}
