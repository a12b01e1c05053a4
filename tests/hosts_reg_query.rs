//! The `reg query` reader against real captures nobody on this team wrote
//! (`../shared/corpus/regquery/`, read in place): `reg query … /v Release`, `reg query` of
//! the whole `NDP\v4\Full` key (its `…\Full\1033` subkey line), `Get-ItemProperty` list
//! output, the same re-encoded as Windows PowerShell 5.1's `>` writes it (UTF-16LE with a
//! byte-order mark, CRLF), and files that must be refused. `cases.json` says what each
//! file should yield.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic here is the failure message

use std::path::{Path, PathBuf};

use serde::Deserialize;

mod support;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/regquery")
}

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    file: String,
    #[serde(rename = "as")]
    as_name: Option<String>,
    #[serde(default)]
    utf16le_bom: bool,
    #[serde(default)]
    crlf: bool,
    flag: String,
    expect: String,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(corpus().join("cases.json"))
        .expect("../shared/corpus/regquery/cases.json (the public corpus) is missing");
    serde_json::from_str(&text).unwrap()
}

/// The bytes a case stands for: the file as it is, or re-encoded as the case says.
fn bytes(case: &Case) -> Vec<u8> {
    let raw = std::fs::read(corpus().join(&case.file)).unwrap();
    if !case.utf16le_bom && !case.crlf {
        return raw;
    }
    let mut text = String::from_utf8(raw).unwrap();
    if case.crlf {
        text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    if !case.utf16le_bom {
        return text.into_bytes();
    }
    let mut out = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

/// What the issue asks beyond "no panic" for the `Get-ItemProperty` captures: read too.
fn get_itemproperty_release(id: &str) -> Option<u32> {
    match id {
        "get-itemproperty-a-as-reg-query" => Some(528_372),
        "get-itemproperty-b-as-reg-query" | "get-itemproperty-b-utf16le-as-reg-query" => {
            Some(528_049)
        }
        _ => None,
    }
}

#[test]
fn every_capture_of_the_corpus_reads_as_cases_json_says() {
    let cases = cases();
    assert!(cases.len() >= 10, "{} cases", cases.len());
    for case in &cases {
        let path = corpus().join(&case.file);
        let result = match case.flag.as_str() {
            "--reg-query" => {
                let dc = case
                    .as_name
                    .as_deref()
                    .map(|a| a.trim_end_matches(".txt").to_string())
                    .unwrap_or_else(|| ata2atp::hosts::reg_query::stem(&path));
                ata2atp::hosts::reg_query_from_bytes(&bytes(case), &path, &dc).map(|dcs| {
                    assert_eq!(dcs.len(), 1, "{}: {dcs:?}", case.id);
                    assert_eq!(dcs[0].name, dc, "{}", case.id);
                    dcs[0].dotnet_release
                })
            }
            "--dc-facts" => ata2atp::hosts::read_dc_facts(&path).map(|_| None),
            other => panic!("{}: unknown flag {other}", case.id),
        };
        match (case.expect.as_str(), &result) {
            ("err", Err(e)) => {
                let text = e.to_string();
                assert!(text.contains(&case.file), "{}: {text}", case.id);
            }
            ("any", _) => {}
            (ok, Ok(release)) if ok.starts_with("ok:release=") => {
                let want: u32 = ok["ok:release=".len()..].parse().unwrap();
                assert_eq!(*release, Some(want), "{}", case.id);
            }
            (want, got) => panic!("{}: expected {want}, got {got:?}", case.id),
        }
        if let Some(want) = get_itemproperty_release(&case.id) {
            let got = result.as_ref().map(|r| *r).map_err(ToString::to_string);
            assert_eq!(got, Ok(Some(want)), "{}", case.id);
        }
    }
}

#[test]
fn a_refused_capture_names_the_file_and_line() {
    let path = corpus().join("reg-query-ndp-s-elided.txt");
    let e = ata2atp::hosts::read_reg_query(&path)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("reg-query-ndp-s-elided.txt:2:") && e.contains("[...]"),
        "{e}"
    );
    let path = corpus().join("winxp_net4.reg.txt");
    let e = ata2atp::hosts::read_reg_query(&path)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("winxp_net4.reg.txt:1:") && e.contains("Windows Registry Editor"),
        "{e}"
    );
}

#[test]
fn subkeys_and_other_ndp_keys_are_skipped_with_their_values() {
    let text = "\
reg query \"HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\" /s

HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Client
    Release    REG_DWORD    0x70bf6

HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full
    Install    REG_DWORD    0x1
    Release    REG_DWORD    0x80ff4

HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full\\1033
    Release    REG_DWORD    0x1
";
    let dcs = ata2atp::hosts::reg_query::parse(text, "DC9.txt", "DC9").unwrap();
    assert_eq!(dcs[0].dotnet_release, Some(0x80ff4));
    // PowerShell's list format, remotely (Invoke-Command names the DC), two DCs.
    let text = "\
PS C:\\> Invoke-Command -ComputerName DC7,DC8 { Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full' }


Release        : 528449
PSPath         : Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework
                 Setup\\NDP\\v4\\Full
PSChildName    : Full
PSComputerName : DC7

Release        : 394806
PSPath         : Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full
PSComputerName : DC8
";
    let dcs = ata2atp::hosts::reg_query::parse(text, "all.txt", "all").unwrap();
    let got: Vec<(&str, Option<u32>)> = dcs
        .iter()
        .map(|d| (d.name.as_str(), d.dotnet_release))
        .collect();
    assert_eq!(got, vec![("DC7", Some(528_449)), ("DC8", Some(394_806))]);
    // The list format of another key is not taken for Full's.
    let text = "Release     : 461814\nPSPath      : Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\n";
    let e = ata2atp::hosts::reg_query::parse(text, "w.txt", "w").unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("not the .NET key"), "{e}");
    let e = ata2atp::hosts::reg_query::parse("Release : many\nPSChildName : Full\n", "n.txt", "n")
        .unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (1, "the Release value is not a number")
    );
}

#[test]
fn inventory_reads_a_capture_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let out = support::commands::ata2atp()
        .env_remove("ATA2ATP_OUTPUT")
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .args(["inventory", "--stdout", "-o", "json", "--reg-query"])
        .arg(corpus().join("ps-prompt-reg-query-full-key.txt"))
        .arg("--reg-query")
        .arg(corpus().join("get-itemproperty-v4-full-b.txt"))
        .output()
        .unwrap();
    let inv: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let hosts: Vec<(String, u64)> = inv["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_string(),
                h["dotnet_release"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        hosts,
        vec![
            ("ps-prompt-reg-query-full-key".to_string(), 461_814),
            ("get-itemproperty-v4-full-b".to_string(), 528_049)
        ]
    );
}
